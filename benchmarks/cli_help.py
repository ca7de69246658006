"""`reportpub --help`: wall time of the command against a bare `python -c pass`, in one run.

The command must answer under 0.2 s: `reportpub.command` prints the help typer renders
(src/reportpub/help.txt, kept current by tests/test_cli_help.py) without importing typer; the
commands import Prefect, Great Expectations, Frictionless, pandas and pyarrow when they run.
Printed: the median of N runs of each, their difference (what reportpub adds to starting
Python), the ratio, and with --baseline the same command of another checkout.

    .venv/bin/python benchmarks/cli_help.py [--runs 15] [--baseline /work/main]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPORTPUB = Path(sys.executable).parent / "reportpub"


def median_seconds(command: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--baseline", type=Path, help="another checkout (with its .venv) whose --help to time too")
    args = ap.parse_args()
    bare, helped, base = [], [], []
    for _ in range(args.runs):  # interleaved, so that a busy moment weighs on all alike
        bare.append(median_seconds([sys.executable, "-c", "pass"], 1))
        helped.append(median_seconds([str(REPORTPUB), "--help"], 1))
        if args.baseline:
            base.append(median_seconds([str(args.baseline / ".venv" / "bin" / "reportpub"), "--help"], 1))
    b, h = statistics.median(bare), statistics.median(helped)
    line = (f"python -c pass {b:.3f} s · reportpub --help {h:.3f} s (target < 0.2) · "
            f"reportpub adds {h - b:.3f} s · ratio {h / b:.1f}")
    if base:
        line += f" · baseline --help {statistics.median(base):.3f} s (this/baseline {h / statistics.median(base):.2f})"
    print(line)


if __name__ == "__main__":
    main()
