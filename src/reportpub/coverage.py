"""Temporal coverage of a package: the span of the report's own period, read from its facts.

A first-half analysis of 2016 covers 2016-01-01/2016-06-30, not the whole of 2016, and a work
report's comparisons with earlier years or its targets for next year are not what it covers. So
the coverage is the span of the periods of the stated results (actual or estimate) that lie
inside the years under review; with no such fact, those whole years. Every metadata output
(datapackage.json, hence CKAN, catalog.jsonld, data.json, schema.org) reads the one value built
here into the descriptor's `temporal`.
"""

from __future__ import annotations

from collections.abc import Iterable

RESULT_STATUSES = ("actual", "estimate")


def report_period(years: Iterable[int], facts: Iterable) -> dict | None:
    """(years under review, facts with period_start/period_end/status) -> {"start", "end"} or None."""
    years = sorted({int(y) for y in years if y})
    if not years:
        return None
    first, last = f"{years[0]}-01-01", f"{years[-1]}-12-31"
    spans = [(str(_get(f, "period_start")), str(_get(f, "period_end"))) for f in facts
             if _get(f, "status") in RESULT_STATUSES and _get(f, "period_start") and _get(f, "period_end")]
    inside = [(s, e) for s, e in spans if first <= s <= e <= last and int(s[:4]) in years]
    if not inside:
        return {"start": first, "end": last}
    return {"start": min(s for s, _ in inside), "end": max(e for _, e in inside)}


def _get(fact, name: str):
    return fact.get(name) if isinstance(fact, dict) else getattr(fact, name, None)
