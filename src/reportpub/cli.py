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
    outcomes = publish_reports([str(r) for r in reports], portal=str(portal), work_dir=str(work_dir))
    code = 0
    for o in outcomes:
        typer.echo(o["message"], err=o["exit_code"] != 0)
        code = max(code, o["exit_code"])
    raise typer.Exit(code)


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
