"""Prefect flow `publish_report`: one task per stage of the engine, retries only on publish.

The flow body reads as the list of stages; every task is a thin call into `reportpub`.
"""

from __future__ import annotations

from pathlib import Path

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.exceptions import FlowPauseTimeout
from prefect.flow_runs import pause_flow_run
from prefect.input import RunInput

from reportpub.errors import ReportpubError, ValidationFailed
from reportpub.extract import extract
from reportpub.ingest import ingest
from reportpub.package import build
from reportpub.publish import latest_release, publish, record_rejection


class StewardDecision(RunInput):
    """What a data steward answers to a release waiting for approval."""

    approved: bool
    reason: str = ""


# Expected failures (bad input, blocked release) are returned, not raised: they are outcomes to
# report in one line, not crashes to log with a traceback.

@task(cache_policy=NO_CACHE)
def ingest_task(path: str):
    try:
        return ingest(path)
    except ReportpubError as exc:
        return exc


@task(cache_policy=NO_CACHE)
def extract_task(document):
    return extract(document)


@task(cache_policy=NO_CACHE)
def build_task(document, facts, out_dir: str):
    try:
        return build([document], list(facts), Path(out_dir) / document.report_id)
    except ReportpubError as exc:
        return exc


@task(cache_policy=NO_CACHE)
def validate_task(package_dir: str, portal: str, name: str):
    from reportpub.validate import validate, write_reports

    report = validate(package_dir, previous=latest_release(portal, name))
    write_reports(report, package_dir)
    return report


@task(cache_policy=NO_CACHE)
def gate_task(report, package_dir: str) -> ValidationFailed | None:
    """A release with a blocking failure stops here: nothing reaches the portal."""
    if report.valid:
        return None
    failed = ", ".join(sorted({f.check for f in report.findings if f.severity == "error"}))
    return ValidationFailed(f"{package_dir}: blocked by failed checks ({failed}); nothing was published",
                            report_path=Path(package_dir) / "validation.html")


@task(retries=3, retry_delay_seconds=[1, 2, 5], cache_policy=NO_CACHE)
def publish_task(package_dir: str, portal: str, report):
    return publish(package_dir, portal, validation=report)


def _summary_markdown(name: str, report) -> str:
    s = report.summary
    lines = [f"# Validation of `{name}`", "",
             f"**Decision: {'publish' if report.valid else 'blocked'}** — {s['passed']} passed, "
             f"{s['warnings']} warning(s), {s['failed']} failed", "",
             "| check | severity | message |", "|---|---|---|"]
    lines += [f"| {f.check} | {f.severity} | {f.message.replace('|', '/')} |" for f in report.findings]
    return "\n".join(lines)


def _checks_table(report) -> list[dict]:
    return [{"check": c.name, "severity": c.severity, "result": c.status, "findings": c.findings}
            for c in report.checks]


def _approval_required(require_approval: bool | None) -> bool:
    if require_approval is not None:
        return require_approval
    from reportpub.validate import load_policy

    return load_policy().approval == "required"


@flow(name="publish_report", log_prints=True)
def publish_report(report_path: str, portal: str = "portal", work_dir: str = "build",
                   require_approval: bool | None = None, approval_timeout: int = 3600) -> dict:
    """One report: ingest → extract → build → validate → gate → (steward approval) → publish."""
    document = ingest_task(report_path)
    if isinstance(document, ReportpubError):
        return _failed(report_path, document)
    facts = extract_task(document)
    result = build_task(document, facts, work_dir)
    if isinstance(result, ReportpubError):
        return _failed(report_path, result)
    report = validate_task(str(result.path), portal, result.name)
    key = f"validation-{result.name}"[:60].lower()
    create_markdown_artifact(key=key, markdown=_summary_markdown(result.name, report),
                             description=f"Validation of {result.name}")
    create_table_artifact(key=f"{key}-checks"[:60], table=_checks_table(report),
                          description=f"Every check on {result.name}")
    blocked = gate_task(report, str(result.path))
    if blocked:
        return _failed(report_path, blocked)
    if _approval_required(require_approval):
        print(f"{result.name}: checks passed; waiting for a steward: reportpub approve / reject <flow run id>")
        try:
            decision = pause_flow_run(wait_for_input=StewardDecision, timeout=approval_timeout, poll_interval=1,
                                      key=f"approval-{result.name}")
        except FlowPauseTimeout:
            decision = StewardDecision(approved=False, reason=f"no decision within {approval_timeout} s")
        if not decision.approved:
            record_rejection(portal, result.name, str(result.path), decision.reason)
            return {"report": report_path, "exit_code": 1, "dataset": result.name,
                    "message": f"{report_path}: rejected by the steward ({decision.reason}); nothing was published"}
    published = publish_task(str(result.path), portal, report)
    verb = "published" if published.changed else "unchanged, already published"
    return {"report": report_path, "exit_code": 0, "dataset": published.dataset, "version": published.version,
            "message": f"{verb}: {published.dataset} {published.version} at {published.path}"}


def _failed(report_path: str, exc: ReportpubError) -> dict:
    message = f"{report_path}: {exc}"
    if isinstance(exc, ValidationFailed) and exc.report_path:
        message += f" (report: {exc.report_path})"
    return {"report": report_path, "exit_code": exc.exit_code, "message": message}


@flow(name="publish_reports", log_prints=True)
def publish_reports(report_paths: list[str], portal: str = "portal", work_dir: str = "build",
                    require_approval: bool | None = None, approval_timeout: int = 3600) -> list[dict]:
    """Many reports: each in its own subflow, so one failure does not stop the others."""
    return [publish_report(p, portal=portal, work_dir=work_dir, require_approval=require_approval,
                           approval_timeout=approval_timeout) for p in report_paths]
