"""Prove, fast, that stock Frictionless validation would find nothing in a package's CSV resources.

`Package.validate` costs ~0.15 s per package, almost all of it fixed per resource (metadata
copies, lookups that re-read the referenced tables), which alone kept the engine under 3 reports/s.
This module reaches the same verdict on a clean package in a few milliseconds with Frictionless's
own parts: its metadata validation, its CSV dialect sniffing and its per-field cell readers
(types, missing values, constraints). Ours are only the loop over rows, the keys (unique, primary,
foreign, compared on the values those readers return, as Frictionless compares them) and bytes and
hash.

It answers only "clean" or "not proven". Anything it does not model (a resource property, dialect
or encoding our builder never writes, a byte-order mark, a ragged or blank row, a label that is not
the schema's, any cell a reader refuses) is "not proven", and the caller runs stock Frictionless,
whose errors are what the steward reads. So findings are Frictionless's own in every case; "clean"
is a shortcut to the answer Frictionless gives, and tests/test_conformance.py holds it to that.
"""

from __future__ import annotations

import copy
import csv
import functools
import hashlib
import io
import json
from collections.abc import Callable
from itertools import chain, repeat
from pathlib import Path
from typing import Any

from ..recent import Recent
from .base import content_key

# What a CSV resource of ours holds; another property (`rows`, `fields`, `extrapaths`...) could
# carry a promise the row loop below does not verify, so it sends the package to Frictionless.
RESOURCE_KEYS = frozenset({"name", "path", "format", "mediatype", "title", "description", "schema",
                           "encoding", "dialect", "bytes", "hash"})
DIALECT_KEYS = frozenset({"header", "delimiter"})
BOM = b"\xef\xbb\xbf"

_resources_valid: dict[bytes, bool] = {}  # resource descriptors (without bytes, hash) -> metadata valid
_readers: dict[bytes, tuple] = {}          # schema (content_key) -> Frictionless cell readers
# (schema, dialect, sha256) -> key values | None; the code lists every package carries stay, a
# report's own tables pass through
_tables: Recent[dict | None] = Recent(16)
_cells: dict[Callable, dict[str, Any]] = {}  # Frictionless cell reader -> cell -> the value it read (no notes)
CELLS_KEPT = 20_000  # per reader; then it starts again


def proven_clean(descriptor: dict, directory: Path, read: Callable[[Path], bytes] = Path.read_bytes) -> bool:
    """Descriptor (its CSV resources only) and package folder -> True when stock Frictionless
    validation would report no error; False when that is not proven (run Frictionless). `read`
    gives a file's bytes (the caller's, when other checks read the same files)."""
    resources = descriptor.get("resources")
    if not isinstance(resources, list) or not resources or not all(_modelled(r) for r in resources):
        return False
    if not (_package_metadata_valid(descriptor) and _resources_metadata_valid(descriptor)):
        return False
    tables: dict[str, dict] = {}
    for resource in resources:
        keys = _table_keys(resource, directory, read)
        if keys is None:
            return False
        tables[resource["name"]] = keys
    return all(_foreign_keys_hold(r, tables) for r in resources)


def _modelled(resource: Any) -> bool:
    """A CSV resource shaped as our builder writes it, and nothing this module does not check."""
    if not isinstance(resource, dict) or set(resource) - RESOURCE_KEYS:
        return False
    dialect = resource.get("dialect", {})
    return (isinstance(resource.get("name"), str) and isinstance(resource.get("path"), str)
            and resource.get("format", "csv") == "csv" and resource.get("encoding") == "utf-8"
            and isinstance(resource.get("schema"), dict)
            and isinstance(dialect, dict) and not set(dialect) - DIALECT_KEYS and dialect.get("header", True) is True
            and isinstance(resource.get("bytes"), int) and not isinstance(resource.get("bytes"), bool)
            and isinstance(resource.get("hash"), str) and resource["hash"].startswith("sha256:"))


def _package_metadata_valid(descriptor: dict) -> bool:
    """The package's own properties (names unique, name pattern, created, licenses, contributors...)
    through the two steps of Frictionless's constructor that decide validity, transform and
    validate, with each resource cut to its name and path (building the objects costs 20 ms)."""
    import frictionless

    stubs = [{"name": r["name"], "path": r["path"]} for r in descriptor["resources"]]
    stubbed = copy.deepcopy({**descriptor, "resources": stubs})
    try:
        frictionless.Package.metadata_transform(stubbed)
        return not any(True for _ in frictionless.Package.metadata_validate(stubbed))
    except frictionless.FrictionlessException:
        return False


def _resources_metadata_valid(descriptor: dict) -> bool:
    """The resources' descriptors without bytes and hash (checked against the files below) are the
    same in every package of one contract, so Frictionless validates each distinct list once."""
    import frictionless

    head = {k: descriptor[k] for k in ("$schema", "profile") if k in descriptor}
    stripped = [{k: v for k, v in r.items() if k not in ("bytes", "hash")} for r in descriptor["resources"]]
    key = content_key([head, stripped])
    if key not in _resources_valid:
        try:
            frictionless.Package(copy.deepcopy({**head, "name": "conformance", "resources": stripped}))
            _resources_valid[key] = True
        except frictionless.FrictionlessException:
            _resources_valid[key] = False
    return _resources_valid[key]


def _table_keys(resource: dict, directory: Path, read: Callable[[Path], bytes]) -> dict | None:
    """One CSV resource -> the values of its key fields by field-name tuple, when every row passes
    what Frictionless checks; None when not proven. Identical files (the code lists every package
    carries) are read once."""
    try:
        raw = read(directory / resource["path"])
    except OSError:
        return None
    digest = hashlib.sha256(raw).hexdigest()
    if len(raw) != resource["bytes"] or resource["hash"] != f"sha256:{digest}" or raw.startswith(BOM):
        return None
    schema_key = content_key(resource["schema"])
    key = (schema_key, content_key(resource.get("dialect", {})), digest)
    return _tables.get(key, lambda: _read_table(raw, resource, schema_key))


def _read_table(raw: bytes, resource: dict, schema_key: bytes) -> dict | None:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    names, readers, missing, unique, primary, key_fields = _schema_readers(resource["schema"], schema_key)
    rows = _csv_rows(text, resource.get("dialect", {}))
    if next(rows, None) != names:
        return None
    rows = list(rows)
    width = len(names)
    if any(len(cells) != width or ((not cells or cells[0] in missing) and set(cells) <= missing) for cells in rows):
        return None  # a ragged or a blank row
    keyed = {f for fields in (*((u,) for u in unique), primary, *key_fields) for f in fields}
    columns: dict[str, list] = {}
    for name, reader, cells in zip(names, readers, zip(*rows) if rows else [()] * width):
        read = _read_cells(reader, cells)
        if read is None:
            return None
        if name in keyed:  # only the keys are compared below: other values need no list
            columns[name] = [read[cell] for cell in cells]
    for fields in (*((u,) for u in unique), primary):
        if fields and not _distinct(list(zip(*(columns[f] for f in fields))), primary_key=fields == primary):
            return None
    return {fields: set(zip(*(columns[f] for f in fields))) for fields in key_fields}


def _read_cells(reader: Callable, cells: tuple[str, ...]) -> dict[str, Any] | None:
    """A column's cells -> cell -> the value Frictionless reads from it; None when it notes a
    problem with any. A reader is a function of the cell alone, so what it read is kept, per reader,
    for the packages that follow (a measure, a status, a date, an offset recur in every report)."""
    known = _cells.setdefault(reader, {})
    if len(known) > CELLS_KEPT:
        known.clear()
    for cell in set(cells).difference(known):  # only the cells not met before cost a call
        value, notes = reader(cell)
        if notes:
            return None
        known[cell] = value
    return known  # holds every cell of the column now


def _distinct(keys: list[tuple], *, primary_key: bool) -> bool:
    """No key twice among those not wholly empty; a primary key is never wholly empty."""
    present = [k for k in keys if not all(v is None for v in k)]
    return len(set(present)) == len(present) and (not primary_key or len(present) == len(keys))


def _schema_readers(schema: dict, schema_key: bytes) -> tuple:
    """Table Schema -> (names, Frictionless cell readers, missing values, unique fields, primary
    key, every field tuple a foreign key refers to or from)."""
    if schema_key not in _readers:
        import frictionless

        parsed = frictionless.Schema.from_descriptor(copy.deepcopy(schema))
        readers: list[Callable] = [field.create_cell_reader() for field in parsed.fields]
        unique = tuple(f.name for f in parsed.fields if f.constraints.get("unique"))
        key_fields = {tuple(fk["fields"]) for fk in parsed.foreign_keys} | _referenced_keys(schema)
        _readers[schema_key] = ([f.name for f in parsed.fields], readers, frozenset(parsed.missing_values),
                                unique, tuple(parsed.primary_key), key_fields)
    return _readers[schema_key]


def _referenced_keys(schema: dict) -> set[tuple]:
    """Every field tuple that any contract table could look up in this one: its unique fields and
    primary key (a foreign key refers to one of them in our contract; others are not proven)."""
    primary = schema.get("primaryKey") or []
    found = {tuple([primary] if isinstance(primary, str) else primary)} if primary else set()
    found |= {(f["name"],) for f in schema.get("fields", []) if (f.get("constraints") or {}).get("unique")}
    return found


def _csv_rows(text: str, dialect: dict):
    """Rows as Frictionless's CSV parser reads them: with the dialect it sniffs from a sample."""
    import frictionless
    from frictionless.formats.csv.control import CsvControl
    from frictionless.formats.csv.parser import extract_samle

    plain = _unsniffed(json.dumps(dialect, sort_keys=True))
    if plain is not None:
        try:
            rows = list(csv.reader(io.StringIO(text, newline=""), dialect=plain))
        except csv.Error:
            rows = None
        # no cell starts with a space (str.startswith mapped in C: two thirds of a generator's cost)
        if rows is not None and not any(map(str.startswith, chain.from_iterable(rows), repeat(" "))):
            return iter(rows)
    stream = io.StringIO(text, newline="")
    control = CsvControl.from_dialect(frictionless.Dialect.from_descriptor(dialect))
    sample = extract_samle(stream)
    try:
        config = csv.Sniffer().sniff("".join(sample), control.get_defined("delimiter", default=",\t;|"))
    except csv.Error:
        config = csv.excel()
    return csv.reader(chain(sample, stream), dialect=_python_dialect(control, config))


@functools.lru_cache(maxsize=64)
def _unsniffed(dialect_json: str) -> Any:
    """Dialect -> the Python dialect Frictionless reads with when sniffing changes nothing, or None
    when it must sniff (no single delimiter). Made once per dialect, not once per file.

    With the delimiter given, the sniff decides only quote char (always '"' after Frictionless's
    own fix), escape char (the sniffer sets none) and skipinitialspace, which acts only on a space
    at the start of a field: rows read without it in which no field starts with a space are the
    rows Frictionless reads (the caller checks that; sniffing costs 1 ms on a small file)."""
    import frictionless
    from frictionless.formats.csv.control import CsvControl

    control = CsvControl.from_dialect(frictionless.Dialect.from_descriptor(json.loads(dialect_json)))
    if len(control.get_defined("delimiter", default=",\t;|")) != 1:
        return None
    return _python_dialect(control, csv.excel())


def _python_dialect(control, config):
    """Frictionless's CSV control completed with the sniffed (or default) config -> a Python csv dialect."""
    if config.quotechar == "'":
        config.quotechar = '"'
    control.set_not_defined("delimiter", config.delimiter, distinct=True)
    control.set_not_defined("line_terminator", config.lineterminator, distinct=True)
    control.set_not_defined("escape_char", config.escapechar, distinct=True)
    control.set_not_defined("quote_char", config.quotechar, distinct=True)
    control.set_not_defined("skip_initial_space", config.skipinitialspace, distinct=True)
    return control.to_python()


def _foreign_keys_hold(resource: dict, tables: dict[str, dict]) -> bool:
    """Each foreign key's values (unless all empty) are among the referenced table's key values."""
    for fk in resource["schema"].get("foreignKeys", []):
        fields, ref = fk.get("fields"), fk.get("reference") or {}
        fields = tuple([fields] if isinstance(fields, str) else fields or [])
        ref_fields = ref.get("fields")
        ref_fields = tuple([ref_fields] if isinstance(ref_fields, str) else ref_fields or [])
        target = tables.get(ref.get("resource") or resource["name"])
        if target is None or ref_fields not in target or fields not in tables[resource["name"]]:
            return False
        wanted = {k for k in tables[resource["name"]][fields] if not all(v is None for v in k)}
        if not wanted <= target[ref_fields]:
            return False
    return True
