"""Prefect flows for many reports: `publish_batch` (files and folders) and `watch_inbox`.

The reports of a batch run concurrently on the flow's task runner (threads by default, a Dask
cluster with `task_runner=DaskTaskRunner(...)` for several cores or machines); one report's
failure is only that report's outcome (and makes the run Failed, naming it). Unchanged reports
are skipped unless `force`.
"""

from __future__ import annotations

import os
from pathlib import Path

from prefect import flow
from prefect.task_runners import ThreadPoolTaskRunner

from ..pipeline import config_hash, report_files
from .approval import approval_required
from .tasks import LISTENERS, ReportsFailed, final_state, run_reports  # noqa: F401 - LISTENERS: the CLI's progress bar


@flow(name="publish_batch", task_runner=ThreadPoolTaskRunner(max_workers=os.cpu_count() or 2))
def publish_batch(report_paths: list[str], portal: str = "portal", work_dir: str = "build", force: bool = False,
                  require_approval: bool | None = None, approval_timeout: int = 3600) -> list[dict]:
    """Files and folders of reports -> one outcome per report; validation artifacts per dataset."""
    files = [str(p) for p in report_files(report_paths)]
    outcomes = run_reports(files, portal, work_dir, force=force, config=config_hash(),
                           approval=approval_required(require_approval), approval_timeout=approval_timeout)
    return final_state(outcomes)


@flow(name="watch_inbox")
def watch_inbox(inbox: str = "inbox", portal: str = "portal", work_dir: str = "build",
                require_approval: bool | None = None, approval_timeout: int = 3600) -> list[dict]:
    """Publish whatever is new or changed in an inbox folder (run it on a schedule)."""
    Path(inbox).mkdir(parents=True, exist_ok=True)
    state = publish_batch([inbox], portal=portal, work_dir=work_dir, require_approval=require_approval,
                          approval_timeout=approval_timeout, return_state=True)
    result = state.result(raise_on_failure=False)
    if isinstance(result, ReportsFailed):
        return final_state(result.outcomes)  # this run fails as its batch did, with the same line
    if isinstance(result, BaseException):
        raise result
    return result


def on_runner(workers: int = 0, dask_address: str | None = None):
    """publish_batch on the task runner asked for: threads (default), a local Dask cluster of
    `workers` processes, or the Dask scheduler at `dask_address`."""
    if not (workers or dask_address):
        return publish_batch
    from prefect_dask import DaskTaskRunner

    runner = DaskTaskRunner(address=dask_address) if dask_address else DaskTaskRunner(
        cluster_kwargs={"n_workers": workers, "threads_per_worker": 1, "processes": True})
    return publish_batch.with_options(task_runner=runner)


def server_lost(exc: BaseException) -> bool:
    """An error from talking to the Prefect server (gone, refusing), not from the reports."""
    import httpx
    from prefect.exceptions import PrefectHTTPStatusError

    return isinstance(exc, (httpx.HTTPError, PrefectHTTPStatusError, OSError))
