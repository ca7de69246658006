"""The `reportpub` command: each command parses options, calls one engine function, and turns
a ReportpubError into a one-line message and an exit code (0 ok, 1 validation failed, 2 bad input
or a refused request, 3 a remote portal unreachable: try again later).

Prefect and Great Expectations are imported inside the commands that need them, so that
`reportpub --help` answers at once.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Optional

import typer

from . import contract
from .errors import ReportpubError, ValidationFailed
from .files import printable

# rich_markup_mode=None: plain help; Rich's help renderer alone costs more than the 0.2 s `--help` may take
app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False, rich_markup_mode=None,
                  help="Turn Chinese government reports into validated open data packages and publish them.")
_DEBUG = {"on": False}


@app.callback()
def _main(
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks for errors."),
    config_dir: Optional[Path] = typer.Option(
        None, "--config-dir", envvar=contract.CONFIG_DIR_ENV, show_envvar=False,
        help="Folder with your own copies of contract files (datapackage/, schemas/, validation/), used instead "
             "of the shipped ones (default $REPORTPUB_CONFIG_DIR)."),
    policy: Optional[Path] = typer.Option(
        None, "--policy", envvar=contract.POLICY_ENV, show_envvar=False,
        help="Validation policy file to use; its suites are found relative to it (default $REPORTPUB_POLICY)."),
) -> None:
    _DEBUG["on"] = debug
    # Handed on as absolute paths in the environment: flows and their worker processes read the same files.
    for env, value in ((contract.CONFIG_DIR_ENV, config_dir), (contract.POLICY_ENV, policy)):
        if value is not None:
            os.environ[env] = str(value.expanduser().absolute())
    try:
        contract.operator_folder()
    except ReportpubError as exc:
        _fail(exc)


def _say(text: str, err: bool = False) -> None:
    """One line to the terminal, with control characters from file names or reports escaped."""
    typer.echo(printable(text), err=err)


def _refuse(command: str, message: str, code: int = 2) -> None:
    """A one-line refusal of a command's input, and its exit code."""
    _say(f"reportpub {command}: {message}", err=True)
    raise typer.Exit(code)


def _fail(exc: ReportpubError) -> None:
    if _DEBUG["on"]:
        raise exc
    _say(f"reportpub {exc.stage}: {exc}", err=True)
    if isinstance(exc, ValidationFailed) and exc.report_path:
        _say(f"validation report: {exc.report_path}", err=True)
    raise typer.Exit(exc.exit_code)


BASE_URL_HELP = ("Public address of the portal, e.g. https://data.example.org/open-data/: every URL in its "
                 "catalogues becomes absolute (default $REPORTPUB_BASE_URL, then site_url in datapackage/package.yaml).")


def _base_url(option: str | None) -> str | None:
    """--base-url value -> the resolved public address (None when unknown); exit 2 for a bad one."""
    from .settings import resolve_base_url

    try:
        return resolve_base_url(option)
    except ReportpubError as exc:
        _fail(exc)


def _not_harvestable(command: str, base_url: str | None) -> None:
    """One line on stderr, after the work is done, when the catalogue holds relative URLs."""
    if base_url is None:
        typer.echo(f"reportpub {command}: no base URL (--base-url, REPORTPUB_BASE_URL or site_url in "
                   "datapackage/package.yaml): catalog.jsonld and data.json hold relative URLs, which "
                   "harvesters cannot use", err=True)


def _package_or_refuse(command: str, package: Path) -> None:
    """The package folder holds a datapackage.json and only regular files (else one line, exit 2)."""
    from .files import kind_of, not_a_file
    from .publish import check_package

    if (kind := kind_of(package)) not in ("folder", "symbolic link"):
        _refuse(command, f"{package}: {'no such folder' if kind == 'missing' else f'is a {kind}, not a package folder'}")
    if reason := not_a_file(package / "datapackage.json"):
        _refuse(command, f"{package} has no datapackage.json ({package / 'datapackage.json'}: {reason})")
    try:
        check_package(package)
    except ReportpubError as exc:
        _refuse(command, str(exc))


def _metadata(title, publisher, year) -> dict:
    return {k: v for k, v in {"title": title, "publisher": publisher, "year": year}.items() if v}


@app.command()
def build(
    reports: list[Path] = typer.Argument(..., readable=False, help="Report files (TXT)."),
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
    _say(f"built {result.path}: {result.reports} report(s), {result.paragraphs} paragraphs, "
               f"{result.facts} facts")


@app.command()
def validate(
    package: Path = typer.Argument(..., readable=False, help="Package directory (holding datapackage.json)."),
) -> None:
    """Run every check on a package; write validation.json and validation.html into it.

    Example: reportpub validate build/bda
    """
    from .validate import validate as run_checks, write_reports

    _package_or_refuse("validate", package)
    report = run_checks(package)
    json_path, html_path = write_reports(report, package)
    for f in report.findings:
        _say(f"{f.severity.upper():8} {f.check}: {f.message}", err=f.severity == "error")
    summary = report.summary
    _say(f"{'valid' if report.valid else 'INVALID'}: {summary['passed']} passed, "
         f"{summary['warnings']} warning(s), {summary['failed']} failed; report: {html_path}")
    raise typer.Exit(0 if report.valid else 1)


@app.command()
def publish(
    package: Path = typer.Argument(..., readable=False, help="Package directory to publish."),
    portal: Path = typer.Option(Path("portal"), help="Static portal directory."),
    base_url: Optional[str] = typer.Option(None, "--base-url", help=BASE_URL_HELP),
) -> None:
    """Validate a package and publish it to the static portal (refused if a blocking check fails).

    Example: reportpub publish build/bda --portal portal --base-url https://data.example.org/open-data/
    """
    from .publish import publish as do_publish

    site = _base_url(base_url)
    try:
        result = do_publish(package, portal, base_url=site)
    except ReportpubError as exc:
        _fail(exc)
    if result.changed:
        _say(f"published {result.dataset} {result.version} at {result.path}")
    else:
        _say(f"unchanged: {result.dataset} {result.version} is already published at {result.path}")
    _not_harvestable("publish", site)


@app.command("publish-ckan")
def publish_ckan(
    package: Path = typer.Argument(..., readable=False, help="Package directory to publish."),
    url: str = typer.Option(..., envvar="CKAN_URL", help="CKAN site, e.g. https://data.example.org."),
    org: str = typer.Option(..., envvar="CKAN_ORG", help="Organisation (name or id) that owns the datasets."),
    name: Optional[str] = typer.Option(None, help="Dataset name on CKAN (default: the package's name)."),
) -> None:
    """Validate a package and publish it to CKAN as a new, verified release.

    The API token is read from CKAN_API_TOKEN (never from the command line). Exit codes: 1 the package
    failed a blocking check, 2 the token was refused or CKAN rejected the request, 3 CKAN unreachable.

    Example: CKAN_API_TOKEN=... reportpub publish-ckan build/bda --url https://data.example.org --org stats
    """
    from .ckan import publish_ckan as do_publish

    _package_or_refuse("publish-ckan", package)
    try:
        result = do_publish(package, url=url, org=org, name=name)
    except ReportpubError as exc:
        _fail(exc)
    if result.changed:
        typer.echo(f"published {result.dataset} {result.version} ({result.changelog['summary']}): {result.url} "
                   f"(this release stays at {result.version_dataset})")
    else:
        typer.echo(f"unchanged: {result.dataset} {result.version} is already on CKAN at {result.url}")


@app.command()
def correct(
    dataset: str = typer.Argument(..., help="Dataset name (the portal's datasets/<name>)."),
    fact_id: str = typer.Argument(..., help="Fact id (the portal's fact table), or `report` for the report's metadata."),
    changes: Optional[list[str]] = typer.Argument(
        None, help="FIELD=VALUE, one or more: a column of the facts table; for `report`: title, publisher, region, year."),
    reason: str = typer.Option(..., "--reason", help="Why: kept with the correction and listed in the changelog."),
    not_a_fact: bool = typer.Option(False, "--not-a-fact", help="What was extracted is no fact: drop it."),
    portal: Path = typer.Option(Path("portal"), help="Static portal whose latest release holds the fact ids."),
    package: Optional[Path] = typer.Option(None, help="Check the fact id against this built package instead."),
    corrections: Optional[Path] = typer.Option(
        None, help="Corrections folder (default $REPORTPUB_CORRECTIONS, else ./corrections)."),
    who: Optional[str] = typer.Option(None, help="Who corrects (default: the login name)."),
) -> None:
    """Record a steward's correction of a fact, or of the report's metadata, in corrections/DATASET.csv;
    every later build applies it (reportpub run builds the dataset again).

    Example: reportpub correct bda-2022-work-summary bda-2022-work-summary-p0003-c0024 subject=地区生产总值 --reason "主语是全区"
    """
    from .corrections import known_facts, record_correction
    from .errors import CorrectionError
    from .publish import latest_release

    source = package or latest_release(portal, dataset)
    known = known_facts(Path(source)) if source and Path(source).is_dir() else None
    if known is None:
        _refuse("correct", f"{package} is not a built package with a facts table" if package else
                f"{portal} has no release of {dataset} (publish it first, or check against a package with --package)")
    try:
        path, made = record_correction(dataset, fact_id, changes or [], reason, not_a_fact=not_a_fact, known=known,
                                       who=who, folder=corrections)
    except CorrectionError as exc:
        _refuse("correct", str(exc))
    what = ", ".join("not a fact" if c.field == "not_a_fact" else f"{c.field}={c.value}" for c in made)
    _say(f"recorded in {path}: {fact_id} {what} ({made[0].reason}); it applies from the next build")


@app.command()
def run(
    reports: list[Path] = typer.Argument(..., readable=False, help="Report files, or folders of reports."),
    portal: Path = typer.Option(Path("portal"), help="Static portal directory."),
    work_dir: Path = typer.Option(Path("build"), help="Where packages are built before publishing."),
    force: bool = typer.Option(False, "--force", help="Process reports even if unchanged since their release."),
    workers: int = typer.Option(0, help="Run the batch on a local Dask cluster of N worker processes."),
    dask_address: Optional[str] = typer.Option(None, help="Run the batch on an existing Dask scheduler."),
    require_approval: Optional[bool] = typer.Option(
        None, "--require-approval/--no-approval",
        help="Wait for a steward (reportpub approve/reject) after the checks; default: the policy's `approval`."),
    approval_timeout: int = typer.Option(3600, help="Seconds to wait for a steward before the release is rejected."),
    base_url: Optional[str] = typer.Option(None, "--base-url", help=BASE_URL_HELP),
) -> None:
    """Run the Prefect flow on reports: ingest, extract, build, validate, gate and publish each one.

    Reports run concurrently, one failure does not stop the others, and a report unchanged since
    its latest release (same bytes, code and configuration) is skipped unless --force.

    Example: reportpub run examples/reports --portal portal
    """
    from .files import kind_of, not_a_file

    for r in reports:
        if kind_of(r) != "folder" and (reason := not_a_file(r)):
            _refuse("run", f"{r}: {reason}" if reason != "no such file" else f"{r}: no such file or folder")
    _prefect_env()
    from .pipeline import report_files

    def skipped(path: Path, kind: str) -> None:
        _say(f"reportpub run: skipped {path}: a {kind}, not a regular file (a folder's reports are its regular "
             "files)", err=True)

    files = [str(f) for f in report_files(reports, on_skip=skipped)]
    if not files:
        typer.echo("reportpub run: no report files (.txt, .pdf, .docx, .html) found", err=True)
        raise typer.Exit(2)
    site = _base_url(base_url)
    if site:
        from .settings import BASE_URL_ENV

        os.environ[BASE_URL_ENV] = site  # the flow renders the portal in this process or its children
    from .flows.approval import approval_required

    outcomes = _run_batch(files, portal, work_dir, force, workers, dask_address,
                          approval_required(require_approval), approval_timeout)
    code = _report_outcomes(outcomes)
    if any(o.get("status") in ("published", "unchanged") for o in outcomes):
        _not_harvestable("run", site)
    raise typer.Exit(code)


def _run_batch(files: list[str], portal: Path, work_dir: Path, force: bool, workers: int,
               dask_address: str | None, approval: bool, approval_timeout: int) -> list[dict]:
    """The batch flow with every option (approval included), a progress bar, and its outcomes.
    A flow run that could not finish (the Prefect server stopped) is one line, exit 3."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from .flows import batch

    if not _DEBUG["on"]:
        _one_line_logs()
    flow_fn = batch.on_runner(workers, dask_address)
    counts, done = {"facts": 0, "failed": 0}, []
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TextColumn("facts {task.fields[facts]} · failed {task.fields[failed]}"), TimeRemainingColumn(),
                  console=Console(stderr=True), transient=True) as bar:
        job = bar.add_task("reports", total=len(files), facts=0, failed=0)

        def advance(outcome: dict) -> None:
            done.append(outcome)
            counts["facts"] += outcome["facts"]
            counts["failed"] += outcome["exit_code"] != 0
            bar.update(job, advance=1, facts=counts["facts"], failed=counts["failed"])

        batch.LISTENERS.append(advance)
        try:
            state = flow_fn([*files], portal=str(portal), work_dir=str(work_dir), force=force,
                            require_approval=approval, approval_timeout=approval_timeout, return_state=True)
        except Exception as exc:  # noqa: BLE001 - only a lost server ends here; anything else is re-raised
            state = exc
        finally:
            batch.LISTENERS.remove(advance)
    if isinstance(state, Exception):
        _lost_server(state, done=done)
    result = state.result(raise_on_failure=False)
    if isinstance(result, list):
        return result
    if hasattr(result, "outcomes"):  # ReportsFailed: some reports were not published
        return result.outcomes
    _lost_server(result if isinstance(result, BaseException) else None, state, done)


def _one_line_logs() -> None:
    """Prefect's log lines on the terminal without their tracebacks (--debug keeps them): the
    operator reads one line per problem, the flow's log on the server keeps the detail."""
    import logging

    def one_line(format_record):
        def format(record: logging.LogRecord) -> str:  # a copy: the server's handler keeps the traceback
            if record.exc_info or record.exc_text or record.stack_info:
                record = logging.makeLogRecord({**record.__dict__, "exc_info": None, "exc_text": None,
                                                "stack_info": None})
            return format_record(record)
        return format

    loggers = [logging.getLogger(name) for name in list(logging.root.manager.loggerDict) if name.startswith("prefect")]
    for handler in {h for lg in [logging.root, *loggers] for h in lg.handlers if isinstance(h, logging.StreamHandler)}:
        handler.format = one_line(handler.format)


def _lost_server(exc: BaseException | None, state=None, done: list[dict] = ()) -> None:
    """The flow run could not finish: the reports done so far, then one line (exit 3); running
    the same command again finishes the work."""
    from .flows.batch import server_lost

    if exc is not None and state is None and not server_lost(exc):
        raise exc
    for o in done:
        if o.get("status") != "skipped":
            _say(o["message"], err=o["exit_code"] != 0)
    import logging

    logging.disable(logging.CRITICAL)  # Prefect's background services would log the lost server again at exit
    server = os.environ.get("PREFECT_API_URL") or "the local Prefect server"
    why = f"{type(exc).__name__}: {exc}" if exc is not None else f"{state.name}: {state.message}"
    _refuse("run", f"the flow run could not finish ({why.splitlines()[0][:200]}); is {server} running? Run the "
                   "same command again: reports already published are skipped", code=3)


def _report_outcomes(outcomes: list[dict]) -> int:
    """One line per report, a summary, and the exit code: a failed report of many makes it 1."""
    for o in outcomes:
        if o.get("status") != "skipped":
            _say(o["message"], err=o["exit_code"] != 0)
    by_status: dict[str, int] = {}
    for o in outcomes:
        by_status[o.get("status", "published" if o["exit_code"] == 0 else "failed")] = \
            by_status.get(o.get("status", "published" if o["exit_code"] == 0 else "failed"), 0) + 1
    if by_status.get("skipped") == len(outcomes):
        typer.echo(f"nothing to do: all {len(outcomes)} report(s) are unchanged since their latest release "
                   "(--force to run them again)")
    elif len(outcomes) > 1:
        typer.echo("summary: " + ", ".join(f"{n} {s}" for s, n in sorted(by_status.items())))
    failures = [o["exit_code"] for o in outcomes if o["exit_code"]]
    if not failures:
        return 0
    return failures[0] if len(outcomes) == 1 else 1


def _decide(command: str, run_id: str, approved: bool, reason: str, release: str | None, every: bool) -> None:
    """A run id (a waiting release's, or the batch's that holds it) -> the decision on the release
    named, the only one, or all (--all); a wrong id or name is one line, exit 2."""
    _prefect_env()
    import httpx

    from .flows.approval import ApprovalError, decide, waiting_releases

    try:
        waiting = waiting_releases(run_id)
        if release:
            chosen = [w for w in waiting if release in (w.dataset, w.run_id, w.report, Path(w.report).name)]
            if not chosen:
                _refuse(command, f"no release {release!r} waits in flow run {run_id}; waiting: "
                                 + ", ".join(w.dataset for w in waiting))
        elif every or len(waiting) == 1:
            chosen = waiting
        else:
            for w in waiting:
                _say(f"{w.dataset}  {w.report}  flow run {w.run_id}")
            _refuse(command, f"{len(waiting)} releases wait in flow run {run_id}: name one with --release DATASET, "
                             "or decide them all with --all")
        for w in chosen:
            decide(w, approved, reason)
            _say(f"{'approved' if approved else 'rejected'}: {w.dataset} ({w.report}), flow run {w.run_id}")
    except ApprovalError as exc:
        _refuse(command, str(exc))
    except httpx.HTTPError as exc:
        _refuse(command, f"cannot reach {os.environ.get('PREFECT_API_URL', 'the local Prefect server')}: "
                         f"{type(exc).__name__}: {exc}", code=3)


RELEASE_HELP = "The waiting release to decide (its dataset name), when the run id is a batch's."
ALL_HELP = "Decide every release waiting in the batch's run."


@app.command()
def approve(
    run_id: str = typer.Argument(..., help="Flow run id printed by `run` (a waiting release's, or its batch's)."),
    release: Optional[str] = typer.Option(None, "--release", help=RELEASE_HELP),
    every: bool = typer.Option(False, "--all", help=ALL_HELP),
    reason: str = typer.Option("", help="A note kept with the release in its history.json."),
) -> None:
    """Approve a release that waits for a steward; its flow run then publishes it.

    Example: reportpub approve 0b6a1c3e-5f0e-4c8d-9d59-2f1f1a3b7c11 --reason "checked against the PDF"
    """
    _decide("approve", run_id, True, reason, release, every)


@app.command()
def reject(
    run_id: str = typer.Argument(..., help="Flow run id printed by `run` (a waiting release's, or its batch's)."),
    reason: str = typer.Option(..., help="Why the release is rejected (kept in rejected.json)."),
    release: Optional[str] = typer.Option(None, "--release", help=RELEASE_HELP),
    every: bool = typer.Option(False, "--all", help=ALL_HELP),
) -> None:
    """Reject a release that waits for a steward: nothing is published, the package is kept in
    quarantine/ and the reason recorded.

    Example: reportpub reject 0b6a1c3e-5f0e-4c8d-9d59-2f1f1a3b7c11 --reason "GDP growth misread"
    """
    _decide("reject", run_id, False, reason, release, every)


@app.command()
def serve(
    portal: Path = typer.Option(Path("portal"), help="Static portal directory."),
    port: int = typer.Option(8000, help="Port on 127.0.0.1."),
    base_url: Optional[str] = typer.Option(
        None, "--base-url", help="Address the pages and catalogues are shown for, and whose path the portal is "
                                 "served under (default: as for publish, else this server's own address)."),
) -> None:
    """Serve the static portal on http://127.0.0.1:PORT/ for a local look (UTF-8, follows `latest`).

    The pages and catalogues are shown with absolute URLs of the address served (rendered in
    memory: the folder is not changed).

    Example: reportpub serve --portal portal --port 8000
    """
    from .serve import make_server, serve_forever

    if not (portal / "index.html").is_file():
        _refuse("serve", f"{portal} has no index.html (publish something first)")
    if not 0 <= port <= 65535:
        _refuse("serve", f"--port {port} is not a TCP port (0-65535)")
    site = _base_url(base_url)
    try:
        server = make_server(portal, port, base_url=site)
    except OSError as exc:
        _refuse("serve", f"cannot listen on 127.0.0.1:{port}: {exc.strerror or exc}")
    shown = site or f"http://127.0.0.1:{server.server_address[1]}/"
    from urllib.parse import urlsplit

    _say(f"serving {portal} at http://127.0.0.1:{server.server_address[1]}{urlsplit(shown).path} as {shown} (Ctrl-C to stop)")
    serve_forever(server)


@app.command("eval")
def evaluate(
    package: Path = typer.Argument(..., readable=False, help="Package directory."),
    gold: Path = typer.Argument(..., readable=False, help="Gold CSV (see the annotation guidelines)."),
    source: Path = typer.Argument(..., readable=False, help="The source report (UTF-8 text)."),
    verbose: bool = typer.Option(False, "--verbose", help="List misses, extras and wrong attributes."),
    region_from: Optional[str] = typer.Option(None, "--from", help="Start of the annotated region."),
    region_to: Optional[str] = typer.Option(None, "--to", help="End of the annotated region."),
) -> None:
    """Score a package's facts against a gold file (the reference scorer's figures).

    Example: reportpub eval build/bda gold.csv examples/reports/bda-2022-work-summary.txt --verbose
    """
    from . import scoring
    from .gold import GoldError, check_eval_inputs

    try:
        check_eval_inputs(package, gold, source)
    except GoldError as exc:
        _refuse("eval", str(exc))
    args = [str(package), str(gold), str(source)] + (["--verbose"] if verbose else [])
    if region_from and region_to:
        args += [f"--from={region_from}", f"--to={region_to}"]
    import csv

    from .limits import MAX_PARAGRAPH_CHARS

    csv.field_size_limit(max(csv.field_size_limit(), 4 * MAX_PARAGRAPH_CHARS.value()))  # a paragraph is one cell
    try:
        scoring.main(args)
    except (csv.Error, UnicodeDecodeError, KeyError, ValueError) as exc:  # a package the scorer cannot read
        _refuse("eval", f"{package}: the scorer cannot read this package: {type(exc).__name__}: {exc}")


def _prefect_env() -> None:
    """Keep Prefect's state inside the working directory and run without a server unless told."""
    os.environ.setdefault("PREFECT_HOME", str(Path.cwd() / ".prefect"))
    Path(os.environ["PREFECT_HOME"]).expanduser().mkdir(parents=True, exist_ok=True)  # its SQLite lives there
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")  # a busy machine is slow


INTERNAL_ERROR = 70  # a defect in reportpub, not in the input: the message asks for --debug


def main() -> None:
    debug = "--debug" in sys.argv[1:]
    try:
        app()  # usage errors and typer.Exit end here with their exit codes
    except ReportpubError as exc:  # a stage error that escaped a command (or --debug re-raised it)
        if debug:
            __import__("traceback").print_exc()
        typer.echo(printable(f"reportpub {exc.stage}: {exc}"), err=True)
        sys.exit(exc.exit_code)
    except OSError as exc:  # a path the operator gave that cannot be used: input, not a defect
        if debug:
            __import__("traceback").print_exc()
        typer.echo(printable(f"reportpub: {exc.filename or ''}: {exc.strerror or exc}"), err=True)
        sys.exit(2)
    except Exception as exc:  # never a traceback for the operator unless asked for
        if debug:
            __import__("traceback").print_exc()
            sys.exit(INTERNAL_ERROR)
        typer.echo(printable(f"reportpub: internal error: {type(exc).__name__}: {exc} (run again with --debug "
                             "for the traceback)"), err=True)
        sys.exit(INTERNAL_ERROR)
