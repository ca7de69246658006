"""Batch throughput: the engine alone vs the Prefect batch flow, on synthetic corpora.

For each corpus size (default 10, 100 and 1,000 reports, made by benchmarks/corpus.py) two child
processes publish the corpus to a fresh portal: one calls `reportpub.pipeline.process_report` for
each report in turn (no Prefect), the other runs the `publish_batch` flow (a temporary Prefect
server, started before the clock starts). Printed: reports per second for each, the ratio of
their times (Prefect / engine), peak memory of each process, and the engine's time per step.

    .venv/bin/python benchmarks/batch.py [--sizes 10 100 1000]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))


def child_engine(corpus: Path, out: Path) -> dict:
    from reportpub.pipeline import config_hash, process_report, report_files
    from reportpub.publish import refresh_portal

    files = report_files([corpus])
    config = config_hash()
    process_report(files[0], out / "warm-portal", out / "warm-build", config=config)  # imports, GX context
    steps: dict[str, float] = {}
    t0 = time.perf_counter()
    for f in files:
        outcome = process_report(f, out / "portal", out / "build", config=config, render=False)
        assert outcome.exit_code == 0, outcome.message
        for k, v in outcome.timings.items():
            steps[k] = steps.get(k, 0.0) + v
    t1 = time.perf_counter()
    refresh_portal(out / "portal")  # the catalogue once, as the batch flow does
    steps["render"] = time.perf_counter() - t1
    return {"seconds": time.perf_counter() - t0, "steps": steps, "reports": len(files)}


def child_prefect(corpus: Path, out: Path) -> dict:
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    from flows.batch import publish_batch
    from reportpub.pipeline import report_files

    files = report_files([corpus])
    publish_batch([str(files[0])], portal=str(out / "warm-portal"), work_dir=str(out / "warm-build"))  # server up
    t0 = time.perf_counter()
    outcomes = publish_batch([str(corpus)], portal=str(out / "portal"), work_dir=str(out / "build"))
    seconds = time.perf_counter() - t0
    assert all(o["exit_code"] == 0 for o in outcomes), [o["message"] for o in outcomes if o["exit_code"]]
    return {"seconds": seconds, "reports": len(outcomes)}


def run_child(kind: str, corpus: Path, out: Path) -> dict:
    (out / "prefect-home").mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PREFECT_HOME": str(out / "prefect-home"), "PYTHONPATH": str(ROOT),
           "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120", "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    proc = subprocess.run([sys.executable, __file__, "--child", kind, str(corpus), str(out)], env=env,
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"{kind} run failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 1000])
    ap.add_argument("--child", nargs=3, metavar=("KIND", "CORPUS", "OUT"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        kind, corpus, out = args.child
        result = (child_engine if kind == "engine" else child_prefect)(Path(corpus), Path(out))
        result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(result))
        return
    from corpus import write_corpus

    print(f"{'reports':>7} {'engine r/s':>10} {'prefect r/s':>11} {'prefect/engine':>14} "
          f"{'engine MB':>9} {'prefect MB':>10} {'engine s/report':>15}  engine time per step (s/report)")
    for n in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            corpus = Path(tmp) / "corpus"
            write_corpus(corpus, n)
            for f in corpus.glob("*.gold.csv"):
                f.unlink()
            engine = run_child("engine", corpus, Path(tmp) / "engine")
            prefect = run_child("prefect", corpus, Path(tmp) / "prefect")
        steps = " ".join(f"{k} {v / n:.3f}" for k, v in engine["steps"].items())
        print(f"{n:7d} {n / engine['seconds']:10.1f} {n / prefect['seconds']:11.1f} "
              f"{prefect['seconds'] / engine['seconds']:14.2f} {engine['peak_mb']:9.0f} {prefect['peak_mb']:10.0f} "
              f"{engine['seconds'] / n:15.3f}  {steps}", flush=True)


if __name__ == "__main__":
    main()
