"""Facts from tables: the row header says what is measured, the column header when and how.

A statistical table in a report reads like this:

    指标            2022年（亿元）   同比增长（%）
    地区生产总值    1228             1.5

so the cell 1228 is the level of 地区生产总值 in 2022 in 亿元, and 1.5 its change against the year
before in %. Units come from the cell itself or from the column header's brackets (or a
单位：… header); periods from the column header; a change word (增长, 增速, 同比) in the header
makes a change, 比重/占比 a ratio.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..ingest import Paragraph
from ..units import code_list
from .lexicon import CHANGE_DOWN, MOM_RE
from .numbers import ARABIC, find_quantities, parse_number
from .periods import Period, find_period

_UNIT_IN_HEADER = re.compile(r"[（(](?:单位[:：])?\s*([^（）()]{1,8})\s*[）)]|单位[:：]\s*(\S{1,8})")
_BARE_NUMBER = re.compile(rf"^[-－−+]?\s*({ARABIC})$")
_CHANGE_HEADER = re.compile(r"增长|增速|增幅|同比|环比|比上年|下降|降幅|变动|增减")
_RATIO_HEADER = re.compile(r"比重|占比|比例|率")


def table_rows(paragraphs: Iterable[Paragraph]) -> dict[int, list[Paragraph]]:
    tables: dict[int, list[Paragraph]] = {}
    for p in paragraphs:
        if p.kind == "table" and p.table_row:
            tables.setdefault(p.table_row[0], []).append(p)
    return tables


def cells(text: str) -> list[tuple[int, str]]:
    """A row's text -> (offset, cell text) for each tab-separated cell."""
    out, at = [], 0
    for cell in text.split("\t"):
        out.append((at, cell))
        at += len(cell) + 1
    return out


def read_table(rows: list[Paragraph], year: int, delivered: int, default: Period | None):
    """Rows of one table -> (paragraph, start, end, value, unit, subject, measure, basis, period) per number."""
    header = [c for _, c in cells(rows[0].text)]
    for row in rows[1:]:
        row_cells = cells(row.text)
        if len(row_cells) < 2:
            continue
        subject = row_cells[0][1].strip()
        if not subject or _BARE_NUMBER.match(subject):
            continue
        for j, (at, cell) in enumerate(row_cells[1:], start=1):
            column = header[j] if j < len(header) else ""
            found = _cell_quantity(cell, column)
            if not found:
                continue
            start, end, value, unit = found
            period = find_period(column, year, delivered, default)
            measure, basis, value = _measure(column, unit, value)
            if re.search(rf"(?:{CHANGE_DOWN})$", cell[:start]) and value > 0:  # a cell reading 下降2.9%
                measure, basis, value = "change", basis or "yoy", -value
            yield row, at + start, at + end, value, unit, subject, measure, basis, period, column


def _cell_quantity(cell: str, column: str) -> tuple[int, int, float, str] | None:
    """The number in a cell with its unit: written in the cell (1228亿元) or in the column header."""
    quantities = find_quantities(cell)
    if len(quantities) == 1:
        q = quantities[0]
        return q.start, q.end, q.value, q.unit
    m = _BARE_NUMBER.match(cell.strip())
    if not m:
        return None
    offset = cell.index(m.group(1))
    unit = _header_unit(column)
    if unit is None:
        return None  # a number whose unit nobody states is not a fact we can publish
    sign = -1 if cell.strip()[:1] in "-－−" else 1
    return offset, offset + len(m.group(1)), sign * parse_number(m.group(1)), unit


def _header_unit(column: str) -> str | None:
    for m in _UNIT_IN_HEADER.finditer(column):
        unit = (m.group(1) or m.group(2)).replace("％", "%").strip()
        unit = {"百分点": "个百分点"}.get(unit, unit)
        if unit in code_list() or unit in ("%", "个百分点"):
            return unit
    return None


def _measure(column: str, unit: str, value: float) -> tuple[str, str, float]:
    if _CHANGE_HEADER.search(column):
        basis = "mom" if MOM_RE.search(column) else "yoy"
        if re.search(rf"(?:{CHANGE_DOWN}|降幅)", column) and value > 0:
            value = -value
        return "change", basis, value
    if unit in ("%", "‰") or _RATIO_HEADER.search(column):
        return "ratio", "", value
    return "level", "", value
