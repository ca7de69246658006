"""The workbooks portal/workbook.py writes are xlsxwriter's, byte for byte: for every kind of value
a table can hold, the fast path (sheet.py's rows in xlsxwriter's frame) gives the bytes that
xlsxwriter gives writing the same table cell by cell, or hands the table to xlsxwriter."""

from __future__ import annotations

import datetime as dt
import decimal
import json
import zipfile

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from reportpub.portal import workbook

SCHEMA_TYPES = {pa.string(): "string", pa.int64(): "integer", pa.float64(): "number", pa.bool_(): "boolean",
                pa.date32(): "date"}


def cell_by_cell(parquet, schema: dict, table: str, path) -> bytes:
    """The workbook xlsxwriter writes for the table one cell at a time (the writer of the main branch)."""
    source = pq.ParquetFile(parquet)
    layout = workbook._layout(source.schema_arrow.names, schema, table)
    rows = (values for batch in source.iter_batches(batch_size=10_000)
            for values in zip(*(c.to_pylist() for c in batch.columns)))
    workbook._xlsxwriter_workbook(layout, rows, str(path))
    return path.read_bytes()


def both(tmp_path, columns: dict, table: str = "t", *, fast_path: bool = True) -> tuple[bytes, bytes]:
    """Table columns -> (workbook._build_workbook's bytes, xlsxwriter's cell by cell); `fast_path`:
    whether sheet.py is expected to write the rows (else the table goes to xlsxwriter)."""
    data = pa.table(columns)
    parquet = tmp_path / f"{table}.parquet"
    pq.write_table(data, parquet)
    schema = {"fields": [{"name": n, "type": SCHEMA_TYPES.get(data.schema.field(n).type, "any"),
                          "description": f"列{i} / Column {i}", "title": f"Column {i}"}
                         for i, n in enumerate(data.column_names)]}
    layout = workbook._layout(data.column_names, schema, table)
    assert (workbook._fast_workbook(data, layout) is not None) == fast_path
    fast = tmp_path / f"{table}.xlsx"
    assert workbook._build_workbook(parquet, schema, table, fast)
    return fast.read_bytes(), cell_by_cell(parquet, schema, table, tmp_path / f"{table}-ref.xlsx")


TEXTS = ["正文", "", " leading", "trailing ", "\u3000全角空格", "tab\tinside", "line\nbreak", "a & b < c > d",
         'quote " and \' apostrophe', "control \x01\x1f chars", "_x0041_ looks escaped", "_X00ZZ_ does not",
         "<r>looks rich</r>", "<r>half", "\ufffe\uffff", "emoji 😀", "=1+1", "http://example.org", "0042", None]


@pytest.mark.parametrize("texts", [TEXTS, [t for t in TEXTS if t is not None and "<r>" not in t],
                                   ["plain", "text", "only"], [None, None, None]])
def test_text_cells_are_xlsxwriters(tmp_path, texts):
    fast, reference = both(tmp_path, {"text": pa.array(texts, pa.string()), "n": list(range(len(texts)))},
                           fast_path="<r>looks rich</r>" not in texts)  # xlsxwriter writes that unescaped
    assert fast == reference


def test_long_texts_are_xlsxwriters(tmp_path):
    texts = ["x" * 16_383, "y" * 16_384, "z" * 40_000, "😀" * 20_000, "中" * 33_000]
    fast, reference = both(tmp_path, {"text": texts}, fast_path=False)  # xlsxwriter cuts them in UTF-16 units
    assert fast == reference


def test_numbers_booleans_and_dates_are_xlsxwriters(tmp_path):
    fast, reference = both(tmp_path, {
        "int": pa.array([0, -7, 10**15, 10**16 - 1, 10**16, -10**17, 2**62, None], pa.int64()),
        "small": pa.array([1, 2, None, 4, 5, 6, 7, 8], pa.int8()),
        "float": pa.array([0.1 + 0.2, 1e-7, 1e20, -0.0, 29.8, 1 / 3, 123456789.123456789, None]),
        "bool": pa.array([True, False, None, True, False, True, None, False]),
        "date": pa.array([dt.date(1900, 1, 1), dt.date(1900, 2, 28), dt.date(1900, 3, 1), dt.date(1, 1, 1),
                          dt.date(9999, 12, 31), dt.date(2022, 6, 30), None, dt.date(1899, 12, 31)]),
    })
    assert fast == reference


def test_other_types_are_written_as_xlsxwriter_writes_them(tmp_path):
    fast, reference = both(tmp_path, {
        "stamp": pa.array([dt.datetime(2022, 1, 2, 3, 4, 5), None], pa.timestamp("us")),
        "zoned": pa.array([dt.datetime(2022, 1, 2, 23, 0, tzinfo=dt.timezone.utc), None], pa.timestamp("s", "UTC")),
        "time": pa.array([dt.time(12, 30), None]),
        "decimal": pa.array([decimal.Decimal("1.50"), None], pa.decimal128(5, 2)),
        "binary": pa.array([b"\x00\x01", None]),
        "list": pa.array([[1, 2], None]),
        "dict": pa.array(["a", "b"]).dictionary_encode(),
    })
    assert fast == reference


def test_rows_without_a_value_are_left_out_as_xlsxwriter_does(tmp_path):
    for values in ([None, "a", None, None, "b", None, None], [None] * 4, ["a", None, None]):
        fast, reference = both(tmp_path, {"a": pa.array(values, pa.string()),
                                          "b": pa.array([None] * len(values), pa.int64())})
        assert fast == reference


def test_an_empty_table_is_xlsxwriters(tmp_path):
    fast, reference = both(tmp_path, {"a": pa.array([], pa.string()), "b": pa.array([], pa.date32())})
    assert fast == reference


def test_frames_are_kept_per_layout_and_dates(tmp_path):
    """The same layout with and without a date written, and another layout, each get their own frame."""
    for table, columns in [("x", {"d": pa.array([dt.date(2022, 1, 1)])}), ("x", {"d": pa.array([None], pa.date32())}),
                           ("y", {"d": pa.array([dt.date(2022, 1, 1)])}), ("x", {"d": pa.array([dt.date(2023, 5, 1)])})]:
        fast, reference = both(tmp_path, columns, table)
        assert fast == reference


def test_sample_tables_are_xlsxwriters(sample_portal, tmp_path):
    checked = 0
    for descriptor in sample_portal.path.glob("datasets/*/releases/*/datapackage.json"):
        release = descriptor.parent
        for res in json.loads(descriptor.read_text(encoding="utf-8"))["resources"]:
            if res.get("format") != "csv":
                continue
            parquet = release / "data" / f"{res['name']}.parquet"
            shown = release / "xlsx" / f"{res['name']}.xlsx"
            reference = cell_by_cell(parquet, res.get("schema") or {}, res["name"], tmp_path / "ref.xlsx")
            assert shown.read_bytes() == reference, shown
            with zipfile.ZipFile(shown) as zf:
                assert zf.testzip() is None
            checked += 1
    assert checked >= 9
