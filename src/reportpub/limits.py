"""The limits that keep cost linear in the input and memory bounded: one setting each, read from
the environment, each exceeded with a one-line error (exit 2) that names the setting to raise.

Kept in one place so that the README's table and the error messages cannot drift apart.
"""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Limit:
    env: str
    default: int
    what: str

    def value(self) -> int:
        """The setting from the environment (a positive whole number), else the default."""
        raw = os.environ.get(self.env, "").strip()
        try:
            value = int(raw) if raw else self.default
        except ValueError:
            value = self.default
        return value if value > 0 else self.default

    def over(self, amount: int, where: str) -> str:
        """The one-line reason for refusing `where`, which holds `amount` (over the limit)."""
        return f"{where}: {amount:,} {self.what} is over the limit of {self.value():,} (set {self.env} to raise it)"


MAX_BYTES = Limit("REPORTPUB_MAX_BYTES", 50 * 1024 * 1024, "bytes")
MAX_PARAGRAPH_CHARS = Limit("REPORTPUB_MAX_PARAGRAPH_CHARS", 200_000, "characters in one paragraph")
MAX_NUMBERS_PER_PARAGRAPH = Limit("REPORTPUB_MAX_NUMBERS_PER_PARAGRAPH", 1_000, "numbers in one paragraph")
MAX_JSON_DEPTH = Limit("REPORTPUB_MAX_JSON_DEPTH", 64, "levels of JSON nesting")
MAX_PACKAGE_BYTES = Limit("REPORTPUB_MAX_PACKAGE_BYTES", 512 * 1024 * 1024, "bytes of package files")
