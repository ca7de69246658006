"""Human approval against a real Prefect server: a batch's releases wait side by side after the
checks, a steward reads the commands on the terminal and decides from a second process by the
batch's run id, and every decision is kept (history.json, rejected.json, quarantine/)."""

import json
import re
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from .prefect_server import api
from .test_batch import inbox  # noqa: F401 - the example reports in a folder

pytestmark = pytest.mark.slow
BIN = Path(sys.executable).parent
WAITING = re.compile(r"(\S+) \((.+?)\) passed the checks and waits for a steward, flow run ([0-9a-f-]{36}): .*"
                     r"approve ([0-9a-f-]{36}) --all")


class Terminal:
    """A `reportpub run` in the background, its terminal (stdout and stderr) read line by line."""

    def __init__(self, args: list[str], env: dict, cwd: Path):
        self.proc = subprocess.Popen([str(BIN / "reportpub"), "run", *args], env=env, cwd=cwd, text=True,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.lines: list[str] = []
        self.reader = threading.Thread(target=lambda: self.lines.extend(self.proc.stdout), daemon=True)
        self.reader.start()

    def waiting(self, count: int, timeout: float = 240) -> list[tuple[str, str, str, str]]:
        """The (dataset, report, run id, batch run id) of `count` releases announced as waiting."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [m.groups() for line in list(self.lines) if (m := WAITING.search(line))]
            if len(found) >= count:
                return found
            if self.proc.poll() is not None:
                break
            time.sleep(0.5)
        raise AssertionError("releases not announced as waiting:\n" + "".join(self.lines))

    def finish(self, timeout: float = 240) -> str:
        self.proc.wait(timeout=timeout)
        self.reader.join(timeout=10)
        return "".join(self.lines)


def reportpub(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "reportpub"), *args], env=env, capture_output=True, text=True, timeout=120)


def eventually(condition, seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.5)
    return True


def test_a_batch_waits_side_by_side_and_the_steward_decides_by_the_batch_run_id(prefect_server, inbox, tmp_path):
    env, portal = prefect_server.env, tmp_path / "portal"
    run = Terminal([str(inbox), "--portal", "portal", "--require-approval", "--workers", "2",
                    "--approval-timeout", "300"], env, tmp_path)
    waiting = run.waiting(3)
    batch_id = waiting[0][3]
    assert {w[3] for w in waiting} == {batch_id}
    # the steward types the printed command at once: a review announces itself just before it
    # pauses, and the command still lists all three
    listed = reportpub(env, "approve", batch_id)
    assert listed.returncode == 2 and "--release" in listed.stderr and len(listed.stderr.splitlines()) == 1
    assert sorted(line.split()[0] for line in listed.stdout.splitlines()) == \
        ["bda-2022-work-summary", "daqing-2016h1-economy", "national-2023-gwr"]
    # side by side: the three releases are paused at the same time, children of the batch's run
    paused = api(env, "flow_runs/filter", {"flow_runs": {"state": {"name": {"any_": ["Paused"]}},
                                                         "parent_flow_run_id": {"any_": [batch_id]}}})
    assert sorted(r["id"] for r in paused) == sorted(w[2] for w in waiting)
    # the commands are in the flow log too, at WARNING (the level every flow log keeps)
    # (a flow's log lines reach the server in batches, a few seconds after the terminal shows them)
    assert eventually(lambda: any(f"reportpub approve {waiting[0][2]}" in log["message"] for log in api(
        env, "logs/filter", {"logs": {"flow_run_id": {"any_": [waiting[0][2]]}, "level": {"ge_": 30}}})))
    assert not (portal / "datasets").exists()

    with ThreadPoolExecutor(max_workers=2) as stewards:  # two stewards decide at once, from two terminals
        ok, no = stewards.map(lambda args: reportpub(env, *args), [
            ("approve", batch_id, "--release", "national-2023-gwr", "--reason", "核对过原文"),
            ("reject", batch_id, "--release", "daqing-2016h1-economy", "--reason", "增长率读错了")])
    assert ok.returncode == 0, ok.stderr
    assert no.returncode == 0, no.stderr
    rest = reportpub(env, "approve", batch_id, "--all")
    assert rest.returncode == 0 and "bda-2022-work-summary" in rest.stdout, rest.stderr
    out = run.finish()
    assert run.proc.returncode == 1, out
    assert "summary: 2 published, 1 rejected" in out

    history = json.loads((portal / "datasets/national-2023-gwr/history.json").read_text(encoding="utf-8"))
    assert history[-1]["approval"]["reason"] == "核对过原文" and history[-1]["approval"]["decision"] == "approved"
    assert history[-1]["approval"]["approved_by"]
    assert not (portal / "datasets/daqing-2016h1-economy/latest").exists()
    rejected = json.loads((portal / "datasets/daqing-2016h1-economy/rejected.json").read_text(encoding="utf-8"))
    assert rejected[-1]["reason"] == "增长率读错了"
    kept = Path(rejected[-1]["package"])
    assert kept.is_relative_to(tmp_path / "quarantine") and (kept / "validation.html").is_file()

    # --force with approval: a report published unchanged is built again and waits; no answer rejects it
    again = Terminal([str(inbox / "national_2023_gwr.txt"), "--portal", "portal", "--require-approval", "--force",
                      "--approval-timeout", "3"], env, tmp_path)
    out = again.finish()
    assert again.proc.returncode == 1 and "rejected by the steward (no decision within 3 s)" in out, out
    assert json.loads((portal / "datasets/national-2023-gwr/history.json").read_text(encoding="utf-8")) == history


def test_a_wrong_run_id_is_one_line_and_exit_2(prefect_server):
    cases = {"not-a-run": "is not a flow run id", "0b6a1c3e-5f0e-4c8d-9d59-2f1f1a3b7c11": "no flow run 0b6a1c3e"}
    with ThreadPoolExecutor(max_workers=2) as terminals:  # both asked at once, from two terminals
        answers = list(terminals.map(lambda run_id: reportpub(prefect_server.env, "approve", run_id), cases))
    for said, proc in zip(cases.values(), answers):
        assert proc.returncode == 2 and said in proc.stderr, proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1 and "internal error" not in proc.stderr
