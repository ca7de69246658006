"""Datasets -> the catalogue home page (index.html) and its data (catalog.json).

The list is rendered in HTML, so it reads without JavaScript; the same records are embedded as
JSON in the page, and portal.js filters the list from them (no fetch: a page opened from
file:// cannot fetch files next to it).
"""

from __future__ import annotations

from .html import bi, bi_html, esc, fmt_period, href, json_for_script, page
from .metadata import link
from .model import Dataset

CHIPS_SHOWN = 6


def catalog_record(d: Dataset) -> dict:
    """Dataset -> its entry in catalog.json and in the page's embedded data."""
    start, end = d.temporal
    summary = (d.validation or {}).get("summary") or {}
    return {
        "name": d.name,
        "title": d.title,
        "title_en": d.title_en,
        "publisher": d.publisher,
        "publishers": d.publishers,
        "period": fmt_period(start, end),
        "temporal": {"start": start, "end": end},
        "years": d.years,
        "version": d.version,
        "releases": len(d.history),
        "modified": d.created,
        "facts": d.fact_count,
        "valid": d.valid,
        "validation": {k: summary.get(k, 0) for k in ("passed", "warnings", "failed")} if summary else None,
        "indicators": [{"en": en, "zh": zh} for en, zh in d.indicators],
        "subjects": sorted({f["subject"] for f in d.facts if f.get("subject")}),
        "url": f"datasets/{d.name}/index.html",
        "datapackage": f"{d.release_path}/datapackage.json",
    }


def catalog_json(datasets: list[Dataset]) -> dict:
    return {"generator": "reportpub", "datasets": [catalog_record(d) for d in datasets]}


def validation_badge(valid: bool | None, summary: dict | None = None) -> str:
    if valid is None:
        label, cls = bi("未知", "unknown"), "unknown"
    elif valid:
        label, cls = bi("校验通过", "valid"), "ok"
    else:
        label, cls = bi("校验未通过", "failed checks"), "bad"
    detail = ""
    if summary:
        ok, warn, bad = (summary.get(k, 0) for k in ("passed", "warnings", "failed"))
        detail = " " + bi_html(esc(f"{ok} 项通过，{warn} 项警告，{bad} 项失败"),
                               esc(f"{ok} passed, {warn} warnings, {bad} failed"), tag="small")
    return f'<span class="badge {cls}">{label}</span>{detail}'


def render_home(datasets: list[Dataset], *, base_url: str | None = None) -> str:
    """Datasets -> index.html text."""
    records = catalog_json(datasets)
    cards = "\n".join(_card(d, r) for d, r in zip(datasets, records["datasets"]))
    publishers = sorted({p for d in datasets for p in d.publishers})
    years = sorted({y for d in datasets for y in d.years}, reverse=True)
    indicators: dict[str, str] = {}
    for d in datasets:
        for en, zh in d.indicators:
            indicators.setdefault(en, zh)
    n = len(datasets)
    body = f"""
<section class="intro">
  <h1>{bi("数据目录", "Dataset catalogue")}</h1>
  <p>{bi("政府工作报告与统计公报中的数量事实：每个数字都附有原文引文和位置，可下载 CSV、Parquet 与 Frictionless 数据包。",
         "Quantitative facts from government work reports and statistical releases: every number comes with its source quote and position; download CSV, Parquet and Frictionless data packages.")}</p>
</section>
<form class="filters" id="filters" role="search" onsubmit="return false">
  <label class="search"><span class="lbl">{bi("搜索", "Search")}</span>
    <input type="search" id="q" name="q" autocomplete="off" placeholder="搜索标题、发布机关、指标…"
      data-ph-zh="搜索标题、发布机关、指标…" data-ph-en="Search titles, publishers, indicators…"></label>
  <label><span class="lbl">{bi("发布机关", "Publisher")}</span>
    <select id="f-publisher" name="publisher">{_all_option()}{"".join(f'<option value="{esc(p)}">{esc(p)}</option>' for p in publishers)}</select></label>
  <label><span class="lbl">{bi("年份", "Year")}</span>
    <select id="f-year" name="year">{_all_option()}{"".join(f'<option value="{y}">{y}</option>' for y in years)}</select></label>
  <label><span class="lbl">{bi("指标", "Indicator")}</span>
    <select id="f-indicator" name="indicator">{_all_option()}{"".join(
        f'<option value="{esc(en)}" data-zh="{esc(zh)}" data-en="{esc(en)}">{esc(zh)}</option>'
        for en, zh in sorted(indicators.items(), key=lambda kv: kv[0].lower()))}</select></label>
  <button type="reset" id="f-reset">{bi("清除", "Clear")}</button>
</form>
<p class="count" id="count" aria-live="polite">{bi_html(f'<b class="n">{n}</b> 个数据集', f'<b class="n">{n}</b> dataset{"s" if n != 1 else ""}')}</p>
<ul class="datasets" id="datasets">
{cards or ""}
</ul>
<p class="empty" id="empty"{"" if not datasets else " hidden"}>{bi("没有符合条件的数据集。", "No dataset matches.") if datasets else bi("尚未发布任何数据集。", "No dataset has been published yet.")}</p>
<script type="application/json" id="catalog-data">{json_for_script(records)}</script>
"""
    return page(root="", title_zh="数据目录 · 政府报告开放数据", title_en="Catalogue · Government report open data",
                body=body, page_id="home", canonical=base_url and link("index.html", base_url=base_url))


def _all_option() -> str:
    return '<option value="" data-zh="全部" data-en="All">全部</option>'


def _card(d: Dataset, r: dict) -> str:
    url = href("datasets", d.name, "index.html")
    title_en = f'<p class="title-en" lang="en">{esc(d.title_en)}</p>' if d.title_en else ""
    chips = "".join(f'<li>{bi(zh, en)}</li>' for en, zh in d.indicators[:CHIPS_SHOWN])
    more = len(d.indicators) - CHIPS_SHOWN
    if more > 0:
        chips += f'<li class="more">{bi(f"另 {more} 项", f"+{more} more")}</li>'
    return f"""<li class="card" data-name="{esc(d.name)}">
  <h2><a href="{url}">{esc(d.title)}</a></h2>{title_en}
  <dl class="meta">
    <div><dt>{bi("发布机关", "Publisher")}</dt><dd>{esc(d.publisher) or "—"}</dd></div>
    <div><dt>{bi("期间", "Period")}</dt><dd>{esc(r["period"]) or "—"}</dd></div>
    <div><dt>{bi("最新版本", "Latest version")}</dt><dd>{esc(d.version)}</dd></div>
    <div><dt>{bi("事实数", "Facts")}</dt><dd>{d.fact_count}</dd></div>
    <div><dt>{bi("校验", "Validation")}</dt><dd>{validation_badge(d.valid)}</dd></div>
  </dl>
  <ul class="chips" aria-label="指标 / indicators">{chips}</ul>
</li>"""
