"""Ingest: report file -> Document (decoded text, paragraphs, sections, metadata).

The only changes made to the source are to whitespace: line breaks are normalised, lines that a
PDF page break split are rejoined, and spaces next to Chinese characters are dropped. Every
paragraph keeps, for each of its characters, the offset of that character in the decoded source,
so every extracted number can be traced back to its exact place.
"""

from __future__ import annotations

import hashlib
from array import array
from collections.abc import Sequence
import json
import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from . import frontmatter, parts
from .errors import IngestError
from .files import JsonFileError, file_name, not_a_file, read_json
from .furniture import furniture_lines
from .limits import MAX_BYTES, MAX_PARAGRAPH_CHARS
from .textrules import SECTION_RE, SUBSECTION_RE, is_heading, is_open_ended  # noqa: F401 (re-exported)
from .formats import media_type_of, read_report

DEFAULT_MAX_BYTES = MAX_BYTES.default

# A CJK ideograph or full-width punctuation: whitespace next to these is layout, not content.
_CJK = r"\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef\u2014\u2018-\u201d\u2026"
_CJK_RE = re.compile(f"[{_CJK}]")
# Words that mark page furniture rather than report text (navigation, sharing, licence notes).
_BOILERPLATE_RE = re.compile(
    r"分享到|打印本页|关闭窗口|返回顶部|【字体|责任编辑|扫一扫|网站地图|ICP备|版权所有|"
    r"公有领域|著作权法|本作品|Copyright|上一篇|下一篇|当前位置"
)



@dataclass(frozen=True, slots=True)  # slots: a 60 MB report has hundreds of thousands of paragraphs
class Paragraph:
    paragraph_id: int
    section: int
    section_title: str
    kind: str  # heading | body | boilerplate | table (one row of a table, cells separated by tabs)
    text: str
    source_start: int
    source_end: int
    offsets: Sequence[int] = field(repr=False, compare=False, default=())  # an array: 8 bytes a character
    table_row: tuple[int, int] | None = None  # (table number, row number; row 0 is the header)
    part: str = ""  # review | five_year_review | plan | five_year_plan | glossary | body (see parts.py)

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        """Paragraph offsets [start, end) -> offsets in the decoded source text."""
        return self.offsets[start], self.offsets[end - 1] + 1


@dataclass(frozen=True)
class Document:
    report_id: str
    source_name: str
    media_type: str
    encoding: str
    sha256: str
    text: str
    paragraphs: tuple[Paragraph, ...]
    title: str
    publisher: str
    year: int | None  # the year under review
    delivered_year: int | None  # the year `今年` means: delivery date, else the plan year, else `year`
    region: str = ""
    kind: str = ""  # government_work_report | work_summary | statistics_analysis | statistical_bulletin
    plan_year: int | None = None
    delivered: str = ""  # ISO date the report was delivered or dated
    scope: tuple[str, str] | None = None  # the report's own period, e.g. 2016-01-01..2016-06-30
    metadata_sources: dict = field(default_factory=dict, compare=False)  # field -> rule and source span

    @property
    def char_count(self) -> int:
        return len(self.text)


def ingest(path: str | os.PathLike, *, metadata: dict | None = None, max_bytes: int | None = None) -> Document:
    """Report file -> Document. Metadata given here (or in REPORT.meta.json) wins over what is read."""
    path = Path(path)
    if reason := not_a_file(path):
        raise IngestError(f"{path}: {reason}")
    limit = max_bytes or MAX_BYTES.value()
    size = path.stat().st_size
    if size > limit:
        raise IngestError(f"{path}: {size} bytes is over the limit of {limit} (set REPORTPUB_MAX_BYTES to raise it)")
    data = path.read_bytes()
    meta = {**sidecar_metadata(path), **(metadata or {})}
    sha256 = hashlib.sha256(data).hexdigest()
    if media_type_of(path, data) != "text/plain":  # PDF, DOCX, HTML: a format reader finds the text
        raw = read_report(path, data)
        return document_from_text(
            raw.text, source_name=file_name(path), media_type=raw.media_type, encoding=raw.encoding or "binary",
            sha256=sha256, metadata=meta, boilerplate=raw.boilerplate, tables=raw.tables,
        )
    text, encoding = decode(data, name=str(path))
    return document_from_text(
        text, source_name=file_name(path), media_type="text/plain", encoding=encoding, sha256=sha256, metadata=meta,
    )


def document_from_text(text: str, *, source_name: str, media_type: str = "text/plain", encoding: str = "utf-8",
                       sha256: str | None = None, metadata: dict | None = None,
                       boilerplate: tuple[str, ...] = (), tables: tuple = ()) -> Document:
    """Decoded text -> Document; the entry point for text that came from PDF, DOCX or HTML.

    `boilerplate` names lines that a format reader found to be page furniture (running headers,
    page numbers, navigation): each is a paragraph of its own, marked boilerplate. `tables`
    (header and rows of cells) follow the text, one paragraph of kind `table` per row, cells
    separated by a tab, so that their numbers are traced like any other."""
    if not text.strip():  # the text stays as decoded (CR LF included): source offsets point into it
        raise IngestError(f"{source_name}: the report is empty (only whitespace)")
    if (nul := text.find("\x00")) >= 0:  # never published, never silently dropped
        raise IngestError(f"{source_name}: a NUL character at character {nul:,}: binary data, not report text")
    text, table_start = _with_tables(text, tables)
    sha256 = sha256 or hashlib.sha256(text.encode("utf-8")).hexdigest()
    paragraphs = split_paragraphs(text, furniture=boilerplate, table_start=table_start)
    _check_paragraph_lengths(paragraphs, source_name)
    meta = checked_metadata(metadata or {}, source_name)
    fm = frontmatter.read_front_matter([p.text for p in paragraphs], [p.kind for p in paragraphs], meta)
    value = lambda f: f.value if f is not None else None  # noqa: E731
    year, plan_year, kind = value(fm.year), value(fm.plan_year), value(fm.kind) or ""
    region, delivered = value(fm.region) or "", value(fm.delivered) or ""
    delivered_year = meta.get("delivered_year") or (int(delivered[:4]) if delivered else None) or (
        plan_year if kind == "government_work_report" else None) or year
    read_title = value(fm.title) or paragraphs[0].text[:40]
    title = meta.get("title") or frontmatter.canonical_title(
        read_title, region, plan_year if kind == "government_work_report" else year, kind,
        is_title_line=fm.title is not None and fm.title.rule != "first_line")
    if year is not None:
        paragraphs = with_parts(paragraphs, parts.Frame(year, plan_year or year + 1))
    scope = report_scope(paragraphs, title, year, delivered_year)
    return Document(
        report_id=meta.get("report_id") or report_id_for(source_name, sha256, slug=report_slug(
            region, plan_year if kind == "government_work_report" else year, kind, scope)),
        source_name=source_name, media_type=media_type, encoding=encoding, sha256=sha256, text=text,
        paragraphs=paragraphs, title=title, publisher=value(fm.publisher) or "",
        year=year, delivered_year=delivered_year, region=region, kind=kind, plan_year=plan_year,
        delivered=delivered, scope=scope,
        metadata_sources=_sources(fm, paragraphs),
    )


def with_parts(paragraphs: tuple[Paragraph, ...], frame: parts.Frame) -> tuple[Paragraph, ...]:
    """Each paragraph with the part of the report it belongs to."""
    states = parts.paragraph_states([p.text for p in paragraphs], [p.kind for p in paragraphs], frame)
    return tuple(replace(p, part=s) for p, s in zip(paragraphs, states, strict=True))


def report_scope(paragraphs: tuple[Paragraph, ...], title: str, year: int | None,
                 delivered: int | None) -> tuple[str, str] | None:
    """The report's own period: a scope in its title or opening (上半年, 一季度, 首季, 1-11月), else its year."""
    from .extract.periods import scope_period  # extract imports ingest: imported here, when needed
    if year is None:
        return None
    opening = [p.text for p in paragraphs if p.kind == "body"][:1]
    return scope_period([title, *opening], year, delivered or year)


def _sources(fm: frontmatter.FrontMatter, paragraphs: tuple[Paragraph, ...]) -> dict:
    """Field -> {rule, value, source_start, source_end}: where each metadata value was read."""
    out = {}
    for name in ("title", "region", "publisher", "delivered", "kind", "year", "plan_year"):
        found = getattr(fm, name)
        if found is None:
            continue
        entry = {"rule": found.rule, "value": found.value}
        if found.paragraph >= 0 and found.end > found.start:
            entry["source_start"], entry["source_end"] = paragraphs[found.paragraph].source_span(found.start, found.end)
        out[name] = entry
    return out


def _check_paragraph_lengths(paragraphs: Sequence[Paragraph], source_name: str) -> None:
    """Every paragraph within MAX_PARAGRAPH_CHARS: what extraction costs per number grows with it."""
    longest = max(paragraphs, key=lambda p: len(p.text), default=None)
    if longest is not None and len(longest.text) > MAX_PARAGRAPH_CHARS.value():
        raise IngestError(MAX_PARAGRAPH_CHARS.over(len(longest.text),
                                                   f"{source_name}: paragraph {longest.paragraph_id}"))


def _with_tables(text: str, tables: tuple) -> tuple[str, int | None]:
    """Text and tables -> text with each table's rows appended (cells joined by tabs), and where they start."""
    rows = []
    for t in tables:
        cells = [list(t.header)] + [list(r) for r in t.rows]
        rows += ["\t".join(re.sub(r"\s+", " ", c).strip() or "-" for c in row) for row in cells if any(row)]
        rows.append("")  # a blank line ends each table
    if not rows:
        return text, None
    text = text.rstrip("\n") + "\n\n"
    return text + "\n".join(rows) + "\n", len(text)


def decode(data: bytes, name: str = "report") -> tuple[str, str]:
    """Bytes -> (text, encoding name). UTF-8 (with or without BOM), UTF-16 and GB18030 are tried in turn."""
    if not data.strip():
        raise IngestError(f"{name}: the file is empty")
    if data.startswith(b"\xef\xbb\xbf"):
        return _strict(data[3:], "utf-8", name), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _strict(data, "utf-16", name), "utf-16"
    wide = data.count(b"\x00") > len(data) // 8  # UTF-16 without a BOM, or binary
    candidates = ("utf-16-le", "utf-16-be") if wide else ("utf-8", "gb18030")
    for enc in candidates:
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if _looks_like_text(text, any_script=enc == "utf-8"):
            return text, enc
    if wide:
        raise IngestError(f"{name}: binary data, not a text report")
    raise IngestError(f"{name}: not text in UTF-8, UTF-16 or GB18030 (binary or another encoding)")


def _strict(data: bytes, encoding: str, name: str) -> str:
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise IngestError(f"{name}: says it is {encoding} but is not ({exc.reason} at byte {exc.start})") from None
    if not _looks_like_text(text):
        raise IngestError(f"{name}: binary data, not a text report")
    return text


# Where the characters of a Chinese report live: ASCII, Latin-1, general punctuation, arrows and
# maths, CJK symbols, kana, CJK ideographs (with extension A), full-width forms.
_EXPECTED_RE = re.compile(r"[\t\n\r\f\x20-\x7e\xa0-\xff\u2000-\u22ff\u2460-\u27bf\u3000-\u30ff"
                          r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]")


_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")  # below 32, not \t \n \f \r


def _looks_like_text(text: str, any_script: bool = False) -> bool:
    """Binary data decoded by luck has control characters or characters from unrelated scripts.
    Bytes that are valid UTF-8 are not there by luck: any script is text (Arabic-Indic digits,
    say), only control characters make them binary."""
    control = len(_CONTROL_RE.findall(text))
    if control > max(2, len(text) // 1000):
        return False
    if any_script:
        return True
    sample = text[:20000]
    expected = len(_EXPECTED_RE.findall(sample))
    return expected >= 0.95 * len(sample)


def sidecar_metadata(path: Path) -> dict:
    """REPORT.meta.json beside the report lets an operator set or correct title, publisher, year."""
    side = next((s for s in _sidecars(path) if _exists(s)), None)
    if side is None:
        return {}
    try:
        meta = read_json(side)
    except JsonFileError as exc:
        raise IngestError(f"{exc} (REPORT.meta.json metadata)") from None
    if not isinstance(meta, dict):
        raise IngestError(f"{side}: metadata must be a JSON object")
    return checked_metadata(meta, str(side))


def _sidecars(path: Path) -> list[Path]:
    """REPORT.txt.meta.json, then REPORT.meta.json (a name too long for the first has no sidecar)."""
    names = [path.name + ".meta.json", path.stem + ".meta.json"]
    return [path.with_name(n) for n in names if len(os.fsencode(n)) <= 255]


def _exists(path: Path) -> bool:
    """Is something there (a file, or a FIFO or folder that read_json will refuse by name)?"""
    return os.path.lexists(path)


REPORT_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]{2,59}$")


def report_id_for(source_name: str, sha256: str, slug: str = "") -> str:
    """A file-system and URL safe id: the file stem when it is a readable ASCII name (the operator
    chose it), else the slug of the report's region, year and kind (beijing-shi-2026-government-work-report),
    else the stem with a hash of the whole name (北京市….txt and 上海市….txt must not both be `2022`)."""
    name = Path(source_name).name
    stem = name.split(".")[0]
    ascii_stem = re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-")[:48].strip("-")
    faithful = re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]*", stem) and len(stem) <= 48  # only case and _ change
    if faithful and len(re.findall(r"[a-z]", ascii_stem)) >= 3:
        return ascii_stem
    if slug:
        return slug
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:8]
    return f"{ascii_stem}-{digest}" if ascii_stem else f"report-{digest}"


_REGION_SUFFIX = re.compile(r"(特别行政区|自治区|自治州|自治县|经济技术开发区|开发区|新区|省|市|州|盟|县|区|旗)$")
_KIND_SLUG = {"government_work_report": "government-work-report", "work_summary": "work-summary",
              "statistics_analysis": "statistics-analysis", "statistical_bulletin": "statistical-bulletin"}


def report_slug(region: str, year: int | None, kind: str, scope: tuple[str, str] | None = None) -> str:
    """北京市, 2026, government_work_report -> beijing-shi-2026-government-work-report; a part of a
    year is named too (daqing-shi-2016-h1-statistics-analysis). '' while region or year is unknown."""
    from pypinyin import lazy_pinyin
    if not region or not year:
        return ""
    m = _REGION_SUFFIX.search(region)
    words = [region[:m.start()], m.group()] if m and m.start() > 0 else [region]
    pinyin = ["".join(lazy_pinyin(w)) for w in words]
    parts_ = [re.sub(r"[^a-z0-9]+", "", p.lower()) for p in pinyin] + [
        str(year), _scope_slug(scope), _KIND_SLUG.get(kind, "report")]
    slug = "-".join(p for p in parts_ if p)[:60].strip("-")
    return slug if REPORT_ID_RE.match(slug) else ""


_SCOPES = {(1, 3): "q1", (1, 6): "h1", (7, 12): "h2", (1, 9): "q1-q3", (4, 6): "q2", (7, 9): "q3", (10, 12): "q4"}


def _scope_slug(scope: tuple[str, str] | None) -> str:
    """('2016-01-01', '2016-06-30') -> 'h1'; a whole year -> ''."""
    if not scope or scope[0][:4] != scope[1][:4]:
        return ""
    months = int(scope[0][5:7]), int(scope[1][5:7])
    return "" if months == (1, 12) else _SCOPES.get(months, f"m{months[0]:02d}-m{months[1]:02d}")


def checked_metadata(meta: dict, source: str) -> dict:
    """Operator metadata -> the same, with year and report_id checked (they become numbers and paths)."""
    meta = dict(meta)
    for key in ("title", "publisher", "report_id"):
        if meta.get(key) is not None and not isinstance(meta[key], str):
            raise IngestError(f"{source}: metadata {key} must be text, not {type(meta[key]).__name__} "
                              f"{json.dumps(meta[key], ensure_ascii=False)[:40]}")
        if isinstance(meta.get(key), str) and any(ord(c) < 32 for c in meta[key]):
            raise IngestError(f"{source}: metadata {key} holds a control character")
    for key in ("year", "delivered_year", "plan_year"):
        if meta.get(key) in (None, ""):
            continue
        try:
            value = int(str(meta[key]).strip())
        except ValueError:
            raise IngestError(f"{source}: metadata {key} {meta[key]!r} is not a year such as 2022") from None
        if not 1949 <= value <= 2100:
            raise IngestError(f"{source}: metadata {key} {value} is not a plausible year (1949-2100)")
        meta[key] = value
    if meta.get("report_id") and not REPORT_ID_RE.match(str(meta["report_id"])):
        raise IngestError(f"{source}: metadata report_id {meta['report_id']!r} must be 3-60 characters of a-z, "
                          "0-9 and -, starting with a letter or digit")
    return meta


# --- paragraphs ---------------------------------------------------------------------------

def split_paragraphs(text: str, furniture: tuple[str, ...] = (), table_start: int | None = None
                     ) -> tuple[Paragraph, ...]:
    """Text -> paragraphs: one per line, lines split by a page break rejoined, headings numbered.

    A line named in `furniture` is a boilerplate paragraph of its own, never joined to a
    neighbour; the document's first line stays the title when the same text comes back later
    as furniture (a running header that repeats the title)."""
    table_rows = _table_rows(text, table_start) if table_start is not None else []
    if table_start is not None:
        text = text[:table_start]
    lines = [(m.start(), m.end()) for m in re.finditer(r"[^\r\n]+", text) if m.group().strip()]
    line_keys = [re.sub(r"\s+", "", text[s:e]) for s, e in lines] if furniture else []
    keys = {re.sub(r"\s+", "", f) for f in furniture}
    marked = [key in keys for key in line_keys] or [False] * len(lines)
    if marked and marked[0] and line_keys.count(line_keys[0]) > 1:
        marked[0] = False  # the title, repeated later as a running header
    page = furniture_lines(_Lines(text, lines))  # menus, bylines, captions of a web page
    marked = [a or b for a, b in zip(marked, page, strict=True)]
    blocks: list[list[tuple[int, int]]] = []
    block_marked: list[bool] = []
    for (start, end), is_furniture in zip(lines, marked, strict=True):
        line = text[start:end].strip()
        if (blocks and not is_furniture and not block_marked[-1] and not is_heading(line)
                and _continues(text, blocks[-1])):
            blocks[-1].append((start, end))
        else:
            blocks.append([(start, end)])
            block_marked.append(is_furniture)
    paragraphs, section, section_title = [], 0, ""
    in_footer = False
    first = next((i for i, m in enumerate(block_marked, start=1) if not m), 1)  # the title's block
    for i, block in enumerate(blocks, start=1):
        chars, offsets = _compact(text, block)
        furnished = block_marked[i - 1]
        kind = "boilerplate" if in_footer or furnished else _kind(chars, i - first + 1)
        # A licence note or share bar in the last fifth of the page: what follows is page furniture too.
        in_footer = in_footer or (kind == "boilerplate" and not furnished and i > 0.8 * len(blocks))
        if kind == "heading" and SECTION_RE.match(chars):
            section, section_title = section + 1, chars
        paragraphs.append(Paragraph(i, section, section_title, kind, chars, offsets[0], offsets[-1] + 1,
                                    array("q", offsets)))
    for table, row, start, end, line in table_rows:
        paragraphs.append(Paragraph(len(paragraphs) + 1, section, section_title, "table", line, start, end,
                                    range(start, end), (table, row)))
    return tuple(paragraphs)


class _Lines(Sequence[str]):
    """The text's lines, sliced only when read: the furniture rules look at the head and the tail."""

    def __init__(self, text: str, spans: list[tuple[int, int]]):
        self.text, self.spans = text, spans

    def __len__(self) -> int:
        return len(self.spans)

    def __getitem__(self, i):  # noqa: ANN001 - int only
        start, end = self.spans[i]
        return self.text[start:end]


def _table_rows(text: str, table_start: int) -> list[tuple[int, int, int, int, str]]:
    """The appended table block -> (table, row, start, end, text) per row; a blank line ends a table."""
    rows, table, row = [], 0, 0
    for m in re.finditer(r"[^\n]*\n?", text[table_start:]):
        line = m.group().rstrip("\n")
        if not line:
            if row:
                table, row = table + 1, 0
            continue
        start = table_start + m.start()
        rows.append((table, row, start, start + len(line), line))
        row += 1
    return rows


def _continues(text: str, block: list[tuple[int, int]]) -> bool:
    """Is this block a sentence cut off by a page break (long, has punctuation, no sentence end)?"""
    return is_open_ended("".join(text[s:e] for s, e in block))


def _kind(chars: str, index: int) -> str:
    if _BOILERPLATE_RE.search(chars):
        return "boilerplate"
    if is_heading(chars):
        return "heading"
    if index == 1 and len(chars) <= 60 and not chars.endswith(tuple("。；")):
        return "heading"  # the title line
    return "body"


_NON_SPACE = re.compile(r"\S+")  # \S is exactly `not str.isspace()` (both Py_UNICODE_ISSPACE)


def _compact(text: str, block: list[tuple[int, int]]) -> tuple[str, list[int]]:
    """Lines -> (paragraph text, source offset of each char). Whitespace next to CJK is dropped.

    Taken a run of non-space characters at a time (a line of Chinese is mostly one run), not a
    character at a time: this loop was most of ingesting a report."""
    pieces: list[str] = []
    offsets: list[int] = []
    last = ""  # the last character kept
    pending_space = False
    for start, end in block:
        pos = start
        for m in _NON_SPACE.finditer(text, start, end):
            a, b = m.span()
            if a > pos:  # whitespace before the run
                pending_space = bool(last)
            if pending_space and not (_CJK_RE.match(text[a]) or _CJK_RE.match(last)):
                pieces.append(" ")
                offsets.append(a - 1)
            pending_space = False
            pieces.append(m.group())
            offsets.extend(range(a, b))
            last, pos = text[b - 1], b
        pending_space = bool(last) and not _CJK_RE.match(last)  # a line break between Latin words
    return "".join(pieces), offsets


def with_metadata(doc: Document, **changes) -> Document:
    return replace(doc, **{k: v for k, v in changes.items() if v is not None})
