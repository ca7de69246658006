"""ValidationReport -> one self-contained HTML page for a data steward (no scripts, fonts or links).

The page opens on the gate decision, then shows each failed or warning check with its offending
rows; a fact is shown next to its paragraph with the quoted span highlighted, so the steward can
judge it without opening the data. Every string from the package goes through html.escape.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .validate import Finding, ValidationReport

_CSS = """
:root { --ok: #1a7f37; --warn: #9a6700; --bad: #cf222e; --line: #d0d7de; --muted: #57606a; }
body { font-family: "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", "WenQuanYi Micro Hei", sans-serif;
       margin: 2rem auto; max-width: 76rem; padding: 0 1rem; color: #1f2328; line-height: 1.5; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; } h2 { font-size: 1.2rem; margin-top: 2rem; }
.pkg { color: var(--muted); margin-top: 0; word-break: break-all; }
.decision { font-size: 1.3rem; font-weight: bold; padding: .8rem 1rem; border-radius: 6px; margin: 1rem 0; }
.decision.publish { background: #dafbe1; color: var(--ok); } .decision.block { background: #ffebe9; color: var(--bad); }
.summary { display: flex; gap: 1rem; list-style: none; padding: 0; }
.summary li { border: 1px solid var(--line); border-radius: 6px; padding: .4rem .9rem; }
.summary b { font-size: 1.2rem; margin-right: .3rem; }
.badge { font-size: .8rem; border-radius: 1rem; padding: .1rem .6rem; margin-left: .5rem; color: #fff;
         vertical-align: middle; }
.badge.failed { background: var(--bad); } .badge.warning { background: var(--warn); }
.badge.passed { background: var(--ok); } .badge.skipped { background: var(--muted); }
.check { border-left: 4px solid var(--line); padding-left: 1rem; margin-bottom: 1.5rem; }
.check.failed { border-color: var(--bad); } .check.warning { border-color: var(--warn); }
.about { color: var(--muted); margin: .2rem 0 .6rem; } .message { font-weight: bold; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; margin: .4rem 0 1rem; }
th, td { border: 1px solid var(--line); padding: .3rem .5rem; text-align: left; vertical-align: top; }
th { background: #f6f8fa; } td.para { min-width: 24rem; }
mark { background: #fff8c5; outline: 1px solid #d4a72c; padding: 0 1px; }
.note { color: var(--bad); font-size: .85rem; } .more { color: var(--muted); font-size: .85rem; }
"""

_FACT_FIRST = ("fact_id", "quote", "subject", "value", "unit")
_FACT_HIDDEN = {"paragraph_text", "text_at_offsets", "report_id", "paragraph_id", "char_start", "char_end"}


def render(report: ValidationReport) -> str:
    summary = report.summary
    blocking = [c for c in report.checks if c.status == "failed"]
    if report.decision == "publish":
        decision = "Published — no blocking problem found"
    else:
        decision = f"Blocked — {len(blocking)} blocking check{'s' if len(blocking) != 1 else ''} failed; " \
                   "nothing is published"
    by_check: dict[str, list[Finding]] = {}
    for f in report.findings:
        by_check.setdefault(f.check, []).append(f)
    shown = [c for c in report.checks if c.status == "failed"] + [c for c in report.checks if c.status == "warning"]
    parts = [
        "<!doctype html>",
        '<html lang="zh-Hans"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Validation report: {escape(str(report.package_dir))}</title>",
        f"<style>{_CSS}</style></head><body>",
        "<h1>Validation report</h1>",
        f'<p class="pkg">{escape(str(report.package_dir))}</p>',
        f'<div class="decision {escape(report.decision)}">{escape(decision)}</div>',
        '<ul class="summary">',
        f'<li><b>{summary["passed"]}</b>passed</li>',
        f'<li><b>{summary["warnings"]}</b>warnings</li>',
        f'<li><b>{summary["failed"]}</b>failed</li>',
        *([f'<li><b>{summary["skipped"]}</b>skipped</li>'] if summary.get("skipped") else []),
        "</ul>",
    ]
    if shown:
        parts.append("<h2>Checks that need attention</h2>")
    for check in shown:
        parts.append(f'<section class="check {escape(check.status)}">')
        parts.append(f'<h3>{escape(check.name)}<span class="badge {escape(check.status)}">'
                     f"{escape(check.status)}</span></h3>")
        if check.description:
            parts.append(f'<p class="about">{escape(check.description)}</p>')
        for finding in by_check.get(check.name, []):
            parts.append(f'<p class="message">{escape(finding.message)}</p>')
            parts.append(_rows_table(finding.rows))
        parts.append("</section>")
    parts.append(_release_diff(report.release_diff))
    parts.append("<h2>All checks</h2>")
    parts.append("<table><thead><tr><th>check</th><th>what it verifies</th><th>severity</th><th>result</th>"
                 "<th>findings</th></tr></thead><tbody>")
    for c in report.checks:
        parts.append(f"<tr><td>{escape(c.name)}</td><td>{escape(c.description)}</td><td>{escape(c.severity)}</td>"
                     f'<td><span class="badge {escape(c.status)}">{escape(c.status)}</span></td>'
                     f"<td>{c.findings}</td></tr>")
    parts.append("</tbody></table></body></html>\n")
    return "\n".join(parts)


def _release_diff(diff: dict | None) -> str:
    """The changes since the latest published release, as a steward reads a changelog."""
    if diff is None:
        return "<h2>Release diff</h2><p>No earlier release of this dataset is published: everything is new.</p>"
    if "error" in diff:
        return f"<h2>Release diff</h2><p class=\"message\">Not computed: {escape(diff['error'])}</p>"
    out = [f"<h2>Release diff</h2><p>Against the latest published release: {diff['added']} fact(s) added, "
           f"{diff['removed']} removed, {diff['changed']} changed "
           f"({diff['moved_beyond_threshold']} moved beyond the policy's share).</p>"]
    for title, key in (("Added", "added_facts"), ("Removed", "removed_facts"), ("Changed", "changed_facts")):
        if diff.get(key):
            out.append(f"<h3>{title}</h3>" + _rows_table(tuple(diff[key][:50])))
    return "\n".join(out)


def _rows_table(rows: tuple[dict, ...]) -> str:
    if not rows:
        return ""
    if all("fact_id" in r and "paragraph_text" in r for r in rows):
        return _facts_table(rows)
    columns = list(dict.fromkeys(k for r in rows for k in r))
    head = "".join(f"<th>{escape(c)}</th>" for c in columns)
    body = "".join("<tr>" + "".join(f"<td>{_cell(r.get(c))}</td>" for c in columns) + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _facts_table(rows: tuple[dict, ...]) -> str:
    extra = [k for k in dict.fromkeys(k for r in rows for k in r) if k not in _FACT_FIRST and k not in _FACT_HIDDEN]
    columns = [*_FACT_FIRST, *extra]
    head = "".join(f"<th>{escape(c)}</th>" for c in columns) + "<th>where</th><th>paragraph text</th>"
    body = []
    for r in rows:
        cells = "".join(f"<td>{_cell(r.get(c))}</td>" for c in columns)
        where = f"{_cell(r.get('report_id'))} ¶{_cell(r.get('paragraph_id'))} " \
                f"[{_cell(r.get('char_start'))}:{_cell(r.get('char_end'))}]"
        body.append(f"<tr>{cells}<td>{where}</td><td class=\"para\">{_paragraph(r)}</td></tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _paragraph(row: dict) -> str:
    """Paragraph text with [char_start, char_end) marked; says so when the quote is not what is there."""
    text, start, end = row.get("paragraph_text"), row.get("char_start"), row.get("char_end")
    if not isinstance(text, str):
        return '<span class="note">no such paragraph</span>'
    if not (isinstance(start, int) and isinstance(end, int) and 0 <= start <= end <= len(text)):
        return f'{escape(text)}<br><span class="note">offsets [{escape(str(start))}:{escape(str(end))}] ' \
               "are outside the paragraph</span>"
    marked = f"{escape(text[:start])}<mark>{escape(text[start:end])}</mark>{escape(text[end:])}"
    if row.get("quote") != text[start:end]:
        marked += f'<br><span class="note">at these offsets the text reads “{escape(text[start:end])}”, ' \
                  f"not the quote “{escape(str(row.get('quote')))}”</span>"
    return marked


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return escape(f"{value:.15g}")
    return escape(str(value))
