"""Reports prepared by worker processes while the calling process releases them, in input order.

Preparing (ingest, extract, correct, build, validate) is nearly all of a report's cost and needs
nothing but its own files; releasing writes the portal and must happen one report after the other.
So `process_reports(workers=N)` hands rounds of `batch` reports to N forked processes (a fork
starts warm: imports and the expectation suites are already loaded) and releases their
candidates here, in order. Each round builds into its own folder under `<work_dir>/.rounds/`, so
two editions of one dataset in different rounds never write the same package; a released round's
packages then move to `<work_dir>/<dataset>/`, where one process would have left them.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

log = logging.getLogger("reportpub.steps")
ROUNDS = ".rounds"


def prepared_in_workers(paths: list[str], portal, work_dir, *, force: bool, config: str | None, batch: int,
                        workers: int) -> Iterator[list[tuple[int, object]]]:
    """Reports -> rounds of (index, Candidate | ReportOutcome) in input order, prepared by `workers`
    processes; a round whose process died is prepared here instead. Never raises."""
    starts = range(0, len(paths), batch)
    with _pool(workers) as pool:
        futures = [pool.submit(_prepare_round, paths[s:s + batch], s, portal, work_dir, force, config, batch)
                   for s in starts]
        for start, future in zip(starts, futures):
            try:
                yield future.result()
            except Exception as exc:  # noqa: BLE001 - a worker killed (out of memory...): do its round here
                log.warning("round of reports %d-%d: its worker failed (%s); prepared here instead",
                            start + 1, start + batch, exc)
                yield _prepare_round(paths[start:start + batch], start, portal, work_dir, force, config, batch)


def _prepare_round(paths: list[str], start: int, portal, work_dir, force: bool, config: str | None,
                   batch: int) -> list[tuple[int, object]]:
    from .pipeline import prepare_rounds

    return [(start + i, prepared) for round_ in prepare_rounds(paths, portal, _round_dir(work_dir, start),
                                                                force=force, config=config, batch=batch)
            for i, prepared in round_]


@contextmanager
def _pool(workers: int) -> Iterator[ProcessPoolExecutor]:
    """Forked workers (they start with what this process imported), logging to stderr only.

    This process's objects are frozen out of the garbage collector while the workers live: a
    collection in a worker walks every object it tracks, writing to each, so the pages it shares
    with this process were copied one by one and a worker's memory grew with each round it did
    (Python's gc.freeze documentation describes exactly this use)."""
    gc.freeze()
    try:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"),
                                 initializer=_worker_logging) as pool:
            yield pool
    finally:
        gc.unfreeze()


def _round_dir(work_dir, start: int) -> Path:
    return Path(work_dir) / ROUNDS / str(start)


def _worker_logging() -> None:
    """A worker logs to stderr only: handlers inherited from the parent (a Prefect run's API
    handler among them) belong to threads the fork did not copy."""
    for name in (None, "reportpub", "prefect"):
        logger = logging.getLogger(name)
        for handler in list(logger.handlers):
            logger.removeHandler(handler)
    logging.basicConfig(level=logging.WARNING)


def settle(package: Path, work_dir) -> None:
    """A round's package -> `<work_dir>/<dataset>/` (the previous build of that dataset replaced)."""
    package, work_dir = Path(package), Path(work_dir)
    if ROUNDS not in package.parts or not package.is_dir():
        return
    dest = work_dir / package.name
    if dest.exists():
        shutil.rmtree(dest)
    package.rename(dest)


def clean_rounds(work_dir) -> None:
    shutil.rmtree(Path(work_dir) / ROUNDS, ignore_errors=True)


def each_in_processes(fn, items: list[tuple], workers: int, *, least: int = 8) -> None:
    """fn(*item) for every item: in `workers` forked processes when there are at least `least`
    items (fewer are not worth forking for), here otherwise. The first error raises here, as it
    would in one process."""
    if workers <= 1 or len(items) < least:
        for item in items:
            fn(*item)
        return
    with _pool(workers) as pool:
        for future in [pool.submit(fn, *item) for item in items]:
            future.result()
