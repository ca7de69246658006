"""The steward's HTML report opened in headless Chromium with the network off: it shows the failed
check, the offending quote and its paragraph, loads nothing, fits a 1280-pixel window and reads in
Chinese (first) and in English (one click)."""

import datetime as dt
import shutil
from pathlib import Path

import pytest

from reportpub.validate import validate, write_reports

from .conftest import ROOT
from .pkgtools import rewrite_facts, set_field

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = ROOT / "test-output" / "screenshots"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--proxy-server=127.0.0.1:9"]


@pytest.fixture
def browser():
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is not installed: run `make test`, which installs it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


def broken_copy(seed_package, tmp_path, *changes) -> Path:
    pkg = tmp_path / "pkg"
    shutil.copytree(seed_package, pkg, ignore=shutil.ignore_patterns("validation.*"))
    for change in changes:
        rewrite_facts(pkg, change)
    return pkg


def test_failing_report_reads_offline_in_a_browser(seed_package, tmp_path, browser):
    pkg = broken_copy(seed_package, tmp_path, set_field("quote", "999亿元"))
    _, html = write_reports(validate(pkg), pkg)

    requests = []
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.on("request", lambda r: requests.append(r.url))
    page.goto(html.as_uri())
    page.click("label[for=lang-en]")
    text = page.inner_text("body")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "validation-report-failing.png"), full_page=True)

    assert "Blocked" in text and "facts.provenance" in text
    assert "999亿元" in text  # the offending quote
    assert "亦庄新城预计全年地区生产总值" in text  # and the sentence it claims to come from
    assert [u for u in requests if not u.startswith("file://")] == []


def test_a_finding_names_its_fact_in_both_languages_within_1280_pixels(seed_package, tmp_path, browser):
    """A fact re-dated to 2000 in the 2022 work summary: blocked by facts.period_in_frame; the page
    shows the fact's id and its quote highlighted in its sentence, in Chinese, then in English."""
    import pyarrow.parquet as pq

    fact = pq.read_table(seed_package / "data/facts.parquet").slice(0, 1).to_pylist()[0]
    pkg = broken_copy(seed_package, tmp_path, set_field("period_start", dt.date(2000, 1, 1)),
                      set_field("period_end", dt.date(2000, 12, 31)))
    _, html = write_reports(validate(pkg), pkg)

    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(html.as_uri())
    overflow = "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    zh = page.inner_text("body")
    assert page.evaluate(overflow) <= 0
    assert "校验报告" in zh and "已阻止" in zh and "引文所在句子" in zh
    assert "Validation report" not in zh and "Blocked" not in zh
    section = page.locator("#check-facts\\.period_in_frame")
    assert fact["fact_id"] in section.inner_text()
    assert section.locator("td.sentence mark").first.inner_text() == fact["quote"]
    page.screenshot(path=str(SCREENSHOTS / "validation-report-zh.png"), full_page=True)

    page.click("label[for=lang-en]")
    en = page.inner_text("body")
    assert page.evaluate(overflow) <= 0
    assert "Validation report" in en and "Blocked" in en and "quote in its sentence" in en
    assert "校验报告" not in en and "已阻止" not in en
    assert fact["fact_id"] in section.inner_text() and fact["quote"] in section.inner_text()
    page.screenshot(path=str(SCREENSHOTS / "validation-report-en.png"), full_page=True)

    page.click("label[for=lang-zh]")
    assert "已阻止" in page.inner_text("body")
