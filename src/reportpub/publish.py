"""Publish: a validated package directory -> a release in the static portal on disk.

portal/
  index.html                         catalogue page (regenerated after each release)
  datasets/<name>/releases/<version>/  one folder per release, never modified once written
  datasets/<name>/latest -> releases/<version>   switched atomically after the copy is verified
  datasets/<name>/latest.json -> latest/latest.json    {"version": ...}
  datasets/<name>/history.json -> latest/history.json  one entry per release (changelog included)

A release is copied into a staging folder with its own history and version files (a file the
portal already publishes byte for byte is a hard link to it instead), every file is checked
against the package's checksum manifest, the folder is renamed into place, and then one
symlink (`latest`) is switched: `latest`, latest.json and history.json change together, at one
instant. A failure at any step leaves the previous release and `latest` exactly as they were; the
next publish moves away a release folder that a crash left unlisted.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from . import release as rel
from .errors import PublishError, ValidationFailed
from .files import JsonFileError, irregular_entries, link_or_copy, read_json, sha256_file, write_atomic
from .package import MANIFEST, safe_name, set_version
from .portal import render_portal
from .recent import Recent
from .release import SEMVER, check_package  # noqa: F401 (the CLI refuses a package with check_package)


@dataclass(frozen=True)
class PublishResult:
    dataset: str
    version: str
    path: Path
    changed: bool
    portal: Path


def publish(package_dir: str | os.PathLike, portal_dir: str | os.PathLike = "portal", *,
            validation=None, quarantine_dir: str | os.PathLike | None = None,
            input_key: str | None = None, render: bool = True, base_url: str | None = None,
            approval: dict | None = None) -> PublishResult:
    """Package directory -> new release in the portal; unchanged data publishes nothing.

    A package that fails a blocking check is copied, with its validation report, to the quarantine
    folder (default: `quarantine/` beside the portal) and the portal is not touched. A batch passes
    `render=False` and calls `refresh_portal` once at the end: the catalogue pages list every
    dataset, so rendering them after each report would make a batch quadratic. `approval` (a
    steward's decision, reason and name) is kept in the release's history entry."""
    pkg = Path(package_dir)
    descriptor = rel.read_descriptor(pkg)
    portal = Path(portal_dir)
    name = safe_name(descriptor.get("name", "dataset"))
    try:
        return _publish(pkg, descriptor, portal, name, validation, quarantine_dir, input_key, render, base_url,
                        approval)
    except OSError as exc:  # the portal is a file, a dataset folder is a file, a name too long ...
        raise PublishError(f"{exc.filename or portal}: {exc.strerror or exc}; nothing was published") from None


def _publish(pkg: Path, descriptor: dict, portal: Path, name: str, validation, quarantine_dir,
             input_key: str | None, render: bool, base_url: str | None, approval: dict | None = None) -> PublishResult:
    """publish() once the descriptor is read: gate, write the release, switch `latest`."""
    where = quarantine_dir or quarantine_folder(portal)
    validation = _gate(pkg, name, validation, latest_release(portal, name), where)
    data_hash = sha256_file(pkg / MANIFEST)
    current = rel.fingerprint(pkg, descriptor)
    portal.mkdir(parents=True, exist_ok=True)
    with _lock(portal):
        ds_dir = portal / "datasets" / name
        _reconcile(portal, ds_dir)
        latest = latest_release(portal, name)
        validation = _gate(pkg, name, validation, latest, where)  # another publish may have landed since
        history = _read_json(ds_dir / "history.json", [])
        last = history[-1] if history else None
        bump = rel.decide(rel.fingerprint(latest) if last and latest else None, current)
        if last and bump.kind is None:
            if input_key and latest_input_key(portal, name) != input_key:  # same data from new code or config
                _record_input_key(ds_dir, last["version"], input_key)
            if render:
                render_portal(portal, dataset=name, base_url=base_url)  # pages an interrupted publish left behind catch up
            return PublishResult(name, last["version"], ds_dir / "latest", False, portal)
        version = rel.next_version(last["version"] if last else None, bump.kind or "initial", descriptor)
        entry = {"version": version, "created": _now(), "data_sha256": data_hash,
                 "metadata_sha256": current.metadata, "bump": bump.kind,
                 "title": descriptor.get("title", ""), "facts": _count_rows(pkg / "data" / "facts.csv"),
                 "valid": True, "warnings": len([f for f in validation.findings if f.severity == "warning"]),
                 "changelog": rel.changelog(validation.release_diff, descriptor).history()} | (
                     {"approval": approval} if approval else {})
        release, files = _write_release(pkg, ds_dir, version, portal, history + [entry], latest)
        try:
            _switch_latest(ds_dir, version)  # the one atomic step that publishes
            if input_key:
                _record_input_key(ds_dir, version, input_key)
            if render:
                render_portal(portal, dataset=name, base_url=base_url)
        except OSError as exc:  # disk full, say: put everything back as it was
            _roll_back(ds_dir, history, release)
            if render:
                _render_again(portal, base_url)
            raise PublishError(f"could not publish {name} {version} to {portal}: {exc.strerror or exc}; "
                               "the previous release is unchanged") from exc
        _remember(portal, release, files)
    return PublishResult(name, version, release, True, portal)


def _gate(pkg: Path, name: str, validation, previous: Path | None, where):
    """The release model's gate; a blocked package is kept, with its report, in quarantine."""
    try:
        return rel.gate(pkg, validation, previous=previous)
    except ValidationFailed as exc:
        kept = quarantine(pkg, name, where)
        raise ValidationFailed(f"{exc}; kept in quarantine: {kept}", report_path=kept / "validation.html") from None


def _write_release(pkg: Path, ds_dir: Path, version: str, portal: Path, history: list[dict],
                   previous: Path | None) -> tuple[Path, dict[str, str]]:
    """Copy the package to a staging folder with its history, verify every file, rename it into
    place -> (the release folder, its manifest).

    A file of the manifest whose bytes the portal already publishes (in the dataset's previous
    release, or in a release this process published lately) becomes a hard link to that file, not
    a copy: every report carries the same code lists. Only published files are linked, never the
    package's own (a build folder is scratch an operator may edit), and never a file publishing
    writes (datapackage.json is versioned in place); a release is never written in place once
    renamed (its pages' workbooks and zip are renamed into it), so a link cannot change another."""
    release = ds_dir / "releases" / version
    staging = ds_dir / f".staging-{version}-{os.getpid()}"
    twins, linked, inside = _twins(pkg, portal, previous), set(), len(str(staging)) + 1

    def place(source: str, dest: str) -> None:  # copytree names dest os.path.join(staging, path in the package)
        name = dest[inside:]
        if link_or_copy(source, dest, twins.get(name)):
            linked.add(name)

    try:
        (ds_dir / "releases").mkdir(parents=True, exist_ok=True)
        shutil.rmtree(staging, ignore_errors=True)
        # a link that appeared since the check stays a link ...
        shutil.copytree(pkg, staging, symlinks=True, copy_function=place)
        if odd := irregular_entries(staging):  # ... and is refused here, before anything is renamed into place
            raise PublishError(f"{pkg}: {', '.join(odd[:3])}; a package holds only regular files and folders")
        set_version(staging / "datapackage.json", version)
        write_atomic(staging / "history.json", json.dumps(history, ensure_ascii=False, indent=2))
        write_atomic(staging / "latest.json", json.dumps({"version": version}))
        files = _verify(staging, pkg, linked)
        os.replace(staging, release)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise PublishError(f"could not write release {ds_dir.name} {version} to {portal}: "
                           f"{exc.strerror or exc}; the previous release is unchanged") from exc
    return release, files


def _reconcile(portal: Path, ds_dir: Path) -> None:
    """After a crash: what `latest` says is the truth. Release folders its history does not list
    (renamed into place, never switched to) move out of the portal, to .orphans/; leftover staging
    folders are removed."""
    if not ds_dir.is_dir():
        return
    latest = ds_dir / "latest"
    if os.path.lexists(latest) and not (latest.is_symlink() and re.fullmatch(r"releases/\d+\.\d+\.\d+",
                                                                             os.readlink(latest))):
        raise PublishError(f"{latest}: not a link to a release folder; repair or restore it (nothing was published)")
    for leftover in ds_dir.glob(".staging-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    known = {h["version"] for h in _read_json(ds_dir / "history.json", [])}
    releases = ds_dir / "releases"
    for folder in (releases.iterdir() if releases.is_dir() else ()):
        if folder.name not in known:
            dest = portal / ".orphans" / ds_dir.name / f"{folder.name}-{datetime.now(timezone.utc):%Y%m%dT%H%M%S%f}"
            dest.parent.mkdir(parents=True, exist_ok=True)
            os.replace(folder, dest)


def _roll_back(ds_dir: Path, history: list[dict], release: Path) -> None:
    """Undo a release whose copy succeeded but whose switch failed (best effort; _reconcile finishes)."""
    try:
        if history:
            _switch_latest(ds_dir, history[-1]["version"])
        else:
            for path in (ds_dir / "latest", ds_dir / "latest.json", ds_dir / "history.json"):
                if path.is_symlink() or path.exists():
                    path.unlink()
        shutil.rmtree(release, ignore_errors=True)
    except OSError:
        pass


def _render_again(portal: Path, base_url: str | None) -> None:
    """After a roll-back: the pages and catalogues that a failed render already wrote for the
    release just removed are rendered from the release that is back (best effort: the removed
    release freed its space; else the next publish or refresh renders them)."""
    try:
        render_portal(portal, base_url=base_url)
    except (OSError, PublishError):
        pass


def _record_input_key(ds_dir: Path, version: str, key: str) -> None:
    """The inputs a release was made from, kept beside (not in) the release, for `run`'s cache."""
    keys = _read_json(ds_dir / "input-keys.json", {})
    keys[version] = key
    write_atomic(ds_dir / "input-keys.json", json.dumps(keys, indent=2))


def refresh_portal(portal: str | os.PathLike, base_url: str | None = None) -> None:
    """Bring the portal's pages up to date under the publish lock: the pages of each dataset whose
    release changed since they were rendered, and the catalogues (portal.render_portal)."""
    portal = Path(portal)
    portal.mkdir(parents=True, exist_ok=True)
    with _lock(portal):
        render_portal(portal, base_url=base_url)


def record_rejection(portal: str | os.PathLike, name: str, package_dir: str, reason: str, by: str = "") -> Path:
    """A release a steward rejected (or left unanswered) is recorded, with its reason and the
    quarantine folder that keeps the package, beside the history."""
    ds_dir = Path(portal) / "datasets" / safe_name(name)
    ds_dir.mkdir(parents=True, exist_ok=True)
    with _lock(Path(portal)):
        log = _read_json(ds_dir / "rejected.json", [])  # a plain file: rejections are no release
        log.append({"created": _now(), "reason": reason, "rejected_by": by, "package": str(package_dir),
                    "data_sha256": sha256_file(Path(package_dir) / MANIFEST)})
        write_atomic(ds_dir / "rejected.json", json.dumps(log, ensure_ascii=False, indent=2))
    return ds_dir / "rejected.json"


def latest_input_key(portal: str | os.PathLike, name: str) -> str | None:
    """The input key (report bytes, code, configuration) of a dataset's latest release."""
    ds_dir = Path(portal) / "datasets" / safe_name(name)
    history = _read_json(ds_dir / "history.json", [])
    return _read_json(ds_dir / "input-keys.json", {}).get(history[-1]["version"]) if history else None


def latest_release(portal: str | os.PathLike, name: str) -> Path | None:
    """The folder of a dataset's latest published release, or None when it has none."""
    latest = Path(portal) / "datasets" / safe_name(name) / "latest"
    return latest.resolve() if (latest / "datapackage.json").is_file() else None


def quarantine_folder(portal: str | os.PathLike) -> Path:
    """Where refused packages are kept by default: `quarantine/` beside the portal."""
    return Path(portal).parent / "quarantine"


def quarantine(pkg: Path, name: str, where: str | os.PathLike) -> Path:
    """Keep a blocked package and its validation report where a steward can look at it."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    dest = Path(where) / safe_name(name) / stamp
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(pkg, dest, symlinks=True)  # never a link's target (check_package refused links already)
    return dest


def _verify(release: Path, pkg: Path, linked: set[str]) -> dict[str, str]:
    """Every file of the manifest is there with the recorded sha256 -> the manifest. A linked file
    that does not hold it (a published file changed since: no release is written in place, but a
    person can) is copied from the package instead, and checked again."""
    listed = rel.manifest(release)
    for name, digest in listed.items():
        path = release / name
        if path.is_file() and sha256_file(path) == digest:
            continue
        if name in linked:
            path.unlink()
            shutil.copy2(pkg / name, path)
            if sha256_file(path) == digest:
                continue
        raise PublishError(f"copied file {name} does not match its checksum")
    return listed


# --- published files that a release's unchanged files link to -------------------------------------

_published: Recent[str] = Recent(256)  # (portal, sha256) -> a file of a release this process published there
_NEVER_LINKED = {"datapackage.json", "history.json", "latest.json"}  # written in the staging folder


def _files(folder: Path, listed: dict[str, str] | None = None) -> dict[str, str]:
    """A package or release folder (and its manifest, when read already) -> {path: sha256} of the
    manifest's files that lie inside it ({} for a manifest that cannot be read: then every file is
    copied, as it always was)."""
    try:
        listed = rel.manifest(folder) if listed is None else listed
    except (OSError, ValueError):
        return {}
    return {name: digest for name, digest in listed.items()
            if not name.startswith("/") and ".." not in name.split("/")}


def _twins(pkg: Path, portal: Path, previous: Path | None) -> dict[str, str]:
    """A package -> {its manifest's path: a published file of the portal with that sha256}, from
    the dataset's previous release first, then from the releases this process published lately."""
    before = {digest: os.path.join(previous, name) for name, digest in _files(previous).items()} if previous else {}
    where = os.path.abspath(portal)
    return {name: twin for name, digest in _files(pkg).items()
            if name not in _NEVER_LINKED and (twin := before.get(digest) or _published.find((where, digest)))}


def _remember(portal: Path, release: Path, listed: dict[str, str]) -> None:
    """A release just published, and its manifest: its files are twins for the next releases'
    identical files."""
    where, folder = os.path.abspath(portal), os.path.abspath(release)
    for name, digest in _files(release, listed).items():
        _published.put((where, digest), os.path.join(folder, name))


def _switch_latest(ds_dir: Path, version: str) -> None:
    """Point `latest` at a release with one rename; latest.json and history.json follow it."""
    _symlink_atomic(ds_dir / "latest", Path("releases") / version)
    for name in ("latest.json", "history.json"):
        pointer = ds_dir / name
        if not (pointer.is_symlink() and os.readlink(pointer) == f"latest/{name}"):
            _symlink_atomic(pointer, Path("latest") / name)


def _symlink_atomic(link: Path, target: Path) -> None:
    tmp_link = link.with_name(f".{link.name}-{os.getpid()}")
    if tmp_link.is_symlink() or tmp_link.exists():
        tmp_link.unlink()
    os.symlink(target, tmp_link)
    os.replace(tmp_link, link)


@contextmanager
def _lock(portal: Path, timeout: float = 120.0):
    """One publish at a time per portal: a second process waits, then fails cleanly."""
    with open(portal / ".lock", "w") as handle:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise PublishError(f"{portal} is locked by another publish") from None
                time.sleep(0.2)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _read_json(path: Path, default):
    """A file of the portal's own bookkeeping -> its value (default when absent); a corrupt one
    stops the publish with its name: guessing would rewrite a dataset's history."""
    if not os.path.exists(path):  # absent, or a link of ours a crash left dangling
        return default
    try:
        value = read_json(path)
    except JsonFileError as exc:
        raise PublishError(f"{exc}; repair or restore it (nothing was published)") from None
    if type(value) is not type(default):
        raise PublishError(f"{path}: not a JSON {type(default).__name__}; repair or restore it (nothing was published)")
    if path.name == "history.json" and not all(isinstance(h, dict) and isinstance(h.get("version"), str)
                                               and SEMVER.match(h["version"]) and isinstance(h.get("data_sha256"), str)
                                               for h in value):
        raise PublishError(f"{path}: an entry without a MAJOR.MINOR.PATCH version and data_sha256; repair or restore "
                           "it (nothing was published)")
    return value


def _count_rows(csv_path: Path) -> int:
    with open(csv_path, encoding="utf-8") as f:
        return max(sum(1 for _ in f) - 1, 0)


def _now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")
