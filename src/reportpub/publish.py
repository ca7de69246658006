"""Publish: a validated package directory -> a release in the static portal on disk.

portal/
  index.html                         catalogue page (regenerated after each release)
  datasets/<name>/releases/<version>/  one folder per release, never modified once written
  datasets/<name>/latest -> releases/<version>   switched atomically after the copy is verified
  datasets/<name>/latest.json        {"version": ...}, written atomically too
  datasets/<name>/history.json       one entry per release: version, created, sha256 of the data

A release is copied into a staging folder, every file is checked against the package's
checksum manifest, and only then renamed into place and pointed to. A failure at any step leaves
the previous release and `latest` exactly as they were.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from .errors import PublishError, ValidationFailed
from .files import sha256_file, write_atomic
from .package import MANIFEST, safe_name
from .portal import render_index


@dataclass(frozen=True)
class PublishResult:
    dataset: str
    version: str
    path: Path
    changed: bool
    portal: Path


def publish(package_dir: str | os.PathLike, portal_dir: str | os.PathLike = "portal", *,
            validation=None) -> PublishResult:
    """Package directory -> new release in the portal; unchanged data publishes nothing."""
    pkg = Path(package_dir)
    descriptor = _read_descriptor(pkg)
    if validation is None:
        from .validate import validate, write_reports

        validation = validate(pkg)
        write_reports(validation, pkg)
    if not validation.valid:
        raise ValidationFailed(f"{pkg}: the package failed blocking checks; nothing was published",
                               report_path=pkg / "validation.html")
    portal = Path(portal_dir)
    name = safe_name(descriptor.get("name", "dataset"))
    data_hash = sha256_file(pkg / MANIFEST)
    portal.mkdir(parents=True, exist_ok=True)
    with _lock(portal):
        ds_dir = portal / "datasets" / name
        history = _read_json(ds_dir / "history.json", [])
        if history and history[-1]["data_sha256"] == data_hash:
            return PublishResult(name, history[-1]["version"], ds_dir / "latest", False, portal)
        version = _next_version(history, descriptor)
        release = ds_dir / "releases" / version
        staging = ds_dir / f".staging-{version}-{os.getpid()}"
        try:
            (ds_dir / "releases").mkdir(parents=True, exist_ok=True)
            shutil.rmtree(staging, ignore_errors=True)
            shutil.copytree(pkg, staging)
            _set_version(staging / "datapackage.json", version)
            _verify(staging)
            os.replace(staging, release)
        except OSError as exc:
            shutil.rmtree(staging, ignore_errors=True)
            raise PublishError(f"could not write release {name} {version} to {portal}: {exc}") from exc
        _switch_latest(ds_dir, version)
        history.append({"version": version, "created": _now(), "data_sha256": data_hash,
                        "title": descriptor.get("title", ""), "facts": _count_rows(release / "data" / "facts.csv"),
                        "valid": True, "warnings": len([f for f in validation.findings if f.severity == "warning"])})
        write_atomic(ds_dir / "history.json", json.dumps(history, ensure_ascii=False, indent=2))
        write_atomic(portal / "index.html", render_index(portal))
    return PublishResult(name, version, release, True, portal)


def _read_descriptor(pkg: Path) -> dict:
    try:
        return json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PublishError(f"{pkg}: no datapackage.json (build the package first)") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise PublishError(f"{pkg}/datapackage.json is not valid JSON: {exc}") from None


def _next_version(history: list[dict], descriptor: dict) -> str:
    if not history:
        return descriptor.get("version") or "1.0.0"
    major, minor, _patch = (int(x) for x in history[-1]["version"].split("."))
    return f"{major}.{minor + 1}.0"


def _set_version(descriptor_path: Path, version: str) -> None:
    d = json.loads(descriptor_path.read_text(encoding="utf-8"))
    d["version"] = version
    descriptor_path.write_text(json.dumps(d, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def _verify(release: Path) -> None:
    """Every file of the manifest is there with the recorded sha256."""
    for line in (release / MANIFEST).read_text(encoding="utf-8").splitlines():
        digest, rel = line.split(None, 1)
        path = release / rel.strip()
        if not path.is_file() or sha256_file(path) != digest:
            raise PublishError(f"copied file {rel} does not match its checksum")


def _switch_latest(ds_dir: Path, version: str) -> None:
    tmp_link = ds_dir / f".latest-{os.getpid()}"
    if tmp_link.is_symlink() or tmp_link.exists():
        tmp_link.unlink()
    os.symlink(Path("releases") / version, tmp_link)
    os.replace(tmp_link, ds_dir / "latest")
    write_atomic(ds_dir / "latest.json", json.dumps({"version": version}))


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
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return default


def _count_rows(csv_path: Path) -> int:
    with open(csv_path, encoding="utf-8") as f:
        return max(sum(1 for _ in f) - 1, 0)


def _now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")
