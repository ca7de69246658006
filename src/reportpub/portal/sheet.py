"""A table's values -> the rows of its worksheet (<sheetData>), the very text xlsxwriter writes.

xlsxwriter spends some 30 µs of CPU on each cell it writes (argument checks, a cell tuple, a
row table, a temporary file) and 10 ms on each workbook's frame; a release's three small
workbooks cost more than the rest of its pages together. Here a column's cells are made in one
pass, with xlsxwriter's rules for what constant_memory mode writes (inline strings, `.16G`
numbers, Excel serial dates, control characters as _xHHHH_, rows without a cell left out),
and workbook.py puts them in the frame xlsxwriter made. A value these rules do not cover
returns None, and the workbook is written by xlsxwriter itself, so the bytes never differ
(tests/portal/test_workbook_bytes.py compares both writers on every kind of value).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence

MAX_CELL = 32_767  # characters Excel keeps in one cell
_SAFE_LEN = MAX_CELL // 2  # longer strings may need xlsxwriter's UTF-16 truncation
_ESCAPED_ESCAPE = re.compile(r"(_x[0-9a-fA-F]{4}_)")  # a literal _xHHHH_ gets its underscore escaped
_CONTROL = re.compile(r"([\x00-\x08\x0b-\x1f])")
_NEEDS_WORK = re.compile(r"[\x00-\x08\x0b-\x1f&<>_\ufffe\uffff]|^\s|\s$")
_SPECIAL = re.compile(r"[\x00-\x08\x0b-\x1f&<>\ufffe\uffff]|_x[0-9a-fA-F]{4}_")
_INT_DIGITS = 10**16  # below it, an int's `.16G` is its str()
_EPOCH = dt.date(1899, 12, 31).toordinal()
_NOT_SIMPLE = object()  # a value xlsxwriter must write


def column_names(count: int) -> list[str]:
    """Column count -> Excel's column letters (A, B, ..., Z, AA, ...)."""
    out = []
    for col in range(count):
        name, n = "", col + 1
        while n:
            n, rem = divmod(n - 1, 26)
            name = chr(65 + rem) + name
        out.append(name)
    return out


def string_cell(text: str) -> str | None:
    """Text -> the tail of its inline-string cell after `<c r="A1`, or None when only xlsxwriter
    can write it (a long text, or one that looks like xlsxwriter's rich-string markup)."""
    if len(text) > _SAFE_LEN:
        return None
    preserve = ""
    if _NEEDS_WORK.search(text):
        text = _CONTROL.sub(lambda m: f"_x{ord(m.group(1)):04X}_", _ESCAPED_ESCAPE.sub(r"_x005F\1", text))
        text = text.replace("\ufffe", "_xFFFE_").replace("\uffff", "_xFFFF_")
        if text.startswith("<r>") and text.endswith("</r>"):
            return None
        if text[:1].isspace() or text[-1:].isspace():
            preserve = ' xml:space="preserve"'
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f'" t="inlineStr"><is><t{preserve}>{text}</t></is></c>'


def value_cell(value, date_style: str):
    """A table value -> the tail of its cell after `<c r="A1`, None for no cell (a null), or
    _NOT_SIMPLE. The types as workbook.py's xlsxwriter path writes them: bool, number, date
    (a datetime as its date, in the date format), anything else as its text."""
    if value is None:
        return None
    if isinstance(value, bool):
        return f'" t="b"><v>{1 if value else 0}</v></c>'
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            return _NOT_SIMPLE
        return f'"><v>{value:.16G}</v></c>'
    if isinstance(value, dt.date):
        return f'"{date_style}><v>{_excel_date(value):.16G}</v></c>'
    cell = string_cell(str(value)[:MAX_CELL])
    return _NOT_SIMPLE if cell is None else cell


def _excel_date(value: dt.date) -> float:
    """Date -> Excel's serial number for it, as xlsxwriter computes it for datetime(y, m, d):
    1900-01-01 is 0, and days after 1900-02-28 count Excel's non-existent 1900-02-29."""
    days = float(value.toordinal() - _EPOCH)
    if (value.year, value.month, value.day) == (1900, 1, 1):
        days -= 1
    return days + 1 if days > 59 else days


def column_cells(values: list, kind: str, date_style: str) -> list | None:
    """A column's values, and their kind when the column has one type (`kind_of`) -> the tail of each
    cell (None for no cell), or None when a value needs xlsxwriter."""
    present = values if None not in values else [v for v in values if v is not None]
    if kind == "str":
        if _all_plain(present):  # most columns: one search over all their text
            return [None if v is None else f'" t="inlineStr"><is><t>{v}</t></is></c>' for v in values]
        memo: dict[str, str | None] = {}  # a column repeats its texts (units, statuses)
        out = [None if v is None else memo[v] if v in memo else memo.setdefault(v, string_cell(v[:MAX_CELL]))
               for v in values]
        return None if None in memo.values() else out
    if kind == "int":
        if not present or -_INT_DIGITS < min(present) and max(present) < _INT_DIGITS:  # `.16G` is str()
            return [None if v is None else f'"><v>{v}</v></c>' for v in values]
        return [None if v is None else f'"><v>{v:.16G}</v></c>' for v in values]
    if kind == "float":
        if not all(map(math.isfinite, present)):
            return None
        return [None if v is None else f'"><v>{v:.16G}</v></c>' for v in values]
    if kind == "date":
        dates: dict[dt.date, str] = {}
        return [None if v is None else dates[v] if v in dates
                else dates.setdefault(v, f'"{date_style}><v>{_excel_date(v):.16G}</v></c>') for v in values]
    out = [value_cell(v, date_style) for v in values]
    return None if any(cell is _NOT_SIMPLE for cell in out) else out


def _all_plain(texts: list[str]) -> bool:
    """Texts -> True when none needs more than its place in <t>: no markup or control character,
    no _xHHHH_, no whitespace at either end, not too long."""
    return not texts or (max(map(len, texts)) <= _SAFE_LEN and not _SPECIAL.search("".join(texts))
                         and list(map(str.strip, texts)) == texts)  # str.strip: str.isspace, as re's \s


def kind_of(arrow_type) -> str:
    """Arrow type -> the one Python type its values come as ("str", "int", "float", "date"), or ""."""
    import pyarrow as pa

    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
        return "str"
    if pa.types.is_integer(arrow_type):
        return "int"
    if pa.types.is_floating(arrow_type):
        return "float"
    return "date" if pa.types.is_date32(arrow_type) else ""


def rows_xml(columns: Sequence[list], letters: Sequence[str], first_row: int) -> tuple[str, int]:
    """(each column's cell tails, the columns' letters, the 0-based row of the first value) ->
    (the <row> elements of those rows that hold a cell, the 0-based last row that does, or -1)."""
    count = min(map(len, columns), default=0)
    numbers = [str(n) for n in range(first_row + 1, first_row + 1 + count)]
    cells = []
    for letter, column in zip(letters, columns):
        head = f'<c r="{letter}'
        cells.append([f"{head}{n}{tail}" if tail is not None else "" for n, tail in zip(numbers, column)])
    bodies = list(map("".join, zip(*cells)))
    parts, last = [], -1
    for number, body in zip(numbers, bodies):
        if body:
            parts.append(f'<row r="{number}">{body}</row>')
            last = int(number) - 1
    return "".join(parts), last
