"""Batch runs: failures isolated, unchanged reports skipped, a local Dask cluster of two workers,
and deployments whose entrypoints load."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from .conftest import REPORTS, ROOT
from .test_cli import tree_digest

BIN = Path(sys.executable).parent


def reportpub(*args, cwd, env=None):
    return subprocess.run([str(BIN / "reportpub"), *args], cwd=cwd, capture_output=True, text=True, timeout=600,
                          env=env)


@pytest.fixture
def server_env(prefect_harness):
    """The environment of a second process that uses the test session's Prefect server."""
    from prefect.settings import PREFECT_API_URL

    return {**os.environ, "PREFECT_API_URL": PREFECT_API_URL.value()}


@pytest.fixture
def inbox(tmp_path):
    folder = tmp_path / "inbox"
    folder.mkdir()
    for f in REPORTS.iterdir():
        if f.suffix in (".txt", ".json"):
            shutil.copy(f, folder)
    return folder


def test_a_corrupt_file_fails_alone_and_a_second_run_does_no_work(inbox, tmp_path, server_env):
    (inbox / "broken.txt").write_bytes(b"\x00\x01\x02\xff\xfe" * 50)
    first = reportpub("run", str(inbox), "--portal", "portal", cwd=tmp_path, env=server_env)
    assert first.returncode == 1, first.stdout + first.stderr
    assert "broken.txt" in first.stderr and "binary" in first.stderr
    names = sorted(p.name for p in (tmp_path / "portal/datasets").iterdir())
    assert names == ["bda-2022-work-summary", "daqing-2016h1-economy", "national-2023-gwr"]

    (inbox / "broken.txt").unlink()
    before = tree_digest(tmp_path / "portal")
    second = reportpub("run", str(inbox), "--portal", "portal", cwd=tmp_path, env=server_env)
    assert second.returncode == 0, second.stderr
    assert "nothing to do" in second.stdout
    assert tree_digest(tmp_path / "portal") == before

    forced = reportpub("run", str(inbox), "--portal", "portal", "--force", cwd=tmp_path, env=server_env)
    assert forced.returncode == 0 and forced.stdout.count("unchanged, already published") == 3


def test_batch_on_a_local_dask_cluster_of_two_workers(inbox, tmp_path, prefect_harness):
    from prefect_dask import DaskTaskRunner

    from reportpub.flows.batch import publish_batch

    runner = DaskTaskRunner(cluster_kwargs={"n_workers": 2, "threads_per_worker": 1, "processes": True})
    outcomes = publish_batch.with_options(task_runner=runner)(
        [str(inbox)], portal=str(tmp_path / "portal"), work_dir=str(tmp_path / "build"))
    assert [o["status"] for o in outcomes] == ["published"] * 3
    assert len({o["worker"] for o in outcomes}) == 2  # the reports ran in two worker processes
    for o in outcomes:
        assert (tmp_path / "portal/datasets" / o["dataset"] / "latest/data/facts.parquet").is_file()


def test_every_deployment_entrypoint_loads():
    from prefect.flows import load_flow_from_entrypoint

    spec = yaml.safe_load((ROOT / "prefect.yaml").read_text(encoding="utf-8"))
    names = set()
    for dep in spec["deployments"]:
        flow = load_flow_from_entrypoint(str(ROOT / dep["entrypoint"]))
        assert set(dep.get("parameters", {})) <= set(flow.parameters.properties), dep["name"]
        names.add(dep["name"])
    assert names == {"one-report", "folder", "inbox"}
    assert spec["deployments"][2]["schedules"][0]["interval"] > 0


def test_only_the_flows_subpackage_imports_prefect():
    """The engine is plain Python: Prefect is imported in reportpub/flows/ and nowhere else in src/."""
    import re

    src = ROOT / "src" / "reportpub"
    importing = sorted(str(p.relative_to(src)) for p in src.rglob("*.py")
                       if re.search(r"^\s*(from|import) prefect", p.read_text(encoding="utf-8"), re.M))
    assert importing and all(p.startswith("flows/") for p in importing), importing
    for entrypoint in (ROOT / "flows").glob("*.py"):  # the deployment entrypoints only re-export
        text = entrypoint.read_text(encoding="utf-8")
        assert "@flow" not in text and "@task" not in text, entrypoint
