"""A real Prefect run of the flow (temporary local server from prefect_test_harness)."""

import pytest

from .conftest import SEED


@pytest.fixture
def harness(prefect_harness):
    yield


def test_flow_publishes_and_records_an_artifact(harness, tmp_path):
    from prefect.client.orchestration import get_client

    from flows.publish_report import publish_report

    state = publish_report(str(SEED), portal=str(tmp_path / "portal"), work_dir=str(tmp_path / "build"),
                           return_state=True)
    outcome = state.result()
    assert outcome["exit_code"] == 0, outcome
    assert (tmp_path / "portal/datasets/bda-2022-work-summary/latest/data/facts.parquet").is_file()

    import anyio

    async def artifacts():
        async with get_client() as client:
            return await client.read_artifacts()

    keys = [a.key for a in anyio.run(artifacts)]
    assert "validation-bda-2022-work-summary" in keys


def test_flow_reports_bad_input_without_publishing(harness, tmp_path):
    from flows.publish_report import publish_report

    bad = tmp_path / "empty.txt"
    bad.write_bytes(b"")
    outcome = publish_report(str(bad), portal=str(tmp_path / "portal"), work_dir=str(tmp_path / "build"))
    assert outcome["exit_code"] == 2 and "empty" in outcome["message"]
    assert not (tmp_path / "portal").exists()
