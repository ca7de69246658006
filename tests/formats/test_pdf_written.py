"""PDF reader on PDFs written here with fpdf2 from the sample reports (no checked-in binaries)."""

from __future__ import annotations

import re

import pytest

from reportpub.errors import IngestError
from reportpub.formats import PDF, Table, read_report

from .samples import (
    CJK_FONT, SAMPLES, assert_same_paragraphs, content, facts, nonspace, original, paragraphs, txt_facts,
)

fpdf = pytest.importorskip("fpdf", reason="fpdf2 writes the test PDFs: it belongs in the test extra")
if not CJK_FONT.is_file():
    pytest.skip(f"{CJK_FONT} is missing (Debian package fonts-wqy-microhei)", allow_module_level=True)

from fpdf.enums import Align, WrapMode, XPos, YPos  # noqa: E402

HEADER = "政府信息公开 年度报告"
CAPTION = "表1 主要指标完成情况"
TABLE = (("指标", "2022年", "增长（%）"), ("地区生产总值", "2500亿元", "8.0"), ("工业产值", "4000亿元", "7.0"))


def write_pdf(sample: str, *, indent: bool = True, gap: float = 0, align: str = "L", running: str = "plain",
              table: bool = False, encrypt: str | None = None) -> bytes:
    """The sample's paragraphs (as ingest read them from TXT) laid out on A4 pages.

    indent: paragraphs begin with two ideographic spaces; gap: extra space after each paragraph
    (mm); running: "plain" (a header from page 2, "- n -" centred at the foot), "numbered" (a
    header with 第 n 页 on every page, a bare page number at the foot), "title" (the title as the
    header of every page, the first too)."""

    title = original(sample).paragraphs[0].text  # the title line as written

    class Report(fpdf.FPDF):
        def header(self):
            if running != "plain" or self.page_no() > 1:
                self.set_font("cjk", size=9)
                text = {"numbered": f"{HEADER}  第 {self.page_no()} 页", "title": title}.get(running, HEADER)
                self.cell(0, 8, text, align="R" if running == "numbered" else "C")
                self.ln(12)

        def footer(self):
            self.set_y(-15)
            self.set_font("cjk", size=9)
            self.cell(0, 8, str(self.page_no()) if running == "numbered" else f"- {self.page_no()} -", align="C")

    pdf = Report()
    pdf.add_font("cjk", fname=str(CJK_FONT))
    if encrypt:
        pdf.set_encryption(owner_password="owner", user_password=encrypt)
    pdf.add_page()
    flow = dict(wrapmode=WrapMode.CHAR, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    for p in original(sample).paragraphs:
        if p.paragraph_id == 1:  # the title, centred and larger
            pdf.set_font("cjk", size=18)
            pdf.multi_cell(0, 10, p.text, align=Align.C, **flow)
            pdf.ln(4)
            continue
        pdf.set_font("cjk", size=12)
        pdf.multi_cell(0, 7, ("\u3000\u3000" if indent else "") + p.text, align=align, **flow)
        if gap:
            pdf.ln(gap)
    if table:
        pdf.set_font("cjk", size=12)
        pdf.multi_cell(0, 7, CAPTION, **flow)
        with pdf.table(first_row_as_headings=False) as grid:
            for row in TABLE:
                cells = grid.row()
                for value in row:
                    cells.cell(value)
    return bytes(pdf.output())


@pytest.fixture(scope="module")
def indented():
    """Each sample as an indented, left-aligned PDF with a running header and "- n -" footers."""
    return {sample: read_report(f"{sample}.pdf", write_pdf(sample)) for sample in SAMPLES}


@pytest.mark.parametrize("sample", SAMPLES)
def test_paragraphs_are_the_txt_paragraphs(indented, sample):
    raw = indented[sample]
    assert raw.media_type == PDF
    assert_same_paragraphs(raw, sample)


@pytest.mark.parametrize("sample", SAMPLES)
def test_the_extractor_finds_the_same_facts_as_in_the_txt(indented, sample):
    assert facts(indented[sample], sample) == txt_facts(sample)


@pytest.mark.parametrize("sample", SAMPLES)
def test_running_header_and_page_numbers_are_named_and_kept(indented, sample):
    raw = indented[sample]
    pages = sum(1 for p in paragraphs(raw) if re.fullmatch(r"- \d+ -", p))
    assert pages >= 2
    assert set(raw.boilerplate) == {HEADER} | {f"- {n} -" for n in range(1, pages + 1)}
    assert paragraphs(raw).count(HEADER) == pages - 1  # kept in the text, once a page (not on page 1)


def test_a_sentence_cut_by_a_page_break_is_one_paragraph(indented):
    raw = indented["national_2023_gwr"]
    texts = paragraphs(raw)
    # Each footer comes after a paragraph that ended; the paragraph before it is whole.
    for i, text in enumerate(texts):
        if text in raw.boilerplate and i and texts[i - 1] not in raw.boilerplate:
            assert any(texts[i - 1].replace(" ", "") == p.text.replace(" ", "")
                       for p in original("national_2023_gwr").paragraphs)


@pytest.mark.parametrize("layout", [
    dict(indent=False, gap=3, align="J", running="numbered"),
    dict(indent=False, gap=0, align="J"),
    dict(indent=True, gap=0, align="J", running="numbered"),
], ids=["block-numbered", "no-indent-no-gap", "justified-indented"])
def test_other_layouts_give_the_same_paragraphs(layout):
    sample = "bda-2022-work-summary"
    raw = read_report("r.pdf", write_pdf(sample, **layout))
    assert_same_paragraphs(raw, sample)
    if layout.get("running") == "numbered":
        assert f"{HEADER} 第 2 页" in raw.boilerplate and "2" in raw.boilerplate


def test_a_running_header_that_repeats_the_title_is_named_and_the_title_kept():
    sample = "national_2023_gwr"
    raw = read_report("r.pdf", write_pdf(sample, running="title"))
    title = original(sample).paragraphs[0].text  # the title line as written
    assert title in raw.boilerplate
    texts = paragraphs(raw)
    assert texts[:2] == [title, title]  # the first page's header, then its title
    assert [nonspace(t) for t in texts if t not in raw.boilerplate] == \
        [nonspace(p.text) for p in original(sample).paragraphs][1:]


def test_a_ruled_table_is_read_as_a_table_and_left_out_of_the_text():
    sample = "daqing_2016h1_economy"
    raw = read_report("r.pdf", write_pdf(sample, table=True))
    assert raw.tables == (Table(CAPTION, TABLE[0], TABLE[1:]),)
    assert_same_paragraphs(raw, sample, extra=(CAPTION,))
    assert not any("地区生产总值" in p and "2500" in p for p in content(raw))


def test_an_encrypted_pdf_says_it_is_encrypted():
    data = write_pdf("daqing_2016h1_economy", encrypt="secret")
    with pytest.raises(IngestError, match="encrypted.*password"):
        read_report("locked.pdf", data)


def test_a_pdf_with_only_an_owner_password_is_read():
    data = write_pdf("daqing_2016h1_economy", encrypt="")
    assert_same_paragraphs(read_report("protected.pdf", data), "daqing_2016h1_economy")


def test_a_truncated_pdf_is_refused():
    data = write_pdf("daqing_2016h1_economy")
    with pytest.raises(IngestError, match="truncated"):
        read_report("cut.pdf", data[: len(data) // 2])
