"""Checks of meaning: a package can be well formed and still say the wrong thing.

Structure checks cannot see a report titled 下载, a year of 1990 on a 2026 report, its 2025 results
dated 2000 or stated as targets, or a fact whose subject is 的. These checks read the report's own
time frame (year under review, plan year, delivery date: the `reports` table) and hold every fact
to it. The thresholds are in the policy file (`meaning:`), the words in the project's lexicons
(page furniture: furniture.py; function words: extract/lexicon.py). Every finding about a fact names
it (fact_id), its quote and its paragraph with offsets, so the steward can judge it in place.
"""

from __future__ import annotations

import calendar
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
    data.table("paragraphs")  # read first, as the rows of a finding need it: its failure is the verdict
    reasons = {}
    for i, rec in enumerate(data.table("reports").select(["year", "plan_year", "delivered"]).to_pylist()):
        year, plan, delivered = rec["year"], rec["plan_year"], _day(rec["delivered"])
        if year is None:
            reasons[i] = "no year under review"
        elif plan is not None and not year <= plan <= year + gap:
            reasons[i] = f"plan year {plan} is not within {gap} years after the year under review {year}"
        elif delivered is not None and not year <= delivered[0] <= year + gap:
            reasons[i] = f"delivered in {delivered[0]}, not within {gap} years after the year under review {year}"
    if reasons:
        yield Problem(f"{plural(len(reasons), 'report')} {agree(len(reasons), 'has', 'have')} no year under review "
                      "or one that contradicts its plan year or delivery date", "reports",
                      _report_rows(data, reasons, "year", "plan_year"))


def report_metadata(data: PackageData) -> Iterator[Problem]:
    """Title, region and publisher present, and the title not a line of page furniture (下载, 首页)."""
    from ..furniture import RULES

    paragraphs = data.table("paragraphs").select(["report_id", "kind", "text"])
    furniture_of: dict[str, set] = {}  # report -> the text of its boilerplate paragraphs
    for rid, kind, text in zip(*(paragraphs.column(c).to_pylist() for c in paragraphs.column_names)):
        if kind == "boilerplate" and rid is not None and text is not None:
            furniture_of.setdefault(rid, set()).add(text)
    found = {}
    fields = ("report_id", "title", "region", "publisher")
    for i, rec in enumerate(data.table("reports").select(list(fields)).to_pylist()):
        furniture = furniture_of.get(rec["report_id"], set())
        title = _text(rec["title"])
        problems = [f"no {field}" for field in fields[1:] if not _text(rec[field])]
        if title and (title in furniture or any(rule([title], 0, [False]) for rule in RULES.values())):
            problems.append(f"the title {title!r} is page furniture, not the report's title")
        if problems:
            found[i] = "; ".join(problems)
    if found:
        yield Problem(f"{plural(len(found), 'report')}: title, region or publisher missing, or the title is page "
                      "furniture", "reports", _report_rows(data, found, "title"))


def _report_rows(data: PackageData, problems: dict[int, str], *read_from: str) -> tuple[dict, ...]:
    """The reports that fail (position -> problem) -> rows naming each, and the paragraph its first
    value of `read_from` was read from. Built from the pandas records, as they always were."""
    paragraphs, records = data.frame("paragraphs"), data.frame("reports").to_dict("records")
    rows = []
    for i, problem in problems.items():
        rec = records[i]
        own = paragraphs[paragraphs["report_id"] == rec["report_id"]]  # only for the few that fail
        where = next((w for field in read_from if (w := _where_read(rec, own, field))), {})
        rows.append({**{k: rec.get(k) for k in REPORT_COLUMNS}, "problem": problem, **where})
    return rows_from_records(rows)


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


Day = tuple  # (year, month, day): compares like the dates pandas compares, for any year


def _fact_periods(data: PackageData) -> list[tuple]:
    """facts (in table order) -> (period start, period end, status, window start, window end,
    delivered) each; Days, None where pandas would have NaT. Plain Python: a few dozen rows cost
    less than the pandas calls that would hold them."""
    def build():
        t = _thresholds(data)
        reports = data.table("reports")
        columns = ("year", "plan_year", "period_start", "period_end", "delivered")
        year, plan, start, end, delivered = (reports.column(c).to_pylist() for c in columns)
        plan = [y if p is None else p for p, y in zip(plan, year)]
        review_start = [_day(d) or y for d, y in zip(start, _year_days(year, "-01-01"))]
        plan_end = _year_days(plan, "-12-31")
        windows = [(_shift(s, -t.years_before_review), _shift(p or _day(e), t.years_after_plan), _day(d))
                   for s, p, e, d in zip(review_start, plan_end, end, delivered)]
        # Each fact's report (its first row; -1: none), as a left join on report_id would give.
        facts = data.table("facts")
        pos = lookup(row_keys(facts, ["report_id"]), row_keys(reports, ["report_id"]))
        starts, ends, status = (facts.column(c).to_pylist() for c in ("period_start", "period_end", "status"))
        return [(_day(s), _day(e), st, *(windows[p] if p >= 0 else (None, None, None)))
                for s, e, st, p in zip(starts, ends, status, pos.tolist())]
    return data.memo(("meaning", "periods"), build)


def _day(value: Any) -> Day | None:
    return None if value is None else (value.year, value.month, value.day)


def _shift(day: Day | None, years: int) -> Day | None:
    """pandas' DateOffset(years=n): the same month and day n years on, 29 February -> 28 February."""
    if day is None:
        return None
    y, m, d = day[0] + years, day[1], day[2]
    return (y, m, 28) if (m, d) == (2, 29) and not calendar.isleap(y) else (y, m, d)


def _year_days(years: list, suffix: str) -> list[Day | None]:
    """Years -> the Day of f"{year}{suffix}" as pandas.to_datetime reads that text (1000-9999: the
    date; other years: pandas itself, which reads "5-01-01" as 1 May 2001)."""
    if all(y is None or 1000 <= y <= 9999 for y in years):
        return [None if y is None else (y, *map(int, suffix[1:].split("-"))) for y in years]
    stamps = pd.to_datetime(pd.Series(years, dtype="Int64").astype("string") + suffix, errors="coerce")
    return [None if pd.isna(s) else (s.year, s.month, s.day) for s in stamps]


def _fact_problem(data: PackageData, index: list[int], message: str) -> Iterator[Problem]:
    """Facts at these positions -> one Problem whose rows name each fact, its quote, paragraph and period."""
    if index:
        yield Problem(f"{plural(len(index), 'fact')}: {message}", "facts",
                      display_rows("facts", facts_frame(data), index, ["period_start", "period_end", "status"]))


def _where(data: PackageData, rule) -> list[int]:
    """Positions of the facts whose (start, end, status, window start, window end, delivered) break
    the rule; a missing date breaks nothing (NaT compares false)."""
    return [i for i, fact in enumerate(_fact_periods(data)) if rule(*fact)]


def period_in_frame(data: PackageData) -> Iterator[Problem]:
    """A fact dated far outside its report's years (2000 in a 2026 report) was resolved wrongly."""
    t = _thresholds(data)
    far = _where(data, lambda start, end, _, w_start, w_end, __: (end is not None and w_start is not None
                                                                 and end < w_start)
                 or (start is not None and w_end is not None and start > w_end))
    yield from _fact_problem(data, far, f"the period lies more than {t.years_before_review} years before the "
                             f"report's review period or more than {t.years_after_plan} years after its plan period")


def actual_after_delivery(data: PackageData) -> Iterator[Problem]:
    """A result (`actual`) for a period that had not ended when the report was delivered."""
    late = _where(data, lambda _, end, status, __, ___, delivered: status == "actual" and end is not None
                  and delivered is not None and end > delivered)
    yield from _fact_problem(data, late, "marked actual for a period that ends after the report's delivery date")


def target_before_delivery(data: PackageData) -> Iterator[Problem]:
    """A `target` for a period already over at delivery: most likely a result read as a goal."""
    early = _where(data, lambda _, end, status, __, ___, delivered: status == "target" and end is not None
                   and delivered is not None and end < delivered)
    yield from _fact_problem(data, early, "marked target for a period that ended before the report's delivery "
                             "date")


# --- subjects ---------------------------------------------------------------------------------


def subject_meaningful(data: PackageData) -> Iterator[Problem]:
    """A subject that is empty, one character or only function words (的, 其中) names nothing measured."""
    from ..extract.lexicon import FUNCTION_WORDS_ONLY

    verdicts: dict[str, bool] = {}  # each distinct subject judged once
    index = []
    for i, s in enumerate(data.table("facts").column("subject").to_pylist()):
        if s is not None and s not in verdicts:
            verdicts[s] = len(s.strip()) <= 1 or bool(FUNCTION_WORDS_ONLY.fullmatch(s.strip()))
        if s is None or verdicts[s]:
            index.append(i)
    yield from _fact_problem(data, index, "the subject is empty, a single character or only function words")


def _text(value: Any) -> str:
    """A cell of a string column (None and NaN when empty) -> stripped text."""
    return value.strip() if isinstance(value, str) else ""


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
