"""A history entry's `changelog` -> text and HTML for the release history.

publish.py writes a dict: {"first_release": true} for a first release, else the counts of the
release diff ("added", "removed", "changed") with up to 50 "added_facts" and "removed_facts"
(fact ids) and "changed_facts" ({fact_id, field, old, new}), and the steward's "corrections" in force
(and "stale_corrections"; reportpub.release.Changelog). A hand-written changelog (a string or
a list of lines) is shown as it is. Every value is escaped: fact fields come from reports.
"""

from __future__ import annotations

from .html import bi, bi_html, esc

DETAIL_ROWS = 50


def changelog_summary(entry: dict) -> list[tuple[str, str]]:
    """History entry -> [(Chinese line, English line)]; [] when it has no changelog."""
    log = entry.get("changelog")
    if not log:
        return []
    if isinstance(log, str):
        return [(log, log)]
    if isinstance(log, (list, tuple)):
        return [(str(x), str(x)) for x in log]
    if not isinstance(log, dict):
        return [(str(log), str(log))]
    lines = []
    if log.get("first_release"):
        lines.append(("首次发布", "First release"))
    counts = {k: log.get(k) for k in ("added", "removed", "changed")}
    if any(isinstance(v, int) for v in counts.values()):
        a, r, c = (int(v) if isinstance(v, int) else 0 for v in counts.values())
        lines.append((f"新增 {a} 条事实，删除 {r} 条，修改 {c} 处", f"{a} facts added, {r} removed, {c} changes"))
    if isinstance(log.get("moved_beyond_threshold"), int) and log["moved_beyond_threshold"]:
        n = log["moved_beyond_threshold"]
        lines.append((f"其中 {n} 处数值变动超过阈值", f"{n} values moved beyond the review threshold"))
    corrections, stale = (len(log.get(k) or []) if isinstance(log.get(k), list) else 0
                          for k in ("corrections", "stale_corrections"))
    if corrections:
        lines.append((f"含 {corrections} 处人工更正", f"{corrections} steward correction(s) in force"))
    if stale:
        lines.append((f"{stale} 处人工更正未应用（对应事实已不存在）",
                      f"{stale} correction(s) not applied: their fact is no longer extracted"))
    for key in ("summary", "note", "notes", "message"):
        if isinstance(log.get(key), str) and log[key]:
            lines.append((log[key], log[key]))
    if not lines and not _details(log):
        lines.append(("数据未变，仅元数据更新", "Metadata changed, data unchanged"))
    return lines


def changelog_text(entry: dict) -> tuple[str, str]:
    """History entry -> (Chinese, English) changelog as plain text, '' when absent."""
    lines = changelog_summary(entry)
    return "\n".join(zh for zh, _ in lines), "\n".join(en for _, en in lines)


def changelog_html(entry: dict) -> str:
    """History entry -> the changelog cell: summary lines, then the changed facts in a <details>."""
    lines = changelog_summary(entry)
    log = entry.get("changelog")
    details = _details(log) if isinstance(log, dict) else ""
    if not lines and not details:
        return '<span class="muted">—</span>'
    return "<br>".join(bi(zh, en) for zh, en in lines) + details


def _details(log: dict) -> str:
    rows = []
    for c in (log.get("changed_facts") or [])[:DETAIL_ROWS]:
        if isinstance(c, dict):
            rows.append(f'<li><code>{esc(c.get("fact_id"))}</code> {esc(c.get("field"))}: '
                        f'{esc(c.get("old"))} → <b>{esc(c.get("new"))}</b></li>')
    for key, zh, en in (("added_facts", "新增", "added"), ("removed_facts", "删除", "removed")):
        ids = [f.get("fact_id") if isinstance(f, dict) else f for f in (log.get(key) or [])[:DETAIL_ROWS]]
        if ids:
            rows.append(f'<li>{bi(zh, en)}: {", ".join(f"<code>{esc(i)}</code>" for i in ids)}</li>')
    for c in (log.get("corrections") or [])[:DETAIL_ROWS]:
        if isinstance(c, dict):
            what = bi("不是事实", "not a fact") if c.get("field") == "not_a_fact" else \
                f'{esc(c.get("field"))} → <b>{esc(c.get("value"))}</b>'
            rows.append(f'<li>✎ <code>{esc(c.get("fact_id"))}</code> {what}: {esc(c.get("reason"))}</li>')
    if not rows:
        return ""
    return (f'<details class="changes"><summary>{bi_html("变更明细", "Details")}</summary>'
            f'<ul>{"".join(rows)}</ul></details>')
