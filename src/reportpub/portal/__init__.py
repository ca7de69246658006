"""Portal: a folder of published releases -> a static open-data site that works offline.

portal/
  index.html, catalog.json          catalogue home (search and filters run in the page)
  catalog.jsonld, data.json         DCAT-AP 3 and Project Open Data v1.1 catalogues
  sitemap.xml, robots.txt           for search engines (Google Dataset Search reads the pages' JSON-LD)
  assets/portal.css, portal.js      hand-written, no external resource
  datasets/<name>/index.html        dataset page (schema.org Dataset JSON-LD inside)
  datasets/<name>/paragraphs.html   source text, one anchor per paragraph
  datasets/<name>/releases/<v>/<name>-<v>.zip   the whole release, datapackage.json at its root
  datasets/<name>/releases/<v>/xlsx/<table>.xlsx each table as an Excel workbook (bilingual header)
  indicators/                       every coded fact across datasets, and a page per indicator

Only what changed is regenerated: `render_portal(portal, dataset=name)` writes that dataset's
pages and the catalogue files; a file whose bytes would not change is not touched. Every write
is atomic. Every string from a report is escaped (see html.py). With the portal's public address
(`base_url`, see reportpub.settings) every URL in the catalogues, the JSON-LD, the sitemap and the
pages' canonical links is absolute; without it they are relative and harvesters cannot use them.
"""

from __future__ import annotations

import json
import os
from importlib import resources
from pathlib import Path

from ..errors import PublishError
from ..settings import resolve_base_url
from .crawl import robots_txt, sitemap_xml
from .dataset import render_dataset_page, render_paragraphs_page
from .files import ensure_release_zip, write_atomic
from .workbook import ensure_release_workbooks
from .home import catalog_json, render_home
from .indicators import render_indicators
from .metadata import dcat_catalog, pod_catalog
from .model import Dataset, dataset_names, latest_version, load_dataset

__all__ = ["Dataset", "load_datasets", "render_index", "render_portal", "site_files"]

ASSETS = ("portal.css", "portal.js")


def render_portal(portal: str | os.PathLike, dataset: str | None = None, *, base_url: str | None = None) -> None:
    """Portal folder -> every page and catalogue file written (only `dataset`'s pages when it is given).

    base_url: the portal's public address; default as reportpub.settings.resolve_base_url says
    ($REPORTPUB_BASE_URL, then package.yaml's site_url), else URLs stay relative.
    """
    portal = Path(portal)
    base_url = resolve_base_url(base_url)
    names = dataset_names(portal)
    if dataset is not None and dataset not in names:
        raise PublishError(f"{portal}: no published dataset named {dataset!r}")
    for name in names:
        folder = portal / "datasets" / name
        release = folder / "releases" / latest_version(folder)
        ensure_release_workbooks(release)
        ensure_release_zip(release, name, release.name)
    _write_assets(portal)
    datasets = load_datasets(portal, names)
    for path, text in site_files(datasets, base_url=base_url, only=dataset).items():
        write_atomic(portal / path, text)
    render_indicators(portal, datasets)  # the cross-report view follows every change of a dataset


def site_files(datasets: list[Dataset], *, base_url: str | None, only: str | None = None) -> dict[str, str]:
    """Datasets -> {path from the portal root: text} of every page and catalogue file that depends on
    the public address (`only`: of the dataset pages, only that dataset's). reportpub.serve serves
    these from memory when it shows a portal at another address than the one it was built for."""
    files = {}
    for d in datasets:
        if only is None or d.name == only:
            files[f"datasets/{d.name}/index.html"] = render_dataset_page(d, base_url=base_url)
            files[f"datasets/{d.name}/paragraphs.html"] = render_paragraphs_page(d, base_url=base_url)
    files["catalog.json"] = _json(catalog_json(datasets))
    files["catalog.jsonld"] = _json(dcat_catalog(datasets, base_url=base_url))
    files["data.json"] = _json(pod_catalog(datasets, base_url=base_url))
    files["sitemap.xml"] = sitemap_xml(datasets, base_url=base_url)
    files["robots.txt"] = robots_txt(base_url=base_url)
    files["index.html"] = render_home(datasets, base_url=base_url)
    return files


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
