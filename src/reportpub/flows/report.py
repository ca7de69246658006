"""Prefect flow `publish_report`: one report through the engine's one path (as in a batch)."""

from __future__ import annotations

from prefect import flow

from ..pipeline import config_hash
from .approval import approval_required
from .tasks import final_state, run_reports


@flow(name="publish_report")
def publish_report(report_path: str, portal: str = "portal", work_dir: str = "build", force: bool = False,
                   require_approval: bool | None = None, approval_timeout: int = 3600) -> dict:
    """One report: ingest → extract → build → validate → gate → (steward approval) → publish.

    Returns the report's outcome; a report not published makes the run Failed with its reason."""
    outcomes = run_reports([report_path], portal, work_dir, force=force, config=config_hash(),
                           approval=approval_required(require_approval), approval_timeout=approval_timeout)
    return final_state(outcomes, outcomes[0])
