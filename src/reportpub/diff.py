"""Release against release: which facts a new package adds, removes or changes.

Facts are matched by `fact_id`, which the extractor derives from the report, paragraph and
offset, so the same text gives the same ids. A changed fact keeps its id and differs in value,
unit, subject, measure, basis or period. The changelog of a release is this diff.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path

COMPARED = ("value", "unit", "subject", "measure", "basis", "period_start", "period_end", "status")


@dataclass(frozen=True)
class ReleaseDiff:
    added: tuple[dict, ...] = ()
    removed: tuple[dict, ...] = ()
    changed: tuple[dict, ...] = ()  # {"fact_id", "field", "old", "new", "share"}
    moved: tuple[dict, ...] = field(default=())  # changed values that moved by more than the share

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)

    def summary(self) -> dict:
        return {"added": len(self.added), "removed": len(self.removed), "changed": len(self.changed),
                "moved_beyond_threshold": len(self.moved)}

    def to_dict(self, limit: int = 200) -> dict:
        return {**self.summary(), "added_facts": list(self.added[:limit]),
                "removed_facts": list(self.removed[:limit]), "changed_facts": list(self.changed[:limit])}


def diff_packages(previous: str | os.PathLike, current: str | os.PathLike, *, max_change_share: float = 0.5
                  ) -> ReleaseDiff:
    """(previous package dir, current package dir) -> ReleaseDiff of their facts tables."""
    old, new = _facts(Path(previous)), _facts(Path(current))
    added = tuple(_brief(new[k]) for k in sorted(new.keys() - old.keys()))
    removed = tuple(_brief(old[k]) for k in sorted(old.keys() - new.keys()))
    changed, moved = [], []
    for key in sorted(old.keys() & new.keys()):
        a, b = old[key], new[key]
        for name in COMPARED:
            if not _same(a.get(name), b.get(name)):
                share = _share(a.get(name), b.get(name)) if name == "value" else None
                row = {"fact_id": key, "subject": b.get("subject"), "field": name, "old": a.get(name),
                       "new": b.get(name), "share": share, "quote": b.get("quote")}
                changed.append(row)
                if share is not None and share > max_change_share:
                    moved.append(row)
    return ReleaseDiff(added, removed, tuple(changed), tuple(moved))


def _facts(package: Path) -> dict[str, dict]:
    import pyarrow.parquet as pq

    table = pq.read_table(package / "data" / "facts.parquet")
    rows = table.to_pylist()
    for r in rows:
        for k in ("period_start", "period_end"):
            if r.get(k) is not None:
                r[k] = str(r[k])
    return {r["fact_id"]: r for r in rows}


def _brief(row: dict) -> dict:
    return {k: row.get(k) for k in ("fact_id", "subject", "value", "unit", "quote")}


def _same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)
    return a == b


def _share(old, new) -> float | None:
    """How far a value moved, as a share of the old one (inf when it moved away from zero)."""
    if not isinstance(old, (int, float)) or not isinstance(new, (int, float)):
        return None
    if old == 0:
        return 0.0 if new == 0 else math.inf
    return abs(new - old) / abs(old)
