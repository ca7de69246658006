"""The per-package checks: CPU ms per package by check, this checkout against a baseline, same findings.

Builds N synthetic packages and a dozen copies broken in different ways (a wrong cell, a missing
column, a Parquet that differs from its CSV, a bad date, a fact far outside the report's years...),
then validates them all with this checkout and with the baseline's, each in its own process with its
own .venv. Prints CPU time per package (time.process_time, not wall time: the machine is shared)
for each check and in total, the ratio this/baseline, and whether every validation report, clean
and broken, is the same in both (the checks must get faster, never say something else).

    .venv/bin/python benchmarks/checks_cost.py [--packages 32] [--baseline /work/main] [--rounds 2]
"""

from __future__ import annotations

import argparse
import collections
import datetime
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Derived frames and GX suites (the lead's), timed apart: the rest are the per-package checks.
TOGETHER = "<suites together>"


# --- child: validate and time, in the checkout whose python runs this -------------------------


def child(packages: list[str], broken: list[str], rounds: int) -> dict:
    """Validate the clean packages `rounds` times (CPU per check: the best round) and the broken
    ones once; return the timings and every report."""
    import reportpub.checks.expectations as expectations
    import reportpub.validate as validate

    validate.validate_many([(p, None) for p in packages[:2]])  # imports, GX context, suites: not timed
    cpu: collections.Counter = collections.Counter()
    run, together = validate._run, expectations.run_suites_together

    def timed_run(check, data):
        start = time.process_time()
        try:
            return run(check, data)
        finally:
            cpu[check.name] += time.process_time() - start

    def timed_together(datas):
        start = time.process_time()
        together(datas)
        cpu[TOGETHER] += time.process_time() - start

    validate._run, expectations.run_suites_together = timed_run, timed_together
    best: dict[str, float] = {}
    for _ in range(rounds):
        cpu.clear()
        start = time.process_time()
        clean = validate.validate_many([(p, None) for p in packages])
        total = time.process_time() - start
        if not best or total < best["<total>"]:
            best = {**cpu, "<total>": total}
    reports = {r.package_dir.name: r.to_dict() for r in clean}
    reports |= {r.package_dir.name: r.to_dict() for r in validate.validate_many([(p, None) for p in broken])}
    return {"cpu": best, "packages": len(packages), "reports": reports}


# --- parent: corpus, broken copies, both checkouts --------------------------------------------


def build_corpus(directory: Path, n: int) -> list[Path]:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from corpus import write_corpus

    from reportpub import pipeline

    write_corpus(directory / "reports", n)
    for gold in (directory / "reports").glob("*.gold.csv"):
        gold.unlink()
    pipeline.process_reports(pipeline.report_files([directory / "reports"]), directory / "portal",
                             directory / "work", render=False)
    return sorted(p for p in (directory / "work").iterdir() if (p / "datapackage.json").is_file())


def rewrite(pkg: Path, table: str, change, *, csv: bool = True, parquet: bool = True, reseal: bool = True):
    """change(rows) on one table, written back to its CSV and/or Parquet; reseal: bytes, hash and
    checksums follow, so that only the change itself is wrong."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from reportpub import package

    sys.path.insert(0, str(ROOT))
    from tests import pkgtools

    tbl = pq.read_table(pkg / f"data/{table}.parquet")
    rows = tbl.to_pylist()
    change(rows)
    tbl = pa.Table.from_pylist(rows, schema=tbl.schema) if rows and set(rows[0]) == set(tbl.column_names) \
        else pa.Table.from_pylist(rows)
    if csv:
        package._write_csv(tbl, package.load_schema(table), pkg / f"data/{table}.csv")
    if parquet:
        package._write_parquet(tbl, pkg / f"data/{table}.parquet")
    if reseal:
        pkgtools.reseal(pkg)


def _date(*ymd):
    return datetime.date(*ymd)


def _set(column, value, index=0):
    def change(rows):
        rows[index][column] = value
    return change


def _drop(column):
    def change(rows):
        for row in rows:
            row.pop(column, None)
    return change


def _edit_csv(table, old, new):
    def edit(pkg):
        path = pkg / f"data/{table}.csv"
        path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    return edit


BREAKS = {
    "csv-cell-unsealed": _edit_csv("facts", ",exact,", ",about,"),
    "csv-bad-date-unsealed": _edit_csv("facts", "-12-31,", "-13-45,"),
    "facts-wrong-value": lambda p: rewrite(p, "facts", _set("value", 123456.0, 3)),
    "parquet-differs": lambda p: rewrite(p, "facts", _set("quote", "不同", 2), csv=False),
    "parquet-row-missing": lambda p: rewrite(p, "paragraphs", lambda rows: rows.pop(5), csv=False),
    "csv-column-missing": lambda p: rewrite(p, "paragraphs", _drop("section_title"), parquet=False),
    "parquet-column-missing": lambda p: rewrite(p, "facts", _drop("context"), csv=False),
    "fact-far-outside": lambda p: rewrite(p, "facts", lambda rows: [
        _set("period_start", _date(1990, 1, 1), i)(rows) or _set("period_end", _date(1990, 12, 31), i)(rows)
        for i in (1, 4)]),
    "fact-out-of-pandas-range": lambda p: rewrite(p, "facts", lambda rows: [
        _set("period_start", _date(1500, 1, 1), 0)(rows), _set("period_end", _date(1500, 12, 31), 0)(rows),
        _set("period_start", _date(2999, 1, 1), 1)(rows), _set("period_end", _date(9999, 12, 31), 1)(rows)]),
    "report-year-5": lambda p: rewrite(p, "reports", _set("year", 5)),
    "status-flipped": lambda p: rewrite(p, "facts", lambda rows: [
        r.update(status={"actual": "target", "target": "actual"}.get(r["status"], r["status"])) for r in rows]),
    "subject-empty": lambda p: rewrite(p, "facts", lambda rows: [_set("subject", "的", 0)(rows),
                                                                 _set("subject", None, 2)(rows)]),
    "report-year-1990": lambda p: rewrite(p, "reports", _set("year", 1990)),
    "report-title-furniture": lambda p: rewrite(p, "reports", lambda rows: [
        _set("title", "下载", 0)(rows), _set("publisher", None, 0)(rows)]),
    "work-report-no-headline": lambda p: rewrite(p, "facts", lambda rows: [
        r.update(subject="某某事项") for r in rows]),
    "duplicate-fact-id": lambda p: rewrite(p, "facts", lambda rows: rows[1].update(fact_id=rows[0]["fact_id"])),
    "required-null": lambda p: rewrite(p, "paragraphs", _set("text", None, 3)),
    "report-delivered-early": lambda p: (rewrite(p, "reports", _set("delivered", _date(2022, 12, 15))), rewrite(
        p, "facts", lambda rows: [r.update(status="target") for r in rows if r["period_end"] == _date(2022, 11, 30)])),
    "report-plan-year-far": lambda p: rewrite(p, "reports", lambda rows: rows[0].update(
        plan_year=2030, delivered=_date(2031, 1, 5))),
    "second-report-no-year": lambda p: rewrite(p, "reports", lambda rows: rows.append(
        {**rows[0], "report_id": rows[0]["report_id"] + "-b", "year": None, "title": "首页"})),
    "units-parquet-gone": lambda p: (p / "data/units.parquet").unlink(),
    "descriptor-broken": lambda p: (p / "datapackage.json").write_text("{", encoding="utf-8"),
}


def break_copies(clean: list[Path], directory: Path) -> list[Path]:
    out = []
    for i, (name, brk) in enumerate(BREAKS.items()):
        target = directory / name
        shutil.copytree(clean[i % len(clean)], target)
        for output in ("validation.json", "validation.html"):
            (target / output).unlink(missing_ok=True)
        brk(target)
        out.append(target)
    return out


def run_child(checkout: Path, packages: list[Path], broken: list[Path], rounds: int) -> dict:
    with tempfile.NamedTemporaryFile("w+", suffix=".json") as spec:
        json.dump({"packages": [str(p) for p in packages], "broken": [str(p) for p in broken],
                   "rounds": rounds}, spec)
        spec.flush()
        out = subprocess.run([str(checkout / ".venv/bin/python"), str(Path(__file__).resolve()), "--child",
                              spec.name], capture_output=True, text=True, check=True, cwd=checkout)
    return json.loads(out.stdout.splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--packages", type=int, default=32)
    ap.add_argument("--baseline", type=Path, default=Path("/work/main"))
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--keep", type=Path, help="build the packages here (kept) instead of a temporary folder")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        spec = json.loads(Path(args.child).read_text())
        print(json.dumps(child(spec["packages"], spec["broken"], spec["rounds"])))
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        clean = sorted(p for p in (folder / "work").iterdir() if (p / "datapackage.json").is_file()) \
            if (folder / "work").is_dir() else build_corpus(folder, args.packages)
        broken_dir = folder / "broken"
        shutil.rmtree(broken_dir, ignore_errors=True)
        broken = break_copies(clean, broken_dir)
        this = run_child(ROOT, clean, broken, args.rounds)
        base = run_child(args.baseline, clean, broken, args.rounds)
    n = this["packages"]
    print(f"{n} clean packages, {len(broken)} broken; CPU ms per package (best of {args.rounds} rounds)")
    print(f"{'check':34} {'baseline':>9} {'this':>9} {'this/base':>9}")
    names = sorted(set(this["cpu"]) | set(base["cpu"]), key=lambda k: -base["cpu"].get(k, 0))
    mine_this = mine_base = 0.0
    for name in names:
        b, t = 1000 * base["cpu"].get(name, 0) / n, 1000 * this["cpu"].get(name, 0) / n
        if name not in (TOGETHER, "<total>"):
            mine_this, mine_base = mine_this + t, mine_base + b
        if max(b, t) >= 0.05:
            print(f"{name:34} {b:9.2f} {t:9.2f} {t / b if b else float('nan'):9.2f}")
    print(f"{'per-package checks (all but suites)':34} {mine_base:9.2f} {mine_this:9.2f} {mine_this / mine_base:9.2f}")
    differ = sorted(k for k in base["reports"] if base["reports"][k] != this["reports"].get(k))
    print(f"validation reports identical: {len(base['reports']) - len(differ)} of {len(base['reports'])}"
          + (f"; DIFFERENT: {', '.join(differ)}" if differ else ""))
    sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
