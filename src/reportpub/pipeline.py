"""The stages chained without Prefect: report files -> package -> checks -> portal.

`flows/publish_report.py` runs the same stages as Prefect tasks; this module is what the CLI's
`build` uses and what the benchmarks time.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .extract import Fact, extract
from .ingest import Document, ingest
from .package import BuildResult, build


@dataclass(frozen=True)
class Extracted:
    document: Document
    facts: tuple[Fact, ...]


def ingest_and_extract(path: str | os.PathLike, metadata: dict | None = None) -> Extracted:
    doc = ingest(path, metadata=metadata)
    return Extracted(doc, extract(doc))


def build_package(paths: list[str | os.PathLike], out_dir: str | os.PathLike, *,
                  metadata: dict | None = None) -> BuildResult:
    """Report files -> one package holding all of them (one dataset)."""
    items = [ingest_and_extract(p, metadata) for p in paths]
    return build([i.document for i in items], [f for i in items for f in i.facts], Path(out_dir))
