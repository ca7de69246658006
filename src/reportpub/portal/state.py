"""What was rendered for each dataset, kept beside its pages in datasets/<name>/.rendered: the key
of what the pages were made from, the dataset's entry and its part of each catalogue file
(catalogue.py), and its rows of the cross-report indicators table.

A dataset's pages are rendered again only when its key changes. The key hashes the renderer (the
source of this package and of the files the pages read besides the release, package.yaml and the
public address included) and the dataset's release (its name, version and history.json, which
records each release's data and metadata hashes). So a publish renders one dataset, a batch's refresh the
datasets the batch changed, and a portal rendered by another version of the code is rendered again
in full. The file is removed before the pages are written and written again, atomically, once
they are on disk (files.synced_together): a render stopped half way, or a crash before the pages
reached the disk, leaves no key or the old one, and the next render does the dataset again.

Layout: one line of JSON ({"key", "parts": {name: [offset, length]}}), then the parts' UTF-8 text
one after the other, so that reading one part reads neither the others nor a JSON tree.
"""

from __future__ import annotations

import hashlib
import json
import os
from functools import lru_cache
from pathlib import Path

from .. import contract
from .files import write_atomic

STATE = ".rendered"
PAGES = ("index.html", "paragraphs.html")
ROWS = "indicators.json"  # the part holding the dataset's indicator rows
ENTRY, FILES = "entry.json", "files.json"  # what Totals need of it; the files that must be there
_SOURCES = ("__init__.py", "portal/*.py", "portal/assets/*", "tables.py")
_CONTRACT = ("datapackage/glossary.csv", "datapackage/package.yaml")


def renderer_key(base_url: str | None) -> str:
    """Public address -> the key of everything, besides a dataset's own files, that its pages depend on."""
    h = hashlib.sha256(f"{_code_key()}\0{base_url or ''}".encode())
    for rel in _CONTRACT:  # read at each render: operators edit them
        try:
            h.update(b"\0" + Path(contract.path(rel)).read_bytes())
        except OSError:
            pass
    return h.hexdigest()


@lru_cache(maxsize=1)
def _code_key() -> str:
    """The source of the code the pages are made with (read once per process)."""
    root = Path(__file__).resolve().parents[1]
    h = hashlib.sha256()
    for path in sorted(p for pattern in _SOURCES for p in root.glob(pattern)):
        h.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def dataset_key(folder: Path, version: str, renderer: str) -> str:
    """(dataset folder, latest version, renderer key) -> the key its rendered pages are valid for."""
    try:
        history = (folder / "history.json").read_bytes()
    except OSError:
        history = b""
    return hashlib.sha256(f"{renderer}\0{folder.name}\0{version}\0".encode() + history).hexdigest()


def is_current(folder: Path, key: str) -> bool:
    """True when the dataset's pages and downloads were rendered for `key` and are all there."""
    try:
        with open(os.path.join(folder, STATE), "rb") as f:
            header = json.loads(f.readline())
            if not isinstance(header, dict) or header.get("key") != key:
                return False
            start, length = header["parts"][FILES]
            f.seek(f.tell() + start)
            files = json.loads(f.read(length))
    except (OSError, KeyError, TypeError, ValueError):
        return False
    return _all_files(folder, files)


def _all_files(folder: Path, files: list[str]) -> bool:
    """True when every path (relative to `folder`) is a file: one listing per folder, not a stat
    per file (a refresh asks it of every dataset)."""
    by_dir: dict[str, list[str]] = {}
    for rel in files:
        head, _, name = rel.rpartition("/")
        by_dir.setdefault(head, []).append(name)
    for head, names in by_dir.items():
        try:
            with os.scandir(os.path.join(folder, head)) as entries:
                present = {e.name for e in entries if e.is_file()}
        except OSError:
            return False
        if not present.issuperset(names):
            return False
    return True


def write_state(folder: Path, key: str, entry: dict, parts: dict[str, str], files: list[str]) -> None:
    """Record what was rendered (after the pages: the key says they are done). `files`, relative
    to the dataset folder, are the pages and downloads that must still be there for it to hold."""
    parts = {**parts, ENTRY: json.dumps(entry, ensure_ascii=False), FILES: json.dumps(files, ensure_ascii=False)}
    blobs = {name: text.encode("utf-8") for name, text in parts.items()}
    offsets, at = {}, 0
    for name, blob in blobs.items():
        offsets[name] = [at, len(blob)]
        at += len(blob)
    header = json.dumps({"key": key, "parts": offsets}).encode("utf-8")
    # not synced: a record lost in a crash only means rendering again
    write_atomic(folder / STATE, header + b"\n" + b"".join(blobs.values()), durable=False)


def forget_state(folder: Path) -> None:
    """Before a dataset's pages change: no record may claim pages that are not yet on disk."""
    try:
        os.unlink(os.path.join(folder, STATE))
    except FileNotFoundError:
        pass


def read_entry(folder: Path) -> dict:
    return json.loads(read_part(folder, ENTRY))


def read_part(folder: Path, name: str) -> str:
    with open(os.path.join(folder, STATE), "rb") as f:
        header = json.loads(f.readline())
        start, length = header["parts"][name]
        f.seek(f.tell() + start)
        return f.read(length).decode("utf-8")


def _header(folder: Path) -> dict | None:
    try:
        with open(os.path.join(folder, STATE), "rb") as f:
            header = json.loads(f.readline())
    except (OSError, ValueError):
        return None
    return header if isinstance(header, dict) and isinstance(header.get("parts"), dict) else None
