"""checksums.sha256 -> every line matches its file, and every data file is listed.

The manifest is what a downloader checks with `sha256sum -c`; a wrong line there makes an honest
package look tampered with, so it blocks as surely as a bad value does.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import PurePosixPath

from .base import Check, Problem, Unavailable, agree, plural, rows_from_records
from .data import MANIFEST, OUTPUTS, PackageData

_LINE = re.compile(r"^([0-9a-fA-F]{64}) [ *](.+)$")


def manifest_matches(data: PackageData) -> Iterator[Problem]:
    path = data.directory / MANIFEST
    if not path.is_file():
        yield Problem(f"{MANIFEST} is missing")
        return
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        yield Problem(f"{MANIFEST} cannot be read: {exc}")
        return
    listed: dict[str, str] = {}
    malformed, mismatched = [], []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        match = _LINE.match(line)
        if not match:
            malformed.append({"line": number, "text": line})
            continue
        digest, rel = match.group(1).lower(), PurePosixPath(match.group(2)).as_posix()
        if rel in OUTPUTS:
            continue
        listed[rel] = digest
        try:
            target = data.safe_path(rel)
        except Unavailable as exc:
            mismatched.append({"line": number, "path": rel, "expected": digest, "actual": None, "note": str(exc)})
            continue
        if not target.is_file():
            mismatched.append({"line": number, "path": rel, "expected": digest, "actual": None,
                               "note": "no such file"})
            continue
        actual = data.sha256(target)
        if actual != digest:
            mismatched.append({"line": number, "path": rel, "expected": digest, "actual": actual,
                               "note": "checksum differs"})
    if malformed:
        yield Problem(f"{MANIFEST}: {plural(len(malformed), 'line')} {agree(len(malformed), 'is', 'are')} not in "
                      "sha256sum format "
                      "('<64 hex>  <path>')", None, rows_from_records(malformed))
    if mismatched:
        yield Problem(f"{MANIFEST}: {plural(len(mismatched), 'line')} {agree(len(mismatched), 'does', 'do')} not "
                      "match the files "
                      f"({', '.join(r['path'] for r in mismatched[:5])})", None, rows_from_records(mismatched))
    unlisted = [{"resource": r.get("name"), "path": r.get("path")} for r in data.resources()
                if isinstance(r.get("path"), str) and PurePosixPath(r["path"]).as_posix() not in listed]
    if unlisted:
        yield Problem(f"{MANIFEST}: {plural(len(unlisted), 'data file')} of the descriptor not listed "
                      f"({', '.join(str(r['path']) for r in unlisted[:5])})", None, rows_from_records(unlisted))


CHECKS = (
    Check("structure.manifest", manifest_matches,
          "every line of checksums.sha256 matches its file; every data file of the descriptor is listed",
          zh="checksums.sha256 每行与其文件一致；描述文件中的每个数据文件都已列出"),
)
