"""Faults while publishing to the static portal: the process killed (at random moments, and at each
step), the disk full, two publishes of one dataset at once.

Each time the release published before stays intact (its files match checksums.sha256), `latest`
points to a complete release that history.json and latest.json agree on, nothing lists or links a
staging folder, and running the publish again ends in exactly one complete release that the
portal's pages show.

`reportpub publish` runs through the warm CLI (warm_cli.py: the real command, forked from a
process that has imported reportpub), so that a publish takes ~1 s instead of ~8 s and the kills
land in the part of the run that writes the portal.
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from .support import manifest, portal_problems, release_problems, sha256, snapshot

NAME = "bda-2022-work-summary"
SEED_VERSION = "1.0.0"


@pytest.fixture(scope="module")
def first_portal(warm_cli, variants, tmp_path_factory) -> Path:
    """A portal holding release 1.0.0 of the seed report (copied by each test)."""
    root = tmp_path_factory.mktemp("first-portal")
    pkg = root / "v0"
    shutil.copytree(variants[0], pkg)
    result = warm_cli.run(["publish", pkg, "--portal", root / "portal"], cwd=root)
    assert result.code == 0, str(result)
    assert portal_problems(root / "portal", NAME) == []
    return root / "portal"


def copy_portal(first_portal: Path, dest: Path) -> Path:
    shutil.copytree(first_portal, dest, symlinks=True)
    return dest


def ds(portal: Path) -> Path:
    return portal / "datasets" / NAME


def latest(portal: Path) -> str:
    return Path((ds(portal) / "latest").readlink()).name


def history(portal: Path) -> list[dict]:
    return json.loads((ds(portal) / "history.json").read_text(encoding="utf-8"))


def shown_version(portal: Path) -> tuple[str | None, bool, bool]:
    """What the pages say: catalog.json's version, and whether the home and dataset pages name `latest`."""
    catalog = json.loads((portal / "catalog.json").read_text(encoding="utf-8"))
    version = next((d["version"] for d in catalog["datasets"] if d["name"] == NAME), None)
    current = latest(portal)
    home = (portal / "index.html").read_text(encoding="utf-8")
    page = (ds(portal) / "index.html").read_text(encoding="utf-8")
    return version, current in home, f"releases/{current}/" in page


def assert_published_once(portal: Path, pkg: Path, before: dict[str, str], history_before: list[dict],
                          context: str) -> None:
    """After a successful (re)run: at most one release was added, and it (or the latest one, if the
    interrupted run had got that far) holds pkg's data; `latest` points to it; release 1.0.0 is
    untouched; the pages show it."""
    problems = portal_problems(portal, NAME)
    assert problems == [], f"{context}: {problems}"
    after = history(portal)
    added = after[len(history_before):]
    assert after[:len(history_before)] == history_before, f"{context}: earlier history entries changed"
    assert len(added) <= 1, f"{context}: the re-run made {len(added)} releases: {[h['version'] for h in added]}"
    assert after[-1]["data_sha256"] == sha256(pkg / "checksums.sha256"), \
        f"{context}: the last release is not the package's"
    current = ds(portal) / "releases" / latest(portal)
    assert latest(portal) == after[-1]["version"] and manifest(current) == manifest(pkg), \
        f"{context}: latest does not hold the package's data"
    assert snapshot(ds(portal) / "releases" / SEED_VERSION) == before, f"{context}: release 1.0.0 changed"
    version, on_home, on_page = shown_version(portal)
    assert (version, on_home, on_page) == (latest(portal), True, True), \
        f"{context}: the pages do not show the latest release {latest(portal)} (catalog says {version}, " \
        f"home page names it: {on_home}, dataset page links it: {on_page})"


# --- killed at random moments ---------------------------------------------------------------------

KILLS = 15


def test_publish_killed_at_random_moments_never_breaks_the_portal(warm_cli, pkg, first_portal, tmp_path):
    portal = copy_portal(first_portal, tmp_path / "portal")
    before = snapshot(ds(portal) / "releases" / SEED_VERSION)
    packages = [pkg(k) for k in (1, 2, 3)]
    # How long one publish of a changed package takes here, and how long of that it writes the portal.
    timing = [_time_publish(warm_cli, packages[0], copy_portal(first_portal, tmp_path / f"t{i}"), tmp_path)
              for i in range(2)]
    writing = min(w for w, _ in timing)
    span = max(d - w for w, d in timing)
    seed = random.randrange(1 << 30)
    rng = random.Random(seed)
    # A few kills while the package is validated (from the start of the run), most of them in the
    # part that writes the portal (from the moment a staging folder appears): the write part is
    # short (tens of ms) and the validation's length varies by more than that.
    early = 3
    delays = [("start", writing * (i + rng.random()) / early) for i in range(early)]
    delays += [("staging", span * 1.1 * (i + rng.random()) / (KILLS - early)) for i in range(KILLS - early)]
    log = []
    last = None
    touched = 0
    for i, (origin, delay) in enumerate(delays):
        current = manifest(ds(portal) / "releases" / latest(portal))
        last = next(p for p in packages if manifest(p) != current)  # always a change to publish
        entries = _entries(portal)
        job = warm_cli.start(["publish", last, "--portal", portal], cwd=tmp_path)
        t0 = job["t0"] if origin == "start" else _staging_appears(ds(portal), job)
        time.sleep(max(0.0, delay - (time.monotonic() - t0)))
        warm_cli.kill(job)
        result = warm_cli.wait(job)
        changed = _entries(portal) != entries
        touched += changed and result.code == -9
        log.append(f"#{i} kill {delay * 1000:.0f} ms after the {origin} (writing takes ~{span * 1000:.0f} ms): "
                   f"exit {result.code}, latest {latest(portal)}, portal {'changed' if changed else 'untouched'}")
        problems = portal_problems(portal, NAME)
        assert problems == [], f"seed {seed}, " + "\n".join(log) + f"\n{problems}\n{result}"
        assert snapshot(ds(portal) / "releases" / SEED_VERSION) == before, f"seed {seed}: release 1.0.0 changed"
        assert result.code in (-9, 0), f"seed {seed}: {log[-1]}\n{result}"
    assert touched >= 3, \
        f"seed {seed}: only {touched} kills landed while the portal was being written\n" + "\n".join(log)
    leftovers = sorted(p.name for p in ds(portal).glob(".staging-*"))
    releases_before = {p.name for p in (ds(portal) / "releases").iterdir()}  # the re-run adds one at most
    history_before = history(portal)
    rerun = warm_cli.run(["publish", last, "--portal", portal], cwd=tmp_path)
    assert rerun.code == 0, f"seed {seed}: the re-run after {KILLS} kills failed\n" + "\n".join(log) + f"\n{rerun}"
    assert len({p.name for p in (ds(portal) / "releases").iterdir()} - releases_before) <= 1
    assert_published_once(portal, last, before, history_before,
                          f"seed {seed}, staging leftovers {leftovers}\n" + "\n".join(log))


def _time_publish(warm_cli, package: Path, portal: Path, cwd: Path) -> tuple[float, float]:
    """-> (seconds until a staging folder appears in the portal, seconds until the process ends)."""
    job = warm_cli.start(["publish", package, "--portal", portal], cwd=cwd)
    writing = _staging_appears(ds(portal), job) - job["t0"]
    while not _ended(job["pid"]):
        time.sleep(0.0002)
    ended = time.monotonic() - job["t0"]
    result = warm_cli.wait(job)
    assert result.code == 0, str(result)
    return writing, ended


def _staging_appears(folder: Path, job: dict) -> float:
    """Wait until the publish creates its staging folder (or ends) -> that moment (time.monotonic)."""
    mine = f"-{job['pid']}"  # .staging-<version>-<pid>; earlier kills leave theirs behind
    while time.monotonic() - job["t0"] < 60 and not _ended(job["pid"]):
        if any(p.name.startswith(".staging-") and p.name.endswith(mine) for p in folder.iterdir()):
            break
        time.sleep(0.0002)
    return time.monotonic()


def _ended(pid: int) -> bool:
    """The forked publish has exited (a zombie until the warm CLI reaps it)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except (FileNotFoundError, IndexError):
        return True


def _holding(portal: Path, pkg: Path) -> list[str]:
    """Release folders whose manifest is the package's."""
    return sorted(r.name for r in (ds(portal) / "releases").iterdir()
                  if (r / "checksums.sha256").is_file() and manifest(r) == manifest(pkg))


def _entries(portal: Path) -> tuple:
    """What a publish changes in the dataset folder: its entries (staging folders included), the
    release folders, where `latest` points, the history."""
    folder = ds(portal)
    return (sorted(p.name for p in folder.iterdir()), sorted(p.name for p in (folder / "releases").iterdir()),
            latest(portal), (folder / "history.json").read_bytes())


# --- killed at each step ----------------------------------------------------------------------------

STEPS = {
    "staging copied, version not yet set": {"name": "set_version"},
    "staging complete, not yet verified": {"name": "_verify"},
    "release renamed into place, latest not switched": {"name": "_switch_latest"},
    "latest switched, latest.json not written": {"name": "write_atomic", "nth": 1, "file": "reportpub/files.py"},
    "latest.json written, history.json not": {"name": "write_atomic", "nth": 2, "file": "reportpub/files.py"},
    "history written, pages not rendered": {"name": "render_portal"},
    "catalogue files written, home page not": {"name": "render_home"},
}


@pytest.mark.parametrize("step", list(STEPS))
def test_publish_killed_at_each_step_then_rerun_publishes_exactly_once(warm_cli, pkg, first_portal, tmp_path, step):
    portal = copy_portal(first_portal, tmp_path / "portal")
    before = snapshot(ds(portal) / "releases" / SEED_VERSION)
    changed = pkg(1)
    killed = warm_cli.run(["publish", changed, "--portal", portal], cwd=tmp_path, kill_at=STEPS[step])
    assert killed.code == -9, f"the publish never reached the step '{step}' ({STEPS[step]})\n{killed}"
    problems = portal_problems(portal, NAME)
    assert problems == [], f"killed when {step}: {problems}"
    assert snapshot(ds(portal) / "releases" / SEED_VERSION) == before
    history_before = history(portal)
    rerun = warm_cli.run(["publish", changed, "--portal", portal], cwd=tmp_path)
    assert rerun.code == 0, f"killed when {step}; the re-run failed:\n{rerun}"
    assert_published_once(portal, changed, before, history_before, f"killed when {step}, then re-run")
    assert _holding(portal, changed) == [latest(portal)], "one release folder holds the package, the one linked"


# --- disk full -----------------------------------------------------------------------------------------

def _blocks(path: Path) -> int:
    return sum(-(-p.stat().st_size // 4096) * 4096 for p in path.rglob("*") if p.is_file())


FREE = {  # free space left on the portal's file system when the second publish starts
    "64 KiB: the release copy fails": lambda release: 64 * 1024,
    "the release fits, nothing more": lambda release: release + 8 * 1024,
    "the release and a little more": lambda release: release + 72 * 1024,
}


@pytest.mark.parametrize("free", list(FREE))
def test_disk_full_while_publishing_fails_cleanly_and_the_first_release_stays(warm_cli, pkg, first_portal,
                                                                               tmp_path, free):
    """The CLI answers a full disk with exit code 2 (PublishError: "could not write release ...") and
    one line; release 1.0.0 and `latest` stay as they were; with space again, the re-run publishes."""
    mount = tmp_path / "small-disk"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(mount)], check=True)
    try:
        portal = copy_portal(first_portal, mount / "portal")
        before = snapshot(ds(portal) / "releases" / SEED_VERSION)
        release_size = _blocks(ds(portal) / "releases" / SEED_VERSION) - _blocks_of_zip(portal)
        used = shutil.disk_usage(mount).used
        subprocess.run(["mount", "-o", f"remount,size={used + FREE[free](release_size)}", str(mount)], check=True)
        changed = pkg(1)
        result = warm_cli.run(["publish", changed, "--portal", portal], cwd=tmp_path)
        assert "Traceback" not in result.err, str(result)
        problems = portal_problems(portal, NAME)
        assert problems == [], f"disk full ({free}): {problems}\n{result}"
        assert snapshot(ds(portal) / "releases" / SEED_VERSION) == before
        assert result.code == 2, f"a full disk is exit code 2 (could not write the release)\n{result}"
        lines = [ln for ln in result.err.splitlines() if ln.strip()]
        assert len(lines) == 1 and "No space left" in lines[0], str(result)
        assert latest(portal) == SEED_VERSION, f"the publish failed (exit 2) but switched `latest`\n{result}"
        subprocess.run(["mount", "-o", "remount,size=16m", str(mount)], check=True)
        history_before = history(portal)
        rerun = warm_cli.run(["publish", changed, "--portal", portal], cwd=tmp_path)
        assert rerun.code == 0, f"with space again, the re-run failed:\n{rerun}"
        assert_published_once(portal, changed, before, history_before, f"disk full ({free}), then re-run")
        assert _holding(portal, changed) == [latest(portal)], "one release folder holds the package, the one linked"
    finally:
        if subprocess.run(["umount", str(mount)]).returncode != 0:
            subprocess.run(["umount", "-l", str(mount)])


def _blocks_of_zip(portal: Path) -> int:
    return sum(-(-p.stat().st_size // 4096) * 4096 for p in (ds(portal) / "releases" / SEED_VERSION).glob("*.zip"))


# --- two publishes at once --------------------------------------------------------------------------

def test_two_processes_publishing_different_packages_at_once_make_two_whole_releases(warm_cli, pkg,
                                                                                   first_portal, tmp_path):
    portal = copy_portal(first_portal, tmp_path / "portal")
    a, b = pkg(1), pkg(2)
    jobs = [warm_cli.start(["publish", p, "--portal", portal], cwd=tmp_path) for p in (a, b)]
    results = [warm_cli.wait(job) for job in jobs]
    assert [r.code for r in results] == [0, 0], "\n".join(map(str, results))
    assert portal_problems(portal, NAME) == []
    versions = [h["version"] for h in history(portal)]
    assert versions == ["1.0.0", "1.1.0", "1.2.0"], versions
    held = {v: manifest(ds(portal) / "releases" / v) for v in versions[1:]}
    assert sorted(map(str, held.values())) == sorted(map(str, (manifest(a), manifest(b)))), \
        "each new release holds exactly one of the two packages"
    for v in versions:
        assert release_problems(ds(portal) / "releases" / v) == []
    assert manifest(ds(portal) / "releases" / latest(portal)) in (manifest(a), manifest(b))
    # The later release's changelog is relative to the release just before it, not to 1.0.0.
    prev_values = _values(ds(portal) / "releases" / "1.1.0")
    entry = history(portal)[-1]["changelog"]
    olds = {(c["fact_id"], c.get("old")) for c in entry.get("changed_facts", []) if c.get("field") == "value"}
    assert olds, f"1.2.0 changes a value of 1.1.0: {entry}"
    for fact_id, old in olds:
        assert float(old) == prev_values[fact_id], \
            f"the changelog of 1.2.0 compares with a release other than 1.1.0: {fact_id} old={old}, " \
            f"1.1.0 has {prev_values[fact_id]}"


def test_two_processes_publishing_the_same_package_at_once_make_one_release(warm_cli, pkg, first_portal,
                                                                            tmp_path):
    portal = copy_portal(first_portal, tmp_path / "portal")
    same = pkg(3)
    jobs = [warm_cli.start(["publish", same, "--portal", portal], cwd=tmp_path) for _ in range(2)]
    results = [warm_cli.wait(job) for job in jobs]
    assert [r.code for r in results] == [0, 0], "\n".join(map(str, results))
    assert sorted(r.out.split()[0].rstrip(":") for r in results) == ["published", "unchanged"], \
        "\n".join(map(str, results))
    assert [h["version"] for h in history(portal)] == ["1.0.0", "1.1.0"]
    assert portal_problems(portal, NAME) == []


def _values(release: Path) -> dict[str, float]:
    import csv

    with open(release / "data" / "facts.csv", encoding="utf-8", newline="") as f:
        return {r["fact_id"]: float(r["value"]) for r in csv.DictReader(f)}
