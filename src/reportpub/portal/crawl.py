"""Files for crawlers at the portal's root: sitemap.xml (every page, with its last change) and
robots.txt (everything may be crawled; where the sitemap is).

Both need absolute URLs (the sitemap protocol and robots.txt's Sitemap line accept no others), so
without the portal's public address the sitemap lists paths and robots.txt names none.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from xml.sax.saxutils import escape

from .metadata import link


def sitemap_xml(datasets: Iterable[tuple[str, str]], totals, *, base_url: str | None) -> Iterator[str]:
    """(each dataset's name and last release date, their catalogue.Totals) -> sitemap.xml text, in
    pieces: the catalogue, each dataset page and its source-text page."""
    yield '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
    yield _url("index.html", totals.modified, base_url)
    for name, created in datasets:
        yield _url(f"datasets/{name}/index.html", created, base_url)
        yield _url(f"datasets/{name}/paragraphs.html", created, base_url)
    yield "</urlset>\n"


def _url(path: str, when: str, base_url: str | None) -> str:
    return (f"  <url><loc>{escape(link(path, base_url=base_url))}</loc>"
            + (f"<lastmod>{escape(when)}</lastmod>" if when else "") + "</url>\n")


def robots_txt(*, base_url: str | None) -> str:
    """The portal's public address -> robots.txt text (all allowed, sitemap named when absolute)."""
    sitemap = f"Sitemap: {link('sitemap.xml', base_url=base_url)}\n" if base_url else ""
    return "User-agent: *\nAllow: /\n" + sitemap
