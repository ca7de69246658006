"""CPU time of the engine's own steps around validation (ingest, extract, build, publish), per report,
this checkout against a baseline checkout in the same command.

Each checkout runs in a child process of its own .venv: a synthetic corpus (benchmarks/corpus.py)
and the ten provincial reports of ../shared/reports/provinces-2026 go through
`pipeline.process_reports` (render=False, one process) after one warm-up report, with each step's
function wrapped to add up its CPU time (time.process_time: the machine is shared, wall time is
not this code's). Printed: CPU ms per report by step for both, and the baseline's over this one's.

    .venv/bin/python benchmarks/build_steps.py [--reports 100] [--baseline /work/main]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROVINCES = ROOT.parent / "shared" / "reports" / "provinces-2026"
STEPS = ("ingest", "input_key", "extract", "correct", "build", "publish")
sys.path.insert(0, str(ROOT / "benchmarks"))
from cputime import cpu_timed  # noqa: E402


def child(corpus: Path, out: Path) -> dict:
    """In the measured checkout: each step's CPU seconds, summed over the corpus."""
    import reportpub.pipeline as pipeline
    import reportpub.publish as publish

    files = pipeline.report_files([corpus])
    config = pipeline.config_hash()
    pipeline.process_report(files[0], out / "warm-portal", out / "warm-build", config=config, render=False)
    cpu = dict.fromkeys(STEPS, 0.0)

    def timed(name, fn):
        return cpu_timed(cpu, name, fn)

    for name in ("ingest", "input_key", "extract", "build"):
        setattr(pipeline, name, timed(name, getattr(pipeline, name)))
    pipeline.correct = timed("correct", pipeline.correct)
    publish.publish = timed("publish", publish.publish)
    t0 = time.process_time()
    outcomes = pipeline.process_reports(files, out / "portal", out / "build", config=config, render=False)
    total = time.process_time() - t0
    bad = [o.message for o in outcomes if o.exit_code != 0]
    assert not bad, bad[:3]
    return {"reports": len(files), "cpu": cpu, "total": total}


def run_child(checkout: Path, corpus: Path, out: Path) -> dict:
    python = checkout / ".venv" / "bin" / "python"
    env = {**os.environ, "PYTHONPATH": str(checkout / "src"), "REPORTPUB_SKIP_CKAN": "1"}
    proc = subprocess.run([str(python), __file__, "--child", str(corpus), str(out)], env=env, cwd=checkout,
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"child ({checkout}) failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def line(label: str, mine: dict, base: dict | None) -> str:
    n = mine["reports"]
    ms = lambda r, k: 1000 * r["cpu"][k] / r["reports"]  # noqa: E731
    mine_sum = sum(ms(mine, k) for k in STEPS)
    cells = [f"{k} {ms(mine, k):.1f}" + (f"/{ms(base, k):.1f}" if base else "") for k in STEPS]
    text = f"{label} ({n} reports) CPU ms/report, this" + ("/baseline" if base else "") + ": " + ", ".join(cells)
    text += f"; steps {mine_sum:.1f}"
    if base:
        base_sum = sum(ms(base, k) for k in STEPS)
        text += f"/{base_sum:.1f} (baseline/this {base_sum / mine_sum:.2f})"
    return text + f"; whole run incl. validation {1000 * mine['total'] / n:.0f}" + (
        f"/{1000 * base['total'] / n:.0f}" if base else "")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reports", type=int, default=100)
    ap.add_argument("--baseline", type=Path, help="another checkout (with its .venv)")
    ap.add_argument("--child", nargs=2, metavar=("CORPUS", "OUT"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(Path(args.child[0]), Path(args.child[1]))))
        return
    from corpus import write_corpus

    corpora = []
    with tempfile.TemporaryDirectory() as tmp:
        synthetic = Path(tmp) / "corpus"
        write_corpus(synthetic, args.reports)
        for f in synthetic.glob("*.gold.csv"):
            f.unlink()
        corpora.append(("synthetic", synthetic))
        if PROVINCES.is_dir():
            corpora.append(("provinces-2026", PROVINCES))
        for label, corpus in corpora:
            mine = run_child(ROOT, corpus, Path(tmp) / f"{label}-this")
            base = run_child(args.baseline, corpus, Path(tmp) / f"{label}-base") if args.baseline else None
            print(line(label, mine, base), flush=True)


if __name__ == "__main__":
    main()
