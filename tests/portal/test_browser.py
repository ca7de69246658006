"""The portal in Chromium (Playwright), served by reportpub.serve: what a visitor sees and clicks."""

from __future__ import annotations

import hashlib
import json
from urllib.parse import urlparse

import pytest

from .conftest import XSS, launch

pytestmark = pytest.mark.slow

BDA = "bda-2022-work-summary"


def visible_cards(page) -> list[str]:
    return page.eval_on_selector_all("#datasets > li[data-name]:not([hidden])", "els => els.map(e => e.dataset.name)")


def test_home_lists_every_dataset_and_search_narrows_it(page, server, sample_portal, screenshots):
    page.goto(server)
    assert sorted(visible_cards(page)) == sorted(sample_portal.names)
    assert page.locator("h1").inner_text() == "数据目录"
    assert "北京经济技术开发区管委会2022年度工作总结" in page.locator("#datasets").inner_text()
    page.screenshot(path=str(screenshots / "home.png"), full_page=True)

    page.locator("#q").press_sequentially("经济技术开发区")
    assert visible_cards(page) == [BDA]
    assert page.locator("#count .n").first.inner_text() == "1"
    page.fill("#q", "no such words")
    assert visible_cards(page) == [] and page.locator("#empty").is_visible()
    page.fill("#q", "")
    page.select_option("#f-publisher", "国务院")
    assert visible_cards(page) == ["national-2023-gwr"]
    page.select_option("#f-publisher", "")
    page.select_option("#f-year", "2016")
    assert visible_cards(page) == ["daqing-2016h1-economy"]
    page.click("#f-reset")
    page.select_option("#f-indicator", "Fixed asset investment")
    assert len(visible_cards(page)) >= 2
    page.click("#f-reset")
    page.wait_for_function("document.querySelectorAll('#datasets > li:not([hidden])').length === 3")


def test_dataset_page_shows_downloads_schema_preview_chart_and_history(page, server, screenshots):
    page.goto(f"{server}datasets/{BDA}/index.html")
    for section in ("provenance", "downloads", "chart", "preview", "schema", "validation", "history", "usage"):
        assert page.locator(f"#{section} h2").is_visible(), section
    assert page.locator("#downloads a.dl").count() == 17  # 5 tables x (CSV, Parquet, Excel), descriptor, zip
    assert page.locator("#schema-facts tbody tr").count() == 25  # 24 read from the report, and `correction`
    assert page.locator("#preview tbody tr").count() == 50
    assert page.locator("#chart svg rect.bar").count() >= 3
    assert page.locator("#history tbody tr").count() >= 1
    first_row = page.locator("#preview tbody tr").first
    assert "8%" in first_row.inner_text() and "地区生产总值" in first_row.inner_text()
    page.screenshot(path=str(screenshots / "dataset.png"), full_page=True)
    page.locator("#chart").screenshot(path=str(screenshots / "dataset-chart.png"))

    snippet = page.locator("#snippet-0").inner_text()  # pandas, URLs made absolute by the page
    assert f"{server}datasets/{BDA}/releases/" in snippet
    scope: dict = {}
    exec(snippet, scope)  # noqa: S102 - the page's own pandas snippet, run against the test server
    assert len(scope["facts"]) == int(page.locator(".dataset-head dl.meta div:nth-child(4) dd").inner_text())

    first_row.locator("a.para").click()  # the quote's paragraph, on the paragraphs page
    page.wait_for_url("**/paragraphs.html#*")
    target = page.locator(":target")
    assert target.is_visible() and "8%" in target.inner_text()


def test_every_download_answers_with_the_published_checksum(page, server, sample_portal):
    catalog = json.loads((sample_portal.path / "catalog.jsonld").read_text(encoding="utf-8"))
    published = {d["dcat:downloadURL"]["@id"]: d["spdx:checksum"]["spdx:checksumValue"]["@value"]
                 for ds in catalog["@graph"][0]["dcat:dataset"] for d in ds["dcat:distribution"]}
    checked = 0
    for name in sample_portal.names:
        page.goto(f"{server}datasets/{name}/index.html")
        links = page.eval_on_selector_all("#downloads a.dl", "els => els.map(e => [e.href, e.dataset.sha256])")
        assert len(links) == 17
        for url, sha in links:
            response = page.request.get(url)
            assert response.status == 200, url
            digest = hashlib.sha256(response.body()).hexdigest()
            assert digest == sha == published[urlparse(url).path.lstrip("/")], url
            checked += 1
    assert checked == 17 * len(sample_portal.names)


def test_language_switch_changes_headings_and_is_remembered(page, server, screenshots):
    page.goto(f"{server}datasets/{BDA}/index.html")
    heading = page.locator("#downloads h2")
    assert heading.inner_text() == "下载"
    page.click("[data-lang-toggle]")
    assert heading.inner_text() == "Downloads"
    assert page.locator("#schema h2").inner_text() == "Schema"
    assert page.evaluate("document.documentElement.lang") == "en"
    page.screenshot(path=str(screenshots / "dataset-en.png"))
    page.goto(server)  # another page, same choice (localStorage)
    assert page.locator("h1").inner_text() == "Dataset catalogue"
    assert page.get_attribute("#q", "placeholder").startswith("Search")
    page.screenshot(path=str(screenshots / "home-en.png"), full_page=True)
    page.click("[data-lang-toggle]")
    assert page.locator("h1").inner_text() == "数据目录"


def test_script_in_a_report_is_shown_as_text_and_never_runs(page, xss_server, xss_portal, screenshots):
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    name = xss_portal.names[0]
    for path in ("", f"datasets/{name}/index.html", f"datasets/{name}/paragraphs.html"):
        page.goto(xss_server + path)
        page.wait_for_load_state("load")
        assert XSS in page.locator("main").inner_text(), path
    page.goto(f"{xss_server}datasets/{name}/index.html")
    assert XSS in page.locator("h1").inner_text()
    assert "</script><script>alert(3)</script>" in page.locator(".dataset-head dl.meta").inner_text()
    page.screenshot(path=str(screenshots / "xss-dataset.png"))
    page.goto(xss_server)
    page.fill("#q", "alert(1)")  # the embedded catalogue data still parse
    assert visible_cards(page) == [name]
    assert dialogs == []


def test_pages_make_no_request_outside_127_0_0_1(playwright, server, sample_portal):
    browser = launch(playwright, "--proxy-server=127.0.0.1:9")
    try:
        page = browser.new_page()
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        page.goto(server)
        assert len(visible_cards(page)) == 3
        page.goto(f"{server}datasets/{BDA}/index.html")
        assert page.locator("#chart svg").is_visible()
        page.goto(f"{server}datasets/{BDA}/paragraphs.html")
        outside = [u for u in requests if urlparse(u).scheme not in ("data",) and urlparse(u).hostname != "127.0.0.1"]
        assert requests and not outside
    finally:
        browser.close()


def test_catalogue_search_works_from_file_without_a_server(page, sample_portal):
    page.goto((sample_portal.path / "index.html").as_uri())
    assert len(visible_cards(page)) == 3
    page.fill("#q", "国务院")
    assert visible_cards(page) == ["national-2023-gwr"]
    assert page.evaluate("getComputedStyle(document.body).fontFamily").startswith('"PingFang SC"')
