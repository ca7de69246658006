"""A steward's corrections: (facts, documents, corrections) -> corrected facts and documents, at
every build, so that a correction sticks in every later release.

Corrections are kept, one file per dataset, in `corrections/<dataset>.csv` (folder: the `--corrections`
option, else $REPORTPUB_CORRECTIONS, else `corrections/` in the working directory, beside the
portal and the build folder); one correction per line, so the file is reviewed and diffed like code:

    fact_id,quote,field,value,reason,who,when
    bda-2022-work-summary-p0003-c0024,8%,subject,地区生产总值,主语是全区,wang,2026-03-02T10:00:00Z
    bda-2022-work-summary-p0007-c0096,7家,not_a_fact,,不是本区指标,wang,2026-03-02T10:05:00Z
    report,,title,2022年工作总结,标题误读为“下载”,wang,2026-03-02T10:06:00Z

`field` is a column of the facts table, `not_a_fact` (the fact is dropped), or for the fact id
`report` a field of the report's metadata. Facts are matched by `fact_id`
(`<report_id>-p<paragraph>-c<offset in the paragraph>`), which the same report text always gives,
and by `quote`, the text the fact was read from (`reportpub correct` fills it in): a paragraph
added above would give another fact the same id, and its quote tells them apart. A correction
whose fact the new extraction no longer has (no such id, or another quote there) is stale:
reported by the check `corrections.stale`, never applied to another fact.

Rules for one fact, in order of precedence (named; the first wins where two disagree):
  1. not_a_fact  the fact is dropped, whatever else is corrected for it;
  2. field       each corrected field takes the steward's value;
  3. derived     a field computed from corrected fields is computed again unless itself corrected:
                 value_base and unit_base from value and unit, indicator from subject, measure and
                 unit, subject_en from the indicator (else the glossary);
  4. mark        the fact's `correction` column names each corrected field with its reason.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import math
import os
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from functools import cache
from pathlib import Path

from .errors import CorrectionError
from .files import write_atomic

COLUMNS = ("fact_id", "quote", "field", "value", "reason", "who", "when")
REPORT = "report"  # the fact id of a correction of the report's metadata
NOT_A_FACT = "not_a_fact"  # the field of a correction that drops the fact
REPORT_FIELDS = {"title": str, "publisher": str, "region": str, "year": int}
# where a fact stands and what it quotes: the fact's identity, never corrected (correct it away instead)
FIXED = frozenset({"fact_id", "report_id", "paragraph_id", "section", "char_start", "char_end", "source_start",
                   "source_end", "quote", "correction"})
ENV = "REPORTPUB_CORRECTIONS"


@dataclass(frozen=True)
class Correction:
    fact_id: str
    field: str
    value: str  # as written in the file; typed by `typed_value` when applied
    reason: str
    who: str = ""
    when: str = ""
    quote: str = ""  # the fact's quote when it was corrected ('' : match by id alone)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Corrected:
    """What apply_corrections made: the corrected facts and documents, the corrections applied, and
    the stale ones (their fact is gone)."""

    facts: tuple
    documents: tuple
    applied: tuple[Correction, ...]
    stale: tuple[Correction, ...]

    def record(self) -> dict | None:
        """-> what the package's descriptor keeps (None when there is nothing to keep)."""
        if not (self.applied or self.stale):
            return None
        return {"applied": [c.to_dict() for c in self.applied], "stale": [c.to_dict() for c in self.stale]}


# --- the file ----------------------------------------------------------------------------------

def corrections_dir(folder: str | os.PathLike | None = None) -> Path:
    """The folder given, else $REPORTPUB_CORRECTIONS, else ./corrections."""
    return Path(folder or os.environ.get(ENV) or "corrections")


def corrections_file(dataset: str, folder: str | os.PathLike | None = None) -> Path:
    from .package import safe_name

    if safe_name(dataset) != dataset:
        raise CorrectionError(f"{dataset!r} is not a dataset name (letters, digits, . _ -)")
    return corrections_dir(folder) / f"{dataset}.csv"


def load(dataset: str, folder: str | os.PathLike | None = None) -> tuple[Correction, ...]:
    """A dataset's corrections file -> its corrections, each checked (no file: none).
    A broken file stops the build with its name and line: guessing would publish what nobody reviewed."""
    path = corrections_file(dataset, folder)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return ()
    except (OSError, UnicodeDecodeError) as exc:
        raise CorrectionError(f"{path}: cannot be read: {getattr(exc, 'strerror', None) or exc}") from None
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header is None:
        return ()
    if tuple(header) != COLUMNS:
        raise CorrectionError(f"{path}: the first line must be {','.join(COLUMNS)}")
    out, seen = [], {}
    for row in reader:
        line = reader.line_num
        if not any(row):
            continue
        if len(row) != len(COLUMNS):
            raise CorrectionError(f"{path} line {line}: {len(row)} values, expected {len(COLUMNS)} "
                                  f"({','.join(COLUMNS)})")
        c = Correction(**{k: v.strip() for k, v in zip(COLUMNS, row)})
        try:
            check(c)
        except CorrectionError as exc:
            raise CorrectionError(f"{path} line {line}: {exc}") from None
        if (c.fact_id, c.field) in seen:
            raise CorrectionError(f"{path} line {line}: {c.fact_id} {c.field} is corrected on line "
                                  f"{seen[c.fact_id, c.field]} already; keep one")
        seen[c.fact_id, c.field] = line
        out.append(c)
    return tuple(out)


def record(dataset: str, corrections: Sequence[Correction], folder: str | os.PathLike | None = None) -> Path:
    """Add corrections to a dataset's file; one that corrects the same fact and field as a line
    already there replaces that line, where it stands (a reviewer sees one changed line)."""
    for c in corrections:
        check(c)
    path = corrections_file(dataset, folder)
    kept = list(load(dataset, folder))
    for c in corrections:
        at = next((i for i, old in enumerate(kept) if (old.fact_id, old.field) == (c.fact_id, c.field)), None)
        if at is None:
            kept.append(c)
        else:
            kept[at] = c
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows([getattr(c, k) for k in COLUMNS] for c in kept)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, out.getvalue())
    return path


def record_correction(dataset: str, fact_id: str, changes: Sequence[str], reason: str, *, not_a_fact: bool = False,
                      known: dict[str, str], who: str | None = None, folder: str | os.PathLike | None = None
                      ) -> tuple[Path, tuple[Correction, ...]]:
    """`reportpub correct`: (dataset, fact id, ["FIELD=VALUE", ...] or not_a_fact, reason, the facts
    of its latest release {fact id: quote}) -> (the corrections file, the corrections recorded).
    A fact id must be one of `known` (or already corrected: a fact dropped as not a fact)."""
    import getpass

    if bool(changes) == not_a_fact:
        raise CorrectionError("give FIELD=VALUE (one or more) or --not-a-fact, not both")
    if bad := [c for c in changes if "=" not in c or not c.split("=", 1)[0].strip()]:
        raise CorrectionError(f"{bad[0]!r} is not FIELD=VALUE")
    on_file = {c.fact_id: c.quote for c in load(dataset, folder)}
    if fact_id != REPORT and fact_id not in known and fact_id not in on_file:
        raise CorrectionError(f"{dataset} has no fact {fact_id}")
    try:
        who = who or getpass.getuser()
    except (KeyError, OSError):  # no login name in a container
        who = ""
    when = dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    quote = known.get(fact_id) or on_file.get(fact_id, "")
    pairs = [c.split("=", 1) for c in changes] or [[NOT_A_FACT, ""]]
    made = tuple(Correction(fact_id, f.strip(), v.strip(), reason.strip(), who, when, quote) for f, v in pairs)
    return record(dataset, made, folder), made


def fingerprint(dataset: str, folder: str | os.PathLike | None = None) -> str:
    """A digest of the dataset's corrections file ('' without one): a new correction is a new input."""
    try:
        return hashlib.sha256(corrections_file(dataset, folder).read_bytes()).hexdigest()
    except (OSError, CorrectionError):
        return ""


# --- one correction ----------------------------------------------------------------------------

def check(c: Correction) -> None:
    """A correction names a field it may change, has a value of that field's type and a reason."""
    if not c.fact_id:
        raise CorrectionError("a correction needs a fact id (or `report` for the report's metadata)")
    if not c.reason:
        raise CorrectionError(f"{c.fact_id} {c.field}: a correction needs a reason")
    if c.field == NOT_A_FACT:
        if c.fact_id == REPORT:
            raise CorrectionError("`report` is the report's metadata: it cannot be `not_a_fact`")
        return
    typed_value(c.fact_id, c.field, c.value)


def typed_value(fact_id: str, field: str, text: str):
    """(fact id, field, value as text) -> the value as the fact or document holds it; CorrectionError
    for a field that cannot be corrected or a value that is not of the field's type."""
    if fact_id == REPORT:
        if field not in REPORT_FIELDS:
            raise CorrectionError(f"report has no field {field!r}; the report's fields: {', '.join(REPORT_FIELDS)}")
        if REPORT_FIELDS[field] is int:
            if not (text.isdigit() and 1900 <= int(text) <= 2100):
                raise CorrectionError(f"report {field}: {text!r} is not a year (1900-2100)")
            return int(text)
        return text
    spec = fact_fields().get(field)
    if spec is None:
        raise CorrectionError(f"facts have no field {field!r} that a steward may correct; fields: "
                              f"{', '.join(fact_fields())}, or {NOT_A_FACT}")
    kind, constraints = spec.get("type", "string"), spec.get("constraints", {})
    if text == "":
        if constraints.get("required"):
            raise CorrectionError(f"{field} may not be empty")
        return None if kind in ("number", "integer") else ""
    try:
        if kind == "number":
            value = float(text)
            if not math.isfinite(value):
                raise ValueError
            return value
        if kind == "integer":
            return int(text)
        if kind == "date":
            return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        raise CorrectionError(f"{field}: {text!r} is not a {kind}"
                              + (" (YYYY-MM-DD)" if kind == "date" else "")) from None
    if (allowed := constraints.get("enum")) and text not in allowed:
        raise CorrectionError(f"{field}: {text!r} is not one of {', '.join(allowed)}")
    return text


@cache
def fact_fields() -> dict[str, dict]:
    """The facts table's fields a steward may correct (schemas/facts.schema.json), by name."""
    from .package import load_schema

    return {f["name"]: f for f in load_schema("facts")["fields"] if f["name"] not in FIXED}


# --- applying ----------------------------------------------------------------------------------

def apply_corrections(facts: Iterable, documents: Sequence, corrections: Sequence[Correction]) -> Corrected:
    """(extracted facts, their documents, the dataset's corrections) -> Corrected, by the rules of
    the module docstring. Pure: the same inputs give the same output."""
    by_fact: dict[str, list[Correction]] = {}
    for c in corrections:
        by_fact.setdefault(c.fact_id, []).append(c)
    out, applied = [], []
    for fact in facts:
        mine = [c for c in by_fact.get(fact.fact_id, ()) if not c.quote or c.quote == fact.quote]
        if not mine:
            out.append(fact)
            continue
        applied += mine
        if any(c.field == NOT_A_FACT for c in mine):  # rule 1
            continue
        out.append(_corrected_fact(fact, mine))
    metadata = by_fact.get(REPORT, []) if documents else []
    docs = tuple(replace(d, **{c.field: typed_value(REPORT, c.field, c.value) for c in metadata}) for d in documents)
    used = set(applied)
    stale = tuple(c for c in corrections if c.fact_id != REPORT and c not in used)
    return Corrected(tuple(out), docs, tuple(applied) + tuple(metadata), stale)


def correct(facts: Iterable, documents: Sequence, *, folder: str | os.PathLike | None = None) -> Corrected:
    """Extracted facts and documents -> corrected, with the corrections of the dataset they build."""
    from .package import dataset_name

    return apply_corrections(facts, documents, load(dataset_name(list(documents)), folder))


def _corrected_fact(fact, corrections: Sequence[Correction]):
    from .indicators import indicator_for
    from .units import base_value

    new = {c.field: typed_value(c.fact_id, c.field, c.value) for c in corrections}  # rule 2
    f = replace(fact, **new)
    derived = {}  # rule 3
    if {"value", "unit"} & new.keys() and not {"value_base", "unit_base"} & new.keys():
        derived["value_base"], derived["unit_base"] = base_value(f.value, f.unit)
    if {"subject", "measure", "unit"} & new.keys() and "indicator" not in new:
        derived["indicator"] = indicator_for(f.subject, f.measure, f.unit)
    if {"subject", "measure", "unit", "indicator"} & new.keys() and "subject_en" not in new:
        derived["subject_en"] = _english(derived.get("indicator", f.indicator), f.subject)
    mark = "; ".join(f"{c.field}: {c.reason}" for c in corrections)  # rule 4
    return replace(f, **derived, correction=mark)


def _english(indicator: str, subject: str) -> str:
    """The indicator's English label, else the glossary's entry for the subject (the extractor's rule)."""
    from .extract import english

    return english(indicator, subject)


def known_facts(folder: Path) -> dict[str, str] | None:
    """A package or release folder -> {fact id: quote} of its facts table (None when it has none)."""
    parquet, table = folder / "data" / "facts.parquet", folder / "data" / "facts.csv"
    if parquet.is_file():
        import pyarrow.parquet as pq

        rows = pq.read_table(parquet, columns=["fact_id", "quote"]).to_pylist()
    elif table.is_file():
        with open(table, encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
    else:
        return None
    return {r["fact_id"]: r["quote"] for r in rows}


def field_names() -> list[str]:
    """Every field a correction may name, for help texts."""
    return [*fact_fields(), NOT_A_FACT]
