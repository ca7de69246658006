"""Comparable indicators: one code for one measure across every report, the portal's cross-report
table and a page per indicator, on the ten provincial reports published to one portal."""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

from frictionless import Package

from reportpub.extract import extract
from reportpub.indicators import code_list_of_indicators, indicator_for
from reportpub.ingest import document_from_text

from .test_real_reports import DELIVERED

FIXED = ("gdp", "general_budget_revenue", "industrial_value_added", "fixed_asset_investment", "retail_sales",
         "disposable_income_per_capita", "cpi", "urban_new_jobs", "surveyed_unemployment_rate", "grain_output")


def rows(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_the_code_list_holds_the_fixed_codes_and_one_code_per_wording():
    codes = code_list_of_indicators()
    assert set(FIXED) <= set(codes) and len(codes) >= 150
    wordings = Counter(w for ind in codes.values() for w in {ind.name_zh, *ind.aliases, *ind.change_aliases})
    assert [w for w, n in wordings.items() if n > 1] == []


def test_a_part_of_a_measure_gets_no_code():
    assert indicator_for("全省生产总值", "change", "%") == indicator_for("地区生产总值", "level", "万亿元") == "gdp"
    assert indicator_for("经济", "change", "%") == "gdp" and indicator_for("经济", "level", "亿元") == ""
    assert indicator_for("单位地区生产总值能耗", "change", "%") != "gdp"
    assert indicator_for("第一产业增加值", "change", "%") != "gdp"
    assert indicator_for("高技术制造业增加值", "change", "%") != "industrial_value_added"
    assert indicator_for("城镇居民人均可支配收入", "change", "%") != "disposable_income_per_capita"
    assert indicator_for("地区生产总值", "level", "万人") == "", "a GDP counted in people is no GDP"


def test_subject_en_is_the_indicator_label_or_an_exact_glossary_entry_never_a_guess():
    doc = document_from_text("2025年工作总结\n2025年，地区生产总值增长5%，单位地区生产总值二氧化碳排放下降3%，"
                             "某某新奇事物增长7%。\n", source_name="x.txt")
    facts = {f.quote: f for f in extract(doc)}
    assert (facts["5%"].indicator, facts["5%"].subject_en) == ("gdp", "Gross regional product")
    assert facts["3%"].subject_en != "Gross regional product" and facts["3%"].indicator != "gdp"
    assert (facts["7%"].indicator, facts["7%"].subject_en) == ("", "")


def test_the_indicators_table_gives_gdp_growth_of_2025_for_every_province(provinces_portal):
    table = rows(provinces_portal / "indicators" / "data" / "indicators.csv")
    growth = [r for r in table if r["indicator"] == "gdp" and r["measure"] == "change" and r["status"] == "actual"
              and r["period_start"] == "2025-01-01" and r["period_end"] == "2025-12-31" and not r["qualifier"]]
    assert {r["region"] for r in growth} == set(DELIVERED)
    facts = {(path.parts[-5], f["fact_id"]): f for path in (provinces_portal / "datasets").glob("*/releases/*/data/facts.csv")
             for f in rows(path)}
    for r in table:
        fact = facts[r["dataset"], r["fact_id"]]
        assert (float(r["value"]), r["unit"], r["indicator"], r["quote"]) == \
            (float(fact["value"]), fact["unit"], fact["indicator"], fact["quote"]), r
    report = Package(str(provinces_portal / "indicators" / "datapackage.json")).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_the_gdp_page_sets_the_regions_side_by_side_each_value_linked_to_its_quote(provinces_portal):
    page = (provinces_portal / "indicators" / "gdp.html").read_text(encoding="utf-8")
    for region in DELIVERED:
        assert f"<td>{region}</td>" in page, region
    links = re.findall(r'href="\.\./(datasets/[^"#]+/paragraphs\.html)#([^"]+)"', page)
    assert len(links) >= 10
    for path, anchor in links:
        assert f'id="{anchor}"' in (provinces_portal / path).read_text(encoding="utf-8"), (path, anchor)
    home = (provinces_portal / "index.html").read_text(encoding="utf-8")
    assert 'href="indicators/index.html"' in home
