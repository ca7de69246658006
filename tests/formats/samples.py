"""The sample reports as ingest reads them from TXT, and what a format reader must give back."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

from reportpub.extract import extract
from reportpub.formats import RawText
from reportpub.ingest import Document, document_from_text, ingest

REPORTS = Path(__file__).resolve().parents[2] / "examples" / "reports"
SAMPLES = ("bda-2022-work-summary", "national_2023_gwr", "daqing_2016h1_economy")
CJK_FONT = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")  # Debian: fonts-wqy-microhei


@cache
def original(sample: str) -> Document:
    """The sample as ingest reads it from TXT (page breaks of the TXT already rejoined)."""
    return ingest(REPORTS / f"{sample}.txt")


def metadata(sample: str) -> dict:
    side = REPORTS / f"{sample}.txt.meta.json"
    return json.loads(side.read_text(encoding="utf-8")) if side.is_file() else {}


def nonspace(text: str) -> str:
    return re.sub(r"\s+", "", text)


def paragraphs(raw: RawText) -> list[str]:
    """The paragraphs of a reader's text (one a line, blank lines between)."""
    return [p.strip() for p in raw.text.split("\n\n") if p.strip()]


def content(raw: RawText) -> list[str]:
    """The paragraphs that are not page furniture."""
    furniture = set(raw.boilerplate)
    return [p for p in paragraphs(raw) if p not in furniture]


def assert_same_paragraphs(raw: RawText, sample: str, extra: tuple[str, ...] = ()) -> None:
    """The reader's content paragraphs are the TXT's paragraphs (whitespace aside), plus `extra`
    (paragraphs the test wrote beyond the report, such as a table caption) in order."""
    want = [nonspace(p.text) for p in original(sample).paragraphs] + [nonspace(e) for e in extra]
    got = [nonspace(p) for p in content(raw)]
    assert got == want


def facts(raw: RawText, sample: str, extra: tuple[str, ...] = ()) -> list[tuple]:
    """Facts the extractor finds in the reader's content paragraphs (less the test's `extra`)."""
    text = "\n\n".join(p for p in content(raw) if p not in extra)
    doc = document_from_text(text, source_name=f"{sample}.x", media_type=raw.media_type, metadata=metadata(sample))
    return [(f.quote, f.value, f.unit, f.subject) for f in extract(doc)]


def txt_facts(sample: str) -> list[tuple]:
    return [(f.quote, f.value, f.unit, f.subject) for f in extract(original(sample))]
