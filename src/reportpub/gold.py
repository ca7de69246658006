"""The inputs of `reportpub eval`, checked before the reference scorer reads them.

`scoring.py` is a verbatim copy of the reference scorer and must stay so; it trusts its inputs.
Here a FIFO (which would block it), a binary or unknown-column gold file, a field longer than
the csv module accepts, or a source that is not UTF-8 becomes one line naming the file.
"""

from __future__ import annotations

import csv
from pathlib import Path

from .files import irregular_entries, not_a_file

# The gold columns the reference scorer reads (see scoring.py: gold_spans, same_value, ATTRS).
GOLD_COLUMNS = ("id", "evidence", "number_text", "subject", "measure", "basis", "value", "unit", "approx",
                "period", "status", "qualifier")


class GoldError(ValueError):
    """An input of `eval` that the scorer cannot use; the message names the file and says why."""


def check_eval_inputs(package: Path, gold: Path, source: Path) -> None:
    """(package folder, gold CSV, source text) -> None, or GoldError naming the first bad one."""
    if reason := not_a_file(package / "datapackage.json"):
        raise GoldError(f"{package} has no datapackage.json ({reason})")
    if odd := irregular_entries(package):
        raise GoldError(f"{package}: {', '.join(odd[:3])}; a package holds only regular files")
    for path in (gold, source):
        if reason := not_a_file(path):
            raise GoldError(f"{path}: {reason}")
    check_gold(gold)
    _utf8(source, "the source report")


def check_gold(path: Path) -> None:
    """A gold file is UTF-8 CSV with the scorer's columns and fields the csv module accepts."""
    _utf8(path, "a gold file")
    try:
        with open(path, encoding="utf-8", newline="") as f:
            reader = csv.DictReader(f)
            missing = [c for c in GOLD_COLUMNS if c not in (reader.fieldnames or [])]
            if missing:
                raise GoldError(f"{path}: not a gold file: no column {', '.join(missing)} (it has "
                                f"{', '.join(map(str, reader.fieldnames or []))[:200] or 'no header'})")
            for _ in reader:
                pass
    except csv.Error as exc:
        raise GoldError(f"{path}: not a gold CSV file: {exc} (line {reader.line_num})") from None


def _utf8(path: Path, what: str) -> None:
    """Decode the file in chunks (bounded memory): the scorer reads it as UTF-8."""
    import codecs

    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = 0
    try:
        with open(path, "rb") as f:
            while chunk := f.read(1 << 20):
                decoder.decode(chunk)
                offset += len(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError as exc:
        raise GoldError(f"{path}: {what} must be UTF-8 text; it is not (byte {offset + exc.start:,}: binary data?)") \
            from None
