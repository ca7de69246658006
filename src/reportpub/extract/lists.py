"""Coordinated subjects: one phrase naming several things, one number each.

工业、制造业投资分别增长9.4%、13.3%   -> 工业投资, 制造业投资
第一、二、三产业增加值分别增长…       -> 第一产业增加值, 第二产业增加值, 第三产业增加值
三次产业比为3.9：59.5：36.6           -> 第一产业比重, 第二产业比重, 第三产业比重
中直与地方经济比重为31.3：68.7        -> 中直经济比重, 地方经济比重
"""

from __future__ import annotations

import re

_SPLIT = re.compile(r"、|与|和|及|以及")
_ORDINALS = "一二三四五六七八九十"
_THREE_SECTORS = re.compile(r"三次产业|一二三产业|一、二、三产业")
_DIGIT_RUN = re.compile(rf"^(?P<run>[{_ORDINALS}]{{2,3}})(?P<head>产业.*)$")


# Compounds of two contrasted words, each a measure of its own: 城乡居民收入 -> 城镇…, 农村….
CONTRASTED = {"城乡": ("城镇", "农村"), "存贷款": ("存款", "贷款"), "进出口": ("进口", "出口"),
              "中小学": ("中学", "小学"), "本外币": ("本币", "外币"), "收支": ("收入", "支出")}


def distribute(phrase: str, n: int) -> list[str] | None:
    """'工业、制造业投资' and n=2 -> ['工业投资', '制造业投资']; None when it does not split into n."""
    if m := _DIGIT_RUN.match(phrase):  # 一三产业比重 -> 第一产业比重, 第三产业比重
        items = [f"第{d}{m.group('head')}" for d in m.group("run")]
        return items if len(items) == n else None
    for compound, pair in CONTRASTED.items():  # 城乡居民收入, 存贷款余额 分别…: one item each, in order
        if n == 2 and compound in phrase:
            return [phrase.replace(compound, word, 1) for word in pair]
    items = [x for x in _SPLIT.split(phrase) if x]
    if len(items) != n or n < 2:
        return None
    if items[0].startswith("第"):  # 第一、二、三产业: the later items drop 第
        items = [items[0]] + [("第" + x if x[0] in _ORDINALS else x) for x in items[1:]]
    last = items[-1]
    if items[0].startswith("第"):
        head = last[len(items[0]):]
        return [x if x == last else x + head for x in items]
    head = _shared_head(items[0], last)
    return [x if x == last or x.endswith(head) else x + head for x in items]


_HEADS = re.compile(r"(?:经济)?(?:比重|占比|投资|增加值|收入|支出|产值|产量|利润|总额|面积|人数|价格|指数|规模|"
                    r"销售额|零售额|进出口|出口|进口|余额|时间|条数|能耗|排放|贷款|存款)$")


def _shared_head(first: str, last: str) -> str:
    """The part of the last item that the earlier items share: 制造业投资 after 工业 -> 投资."""
    end = first[-1]
    at = last.rfind(end, 0, len(last) - 1)
    if at >= 0:
        return last[at + 1:]
    if len(first) == 2 and len(last) > 4:  # 城镇和农村居民人均可支配收入: the last item's first word is a peer
        return last[2:]
    if m := _HEADS.search(last):
        return m.group()
    return last[len(first):] if len(last) > len(first) else ""


def ratio_subjects(phrase: str, n: int) -> list[str]:
    """Subject of an a:b:c structure -> one subject per part."""
    m = _THREE_SECTORS.search(phrase)
    if m and n == 3:
        rest = phrase[m.end():]
        rest = "比重" if rest in ("", "比", "结构", "比例", "之比") else rest
        return [f"第{d}产业{rest}" for d in "一二三"]
    items = distribute(phrase, n)
    if items:
        return items
    return [f"{phrase}（第{i}项）" for i in range(1, n + 1)]
