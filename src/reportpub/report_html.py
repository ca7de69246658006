"""ValidationReport -> one self-contained HTML page for a data steward, in Chinese and English.

The page opens on the gate decision, then shows each failed or warning check with its offending
rows; a fact is named by its id, its paragraph and offsets, and its quote is shown highlighted in
the sentence it stands in (the whole paragraph one click away), so the steward can judge it without
opening the data. Both languages are in the page, as on the portal (`.zh` / `.en` elements from
portal/html.py); the switch is two radio buttons and a CSS rule, because this page carries no
script, font or link: it is opened from a package folder, a quarantine or a CKAN download. Wide
tables scroll inside their own box, so the page fits a 1280-pixel window. Every string from the
package goes through html.escape.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .portal.html import FONT_STACK, bi, bi_html, esc

if TYPE_CHECKING:
    from .validate import CheckResult, Finding, ValidationReport

_CSS = """
:root { --ok: #1a7f37; --warn: #9a6700; --bad: #cf222e; --line: #d0d7de; --muted: #57606a; }
* { box-sizing: border-box; }
body { font-family: FONTS; margin: 1.5rem auto; max-width: 76rem; padding: 0 1rem; color: #1f2328;
       line-height: 1.5; overflow-wrap: break-word; }
.lang-radio { position: absolute; opacity: 0; pointer-events: none; }
body:has(#lang-en:checked) .zh, body:not(:has(#lang-en:checked)) .en { display: none !important; }
.top { display: flex; align-items: center; justify-content: space-between; gap: 1rem; }
.lang-switch { font-size: .9rem; border: 1px solid var(--line); border-radius: 999px; padding: .2rem .8rem;
               cursor: pointer; white-space: nowrap; }
.lang-switch:hover { background: #f6f8fa; }
h1 { font-size: 1.6rem; margin: 0; } h2 { font-size: 1.2rem; margin-top: 2rem; } h3 { margin-bottom: .2rem; }
.pkg { color: var(--muted); margin-top: .2rem; word-break: break-all; }
.decision { font-size: 1.3rem; font-weight: bold; padding: .8rem 1rem; border-radius: 6px; margin: 1rem 0; }
.decision.publish { background: #dafbe1; color: var(--ok); } .decision.block { background: #ffebe9; color: var(--bad); }
.summary { display: flex; flex-wrap: wrap; gap: 1rem; list-style: none; padding: 0; }
.summary li { border: 1px solid var(--line); border-radius: 6px; padding: .4rem .9rem; }
.summary b { font-size: 1.2rem; margin-right: .3rem; }
.badge { font-size: .8rem; border-radius: 1rem; padding: .1rem .6rem; margin-left: .5rem; color: #fff;
         vertical-align: middle; white-space: nowrap; }
.badge.failed { background: var(--bad); } .badge.warning { background: var(--warn); }
.badge.passed { background: var(--ok); } .badge.skipped { background: var(--muted); }
.check { border-left: 4px solid var(--line); padding-left: 1rem; margin-bottom: 1.5rem; min-width: 0; }
.check.failed { border-color: var(--bad); } .check.warning { border-color: var(--warn); }
.about { color: var(--muted); margin: .2rem 0 .6rem; } .message { font-weight: bold; }
.scroll { max-width: 100%; overflow-x: auto; margin: .4rem 0 1rem; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
th, td { border: 1px solid var(--line); padding: .3rem .5rem; text-align: left; vertical-align: top; }
th { background: #f6f8fa; }
td.sentence { min-width: 20rem; } td.q { min-width: 4.5rem; }
td.id, td.where { min-width: 8rem; font-size: .8rem; word-break: break-all; }
mark { background: #fff8c5; outline: 1px solid #d4a72c; padding: 0 1px; }
details { margin-top: .3rem; font-size: .85rem; color: var(--muted); } summary { cursor: pointer; }
.note { color: var(--bad); font-size: .85rem; } .more { color: var(--muted); font-size: .85rem; }
""".replace("FONTS", FONT_STACK)

# Column labels of offending rows; a column not named here shows its field name in both languages.
_LABELS = {
    "fact_id": ("事实编号", "fact id"), "quote": ("引文", "quote"), "subject": ("主语", "subject"),
    "value": ("数值", "value"), "unit": ("单位", "unit"), "report_id": ("报告", "report"),
    "title": ("标题", "title"), "region": ("地区", "region"), "publisher": ("发布机关", "publisher"),
    "year": ("评述年份", "year"), "plan_year": ("计划年份", "plan year"), "delivered": ("发布日期", "delivered"),
    "period_start": ("时期起", "period start"), "period_end": ("时期止", "period end"),
    "status": ("状态", "status"), "problem": ("问题", "problem"), "measure": ("度量", "measure"),
}
_STATUS = {"passed": ("通过", "passed"), "warning": ("警告", "warning"), "failed": ("未通过", "failed"),
           "skipped": ("跳过", "skipped")}
_SEVERITY = {"error": ("阻止发布", "error: blocks"), "warning": ("仅提示", "warning")}
_FIRST = ("fact_id", "quote", "subject", "value", "unit")
_PLACE = {"paragraph_text", "text_at_offsets", "report_id", "paragraph_id", "char_start", "char_end"}
_SENTENCE_END = "。！？!?\n"
_CONTEXT = 120  # characters kept on each side of a quote when its sentence is longer


def render(report: ValidationReport) -> str:
    """ValidationReport -> the whole page (zh shown first, en one click away)."""
    from .checks import registry

    checks = registry()
    zh_about = {name: c.zh for name, c in checks.items()}
    summary = report.summary
    blocking = sum(c.status == "failed" for c in report.checks)
    if report.decision == "publish":
        decision = bi("可以发布：未发现阻止发布的问题", "Published — no blocking problem found")
    else:
        decision = bi(f"已阻止：{blocking} 项阻止发布的检查未通过，未发布任何内容",
                      f"Blocked — {blocking} blocking check{'s' if blocking != 1 else ''} failed; "
                      "nothing is published")
    by_check: dict[str, list[Finding]] = {}
    for f in report.findings:
        by_check.setdefault(f.check, []).append(f)
    shown = [c for c in report.checks if c.status == "failed"] + [c for c in report.checks if c.status == "warning"]
    parts = [
        "<!doctype html>",
        '<html lang="zh-CN"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>校验报告 Validation report: {esc(report.package_dir)}</title>",
        f"<style>{_CSS}</style></head><body>",
        '<input type="radio" name="lang" id="lang-zh" class="lang-radio" checked aria-label="中文">',
        '<input type="radio" name="lang" id="lang-en" class="lang-radio" aria-label="English">',
        '<div class="top">',
        f"<h1>{bi('校验报告', 'Validation report')}</h1>",
        '<span><label for="lang-en" class="lang-switch zh" lang="en">English</label>'
        '<label for="lang-zh" class="lang-switch en" lang="zh-CN">中文</label></span>',
        "</div>",
        f'<p class="pkg">{esc(report.package_dir)}</p>',
        f'<div class="decision {esc(report.decision)}">{decision}</div>',
        '<ul class="summary">',
        *(f"<li><b>{summary[key]}</b>{bi(zh, key)}</li>"
          for key, zh in (("passed", "通过"), ("warnings", "警告"), ("failed", "未通过"), ("skipped", "跳过"))
          if key != "skipped" or summary.get("skipped")),
        "</ul>",
    ]
    if shown:
        parts.append(f"<h2>{bi('需要关注的检查', 'Checks that need attention')}</h2>")
    for check in shown:
        parts.append(_check_section(check, zh_about.get(check.name, ""), by_check.get(check.name, [])))
    parts.append(_release_diff(report.release_diff))
    parts.append(f"<h2>{bi('全部检查', 'All checks')}</h2>")
    head = "".join(f"<th>{bi(zh, en)}</th>" for zh, en in (
        ("检查", "check"), ("检查内容", "what it verifies"), ("级别", "severity"), ("结果", "result"),
        ("发现", "findings")))
    parts.append(f'<div class="scroll"><table><thead><tr>{head}</tr></thead><tbody>')
    for c in report.checks:
        parts.append(f"<tr><td>{esc(c.name)}</td><td>{bi(zh_about.get(c.name) or c.description, c.description)}</td>"
                     f"<td>{bi(*_SEVERITY.get(c.severity, (c.severity, c.severity)))}</td>"
                     f'<td><span class="badge {esc(c.status)}">{bi(*_STATUS.get(c.status, (c.status, c.status)))}'
                     f"</span></td><td>{c.findings}</td></tr>")
    parts.append("</tbody></table></div></body></html>\n")
    return "\n".join(parts)


def _check_section(check: CheckResult, zh_about: str, findings: list[Finding]) -> str:
    status = _STATUS.get(check.status, (check.status, check.status))
    out = [f'<section class="check {esc(check.status)}" id="check-{esc(check.name)}">',
           f'<h3>{esc(check.name)}<span class="badge {esc(check.status)}">{bi(*status)}</span></h3>']
    if check.description:
        out.append(f'<p class="about">{bi(zh_about or check.description, check.description)}</p>')
    for finding in findings:
        out.append(f'<p class="message">{esc(finding.message)}</p>')
        out.append(_rows_table(finding.rows))
    out.append("</section>")
    return "\n".join(out)


def _release_diff(diff: dict | None) -> str:
    """The changes since the latest published release, as a steward reads a changelog."""
    title = f"<h2>{bi('与上一版本的差异', 'Release diff')}</h2>"
    if diff is None:
        return title + "<p>" + bi("此数据集尚无已发布的版本：全部内容都是新的。",
                                  "No earlier release of this dataset is published: everything is new.") + "</p>"
    if "error" in diff:
        return title + f'<p class="message">{bi("未计算：", "Not computed: ")}{esc(diff["error"])}</p>'
    counts = (diff["added"], diff["removed"], diff["changed"], diff["moved_beyond_threshold"])
    out = [title, "<p>" + bi(
        "与最近一次发布的版本相比：新增 {} 条事实，删除 {} 条，修改 {} 条（其中 {} 条变动超过策略规定的比例）。".format(*counts),
        "Against the latest published release: {} fact(s) added, {} removed, {} changed "
        "({} moved beyond the policy's share).".format(*counts)) + "</p>"]
    for zh, en, key in (("新增", "Added", "added_facts"), ("删除", "Removed", "removed_facts"),
                        ("修改", "Changed", "changed_facts")):
        if diff.get(key):
            out.append(f"<h3>{bi(zh, en)}</h3>" + _rows_table(tuple(diff[key][:50])))
    return "\n".join(out)


def _rows_table(rows: tuple[dict, ...]) -> str:
    """Offending rows -> a table in its own scrolling box; rows that point into a paragraph also show
    where (report, paragraph, offsets) and the quote highlighted in its sentence."""
    if not rows:
        return ""
    keys = list(dict.fromkeys(k for r in rows for k in r))
    located = any("paragraph_text" in r for r in rows)
    if located:
        columns = [*(c for c in _FIRST if c in keys), *(k for k in keys if k not in _FIRST and k not in _PLACE)]
    else:
        columns = keys
    head = "".join(f"<th>{bi(*_LABELS.get(c, (c, c)))}</th>" for c in columns)
    if located:
        head += f"<th>{bi('位置', 'where')}</th><th>{bi('引文所在句子', 'quote in its sentence')}</th>"
    body = []
    for r in rows:
        cells = "".join(f'<td{_class(c)}>{_cell(r.get(c))}</td>' for c in columns)
        if located:
            cells += f'<td class="where">{_where(r)}</td><td class="sentence">{_in_sentence(r)}</td>'
        body.append(f"<tr>{cells}</tr>")
    return f'<div class="scroll"><table><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table></div>'


def _class(column: str) -> str:
    return ' class="id"' if column == "fact_id" else ' class="q"' if column in ("quote", "subject") else ""


def _where(row: dict) -> str:
    """report, ¶ paragraph and [char_start:char_end), each part only when the row has it."""
    parts = []
    if row.get("report_id") is not None:
        parts.append(_cell(row["report_id"]))
    if row.get("paragraph_id") is not None:
        parts.append(bi(f"第 {row['paragraph_id']} 段", f"¶ {row['paragraph_id']}"))
    if row.get("char_start") is not None or row.get("char_end") is not None:
        parts.append(f"[{_cell(row.get('char_start'))}:{_cell(row.get('char_end'))}]")
    return "<br>".join(parts)


def _in_sentence(row: dict) -> str:
    """The sentence around [char_start, char_end) with that span marked, the whole paragraph folded
    below it; says so when the offsets miss the paragraph or the quote is not what stands there."""
    text, start, end = row.get("paragraph_text"), row.get("char_start"), row.get("char_end")
    if not isinstance(text, str):
        return '<span class="note">' + bi("无此段落", "no such paragraph") + "</span>" \
            if "paragraph_text" in row else ""
    whole = f"<details><summary>{bi('段落全文', 'whole paragraph')}</summary>{esc(text)}</details>"
    if not (isinstance(start, int) and isinstance(end, int) and 0 <= start <= end <= len(text)):
        return esc(text[:2 * _CONTEXT]) + '<br><span class="note">' + bi(
            f"偏移量 [{start}:{end}] 超出段落范围", f"offsets [{start}:{end}] are outside the paragraph") + "</span>"
    first = max((text.rfind(ch, 0, start) for ch in _SENTENCE_END), default=-1) + 1
    ends = [i for i in (text.find(ch, end) for ch in _SENTENCE_END) if i >= 0]
    last = min(ends) + 1 if ends else len(text)
    first, last = max(first, start - _CONTEXT), min(last, end + _CONTEXT)
    before = ("…" if first > 0 else "") + text[first:start]
    after = text[end:last] + ("…" if last < len(text) else "")
    marked = f"{esc(before)}<mark>{esc(text[start:end])}</mark>{esc(after)}"
    quote = row.get("quote")
    if quote is not None and quote != text[start:end]:
        marked += '<br><span class="note">' + bi_html(
            f"此处原文为“{esc(text[start:end])}”，而非引文“{esc(quote)}”",
            f"at these offsets the text reads “{esc(text[start:end])}”, not the quote “{esc(quote)}”") + "</span>"
    return marked + whole


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return esc(f"{value:.15g}")
    return esc(value)
