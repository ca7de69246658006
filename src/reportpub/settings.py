"""Operator settings that are not per package: datapackage/package.yaml and the environment.

The portal's public address decides whether its catalogues can be harvested (a harvester parses
catalog.jsonld without a base, so every IRI must be absolute); it is resolved here and only here,
option > $REPORTPUB_BASE_URL > `site_url` in package.yaml, so that the CLI, the flows and the
library agree on it.
"""

from __future__ import annotations

import copy
import functools
import os
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from .errors import PublishError
from . import contract

BASE_URL_ENV = "REPORTPUB_BASE_URL"


def package_settings() -> dict:
    """datapackage/package.yaml -> its settings (a fresh copy). Operators edit the file, so it is
    parsed again whenever its size or modification time changes; a batch builds many packages and
    parsing YAML costs more than building a small one."""
    path = contract.path("datapackage/package.yaml")
    stat = path.stat()
    return copy.deepcopy(_parsed(path, stat.st_mtime_ns, stat.st_size))


@functools.lru_cache(maxsize=8)
def _parsed(path: Path, mtime_ns: int, size: int) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def resolve_base_url(option: str | None = None) -> str | None:
    """(--base-url value or None) -> the portal's public address ending in '/', or None when unknown.

    Raises PublishError for an address a harvester could not use (not http(s), no host, a query)."""
    raw = option or os.environ.get(BASE_URL_ENV) or package_settings().get("site_url")
    if not raw:
        return None
    url = str(raw).strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise PublishError(f"base URL {url!r} is not an absolute http(s) address of a folder "
                           "(e.g. https://data.example.org/open-data/)")
    return url if url.endswith("/") else url + "/"


def contact_email() -> str:
    """package.yaml -> the address people and harvesters write to about the data ('' when unset)."""
    settings = package_settings()
    return str(settings.get("contact_email") or (settings.get("publisher") or {}).get("email") or "")
