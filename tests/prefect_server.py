"""A real `prefect server` for the tests that need one outside the test process (approval,
deployments): started on a free port of 127.0.0.1, stopped by its process id."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(home: Path, port: int) -> subprocess.Popen:
    env = {**os.environ, "PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
           "PREFECT_SERVER_UI_ENABLED": "false", "PREFECT_LOGGING_LEVEL": "WARNING"}
    env.pop("PREFECT_API_URL", None)
    log = open(home / "server.log", "a")
    return subprocess.Popen([str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
                            env=env, stdout=log, stderr=subprocess.STDOUT)


def wait_healthy(url: str, proc: subprocess.Popen, home: Path, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=1) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    proc.kill()
    pytest.fail("the Prefect server did not start: " + (home / "server.log").read_text()[-2000:])


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


class Server:
    """A `prefect server start` process; `env` is the environment of a process that uses it."""

    def __init__(self, home: Path):
        self.home, self.port = home, free_port()
        self.url = f"http://127.0.0.1:{self.port}/api"
        self.env = {**os.environ, "PREFECT_HOME": str(home), "PREFECT_API_URL": self.url,
                    "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
        self.start()

    def start(self) -> None:
        """Start (again, on the same port and database) and wait until it answers."""
        self.proc = start_server(self.home, self.port)
        wait_healthy(self.url, self.proc, self.home)

    def stop(self) -> None:
        stop(self.proc)


@pytest.fixture(scope="session")
def prefect_server(tmp_path_factory):
    """One real Prefect server for every test that needs one outside the test process (approval,
    deployments: a start costs half a minute), stopped by its process id after them."""
    server = Server(tmp_path_factory.mktemp("prefect-server"))
    yield server
    server.stop()


def api(env: dict, path: str, body: dict) -> list:
    req = urllib.request.Request(f"{env['PREFECT_API_URL']}/{path}", data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read())
