"""Page furniture: the lines of a scraped page that are not the report.

Text copied from a government web page opens with the page's menus and bylines (下载 打印 全屏 收藏
【字号：加大 还原 减小】, 您的位置：首页 > 要闻, 来源：…日报, 时间：2026-02-09, a photo caption) and ends
with its links (相关报道：, 分享到, 责任编辑). The same lines come in every input format, so they
are judged here, on the text lines, before lines are joined into paragraphs.

Each rule is a named function of (lines, index, marks so far) -> bool; a line is furniture when any
rule says so. Rules look at one line and, at most, the line before it: their order does not matter.
Only the head (before the report's first sentence) and the tail (after its last) are judged, so a
short line inside the report is never taken for a menu.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

# Words of a page's tool bar, font switch and share bar; a line made only of these is a menu.
MENU_WORDS = re.compile(
    r"下载|打印(?:本页)?|全屏|收藏|分享(?:到)?(?:微信|微博|QQ空间)?|关闭(?:窗口|本页)?|返回(?:顶部|首页|列表)?|"
    r"字号|字体|加大|还原|减小|默认|[大中小]|首页|手机版|无障碍|繁體|繁体|简体|English|RSS|纠错|"
    r"点击图片进入专题|相关附件|相关链接|相关文档|相关报道|相关新闻|相关阅读|扫一扫(?:在手机打开当前页)?|"
    r"朗读|阅读|浏览次数|访问量|[0-9]+"
)
MENU_PUNCT = re.compile(r"[\s【】\[\]（）()：:|｜>＞»《》·•/×xX-]+")
# Labels of a byline; the label alone on its line announces its value on the next line.
BYLINE_LABEL = re.compile(
    r"^(?:来源|稿源|时间|发布时间|发表时间|发布日期|日期|作者|编辑|责任编辑|审核|校对|信息来源|文章来源|字体|字号|分享)\s*[:：]")
BREADCRUMB = re.compile(r"^(?:您的位置|您当前的位置|当前位置|所在位置|位置)\s*[:：]|^首页\s*[>＞»]")
TIMESTAMP = re.compile(
    r"^\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?\s*"
    r"(?:\d{1,2}\s*[:：时]\s*\d{1,2}(?:\s*[:：分]\s*\d{1,2}\s*秒?)?\s*分?)?$")
ISO_DATE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}")
# A photo caption: …作政府工作报告。本报记者 戴冰摄 / 新甘肃·甘肃日报记者 盛学卿.
CAPTION = re.compile(r"(?:记者|摄影|通讯员|图片来源)[\s·]*[\u4e00-\u9fff]{2,4}(?:[\s、，,]+[\u4e00-\u9fff]{2,4})*\s*(?:摄影?|供图)?\s*$")
# A link list's id (abcd39f1fb7f426d9dfb6bd0fa1f2146:) or a bare URL.
LINK_ID = re.compile(r"^(?:[0-9a-f]{16,}\s*[:：]?|https?://\S+)$")
# What the report itself starts with: a salutation, a numbered heading, or a long sentence.
SALUTATION = re.compile(r"^(?:各位代表|同志们|各位委员)[:：，,！!]")
_SENTENCE = re.compile(r"[，。；！？]")

Rule = Callable[[Sequence[str], int, list[bool]], bool]


def menu(lines: Sequence[str], i: int, marks: list[bool]) -> bool:
    """下载 / 【字号： / 加大 还原 减小 / 分享到微信 / × / |: nothing but menu words and punctuation."""
    rest = MENU_PUNCT.sub("", MENU_WORDS.sub("", lines[i]))
    return rest == "" and len(lines[i].strip()) <= 40


def breadcrumb(lines: Sequence[str], i: int, marks: list[bool]) -> bool:
    """您的位置：首页 > 云南要闻, and each crumb on a line of its own after a > ."""
    line = lines[i].strip()
    if BREADCRUMB.search(line):
        return True
    prev = lines[i - 1].strip() if i else ""
    after_separator = prev.endswith((">", "＞", "»")) or (BREADCRUMB.search(prev) is not None and
                                                         prev.endswith((":", "：")))
    return after_separator and _is_label(line)


def repeated_crumb(lines: Sequence[str], i: int, marks: list[bool]) -> bool:
    """云南要闻 / 云南要闻: a short label repeating the furniture line before it."""
    return i > 0 and marks[i - 1] and lines[i].strip() == lines[i - 1].strip() and _is_label(lines[i].strip())


def byline(lines: Sequence[str], i: int, marks: list[bool]) -> bool:
    """来源：解放日报 / 时间：2026-02-09 / 分享：, and the value of a label left alone on its line."""
    line = lines[i].strip()
    if BYLINE_LABEL.search(line) and len(line) <= 40 and not _SENTENCE.search(line.split("：", 1)[-1]):
        return True
    prev = lines[i - 1].strip() if i else ""
    label_alone = BYLINE_LABEL.search(prev) is not None and re.search(r"[:：]$", prev) is not None
    return bool(i and marks[i - 1] and label_alone and _is_label(line))


def timestamp(lines: Sequence[str], i: int, marks: list[bool]) -> bool:
    """2026-02-03 09:02:33 / 2026年02月10日 07时41分: when a page was posted, alone on its line."""
    line = lines[i].strip()
    if not TIMESTAMP.match(line):
        return False
    return bool(ISO_DATE.match(line) or re.search(r"[:：时]", line))


def caption(lines: Sequence[str], i: int, marks: list[bool]) -> bool:
    """殷勇同志作政府工作报告。本报记者 戴冰摄: a photo caption."""
    line = lines[i].strip()
    return len(line) <= 80 and CAPTION.search(line) is not None


def link_id(lines: Sequence[str], i: int, marks: list[bool]) -> bool:
    return LINK_ID.match(lines[i].strip()) is not None


RULES: dict[str, Rule] = {
    "menu": menu, "breadcrumb": breadcrumb, "repeated_crumb": repeated_crumb, "byline": byline,
    "timestamp": timestamp, "caption": caption, "link_id": link_id,
}


def _is_label(line: str) -> bool:
    """A short run of words without sentence punctuation or digits: a crumb or a newspaper's name."""
    return 0 < len(line) <= 16 and not _SENTENCE.search(line) and not re.search(r"\d", line)


def body_span(lines: Sequence[str]) -> tuple[int, int]:
    """(first, last + 1): the lines from the report's first sentence to its last.

    The report starts at its salutation, its first numbered heading or its first long sentence; it
    ends at its last line that has a sentence in it. Only lines outside this span can be furniture."""
    first = next((i for i in range(len(lines)) if _starts_report(lines[i].strip())), 0)
    last = next((i for i in reversed(range(len(lines))) if _is_sentence(lines[i].strip())), len(lines) - 1)
    return first, max(first, last) + 1


def _starts_report(line: str) -> bool:
    return bool(SALUTATION.match(line)) or (len(line) >= 40 and _is_sentence(line))


def _is_sentence(line: str) -> bool:
    return len(line) >= 30 and bool(re.search(r"[。；！？]", line))


def furniture_lines(lines: Sequence[str]) -> list[bool]:
    """Text lines -> True for each line that is page furniture (head or tail only)."""
    first, end = body_span(lines)
    marks = [False] * len(lines)
    for i in (*range(first), *range(end, len(lines))):
        marks[i] = any(rule(lines, i, marks) for rule in RULES.values())
    return marks


def rule_names(lines: Sequence[str], i: int, marks: list[bool]) -> list[str]:
    """Which rules call line i furniture (for `--debug` readers and tests)."""
    return [name for name, rule in RULES.items() if rule(lines, i, marks)]
