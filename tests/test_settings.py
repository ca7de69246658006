"""One place for the portal's public address and the report's period: reportpub.settings and
reportpub.coverage, and how publish and serve use them."""

from __future__ import annotations

import json
import urllib.request

import pytest
from typer.testing import CliRunner

from reportpub import settings
from reportpub.cli import app
from reportpub.coverage import report_period
from reportpub.errors import PublishError


@pytest.fixture
def site_url(monkeypatch):
    """Sets package.yaml's site_url (without touching the file)."""
    def set_(value):
        real = settings.package_settings()
        monkeypatch.setattr(settings, "package_settings", lambda: {**real, "site_url": value})
    monkeypatch.delenv(settings.BASE_URL_ENV, raising=False)
    return set_


def test_base_url_precedence_is_option_then_environment_then_package_yaml(site_url, monkeypatch):
    site_url(None)
    assert settings.resolve_base_url() is None
    site_url("https://yaml.example.org/od")
    assert settings.resolve_base_url() == "https://yaml.example.org/od/"
    monkeypatch.setenv(settings.BASE_URL_ENV, "https://env.example.org/")
    assert settings.resolve_base_url() == "https://env.example.org/"
    assert settings.resolve_base_url("http://option.example.org/x/") == "http://option.example.org/x/"


@pytest.mark.parametrize("bad", ["data.example.org/od", "ftp://x.org/", "https:///od", "https://x.org/?a=1"])
def test_a_base_url_a_harvester_could_not_use_is_refused(bad):
    with pytest.raises(PublishError):
        settings.resolve_base_url(bad)


def test_the_contact_email_comes_from_package_yaml():
    assert settings.contact_email() == settings.package_settings()["publisher"]["email"]


@pytest.mark.parametrize("facts, expected", [
    ([("2016-01-01", "2016-06-30", "actual"), ("2015-01-01", "2015-06-30", "actual"),
      ("2016-01-01", "2016-03-31", "actual")], ("2016-01-01", "2016-06-30")),  # first half, a 2015 base
    ([("2022-01-01", "2022-12-31", "actual"), ("2018-01-01", "2022-12-31", "actual"),
      ("2023-01-01", "2023-12-31", "target")], ("2022-01-01", "2022-12-31")),  # five years back, next year's target
    ([("2016-01-01", "2016-12-31", "target")], ("2016-01-01", "2016-12-31")),  # no result: the whole year
    ([], ("2016-01-01", "2016-12-31")),
])
def test_the_period_is_the_span_of_the_results_inside_the_year_under_review(facts, expected):
    rows = [{"period_start": s, "period_end": e, "status": st} for s, e, st in facts]
    assert tuple(report_period([2016 if expected[0].startswith("2016") else 2022], rows).values()) == expected


def test_no_year_no_period():
    assert report_period([], [{"period_start": "2016-01-01", "period_end": "2016-06-30", "status": "actual"}]) is None


def test_publish_without_a_base_url_says_once_that_the_catalogue_cannot_be_harvested(tmp_path, site_url, monkeypatch):
    from tests.portal.conftest import SAMPLES
    from reportpub.pipeline import build_package

    site_url(None)
    sample = next(p for p in SAMPLES if p.name.startswith("bda"))
    built = build_package([sample], tmp_path / "pkg")
    runner = CliRunner()
    result = runner.invoke(app, ["publish", str(built.path), "--portal", str(tmp_path / "portal")])
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if "harvest" in line]
    assert len(warnings) == 1 and "--base-url" in warnings[0]
    result = runner.invoke(app, ["publish", str(built.path), "--portal", str(tmp_path / "portal"),
                                 "--base-url", "https://data.example.org/od"])
    assert result.exit_code == 0 and "harvest" not in result.stderr
    data = json.loads((tmp_path / "portal" / "data.json").read_text(encoding="utf-8"))
    assert data["dataset"][0]["landingPage"].startswith("https://data.example.org/od/datasets/")
    result = runner.invoke(app, ["publish", str(built.path), "--portal", str(tmp_path / "portal"),
                                 "--base-url", "data.example.org"])
    assert result.exit_code == 2 and "base URL" in result.stderr


def test_serve_shows_the_catalogue_at_its_own_address_without_changing_the_folder(tmp_path, site_url):
    import threading

    from tests.portal.conftest import SAMPLES, publish_reports
    from reportpub.serve import make_server

    site_url(None)
    portal = tmp_path / "portal"
    publish_reports([p for p in SAMPLES if p.name.startswith("bda")], portal, tmp_path / "build")
    on_disk = (portal / "catalog.jsonld").read_bytes()
    for base in (None, "https://data.example.org/open-data/"):
        server = make_server(portal, 0, base_url=base)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            root = f"http://127.0.0.1:{server.server_address[1]}" + ("/open-data/" if base else "/")
            catalog = json.loads(urllib.request.urlopen(root + "catalog.jsonld").read())
            url = catalog["@graph"][0]["dcat:dataset"][0]["dcat:distribution"][0]["dcat:downloadURL"]["@id"]
            assert url.startswith(base or root)
            local = root + url[len(base or root):]
            assert urllib.request.urlopen(local).status == 200
            if base:
                with pytest.raises(urllib.error.HTTPError):
                    urllib.request.urlopen(root.replace("/open-data/", "/") + "catalog.jsonld")
        finally:
            server.shutdown()
            server.server_close()
    assert (portal / "catalog.jsonld").read_bytes() == on_disk


def test_an_edit_of_package_yaml_is_seen_by_the_next_build_in_the_same_process(tmp_path, monkeypatch):
    import yaml

    from reportpub import contract

    raw = yaml.safe_load(contract.shipped("datapackage/package.yaml").read_text(encoding="utf-8"))
    own = tmp_path / "datapackage/package.yaml"
    own.parent.mkdir()
    own.write_text(yaml.safe_dump({**raw, "keywords": ["first"]}, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv(contract.CONFIG_DIR_ENV, str(tmp_path))
    first = settings.package_settings()
    first["keywords"].append("changed by a caller")  # a caller's copy: the next reader does not see it
    assert settings.package_settings()["keywords"] == ["first"]
    own.write_text(yaml.safe_dump({**raw, "keywords": ["second", "edit"]}, allow_unicode=True), encoding="utf-8")
    assert settings.package_settings()["keywords"] == ["second", "edit"]
