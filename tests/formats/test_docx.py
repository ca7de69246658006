"""DOCX reader on documents written here with python-docx, and on broken or hostile archives."""

from __future__ import annotations

import io
import time
import zipfile

import docx
import pytest

from reportpub.errors import IngestError
from reportpub.formats import DOCX, Table, read_report
from reportpub.formats import docx as docx_reader

from .samples import SAMPLES, assert_same_paragraphs, facts, original, paragraphs, txt_facts

CAPTION = "表1 主要指标完成情况"
TABLE = (("指标", "2022年", "增长（%）"), ("地区生产总值", "2500亿元", "8.0"), ("工业产值", "4000亿元", "7.0"))


def write_docx(sample: str, *, table: bool = True) -> bytes:
    """The sample as a Word document: title and section headings in heading styles, the body as
    paragraphs, and (after the first section heading's paragraph) a captioned table."""
    document = docx.Document()
    for p in original(sample).paragraphs:
        if p.paragraph_id == 1:
            document.add_heading(p.text, level=0)
        elif p.kind == "heading":
            document.add_heading(p.text, level=1)
        else:
            document.add_paragraph(p.text)
    if table:
        document.add_paragraph(CAPTION)
        grid = document.add_table(rows=len(TABLE), cols=len(TABLE[0]))
        grid.style = "Table Grid"
        for i, row in enumerate(TABLE):
            for j, value in enumerate(row):
                grid.cell(i, j).text = value
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def replace_part(data: bytes, name: str, content: bytes | None = None, *, writer=None) -> bytes:
    """A copy of a DOCX archive with one part replaced (by bytes, or by what `writer` streams)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for entry in src.infolist():
            if entry.filename != name:
                dst.writestr(entry, src.read(entry))
        if writer:
            with dst.open(name, "w", force_zip64=True) as stream:
                writer(stream)
        else:
            dst.writestr(name, content)
    return out.getvalue()


@pytest.fixture(scope="module")
def written():
    return {sample: read_report(f"{sample}.docx", write_docx(sample)) for sample in SAMPLES}


@pytest.mark.parametrize("sample", SAMPLES)
def test_paragraphs_and_headings_are_the_txt_paragraphs(written, sample):
    raw = written[sample]
    assert raw.media_type == DOCX
    assert raw.boilerplate == ()
    assert_same_paragraphs(raw, sample, extra=(CAPTION,))


@pytest.mark.parametrize("sample", SAMPLES)
def test_the_extractor_finds_the_same_facts_as_in_the_txt(written, sample):
    assert facts(written[sample], sample, extra=(CAPTION,)) == txt_facts(sample)


def test_a_table_comes_back_with_its_caption_header_and_rows(written):
    raw = written["bda-2022-work-summary"]
    assert raw.tables == (Table(CAPTION, TABLE[0], TABLE[1:]),)
    assert not any("2500亿元" in p for p in paragraphs(raw))  # kept out of the paragraph flow


def test_merged_cells_repeat_and_a_layout_table_stays_in_the_text():
    document = docx.Document()
    grid = document.add_table(rows=3, cols=2)
    for i, row in enumerate((("地区", "增长"), ("东区", "5%"), ("西区", "6%"))):
        for j, value in enumerate(row):
            grid.cell(i, j).text = value
    grid.cell(1, 1).merge(grid.cell(2, 1)).text = "5%"
    box = document.add_table(rows=1, cols=1)  # one cell holding a paragraph of the report
    box.cell(0, 0).text = "全年地区生产总值增长5%，" * 20
    out = io.BytesIO()
    document.save(out)
    raw = read_report("t.docx", out.getvalue())
    assert raw.tables == (Table("", ("地区", "增长"), (("东区", "5%"), ("西区", "5%"))),)
    assert paragraphs(raw) == ["全年地区生产总值增长5%，" * 20]


def test_content_controls_revisions_and_line_breaks():
    document = docx.Document()
    document.add_paragraph("第一段。")
    document.add_paragraph("第二段。")
    body = document.element.body
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    # Wrap the second paragraph in a content control; add a deletion, a moved-away run and a break.
    second = body.findall(f"{{{w}}}p")[1]
    sdt = body.makeelement(f"{{{w}}}sdt", {})
    content = body.makeelement(f"{{{w}}}sdtContent", {})
    second.addprevious(sdt)
    sdt.append(content)
    content.append(second)
    first = body.findall(f"{{{w}}}p")[0]
    from lxml import etree
    first.append(etree.fromstring(
        f'<w:del xmlns:w="{w}"><w:r><w:delText>删掉的</w:delText></w:r></w:del>'))
    first.append(etree.fromstring(f'<w:moveFrom xmlns:w="{w}"><w:r><w:t>移走的</w:t></w:r></w:moveFrom>'))
    first.append(etree.fromstring(f'<w:r xmlns:w="{w}"><w:br/><w:t>换行后</w:t></w:r>'))
    out = io.BytesIO()
    document.save(out)
    raw = read_report("t.docx", out.getvalue())
    assert raw.text == "第一段。\n换行后\n\n第二段。\n"


def test_a_cell_spanning_a_billion_columns_is_refused():
    document = docx.Document()
    grid = document.add_table(rows=1, cols=2)
    grid.cell(0, 0).merge(grid.cell(0, 1))
    out = io.BytesIO()
    document.save(out)
    with zipfile.ZipFile(out) as archive:
        xml = archive.read("word/document.xml")
    assert b'w:gridSpan w:val="2"' in xml
    data = replace_part(out.getvalue(), "word/document.xml", xml.replace(b'w:val="2"', b'w:val="1000000000"'))
    with pytest.raises(IngestError, match="spans '1000000000' columns"):
        read_report("span.docx", data)


def test_a_corrupt_docx_is_refused():
    data = write_docx("daqing_2016h1_economy")
    with pytest.raises(IngestError, match="not a valid DOCX"):
        read_report("cut.docx", data[: len(data) // 2])
    with pytest.raises(IngestError, match="not a valid DOCX"):
        read_report("junk.docx", b"PK\x03\x04" + bytes(range(256)) * 10)


def test_a_zip_that_is_not_a_word_document_says_what_it_is():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    with pytest.raises(IngestError, match="Excel workbook, not a Word document"):
        read_report("sheet.docx", out.getvalue())


def test_a_word_template_or_macro_document_is_named_as_such():
    data = write_docx("daqing_2016h1_economy", table=False)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        types = archive.read("[Content_Types].xml")
    macro = types.replace(b"document.main+xml", b"template.main+xml")
    with pytest.raises(IngestError, match=r"not a Word document \(content type is .*template"):
        read_report("t.docx", replace_part(data, "[Content_Types].xml", macro))


def test_a_damaged_document_part_is_refused():
    data = replace_part(write_docx("daqing_2016h1_economy"), "word/document.xml", b"<w:document><w:body><w:p>")
    with pytest.raises(IngestError, match="not a readable Word document"):
        read_report("bad.docx", data)


def test_a_zip_bomb_is_refused_before_it_is_inflated():
    limit = docx_reader.MAX_PART_BYTES
    zeros = b"\0" * (1 << 24)

    def bomb(stream):
        for _ in range(limit // len(zeros) + 2):
            stream.write(zeros)

    data = replace_part(write_docx("daqing_2016h1_economy", table=False), "word/document.xml", writer=bomb)
    assert len(data) < 2 * 1024 * 1024  # a small file ...
    started = time.perf_counter()
    with pytest.raises(IngestError, match="word/document.xml inflates to .* over the limit .*zip bomb"):
        read_report("bomb.docx", data)  # ... refused from its declared size
    assert time.perf_counter() - started < 1


def test_a_part_that_inflates_past_its_declared_size_is_not_read_past_it():
    data = write_docx("daqing_2016h1_economy", table=False)
    body = b"<w:p/>" * 1000
    lying = replace_part(data, "word/document.xml", body)
    # Declare 10 bytes where the entry inflates to 6,000: zipfile stops at 10 and reports a bad CRC.
    at = lying.index(b"word/document.xml", lying.index(b"PK\x01\x02"))
    header = lying.rindex(b"PK\x01\x02", 0, at)
    lying = lying[:header + 24] + (10).to_bytes(4, "little") + lying[header + 28:]
    with pytest.raises(IngestError, match="cannot be inflated|not a valid DOCX|not a readable"):
        read_report("lying.docx", lying)


def test_a_document_with_too_many_paragraphs_is_refused():
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    body = b"<w:p/>" * (docx_reader.MAX_PARAGRAPHS + 1)
    xml = b'<w:document xmlns:w="%s"><w:body>%s</w:body></w:document>' % (w.encode(), body)
    data = replace_part(write_docx("daqing_2016h1_economy", table=False), "word/document.xml", xml)
    with pytest.raises(IngestError, match="over 1000000 paragraphs"):
        read_report("many.docx", data)
