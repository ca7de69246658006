"""What kind of measure a quantity is (level, new, cumulative, change, ratio), against what basis.

Each rule is a small named function of the clause before the number (`left`) and the quantity; it
answers (measure, basis, signed value) or None when it does not apply. `MEASURE_RULES` tries them
in the order written there, and that order is the precedence: read the table to know which rule
wins, and add a rule where its precedence belongs.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ..units import code_list
from .lexicon import (
    ABOVE_OTHER_RE, CHANGE_VERB_RE, CONTRIBUTION_RE, CUMULATIVE_RE, DOWN_RE, FULL_YEAR_BASIS_RE, MOM_RE,
    NEW_RE, OTHER_BASIS_RE, SHARE_RE, YOY_RE,
)
from .numbers import Quantity

Reading = tuple[str, str, float]  # (measure, basis, signed value)
PERCENTISH = ("%", "‰", "个百分点")


def ratio_part(left: str, q: Quantity) -> Reading | None:
    """三次产业结构为1.6：32.6：65.8: a part of a whole."""
    if q.ratio_part:
        return ("ratio" if q.unit == "%" else "level"), "", q.value
    return None


def doubling(left: str, q: Quantity) -> Reading | None:
    """实现翻番: a change of one times (against a named year: basis none)."""
    if q.numeral == "doubling":
        return "change", ("none" if re.search(r"[比较](?:19|20)\d{2}年", left) else basis_of(left, q)), q.value
    return None


def change_verb(left: str, q: Quantity) -> Reading | None:
    """增长8% / 下降3.2个百分点 / 增加1200人 (a count that grows is new): the verb right before."""
    verb = CHANGE_VERB_RE.search(left)
    if not verb:
        return None
    v = verb.group("verb")
    value = -q.value if DOWN_RE.match(v) else q.value
    basis = basis_of(left, q)
    stated = YOY_RE.search(left) is not None
    if q.unit not in PERCENTISH and v in ("增加", "增", "多") and is_count(q.unit) and basis == "yoy" and not stated:
        return "new", "", q.value
    if q.unit not in (*PERCENTISH, "倍") and basis == "yoy" and not stated:
        basis = "none"  # an absolute change with no comparison stated
    return "change", basis, value


def directed_contribution(left: str, q: Quantity) -> Reading | None:
    """负向拉动投资8.7个百分点: a contribution with its sign."""
    if q.unit in ("个百分点", "%") and (c := CONTRIBUTION_RE.search(left)) and c.group("dir"):
        return "change", "none", -q.value if c.group("dir") == "负向" else q.value
    return None


def percentage_points(left: str, q: Quantity) -> Reading | None:
    """N个百分点 is always a difference of two rates."""
    return ("change", basis_of(left, q), q.value) if q.unit == "个百分点" else None


def share(left: str, q: Quantity) -> Reading | None:
    """比重/占比/覆盖率 …为99.3%: a rate, even where the subject holds 新增 (新增能耗…比重)."""
    return ("ratio", "", q.value) if q.unit in ("%", "‰") and SHARE_RE.search(left) else None


def cumulative(left: str, q: Quantity) -> Reading | None:
    return ("cumulative", "", q.value) if CUMULATIVE_RE.search(left) else None


def new(left: str, q: Quantity) -> Reading | None:
    return ("new", "", q.value) if NEW_RE.search(left) else None


def rate(left: str, q: Quantity) -> Reading | None:
    """A percentage with no verb before it: a rate (失业率5.5%)."""
    return ("ratio", "", q.value) if q.unit in PERCENTISH else None


def level(left: str, q: Quantity) -> Reading | None:
    return "level", "", q.value


Rule = Callable[[str, Quantity], "Reading | None"]
MEASURE_RULES: tuple[Rule, ...] = (
    ratio_part, doubling, change_verb, directed_contribution, percentage_points, share, cumulative, new, rate,
    level,
)


def measure_of(left: str, q: Quantity) -> Reading:
    """(measure, basis, signed value) from the clause before the number: the first rule that applies."""
    for rule in MEASURE_RULES:
        if (reading := rule(left, q)) is not None:
            return reading
    raise AssertionError("level always applies")


# --- basis: what a change compares with ---------------------------------------------------------

def _contribution(left: str, q: Quantity | None) -> bool:
    """拉动…增长3.6个百分点 is a contribution; 带动投资增长6.5% is that investment's own growth."""
    return CONTRIBUTION_RE.search(left) is not None and (q is None or q.unit != "%")


BASIS_RULES: tuple[tuple[str, Callable[[str, "Quantity | None"], bool], str], ...] = (
    ("contribution", _contribution, "none"),
    ("month_on_month", lambda left, q: MOM_RE.search(left) is not None, "mom"),
    ("above_another", lambda left, q: ABOVE_OTHER_RE.search(left) is not None, "none"),  # 高于全国0.5个百分点
    ("full_year_base", lambda left, q: FULL_YEAR_BASIS_RE.search(left) is not None, "none"),  # 比上年全年
    ("year_on_year", lambda left, q: YOY_RE.search(left) is not None, "yoy"),
    ("other_base", lambda left, q: OTHER_BASIS_RE.search(left) is not None, "none"),  # 比2016年提高
)


def basis_of(left: str, q: Quantity | None = None) -> str:
    """The basis of a change: the first rule of `BASIS_RULES` that applies, else yoy (Chinese
    statistics compare with the same period of the previous year when they say nothing)."""
    return next((basis for _, applies, basis in BASIS_RULES if applies(left, q)), "yoy")


def is_count(unit: str) -> bool:
    u = code_list().get(unit)
    return u is not None and u.kind in ("count", "person")
