"""HTML page -> RawText: the article's paragraphs, the page furniture named, data tables apart.

libxml2's HTML parser (through lxml, which python-docx already needs) feeds its start, end and
data events to a small state machine: no tree is built and nothing recurses, so absurd nesting
costs nothing (elements deeper than MAX_DEPTH are counted, not tracked). Measured: a 100 MB
article page reads in 3 s, 100 MB of nothing but tiny elements (8.7 million) in 20 s; the
standard library's html.parser alone needed 46 s for the latter.

Block elements end paragraphs; script, style and the head are dropped; navigation, headers,
footers, share bars, breadcrumbs and link-only blocks are kept and named as boilerplate. A table
whose cells are short is data: it becomes a Table and its text leaves the paragraph flow. A
table that lays out the page (a long cell, a table inside it, one column) is read as paragraphs.
"""

from __future__ import annotations

import codecs
import re

from ..errors import IngestError
from .raw import MAX_DATA_CELL_CHARS, MAX_TABLE_CELLS, RawText, Table, is_caption, is_data_table, \
    join_paragraphs, make_table, squash

MEDIA_TYPE = "text/html"
MAX_DEPTH = 512  # open elements tracked; deeper ones only end paragraphs
_BOUNDARY = ("b",)

_BLOCK = frozenset("""address article aside blockquote body br caption center dd details dialog dir div dl dt
    fieldset figcaption figure footer form frame frameset h1 h2 h3 h4 h5 h6 header hgroup hr html legend li
    main menu nav ol p pre section summary table tbody td tfoot th thead tr ul""".split())
_DROP = frozenset("head title script style noscript template svg math object iframe select button textarea".split())
_HEADINGS = frozenset("h1 h2 h3 h4 h5 h6".split())
_FURNITURE_TAGS = frozenset(("nav", "footer", "aside"))
_FURNITURE_NAME_RE = re.compile(r"nav|menu|share|foot(?!note)|breadcrumb|crumb|toolbar|sidebar|copyright", re.I)
_FURNITURE_ROLES = frozenset("navigation banner contentinfo complementary menu menubar toolbar".split())
_NEVER_FURNITURE = frozenset(("html", "body", "main", "article"))
_SEPARATORS_RE = re.compile(r"[\s|｜/\\·•>»›<«‹、,，;；\-–—_()（）\[\]【】]+")
_META_CHARSET_RE = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_XML_ENCODING_RE = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""", re.I)
_GB_LABELS = {"gb2312", "gbk", "x-gbk", "cp936", "gb_2312-80", "csgb2312", "chinese", "euc-cn", "gb18030"}


def read_html(data: bytes, name: str = "report.html") -> RawText:
    """HTML bytes -> RawText (encoding: BOM, then <meta charset>, then UTF-8, then GB18030)."""
    from lxml import etree

    text, encoding = decode_html(data, name)
    reader = _Reader(name)
    parser = etree.HTMLParser(target=reader, encoding="utf-8", huge_tree=True, no_network=True)
    utf8 = text.encode("utf-8")
    try:
        for at in range(0, len(utf8), 1 << 22):
            parser.feed(utf8[at:at + (1 << 22)])
        parser.close()
    except etree.LxmlError as exc:
        raise IngestError(f"{name}: the page cannot be parsed as HTML ({exc})") from None
    flow = reader.flow
    paragraphs, furniture = flow.paragraphs, flow.furniture
    if furniture and all(furniture):  # everything looked like furniture: trust nothing of it
        furniture = [False] * len(paragraphs)
    boilerplate = tuple(dict.fromkeys(p for p, f in zip(paragraphs, furniture, strict=True) if f))
    return RawText(text=join_paragraphs(paragraphs), media_type=MEDIA_TYPE, boilerplate=boilerplate,
                   tables=tuple(reader.tables), encoding=encoding)


def decode_html(data: bytes, name: str = "report.html") -> tuple[str, str]:
    """HTML bytes -> (text, encoding). GB2312 and GBK labels read as GB18030, their superset."""
    for bom, encoding in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError as exc:
                raise IngestError(f"{name}: has a {encoding} byte-order mark but is not {encoding} "
                                  f"({exc.reason} at byte {exc.start})") from None
    declared = _declared_encoding(data[:8192])
    for encoding in dict.fromkeys(e for e in (declared, "utf-8", "gb18030") if e):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    said = f"declared {declared}, " if declared else ""
    raise IngestError(f"{name}: the page is not valid text in {said}UTF-8 or GB18030")


def _declared_encoding(head: bytes) -> str | None:
    match = _XML_ENCODING_RE.search(head) or _META_CHARSET_RE.search(head)
    if not match:
        return None
    label = match.group(1).decode("ascii").lower()
    if label in _GB_LABELS:
        return "gb18030"
    try:
        codec = codecs.lookup(label).name
    except LookupError:
        return None
    return "utf-8" if codec.startswith(("utf-16", "utf-32")) else codec


# --- sinks: where text goes (the paragraph flow, or a table being read) ----------------------
# Events: ("t", text, furniture, link, heading) | ("b",) a paragraph boundary | ("a",) a link starts.

class _Flow:
    """Events -> paragraphs, each flagged furniture or not."""

    def __init__(self) -> None:
        self.paragraphs: list[str] = []
        self.furniture: list[bool] = []
        self._parts: list[str] = []
        self._furniture_chars = self._link_chars = self._links = 0
        self._heading = False
        self._plain: list[str] = []  # text outside links

    def feed(self, event: tuple) -> None:
        kind = event[0]
        if kind == "t":
            _, text, furniture, link, heading = event
            self._parts.append(text)
            if furniture:
                self._furniture_chars += _size(text)
            if link:
                self._link_chars += _size(text)
            else:
                self._plain.append(text)
            self._heading = self._heading or heading
        elif kind == "a":
            self._links += 1
        elif self._parts:
            self._end_paragraph()

    def last_paragraph(self) -> str:
        return self.paragraphs[-1] if self.paragraphs else ""

    def _end_paragraph(self) -> None:
        text = squash("".join(self._parts))
        if text:
            size = _size(text)
            link_only = (self._link_chars > 0 and not self._heading
                         and not _SEPARATORS_RE.sub("", "".join(self._plain))
                         and (self._links >= 2 or size <= 20))
            self.paragraphs.append(text)
            self.furniture.append(link_only or self._furniture_chars * 2 >= size)
        self._parts, self._plain = [], []
        self._furniture_chars = self._link_chars = self._links = 0
        self._heading = False


def _size(text: str) -> int:
    """Non-whitespace characters in text."""
    return len("".join(text.split()))


class _TableSink:
    """Events inside a <table>: kept until the table proves to hold data (-> Table) or to lay
    out text (-> the events go on to the parent sink, as paragraphs)."""

    def __init__(self, parent, flow: _Flow, name: str) -> None:
        self.parent, self.flow, self.name = parent, flow, name
        self.events: list[tuple] = []
        self.rows: list[list[tuple[list[str], int, int]]] = []
        self.cell: list[str] | None = None
        self.cell_size = 0
        self.caption: list[str] | None = None
        self.caption_text = ""
        self.layout = False
        self.cells = 0

    def feed(self, event: tuple) -> None:
        if self.layout:
            self.parent.feed(event)
            return
        self.events.append(event)
        if event[0] == "t":
            if self.caption is not None:
                self.caption.append(event[1])
            elif self.cell is not None:
                self.cell.append(event[1])
                self.cell_size += _size(event[1])
                if self.cell_size > MAX_DATA_CELL_CHARS:
                    self.to_layout()
        elif event[0] == "b" and self.cell is not None:
            self.cell.append(" ")

    def to_layout(self) -> None:
        """This table lays out text: hand what was kept to the parent, and pass on from now on."""
        if not self.layout:
            self.layout = True
            for event in self.events:
                self.parent.feed(event)
            self.events, self.rows = [], []

    def start_row(self) -> None:
        self.rows.append([])
        self.cell = None

    def start_cell(self, colspan: int, rowspan: int) -> None:
        if not self.rows:
            self.rows.append([])
        self.cells += colspan
        if self.cells > MAX_TABLE_CELLS:
            raise IngestError(f"{self.name}: a table of over {MAX_TABLE_CELLS} cells is over the limit")
        self.cell, self.cell_size = [], 0
        self.rows[-1].append((self.cell, colspan, rowspan))

    def end_cell(self) -> None:
        self.cell = None

    def start_caption(self) -> None:
        self.caption = []

    def end_caption(self) -> None:
        if self.caption is not None:
            self.caption_text = squash("".join(self.caption))
        self.caption = None

    def finish(self) -> Table | None:
        """The table closed: -> its Table if it holds data, else None (its text went on)."""
        if self.layout:
            return None
        grid = _grid(self.rows)
        if not is_data_table(grid):
            self.to_layout()
            return None
        caption = self.caption_text
        if not caption and is_caption(self.flow.last_paragraph()):
            caption = self.flow.last_paragraph()
        self.parent.feed(_BOUNDARY)
        return make_table(grid, caption, self.name)


def _grid(rows: list[list[tuple[list[str], int, int]]]) -> list[list[str]]:
    """Rows of (cell text parts, colspan, rowspan) -> a grid; a spanned cell's text repeats."""
    grid: list[list[str]] = []
    carry: dict[int, list] = {}  # column -> [rows still covered, text] of a rowspan from above
    for row in rows:
        out: list[str] = []
        for parts, colspan, rowspan in row:
            while len(out) in carry:
                _take_carried(carry, out)
            text = squash("".join(parts))
            for _ in range(colspan):
                if rowspan > 1:
                    carry[len(out)] = [rowspan - 1, text]
                out.append(text)
        for col in sorted(c for c in carry if c >= len(out)):
            out.extend([""] * (col - len(out)))
            _take_carried(carry, out)
        grid.append(out)
    return grid


def _take_carried(carry: dict[int, list], out: list[str]) -> None:
    """Fill the next column of `out` with the cell that spans down into it."""
    left = carry[len(out)]
    out.append(left[1])
    left[0] -= 1
    if not left[0]:
        del carry[len(out) - 1]


def _span(attrs: dict, key: str, cap: int) -> int:
    try:
        value = int(re.sub(r"\D.*", "", (attrs.get(key) or "1").strip()) or 1)
    except ValueError:
        return 1
    return min(max(value, 1), cap)


# --- the parser's target: start/end/data events in, paragraphs and tables out ---------------

class _Open:
    """One open element and what it makes of the text inside it."""

    __slots__ = ("tag", "drop", "furniture", "link", "heading", "article", "table")

    def __init__(self, tag, drop, furniture, link, heading, article, table=None):
        self.tag, self.drop, self.furniture, self.link = tag, drop, furniture, link
        self.heading, self.article, self.table = heading, article, table


class _Reader:
    """A parser target: libxml2 closes implied and unclosed elements, so starts and ends pair."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.flow = _Flow()
        self.tables: list[Table] = []
        self.stack: list[_Open] = [_Open("#root", False, False, False, False, False)]
        self.sinks: list = [self.flow]     # the flow, then one _TableSink per table being read
        self.tracked: list[bool] = []      # per open <table>: is it read as a table (has a sink)?
        self.overflow = 0                  # elements open beyond MAX_DEPTH
        self.raw_drop = 0                  # open <script>/<style>, at any depth
        self._furniture_names: dict[str, bool] = {}

    def emit(self, event: tuple) -> None:
        self.sinks[-1].feed(event)

    def start(self, tag, attrib) -> None:
        if not isinstance(tag, str):
            return
        if tag in ("script", "style"):
            self.raw_drop += 1
        top = self.stack[-1]
        if tag in _BLOCK:
            self.emit(_BOUNDARY)
        if tag == "a" and not top.drop:
            self.emit(("a",))
        if len(self.stack) > MAX_DEPTH:
            self.overflow += 1
            return
        furniture = top.furniture or self._is_furniture(tag, attrib, top)
        if furniture and not top.furniture and tag not in _BLOCK:
            self.emit(_BOUNDARY)  # a furniture element is always a paragraph of its own
        entry = _Open(tag, top.drop or tag in _DROP, furniture, top.link or tag == "a",
                      top.heading or tag in _HEADINGS, top.article or tag in ("article", "main"))
        if tag == "table":
            if not entry.drop and not furniture:
                parent = self.sinks[-1]
                if isinstance(parent, _TableSink):
                    parent.to_layout()  # a table inside a table: the outer one lays out the page
                entry.table = _TableSink(parent, self.flow, self.name)
                self.sinks.append(entry.table)
            self.tracked.append(entry.table is not None)
        elif not entry.drop and self.tracked and self.tracked[-1]:
            table = self.sinks[-1]
            if tag == "tr":
                table.start_row()
            elif tag in ("td", "th"):
                table.start_cell(_span(attrib, "colspan", 1000), _span(attrib, "rowspan", 65534))
            elif tag == "caption":
                table.start_caption()
        self.stack.append(entry)

    def end(self, tag) -> None:
        if not isinstance(tag, str):
            return
        if tag in ("script", "style"):
            self.raw_drop = max(0, self.raw_drop - 1)
        if self.overflow:
            self.overflow -= 1
            if tag in _BLOCK:
                self.emit(_BOUNDARY)
            return
        if len(self.stack) > 1:
            self._pop()

    def data(self, data: str) -> None:
        top = self.stack[-1]
        if not (self.raw_drop or top.drop):
            self.emit(("t", data, top.furniture, top.link, top.heading))

    def close(self) -> None:
        while len(self.stack) > 1:
            self._pop()
        self.flow.feed(_BOUNDARY)

    def _pop(self) -> None:
        entry = self.stack.pop()
        if entry.tag in _BLOCK or (entry.furniture and not self.stack[-1].furniture):
            self.emit(_BOUNDARY)
        if entry.tag == "table":
            self.tracked.pop()
        if entry.table is not None:
            self.sinks.pop()
            if (table := entry.table.finish()) is not None:
                self.tables.append(table)
        elif not entry.drop and self.tracked and self.tracked[-1]:
            if entry.tag in ("td", "th"):
                self.sinks[-1].end_cell()
            elif entry.tag == "caption":
                self.sinks[-1].end_caption()

    def _is_furniture(self, tag: str, attrib, parent: _Open) -> bool:
        if tag in _NEVER_FURNITURE:
            return False
        if tag in _FURNITURE_TAGS or (tag == "header" and not parent.article):
            return True
        if not attrib:
            return False
        names = f"{attrib.get('class') or ''} {attrib.get('id') or ''} {attrib.get('role') or ''}"
        if not names.strip():
            return False
        known = self._furniture_names.get(names)
        if known is None:
            role = (attrib.get("role") or "").strip().lower()
            known = role in _FURNITURE_ROLES or bool(_FURNITURE_NAME_RE.search(names))
            if len(self._furniture_names) < 10_000:
                self._furniture_names[names] = known
        return known
