"""render_portal without a browser: pages, offline rules, escaping, catalogues, zip, partial re-render."""

from __future__ import annotations

import hashlib
import json
import os
import re
import urllib.request
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pytest

from reportpub.portal import render_index, render_portal
from reportpub.portal.chart import Bar, change_bars
from reportpub.portal.files import release_files, release_zip_bytes
from reportpub.portal.html import json_for_script

from .conftest import XSS


class Links(HTMLParser):
    """Collects src/href values and <meta charset>."""

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []
        self.charset = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.urls += [v for k, v in attrs if k in ("src", "href") and v is not None]
        if tag == "meta" and "charset" in a:
            self.charset = a["charset"]


def pages(portal: Path) -> list[Path]:
    return [p for p in portal.rglob("*.html") if "releases" not in p.parts]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_every_page_is_written(sample_portal):
    portal = sample_portal.path
    for f in ("index.html", "catalog.json", "catalog.jsonld", "data.json", "assets/portal.css", "assets/portal.js"):
        assert (portal / f).is_file(), f
    for name in sample_portal.names:
        ds = portal / "datasets" / name
        version = json.loads((ds / "latest.json").read_text())["version"]
        for f in ("index.html", "paragraphs.html", "history.json", f"releases/{version}/{name}-{version}.zip"):
            assert (ds / f).is_file(), f"{name}: {f}"


def test_pages_declare_utf8_and_load_nothing_from_outside(sample_portal):
    for path in pages(sample_portal.path):
        parser = Links()
        parser.feed(path.read_text(encoding="utf-8"))
        assert parser.charset == "utf-8", path
        outside = [u for u in parser.urls if re.match(r"^([a-z][a-z0-9+.-]*:|//)", u, re.IGNORECASE) and not u.startswith("data:")]
        assert not outside, f"{path}: {outside}"
        for url in parser.urls:  # every relative link points to a file of the portal
            target = url.split("#")[0].split("?")[0]
            if target and not target.startswith("data:"):
                assert (path.parent / urllib.request.url2pathname(target)).exists(), f"{path}: {url}"


def test_catalog_jsonld_is_dcat_with_checksums_of_the_files_on_disk(sample_portal):
    from rdflib import Graph, Namespace, URIRef
    from rdflib.namespace import DCAT, DCTERMS, RDF

    spdx = Namespace("http://spdx.org/rdf/terms#")
    portal = sample_portal.path
    g = Graph().parse(portal / "catalog.jsonld", format="json-ld")
    catalogs = list(g.subjects(RDF.type, DCAT.Catalog))
    datasets = list(g.subjects(RDF.type, DCAT.Dataset))
    assert len(catalogs) == 1 and len(datasets) == len(sample_portal.names) == 3
    assert set(g.objects(catalogs[0], DCAT.dataset)) == set(datasets)
    for ds in datasets:
        for prop in (DCTERMS.title, DCTERMS.description, DCTERMS.temporal, DCTERMS.language, DCAT.distribution):
            assert g.value(ds, prop) is not None, (ds, prop)
        dists = list(g.objects(ds, DCAT.distribution))
        assert len(dists) == 17  # 5 tables x (CSV, Parquet, Excel) + datapackage.json + zip
        for dist in dists:
            url = g.value(dist, DCAT.downloadURL)
            path = Path(urllib.request.url2pathname(str(url).removeprefix("file://")))
            assert path.is_file() and path.is_relative_to(portal.resolve()), url
            checksum = g.value(dist, spdx.checksum)
            assert g.value(checksum, spdx.algorithm) == URIRef("http://spdx.org/rdf/terms#checksumAlgorithm_sha256")
            assert str(g.value(checksum, spdx.checksumValue)) == sha256(path)
            assert int(g.value(dist, DCAT.byteSize)) == path.stat().st_size
            assert g.value(dist, DCAT.mediaType) is not None
            assert str(g.value(dist, DCTERMS.license)) == "https://creativecommons.org/licenses/by/4.0/"


def test_data_json_is_project_open_data(sample_portal):
    portal = sample_portal.path
    data = json.loads((portal / "data.json").read_text(encoding="utf-8"))
    assert data["conformsTo"] == "https://project-open-data.cio.gov/v1.1/schema"
    assert len(data["dataset"]) == 3
    for ds in data["dataset"]:
        for key in ("title", "description", "keyword", "modified", "publisher", "contactPoint", "identifier",
                    "accessLevel", "distribution", "license", "temporal"):
            assert ds.get(key), key
        for dist in ds["distribution"]:
            assert (portal / dist["downloadURL"]).is_file()


def test_dataset_page_holds_schema_org_json_ld(sample_portal):
    name = sample_portal.names[0]
    html = (sample_portal.path / "datasets" / name / "index.html").read_text(encoding="utf-8")
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.DOTALL).group(1)
    data = json.loads(block)
    assert data["@type"] == "Dataset" and data["identifier"] == name
    assert data["distribution"] and all(len(d["sha256"]) == 64 for d in data["distribution"])


def test_release_zip_is_deterministic_and_holds_the_release_at_its_root(sample_portal):
    name = sample_portal.names[0]
    ds = sample_portal.path / "datasets" / name
    version = json.loads((ds / "latest.json").read_text())["version"]
    release = ds / "releases" / version
    zip_path = release / f"{name}-{version}.zip"
    assert release_zip_bytes(release) == zip_path.read_bytes()
    with zipfile.ZipFile(zip_path) as zf:
        assert zf.namelist() == release_files(release)
        assert "datapackage.json" in zf.namelist() and not any(n.endswith((".zip", ".xlsx")) for n in zf.namelist())
        assert zf.read("data/facts.csv") == (release / "data/facts.csv").read_bytes()


def test_rendering_one_dataset_leaves_the_other_pages_alone(portal_copy):
    names = sorted(p.name for p in (portal_copy / "datasets").iterdir())
    changed, other = names[0], names[1]
    for name in (changed, other):  # stale pages: only the rendered dataset's must be rewritten
        (portal_copy / "datasets" / name / "index.html").write_text("stale", encoding="utf-8")
    home = portal_copy / "index.html"
    home.write_text("stale", encoding="utf-8")
    before = os.stat(portal_copy / "datasets" / other / "index.html").st_mtime_ns
    render_portal(portal_copy, dataset=changed)
    assert (portal_copy / "datasets" / changed / "index.html").read_text(encoding="utf-8") != "stale"
    assert (portal_copy / "datasets" / other / "index.html").read_text(encoding="utf-8") == "stale"
    assert os.stat(portal_copy / "datasets" / other / "index.html").st_mtime_ns == before
    assert home.read_text(encoding="utf-8") != "stale"


def test_an_unchanged_page_is_not_rewritten(portal_copy):
    page = portal_copy / "datasets" / "bda-2022-work-summary" / "index.html"
    os.utime(page, ns=(1_000_000_000, 1_000_000_000))
    render_portal(portal_copy)
    assert os.stat(page).st_mtime_ns == 1_000_000_000


def test_history_shows_each_version_and_its_changelog(portal_copy):
    ds = portal_copy / "datasets" / "bda-2022-work-summary"
    history = json.loads((ds / "history.json").read_text(encoding="utf-8"))
    first = {k: v for k, v in history[0].items() if k != "changelog"}
    history = [
        first,  # no changelog key at all
        {**first, "version": "1.1.0", "changelog": ["修正单位 <b>万元</b>", "Fixed units"]},
        {**first, "version": "1.2.0", "changelog": {  # the shape publish.py writes
            "added": 1, "removed": 0, "changed": 1, "added_facts": ["bda-2022-work-summary-p0099-c0001"],
            "removed_facts": [], "changed_facts": [{"fact_id": "bda-2022-work-summary-p0003-c0024",
                                                    "field": "value", "old": 8, "new": "<i>9</i>"}]}},
    ]
    (ds / "history.json").write_text(json.dumps(history, ensure_ascii=False), encoding="utf-8")
    render_portal(portal_copy, dataset="bda-2022-work-summary")
    html = (ds / "index.html").read_text(encoding="utf-8")
    section = html[html.index('id="history"'):html.index('id="usage"')]
    assert section.count("<tr>") == 1 + 3  # header + one row per version
    assert "修正单位 &lt;b&gt;万元&lt;/b&gt;<br>Fixed units" in section
    assert "1 facts added, 0 removed, 1 changes" in section
    assert "bda-2022-work-summary-p0003-c0024</code> value: 8 → <b>&lt;i&gt;9&lt;/i&gt;</b>" in section
    assert "bda-2022-work-summary-p0099-c0001" in section


def test_render_index_returns_the_home_page(portal_copy):
    assert render_index(portal_copy) == (portal_copy / "index.html").read_text(encoding="utf-8")


def test_a_report_cannot_inject_markup(xss_portal):
    portal = xss_portal.path
    for path in pages(portal):
        text = path.read_text(encoding="utf-8")
        assert "<script>alert" not in text and "<img src=x" not in text, path
    home = (portal / "index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in home
    embedded = re.search(r'<script type="application/json" id="catalog-data">(.*?)</script>', home, re.DOTALL).group(1)
    assert "</" not in embedded and XSS in json.loads(embedded)["datasets"][0]["title"]


def test_json_for_script_escapes_what_could_end_the_script():
    text = json_for_script({"a": "</script><!-- & \u2028"})
    assert not set("<>&") & set(text) and json.loads(text) == {"a": "</script><!-- & \u2028"}


def test_chart_draws_decreases_to_the_left():
    svg = change_bars([Bar("增长", "up", 8.0), Bar("下降", "down", -4.0)])
    up, down = re.findall(r'<rect class="bar (pos|neg)" x="([\d.]+)"', svg)
    axis = float(re.search(r'<line class="axis" x1="([\d.]+)"', svg).group(1))
    assert up[0] == "pos" and float(up[1]) == pytest.approx(axis)
    assert down[0] == "neg" and float(down[1]) < axis
    assert change_bars([]) == ""


def test_server_sends_utf8_and_follows_latest(server, sample_portal):
    name = sample_portal.names[0]
    for path, ctype in (("", "text/html; charset=utf-8"), ("catalog.json", "application/json; charset=utf-8"),
                        (f"datasets/{name}/latest/data/facts.csv", "text/csv; charset=utf-8")):
        with urllib.request.urlopen(server + path) as r:
            assert r.status == 200 and r.headers["Content-Type"] == ctype, path


def test_server_refuses_a_symlink_leading_out_of_the_portal(portal_copy, tmp_path):
    import threading

    from reportpub.serve import make_server

    (tmp_path / "secret.txt").write_text("secret", encoding="utf-8")
    os.symlink(tmp_path / "secret.txt", portal_copy / "leak.txt")
    srv = make_server(portal_copy, 0)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(f"http://127.0.0.1:{srv.server_address[1]}/leak.txt")
        assert err.value.code == 404
    finally:
        srv.shutdown()
        srv.server_close()


def test_an_empty_portal_renders_an_empty_catalogue(tmp_path):
    render_portal(tmp_path / "empty")
    assert "尚未发布任何数据集" in (tmp_path / "empty" / "index.html").read_text(encoding="utf-8")
    assert json.loads((tmp_path / "empty" / "catalog.jsonld").read_text())["@graph"][0]["dcat:dataset"] == []
