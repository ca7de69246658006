"""PDF (with a text layer) -> RawText: lines rejoined into paragraphs, page furniture named.

A PDF has lines, not paragraphs. A line is continued on the next one unless the layout says the
paragraph ended: the next line is indented, a wider gap follows, or the next line's first word
(or first character, with the punctuation that may not start a line) would have fit at the end of
this one, so the writer broke the line on purpose. The same test rejoins a sentence cut by a page
break. Running headers and footers (the same line at the top or bottom of many pages, digits
aside) and page numbers are kept as paragraphs of their own, placed after the paragraph they
interrupted, and named in `RawText.boilerplate`. Ruled tables are read as tables and kept out of
the text.
"""

from __future__ import annotations

import io
import math
import re
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass
from itertools import pairwise

from ..errors import IngestError
from ..textrules import SECTION_RE, SUBSECTION_RE
from .raw import (
    SENTENCE_END, RawText, Table, is_caption, is_data_table, join_paragraphs, make_table, nonspace,
    open_ended, squash,
)

MEDIA_TYPE = "application/pdf"
# Share of characters without a Unicode mapping (pdfminer's "(cid:123)") above which the text
# layer is useless: the words would come out as glyph numbers.
MAX_UNMAPPED_SHARE = 0.05
# A running header or footer repeats on at least this share of the pages (two at least): 0.4
# rather than a half, so headers that alternate between even and odd pages are found too.
RUNNING_SHARE = 0.4

_PAGE_NUMBER_RE = re.compile(r"""^(?:
      [-–—―－~～·•]*\d{1,3}[-–—―－~～·•]*                              # 3  -3-  —3—
    | 第\d{1,4}页(?:[,，/]?共\d{1,4}页)?                               # 第3页  第3页共10页
    | 共\d{1,4}页[,，]?第\d{1,4}页
    | [-–—]*\d{1,4}/\d{1,4}[-–—]*                                      # 3/10
    | (?:page|p\.)\d{1,4}(?:of\d{1,4})?                                # Page 3 of 10
)$""", re.X | re.I)
_BARE_NUMBER_RE = re.compile(r"^\d{1,3}$")
_CJK_RE = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f\u2018-\u201d\u2026\u2014]")
# Punctuation that may not begin a line: a line break never falls right before it.
_NO_START = set("，。、；：？！”’）》」』】〕…%％,.;:?!)]}")


@dataclass(frozen=True)
class Line:
    """One line of a page, as laid out: its text and where it sits (PDF points, top-down)."""

    page: int
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float = 10.0  # font size, median of the line's characters
    lead: float = 0.0   # width of the line's first unbreakable unit (word, or character + closing marks)


@dataclass(frozen=True)
class _Geometry:
    left: float
    right: float
    pitch: float  # usual distance from one line's top to the next one's
    indented_paragraphs: bool  # paragraphs begin with an indent (so a page break is told by it)


def read_pdf(data: bytes, name: str = "report.pdf") -> RawText:
    """PDF bytes -> RawText. Truncated, damaged, encrypted and image-only PDFs are IngestErrors."""
    import pdfplumber
    from pdfplumber.utils.exceptions import PdfminerException

    if b"%%EOF" not in data[-4096:]:
        raise IngestError(f"{name}: the PDF is truncated or damaged (it has no end-of-file marker)")
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except PdfminerException as exc:
        raise _open_error(exc.args[0] if exc.args else exc, name) from None
    except Exception as exc:  # pdfminer raises many kinds on hostile input
        raise _open_error(exc, name) from None
    pages: list[list[Line]] = []
    tables: list[Table] = []
    chars = unmapped = 0
    with pdf:
        try:
            page_list = pdf.pages
        except Exception as exc:
            raise _open_error(exc, name) from None
        for number, page in enumerate(page_list, start=1):
            try:
                lines, page_tables, counts = _read_page(page, number, name)
            except IngestError:
                raise
            except Exception as exc:
                raise IngestError(f"{name}: page {number} of the PDF cannot be read "
                                  f"({type(exc).__name__}: {exc})") from None
            finally:
                page.close()
            pages.append(lines)
            tables.extend(page_tables)
            chars, unmapped = chars + counts[0], unmapped + counts[1]
    if not any(pages) and not tables:
        raise IngestError(f"{name}: the PDF has no text layer ({len(pages)} page(s) of images, "
                          "probably a scan): OCR is needed")
    if unmapped > MAX_UNMAPPED_SHARE * chars:
        raise IngestError(f"{name}: {unmapped} of {chars} characters have no Unicode mapping in the PDF's "
                          "fonts, so the text cannot be read reliably: OCR is needed")
    paragraphs, boilerplate = lay_out(pages)
    return RawText(text=join_paragraphs(paragraphs), media_type=MEDIA_TYPE,
                   boilerplate=tuple(dict.fromkeys(boilerplate)), tables=tuple(tables))


def _open_error(exc: BaseException, name: str) -> IngestError:
    kind = type(exc).__name__
    if kind == "PDFPasswordIncorrect":
        return IngestError(f"{name}: the PDF is encrypted and needs a password to open; "
                           "save an unencrypted copy")
    if kind in ("PDFEncryptionError", "PDFEncryptionWarning") or "encrypt" in str(exc).lower():
        return IngestError(f"{name}: the PDF is encrypted with a method that cannot be opened ({exc})")
    return IngestError(f"{name}: the PDF is truncated or damaged ({kind}: {exc})")


def _read_page(page, number: int, name: str) -> tuple[list[Line], list[Table], tuple[int, int]]:
    """A pdfplumber page -> (its text lines outside tables, its data tables, (chars, unmapped))."""
    page = page.dedupe_chars(tolerance=1)  # fake bold: the same glyph printed twice
    chars = page.chars
    counts = (len(chars), sum(1 for c in chars if c["text"].startswith("(cid:")))
    if not chars:
        return [], [], counts
    found_tables = []
    text_page = page
    for found in page.find_tables() if (page.lines or page.rects) else ():
        rows = [[cell or "" for cell in row] for row in found.extract()]
        if is_data_table(rows):
            found_tables.append((found.bbox, rows))
            text_page = text_page.outside_bbox(found.bbox)
    lines = [_line(raw, number) for raw in text_page.extract_text_lines(strip=True, return_chars=True)]
    lines = [line for line in lines if line.text]
    tables = []
    for bbox, rows in found_tables:
        above = [line for line in lines if line.bottom <= bbox[1] + 1]
        caption = above[-1].text if above and is_caption(above[-1].text) else ""
        tables.append(make_table(rows, caption, name))
    return lines, tables, counts


def _line(raw: dict, page: int) -> Line:
    chars = [c for c in raw["chars"] if not c["text"].isspace()]
    sizes = [c["size"] for c in chars] or [10.0]
    return Line(page=page, text=squash(raw["text"]), x0=raw["x0"], x1=raw["x1"], top=raw["top"],
                bottom=raw["bottom"], size=statistics.median(sizes), lead=_lead_width(chars))


def _lead_width(chars: list[dict]) -> float:
    """Width of the first unit a line break cannot split: an ASCII word, or one character and
    the closing punctuation that must stay with it."""
    if not chars:
        return 0.0
    end = 0
    if chars[0]["text"].isascii() and chars[0]["text"].isalnum():
        while end + 1 < len(chars) and chars[end + 1]["text"].isascii() and not chars[end + 1]["text"].isspace() \
                and chars[end + 1]["x0"] - chars[end]["x1"] < chars[end]["size"] * 0.2:
            end += 1
    while end + 1 < len(chars) and chars[end + 1]["text"] in _NO_START:
        end += 1
    return chars[end]["x1"] - chars[0]["x0"]


# --- layout: lines -> paragraphs ------------------------------------------------------------

def lay_out(pages: list[list[Line]]) -> tuple[list[str], list[str]]:
    """Lines of each page (top to bottom) -> (paragraphs in reading order, furniture paragraphs).

    Furniture stays in the text, each line a paragraph, but is held back until the paragraph
    it interrupted has ended (and is not one ingest would glue the next line to)."""
    furniture = find_furniture(pages)
    geometry = _geometry([line for p, lines in enumerate(pages) for i, line in enumerate(lines)
                          if (p, i) not in furniture])
    paragraphs: list[str] = []
    boilerplate: list[str] = []
    pending: list[str] = []
    current: list[Line] = []

    def close() -> None:
        if current:
            paragraphs.append(join_lines(current))
            current.clear()
        if pending and (not paragraphs or not open_ended(paragraphs[-1])):
            paragraphs.extend(pending)
            pending.clear()

    for p, lines in enumerate(pages):
        for i, line in enumerate(lines):
            if (p, i) in furniture:
                pending.append(line.text)
                boilerplate.append(line.text)
                if not current:
                    close()
                continue
            if current and _breaks(current[-1], line, geometry):
                close()
            current.append(line)
    close()
    paragraphs.extend(pending)
    return paragraphs, boilerplate


def find_furniture(pages: list[list[Line]]) -> set[tuple[int, int]]:
    """(page index, line index) of page numbers and running headers and footers.

    Only the two lines at the top and the two at the bottom of a page are candidates. A running
    line repeats (digits aside) on RUNNING_SHARE of the pages at about the same height, so a title
    that repeats the running header lower on the first page is not taken for it."""
    found: set[tuple[int, int]] = set()
    groups: dict[tuple[str, str], list[tuple[int, int, Line]]] = defaultdict(list)
    for p, lines in enumerate(pages):
        last = len(lines) - 1
        edges = [("top", i) for i in range(min(2, len(lines)))]
        edges += [("bottom", i) for i in range(max(0, last - 1), last + 1)]
        for zone, i in edges:
            line = lines[i]
            text = nonspace(line.text)
            if _PAGE_NUMBER_RE.match(text) and (i in (0, last) or not _BARE_NUMBER_RE.match(text)):
                found.add((p, i))
                continue
            groups[(zone, re.sub(r"\d+", "#", text))].append((p, i, line))
    need = max(2, math.ceil(RUNNING_SHARE * len(pages)))
    for occurrences in groups.values():
        if len({p for p, _, _ in occurrences}) < need:
            continue
        usual = statistics.median(line.top for _, _, line in occurrences)
        for p, i, line in occurrences:
            if abs(line.top - usual) <= 1.5 * line.size:
                found.add((p, i))
    return found


def _geometry(lines: list[Line]) -> _Geometry:
    if not lines:
        return _Geometry(0.0, 0.0, 0.0, False)
    # The left margin: the leftmost x where two lines or more begin (a stray line may stick out).
    starts = Counter(round(line.x0) for line in lines)
    left = min((x for x, n in starts.items() if n >= 2), default=min(starts))
    long_lines = [line.x1 for line in lines if len(line.text) >= 10] or [line.x1 for line in lines]
    right = _percentile(long_lines, 0.9)
    steps = [b.top - a.top for a, b in pairwise(lines)
             if a.page == b.page and 0 < b.top - a.top < 4 * a.size and abs(a.size - b.size) < 0.5]
    pitch = statistics.median(steps) if steps else 0.0
    geometry = _Geometry(left, right, pitch, False)
    starts = [b for a, b in pairwise(lines) if a.page == b.page and _ended_early(a, b, geometry)]
    indented = sum(1 for line in starts if _indented(line, geometry))
    return _Geometry(left, right, pitch, len(starts) >= 2 and indented >= 0.5 * len(starts))


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def _indented(line: Line, geometry: _Geometry) -> bool:
    return line.x0 > geometry.left + 0.9 * line.size


def _ended_early(prev: Line, line: Line, geometry: _Geometry) -> bool:
    """Would the next line's first unit have fit at the end of this one (with room to spare)?"""
    return prev.x1 + line.lead <= geometry.right - 0.5 * prev.size


def _breaks(prev: Line, line: Line, geometry: _Geometry) -> bool:
    """Does a new paragraph begin at `line`?"""
    same_page = prev.page == line.page
    if _indented(line, geometry):
        return True
    if same_page and geometry.pitch and line.top - prev.top > 1.25 * geometry.pitch + 1:
        return True
    if _ended_early(prev, line, geometry):
        return True
    if prev.text.endswith(SENTENCE_END):
        # A full line that ends a sentence: a section number after it, or (in a document whose
        # paragraphs are not indented) a new page, starts a paragraph.
        if SECTION_RE.match(line.text) or SUBSECTION_RE.match(line.text) or (not same_page and not geometry.indented_paragraphs):
            return True
    return False


def join_lines(lines: list[Line]) -> str:
    """Lines of one paragraph -> its text. Chinese text joins directly (a line break there is never
    a space, even between two digits of a number the writer wrapped); Latin words join with a
    space, a word hyphenated at the break without one."""
    chinese = _mostly_cjk("".join(line.text for line in lines))
    text = lines[0].text
    for line in lines[1:]:
        a, b = text[-1], line.text[0]
        glue = "" if chinese or _CJK_RE.match(a) or _CJK_RE.match(b) or (a == "-" and b.isalpha()) else " "
        text += glue + line.text
    return text


def _mostly_cjk(text: str) -> bool:
    letters = [c for c in text if c.isalnum()]
    return sum(1 for c in letters if _CJK_RE.match(c)) * 2 > len(letters)
