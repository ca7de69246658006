"""Tables in DOCX and HTML reports become facts: row header = subject, column header = period,
unit and kind of measure; every quote is traced to the table row it stands in."""

import docx

from reportpub.extract import extract
from reportpub.ingest import ingest
from reportpub.pipeline import build_package
from reportpub.validate import validate

ROWS = [("指标", "2022年（亿元）", "同比增长（%）"),
        ("地区生产总值", "1228", "1.5"),
        ("固定资产投资", "247.4", "-2.0"),
        ("一般公共预算收入", "58.2亿元", "下降2.9%")]


def write_docx(path):
    d = docx.Document()
    d.add_paragraph("示范市2022年经济运行情况")
    d.add_paragraph("全市经济运行总体平稳。表1为主要指标。")
    table = d.add_table(rows=len(ROWS), cols=3)
    for i, row in enumerate(ROWS):
        for j, cell in enumerate(row):
            table.cell(i, j).text = cell
    d.save(path)


def write_html(path):
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in ROWS)
    path.write_text(f"<html><head><meta charset='utf-8'></head><body><nav>首页 | 新闻</nav><article>"
                    f"<h1>示范市2022年经济运行情况</h1><p>全市经济运行总体平稳。表1为主要指标。</p>"
                    f"<table>{body}</table></article></body></html>", encoding="utf-8")


def table_facts(path):
    doc = ingest(path)
    rows = {p.paragraph_id: p for p in doc.paragraphs if p.kind == "table"}
    facts = [f for f in extract(doc) if f.paragraph_id in rows]
    for f in facts:
        assert rows[f.paragraph_id].text[f.char_start:f.char_end] == f.quote
        assert doc.text[f.source_start:f.source_end] == f.quote
    return [(f.subject, f.measure, f.basis, f.value, f.unit, f.period_start[:4]) for f in facts]


EXPECTED = [
    ("地区生产总值", "level", "", 1228, "亿元", "2022"), ("地区生产总值", "change", "yoy", 1.5, "%", "2022"),
    ("固定资产投资", "level", "", 247.4, "亿元", "2022"), ("固定资产投资", "change", "yoy", -2.0, "%", "2022"),
    ("一般公共预算收入", "level", "", 58.2, "亿元", "2022"), ("一般公共预算收入", "change", "yoy", -2.9, "%", "2022"),
]


def test_docx_table_cells_become_facts(tmp_path):
    path = tmp_path / "report.docx"
    write_docx(path)
    assert table_facts(path) == EXPECTED


def test_html_table_cells_become_facts_and_the_package_validates(tmp_path):
    path = tmp_path / "report.html"
    write_html(path)
    assert table_facts(path) == EXPECTED
    built = build_package([path], tmp_path / "pkg")
    assert validate(built.path).valid
