"""Checks: small named rules that each yield Problems; the policy decides which ones block.

Modules group checks by concept (descriptor, manifest, parquet, expectation suites, headline
indicators, meaning). They are imported on first use so that `import reportpub.validate` stays fast.
"""

from __future__ import annotations

import functools

from .base import Check, PolicyError, Problem, Unavailable

__all__ = ["Check", "PolicyError", "Problem", "Unavailable", "registry"]


@functools.cache
def registry() -> dict[str, Check]:
    """Every check by name, in the order they run (structure first, then business rules)."""
    from . import corrections, descriptor, expectations, headline, manifest, meaning, parquet, release

    checks = (*descriptor.CHECKS, *manifest.CHECKS, *parquet.CHECKS, *expectations.CHECKS, *headline.CHECKS,
              *meaning.CHECKS, *release.CHECKS, *corrections.CHECKS)
    return {c.name: c for c in checks}
