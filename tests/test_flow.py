"""Real Prefect runs of the flows (temporary local server from prefect_test_harness): one path
through the engine, the run's state, validation artifacts, retries only for transient I/O."""

import errno
import shutil

import anyio
import pytest

from .conftest import REPORTS, SEED


@pytest.fixture
def harness(prefect_harness):
    yield


def artifact_keys(flow_run_id) -> set[str]:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    async def read():
        async with get_client() as client:
            return await client.read_artifacts(
                artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id])))

    return {a.key for a in anyio.run(read)}


def test_flow_publishes_and_records_an_artifact(harness, tmp_path):
    from reportpub.flows.report import publish_report

    state = publish_report(str(SEED), portal=str(tmp_path / "portal"), work_dir=str(tmp_path / "build"),
                           return_state=True)
    outcome = state.result()
    assert state.is_completed() and outcome["exit_code"] == 0, outcome
    assert (tmp_path / "portal/datasets/bda-2022-work-summary/latest/data/facts.parquet").is_file()
    assert "validation-bda-2022-work-summary" in artifact_keys(state.state_details.flow_run_id)


def test_bad_input_fails_the_flow_run_with_its_reason(harness, tmp_path):
    from reportpub.flows.report import publish_report

    bad = tmp_path / "empty.txt"
    bad.write_bytes(b"")
    state = publish_report(str(bad), portal=str(tmp_path / "portal"), work_dir=str(tmp_path / "build"),
                           return_state=True)
    assert state.is_failed()
    assert "empty.txt" in state.message and "empty" in state.message.split("empty.txt", 1)[1]
    assert "\n" not in state.message
    failure = state.result(raise_on_failure=False)
    assert failure.outcomes[0]["exit_code"] == 2
    assert not (tmp_path / "portal").exists()


def test_a_batch_fails_for_one_report_publishes_the_rest_and_attaches_every_validation(harness, tmp_path):
    from reportpub.flows.batch import publish_batch

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for f in REPORTS.glob("*.txt*"):  # each report with its .meta.json
        shutil.copy(f, inbox)
    (inbox / "broken.txt").write_bytes(b"\x00\x01\x02\xff\xfe" * 50)
    state = publish_batch([str(inbox)], portal=str(tmp_path / "portal"), work_dir=str(tmp_path / "build"),
                          return_state=True)
    assert state.is_failed() and state.message.startswith("1 of 4 report(s) not published: ")
    assert "broken.txt" in state.message
    outcomes = state.result(raise_on_failure=False).outcomes
    published = sorted(o["dataset"] for o in outcomes if o["status"] == "published")
    assert published == ["bda-2022-work-summary", "daqing-2016h1-economy", "national-2023-gwr"]
    keys = artifact_keys(state.state_details.flow_run_id)
    for name in published:
        assert f"validation-{name}" in keys


def test_a_transient_io_error_is_retried_and_a_lasting_one_is_not(harness, tmp_path, monkeypatch):
    import reportpub.publish
    from reportpub.flows.report import publish_report

    real, calls = reportpub.publish.publish, []

    def flaky(*args, **kwargs):  # a network share that times out once: cannot be produced for real
        calls.append(1)
        if len(calls) == 1:
            raise OSError(errno.ETIMEDOUT, "Connection timed out", "portal/.lock")
        return real(*args, **kwargs)

    monkeypatch.setattr(reportpub.publish, "publish", flaky)
    state = publish_report(str(SEED), portal=str(tmp_path / "portal"), work_dir=str(tmp_path / "build"),
                           return_state=True)
    assert state.is_completed() and len(calls) == 2

    def refused(*args, **kwargs):
        calls.append(1)
        raise PermissionError(errno.EACCES, "Permission denied", "portal/datasets")

    calls.clear()
    monkeypatch.setattr(reportpub.publish, "publish", refused)
    state = publish_report(str(SEED), portal=str(tmp_path / "portal2"), work_dir=str(tmp_path / "build2"),
                           return_state=True)
    assert state.is_failed() and "Permission denied" in state.message
    assert len(calls) == 1


def test_the_inbox_flow_ends_in_its_batch_state(harness, tmp_path):
    from reportpub.flows.batch import watch_inbox

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "broken.txt").write_bytes(b"\x00\x01\x02\xff\xfe" * 50)
    state = watch_inbox(inbox=str(inbox), portal=str(tmp_path / "portal"), work_dir=str(tmp_path / "build"),
                        return_state=True)
    assert state.is_failed() and state.message.startswith("1 of 1 report(s) not published: ") \
        and "broken.txt" in state.message, state.message
