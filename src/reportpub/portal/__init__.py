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
  datasets/<name>/.rendered         what its pages were rendered from, its part of each catalogue
  indicators/                       every coded fact across datasets, and a page per indicator

Only what changed is regenerated: a dataset's pages when its release changed (or the renderer
did: state.py); the catalogue files are assembled from each dataset's part of them, one dataset
at a time, and written piece by piece (catalogue.py), so that neither the time nor the memory of
a render grows with the datasets it leaves alone; a file whose bytes would not change is not
touched. Every write is atomic and fsynced before its rename; a chunk of datasets' pages and
downloads are fsynced together, before their records say they are done (files.synced_together).
Every string from
a report is escaped (see html.py). With the portal's public address
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
from ..workers import each_in_processes
from .catalogue import PARTS, catalogue_files, dataset_parts
from .dataset import render_dataset_page, render_paragraphs_page
from .files import ensure_release_zip, synced_together, write_atomic, write_atomic_chunks
from .indicators import indicator_rows, render_indicators, row_order
from .model import Dataset, dataset_names, latest_version, latest_versions, load_dataset
from .state import (PAGES, ROWS, dataset_key, forget_state, is_current, read_entry, read_part, renderer_key,
                    write_state)
from .workbook import ensure_release_workbooks

__all__ = ["Dataset", "render_index", "render_portal", "site_files"]

ASSETS = ("portal.css", "portal.js")
CHUNK = 16  # datasets a process renders, then fsyncs together
FORK_AT = 8  # fewer stale datasets are rendered in this process


def render_portal(portal: str | os.PathLike, dataset: str | None = None, *, base_url: str | None = None) -> None:
    """Portal folder -> every page and catalogue file up to date: a dataset's pages are rendered
    when they are out of date (portal/state.py), `dataset`'s in any case.

    base_url: the portal's public address; default as reportpub.settings.resolve_base_url says
    ($REPORTPUB_BASE_URL, then package.yaml's site_url), else URLs stay relative.
    """
    portal = Path(portal)
    base_url = resolve_base_url(base_url)
    versions = latest_versions(portal)
    if dataset is not None and dataset not in versions:
        raise PublishError(f"{portal}: no published dataset named {dataset!r}")
    renderer = renderer_key(base_url)
    _write_assets(portal)
    folders = [portal / "datasets" / name for name in versions]
    stale = [(folder, key, base_url) for folder in folders
             if (key := dataset_key(folder, versions[folder.name], renderer))
             and (folder.name == dataset or not is_current(folder, key))]
    workers = os.cpu_count() or 1
    size = max(1, min(CHUNK, -(-len(stale) // (2 * workers))))  # two chunks a process at least: balance
    batches = [(stale[at:at + size],) for at in range(0, len(stale), size)]
    # each process writes in its datasets' folders only
    each_in_processes(_render_datasets, batches, workers if len(stale) >= FORK_AT else 1, least=1)
    _write_catalogues(portal, folders, base_url)
    _write_indicators(portal, folders)


def _write_catalogues(portal: Path, folders: list[Path], base_url: str | None) -> None:
    """Datasets' records (state.py) -> the catalogue files at the portal's root."""
    entries = [read_entry(f) for f in folders]
    for path, pieces in catalogue_files(lambda: entries, lambda kind: (read_part(f, kind) for f in folders),
                                        base_url=base_url):
        write_atomic_chunks(portal / path, pieces)


def _write_indicators(portal: Path, folders: list[Path]) -> None:
    """Datasets' records -> the cross-report view, which follows every change of a dataset."""
    render_indicators(portal, sorted((r for f in folders for r in json.loads(read_part(f, ROWS))), key=row_order))


def _render_datasets(items: list[tuple[Path, str, str | None]]) -> None:
    """[(dataset folder, key, base_url)] -> each one's downloads and pages written, made durable
    together, then each one's record of what the catalogues need of it (state.py)."""
    with synced_together():
        rendered = [_render_dataset(*item) for item in items]
    for state in rendered:
        write_state(*state)


def _render_dataset(folder: Path, key: str, base_url: str | None) -> tuple[Path, str, dict, dict[str, str], list[str]]:
    """One dataset -> its downloads made and its pages written -> write_state's arguments."""
    portal, name = folder.parent.parent, folder.name
    forget_state(folder)
    release = folder / "releases" / latest_version(folder)
    ensure_release_workbooks(release)
    ensure_release_zip(release, name, release.name)
    d = load_dataset(portal, name)
    pages = _pages(d, base_url)
    for page in PAGES:
        write_atomic(folder / page, pages[page])
    entry, parts = dataset_parts(d, base_url=base_url)
    parts[ROWS] = json.dumps(indicator_rows([d]), ensure_ascii=False)
    files = list(PAGES) + [x.path.removeprefix(f"datasets/{name}/") for x in d.downloads]
    return folder, key, entry, parts, files


def _pages(d: Dataset, base_url: str | None) -> dict[str, str]:
    return {"index.html": render_dataset_page(d, base_url=base_url),
            "paragraphs.html": render_paragraphs_page(d, base_url=base_url)}


def site_files(portal: str | os.PathLike, *, base_url: str | None) -> dict[str, str]:
    """Portal folder -> {path from the portal root: text} of every page and catalogue file that
    depends on the public address, nothing written. reportpub.serve serves these from memory when
    it shows a portal at another address than the one it was built for."""
    portal = Path(portal)
    files, entries, parts = {}, [], {kind: [] for kind in PARTS}
    for name in dataset_names(portal):
        d = load_dataset(portal, name)
        files.update({f"datasets/{name}/{page}": text for page, text in _pages(d, base_url).items()})
        entry, dataset_part = dataset_parts(d, base_url=base_url)
        entries.append(entry)
        for kind in PARTS:
            parts[kind].append(dataset_part[kind])
    for path, chunks in catalogue_files(lambda: entries, parts.__getitem__, base_url=base_url):
        files[path] = "".join(chunks)
    return files


def render_index(portal: str | os.PathLike) -> str:
    """Portal folder -> the home page text, after writing every page (kept for publish.py's call)."""
    render_portal(portal)
    return (Path(portal) / "index.html").read_text(encoding="utf-8")


def _write_assets(portal: Path) -> None:
    folder = resources.files(__package__) / "assets"
    for name in ASSETS:
        write_atomic(portal / "assets" / name, (folder / name).read_bytes())
