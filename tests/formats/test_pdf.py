"""PDF reader: the layout rules on lines given by hand, and unreadable PDFs built byte by byte."""

from __future__ import annotations

import zlib

import pytest

from reportpub.errors import IngestError
from reportpub.formats import read_report
from reportpub.formats.pdf import Line, find_furniture, lay_out

# --- layout: lines -> paragraphs ---------------------------------------------------------------
# A page 40 characters wide: 12 pt characters from x=50 to x=530, 20 pt between lines.


def line(page, row, text, *, indent=0, top=None, size=12.0, x1=None):
    x0 = 50 + indent * size
    top = 80 + row * 20 if top is None else top
    return Line(page=page, text=text, x0=x0, x1=x1 or x0 + len(text) * size, top=top, bottom=top + size,
                size=size, lead=size)


FULL = "一" * 39 + "，"        # a full line (40 characters)
END = "结束了。"               # the short last line of a paragraph


def test_wrapped_lines_join_and_a_short_line_ends_the_paragraph():
    page = [line(1, 0, "二" * 37 + "，", indent=2), line(1, 1, FULL),
            line(1, 2, END), line(1, 3, "三" * 37 + "，", indent=2), line(1, 4, END)]
    paragraphs, furniture = lay_out([page])
    assert paragraphs == ["二" * 37 + "，" + FULL + END, "三" * 37 + "，" + END]
    assert furniture == []


def test_a_full_line_ending_a_sentence_still_joins_when_the_next_is_not_indented():
    page = [line(1, 0, "四" * 37 + "。", indent=2), line(1, 1, "五" * 39 + "。"), line(1, 2, END)]
    assert lay_out([page])[0] == ["四" * 37 + "。" + "五" * 39 + "。" + END]


def test_a_paragraph_cut_by_a_page_break_is_rejoined_and_the_footer_placed_after_it():
    first = [line(1, 0, "报告标题", indent=10), line(1, 1, "六" * 37 + "，", indent=2), line(1, 2, FULL),
             line(1, 35, "- 1 -", indent=18)]
    second = [line(2, 0, "政府信息公开", indent=15, top=30), line(2, 1, "七" * 20 + "。"),
              line(2, 2, "八" * 37 + "。", indent=2), line(2, 35, "- 2 -", indent=18)]
    third = [line(3, 0, "政府信息公开", indent=15, top=30), line(3, 1, "九" * 10 + "。", indent=2),
             line(3, 35, "- 3 -", indent=18)]
    paragraphs, furniture = lay_out([first, second, third])
    assert paragraphs == ["报告标题", "六" * 37 + "，" + FULL + "七" * 20 + "。", "- 1 -", "政府信息公开",
                          "八" * 37 + "。", "- 2 -", "政府信息公开", "九" * 10 + "。", "- 3 -"]
    assert furniture == ["- 1 -", "政府信息公开", "- 2 -", "政府信息公开", "- 3 -"]


def test_a_title_that_repeats_the_running_header_lower_on_page_one_is_not_furniture():
    body = "甲乙丙丁"
    pages = [[line(1, 0, "年度报告", indent=15, top=120, size=18), line(1, 1, body[0] * 10 + "。", indent=2)]]
    pages += [[line(p, 0, "年度报告", indent=15, top=30, size=9), line(p, 1, body[p - 1] * 10 + "。", indent=2)]
              for p in (2, 3, 4)]
    assert find_furniture(pages) == {(1, 0), (2, 0), (3, 0)}


@pytest.mark.parametrize("text, is_number", [
    ("- 3 -", True), ("—3—", True), ("第 3 页", True), ("第3页 共10页", True), ("3 / 10", True),
    ("Page 3 of 10", True), ("17", True), ("2023", False), ("3月", False), ("增长3%", False),
])
def test_page_numbers_at_the_foot_of_a_single_page(text, is_number):
    page = [line(1, 0, "一" * 10 + "。", indent=2), line(1, 1, text, indent=18, top=800)]
    assert (find_furniture([page]) == {(0, 1)}) is is_number


def test_a_bare_number_is_a_page_number_only_on_the_edge_line():
    page = [line(1, 0, "一" * 10 + "。", indent=2), line(1, 1, "12", indent=18), line(1, 2, "二" * 10 + "。")]
    assert find_furniture([page]) == set()


def test_a_line_is_not_furniture_when_it_repeats_on_few_pages():
    names = "甲乙丙丁戊己庚辛壬癸"
    pages = [[line(p, row, ("同样的开头" if p < 3 and row == 0 else names[p - 1] * (row + 3)) + "。")
              for row in range(6)] for p in range(1, 11)]
    assert find_furniture(pages) == set()


def test_latin_lines_join_with_a_space_and_chinese_lines_without():
    page = [line(1, 0, "The economy grew by five per cent and the", indent=2, x1=530),
            line(1, 1, "budget was balanced.", x1=250), line(1, 3, "五" * 36 + "12", indent=2), line(1, 4, "34亿元。")]
    assert lay_out([page])[0] == ["The economy grew by five per cent and the budget was balanced.",
                                  "五" * 36 + "1234亿元。"]


# --- unreadable PDFs, built byte by byte ---------------------------------------------------------

def build_pdf(objects: list[bytes], trailer: bytes = b"") -> bytes:
    """Objects 1..n -> a PDF with a correct cross-reference table (object 1 is the catalog)."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R %s>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, trailer, xref)
    return bytes(out)


def stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d %s>>\nstream\n%s\nendstream" % (len(data), extra, data)


def page_pdf(content: bytes, resources: bytes, *more: bytes, trailer: bytes = b"") -> bytes:
    return build_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources %s >>" % resources,
        stream(content), *more], trailer)


HELVETICA = b"<< /Font << /F1 5 0 R >> >>"
FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"


def text_pdf() -> bytes:
    return page_pdf(b"BT /F1 12 Tf 72 720 Td (Annual report of the city) Tj ET", HELVETICA, FONT)


def test_a_pdf_built_by_hand_is_read():
    assert read_report("ok.pdf", text_pdf()).text.strip() == "Annual report of the city"


@pytest.mark.parametrize("cut", [0.3, 0.6, 0.95])
def test_a_truncated_pdf_is_refused(cut):
    data = text_pdf()
    with pytest.raises(IngestError, match="truncated"):
        read_report("cut.pdf", data[: int(len(data) * cut)])


def test_a_pdf_with_garbage_in_place_of_its_objects_is_refused():
    data = b"%PDF-1.4\n" + bytes(range(256)) * 20 + b"\n%%EOF\n"
    with pytest.raises(IngestError, match="damaged"):
        read_report("garbage.pdf", data)


def test_an_encrypted_pdf_says_it_is_encrypted():
    # A standard security handler whose user password is not empty: nothing decrypts without it.
    encrypt = b"<< /Filter /Standard /V 1 /R 2 /O <%s> /U <%s> /P -4 >>" % (b"ab" * 32, b"cd" * 32)
    data = page_pdf(b"BT /F1 12 Tf 72 720 Td (secret) Tj ET", HELVETICA, FONT, encrypt,
                    trailer=b"/Encrypt 6 0 R /ID [<%s><%s>] " % (b"0f" * 16, b"0f" * 16))
    with pytest.raises(IngestError, match="encrypted"):
        read_report("locked.pdf", data)


def test_an_image_only_pdf_says_ocr_is_needed():
    image = stream(zlib.compress(bytes(range(256)) * 4),
                   b"/Type /XObject /Subtype /Image /Width 32 /Height 32 /ColorSpace /DeviceGray "
                   b"/BitsPerComponent 8 /Filter /FlateDecode ")
    data = page_pdf(b"q 400 0 0 400 100 300 cm /Im1 Do Q", b"<< /XObject << /Im1 5 0 R >> >>", image)
    with pytest.raises(IngestError, match="no text layer.*OCR"):
        read_report("scan.pdf", data)


def test_glyphs_without_unicode_say_ocr_is_needed():
    # A CID font with no ToUnicode map and an Identity ordering: pdfminer can only say "(cid:1)".
    font = b"<< /Type /Font /Subtype /Type0 /BaseFont /Song /Encoding /Identity-H /DescendantFonts [6 0 R] >>"
    cid = (b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /Song /DW 1000 /FontDescriptor 7 0 R "
           b"/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> >>")
    descriptor = (b"<< /Type /FontDescriptor /FontName /Song /Flags 4 /FontBBox [0 0 1000 1000] "
                  b"/ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 700 /StemV 80 >>")
    data = page_pdf(b"BT /F1 12 Tf 72 720 Td <0011002200330044005500660077> Tj ET", HELVETICA, font, cid, descriptor)
    with pytest.raises(IngestError, match="no Unicode mapping.*OCR"):
        read_report("cid.pdf", data)
