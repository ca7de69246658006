"""Parquet twins: checked against the Table Schema with pyarrow, and against their CSV row by row.

Frictionless 5.21 does not validate Parquet the way it does CSV, so the schema's promises
(names, types, required, enum, ranges, patterns, keys) are re-checked here with vectorised
pyarrow.compute: one pass per constraint, whatever the number of rows.
"""

from __future__ import annotations

import operator
from collections.abc import Iterator

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .. import csvsafe
from .base import MAX_ROWS, Check, Problem, Unavailable, agree, content_key, jsonable, plural, rows_from_records
from .data import TABLES, PackageData, arrow_type, parquet_name

_COMPATIBLE = {
    "string": lambda t: pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t),
    "integer": pa.types.is_integer,
    "year": pa.types.is_integer,
    "number": lambda t: pa.types.is_floating(t) or pa.types.is_integer(t) or pa.types.is_decimal(t),
    "boolean": pa.types.is_boolean,
    "date": pa.types.is_date,
    "datetime": pa.types.is_timestamp,
}


def compatible(ts_type: str, arrow: pa.DataType) -> bool:
    """Can an Arrow column of this type hold the values of a Table Schema field of ts_type?"""
    if pa.types.is_dictionary(arrow):
        arrow = arrow.value_type
    test = _COMPATIBLE.get(ts_type)
    return True if test is None else bool(test(arrow))


# Verdicts "no problem" by the content they were reached on: every package carries the same code
# lists (units, indicator codes), checked once per process instead of once per package. A check of
# a table is a function of its files' bytes and its resources' descriptors, which make the key.
_seen: set[tuple] = set()  # (check, table, sha256 of its files) met once
_clean: set[tuple] = set()  # ... met again, with the resources' descriptors: no problem
KEPT = 4096  # keys of each; then they start again


def _clean_key(data: PackageData, check: str, table: str, *, parquet: bool = False, csv: bool = False):
    """(check, table, files) -> the key of its verdict; None when a file cannot be read, or when its
    content is met for the first time (a report's own tables: no descriptor to serialise)."""
    if len(_seen) > KEPT or len(_clean) > KEPT:
        _seen.clear()
        _clean.clear()
    names = [n for n, wanted in ((table, csv), (parquet_name(table), parquet)) if wanted]
    try:
        files = (check, table, *(data.sha256(data.path(n)) for n in names))
        if files not in _seen:
            _seen.add(files)
            return None
        return (*files, *((content_key(data.resource(n)),
                           content_key(data.schema(n)) if isinstance(data.resource(n).get("schema"), str)
                           else None) for n in names))
    except (Unavailable, OSError, TypeError, ValueError):
        return None


def parquet_schema(data: PackageData) -> Iterator[Problem]:
    for table in TABLES:
        key = _clean_key(data, "parquet_schema", table, parquet=True)
        if key in _clean:
            continue
        problems = list(_parquet_schema(data, table))
        if not problems and key is not None:
            _clean.add(key)
        yield from problems


def _parquet_schema(data: PackageData, table: str) -> Iterator[Problem]:
    name = parquet_name(table)
    try:
        schema = data.schema(name)
        path = data.path(name)
        try:
            found = data.parquet(table).schema  # the file's schema, as read_schema gives it
        except Unavailable:
            found = pq.read_schema(path)
    except Unavailable as exc:
        yield Problem(str(exc), name)
        return
    except (pa.ArrowException, OSError) as exc:
        yield Problem(f"{name}: cannot read the Parquet schema: {exc}", name)
        return
    fields = schema["fields"]
    expected = [f["name"] for f in fields]
    if found.names != expected:
        yield _names_problem(name, expected, found.names)
    bad_types = [{"field": f["name"], "table_schema_type": f.get("type", "string"),
                  "arrow_type": str(found.field(f["name"]).type)}
                 for f in fields if f["name"] in found.names
                 and not compatible(f.get("type", "string"), found.field(f["name"]).type)]
    if bad_types:
        yield Problem(f"{name}: {plural(len(bad_types), 'column')} with an Arrow type that cannot hold the "
                      f"schema's type ({', '.join(r['field'] for r in bad_types)})", name,
                      rows_from_records(bad_types))
    try:
        tbl = data.parquet(table)
    except Unavailable as exc:
        yield Problem(str(exc), name)
        return
    typed, present = {r["field"] for r in bad_types}, set(tbl.column_names)
    checkable = [f for f in fields if f["name"] in present and f["name"] not in typed]
    yield from _constraints(name, tbl, checkable, schema)


def _names_problem(name: str, expected: list[str], found: list[str]) -> Problem:
    missing = [n for n in expected if n not in found]
    extra = [n for n in found if n not in expected]
    parts = []
    if missing:
        parts.append(f"missing {', '.join(missing)}")
    if extra:
        parts.append(f"unexpected {', '.join(extra)}")
    if not parts:
        parts.append("same columns in a different order")
    width = max(len(expected), len(found))
    padded = [(expected + [None] * width)[:width], (found + [None] * width)[:width]]
    rows = [{"position": i + 1, "expected": e, "found": f} for i, (e, f) in enumerate(zip(*padded)) if e != f]
    return Problem(f"{name}: columns differ from the schema: {'; '.join(parts)}", name, rows_from_records(rows))


def _constraints(name: str, tbl: pa.Table, fields: list[dict], schema: dict) -> Iterator[Problem]:
    key = _as_list(schema.get("primaryKey"))
    key = [k for k in key if k in tbl.column_names]
    for field in fields:
        col = tbl.column(field["name"])
        if pa.types.is_dictionary(col.type):
            col = col.cast(col.type.value_type)
        constraints = field.get("constraints") or {}
        for constraint, value in constraints.items():
            try:
                bad = _violations(col, field, constraint, value)
            except (pa.ArrowException, ValueError, TypeError) as exc:
                yield Problem(f"{name}: cannot evaluate {constraint}={value!r} on {field['name']}: {exc}", name)
                continue
            if bad is not None:
                yield _rows_problem(name, tbl, bad, key, field["name"],
                                    f"{field['name']} breaks {constraint}={_show(value)}")
    if key and len(key) == len(_as_list(schema.get("primaryKey"))):
        bad = duplicates(tbl, key)
        if bad is not None:
            yield _rows_problem(name, tbl, bad, key, None, f"primary key ({', '.join(key)}) is not unique")


def _violations(col: pa.ChunkedArray, field: dict, constraint: str, value) -> pa.ChunkedArray | None:
    """One constraint over a whole column -> boolean mask of offending rows, or None when none offend.

    The common verdict, nothing offends, is reached with as few passes over the column as possible."""
    if constraint == "required":
        bad = pc.is_null(col) if value and col.null_count else None
    elif constraint == "unique":
        distinct = pc.count_distinct(col, mode="only_valid").as_py() if value else None
        bad = duplicates(pa.table({"v": col}), ["v"]) if value and distinct != len(col) - col.null_count else None
    elif constraint == "enum":
        if _all_pass(col, ("enum", repr(value)), lambda new: pc.is_in(new, value_set=pa.array(value).cast(col.type))):
            return None  # a rule met before on the same values: its cast succeeded then, and would now
        allowed = pa.array(value).cast(col.type)
        bad = pc.and_(pc.is_valid(col), pc.invert(pc.is_in(col, value_set=allowed)))
    elif constraint in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        bound = _bound(value, arrow_type(field), col.type)
        if _keeps(col, constraint, bound):
            return None
        compare = {"minimum": pc.less, "maximum": pc.greater,
                   "exclusiveMinimum": pc.less_equal, "exclusiveMaximum": pc.greater_equal}[constraint]
        bad = compare(col, bound)
    elif constraint == "pattern":
        if _all_pass(col, ("pattern", value), lambda new: pc.match_substring_regex(new, f"^(?:{value})$")):
            return None
        bad = pc.invert(pc.match_substring_regex(col, f"^(?:{value})$"))
    elif constraint in ("minLength", "maxLength"):
        length = pc.utf8_length(col) if pa.types.is_string(col.type) or pa.types.is_large_string(col.type) \
            else pc.list_value_length(col)
        bad = (pc.less if constraint == "minLength" else pc.greater)(length, value)
    else:
        return None
    if bad is None or not pc.any(bad).as_py():  # any() skips nulls: a null verdict offends nobody
        return None
    return pc.fill_null(bad, False)


_bounds: dict[tuple, pa.Scalar] = {}  # (bound as written, schema type, column type) -> the bound cast


def _bound(value, schema_type: pa.DataType, column_type: pa.DataType) -> pa.Scalar:
    """A bound of the schema -> a scalar of the column's type (two casts, made once per bound and type)."""
    key = (repr(value), schema_type, column_type)
    if key not in _bounds:
        if len(_bounds) > KEPT:
            _bounds.clear()
        _bounds[key] = pa.scalar(value).cast(schema_type).cast(column_type)
    return _bounds[key]


_KEEPS = {"minimum": operator.ge, "maximum": operator.le, "exclusiveMinimum": operator.gt,
          "exclusiveMaximum": operator.lt}


def _keeps(col: pa.ChunkedArray, constraint: str, bound: pa.Scalar) -> bool:
    """True when the column's extreme value keeps the bound, so that no value breaks it (one min_max
    pass instead of a comparison and an any); False: not proven, compare value by value. Integers and
    dates only: Python orders them as Arrow does (a float column could hold NaN)."""
    if not (pa.types.is_integer(col.type) or pa.types.is_date32(col.type)) or not bound.is_valid:
        return False
    edge = pc.min_max(col)["min" if constraint.endswith("inimum") else "max"].as_py()
    return edge is not None and _KEEPS[constraint](edge, bound.as_py())


# What a value-by-value rule (enum, pattern) said of each distinct value already met, so that a
# column of values seen before (a measure, a status, a report's id in its three tables) costs no
# kernel call, and a regular expression is not compiled again for them.
_verdicts: dict[tuple, bool] = {}
VERDICTS_KEPT = 50_000


def _all_pass(col: pa.ChunkedArray, rule: tuple, judge) -> bool:
    """True when every non-null value of a string or integer column passes `judge` (the rule's own
    Arrow kernel, run on the values not met before); False means: not proven, check the column."""
    if not (pa.types.is_string(col.type) or pa.types.is_integer(col.type)):
        return False
    if len(_verdicts) > VERDICTS_KEPT:
        _verdicts.clear()
    kind = (*rule, str(col.type))
    values = [v for v in pc.unique(col).to_pylist() if v is not None]
    new = [v for v in values if (*kind, v) not in _verdicts]
    if new:
        try:
            passed = judge(pa.array(new, col.type)).to_pylist()
        except (pa.ArrowException, ValueError, TypeError):
            return False
        _verdicts.update({(*kind, v): ok is True for v, ok in zip(new, passed)})
    return all(_verdicts[(*kind, v)] for v in values)


def duplicates(tbl: pa.Table, keys: list[str]) -> pa.ChunkedArray | None:
    """Rows whose key (no null part) occurs more than once -> boolean mask, or None."""
    n = tbl.num_rows
    types = [tbl.column(k).type for k in keys] if len(set(tbl.column_names)) == len(tbl.column_names) else []
    if types and all(pa.types.is_string(t) or pa.types.is_integer(t) for t in types):
        # values Python compares as Arrow groups them: all distinct, nothing repeats
        if len(set(zip(*(tbl.column(k).to_pylist() for k in keys)))) == n:
            return None
    indexed = tbl.select(keys).append_column("__row", pa.array(np.arange(n, dtype=np.int64)))
    counts = indexed.group_by(keys, use_threads=False).aggregate([("__row", "count")])
    repeated = counts.filter(pc.greater(counts["__row_count"], 1)).select(keys)
    if repeated.num_rows == 0:
        return None
    rows = indexed.join(repeated, keys=keys, join_type="inner")["__row"]
    mask = np.zeros(n, dtype=bool)
    mask[rows.to_numpy()] = True
    return pa.chunked_array([pa.array(mask)])


def _rows_problem(name, tbl, mask, key, field, what) -> Problem:
    index = pc.indices_nonzero(mask)
    count = len(index)
    head = index.slice(0, MAX_ROWS)
    picked = tbl.select(list(dict.fromkeys([*key, *([field] if field else [])]))).take(head).to_pylist()
    rows = [{"row": int(i) + 1, **rec} for i, rec in zip(head.to_pylist(), picked)]
    return Problem(f"{name}: {plural(count, 'row')}: {what}", name, rows_from_records(rows))


def _show(value) -> str:
    return value if isinstance(value, str) else repr(value)


def _as_list(value) -> list[str]:
    return [value] if isinstance(value, str) else list(value or [])


# --- CSV and Parquet hold the same rows -------------------------------------------------------


def csv_parquet_same_rows(data: PackageData) -> Iterator[Problem]:
    for table in TABLES:
        key = _clean_key(data, "csv_parquet_same_rows", table, parquet=True, csv=True)
        if key in _clean:
            continue
        problems = list(_same_rows(data, table))
        if not problems and key is not None:
            _clean.add(key)
        yield from problems


def _same_rows(data: PackageData, table: str) -> Iterator[Problem]:
    try:
        csv, parquet, schema = data.csv(table), data.parquet(table), data.schema(table)
    except Unavailable as exc:
        yield Problem(f"not compared: {exc}", exc.resource or table)
        return
    in_both = set(csv.column_names) & set(parquet.column_names)  # column_names builds a list per call
    columns = [f["name"] for f in schema["fields"] if f["name"] in in_both]
    left = csv.select(columns).combine_chunks()
    if _may_hold_escapes(data, table):
        left = _unescaped(left)
    right, uncastable = _cast_like(parquet.select(columns), left.schema)
    if uncastable:
        yield Problem(f"{table}: {plural(len(uncastable), 'column')} of the Parquet cannot be cast to the CSV's "
                      f"types, not compared: {', '.join(uncastable)}", parquet_name(table))
        columns = [c for c in columns if c not in uncastable]
        left, right = left.select(columns), right.select(columns)
    if left.equals(right):
        return
    if left.num_rows != right.num_rows:
        yield _count_problem(table, left, right, _as_list(schema.get("primaryKey")))
    else:
        yield _cell_problem(table, left, right, _located(data, table, left, _as_list(schema.get("primaryKey"))))


def _may_hold_escapes(data: PackageData, table: str) -> bool:
    """False when a UTF-8 CSV holds no apostrophe at all, so no cell can carry the formula escape."""
    if str(data.resource(table).get("encoding") or "utf-8").lower().replace("_", "-") not in ("utf-8", "utf8"):
        return True
    try:
        return csvsafe.ESCAPE.encode() in data.read_bytes(data.path(table))
    except (OSError, Unavailable):
        return True


def _unescaped(tbl: pa.Table) -> pa.Table:
    """Undo the CSV's formula escape (csvsafe) so that text compares with the Parquet's. Only a column
    with a cell that starts with the escape can hold one (a prefix test costs a tenth of the regex)."""
    arrays = [csvsafe.unescape_column(col) if pa.types.is_string(col.type)
              and pc.any(pc.starts_with(col, csvsafe.ESCAPE)).as_py() else col for col in tbl.columns]
    return pa.Table.from_arrays(arrays, schema=tbl.schema)


def _cast_like(tbl: pa.Table, schema: pa.Schema) -> tuple[pa.Table, list[str]]:
    arrays, uncastable = [], []
    for field in schema:
        col = tbl.column(field.name)
        try:
            arrays.append(col.cast(field.type) if col.type != field.type else col)
        except (pa.ArrowException, ValueError):
            arrays.append(pa.nulls(tbl.num_rows, field.type))
            uncastable.append(field.name)
    return pa.Table.from_arrays(arrays, schema=schema).combine_chunks(), uncastable


def _count_problem(table: str, csv: pa.Table, parquet: pa.Table, key: list[str]) -> Problem:
    message = (f"{table}: the CSV has {plural(csv.num_rows, 'row')}, the Parquet {plural(parquet.num_rows, 'row')}")
    if not key or not all(k in csv.column_names for k in key):
        return Problem(message, table)
    rows = []
    for where, a, b in (("csv only", csv, parquet), ("parquet only", parquet, csv)):
        only = a.select(key).join(b.select(key), keys=key, join_type="left anti")
        rows += [{"where": where, **rec} for rec in only.slice(0, MAX_ROWS).to_pylist()]
    return Problem(message, table, rows_from_records(rows))


# What names a row to a steward: its key and, for a fact, where its quote stands in the report.
_WHERE = ("report_id", "paragraph_id", "char_start", "char_end", "quote")


def _located(data: PackageData, table: str, csv: pa.Table, key: list[str]):
    """Row index -> the row's key (as the CSV has it) and, for a fact, its paragraph, offsets, quote
    and paragraph text: a row number alone says nothing once the tables are sorted or filtered."""
    columns = [c for c in dict.fromkeys([*key, *(_WHERE if table == "facts" else ())]) if c in csv.column_names]
    texts = {}
    if table == "facts":
        try:
            paragraphs = data.csv("paragraphs").select(["report_id", "paragraph_id", "text"]).to_pylist()
            texts = {(p["report_id"], p["paragraph_id"]): p["text"] for p in paragraphs}
        except (Unavailable, KeyError, pa.ArrowException):
            texts = {}

    def locate(i: int) -> dict:
        row = {c: jsonable(csv.column(c)[i].as_py()) for c in columns}
        text = texts.get((row.get("report_id"), row.get("paragraph_id")))
        if text is not None:
            row["paragraph_text"] = text
        return row if columns else {"row": i + 1}
    return locate


def _cell_problem(table: str, csv: pa.Table, parquet: pa.Table, locate=None) -> Problem:
    differs = {}
    for name in csv.column_names:
        a, b = csv.column(name), parquet.column(name)
        same = pc.or_kleene(pc.equal(a, b), pc.and_(pc.is_null(a), pc.is_null(b)))
        bad = pc.invert(pc.fill_null(same, False))
        if pc.any(bad).as_py():
            differs[name] = bad.to_numpy(zero_copy_only=False)
    if not differs:  # equal values, different layout (e.g. nullability metadata)
        return Problem(f"{table}: CSV and Parquet tables differ in metadata only", table)
    any_bad = np.logical_or.reduce(list(differs.values()))
    index = np.flatnonzero(any_bad)
    rows = []
    for i in index[:MAX_ROWS]:
        row = locate(int(i)) if locate else {"row": int(i) + 1}
        for name, mask in differs.items():
            if mask[i]:
                row[f"{name} (csv)"] = jsonable(csv.column(name)[int(i)].as_py())
                row[f"{name} (parquet)"] = jsonable(parquet.column(name)[int(i)].as_py())
        rows.append(row)
    summary = ", ".join(f"{n} ×{int(m.sum())}" for n, m in differs.items())
    return Problem(f"{table}: {plural(len(index), 'row')} {agree(len(index), 'differs', 'differ')} between CSV and "
                   f"Parquet ({summary})",
                   table, tuple(rows))


CHECKS = (
    Check("structure.parquet_schema", parquet_schema,
          "Parquet columns, Arrow types and the schema's constraints and primary key, checked with pyarrow",
          zh="Parquet 的列、Arrow 类型及表结构的约束和主键（pyarrow 校验）"),
    Check("structure.csv_parquet_same_rows", csv_parquet_same_rows,
          "each CSV and its Parquet twin hold identical rows once both are cast to the schema's types",
          zh="每个 CSV 与其 Parquet 副本按表结构类型转换后各行相同"),
)
