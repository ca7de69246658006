"""The stages chained without Prefect: report file -> facts -> corrected facts -> package -> checks
-> gate -> portal.

`process_reports` is the one path every flow and the benchmarks run: `prepare` (ingest, extract,
correct, build, validate) then `release` (gate, publish), up to `BATCH` reports' packages validated
together (a suite run costs mostly set-up); `process_report` is that path for one report. A flow
that waits for a steward calls the two halves with the decision between them.
A report whose bytes, code version and configuration are unchanged since its latest release is
not processed again (its `input_key` is recorded in the dataset's history).
"""

from __future__ import annotations

import errno
import hashlib
import logging
import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from . import EXTRACTOR_VERSION, __version__, contract
from .corrections import correct
from .corrections import fingerprint as corrections_fingerprint
from .errors import ExtractError, ReportpubError, ValidationFailed
from .extract import Fact, extract
from .files import kind_of, not_a_file
from .ingest import Document, ingest, sidecar_metadata
from .package import BuildResult, build

log = logging.getLogger("reportpub.steps")
REPORT_SUFFIXES = (".txt", ".pdf", ".docx", ".html", ".htm")


@dataclass(frozen=True)
class Extracted:
    document: Document
    facts: tuple[Fact, ...]


@dataclass(frozen=True)
class ReportOutcome:
    report: str
    status: str  # published | unchanged | skipped | blocked | rejected | failed
    exit_code: int
    message: str
    dataset: str | None = None
    version: str | None = None
    facts: int = 0
    timings: dict = field(default_factory=dict)
    worker: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}")
    transient: bool = False  # may pass if tried again: the flows retry it

    def to_dict(self) -> dict:
        return {"report": self.report, "status": self.status, "exit_code": self.exit_code, "message": self.message,
                "dataset": self.dataset, "version": self.version, "facts": self.facts, "timings": self.timings,
                "worker": self.worker, "transient": self.transient}


def ingest_and_extract(path: str | os.PathLike, metadata: dict | None = None) -> Extracted:
    doc = ingest(path, metadata=metadata)
    try:
        return Extracted(doc, extract(doc))
    except ExtractError as exc:
        raise ExtractError(f"{path}: {exc}") from None


def build_package(paths: list[str | os.PathLike], out_dir: str | os.PathLike, *,
                  metadata: dict | None = None) -> BuildResult:
    """Report files -> one package holding all of them (one dataset)."""
    items = [ingest_and_extract(p, metadata) for p in paths]
    fixed = correct([f for i in items for f in i.facts], [i.document for i in items])
    return build(list(fixed.documents), list(fixed.facts), Path(out_dir), corrections=fixed.record())


def report_files(paths: list[str | os.PathLike], on_skip=None) -> list[Path]:
    """Files and folders -> the report files, folders expanded (sorted), in the order given.

    Inside a folder only regular files are reports: a symbolic link dropped into an inbox could
    publish any file the process may read, a FIFO would block. Each one skipped is passed to
    `on_skip(path, kind)` (default: a log warning). A file named explicitly is taken as named."""
    found: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            for f in sorted(p.iterdir()):
                kind = kind_of(f)
                if f.suffix.lower() not in REPORT_SUFFIXES or kind == "folder":
                    continue
                if kind == "file":
                    found.append(f)
                else:
                    (on_skip or _log_skip)(f, kind)
        else:
            found.append(p)
    return found


def _log_skip(path: Path, kind: str) -> None:
    log.warning("skipped %s: a %s, not a regular file (a folder's reports are its regular files)", path, kind)


def config_hash(policy: str | os.PathLike | None = None) -> str:
    """The configuration that shapes a release: metadata, code lists, schemas, policy and suites, as
    this process reads them (an operator's copies and policy included: contract.files_in_use)."""
    h = hashlib.sha256()
    for name, f in contract.files_in_use(policy):
        h.update(name.encode() + b"\0" + f.read_bytes())
    return h.hexdigest()


def input_key(path: Path, config: str | None = None, dataset: str | None = None) -> str:
    """What decides a release: the report's bytes and metadata, the code version, the configuration,
    and the steward's corrections of its dataset."""
    h = hashlib.sha256()
    h.update(path.read_bytes())
    h.update(repr(sorted(sidecar_metadata(path).items())).encode())
    h.update(f"{__version__}/{EXTRACTOR_VERSION}".encode())
    h.update((config or config_hash()).encode())
    if dataset and (corrected := corrections_fingerprint(dataset)):
        h.update(corrected.encode())
    return h.hexdigest()


@dataclass(frozen=True)
class Candidate:
    """A report built and checked, waiting to be released: what a steward approves or rejects."""

    report: str
    dataset: str
    package: Path
    validation: object  # validate.ValidationReport
    input_key: str
    facts: int
    timings: dict

    @property
    def publishable(self) -> bool:
        """The gate's verdict (computed once, by the checks): only these may wait for a steward."""
        return self.validation.valid


@dataclass(frozen=True)
class Decision:
    """A steward's answer to a waiting release; `by` and `reason` go into the release's history."""

    approved: bool
    reason: str = ""
    by: str = ""
    flow_run: str = ""

    def to_history(self) -> dict:
        return {"decision": "approved" if self.approved else "rejected", "reason": self.reason,
                "approved_by": self.by, "flow_run": self.flow_run}


TRANSIENT_ERRNOS = frozenset({errno.EAGAIN, errno.EBUSY, errno.EINTR, errno.EIO, errno.ETIMEDOUT, errno.ESTALE,
                              errno.ENETDOWN, errno.ENETUNREACH, errno.ECONNRESET, errno.ECONNREFUSED,
                              errno.EHOSTUNREACH})


def is_transient(exc: BaseException | None) -> bool:
    """An I/O error that may pass if tried again (a network share hiccup, a busy file), found in
    the exception or the error it was raised from; a bad input fails the same way every time."""
    seen = 0
    while exc is not None and seen < 5:
        if isinstance(exc, (TimeoutError, ConnectionError)) or \
                (isinstance(exc, OSError) and exc.errno in TRANSIENT_ERRNOS):
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


class _Timer:
    """Each stage timed and logged under its name (the flow log shows seconds per step)."""

    def __init__(self, report: str, timings: dict | None = None):
        self.report, self.timings = report, dict(timings or {})

    def __call__(self, name, fn, *args, **kwargs):
        t0 = time.perf_counter()
        result = fn(*args, **kwargs)
        self.timings[name] = round(time.perf_counter() - t0, 4)
        log.info("step=%s report=%s seconds=%.4f", name, self.report, self.timings[name])
        return result


# --- the stages, in order: one small function each ------------------------------------------

def _stage_ingest(step: _Timer, path: Path) -> Document:
    return step("ingest", ingest, path)  # the dataset's name is read from the report itself


def _stage_extract(step: _Timer, doc: Document) -> list[Fact]:
    return list(step("extract", extract, doc))


def _stage_correct(step: _Timer, doc: Document, facts: list[Fact]):
    """The steward's corrections (corrections/<dataset>.csv), applied at every build."""
    return step("correct", correct, facts, [doc])


def _stage_build(step: _Timer, fixed, work_dir: Path) -> BuildResult:
    doc = fixed.documents[0]
    return step("build", build, list(fixed.documents), list(fixed.facts), work_dir / doc.report_id,
                corrections=fixed.record())


def _stage_validate(built: list[tuple[_Timer, BuildResult]], portal) -> list:
    """Built packages -> their validation reports, the packages checked together (`validate_many`);
    each report's share of the time is its `validate` step."""
    from .publish import latest_release
    from .validate import validate_many, write_reports

    t0 = time.perf_counter()
    checked = validate_many([(b.path, latest_release(portal, b.name)) for _, b in built])
    share = round((time.perf_counter() - t0) / len(built), 4)
    for (step, b), report in zip(built, checked, strict=True):
        step.timings["validate"] = share
        log.info("step=validate report=%s seconds=%.4f", step.report, share)
        write_reports(report, b.path)
    return checked


BATCH = 64  # reports validated together: enough to share a suite run, few enough to keep memory flat
MIN_PER_WORKER = 4  # fewer reports than this per worker process are not worth forking for


@dataclass
class _Built:
    """A report built and waiting for the joint validation of its round."""

    index: int
    step: _Timer
    key: str
    facts: int
    built: BuildResult


def _build_one(path: Path, portal, work_dir, force: bool, config: str | None,
               waiting: Callable[[str], bool]) -> _Built | ReportOutcome | str:
    """Ingest -> extract -> correct -> build for one report; the outcome that ends it here (bad
    input, unchanged since its latest release), or the dataset's name when `waiting(name)` says a
    report of the same dataset is waiting in this round (the caller closes the round first)."""
    from .publish import latest_input_key

    report, step = str(path), _Timer(str(path))
    try:
        if reason := not_a_file(path):
            return ReportOutcome(report, "failed", 2, f"{report}: {reason}")
        doc = _stage_ingest(step, path)
        if waiting(doc.report_id):
            return doc.report_id
        key = input_key(path, config, doc.report_id)  # the dataset's corrections are part of the input
        if not force and latest_input_key(portal, doc.report_id) == key:
            return ReportOutcome(report, "skipped", 0, f"{report}: unchanged since its latest release, skipped",
                                 dataset=doc.report_id)
        facts = _stage_extract(step, doc)
        fixed = _stage_correct(step, doc, facts)
        return _Built(-1, step, key, len(fixed.facts), _stage_build(step, fixed, Path(work_dir)))
    except Exception as exc:  # noqa: BLE001 - every error becomes this report's outcome
        return _failure(report, exc, step.timings)


def prepare_rounds(paths: list[str | os.PathLike], portal, work_dir, *, force: bool = False,
                   config: str | None = None, on_checked=None, batch: int = BATCH):
    """Reports -> rounds of `(index, Candidate | ReportOutcome)`, lazily: each round's packages are
    validated together. A report whose dataset already waits in the round closes it first, so that
    (released by the caller before the next round is asked for) it is checked against the release
    its predecessor publishes, as one after the other would be. Never raises."""
    done: list[tuple[int, Candidate | ReportOutcome]] = []
    waiting: dict[str, _Built] = {}

    def close_round():
        items = list(waiting.values())
        waiting.clear()
        try:
            checked = _stage_validate([(b.step, b.built) for b in items], portal)
        except Exception as exc:  # noqa: BLE001 - a broken policy or suite: every report of the round alike
            return [(b.index, _failure(b.step.report, exc, b.step.timings)) for b in items]
        out = []
        for b, report in zip(items, checked, strict=True):
            candidate = Candidate(b.step.report, b.built.name, b.built.path, report, b.key, b.facts, b.step.timings)
            if on_checked:
                on_checked(candidate)
            out.append((b.index, candidate))
        return out

    for i, path in enumerate(map(Path, paths)):
        result = _build_one(path, portal, work_dir, force, config, lambda name: name in waiting)
        if isinstance(result, str):  # its dataset waits in this round: close it, then build it again
            yield done + close_round()
            done = []
            result = _build_one(path, portal, work_dir, force, config, lambda name: False)
        if isinstance(result, _Built):
            result.index = i
            waiting[result.built.name] = result
        else:
            done.append((i, result))
        if len(waiting) >= batch:
            yield done + close_round()
            done = []
    if done or waiting:
        yield done + (close_round() if waiting else [])


def prepare(path: str | os.PathLike, portal: str | os.PathLike, work_dir: str | os.PathLike, *,
            force: bool = False, config: str | None = None, on_checked=None) -> Candidate | ReportOutcome:
    """Ingest -> extract -> correct -> build -> validate: a Candidate for `release`, or the outcome
    that ends the report here (unchanged since its latest release, bad input). Never raises.

    `on_checked(candidate)` is called once the checks ran, blocked or not (the flows attach the
    validation artifacts there)."""
    (_, prepared), = next(prepare_rounds([path], portal, work_dir, force=force, config=config,
                                         on_checked=on_checked))
    return prepared


def release(candidate: Candidate, portal: str | os.PathLike, *, decision: Decision | None = None,
            render: bool = True) -> ReportOutcome:
    """The gate and publish: a blocked candidate is quarantined by `publish`; a rejected one is
    quarantined here with the steward's reason; an approved one carries the decision into its
    release's history. Never raises."""
    from .publish import publish, quarantine, quarantine_folder, record_rejection

    report, step = candidate.report, _Timer(candidate.report, candidate.timings)
    try:
        if decision is not None and not decision.approved and candidate.publishable:
            kept = quarantine(candidate.package, candidate.dataset, quarantine_folder(portal))
            record_rejection(portal, candidate.dataset, str(kept.resolve()), decision.reason, by=decision.by)
            why = decision.reason or "no reason given"
            return ReportOutcome(report, "rejected", 1, f"{report}: rejected by the steward ({why}); nothing was "
                                 f"published; the package is kept in {kept}",
                                 candidate.dataset, facts=candidate.facts, timings=step.timings)
        result = step("publish", publish, candidate.package, portal, validation=candidate.validation,
                      input_key=candidate.input_key, render=render,
                      approval=decision.to_history() if decision else None)
    except Exception as exc:  # noqa: BLE001
        return _failure(report, exc, step.timings)
    status = "published" if result.changed else "unchanged"
    verb = "published" if result.changed else "unchanged, already published"
    return ReportOutcome(report, status, 0, f"{verb}: {report} as {result.dataset} {result.version} at {result.path}",
                         result.dataset, result.version, candidate.facts, step.timings)


def process_reports(paths: list[str | os.PathLike], portal: str | os.PathLike, work_dir: str | os.PathLike, *,
                    force: bool = False, config: str | None = None, render: bool = True, on_checked=None,
                    on_outcome=None, batch: int = BATCH, workers: int = 1) -> list[ReportOutcome]:
    """Reports -> one outcome each, in order: `prepare` then `release`, the packages of up to
    `batch` reports validated together, each gated and published on its own. Failures become
    outcomes (with an exit code), never exceptions. Every flow runs this path; with approval, a
    flow runs the same two halves with the steward's decision between them.

    workers > 1 prepares rounds in that many processes (`workers.py`) while this one releases, in
    input order. A report prepared there before this run released its dataset is prepared again
    here, so that it is checked against (or skipped as unchanged since) that release, as one after
    the other would. render=False leaves the portal's pages to one `publish.refresh_portal` after
    a batch; `on_outcome(outcome)` is called as each report ends."""
    paths = [str(p) for p in paths]
    outcomes: list[ReportOutcome | None] = [None] * len(paths)
    parallel = workers > 1 and len(paths) >= MIN_PER_WORKER * workers
    if parallel:  # every worker busy with rounds of one size, each round still validated together
        batch = balanced_round(len(paths), batch, workers)
    released: set[str] = set()
    for round_ in _rounds(paths, portal, work_dir, force, config, on_checked, batch, workers if parallel else 1):
        for i, prepared in round_:
            if parallel:
                prepared = _fresh(prepared, released, paths[i], portal, work_dir, force, config, on_checked)
            outcome = prepared if isinstance(prepared, ReportOutcome) else release(prepared, portal, render=render)
            if parallel and isinstance(prepared, Candidate):
                from .workers import settle

                settle(prepared.package, work_dir)
            if outcome.status == "published":
                released.add(outcome.dataset)
            outcomes[i] = outcome
            if on_outcome:
                on_outcome(outcome)
    if parallel:
        from .workers import clean_rounds

        clean_rounds(work_dir)
    return outcomes


def balanced_round(reports: int, batch: int, workers: int) -> int:
    """The round size for `workers` processes: at most `batch`, the reports spread evenly over a
    number of rounds that is a multiple of `workers`, so that no process still works on a full last
    round while another has a short one or none (1,000 reports, up to 64, 2 workers: 16 rounds of
    63; 100 reports: 2 of 50)."""
    rounds = -(-reports // batch)
    rounds = -(-rounds // workers) * workers
    return max(1, -(-reports // rounds))


def _rounds(paths, portal, work_dir, force, config, on_checked, batch, workers):
    """Rounds of (index, prepared), in input order: here, or by worker processes."""
    if workers <= 1:
        return prepare_rounds(paths, portal, work_dir, force=force, config=config, on_checked=on_checked, batch=batch)
    from .workers import prepared_in_workers

    return prepared_in_workers(paths, portal, work_dir, force=force, config=config, batch=batch, workers=workers)


def _fresh(prepared, released: set[str], path: str, portal, work_dir, force, config, on_checked):
    """A worker's result, or the report prepared again here when this run released its dataset
    since (the worker checked it against, or skipped it as unchanged since, the release before)."""
    stale = prepared.dataset in released and (isinstance(prepared, Candidate) or prepared.status == "skipped")
    if stale:
        log.info("report=%s prepared again: its dataset %s was released since a worker prepared it", path,
                 prepared.dataset)
        return prepare(path, portal, work_dir, force=force, config=config, on_checked=on_checked)
    if isinstance(prepared, Candidate) and on_checked:
        on_checked(prepared)
    return prepared


def process_report(path: str | os.PathLike, portal: str | os.PathLike, work_dir: str | os.PathLike, *,
                   force: bool = False, config: str | None = None, render: bool = True,
                   on_checked=None) -> ReportOutcome:
    """One report through every stage: `process_reports` of one."""
    return process_reports([path], portal, work_dir, force=force, config=config, render=render,
                           on_checked=on_checked)[0]


def _failure(report: str, exc: Exception, timings: dict) -> ReportOutcome:
    """An exception -> this report's outcome. Named rules, first match wins:
    1. blocked: a blocking check failed (exit 1);
    2. transient: an I/O error that may pass if tried again (exit 3; the flows retry it);
    3. refused: a stage refused the input (its exit code);
    4. bad path: the operating system refused the input (exit 2);
    5. defect: anything else is a bug in reportpub (exit 70), logged with its traceback."""
    if isinstance(exc, ValidationFailed):
        return ReportOutcome(report, "blocked", exc.exit_code, _naming(report, exc), timings=timings)
    if is_transient(exc):
        return ReportOutcome(report, "failed", 3, _naming(report, f"{exc} (a transient I/O error: try again)"),
                             timings=timings, transient=True)
    if isinstance(exc, ReportpubError):
        return ReportOutcome(report, "failed", exc.exit_code, _naming(report, exc), timings=timings)
    if isinstance(exc, OSError):  # a file name too long, a folder where a file should be: the input's fault
        return ReportOutcome(report, "failed", 2, _naming(report, f"{exc.filename or report}: {exc.strerror or exc}"),
                             timings=timings)
    log.exception("report=%s internal error", report)  # a defect must cost this report only, never the batch
    return ReportOutcome(report, "failed", 70, f"{report}: internal error: {type(exc).__name__}: {exc}",
                         timings=timings)


def _naming(report: str, exc: Exception | str) -> str:
    """The error message, with the report's name in front unless it already names it."""
    text = str(exc)
    return text if text.startswith(report) else f"{report}: {text}"
