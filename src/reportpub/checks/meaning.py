"""Checks of meaning: a package can be well formed and still say the wrong thing.

Structure checks cannot see a report titled 下载, a year of 1990 on a 2026 report, its 2025 results
dated 2000 or stated as targets, or a fact whose subject is 的. These checks read the report's own
time frame (year under review, plan year, delivery date: the `reports` table) and hold every fact
to it. The thresholds are in the policy file (`meaning:`), the words in the project's lexicons
(page furniture: furniture.py; function words: extract/lexicon.py). Every finding about a fact names
it (fact_id), its quote and its paragraph with offsets, so the steward can judge it in place.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pandas as pd

from .base import Check, PolicyError, Problem, agree, plural, rows_from_records
from .data import PackageData
from .derived import display_rows, facts_frame, lookup, row_keys

REPORT_COLUMNS = ("report_id", "title", "region", "publisher", "year", "plan_year", "delivered")


@dataclass(frozen=True)
class MeaningPolicy:
    """How far from its report's time frame a fact or a date may lie (policy file, `meaning:`)."""

    years_before_review: int = 8  # a fact that ends more years than this before the review period starts
    years_after_plan: int = 10  # a fact that starts more years than this after the plan period ends
    max_year_gap: int = 2  # plan year and delivery lie at most this many years after the year under review


def meaning_policy(path: Any, raw: Any) -> MeaningPolicy:
    """The `meaning:` mapping of the policy file -> MeaningPolicy (PolicyError if it is malformed)."""
    if raw is None:
        return MeaningPolicy()
    fields = MeaningPolicy.__dataclass_fields__
    if not isinstance(raw, dict):
        raise PolicyError(f"{path}: `meaning` maps {', '.join(fields)} to whole numbers of years")
    if extra := sorted(str(k) for k in raw if k not in fields):
        raise PolicyError(f"{path}: unknown key(s) in `meaning`: {', '.join(extra)}; known: {', '.join(fields)}")
    for key, value in raw.items():
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise PolicyError(f"{path}: meaning.{key} is a whole number of years ≥ 0, not {value!r}")
    return MeaningPolicy(**raw)


def _thresholds(data: PackageData) -> MeaningPolicy:
    return getattr(data.policy, "meaning", None) or MeaningPolicy()


# --- the report's metadata --------------------------------------------------------------------


def report_time_frame(data: PackageData) -> Iterator[Problem]:
    """No year under review, or one that its own plan year or delivery date contradict (--year 1990
    on a report delivered in 2026): every period read from the text was resolved against it."""
    gap = _thresholds(data).max_year_gap
    paragraphs = data.frame("paragraphs")
    rows = []
    for rec in data.frame("reports").to_dict("records"):
        year, plan, delivered = _int(rec.get("year")), _int(rec.get("plan_year")), _year_of(rec.get("delivered"))
        if year is None:
            reason = "no year under review"
        elif plan is not None and not year <= plan <= year + gap:
            reason = f"plan year {plan} is not within {gap} years after the year under review {year}"
        elif delivered is not None and not year <= delivered <= year + gap:
            reason = f"delivered in {delivered}, not within {gap} years after the year under review {year}"
        else:
            continue
        own = paragraphs[paragraphs["report_id"] == rec["report_id"]]
        where = _where_read(rec, own, "year") or _where_read(rec, own, "plan_year")
        rows.append({**{k: rec.get(k) for k in REPORT_COLUMNS}, "problem": reason, **where})
    if rows:
        yield Problem(f"{plural(len(rows), 'report')} {agree(len(rows), 'has', 'have')} no year under review or "
                      "one that contradicts its plan year or delivery date", "reports", rows_from_records(rows))


def report_metadata(data: PackageData) -> Iterator[Problem]:
    """Title, region and publisher present, and the title not a line of page furniture (下载, 首页)."""
    from ..furniture import RULES

    paragraphs = data.frame("paragraphs")
    boilerplate = paragraphs[paragraphs["kind"] == "boilerplate"]
    furniture_of = boilerplate.groupby("report_id")["text"].agg(lambda texts: set(texts.dropna())).to_dict()
    rows = []
    for rec in data.frame("reports").to_dict("records"):
        furniture = furniture_of.get(rec["report_id"], set())
        title = _text(rec.get("title"))
        problems = [f"no {field}" for field in ("title", "region", "publisher") if not _text(rec.get(field))]
        if title and (title in furniture or any(rule([title], 0, [False]) for rule in RULES.values())):
            problems.append(f"the title {title!r} is page furniture, not the report's title")
        if problems:
            own = paragraphs[paragraphs["report_id"] == rec["report_id"]]  # only for the few that fail
            rows.append({**{k: rec.get(k) for k in REPORT_COLUMNS}, "problem": "; ".join(problems),
                         **_where_read(rec, own, "title")})
    if rows:
        yield Problem(f"{plural(len(rows), 'report')}: title, region or publisher missing, or the title is page "
                      "furniture", "reports", rows_from_records(rows))


def _where_read(rec: dict, paragraphs: pd.DataFrame, field: str) -> dict:
    """The paragraph (and offsets in it) a metadata value was read from, by its source span."""
    try:
        source = json.loads(_text(rec.get("metadata_sources")) or "{}").get(field) or {}
    except (ValueError, AttributeError):
        return {}
    start, value = source.get("source_start"), str(source.get("value") or "")
    if not isinstance(start, int) or not value:
        return {}
    hit = paragraphs[(paragraphs["source_start"] <= start) & (paragraphs["source_end"] > start)]
    if hit.empty:
        return {}
    para = hit.iloc[0]
    text = str(para["text"])
    guess = max(0, start - int(para["source_start"]) - len(value))  # paragraph and source offsets nearly agree
    at = text.find(value, guess) if text.find(value, guess) >= 0 else text.find(value)
    if at < 0:
        return {"paragraph_id": int(para["paragraph_id"])}
    return {"paragraph_id": int(para["paragraph_id"]), "char_start": at, "char_end": at + len(value),
            "quote": value, "paragraph_text": text}


# --- facts against the report's time frame ----------------------------------------------------


def _facts_with_frame(data: PackageData) -> pd.DataFrame:
    """facts (same row order as the facts frame) + the report's window, delivery date, as Timestamps."""
    def build():
        t = _thresholds(data)
        reports = data.frame("reports").copy()
        year = pd.to_numeric(reports["year"], errors="coerce")
        plan = pd.to_numeric(reports["plan_year"], errors="coerce").fillna(year)
        review_start = pd.to_datetime(reports["period_start"], errors="coerce").fillna(
            pd.to_datetime(year.astype("Int64").astype("string") + "-01-01", errors="coerce"))
        review_end = pd.to_datetime(reports["period_end"], errors="coerce")
        plan_end = pd.to_datetime(plan.astype("Int64").astype("string") + "-12-31", errors="coerce")
        window = {
            "_window_start": review_start - pd.DateOffset(years=t.years_before_review),
            "_window_end": plan_end.where(plan_end.notna(), review_end) + pd.DateOffset(years=t.years_after_plan),
            "_delivered": pd.to_datetime(reports["delivered"], errors="coerce"),
        }
        # Each fact's report (its first row; -1: none, NaT below), as a left join on report_id would give.
        pos = lookup(row_keys(data.table("facts"), ["report_id"]), row_keys(data.table("reports"), ["report_id"]))
        out = data.frame("facts")[["report_id", "period_start", "period_end", "status"]].copy()
        for column, values in window.items():
            out[column] = values.array.take(pos, allow_fill=True)
        out["_start"] = pd.to_datetime(out["period_start"], errors="coerce")
        out["_end"] = pd.to_datetime(out["period_end"], errors="coerce")
        return out
    return data.memo(("meaning", "frame"), build)


def _fact_problem(data: PackageData, mask: pd.Series, message: str) -> Iterator[Problem]:
    """Facts where mask holds -> one Problem whose rows name each fact, its quote, paragraph and period."""
    index = [int(i) for i in mask[mask.fillna(False).astype(bool)].index]
    if index:
        yield Problem(f"{plural(len(index), 'fact')}: {message}", "facts",
                      display_rows("facts", facts_frame(data), index, ["period_start", "period_end", "status"]))


def period_in_frame(data: PackageData) -> Iterator[Problem]:
    """A fact dated far outside its report's years (2000 in a 2026 report) was resolved wrongly."""
    t = _thresholds(data)
    f = _facts_with_frame(data)
    far = (f["_end"] < f["_window_start"]) | (f["_start"] > f["_window_end"])
    yield from _fact_problem(data, far, f"the period lies more than {t.years_before_review} years before the "
                             f"report's review period or more than {t.years_after_plan} years after its plan period")


def actual_after_delivery(data: PackageData) -> Iterator[Problem]:
    """A result (`actual`) for a period that had not ended when the report was delivered."""
    f = _facts_with_frame(data)
    late = f["status"].eq("actual") & (f["_end"] > f["_delivered"])
    yield from _fact_problem(data, late, "marked actual for a period that ends after the report's delivery date")


def target_before_delivery(data: PackageData) -> Iterator[Problem]:
    """A `target` for a period already over at delivery: most likely a result read as a goal."""
    f = _facts_with_frame(data)
    early = f["status"].eq("target") & (f["_end"] < f["_delivered"])
    yield from _fact_problem(data, early, "marked target for a period that ended before the report's delivery "
                             "date")


# --- subjects ---------------------------------------------------------------------------------


def subject_meaningful(data: PackageData) -> Iterator[Problem]:
    """A subject that is empty, one character or only function words (的, 其中) names nothing measured."""
    from ..extract.lexicon import FUNCTION_WORDS_ONLY

    subjects = data.frame("facts")["subject"]
    bad = {s for s in subjects.dropna().unique()  # each distinct subject judged once
           if len(s.strip()) <= 1 or FUNCTION_WORDS_ONLY.fullmatch(s.strip())}
    yield from _fact_problem(data, subjects.isna() | subjects.isin(bad),
                             "the subject is empty, a single character or only function words")


def _text(value: Any) -> str:
    """A cell of a string column (None and NaN when empty) -> stripped text."""
    return value.strip() if isinstance(value, str) else ""


def _int(value: Any) -> int | None:
    try:
        return None if value is None or value != value else int(value)
    except (TypeError, ValueError):
        return None


def _year_of(value: Any) -> int | None:
    stamp = pd.to_datetime(value, errors="coerce") if value not in (None, "") else None
    return None if stamp is None or pd.isna(stamp) else int(stamp.year)


CHECKS = (
    Check("reports.time_frame", report_time_frame,
          "every report has a year under review that its plan year and delivery date agree with (policy: "
          "meaning.max_year_gap)",
          zh="每份报告都有评述年份，且与其计划年份和发布日期相符（策略：meaning.max_year_gap）"),
    Check("reports.metadata", report_metadata,
          "every report has a title, region and publisher, and its title is not page furniture (下载, 首页)",
          zh="每份报告都有标题、地区和发布机关，标题不是网页杂项（下载、首页）"),
    Check("facts.period_in_frame", period_in_frame,
          "no fact is dated far outside its report's time frame (policy: meaning.years_before_review, "
          "meaning.years_after_plan)",
          zh="没有事实的时期远离报告的时间范围（策略：meaning.years_before_review、meaning.years_after_plan）"),
    Check("facts.actual_after_delivery", actual_after_delivery,
          "no fact is marked actual for a period that ends after the report's delivery",
          zh="没有事实标为实际值（actual）而其时期在报告发布之后才结束"),
    Check("facts.target_before_delivery", target_before_delivery,
          "no fact is marked target for a period that ended before the report's delivery",
          zh="没有事实标为目标（target）而其时期在报告发布之前已经结束"),
    Check("facts.subject_meaningful", subject_meaningful,
          "every fact's subject is more than one character and not only function words (的, 其中)",
          zh="每条事实的主语多于一个字，且不只是虚词（的、其中）"),
)
