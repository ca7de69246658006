"""Operator settings that are not per package: datapackage/package.yaml and the environment.

The portal's public address decides whether its catalogues can be harvested (a harvester parses
catalog.jsonld without a base, so every IRI must be absolute); it is resolved here and only here,
option > $REPORTPUB_BASE_URL > `site_url` in package.yaml, so that the CLI, the flows and the
library agree on it.
"""

from __future__ import annotations

import copy
import os
from functools import lru_cache
from urllib.parse import urlsplit

import yaml

from .errors import PublishError
from . import contract

BASE_URL_ENV = "REPORTPUB_BASE_URL"


def package_settings() -> dict:
    """datapackage/package.yaml -> its settings (parsed again whenever the file changes: operators
    edit it; a render asks for them for each dataset)."""
    path = contract.path("datapackage/package.yaml")
    stat = os.stat(path)
    return copy.deepcopy(_parsed(str(path), stat.st_mtime_ns, stat.st_size))


@lru_cache(maxsize=4)
def _parsed(path: str, mtime_ns: int, size: int) -> dict:
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f) or {}


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
