"""Rendering follows what changed: publishing a dataset leaves the other datasets' pages alone,
and a portal rendered by another version of the renderer is rendered again in full.

A page a render leaves alone keeps whatever bytes it holds: these tests put bytes there that the
renderer would never write, so that a page rendered again, even to the same text, shows.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest

from reportpub.portal import render_portal
from reportpub.publish import refresh_portal

from .conftest import SAMPLES, publish_reports

SENTINEL = b"<!-- left alone -->"
OLD = 1_000_000_000  # ns: an mtime no render writes


def dataset_pages(portal: Path, name: str) -> list[Path]:
    return sorted((portal / "datasets" / name).glob("*.html"))


def mark(pages: list[Path]) -> None:
    for page in pages:
        page.write_bytes(SENTINEL)
        os.utime(page, ns=(OLD, OLD))


def left_alone(page: Path) -> bool:
    return page.read_bytes() == SENTINEL and page.stat().st_mtime_ns == OLD


def home_cards(portal: Path) -> list[str]:
    return re.findall(r'<li class="card" data-name="([^"]+)"', (portal / "index.html").read_text(encoding="utf-8"))


@pytest.mark.parametrize("render", ["publish renders", "batch: refresh_portal once"])
def test_publishing_b_leaves_a_alone_and_the_catalogue_lists_both(tmp_path, render, monkeypatch):
    portal, build = tmp_path / "portal", tmp_path / "build"
    [a] = publish_reports(SAMPLES[:1], portal, build)
    a_pages = dataset_pages(portal, a)
    assert [p.name for p in a_pages] == ["index.html", "paragraphs.html"]
    mark(a_pages)

    if render == "publish renders":
        [b] = publish_reports(SAMPLES[1:2], portal, build)
    else:
        import reportpub.publish as publish_module

        real = publish_module.publish
        monkeypatch.setattr(publish_module, "publish", lambda *args, **kw: real(*args, **kw, render=False))
        [b] = publish_reports(SAMPLES[1:2], portal, build)
        assert not (portal / "datasets" / b / "index.html").exists()  # not rendered before the refresh
        refresh_portal(portal)

    assert all(left_alone(p) for p in a_pages), "a page of the dataset that did not change was rendered again"
    b_page = (portal / "datasets" / b / "index.html").read_text(encoding="utf-8")
    assert "<!doctype html>" in b_page and b in b_page
    assert home_cards(portal) == sorted([a, b])
    catalog = json.loads((portal / "catalog.json").read_text(encoding="utf-8"))
    assert [d["name"] for d in catalog["datasets"]] == sorted([a, b])
    dcat = json.loads((portal / "catalog.jsonld").read_text(encoding="utf-8"))
    assert [d["dct:identifier"] for d in dcat["@graph"][0]["dcat:dataset"]] == sorted([a, b])


def test_a_refresh_with_nothing_changed_renders_no_dataset_page(portal_copy):
    names = sorted(p.name for p in (portal_copy / "datasets").iterdir())
    pages = [p for n in names for p in dataset_pages(portal_copy, n)]
    mark(pages)
    refresh_portal(portal_copy)
    assert all(left_alone(p) for p in pages)
    assert home_cards(portal_copy) == names


def _older_renderer(portal: Path, monkeypatch) -> None:
    """The portal as another version of the renderer left it."""
    import reportpub.portal.state as state

    with monkeypatch.context() as m:
        m.setattr(state, "_code_key", lambda: "an older renderer")
        render_portal(portal)


def _before_render_state(portal: Path, monkeypatch) -> None:
    """The portal as the code before render states existed left it: pages, no state beside them."""
    for state_file in portal.glob("datasets/*/.rendered"):
        state_file.unlink()


@pytest.mark.parametrize("rendered_by", [_older_renderer, _before_render_state], ids=["older renderer", "no render state"])
def test_a_portal_rendered_by_another_renderer_is_rendered_again_in_full(portal_copy, tmp_path, monkeypatch, rendered_by):
    fresh = tmp_path / "fresh"
    shutil.copytree(portal_copy, fresh, symlinks=True)
    rendered_by(portal_copy, monkeypatch)
    names = sorted(p.name for p in (portal_copy / "datasets").iterdir())
    pages = [p for n in names for p in dataset_pages(portal_copy, n)]
    mark(pages)

    render_portal(portal_copy, dataset=names[0])  # a publish renders one dataset: the others are out of date too

    for page in pages:
        assert page.read_bytes() == (fresh / page.relative_to(portal_copy)).read_bytes(), f"{page} not rendered again"
