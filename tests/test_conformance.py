"""The fast path of `structure.frictionless` says "clean" only where stock Frictionless finds nothing.

`checks.conformance.proven_clean` lets a clean package skip `Package.validate` (the engine's
largest fixed cost). These tests hold it to Frictionless's own verdict: every broken package here
is first shown broken by stock Frictionless (not by the code under test), then must not be proven
clean; and a clean package must be proven clean, or the shortcut would be dead code.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import random
import shutil
from pathlib import Path

import frictionless
import pytest

from reportpub.checks.conformance import proven_clean
from reportpub.validate import validate


def csv_descriptor(package: Path) -> dict:
    descriptor = json.loads((package / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["resources"] = [r for r in descriptor["resources"] if r.get("format") != "parquet"]
    return descriptor


def frictionless_valid(package: Path) -> bool:
    """Stock Frictionless, as structure.frictionless ran it before the shortcut."""
    try:
        return frictionless.Package(csv_descriptor(package), basepath=str(package)).validate().valid
    except frictionless.FrictionlessException:
        return False


def restamp(package: Path, resource: str) -> None:
    """Bytes and hash of the descriptor made true again, so only the rows are wrong."""
    path = package / "datapackage.json"
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    raw = (package / "data" / f"{resource}.csv").read_bytes()
    for r in descriptor["resources"]:
        if r["name"] == resource:
            r["bytes"], r["hash"] = len(raw), "sha256:" + hashlib.sha256(raw).hexdigest()
    path.write_text(json.dumps(descriptor, ensure_ascii=False), encoding="utf-8")


def rows(package: Path, resource: str) -> list[list[str]]:
    text = (package / "data" / f"{resource}.csv").read_text(encoding="utf-8")
    return list(csv.reader(io.StringIO(text, newline="")))


def write_rows(package: Path, resource: str, table: list[list[str]]) -> None:
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\n").writerows(table)
    (package / "data" / f"{resource}.csv").write_text(out.getvalue(), encoding="utf-8")
    restamp(package, resource)


def set_cell(resource: str, column: str, value: str, row: int = 1):
    def change(package: Path) -> None:
        table = rows(package, resource)
        table[row][table[0].index(column)] = value
        write_rows(package, resource, table)
    return change


def edit_rows(resource: str, edit):
    def change(package: Path) -> None:
        table = rows(package, resource)
        edit(table)
        write_rows(package, resource, table)
    return change


def edit_bytes(resource: str, edit, stamp: bool = True):
    def change(package: Path) -> None:
        path = package / "data" / f"{resource}.csv"
        path.write_bytes(edit(path.read_bytes()))
        if stamp:
            restamp(package, resource)
    return change


def edit_descriptor(edit):
    def change(package: Path) -> None:
        path = package / "datapackage.json"
        descriptor = json.loads(path.read_text(encoding="utf-8"))
        edit(descriptor)
        path.write_text(json.dumps(descriptor, ensure_ascii=False), encoding="utf-8")
    return change


def resource(descriptor: dict, name: str) -> dict:
    return next(r for r in descriptor["resources"] if r["name"] == name)


BROKEN = {
    "integer that is not one": set_cell("facts", "paragraph_id", "x"),
    "integer written as a decimal": set_cell("facts", "char_start", "1.0"),
    "number that is not one": set_cell("facts", "value", "12,3"),
    "impossible date": set_cell("facts", "period_end", "2022-02-30"),
    "value outside the enum": set_cell("facts", "measure", "Level"),
    "report id against its pattern": set_cell("reports", "report_id", "Bad Id"),
    "required cell empty": set_cell("facts", "subject", ""),
    "minimum broken": set_cell("paragraphs", "paragraph_id", "0"),
    "unique fact id twice": edit_rows("facts", lambda t: t.__setitem__(2, t[1])),
    "primary key twice": edit_rows("paragraphs", lambda t: t.append(list(t[1]))),
    "unit not in the code list": set_cell("facts", "unit", "亿亿元"),
    "paragraph that does not exist": set_cell("facts", "paragraph_id", "9999"),
    "paragraph of another report": set_cell("paragraphs", "report_id", "other-report"),
    "extra cell": edit_rows("facts", lambda t: t[1].append("extra")),
    "missing cell": edit_rows("facts", lambda t: t[1].pop()),
    "blank row": edit_bytes("facts", lambda b: b.replace(b"\n", b"\n\n", 2)),
    "all-empty row": edit_rows("facts", lambda t: t.append([""] * len(t[0]))),
    "header renamed": edit_rows("facts", lambda t: t[0].__setitem__(3, "sektion")),
    "header order swapped": edit_rows("facts", lambda t: t[0].__setitem__(slice(0, 2), t[0][1::-1])),
    "not UTF-8": edit_bytes("reports", lambda b: b.replace("管委会".encode(), "管委会".encode("gb18030"), 1)),
    "bytes out of date": edit_bytes("units", lambda b: b + b"\n", stamp=False),
    "hash out of date": edit_bytes("units", lambda b: b.replace(b"percentage points", b"percentage pointz"),
                                   stamp=False),
    "package name that is no string": edit_descriptor(lambda d: d.__setitem__("name", 123)),
    "created that is no date": edit_descriptor(lambda d: d.__setitem__("created", "yesterday")),
    "resource without a path": edit_descriptor(lambda d: resource(d, "facts").pop("path")),
    "schema field of an unknown type": edit_descriptor(
        lambda d: resource(d, "facts")["schema"]["fields"][0].__setitem__("type", "text")),
    "dialect that reads another delimiter": edit_descriptor(
        lambda d: resource(d, "facts")["dialect"].__setitem__("delimiter", ";")),
}


def test_a_built_package_is_proven_clean_and_frictionless_agrees(seed_package):
    assert frictionless_valid(seed_package)
    assert proven_clean(csv_descriptor(seed_package), seed_package)


@pytest.mark.parametrize("case", list(BROKEN))
def test_a_package_frictionless_rejects_is_never_proven_clean(package_copy, case):
    BROKEN[case](package_copy)
    assert not frictionless_valid(package_copy), f"{case}: the break must be one Frictionless reports"
    assert not proven_clean(csv_descriptor(package_copy), package_copy)


def test_the_report_of_a_broken_package_is_frictionless_own(package_copy, tmp_path):
    """The shortcut changes nothing a steward reads: a package it cannot prove gets stock findings."""
    BROKEN["unit not in the code list"](package_copy)
    finding = next(f for f in validate(package_copy).findings if f.check == "structure.frictionless")
    assert finding.resource == "facts" and "foreign-key" in finding.message
    assert finding.rows[0]["type"] == "foreign-key" and "亿亿元" in finding.rows[0]["message"]


TRICKY = ["", " ", "0", "-0", "01", "1.0", "1e3", "NaN", "inf", "２０２２", "2022-13-01", "2022-1-5",
          " 12", "level ", "Level", "true", "亿元", "%", "-1", "99999999999999999999", "a\nb", '"', "x,y"]


def test_random_cell_changes_are_proven_clean_only_when_frictionless_finds_nothing(seed_package, tmp_path):
    """Sixty single-cell changes; a clean verdict must always be Frictionless's verdict."""
    rng = random.Random(20261129)
    tables = {name: rows(seed_package, name) for name in ("reports", "paragraphs", "facts")}
    proven = 0
    for i in range(60):
        name = rng.choice(list(tables))
        table = [list(r) for r in tables[name]]
        row, column = rng.randrange(1, len(table)), rng.randrange(len(table[0]))
        pool = TRICKY + [r[column] for r in table[1:]] + [r[rng.randrange(len(r))] for r in table[1:4]]
        table[row][column] = rng.choice(pool)
        package = tmp_path / f"p{i}"
        shutil.copytree(seed_package, package)
        write_rows(package, name, table)
        if proven_clean(csv_descriptor(package), package):
            proven += 1
            assert frictionless_valid(package), f"{name} row {row} column {table[0][column]}: {table[row][column]!r}"
        shutil.rmtree(package)
    assert proven > 0  # some changes keep the package valid (a value swapped for a like one)
