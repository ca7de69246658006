"""Validating Parquet vs validating CSV, on one synthetic package of 100,000 facts.

Both runs happen in this process, on the same package, and the result is a ratio:
  csv      structure.frictionless: stock Frictionless on the CSV resources (types, constraints, keys, hash)
  parquet  structure.parquet_schema: the Parquet files against the same Table Schemas with pyarrow
  parquet via frictionless (reference, --with-frictionless-parquet): what stock Frictionless costs on Parquet

    .venv/bin/python benchmarks/validate_formats.py [--facts 100000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from reportpub.checks.data import PackageData  # noqa: E402
from reportpub.checks.descriptor import frictionless_package  # noqa: E402
from reportpub.checks.parquet import parquet_schema  # noqa: E402
from reportpub.validate import load_policy  # noqa: E402
from tests import pkgtools  # noqa: E402


def timed(fn) -> tuple[float, list]:
    t0 = time.perf_counter()
    problems = list(fn())
    return time.perf_counter() - t0, problems


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--facts", type=int, default=100_000)
    ap.add_argument("--with-frictionless-parquet", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        pkg = pkgtools.write_package(Path(tmp) / "pkg", pkgtools.synthetic_tables(args.facts))
        policy = load_policy()
        t_csv, p_csv = timed(lambda: frictionless_package(PackageData(pkg, policy)))
        t_pq, p_pq = timed(lambda: parquet_schema(PackageData(pkg, policy)))
        assert not p_csv and not p_pq, (p_csv, p_pq)  # both must find the package valid
        print(f"facts: {args.facts:,}")
        print(f"csv      (stock Frictionless)  {t_csv:7.2f} s")
        print(f"parquet  (pyarrow vs schema)   {t_pq:7.2f} s   ratio parquet/csv = {t_pq / t_csv:.3f} (target ≤ 1)")
        if args.with_frictionless_parquet:
            from frictionless import Resource

            t0 = time.perf_counter()
            Resource(str(pkg / "data/facts.parquet")).validate()
            t_fp = time.perf_counter() - t0
            print(f"facts.parquet via stock Frictionless {t_fp:7.2f} s (reference)")


if __name__ == "__main__":
    main()
