"""Helpers of the reliability suite: run the real CLI and measure it, check a portal's invariants,
and write the seed report in other shapes.

Nothing here imports reportpub at module level, so that a test's subprocesses never share state
with the test process by accident.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import subprocess
import threading
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = ROOT / ".venv" / "bin"
REPORTPUB = VENV_BIN / "reportpub"
PYTHON = VENV_BIN / "python"
SEED = ROOT / "examples" / "reports" / "bda-2022-work-summary.txt"
# The number changed in the seed report to make new releases (same length: the same fact ids).
ORIGINAL = "地方级收入同比增长 2.7%"


def variant_text(k: int) -> str:
    """The seed report with one figure changed (k=0: the seed itself)."""
    text = SEED.read_text(encoding="utf-8")
    assert text.count(ORIGINAL) == 1, "the seed report changed: pick another figure to vary"
    return text if k == 0 else text.replace(ORIGINAL, ORIGINAL.replace("2.7", f"{2 + k}.7"))


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


# --- running the CLI ------------------------------------------------------------------------------

@dataclass
class Result:
    argv: list
    code: int
    out: str
    err: str
    seconds: float
    maxrss_mb: float

    def __str__(self) -> str:  # what an assertion message shows
        return (f"reportpub {' '.join(map(str, self.argv))} -> exit {self.code} in {self.seconds:.1f}s, "
                f"peak RSS {self.maxrss_mb:.0f} MB\n--- stdout\n{self.out[-3000:]}\n--- stderr\n{self.err[-3000:]}")


def base_env(sandbox: Path, **extra: str) -> dict:
    """The environment of a CLI run: Prefect state and temporary files inside the sandbox."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("CKAN_", "REPORTPUB_", "PREFECT_API_URL", "PYTEST_"))}
    (sandbox / ".prefect").mkdir(parents=True, exist_ok=True)
    (sandbox / ".tmp").mkdir(parents=True, exist_ok=True)
    env.update(PREFECT_HOME=str(sandbox / ".prefect"), TMPDIR=str(sandbox / ".tmp"), COLUMNS="200",
               PYTHONDONTWRITEBYTECODE="1")
    env.update(extra)
    return env


# A child forked from this (large) test process is charged, in ru_maxrss, with the memory it shared
# with us at fork time; so a small Python process starts the command and reports its grandchild's
# own peak (RUSAGE_CHILDREN of a process that has only that child).
_MEASURE = ("import os, resource, subprocess, sys\n"
            "code = subprocess.call(sys.argv[2:])\n"
            "open(sys.argv[1], 'w').write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))\n"
            "if code < 0:\n    os.kill(os.getpid(), -code)  # die of the same signal\n"
            "sys.exit(code)\n")


def run_cli(argv: list, *, cwd: Path, env: dict, timeout: float = 300) -> Result:
    """`reportpub ARGV` in a subprocess -> Result with its own peak RSS (measured by a small parent)."""
    out_path, err_path = Path(cwd) / f".out-{os.getpid()}-{threading.get_ident()}", \
        Path(cwd) / f".err-{os.getpid()}-{threading.get_ident()}"
    t0 = time.monotonic()
    rss_path = Path(cwd) / f".rss-{os.getpid()}-{threading.get_ident()}"
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        proc = subprocess.Popen([str(PYTHON), "-c", _MEASURE, str(rss_path), str(REPORTPUB), *map(str, argv)],
                                cwd=cwd, env=env, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                                start_new_session=True)
    timer = threading.Timer(timeout, lambda: _kill_group(proc.pid))
    timer.start()
    try:
        _, status, usage = os.wait4(proc.pid, 0)
    finally:
        timer.cancel()
    proc.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.monotonic() - t0
    maxrss_kb = int(rss_path.read_text()) if rss_path.is_file() else usage.ru_maxrss
    result = Result(list(argv), proc.returncode, out_path.read_text(errors="replace"),
                    err_path.read_text(errors="replace"), seconds, maxrss_kb / 1024)
    for path in (out_path, err_path, rss_path):
        path.unlink(missing_ok=True)
    return result


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


class WarmCli:
    """The real CLI, forked from a warm process (see warm_cli.py)."""

    def __init__(self, warm_package: Path, workdir: Path):
        self.workdir = workdir
        self.proc = subprocess.Popen([str(PYTHON), str(Path(__file__).with_name("warm_cli.py")), str(warm_package)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=workdir,
                                     env=base_env(workdir))
        ready = self.proc.stdout.readline()
        assert ready and json.loads(ready).get("ready"), f"the warm CLI did not start: {ready!r}"
        self._lock = threading.Lock()
        self._n = 0

    def _ask(self, request: dict) -> dict:
        with self._lock:
            self.proc.stdin.write(json.dumps(request) + "\n")
            self.proc.stdin.flush()
            return json.loads(self.proc.stdout.readline())

    def start(self, argv: list, *, cwd: Path, env: dict | None = None, kill_at: dict | None = None) -> dict:
        self._n += 1
        out, err = self.workdir / f"warm-{self._n}.out", self.workdir / f"warm-{self._n}.err"
        reply = self._ask({"op": "start", "argv": [str(a) for a in argv], "cwd": str(cwd), "env": env or {},
                           "out": str(out), "err": str(err), "kill_at": kill_at})
        return {"pid": reply["pid"], "out": out, "err": err, "argv": argv, "t0": time.monotonic()}

    def wait(self, job: dict, timeout: float = 120) -> Result:
        timer = threading.Timer(timeout, lambda: self.kill(job))
        timer.start()
        try:
            reply = self._ask({"op": "wait", "pid": job["pid"]})
        finally:
            timer.cancel()
        return Result(job["argv"], reply["exit"], job["out"].read_text(errors="replace"),
                      job["err"].read_text(errors="replace"), time.monotonic() - job["t0"], reply["maxrss_kb"] / 1024)

    def kill(self, job: dict) -> None:
        try:
            os.kill(job["pid"], signal.SIGKILL)
        except ProcessLookupError:
            pass

    def run(self, argv: list, *, cwd: Path, env: dict | None = None, kill_at: dict | None = None) -> Result:
        return self.wait(self.start(argv, cwd=cwd, env=env, kill_at=kill_at))

    def run_all(self, jobs: dict, *, parallel: int = 3, timeout: float = 120) -> dict:
        """{key: (argv, cwd, env)} -> {key: Result}, `parallel` commands at a time (the oldest is
        waited for first). Not for a limit on time or memory: a forked child's peak RSS includes
        what it shares with the warm process; run_cli measures those."""
        results, running, pending = {}, [], list(jobs.items())
        while pending or running:
            while pending and len(running) < parallel:
                key, (argv, cwd, env) = pending.pop(0)
                running.append((key, self.start(argv, cwd=cwd, env=env)))
            key, job = running.pop(0)
            results[key] = self.wait(job, timeout=timeout)
        return results

    def close(self) -> None:
        self.proc.stdin.close()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def one_line_error(result: Result) -> str:
    """The error output of a failed command: exactly one non-empty line of stderr, no traceback."""
    lines = [ln for ln in result.err.splitlines() if ln.strip()]
    assert "Traceback" not in result.err, f"a traceback without --debug:\n{result}"
    assert len(lines) == 1, f"expected one error line, got {len(lines)}:\n{result}"
    return lines[0]


# --- the portal's invariants ------------------------------------------------------------------------

def manifest(release: Path) -> dict[str, str]:
    """checksums.sha256 of a release or package -> {relative path: sha256}."""
    out = {}
    for line in (release / "checksums.sha256").read_text(encoding="utf-8").splitlines():
        digest, rel = line.split(None, 1)
        out[rel.strip().lstrip("*")] = digest
    return out


def release_problems(release: Path) -> list[str]:
    """A release folder is complete: every manifest file present with its sha256, the descriptor readable
    and of the folder's version, its zip (if written yet) a sound archive."""
    problems = []
    if not (release / "checksums.sha256").is_file():
        return [f"{release}: no checksums.sha256"]
    for rel, digest in manifest(release).items():
        path = release / rel
        if not path.is_file():
            problems.append(f"{release}: {rel} is missing")
        elif sha256(path) != digest:
            problems.append(f"{release}: {rel} does not match its sha256")
    try:
        descriptor = json.loads((release / "datapackage.json").read_text(encoding="utf-8"))
        if descriptor.get("version") != release.name:
            problems.append(f"{release}: datapackage.json says version {descriptor.get('version')}")
    except (OSError, ValueError) as exc:
        problems.append(f"{release}: datapackage.json unreadable ({exc})")
    for archive in release.glob("*.zip"):
        try:
            with zipfile.ZipFile(archive) as zf:
                if zf.testzip() is not None:
                    problems.append(f"{archive}: a damaged member")
        except zipfile.BadZipFile as exc:
            problems.append(f"{archive}: {exc}")
    return problems


def portal_problems(portal: Path, name: str) -> list[str]:
    """What a reader of the portal must be able to rely on, at any moment:
    `latest` points to a complete release, latest.json and history.json agree with it, every
    release in the history is complete, every release folder matches its own manifest, and no page
    or catalogue lists or links a staging folder or a release that is not complete."""
    ds = portal / "datasets" / name
    problems: list[str] = []
    link = ds / "latest"
    if not link.is_symlink():
        return [f"{link} is not a symlink"]
    target = os.readlink(link)
    if not re.fullmatch(r"releases/\d+\.\d+\.\d+", target):
        problems.append(f"latest -> {target}: not a release folder")
    version = Path(target).name
    problems += release_problems(ds / "releases" / version)
    try:
        latest_json = json.loads((ds / "latest.json").read_text(encoding="utf-8"))["version"]
    except (OSError, ValueError, KeyError) as exc:
        latest_json = f"unreadable ({exc})"
    if latest_json != version:
        problems.append(f"latest -> {version} but latest.json says {latest_json}")
    try:
        history = json.loads((ds / "history.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return problems + [f"history.json unreadable ({exc})"]
    versions = [h["version"] for h in history]
    if not versions or versions[-1] != version:
        problems.append(f"latest -> {version} but history.json ends with {versions[-1:] or 'nothing'}")
    if versions != sorted(set(versions), key=lambda v: tuple(map(int, v.split(".")))):
        problems.append(f"history versions not increasing and unique: {versions}")
    for h in history:
        rel = ds / "releases" / h["version"]
        if not rel.is_dir():
            problems.append(f"history lists {h['version']}, which has no release folder")
        elif h.get("data_sha256") and sha256(rel / "checksums.sha256") != h["data_sha256"]:
            problems.append(f"history's data_sha256 of {h['version']} differs from the release's manifest")
    for rel in (ds / "releases").iterdir():
        if rel.name.startswith("."):
            problems.append(f"a hidden folder inside releases/: {rel.name}")
        elif rel.is_dir():
            problems += release_problems(rel)
    for page in [*portal.glob("*.html"), *portal.glob("*.json"), *portal.glob("*.jsonld"), *ds.glob("*.html")]:
        text = page.read_text(encoding="utf-8", errors="replace")
        if ".staging-" in text:
            problems.append(f"{page} mentions a staging folder")
        for linked in set(re.findall(r"releases/(\d+\.\d+\.\d+)/", text)):
            if page.parent == ds and release_problems(ds / "releases" / linked):
                problems.append(f"{page} links release {linked}, which is not complete")
    catalog = portal / "catalog.json"
    if catalog.is_file():
        entry = next((d for d in json.loads(catalog.read_text(encoding="utf-8"))["datasets"]
                      if d.get("name") == name), None)
        if entry is not None and release_problems(ds / "releases" / str(entry.get("version"))):
            problems.append(f"catalog.json lists {name} {entry.get('version')}, which is not complete")
    return problems


def snapshot(release: Path) -> dict[str, str]:
    """Every file of a release -> sha256 (to show it did not move)."""
    return {p.relative_to(release).as_posix(): sha256(p) for p in sorted(release.rglob("*")) if p.is_file()}


# --- what may be written where ------------------------------------------------------------------------

SAFE_COMPONENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")


def files_outside(root: Path, allowed: list[Path]) -> list[str]:
    """Every file or link under root that is not under one of `allowed`."""
    allowed = [a.resolve() for a in allowed]
    stray = []
    for dirpath, dirnames, filenames in os.walk(root):
        for name in filenames + [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]:
            path = Path(dirpath, name).resolve() if not os.path.islink(os.path.join(dirpath, name)) \
                else Path(os.path.abspath(os.path.join(dirpath, name)))
            if not any(path == a or a in path.parents for a in allowed):
                stray.append(str(path))
    return sorted(stray)
