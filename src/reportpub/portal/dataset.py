"""One dataset -> its page (datasets/<name>/index.html) and its source text page (paragraphs.html).

The dataset page answers, in order: what is this, where does it come from, how do I get it, what
does it say (chart, preview), what is in each column, can I trust it (validation), what changed
(history), and how do I load it (snippets). Links are relative to the page's folder.
"""

from __future__ import annotations

from collections import Counter

from .changelog import changelog_html
from .chart import Bar, change_bars
from .home import validation_badge
from .html import bi, bi_html, esc, fmt_bytes, fmt_period, href, json_for_script, page
from .metadata import distribution_title, link, provenance_text, schema_org_dataset
from .model import TABLE_TITLES, Dataset, field_titles

PREVIEW_ROWS = 50
CHART_BARS = 12
ROOT = "../../"
MEASURES = {"level": ("水平", "level"), "new": ("新增", "new"), "cumulative": ("累计", "cumulative"),
            "change": ("变化", "change"), "ratio": ("比例", "ratio")}
BASES = {"yoy": ("同比", "year on year"), "mom": ("环比", "month on month"), "none": ("", "")}
STATUSES = {"actual": ("实际", "actual"), "estimate": ("预计", "estimate"), "target": ("目标", "target")}
APPROX = {"exact": ("", ""), "more_than": ("超过", "more than "), "about": ("约", "about "),
          "less_than": ("不到", "less than ")}


def paragraph_anchor(report_id: str, paragraph_id) -> str:
    return f"{report_id}-p{paragraph_id}"


def _local(d: Dataset, path: str) -> str:
    """Path from the portal root -> href relative to the dataset's folder."""
    prefix = f"datasets/{d.name}/"
    return href(path[len(prefix):] if path.startswith(prefix) else ROOT + path)


def _doc_order(facts: list[dict]) -> list[dict]:
    return sorted(facts, key=lambda f: (str(f.get("report_id")), int(f.get("paragraph_id") or 0),
                                        int(f.get("char_start") or 0)))


# --- the dataset page --------------------------------------------------------------------------

def render_dataset_page(d: Dataset, *, base_url: str | None = None) -> str:
    """Dataset -> datasets/<name>/index.html text."""
    zh_desc, en_desc = d.description
    start, end = d.temporal
    title_en = f'<p class="title-en" lang="en">{esc(d.title_en)}</p>' if d.title_en else ""
    sections = [
        ("provenance", "来源与抽取", "Provenance", _provenance(d)),
        ("downloads", "下载", "Downloads", _downloads(d)),
        ("chart", "主要指标变化", "Headline indicators", _chart(d)),
        ("preview", "数据预览", "Preview", _preview(d)),
        ("schema", "表结构", "Schema", _schema(d)),
        ("validation", "数据校验", "Validation", _validation(d)),
        ("history", "版本历史", "Release history", _history(d)),
        ("usage", "加载数据", "Load the data", _snippets(d, base_url)),
    ]
    toc = "".join(f'<li><a href="#{sid}">{bi(zh, en)}</a></li>' for sid, zh, en, _ in sections)
    body = "\n".join(f'<section id="{sid}"><h2>{bi(zh, en)}</h2>\n{content}\n</section>'
                     for sid, zh, en, content in sections)
    jsonld = json_for_script(schema_org_dataset(d, base_url=base_url))
    html_body = f"""
<nav class="crumbs"><a href="{ROOT}index.html">{bi("← 数据目录", "← Catalogue")}</a></nav>
<section class="intro dataset-head">
  <h1>{esc(d.title)}</h1>{title_en}
  <dl class="meta">
    <div><dt>{bi("发布机关", "Publisher")}</dt><dd>{esc(d.publisher) or "—"}</dd></div>
    <div><dt>{bi("期间", "Period")}</dt><dd>{esc(fmt_period(start, end)) or "—"}</dd></div>
    <div><dt>{bi("版本", "Version")}</dt><dd>{esc(d.version)} <small class="muted">{esc(d.created[:10])}</small></dd></div>
    <div><dt>{bi("事实数", "Facts")}</dt><dd>{d.fact_count}</dd></div>
    <div><dt>{bi("许可", "Licence")}</dt><dd>{esc(d.licence.get("title") or d.licence.get("name") or "—")}<br><small class="muted licence-url">{esc(d.licence.get("path", ""))}</small></dd></div>
    <div><dt>{bi("校验", "Validation")}</dt><dd><a href="#validation">{validation_badge(d.valid)}</a></dd></div>
  </dl>
  <div class="description">{bi_html(esc(zh_desc), esc(en_desc), tag="p") if en_desc != zh_desc else f"<p>{esc(zh_desc)}</p>"}</div>
  <nav class="toc"><ul>{toc}</ul></nav>
</section>
{body}
<script type="application/ld+json">{jsonld}</script>
"""
    return page(root=ROOT, title_zh=f"{d.title} · 政府报告开放数据", title_en=f"{d.title_en or d.title} · Open data",
                body=html_body, page_id="dataset",
                canonical=base_url and link(f"datasets/{d.name}/index.html", base_url=base_url))


def _provenance(d: Dataset) -> str:
    rows = []
    for s in d.descriptor.get("sources", []):
        rows.append(f"""<dl class="kv">
  <div><dt>{bi("原始报告", "Source report")}</dt><dd>{esc(s.get("title", ""))}</dd></div>
  <div><dt>{bi("发布机关", "Publisher")}</dt><dd>{esc(s.get("publisher", "")) or "—"}</dd></div>
  <div><dt>{bi("源文件", "Source file")}</dt><dd><code>{esc(s.get("path", ""))}</code> <small class="muted">{esc(s.get("mediatype", ""))}</small></dd></div>
  <div><dt>SHA-256</dt><dd><code class="hash">{esc(s.get("sha256", ""))}</code></dd></div>
</dl>""")
    rp = d.descriptor.get("reportpub") or {}
    zh, en = provenance_text(d)
    return f"""{"".join(rows)}
<dl class="kv">
  <div><dt>{bi("抽取方法", "Extraction")}</dt><dd>{bi_html(esc(zh), esc(en))}</dd></div>
  <div><dt>{bi("程序版本", "Software")}</dt><dd>reportpub {esc(rp.get("version", ""))} · extractor {esc(rp.get("extractor_version", ""))}</dd></div>
  <div><dt>{bi("构建时间", "Built")}</dt><dd>{esc(d.descriptor.get("created", ""))}</dd></div>
</dl>
<p><a href="paragraphs.html">{bi("按段落阅读原文（每个数字都标在原文中）→", "Read the source text by paragraph (every number marked) →")}</a></p>"""


def _downloads(d: Dataset) -> str:
    rows = []
    for x in d.downloads:
        zh, en = distribution_title(x)
        rows.append(f"""<tr>
  <td>{bi(zh, en)}</td>
  <td><a class="dl" href="{_local(d, x.path)}" data-sha256="{esc(x.sha256)}" data-bytes="{x.bytes}" download>{esc(x.filename)}</a></td>
  <td class="num" title="{x.bytes} bytes">{esc(fmt_bytes(x.bytes))}</td>
  <td><code class="hash">{esc(x.sha256)}</code></td>
</tr>""")
    return f"""<p class="muted">{bi(f"版本 {d.version} 的文件；SHA-256 可用于核对下载是否完整。始终指向最新版本的地址：",
                                   f"Files of version {d.version}; check a download with its SHA-256. Always-latest address: ")}
<a href="latest/datapackage.json"><code>latest/</code></a></p>
<div class="scroll"><table class="downloads">
<thead><tr><th>{bi("内容", "Content")}</th><th>{bi("文件", "File")}</th><th>{bi("大小", "Size")}</th><th>SHA-256</th></tr></thead>
<tbody>{"".join(rows)}</tbody></table></div>"""


def headline_bars(d: Dataset, limit: int = CHART_BARS) -> tuple[list[Bar], str]:
    """Facts -> (bars, period they all share or ''): the first changes in % of indicators the glossary
    knows, one per subject and period, in the order of the report.

    An English name the glossary gives to several subjects (e.g. "Value added") gets the Chinese
    subject beside it, so that two bars never carry the same label. A period that differs from the
    dataset's is written on each bar, unless all bars share it: then it is said once, above.
    """
    seen, picked = set(), []
    for f in _doc_order(d.facts):
        if f.get("measure") != "change" or f.get("unit") != "%" or not f.get("subject_en") or f.get("value") is None:
            continue
        key = (f.get("subject"), f.get("period_start"), f.get("period_end"), f.get("status"))
        if key not in seen:
            seen.add(key)
            picked.append(f)
        if len(picked) >= limit:
            break
    en_count = Counter(f["subject_en"] for f in picked)
    periods = {(f.get("period_start"), f.get("period_end")) for f in picked}
    shared = periods.pop() if len(periods) == 1 else d.temporal
    bars = []
    for f in picked:
        zh, en = str(f.get("subject") or ""), str(f["subject_en"])
        if en_count[en] > 1 and zh != en:
            en = f"{en} ({zh})"
        period = fmt_period(f.get("period_start"), f.get("period_end"))
        if (f.get("period_start"), f.get("period_end")) != shared and period:
            zh, en = f"{zh}（{period}）", f"{en}, {period}"
        if f.get("status") == "target":
            zh, en = f"{zh}·目标", f"{en}, target"
        bars.append(Bar(zh, en, float(f["value"]), note=str(f.get("context") or ""),
                        link=f"paragraphs.html#{paragraph_anchor(f['report_id'], f['paragraph_id'])}"))
    return bars, (fmt_period(*shared) if shared != d.temporal else "")


def _chart(d: Dataset) -> str:
    bars, period = headline_bars(d)
    if not bars:
        return f'<p class="muted">{bi("本数据集没有以百分比表示的指标变化。", "This dataset holds no change in % of a known indicator.")}</p>'
    zh_period, en_period = (f"（{period}）", f" ({period})") if period else ("", "")
    return f"""<p class="muted">{bi(f"原文中首先出现的已知指标的百分比变化{zh_period}，按原文顺序；点击条形查看原文。",
                                  f"Changes in % of known indicators{en_period}, in the order the report states them; click a bar for the source text.")}</p>
<figure class="chart-box">{change_bars(bars)}</figure>"""


def _corrected(fact: dict) -> str:
    """The mark of a fact a steward corrected (reportpub correct): which fields, and why."""
    if not fact.get("correction"):
        return ""
    return f'<br><small class="corrected">✎ {bi("人工更正", "Corrected")}: {esc(fact["correction"])}</small>'


def _preview(d: Dataset) -> str:
    facts = _doc_order(d.facts)
    rows = []
    for f in facts[:PREVIEW_ROWS]:
        anchor = paragraph_anchor(f.get("report_id", ""), f.get("paragraph_id", ""))
        approx_zh, approx_en = APPROX.get(f.get("approx") or "exact", ("", ""))
        value = _number(f.get("value"))
        unit = esc(f.get("unit") or "")
        unit = unit if unit in ("%", "‰", "") else f"\u2009{unit}"
        value_html = bi_html(esc(approx_zh) + f"<b>{esc(value)}</b>{unit}", esc(approx_en) + f"<b>{esc(value)}</b>{unit}")
        measure = bi(*MEASURES.get(f.get("measure") or "", (f.get("measure") or "", f.get("measure") or "")))
        basis_zh, basis_en = BASES.get(f.get("basis") or "none", ("", ""))
        if basis_zh:
            measure += f' <small class="muted">{bi(basis_zh, basis_en)}</small>'
        status = bi(*STATUSES.get(f.get("status") or "", (f.get("status") or "", f.get("status") or "")))
        subject_en = f'<br><small class="muted" lang="en">{esc(f.get("subject_en"))}</small>' if f.get("subject_en") else ""
        if f.get("indicator"):  # the same indicator in every report
            subject_en += (f' <a class="indicator" href="{ROOT}{href("indicators", f["indicator"] + ".html")}">'
                           f'<code>{esc(f["indicator"])}</code></a>')
        qualifier = f'<br><small class="muted">{esc(f.get("qualifier"))}</small>' if f.get("qualifier") else ""
        rows.append(f"""<tr id="f-{esc(f.get("fact_id", ""))}">
  <td>{esc(f.get("subject") or "")}{subject_en}{_corrected(f)}</td>
  <td class="num">{value_html}</td>
  <td class="quote"><q>{esc(f.get("quote") or "")}</q><br><small class="context">{_highlight(f.get("context") or "", f.get("quote") or "")}</small>{qualifier}</td>
  <td>{esc(fmt_period(f.get("period_start"), f.get("period_end")))}</td>
  <td>{measure}</td>
  <td>{status}</td>
  <td><a class="para" href="paragraphs.html#{esc(anchor)}" title="段落 / paragraph {esc(f.get("paragraph_id"))} · {esc(f.get("fact_id", ""))}">¶{esc(f.get("paragraph_id"))}</a></td>
</tr>""")
    shown = min(len(facts), PREVIEW_ROWS)
    note = bi(f"按原文顺序显示前 {shown} 条事实（共 {len(facts)} 条）；完整数据请下载。",
              f"The first {shown} of {len(facts)} facts, in the order of the report; download for all.")
    return f"""<p class="muted">{note}</p>
<div class="scroll"><table class="preview">
<thead><tr><th>{bi("指标", "Indicator")}</th><th>{bi("数值", "Value")}</th><th>{bi("原文引文", "Source quote")}</th>
<th>{bi("期间", "Period")}</th><th>{bi("类别", "Measure")}</th><th>{bi("状态", "Status")}</th><th>{bi("段落", "Paragraph")}</th></tr></thead>
<tbody>{"".join(rows)}</tbody></table></div>"""


def _schema(d: Dataset) -> str:
    parts = []
    for res in d.descriptor.get("resources", []):
        if res.get("format") != "csv":
            continue  # the Parquet twin has the same fields
        table = str(res.get("name", ""))
        schema = res.get("schema") or {}
        zh, en = TABLE_TITLES.get(table, (table, table))
        rows = []
        for field in schema.get("fields", []):
            desc_zh, desc_en = field_titles(field)
            rows.append(f"""<tr><td><code>{esc(field.get("name"))}</code></td><td>{esc(field.get("type"))}</td>
<td>{bi(desc_zh, desc_en)}</td><td>{_constraints(field.get("constraints") or {})}</td></tr>""")
        keys = []
        if schema.get("primaryKey"):
            keys.append(f'{bi("主键", "Primary key")}: <code>{esc(", ".join(_as_list(schema["primaryKey"])))}</code>')
        for fk in schema.get("foreignKeys", []):
            ref = fk.get("reference", {})
            keys.append(f'{bi("外键", "Foreign key")}: <code>{esc(", ".join(_as_list(fk.get("fields"))))}</code> → '
                        f'<code>{esc(ref.get("resource"))}({esc(", ".join(_as_list(ref.get("fields"))))})</code>')
        open_attr = " open" if table == "facts" else ""
        parts.append(f"""<details class="schema" id="schema-{esc(table)}"{open_attr}>
<summary>{bi(zh, en)} <code>{esc(res.get("path"))}</code> <small class="muted">{len(rows)} {bi("个字段", "fields")}</small></summary>
<div class="scroll"><table><thead><tr><th>{bi("字段", "Field")}</th><th>{bi("类型", "Type")}</th><th>{bi("说明", "Description")}</th><th>{bi("约束", "Constraints")}</th></tr></thead>
<tbody>{"".join(rows)}</tbody></table></div>
<p class="keys">{"<br>".join(keys)}</p>
</details>""")
    return "\n".join(parts)


def _validation(d: Dataset) -> str:
    v = d.validation or {}
    checks = "".join(
        f'<li class="check {esc(c.get("status"))}"><code>{esc(c.get("name"))}</code> '
        f'<span class="status">{esc(c.get("status"))}</span> <small class="muted">{esc(c.get("description"))}</small></li>'
        for c in v.get("checks", []))
    findings = "".join(f'<li><code>{esc(f.get("check"))}</code> {esc(f.get("severity"))}: {esc(f.get("message"))}</li>'
                       for f in v.get("findings", [])[:20])
    base = _local(d, d.release_path)
    return f"""<p>{validation_badge(d.valid, v.get("summary"))}</p>
<p><a href="{base}/validation.html">{bi("完整校验报告（HTML）", "Full validation report (HTML)")}</a> ·
<a href="{base}/validation.json">validation.json</a></p>
{f'<ul class="findings">{findings}</ul>' if findings else ""}
{f'<details><summary>{bi("全部检查项", "All checks")}</summary><ul class="checks">{checks}</ul></details>' if checks else ""}"""


def _history(d: Dataset) -> str:
    rows = []
    for entry in reversed(d.history):
        version = str(entry.get("version", ""))
        latest = f' <span class="badge ok">{bi("最新", "latest")}</span>' if version == d.version else ""
        valid = entry.get("valid")
        rows.append(f"""<tr><td><a href="{href("releases", version, "datapackage.json")}">{esc(version)}</a>{latest}</td>
<td>{esc(str(entry.get("created", ""))[:19].replace("T", " "))}</td><td class="num">{esc(entry.get("facts", ""))}</td>
<td>{validation_badge(valid if isinstance(valid, bool) else None)}{f' <small class="muted">{esc(entry.get("warnings"))} ⚠</small>' if entry.get("warnings") else ""}</td>
<td class="changelog">{changelog_html(entry)}</td></tr>""")
    return f"""<div class="scroll"><table class="history">
<thead><tr><th>{bi("版本", "Version")}</th><th>{bi("发布时间（UTC）", "Published (UTC)")}</th><th>{bi("事实数", "Facts")}</th>
<th>{bi("校验", "Validation")}</th><th>{bi("变更说明", "Changelog")}</th></tr></thead>
<tbody>{"".join(rows)}</tbody></table></div>
<p><a href="history.json">history.json</a></p>"""


# Each snippet starts with the install line of exactly what it needs (tests/portal/test_snippets.py
# runs each one and checks that every package it imports comes from that line).
SNIPPET_INSTALLS = {
    "pandas": "pip install pandas pyarrow",
    "frictionless": 'pip install "frictionless[pandas,parquet]"',
    "R": 'install.packages("arrow")',
}


def _snippets(d: Dataset, base_url: str | None = None) -> str:
    """Dataset -> the load snippets; URLs absolute with the public address, else made absolute by
    portal.js from the page's own address."""

    def u(path: str) -> str:
        if base_url:
            return esc(link(f"{d.release_path}/{path}", base_url=base_url))
        rel = f"{_local(d, d.release_path)}/{esc(path)}"
        return f'<span class="url" data-rel="{rel}">{rel}</span>'

    blocks = [
        ("pandas", f"""# {SNIPPET_INSTALLS["pandas"]}
import pandas as pd

facts = pd.read_csv("{u("data/facts.csv")}")
# or, with the column types kept:
facts = pd.read_parquet("{u("data/facts.parquet")}")"""),
        ("frictionless", f"""# {esc(SNIPPET_INSTALLS["frictionless"])}
from frictionless import Package

package = Package("{u("datapackage.json")}")
facts = package.get_resource("facts").to_pandas()"""),
        ("R", f"""# {esc(SNIPPET_INSTALLS["R"])}
facts &lt;- read.csv("{u("data/facts.csv")}", encoding = "UTF-8")
# or, with the column types kept:
download.file("{u("data/facts.parquet")}", "facts.parquet", mode = "wb")
facts &lt;- arrow::read_parquet("facts.parquet")"""),
    ]
    out = []
    for i, (lang, code) in enumerate(blocks):
        out.append(f"""<div class="snippet" data-lang="{esc(lang)}"><div class="snippet-head"><span>{esc(lang)}</span>
<button type="button" class="copy" data-copy="snippet-{i}">{bi("复制", "Copy")}</button></div>
<pre id="snippet-{i}"><code>{code}</code></pre></div>""")
    return "\n".join(out)


# --- the paragraphs page -----------------------------------------------------------------------

def render_paragraphs_page(d: Dataset, *, base_url: str | None = None) -> str:
    """Dataset -> datasets/<name>/paragraphs.html: the source text, each paragraph anchored, each fact marked."""
    by_para: dict[tuple, list[dict]] = {}
    for f in _doc_order(d.facts):
        by_para.setdefault((str(f.get("report_id")), int(f.get("paragraph_id") or 0)), []).append(f)
    titles = {str(r.get("report_id")): str(r.get("title") or "") for r in d.reports}
    out, current = [], None
    for p in sorted(d.paragraphs, key=lambda p: (str(p.get("report_id")), int(p.get("paragraph_id") or 0))):
        rid, pid = str(p.get("report_id")), int(p.get("paragraph_id") or 0)
        if rid != current:
            if current is not None:
                out.append("</ol>")
            current = rid
            out.append(f'<h2 id="{esc(rid)}">{esc(titles.get(rid) or rid)} <small class="muted">{esc(rid)}</small></h2>'
                       '<ol class="paragraphs">')
        text = str(p.get("text") or "")
        marked = _mark_facts(text, by_para.get((rid, pid), []))
        kind = esc(p.get("kind") or "body")
        anchor = esc(paragraph_anchor(rid, pid))
        tag = "h3" if p.get("kind") == "heading" else "p"
        out.append(f'<li id="{anchor}" class="para {kind}" value="{pid}"><a class="pilcrow" href="#{anchor}">¶{pid}</a>'
                   f'<{tag}>{marked}</{tag}></li>')
    if current is not None:
        out.append("</ol>")
    body = f"""
<nav class="crumbs"><a href="{ROOT}index.html">{bi("数据目录", "Catalogue")}</a> ›
<a href="index.html">{esc(d.title)}</a></nav>
<section class="intro"><h1>{bi("原文段落", "Source text by paragraph")}</h1>
<p class="muted">{bi("段落文本来自原文（仅调整空白）；标记的是抽取出的数字，悬停可见其指标与数值。",
                     "Paragraph text as in the source (only whitespace changed); marked spans are extracted numbers, hover for indicator and value.")}</p>
</section>
{"".join(out) or f'<p class="muted">{bi("没有段落。", "No paragraphs.")}</p>'}
"""
    return page(root=ROOT, title_zh=f"原文段落 · {d.title}", title_en=f"Source text · {d.title_en or d.title}",
                body=body, page_id="paragraphs",
                canonical=base_url and link(f"datasets/{d.name}/paragraphs.html", base_url=base_url))


def _mark_facts(text: str, facts: list[dict]) -> str:
    """Paragraph text and its facts -> escaped HTML with each quoted number in a <mark>."""
    out, pos = [], 0
    for f in sorted(facts, key=lambda f: int(f.get("char_start") or 0)):
        s, e = int(f.get("char_start") or 0), int(f.get("char_end") or 0)
        if s < pos or e > len(text) or s >= e or text[s:e] != f.get("quote"):
            continue
        tip = f"{f.get('subject') or ''} {f.get('subject_en') or ''} = {_number(f.get('value'))} {f.get('unit') or ''}"
        out.append(esc(text[pos:s]))
        out.append(f'<mark id="f-{esc(f.get("fact_id"))}" title="{esc(tip)}">{esc(text[s:e])}</mark>')
        pos = e
    out.append(esc(text[pos:]))
    return "".join(out)


# --- small helpers -----------------------------------------------------------------------------

def _highlight(context: str, quote: str) -> str:
    i = context.find(quote) if quote else -1
    if i < 0:
        return esc(context)
    return f"{esc(context[:i])}<mark>{esc(quote)}</mark>{esc(context[i + len(quote):])}"


def _number(v) -> str:
    if v is None or v == "":
        return ""
    try:
        f = float(v)
    except (TypeError, ValueError):
        return str(v)
    return str(int(f)) if f.is_integer() and abs(f) < 1e15 else repr(f)


def _constraints(c: dict) -> str:
    items = []
    for k, v in c.items():
        if v is True:
            items.append(f"<code>{esc(k)}</code>")
        elif isinstance(v, list):
            items.append(f"<code>{esc(k)}</code>: {esc(', '.join(str(x) for x in v))}")
        else:
            items.append(f"<code>{esc(k)}</code>: <code>{esc(v)}</code>")
    return "<br>".join(items) or '<span class="muted">—</span>'


def _as_list(v) -> list[str]:
    return [str(x) for x in v] if isinstance(v, list) else [str(v)] if v is not None else []
