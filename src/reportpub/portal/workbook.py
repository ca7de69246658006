"""A release's tables -> one Excel workbook per table (xlsx/<table>.xlsx in the release folder).

Most people who download Chinese government data open it in Excel or WPS first; a CSV without a
byte order mark shows there as mojibake, and adding one would change the bytes every CSV reader,
checksum and scorer already relies on. So the CSVs stay as they are and each table is also offered
as a workbook, read from the Parquet file (the exact text: no formula escaping needed, every cell
is written as a typed value, never as a formula), with two header rows: the columns' Chinese and
English titles. Written once per release, with fixed dates, so the bytes depend on the data only:
the workbooks of the code lists every release carries (units, indicator codes) are built once per
process and copied (`_recent`, keyed by the Parquet file's sha256, the table and its schema).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import tempfile
from collections import OrderedDict
from pathlib import Path

from .files import write_atomic
from .model import field_titles, workbook_rel

MAX_ROWS = 1_048_576 - 2  # Excel's sheet limit, less the two header rows
MAX_CELL = 32_767  # characters Excel keeps in one cell
_CREATED = dt.datetime(2000, 1, 1)
_recent: OrderedDict[tuple, bytes] = OrderedDict()  # (parquet sha256, table, schema) -> workbook bytes
RECENT_KEPT = 16  # a release adds three tables of its own; the code lists stay among the recent
RECENT_MAX_BYTES = 4 << 20  # a larger workbook is not kept in memory


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
        if path.is_file() or _write_workbook(parquet, res.get("schema") or {}, table, path):
            out.append(path)
    return out


def _write_workbook(parquet: Path, schema: dict, table: str, path: Path) -> bool:
    key = (hashlib.sha256(parquet.read_bytes()).hexdigest(), table, json.dumps(schema, sort_keys=True))
    if key in _recent:
        _recent.move_to_end(key)
        write_atomic(path, _recent[key])
        return True
    if not _build_workbook(parquet, schema, table, path):
        return False
    if path.stat().st_size <= RECENT_MAX_BYTES:
        _recent[key] = path.read_bytes()
        if len(_recent) > RECENT_KEPT:
            _recent.popitem(last=False)
    return True


def _build_workbook(parquet: Path, schema: dict, table: str, path: Path) -> bool:
    import pyarrow.parquet as pq
    import xlsxwriter

    source = pq.ParquetFile(parquet)
    if source.metadata.num_rows > MAX_ROWS:
        return False
    fields = {f.get("name"): f for f in schema.get("fields", [])}
    names = source.schema_arrow.names
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        wb = xlsxwriter.Workbook(tmp, {"constant_memory": True, "strings_to_formulas": False,
                                       "strings_to_numbers": False, "strings_to_urls": False})
        wb.set_properties({"created": _CREATED, "title": table})
        head, date = wb.add_format({"bold": True, "bg_color": "#EEEEEE"}), wb.add_format({"num_format": "yyyy-mm-dd"})
        ws = wb.add_worksheet(table[:31])
        titles = [field_titles(fields.get(name) or {"name": name}) for name in names]
        for col, name in enumerate(names):  # constant_memory: columns first, then each row in order
            ws.set_column(col, col, 24 if fields.get(name, {}).get("type") == "string" else 12)
        for row, header in enumerate(zip(*titles)):
            for col, title in enumerate(header):
                ws.write_string(row, col, title, head)
        ws.freeze_panes(2, 0)
        row = 2
        for batch in source.iter_batches(batch_size=10_000):
            for values in zip(*(c.to_pylist() for c in batch.columns)):
                for col, value in enumerate(values):
                    _write_cell(ws, row, col, value, date)
                row += 1
        wb.close()
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return True


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
