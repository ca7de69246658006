"""Ingest: decoding, page-break rejoining, sections, boilerplate, and offsets back to the source."""

import re

import pytest

from reportpub.errors import IngestError
from reportpub.ingest import ingest

from .conftest import REPORTS, SEED


def _nonspace(s):
    return re.sub(r"\s+", "", s)


@pytest.mark.parametrize("encoding, expected", [
    ("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gb18030", "gb18030"), ("utf-16", "utf-16"),
])
def test_detects_encoding_and_reads_the_same_text(tmp_path, encoding, expected):
    original = SEED.read_text(encoding="utf-8")
    path = tmp_path / "report.txt"
    path.write_bytes(original.encode(encoding))
    doc = ingest(path)
    assert doc.encoding == expected
    assert [p.text for p in doc.paragraphs] == [p.text for p in ingest(SEED).paragraphs]


def test_page_breaks_are_rejoined_and_nothing_but_whitespace_changes():
    doc = ingest(SEED)
    texts = [p.text for p in doc.paragraphs]
    assert any("通过引进落户等方式" in t for t in texts)
    assert any("推动中芯京城、小米智能制造基地等重大项目落地" in t for t in texts)
    assert _nonspace("".join(texts)) == _nonspace(SEED.read_text(encoding="utf-8"))


def test_every_paragraph_character_maps_to_the_same_character_in_the_source():
    doc = ingest(REPORTS / "national_2023_gwr.txt")
    for p in doc.paragraphs:
        for i, ch in enumerate(p.text):
            if not ch.isspace():
                assert doc.text[p.offsets[i]] == ch


def test_numbered_sections_and_headings():
    doc = ingest(SEED)
    headings = [p for p in doc.paragraphs if p.kind == "heading"]
    assert headings[0].text.startswith("北京经济技术开发区管委会")
    assert [p.section for p in headings[1:]] == [1, 2, 3, 4, 5, 6, 7]
    assert doc.title == "北京经济技术开发区管委会2022年度工作总结"
    assert doc.publisher == "北京经济技术开发区管委会"
    assert doc.year == 2022


def test_licence_note_is_marked_boilerplate_not_dropped():
    doc = ingest(REPORTS / "national_2023_gwr.txt")
    boiler = [p for p in doc.paragraphs if p.kind == "boilerplate"]
    assert boiler and "本作品" in boiler[0].text
    assert doc.paragraphs[-1].kind == "boilerplate"


def test_sidecar_metadata_sets_publisher_and_year():
    doc = ingest(REPORTS / "daqing_2016h1_economy.txt")
    assert (doc.publisher, doc.year) == ("大庆市统计局", 2016)


@pytest.mark.parametrize("content, message", [
    (b"", "empty"),
    (b"   \n\t\n", "empty"),
    (bytes(range(256)) * 40, "binary"),
    (b"\xff\xfe" + b"\x00\xd8" * 10, "utf-16"),
])
def test_bad_input_is_a_clear_error(tmp_path, content, message):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(IngestError, match=message):
        ingest(path)


def test_size_limit_is_enforced(tmp_path):
    path = tmp_path / "big.txt"
    path.write_text("经济增长5%。" * 1000, encoding="utf-8")
    with pytest.raises(IngestError, match="REPORTPUB_MAX_BYTES"):
        ingest(path, max_bytes=1000)
