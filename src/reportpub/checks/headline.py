"""facts.headline_indicators: a work report that states none of the headline indicators.

A government work report (工作报告) or work summary (工作总结) nearly always gives GDP, fixed-asset
investment and budget revenue; when the extracted subjects name none of them, the extractor most
likely missed the report's main numbers. The words to look for are in the policy file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from .base import Check, Problem, agree, plural, rows_from_records
from .data import PackageData


def headline_indicators(data: PackageData) -> Iterator[Problem]:
    lexicon = data.policy.headline
    reports, facts = data.frame("reports"), data.frame("facts")
    markers = "|".join(re.escape(m) for m in lexicon.title_markers)
    work = reports[reports["title"].fillna("").str.contains(markers, regex=True)] if markers else reports.iloc[:0]
    if work.empty:
        return
    subjects = facts[["report_id", "subject"]]  # the two columns first: a row filter copies every column
    subjects = subjects[subjects["report_id"].isin(work["report_id"])].copy()
    subjects["subject"] = subjects["subject"].fillna("")
    present = {}
    for group, words in lexicon.groups:  # one vectorised pass per group (a handful), not per row
        pattern = "|".join(re.escape(w) for w in words)
        hit = subjects["subject"].str.contains(pattern, regex=True, case=False)
        present[group] = set(subjects.loc[hit, "report_id"])
    found = work["report_id"].map(lambda rid: sum(rid in ids for ids in present.values()))
    short = work[found < lexicon.min_groups]
    if short.empty:
        return
    rows = []
    for rec in short.head(20).to_dict("records"):
        missing = [" / ".join(words) for group, words in lexicon.groups if rec["report_id"] not in present[group]]
        rows.append({"report_id": rec["report_id"], "title": rec["title"], "missing": "; ".join(missing)})
    how_many = "none" if lexicon.min_groups == 1 else f"fewer than {lexicon.min_groups}"
    yield Problem(f"{plural(len(short), 'work report')} {agree(len(short), 'names', 'name')} {how_many} of the "
                  "headline indicators "
                  f"({'; '.join('/'.join(w) for _, w in lexicon.groups)}) among their fact subjects",
                  "reports", rows_from_records(rows))


CHECKS = (
    Check("facts.headline_indicators", headline_indicators,
          "work reports (工作报告, 工作总结) state the headline indicators named in the policy",
          zh="工作报告和工作总结陈述了校验策略中列出的主要指标"),
)
