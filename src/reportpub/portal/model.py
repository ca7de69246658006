"""Portal folder -> what the pages show: one `Dataset` per published dataset, read from its latest release.

Everything here is read from files `publish` wrote (history.json, latest, the release's
datapackage.json, checksums.sha256, validation.json and Parquet tables); nothing is written.
Sizes come from the files on disk and checksums from the release's manifest (verified when the
release was published) or, for files it does not list, from the bytes themselves.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
from collections import Counter, OrderedDict
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

from ..files import sha256_file
from ..package import MANIFEST
from ..tables import ABOUT
from .. import contract

MEDIA_TYPES = {"csv": "text/csv", "parquet": "application/vnd.apache.parquet", "json": "application/json",
               "zip": "application/zip", "html": "text/html",
               "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
TABLE_TITLES = {t: (zh, en) for t, (zh, en, _, _) in ABOUT.items()}  # table -> (zh, en)
ARROW_KEPT, ARROW_KEPT_ROWS = 6, 50_000  # read_arrow keeps the last 6 tables (a release's five, and one) of at most 50,000 rows
_arrow: OrderedDict[tuple, object] = OrderedDict()
_columns: OrderedDict[int, tuple[object, list[list]]] = OrderedDict()  # id(table) -> (table, its columns' values)


@dataclass(frozen=True)
class Download:
    """One downloadable file of a release; `path` is relative to the portal root."""

    kind: str  # csv | parquet | xlsx | datapackage | zip
    table: str  # facts, paragraphs, ... ('' for whole-release files)
    path: str
    bytes: int
    sha256: str
    media_type: str

    @property
    def filename(self) -> str:
        return self.path.rsplit("/", 1)[-1]


@dataclass
class Dataset:
    name: str
    folder: Path
    version: str
    descriptor: dict
    history: list[dict]
    validation: dict | None
    downloads: list[Download] = field(default_factory=list)

    @property
    def release(self) -> Path:
        return self.folder / "releases" / self.version

    @property
    def release_path(self) -> str:
        """Release folder relative to the portal root."""
        return f"datasets/{self.name}/releases/{self.version}"

    @property
    def title(self) -> str:
        return str(self.descriptor.get("title") or self.name)

    @property
    def title_en(self) -> str:
        sources = self.descriptor.get("sources") or [{}]
        return str(self.descriptor.get("title_en") or sources[0].get("title_en") or "")

    @property
    def publishers(self) -> list[str]:
        names = [s.get("publisher") for s in self.descriptor.get("sources") or []]
        names += [c.get("title") for c in self.descriptor.get("contributors") or [] if "author" in (c.get("roles") or [])]
        return list(dict.fromkeys(str(n) for n in names if n))

    @property
    def regions(self) -> list[str]:
        """The regions the reports are about (the descriptor's `region`, its sources', or the reports
        table's column), as named there; none when the package does not say."""
        names = [self.descriptor.get("region")] + [s.get("region") for s in self.descriptor.get("sources") or []]
        if not any(names) and self.reports and "region" in self.reports[0]:
            names = [r.get("region") for r in self.reports]
        return list(dict.fromkeys(str(n) for n in names if n))

    @property
    def publisher(self) -> str:
        return "、".join(self.publishers)

    @property
    def temporal(self) -> tuple[str | None, str | None]:
        t = self.descriptor.get("temporal") or {}
        return t.get("start"), t.get("end")

    @property
    def years(self) -> list[int]:
        start, end = self.temporal
        if start and end and start[:4].isdigit() and end[:4].isdigit():
            return list(range(int(start[:4]), int(end[:4]) + 1))
        return sorted({int(f["period_start"][:4]) for f in self.facts if f.get("period_start")})

    @property
    def description(self) -> tuple[str, str]:
        """The descriptor's description -> (Chinese part, English part); the template writes zh then en."""
        text = str(self.descriptor.get("description") or "")
        parts = re.split(r"(?<=[。！？）)])\s+(?=[A-Za-z])", text, maxsplit=1)
        return (parts[0], parts[1]) if len(parts) == 2 else (text, text)

    @property
    def licence(self) -> dict:
        return (self.descriptor.get("licenses") or [{}])[0]

    @property
    def created(self) -> str:
        return self.history[-1].get("created", "") if self.history else str(self.descriptor.get("created", ""))

    @property
    def first_created(self) -> str:
        return self.history[0].get("created", "") if self.history else self.created

    @property
    def valid(self) -> bool | None:
        if self.validation is not None:
            return bool(self.validation.get("valid"))
        return self.history[-1].get("valid") if self.history else None

    @property
    def fact_count(self) -> int:
        entry = self.history[-1] if self.history else {}
        return int(entry["facts"]) if isinstance(entry.get("facts"), int) else len(self.facts)

    @cached_property
    def facts(self) -> list[dict]:
        return read_table(self.release, "facts")

    @cached_property
    def reports(self) -> list[dict]:
        return read_table(self.release, "reports")

    @cached_property
    def paragraphs(self) -> list[dict]:
        return read_table(self.release, "paragraphs")

    @cached_property
    def indicators(self) -> list[tuple[str, str]]:
        """Glossary indicators named by the facts -> [(English, Chinese)], most frequent first."""
        counts = Counter(f["subject_en"] for f in self.facts if f.get("subject_en"))
        zh_names = glossary_zh()
        first_subject = {}
        for f in self.facts:
            first_subject.setdefault(f.get("subject_en"), f.get("subject"))
        return [(en, zh_names.get(en) or first_subject.get(en) or en)
                for en, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]

    def resource(self, name: str) -> dict | None:
        return next((r for r in self.descriptor.get("resources", []) if r.get("name") == name), None)


def workbook_rel(table: str) -> str:
    """Table name -> path of its Excel workbook inside a release (portal/workbook.py writes it)."""
    return f"xlsx/{table}.xlsx"


def field_titles(field: dict) -> tuple[str, str]:
    """Table Schema field -> (Chinese title, English title), from its "中文 / English" description
    and its English `title`; a header or a schema table shows these."""
    desc = str(field.get("description") or "")
    zh = desc.split(" / ")[0].strip() or str(field.get("name", ""))
    en = str(field.get("title") or (desc.split(" / ", 1)[1] if " / " in desc else "") or field.get("name", ""))
    return zh, en


def dataset_names(portal: Path) -> list[str]:
    """Portal folder -> names of the datasets that have a published release, sorted."""
    return list(latest_versions(portal))


def latest_versions(portal: Path) -> dict[str, str]:
    """Portal folder -> {name: latest version} of the datasets that have a published release, by name."""
    root = portal / "datasets"
    if not root.is_dir():
        return {}
    versions = {d.name: latest_version(d) for d in sorted(root.iterdir()) if d.is_dir() and not d.name.startswith(".")}
    return {name: version for name, version in versions.items() if version is not None}


def latest_version(folder: Path) -> str | None:
    """Dataset folder -> the version `latest` points to (the symlink, else latest.json, else history)."""
    link = folder / "latest"
    if link.is_symlink():
        version = Path(os.readlink(link)).name
        if (folder / "releases" / version / "datapackage.json").is_file():
            return version
    for source in (folder / "latest.json", folder / "history.json"):
        data = _read_json(source)
        if isinstance(data, list):
            data = data[-1] if data else None
        if isinstance(data, dict) and (folder / "releases" / str(data.get("version")) / "datapackage.json").is_file():
            return str(data["version"])
    return None


def load_dataset(portal: Path, name: str) -> Dataset:
    """(portal, dataset name) -> Dataset of its latest release, with every download's size and sha256."""
    folder = portal / "datasets" / name
    version = latest_version(folder)
    if version is None:
        raise FileNotFoundError(f"{folder}: no published release")
    release = folder / "releases" / version
    descriptor = _read_json(release / "datapackage.json") or {}
    history = _read_json(folder / "history.json") or []
    ds = Dataset(name, folder, version, descriptor, history if isinstance(history, list) else [],
                 _read_json(release / "validation.json"))
    manifest = _manifest(release)
    base = ds.release_path
    for res in descriptor.get("resources", []):
        rel = str(res.get("path", ""))
        path = release / rel
        if not rel or not path.is_file():
            continue
        fmt = str(res.get("format") or rel.rsplit(".", 1)[-1])
        table = str(res.get("name", "")).removesuffix("-parquet")
        ds.downloads.append(Download(fmt, table, f"{base}/{rel}", path.stat().st_size,
                                     manifest.get(rel) or sha256_file(path),
                                     str(res.get("mediatype") or MEDIA_TYPES.get(fmt, "application/octet-stream"))))
        xlsx = release / workbook_rel(table)
        if fmt == "csv" and xlsx.is_file():
            ds.downloads.append(Download("xlsx", table, f"{base}/{workbook_rel(table)}", xlsx.stat().st_size,
                                         sha256_file(xlsx), MEDIA_TYPES["xlsx"]))
    for fname, kind in (("datapackage.json", "datapackage"), (f"{name}-{version}.zip", "zip")):
        path = release / fname
        if path.is_file():
            ds.downloads.append(Download(kind, "", f"{base}/{fname}", path.stat().st_size, sha256_file(path),
                                         MEDIA_TYPES[fname.rsplit(".", 1)[-1]]))
    return ds


def read_table(release: Path, table: str) -> list[dict]:
    """Release folder, table name -> rows as dicts (Parquet, else CSV); dates as ISO strings."""
    pq_path, csv_path = release / "data" / f"{table}.parquet", release / "data" / f"{table}.csv"
    if pq_path.is_file():
        import pyarrow as pa

        data = read_arrow(pq_path)
        columns = []
        for column, values in zip(data.columns, python_columns(data)):
            if pa.types.is_date(column.type) or pa.types.is_timestamp(column.type) or pa.types.is_time(column.type):
                values = [v if v is None else v.isoformat() for v in values]
            columns.append(values)
        names = data.column_names
        return [dict(zip(names, row)) for row in zip(*columns)]
    if csv_path.is_file():
        with open(csv_path, encoding="utf-8", newline="") as f:
            return list(csv.DictReader(f))
    return []


def read_arrow(path: Path, max_rows: int | None = None):
    """Parquet file -> Arrow table (None when it has more than `max_rows` rows). A dataset's
    workbooks and its pages read the same tables, so the last few small ones read are kept, by the
    sha256 of their bytes (hashing a small file costs a fiftieth of parsing it)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    raw = path.read_bytes()
    key = hashlib.sha256(raw).digest()
    if key in _arrow:
        _arrow.move_to_end(key)
        data = _arrow[key]
        return None if max_rows is not None and data.num_rows > max_rows else data
    source = pq.ParquetFile(pa.BufferReader(raw))
    if max_rows is not None and source.metadata.num_rows > max_rows:
        return None
    data = source.read(use_threads=False)  # threads cost more CPU than they save on small tables
    if data.num_rows <= ARROW_KEPT_ROWS:
        _arrow[key] = data
        if len(_arrow) > ARROW_KEPT:
            _arrow.popitem(last=False)
    return data


def python_columns(data) -> list[list]:
    """Arrow table (one read_arrow keeps) -> each column's values as Python objects, made once for
    the workbook and the pages of a dataset, which both read them."""
    key = id(data)
    if key in _columns and _columns[key][0] is data:
        return _columns[key][1]
    columns = [column.to_pylist() for column in data.columns]
    _columns[key] = data, columns
    if len(_columns) > ARROW_KEPT:
        _columns.popitem(last=False)
    return columns


@lru_cache(maxsize=1)
def glossary_zh() -> dict[str, str]:
    """English indicator name -> its first Chinese name in the glossary."""
    out: dict[str, str] = {}
    try:
        with open(contract.path("datapackage/glossary.csv"), encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                out.setdefault(row["en"], row["zh"])
    except OSError:
        pass
    return out


def _manifest(release: Path) -> dict[str, str]:
    try:
        lines = (release / MANIFEST).read_text(encoding="utf-8").splitlines()
    except OSError:
        return {}
    out = {}
    for line in lines:
        parts = line.split(None, 1)
        if len(parts) == 2:
            out[parts[1].strip()] = parts[0]
    return out


def _read_json(path: Path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
