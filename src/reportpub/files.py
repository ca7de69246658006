"""File helpers shared by build, validation and publishing (standard library only)."""

from __future__ import annotations

import os
import re
import shutil
import stat
from pathlib import Path


def sha256_file(path: str | os.PathLike) -> str:
    """File -> hex sha256, read in 1 MiB chunks so large files cost no memory."""
    import hashlib  # OpenSSL is loaded when a file is hashed, not when the CLI starts

    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def write_atomic(path: Path, text: str, *, durable: bool = True) -> None:
    """Write text so that readers see the old file or the new one, never half of it; durable: on
    disk before it replaces the old one (a crash cannot leave an empty file in its place)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
        if durable:
            f.flush()
            os.fsync(f.fileno())
    os.replace(tmp, path)


def link_or_copy(source: str, dest: str, twin: str | None) -> bool:
    """(a file, where it goes, a file that should hold the same bytes or None) -> True when `dest`
    became a hard link to `twin`, False when it is a copy of `source` (shutil.copy2).

    A new inode costs this file system up to twenty times a link. The twin is linked only when it
    is a regular file of the source's size; whether it holds the same bytes is for the caller to
    check (publish re-hashes every file it stages). Where no link can be made (another file
    system, the link limit, a protected file) the source is copied."""
    if twin is not None:
        try:
            found = os.lstat(twin)
            if stat.S_ISREG(found.st_mode) and found.st_size == os.stat(source).st_size:
                os.link(twin, dest, follow_symlinks=False)
                return True
        except OSError:  # EXDEV, EMLINK, EPERM, the twin gone
            pass
    shutil.copy2(source, dest)
    return False


# --- what a path is, for inputs that must be plain files -------------------------------------

def kind_of(path: str | os.PathLike) -> str:
    """Path -> 'file', 'folder', 'symbolic link', 'FIFO (named pipe)', 'device', 'socket' or
    'missing', without following a link: an error can then say what was given instead of a file."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return "missing"
    except OSError as exc:  # a name too long, a folder we may not enter
        return f"unreadable path ({exc.strerror})"
    for test, name in ((stat.S_ISREG, "file"), (stat.S_ISDIR, "folder"), (stat.S_ISLNK, "symbolic link"),
                       (stat.S_ISFIFO, "FIFO (named pipe)"), (stat.S_ISSOCK, "socket")):
        if test(mode):
            return name
    return "device"


def not_a_file(path: str | os.PathLike) -> str | None:
    """Why a path given as an input file cannot be read as one (following a link the user named),
    or None when it is a regular file. Never opens it: opening a FIFO would block."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return "no such file" if kind_of(path) == "missing" else "a symbolic link to nothing"
    except OSError as exc:
        return f"cannot be read: {exc.strerror}"
    if stat.S_ISREG(mode):
        return None
    kind = "folder" if stat.S_ISDIR(mode) else "FIFO (named pipe)" if stat.S_ISFIFO(mode) \
        else "socket" if stat.S_ISSOCK(mode) else "device"
    return f"is a {kind}, not a regular file"


def file_name(path: str | os.PathLike) -> str:
    """A path's file name as text: bytes that are not UTF-8 (kept by Python as lone surrogates,
    which no UTF-8 writer accepts) become \\xff escapes, so the name can be written as data."""
    return Path(path).name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def irregular_entries(root: str | os.PathLike, limit: int = 20) -> list[str]:
    """Folder -> 'relative/path is a KIND' for each entry that is neither a regular file nor a folder
    (symbolic links, FIFOs, devices, sockets), at most `limit`. A package is trusted only for its
    own regular files: a link would publish or overwrite what it points to, a FIFO blocks a reader."""
    found: list[str] = []
    root = os.fspath(root)
    for dirpath, dirnames, filenames in os.walk(root):  # os.walk does not follow links to folders
        for name in dirnames + filenames:
            full = os.path.join(dirpath, name)
            kind = kind_of(full)
            if kind not in ("file", "folder"):
                found.append(f"{os.path.relpath(full, root)} is a {kind}")
                if len(found) >= limit:
                    return found
    return found


# --- JSON read from files others wrote ---------------------------------------------------------

class JsonFileError(ValueError):
    """A JSON file that cannot be used; the message names the file and says why."""


def read_json(path: str | os.PathLike, max_depth: int | None = None):
    """JSON file -> value; a non-regular file, bytes that are not UTF-8 JSON, or nesting deeper
    than the limit raise JsonFileError (the parser itself would hit the recursion limit)."""
    import json

    from .limits import MAX_JSON_DEPTH

    depth_limit = max_depth or MAX_JSON_DEPTH.value()
    too_deep = (f"{path}: JSON nested deeper than the limit of {depth_limit} levels "
                f"(set {MAX_JSON_DEPTH.env} to raise it)")
    reason = not_a_file(path)
    if reason:
        raise JsonFileError(f"{path}: {reason}")
    try:
        with open(path, "rb") as fh:
            data = fh.read()
        value = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise JsonFileError(f"{path}: not UTF-8 ({exc.reason} at byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise JsonFileError(f"{path}: not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})") from None
    except RecursionError:
        raise JsonFileError(too_deep) from None
    if json_depth(data, depth_limit) > depth_limit:
        raise JsonFileError(too_deep)
    return value


_ESCAPE = re.compile(rb"\\.", re.DOTALL)  # a backslash and the character it escapes
_JSON_STRING = re.compile(rb'"[^"]*"')  # once escapes are gone, a string is quote to quote
_INNERMOST = re.compile(rb"\[\]|\{\}")
_NOT_STRUCTURE = bytes(c for c in range(256) if c not in b'"\\[]{}')  # every byte but quotes, backslash, brackets


def json_depth(text: str | bytes, limit: int) -> int:
    """Valid JSON text (or its UTF-8 bytes) -> its nesting depth (a scalar is 0), counted up to
    limit + 1. Read from the text, not the parsed value: walking a large descriptor's values cost
    more than parsing it. Worked on bytes (a byte of a multi-byte UTF-8 character is never ASCII):
    escapes dropped, then every byte but quotes and brackets (one table lookup each), then the
    strings; each pass removes the innermost bracket pairs, one level."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    if b"\\" in data:
        data = _ESCAPE.sub(b"", data)
    brackets = _JSON_STRING.sub(b"", data.translate(None, _NOT_STRUCTURE))
    depth = 0
    while brackets and depth <= limit:
        brackets = _INNERMOST.sub(b"", brackets)
        depth += 1
    return depth


# --- text from outside, echoed to a terminal ----------------------------------------------------

def printable(text: str) -> str:
    """Text -> the same with control and format characters escaped (\\x1b, \\u202e): a file name
    can hold an escape sequence that would recolour or rewrite the operator's terminal. Bytes of a
    file name that are not UTF-8 (surrogate escapes) show as \\xff."""
    import unicodedata

    out = []
    for c in text:
        if 0xDC80 <= ord(c) <= 0xDCFF:
            out.append(f"\\x{ord(c) - 0xDC00:02x}")
        elif c.isprintable() or unicodedata.category(c) == "Zs":
            out.append(c)
        else:
            out.append(c.encode("unicode_escape", "backslashreplace").decode("ascii"))
    return "".join(out)
