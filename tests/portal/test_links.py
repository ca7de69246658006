"""metadata.link: a path from the portal root, relative to a page's folder, as posixpath.relpath gives it."""

from __future__ import annotations

import itertools
import posixpath

from reportpub.portal.metadata import link

PATHS = ["datasets/a/index.html", "datasets/a/releases/1.0.0/a-1.0.0.zip", "index.html", ".", "datasets/a",
         "datasets/a/", "a/../b", "../up", "/abs/x", "datasets//a/./b", "datasets/ab/c", "datasets/a b/数据.csv"]


def test_relative_links_are_relpaths():
    for path, here in itertools.product(PATHS, PATHS):
        assert link(path, base_url=None, from_dir=here) == posixpath.relpath(path, here), (path, here)


def test_absolute_and_unrelated_links():
    assert link("datasets/a/index.html", base_url="https://data.example.org/", from_dir="datasets/a") == \
        "https://data.example.org/datasets/a/index.html"
    assert link("datasets/a/index.html", base_url=None) == "datasets/a/index.html"
