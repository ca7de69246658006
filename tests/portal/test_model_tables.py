"""model.read_table: a release's table as rows, dates as ISO text, the same rows whoever read the
file first (the workbooks and the pages share one read of each table)."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pyarrow.parquet as pq

from reportpub.portal.model import read_arrow, read_table


def test_rows_are_the_parquet_rows_with_iso_dates(tmp_path):
    (tmp_path / "data").mkdir()
    table = pa.table({"id": ["a", "b", None], "n": [1, None, 3], "x": [0.5, None, 2.0],
                      "day": pa.array([dt.date(2022, 1, 31), None, dt.date(1900, 1, 1)]),
                      "at": pa.array([dt.datetime(2022, 1, 2, 3, 4, 5), None, None], pa.timestamp("s")),
                      "time": pa.array([dt.time(12, 30), None, dt.time(0, 0)]),
                      "tags": pa.array([["x"], [], None])})
    pq.write_table(table, tmp_path / "data" / "t.parquet")
    assert read_table(tmp_path, "t") == [
        {"id": "a", "n": 1, "x": 0.5, "day": "2022-01-31", "at": "2022-01-02T03:04:05", "time": "12:30:00", "tags": ["x"]},
        {"id": "b", "n": None, "x": None, "day": None, "at": None, "time": None, "tags": []},
        {"id": None, "n": 3, "x": 2.0, "day": "1900-01-01", "at": None, "time": "00:00:00", "tags": None}]


def test_a_rewritten_file_is_read_again(tmp_path):
    path = tmp_path / "t.parquet"
    pq.write_table(pa.table({"v": ["aaaa"]}), path)
    assert read_arrow(path).column("v").to_pylist() == ["aaaa"]
    pq.write_table(pa.table({"v": ["bbbb"]}), path)  # same size, maybe the same mtime
    assert read_arrow(path).column("v").to_pylist() == ["bbbb"]
    assert read_arrow(path, max_rows=0) is None


def test_a_table_without_parquet_is_read_from_its_csv(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "t.csv").write_text("a,b\n1,x\n", encoding="utf-8")
    assert read_table(tmp_path, "t") == [{"a": "1", "b": "x"}]
    assert read_table(tmp_path, "missing") == []
