"""corrections.stale: a steward's correction whose fact the new extraction no longer has.

Facts are matched by id; when the extractor (or the report) changes so that a corrected fact is no
longer extracted, its correction is not applied to any other fact. The build records it in the
descriptor (reportpub.corrections.stale); this check shows it, so that the steward moves the
correction to the fact's new id or deletes it. A warning by default: the data is as extracted.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..release import recorded_corrections
from .base import Check, Problem, agree, plural, rows_from_records
from .data import PackageData


def stale(data: PackageData) -> Iterator[Problem]:
    rows = recorded_corrections(data.descriptor)["stale_corrections"]
    if rows:
        ids = ", ".join(sorted({str(r.get("fact_id")) for r in rows})[:5])
        yield Problem(f"{plural(len(rows), 'correction')} {agree(len(rows), 'names', 'name')} a fact this build "
                      f"no longer has ({ids}); not applied: correct the fact's new id, or delete its line from "
                      "the corrections file", "facts",
                      rows_from_records(rows, ["fact_id", "field", "value", "reason", "who", "when"]))


CHECKS = (
    Check("corrections.stale", stale,
          "every correction a steward recorded names a fact of this build (none is left unapplied)"),
)
