"""Human approval against a real Prefect server: the flow pauses after the checks, a steward
approves or rejects from a second process with the CLI, and only an approval publishes."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from .conftest import SEED
from .test_cli import tree_digest

pytestmark = pytest.mark.slow
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def prefect_server(tmp_path_factory):
    """`prefect server start` on 127.0.0.1, stopped by its PID after the module."""
    home = tmp_path_factory.mktemp("prefect-server")
    port = free_port()
    env = {**os.environ, "PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
           "PREFECT_SERVER_UI_ENABLED": "false", "PREFECT_LOGGING_LEVEL": "WARNING"}
    env.pop("PREFECT_API_URL", None)
    log = open(home / "server.log", "w")
    proc = subprocess.Popen([str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
                            env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/api"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=1) as r:
                if r.status == 200:
                    break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("the Prefect server did not start: " + (home / "server.log").read_text()[-2000:])
    yield {**env, "PREFECT_API_URL": url}
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


def paused_run_id(env: dict, timeout: float = 120) -> str:
    """Ask the server (REST, as the UI does) for the flow run waiting in state Paused."""
    body = json.dumps({"flow_runs": {"state": {"name": {"any_": ["Paused"]}}}}).encode()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        req = urllib.request.Request(f"{env['PREFECT_API_URL']}/flow_runs/filter", data=body,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=5) as r:
            runs = json.loads(r.read())
        if runs:
            return runs[0]["id"]
        time.sleep(1)
    raise AssertionError("no flow run reached the Paused state")


def start_run(env: dict, tmp_path: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [str(BIN / "reportpub"), "run", str(SEED), "--portal", str(tmp_path / "portal"),
         "--work-dir", str(tmp_path / "build"), "--require-approval", "--approval-timeout", "300"],
        env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def test_approved_release_publishes(prefect_server, tmp_path):
    run = start_run(prefect_server, tmp_path)
    run_id = paused_run_id(prefect_server)
    assert not (tmp_path / "portal/datasets/bda-2022-work-summary/latest").exists()
    decided = subprocess.run([str(BIN / "reportpub"), "approve", run_id], env=prefect_server,
                             capture_output=True, text=True, timeout=60)
    assert decided.returncode == 0, decided.stderr
    out, _ = run.communicate(timeout=180)
    assert run.returncode == 0, out
    assert (tmp_path / "portal/datasets/bda-2022-work-summary/latest/data/facts.csv").is_file()


def test_rejected_release_publishes_nothing_and_keeps_the_reason(prefect_server, tmp_path):
    portal = tmp_path / "portal"
    before = tree_digest(portal)
    run = start_run(prefect_server, tmp_path)
    run_id = paused_run_id(prefect_server)
    decided = subprocess.run([str(BIN / "reportpub"), "reject", run_id, "--reason", "增长率读错了"],
                             env=prefect_server, capture_output=True, text=True, timeout=60)
    assert decided.returncode == 0, decided.stderr
    out, _ = run.communicate(timeout=180)
    assert run.returncode == 1, out
    assert "rejected" in out
    assert not (portal / "datasets/bda-2022-work-summary/latest").exists()
    log = json.loads((portal / "datasets/bda-2022-work-summary/rejected.json").read_text(encoding="utf-8"))
    assert log[-1]["reason"] == "增长率读错了"
    after = {k: v for k, v in tree_digest(portal).items() if not k.endswith("rejected.json") and k != ".lock"}
    assert after == {k: v for k, v in before.items() if k != ".lock"}


def test_approving_an_unknown_run_is_a_clear_error(prefect_server):
    proc = subprocess.run([str(BIN / "reportpub"), "approve", "not-a-run"], env=prefect_server,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "not a flow run id" in proc.stderr
