"""What a quantity measures: the noun phrase before it (研发投入同比增长19.6%) or after it
(7家二级以上医院, 6家企业入驻), cleaned of scope, time and light-verb words.
"""

from __future__ import annotations

import functools
import re

from .lexicon import (
    ABOVE_OTHER_RE, APPROX_START, CHANGE_DOWN, CHANGE_UP, NARROWED, APPROX_WORDS, BASIS_WORDS, CLAUSE_BREAK, CONTRIBUTION_RE, LEADING_FUNCTION, LIGHT_VERBS, LIST_CONNECTORS,
    LOCATIVE_START, PASSED_BEFORE_NUMBER, QUALIFIER_RE, RESULT_VERBS, SCOPE_WORDS, VERB_RE,
)

_TRIM = "，,、；;：:。 \"'"
_LEFT_BREAK = frozenset(CLAUSE_BREAK) - {"（", "）", "(", ")"}
_RIGHT_BREAK = frozenset(CLAUSE_BREAK)
_GLUE = re.compile(r"(?:实现|完成|达到)")
_LEADING_LIGHT = re.compile(rf"^(?:{LIGHT_VERBS.pattern})+")
_TRAILING_LIGHT = re.compile(rf"(?:{LIGHT_VERBS.pattern}|达)+$")
_NUMBERISH = re.compile(r"[0-9０-９.．%％]")


@functools.lru_cache(maxsize=8192)
def clean(np: str) -> str:
    """Noun phrase -> the phrase without scope/time words, light verbs and dangling punctuation.
    Kept per phrase (the lexicon is fixed at import): eight substitutions a call, and a report's
    phrases recur (each number's subject is cleaned several times on its way)."""
    np = SCOPE_WORDS.sub("", np)
    np = QUALIFIER_RE.sub("", np)
    np = BASIS_WORDS.sub("", np)
    np = _LEADING_LIGHT.sub("", np)
    np = _TRAILING_LIGHT.sub("", np)
    np = _GLUE.sub("", np) if len(np) > 4 else np
    np = LEADING_FUNCTION.sub("", np)
    np = APPROX_WORDS.sub("", APPROX_WORDS.sub("", np))
    np = _balanced(np.strip(_TRIM), "“", "”")
    np = _balanced(_balanced(np, "（", "）"), "(", ")")
    return np.strip(_TRIM)


def _balanced(np: str, opening: str, closing: str) -> str:
    """Drop brackets or quotes left unpaired by a cut: 地区生产总值（GDP -> 地区生产总值（GDP）."""
    if np.count(opening) == np.count(closing):
        return np
    if np.count(opening) > np.count(closing) and np.rfind(opening) > np.rfind(closing):
        head = np[:np.rfind(opening)]
        return head if head else np.replace(opening, "")
    return np.replace(opening, "").replace(closing, "")


def left_phrase(text: str, start: int, floor: int) -> str:
    """The clause text before a quantity, not reaching back past `floor` (the previous quantity)."""
    i, depth = start, 0
    while i > floor:
        c = text[i - 1]
        if c in _LEFT_BREAK:
            break
        if c in "）)":
            depth += 1
        elif c in "（(":
            if depth == 0:
                break  # the quantity stands inside this bracket: its clause starts here
            depth -= 1
        i -= 1
    return text[i:start]


def right_phrase(text: str, end: int, ceiling: int) -> str:
    """The text after a quantity up to the clause end (lists joined by 、 stay together)."""
    j = end
    while j < ceiling and text[j] not in _RIGHT_BREAK:
        j += 1
    return text[end:j]


def contribution_subject(left: str) -> str | None:
    """拉动社零额增长3.2个百分点 -> 社零额."""
    m = CONTRIBUTION_RE.search(left)
    return m.group("what").strip("，、") or None if m else None


# The change verbs of the lexicon that a change subject ends with; 增收/减收 stay (合计增收2.5亿元: the
# increase is what is measured), and so do 多/少 (a subject may end in them).
_STRIPPED_VERBS = [v for v in f"{CHANGE_UP}|{CHANGE_DOWN}|{NARROWED}|压减".split("|") if v not in ("增收", "减收", "多", "少")]
_CHANGE_VERB_AT_END = re.compile(rf"(?:实际|名义)?(?:{'|'.join(sorted(_STRIPPED_VERBS, key=len, reverse=True))})了?"
                                 r"(?:约|近|超过|超|逾|不到|不足)?$")


def change_subject(left: str) -> str:
    """Text before a change verb -> what changed (地区生产总值同比增长 -> 地区生产总值)."""
    np = BASIS_WORDS.sub("", _CHANGE_VERB_AT_END.sub("", left))
    np = re.sub(r"[比较](?!重|例|率|值)(?:上年|去年)?(?:同期|全年)?$", "", np)
    np = re.sub(r"[比较](?!重|例|率|值)[^，。；]{1,10}$", "", np) if re.search(r"[比较]", np) else np
    np = ABOVE_OTHER_RE.sub("", np)  # 高于全国: the comparison, not what is measured
    return clean(np)


def count_subject(left: str, right: str) -> str:
    """Subject of a count or amount: before it (对接项目52个) or after it (6家企业入驻)."""
    before = clean(PASSED_BEFORE_NUMBER.sub("", left))
    right = APPROX_START.sub("", right)
    after = right.lstrip("“”")
    if not after or after.startswith("、") or LOCATIVE_START.match(after) or VERB_RE.match(after) or _NUMBERISH.match(after):
        return before or ""
    if left.endswith("等"):
        before = ""
    noun, verb_phrase = _split_noun_verb(right)
    if not noun:
        return before
    modifier = _modifier(left, verb_phrase_follows=bool(verb_phrase))
    subject = modifier + noun
    if verb_phrase:
        if verb_phrase in RESULT_VERBS:
            subject = verb_phrase + subject
        elif len(verb_phrase) > 2 and not _NUMBERISH.search(verb_phrase):
            subject = verb_phrase + "的" + subject
    return subject


def _split_noun_verb(right: str) -> tuple[str, str]:
    """'重点企业纳入三级白名单' -> ('重点企业', '纳入三级白名单')."""
    cut = len(right)
    stop = None
    for rx in (VERB_RE, LIST_CONNECTORS, _NUMBERISH, re.compile(r"等")):
        m = rx.search(right, 1)
        if m and m.start() < cut:
            cut, stop = m.start(), rx
    noun = right[:cut]
    quote_at = noun.find("“", 2)
    if quote_at > 0 and noun.count("“") == noun.count("”"):
        noun = noun[:quote_at]  # 小区“三率”: the quoted word starts another phrase
    verb_phrase = ""
    if stop is VERB_RE:
        rest = right[cut:]
        num = _NUMBERISH.search(rest)
        verb_phrase = rest[:num.start()] if num else rest
        verb_phrase = re.split(r"、", verb_phrase)[0]
        if num:
            verb_phrase = ""  # the verb belongs to the next quantity (37家企业贡献34.5亿元)
    return clean(noun) if len(noun) > 1 else noun, verb_phrase


def level_subject(left: str) -> str:
    """Text before a rate or share stated as a level (优良水体比例50%)."""
    return clean(PASSED_BEFORE_NUMBER.sub("", left))


def _modifier(left: str, verb_phrase_follows: bool = False) -> str:
    """What stands between the last verb and the number: 支持两旗22个项目 -> 两旗."""
    m = None
    for m in VERB_RE.finditer(left):
        pass
    tail = left[m.end():] if m else left
    if m and not tail and not verb_phrase_follows and not LIGHT_VERBS.fullmatch(m.group()):
        return m.group()  # 覆盖20余万人群 -> 覆盖人群
    tail = SCOPE_WORDS.sub("", tail)
    tail = LEADING_FUNCTION.sub("", tail)
    tail = re.sub(rf"^(?:{LIGHT_VERBS.pattern})+", "", tail)
    if not tail or tail.endswith("等") or len(tail) > 12 or _NUMBERISH.search(tail):
        return ""
    return tail
