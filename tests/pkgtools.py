"""Test helper: pyarrow tables -> a reportpub data package directory (the contract of the build stage).

One pyarrow Table per resource is written twice, as CSV and as Parquet, so a test can change the
data in one place and get a consistent package, or change bytes afterwards to break it on purpose.
`sample_tables()` is a small valid package; `synthetic_tables(n)` scales it for timing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import pyarrow as pa

from reportpub import package as reportpub_package
from reportpub.files import sha256_file
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

REPO = Path(__file__).resolve().parents[1]
SCHEMAS = REPO / "schemas"
RESOURCES = ("reports", "paragraphs", "facts", "units", "indicator_codes")

_ARROW_TYPES = {
    "string": pa.string(),
    "integer": pa.int64(),
    "number": pa.float64(),
    "date": pa.date32(),
    "boolean": pa.bool_(),
}

UNITS = [
    # unit, unit_base, factor, label_en, kind
    ("%", "%", 1.0, "percent", "percent"),
    ("个百分点", "percentage_point", 1.0, "percentage points", "percentage_point"),
    ("元", "CNY", 1.0, "yuan (CNY)", "currency"),
    ("万元", "CNY", 1e4, "ten thousand yuan", "currency"),
    ("亿元", "CNY", 1e8, "hundred million yuan", "currency"),
    ("人", "person", 1.0, "persons", "person"),
    ("万人", "person", 1e4, "ten thousand persons", "person"),
    ("所", "count", 1.0, "institutions", "count"),
    ("个", "count", 1.0, "items", "count"),
]

REPORTS = [
    {
        "report_id": "demo-2023-gwr",
        "title": "2023年政府工作报告",
        "publisher": "示范市人民政府",
        "region": "示范市",
        "year": 2022,
        "source_file": "demo_2023_gwr.txt",
        "paragraphs": [
            ("heading", 1, "一、2022年工作回顾", "一、2022年工作回顾"),
            ("body", 1, "一、2022年工作回顾",
             "全市地区生产总值达到1228亿元，同比增长1.5%。固定资产投资增长8.2%，一般公共预算收入完成56.3亿元。"),
            ("body", 1, "一、2022年工作回顾", "城镇新增就业2.1万人，城镇调查失业率控制在5.5%以内，新建学校12所。"),
            ("body", 2, "二、2023年工作安排", "三次产业结构调整为5:40:55。地区生产总值预期增长6%左右。"),
        ],
        "period": ("2022-01-01", "2022-12-31"),
    },
    {
        "report_id": "demo-2016h1-economy",
        "title": "2016年上半年全市经济运行情况",
        "publisher": "示范市统计局",
        "region": "示范市",
        "year": 2016,
        "source_file": "demo_2016h1_economy.txt",
        "paragraphs": [
            ("body", 0, "", "上半年，全市实现地区生产总值612亿元，同比增长1.5%，增速比一季度提高0.9个百分点。"),
            ("boilerplate", 0, "", "责任编辑：示范"),
        ],
        "period": ("2016-01-01", "2016-06-30"),
    },
]

# report_id, paragraph_id, quote (first occurrence), subject, subject_en, measure, basis, value, unit,
# approx, status, period override (or None)
FACTS = [
    ("demo-2023-gwr", 2, "1228亿元", "地区生产总值", "GDP", "level", "", 1228, "亿元", "exact", "actual", None),
    ("demo-2023-gwr", 2, "1.5%", "地区生产总值", "GDP growth", "change", "yoy", 1.5, "%", "exact", "actual", None),
    ("demo-2023-gwr", 2, "8.2%", "固定资产投资", "Fixed-asset investment growth", "change", "yoy", 8.2, "%",
     "exact", "actual", None),
    ("demo-2023-gwr", 2, "56.3亿元", "一般公共预算收入", "General public budget revenue", "level", "", 56.3,
     "亿元", "exact", "actual", None),
    ("demo-2023-gwr", 3, "2.1万人", "城镇新增就业", "New urban jobs", "new", "", 2.1, "万人", "exact", "actual",
     None),
    ("demo-2023-gwr", 3, "5.5%", "城镇调查失业率", "Surveyed urban unemployment rate", "ratio", "", 5.5, "%",
     "less_than", "actual", None),
    ("demo-2023-gwr", 3, "12所", "新建学校", "New schools", "new", "", 12, "所", "exact", "actual", None),
    ("demo-2023-gwr", 4, "40", "第二产业比重", "Secondary industry share", "ratio", "", 40, "", "exact",
     "actual", None),
    ("demo-2023-gwr", 4, "6%", "地区生产总值", "GDP growth", "change", "yoy", 6, "%", "about", "target",
     ("2023-01-01", "2023-12-31")),
    ("demo-2016h1-economy", 1, "612亿元", "地区生产总值", "GDP", "level", "", 612, "亿元", "exact", "actual", None),
    ("demo-2016h1-economy", 1, "1.5%", "地区生产总值", "GDP growth", "change", "yoy", 1.5, "%", "exact", "actual",
     None),
    ("demo-2016h1-economy", 1, "0.9个百分点", "地区生产总值增速", "GDP growth", "change", "none", 0.9, "个百分点",
     "exact", "actual", None),
]


INDICATOR_CODES = [  # a small code list; the sample facts name none of its codes
    {"code": "gdp", "name_zh": "地区生产总值", "aliases": "生产总值", "change_aliases": "经济增长",
     "label_en": "Gross regional product", "unit_base": "CNY", "measures": "level|change", "definition": "国家统计局"},
]


def load_schema(name: str) -> dict:
    return json.loads((SCHEMAS / f"{name}.schema.json").read_text(encoding="utf-8"))


def arrow_schema(name: str) -> pa.Schema:
    """Table Schema -> the Arrow schema the build stage writes (int64, float64, date32, string)."""
    fields = load_schema(name)["fields"]
    return pa.schema([pa.field(f["name"], _ARROW_TYPES.get(f["type"], pa.string())) for f in fields])


def table(name: str, rows: list[dict]) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=arrow_schema(name))


def sample_tables() -> dict[str, pa.Table]:
    """A small valid package: two reports, six paragraphs, twelve facts, nine units."""
    units = [dict(zip(("unit", "unit_base", "factor", "label_en", "kind"), u)) for u in UNITS]
    factor = {u["unit"]: (u["factor"], u["unit_base"]) for u in units}
    reports, paragraphs, texts = [], [], {}
    for rep in REPORTS:
        offset = 0
        for pid, (kind, section, title, text) in enumerate(rep["paragraphs"], start=1):
            paragraphs.append({
                "report_id": rep["report_id"], "paragraph_id": pid, "section": section,
                "section_title": title or None, "kind": kind, "text": text,
                "source_start": offset, "source_end": offset + len(text),
            })
            texts[rep["report_id"], pid] = (text, offset, section)
            offset += len(text) + 1
        reports.append({
            "report_id": rep["report_id"], "title": rep["title"], "publisher": rep["publisher"],
            "region": rep["region"], "year": rep["year"], "source_file": rep["source_file"], "media_type": "text/plain",
            "encoding": "utf-8", "sha256": hashlib.sha256(rep["report_id"].encode()).hexdigest(),
            "char_count": offset, "extractor_version": "0.1.0",
        })
    periods = {rep["report_id"]: rep["period"] for rep in REPORTS}
    facts = []
    for rid, pid, quote, subject, subject_en, measure, basis, value, unit, approx, status, period in FACTS:
        text, offset, section = texts[rid, pid]
        start = text.index(quote)
        f, base = factor.get(unit, (1.0, ""))
        start_date, end_date = period or periods[rid]
        facts.append({
            "fact_id": f"{rid}-{pid}-{start}", "report_id": rid, "paragraph_id": pid, "section": section,
            "char_start": start, "char_end": start + len(quote),
            "source_start": offset + start, "source_end": offset + start + len(quote),
            "quote": quote, "subject": subject, "subject_en": subject_en, "measure": measure,
            "basis": basis or None, "value": float(value), "unit": unit or None,
            "value_base": float(value) * f, "unit_base": base or None, "approx": approx,
            "period_start": dt.date.fromisoformat(start_date), "period_end": dt.date.fromisoformat(end_date),
            "status": status, "qualifier": None, "context": text,
        })
    return {
        "reports": table("reports", reports),
        "paragraphs": table("paragraphs", paragraphs),
        "facts": table("facts", facts),
        "units": table("units", units),
        "indicator_codes": table("indicator_codes", INDICATOR_CODES),
    }


def synthetic_tables(n_facts: int, facts_per_paragraph: int = 10) -> dict[str, pa.Table]:
    """A valid package with about n_facts facts, built by repeating one paragraph (for timing)."""
    base = sample_tables()
    text = "全市地区生产总值达到1228亿元，同比增长1.5%。" * 5
    quotes = [("1228亿元", "level", "", 1228.0, "亿元", 1228e8, "CNY"), ("1.5%", "change", "yoy", 1.5, "%", 1.5, "%")]
    n_par = max(1, n_facts // facts_per_paragraph)
    n_rep = max(1, n_par // 500)
    report_rows = []
    for r in range(n_rep):
        row = base["reports"].slice(0, 1).to_pylist()[0]
        row.update(report_id=f"synthetic-{r:05d}", title=f"示范市第{r}号政府工作报告")
        report_rows.append(row)
    par_rows, fact_rows = [], []
    for p in range(n_par):
        rid, pid = f"synthetic-{p % n_rep:05d}", p // n_rep + 1
        par_rows.append({"report_id": rid, "paragraph_id": pid, "section": 1, "section_title": "一、回顾",
                         "kind": "body", "text": text, "source_start": pid * 1000,
                         "source_end": pid * 1000 + len(text)})
        for k in range(facts_per_paragraph):
            quote, measure, basis, value, unit, value_base, unit_base = quotes[k % 2]
            start = text.index(quote, (k // 2) * (len(text) // 5))
            fact_rows.append({
                "fact_id": f"{rid}-{pid}-{start}", "report_id": rid, "paragraph_id": pid, "section": 1,
                "char_start": start, "char_end": start + len(quote), "source_start": pid * 1000 + start,
                "source_end": pid * 1000 + start + len(quote), "quote": quote, "subject": "地区生产总值",
                "subject_en": "GDP", "measure": measure, "basis": basis or None, "value": value, "unit": unit,
                "value_base": value_base, "unit_base": unit_base, "approx": "exact",
                "period_start": dt.date(2022, 1, 1), "period_end": dt.date(2022, 12, 31), "status": "actual",
                "qualifier": None, "context": text,
            })
    return {
        "reports": table("reports", report_rows),
        "paragraphs": table("paragraphs", par_rows),
        "facts": table("facts", fact_rows),
        "units": base["units"],
        "indicator_codes": base["indicator_codes"],
    }


def write_csv(tbl: pa.Table, path: Path) -> None:
    pacsv.write_csv(tbl, path, pacsv.WriteOptions(quoting_style="needed"))


def write_package(directory: Path, tables: dict[str, pa.Table]) -> Path:
    """tables -> DIR with data/*.csv, data/*.parquet, datapackage.json and checksums.sha256."""
    directory = Path(directory)
    (directory / "data").mkdir(parents=True, exist_ok=True)
    for name in RESOURCES:
        write_csv(tables[name], directory / "data" / f"{name}.csv")
        pq.write_table(tables[name], directory / "data" / f"{name}.parquet")
    write_descriptor(directory)
    write_manifest(directory)
    return directory


def write_descriptor(directory: Path) -> None:
    """Descriptor with inline schemas and bytes/hash of the CSV files as they are now on disk."""
    resources = []
    for name in RESOURCES:
        csv_path = directory / "data" / f"{name}.csv"
        resources.append({
            "name": name, "type": "table", "path": f"data/{name}.csv", "format": "csv",
            "mediatype": "text/csv", "encoding": "utf-8", "bytes": csv_path.stat().st_size,
            "hash": f"sha256:{sha256_file(csv_path)}", "schema": load_schema(name),
        })
    for name in RESOURCES:
        schema = load_schema(name)
        schema.pop("foreignKeys", None)
        resources.append({
            "name": f"{name}-parquet", "type": "table", "path": f"data/{name}.parquet", "format": "parquet",
            "mediatype": "application/vnd.apache.parquet", "schema": schema,
        })
    descriptor = {
        "$schema": "https://datapackage.org/profiles/2.0/datapackage.json",
        "name": "reportpub-test",
        "title": "reportpub test package",
        "version": "1.0.0",
        "licenses": [{"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/",
                      "title": "Creative Commons Attribution 4.0"}],
        "resources": resources,
    }
    (directory / "datapackage.json").write_text(json.dumps(descriptor, ensure_ascii=False, indent=2),
                                                encoding="utf-8")


def write_manifest(directory: Path) -> None:
    lines = []
    for name in RESOURCES:
        for ext in ("csv", "parquet"):
            rel = f"data/{name}.{ext}"
            lines.append(f"{sha256_file(directory / rel)}  {rel}\n")
    (directory / "checksums.sha256").write_text("".join(lines), encoding="utf-8")


def rewrite_csv(directory: Path, name: str, tbl: pa.Table) -> None:
    """Replace only the CSV of one resource, keeping descriptor and manifest consistent with it."""
    write_csv(tbl, directory / "data" / f"{name}.csv")
    write_descriptor(directory)
    write_manifest(directory)


def rewrite_parquet(directory: Path, name: str, tbl: pa.Table) -> None:
    """Replace only the Parquet of one resource, keeping the manifest consistent with it."""
    pq.write_table(tbl, directory / "data" / f"{name}.parquet")
    write_manifest(directory)


def changed(tables: dict[str, pa.Table], name: str, index: int, **values) -> dict[str, pa.Table]:
    """A copy of `tables` where row `index` of table `name` has some values replaced."""
    rows = tables[name].to_pylist()
    rows[index] = {**rows[index], **values}
    return {**tables, name: table(name, rows)}


def appended(tables: dict[str, pa.Table], name: str, *rows: dict) -> dict[str, pa.Table]:
    """A copy of `tables` with rows added at the end of table `name`."""
    return {**tables, name: table(name, tables[name].to_pylist() + list(rows))}


# --- breaking a package built by reportpub, keeping it internally consistent ------------------


def rewrite_facts(pkg, change):
    """Apply change(rows) to the facts table, rewrite CSV and Parquet, and re-seal hashes and manifest."""
    table = pq.read_table(pkg / "data/facts.parquet")
    rows = table.to_pylist()
    change(rows)
    table = pa.Table.from_pylist(rows, schema=table.schema)
    reportpub_package._write_csv(table, reportpub_package.load_schema("facts"), pkg / "data/facts.csv")
    reportpub_package._write_parquet(table, pkg / "data/facts.parquet")
    reseal(pkg)


def reseal(pkg):
    """bytes and hash in the descriptor and every checksums line follow the files as they are now."""
    descriptor = json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))
    for res in descriptor["resources"]:
        if "bytes" in res:
            res["bytes"] = (pkg / res["path"]).stat().st_size
            res["hash"] = "sha256:" + sha256_file(pkg / res["path"])
    (pkg / "datapackage.json").write_text(json.dumps(descriptor, ensure_ascii=False), encoding="utf-8")
    rels = [line.split(None, 1)[1] for line in (pkg / "checksums.sha256").read_text().splitlines()]
    (pkg / "checksums.sha256").write_text("".join(f"{sha256_file(pkg / r)}  {r}\n" for r in rels))


def set_field(name, value, index=0):
    def change(rows):
        rows[index][name] = value
    return change
