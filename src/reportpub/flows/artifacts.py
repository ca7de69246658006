"""The validation artifacts of a dataset (`validation-<dataset>`), the same from every flow."""

from __future__ import annotations

import re

from prefect import get_run_logger
from prefect.artifacts import create_markdown_artifact, create_table_artifact


def artifact_key(prefix: str, dataset: str) -> str:
    """Prefect keys allow lowercase letters, digits and dashes only."""
    return re.sub(r"[^a-z0-9-]+", "-", f"{prefix}-{dataset}".lower()).strip("-")[:60]


def attach_validation(candidate) -> None:
    """A checked candidate -> a markdown summary and a table of every check, on the current run.

    The artifacts copy what the package keeps (validation.json, validation.html): a Prefect
    server that cannot store them costs a warning, never the report's release."""
    name, report = candidate.dataset, candidate.validation
    key = artifact_key("validation", name)
    try:
        create_markdown_artifact(key=key, markdown=summary_markdown(name, report),
                                 description=f"Validation of {name}")
        create_table_artifact(key=f"{key}-checks"[:60].rstrip("-"), table=checks_table(report),
                              description=f"Every check on {name}")
    except Exception as exc:  # noqa: BLE001 - the server is the artifacts' only reader
        get_run_logger().warning("validation artifacts of %s not stored (%s: %s); the package keeps "
                                 "validation.html", name, type(exc).__name__, str(exc)[:200])


def summary_markdown(name: str, report) -> str:
    s = report.summary
    lines = [f"# Validation of `{name}`", "",
             f"**Decision: {'publish' if report.valid else 'blocked'}** — {s['passed']} passed, "
             f"{s['warnings']} warning(s), {s['failed']} failed", "",
             "| check | severity | message |", "|---|---|---|"]
    lines += [f"| {f.check} | {f.severity} | {f.message.replace('|', '/')} |" for f in report.findings]
    return "\n".join(lines)


def checks_table(report) -> list[dict]:
    return [{"check": c.name, "severity": c.severity, "result": c.status, "findings": c.findings}
            for c in report.checks]
