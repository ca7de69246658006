"""The stages chained without Prefect: report file -> facts -> corrected facts -> package -> checks
-> gate -> portal.

`process_report` is what the batch flow runs for each report; `process_reports` runs many, their
packages validated together (a suite run costs mostly set-up), and is what the benchmarks time;
`flows/publish_report.py` runs the same stages as separate Prefect tasks for one report.
A report whose bytes, code version and configuration are unchanged since its latest release is
not processed again (its `input_key` is recorded in the dataset's history).
"""

from __future__ import annotations

import hashlib
import logging
import os
import socket
import time
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
    status: str  # published | unchanged | skipped | blocked | failed
    exit_code: int
    message: str
    dataset: str | None = None
    version: str | None = None
    facts: int = 0
    timings: dict = field(default_factory=dict)
    worker: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}")

    def to_dict(self) -> dict:
        return {"report": self.report, "status": self.status, "exit_code": self.exit_code, "message": self.message,
                "dataset": self.dataset, "version": self.version, "facts": self.facts, "timings": self.timings,
                "worker": self.worker}


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


BATCH = 32  # reports validated together: enough to share a suite run, few enough to keep memory flat


@dataclass
class _Pending:
    """A report built and waiting for the joint validation of its batch."""

    report: str
    key: str
    facts: int
    built: BuildResult
    timings: dict


def process_report(path: str | os.PathLike, portal: str | os.PathLike, work_dir: str | os.PathLike, *,
                   force: bool = False, config: str | None = None, render: bool = True) -> ReportOutcome:
    """One report through every stage; failures become outcomes (with an exit code), never exceptions.

    render=False leaves the portal's pages to one `publish.refresh_portal` after a batch."""
    return process_reports([path], portal, work_dir, force=force, config=config, render=render)[0]


def process_reports(paths: list[str | os.PathLike], portal: str | os.PathLike, work_dir: str | os.PathLike, *,
                    force: bool = False, config: str | None = None, render: bool = True,
                    batch: int = BATCH) -> list[ReportOutcome]:
    """Reports -> one outcome each, in order: each report's stages as `process_report` runs them, but
    up to `batch` built packages are validated together (`validate_many`), then each is gated and
    published on its own. A report whose dataset is already waiting in the batch starts a new one,
    so it is checked against the release its predecessor publishes, as one after the other would."""
    from .publish import latest_input_key, latest_release, publish
    from .validate import validate_many, write_reports

    outcomes: list[ReportOutcome | None] = [None] * len(paths)
    pending: dict[int, _Pending] = {}

    def flush() -> None:
        names = [p.built.name for p in pending.values()]
        t0 = time.perf_counter()
        try:
            checked = validate_many([(p.built.path, latest_release(portal, p.built.name)) for p in pending.values()])
        except Exception as exc:  # a broken policy or suite: every report of the batch fails alike
            for i, p in pending.items():
                outcomes[i] = _failed(p.report, exc, p.timings)
            pending.clear()
            return
        share = round((time.perf_counter() - t0) / len(names), 4)
        for (i, p), report in zip(pending.items(), checked, strict=True):
            p.timings["validate"] = share
            log.info("step=validate report=%s seconds=%.4f", p.report, share)
            outcomes[i] = _publish_one(p, report, portal, render, publish, write_reports)
        pending.clear()

    for i, path in enumerate(map(Path, paths)):
        report, timings = str(path), {}
        try:
            if reason := not_a_file(path):
                outcomes[i] = ReportOutcome(report, "failed", 2, f"{report}: {reason}")
                continue
            doc = _step(timings, report, "ingest", ingest, path)  # the dataset's name is read from the report
            if any(p.built.name == doc.report_id for p in pending.values()):
                flush()
            key = input_key(path, config, doc.report_id)
            if not force and latest_input_key(portal, doc.report_id) == key:
                outcomes[i] = ReportOutcome(report, "skipped", 0,
                                            f"{report}: unchanged since its latest release, skipped",
                                            dataset=doc.report_id)
                continue
            extracted = _step(timings, report, "extract", extract, doc)
            fixed = _step(timings, report, "correct", correct, extracted, [doc])  # the steward's corrections
            facts = fixed.facts
            built = _step(timings, report, "build", build, list(fixed.documents), list(facts),
                          Path(work_dir) / doc.report_id, corrections=fixed.record())
        except Exception as exc:
            outcomes[i] = _failed(report, exc, timings)
            continue
        pending[i] = _Pending(report, key, len(facts), built, timings)
        if len(pending) >= batch:
            flush()
    if pending:
        flush()
    return outcomes


def _step(timings: dict, report: str, name: str, fn, *args, **kwargs):
    t0 = time.perf_counter()
    result = fn(*args, **kwargs)
    timings[name] = round(time.perf_counter() - t0, 4)
    log.info("step=%s report=%s seconds=%.4f", name, report, timings[name])
    return result


def _publish_one(p: _Pending, checked, portal, render: bool, publish, write_reports) -> ReportOutcome:
    """A validated package -> its reports written, the gate applied, published: the report's outcome."""
    try:
        write_reports(checked, p.built.path)
        result = _step(p.timings, p.report, "publish", publish, p.built.path, portal, validation=checked,
                       input_key=p.key, render=render)
    except Exception as exc:
        return _failed(p.report, exc, p.timings)
    status = "published" if result.changed else "unchanged"
    verb = "published" if result.changed else "unchanged, already published"
    return ReportOutcome(p.report, status, 0,
                         f"{verb}: {p.report} as {result.dataset} {result.version} at {result.path}",
                         result.dataset, result.version, p.facts, p.timings)


def _failed(report: str, exc: Exception, timings: dict) -> ReportOutcome:
    """An exception from a report's stages -> its outcome: blocked, failed input, or internal error."""
    if isinstance(exc, ValidationFailed):
        return ReportOutcome(report, "blocked", exc.exit_code, _naming(report, exc), timings=timings)
    if isinstance(exc, ReportpubError):
        return ReportOutcome(report, "failed", exc.exit_code, _naming(report, exc), timings=timings)
    if isinstance(exc, OSError):  # a file name too long, a folder where a file should be: the input's fault
        return ReportOutcome(report, "failed", 2, _naming(report, f"{exc.filename or report}: {exc.strerror or exc}"),
                             timings=timings)
    # a defect must cost this report only, never the batch
    log.error("report=%s internal error", report, exc_info=(type(exc), exc, exc.__traceback__))
    return ReportOutcome(report, "failed", 70, f"{report}: internal error: {type(exc).__name__}: {exc}",
                         timings=timings)


def _naming(report: str, exc: Exception | str) -> str:
    """The error message, with the report's name in front unless it already names it."""
    text = str(exc)
    return text if text.startswith(report) else f"{report}: {text}"
