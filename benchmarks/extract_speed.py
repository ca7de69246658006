"""Extraction speed: characters per second of the extract stage alone, on the sample reports.

Ingest is done once outside the timed loop; each report is extracted repeatedly for at least
`--seconds` and the best run is kept. Also prints, as the baseline measured in the same process,
the speed of merely scanning the same text with one regular expression, so the figure can be read
as a ratio that does not depend on the machine.

    .venv/bin/python benchmarks/extract_speed.py
"""

from __future__ import annotations

import argparse
import re
import time
from pathlib import Path

from reportpub.extract import extract
from reportpub.extract.periods import _time_references
from reportpub.ingest import ingest

ROOT = Path(__file__).resolve().parents[1]


def best_rate(fn, chars: int, seconds: float) -> float:
    best = float("inf")
    deadline = time.perf_counter() + seconds
    runs = 0
    while runs < 3 or time.perf_counter() < deadline:
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
        runs += 1
    return chars / best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=1.0)
    args = ap.parse_args()
    extract(ingest(ROOT / "examples/reports/bda-2022-work-summary.txt"))  # warm lexicons and regexes
    scan = re.compile(r"[0-9０-９]+(?:\.[0-9]+)?[%％亿万元家个项]")
    total_chars = total_time = 0.0
    print(f"{'report':34} {'chars':>7} {'facts':>6} {'chars/s':>12} {'regex scan chars/s':>19} {'ratio':>6}")
    for path in sorted((ROOT / "examples/reports").glob("*.txt")):
        doc = ingest(path)
        chars = sum(len(p.text) for p in doc.paragraphs)
        def cold_extract():  # no help from the period cache of an earlier run on the same text
            _time_references.cache_clear()
            extract(doc)

        rate = best_rate(cold_extract, chars, args.seconds)
        base = best_rate(lambda: [scan.findall(p.text) for p in doc.paragraphs], chars, args.seconds / 4)
        facts = len(extract(doc))
        total_chars += chars
        total_time += chars / rate
        print(f"{path.name:34} {chars:7d} {facts:6d} {rate:12,.0f} {base:19,.0f} {rate / base:6.3f}")
    print(f"{'all samples':34} {int(total_chars):7d} {'':6} {total_chars / total_time:12,.0f}   (target ≥ 300,000 chars/s)")


if __name__ == "__main__":
    main()
