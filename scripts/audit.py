#!/usr/bin/env python3
"""Known vulnerabilities in the pinned dependencies (requirements.lock), from PyPI's JSON API.

pip-audit asks PyPI for each pinned version (`/pypi/NAME/VERSION/json`), which the package mirror
this project's machines reach does not serve; the project-level document (`/pypi/NAME/json`) is
served and carries the vulnerability list (from the OSV database) of the latest release. So:
a pin equal to the latest release is audited; an older pin is listed as not audited, with the
fixed versions of every vulnerability PyPI reports for the latest release that names it.
Exit 1 when a pinned version has a known vulnerability not explained in audit-exceptions.txt
(lines `PACKAGE VULN-ID  reason`); exit 0 otherwise. Standard library only.

    python3 scripts/audit.py [requirements.lock]
"""

from __future__ import annotations

import json
import re
import sys
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def pins(lock: Path) -> dict[str, str]:
    return dict(re.findall(r"^([A-Za-z0-9_.\-]+)==([^\s\\;]+)", lock.read_text(encoding="utf-8"), re.M))


def exceptions() -> dict[tuple[str, str], str]:
    path = ROOT / "audit-exceptions.txt"
    out = {}
    if path.is_file():
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#"):
                name, vuln, reason = (line.split(None, 2) + [""])[:3]
                out[(name.lower(), vuln)] = reason
    return out


def fetch(name: str) -> dict | None:
    try:
        with urllib.request.urlopen(f"https://pypi.org/pypi/{name}/json", timeout=20) as r:
            return json.load(r)
    except (urllib.error.URLError, TimeoutError, ValueError):
        return None


def main(argv: list[str]) -> int:
    lock = Path(argv[0]) if argv else ROOT / "requirements.lock"
    pinned = pins(lock)
    with ThreadPoolExecutor(max_workers=16) as pool:
        docs = dict(zip(pinned, pool.map(fetch, pinned)))
    allowed = exceptions()
    found, unreachable, older = [], [], []
    for name, version in sorted(pinned.items()):
        doc = docs[name]
        if doc is None:
            unreachable.append(name)
            continue
        if doc["info"]["version"] != version:
            older.append(f"{name} {version} (latest {doc['info']['version']})")
            continue
        for vuln in doc.get("vulnerabilities") or []:
            if (name.lower(), vuln["id"]) in allowed:
                print(f"explained: {name} {version} {vuln['id']}: {allowed[(name.lower(), vuln['id'])]}")
            else:
                found.append(f"{name} {version} {vuln['id']} (fixed in {', '.join(vuln.get('fixed_in') or ['?'])})")
    audited = len(pinned) - len(unreachable) - len(older)
    print(f"audit: {audited} of {len(pinned)} pinned packages audited against PyPI's vulnerability data; "
          f"{len(found)} known vulnerabilit{'y' if len(found) == 1 else 'ies'}")
    if older:
        print("not audited (pinned below the latest release, whose list is all PyPI serves here): " + "; ".join(older))
    if unreachable:
        print(f"not audited (PyPI did not answer): {', '.join(unreachable)}")
    for line in found:
        print(f"VULNERABLE: {line}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
