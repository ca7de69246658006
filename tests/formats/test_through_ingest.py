"""ingest() on PDF, DOCX and HTML reports gives the TXT's body paragraphs, headings, metadata and
facts, with the page furniture marked boilerplate. Runs once ingest calls the format readers."""

from __future__ import annotations

import inspect

import pytest

from reportpub.extract import extract
from reportpub.ingest import document_from_text, ingest

from .samples import SAMPLES, metadata, original
from .test_docx import write_docx
from .test_html import NAV, page

if "boilerplate" not in inspect.signature(document_from_text).parameters:
    pytest.skip("ingest does not call reportpub.formats yet", allow_module_level=True)


def through_ingest(path, sample):
    doc = ingest(path, metadata=metadata(sample))
    want = original(sample)
    for kind in ("body", "heading"):
        assert [p.text for p in doc.paragraphs if p.kind == kind] == [p.text for p in want.paragraphs if p.kind == kind]
    assert (doc.title, doc.year, doc.delivered_year, doc.publisher) == \
        (want.title, want.year, want.delivered_year, want.publisher)

    def reading(d):
        return [(f.quote, f.value, f.unit, f.subject, f.measure, f.period_start, f.period_end) for f in extract(d)]

    assert reading(doc) == reading(want)
    return doc


@pytest.mark.parametrize("sample", SAMPLES)
def test_html(tmp_path, sample):
    path = tmp_path / f"{sample}.html"
    path.write_bytes(page(sample, table=False).encode())
    doc = through_ingest(path, sample)
    assert (doc.media_type, doc.encoding) == ("text/html", "utf-8")
    assert [p.text for p in doc.paragraphs[:len(NAV)]] == list(NAV)
    assert {p.kind for p in doc.paragraphs[:len(NAV) + 1]} == {"boilerplate"}


@pytest.mark.parametrize("sample", SAMPLES)
def test_docx(tmp_path, sample):
    path = tmp_path / f"{sample}.docx"
    path.write_bytes(write_docx(sample, table=False))
    through_ingest(path, sample)


@pytest.mark.parametrize("sample", SAMPLES)
@pytest.mark.parametrize("running", ["plain", "numbered", "title"])
def test_pdf(tmp_path, sample, running):
    from .test_pdf_written import write_pdf  # skips without fpdf2

    path = tmp_path / f"{sample}.pdf"
    path.write_bytes(write_pdf(sample, running=running))
    doc = through_ingest(path, sample)
    assert doc.media_type == "application/pdf"
    assert sum(1 for p in doc.paragraphs if p.kind == "boilerplate") >= 2
