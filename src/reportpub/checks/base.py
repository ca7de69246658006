"""What every check shares: the Check unit, the Problem it yields, and JSON-safe offending rows.

A check knows nothing of severity: it yields Problems, and the policy decides whether they block.
"""

from __future__ import annotations

import datetime as dt
import marshal
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import ReportpubError

if TYPE_CHECKING:
    from .data import PackageData

MAX_ROWS = 20


@dataclass(frozen=True)
class Problem:
    """One thing wrong, with up to MAX_ROWS offending rows so a steward can see it in the data."""

    message: str
    resource: str | None = None
    rows: tuple[dict, ...] = ()


@dataclass(frozen=True)
class Check:
    """A named rule: `run(data)` yields Problems. `suite` names the GX suite that implements it;
    `zh` is the description in Chinese, for the steward's report (validation.html)."""

    name: str
    run: Callable[[PackageData], Iterable[Problem]]
    description: str
    suite: str | None = None
    zh: str = ""


class PolicyError(ReportpubError):
    """The policy file or an expectation suite cannot be used: a setup error, not a data problem."""

    stage = "validate"


class Unavailable(Exception):
    """The data a check needs cannot be read; the check reports this instead of its verdict."""

    def __init__(self, message: str, resource: str | None = None):
        super().__init__(message)
        self.resource = resource


def jsonable(value: Any) -> Any:
    """A cell from Arrow/pandas/numpy -> str, int, float, bool or None (NaN and NA become None)."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    try:
        if value != value:  # NaN, NaT
            return None
    except (TypeError, ValueError):  # pandas NA refuses to be a bool
        return None
    if hasattr(value, "item") and not isinstance(value, (dt.date, bytes)):  # numpy scalar
        try:
            return jsonable(value.item())
        except (ValueError, AttributeError, TypeError):
            pass
    if isinstance(value, float):
        return None if math.isnan(value) else value
    if isinstance(value, dt.datetime):  # pandas Timestamp too
        return value.date().isoformat() if value.time() == dt.time(0) and value.tzinfo is None \
            else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def rows_from_records(records: Sequence[Mapping[str, Any]], columns: Sequence[str] | None = None) -> tuple[dict, ...]:
    """Row mappings -> at most MAX_ROWS JSON-safe dicts (only `columns`, in that order, if given)."""
    out = []
    for rec in list(records)[:MAX_ROWS]:
        keys = columns if columns is not None else list(rec)
        out.append({k: jsonable(rec.get(k)) for k in keys if k in rec})
    return tuple(out)


def content_key(value: Any) -> bytes:
    """A JSON value (a descriptor, a schema) -> bytes equal only for equal values of the same types,
    to key a verdict by content. marshal can be read back, so two contents never share a key (1, 1.0
    and True stay apart, unlike ==); it costs a sixth of json.dumps. Equal values written in another
    key order or sharing objects differently get another key: a verdict computed once more, never a
    wrong one."""
    return marshal.dumps(value)


def plural(n: int, word: str) -> str:
    return f"{n:,} {word}" + ("" if n == 1 else "s")


def agree(n: int, singular: str, plural_form: str) -> str:
    """The verb that goes with n things: agree(1, 'does', 'do') -> 'does'."""
    return singular if n == 1 else plural_form
