"""DOCX -> RawText: the body's paragraphs in order (headings keep their text), tables apart.

The archive is checked before python-docx opens it, because python-docx loads and parses every
XML part into memory: a zip bomb (a small file that inflates to gigabytes) or a document of
millions of paragraphs is refused with a message instead of exhausting memory. Python's zipfile
never inflates an entry past its declared size (it stops and reports a bad CRC), so checking the
declared sizes bounds what is read.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib

from ..errors import IngestError
from .raw import RawText, Table, is_caption, is_data_table, join_paragraphs, make_table

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MAIN_PART = "word/document.xml"
MAX_PART_BYTES = 200 * 1024 * 1024      # one XML part, inflated
MAX_TOTAL_BYTES = 1024 * 1024 * 1024    # the whole archive, inflated (pictures included)
MAX_ENTRIES = 10_000
MAX_PARAGRAPHS = 1_000_000
MAX_SPAN = 1000  # columns one table cell may span (python-docx repeats the cell for each)

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_P, _TBL, _SDT, _SDT_CONTENT, _CUSTOM_XML = f"{_W}p", f"{_W}tbl", f"{_W}sdt", f"{_W}sdtContent", f"{_W}customXml"
_T, _TAB, _BR, _CR = f"{_W}t", f"{_W}tab", f"{_W}br", f"{_W}cr"
_NO_BREAK_HYPHEN, _GRID_SPAN = f"{_W}noBreakHyphen", f"{_W}gridSpan"
# Text under these is not what the document shows: deleted or moved-away revisions, the
# fallback copy of a drawing, a text box (its own paragraphs, not this one's).
_HIDDEN = {f"{_W}del", f"{_W}moveFrom", _MC_FALLBACK, f"{_W}txbxContent", _P}
_PARAGRAPH_TAG_RE = re.compile(rb"<(?:[A-Za-z_][\w.-]{0,20}:)?p[\s/>]")


def read_docx(data: bytes, name: str = "report.docx") -> RawText:
    """DOCX bytes -> RawText. Not a zip, not a Word document, a zip bomb or a document over
    MAX_PARAGRAPHS paragraphs is an IngestError."""
    check_archive(data, name)
    import docx
    from docx.opc.exceptions import OpcError
    from lxml import etree

    try:
        document = docx.Document(io.BytesIO(data))
    except ValueError as exc:  # python-docx: "file '<stream>' is not a Word file, content type is '...'"
        detail = str(exc).rsplit(", ", 1)[-1]
        raise IngestError(f"{name}: not a Word document ({detail})") from None
    except (OpcError, KeyError, zipfile.BadZipFile, zlib.error, EOFError, etree.XMLSyntaxError) as exc:
        raise IngestError(f"{name}: not a readable Word document ({type(exc).__name__}: {exc})") from None
    paragraphs: list[str] = []
    tables: list[Table] = []
    for kind, element in _body_blocks(document.element.body):
        if kind == "p":
            paragraphs.append(paragraph_text(element))
            continue
        try:
            rows = _table_rows(element, document)
        except IngestError as exc:
            raise IngestError(f"{name}: {exc}") from None
        if is_data_table(rows) and not element.findall(f".//{_TBL}"):
            caption = paragraphs[-1] if paragraphs and is_caption(paragraphs[-1]) else ""
            tables.append(make_table(rows, caption, name))
        else:  # a table that lays out text: its paragraphs stay in the text, cell by cell
            paragraphs.extend(_layout_paragraphs(element))
    return RawText(text=join_paragraphs(paragraphs), media_type=MEDIA_TYPE, tables=tuple(tables))


def check_archive(data: bytes, name: str) -> None:
    """Refuse what is not a Word archive, or would inflate past the limits, before parsing."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as exc:
        raise IngestError(f"{name}: not a valid DOCX (the zip archive is damaged or truncated: {exc})") from None
    with archive:
        entries = archive.infolist()
        names = {entry.filename for entry in entries}
        if MAIN_PART not in names:
            what = "an Excel workbook" if "xl/workbook.xml" in names else \
                "a PowerPoint deck" if "ppt/presentation.xml" in names else "a zip archive"
            raise IngestError(f"{name}: {what}, not a Word document (it has no {MAIN_PART})")
        if len(entries) > MAX_ENTRIES:
            raise IngestError(f"{name}: {len(entries)} entries in the archive is over the limit of {MAX_ENTRIES}")
        total = sum(entry.file_size for entry in entries)
        if total > MAX_TOTAL_BYTES:
            raise IngestError(f"{name}: the archive inflates to {total} bytes, over the limit of "
                              f"{MAX_TOTAL_BYTES} (a zip bomb?)")
        for entry in entries:
            if entry.filename.endswith((".xml", ".rels")) and entry.file_size > MAX_PART_BYTES:
                raise IngestError(f"{name}: {entry.filename} inflates to {entry.file_size} bytes, over the "
                                  f"limit of {MAX_PART_BYTES} (a zip bomb?)")
        count = _count_paragraphs(archive, MAIN_PART, name)
    if count > MAX_PARAGRAPHS:
        raise IngestError(f"{name}: {MAIN_PART} has over {MAX_PARAGRAPHS} paragraphs; refusing to parse it")


def _count_paragraphs(archive: zipfile.ZipFile, part: str, name: str) -> int:
    """Paragraph start tags in a part, counted while inflating it in chunks (stops at the limit)."""
    count, tail = 0, b""
    try:
        with archive.open(part) as stream:
            while chunk := stream.read(1 << 20):
                block = tail + chunk
                cut = max(0, len(block) - 32)  # a tag starting after `cut` is counted with the next chunk
                count += sum(1 for m in _PARAGRAPH_TAG_RE.finditer(block) if m.start() < cut)
                tail = block[cut:]
                if count > MAX_PARAGRAPHS:
                    return count
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as exc:
        raise IngestError(f"{name}: {part} cannot be inflated ({type(exc).__name__}: {exc})") from None
    return count + len(_PARAGRAPH_TAG_RE.findall(tail))


def _body_blocks(body):
    """The body's paragraphs and tables in document order, looking inside content controls
    (w:sdt) and custom XML wrappers; no recursion (an explicit stack)."""
    stack = [iter(body)]
    while stack:
        child = next(stack[-1], None)
        if child is None:
            stack.pop()
        elif child.tag == _P:
            yield "p", child
        elif child.tag == _TBL:
            yield "tbl", child
        elif child.tag == _SDT:
            content = child.find(_SDT_CONTENT)
            if content is not None:
                stack.append(iter(content))
        elif child.tag == _CUSTOM_XML:
            stack.append(iter(child))


def paragraph_text(p) -> str:
    """A w:p element -> the text it shows: runs, hyperlinks, fields' results, tracked insertions;
    not deletions. Tabs become spaces, line breaks newlines."""
    out: list[str] = []
    for element in p.iter(_T, _TAB, _BR, _CR, _NO_BREAK_HYPHEN):
        if _hidden(element, p):
            continue
        if element.tag == _T:
            out.append(element.text or "")
        elif element.tag == _TAB:
            out.append(" ")
        elif element.tag == _NO_BREAK_HYPHEN:
            out.append("-")
        else:
            out.append("\n")
    return "".join(out).strip()


def _hidden(element, p) -> bool:
    parent = element.getparent()
    while parent is not None and parent is not p:
        if parent.tag in _HIDDEN:
            return True
        parent = parent.getparent()
    return False


def _table_rows(tbl, document) -> list[list[str]]:
    """A w:tbl -> rows of cell texts; a merged cell's text repeats in every grid cell it spans."""
    from docx.table import Table as DocxTable

    for span in tbl.iter(_GRID_SPAN):
        value = span.get(f"{_W}val") or "1"
        if not value.isdigit() or int(value) > MAX_SPAN:
            raise IngestError(f"a table cell spans {value!r} columns (over {MAX_SPAN})")
    table = DocxTable(tbl, document._body)
    rows: list[list[str]] = []
    for row in table.rows:
        cells = [""] * row.grid_cols_before
        for cell in row.cells:
            cells.append(" ".join(t for t in (paragraph_text(p) for p in cell._tc.iter(_P)) if t))
        rows.append(cells + [""] * row.grid_cols_after)
    return rows


def _layout_paragraphs(tbl) -> list[str]:
    """Paragraphs of a layout table in reading order (row by row, cell by cell)."""
    return [text for p in tbl.iter(_P) if (text := paragraph_text(p))]
