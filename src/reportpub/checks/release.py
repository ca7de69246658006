"""release.value_moved: compared with the latest published release, values that moved a lot.

A value that moved by more than `release_diff.max_change_share` of itself (policy file) is not
wrong in itself (a corrected report, a revised figure), so by default it is a warning: the steward
looks at it before the release goes out. Runs only when the previous release is known.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..diff import diff_packages
from .base import Check, Problem, plural, rows_from_records
from .data import PackageData


def value_moved(data: PackageData) -> Iterator[Problem]:
    if data.previous is None:
        return
    diff = data.memo("release_diff", lambda: diff_packages(data.previous, data.directory,
                                                           max_change_share=data.policy.max_change_share))
    if diff.moved:
        share = f"{data.policy.max_change_share:.0%}"
        yield Problem(f"{plural(len(diff.moved), 'fact value')} moved by more than {share} since the latest "
                      f"published release", "facts",
                      rows_from_records(diff.moved, ["fact_id", "subject", "old", "new", "share", "quote"]))


CHECKS = (
    Check("release.value_moved", value_moved,
          "compared with the latest published release, no fact value moved by more than the policy's share",
          zh="与最近一次发布的版本相比，没有数值变动超过策略规定的比例"),
)
