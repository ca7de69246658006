"""Build: documents and their facts -> a Frictionless data package directory.

Each table is one Arrow table written twice, as CSV and as Parquet, so both hold the same rows.
Files are written deterministically (sorted rows, no timestamps inside data files), so the same
input gives byte-identical data files; only `created` in the descriptor changes.
The package is assembled in a temporary sibling directory and renamed into place: a failed build
never leaves a half-written package behind.
"""

from __future__ import annotations

import copy
import csv
import functools
import hashlib
import io
import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from dataclasses import fields as dataclass_fields
from datetime import datetime, timezone
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from . import EXTRACTOR_VERSION, __version__, contract, csvsafe
from .coverage import report_period
from .errors import BuildError
from .extract import Fact
from .indicators import code_list_of_indicators
from .ingest import Document
from .jsontext import indented
from .settings import package_settings
from .tables import TABLES
from .units import code_list

MANIFEST = "checksums.sha256"
_TEXT_FIELDS_FROM_REPORT = {"title", "publisher", "region", "section_title", "text", "quote", "subject", "context", "qualifier",
                            "source_file", "report_id", "subject_en", "report_title", "correction"}


@dataclass(frozen=True)
class BuildResult:
    path: Path
    name: str
    facts: int
    paragraphs: int
    reports: int


def load_schema(table: str) -> dict:
    schema = json.loads(contract.path(f"schemas/{table}.schema.json").read_text(encoding="utf-8"))
    schema.pop("$schema", None)
    return schema


def build(docs: list[Document], facts: list[Fact], out_dir: str | os.PathLike, *, name: str | None = None,
          version: str | None = None, corrections: dict | None = None) -> BuildResult:
    """(documents, facts) -> package directory at out_dir (replaced if it exists).

    `corrections` (reportpub.corrections.Corrected.record()) is kept in the descriptor, so that the
    gate and every target's changelog see what a steward corrected."""
    if not docs:
        raise BuildError("nothing to build: no reports")
    out = Path(out_dir)
    if out.exists() and not (out / "datapackage.json").is_file() and (not out.is_dir() or any(out.iterdir())):
        raise BuildError(f"{out}: exists and is not a data package; refusing to replace it")
    settings = package_settings()
    name = name or dataset_name(docs)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".build-", dir=out.parent))
    tmp.chmod(0o755)
    try:
        (tmp / "data").mkdir()
        rows = {
            "reports": lambda: [_report_row(d) for d in docs],
            "paragraphs": lambda: [_paragraph_row(d.report_id, p) for d in docs for p in d.paragraphs],
            "facts": lambda: [_fact_row(f) for f in facts],
        }
        resources, manifest, known = [], [], {}
        for table in TABLES:
            schema = _schema(table)
            csv_path, pq_path = f"data/{table}.csv", f"data/{table}.parquet"
            if table in CODE_LISTS:
                written = write_code_list(table, schema, tmp / csv_path, tmp / pq_path)
            else:
                written = write_table(rows[table](), schema.table, tmp / csv_path, tmp / pq_path)
            resources.append(_resource(table, csv_path, "csv", schema.table, written[0]))
            resources.append(_resource(f"{table}-parquet", pq_path, "parquet", schema.parquet))
            manifest += [(w.digest, p) for w, p in zip(written, (csv_path, pq_path))]
            known |= schema.texts()
        (tmp / MANIFEST).write_text("".join(f"{h}  {p}\n" for h, p in manifest), encoding="utf-8")
        descriptor = _descriptor(docs, facts, name, version or settings["version"], settings, resources)
        if corrections:
            descriptor["reportpub"]["corrections"] = corrections
        write_descriptor(tmp / "datapackage.json", descriptor, known)
        if out.exists():
            shutil.rmtree(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return BuildResult(out, name, len(facts), sum(len(d.paragraphs) for d in docs), len(docs))


def dataset_name(docs: list[Document]) -> str:
    if len(docs) == 1:
        return docs[0].report_id
    return "reports-" + hashlib.sha256("".join(sorted(d.sha256 for d in docs)).encode()).hexdigest()[:10]


# --- rows ----------------------------------------------------------------------------------

def _report_row(d: Document) -> dict:
    scope = d.scope or ("", "")
    return {"report_id": d.report_id, "title": d.title, "publisher": d.publisher, "year": d.year,
            "region": d.region, "kind": d.kind, "plan_year": d.plan_year, "delivered": d.delivered,
            "period_start": scope[0], "period_end": scope[1],
            "metadata_sources": json.dumps(d.metadata_sources, ensure_ascii=False, sort_keys=True),
            "source_file": d.source_name, "media_type": d.media_type, "encoding": d.encoding,
            "sha256": d.sha256, "char_count": d.char_count, "extractor_version": EXTRACTOR_VERSION}


def _paragraph_row(report_id: str, p) -> dict:
    return {"report_id": report_id, "paragraph_id": p.paragraph_id, "section": p.section,
            "section_title": p.section_title, "kind": p.kind, "part": p.part or "body", "text": p.text,
            "source_start": p.source_start, "source_end": p.source_end}


_FACT_FIELDS = tuple(f.name for f in dataclass_fields(Fact))


def _fact_row(f: Fact) -> dict:
    row = {name: getattr(f, name) for name in _FACT_FIELDS}  # asdict() deep-copies: every field is a scalar
    row["basis"] = row["basis"] or None
    return row


def _unit_row(u) -> dict:
    return {"unit": u.unit, "unit_base": u.unit_base, "factor": u.factor, "label_en": u.label_en, "kind": u.kind}


# --- writing -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Written:
    """A data file as written: its sha256 (taken from the bytes on their way out, not read back) and size."""

    digest: str
    size: int


def write_table(rows: list[dict], schema: dict, csv_path: Path, parquet_path: Path) -> tuple[Written, Written]:
    """Rows -> one Arrow table written twice, as CSV and as Parquet (the same rows in both)."""
    arrow = _arrow_table(rows, schema)
    return _write_csv(arrow, schema, csv_path), _write_parquet(arrow, parquet_path)


CODE_LISTS = ("units", "indicator_codes")  # the same rows in every package of a configuration
_CODE_LIST_SOURCES = {"units": lambda: code_list(), "indicator_codes": lambda: code_list_of_indicators()}
_CODE_LIST_FILES: dict[str, tuple] = {}  # table -> (code list object, schema, csv bytes, parquet bytes, written)


def write_code_list(table: str, schema: "_Schema", csv_path: Path, parquet_path: Path) -> tuple[Written, Written]:
    """A code list -> the same two files as write_table, made once per process for the code list
    (units.code_list(), indicators.code_list_of_indicators(): read once per process) and schema:
    every package carries the code lists, and making them cost more than a small report's tables."""
    source = _CODE_LIST_SOURCES[table]()
    cached = _CODE_LIST_FILES.get(table)
    if cached is None or cached[0] is not source or cached[1] is not schema:
        if table == "units":
            rows = [_unit_row(u) for u in sorted(source.values(), key=lambda u: u.unit)]
        else:
            rows = [i.row() for i in sorted(source.values(), key=lambda i: i.code)]
        written = write_table(rows, schema.table, csv_path, parquet_path)
        _CODE_LIST_FILES[table] = (source, schema, csv_path.read_bytes(), parquet_path.read_bytes(), written)
        return written
    csv_path.write_bytes(cached[2])
    parquet_path.write_bytes(cached[3])
    return cached[4]


_ARROW_TYPES = {"string": pa.string(), "integer": pa.int64(), "number": pa.float64(), "date": pa.date32(),
                "boolean": pa.bool_()}


def _arrow_table(rows: list[dict], schema: dict) -> pa.Table:
    fields = schema["fields"]
    columns = {}
    for f in fields:
        values = [r.get(f["name"]) for r in rows]
        if f["type"] == "date":
            dates = {v: datetime.strptime(v, "%Y-%m-%d").date() for v in set(values) if v}  # few distinct dates
            values = [dates[v] if v else None for v in values]
        if f["type"] == "string":
            if f.get("constraints", {}).get("required"):
                values = [v or "" for v in values]
            else:
                values = [None if v in (None, "") else (v or "") for v in values]
        columns[f["name"]] = pa.array(values, type=_ARROW_TYPES[f["type"]])
    return pa.table(columns)


class _HashingFile:
    """A text sink for csv.writer: UTF-8 bytes to the file, hashed on their way out."""

    def __init__(self, fh):
        self.fh, self.hash, self.size = fh, hashlib.sha256(), 0

    def write(self, text: str) -> None:
        data = text.encode("utf-8")
        self.hash.update(data)
        self.size += len(data)
        self.fh.write(data)


def _write_csv(table: pa.Table, schema: dict, path: Path) -> Written:
    """UTF-8 CSV, `\\n` line ends; numbers in shortest round-trip form; formula-like text defused.

    Written batch by batch, straight to the file: a large report never holds its CSV in memory.
    Cells are formatted a column at a time (one rule per column type), not cell by cell."""
    names = table.column_names
    types = {f["name"]: f["type"] for f in schema["fields"]}
    with open(path, "wb") as fh:
        out = _HashingFile(fh)
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(names)
        for batch in table.to_batches(max_chunksize=10_000):
            cols = [_cells(batch.column(i).to_pylist(), types[n], n) for i, n in enumerate(names)]
            writer.writerows(zip(*cols))
            out.write(buffer.getvalue())
            buffer.seek(0)
            buffer.truncate()
        out.write(buffer.getvalue())
    return Written(out.hash.hexdigest(), out.size)


def _cells(values: list, type_: str, name: str) -> list[str]:
    """One column's values -> its CSV cells (None: empty)."""
    if type_ == "number":
        return ["" if v is None else _number(v) for v in values]
    if type_ == "date":
        return ["" if v is None else v.isoformat() for v in values]
    if name in _TEXT_FIELDS_FROM_REPORT:
        return ["" if v is None else csvsafe.escape(str(v)) for v in values]
    return ["" if v is None else str(v) for v in values]


def _number(v: float) -> str:
    if float(v).is_integer() and abs(v) < 1e15:
        return str(int(v))
    return repr(float(v))


def _write_parquet(table: pa.Table, path: Path) -> Written:
    """Integer columns are marked as pandas' nullable Int64, so that a reader going through pandas
    (stock Frictionless does) reads an empty year as missing, not as the float NaN."""
    table = table.replace_schema_metadata(_pandas_metadata(table.schema))
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd", use_dictionary=False, write_statistics=True,
                   store_schema=True)
    data = sink.getvalue()
    path.write_bytes(data)
    return Written(hashlib.sha256(data).hexdigest(), data.size)


@functools.lru_cache(maxsize=64)
def _pandas_metadata(schema: pa.Schema) -> dict:
    """Arrow schema -> pandas' metadata for it. It depends on the schema only (an empty frame
    gives the same bytes), so it is made once per table schema and process."""
    import pandas as pd
    empty = pd.DataFrame({f.name: pd.Series([], dtype="Int64" if pa.types.is_integer(f.type) else
                                            f.type.to_pandas_dtype()) for f in schema})
    return pa.Table.from_pandas(empty, schema=schema, preserve_index=False).schema.metadata


@dataclass(frozen=True)
class _Schema:
    """A table's Table Schema as the CSV resource and (without foreign keys) the Parquet resource
    carry it, each with its datapackage.json text: every package repeats them, and serialising
    them with indentation was most of writing a descriptor. Private: never handed out or changed."""

    table: dict
    parquet: dict
    table_text: str
    parquet_text: str

    def texts(self) -> dict[int, str]:
        return {id(self.table): self.table_text, id(self.parquet): self.parquet_text}


def _schema(table: str) -> _Schema:
    """schemas/<table>.schema.json -> its _Schema, parsed again when the file's size or time changes."""
    path = contract.path(f"schemas/{table}.schema.json")
    stat = path.stat()
    return _parsed_schema(path, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=32)
def _parsed_schema(path: Path, mtime_ns: int, size: int) -> _Schema:
    schema = json.loads(path.read_text(encoding="utf-8"))
    schema.pop("$schema", None)
    parquet = {k: v for k, v in copy.deepcopy(schema).items() if k != "foreignKeys"}
    parsed = _Schema(schema, parquet, indented(schema), indented(parquet))
    _SCHEMA_TEXTS.update({_compact(schema): parsed.table_text, _compact(parquet): parsed.parquet_text})
    return parsed


_compact = json.JSONEncoder(ensure_ascii=False).encode  # the C encoder: one text per JSON value, order kept
_SCHEMA_TEXTS: dict[str, str] = {}  # compact text -> indented text of every schema this process parsed


def _resource(name: str, path: str, fmt: str, schema: dict, written: Written | None = None) -> dict:
    res = {"name": name, "path": path, "format": fmt,
           "mediatype": "text/csv" if fmt == "csv" else "application/vnd.apache.parquet",
           "title": schema["fields"] and f"{name}", "schema": schema}
    if fmt == "csv":
        res.update({"encoding": "utf-8", "dialect": {"header": True, "delimiter": ","}})
    if written is not None:
        res["bytes"] = written.size
        res["hash"] = "sha256:" + written.digest
    return res

def _descriptor(docs: list[Document], facts: list[Fact], name: str, version: str, settings: dict, resources: list[dict]) -> dict:
    first = docs[0]
    title = first.title if len(docs) == 1 else f"{len(docs)} 份政府报告中的数量事实"
    publisher = first.publisher or "未知发布机关"
    years = sorted({d.year for d in docs if d.year})
    return {
        "$schema": "https://datapackage.org/profiles/2.0/datapackage.json",
        "name": name,
        "title": title,
        "description": settings["description_template"].format(title=title, publisher=publisher).strip(),
        "version": version,
        "created": datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        "licenses": settings["licenses"],
        "keywords": settings["keywords"],
        "language": settings["language"],
        "contributors": [
            {"title": publisher, "roles": ["author"]},
            settings["publisher"],
            *settings.get("contributors", []),
        ],
        "sources": [{"title": d.title, "path": d.source_name, "sha256": d.sha256, "publisher": d.publisher,
                     "mediatype": d.media_type, **({"region": d.region} if d.region else {})} for d in docs],
        "temporal": report_period(years, facts),
        "reportpub": {"version": __version__, "extractor_version": EXTRACTOR_VERSION, "manifest": MANIFEST},
        "resources": resources,
    }


# --- the descriptor file ---------------------------------------------------------------------

_WRITTEN: dict[str, None] = {}  # sha256 of descriptor texts this process wrote (insertion-ordered, bounded)
_VERSION_LINE = re.compile(r'^  "version": ("(?:[^"\\\n]|\\.)*")(,?)$', re.MULTILINE)  # a top-level key


def descriptor_text(descriptor: dict, known: dict[int, str] | None = None) -> str:
    """Descriptor -> the text of datapackage.json (two-space indent, UTF-8 as is, final newline);
    `known` as jsontext.indented takes it (the build's cached schema texts)."""
    return indented(descriptor, known) + "\n"


def write_descriptor(path: Path, descriptor: dict, known: dict[int, str] | None = None) -> None:
    _write_known(path, descriptor_text(descriptor, known))


def set_version(path: Path, version: str) -> None:
    """datapackage.json -> the same, as descriptor_text writes it, with `version` set.

    Serialising a descriptor with indentation takes Python's slow JSON path and was most of a
    publish; a file this process wrote is known to be in descriptor_text's form, where the one line
    indented by two spaces that starts with "version" is the top-level key (a nested key is indented
    deeper, a string holds no newline), so only that line is replaced. Any other file is written anew."""
    text = path.read_text(encoding="utf-8")
    if _digest(text) in _WRITTEN and len(_VERSION_LINE.findall(text)) == 1:
        _write_known(path, _VERSION_LINE.sub(
            lambda m: f'  "version": {json.dumps(version, ensure_ascii=False)}{m[2]}', text))
        return
    descriptor = json.loads(text)
    descriptor["version"] = version
    write_descriptor(path, descriptor, _known_schemas(descriptor))


def _known_schemas(descriptor: dict) -> dict[int, str]:
    """A parsed descriptor -> `known` texts for its resources' schemas that are ones the build made
    (a package built in another process: the workers'). Two JSON values with the same compact text
    have the same indented text, so a schema is matched by its compact text, made by the C encoder."""
    if not _SCHEMA_TEXTS:  # this process built nothing yet: parse the schema files in use
        for table in TABLES:
            _schema(table)
    known = {}
    for resource in descriptor.get("resources") or ():
        schema = resource.get("schema") if isinstance(resource, dict) else None
        if isinstance(schema, dict) and (text := _SCHEMA_TEXTS.get(_compact(schema))) is not None:
            known[id(schema)] = text
    return known


def _write_known(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
    _WRITTEN[_digest(text)] = None
    while len(_WRITTEN) > 4096:
        del _WRITTEN[next(iter(_WRITTEN))]


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def safe_name(text: str) -> str:
    """Any string -> a name safe as one path component (no separators, no dots first)."""
    s = re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-.")
    return s[:80] or "dataset"
