"""Extract: Document -> facts (one per quantity), each traced to its exact span in the text.

The rules follow the grammar of Chinese official reports (see `lexicon.py`): a quantity's
measure, basis and sign come from the verb right before it; its status and period from the
sentence before it; its subject from the noun phrase around it, carried across a sentence when
the sentence states it once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from .. import parts
from ..indicators import indicator_for, label_en
from ..ingest import Document, Paragraph
from ..units import base_value
from . import lists, subjects, tables
from .glossary import english_subject
from .lexicon import (
    APPROX_START, CHANGE_AFTER_RE, CHANGE_VERB_RE, CONSEQUENCE_START, ELLIPTIC_HEADS, GENERIC_SUBJECTS, MULTIPLE_OF_RE, NEW_NOUN_RE, NEW_RE,
    QUALIFIER_RE, RATE_OF_CHANGE_RE, SENTENCE_END, VERB_RE, WHOLE_HEADS, YOY_RE,
)
from .measures import basis_of, is_count, measure_of
from .numbers import Quantity, find_quantities
from .periods import Period, find_period, find_status, is_multi_year, opening_period, single_year

__all__ = ["Fact", "extract", "extract_paragraph"]


@dataclass(frozen=True)
class Fact:
    fact_id: str
    report_id: str
    paragraph_id: int
    section: int
    char_start: int
    char_end: int
    source_start: int
    source_end: int
    quote: str
    subject: str
    subject_en: str
    measure: str
    basis: str
    value: float
    unit: str
    value_base: float | None
    unit_base: str
    approx: str
    period_start: str
    period_end: str
    status: str
    qualifier: str
    context: str
    indicator: str = ""  # code in datapackage/indicators.csv, '' where none fits exactly
    correction: str = ""  # the steward's corrections of this fact and their reasons (reportpub.corrections)


# A report whose year is unknown is read against this year; every period computed from it (今年,
# 上半年, the part's default) falls before 1000 and is left empty: no date is better than a wrong one.
UNKNOWN_YEAR = 100


def extract(doc: Document) -> tuple[Fact, ...]:
    """Document -> facts of its body paragraphs, in document order."""
    year = doc.year or UNKNOWN_YEAR
    delivered = doc.delivered_year or year
    frame = parts.Frame(year, doc.plan_year or year + 1)
    scope = Period(*doc.scope, explicit=False) if doc.scope else None
    facts: list[Fact] = []
    heading_period: dict[int, Period | None] = {}
    sticky: tuple[tuple[int, str], Period] | None = None  # ((section, part), period) opened by a paragraph
    for para in doc.paragraphs:
        if para.kind == "body" and (opened := opening_period(para.text, year, delivered)):
            sticky = ((para.section, para.part), opened)
        if para.kind == "heading" and para.section and para.section not in heading_period:
            # 三、2025年主要目标和重点任务: the heading's year governs its section.
            found = find_period(re.sub(r"^[一二三四五六七八九十]+、", "", para.section_title), year, delivered)
            heading_period[para.section] = Period(found.start, found.end, False) if found.explicit else None
        if para.kind != "body" or para.part == parts.GLOSSARY:
            continue
        # The default period of a paragraph's facts, in order of precedence: a period opened by a
        # paragraph earlier in the same part of the same section (五年来，…), the part of the report
        # it stands in, its section heading's year, the report's own scope. A time word in the
        # fact's own sentence wins over all of them.
        opened = sticky[1] if sticky and sticky[0] == (para.section, para.part) else None
        defaults = (opened, _part_period(para.part, frame), heading_period.get(para.section), scope)
        default = next((d for d in defaults if d is not None), None)
        facts.extend(extract_paragraph(para, doc.report_id, year, delivered, default))
    for rows in tables.table_rows(doc.paragraphs).values():
        facts.extend(_table_facts(rows, doc.report_id, year, delivered, scope))
    return tuple(_without_unknown_years(f) for f in facts) if doc.year is None else tuple(facts)


def _part_period(part: str, frame: parts.Frame) -> Period | None:
    """The period a part of the report gives its facts (None where the part sets none)."""
    if part in ("", parts.BODY, parts.GLOSSARY):
        return None
    first, last = parts.default_span(part, frame)
    return Period(f"{first:04d}-01-01", f"{last:04d}-12-31", explicit=False)


def _without_unknown_years(fact: Fact) -> Fact:
    if fact.period_start and int(fact.period_start[:4]) < 1000:
        return replace(fact, period_start="", period_end="")
    return fact


def _table_facts(rows: list[Paragraph], report_id: str, year: int, delivered: int,
                 default: Period | None) -> list[Fact]:
    out = []
    for row, start, end, value, unit, subject, measure, basis, period, column in tables.read_table(
            rows, year, delivered, default):
        a, b = row.source_span(start, end)
        value_base, unit_base = base_value(value, unit)
        indicator = indicator_for(subject, measure, unit)
        out.append(Fact(
            fact_id=f"{report_id}-p{row.paragraph_id:04d}-c{start:04d}", report_id=report_id,
            paragraph_id=row.paragraph_id, section=row.section, char_start=start, char_end=end, source_start=a,
            source_end=b, quote=row.text[start:end], subject=subject, subject_en=english(indicator, subject),
            indicator=indicator, measure=measure, basis=basis, value=value, unit=unit, value_base=value_base, unit_base=unit_base,
            approx="exact", period_start=period.start, period_end=period.end,
            status="target" if int(period.start[:4]) > year else "actual", qualifier="",
            context=f"{subject} | {column}".strip(" |"),
        ))
    return out


def english(indicator: str, subject: str) -> str:
    """(indicator code, subject) -> the indicator's English label, else the glossary's exact entry for
    the subject, else ''. The one rule: a steward's correction derives subject_en with it too."""
    return label_en(indicator) or english_subject(subject)


def extract_paragraph(para: Paragraph, report_id: str, year: int, delivered_year: int,
                      default_period: Period | None = None) -> list[Fact]:
    text = para.text
    facts: list[Fact] = []
    previous: _Reading | None = None
    quantities = find_quantities(text)
    for i, q in enumerate(quantities):
        sent_start = _sentence_start(text, q.start)
        if previous and previous.sentence_start != sent_start:
            previous = None
        if previous and _continues_list(text, previous, q):
            reading = _next_in_list(text, q, previous, year, delivered_year)
        else:
            reading = _read(text, q, sent_start, previous, year, delivered_year, default_period,
                            reviewing=para.part in (parts.REVIEW, parts.FIVE_YEAR_REVIEW))
            if q.ratio_part == 1 or _starts_respectively(text, q, previous, sent_start):
                reading = _with_group_subjects(text, quantities[i:], reading, year, delivered_year)
        previous = reading
        if not reading.subject:  # never publish a number without saying what it counts
            reading = replace(reading, subject=_fallback_subject(text, q))
        a, b = para.source_span(q.start, q.end)
        value_base, unit_base = base_value(reading.value, q.unit)
        indicator = indicator_for(reading.subject, reading.measure, q.unit)
        facts.append(Fact(
            fact_id=f"{report_id}-p{para.paragraph_id:04d}-c{q.start:04d}",
            report_id=report_id, paragraph_id=para.paragraph_id, section=para.section,
            char_start=q.start, char_end=q.end, source_start=a, source_end=b, quote=text[q.start:q.end],
            subject=reading.subject, subject_en=english(indicator, reading.subject),
            measure=reading.measure, indicator=indicator,
            basis=reading.basis, value=reading.value, unit=q.unit, value_base=value_base, unit_base=unit_base,
            approx=q.approx, period_start=reading.period_start, period_end=reading.period_end,
            status=reading.status, qualifier=reading.qualifier, context=_clause(text, q),
        ))
    return facts


@dataclass(frozen=True)
class _Reading:
    end: int
    sentence_start: int
    subject: str
    measure: str
    basis: str
    value: float
    status: str
    period_start: str
    period_end: str
    qualifier: str
    list_joined: bool  # followed the previous quantity after a 、
    group: tuple = ()  # subjects (or periods) still to hand out to the next members of a list
    sign: int = 1


def _read(text: str, q: Quantity, sent_start: int, prev: _Reading | None, year: int, delivered: int,
          default_period: Period | None, reviewing: bool = False) -> _Reading:
    floor = prev.end if prev else sent_start
    left = subjects.left_phrase(text, q.start, floor)
    right = subjects.right_phrase(text, q.end, min(len(text), q.end + CLAUSE_REACH))  # not the whole paragraph
    between = text[prev.end:q.start] if prev else ""
    list_joined = bool(prev) and "、" in between and not re.search(r"[，,；;。]", between)

    measure, basis, value = measure_of(left, q)
    if (after := CHANGE_AFTER_RE.match(text[q.end:q.end + 5])) and q.unit in ("%", "个百分点"):
        measure, basis = "change", basis_of(left, q)
        value = -q.value if after.group("dir") == "负" or after.group("verb") in ("下降", "降幅") else q.value
    if measure in ("level",) and prev and prev.measure in ("new", "cumulative") and (
            (list_joined and not VERB_RE.search(left)) or (prev.measure == "cumulative" and _carries_cumulative(between))):
        measure = prev.measure
    subject = _subject(left, right, q, measure, prev, text[sent_start:q.start])
    if m := RATE_OF_CHANGE_RE.search(left):  # 居民消费价格涨幅3%左右
        measure, basis = "change", basis_of(left, q)
        value = -q.value if m.group("kind") in ("降幅", "跌幅") else q.value
        if GENERIC_SUBJECTS.match(subject):
            subject = subjects.clean(left[:m.start()]) or subject
    elif MULTIPLE_OF_RE.search(left) and q.unit == "倍":  # 是全国平均水平的1.2倍
        measure, basis, subject = "ratio", "", (prev.subject if prev else subject)
    if measure == "level" and NEW_RE.match(subject):
        measure, subject = "new", NEW_RE.sub("", subject, count=1)
    elif measure == "level" and NEW_NOUN_RE.match(subject) and is_count(q.unit):
        measure = "new"

    from_to, named_year, before_from = _from_to(text, q, left)
    if from_to == "from":  # 从2.5万公里增加到4.2万公里: the start value
        subject = subjects.clean(before_from) or subject
        measure, basis, value = ("ratio" if q.unit == "%" else "level"), "", q.value
    elif from_to == "to" and prev:
        subject, measure, basis, value = prev.subject, prev.measure, "", q.value

    sentence_before = text[sent_start:q.start]
    period = find_period(text[sent_start:_sentence_end(text, q.end)], year, delivered, default_period,
                         upto=q.start - sent_start)
    status = find_status(sentence_before, period, year, reviewing=reviewing)
    span = (period.start, period.end)
    if named_year:  # 从2020年的…提高到2025年的…: each value's own year
        span = single_year(named_year)
    elif is_multi_year(*span):
        first, last = int(span[0][:4]), int(span[1][:4])
        if from_to == "from":
            span = single_year(first - 1)
        elif from_to == "to" or (measure in ("level", "ratio") and re.search(r"(?:到|至|达|突破|已)$", left)):
            span = single_year(last)
        if measure == "change" and basis == "yoy" and not YOY_RE.search(left) and "年均" not in left:
            basis = "none"  # a change over several years compares with their start, not the year before
    return _Reading(q.end, sent_start, subject, measure, basis, value, status, span[0], span[1],
                    _qualifier(text, q, floor), list_joined, sign=-1 if value < 0 else 1)


def _fallback_subject(text: str, q: Quantity) -> str:
    """The clause around the number, without it: a long subject is better than none."""
    clause = _clause(text, q)
    rest = subjects.clean(clause.replace(text[q.start:q.end], "")) or clause.replace(text[q.start:q.end], "")
    return rest.strip("，。；、 ") or clause


_MOVE = r"(?:提高|增加|上升|下降|减少|降低|扩大|缩小|增长|提升|缩短|压缩|降|增)"
_OF_YEAR = r"(?:(?P<y>(?:19|20)\d{2})年(?:的|底|末)?)?"  # 从2020年的10.5万元提高到2025年的14万元
_FROM_RE = re.compile(rf"[从由]{_OF_YEAR}$")
_TO_RE = re.compile(rf"{_MOVE}(?:到|至){_OF_YEAR}$")


def _from_to(text: str, q: Quantity, left: str) -> tuple[str, int | None, str]:
    """('from' or 'to', the year named with it, the subject text before 从) in 从A提高到B; ('', None, '') otherwise."""
    if (m := _FROM_RE.search(left)) and re.match(rf"(?:[^，。；]{{0,2}})?{_MOVE}(?:到|至)", text[q.end:q.end + 8]):
        return "from", int(m.group("y")) if m.group("y") else None, left[:m.start()]
    if (m := _TO_RE.search(left)) and re.search(r"[从由][^，。；]{1,20}$", text[max(0, q.start - 40):q.start - len(left)]):
        return "to", int(m.group("y")) if m.group("y") else None, ""
    return "", None, ""


def _continues_list(text: str, prev: _Reading, q: Quantity) -> bool:
    """The upper bound of a range, or the next member of a 分别 / a:b:c list."""
    between = text[prev.end:q.start]
    if q.range_part == "区间上限" or q.ratio_part > 1:
        return True
    between = APPROX_START.sub("", between)  # 分别增长4%左右和6%左右
    return bool(prev.group) and between in ("、", "和", "及", "，", ",")


def _next_in_list(text: str, q: Quantity, prev: _Reading, year: int, delivered: int) -> _Reading:
    subject, group = prev.subject, prev.group
    period = (prev.period_start, prev.period_end)
    if group:
        head, group = group[0], group[1:]
        if isinstance(head, tuple):
            period = head
        else:
            subject = head
    qualifier = q.range_part or ("" if q.ratio_part else prev.qualifier)
    return replace(prev, end=q.end, subject=subject, value=q.value * prev.sign, period_start=period[0],
                   period_end=period[1], qualifier=qualifier, group=group, list_joined=True)


def _starts_respectively(text: str, q: Quantity, prev: _Reading | None, sent_start: int) -> bool:
    clause = subjects.left_phrase(text, q.start, prev.end if prev else sent_start)
    return "分别" in clause and text[q.end:q.end + 1] in ("、", "和", "及")


def _with_group_subjects(text: str, members: list[Quantity], first: _Reading, year: int, delivered: int) -> _Reading:
    """Hand out one subject (or period) per member of a 分别 or a:b:c list."""
    n = 1
    while n < len(members) and (members[n].ratio_part > 1 if members[0].ratio_part else
                                text[members[n - 1].end:members[n].start] in ("、", "和", "及")):
        n += 1
    left = subjects.left_phrase(text, members[0].start, 0)
    if members[0].ratio_part:
        phrase = subjects.clean(re.sub(r"(?:为|是|达到?)$", "", left))
        names = lists.ratio_subjects(phrase, n)
        return replace(first, subject=names[0], group=tuple(names[1:]))
    phrase = left.split("分别")[0]
    periods = [find_period(x, year, delivered) for x in re.split(r"、|和", phrase)]
    if len(periods) == n and all(p.explicit for p in periods):  # 一季度、上半年…分别增长
        spans = [(p.start, p.end) for p in periods]
        return replace(first, period_start=spans[0][0], period_end=spans[0][1], group=tuple(spans[1:]),
                       subject=subjects.clean(phrase) or first.subject)
    names = lists.distribute(subjects.clean(phrase), n)
    if not names:
        return replace(first, group=tuple([first.subject] * (n - 1)))
    return replace(first, subject=names[0], group=tuple(names[1:]))


def _carries_cumulative(between: str) -> bool:
    """累计完成更新项目61个，盘活土地273公顷: 累计 governs the next coordinated clause."""
    return (bool(re.fullmatch(r"[，,][^，,；;。]*", between)) and not CHANGE_VERB_RE.search(between)
            and not CONSEQUENCE_START.match(between))


def _previous_clause_subject(before: str) -> str:
    """CPI：城市居民消费价格指数为100.7，同比上涨0.7%: the subject named in the clause before."""
    clauses = [c for c in re.split(r"[，,；;：:]", before) if c]
    if len(clauses) < 2:
        return ""
    named = re.split(r"为|是|达到|完成|实现", clauses[-2])[0]
    return subjects.clean(named)


def _subject(left: str, right: str, q: Quantity, measure: str, prev: _Reading | None,
             left_context: str = "") -> str:
    carried = prev.subject if prev else ""
    if measure == "change":
        subject = subjects.contribution_subject(left) or subjects.change_subject(left)
    else:
        subject = subjects.count_subject(left, right) if q.unit not in ("%", "‰") else subjects.level_subject(left)
    if not subject and not carried:
        return _previous_clause_subject(left_context)
    if not subject:
        return carried
    if ELLIPTIC_HEADS.match(subject) and WHOLE_HEADS.search(carried) and WHOLE_HEADS.sub("", carried):
        return WHOLE_HEADS.sub("", carried) + subject
    if GENERIC_SUBJECTS.match(subject) and carried:
        return carried + subject
    return subject


def _qualifier(text: str, q: Quantity, floor: int) -> str:
    """Conditions stated since the previous quantity (its own bracket excluded) or right after this one."""
    own_bracket = re.match(r"[（(][^（）()]*[）)]", text[floor:q.start])
    start = floor + (own_bracket.end() if own_bracket else 0)
    found = [m.group() for m in QUALIFIER_RE.finditer(text, start, q.end) if m.start() < q.start]
    after = text[q.end:q.end + 20]
    if m := re.match(r"[（(]([^（）()]{1,20})[）)]", after):
        inner = m.group(1)
        if not re.search(r"[0-9０-９]", inner) and len(inner) > 1:  # 15.6万套（间）: another unit, not a condition
            found.append(inner)
    if q.range_part:
        found.append(q.range_part)
    return "；".join(dict.fromkeys(found))


def _sentence_start(text: str, pos: int) -> int:
    return max(text.rfind(c, 0, pos) for c in SENTENCE_END) + 1


def _sentence_end(text: str, pos: int) -> int:
    ends = [i for i in (text.find(c, pos) for c in SENTENCE_END) if i >= 0]
    return min(ends) if ends else len(text)


CLAUSE_REACH = 120  # characters of context each side: an unpunctuated paragraph is no clause


def _clause(text: str, q: Quantity) -> str:
    """The clause around a quantity, at most CLAUSE_REACH characters each side (else every fact of
    a long unpunctuated paragraph carries all of it, and a package grows with its square)."""
    a = q.start
    while a > max(0, q.start - CLAUSE_REACH) and text[a - 1] not in "，。；！？":
        a -= 1
    b = q.end
    while b < min(len(text), q.end + CLAUSE_REACH) and text[b] not in "，。；！？":
        b += 1
    return text[a:b]
