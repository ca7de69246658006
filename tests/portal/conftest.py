"""Portal fixtures: the three sample reports published once into a temporary portal, a report
that tries to inject script, a local server (reportpub.serve) and Debian's Chromium.

The browser tests are skipped only when /usr/bin/chromium is missing (`make test` installs it).
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import threading
from pathlib import Path
from types import SimpleNamespace

import pytest

from ..conftest import REPORTS, ROOT

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SCREENSHOTS = ROOT / "test-output" / "screenshots"
SAMPLES = sorted(REPORTS.glob("*.txt"))
XSS = "<script>alert(1)</script>"
XSS_PUBLISHER = "示范市</script><script>alert(3)</script>人民政府"
XSS_REPORT = (f"示范市{XSS}2022年工作总结\n\n"
              f"2022年，全市地区生产总值同比增长5.2%{XSS}，固定资产投资增长3%。\n\n"
              "一、主要工作\n\n"
              "一般公共预算收入完成120亿元，增长4.1%。<img src=x onerror=alert(2)>\n")


def publish_reports(paths: list[Path], portal: Path, work: Path, metadata: dict | None = None) -> list[str]:
    """Report files -> datasets published into `portal` (one per report); returns their names.

    The portal shows each release's real validation verdict; a sample the current extractor gets
    wrong (a blocking check fails) is still published here, so that the portal tests do not depend
    on extraction quality, and its page shows it as failed.
    """
    from reportpub.pipeline import build_package
    from reportpub.publish import publish
    from reportpub.validate import validate, write_reports

    names = []
    for path in paths:
        meta_file = path.with_name(path.name + ".meta.json")
        meta = metadata or (json.loads(meta_file.read_text(encoding="utf-8")) if meta_file.is_file() else None)
        built = build_package([path], work / path.stem, metadata=meta)
        report = validate(built.path)
        write_reports(report, built.path)
        gate = report if report.valid else dataclasses.replace(report, valid=True, decision="publish")
        names.append(publish(built.path, portal, validation=gate).dataset)
    return names


@pytest.fixture(scope="package")
def sample_portal(tmp_path_factory) -> SimpleNamespace:
    """The three sample reports published and rendered once for all portal tests (do not modify it)."""
    from reportpub.portal import render_portal

    root = tmp_path_factory.mktemp("portal")
    portal = root / "portal"
    names = publish_reports(SAMPLES, portal, root / "build")
    render_portal(portal)
    return SimpleNamespace(path=portal, names=names)


@pytest.fixture
def portal_copy(sample_portal, tmp_path) -> Path:
    """A private copy of the sample portal (symlinks kept), for tests that change it."""
    dest = tmp_path / "portal"
    shutil.copytree(sample_portal.path, dest, symlinks=True)
    return dest


@pytest.fixture(scope="package")
def xss_portal(tmp_path_factory) -> SimpleNamespace:
    """A portal holding one report whose text and publisher carry script tags."""
    from reportpub.portal import render_portal

    root = tmp_path_factory.mktemp("xss")
    report = root / "xss-report.txt"
    report.write_text(XSS_REPORT, encoding="utf-8")
    portal = root / "portal"
    names = publish_reports([report], portal, root / "build", metadata={"publisher": XSS_PUBLISHER})
    render_portal(portal)
    return SimpleNamespace(path=portal, names=names)


def _serve(portal: Path):
    from reportpub.serve import make_server

    server = make_server(portal, 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, thread


@pytest.fixture(scope="package")
def server(sample_portal):
    """Base URL (ending in /) of the sample portal served by reportpub.serve on a free port."""
    srv, thread = _serve(sample_portal.path)
    yield f"http://127.0.0.1:{srv.server_address[1]}/"
    srv.shutdown()
    srv.server_close()
    thread.join(5)


@pytest.fixture(scope="package")
def xss_server(xss_portal):
    srv, thread = _serve(xss_portal.path)
    yield f"http://127.0.0.1:{srv.server_address[1]}/"
    srv.shutdown()
    srv.server_close()
    thread.join(5)


@pytest.fixture(scope="package")
def playwright():
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing (apt-get install -y chromium fonts-wqy-microhei; `make test` does it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


def launch(playwright, *extra_args: str):
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=[*CHROMIUM_ARGS, *extra_args])


@pytest.fixture(scope="package")
def browser(playwright):
    b = launch(playwright)
    yield b
    b.close()


@pytest.fixture
def page(browser):
    """A fresh page (own context: own localStorage) that fails the test on a JavaScript error."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    yield pg
    context.close()
    assert not errors, f"JavaScript errors: {errors}"


@pytest.fixture(scope="package")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


HARVEST_BASE = "https://data.example.org/open-data/"


@pytest.fixture(scope="package")
def harvest_portal(sample_portal, tmp_path_factory) -> SimpleNamespace:
    """The sample portal rendered for its public address HARVEST_BASE (as `publish --base-url` does)."""
    from reportpub.portal import render_portal

    dest = tmp_path_factory.mktemp("harvest") / "portal"
    shutil.copytree(sample_portal.path, dest, symlinks=True)
    render_portal(dest, base_url=HARVEST_BASE)
    return SimpleNamespace(path=dest, names=sample_portal.names, base=HARVEST_BASE)


def parse_catalog(portal: Path):
    """catalog.jsonld -> rdflib Graph, parsed as ckanext-dcat does: no base URL."""
    import rdflib

    return rdflib.Graph().parse(data=(portal / "catalog.jsonld").read_text(encoding="utf-8"), format="json-ld")
