"""Datasets -> the catalogue files at the portal's root, assembled from each dataset's entry.

catalog.json, catalog.jsonld, data.json, sitemap.xml and index.html list every dataset, so they
grow with the portal. What each of them says of one dataset (its record, its DCAT and POD entries,
its card) is made once, when the dataset's pages are rendered (`dataset_parts`), and kept beside
them (state.py); a render then assembles the files from those parts, read one dataset at a time,
and writes them piece by piece: neither the time nor the memory of a render grows with the
datasets it leaves alone. What a file says of all datasets at once is `Totals`, made in one pass.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from .crawl import robots_txt, sitemap_xml
from .home import card, catalog_json, catalog_record, render_home
from .metadata import dcat_catalog, dcat_dataset, named_publisher, pod_catalog, pod_dataset
from .model import Dataset
from .stream import dumps

PARTS = ("catalog.json", "catalog.jsonld", "data.json", "card.html", "record.json")


def dataset_parts(d: Dataset, *, base_url: str | None) -> tuple[dict, dict[str, str]]:
    """Dataset -> (its entry: what Totals and the sitemap need; its part of each catalogue file, as text)."""
    record = catalog_record(d)
    entry = {"name": d.name, "created": d.created, "first_created": d.first_created, "publisher": named_publisher(d),
             "publishers": record["publishers"], "years": record["years"], "indicators": record["indicators"]}
    parts = {"catalog.json": dumps(record, indent=2),
             "catalog.jsonld": dumps(dcat_dataset(d, base_url=base_url), indent=2),
             "data.json": dumps(pod_dataset(d, base_url), indent=2),
             "card.html": card(record),
             "record.json": dumps(record, indent=1, sort_keys=True)}
    return entry, parts


@dataclass
class Totals:
    """What the catalogue files say of all datasets together."""

    count: int = 0
    modified: str = ""  # the latest release's date
    issued: str = ""  # the first release's date
    publisher: str = "reportpub"  # the platform's publisher: the first dataset's that names one
    publishers: list[str] = field(default_factory=list)  # every publisher, sorted
    years: list[int] = field(default_factory=list)  # every year covered, latest first
    indicators: dict[str, str] = field(default_factory=dict)  # English name -> the first Chinese name given


def totals(entries: Iterable[dict]) -> Totals:
    """Datasets' entries, in name order -> their totals."""
    t, publishers, years, publisher = Totals(), set(), set(), None
    for e in entries:
        t.count += 1
        t.modified = max(t.modified, e["created"])
        if e["first_created"]:
            t.issued = min(t.issued, e["first_created"]) if t.issued else e["first_created"]
        publisher = publisher or e["publisher"]
        publishers.update(e["publishers"])
        years.update(e["years"])
        for i in e["indicators"]:
            t.indicators.setdefault(i["en"], i["zh"])
    t.publisher = publisher or t.publisher
    t.publishers, t.years = sorted(publishers), sorted(years, reverse=True)
    return t


def catalogue_files(entries: Callable[[], Iterable[dict]], parts: Callable[[str], Iterable[str]], *,
                    base_url: str | None) -> Iterator[tuple[str, Iterator[str]]]:
    """(the datasets' entries, each dataset's part of a kind (PARTS), both in name order, read again
    at each call) -> (path from the portal root, its text in pieces), the home page last."""
    t = totals(entries())
    yield "catalog.json", catalog_json(parts("catalog.json"))
    yield "catalog.jsonld", dcat_catalog(parts("catalog.jsonld"), t, base_url=base_url)
    yield "data.json", pod_catalog(parts("data.json"), base_url=base_url)
    yield "sitemap.xml", sitemap_xml(((e["name"], e["created"]) for e in entries()), t, base_url=base_url)
    yield "robots.txt", iter([robots_txt(base_url=base_url)])
    yield "index.html", render_home(parts("card.html"), parts("record.json"), t, base_url=base_url)
