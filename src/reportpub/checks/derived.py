"""Tables -> the pandas frames the expectation suites run on, with the joined columns they need.

Great Expectations checks one frame at a time, so anything that needs another table (the
paragraph a quote comes from, the factor of a unit) is joined here first and handed over as a
column whose name starts with `_`. All of it is vectorised: the quote/paragraph comparison runs on
the code points of all paragraphs at once (numpy), not row by row.
"""

from __future__ import annotations

from collections import Counter, defaultdict

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .base import MAX_ROWS, rows_from_records
from .data import PackageData, shared

# Columns shown for every offending row of a resource, before the columns the rule looks at.
ROW_COLUMNS = {
    "reports": ("report_id", "title"),
    "paragraphs": ("report_id", "paragraph_id", "kind", "text"),
}
FACT_COLUMNS = ("fact_id", "report_id", "paragraph_id", "char_start", "char_end", "quote", "subject", "measure",
                "value", "unit")


def facts_frame(data: PackageData) -> pd.DataFrame:
    return data.memo(("derived", "facts"), lambda: with_columns(data.frame("facts"), facts_extra(data)))


def facts_extra(data: PackageData) -> dict[str, object]:
    """The joined columns of the facts: one array per column, a value per fact."""
    return data.memo(("extra", "facts"), lambda: _facts_extra(data))


def _facts_extra(data: PackageData) -> dict[str, object]:
    facts, paragraphs, units = data.table("facts"), data.table("paragraphs"), data.table("units")
    extra: dict[str, object] = {}  # the joined columns, added to the facts frame in one step

    # The paragraph each fact stands in (-1: none), by (report_id, paragraph_id).
    key = ["report_id", "paragraph_id"]
    pidx = lookup(row_keys(facts, key), row_keys(paragraphs, key))
    has_par = pidx >= 0
    texts = paragraphs.column("text")
    text_objects = np.append(_objects(paragraphs, "text"), None)  # [-1] -> None
    extra["_paragraph_text"] = text_objects[pidx]
    extra["_quote_matches_text"] = quote_matches(facts, texts, pidx)
    p_start, p_end = _floats(paragraphs, "source_start"), _floats(paragraphs, "source_end")
    safe = np.where(has_par, pidx, 0)
    s_start, s_end = _floats(facts, "source_start"), _floats(facts, "source_end")
    within = has_par & (s_start < s_end)
    if len(p_start):
        within &= (s_start >= p_start[safe]) & (s_end <= p_end[safe])
    extra["_source_within_paragraph"] = within

    # The unit's row of the code list: factor, base unit and kind (NaN where the unit is not listed).
    first, base_objects, factors, kinds = shared(("units-index", data.table_digest("units")), lambda: (
        first_rows(row_keys(units, ["unit"])), np.append(_objects(units, "unit_base"), np.nan),
        np.append(_floats(units, "factor"), np.nan), np.append(_objects(units, "kind"), np.nan)))
    uidx = positions(row_keys(facts, ["unit"]), first)
    expected_base_of, factor_of, kind_of = base_objects[uidx], factors[uidx], kinds[uidx]
    known = ~np.isnan(factor_of)  # listed, with a factor
    no_unit = facts.column("unit").is_null().to_numpy(zero_copy_only=False)
    factor = np.where(no_unit, 1.0, factor_of)
    value, value_base = _floats(facts, "value"), _floats(facts, "value_base")
    expected = value * factor
    extra["_value_base_expected"] = np.where(known | no_unit, expected, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.abs(value_base - expected) / np.abs(expected)
    rel = np.where(expected == 0, np.where(value_base == 0, 0.0, np.inf), rel)
    rel = np.where(np.isnan(value_base), np.inf, rel)  # a known unit needs a base value
    rel = np.where(no_unit & np.isnan(value_base), np.nan, rel)  # bare ratio part: may have none
    extra["_value_base_rel_error"] = np.where(known | no_unit, rel, np.nan)  # unknown unit: its own check
    unit_base = pc.fill_null(facts.column("unit_base"), "").to_numpy(zero_copy_only=False).astype(object)
    expected_base = np.where(pd.isna(expected_base_of), "", expected_base_of)
    extra["_unit_base_matches"] = np.where(known, unit_base == expected_base, True) & (~no_unit | (unit_base == ""))
    extra["_unit_kind"] = kind_of
    extra["_factor"] = factor_of
    extra["_unit_base_expected"] = expected_base_of
    with np.errstate(invalid="ignore"):
        extra["_value_base_fraction"] = np.abs(value_base - np.round(value_base)) / np.maximum(np.abs(value_base), 1.0)
    extra.update(_indicator_columns(facts, kind_of, data))
    return extra


def with_columns(frame: pd.DataFrame, extra: dict[str, object]) -> pd.DataFrame:
    """frame + new columns, as assigning them one by one would give, in one step: a frame of a few
    dozen rows costs pandas more per assignment than per row."""
    if any(name in frame.columns for name in extra):  # a package naming a column like ours: slow path
        frame = frame.copy()
        for name, values in extra.items():
            frame[name] = values
        return frame
    return pd.concat([frame, pd.DataFrame(extra, index=frame.index)], axis=1)


def _floats(table: pa.Table, column: str) -> np.ndarray:
    """A numeric column as floats, nulls as NaN."""
    return table.column(column).to_numpy(zero_copy_only=False).astype(float)


def _objects(table: pa.Table, column: str) -> np.ndarray:
    """A string column as Python objects, nulls as NaN (as pandas gives them)."""
    return np.asarray([np.nan if v is None else v for v in table.column(column).to_pylist()], dtype=object)


_MISSING = object()  # a null key: equal to other null keys only, as in a pandas merge


def row_keys(table: pa.Table, columns: list[str]) -> list[tuple]:
    """Key columns of a table -> one tuple per row, nulls as _MISSING."""
    cols = [[_MISSING if v is None or v != v else v for v in table.column(c).to_pylist()] for c in columns]
    return list(zip(*cols))


def lookup(keys: list[tuple], table_keys: list[tuple]) -> np.ndarray:
    """Each key -> the position of its first row in table_keys, or -1 (a left join on a unique key)."""
    return positions(keys, first_rows(table_keys))


def first_rows(table_keys: list[tuple]) -> dict[tuple, int]:
    """Each key -> the position of its first row."""
    first: dict[tuple, int] = {}
    for i, key in enumerate(table_keys):
        first.setdefault(key, i)
    return first


def positions(keys: list[tuple], first: dict[tuple, int]) -> np.ndarray:
    """Each key -> its row in `first`, or -1."""
    return np.fromiter((first.get(k, -1) for k in keys), dtype=np.int64, count=len(keys))


def _indicator_columns(facts: pa.Table, kind_of: np.ndarray, data: PackageData) -> dict[str, object]:
    """_indicator_fits: the fact's measure is one its indicator takes and its unit is of the indicator's
    kind (or a percentage for a change or rate); _indicator_consistent: no other fact of the same report
    states the same indicator, measure, period and status (unqualified) with another value."""
    n = facts.num_rows
    if "indicator" not in facts.column_names or \
            not any(r.get("name") == "indicator_codes" for r in data.resources()):
        return {"_indicator_fits": True, "_indicator_consistent": True}
    from ..indicators import indicator_fits
    code_table = data.table("indicator_codes")
    codes = shared(("indicator-codes", data.table_digest("indicator_codes")), lambda: {
        c: {"measures": m, "unit_base": b}
        for c, m, b in zip(*(_objects(code_table, k) for k in ("code", "measures", "unit_base")), strict=True)})
    column = {name: facts.column(name).to_pylist() for name in
              ("report_id", "indicator", "measure", "unit", "period_start", "period_end", "status", "qualifier",
               "value")}
    kinds = dict(zip(column["unit"], kind_of, strict=True))
    fits: dict[tuple, bool] = {}  # judged once per distinct (indicator, measure, unit)
    triples = list(zip(column["indicator"], column["measure"], column["unit"], strict=True))
    for c, m, u in triples:
        if (c, m, u) not in fits:
            fits[(c, m, u)] = indicator_fits(codes.get(c), _nan(m), _nan(u), kinds.get(u)) \
                if isinstance(c, str) and c else True
    keys = ["report_id", "indicator", "measure", "unit", "period_start", "period_end", "status"]
    statements: dict[tuple, set] = defaultdict(set)  # one statement -> the values it is given
    rows = []
    for index in range(n):
        if not column["indicator"][index] or column["qualifier"][index]:
            continue
        key = tuple("" if v is None else v for v in (column[k][index] for k in keys))
        rows.append((index, key))
        value = column["value"][index]
        if not (value is None or value != value):
            statements[key].add(value)
    consistent = np.ones(n, dtype=bool)
    consistent[[index for index, key in rows if len(statements[key]) > 1]] = False
    return {"_indicator_fits": [fits[k] for k in triples], "_indicator_consistent": consistent}


def _nan(value):
    """None -> NaN: a missing string as the pandas frame held it."""
    return np.nan if value is None else value


def quote_matches(facts: pa.Table, texts: pa.ChunkedArray, pidx: np.ndarray) -> np.ndarray:
    """facts (quote, char_start, char_end) + paragraph texts -> quote == text[char_start:char_end].

    Python slicing counts code points, so both sides are decoded once to UTF-32 and compared as
    numpy arrays: one gather over all quote characters, no loop over facts.
    """
    n = facts.num_rows
    start = facts.column("char_start").to_numpy(zero_copy_only=False).astype(float)
    end = facts.column("char_end").to_numpy(zero_copy_only=False).astype(float)
    quotes = facts.column("quote")
    q_len = pc.fill_null(pc.utf8_length(quotes), -1).to_numpy(zero_copy_only=False).astype(np.int64)
    p_len = pc.fill_null(pc.utf8_length(texts), 0).to_numpy(zero_copy_only=False).astype(np.int64) \
        if len(texts) else np.zeros(0, dtype=np.int64)
    has_par = pidx >= 0
    safe = np.where(has_par, pidx, 0)
    par_len = p_len[safe] if len(p_len) else np.zeros(n, dtype=np.int64)
    ok = (has_par & ~np.isnan(start) & ~np.isnan(end) & (start >= 0) & (start < end) & (end <= par_len)
          & (q_len == np.nan_to_num(end - start, nan=-2)))
    if not ok.any():
        return ok
    text_cp, text_off = _codepoints(texts)
    quote_cp, quote_off = _codepoints(quotes)
    rows = np.flatnonzero(ok)
    lengths = q_len[rows]
    seg = np.repeat(np.arange(len(rows)), lengths)
    within = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    text_pos = text_off[pidx[rows]][seg] + start[rows].astype(np.int64)[seg] + within
    quote_pos = quote_off[rows][seg] + within
    unequal = (text_cp[text_pos] != quote_cp[quote_pos]).astype(np.float64)
    differ = np.bincount(seg, weights=unequal, minlength=len(rows))
    ok[rows] = differ == 0
    return ok


def _codepoints(strings: pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray]:
    """string column -> (all code points end to end as uint32, where each value starts)."""
    arr = pc.fill_null(strings, "").cast(pa.large_string()).combine_chunks()
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.chunk(0) if arr.num_chunks else pa.array([], pa.large_string())
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int64)[arr.offset: arr.offset + len(arr) + 1]
    data = arr.buffers()[2]
    raw = data.to_pybytes()[offsets[0]: offsets[-1]] if data is not None and len(arr) else b""
    cps = np.frombuffer(raw.decode("utf-8").encode("utf-32-le"), dtype=np.uint32)
    lengths = pc.utf8_length(arr).to_numpy(zero_copy_only=False).astype(np.int64)
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
    return cps, starts


def reports_frame(data: PackageData) -> pd.DataFrame:
    """reports + how many paragraphs and facts each has."""
    return data.memo(("derived", "reports"), lambda: with_columns(data.frame("reports"), reports_extra(data)))


def reports_extra(data: PackageData) -> dict[str, object]:
    def build():
        report_ids = data.table("reports").column("report_id").to_pylist()
        extra = {}
        for column, table in (("_paragraph_count", "paragraphs"), ("_fact_count", "facts")):
            counts = Counter(r for r in data.table(table).column("report_id").to_pylist() if r is not None)
            extra[column] = np.array([counts.get(r, 0) if r is not None else 0 for r in report_ids], dtype=np.int64)
        return extra
    return data.memo(("extra", "reports"), build)


def paragraphs_frame(data: PackageData) -> pd.DataFrame:
    return data.frame("paragraphs")


FRAMES = {"facts": facts_frame, "reports": reports_frame, "paragraphs": paragraphs_frame}
EXTRA = {"facts": facts_extra, "reports": reports_extra, "paragraphs": lambda data: {}}


def arrow_frame(data: PackageData, resource: str) -> pa.Table:
    """The rows of FRAMES[resource] as an Arrow table, with the columns and values pandas gets from
    it: the suites' joint run concatenates these and converts once per round, instead of making a
    pandas frame per package (which costs more than its few dozen rows)."""
    table = data.table(resource)
    extra = EXTRA[resource](data)
    if any(name in table.column_names for name in extra):
        raise ValueError(f"{resource}: a column is named like a derived one")  # the package runs alone
    for name, values in extra.items():
        table = table.append_column(name, _arrow_column(values, table.num_rows))
    return table


def _arrow_column(values, rows: int) -> pa.Array:
    """A derived column -> Arrow: strings (NaN = missing), booleans, integers or floats (NaN stays NaN)."""
    if isinstance(values, (bool, np.bool_)):  # one value for every row
        return pa.array(np.full(rows, bool(values)))
    array = np.asarray(values)
    if array.dtype == object:
        return pa.array(array, type=pa.string(), from_pandas=True)
    return pa.array(array)


def display_rows(resource: str, frame: pd.DataFrame, index: list[int], columns: list[str]) -> tuple[dict, ...]:
    """Offending rows (at most 20) -> dicts; facts also carry their paragraph text and what stands
    at their offsets, so a steward sees the source next to the quote."""
    index = [i for i in index if 0 <= i < len(frame)][:MAX_ROWS]
    if resource == "facts":
        columns = [*FACT_COLUMNS, *columns, "_paragraph_text"]
    else:
        columns = [*ROW_COLUMNS.get(resource, ()), *columns]
    wanted = [c for c in dict.fromkeys(columns) if c in frame.columns]
    columns = {c: frame[c] for c in wanted}  # cell by cell: iloc on a wide frame costs ms per call
    records = [{c: column.iat[i] for c, column in columns.items()} for i in index]
    for rec in records:
        if resource == "facts":
            rec["_text_at_offsets"] = _text_at(rec)
    rows = rows_from_records(records)
    return tuple({k.lstrip("_"): v for k, v in row.items()} for row in rows)


def _text_at(rec: dict):
    text, start, end = rec.get("_paragraph_text"), rec.get("char_start"), rec.get("char_end")
    try:
        start, end = int(start), int(end)
    except (TypeError, ValueError):
        return None
    if not isinstance(text, str) or not 0 <= start <= end <= len(text):
        return None
    return text[start:end]
