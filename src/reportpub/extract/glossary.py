"""Chinese indicator names -> English, from datapackage/glossary.csv (longest match wins)."""

from __future__ import annotations

import csv
from functools import lru_cache

from ..units import DATAPACKAGE_DIR


@lru_cache(maxsize=1)
def _glossary() -> list[tuple[str, str]]:
    with open(DATAPACKAGE_DIR / "glossary.csv", encoding="utf-8", newline="") as f:
        rows = [(r["zh"], r["en"]) for r in csv.DictReader(f)]
    return sorted(rows, key=lambda r: len(r[0]), reverse=True)


@lru_cache(maxsize=4096)
def english_subject(subject: str) -> str:
    """Exact name first, else the longest glossary term the subject contains; '' when none."""
    for zh, en in _glossary():
        if subject == zh:
            return en
    for zh, en in _glossary():
        if zh in subject:
            return en
    return ""
