"""Checks of meaning (checks/meaning.py): each one fires on a small package that says the wrong
thing, names the fact (id, quote, paragraph, offsets), and blocks or warns as the policy says; a
real report built with a wrong year is blocked."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from reportpub.contract import POLICY, shipped
from reportpub.validate import PolicyError, load_policy, validate

from . import pkgtools
from .conftest import shared_reports

DEFAULT_POLICY = shipped(POLICY)
MEANING = ("reports.time_frame", "reports.metadata", "facts.period_in_frame", "facts.actual_after_delivery",
           "facts.target_before_delivery", "facts.indicator_consistent", "facts.subject_meaningful")


@pytest.fixture(scope="module", autouse=True)
def gx_context():
    from reportpub.checks.expectations import _batch_definition

    return _batch_definition()


@pytest.fixture
def tables():
    return pkgtools.sample_tables()


def check(tmp_path, tables, name, policy=None):
    """Validate the tables as a package -> (report, the findings of check `name`)."""
    report = validate(pkgtools.write_package(tmp_path / "pkg", tables), policy=policy)
    return report, [f for f in report.findings if f.check == name]


def fact_at(tables, quote: str) -> int:
    return tables["facts"].column("quote").to_pylist().index(quote)


def test_the_sample_package_says_nothing_wrong(tmp_path, tables):
    report, _ = check(tmp_path, tables, "")
    assert [f.check for f in report.findings if f.check in MEANING] == []


def test_every_meaning_check_is_named_in_the_default_policy():
    policy = load_policy()
    assert {name: policy.severities.get(name) for name in MEANING} == {
        "reports.time_frame": "error", "facts.period_in_frame": "error", "reports.metadata": "warning",
        "facts.actual_after_delivery": "warning", "facts.target_before_delivery": "warning",
        "facts.indicator_consistent": "warning", "facts.subject_meaningful": "warning"}


def test_every_check_says_what_it_verifies_in_chinese_and_english():
    from reportpub.checks import registry

    assert [name for name, c in registry().items() if not (c.zh and c.description)] == []


# --- the report's year and metadata -------------------------------------------------------------


def test_a_report_without_a_year_is_blocked(tmp_path, tables):
    report, found = check(tmp_path, pkgtools.changed(tables, "reports", 0, year=None), "reports.time_frame")
    assert report.decision == "block" and [f.severity for f in found] == ["error"]
    assert [(r["report_id"], r["problem"]) for r in found[0].rows] == [("demo-2023-gwr", "no year under review")]


def test_a_year_its_plan_year_contradicts_is_blocked(tmp_path, tables):
    broken = pkgtools.changed(tables, "reports", 0, year=1990, plan_year=2023, delivered=dt.date(2023, 3, 1))
    report, found = check(tmp_path, broken, "reports.time_frame")
    assert report.decision == "block"
    assert "plan year 2023 is not within 2 years after the year under review 1990" in found[0].rows[0]["problem"]


def test_a_title_that_is_page_furniture_warns_and_names_it(tmp_path, tables):
    broken = pkgtools.changed(tables, "reports", 0, title="下载")
    broken = pkgtools.changed(broken, "reports", 1, title="责任编辑：示范", publisher=None)  # its boilerplate line
    report, found = check(tmp_path, broken, "reports.metadata")
    assert report.decision == "publish" and [f.severity for f in found] == ["warning"]
    problems = {r["report_id"]: r["problem"] for r in found[0].rows}
    assert problems == {"demo-2023-gwr": "the title '下载' is page furniture, not the report's title",
                        "demo-2016h1-economy": "no publisher; the title '责任编辑：示范' is page furniture, not the "
                                               "report's title"}


def test_the_paragraph_a_furniture_title_was_read_from_is_named(tmp_path, tables):
    sources = json.dumps({"title": {"rule": "first_line", "value": "下载", "source_start": 0, "source_end": 2}},
                         ensure_ascii=False)
    paragraphs = pkgtools.changed(tables, "paragraphs", 0, text="下载", source_end=2)
    broken = pkgtools.changed(paragraphs, "reports", 0, title="下载", metadata_sources=sources)
    _, found = check(tmp_path, broken, "reports.metadata")
    row = found[0].rows[0]
    assert (row["paragraph_id"], row["char_start"], row["char_end"], row["quote"]) == (1, 0, 2, "下载")


# --- facts against the report's time frame ------------------------------------------------------


def test_a_fact_dated_2000_in_a_2022_report_is_blocked_and_named(tmp_path, tables):
    i = fact_at(tables, "8.2%")
    broken = pkgtools.changed(tables, "facts", i, period_start=dt.date(2000, 1, 1), period_end=dt.date(2000, 12, 31))
    report, found = check(tmp_path, broken, "facts.period_in_frame")
    assert report.decision == "block" and [f.severity for f in found] == ["error"]
    [row] = found[0].rows
    assert (row["fact_id"], row["quote"], row["paragraph_id"], row["char_start"], row["char_end"]) == \
        ("demo-2023-gwr-2-34", "8.2%", 2, 34, 38)
    assert row["paragraph_text"][34:38] == "8.2%" and row["period_start"] == "2000-01-01"


def test_the_threshold_of_far_outside_is_the_policys(tmp_path, tables):
    i = fact_at(tables, "8.2%")
    broken = pkgtools.changed(tables, "facts", i, period_start=dt.date(2016, 1, 1), period_end=dt.date(2016, 12, 31))
    _, found = check(tmp_path, broken, "facts.period_in_frame")
    assert found == []  # six years before the review period: within the default eight
    policy = yaml.safe_load(DEFAULT_POLICY.read_text(encoding="utf-8"))
    policy["meaning"]["years_before_review"] = 5
    policy["suites"] = str(DEFAULT_POLICY.parent / "suites")
    path = tmp_path / "policy.yaml"
    path.write_text(yaml.safe_dump(policy, allow_unicode=True), encoding="utf-8")
    report, found = check(tmp_path / "strict", broken, "facts.period_in_frame", policy=path)
    assert report.decision == "block" and found[0].rows[0]["quote"] == "8.2%"


def test_a_meaning_threshold_that_is_not_a_number_is_refused(tmp_path):
    policy = yaml.safe_load(DEFAULT_POLICY.read_text(encoding="utf-8"))
    policy["suites"] = str(DEFAULT_POLICY.parent / "suites")
    for meaning, message in (({"years_before_review": "eight"}, "meaning.years_before_review is a whole number"),
                             ({"years_before": 3}, "unknown key(s) in `meaning`: years_before")):
        path = tmp_path / "policy.yaml"
        path.write_text(yaml.safe_dump({**policy, "meaning": meaning}, allow_unicode=True), encoding="utf-8")
        with pytest.raises(PolicyError, match=message.replace("(", r"\(").replace(")", r"\)")):
            load_policy(path)


def test_actual_after_delivery_and_target_before_delivery_warn(tmp_path, tables):
    delivered = pkgtools.changed(tables, "reports", 0, plan_year=2023, delivered=dt.date(2023, 3, 5))
    late = pkgtools.changed(delivered, "facts", fact_at(tables, "12所"),
                            period_start=dt.date(2023, 1, 1), period_end=dt.date(2023, 12, 31))
    both = pkgtools.changed(late, "facts", fact_at(tables, "2.1万人"), status="target")
    report = validate(pkgtools.write_package(tmp_path / "pkg", both))
    found = {f.check: f for f in report.findings}
    assert report.decision == "publish"
    assert found["facts.actual_after_delivery"].severity == "warning"
    assert [r["quote"] for r in found["facts.actual_after_delivery"].rows] == ["12所"]
    assert [r["quote"] for r in found["facts.target_before_delivery"].rows] == ["2.1万人"]
    # the 2023 target (6%) is what a plan states: neither check names it
    assert "6%" not in [r["quote"] for f in found.values() for r in f.rows]


# --- subjects -------------------------------------------------------------------------------------


@pytest.mark.parametrize("subject", ["", "市", "的", "其中", "以及"])
def test_a_subject_that_names_nothing_warns(tmp_path, tables, subject):
    broken = pkgtools.changed(tables, "facts", fact_at(tables, "12所"), subject=subject)
    report, found = check(tmp_path, broken, "facts.subject_meaningful")
    # an empty subject also breaks the schema (required), which blocks on its own
    assert report.decision == ("block" if subject == "" else "publish")
    assert [f.severity for f in found] == ["warning"]
    assert [(r["fact_id"], r["quote"], r["paragraph_id"]) for r in found[0].rows] == [("demo-2023-gwr-3-33", "12所", 3)]


def test_a_two_character_subject_with_meaning_passes(tmp_path, tables):
    broken = pkgtools.changed(tables, "facts", fact_at(tables, "12所"), subject="学校")
    assert check(tmp_path, broken, "facts.subject_meaningful")[1] == []


# --- a real report ------------------------------------------------------------------------------


def test_a_2026_report_built_with_year_1990_is_blocked_by_its_time_frame(tmp_path):
    reportpub = str(Path(sys.executable).parent / "reportpub")
    out = tmp_path / "pkg"
    subprocess.run([reportpub, "build", str(shared_reports() / "北京市.txt"), "-o", str(out), "--year", "1990"],
                   check=True, capture_output=True, text=True)
    run = subprocess.run([reportpub, "validate", str(out)], capture_output=True, text=True)
    assert run.returncode != 0
    result = json.loads((out / "validation.json").read_text(encoding="utf-8"))
    assert result["decision"] == "block"
    blocking = {f["check"] for f in result["findings"] if f["severity"] == "error"}
    assert blocking == {"reports.time_frame"}
    [row] = [f for f in result["findings"] if f["check"] == "reports.time_frame"][0]["rows"]
    assert (row["year"], row["plan_year"]) == (1990, 2026)
    # named where the plan year that contradicts it was read: the heading of the 2026 plan
    assert row["paragraph_text"] == "三、2026年重点工作" and (row["char_start"], row["char_end"]) == (2, 6)
    assert "reports.time_frame" in (out / "validation.html").read_text(encoding="utf-8")
