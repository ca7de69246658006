"""Files on disk: atomic writes that skip identical content, and the deterministic release zip.

A page is replaced with os.replace, so a reader (or a web server) sees the old file or the new
one, never half of one; writing identical bytes is skipped, so an unchanged page keeps its mtime
and a re-render costs nothing for a CDN or rsync.

A write is fsynced before its rename, so that after a power loss too a reader finds the old file
or the new one. Inside `synced_together()` (a chunk of datasets' pages and downloads,
portal/__init__.py) the files are instead fsynced together when the block ends, before anything
records them as done: the first fsync commits the journal with all of them, and the others find
little left to do; a crash inside the block can leave a renamed file empty, and the dataset, whose
record was removed first (state.py), is rendered again. Not syncfs(2), which would also wait for
every other writer on the file system.
"""

from __future__ import annotations

import os
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from .zipped import zip_bytes

# 1980-01-01 is the earliest date a zip entry can hold: a fixed date keeps the archive's bytes
# independent of when (and how often) it was built.
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)
_together: list[Path] | None = None  # inside synced_together(): the files written, fsynced at its end


def write_atomic(path: Path, data: str | bytes, *, durable: bool = True) -> bool:
    """(path, text or bytes) -> True when the file was (re)written, False when it already held them.
    durable=False skips the fsync, for a file whose loss only costs work (state.py's record)."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    try:
        if path.is_file() and path.stat().st_size == len(raw) and path.read_bytes() == raw:
            return False
    except OSError:
        pass
    return _replace_with(path, [raw], durable=durable)


def write_like(path: Path, data: bytes, twin: Path | None) -> bool:
    """(path, bytes, a file that may hold the same bytes) -> as write_atomic, but a hard link to
    `twin` when it holds them: the code lists' workbooks are the same in every release, and a new
    inode costs this file system twenty times a link. Releases are never changed in place."""
    try:
        if twin is None or twin == path or twin.stat().st_size != len(data) or twin.read_bytes() != data:
            return write_atomic(path, data)
        if path.is_file() and os.path.samefile(path, twin):
            return False
        tmp = path.with_name(f".{path.name}.{os.getpid()}.link")
        tmp.unlink(missing_ok=True)
        os.link(twin, tmp)
        os.replace(tmp, path)
        written(path)
    except OSError:  # another file system, too many links, a folder gone: write the bytes
        return write_atomic(path, data)
    return True


def write_atomic_chunks(path: Path, chunks: Iterable[str | bytes]) -> bool:
    """(path, pieces of text or bytes) -> as write_atomic, without holding the whole text: the pieces
    go to a temporary file, which replaces `path` only when its bytes differ."""
    return _replace_with(path, (c.encode("utf-8") if isinstance(c, str) else c for c in chunks), keep_same=True)


def _replace_with(path: Path, chunks: Iterable[bytes], keep_same: bool = False, durable: bool = True) -> bool:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as f:
            for chunk in chunks:
                f.write(chunk)
            f.flush()
            if keep_same and _same_bytes(tmp, path):
                tmp.unlink()
                return False
            if durable and _together is None:
                os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    if durable and _together is not None:
        _together.append(path)
    return True


@contextmanager
def synced_together() -> Iterator[None]:
    """The files written inside are fsynced together when the block ends, not one by one; the
    caller records them as done only after it (see the module's docstring)."""
    global _together
    outer, _together = _together, []
    try:
        yield
        for path in _together:
            _fsync(path)
    finally:
        _together = outer


def written(path: Path) -> None:
    """A file just renamed or linked into place -> on disk: now, or at the end of synced_together()."""
    if _together is None:
        _fsync(path)
    else:
        _together.append(path)


def _fsync(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:  # replaced or removed since: what replaced it was written too
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _same_bytes(a: Path, b: Path, block: int = 1 << 20) -> bool:
    try:
        if a.stat().st_size != b.stat().st_size:
            return False
        with open(a, "rb") as fa, open(b, "rb") as fb:
            while True:
                x, y = fa.read(block), fb.read(block)
                if x != y:
                    return False
                if not x:
                    return True
    except OSError:
        return False


def release_files(release: Path) -> list[str]:
    """Release folder -> the files of its package (posix paths, sorted): not the archive, the
    workbooks made from it, or hidden files."""
    out = []
    for top, dirs, names in os.walk(release):  # as Path.rglob: into no linked folder
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        prefix = os.path.relpath(top, release).replace(os.sep, "/") + "/" if top != str(release) else ""
        out += [prefix + n for n in names if not n.startswith(".") and not n.endswith((".zip", ".xlsx"))
                and os.path.isfile(os.path.join(top, n))]
    return sorted(out)


def release_zip_bytes(release: Path) -> bytes:
    """Release folder -> zip archive bytes, datapackage.json at the root (so that
    `frictionless.Package("x.zip")` and `frictionless validate x.zip` open the package itself);
    same files give the same bytes (fixed dates, order, modes)."""
    members = []
    for rel in release_files(release):
        info = zipfile.ZipInfo(rel, date_time=_ZIP_DATE)
        info.create_system = 3
        info.external_attr = 0o100644 << 16
        members.append((info, (release / rel).read_bytes()))
    return zip_bytes(members, level=9)


def ensure_release_zip(release: Path, name: str, version: str) -> Path:
    """Release folder -> <name>-<version>.zip inside it, written once (a release never changes); an
    archive of the earlier layout, which wrapped everything in a folder, is written again."""
    path = release / f"{name}-{version}.zip"
    if not path.is_file() or not _package_at_root(path):
        write_atomic(path, release_zip_bytes(release))
    return path


def _package_at_root(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as zf:
            return "datapackage.json" in zf.namelist()
    except (OSError, zipfile.BadZipFile):
        return False
