"""Datasets -> the catalogue home page (index.html) and its data (catalog.json), in pieces.

The list is rendered in HTML, so it reads without JavaScript; the same records are embedded as
JSON in the page, and portal.js filters the list from them (no fetch: a page opened from
file:// cannot fetch files next to it). A dataset's record and card are made when its pages are
rendered, and the files assembled from them (catalogue.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from .html import bi, bi_html, esc, fmt_period, href, page, script_safe
from .metadata import link
from .model import Dataset
from .stream import ITEMS, json_chunks

CHIPS_SHOWN = 6
CARDS = "\x00cards\x00"  # stands for the cards inside the page


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


def catalog_json(records: Iterable[str]) -> Iterator[str]:
    """Each dataset's catalog_record as stream.dumps text (indent 2) -> catalog.json text, in pieces."""
    yield from json_chunks({"generator": "reportpub", "datasets": ITEMS}, records, indent=2)
    yield "\n"


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


def render_home(cards: Iterable[str], records: Iterable[str], totals, *, base_url: str | None = None) -> Iterator[str]:
    """(each dataset's card, its catalog_record as stream.dumps text with indent 1 and sorted keys,
    their catalogue.Totals) -> index.html text, in pieces."""
    publishers, years, indicators, n = totals.publishers, totals.years, totals.indicators, totals.count
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
{CARDS}
</ul>
<p class="empty" id="empty"{"" if not n else " hidden"}>{bi("没有符合条件的数据集。", "No dataset matches.") if n else bi("尚未发布任何数据集。", "No dataset has been published yet.")}</p>
<script type="application/json" id="catalog-data">{ITEMS}</script>
"""
    text = page(root="", title_zh="数据目录 · 政府报告开放数据", title_en="Catalogue · Government report open data",
                body=body, page_id="home", canonical=base_url and link("index.html", base_url=base_url))
    head, rest = text.split(CARDS)
    middle, tail = rest.split(ITEMS)
    yield head
    yield from ((("\n" if i else "") + c) for i, c in enumerate(cards))
    yield middle
    yield from json_chunks({"generator": "reportpub", "datasets": ITEMS}, records, indent=1, sort_keys=True,
                           escape=script_safe)
    yield tail


def _all_option() -> str:
    return '<option value="" data-zh="全部" data-en="All">全部</option>'


def card(r: dict) -> str:
    """A catalog record -> its card in the list."""
    url = href("datasets", r["name"], "index.html")
    title_en = f'<p class="title-en" lang="en">{esc(r["title_en"])}</p>' if r["title_en"] else ""
    chips = "".join(f'<li>{bi(i["zh"], i["en"])}</li>' for i in r["indicators"][:CHIPS_SHOWN])
    more = len(r["indicators"]) - CHIPS_SHOWN
    if more > 0:
        chips += f'<li class="more">{bi(f"另 {more} 项", f"+{more} more")}</li>'
    return f"""<li class="card" data-name="{esc(r["name"])}">
  <h2><a href="{url}">{esc(r["title"])}</a></h2>{title_en}
  <dl class="meta">
    <div><dt>{bi("发布机关", "Publisher")}</dt><dd>{esc(r["publisher"]) or "—"}</dd></div>
    <div><dt>{bi("期间", "Period")}</dt><dd>{esc(r["period"]) or "—"}</dd></div>
    <div><dt>{bi("最新版本", "Latest version")}</dt><dd>{esc(r["version"])}</dd></div>
    <div><dt>{bi("事实数", "Facts")}</dt><dd>{r["facts"]}</dd></div>
    <div><dt>{bi("校验", "Validation")}</dt><dd>{validation_badge(r["valid"])}</dd></div>
  </dl>
  <ul class="chips" aria-label="指标 / indicators">{chips}</ul>
</li>"""
