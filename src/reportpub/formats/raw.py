"""What every format reader returns: the report's text, its page furniture and its tables.

Readers never change a non-whitespace character of the source text: they only decide where
paragraphs begin and end, and which paragraphs are furniture (kept, and named, never dropped).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..errors import IngestError
from ..textrules import SENTENCE_END, is_open_ended  # noqa: F401 (SENTENCE_END re-exported)

# A data cell longer than this (non-space characters) means the "table" lays out running text.
MAX_DATA_CELL_CHARS = 200
# A table grid larger than this is refused: a few spans such as colspan=1000 must not eat memory.
MAX_TABLE_CELLS = 2_000_000
_WS_RE = re.compile(r"\s+")
_CAPTION_RE = re.compile(r"^(?:附?表|Table)\s*[0-9０-９一二三四五六七八九十]")


@dataclass(frozen=True)
class Table:
    caption: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class RawText:
    """A report read from PDF, DOCX or HTML, ready for `ingest.document_from_text`.

    `text` holds one paragraph per line, paragraphs separated by a blank line (a line break
    inside a DOCX paragraph stays a single newline). `boilerplate` names (exactly, each text
    once) the paragraphs of `text` that are page furniture. Data tables are kept out of `text`;
    a caption paragraph before a table stays in it. `encoding` is the character encoding of an
    HTML source ("" for PDF and DOCX, which carry Unicode text).
    """

    text: str
    media_type: str
    boilerplate: tuple[str, ...] = ()
    tables: tuple[Table, ...] = ()
    encoding: str = ""


def squash(text: str) -> str:
    """Runs of whitespace -> one space, ends stripped."""
    return _WS_RE.sub(" ", text).strip()


def nonspace(text: str) -> str:
    return _WS_RE.sub("", text)


def is_caption(text: str) -> bool:
    """Does a paragraph name the table after it (表1 …, 附表2 …, Table 3 …)?"""
    return bool(_CAPTION_RE.match(text.strip())) and len(text) <= 80


def is_data_table(rows: Sequence[Sequence[str]]) -> bool:
    """A grid holds data (not a page laid out with a table) when it has two columns or more and
    no long cell: old government pages and some documents put the whole article in a cell."""
    if len(rows) < 1 or max((len(r) for r in rows), default=0) < 2:
        return False
    return all(len(nonspace(cell)) <= MAX_DATA_CELL_CHARS for row in rows for cell in row)


def make_table(rows: Iterable[Sequence[str]], caption: str = "", name: str = "report") -> Table:
    """Rows of cell texts -> Table: empty rows dropped, rows padded to one width, the first row
    taken as the header (reports put the column names first)."""
    grid = [tuple(squash(c) for c in row) for row in rows]
    grid = [row for row in grid if any(row)]
    width = max((len(r) for r in grid), default=0)
    if width * len(grid) > MAX_TABLE_CELLS:
        raise IngestError(f"{name}: a table of {len(grid)} rows x {width} columns is over the limit "
                          f"of {MAX_TABLE_CELLS} cells")
    grid = [row + ("",) * (width - len(row)) for row in grid]
    if not grid:
        return Table(squash(caption), (), ())
    return Table(squash(caption), grid[0], tuple(grid[1:]))


def open_ended(paragraph: str) -> bool:
    """Would ingest glue the next line onto this paragraph (as it rejoins a page break)?

    Mirrors `ingest._continues`: long enough, has clause punctuation, does not end a sentence.
    Readers hold page furniture back until a paragraph that is not open-ended, so a footer is
    never glued into the sentence it interrupted.
    """
    return is_open_ended(paragraph)


def join_paragraphs(paragraphs: Iterable[str]) -> str:
    return "\n\n".join(p for p in paragraphs if p.strip()) + "\n"
