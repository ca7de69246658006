"""The report's own metadata, read from its front matter, each value with the place it was read from.

A government work report names itself in its first lines: the title (2026年北京市政府工作报告), the
delivery line (——2026年1月25日在北京市第十六届人民代表大会第四次会议上), the speaker (北京市市长 殷勇)
and the opening (我代表北京市人民政府，向大会报告工作). A statistics bureau's analysis names its scope
in its title or opening (上半年, 一季度, 首季). Each field is read by a table of named rules, tried in
the order of the table: that order is the field's precedence, stated once, in `FIELD_RULES`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import cn2an

# Administrative regions end with one of these (北京市, 黑龙江省, 内蒙古自治区, 北京经济技术开发区).
REGION = r"[\u4e00-\u9fff]{1,12}?(?:特别行政区|自治区|自治州|自治县|经济技术开发区|高新技术产业开发区|开发区|新区|省|市|州|盟|县|区|旗)"
_CN_NUMERAL = "〇零一二三四五六七八九十"
_DATE = rf"(?:(?P<y>(?:19|20)\d{{2}})|(?P<cy>[{_CN_NUMERAL}]{{4}}))年(?P<m>\d{{1,2}}|[{_CN_NUMERAL}]{{1,2}})月(?P<d>\d{{1,2}}|[{_CN_NUMERAL}]{{1,3}})日"
CONGRESS_RE = re.compile(rf"{_DATE}在(?:(?P<r>{REGION})第?[{_CN_NUMERAL}]+届|第?[{_CN_NUMERAL}]+届(?P<nat>全国))?")
DATE_RE = re.compile(_DATE)
# The level alone, as a speaker says it of their own region: 我代表省人民政府, 我代表自治区人民政府.
LEVELS = ("特别行政区", "自治区", "自治州", "自治县", "省", "市", "区", "县", "州")
REPRESENT_RE = re.compile(rf"我代表(?P<r>{'|'.join(LEVELS)}|{REGION})?(?P<organ>人民政府|国务院|管理委员会|管委会)")
SPEAKER_RE = re.compile(rf"^(?P<r>{REGION})(?P<gov>人民政府)?(?P<title>省长|市长|主席|区长|县长|州长|盟长|旗长|主任)")
ORGAN_RE = re.compile(
    rf"(?P<organ>(?P<r>{REGION})?(?:[\u4e00-\u9fff]{{0,8}}?)(?:管理委员会|管委会|人民政府|统计局|发展和改革委员会|国务院))")
TITLE_REGION_RE = re.compile(rf"(?P<r>{REGION})(?:人民)?政府(?:工作报告)")
YEAR_RE = re.compile(r"((?:19|20)\d{2})\s*年")
# Words that name the kind of a report, most specific first (a work report is not a work summary).
KINDS = {
    "government_work_report": re.compile(r"政府工作报告|人民政府工作报告"),
    "statistical_bulletin": re.compile(r"统计公报"),
    "statistics_analysis": re.compile(r"经济运行|运行情况|情况分析|形势分析|统计分析"),
    "work_summary": re.compile(r"工作总结|年度总结|工作报告"),
}
KIND_LABELS = {"government_work_report": "政府工作报告", "statistical_bulletin": "统计公报",
               "statistics_analysis": "经济运行情况分析", "work_summary": "工作总结"}
_COMPARISON_BEFORE = re.compile(r"[比较与同]$")


@dataclass(frozen=True)
class Found:
    """A value and where it was read: paragraph text offsets mapped to the source by the caller."""
    value: object
    paragraph: int = -1  # index into the paragraphs given; -1 when derived from other fields
    start: int = 0
    end: int = 0
    rule: str = ""


@dataclass
class FrontMatter:
    title: Found | None = None
    region: Found | None = None
    publisher: Found | None = None
    delivered: Found | None = None  # ISO date
    kind: Found | None = None
    year: Found | None = None  # the year under review
    plan_year: Found | None = None
    fields: dict = field(default_factory=dict)


class Head:
    """The paragraphs a reader looks at: the front matter and the opening of the report."""

    def __init__(self, texts: Sequence[str], kinds: Sequence[str], headings: Sequence[int]):
        self.texts, self.kinds, self.headings = texts, kinds, headings
        first_section = next((i for i in headings if re.match(r"^[一二三四五六七八九十]+、", texts[i])), len(texts))
        self.front = [i for i in range(min(first_section, len(texts))) if kinds[i] != "boilerplate"][:40]
        self.opening = [i for i in range(len(texts)) if kinds[i] == "body"][:6]

    def search(self, rx: re.Pattern, where: Sequence[int]) -> tuple[int, re.Match] | None:
        for i in where:
            if m := rx.search(self.texts[i]):
                return i, m
        return None


# --- title ------------------------------------------------------------------------------------

def title_naming_its_kind(head: Head, fm: FrontMatter) -> Found | None:
    """The first front-matter line that names a kind of report: 2026年北京市政府工作报告."""
    for i in head.front:
        text = head.texts[i]
        if len(text) <= 60 and any(rx.search(text) for rx in KINDS.values()) and not CONGRESS_RE.search(text) \
                and not re.search(r"[。；！？]", text[:-1]):
            return Found(text, i, 0, len(text), "title_naming_its_kind")
    return None


def first_heading(head: Head, fm: FrontMatter) -> Found | None:
    """The first line of the report when it is short: 上半年全市经济运行情况分析."""
    for i in head.front[:1] or head.opening[:1]:
        text = head.texts[i]
        if head.kinds[i] == "heading":
            return Found(text, i, 0, len(text), "first_heading")
        return Found(text[:40], i, 0, min(40, len(text)), "first_line")
    return None


# --- kind -------------------------------------------------------------------------------------

def kind_from_title(head: Head, fm: FrontMatter) -> Found | None:
    if fm.title is None:
        return None
    for kind, rx in KINDS.items():
        if m := rx.search(fm.title.value):
            return Found(kind, fm.title.paragraph, m.start(), m.end(), "kind_from_title")
    return None


def kind_from_congress(head: Head, fm: FrontMatter) -> Found | None:
    """A report delivered to a people's congress is a government work report (广东: 政府工作报告 only)."""
    if hit := head.search(re.compile(r"人民代表大会"), head.front):
        i, m = hit
        return Found("government_work_report", i, m.start(), m.end(), "kind_from_congress")
    return None


# --- region -----------------------------------------------------------------------------------

def region_of_congress(head: Head, fm: FrontMatter) -> Found | None:
    """——2026年1月25日在北京市第十六届人民代表大会…: the congress the report was delivered to."""
    if hit := head.search(CONGRESS_RE, head.front):
        i, m = hit
        if m.group("r") and plausible_region(m.group("r")):
            return Found(m.group("r"), i, m.start("r"), m.end("r"), "region_of_congress")
        if m.group("nat"):
            return Found("全国", i, m.start("nat"), m.end("nat"), "region_of_congress")
    return None


def region_in_title(head: Head, fm: FrontMatter) -> Found | None:
    if fm.title is None or fm.title.paragraph < 0:
        return None
    text = head.texts[fm.title.paragraph]
    stripped = YEAR_RE.sub(lambda m: " " * len(m.group()), text)
    named = re.compile(rf"(?P<r>{REGION})\s*(?:人民政府|政府|统计局|管委会|管理委员会|(?:19|20)\d{{2}}年)")
    for m in (TITLE_REGION_RE.search(stripped), named.search(text)):
        if m and plausible_region(m.group("r")):
            return Found(m.group("r"), fm.title.paragraph, m.start("r"), m.end("r"), "region_in_title")
    return None


def plausible_region(name: str) -> bool:
    """北京市, 黑龙江省, 北京经济技术开发区; not 全市, 本区 or 上半年全市."""
    return (len(name) >= 2 and name not in LEVELS and not re.match(r"[全本我该各省市区县州]", name)
            and not re.search(r"[年月季\d]", name))


def region_of_speaker(head: Head, fm: FrontMatter) -> Found | None:
    """上海市市长 龚正 / 四川省人民政府省长 施小琳."""
    if (hit := head.search(SPEAKER_RE, head.front)) and plausible_region(hit[1].group("r")):
        i, m = hit
        return Found(m.group("r"), i, m.start("r"), m.end("r"), "region_of_speaker")
    return None


def region_of_organ(head: Head, fm: FrontMatter) -> Found | None:
    """北京经济技术开发区管委会 / 大庆市统计局: the organ's region."""
    if fm.publisher is not None and (m := re.match(REGION, str(fm.publisher.value))):
        if m.group() != fm.publisher.value and plausible_region(m.group()):
            return Found(m.group(), -1, 0, 0, "region_of_organ")
    return None


# --- publisher --------------------------------------------------------------------------------

def publisher_represented(head: Head, fm: FrontMatter) -> Found | None:
    """我代表北京市人民政府 / 我代表省人民政府 (the region supplied) / 我代表国务院."""
    if hit := head.search(REPRESENT_RE, head.front + head.opening[:2]):
        i, m = hit
        organ = m.group("organ")
        if organ == "国务院":
            return Found("国务院", i, m.start("organ"), m.end("organ"), "publisher_represented")
        if m.group("r") and plausible_region(m.group("r")):
            return Found(m.group("r") + organ, i, m.start("r"), m.end("organ"), "publisher_represented")
        if fm.region is not None and m.group("r") in LEVELS and fm.region.value.endswith(m.group("r")):
            return Found(fm.region.value + organ, i, m.start("r"), m.end("organ"), "publisher_represented")
    return None


def publisher_of_speaker(head: Head, fm: FrontMatter) -> Found | None:
    """四川省人民政府省长 / 上海市市长: the government the speaker heads."""
    if hit := head.search(SPEAKER_RE, head.front):
        i, m = hit
        if m.group("title") in ("省长", "市长", "主席", "区长", "县长", "州长", "盟长", "旗长"):
            return Found(m.group("r") + "人民政府", i, m.start("r"), m.end("gov") if m.group("gov") else m.end("r"),
                         "publisher_of_speaker")
    return None


def publisher_in_title(head: Head, fm: FrontMatter) -> Found | None:
    """北京经济技术开发区管委会2022年度工作总结: the organ that names itself in the title."""
    if fm.title is None or fm.title.paragraph < 0:
        return None
    text = head.texts[fm.title.paragraph]
    if (m := ORGAN_RE.search(text)) and not re.search(r"政府工作报告", text):
        organ = re.sub(r"^.*?(?:代表|向|在|由)", "", m.group("organ"))
        return Found(organ, fm.title.paragraph, m.end("organ") - len(organ), m.end("organ"), "publisher_in_title")
    return None


# --- dates and years --------------------------------------------------------------------------

def delivered_to_congress(head: Head, fm: FrontMatter) -> Found | None:
    """2026年1月25日 / 二〇二六年一月二十七日 在…会议上."""
    if hit := head.search(CONGRESS_RE, head.front):
        i, m = hit
        if date := _date(m):
            return Found(date, i, m.start(), m.end("d") + 1, "delivered_to_congress")
    return None


def dated_line(head: Head, fm: FrontMatter) -> Found | None:
    """A line that is only a date, in the front matter: the day the report is dated."""
    for i in head.front:
        text = head.texts[i].strip("（）()——— ")
        if (m := DATE_RE.fullmatch(text)) and (date := _date(m)):
            return Found(date, i, 0, len(head.texts[i]), "dated_line")
    return None


def year_of_review_heading(head: Head, fm: FrontMatter) -> Found | None:
    """一、2025年工作回顾: the year a review section names."""
    for i in head.headings:
        text = head.texts[i]
        if re.search(r"回顾|主要工作|工作总结|成绩|成就", text) and (m := YEAR_RE.search(text)):
            return Found(int(m.group(1)), i, m.start(1), m.end(1), "year_of_review_heading")
    return None


def plan_year_of_heading(head: Head, fm: FrontMatter) -> Found | None:
    """三、2026年重点工作: the year a plan section names."""
    for i in head.headings:
        text = head.texts[i]
        if re.search(r"工作安排|重点工作|主要任务|工作建议|工作思路|工作计划|目标任务|主要目标", text) and \
                not re.search(r"回顾|五年|十[一二三四五六七八九]五", text) and (m := YEAR_RE.search(text)):
            return Found(int(m.group(1)), i, m.start(1), m.end(1), "plan_year_of_heading")
    return None


def plan_year_of_work_report(head: Head, fm: FrontMatter) -> Found | None:
    """A government work report plans the year it is delivered in (2026年…政府工作报告, delivered 2026)."""
    if fm.kind is None or fm.kind.value != "government_work_report":
        return None
    if fm.title is not None and fm.title.paragraph >= 0 and (m := YEAR_RE.search(head.texts[fm.title.paragraph])):
        return Found(int(m.group(1)), fm.title.paragraph, m.start(1), m.end(1), "plan_year_of_work_report")
    if fm.delivered is not None:
        return Found(int(str(fm.delivered.value)[:4]), fm.delivered.paragraph, fm.delivered.start,
                     fm.delivered.start + 4, "plan_year_of_work_report")
    return None


def year_before_plan(head: Head, fm: FrontMatter) -> Found | None:
    """A government work report reviews the year before the one it plans."""
    if fm.kind is not None and fm.kind.value == "government_work_report" and fm.plan_year is not None:
        return Found(int(fm.plan_year.value) - 1, -1, 0, 0, "year_before_plan")
    return None


def year_in_title(head: Head, fm: FrontMatter) -> Found | None:
    """2022年度工作总结: other reports are named after the year they review (a title, not a first sentence)."""
    if fm.title is not None and fm.title.rule != "first_line" and fm.title.paragraph >= 0 and \
            (m := YEAR_RE.search(head.texts[fm.title.paragraph])):
        return Found(int(m.group(1)), fm.title.paragraph, m.start(1), m.end(1), "year_in_title")
    return None


def year_of_opening(head: Head, fm: FrontMatter) -> Found | None:
    """2022年是… / 2016年上半年，…: the year the report's opening speaks of (never a comparison base)."""
    rx = re.compile(r"((?:19|20)\d{2})年(?:是|，|以来|全年|上半年|一季度|首季|前三季度|1-\d{1,2}月)")
    for i in head.opening:
        for m in rx.finditer(head.texts[i]):
            if not _COMPARISON_BEFORE.search(head.texts[i][:m.start()]):
                return Found(int(m.group(1)), i, m.start(1), m.end(1), "year_of_opening")
    return None


def year_delivered(head: Head, fm: FrontMatter) -> Found | None:
    if fm.delivered is not None:
        return Found(int(str(fm.delivered.value)[:4]), fm.delivered.paragraph, fm.delivered.start,
                     fm.delivered.start + 4, "year_delivered")
    return None


def most_frequent_year(head: Head, fm: FrontMatter) -> Found | None:
    """The year named most often in the opening, comparison bases (比2015年全年) left out."""
    seen: list[tuple[int, int, re.Match]] = []
    for i in head.front + head.opening:
        seen += [(int(m.group(1)), i, m) for m in YEAR_RE.finditer(head.texts[i])
                 if not _COMPARISON_BEFORE.search(head.texts[i][:m.start()])]
    if not seen:
        return None
    year, _ = Counter(y for y, _, _ in seen).most_common(1)[0]
    _, i, m = next(s for s in seen if s[0] == year)
    return Found(year, i, m.start(1), m.end(1), "most_frequent_year")


def year_after_comparison_base(head: Head, fm: FrontMatter) -> Found | None:
    """比2015年全年…: a comparison base is the year before the one reported."""
    for i in head.opening:
        if m := re.search(r"[比较]((?:19|20)\d{2})年(?:全年|同期)", head.texts[i]):
            return Found(int(m.group(1)) + 1, i, m.start(1), m.end(1), "year_after_comparison_base")
    return None


FieldRule = Callable[[Head, FrontMatter], "Found | None"]
# Each field's rules in order of precedence: the first that finds a value wins. Fields are read in
# this order because later ones use earlier ones (the publisher needs the region, the year the kind).
FIELD_RULES: dict[str, tuple[FieldRule, ...]] = {
    "title": (title_naming_its_kind, first_heading),
    "kind": (kind_from_title, kind_from_congress),
    "delivered": (delivered_to_congress, dated_line),
    "region": (region_of_congress, region_in_title, region_of_speaker),
    "publisher": (publisher_represented, publisher_of_speaker, publisher_in_title),
    "plan_year": (plan_year_of_heading, plan_year_of_work_report),
    "year": (year_of_review_heading, year_before_plan, year_in_title, year_of_opening, year_delivered,
             most_frequent_year, year_after_comparison_base),
}
# Read after the others: the region of an organ named as publisher (大庆市统计局 -> 大庆市).
LATE_RULES: dict[str, tuple[FieldRule, ...]] = {"region": (region_of_organ,)}


def read_front_matter(texts: Sequence[str], kinds: Sequence[str], given: dict | None = None) -> FrontMatter:
    """Paragraph texts and kinds -> the report's metadata. `given` (operator metadata) wins: a field
    given there is not read, and rules that depend on it use the operator's value."""
    given = given or {}
    headings = [i for i, k in enumerate(kinds) if k == "heading"] + [
        i for i, t in enumerate(texts) if kinds[i] == "body" and len(t) <= 30 and not re.search(r"[，。；！？]", t)]
    head = Head(texts, kinds, sorted(set(headings)))
    fm = FrontMatter()
    for rules in (FIELD_RULES, LATE_RULES):
        for name, field_rules in rules.items():
            if getattr(fm, name) is not None:
                continue
            if given.get(name) not in (None, ""):
                setattr(fm, name, Found(given[name], -1, 0, 0, "operator"))
                continue
            for rule in field_rules:
                if (found := rule(head, fm)) is not None:
                    setattr(fm, name, found)
                    break
    return fm


def canonical_title(title: str, region: str, year: int | None, kind: str, is_title_line: bool = True) -> str:
    """A title that tells reports apart in a catalogue: region, year and kind (北京市2026年政府工作报告).

    A government work report is always named so, and so is a report with no title line of its own;
    another title keeps its words, with the region and the year put in front where it lacks them."""
    if (kind == "government_work_report" or not is_title_line) and kind and region and year:
        return f"{'国务院' if region == '全国' else region}{year}年{KIND_LABELS[kind]}"
    prefix = ""
    if region and region not in title:
        prefix += region
    if year and str(year) not in title:
        prefix += f"{year}年"
    return prefix + title


def _date(m: re.Match) -> str | None:
    try:
        y = int(m.group("y")) if m.group("y") else int("".join(str("〇一二三四五六七八九".index(c)) if c != "零" else "0"
                                                              for c in m.group("cy")))
        mo, d = (int(x) if x.isdigit() else int(cn2an.cn2an(x, "smart")) for x in (m.group("m"), m.group("d")))
    except (ValueError, KeyError):
        return None
    if not (1949 <= y <= 2100 and 1 <= mo <= 12 and 1 <= d <= 31):
        return None
    return f"{y:04d}-{mo:02d}-{d:02d}"
