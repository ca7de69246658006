"""The validation artifacts of a dataset (`validation-<dataset>`), the same from every flow."""

from __future__ import annotations

import re

from prefect.artifacts import create_markdown_artifact, create_table_artifact


def artifact_key(prefix: str, dataset: str) -> str:
    """Prefect keys allow lowercase letters, digits and dashes only."""
    return re.sub(r"[^a-z0-9-]+", "-", f"{prefix}-{dataset}".lower()).strip("-")[:60]


def attach_validation(candidate) -> None:
    """A checked candidate -> a markdown summary and a table of every check, on the current run."""
    name, report = candidate.dataset, candidate.validation
    key = artifact_key("validation", name)
    create_markdown_artifact(key=key, markdown=summary_markdown(name, report), description=f"Validation of {name}")
    create_table_artifact(key=f"{key}-checks"[:60].rstrip("-"), table=checks_table(report),
                          description=f"Every check on {name}")


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
