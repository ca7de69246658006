"""A release's tables -> one Excel workbook per table (xlsx/<table>.xlsx in the release folder).

Most people who download Chinese government data open it in Excel or WPS first; a CSV without a
byte order mark shows there as mojibake, and adding one would change the bytes every CSV reader,
checksum and scorer already relies on. So the CSVs stay as they are and each table is also offered
as a workbook, read from the Parquet file (the exact text: no formula escaping needed, every cell
is written as a typed value, never as a formula), with two header rows: the columns' Chinese and
English titles. Written once per release, with fixed dates, so the bytes depend on the data only:
the workbooks of the code lists every release carries (units, indicator codes) are built once per
process and linked to (`_recent`, keyed by the Parquet file's sha256, the table and its schema).

The workbook is xlsxwriter's (constant_memory mode): its frame (styles, theme, properties, the
sheet's columns and panes) is made by xlsxwriter once per table layout and kept (`_frames`); the
sheet's rows are made by sheet.py, the same text xlsxwriter writes, at a fraction of its cost. A
table sheet.py cannot write exactly (a value it does not cover, or more rows than FAST_ROWS) is
written by xlsxwriter cell by cell, so the bytes are xlsxwriter's either way.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import tempfile
import zipfile
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from ..recent import Recent
from .files import write_atomic, write_like, written
from .model import field_titles, python_columns, read_arrow, workbook_rel
from .sheet import MAX_CELL, column_cells, column_names, kind_of, rows_xml
from .zipped import zip_bytes

MAX_ROWS = 1_048_576 - 2  # Excel's sheet limit, less the two header rows
FAST_ROWS = 50_000  # a larger table is streamed by xlsxwriter, whose memory stays flat
_CREATED = dt.datetime(2000, 1, 1)
_SHEET = "xl/worksheets/sheet1.xml"
_DATE = ' s="2"'  # the date format: xlsxwriter numbers formats in the order first used, the header's first
_recent: OrderedDict[tuple, tuple[bytes, Path]] = OrderedDict()  # (parquet sha256, table, schema) -> (workbook bytes, where last written)
RECENT_KEPT = 16  # a release adds three tables of its own; the code lists stay among the recent
RECENT_MAX_BYTES = 4 << 20  # a larger workbook is not kept in memory
_frames: Recent[Frame] = Recent(16)  # (layout, has dates) -> frame


def ensure_release_workbooks(release: Path) -> list[Path]:
    """Release folder -> the workbook of each CSV table it describes, written once (skipped for a
    table Excel could not hold)."""
    try:
        descriptor = json.loads((release / "datapackage.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    out = []
    for res in descriptor.get("resources", []):
        table = str(res.get("name", ""))
        parquet = release / "data" / f"{table}.parquet"
        if res.get("format") != "csv" or not parquet.is_file():
            continue
        path = release / workbook_rel(table)
        # a workbook is fsynced after its rename (files.synced_together): one a crash left empty is made again
        if (path.is_file() and zipfile.is_zipfile(path)) or _write_workbook(parquet, res.get("schema") or {}, table, path):
            out.append(path)
    return out


def _write_workbook(parquet: Path, schema: dict, table: str, path: Path) -> bool:
    key = (hashlib.sha256(parquet.read_bytes()).hexdigest(), table, json.dumps(schema, sort_keys=True))
    if key in _recent:
        _recent.move_to_end(key)
        data, twin = _recent[key]
        write_like(path, data, twin)
        _recent[key] = data, path
        return True
    if not _build_workbook(parquet, schema, table, path):
        return False
    if path.stat().st_size <= RECENT_MAX_BYTES:
        _recent[key] = path.read_bytes(), path
        if len(_recent) > RECENT_KEPT:
            _recent.popitem(last=False)
    return True


@dataclass(frozen=True)
class Layout:
    """What a table's workbook shows besides its values: sheet name, header titles, column widths."""

    table: str
    titles: tuple[tuple[str, str], ...]  # each column's (Chinese, English) title
    widths: tuple[int, ...]


def _layout(names: list[str], schema: dict, table: str) -> Layout:
    fields = {f.get("name"): f for f in schema.get("fields", [])}
    return Layout(table, tuple(field_titles(fields.get(name) or {"name": name}) for name in names),
                  tuple(24 if fields.get(name, {}).get("type") == "string" else 12 for name in names))


def _build_workbook(parquet: Path, schema: dict, table: str, path: Path) -> bool:
    """Parquet file -> its workbook at `path`; False when Excel cannot hold its rows."""
    import pyarrow.parquet as pq

    data = read_arrow(parquet, max_rows=FAST_ROWS)
    if data is not None:
        layout = _layout(data.column_names, schema, table)
        fast = _fast_workbook(data, layout) if layout.titles else None
        if fast is not None:
            write_atomic(path, fast)
            return True
    source = pq.ParquetFile(parquet)
    if source.metadata.num_rows > MAX_ROWS:
        return False
    layout = _layout(source.schema_arrow.names, schema, table)
    rows = (values for batch in source.iter_batches(batch_size=10_000)
            for values in zip(*(c.to_pylist() for c in batch.columns)))
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        _xlsxwriter_workbook(layout, rows, tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    written(path)
    return True


def _fast_workbook(data, layout: Layout) -> bytes | None:
    """Arrow table -> the workbook xlsxwriter would write for it, or None when sheet.py cannot."""
    import pyarrow as pa

    columns = [column_cells(values, kind_of(column.type), _DATE)
               for column, values in zip(data.columns, python_columns(data))]
    if any(c is None for c in columns):
        return None
    letters = column_names(len(columns))
    body, last = rows_xml(columns, letters, 2)
    dated = any((pa.types.is_date(c.type) or pa.types.is_timestamp(c.type)) and c.null_count < len(c)
                for c in data.columns)
    frame = _frame(layout, dated)
    dimension = f'<dimension ref="A1:{letters[-1]}{max(last, 1) + 1}"/>'
    return frame.package(f"{frame.sheet_head}{dimension}{frame.sheet_start}{body}{frame.sheet_tail}".encode("utf-8"))


@dataclass(frozen=True)
class Frame:
    """A workbook as xlsxwriter writes it for one table layout, less its rows of values and its dimension."""

    members: tuple[tuple[zipfile.ZipInfo, bytes], ...]  # in xlsxwriter's order; the sheet's bytes empty
    sheet_head: str  # the sheet's text before <dimension>
    sheet_start: str  # from after <dimension> to the end of the two header rows
    sheet_tail: str  # from </sheetData> on

    def package(self, sheet: bytes) -> bytes:
        """Sheet XML -> the workbook's bytes: the zip xlsxwriter writes (ZipFile.write of each part's
        temporary file, read 8 KiB at a time; no Zip64)."""
        return zip_bytes([(info, sheet if info.filename == _SHEET else data) for info, data in self.members],
                         level=None, chunk=8192, allow_zip64=False)


def _frame(layout: Layout, dated: bool) -> Frame:
    """(table layout, whether a date cell is written) -> its frame, made by xlsxwriter once and kept:
    the workbook of the header rows alone (and of one date, for the date format in its styles)."""
    return _frames.get((layout, dated), lambda: _made_frame(layout, dated))


def _made_frame(layout: Layout, dated: bool) -> Frame:
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "frame.xlsx")
        _xlsxwriter_workbook(layout, [(dt.date(2000, 1, 1),)] if dated else [], path)
        with zipfile.ZipFile(path) as zf:
            members = tuple((info, b"" if info.filename == _SHEET else zf.read(info)) for info in zf.infolist())
            sheet = zf.read(_SHEET).decode("utf-8")
    head, rest = sheet.split('<dimension ref="', 1)
    start, tail = rest[rest.index('"/>') + 3:].rsplit("</sheetData>", 1)
    if dated:  # the date's row, row 3, is not part of the frame
        start = start[:start.index('<row r="3">')]
    return Frame(members, head, start, "</sheetData>" + tail)


def _xlsxwriter_workbook(layout: Layout, rows, path: str) -> None:
    """(layout, the rows' values) -> the workbook at `path`, written by xlsxwriter cell by cell."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(path, {"constant_memory": True, "strings_to_formulas": False,
                                    "strings_to_numbers": False, "strings_to_urls": False})
    wb.set_properties({"created": _CREATED, "title": layout.table})
    head, date = wb.add_format({"bold": True, "bg_color": "#EEEEEE"}), wb.add_format({"num_format": "yyyy-mm-dd"})
    ws = wb.add_worksheet(layout.table[:31])
    for col, width in enumerate(layout.widths):  # constant_memory: columns first, then each row in order
        ws.set_column(col, col, width)
    for row, header in enumerate(zip(*layout.titles)):
        for col, title in enumerate(header):
            ws.write_string(row, col, title, head)
    ws.freeze_panes(2, 0)
    for row, values in enumerate(rows, start=2):
        for col, value in enumerate(values):
            _write_cell(ws, row, col, value, date)
    wb.close()


def _write_cell(ws, row: int, col: int, value, date_format) -> None:
    if value is None:
        return
    if isinstance(value, bool):
        ws.write_boolean(row, col, value)
    elif isinstance(value, (int, float)):
        ws.write_number(row, col, value)
    elif isinstance(value, dt.date):
        ws.write_datetime(row, col, dt.datetime(value.year, value.month, value.day), date_format)
    else:
        ws.write_string(row, col, str(value)[:MAX_CELL])
