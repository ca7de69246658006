"""Prefect flows for many reports: `publish_batch` (files and folders) and `watch_inbox`.

Each task runs every engine stage for a chunk of reports (`reportpub.pipeline.process_reports`:
their packages are validated together, a suite run costing mostly set-up), so the chunks of a
batch run concurrently on the flow's task runner (threads by default, a Dask cluster with
`task_runner=DaskTaskRunner(...)` for several cores or machines) and one report's failure is
only that report's outcome. Unchanged reports are skipped unless `force`.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.futures import as_completed
from prefect.task_runners import ThreadPoolTaskRunner

from reportpub.pipeline import BATCH, config_hash, process_reports, report_files
from reportpub.publish import refresh_portal

# The CLI registers a callback here to draw its progress bar; it is called in the flow's process.
LISTENERS: list[Callable[[dict], None]] = []


@task(cache_policy=NO_CACHE)
def process_task(paths: list[str], portal: str, work_dir: str, force: bool, config: str) -> list[dict]:
    return [o.to_dict() for o in process_reports(paths, portal, work_dir, force=force, config=config, render=False)]


@task(cache_policy=NO_CACHE, retries=2, retry_delay_seconds=[1, 5])
def render_task(portal: str) -> None:
    refresh_portal(portal)


@flow(name="publish_batch", task_runner=ThreadPoolTaskRunner(max_workers=os.cpu_count() or 2))
def publish_batch(report_paths: list[str], portal: str = "portal", work_dir: str = "build",
                  force: bool = False) -> list[dict]:
    """Files and folders of reports -> one outcome per report; a summary table artifact."""
    logger = get_run_logger()
    files = [str(p) for p in report_files(report_paths)]
    config = config_hash()
    # chunks of at most BATCH reports, and at least one per core, so that a small batch still spreads
    count = max(-(-len(files) // BATCH), min(len(files), os.cpu_count() or 2))
    size = -(-len(files) // count) if files else 1
    chunks = [files[i:i + size] for i in range(0, len(files), size)]
    futures = [process_task.submit(chunk, portal, work_dir, force, config) for chunk in chunks]
    outcomes = []
    for outcome in (o for future in as_completed(futures) for o in future.result()):
        outcomes.append(outcome)
        steps = " ".join(f"{k}={v:.3f}s" for k, v in outcome["timings"].items())
        logger.info("report=%s status=%s facts=%d %s", outcome["report"], outcome["status"], outcome["facts"], steps)
        for listener in LISTENERS:
            listener(outcome)
    if any(o["status"] == "published" for o in outcomes):
        render_task(portal)  # the catalogue once for the whole batch
    order = {f: i for i, f in enumerate(files)}
    outcomes.sort(key=lambda o: order.get(o["report"], 0))
    create_table_artifact(key="batch-summary", description=f"{len(files)} report(s)", table=[
        {k: o[k] for k in ("report", "status", "dataset", "version", "facts", "message")} for o in outcomes])
    return outcomes


@flow(name="watch_inbox")
def watch_inbox(inbox: str = "inbox", portal: str = "portal", work_dir: str = "build") -> list[dict]:
    """Publish whatever is new or changed in an inbox folder (run it on a schedule)."""
    Path(inbox).mkdir(parents=True, exist_ok=True)
    return publish_batch([inbox], portal=portal, work_dir=work_dir)
