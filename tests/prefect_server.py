"""A real `prefect server` for the tests that need one outside the test process (approval,
deployments): started on a free port of 127.0.0.1, stopped by its process id.

A start costs ~17 CPU-s (imports, the database's migrations), so the session's server is started as
soon as collection shows that a selected test needs it (`start_early`): it comes up on the second
core while the tests before the first that uses it run on the first.
"""

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

    def __init__(self, home: Path, *, wait: bool = True):
        self.home, self.port = home, free_port()
        self.url = f"http://127.0.0.1:{self.port}/api"
        self.env = {**os.environ, "PREFECT_HOME": str(home), "PREFECT_API_URL": self.url,
                    "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
        self.start(wait=wait)

    def start(self, *, wait: bool = True) -> None:
        """Start (again, on the same port and database); wait until it answers unless told not to."""
        self.proc = start_server(self.home, self.port)
        if wait:
            self.wait()

    def wait(self) -> None:
        wait_healthy(self.url, self.proc, self.home)

    def stop(self) -> None:
        stop(self.proc)


_early: list[Server] = []  # the session's server, started at the end of collection


def start_early(session: pytest.Session) -> None:
    """Start the session's server without waiting for it, if one of the selected tests needs it."""
    if session.config.option.collectonly or _early:
        return
    if any("prefect_server" in item.fixturenames for item in session.items):
        home = session.config._tmp_path_factory.mktemp("prefect-server")  # tmp_path_factory's, before fixtures
        _early.append(Server(home, wait=False))


def stop_early() -> None:
    """The early server, if no test took it (a session ended by -x or by Ctrl-C before it)."""
    while _early:
        _early.pop().stop()


@pytest.fixture(scope="session")
def prefect_server(tmp_path_factory):
    """One real Prefect server for every test that needs one outside the test process (approval,
    deployments: a start costs half a minute), stopped by its process id after them."""
    server = _early.pop() if _early else Server(tmp_path_factory.mktemp("prefect-server"), wait=False)
    server.wait()
    yield server
    server.stop()


def api(env: dict, path: str, body: dict) -> list:
    req = urllib.request.Request(f"{env['PREFECT_API_URL']}/{path}", data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read())
