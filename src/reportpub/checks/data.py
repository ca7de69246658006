"""Package directory -> its descriptor and tables, read once and shared by every check.

Reading is where bad data first shows up, so nothing here raises anything but `Unavailable`
(with a message fit for a Finding); results, failures included, are cached so that ten checks
needing the facts table read the file once and all report the same reason when it is unreadable.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, TypeVar

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from ..files import irregular_entries, read_json, sha256_file
from ..recent import Recent
from ..tables import TABLES  # noqa: F401 (re-exported: the checks iterate it)
from .base import Unavailable

if TYPE_CHECKING:
    import pandas as pd

MANIFEST = "checksums.sha256"
OUTPUTS = ("validation.json", "validation.html")  # written by validation, never part of the package
T = TypeVar("T")
_shared: Recent[Any] = Recent(32)  # values kept across packages by content (code lists, their indexes)

_ARROW_TYPES = {
    "string": pa.string(),
    "integer": pa.int64(),
    "number": pa.float64(),
    "boolean": pa.bool_(),
    "date": pa.date32(),
    "datetime": pa.timestamp("us"),
    "year": pa.int64(),
}


def parquet_name(table: str) -> str:
    return f"{table}-parquet"


def arrow_type(field: dict) -> pa.DataType:
    """Table Schema field -> the Arrow type its values are compared as (unknown types: string)."""
    return _ARROW_TYPES.get(field.get("type", "string"), pa.string())


def arrow_schema(schema: dict) -> pa.Schema:
    return pa.schema([pa.field(f["name"], arrow_type(f)) for f in schema.get("fields", [])])


def is_parquet(resource: dict) -> bool:
    return resource.get("format") == "parquet" or str(resource.get("path", "")).endswith(".parquet")


class PackageData:
    """Lazy, cached access to one package directory; `policy` travels along for checks that need it."""

    def __init__(self, directory: str | Path, policy: Any = None, previous: str | Path | None = None):
        self.directory = Path(directory)
        self.policy = policy
        self.previous = Path(previous) if previous else None  # the latest published release, if any
        self._cache: dict[Any, tuple[bool, Any]] = {}

    def memo(self, key: Any, compute: Callable[[], T]) -> T:
        """compute() once per key; an Unavailable is cached and raised again like a value."""
        if key not in self._cache:
            try:
                self._cache[key] = (True, compute())
            except Unavailable as exc:
                self._cache[key] = (False, exc)
        ok, value = self._cache[key]
        if ok:
            return value
        raise value

    def known(self, key: Any) -> bool:
        """Whether memo(key) has been computed (a value or an Unavailable)."""
        return key in self._cache

    # --- descriptor -------------------------------------------------------------------------

    @property
    def descriptor(self) -> dict:
        return self.memo("descriptor", self._read_descriptor)

    def _read_descriptor(self) -> dict:
        from ..errors import PublishError
        from ..release import load_descriptor  # the one reader of every target

        if odd := irregular_entries(self.directory):
            raise Unavailable(f"{self.directory}: {', '.join(odd[:3])}; a package holds only regular files")
        try:
            return load_descriptor(self.directory)
        except PublishError as exc:
            raise Unavailable(str(exc)) from None

    def resources(self) -> list[dict]:
        return self.descriptor["resources"]

    def resource(self, name: str) -> dict:
        for res in self.resources():
            if res.get("name") == name:
                return res
        raise Unavailable(f"the descriptor has no resource named {name!r}", name)

    def schema(self, name: str) -> dict:
        """Inline schema of a resource (or the JSON file its `schema` names, relative to the package)."""
        return self.memo(("schema", name), lambda: self._read_schema(name))

    def _read_schema(self, name: str) -> dict:
        schema = self.resource(name).get("schema")
        if isinstance(schema, str):
            path = self.safe_path(schema, name)
            try:
                schema = read_json(path)
            except (OSError, ValueError) as exc:
                raise Unavailable(f"{name}: schema {schema!r} cannot be read: {exc}", name) from None
        if not isinstance(schema, dict) or not isinstance(schema.get("fields"), list):
            raise Unavailable(f"{name}: the resource has no Table Schema with a list of fields", name)
        if not all(isinstance(f, dict) and isinstance(f.get("name"), str) for f in schema["fields"]):
            raise Unavailable(f"{name}: every schema field needs a name", name)
        return schema

    def safe_path(self, relative: Any, resource: str | None = None) -> Path:
        """A path written in the package -> a file inside the package directory (never outside)."""
        if not isinstance(relative, str) or not relative:
            raise Unavailable(f"{resource or 'package'}: path {relative!r} is not a single relative path", resource)
        pure = PurePosixPath(relative)
        if pure.is_absolute() or ".." in pure.parts or "://" in relative or "\\" in relative:
            raise Unavailable(f"{resource or 'package'}: path {relative!r} must stay inside the package", resource)
        return self.directory.joinpath(*pure.parts)

    def path(self, name: str) -> Path:
        path = self.safe_path(self.resource(name).get("path"), name)
        if not path.is_file():
            raise Unavailable(f"{name}: {path.relative_to(self.directory)} does not exist", name)
        return path

    def read_bytes(self, path: Path) -> bytes:
        """The bytes of a file of the package, read once for the checks that need them whole (the
        CSVs: Frictionless's verdict, the formula escape) and the hash (OSError propagates)."""
        return self.memo(("bytes", path), path.read_bytes)

    def sha256(self, path: Path) -> str:
        """Hex sha256 of a file of the package, hashed once per validation (OSError propagates);
        from its bytes when a check has read them, else from the file in chunks."""
        def digest() -> str:
            if self.known(("bytes", path)):
                import hashlib

                return hashlib.sha256(self.read_bytes(path)).hexdigest()
            return sha256_file(path)
        return self.memo(("sha256", path), digest)

    # --- tables -----------------------------------------------------------------------------

    def csv(self, table: str) -> pa.Table:
        """The CSV of a table, each column parsed with the type its schema gives (present columns only)."""
        return self.memo(("csv", table), lambda: self._read_csv(table))

    def _read_csv(self, table: str) -> pa.Table:
        res, schema, path = self.resource(table), self.schema(table), self.path(table)
        dialect = res.get("dialect") if isinstance(res.get("dialect"), dict) else {}
        missing = schema.get("missingValues", [""])
        missing = [m for m in missing if isinstance(m, str)] if isinstance(missing, list) else [""]
        try:
            result = pacsv.read_csv(
                path,
                read_options=pacsv.ReadOptions(encoding=res.get("encoding") or "utf-8"),
                parse_options=pacsv.ParseOptions(delimiter=dialect.get("delimiter", ","), newlines_in_values=True),
                convert_options=pacsv.ConvertOptions(
                    column_types={f["name"]: arrow_type(f) for f in schema["fields"]},
                    null_values=missing, strings_can_be_null=True, quoted_strings_can_be_null=True,
                    true_values=["true", "True", "TRUE", "1"], false_values=["false", "False", "FALSE", "0"],
                ),
            )
        except (pa.ArrowException, OSError, LookupError, ValueError) as exc:
            raise Unavailable(f"{table}: {path.name} cannot be read as typed CSV: {_short(exc)}", table) from None
        return result

    def parquet(self, table: str) -> pa.Table:
        """The Parquet twin of a table, as written (no casting)."""
        return self.memo(("parquet", table), lambda: self._read_parquet(table))

    def _read_parquet(self, table: str) -> pa.Table:
        path = self.path(parquet_name(table))
        try:  # one file, no dataset layer, no thread pool: a third of read_table's cost on small tables
            return shared(("parquet", self.sha256(path)), lambda: pq.ParquetFile(path).read(use_threads=False))
        except (pa.ArrowException, OSError, ValueError):
            pass
        try:  # read_table's message is the one a steward has always read
            return pq.read_table(path)
        except (pa.ArrowException, OSError, ValueError) as exc:
            raise Unavailable(f"{table}: {path.name} cannot be read as Parquet: {_short(exc)}",
                              parquet_name(table)) from None

    def table(self, table: str) -> pa.Table:
        """The table the business rules run on: the Parquet cast to the schema's types, else the CSV."""
        return self.memo(("table", table), lambda: self._typed_table(table))

    def _typed_table(self, table: str) -> pa.Table:
        target = arrow_schema(self.schema(table))
        reasons = []
        for source, name in ((self.parquet, parquet_name(table)), (self.csv, table)):
            try:
                raw = source(table)
                self._cache[("from", table)] = (True, self.path(name))
                present = set(raw.column_names)
                missing = [n for n in target.names if n not in present]
                if missing:
                    raise Unavailable(f"{table}: columns {', '.join(missing)} are missing", table)
                selected = raw.select(target.names)
                if selected.schema.types == target.types:  # what cast gives, without a cast per column
                    return pa.Table.from_arrays(selected.columns, schema=target)
                return selected.cast(target)
            except Unavailable as exc:
                reasons.append(str(exc))
            except (pa.ArrowException, ValueError) as exc:
                reasons.append(f"{table}: cannot cast to the schema's types: {_short(exc)}")
        raise Unavailable("; ".join(reasons), table)

    def frame(self, table: str) -> pd.DataFrame:
        return self.memo(("frame", table), lambda: self.table(table).to_pandas())

    def table_digest(self, table: str) -> str:
        """sha256 of the file `table(table)` was read from: what a value derived from the table
        alone is kept under by `shared` (Unavailable as `table` raises it)."""
        self.table(table)
        return self.sha256(self.memo(("from", table), lambda: None))


def shared(key: tuple, compute: Callable[[], T]) -> T:
    """compute() once per key across packages; the key holds the content digest of what it is
    computed from. Every package of a batch carries the same code lists byte for byte, so they are
    read and indexed once; only values are kept (never an error)."""
    return _shared.get(key, compute)


def _short(exc: BaseException, limit: int = 300) -> str:
    text = " ".join(str(exc).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
