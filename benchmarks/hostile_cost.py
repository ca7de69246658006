"""Cost against size for hostile shapes of input (issue 16): each measured at N and 10 N in one run,
reported as ratios (10 = linear, 100 = quadratic).

- paragraph length: one unpunctuated paragraph of N characters with a number every 1,000
  (ingest, extract and build; time and the size of facts.csv);
- numbers per paragraph: one sentence of N quantities separated by commas (extract time);
- validate: peak memory of `reportpub validate` (a child process) on packages of N and 10 N facts,
  above the same command's peak on a one-fact package (its fixed cost: imports).

Sizes stay under the default limits (REPORTPUB_MAX_PARAGRAPH_CHARS, REPORTPUB_MAX_NUMBERS_PER_PARAGRAPH),
so the figures are those of input a user may give. About a minute and 500 MB on a 2-core machine.

    .venv/bin/python benchmarks/hostile_cost.py
"""

from __future__ import annotations

import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from reportpub.extract import extract
from reportpub.ingest import document_from_text
from reportpub.package import build

HEAD = "示范市2022年政府工作报告\n示范市人民政府\n"
FILLER = ("全市坚持稳中求进工作总基调着力推动高质量发展" * 60)[:990]
REPORTPUB = Path(sys.executable).with_name("reportpub")


def long_paragraph(chars: int) -> str:
    return HEAD + "".join(FILLER + f"新建学校{i % 90 + 10}所" for i in range(chars // 1000)) + "。\n"


def many_numbers(n: int) -> str:
    return HEAD + "，".join(f"新建学校{i % 90 + 10}所" for i in range(n)) + "。\n"


def fact_lines(n: int) -> str:
    return HEAD + "".join(f"全市第{i}批项目完成投资{i % 900 + 10}.5亿元，同比增长{i % 9 + 1}.2%。\n" for i in range(n // 2))


def build_seconds(text: str, out: Path) -> tuple[float, int]:
    """Text -> (seconds to ingest, extract and build it, bytes of facts.csv)."""
    t0 = time.perf_counter()
    doc = document_from_text(text, source_name="bench.txt")
    build([doc], list(extract(doc)), out)
    return time.perf_counter() - t0, (out / "data" / "facts.csv").stat().st_size


def extract_seconds(text: str) -> float:
    doc = document_from_text(text, source_name="bench.txt")
    t0 = time.perf_counter()
    extract(doc)
    return time.perf_counter() - t0


def validate_peak_mb(package: Path) -> float:
    """Peak RSS of `reportpub validate PACKAGE`, measured by a small parent of its own."""
    probe = ("import resource, subprocess, sys; subprocess.call(sys.argv[1:], stdout=subprocess.DEVNULL, "
             "stderr=subprocess.DEVNULL); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    out = subprocess.run([sys.executable, "-c", probe, str(REPORTPUB), "validate", str(package)],
                         capture_output=True, text=True, check=True)
    return int(out.stdout.strip()) / 1024


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        build_seconds(long_paragraph(2_000), root / "warm-up")  # first use of pyarrow and the code lists
        (s1, b1), (s10, b10) = (build_seconds(long_paragraph(n), root / f"long-{n}") for n in (19_000, 190_000))
        print(f"paragraph length 19,000 -> 190,000 chars: build {s1:.2f} s -> {s10:.2f} s (x{s10 / s1:.1f}); "
              f"facts.csv {b1:,} -> {b10:,} bytes (x{b10 / b1:.1f})")
        e1, e10 = extract_seconds(many_numbers(100)), extract_seconds(many_numbers(1_000))
        print(f"numbers per paragraph 100 -> 1,000: extract {e1:.3f} s -> {e10:.3f} s (x{e10 / e1:.1f})")
        sizes = {}
        for n in (2, 2_000, 20_000):
            doc = document_from_text(fact_lines(n), source_name=f"facts-{n}.txt")
            built = build([doc], list(extract(doc)), root / f"facts-{n}")
            sizes[n] = (built.facts, sum(p.stat().st_size for p in (built.path / "data").iterdir()))
        peaks = {n: validate_peak_mb(root / f"facts-{n}") for n in sizes}
        base = peaks[2]
        (f1, z1), (f10, z10) = sizes[2_000], sizes[20_000]
        print(f"validate peak memory: {base:.0f} MB with one fact (fixed cost); {f1:,} facts ({z1 / 2**20:.1f} MB of data) "
              f"{peaks[2_000]:.0f} MB, {f10:,} facts ({z10 / 2**20:.1f} MB) {peaks[20_000]:.0f} MB; above the fixed cost "
              f"{peaks[2_000] - base:.0f} -> {peaks[20_000] - base:.0f} MB (x{(peaks[20_000] - base) / max(peaks[2_000] - base, 1):.1f} "
              f"for x{z10 / z1:.1f} the data)")
    print(f"(this process: peak {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB)")


if __name__ == "__main__":
    main()
