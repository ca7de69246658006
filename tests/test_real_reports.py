"""Real reports as they come (../shared/reports/provinces-2026: ten provincial work reports exactly
as scraped from web pages): the report's own metadata, its parts and time frame, right on every
fact. Scored with the reference headline scorer, a verbatim copy of which is in tests/scorers/."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from reportpub.extract import extract
from reportpub.ingest import document_from_text, ingest

from .conftest import HEADLINE_KEY, SHARED, shared_reports

SCORER = Path(__file__).parent / "scorers" / "score_headline.py"
# Delivery dates as the reports' front matter states them (甘肃 in Chinese numerals).
DELIVERED = {
    "上海市": "2026-02-03", "云南省": "2026-01-28", "北京市": "2026-01-25", "四川省": "2026-02-03",
    "广东省": "2026-01-26", "河南省": "2026-01-26", "浙江省": "2026-01-14", "甘肃省": "2026-01-27",
    "贵州省": "2026-01-27", "黑龙江省": "2026-01-31",
}


def rows(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_the_headline_scorer_is_a_copy_of_the_reference():
    assert SCORER.read_text(encoding="utf-8") == (SHARED / "eval" / "score_headline.py").read_text(encoding="utf-8")


def test_headline_indicators_of_the_ten_reports_are_right(provinces_portal):
    result = subprocess.run([sys.executable, str(SCORER), str(provinces_portal / "datasets"), str(HEADLINE_KEY),
                             "--json"], capture_output=True, text=True, check=True)
    score = json.loads(result.stdout)
    assert score["no_package"] == 0, score
    assert score["right"] / score["cells"] >= 0.95, score


def test_the_metadata_of_the_ten_reports_is_read_from_their_front_matter(provinces_portal):
    reports = {Path(r["source_file"]).stem: (r, path.parts[-5])
               for path in (provinces_portal / "datasets").glob("*/releases/*/data/reports.csv") for r in rows(path)}
    assert sorted(reports) == sorted(DELIVERED)
    for province, (r, dataset) in reports.items():
        assert r["title"] == f"{province}2026年政府工作报告", r
        assert r["publisher"] == f"{province}人民政府", r
        assert (r["region"], r["kind"], r["year"], r["plan_year"]) == \
            (province, "government_work_report", "2025", "2026"), r
        assert r["delivered"] == DELIVERED[province], r
        assert (r["period_start"], r["period_end"]) == ("2025-01-01", "2025-12-31"), r
        assert dataset.endswith("-2026-government-work-report") and dataset.isascii(), dataset
        text = (shared_reports() / r["source_file"]).read_text(encoding="utf-8")
        sources = json.loads(r["metadata_sources"])
        region = sources["region"]
        assert text[region["source_start"]:region["source_end"]] == province, (province, region)


@pytest.mark.parametrize("province", sorted(DELIVERED))
def test_page_furniture_is_neither_the_title_nor_a_fact(province):
    doc = ingest(shared_reports() / f"{province}.txt")
    kept = [p.text for p in doc.paragraphs if p.kind != "boilerplate"]
    chrome = ("下载", "打印", "全屏", "收藏", "【字号：", "加大", "还原", "减小", "【字体：", "首页", ">", "分享：",
              "相关报道：")
    assert not [t for t in kept if t in chrome], kept[:12]
    assert not [t for t in kept if t.startswith(("来源", "时间：", "您的位置")) or t.endswith("摄")], kept[:12]
    furniture = {p.paragraph_id for p in doc.paragraphs if p.kind == "boilerplate"}
    assert not [f for f in extract(doc) if f.paragraph_id in furniture]


def test_the_same_page_as_html_marks_the_same_furniture(tmp_path):
    """Every format goes through the same line rules: the 北京 page as HTML, one line a paragraph."""
    import html

    source = (shared_reports() / "北京市.txt").read_text(encoding="utf-8")
    lines = [ln for ln in source.splitlines() if ln.strip()]
    page = tmp_path / "beijing.html"
    page.write_text("<html><body>" + "".join(f"<p>{html.escape(ln)}</p>" for ln in lines) + "</body></html>",
                    encoding="utf-8")
    as_text, as_html = ingest(shared_reports() / "北京市.txt"), ingest(page)
    furniture = lambda d: [p.text for p in d.paragraphs if p.kind == "boilerplate"]  # noqa: E731
    assert furniture(as_html) == furniture(as_text)
    assert as_html.title == as_text.title == "北京市2026年政府工作报告"


def test_parts_set_period_and_status_where_the_sentence_states_none():
    """广东: the 2025 review (actual), the 十四五 review (2021-2025), the 2026 plan and the 民生实事
    appendix (targets), and 名词解释 (no facts)."""
    doc = ingest(shared_reports() / "广东省.txt")
    facts = extract(doc)
    by_quote = {f.context[:40] + "|" + f.quote: f for f in facts}

    def fact(words: str, quote: str):
        return next(f for k, f in by_quote.items() if words in k and k.endswith("|" + quote))

    grew = fact("地区生产总值增长3.9%", "3.9%")
    assert (grew.period_start, grew.period_end, grew.status) == ("2025-01-01", "2025-12-31", "actual")
    level = fact("地区生产总值从11.37万亿元提高到14.58万亿元", "14.58万亿元")
    assert (level.period_end, level.status) == ("2025-12-31", "actual")
    start = fact("地区生产总值从11.37万亿元", "11.37万亿元")
    assert start.period_end == "2020-12-31"
    targets = [f for f in facts if f.paragraph_id > next(p.paragraph_id for p in doc.paragraphs
                                                          if p.text.startswith("三、2026年"))]
    plan = [f for f in targets if next(p for p in doc.paragraphs if p.paragraph_id == f.paragraph_id).part == "plan"]
    assert plan and all(f.status == "target" and f.period_start.startswith("2026") for f in plan
                        if f.period_start[:4] == f.period_end[:4] and f.qualifier == "")
    glossary = {p.paragraph_id for p in doc.paragraphs if p.part == "glossary"}
    assert glossary and not [f for f in facts if f.paragraph_id in glossary]


FIRST_QUARTER = """一季度全市经济运行情况
首季开局良好。今年一季度，全市地区生产总值增长5.3%，比2025年全年加快0.3个百分点。
规模以上工业增加值增长6.1%。固定资产投资增长4.2%。3月份，社会消费品零售总额增长5.6%。
城镇居民人均可支配收入增长5.0%。
"""


def test_a_first_quarter_analysis_takes_its_scope_from_its_opening_and_its_year_not_from_a_base():
    doc = document_from_text(FIRST_QUARTER, source_name="q1.txt", metadata={"publisher": "某市统计局"})
    assert (doc.year, doc.kind, doc.scope) == (2026, "statistics_analysis", ("2026-01-01", "2026-03-31"))
    periods = {f.quote: (f.period_start, f.period_end) for f in extract(doc)}
    q1 = ("2026-01-01", "2026-03-31")
    assert periods["5.3%"] == periods["6.1%"] == periods["4.2%"] == periods["5.0%"] == q1, periods
    assert periods["5.6%"] == ("2026-03-01", "2026-03-31")


def test_a_delivery_date_in_chinese_numerals_and_a_congress_without_第():
    doc = document_from_text("政府工作报告\n——二〇二六年一月二十七日在甘肃省十四届人民代表大会第四次会议上\n各位代表：\n"
                             "现在，我代表省人民政府，向大会报告工作。\n一、2025年工作回顾\n地区生产总值增长5.8%。\n",
                             source_name="g.txt")
    assert (doc.delivered, doc.region, doc.publisher, doc.year, doc.plan_year) == \
        ("2026-01-27", "甘肃省", "甘肃省人民政府", 2025, 2026)
    assert doc.title == "甘肃省2026年政府工作报告"
    assert doc.report_id == "gansu-sheng-2026-government-work-report"


def test_operator_metadata_still_wins(tmp_path):
    report = tmp_path / "r.txt"
    report.write_text((shared_reports() / "北京市.txt").read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "r.txt.meta.json").write_text('{"title": "北京政府工作报告（2026）", "year": 2024}', encoding="utf-8")
    doc = ingest(report)
    assert (doc.title, doc.year, doc.metadata_sources["year"]["rule"]) == ("北京政府工作报告（2026）", 2024, "operator")


def test_a_report_whose_year_cannot_be_known_gets_no_dates_rather_than_wrong_ones():
    doc = document_from_text("情况通报\n全市上下共同努力，工业增加值增长6%，今年新增就业1.2万人。\n", source_name="x.txt")
    assert doc.year is None
    facts = extract(doc)
    assert facts and all(f.period_start == "" and f.period_end == "" for f in facts)


SMALL = """2025年工作总结
2025年，汽车零部件产业产值增长8%，社会消费品零售总额增长5%。举办招商活动12轮、展会3万场次，发放消费券5批次。
地区生产总值增长5.5%，高于全国0.5个百分点。金融机构存贷款余额分别达1.2万亿元、0.9万亿元。新签约项目超200个。
城镇新增就业不少于28万人，粮食产量不低于1300万吨，城镇调查失业率控制在5.5%以内，单位能耗不超过0.5吨标准煤。
"""


def test_the_smaller_readings():
    facts = {f.quote: f for f in extract(document_from_text(SMALL, source_name="s.txt"))}
    assert not [q for q in facts if q.startswith("零")], "零 in 零部件 / 零售 is no number"
    assert {q: facts[q].unit for q in ("12轮", "3万场次", "5批次")} == {"12轮": "轮", "3万场次": "万场次", "5批次": "批次"}
    above = facts["0.5个百分点"]
    assert (above.measure, above.basis, above.subject) == ("change", "none", "地区生产总值")
    assert (facts["1.2万亿元"].subject, facts["0.9万亿元"].subject) == ("金融机构存款余额", "金融机构贷款余额")
    assert facts["200个"].subject == "新签约项目"
    assert {q: facts[q].approx for q in ("28万人", "1300万吨", "5.5%", "0.5吨标准煤")} == \
        {"28万人": "more_than", "1300万吨": "more_than", "5.5%": "less_than", "0.5吨标准煤": "less_than"}


def test_an_autonomous_region_speaks_of_itself_by_its_level():
    """我代表自治区人民政府 names the region's government, as 我代表省人民政府 does."""
    doc = document_from_text("2026年广西壮族自治区政府工作报告\n——2026年1月25日在广西壮族自治区第十四届人民代表大会第五次会议上\n"
                             "自治区主席 某某\n各位代表：\n现在，我代表自治区人民政府，向大会报告工作，请予审议。\n"
                             "一、2025年工作回顾\n全区地区生产总值增长5%。\n", source_name="gx.txt")
    assert (doc.region, doc.publisher, doc.title) == \
        ("广西壮族自治区", "广西壮族自治区人民政府", "广西壮族自治区2026年政府工作报告")
    assert doc.report_id == "guangxizhuangzu-zizhiqu-2026-government-work-report"


def test_the_ten_reports_pass_the_checks_of_meaning_without_a_blocking_finding(provinces_portal):
    """Each published release's validation.json: the meaning checks ran, none of them blocks."""
    from reportpub.checks.meaning import CHECKS

    meaning = {c.name for c in CHECKS}
    results = sorted((provinces_portal / "datasets").glob("*/releases/*/validation.json"))
    assert len(results) == len(DELIVERED)
    for path in results:
        result = json.loads(path.read_text(encoding="utf-8"))
        ran = {c["name"]: c["status"] for c in result["checks"] if c["name"] in meaning}
        assert set(ran) == meaning, path
        assert result["decision"] == "publish", path
        assert [f["check"] for f in result["findings"] if f["check"] in meaning and f["severity"] == "error"] == [], path
        assert ran["reports.time_frame"] == ran["reports.metadata"] == ran["facts.period_in_frame"] == "passed", path
