"""A dataset's portal render: CPU per dataset of this checkout against another, and their portals compared.

Publishes a synthetic corpus (benchmarks/corpus.py) without rendering, once (or takes a published,
unrendered portal: --portal). Then, in turns, a child process of each checkout (its .venv and code)
renders a copy of that portal: every dataset's downloads, pages and catalogue parts (the first one
untimed, to warm imports and caches; `portal._render_datasets` in chunks of `portal.CHUNK` where the
checkout has it, else `portal._render_dataset` one by one), timed in CPU seconds (time.process_time:
the machine is shared) by step; then `render_portal`, which finds every dataset current and writes
the catalogue files and the indicators (the tail of a refresh), timed too (CPU of every process,
and wall: it may fork). Printed: each checkout's median over the rounds, CPU ms per dataset by
step, the tail's CPU and wall ms, and baseline/this; then every file of the two portals compared byte for byte (`.rendered` without its
renderer key, which hashes the code).

    .venv/bin/python benchmarks/render_speed.py [--datasets 24] [--rounds 3] [--baseline /work/main] [--portal P]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from cputime import cpu_timed  # noqa: E402
STEPS = {"ensure_release_workbooks": "workbooks", "ensure_release_zip": "zip", "load_dataset": "load",
         "_pages": "pages", "dataset_parts": "parts", "write_atomic": "write", "write_state": "state"}


def child(portal: Path) -> dict:
    """Render every dataset of `portal` (a copy of its own) -> CPU seconds, in total and by step."""
    import reportpub.portal as P
    from reportpub.portal.model import dataset_names, latest_version
    from reportpub.portal.state import dataset_key, renderer_key

    steps: dict[str, float] = {}

    def timed(name, fn):
        return cpu_timed(steps, name, fn)

    renderer = renderer_key(None)
    items = [(folder, dataset_key(folder, latest_version(folder), renderer), None)
             for folder in (portal / "datasets" / name for name in dataset_names(portal))]

    def render(items):
        if hasattr(P, "_render_datasets"):
            for at in range(0, len(items), P.CHUNK):
                P._render_datasets(items[at:at + P.CHUNK])
        else:
            for item in items:
                P._render_dataset(*item)

    render(items[:1])
    originals = {name: getattr(P, name) for name in STEPS if hasattr(P, name)}
    for name, f in originals.items():
        setattr(P, name, timed(STEPS[name], f))
    t0 = time.process_time()
    render(items[1:])
    seconds = time.process_time() - t0
    for name, f in originals.items():
        setattr(P, name, f)
    import pandas  # noqa: F401 - a refresh runs where validation has imported it; not the tail's cost

    t0, w0 = _cpu(), time.perf_counter()
    P.render_portal(portal)  # every dataset current: the catalogues and indicators
    return {"seconds": seconds, "steps": steps, "datasets": len(items) - 1, "tail": _cpu() - t0,
            "tail_wall": time.perf_counter() - w0}


def _cpu() -> float:
    """CPU seconds of this process and of its children that ended (the tail may fork)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def run_child(checkout: Path, source: Path, out: Path) -> dict:
    shutil.rmtree(out, ignore_errors=True)
    shutil.copytree(source, out, symlinks=True)
    python = checkout / ".venv" / "bin" / "python" if checkout != ROOT else Path(sys.executable)
    proc = subprocess.run([str(python), __file__, "--child", str(out)], cwd=checkout, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(checkout)})
    if proc.returncode != 0:
        raise SystemExit(f"render ({checkout}) failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def compare(a: Path, b: Path) -> tuple[int, list[str]]:
    """Two portal folders -> (files compared, those that differ or exist in one only)."""
    files = {p.relative_to(a).as_posix() for p in a.rglob("*") if p.is_file()}
    files |= {p.relative_to(b).as_posix() for p in b.rglob("*") if p.is_file()}
    differ = [rel for rel in sorted(files) if _content(a / rel) != _content(b / rel)]
    return len(files), differ


def _content(path: Path) -> bytes | None:
    if not path.is_file():
        return None
    data = path.read_bytes()
    if path.name == ".rendered":  # its key hashes the renderer's source: the rest must be the same
        header, _, rest = data.partition(b"\n")
        head = json.loads(header)
        head.pop("key", None)
        return json.dumps(head).encode() + b"\n" + rest
    return data


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--datasets", type=int, default=24)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--baseline", type=Path, help="another checkout (with its .venv) to compare with")
    ap.add_argument("--portal", type=Path, help="a published portal, not rendered, to use instead of a corpus")
    ap.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(args.child)))
        return
    if args.baseline and args.baseline.resolve() == ROOT:
        ap.error("--baseline is this checkout; give another one (its portal would overwrite this one's)")
    import reportpub.pipeline as pipeline
    from corpus import write_corpus

    checkouts = [ROOT] + ([args.baseline.resolve()] if args.baseline else [])
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        source = args.portal or tmp / "portal"
        if not args.portal:
            write_corpus(tmp / "corpus", args.datasets)
            for f in (tmp / "corpus").glob("*.gold.csv"):
                f.unlink()
            pipeline.process_reports(pipeline.report_files([tmp / "corpus"]), source, tmp / "build", render=False)
        runs: dict[Path, list[dict]] = {c: [] for c in checkouts}
        for _ in range(args.rounds):
            for checkout in checkouts:
                runs[checkout].append(run_child(checkout, source, tmp / f"out-{checkouts.index(checkout)}"))
        medians = {}
        for checkout, results in runs.items():
            n = results[0]["datasets"]
            ms = statistics.median(r["seconds"] for r in results) * 1000 / n
            by_step = {s: statistics.median(r["steps"].get(s, 0.0) for r in results) * 1000 / n for s in STEPS.values()}
            tail = statistics.median(r["tail"] for r in results) * 1000
            wall = statistics.median(r["tail_wall"] for r in results) * 1000
            medians[checkout] = ms, tail
            steps = " ".join(f"{s} {v:.1f}" for s, v in by_step.items())
            print(f"{checkout}: {ms:.1f} CPU ms per dataset ({n} datasets, median of {len(results)} rounds); {steps}; "
                  f"tail {tail:.0f} CPU ms (all processes), {wall:.0f} ms wall")
        if args.baseline:
            (ms, tail), (base_ms, base_tail) = medians[ROOT], medians[checkouts[1]]
            print(f"baseline/this: {base_ms / ms:.2f} per dataset, {base_tail / tail:.2f} tail")
            count, differ = compare(tmp / "out-0", tmp / "out-1")
            print(f"portals compared: {count} files, {len(differ)} differ" + (f": {differ[:20]}" if differ else ""))


if __name__ == "__main__":
    main()
