"""Indicator codes: one name for one measure across every report (datapackage/indicators.csv).

A fact gets a code only when its subject, once stripped of the region it is said of (全省, 全市),
is exactly the indicator's name or one of its aliases, and its measure is one the indicator takes.
There is no partial match: 单位地区生产总值能耗 is not GDP and 城镇居民人均可支配收入 is not the income
of all residents. A wrong code is worse than none.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache

from . import contract
from .units import code_list

# What a subject says of where, not of what: 全省生产总值 is 生产总值 of the province.
_REGION_PREFIX = re.compile(r"^(?:全省|全市|全区|全县|全州|全国|我省|我市|我区|我县|本市|本省|全)")
_BRACKETED = re.compile(r"[（(][A-Za-z]{2,5}[）)]$")  # 地区生产总值（GDP）
_ABBREVIATIONS = (("规上", "规模以上"),)


@dataclass(frozen=True)
class Indicator:
    code: str
    name_zh: str
    aliases: tuple[str, ...]
    change_aliases: tuple[str, ...]
    label_en: str
    unit_base: str
    measures: tuple[str, ...]
    definition: str

    def row(self) -> dict:
        return {"code": self.code, "name_zh": self.name_zh, "aliases": "|".join(self.aliases),
                "change_aliases": "|".join(self.change_aliases), "label_en": self.label_en,
                "unit_base": self.unit_base, "measures": "|".join(self.measures), "definition": self.definition}


def _split(cell: str) -> tuple[str, ...]:
    return tuple(x.strip() for x in (cell or "").split("|") if x.strip())


@lru_cache(maxsize=1)
def code_list_of_indicators() -> dict[str, Indicator]:
    with open(contract.path("datapackage/indicators.csv"), encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    return {r["code"]: Indicator(r["code"], r["name_zh"], _split(r["aliases"]), _split(r["change_aliases"]),
                                 r["label_en"], r["unit_base"], _split(r["measures"]), r["definition"])
            for r in rows}


@lru_cache(maxsize=1)
def _names() -> tuple[dict[str, str], dict[str, str]]:
    """(name or alias -> code, change-only alias -> code), names normalised as subjects are."""
    names, changes = {}, {}
    for ind in code_list_of_indicators().values():
        for name in (ind.name_zh, *ind.aliases):
            names.setdefault(normalise(name), ind.code)
        for name in ind.change_aliases:
            changes.setdefault(normalise(name), ind.code)
    return names, changes


def normalise(subject: str) -> str:
    """全省规上工业增加值 -> 规模以上工业增加值; 地区生产总值（GDP） -> 地区生产总值."""
    s = _BRACKETED.sub("", subject.strip())
    for short, full in _ABBREVIATIONS:
        s = s.replace(short, full)
    stripped = _REGION_PREFIX.sub("", s)
    return stripped if len(stripped) >= 2 else s


@lru_cache(maxsize=8192)
def indicator_for(subject: str, measure: str, unit: str) -> str:
    """The indicator code of a fact, or '' where none fits exactly."""
    names, changes = _names()
    key = normalise(subject)
    code = names.get(key) or names.get(subject) or (changes.get(key) if measure == "change" else None)
    if not code:
        return ""
    ind = code_list_of_indicators()[code]
    if measure not in ind.measures or not _unit_fits(ind, measure, unit):
        return ""
    return code


def _unit_fits(ind: Indicator, measure: str, unit: str) -> bool:
    """A level is in a unit of the kind of the indicator's base unit (亿斤 and 万吨 are both mass);
    a change or a rate may also be a percentage (or points)."""
    u = code_list().get(unit)
    if measure in ("change", "ratio") or ind.unit_base in ("%", "index"):
        if unit in ("%", "‰", "个百分点"):
            return True
    return u is not None and u.kind == _kind_of_base(ind.unit_base)


@lru_cache(maxsize=256)
def _kind_of_base(unit_base: str) -> str:
    return next((u.kind for u in code_list().values() if u.unit_base == unit_base), "")


def indicator_fits(code_row: dict | None, measure: str, unit: str | None, unit_kind: str | None) -> bool:
    """For the quality check, from the package's own code list row: measure and unit fit the indicator."""
    if code_row is None:
        return False
    if measure not in _split(code_row.get("measures") or ""):
        return False
    if unit in ("%", "‰", "个百分点") and (measure in ("change", "ratio") or code_row.get("unit_base") in ("%", "index")):
        return True
    return bool(unit_kind) and unit_kind == _kind_of_base(code_row.get("unit_base") or "")


def label_en(code: str) -> str:
    ind = code_list_of_indicators().get(code)
    return ind.label_en if ind else ""
