"""The `reportpub` command: each command parses options, calls one engine function, and turns
a ReportpubError into a one-line message and an exit code (0 ok, 1 validation failed, 2 bad input).

Prefect and Great Expectations are imported inside the commands that need them, so that
`reportpub --help` answers at once.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Optional

import typer

from .errors import ReportpubError, ValidationFailed

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Turn Chinese government reports into validated open data packages and publish them.")
_DEBUG = {"on": False}


@app.callback()
def _main(debug: bool = typer.Option(False, "--debug", help="Show tracebacks for errors.")) -> None:
    _DEBUG["on"] = debug


def _fail(exc: ReportpubError) -> None:
    typer.echo(f"reportpub {exc.stage}: {exc}", err=True)
    if isinstance(exc, ValidationFailed) and exc.report_path:
        typer.echo(f"validation report: {exc.report_path}", err=True)
    raise typer.Exit(exc.exit_code)


def _metadata(title, publisher, year) -> dict:
    return {k: v for k, v in {"title": title, "publisher": publisher, "year": year}.items() if v}


@app.command()
def build(
    reports: list[Path] = typer.Argument(..., help="Report files (TXT)."),
    out: Path = typer.Option(..., "-o", "--out", help="Package directory to write (replaced)."),
    title: Optional[str] = typer.Option(None, help="Report title, if the one read from the text is wrong."),
    publisher: Optional[str] = typer.Option(None, help="Publishing body."),
    year: Optional[int] = typer.Option(None, help="Year under review."),
) -> None:
    """Build a data package from reports, without publishing.

    Example: reportpub build examples/reports/bda-2022-work-summary.txt -o build/bda
    """
    from .pipeline import build_package

    try:
        result = build_package(reports, out, metadata=_metadata(title, publisher, year))
    except ReportpubError as exc:
        _fail(exc)
    typer.echo(f"built {result.path}: {result.reports} report(s), {result.paragraphs} paragraphs, "
               f"{result.facts} facts")


@app.command()
def validate(
    package: Path = typer.Argument(..., help="Package directory (holding datapackage.json)."),
) -> None:
    """Run every check on a package; write validation.json and validation.html into it.

    Example: reportpub validate build/bda
    """
    from .validate import validate as run_checks, write_reports

    if not (package / "datapackage.json").is_file():
        typer.echo(f"reportpub validate: {package} has no datapackage.json", err=True)
        raise typer.Exit(2)
    report = run_checks(package)
    json_path, html_path = write_reports(report, package)
    for f in report.findings:
        typer.echo(f"{f.severity.upper():8} {f.check}: {f.message}", err=f.severity == "error")
    summary = report.summary
    typer.echo(f"{'valid' if report.valid else 'INVALID'}: {summary['passed']} passed, "
               f"{summary['warnings']} warning(s), {summary['failed']} failed; report: {html_path}")
    raise typer.Exit(0 if report.valid else 1)


@app.command()
def publish(
    package: Path = typer.Argument(..., help="Package directory to publish."),
    portal: Path = typer.Option(Path("portal"), help="Static portal directory."),
) -> None:
    """Validate a package and publish it to the static portal (refused if a blocking check fails).

    Example: reportpub publish build/bda --portal portal
    """
    from .publish import publish as do_publish

    try:
        result = do_publish(package, portal)
    except ReportpubError as exc:
        _fail(exc)
    if result.changed:
        typer.echo(f"published {result.dataset} {result.version} at {result.path}")
    else:
        typer.echo(f"unchanged: {result.dataset} {result.version} is already published at {result.path}")


@app.command()
def run(
    reports: list[Path] = typer.Argument(..., help="Report files."),
    portal: Path = typer.Option(Path("portal"), help="Static portal directory."),
    work_dir: Path = typer.Option(Path("build"), help="Where packages are built before publishing."),
    require_approval: Optional[bool] = typer.Option(
        None, "--require-approval/--no-approval",
        help="Wait for a steward (reportpub approve/reject) after the checks; default: the policy's `approval`."),
    approval_timeout: int = typer.Option(3600, help="Seconds to wait for a steward before the release is rejected."),
) -> None:
    """Run the Prefect flow: ingest, extract, build, validate, gate and publish each report.

    Example: reportpub run examples/reports/*.txt --portal portal
    """
    _prefect_env()
    from flows.publish_report import publish_reports

    missing = [str(r) for r in reports if not r.is_file()]
    if missing:
        typer.echo(f"reportpub run: no such file: {', '.join(missing)}", err=True)
        raise typer.Exit(2)
    outcomes = publish_reports([str(r) for r in reports], portal=str(portal), work_dir=str(work_dir),
                               require_approval=require_approval, approval_timeout=approval_timeout)
    code = 0
    for o in outcomes:
        typer.echo(o["message"], err=o["exit_code"] != 0)
        code = max(code, o["exit_code"])
    raise typer.Exit(code)


def _decide(run_id: str, approved: bool, reason: str) -> None:
    _prefect_env()
    from uuid import UUID

    from prefect.exceptions import ObjectNotFound
    from prefect.flow_runs import resume_flow_run

    try:
        flow_run_id = UUID(run_id)
    except ValueError:
        typer.echo(f"reportpub: {run_id!r} is not a flow run id", err=True)
        raise typer.Exit(2) from None
    try:
        resume_flow_run(flow_run_id, run_input={"approved": approved, "reason": reason})
    except ObjectNotFound:
        typer.echo(f"reportpub: no flow run {run_id} on {os.environ.get('PREFECT_API_URL', 'the local Prefect')}",
                   err=True)
        raise typer.Exit(2) from None
    except RuntimeError as exc:  # not paused, or already resumed
        typer.echo(f"reportpub: cannot resume {run_id}: {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"{'approved' if approved else 'rejected'}: flow run {run_id}")


@app.command()
def approve(
    run_id: str = typer.Argument(..., help="Id of the flow run waiting for approval."),
    reason: str = typer.Option("", help="A note kept with the decision."),
) -> None:
    """Approve a release that waits for a steward; the flow run then publishes it.

    Example: reportpub approve 0b6a1c3e-5f0e-4c8d-9d59-2f1f1a3b7c11
    """
    _decide(run_id, True, reason)


@app.command()
def reject(
    run_id: str = typer.Argument(..., help="Id of the flow run waiting for approval."),
    reason: str = typer.Option(..., help="Why the release is rejected (recorded in the release history)."),
) -> None:
    """Reject a release that waits for a steward: nothing is published, the reason is recorded.

    Example: reportpub reject 0b6a1c3e-5f0e-4c8d-9d59-2f1f1a3b7c11 --reason "GDP growth misread"
    """
    _decide(run_id, False, reason)


@app.command()
def serve(
    portal: Path = typer.Option(Path("portal"), help="Static portal directory."),
    port: int = typer.Option(8000, help="Port on 127.0.0.1."),
) -> None:
    """Serve the static portal on http://127.0.0.1:PORT/ for a local look (UTF-8, follows `latest`).

    Example: reportpub serve --portal portal --port 8000
    """
    from .serve import serve as run_server

    if not (portal / "index.html").is_file():
        typer.echo(f"reportpub serve: {portal} has no index.html (publish something first)", err=True)
        raise typer.Exit(2)
    typer.echo(f"serving {portal} at http://127.0.0.1:{port}/ (Ctrl-C to stop)")
    run_server(portal, port)


@app.command("eval")
def evaluate(
    package: Path = typer.Argument(..., help="Package directory."),
    gold: Path = typer.Argument(..., help="Gold CSV (see the annotation guidelines)."),
    source: Path = typer.Argument(..., help="The source report (UTF-8 text)."),
    verbose: bool = typer.Option(False, "--verbose", help="List misses, extras and wrong attributes."),
    region_from: Optional[str] = typer.Option(None, "--from", help="Start of the annotated region."),
    region_to: Optional[str] = typer.Option(None, "--to", help="End of the annotated region."),
) -> None:
    """Score a package's facts against a gold file (the reference scorer's figures).

    Example: reportpub eval build/bda gold.csv examples/reports/bda-2022-work-summary.txt --verbose
    """
    from . import scoring

    args = [str(package), str(gold), str(source)] + (["--verbose"] if verbose else [])
    if region_from and region_to:
        args += [f"--from={region_from}", f"--to={region_to}"]
    scoring.main(args)


def _prefect_env() -> None:
    """Keep Prefect's state inside the working directory and run without a server unless told."""
    os.environ.setdefault("PREFECT_HOME", str(Path.cwd() / ".prefect"))
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")


def main() -> None:
    try:
        app()
    except ReportpubError as exc:  # a stage error that escaped a command
        if _DEBUG["on"]:
            raise
        typer.echo(f"reportpub {exc.stage}: {exc}", err=True)
        sys.exit(exc.exit_code)
