"""One release model for every publish target (the static portal and CKAN): package directory ->
its descriptor, the gate's verdict, the semantic version of the next release and its changelog.

The targets differ only in where the previous release lives (a folder beside the portal, a dataset
on CKAN) and in how a release is written; what a release *is* is decided here, once.

Semantic version of a release, against the latest one (rules in order; the first that holds wins):
  1. initial  there is no previous release: the package's own version, else 1.0.0;
  2. major    a table's Table Schema changed, or a table was added or removed;
  3. minor    the data changed (any table's content);
  4. patch    only the metadata changed (the descriptor, `created` and `version` aside);
  5. None     nothing changed: nothing is published.
The validation reports travel with each release but are not compared: they describe the package
against the previous release, so they differ from one release to the next by construction.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from .errors import PublishError, ValidationFailed
from .files import JsonFileError, irregular_entries, read_json
from .limits import MAX_PACKAGE_BYTES

DESCRIPTOR, MANIFEST = "datapackage.json", "checksums.sha256"
SEMVER = re.compile(r"^(\d{1,9})\.(\d{1,9})\.(\d{1,9})$")  # a release's folder name: never a path
CHANGELOG_ROWS = 50  # fact ids and changed fields listed per release (the counts are always whole)


# --- the package -------------------------------------------------------------------------------

def check_package(pkg: Path) -> None:
    """Refuse a package holding anything but regular files and folders: a symbolic link would
    publish (or let validation overwrite) what it points to, a FIFO would block the reader."""
    if not pkg.is_dir() or pkg.is_symlink():
        raise PublishError(f"{pkg}: not a package folder")
    if odd := irregular_entries(pkg):
        raise PublishError(f"{pkg}: {', '.join(odd[:3])}{' ...' if len(odd) > 3 else ''}; a package holds "
                           "only regular files and folders")
    size = sum(os.path.getsize(os.path.join(d, f)) for d, _, files in os.walk(pkg) for f in files)
    if size > MAX_PACKAGE_BYTES.value():
        raise PublishError(MAX_PACKAGE_BYTES.over(size, str(pkg)))


def read_descriptor(pkg: str | os.PathLike) -> dict:
    """Package directory -> its descriptor, for any target. The package holds only regular files;
    its name and version become folder and dataset names, so they must be identifiers, never paths."""
    pkg = Path(pkg)
    check_package(pkg)
    descriptor = load_descriptor(pkg)
    if not isinstance(descriptor.get("name", ""), str):
        raise PublishError(f"{pkg}/datapackage.json: name must be text")
    version = descriptor.get("version")
    if version is not None and not (isinstance(version, str) and SEMVER.match(version)):
        raise PublishError(f"{pkg}/datapackage.json: version {str(version)[:60]!r} is not MAJOR.MINOR.PATCH "
                           "(e.g. 1.0.0); nothing was published")
    return descriptor


def load_descriptor(pkg: Path) -> dict:
    """datapackage.json -> a JSON object with a list of resource objects, else PublishError (one line).
    The checks read the descriptor with it too (their error becomes a finding)."""
    path = pkg / DESCRIPTOR
    if not os.path.lexists(path):
        raise PublishError(f"{pkg}: no datapackage.json (build the package first)")
    try:
        descriptor = read_json(path)  # bounded nesting, never a FIFO
    except JsonFileError as exc:
        raise PublishError(str(exc)) from None
    except OSError as exc:
        raise PublishError(f"{path}: cannot be read: {exc.strerror}") from None
    if not isinstance(descriptor, dict):
        raise PublishError(f"{path}: not a JSON object")
    resources = descriptor.get("resources")
    if not isinstance(resources, list) or not all(isinstance(r, dict) for r in resources):
        raise PublishError(f"{path}: `resources` is not a list of objects")
    return descriptor


# --- the gate ----------------------------------------------------------------------------------

def gate(pkg: str | os.PathLike, validation=None, *, previous: str | os.PathLike | None = None,
         recheck_stale: bool = True):
    """(package, its ValidationReport or None, the latest release's folder) -> the report to publish
    with; raises ValidationFailed when a blocking check fails. The one gate of every target.

    The package is validated (reports written into it) when no report is given, or, with
    `recheck_stale`, when the report was made against another release than `previous` (another
    publish landed since the checks ran)."""
    previous_key = str(previous) if previous else None
    if validation is None or (recheck_stale and getattr(validation, "previous_release", None) != previous_key):
        from .validate import validate, write_reports

        validation = validate(pkg, previous=previous)
        write_reports(validation, pkg)
    if failure := blocked(validation, pkg):
        raise failure
    return validation


def blocked(validation, pkg: str | os.PathLike) -> ValidationFailed | None:
    """ValidationReport -> the ValidationFailed naming the blocking checks, or None when it may publish."""
    if validation.valid:
        return None
    failed = ", ".join(sorted({f.check for f in validation.findings if f.severity == "error"}))
    return ValidationFailed(f"{pkg}: blocked by failed checks ({failed}); nothing was published",
                            report_path=Path(pkg) / "validation.html")


# --- the version -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Fingerprint:
    """What a release is compared by: each table's content hash and schema, and the metadata."""

    tables: Mapping[str, tuple[str, str]]  # resource name -> (content hash, canonical Table Schema)
    metadata: str  # a digest of the descriptor (any digest, as long as both sides use the same)


@dataclass(frozen=True)
class Bump:
    kind: str | None  # initial | major | minor | patch; None when nothing changed
    schemas: tuple[str, ...] = ()  # tables whose schema changed, was added or removed
    tables: tuple[str, ...] = ()  # tables whose content changed
    metadata: bool = False  # the descriptor changed


def decide(previous: Fingerprint | None, current: Fingerprint) -> Bump:
    """(latest release, new package) -> the bump, by the rules of the module docstring, in order."""
    if previous is None:
        return Bump("initial", (), tuple(sorted(current.tables)), True)
    old, new = previous.tables, current.tables
    schemas = tuple(sorted((old.keys() ^ new.keys()) | {t for t in old.keys() & new.keys() if old[t][1] != new[t][1]}))
    tables = tuple(sorted(t for t in new if (old.get(t) or ("", ""))[0] != new[t][0]))
    metadata = previous.metadata != current.metadata
    kind = "major" if schemas else "minor" if tables else "patch" if metadata else None
    return Bump(kind, schemas, tables, metadata)


def next_version(previous: str | None, bump: str, descriptor: Mapping | None = None) -> str:
    """(latest version or None, bump) -> the new version; a first release keeps the package's own.
    An `initial` bump after an existing version (its release folder lost) counts as new data: minor."""
    if previous is None:
        own = (descriptor or {}).get("version")
        return own if isinstance(own, str) and SEMVER.match(own) else "1.0.0"
    major, minor, patch = parse_version(previous)
    if bump == "major":
        return f"{major + 1}.0.0"
    if bump in ("minor", "initial"):
        return f"{major}.{minor + 1}.0"
    return f"{major}.{minor}.{patch + 1}"


def parse_version(text: str | None) -> tuple[int, int, int]:
    match = SEMVER.match(text or "")
    if not match:
        raise ValueError(f"not a semantic version: {text!r}")
    return tuple(int(g) for g in match.groups())  # type: ignore[return-value]


def fingerprint(folder: str | os.PathLike, descriptor: Mapping | None = None) -> Fingerprint:
    """Package or release folder -> its Fingerprint: table hashes from its checksum manifest,
    schemas and metadata from its descriptor (read from the folder when not given)."""
    folder = Path(folder)
    if descriptor is None:
        descriptor = json.loads((folder / DESCRIPTOR).read_text(encoding="utf-8"))
    hashes = manifest(folder)
    tables = {str(r.get("name")): (hashes.get(str(r.get("path")), ""), canonical(r.get("schema")))
              for r in descriptor.get("resources", []) if isinstance(r, dict)}
    return Fingerprint(tables, metadata_hash(descriptor))


def manifest(folder: str | os.PathLike) -> dict[str, str]:
    """Package or release folder -> {path: sha256} as its checksums.sha256 lists them."""
    hashes = {}
    for line in (Path(folder) / MANIFEST).read_text(encoding="utf-8").splitlines():
        if len(parts := line.split(None, 1)) == 2:
            hashes[parts[1].strip()] = parts[0]
    return hashes


def metadata_hash(descriptor: Mapping) -> str:
    """The descriptor without what differs between two builds of the same content (created),
    what the release sets (version) and what the tables' own fingerprints cover (resources)."""
    meta = {k: v for k, v in descriptor.items() if k not in ("created", "version", "resources")}
    return hashlib.sha256(json.dumps(meta, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def canonical(schema) -> str:
    """A Table Schema (a dict, or the JSON text CKAN keeps) -> one text for comparison."""
    if isinstance(schema, str):
        try:
            schema = json.loads(schema)
        except json.JSONDecodeError:
            return schema
    return "" if schema is None else json.dumps(schema, sort_keys=True, ensure_ascii=False)


# --- the changelog -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Changelog:
    """What a release changed in the facts, and the steward's corrections it carries.

    `first_release`: no previous release to compare with; `unknown`: the comparison failed (its
    reason in `error`). Each target writes it in the shape its readers already know (`history()`
    for the portal's history.json, `releases()` for CKAN's releases.json)."""

    first_release: bool = False
    added: tuple[str, ...] = ()  # fact ids
    removed: tuple[str, ...] = ()
    changed: tuple[dict, ...] = ()  # {"fact_id", "subject", "field", "old", "new"}
    counts: tuple[int, int, int] = (0, 0, 0)  # added, removed, changed (the lists may be cut short)
    corrections: tuple[dict, ...] = ()  # in force in this release: {"fact_id", "field", "value", "reason", ...}
    stale_corrections: tuple[dict, ...] = ()  # recorded, but their fact is no longer extracted
    error: str = ""

    def history(self) -> dict:
        """The static portal's changelog: counts, up to CHANGELOG_ROWS ids and changed fields."""
        if self.first_release or self.error:
            out = {"first_release": self.first_release}
        else:
            out = {"added": self.counts[0], "removed": self.counts[1], "changed": self.counts[2],
                   "changed_facts": [{k: c.get(k) for k in ("fact_id", "field", "old", "new")}
                                     for c in self.changed[:CHANGELOG_ROWS]],
                   "added_facts": list(self.added[:CHANGELOG_ROWS]),
                   "removed_facts": list(self.removed[:CHANGELOG_ROWS])}
        return out | self._corrections()

    def releases(self) -> dict:
        """CKAN's changelog: every fact id added and removed, each changed fact with its changes."""
        grouped: dict[str, dict] = {}
        for row in self.changed:
            entry = grouped.setdefault(row["fact_id"], {"fact_id": row["fact_id"], "subject": row.get("subject"),
                                                        "changes": {}})
            entry["changes"][row["field"]] = [row.get("old"), row.get("new")]
        return {"added": list(self.added), "removed": list(self.removed),
                "changed": list(grouped.values())} | self._corrections()

    def _corrections(self) -> dict:
        out = {}
        if self.corrections:
            out["corrections"] = [dict(c) for c in self.corrections]
        if self.stale_corrections:
            out["stale_corrections"] = [dict(c) for c in self.stale_corrections]
        return out


def changelog(diff, descriptor: Mapping | None = None, facts_csv: Path | None = None) -> Changelog:
    """(reportpub.diff of the two releases: a ReleaseDiff, its dict, or None for a first release;
    the new descriptor; the new facts table) -> Changelog.

    A first release lists every fact as added when the facts table is given."""
    corrections = recorded_corrections(descriptor or {})
    if diff is None:
        added = tuple(_fact_ids(facts_csv))
        return Changelog(True, added, counts=(len(added), 0, 0), **corrections)
    if isinstance(diff, Mapping):
        if "error" in diff:
            return Changelog(error=str(diff["error"]), **corrections)
        added = tuple(r["fact_id"] for r in diff.get("added_facts", []))
        removed = tuple(r["fact_id"] for r in diff.get("removed_facts", []))
        changed = tuple(diff.get("changed_facts", []))
        counts = (int(diff.get("added", len(added))), int(diff.get("removed", len(removed))),
                  int(diff.get("changed", len(changed))))
    else:
        added = tuple(r["fact_id"] for r in diff.added)
        removed = tuple(r["fact_id"] for r in diff.removed)
        changed = tuple(diff.changed)
        counts = (len(added), len(removed), len(changed))
    return Changelog(False, added, removed, changed, counts, **corrections)


def recorded_corrections(descriptor: Mapping) -> dict:
    """Descriptor -> {"corrections": applied, "stale_corrections": stale}, as the build recorded them."""
    meta = descriptor.get("reportpub") if isinstance(descriptor.get("reportpub"), Mapping) else {}
    record = meta.get("corrections") if isinstance(meta.get("corrections"), Mapping) else {}
    rows = lambda key: tuple(c for c in record.get(key) or () if isinstance(c, Mapping))  # noqa: E731
    return {"corrections": rows("applied"), "stale_corrections": rows("stale")}


def _fact_ids(facts_csv: Path | None) -> list[str]:
    if facts_csv is None:
        return []
    with open(facts_csv, encoding="utf-8", newline="") as fh:
        return sorted(r["fact_id"] for r in csv.DictReader(fh) if r.get("fact_id"))
