"""Tables -> the pandas frames the expectation suites run on, with the joined columns they need.

Great Expectations checks one frame at a time, so anything that needs another table (the
paragraph a quote comes from, the factor of a unit) is joined here first and handed over as a
column whose name starts with `_`. All of it is vectorised: the quote/paragraph comparison runs on
the code points of all paragraphs at once (numpy), not row by row.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .base import MAX_ROWS, rows_from_records
from .data import PackageData

# Columns shown for every offending row of a resource, before the columns the rule looks at.
ROW_COLUMNS = {
    "reports": ("report_id", "title"),
    "paragraphs": ("report_id", "paragraph_id", "kind", "text"),
}
FACT_COLUMNS = ("fact_id", "report_id", "paragraph_id", "char_start", "char_end", "quote", "subject", "measure",
                "value", "unit")


def facts_frame(data: PackageData) -> pd.DataFrame:
    return data.memo(("derived", "facts"), lambda: _facts_frame(data))


def _facts_frame(data: PackageData) -> pd.DataFrame:
    facts, paragraphs, units = data.table("facts"), data.table("paragraphs"), data.table("units")
    df = data.frame("facts").copy()

    # The paragraph each fact stands in (-1: none), by (report_id, paragraph_id).
    keys = paragraphs.select(["report_id", "paragraph_id"]).to_pandas()
    keys["_pidx"] = np.arange(len(keys))
    keys = keys.drop_duplicates(["report_id", "paragraph_id"])
    pidx = df[["report_id", "paragraph_id"]].merge(keys, how="left", on=["report_id", "paragraph_id"])["_pidx"]
    pidx = pidx.fillna(-1).to_numpy(dtype=np.int64)
    has_par = pidx >= 0
    texts = paragraphs.column("text")
    text_objects = np.append(np.asarray(texts.to_pandas(), dtype=object), None)  # [-1] -> None
    df["_paragraph_text"] = text_objects[pidx]
    df["_quote_matches_text"] = quote_matches(facts, texts, pidx)
    p_start = paragraphs.column("source_start").to_numpy(zero_copy_only=False).astype(float)
    p_end = paragraphs.column("source_end").to_numpy(zero_copy_only=False).astype(float)
    safe = np.where(has_par, pidx, 0)
    s_start, s_end = df["source_start"].to_numpy(dtype=float), df["source_end"].to_numpy(dtype=float)
    within = has_par & (s_start < s_end)
    if len(p_start):
        within &= (s_start >= p_start[safe]) & (s_end <= p_end[safe])
    df["_source_within_paragraph"] = within

    # The unit's row of the code list: factor, base unit and kind.
    code = units.select(["unit", "unit_base", "factor", "kind"]).to_pandas().drop_duplicates("unit")
    code = code.rename(columns={"unit_base": "_unit_base_expected", "factor": "_factor", "kind": "_unit_kind"})
    joined = df[["unit"]].merge(code, how="left", on="unit")
    known = joined["_factor"].notna().to_numpy()
    no_unit = df["unit"].isna().to_numpy()
    factor = np.where(no_unit, 1.0, joined["_factor"].to_numpy(dtype=float))
    value = df["value"].to_numpy(dtype=float)
    value_base = df["value_base"].to_numpy(dtype=float)
    expected = value * factor
    df["_value_base_expected"] = np.where(known | no_unit, expected, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.abs(value_base - expected) / np.abs(expected)
    rel = np.where(expected == 0, np.where(value_base == 0, 0.0, np.inf), rel)
    rel = np.where(np.isnan(value_base), np.inf, rel)  # a known unit needs a base value
    rel = np.where(no_unit & np.isnan(value_base), np.nan, rel)  # bare ratio part: may have none
    df["_value_base_rel_error"] = np.where(known | no_unit, rel, np.nan)  # unknown unit: its own check
    unit_base = df["unit_base"].fillna("").to_numpy(dtype=object)
    expected_base = joined["_unit_base_expected"].fillna("").to_numpy(dtype=object)
    df["_unit_base_matches"] = np.where(known, unit_base == expected_base, True) & (~no_unit | (unit_base == ""))
    df["_unit_kind"] = joined["_unit_kind"].to_numpy(dtype=object)
    df["_factor"] = joined["_factor"].to_numpy(dtype=float)
    df["_unit_base_expected"] = joined["_unit_base_expected"].to_numpy(dtype=object)
    with np.errstate(invalid="ignore"):
        df["_value_base_fraction"] = np.abs(value_base - np.round(value_base)) / np.maximum(np.abs(value_base), 1.0)
    _indicator_columns(df, data)
    return df


def _indicator_columns(df: pd.DataFrame, data: PackageData) -> None:
    """_indicator_fits: the fact's measure is one its indicator takes and its unit is of the indicator's
    kind (or a percentage for a change or rate); _indicator_consistent: no other fact of the same report
    states the same indicator, measure, period and status (unqualified) with another value."""
    if "indicator" not in df.columns or not any(r.get("name") == "indicator_codes" for r in data.resources()):
        df["_indicator_fits"], df["_indicator_consistent"] = True, True
        return
    from ..indicators import indicator_fits
    codes = {r["code"]: r for r in data.frame("indicator_codes").to_dict("records")}
    kinds = dict(zip(df["unit"], df["_unit_kind"], strict=False))
    df["_indicator_fits"] = [indicator_fits(codes.get(c), m, u, kinds.get(u)) if isinstance(c, str) and c else True
                             for c, m, u in zip(df["indicator"], df["measure"], df["unit"], strict=True)]
    coded = df[df["indicator"].fillna("").ne("") & df["qualifier"].fillna("").eq("")]
    keys = ["report_id", "indicator", "measure", "unit", "period_start", "period_end", "status"]
    values = coded.assign(**{k: coded[k].fillna("") for k in keys}).groupby(keys)["value"].nunique()
    clashing = values[values > 1].reset_index()[keys]
    df["_indicator_consistent"] = True
    if len(clashing):
        mask = coded.assign(**{k: coded[k].fillna("") for k in keys}).merge(clashing, on=keys, how="left",
                                                                             indicator=True)["_merge"].eq("both")
        df.loc[coded.index[mask.to_numpy()], "_indicator_consistent"] = False


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
    def build():
        df = data.frame("reports").copy()
        for column, table in (("_paragraph_count", "paragraphs"), ("_fact_count", "facts")):
            counts = data.frame(table)["report_id"].value_counts()
            df[column] = df["report_id"].map(counts).fillna(0).astype("int64")
        return df
    return data.memo(("derived", "reports"), build)


def paragraphs_frame(data: PackageData) -> pd.DataFrame:
    return data.frame("paragraphs")


FRAMES = {"facts": facts_frame, "reports": reports_frame, "paragraphs": paragraphs_frame}


def display_rows(resource: str, frame: pd.DataFrame, index: list[int], columns: list[str]) -> tuple[dict, ...]:
    """Offending rows (at most 20) -> dicts; facts also carry their paragraph text and what stands
    at their offsets, so a steward sees the source next to the quote."""
    index = [i for i in index if 0 <= i < len(frame)][:MAX_ROWS]
    if resource == "facts":
        columns = [*FACT_COLUMNS, *columns, "_paragraph_text"]
    else:
        columns = [*ROW_COLUMNS.get(resource, ()), *columns]
    wanted = [c for c in dict.fromkeys(columns) if c in frame.columns]
    records = frame.iloc[index][wanted].to_dict("records")
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
