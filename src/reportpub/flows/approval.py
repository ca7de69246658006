"""A steward's approval: each release that passed the checks waits in its own paused flow run
(`steward_review`, a child of the flow that built it), so the releases of a batch wait side by
side and are approved or rejected one by one, by run id or by the batch's run id.
"""

from __future__ import annotations

import getpass
import os
import shlex
import time
from dataclasses import dataclass
from uuid import UUID

from prefect import flow, get_run_logger
from prefect.context import FlowRunContext
from prefect.exceptions import FlowPauseTimeout
from prefect.flow_runs import pause_flow_run
from prefect.input import RunInput

from ..errors import ReportpubError
from ..pipeline import Decision

REVIEW_FLOW = "steward_review"
SETTLE_SECONDS = 20  # how long `approve` waits for an announced review to reach its pause


class StewardDecision(RunInput):
    """What a data steward answers to a release waiting for approval (the Prefect UI shows this form)."""

    approved: bool
    reason: str = ""
    by: str = ""


class ApprovalError(ReportpubError):
    """A run id that names no waiting release: the command says so in one line (exit 2)."""

    stage = "approve"


def approval_required(require_approval: bool | None) -> bool:
    """The option when given, else the policy's `approval: required`."""
    if require_approval is not None:
        return require_approval
    from ..validate import load_policy

    return load_policy().approval == "required"


def commands(run_id: str, batch_run: str = "") -> str:
    """The exact commands a steward types, pointed at this server when there is one."""
    api = os.environ.get("PREFECT_API_URL")
    prefix = f"PREFECT_API_URL={shlex.quote(api)} " if api else ""
    text = f"{prefix}reportpub approve {run_id} --reason TEXT  |  {prefix}reportpub reject {run_id} --reason TEXT"
    return text + (f"  |  every release of this run: {prefix}reportpub approve {batch_run} --all" if batch_run else "")


@flow(name=REVIEW_FLOW, flow_run_name="approval-{dataset}")
def steward_review(dataset: str, report: str, timeout: int = 3600, batch_run: str = "") -> dict:
    """Pause until a steward decides; no decision within `timeout` seconds is a rejection."""
    run_id = str(FlowRunContext.get().flow_run.id)
    # WARNING: the level `reportpub run` shows on the terminal, and every flow log keeps
    get_run_logger().warning("%s (%s) passed the checks and waits for a steward, flow run %s: %s",
                             dataset, report, run_id, commands(run_id, batch_run))
    try:
        answer = pause_flow_run(wait_for_input=StewardDecision, timeout=timeout, poll_interval=1,
                                key=f"approval-{dataset}")
    except FlowPauseTimeout:
        return vars(Decision(False, f"no decision within {timeout} s", "", run_id))
    return vars(Decision(answer.approved, answer.reason, answer.by, run_id))


# --- the steward's side: find what waits, and decide -------------------------------------------

@dataclass(frozen=True)
class Waiting:
    run_id: str
    dataset: str
    report: str


def waiting_releases(run_id: str) -> list[Waiting]:
    """A run id -> the releases waiting in it: itself when it is a paused review, else its
    paused children (a batch's, a one-report flow's). An id naming no flow run is an ApprovalError.

    A review announces itself on the terminal just before it pauses, so a steward who types the
    printed command at once can be a moment early: reviews still running are given up to
    `SETTLE_SECONDS` to reach their pause before the answer is read."""
    from prefect import get_client
    from prefect.exceptions import ObjectNotFound

    try:
        uid = UUID(run_id)
    except ValueError:
        raise ApprovalError(f"{run_id!r} is not a flow run id (ids look like 0b6a1c3e-5f0e-4c8d-9d59-2f1f1a3b7c11)") \
            from None
    with get_client(sync_client=True) as client:
        try:
            run = client.read_flow_run(uid)
        except ObjectNotFound:
            raise ApprovalError(f"no flow run {run_id} on {_server()}") from None
        is_review = client.read_flow(run.flow_id).name == REVIEW_FLOW
        deadline = time.monotonic() + SETTLE_SECONDS
        while True:
            if run.state and run.state.is_paused():
                return [_waiting(run)]
            reviews = [] if is_review else _reviews_under(client, uid)
            settling = _about_to_pause(run) if is_review else any(map(_about_to_pause, reviews))
            if not settling or time.monotonic() > deadline:
                break
            time.sleep(0.5)
            run = client.read_flow_run(uid)
        paused = [r for r in reviews if r.state and r.state.is_paused()]
        if not paused:
            state = run.state.name if run.state else "unknown"
            raise ApprovalError(f"flow run {run_id} ({run.name}, {state}) has no release waiting for a steward")
        return sorted((_waiting(r) for r in paused), key=lambda w: w.dataset)


def _reviews_under(client, uid: UUID) -> list:
    """The steward reviews that are children of flow run `uid`, in any state."""
    from prefect.client.schemas.filters import (FlowFilter, FlowFilterName, FlowRunFilter,
                                                FlowRunFilterParentFlowRunId)

    return client.read_flow_runs(
        flow_filter=FlowFilter(name=FlowFilterName(any_=[REVIEW_FLOW])),
        flow_run_filter=FlowRunFilter(parent_flow_run_id=FlowRunFilterParentFlowRunId(any_=[uid])))


def _about_to_pause(run) -> bool:
    """A review that has not paused yet and has not finished: it announced itself, or will."""
    return run.state is not None and (run.state.is_running() or run.state.is_pending() or run.state.is_scheduled())


def decide(waiting: Waiting, approved: bool, reason: str) -> None:
    """Resume one paused review with the steward's decision (the user name is recorded)."""
    from prefect.exceptions import NotPausedError, ObjectNotFound
    from prefect.flow_runs import resume_flow_run

    try:
        resume_flow_run(UUID(waiting.run_id), run_input={"approved": approved, "reason": reason,
                                                          "by": getpass.getuser()})
    except (NotPausedError, ObjectNotFound, RuntimeError) as exc:
        raise ApprovalError(f"flow run {waiting.run_id} ({waiting.dataset}) no longer waits: "
                            f"{type(exc).__name__}: {exc or 'decided already or timed out'}") from None


def _waiting(run) -> Waiting:
    params = run.parameters or {}
    return Waiting(str(run.id), params.get("dataset", run.name), params.get("report", ""))


def _server() -> str:
    return os.environ.get("PREFECT_API_URL") or "the local Prefect (PREFECT_API_URL is not set)"
