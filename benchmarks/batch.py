"""Batch throughput and memory: the engine alone vs the Prefect batch flow, synthetic and real reports.

For each corpus size (default 100 and 1,000 reports, made by benchmarks/corpus.py) child
processes publish the corpus to a fresh portal, one process per run so that each peak memory
(ru_maxrss) is its own: the engine (`reportpub.pipeline.process_reports`, no Prefect) and the
`publish_batch` flow (a temporary Prefect server, started before the clock starts). Then the
engine on the ten provincial reports of ../shared/reports/provinces-2026 (real reports, seconds
per step). Printed as ratios of this one run: the flow's time over the engine's at each size,
peak memory at the largest size over the smallest, and, with --baseline CHECKOUT, the engine of
another checkout (its .venv) on the same corpora: the speed-up of this code over that one.
The engine runs with `--workers` processes (default: one per core; a checkout from before workers
runs in one); its seconds per step are summed over the workers, so they add up to more than the
wall time; `render` is the batch's one portal refresh. Peak memory is the largest of the process
and each of its workers. Every run's output stays on disk until the command ends, so that no run
pays for deleting the one before (see `main`).

    .venv/bin/python benchmarks/batch.py [--sizes 100 1000] [--baseline /work/main] [--no-flow] [--workers N]
"""

from __future__ import annotations

import argparse
import inspect
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROVINCES = ROOT.parent / "shared" / "reports" / "provinces-2026"
sys.path.insert(0, str(ROOT / "benchmarks"))


def child_engine(corpus: Path, out: Path) -> dict:
    import reportpub.pipeline as pipeline
    from reportpub.publish import refresh_portal

    files = pipeline.report_files([corpus])
    config = pipeline.config_hash()
    pipeline.process_report(files[0], out / "warm-portal", out / "warm-build", config=config)  # imports, GX context
    steps: dict[str, float] = {}
    t0 = time.perf_counter()
    workers = int(os.environ.get("BENCH_WORKERS", "1"))
    if "workers" in inspect.signature(pipeline.process_reports).parameters:
        outcomes = pipeline.process_reports(files, out / "portal", out / "build", config=config, render=False,
                                            workers=workers)
    elif hasattr(pipeline, "process_reports"):
        outcomes = pipeline.process_reports(files, out / "portal", out / "build", config=config, render=False)
    else:  # a checkout from before batches: one report after the other
        outcomes = [pipeline.process_report(f, out / "portal", out / "build", config=config, render=False)
                    for f in files]
    for outcome in outcomes:
        assert outcome.exit_code == 0, outcome.message
        for k, v in outcome.timings.items():
            steps[k] = steps.get(k, 0.0) + v
    t1 = time.perf_counter()
    refresh_portal(out / "portal")  # the catalogue once, as the batch flow does
    steps["render"] = time.perf_counter() - t1
    return {"seconds": time.perf_counter() - t0, "steps": steps, "reports": len(files)}


def child_flow(corpus: Path, out: Path) -> dict:
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    from reportpub.flows.batch import publish_batch
    from reportpub.pipeline import report_files

    files = report_files([corpus])
    publish_batch([str(files[0])], portal=str(out / "warm-portal"), work_dir=str(out / "warm-build"))  # server up
    t0 = time.perf_counter()
    outcomes = publish_batch([str(corpus)], portal=str(out / "portal"), work_dir=str(out / "build"))
    seconds = time.perf_counter() - t0
    assert all(o["exit_code"] == 0 for o in outcomes), [o["message"] for o in outcomes if o["exit_code"]]
    return {"seconds": seconds, "reports": len(outcomes)}


def run_child(kind: str, corpus: Path, out: Path, checkout: Path = ROOT, workers: int = 1) -> dict:
    """One measurement in a fresh process of `checkout` (its own .venv and code)."""
    (out / "prefect-home").mkdir(parents=True, exist_ok=True)
    python = checkout / ".venv" / "bin" / "python" if checkout != ROOT else Path(sys.executable)
    env = {**os.environ, "PREFECT_HOME": str(out / "prefect-home"), "PYTHONPATH": str(checkout),
           "BENCH_WORKERS": str(workers),
           "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120", "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    proc = subprocess.run([str(python), __file__, "--child", kind, str(corpus), str(out)], env=env, cwd=checkout,
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"{kind} run ({checkout}) failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def per_step(result: dict) -> str:
    n = result["reports"]
    return " ".join(f"{k} {v / n:.3f}" for k, v in result["steps"].items())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[100, 1000])
    ap.add_argument("--baseline", type=Path, help="another checkout (with its .venv) to compare the engine with")
    ap.add_argument("--no-flow", action="store_true", help="the engine only")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                    help="the engine's worker processes (the flow uses one per core)")
    ap.add_argument("--child", nargs=3, metavar=("KIND", "CORPUS", "OUT"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        kind, corpus, out = args.child
        result = (child_engine if kind == "engine" else child_flow)(Path(corpus), Path(out))
        # the largest of this process and its worker processes (each has its own peak)
        result["peak_mb"] = max(resource.getrusage(who).ru_maxrss for who in
                                (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)) / 1024
        print(json.dumps(result))
        return
    print(f"{'reports':>7} {'engine r/s':>10} {'flow r/s':>8} {'flow/engine':>11} {'engine MB':>9} {'flow MB':>7} "
          f"{'baseline r/s':>12} {'speed-up':>8}  engine s/report by step")
    rows = {}
    # Every run's output is kept until the end: on this file system a file created within minutes
    # of many deletions costs up to ten times more, so deleting a run's portal before the next run
    # would bill one measurement for the clean-up of the one before.
    with tempfile.TemporaryDirectory() as root:
        measure(args, Path(root), rows)


def measure(args, root: Path, rows: dict) -> None:
    """Each corpus size, then the provincial reports: one line each (see the module's docstring)."""
    from corpus import write_corpus

    for n in args.sizes:
        tmp = root / str(n)
        corpus = tmp / "corpus"
        write_corpus(corpus, n)
        for f in corpus.glob("*.gold.csv"):
            f.unlink()
        engine = run_child("engine", corpus, tmp / "engine", workers=args.workers)
        flow = None if args.no_flow else run_child("flow", corpus, tmp / "flow")
        base = run_child("engine", corpus, tmp / "baseline", args.baseline,
                         workers=args.workers) if args.baseline else None
        rows[n] = (engine, flow)
        print(f"{n:7d} {n / engine['seconds']:10.1f} "
              f"{n / flow['seconds'] if flow else float('nan'):8.1f} "
              f"{flow['seconds'] / engine['seconds'] if flow else float('nan'):11.2f} "
              f"{engine['peak_mb']:9.0f} {flow['peak_mb'] if flow else float('nan'):7.0f} "
              f"{n / base['seconds'] if base else float('nan'):12.1f} "
              f"{base['seconds'] / engine['seconds'] if base else float('nan'):8.1f}  {per_step(engine)}", flush=True)
        if base:
            print(f"{'':7} baseline s/report by step: {per_step(base)}", flush=True)
    small, large = min(rows), max(rows)
    if small != large:
        (e_small, f_small), (e_large, f_large) = rows[small], rows[large]
        line = f"peak memory {large}/{small}: engine {e_large['peak_mb'] / e_small['peak_mb']:.2f}"
        if f_small and f_large:
            line += f", flow {f_large['peak_mb'] / f_small['peak_mb']:.2f}"
        print(line + " (target ≤ 1.25)", flush=True)
    if PROVINCES.is_dir():
        real = run_child("engine", PROVINCES, root / "provinces" / "engine", workers=args.workers)
        base = run_child("engine", PROVINCES, root / "provinces" / "baseline", args.baseline,
                         workers=args.workers) if args.baseline else None
        n = real["reports"]
        line = f"provinces-2026 ({n} real reports): engine {n / real['seconds']:.1f} r/s"
        if base:
            line += f", baseline {n / base['seconds']:.1f} r/s (speed-up {base['seconds'] / real['seconds']:.1f})"
        print(f"{line}; s/report by step: {per_step(real)}"
              + (f"; baseline: {per_step(base)}" if base else ""), flush=True)


if __name__ == "__main__":
    main()
