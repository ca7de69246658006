"""Descriptor checks: readable, the contract's resources and schemas, stock Frictionless validation.

Frictionless checks the CSV resources only (schema, types, constraints, keys, bytes and hash):
5.21 cannot count the bytes of Parquet, so the Parquet twins are checked with pyarrow instead
(`parquet.py`).
"""

from __future__ import annotations

import copy
import functools
import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from .. import contract as contract_files
from .base import Check, Problem, Unavailable, plural, rows_from_records
from .data import TABLES, PackageData, is_parquet, parquet_name


def package_readable(data: PackageData) -> Iterator[Problem]:
    try:
        data.descriptor
    except Unavailable as exc:
        yield Problem(str(exc))


def contract_resources(data: PackageData) -> Iterator[Problem]:
    """The four tables and their Parquet twins are there, with the contract's paths and schemas."""
    names = [r.get("name") for r in data.resources()]
    for name, count in Counter(names).items():
        if count > 1:
            yield Problem(f"resource name {name!r} is used {count} times", name)
    for table in TABLES:
        contract = _contract(table)  # one lookup for the CSV and its twin
        for name, fmt in ((table, "csv"), (parquet_name(table), "parquet")):
            try:
                res = data.resource(name)
            except Unavailable as exc:
                yield Problem(str(exc), name)
                continue
            wrong = []
            if res.get("path") != f"data/{table}.{fmt}":
                wrong.append(f"path is {res.get('path')!r}, expected 'data/{table}.{fmt}'")
            if (res.get("format") or fmt) != fmt:
                wrong.append(f"format is {res.get('format')!r}, expected {fmt!r}")
            if fmt == "csv":
                if not isinstance(res.get("bytes"), int):
                    wrong.append("`bytes` is missing")
                if not str(res.get("hash", "")).startswith("sha256:"):
                    wrong.append("`hash` is missing or not 'sha256:<hex>'")
            for message in wrong:
                yield Problem(f"{name}: {message}", name)
            yield from _schema_matches_contract(data, table, name, contract, keep_foreign_keys=fmt == "csv")


def _contract(table: str) -> tuple[Path, dict | Exception]:
    """A table -> its contract schema file and what it holds (or why it cannot be read)."""
    contract_path = contract_files.path(f"schemas/{table}.schema.json")
    try:
        return contract_path, _contract_schema(contract_path, contract_path.stat().st_mtime_ns)
    except (OSError, ValueError) as exc:
        return contract_path, exc


def _schema_matches_contract(data: PackageData, table: str, name: str, found: tuple[Path, dict | Exception], *,
                             keep_foreign_keys: bool):
    contract_path, contract = found
    if isinstance(contract, Exception):
        yield Problem(f"{name}: the contract schema {contract_path} cannot be read: {contract}", name)
        return
    if not keep_foreign_keys:
        contract = {k: v for k, v in contract.items() if k != "foreignKeys"}
    try:
        actual = data.schema(name)
    except Unavailable as exc:
        yield Problem(str(exc), name)
        return
    if _decisive(actual) == _decisive(contract):  # the common verdict, without normalising either
        return
    want, got = _normalise(contract), _normalise(actual)
    if want == got:
        return
    rows = []
    want_fields, got_fields = dict(want["fields"]), dict(got["fields"])
    for field in dict.fromkeys([*want_fields, *got_fields]):
        if want_fields.get(field) != got_fields.get(field):
            rows.append({"field": field, "expected": json.dumps(want_fields.get(field), ensure_ascii=False),
                         "found": json.dumps(got_fields.get(field), ensure_ascii=False)})
    if [f for f, _ in want["fields"]] != [f for f, _ in got["fields"]] and not rows:
        rows.append({"field": "(order)", "expected": ", ".join(want_fields), "found": ", ".join(got_fields)})
    for key in ("primaryKey", "foreignKeys", "missingValues"):
        if want[key] != got[key]:
            rows.append({"field": f"({key})", "expected": json.dumps(want[key], ensure_ascii=False),
                         "found": json.dumps(got[key], ensure_ascii=False)})
    yield Problem(f"{name}: the schema differs from schemas/{table}.schema.json in {plural(len(rows), 'place')}",
                  name, rows_from_records(rows))


@functools.lru_cache(maxsize=16)
def _contract_schema(path: Path, mtime_ns: int) -> dict:
    """A contract schema file, read once per process and version of the file (never mutate it)."""
    return json.loads(path.read_text(encoding="utf-8"))


def _decisive(schema: dict) -> dict:
    """The keys `_normalise` reads: schemas equal on these normalise equal."""
    return {k: schema.get(k) for k in ("fields", "primaryKey", "foreignKeys", "missingValues")}


def _normalise(schema: dict) -> dict:
    """Table Schema -> only what decides validity (names, types, formats, constraints, keys)."""
    def as_list(value):
        return [value] if isinstance(value, str) else list(value or [])

    fields = [(f.get("name"), {"type": f.get("type", "string"), "format": f.get("format", "default"),
                               "constraints": f.get("constraints", {})})
              for f in schema.get("fields", []) if isinstance(f, dict)]
    foreign = [{"fields": as_list(fk.get("fields")),
                "reference": {"resource": (fk.get("reference") or {}).get("resource", ""),
                              "fields": as_list((fk.get("reference") or {}).get("fields"))}}
               for fk in schema.get("foreignKeys", []) if isinstance(fk, dict)]
    return {"fields": fields, "primaryKey": as_list(schema.get("primaryKey")), "foreignKeys": foreign,
            "missingValues": schema.get("missingValues", [""])}


def frictionless_package(data: PackageData) -> Iterator[Problem]:
    """Stock `Package.validate` on the CSV resources: one Problem per invalid resource. A package
    that `conformance.proven_clean` proves clean skips it: Frictionless would find nothing."""
    import frictionless

    from .conformance import proven_clean

    descriptor = {**data.descriptor, "resources": [r for r in data.descriptor["resources"] if not is_parquet(r)]}
    if outside := _outside_references(data, descriptor):
        yield Problem(f"not handed to Frictionless: {'; '.join(outside[:3])} (validation reads only files "
                      "inside the package and never the network)")
        return
    if proven_clean(descriptor, data.directory, data.read_bytes):
        return
    try:
        package = frictionless.Package(copy.deepcopy(descriptor), basepath=str(data.directory))
        report = package.validate()
    except frictionless.FrictionlessException as exc:
        yield Problem(f"Frictionless cannot open the package: {exc.error.message}")
        return
    if report.errors:
        yield _errors_problem("package", report.errors, None)
    for task in report.tasks:
        if not task.valid:
            yield _errors_problem(task.name, task.errors, task.name)


# Profiles Frictionless knows without fetching them; any other URL it would download.
KNOWN_PROFILES = {"data-package", "tabular-data-package", "data-resource", "tabular-data-resource",
                  "https://datapackage.org/profiles/2.0/datapackage.json",
                  "https://datapackage.org/profiles/2.0/dataresource.json",
                  "https://datapackage.org/profiles/2.0/tableschema.json",
                  "https://datapackage.org/profiles/2.0/tabledialect.json"}


def _outside_references(data: PackageData, descriptor: dict) -> list[str]:
    """What Frictionless would open outside the package folder: a resource path, schema or dialect
    that is a URL or leaves the folder, or a profile it would download."""
    found = []
    for where, obj in [("package", descriptor), *((str(r.get("name")), r) for r in descriptor["resources"])]:
        for key in ("profile", "$schema"):
            if key in obj and obj[key] not in KNOWN_PROFILES:
                found.append(f"{where}: {key} {str(obj[key])[:80]!r}")
        if obj is descriptor:
            continue
        paths = obj.get("path") if isinstance(obj.get("path"), list) else [obj.get("path")]
        refs = [p for p in paths if "data" not in obj or p is not None]
        refs += [obj[k] for k in ("schema", "dialect") if isinstance(obj.get(k), str)]
        for ref in refs:
            try:
                data.safe_path(ref, where)
            except Unavailable as exc:
                found.append(str(exc))
        for key in ("schema", "dialect"):
            if isinstance(obj.get(key), dict) and any(k in obj[key] and obj[key][k] not in KNOWN_PROFILES
                                                      for k in ("profile", "$schema")):
                found.append(f"{where}: the {key} names a profile Frictionless would download")
    return found


def _errors_problem(where: str, errors: list, resource: str | None) -> Problem:
    described = [e.to_descriptor() for e in errors]
    counts = Counter(d.get("type") for d in described)
    kinds = ", ".join(f"{t} ×{n}" for t, n in counts.most_common())
    first = described[0].get("message", "")
    rows = [{"type": d.get("type"), "row_number": d.get("rowNumber"), "field": d.get("fieldName"),
             "cell": d.get("cell"), "message": d.get("message")} for d in described]
    return Problem(f"{where}: {plural(len(described), 'Frictionless error')} ({kinds}); first: {first}",
                   resource, rows_from_records(rows))


CHECKS = (
    Check("package.readable", package_readable,
          "datapackage.json exists and is a JSON object with a list of resources",
          zh="datapackage.json 存在，是含资源列表的 JSON 对象"),
    Check("structure.resources", contract_resources,
          "the four tables and their Parquet twins are described with the contract's paths and schemas",
          zh="各表及其 Parquet 副本按约定的路径和表结构登记"),
    Check("structure.frictionless", frictionless_package,
          "Frictionless validation of the CSV resources: schema, types, constraints, keys, bytes, hash",
          zh="Frictionless 校验 CSV 资源：表结构、类型、约束、键、字节数与哈希"),
)
