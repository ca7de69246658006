"""The unit code list: datapackage/units.csv (base units) × datapackage/scales.csv (万, 亿, ...).

One table serves three purposes: the extractor's lexicon of units, `value_base` scaling, and the
`units` resource that `facts.unit` references by foreign key.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache

from . import contract


@dataclass(frozen=True)
class Unit:
    unit: str
    unit_base: str
    factor: float
    label_en: str
    kind: str


@lru_cache(maxsize=1)
def scales() -> dict[str, float]:
    with open(contract.path("datapackage/scales.csv"), encoding="utf-8", newline="") as f:
        return {row["scale"]: float(row["factor"]) for row in csv.DictReader(f)}


@lru_cache(maxsize=1)
def code_list() -> dict[str, Unit]:
    """Every unit as written -> Unit, the scaled ones (万人, 亿元, 万亿斤) included."""
    units: dict[str, Unit] = {}
    with open(contract.path("datapackage/units.csv"), encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        base = Unit(row["unit"], row["unit_base"], float(row["factor"]), row["label_en"], row["kind"])
        units.setdefault(base.unit, base)
        if row["scalable"] == "1":
            for scale, factor in scales().items():
                units.setdefault(scale + base.unit, Unit(scale + base.unit, base.unit_base, factor * base.factor,
                                                         f"{_scale_en(factor)} {base.label_en}", base.kind))
    for scale, factor in scales().items():  # a bare scale word: 20万 with the noun elsewhere
        units.setdefault(scale, Unit(scale, "count", factor, _scale_en(factor), "count"))
    return units


def _scale_en(factor: float) -> str:
    names = {1e12: "trillion", 1e11: "hundred billion", 1e10: "ten billion", 1e8: "hundred million",
             1e7: "ten million", 1e6: "million", 1e5: "hundred thousand", 1e4: "ten thousand", 1e3: "thousand"}
    return names.get(factor, f"×{factor:g}")


def base_value(value: float, unit: str) -> tuple[float | None, str]:
    """(value, unit as written) -> (value in the base unit, base unit)."""
    u = code_list().get(unit)
    if u is None:
        return None, ""
    scaled = value * u.factor
    return (round(scaled, 6) if abs(scaled) < 1e15 else scaled), u.unit_base
