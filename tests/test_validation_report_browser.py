"""The steward's HTML report of a failing package, opened in headless Chromium with the network
off: it shows the failed check, the offending quote and its paragraph, and loads nothing."""

import shutil
from pathlib import Path

import pytest

from reportpub.validate import validate, write_reports

from .conftest import ROOT
from .pkgtools import rewrite_facts, set_field

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = ROOT / "test-output" / "screenshots"


def test_failing_report_reads_offline_in_a_browser(seed_package, tmp_path):
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is not installed: run `make test`, which installs it")
    from playwright.sync_api import sync_playwright

    pkg = tmp_path / "pkg"
    shutil.copytree(seed_package, pkg, ignore=shutil.ignore_patterns("validation.*"))
    rewrite_facts(pkg, set_field("quote", "999亿元"))
    _, html = write_reports(validate(pkg), pkg)

    requests = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run", "--proxy-server=127.0.0.1:9"])
        page = browser.new_page()
        page.on("request", lambda r: requests.append(r.url))
        page.goto(html.as_uri())
        text = page.inner_text("body")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "validation-report-failing.png"), full_page=True)
        browser.close()

    assert "Blocked" in text and "facts.provenance" in text
    assert "999亿元" in text  # the offending quote
    assert "亦庄新城预计全年地区生产总值" in text  # and the paragraph it claims to come from
    assert [u for u in requests if not u.startswith("file://")] == []
