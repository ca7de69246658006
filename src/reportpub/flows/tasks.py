"""How every flow runs its reports: the engine's one path as Prefect tasks, concurrently.

Without approval one task runs `process_reports` on the whole batch: the engine's worker
processes (one per core) prepare rounds of reports, validated together, and the task releases
them in order; on a Dask runner chunks of up to BATCH reports are the tasks. With approval the same two halves run as two tasks per
report, `prepare` and `release`, and between them each release that passed the checks
waits in its own `steward_review` flow run, all of them side by side. A task is retried only
when its report hit a transient I/O error (`retry_condition_fn`); a report that fails the same
way every time is not retried. A flow whose reports did not all go through ends Failed, with one
line naming each report and its reason; the others are processed and published all the same.
"""

from __future__ import annotations

import contextvars
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import as_completed as threads_completed

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.context import FlowRunContext
from prefect.futures import as_completed
from prefect.runtime import task_run
from prefect.states import Failed

from ..pipeline import BATCH, Candidate, Decision, ReportOutcome, prepare, process_reports, release
from ..publish import refresh_portal
from .approval import steward_review
from .artifacts import artifact_key, attach_validation

# The CLI registers a callback here to draw its progress bar; it is called in the flow's process.
LISTENERS: list[Callable[[dict], None]] = []
RETRIES = 2
RETRY_DELAYS = [1, 5]
MAX_WAITING = 64  # releases waiting for a steward at once (each polls the server every second)


class TransientFailure(Exception):
    """A report hit an I/O error that may pass: its task is tried again."""


class ReportsFailed(Exception):
    """What a flow run whose reports did not all go through fails with: one line, and every outcome."""

    def __init__(self, message: str, outcomes: list[dict]):
        super().__init__(message, outcomes)

    def __str__(self) -> str:
        return self.args[0]

    @property
    def outcomes(self) -> list[dict]:
        return self.args[1]


def only_transient(task, task_run, state) -> bool:
    """retry_condition_fn: retry a transient I/O error, never a bad input or a defect."""
    return isinstance(state.data, TransientFailure)


def _retried(outcome: ReportOutcome) -> dict:
    """Raise for a transient failure while retries remain; the last attempt's outcome stands."""
    return _all_retried([outcome])[0]


def _all_retried(outcomes: list[ReportOutcome]) -> list[dict]:
    """A chunk is tried again while one of its reports hit a transient failure and retries remain
    (the reports it published are skipped the next time: their input key is recorded)."""
    if task_run.run_count <= RETRIES and (transient := [o for o in outcomes if o.transient]):
        raise TransientFailure("; ".join(o.message for o in transient))
    return [o.to_dict() for o in outcomes]


RETRYING = dict(cache_policy=NO_CACHE, retries=RETRIES, retry_delay_seconds=RETRY_DELAYS,
                retry_condition_fn=only_transient)


@task(name="process_reports", **RETRYING)
def reports_task(paths: list[str], portal: str, work_dir: str, force: bool, config: str, workers: int = 1,
                 on_outcome=None) -> list[dict]:
    """The engine's path on some reports; their validation artifacts are sent to the server by a
    thread beside it, so that a report's release never waits for the server's answer."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="artifacts") as uploads:
        def attach(candidate) -> None:
            uploads.submit(contextvars.copy_context().run, attach_validation, candidate)

        outcomes = process_reports(paths, portal, work_dir, force=force, config=config, render=False,
                                   on_checked=attach, on_outcome=on_outcome, workers=workers)
    return _all_retried(outcomes)


def chunks(files: list[str]) -> list[list[str]]:
    """For a distributed runner (Dask): at most BATCH reports a chunk, and at least one per core."""
    count = max(-(-len(files) // BATCH), min(len(files), os.cpu_count() or 2))
    size = -(-len(files) // count) if files else 1
    return [files[i:i + size] for i in range(0, len(files), size)]


def distributed() -> bool:
    """Whether this flow's tasks run on other processes (Dask), not on this one's threads."""
    from prefect.task_runners import ThreadPoolTaskRunner

    return not isinstance(FlowRunContext.get().task_runner, ThreadPoolTaskRunner)


@task(name="prepare", **RETRYING)
def prepare_task(path: str, portal: str, work_dir: str, force: bool, config: str) -> Candidate | dict:
    prepared = prepare(path, portal, work_dir, force=force, config=config, on_checked=attach_validation)
    return _retried(prepared) if isinstance(prepared, ReportOutcome) else prepared


@task(name="release", **RETRYING)
def release_task(candidate: Candidate, portal: str, decision: Decision | None) -> dict:
    return _retried(release(candidate, portal, decision=decision, render=False))


@task(cache_policy=NO_CACHE, retries=RETRIES, retry_delay_seconds=RETRY_DELAYS, retry_condition_fn=only_transient)
def render_task(portal: str) -> None:
    try:
        refresh_portal(portal)
    except OSError as exc:
        from ..pipeline import is_transient

        raise TransientFailure(str(exc)) if is_transient(exc) else exc


def run_reports(files: list[str], portal: str, work_dir: str, *, force: bool, config: str, approval: bool,
                approval_timeout: int) -> list[dict]:
    """Report files -> one outcome each (in the order given), the portal's pages refreshed once,
    a summary table artifact."""
    logger = get_run_logger()
    outcomes: list[dict] = []
    told: set[str] = set()

    def tell(outcome: dict) -> None:
        """One log line per report's outcome; the CLI's progress advances once per report."""
        steps = " ".join(f"{k}={v:.3f}s" for k, v in outcome["timings"].items())
        logger.info("report=%s status=%s facts=%d %s", outcome["report"], outcome["status"], outcome["facts"], steps)
        if outcome["report"] not in told:
            told.add(outcome["report"])
            for listener in LISTENERS:
                listener(outcome)

    def done(outcome: dict) -> None:
        outcomes.append(outcome)
        tell(outcome)

    if approval:
        _with_approval(files, portal, work_dir, force, config, approval_timeout, done)
    elif distributed():  # chunks spread over the runner's processes
        futures = {reports_task.submit(chunk, portal, work_dir, force, config): chunk for chunk in chunks(files)}
        for future in as_completed(futures):
            for outcome in _results(future, futures[future]):
                done(outcome)
    else:  # one task: the engine's worker processes prepare, its thread releases and tells each outcome
        future = reports_task.submit(files, portal, work_dir, force, config, os.cpu_count() or 1,
                                     lambda outcome: tell(outcome.to_dict()))
        outcomes = _results(future, files)
        for outcome in outcomes:
            if outcome["report"] not in told:  # the task failed before telling it
                tell(outcome)
    if any(o["status"] == "published" for o in outcomes):
        render_task(portal)  # the catalogue once for the whole batch
    order = {f: i for i, f in enumerate(files)}
    outcomes.sort(key=lambda o: order.get(o["report"], 0))
    from prefect.artifacts import create_table_artifact

    create_table_artifact(key=artifact_key("batch", "summary"), description=f"{len(files)} report(s)", table=[
        {k: o[k] for k in ("report", "status", "dataset", "version", "facts", "message")} for o in outcomes])
    return outcomes


def _with_approval(files, portal, work_dir, force, config, timeout, done) -> None:
    """prepare (concurrently) -> each publishable candidate waits for its steward (side by side)
    -> release; a blocked candidate goes straight to release, whose gate quarantines it."""
    prepared = {prepare_task.submit(f, portal, work_dir, force, config): f for f in files}
    releases, batch_run = {}, str(FlowRunContext.get().flow_run.id)
    with ThreadPoolExecutor(max_workers=MAX_WAITING, thread_name_prefix="steward") as stewards:
        reviews = {}
        for future in as_completed(prepared):
            candidate = _result(future, prepared[future])
            if isinstance(candidate, dict):
                done(candidate)
            elif candidate.publishable:  # each review a child flow run of this one (the context is copied)
                reviews[stewards.submit(contextvars.copy_context().run, steward_review, candidate.dataset,
                                        candidate.report, timeout, batch_run)] = candidate
            else:
                releases[release_task.submit(candidate, portal, None)] = candidate.report
        for review in threads_completed(reviews):
            candidate = reviews[review]
            try:
                decision = Decision(**review.result())
            except Exception as exc:  # noqa: BLE001 - the review run itself failed (server gone ...)
                done(_lost(candidate.report, exc))
                continue
            releases[release_task.submit(candidate, portal, decision)] = candidate.report
    for future in as_completed(releases):
        done(_result(future, releases[future]))


def _result(future, report: str):
    """A task's return value; a task that failed anyway (a crashed worker) is its report's outcome."""
    try:
        return future.result()
    except Exception as exc:  # noqa: BLE001
        return _lost(report, exc)


def _results(future, reports: list[str]) -> list[dict]:
    """A chunk task's outcomes; a chunk that failed anyway is each of its reports' outcome."""
    try:
        return future.result()
    except Exception as exc:  # noqa: BLE001
        return [_lost(report, exc) for report in reports]


def _lost(report: str, exc: Exception) -> dict:
    return ReportOutcome(report, "failed", 3 if isinstance(exc, TransientFailure) else 70,
                         f"{report}: {type(exc).__name__}: {exc}").to_dict()


def final_state(outcomes: list[dict], value=None):
    """The flow's return: its value when every report went through, else a Failed state whose
    message names each report that did not (the first three) and whose data keeps every outcome."""
    failed = [o for o in outcomes if o["exit_code"]]
    if not failed:
        return outcomes if value is None else value
    names = "; ".join(o["message"] for o in failed[:3]) + (f"; and {len(failed) - 3} more" if len(failed) > 3 else "")
    message = f"{len(failed)} of {len(outcomes)} report(s) not published: {names}"
    return Failed(message=message, data=ReportsFailed(message, outcomes))
