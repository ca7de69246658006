"""A portal published with --base-url, hosted under that path (/open-data/) by a plain static
server, opened in Chromium: every link of the catalogue and of each dataset page, and every URL
the catalogues give a harvester, answers 200."""

from __future__ import annotations

import json
import re
import shutil
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urldefrag

import pytest

from .conftest import parse_catalog

pytestmark = pytest.mark.slow
PREFIX = "/open-data/"


class PrefixHandler(SimpleHTTPRequestHandler):
    """Files of one folder under PREFIX only, as a web host serving the folder there would."""

    def translate_path(self, path: str) -> str:
        if not path.startswith(PREFIX):
            return "/nonexistent"
        return super().translate_path("/" + path[len(PREFIX):])

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def hosted(sample_portal, tmp_path_factory):
    """(base URL, portal folder): the sample portal rendered for, and served at, http://127.0.0.1:PORT/open-data/."""
    from reportpub.portal import render_portal

    portal = tmp_path_factory.mktemp("hosted") / "portal"
    shutil.copytree(sample_portal.path, portal, symlinks=True)
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(PrefixHandler, directory=str(portal)))
    base = f"http://127.0.0.1:{server.server_address[1]}{PREFIX}"
    render_portal(portal, base_url=base)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield base, portal
    server.shutdown()
    server.server_close()
    thread.join(5)


def page_links(page) -> set[str]:
    """Every URL a page links to or loads, resolved by the browser, plus its JSON-LD's URLs."""
    urls = set(page.eval_on_selector_all("[href], script[src]",
                                         "els => els.map(e => new URL(e.getAttribute('href') || e.getAttribute('src'), document.baseURI).href)"))
    for block in page.eval_on_selector_all('script[type="application/ld+json"]', "els => els.map(e => e.textContent)"):
        urls |= set(re.findall(r'"(https?://[^"]+)"', block))
    return {urldefrag(u)[0] for u in urls if u.startswith("http") and not u.startswith("data:")}


def test_every_link_of_the_catalogue_and_dataset_pages_answers_under_the_prefix(page, hosted, sample_portal):
    base, portal = hosted
    checked: set[str] = set()
    page.goto(base + "index.html")
    assert page.locator("h1").inner_text() == "数据目录"
    pages = [base + "index.html"] + [f"{base}datasets/{n}/index.html" for n in sample_portal.names]
    for url in pages:
        page.goto(url)
        assert page.locator('link[rel="canonical"]').get_attribute("href") == url
        links = page_links(page) - checked
        ours = {u for u in links if u.startswith(base)}
        assert {u for u in links if u.startswith("http://127.0.0.1") and u not in ours} == set(), url
        for link in sorted(ours):
            assert page.request.get(link).status == 200, f"{url} -> {link}"
        checked |= ours
    assert len(checked) > 60
    assert page.request.get(base.replace(PREFIX, "/") + "index.html").status == 404  # only under the prefix


def test_every_url_the_catalogues_give_a_harvester_answers(page, hosted):
    base, portal = hosted
    g = parse_catalog(portal)
    urls = {str(o) for _, p, o in g if str(p).endswith(("downloadURL", "accessURL", "landingPage", "homepage"))}
    pod = json.loads((portal / "data.json").read_text(encoding="utf-8"))
    urls |= {d["downloadURL"] for ds in pod["dataset"] for d in ds["distribution"]}
    urls |= {ds["describedBy"] for ds in pod["dataset"]}
    urls |= set(re.findall(r"<loc>([^<]+)</loc>", (portal / "sitemap.xml").read_text(encoding="utf-8")))
    assert all(u.startswith(base) for u in urls) and len(urls) >= 45
    for url in sorted(urls):
        assert page.request.get(url).status == 200, url
