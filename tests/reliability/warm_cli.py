"""A warm `reportpub` CLI: the real command, started by fork from a process that has already
imported reportpub and run one validation (Great Expectations' first use costs ~6 s per process).

Why: the fault tests kill `reportpub publish` at chosen moments many times; a cold process spends
almost all its life in imports, so kills would rarely land in the part that writes the portal, and
the suite would take minutes. Each command here runs `reportpub.cli.main()` with its own argv,
working directory and environment in a forked child, whose stdout and stderr go to files, exactly
as the installed `reportpub` script does (it calls the same `main`).

Protocol (JSON lines on stdin -> JSON lines on stdout):
  {"op": "start", "argv": [...], "cwd": ..., "out": path, "err": path, "env": {...},
   "kill_at": {"name": "_switch_latest", "nth": 1, "file": "/reportpub/"} | null} -> {"pid": N}
  {"op": "wait", "pid": N}                                      -> {"pid": N, "exit": code, "maxrss_kb": K}
A child is killed by the test itself (os.kill on the pid); `kill_at` makes the child SIGKILL itself
when it enters the named Python function (of a source file whose path contains `file`) for the nth
time, so that every step of a publish can be hit exactly.

    python warm_cli.py WARM_PACKAGE_DIR
"""

from __future__ import annotations

import json
import os
import signal
import sys


def _kill_hook(name: str, nth: int, file: str):
    seen = {"n": 0}

    def hook(frame, event, arg):
        if event != "call":
            return
        hit = frame.f_code.co_name == name and file in frame.f_code.co_filename
        if hit:
            seen["n"] += 1
            if seen["n"] == nth:
                os.kill(os.getpid(), signal.SIGKILL)

    return hook


def _child(request: dict) -> None:
    os.chdir(request.get("cwd") or os.getcwd())
    os.environ.update(request.get("env") or {})
    for fd, key in ((1, "out"), (2, "err")):
        target = os.open(request[key], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(target, fd)
        os.close(target)
    sys.argv = ["reportpub", *request["argv"]]
    if request.get("kill_at"):
        kill_at = request["kill_at"]
        sys.setprofile(_kill_hook(kill_at["name"], int(kill_at.get("nth", 1)), kill_at.get("file", "/reportpub/")))
    from reportpub.cli import main

    code = 0
    try:
        main()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:  # main() lets nothing else out; if it did, it is a crash
        import traceback

        traceback.print_exc()
        code = 99
    sys.setprofile(None)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def serve(warm_package: str) -> None:
    from reportpub import cli  # noqa: F401  (import everything a publish needs)
    from reportpub.publish import publish  # noqa: F401
    from reportpub.validate import validate

    validate(warm_package)
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        if request["op"] == "start":
            sys.stdout.flush()
            sys.stderr.flush()
            pid = os.fork()
            if pid == 0:
                _child(request)
            print(json.dumps({"pid": pid}), flush=True)
        elif request["op"] == "wait":
            _, status, usage = os.wait4(int(request["pid"]), 0)
            print(json.dumps({"pid": request["pid"], "exit": os.waitstatus_to_exitcode(status),
                              "maxrss_kb": usage.ru_maxrss}), flush=True)


if __name__ == "__main__":
    serve(sys.argv[1])
