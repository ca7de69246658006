"""The portal's cross-report view: one row per coded fact of every latest release, as a Frictionless
package (`indicators/`: CSV, Parquet, Table Schema) and a page per indicator with the regions side
by side. Rebuilt whenever the portal is rendered, so it always matches the datasets' latest releases; each
dataset's rows are made when its pages are (portal/state.py keeps them), so a render reads no table.

portal/indicators/datapackage.json, data/indicators.{csv,parquet}, data/indicator_codes.csv
portal/indicators/index.html           every indicator with its number of facts and regions
portal/indicators/<code>.html          one indicator: sortable table, chart, each value linked to its quote
"""

from __future__ import annotations

import json
import tempfile
from collections import defaultdict
from pathlib import Path

from ..files import sha256_file
from ..indicators import code_list_of_indicators
from ..package import load_schema, write_table
from .chart import Bar, change_bars
from .dataset import APPROX, MEASURES, STATUSES, paragraph_anchor
from .files import write_atomic
from .html import bi, esc, fmt_period, href, page
from .model import Dataset

FOLDER = "indicators"
ROOT = "../"


def indicator_rows(datasets: list[Dataset]) -> list[dict]:
    """Every fact with an indicator code, of every dataset's latest release, with its region."""
    rows = []
    for d in datasets:
        reports = {r["report_id"]: r for r in d.reports}
        for f in d.facts:
            if not f.get("indicator"):
                continue
            report = reports.get(f["report_id"], {})
            anchor = paragraph_anchor(f["report_id"], f["paragraph_id"])
            rows.append({
                "indicator": f["indicator"], "region": report.get("region") or "", "dataset": d.name,
                "version": d.version, "report_id": f["report_id"], "report_title": report.get("title") or d.title,
                "measure": f["measure"], "basis": f.get("basis") or None, "period_start": f.get("period_start") or "",
                "period_end": f.get("period_end") or "", "status": f["status"], "value": _num(f["value"]),
                "unit": f.get("unit") or "", "value_base": _num(f.get("value_base")), "unit_base": f.get("unit_base") or "",
                "approx": f["approx"], "qualifier": f.get("qualifier") or "", "fact_id": f["fact_id"],
                "quote": f["quote"], "quote_url": f"datasets/{d.name}/paragraphs.html#{anchor}",
            })
    return sorted(rows, key=row_order)


def row_order(r: dict) -> tuple:
    """The order of the indicators table: by indicator, region, period, dataset and fact."""
    return r["indicator"], r["region"], r["period_end"], r["dataset"], r["fact_id"]


def render_indicators(portal: Path, rows: list[dict]) -> None:
    """Rows of every dataset, in row_order -> the cross-report package and the indicator pages
    (files whose bytes are unchanged stay)."""
    folder = portal / FOLDER
    _write_package(folder, rows)
    by_code: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        by_code[r["indicator"]].append(r)
    codes = code_list_of_indicators()
    write_atomic(folder / "index.html", _index_page(by_code, codes))
    for code, ind in codes.items():
        write_atomic(folder / f"{code}.html", _indicator_page(ind, by_code.get(code, [])))


def _write_package(folder: Path, rows: list[dict]) -> None:
    """data/*.csv and *.parquet written beside, then the descriptor with their sizes and hashes."""
    codes = [i.row() for i in sorted(code_list_of_indicators().values(), key=lambda i: i.code)]
    resources = []
    with tempfile.TemporaryDirectory(dir=folder.parent) as tmp:
        for table, table_rows in (("indicators", rows), ("indicator_codes", codes)):
            schema = load_schema(table)
            csv_tmp, pq_tmp = Path(tmp) / f"{table}.csv", Path(tmp) / f"{table}.parquet"
            write_table(table_rows, schema, csv_tmp, pq_tmp)
            for path, fmt in ((csv_tmp, "csv"), (pq_tmp, "parquet")):
                write_atomic(folder / "data" / path.name, path.read_bytes())
                res = {"name": table if fmt == "csv" else f"{table}-parquet", "path": f"data/{path.name}",
                       "format": fmt, "mediatype": "text/csv" if fmt == "csv" else "application/vnd.apache.parquet",
                       "schema": schema}
                if fmt == "csv":
                    res.update({"encoding": "utf-8", "bytes": path.stat().st_size, "hash": "sha256:" + sha256_file(path)})
                resources.append(res)
    descriptor = {
        "$schema": "https://datapackage.org/profiles/2.0/datapackage.json",
        "name": "indicators", "title": "跨报告指标 / Indicators across reports",
        "description": "门户中每份报告最新版本里带指标代码的事实，每行一条，附地区和原文位置。 "
                       "Every fact with an indicator code in the latest release of every report on this portal, "
                       "one per row, with its region and its place in the source text.",
        "licenses": [{"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/"}],
        "resources": resources,
    }
    write_atomic(folder / "datapackage.json", json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n")


def _num(v) -> float | None:
    try:
        return float(v) if v not in (None, "") else None
    except ValueError:
        return None


def _index_page(by_code: dict[str, list[dict]], codes: dict) -> str:
    items = []
    for code, ind in sorted(codes.items(), key=lambda kv: (-len(by_code.get(kv[0], [])), kv[0])):
        found = by_code.get(code, [])
        regions = len({r["region"] for r in found if r["region"]})
        items.append(f"""<tr><td><a href="{href(code + ".html")}">{bi(ind.name_zh, ind.label_en)}</a></td>
<td><code>{esc(code)}</code></td><td class="num">{len(found)}</td><td class="num">{regions}</td></tr>""")
    body = f"""<nav class="crumbs"><a href="{ROOT}index.html">{bi("← 数据目录", "← Catalogue")}</a></nav>
<h1>{bi("跨报告指标", "Indicators across reports")}</h1>
<p>{bi("每个指标一个代码，汇集门户中所有报告里的同一指标。", "One code per indicator, gathering the same measure from every report on this portal.")}
<a href="datapackage.json">datapackage.json</a> · <a href="data/indicators.csv">indicators.csv</a> ·
<a href="data/indicators.parquet">indicators.parquet</a></p>
<div class="scroll"><table class="preview sortable">
<thead><tr><th>{bi("指标", "Indicator")}</th><th>{bi("代码", "Code")}</th><th>{bi("事实数", "Facts")}</th><th>{bi("地区数", "Regions")}</th></tr></thead>
<tbody>{"".join(items)}</tbody></table></div>"""
    return page(root=ROOT, title_zh="跨报告指标 · 政府报告开放数据", title_en="Indicators · Government report open data",
                body=body, page_id="indicators")


def _indicator_page(ind, rows: list[dict]) -> str:
    trs = []
    for r in rows:
        approx_zh, approx_en = APPROX.get(r["approx"], ("", ""))
        value = f'{r["value"]:g}' if r["value"] is not None else ""
        trs.append(f"""<tr id="{esc(r["dataset"])}--{esc(r["fact_id"])}">
<td>{esc(r["region"]) or "—"}</td><td><a href="{ROOT}{href("datasets", r["dataset"], "index.html")}">{esc(r["report_title"])}</a> <small class="muted">{esc(r["version"])}</small></td>
<td>{bi(*MEASURES.get(r["measure"], (r["measure"], r["measure"])))}</td>
<td>{esc(fmt_period(r["period_start"], r["period_end"]))}</td>
<td>{bi(*STATUSES.get(r["status"], (r["status"], r["status"])))}</td>
<td class="num" data-sort="{esc(r["value"])}"><a href="{ROOT}{href(r["quote_url"])}" title="{esc(r["quote"])}">{bi(approx_zh, approx_en)}<b>{esc(value)}</b>{esc(r["unit"])}</a></td>
<td>{esc(r["qualifier"])}</td></tr>""")
    body = f"""<nav class="crumbs"><a href="{ROOT}index.html">{bi("数据目录", "Catalogue")}</a> ›
<a href="index.html">{bi("跨报告指标", "Indicators")}</a></nav>
<h1>{bi(ind.name_zh, ind.label_en)}</h1>
<p><code>{esc(ind.code)}</code> · {bi("别名", "Also written")}: {esc("、".join(ind.aliases) or "—")} ·
{bi("定义", "Definition")}: {esc(ind.definition)}</p>
{_chart(rows)}
<div class="scroll"><table class="preview sortable">
<thead><tr><th>{bi("地区", "Region")}</th><th>{bi("报告", "Report")}</th><th>{bi("类别", "Measure")}</th>
<th>{bi("期间", "Period")}</th><th>{bi("状态", "Status")}</th><th>{bi("数值（点击看原文）", "Value (click for the source)")}</th>
<th>{bi("限定", "Qualifier")}</th></tr></thead>
<tbody>{"".join(trs) or f'<tr><td colspan="7">{bi("门户中尚无此指标的事实。", "No fact of this indicator on this portal yet.")}</td></tr>'}</tbody>
</table></div>"""
    return page(root=ROOT, title_zh=f"{ind.name_zh} · 跨报告指标", title_en=f"{ind.label_en} · Indicators",
                body=body, page_id="indicator")


def _chart(rows: list[dict]) -> str:
    """The regions side by side: the changes in % of the most stated period and status."""
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for r in rows:
        if r["measure"] == "change" and r["unit"] == "%" and not r["qualifier"] and r["value"] is not None:
            groups[(r["period_start"], r["period_end"], r["status"])].append(r)
    if not groups:
        return ""
    (start, end, status), chosen = max(groups.items(), key=lambda kv: (len(kv[1]), kv[0][1]))
    first = {}
    for r in chosen:
        first.setdefault(r["region"] or r["dataset"], r)
    bars = [Bar(region, region, r["value"], note=r["quote"], link=ROOT + r["quote_url"]) for region, r in first.items()]
    zh_status, en_status = STATUSES.get(status, (status, status))
    return f"""<p class="muted">{bi(f"各地区变化（%），{fmt_period(start, end)}，{zh_status}", f"Change in % by region, {fmt_period(start, end)}, {en_status}")}</p>
<figure class="chart-box">{change_bars(bars)}</figure>"""
