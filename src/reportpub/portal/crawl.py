"""Files for crawlers at the portal's root: sitemap.xml (every page, with its last change) and
robots.txt (everything may be crawled; where the sitemap is).

Both need absolute URLs (the sitemap protocol and robots.txt's Sitemap line accept no others), so
without the portal's public address the sitemap lists paths and robots.txt names none.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from .metadata import link
from .model import Dataset


def sitemap_xml(datasets: list[Dataset], *, base_url: str | None) -> str:
    """Datasets -> sitemap.xml text: the catalogue, each dataset page and its source-text page."""
    modified = max((d.created for d in datasets), default="")
    entries = [("index.html", modified)]
    for d in datasets:
        entries += [(f"datasets/{d.name}/index.html", d.created), (f"datasets/{d.name}/paragraphs.html", d.created)]
    urls = "".join(f"  <url><loc>{escape(link(path, base_url=base_url))}</loc>"
                   + (f"<lastmod>{escape(when)}</lastmod>" if when else "") + "</url>\n"
                   for path, when in entries)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' + urls + "</urlset>\n")


def robots_txt(*, base_url: str | None) -> str:
    """The portal's public address -> robots.txt text (all allowed, sitemap named when absolute)."""
    sitemap = f"Sitemap: {link('sitemap.xml', base_url=base_url)}\n" if base_url else ""
    return "User-agent: *\nAllow: /\n" + sitemap
