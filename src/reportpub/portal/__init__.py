"""Portal: a folder of published releases -> a static open-data site that works offline.

portal/
  index.html, catalog.json          catalogue home (search and filters run in the page)
  catalog.jsonld, data.json         DCAT-AP 3 and Project Open Data v1.1 catalogues
  assets/portal.css, portal.js      hand-written, no external resource
  datasets/<name>/index.html        dataset page (schema.org Dataset JSON-LD inside)
  datasets/<name>/paragraphs.html   source text, one anchor per paragraph
  datasets/<name>/releases/<v>/<name>-<v>.zip   the whole release, deterministic bytes
  indicators/                       every coded fact across datasets, and a page per indicator

Only what changed is regenerated: `render_portal(portal, dataset=name)` writes that dataset's
pages and the catalogue files; a file whose bytes would not change is not touched. Every write
is atomic. Every string from a report is escaped (see html.py).
"""

from __future__ import annotations

import json
import os
from importlib import resources
from pathlib import Path

from ..errors import PublishError
from .dataset import render_dataset_page, render_paragraphs_page
from .files import ensure_release_zip, write_atomic
from .home import catalog_json, render_home
from .indicators import render_indicators
from .metadata import dcat_catalog, pod_catalog
from .model import Dataset, dataset_names, latest_version, load_dataset

__all__ = ["Dataset", "load_datasets", "render_index", "render_portal"]

ASSETS = ("portal.css", "portal.js")


def render_portal(portal: str | os.PathLike, dataset: str | None = None, *, base_url: str | None = None) -> None:
    """Portal folder -> every page and catalogue file written (only `dataset`'s pages when it is given).

    base_url: the public address of the portal, for absolute URLs in the catalogues; default
    $REPORTPUB_BASE_URL, else the catalogues hold URLs relative to themselves.
    """
    portal = Path(portal)
    if base_url is None:
        base_url = os.environ.get("REPORTPUB_BASE_URL") or None
    names = dataset_names(portal)
    if dataset is not None and dataset not in names:
        raise PublishError(f"{portal}: no published dataset named {dataset!r}")
    for name in names:
        folder = portal / "datasets" / name
        version = latest_version(folder)
        ensure_release_zip(folder / "releases" / version, name, version)
    datasets = load_datasets(portal, names)
    _write_assets(portal)
    for d in datasets:
        if dataset is None or d.name == dataset:
            write_atomic(d.folder / "index.html", render_dataset_page(d, base_url=base_url))
            write_atomic(d.folder / "paragraphs.html", render_paragraphs_page(d))
    write_atomic(portal / "catalog.json", _json(catalog_json(datasets)))
    write_atomic(portal / "catalog.jsonld", _json(dcat_catalog(datasets, base_url=base_url)))
    write_atomic(portal / "data.json", _json(pod_catalog(datasets, base_url=base_url)))
    write_atomic(portal / "index.html", render_home(datasets))
    render_indicators(portal, datasets)  # the cross-report view follows every change of a dataset


def render_index(portal: str | os.PathLike) -> str:
    """Portal folder -> the home page text, after writing every page (kept for publish.py's call)."""
    render_portal(portal)
    return (Path(portal) / "index.html").read_text(encoding="utf-8")


def load_datasets(portal: str | os.PathLike, names: list[str] | None = None) -> list[Dataset]:
    """Portal folder -> its published datasets (latest release of each), sorted by name."""
    portal = Path(portal)
    return [load_dataset(portal, n) for n in (dataset_names(portal) if names is None else names)]


def _write_assets(portal: Path) -> None:
    folder = resources.files(__package__) / "assets"
    for name in ASSETS:
        write_atomic(portal / "assets" / name, (folder / name).read_bytes())


def _json(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=2, sort_keys=False) + "\n"
