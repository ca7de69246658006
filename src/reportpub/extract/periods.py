"""Time references -> the period a quantity covers, and its status (actual, estimate, target)."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from functools import lru_cache

from .lexicon import ESTIMATE_RE, PLAN_VERB_RE, TARGET_RE

_CN_NUM = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
# Each pattern -> (start_year_offset, start_month, end_year_offset, end_month) relative to a year.
_TIME_RE = re.compile(
    r"(?P<yrange>(?P<y1>(?:19|20)\d{2})[-—至到～~](?P<y2>(?:19|20)\d{2})年)"
    r"|(?P<year>(?:19|20)\d{2})年(?P<since>以来)?"
    r"|(?P<mrange>(?P<m1>\d{1,2})[-—至到～~](?P<m2>\d{1,2})月)"
    r"|(?P<upto>截至|截止)(?:[^，。；]{0,6}?)(?P<m3>\d{1,2})月(?:末|底)"
    r"|(?P<mend>(?<![-—至到～~\d])(?P<m4>\d{1,2})月(?:末|底))"
    r"|(?P<month>(?<![-—至到～~\d])(?P<m5>\d{1,2})月份?)(?=[，,])"
    r"|(?P<quarter>(?:第)?(?P<q>[一二三四])季度)|(?P<first_q>首季度?)"
    r"|(?P<q3>前三季度)|(?P<h1>上半年)|(?P<h2>下半年)"
    r"|(?P<fyp>十(?P<fyn>[一二三四五六])五)"
    r"|(?P<five>过去五年|近五年|五年来|五年间)"
    r"|(?P<dur>(?:过去|近)?(?P<dn>[二三四五六七八九十])年(?:来|间|以来)?(?![级期度代]))"
    r"|(?P<this>今年|本年)|(?P<last>(?:去年|上年)(?!同期)(?:全年)?)|(?P<full>全年)"
    r"|(?P<same>同期)(?=为|是)"
)
# 比上年 / 较去年 are comparisons, not the period of the number.
_COMPARISON_BEFORE = re.compile(r"[比较与同]$")
_COMPARISON_REACH = 2  # the longest text _COMPARISON_BEFORE can match: one character (and a final newline)


@dataclass(frozen=True)
class Period:
    start: str
    end: str
    explicit: bool  # found in the text (not the report's default year)


def month_span(y1: int, m1: int, y2: int, m2: int) -> tuple[str, str]:
    last = calendar.monthrange(y2, m2)[1]
    return f"{y1:04d}-{m1:02d}-01", f"{y2:04d}-{m2:02d}-{last:02d}"


@lru_cache(maxsize=4096)
def _time_references(text: str, year: int, delivered: int) -> tuple[tuple[int, int, tuple[str, str] | str], ...]:
    """Every time adverbial in a sentence: (end position, end of its bracket or -1, span or 'same')."""
    found = []
    for m in _TIME_RE.finditer(text):
        if _ends_with(_COMPARISON_BEFORE, _COMPARISON_REACH, text, m.start()) or not _heads_clause(text, m.start()):
            continue
        span = "same" if m.group("same") else "full" if m.group("full") else _span(m, year, delivered)
        if span:
            found.append((m.end(), _bracket_end(text, m.start()), span))
    return tuple(found)


def _bracket_end(text: str, pos: int) -> int:
    """Where the bracket enclosing pos closes (-1 if pos is not in brackets): （同期为下降9.8%、一季度为…）."""
    opened = max(text.rfind("（", 0, pos), text.rfind("(", 0, pos))
    if opened < 0 or max(text.rfind("）", opened, pos), text.rfind(")", opened, pos)) > opened:
        return -1
    ends = [i for i in (text.find("）", pos), text.find(")", pos)) if i >= 0]
    return min(ends) if ends else -1


def _shift_year(span: tuple[str, str], years: int) -> tuple[str, str]:
    """(start, end) dates -> the same months `years` later (earlier when negative)."""
    start = f"{int(span[0][:4]) + years:04d}{span[0][4:]}"
    end_y, end_m = int(span[1][:4]) + years, int(span[1][5:7])
    return start, month_span(end_y, end_m, end_y, end_m)[1]


def find_period(text: str, year: int, delivered_year: int, default: Period | None = None,
                upto: int | None = None) -> Period:
    """A sentence (up to `upto`, the number's position) -> the period of its last time reference."""
    upto = len(text) if upto is None else upto
    best = None
    for end, closes, span in _time_references(text, year, delivered_year):
        if end > upto or -1 < closes < upto:
            continue  # after the number, or inside a bracket that closed before it
        if span == "same":  # 同期为…: the same period a year earlier
            base = default or Period(*month_span(year, 1, year, 12), explicit=False)
            span = _shift_year((base.start, base.end), -1)
        elif span == "full":  # 全年: the whole of the year in frame (the plan year, in a plan)
            y = int((default.end if default else f"{year}")[:4])
            span = month_span(y, 1, y, 12)
        best = span
    if best is None:
        return default or Period(*month_span(year, 1, year, 12), explicit=False)
    return Period(best[0], best[1], explicit=True)


_CLAUSE_HEAD = re.compile(r"(?:^|[，,；;：:。（(、])[“\"]?(?:其中|全市|全区|全省|全国|我国|我市|预计|初步核算|今年|去年|经初步核算|计划|力争|加快)?[“\"]?$")
_CLAUSE_HEAD_REACH = 9  # its longest match: a mark, a quote, 经初步核算, a quote (and a final newline)


def _heads_clause(text: str, pos: int) -> bool:
    """A time adverbial opens its clause (1-11月，…); 赢得一季度“开门红” is an object, not a period."""
    return bool(_ends_with(_CLAUSE_HEAD, _CLAUSE_HEAD_REACH, text, pos))


def _ends_with(pattern: re.Pattern, reach: int, text: str, pos: int) -> re.Match | None:
    """`pattern.search(text[:pos])` for a pattern anchored at its end ($) that matches at most `reach`
    characters: only the last `reach` characters before pos are searched, and the text is not copied
    (searched on a paragraph's whole prefix, these two were a fifth of extraction). With a start
    above 0, ^ does not match there: it still means the paragraph's start."""
    return pattern.search(text, max(0, pos - reach), pos)


def _span(m: re.Match, year: int, delivered: int) -> tuple[str, str] | None:
    g = m.groupdict()
    if g["yrange"]:
        return month_span(int(g["y1"]), 1, int(g["y2"]), 12)
    if g["year"]:
        y = int(g["year"])
        return month_span(y, 1, year if g["since"] and year > y else y, 12)
    if g["mrange"]:
        m1, m2 = int(g["m1"]), int(g["m2"])
        return month_span(year, m1, year, m2) if 1 <= m1 <= m2 <= 12 else None
    if g["upto"] or g["mend"]:
        mm = int(g["m3"] or g["m4"])
        return month_span(year, 1, year, mm) if 1 <= mm <= 12 else None
    if g["month"]:
        mm = int(g["m5"])
        return month_span(year, mm, year, mm) if 1 <= mm <= 12 else None
    if g["quarter"]:
        q = _CN_NUM[g["q"]]
        return month_span(year, 3 * q - 2, year, 3 * q)
    if g["first_q"]:
        return month_span(year, 1, year, 3)
    if g["q3"]:
        return month_span(year, 1, year, 9)
    if g["h1"]:
        return month_span(year, 1, year, 6)
    if g["h2"]:
        return month_span(year, 7, year, 12)
    if g["fyp"]:
        n = _CN_NUM[g["fyn"]] + 10  # 十四五 -> the 14th plan, 2021-2025 (plans run 5 years from 1966)
        first = 1966 + 5 * (n - 3)
        return month_span(first, 1, first + 4, 12)
    if g["five"]:
        return month_span(year - 4, 1, year, 12)
    if g["dur"]:
        n = _CN_NUM[g["dn"]]
        return month_span(year - n + 1, 1, year, 12)
    if g["this"]:
        return month_span(delivered, 1, delivered, 12)
    if g["last"]:
        y = year if delivered > year else year - 1
        return month_span(y, 1, y, 12)
    if g["full"]:
        return month_span(year, 1, year, 12)
    return None


_SCOPE_RE = re.compile(
    r"(?:(?:19|20)\d{2}年|今年)?(?P<scope>\d{1,2}[-—至到～~]\d{1,2}月|(?:第)?[一二三四]季度|首季度?|前三季度|上半年|下半年)")


def scope_period(texts: list[str], year: int, delivered: int) -> tuple[str, str]:
    """The period a report covers: a scope named in its title or at the opening of its text
    (上半年全市经济运行情况分析; 今年一季度，全市…; 首季…), else its whole year."""
    for i, text in enumerate(texts):
        head = text if i == 0 else re.split(r"[。；]", text)[0]
        for m in _SCOPE_RE.finditer(head):
            if _ends_with(_COMPARISON_BEFORE, _COMPARISON_REACH, head, m.start()):
                continue
            if i > 0 and not _heads_clause(head, m.start()) and m.start() > 8:
                continue
            inner = _TIME_RE.search(m.group("scope"))
            if inner and (span := _span(inner, year, delivered)):
                return span
    return month_span(year, 1, year, 12)


def opening_period(paragraph: str, year: int, delivered: int) -> Period | None:
    """A paragraph that opens with a time reference (过去五年，… / 五年来，…) sets the period of
    the paragraphs after it, until another one does."""
    m = _TIME_RE.match(paragraph)
    if not m or not re.match(r"[，,是极]", paragraph[m.end():m.end() + 1] or "。"):
        return None
    span = _span(m, year, delivered)
    return Period(span[0], span[1], explicit=False) if span else None


def is_multi_year(start: str, end: str) -> bool:
    return start[:4] != end[:4]


def single_year(y: int) -> tuple[str, str]:
    return month_span(y, 1, y, 12)


def find_status(sentence_before: str, period: Period, year: int, reviewing: bool = False) -> str:
    """A figure's status: the first rule of `STATUS_RULES` that applies, else actual.

    `reviewing` is true in the parts of a report that review past years, where verbs of intent
    (争取, 确保) tell what was achieved, not what is planned."""
    for _name, applies, status in STATUS_RULES:
        if applies(sentence_before, period, year, reviewing):
            return status
    return "actual"


STATUS_RULES = (
    ("goal_word", lambda s, p, y, r: TARGET_RE.search(s) is not None, "target"),  # 主要预期目标是, 力争
    ("future_period", lambda s, p, y, r: int(p.start[:4]) > y, "target"),  # after the year under review
    ("estimate_word", lambda s, p, y, r: ESTIMATE_RE.search(s) is not None, "estimate"),  # 预计, 初步核算
    ("intent_outside_review", lambda s, p, y, r: not r and PLAN_VERB_RE.search(s) is not None, "target"),
)
