"""The validation artifact of a dataset (`validation-<dataset>`), the same from every flow."""

from __future__ import annotations

import re

from prefect import get_run_logger
from prefect.artifacts import create_markdown_artifact


def artifact_key(prefix: str, dataset: str) -> str:
    """Prefect keys allow lowercase letters, digits and dashes only."""
    return re.sub(r"[^a-z0-9-]+", "-", f"{prefix}-{dataset}".lower()).strip("-")[:60]


def attach_validation(candidate) -> None:
    """A checked candidate -> one markdown artifact on the current run: the decision, every finding,
    then every check with its severity and result.

    One artifact, not two (a summary and a table of checks, before): the Prefect server takes about
    20 ms to store each one (25 ms a call, 5 of them the client's), and two per report made a batch
    flow half as slow again as the engine it runs. The artifact copies what the package
    keeps (validation.json, validation.html): a Prefect server that cannot store it costs a warning,
    never the report's release."""
    name, report = candidate.dataset, candidate.validation
    try:
        create_markdown_artifact(key=artifact_key("validation", name), markdown=summary_markdown(name, report),
                                 description=f"Validation of {name}")
    except Exception as exc:  # noqa: BLE001 - the server is the artifact's only reader
        get_run_logger().warning("validation artifact of %s not stored (%s: %s); the package keeps "
                                 "validation.html", name, type(exc).__name__, str(exc)[:200])


def summary_markdown(name: str, report) -> str:
    s = report.summary
    lines = [f"# Validation of `{name}`", "",
             f"**Decision: {'publish' if report.valid else 'blocked'}** — {s['passed']} passed, "
             f"{s['warnings']} warning(s), {s['failed']} failed", "",
             "| check | severity | message |", "|---|---|---|"]
    lines += [f"| {f.check} | {f.severity} | {f.message.replace('|', '/')} |" for f in report.findings]
    lines += ["", "## Every check", "", "| check | severity | result | findings |", "|---|---|---|---|"]
    lines += [f"| {c.name} | {c.severity} | {c.status} | {c.findings} |" for c in report.checks]
    return "\n".join(lines)
