"""The parts of a report, and the period and status each gives the facts that state none.

A government work report reviews the past year (actual), often the past five years too (十四五时期,
五年来, 这是…的五年: 2021-2025, actual), then sets the five-year goals (十五五: 2026-2030) and the
coming year's targets and tasks (2026年重点工作, 主要预期目标: target); appendices list the year's
promised projects (2026年民生实事: targets) and explain terms (名词解释: no facts). A statistics
analysis covers the scope its opening names (一季度, 上半年, 1-11月).

A part starts at a part title (a numbered heading, or a short line such as 2026年重点工作) and runs
to the next; inside it, a paragraph that opens with a time cue (过去一年, 五年来, 今后五年) switches
between the states its title allows. Sentence-level time words still win over both (extract).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

# The states a paragraph can be in; each sets a default period and status for its facts.
REVIEW, FIVE_YEAR_REVIEW, PLAN, FIVE_YEAR_PLAN, GLOSSARY, BODY = (
    "review", "five_year_review", "plan", "five_year_plan", "glossary", "body")
STATUS = {REVIEW: "actual", FIVE_YEAR_REVIEW: "actual", PLAN: "target", FIVE_YEAR_PLAN: "target",
          GLOSSARY: "", BODY: "actual"}

_FYP = re.compile(r"十(?P<n>[一二三四五六])五")
_N = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6}
_YEAR = re.compile(r"((?:19|20)\d{2})年")
_SENTENCE = re.compile(r"[，。；！？]")


def plan_period(text_match: re.Match) -> tuple[int, int]:
    """十四五 -> (2021, 2025): from the third plan (1966-1970) on, the plans run back to back."""
    first = 1966 + 5 * (10 + _N[text_match.group("n")] - 3)
    return first, first + 4


@dataclass(frozen=True)
class Frame:
    """What a report's parts are measured against: the year under review and the plan year."""
    year: int
    plan_year: int


# --- part titles: which states a part allows, first the default --------------------------------

TitleRule = Callable[[str, Frame], "tuple[str, ...] | None"]


def glossary_title(title: str, frame: Frame) -> tuple[str, ...] | None:
    return (GLOSSARY,) if re.search(r"名词解释|名词注释|注释说明", title) else None


def promises_title(title: str, frame: Frame) -> tuple[str, ...] | None:
    """2026年省十件民生实事: the year's promised projects are targets."""
    return (PLAN,) if re.search(r"民生实事|惠民实事|为民办实事", title) else None


def five_year_titles(title: str, frame: Frame) -> tuple[str, ...] | None:
    """十四五时期发展成就 (review), 十五五时期主要目标任务 (plan), or both in one title, in their order."""
    found: list[tuple[int, str]] = []  # (position in the title, state): the first named is the default
    for m in _FYP.finditer(title):
        first, last = plan_period(m)
        found.append((m.start(), FIVE_YEAR_REVIEW if last <= frame.year else FIVE_YEAR_PLAN))
    for rx, state in ((r"过去五年|五年来|五年工作", FIVE_YEAR_REVIEW), (r"今后五年|未来五年", FIVE_YEAR_PLAN),
                      (r"过去一年|一年来", REVIEW)):
        found += [(m.start(), state) for m in re.finditer(rx, title)]
    found += [(m.start(), REVIEW if int(m.group(1)) <= frame.year else PLAN) for m in _YEAR.finditer(title)]
    states = [state for _, state in sorted(found)]
    if not any(s in (FIVE_YEAR_REVIEW, FIVE_YEAR_PLAN) for s in states):
        return None
    return tuple(dict.fromkeys(states))


def review_title(title: str, frame: Frame) -> tuple[str, ...] | None:
    """一、2025年工作回顾 / 过去一年工作回顾 / 主要工作."""
    if re.search(r"回顾|主要工作|工作总结|主要成绩|取得的成绩|工作成效", title):
        m = _YEAR.search(title)
        if not m or int(m.group(1)) <= frame.year:
            return (REVIEW,)
    return None


def plan_title(title: str, frame: Frame) -> tuple[str, ...] | None:
    """三、2026年重点工作 / 对今年政府工作的建议 / 工作安排; not 重点工作取得新进展 (a review)."""
    if re.search(r"取得|进展|成效|完成情况|成绩|成就|回顾", title):
        return None
    m = _YEAR.search(title)
    future = bool(m and int(m.group(1)) > frame.year) or "今年" in title
    if future and re.search(r"重点工作|主要任务|目标|工作安排|工作建议|工作思路|工作打算|工作计划|政府工作", title):
        return (PLAN,)
    if not m and re.search(r"工作安排|工作建议|工作打算|工作计划|政府工作的建议|总体要求|预期目标", title):
        return (PLAN,)
    return None


# In this order: the first rule that recognises a title decides its states.
TITLE_RULES: tuple[TitleRule, ...] = (glossary_title, promises_title, five_year_titles, review_title, plan_title)


FAMILIES = ((REVIEW, FIVE_YEAR_REVIEW), (PLAN, FIVE_YEAR_PLAN))


def part_title_states(title: str, frame: Frame) -> tuple[str, ...] | None:
    """The states a part allows, its default first: those its title names, and their kin (a
    “十四五”时期工作回顾 may still hold a paragraph on 刚刚过去的2025年)."""
    title = re.sub(r"^[一二三四五六七八九十]+、|^附件\d*", "", title).strip()
    for rule in TITLE_RULES:
        if (states := rule(title, frame)) is not None:
            kin = [s for family in FAMILIES if set(family) & set(states) for s in family]
            return tuple(dict.fromkeys([*states, *kin]))
    return None


# --- paragraph cues: a paragraph's opening switches the state inside its part -------------------

_OPENING_NOISE = re.compile(r"^(?:各位代表[！!，,：:]|——|—|[（(][一二三四五六七八九十\d]+[）)]|[一二三四五六七八九十]+是)+")


def paragraph_cue(text: str, frame: Frame) -> str | None:
    """过去一年，… / 五年来，… / 这是…的五年 / 今后五年，… / 2026年是…: the state a paragraph opens."""
    head = _OPENING_NOISE.sub("", text)[:60]
    first = re.split(r"[。；！？]", head)[0]
    if re.match(r"(?:过去五年|五年来|这五年|过去的五年|近五年)", head) or re.match(r"这是[^。，]{0,30}的五年", first):
        return FIVE_YEAR_REVIEW
    if m := re.match(r"[“\"]?十(?P<n>[一二三四五六])五[”\"]?(?:时期|期间|以来)?", head):
        first_year, last = plan_period(m)
        return FIVE_YEAR_REVIEW if last <= frame.year else FIVE_YEAR_PLAN
    if re.match(r"(?:今后五年|未来五年)", head):
        return FIVE_YEAR_PLAN
    if re.match(r"(?:过去一年|一年来|刚刚过去的一年)", head):
        return REVIEW
    if m := re.match(r"(?:刚刚过去的|过去的)?((?:19|20)\d{2})年(?:是|，|,|很|极|在)", head):
        y = int(m.group(1))
        return REVIEW if y == frame.year else PLAN if y == frame.plan_year else None
    if re.match(r"今年(?:是|，|经济社会发展|全[省市区]经济社会发展|主要预期目标)", head):
        return PLAN
    return None


_TIME_NAMED = re.compile(r"(?:19|20)\d{2}年|十[一二三四五六]五|五年|今年|一年|名词解释|名词注释|民生实事|惠民实事|附件")


def is_part_title(text: str, kind: str) -> bool:
    """A numbered top-level heading, or a short line standing alone that names its time frame
    (“十四五”时期工作回顾, 2026年重点工作) or an appendix (名词解释); not a run-in 主要目标."""
    if kind == "heading":
        return not re.match(r"^[（(]", text)
    return kind == "body" and len(text) <= 30 and not _SENTENCE.search(text) and bool(_TIME_NAMED.search(text))


def paragraph_states(texts: Sequence[str], kinds: Sequence[str], frame: Frame) -> list[str]:
    """Each paragraph's state, in document order."""
    states: list[str] = []
    allowed: tuple[str, ...] = ()
    current = BODY
    opening = next((i for i, k in enumerate(kinds) if k == "body"), 0)  # the title above is no part title
    for i, (text, kind) in enumerate(zip(texts, kinds, strict=True)):
        if i >= opening and is_part_title(text, kind) and (found := part_title_states(text, frame)) is not None:
            allowed, current = found, found[0]
        elif kind == "body" and allowed and (cue := paragraph_cue(text, frame)) in allowed:
            current = cue
        states.append(current if kind != "boilerplate" else BODY)
    return states


def default_span(state: str, frame: Frame) -> tuple[int, int]:
    """The years a state covers: (first, last)."""
    if state == FIVE_YEAR_REVIEW:
        return frame.year - 4, frame.year
    if state == FIVE_YEAR_PLAN:
        return frame.plan_year, frame.plan_year + 4
    if state == PLAN:
        return frame.plan_year, frame.plan_year
    return frame.year, frame.year
