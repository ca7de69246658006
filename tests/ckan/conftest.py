"""CKAN fixtures: the real CKAN 2.12 stack of services/ckan/stack.sh (`make ckan-up`), read from the
env file it writes; two packages of the seed report (as built, and with one number changed); and
a handle on the CKAN server process so that a test can kill it and start it again.

Without the env file the CKAN tests fail (they do not skip): the stack is part of the test set-up.
Only a developer who sets REPORTPUB_SKIP_CKAN=1 skips them.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from ..conftest import CKAN_ENV_FILE, ROOT, SEED, read_env  # noqa: F401  (ckan_env is shared)

ENV_FILE = CKAN_ENV_FILE
# The one number changed in the seed report for the "changed" release (same length: same fact ids).
ORIGINAL, CHANGED = "地方级收入同比增长 2.7%", "地方级收入同比增长 3.7%"


@pytest.fixture(scope="module")
def dataset_name() -> str:
    """A main dataset name of its own for each test module, so that runs never meet."""
    return f"rp-test-{uuid.uuid4().hex[:8]}"


@dataclass(frozen=True)
class Package:
    path: Path
    validation: object  # ValidationReport


def _validated(path: Path) -> Package:
    from reportpub.validate import validate, write_reports

    report = validate(path)
    write_reports(report, path)
    assert report.valid, [f.message for f in report.findings if f.severity == "error"]
    return Package(path, report)


@pytest.fixture(scope="session")
def pkg_v1(seed_package, tmp_path_factory) -> Package:
    """The seed report's package, validated (validation.json/.html inside)."""
    dest = tmp_path_factory.mktemp("ckan-v1") / "pkg"
    shutil.copytree(seed_package, dest)
    return _validated(dest)


@pytest.fixture(scope="session")
def pkg_v2(tmp_path_factory) -> Package:
    """The seed report with one number changed (2.7% -> 3.7%), built and validated."""
    from reportpub.pipeline import build_package

    work = tmp_path_factory.mktemp("ckan-v2")
    text = SEED.read_text(encoding="utf-8")
    assert text.count(ORIGINAL) == 1
    report = work / SEED.name  # same file name: same report id, so the same fact ids
    report.write_text(text.replace(ORIGINAL, CHANGED), encoding="utf-8")
    build_package([report], work / "pkg")
    return _validated(work / "pkg")


class CkanServer:
    """The CKAN web server of the stack: kill it by the PID of the env file, start it again alone.

    The database, Redis, the Solr stand-in and the uploads keep running, so CKAN comes back with
    its data. The new PID goes into the run directory and the env file, so `stack.sh down` stops it.
    """

    def __init__(self, env: dict[str, str]):
        self.url = env["CKAN_URL"]
        self.run_dir = Path(env["CKAN_STACK_RUN_DIR"])
        self.command: list[str] | None = None
        self.cwd: str | None = None

    def pid(self) -> int:
        return int(read_env(ENV_FILE)["CKAN_PID"])

    def kill(self) -> None:
        pid = self.pid()
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        self.command = [a.decode() for a in cmdline if a]
        assert "run" in self.command and "--host" in self.command, f"PID {pid} is not CKAN: {self.command}"
        self.cwd = os.readlink(f"/proc/{pid}/cwd")
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while _running(pid) and time.monotonic() < deadline:
            time.sleep(0.05)

    def answers(self) -> bool:
        try:
            return requests.get(f"{self.url}/api/3/action/status_show", timeout=2).ok
        except requests.RequestException:
            return False

    def start(self, timeout: float = 90) -> None:
        assert self.command, "kill() records the command line first"
        env = {k: v for k, v in os.environ.items() if not k.startswith("CKAN_")}  # as stack.sh does
        with open(self.run_dir / "ckan.log", "ab") as log:
            proc = subprocess.Popen(self.command, cwd=self.cwd, env=env, stdout=log, stderr=log,
                                    stdin=subprocess.DEVNULL, start_new_session=True)
        (self.run_dir / "ckan.pid").write_text(f"{proc.pid}\n")
        lines = ENV_FILE.read_text(encoding="utf-8").splitlines()
        ENV_FILE.write_text("".join(f"CKAN_PID={proc.pid}\n" if ln.startswith("CKAN_PID=") else f"{ln}\n"
                                    for ln in lines), encoding="utf-8")
        deadline = time.monotonic() + timeout
        while not self.answers():
            assert proc.poll() is None, f"CKAN exited while starting; see {self.run_dir / 'ckan.log'}"
            assert time.monotonic() < deadline, f"CKAN did not answer within {timeout} s"
            time.sleep(0.3)
        self.command = None


def _running(pid: int) -> bool:
    """The process exists and is not a zombie (a CKAN restarted by a test is our child: reap it)."""
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"


@pytest.fixture
def ckan_server(ckan_env):
    server = CkanServer(ckan_env)
    yield server
    if server.command and not server.answers():  # a test killed CKAN and failed before restarting it
        server.start()
