"""Chinese subjects -> English, from datapackage/glossary.csv, on exact match only: a subject that
merely contains a glossary term (单位地区生产总值能耗 contains 地区生产总值) is another measure."""

from __future__ import annotations

import csv
from functools import lru_cache

from .. import contract


@lru_cache(maxsize=1)
def _glossary() -> dict[str, str]:
    with open(contract.path("datapackage/glossary.csv"), encoding="utf-8", newline="") as f:
        return {r["zh"]: r["en"] for r in csv.DictReader(f)}


def english_subject(subject: str) -> str:
    """The glossary's English for exactly this subject (its region prefix aside); '' when none."""
    from ..indicators import normalise
    glossary = _glossary()
    return glossary.get(subject) or glossary.get(normalise(subject), "")
