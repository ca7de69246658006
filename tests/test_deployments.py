"""The deployments of prefect.yaml on a real Prefect server, as an operator runs them: a process
work pool, `prefect deploy --all`, a worker, runs triggered by deployment name, the portal checked.
And what the operator sees when the Prefect server stops in the middle of a run, and that running
again once it is back finishes the work."""

import json
import re
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from .conftest import REPORTS, ROOT
from .prefect_server import BIN, api, stop

pytestmark = pytest.mark.slow
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def prefect(env: dict, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    proc = subprocess.run([str(BIN / "prefect"), "--no-prompt", *args], env=env, cwd=cwd, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, f"prefect {' '.join(args)}:\n{proc.stdout}\n{proc.stderr}"
    return proc


def final_state(env: dict, run_id: str, timeout: float = 400) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = api(env, "flow_runs/filter", {"flow_runs": {"id": {"any_": [run_id]}}})[0]
        if run["state"]["type"] in ("COMPLETED", "FAILED", "CRASHED", "CANCELLED"):
            return run["state"]
        time.sleep(1)
    raise AssertionError(f"flow run {run_id} not finished after {timeout} s: {run['state']}")


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """The operator's folder ($REPORTPUB_HOME): prefect.yaml, the entrypoints and the example reports."""
    home = tmp_path_factory.mktemp("reportpub-home")
    shutil.copy(ROOT / "prefect.yaml", home)
    shutil.copytree(ROOT / "flows", home / "flows", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(REPORTS, home / "examples" / "reports")
    return home


def test_deploy_all_run_by_a_worker_publishes_the_portal(prefect_server, project):
    env = {**prefect_server.env, "REPORTPUB_HOME": str(project), "PREFECT_WORKER_QUERY_SECONDS": "2",
           "PREFECT_LOGGING_LEVEL": "INFO"}
    prefect(env, "work-pool", "create", "reportpub-local", "--type", "process", cwd=project)
    # the worker starts (a few seconds of imports) while the operator deploys; it polls the pool
    log = open(project / "worker.log", "w")
    worker = subprocess.Popen([str(BIN / "prefect"), "worker", "start", "--pool", "reportpub-local"], env=env,
                              cwd=project, stdout=log, stderr=subprocess.STDOUT)
    try:
        deployed = prefect(env, "deploy", "--all", cwd=project)
        for name in ("publish_report/one-report", "publish_batch/folder", "watch_inbox/inbox"):
            assert name in deployed.stdout, deployed.stdout
        with ThreadPoolExecutor(max_workers=2) as operators:  # two terminals, one run triggered in each
            runs = list(operators.map(lambda name: UUID.search(prefect(env, "deployment", "run", name,
                                                                       cwd=project).stdout).group(),
                                      ("publish_report/one-report", "publish_batch/folder")))
        states = [final_state(env, run_id) for run_id in runs]
    finally:
        stop(worker)
    assert [s["type"] for s in states] == ["COMPLETED", "COMPLETED"], (states, (project / "worker.log").read_text())
    portal = project / "portal"
    names = sorted(p.name for p in (portal / "datasets").iterdir())
    assert names == ["bda-2022-work-summary", "daqing-2016h1-economy", "national-2023-gwr"]
    for name in names:
        assert (portal / "datasets" / name / "latest/data/facts.parquet").is_file()
        assert f"datasets/{name}/" in (portal / "index.html").read_text(encoding="utf-8")
    artifacts = api(env, "artifacts/filter", {"artifacts": {"flow_run_id": {"any_": runs}}})
    assert {"validation-bda-2022-work-summary", "validation-national-2023-gwr"} <= {a["key"] for a in artifacts}


def test_the_server_stops_mid_run_the_operator_is_told_and_a_rerun_finishes(prefect_server, tmp_path):
    sys.path.insert(0, str(ROOT))
    from benchmarks.corpus import write_corpus

    reports = tmp_path / "reports"
    write_corpus(reports, 6)
    env, portal = prefect_server.env, tmp_path / "portal"
    # The Prefect client retries a lost server for about a minute per call (a quick restart costs a
    # pause); the operator who wants to know at once sets no retries, as here.
    run = subprocess.Popen([str(BIN / "reportpub"), "run", str(reports), "--portal", "portal"],
                           env={**env, "PREFECT_CLIENT_MAX_RETRIES": "0"}, cwd=tmp_path,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 300
    while not (portal / "datasets").is_dir() or not any((portal / "datasets").iterdir()):
        assert run.poll() is None and time.monotonic() < deadline, run.communicate()
        time.sleep(0.2)
    prefect_server.stop()  # the Prefect server goes away in the middle of the batch
    started = time.monotonic()
    try:
        out, err = run.communicate(timeout=400)
    finally:
        run.kill()
    published = {p.name for p in (portal / "datasets").iterdir() if (p / "latest").exists()}
    told = [line for line in err.splitlines() if line.startswith("reportpub run: the flow run could not finish")]
    print(f"operator sees, {time.monotonic() - started:.0f} s after the server stopped: exit {run.returncode}; "
          f"{told}; last line of stderr: {err.strip().splitlines()[-1][:300]}")
    assert run.returncode == 3, out + err
    assert len(told) == 1 and "run the same command again" in told[0].lower(), err
    assert "Traceback" not in err
    assert published

    prefect_server.start()  # the operator starts it again ...
    again = subprocess.run([str(BIN / "reportpub"), "run", str(reports), "--portal", "portal"], env=env, cwd=tmp_path,
                           capture_output=True, text=True, timeout=600)  # ... and runs the same command
    assert again.returncode == 0, again.stdout + again.stderr
    datasets = {p.name for p in (portal / "datasets").iterdir()}
    assert published <= datasets and len(datasets) == 6
    assert all((portal / "datasets" / name / "latest/data/facts.parquet").is_file() for name in datasets)
    history = [json.loads((p / "history.json").read_text()) for p in (portal / "datasets").iterdir()]
    assert all(len(h) == 1 for h in history)  # each report published once, none twice
