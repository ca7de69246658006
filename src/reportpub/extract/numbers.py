"""Quantities in Chinese text: a number (Arabic, full-width or Chinese numerals) with its unit.

Finds the span of each quantity and parses its value; what the quantity measures is decided by
the grammar in `clauses.py`. A number without a unit is not a quantity (years, versions and codes
are not facts), except the parts of an a:b:c structure.

A number is read whole or not at all: text copied from web pages hides invisible characters
(zero-width space, soft hyphen: Unicode category Cf) inside numbers, and digits of other scripts
(٣, ۴) can stand next to ASCII ones. The patterns match ASCII and full-width digits only, so
`1\u00ad234.5亿元` would otherwise give 234.5: a match that such a character or any digit joins to
more digits is no number. Cost stays linear in the paragraph (`_Covered`, `_QuoteMarks`), and a
paragraph with more numbers than MAX_NUMBERS_PER_PARAGRAPH is refused.
"""

from __future__ import annotations

import bisect
import functools
import re
import unicodedata
from dataclasses import dataclass

import cn2an

from ..errors import ExtractError
from ..limits import MAX_NUMBERS_PER_PARAGRAPH
from ..units import code_list

ARABIC = r"[0-9０-９]+(?:,[0-9]{3})*(?:[.．][0-9０-９]+)?"
CHINESE = r"[零〇一二两三四五六七八九十百千]+"
_PERCENT = {"%": "%", "％": "%", "‰": "‰", "个百分点": "个百分点", "百分点": "个百分点"}
# Nouns that begin with 人 but are not the unit 人 (人群, 人口 ...): 20余万人群 is 20余万 + 人群.
_PERSON_NOUNS = "群口员才民气工"


def _unit_alternation() -> str:
    """Percent forms, then an optional scale word and a base unit (a short alternation is a fast one)."""
    units = code_list()
    scales = sorted({u.unit[: len(u.unit) - len(b)] for u in units.values() for b in [_base_of(u.unit)]
                     if u.unit != b}, key=len, reverse=True)
    bases = sorted({_base_of(u) for u in units if u not in _PERCENT and u != "年"}, key=len, reverse=True)
    alt = lambda xs: "|".join(re.escape(x) for x in xs if x)  # noqa: E731
    return f"{alt(_PERCENT)}|(?:{alt(scales)})?(?:{alt(bases)})|{alt(scales)}"


def _base_of(unit: str) -> str:
    for scale in ("万亿", "千亿", "百亿", "亿", "千万", "百万", "十万", "万", "千"):
        if unit.startswith(scale) and len(unit) > len(scale) and unit[len(scale):] in code_list():
            return unit[len(scale):]
    return unit


@dataclass(frozen=True)
class Quantity:
    start: int  # span of number and unit in the paragraph text
    end: int
    value: float
    unit: str  # normalised unit as written
    approx: str  # exact | more_than | about | less_than
    numeral: str  # arabic | chinese | doubling (翻番)
    range_part: str = ""  # "" | 区间下限 | 区间上限
    ratio_part: int = 0  # 1, 2, 3 ... for the parts of a:b:c


class _Patterns:
    def __init__(self) -> None:
        unit = _unit_alternation()
        num = f"(?P<num>{ARABIC}|{CHINESE})"
        self.quantity = re.compile(
            rf"{num.replace('num', 'num2')}(?P<scale>万亿|亿|千万|百万|万)(?P<mid2>余|多)(?P<unit2>{unit})"
            rf"|{num}(?P<mid>余|多)?(?P<unit>{unit})(?P<post>余|多)?"
        )
        # 13.5年 (a duration with a decimal) and 提高到14年: years as a unit, never a date.
        self.years = re.compile(r"(?:(?<=[到至])(?P<int>[0-9]{1,2})|(?P<dec>[0-9]{1,2}[.．][0-9]+))年(?![代级度初末底以来前])")
        self.range = re.compile(
            rf"(?P<lo>{ARABIC})(?P<lounit>[%％])?(?:-|－|—|~|～|至|到)(?P<hi>{ARABIC})(?P<unit>[%％]|个百分点|{unit})"
        )
        self.ratio = re.compile(rf"(?<![0-9.:：])({ARABIC})(?:[:：]({ARABIC})){{1,4}}(?![0-9:：])")
        self.ratio_part = re.compile(ARABIC)
        # 提高0.9、5.9个百分点 / 净减少10.6万、3.8万公顷: bare numbers that share the last unit.
        self.shared_unit = re.compile(
            rf"(?P<items>(?:{ARABIC}(?:万亿|亿|万)?(?:[、和]|及))+){ARABIC}(?P<mid>余|多)?(?P<unit>{unit})")
        self.bare = re.compile(rf"(?P<n>{ARABIC})(?P<scale>万亿|亿|万)?(?=[、和及])")
        self.doubling = re.compile(r"翻(?P<n>一|两|二|三)?番")


_PATTERNS: _Patterns | None = None


def patterns() -> _Patterns:
    global _PATTERNS
    if _PATTERNS is None:
        _PATTERNS = _Patterns()
    return _PATTERNS


def parse_number(text: str) -> float:
    """'1,234' / '８．５' / '一百零五' / '两' -> float."""
    norm = unicodedata.normalize("NFKC", text).replace(",", "")
    if re.fullmatch(r"[0-9]+(?:\.[0-9]+)?", norm):
        return float(norm)
    return float(cn2an.cn2an(norm.replace("〇", "零"), "smart"))


def find_quantities(text: str) -> list[Quantity]:
    """Paragraph text -> quantities, in order, non-overlapping; values parsed, approximation marked."""
    p = patterns()
    found: list[Quantity] = []
    taken = _Covered(len(text))

    for m in p.range.finditer(text):
        if _excluded(text, m.start(), m.end(), arabic=True):
            continue
        unit = _normal_unit(m.group("unit"))
        for part, grp in (("区间下限", "lo"), ("区间上限", "hi")):
            end = m.end("lounit") if grp == "lo" and m.group("lounit") else m.end(grp)
            found.append(Quantity(m.start(grp), end if grp == "lo" else m.end(), parse_number(m.group(grp)),
                                  unit, "exact", "arabic", part))
        taken.add(m.start(), m.end())

    for m in p.ratio.finditer(text):
        parts = list(p.ratio_part.finditer(m.group()))
        if len(parts) < 2 or _excluded(text, m.start(), m.end(), arabic=True) or taken.covers(m.start()):
            continue
        values = [parse_number(x.group()) for x in parts]
        unit = "%" if abs(sum(values) - 100) <= 0.6 else ""
        for i, (x, v) in enumerate(zip(parts, values), start=1):
            found.append(Quantity(m.start() + x.start(), m.start() + x.end(), v, unit, "exact", "arabic", ratio_part=i))
        taken.add(m.start(), m.end())

    for m in p.shared_unit.finditer(text):
        if taken.covers(m.start()) or _excluded(text, m.start(), m.end(), arabic=True):
            continue
        unit = _normal_unit(m.group("unit"))
        base = _strip_scale(unit)
        for b in p.bare.finditer(m.group("items")):
            s, e = m.start() + b.start(), m.start() + b.end()
            item_unit = (b.group("scale") + base) if b.group("scale") else unit
            if item_unit not in code_list():
                item_unit = unit
            found.append(Quantity(s, e, parse_number(b.group("n")), item_unit, "exact", "arabic"))
            taken.add(s, e)

    for m in p.years.finditer(text):
        if taken.covers(m.start()) or _excluded(text, m.start(), m.end(), arabic=True):
            continue
        found.append(Quantity(m.start(), m.end(), parse_number(m.group("int") or m.group("dec")), "年",
                              _approx(text, m.start(), m.end()), "arabic"))
        taken.add(m.start(), m.end())

    for m in p.doubling.finditer(text):
        n = {"一": 1, None: 1, "两": 2, "二": 2, "三": 3}[m.group("n")]
        found.append(Quantity(m.start(), m.end(), float(2 ** n - 1), "倍", "exact", "doubling"))
        taken.add(m.start(), m.end())

    for m in p.quantity.finditer(text):
        s, e = m.start(), m.end()
        if taken.covers(s):
            continue
        if m.group("num2"):  # 7万多家: the scale, then 多, then the unit
            if (m.group("scale") + m.group("unit2")) not in code_list():
                continue
            found.append(Quantity(s, e, parse_number(m.group("num2")), m.group("scale") + m.group("unit2"),
                                  "more_than", "arabic"))
            taken.add(s, e)
            continue
        arabic = bool(re.match(ARABIC, m.group("num")))
        unit = _normal_unit(m.group("unit"))
        if unit not in code_list() and unit not in ("%", "‰", "个百分点"):
            continue
        if (unit.endswith("人") and text[e:e + 1] and text[e] in _PERSON_NOUNS) or \
                (unit.endswith("家") and text[e:e + 1] in ("庭", "属", "乡")):
            unit, e = unit[:-1], e - 1  # 20余万人群, 2900多万家庭: the last character belongs to the noun
            if not unit:
                continue
        if unit == "元" and (per := re.search(r"每(公斤|千克|斤|吨|头|平方米|人)$", text[max(0, s - 4):s])):
            unit = f"元/{per.group(1)}"  # 每公斤20元 is a price per kilogram
        if _excluded(text, s, e, arabic=arabic) or not _unit_fits(text, m, unit):
            continue
        if unit in ("万", "亿", "万亿", "千万", "百万"):
            unit += _noun_unit(text[e:e + 10], text[max(0, s - 12):s])  # 54万参保人, 2900多万家庭
        try:
            value = parse_number(m.group("num"))
        except (ValueError, KeyError, TypeError):
            continue
        approx = "more_than" if (m.group("mid") or m.group("post")) else _approx(text, s, e)
        if m.group("post") and m.group("post") == "多":
            e = m.end()
        found.append(Quantity(s, e, value, unit, approx, "arabic" if arabic else "chinese"))
        taken.add(s, e)
    if len(found) > MAX_NUMBERS_PER_PARAGRAPH.value():
        raise ExtractError(MAX_NUMBERS_PER_PARAGRAPH.over(len(found), f"the paragraph beginning {text[:20]!r}"))
    found.sort(key=lambda q: q.start)
    return found


class _Covered:
    """Which characters of a paragraph a quantity already took: O(1) to ask, O(span) to mark
    (a list of spans scanned for every match made a paragraph's cost grow with its numbers squared)."""

    def __init__(self, length: int) -> None:
        self._mask = bytearray(length + 1)

    def add(self, start: int, end: int) -> None:
        self._mask[start:end] = b"\x01" * (end - start)

    def covers(self, pos: int) -> bool:
        return bool(self._mask[pos])


def _normal_unit(unit: str) -> str:
    return _PERCENT.get(unit, unit)


# Words that bound a number, and what they make of it. The longest word written before (or after)
# the number decides: 不少于 is not 少于, 不超过 is not 超过.
APPROX_BEFORE = {
    "不到": "less_than", "不足": "less_than", "低于": "less_than", "少于": "less_than", "未满": "less_than",
    "不超过": "less_than", "不高于": "less_than", "不多于": "less_than",
    "超过": "more_than", "超": "more_than", "逾": "more_than", "突破": "more_than", "高于": "more_than",
    "多于": "more_than", "大于": "more_than", "不低于": "more_than", "不少于": "more_than", "不下于": "more_than",
    "至少": "more_than",
    "约": "about", "大约": "about", "近": "about", "将近": "about", "接近": "about", "约为": "about",
}
APPROX_AFTER = {
    "以上": "more_than", "之上": "more_than", "左右": "about", "上下": "about",
    "以下": "less_than", "以内": "less_than", "之内": "less_than",
}


def _approx(text: str, start: int, end: int) -> str:
    before = _longest_suffix(text[max(0, start - 3):start], APPROX_BEFORE)
    return APPROX_BEFORE[before] if before else _approx_after(text, end)


def _approx_after(text: str, end: int) -> str:
    after = text[end:end + 2]
    word = _longest_prefix(after, APPROX_AFTER)
    return APPROX_AFTER[word] if word else "exact"


def _longest_suffix(text: str, words: dict) -> str:
    """The longest word that ends text ('' when none): one lookup per word length, longest first."""
    return next((text[-n:] for n in _lengths(words) if n <= len(text) and text[-n:] in words), "")


def _longest_prefix(text: str, words: dict) -> str:
    """The longest word that starts text ('' when none)."""
    return next((text[:n] for n in _lengths(words) if n <= len(text) and text[:n] in words), "")


def _lengths(words: dict) -> tuple[int, ...]:
    return _WORD_LENGTHS[id(words)]


_WORD_LENGTHS = {id(w): tuple(sorted({len(x) for x in w}, reverse=True)) for w in (APPROX_BEFORE, APPROX_AFTER)}


def _excluded(text: str, start: int, end: int, *, arabic: bool) -> bool:
    """Ordinals, codes, versions, labels and slogans are not quantities; nor is a part of a number
    (a digit of any script next to it, invisible characters in between)."""
    before = _visible_before(text, start)
    after = text[end] if end < len(text) else ""
    if (before and before in "第首初") or re.match(r"[A-Za-z+＋/.．_-]", before or " ") or re.match(r"[A-Za-z+＋]", after or " "):
        return True
    if before.isdecimal() or _visible_after(text, end).isdecimal():
        return True  # 1\u200b2.5%, ١2.5%: the rest of a number, not a number
    quoted = _quote_around(text, start, end)
    if quoted is not None and (not arabic or len(quoted) <= 8):
        return True  # “二十条”, “40条”, “两个维护”: a label, not a count
    return False


def _visible_before(text: str, start: int) -> str:
    """The character before `start`, skipping invisible format characters (category Cf)."""
    i = start - 1
    while i >= 0 and unicodedata.category(text[i]) == "Cf":
        i -= 1
    return text[i] if i >= 0 else ""


def _visible_after(text: str, end: int) -> str:
    """The first character at or after `end` that is not an invisible format character."""
    i = end
    while i < len(text) and unicodedata.category(text[i]) == "Cf":
        i += 1
    return text[i] if i < len(text) else ""


def _quote_around(text: str, start: int, end: int) -> str | None:
    """The quoted phrase (“…” or 「…」) that encloses [start, end), if any."""
    opens, closes = _quote_marks(text)
    i = bisect.bisect_left(opens, start)
    if not i:
        return None
    left = opens[i - 1]
    j = bisect.bisect_left(closes, start)
    if j and closes[j - 1] > left:
        return None
    k = bisect.bisect_left(closes, end)
    if k == len(closes):
        return None
    return text[left + 1:closes[k]]


@functools.lru_cache(maxsize=8)
def _quote_marks(text: str) -> tuple[list[int], list[int]]:
    """Positions of opening and of closing quotes in a paragraph, found once per paragraph
    (searching back from every number made the cost grow with the square of its length)."""
    opens = [m.start() for m in re.finditer("[“「]", text)]
    closes = [m.start() for m in re.finditer("[”」]", text)]
    return opens, closes


def _unit_fits(text: str, m: re.Match, unit: str) -> bool:
    """Chinese numerals count things only with a measure word, and 一 alone is an article."""
    num = m.group("num")
    after = text[m.end():m.end() + 2]
    if num.startswith(("零", "〇")):
        return False  # 零部件, 零售, 零就业家庭: a word, not a number
    if unit == "个" and after[:1] in ("月", "多") and after[:2] != "多亿":
        return False  # 三个月: a duration
    if re.fullmatch(ARABIC, num):
        return True
    if num == "一" and unit in ("个月", "个工作日", "天", "小时"):
        return True  # 从一个月以上压缩到…: a duration
    if num == "一" and unit == "倍":
        return bool(re.search(r"(?:增长|增加|提高|上涨|涨|翻)了?$", text[max(0, m.start() - 3):m.start()]))
    if num in ("一", "十", "百", "千") or num.startswith(("百", "千")):
        return False
    if len(num) >= 2 and not num.startswith("一") or len(num) >= 3:
        return unit not in ("%", "‰", "次", "批", "届", "期", "代")  # 十二个, 一百零五家: clearly counts
    if unit in ("%", "‰"):
        return False
    if unit in ("次", "批", "届", "期", "代", "条", "类", "种"):
        return False  # 四次, 二十条, 三类: mostly labels or ordinals in prose
    # In prose a Chinese-numeral count stands before its noun (两个电动车平台); 工信部五所等 is a name.
    return bool(re.match(r"[\u4e00-\u9fff“]", after[:1])) and after[:1] != "等"


_PERSON_NOUNS_AFTER = re.compile(
    r"^[\u4e00-\u9fff]{0,6}?(?:人员|人口|人才|学生|群众|农民|职工|居民|劳动力|儿童|老人|患者|游客|党员|人(?![民工]))")
_HOUSEHOLD_NOUNS_AFTER = re.compile(r"^[\u4e00-\u9fff]{0,6}?(?:家庭|农户|户)")
_COUNTED_BEFORE = {"人数": "人", "人口": "人", "人次": "人次", "户数": "户"}


def _noun_unit(after: str, before: str) -> str:
    """The unit a bare scale word counts, from the noun after it (54万参保人) or the one before (参保人数增加1.4亿)."""
    after = after.split("，")[0].split("。")[0]
    if _PERSON_NOUNS_AFTER.match(after):
        return "人"
    if _HOUSEHOLD_NOUNS_AFTER.match(after):
        return "户"
    for noun, unit in _COUNTED_BEFORE.items():
        if re.search(rf"{noun}(?:增加|减少|达到?|为|超过|突破|增长|新增)?(?:约|近|超过)?$", before):
            return unit
    return ""


def _strip_scale(unit: str) -> str:
    for scale in ("万亿", "千亿", "百亿", "亿", "千万", "百万", "十万", "万", "千"):
        if unit.startswith(scale) and len(unit) > len(scale):
            return unit[len(scale):]
    return unit
