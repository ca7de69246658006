"""facts.headline_indicators: a work report that states none of the headline indicators.

A government work report (工作报告) or work summary (工作总结) nearly always gives GDP, fixed-asset
investment and budget revenue; when the extracted subjects name none of them, the extractor most
likely missed the report's main numbers. The words to look for are in the policy file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pyarrow.compute as pc

from .base import Check, Problem, agree, plural, rows_from_records
from .data import PackageData


def headline_indicators(data: PackageData) -> Iterator[Problem]:
    lexicon = data.policy.headline
    reports, facts = data.table("reports"), data.table("facts")
    markers = "|".join(re.escape(m) for m in lexicon.title_markers)
    titles = pc.fill_null(reports.column("title"), "")
    is_work = pc.match_substring_regex(titles, markers).to_pylist() if markers else [False] * len(titles)
    work = [(rid, title) for rid, title, yes in zip(reports.column("report_id").to_pylist(),
                                                    reports.column("title").to_pylist(), is_work) if yes]
    if not work:
        return
    work_ids = {rid for rid, _ in work}
    rids = facts.column("report_id").to_pylist()
    subjects = pc.fill_null(facts.column("subject"), "")
    present = {}
    for group, words in lexicon.groups:  # one pass per group (a handful), not per row
        pattern = "|".join(re.escape(w) for w in words)
        hit = pc.match_substring_regex(subjects, pattern, ignore_case=True).to_pylist()
        present[group] = {rid for rid, yes in zip(rids, hit) if yes and rid in work_ids}
    short = [(rid, title) for rid, title in work if sum(rid in ids for ids in present.values()) < lexicon.min_groups]
    if not short:
        return
    rows = []
    for rid, title in short[:20]:
        missing = [" / ".join(words) for group, words in lexicon.groups if rid not in present[group]]
        rows.append({"report_id": rid, "title": title, "missing": "; ".join(missing)})
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
