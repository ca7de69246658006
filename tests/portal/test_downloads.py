"""Downloads as people and their tools use them: the release zip opened by frictionless, the Excel
workbooks, and each load snippet of a dataset page run against `reportpub serve`."""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from reportpub.portal.dataset import SNIPPET_INSTALLS
from reportpub.portal.model import field_titles

DAQING = "daqing-2016h1-economy"
FRICTIONLESS = Path(sys.executable).with_name("frictionless")


def release(portal: Path, name: str) -> Path:
    version = json.loads((portal / "datasets" / name / "latest.json").read_text())["version"]
    return portal / "datasets" / name / "releases" / version


def test_frictionless_opens_the_release_zip_and_validates_every_resource(sample_portal):
    from frictionless import Package

    folder = release(sample_portal.path, DAQING)
    zip_path = next(folder.glob("*.zip"))
    package = Package(str(zip_path))
    names = [r.name for r in package.resources]
    assert len(names) == 10 and "facts" in names and "facts-parquet" in names
    run = subprocess.run([str(FRICTIONLESS), "validate", "--json", str(zip_path)], capture_output=True, text=True,
                         timeout=300)
    report = json.loads(run.stdout)
    assert run.returncode == 0 and report["valid"], run.stdout[-2000:]
    checked = sorted(task["name"] for task in report["tasks"])
    assert checked == sorted(names)  # every table, CSV and Parquet, not only checksums.sha256
    rows = {t["name"]: t["stats"]["rows"] for t in report["tasks"]}
    assert rows["facts"] == rows["facts-parquet"] == pq.read_metadata(folder / "data/facts.parquet").num_rows


def test_each_table_is_an_excel_workbook_with_chinese_and_english_titles(sample_portal):
    from openpyxl import load_workbook

    folder = release(sample_portal.path, DAQING)
    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    tables = [r for r in descriptor["resources"] if r["format"] == "csv"]
    assert sorted(p.name for p in (folder / "xlsx").iterdir()) == sorted(f"{r['name']}.xlsx" for r in tables)
    facts = next(r for r in tables if r["name"] == "facts")
    sheet = load_workbook(folder / "xlsx" / "facts.xlsx", read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    titles = [field_titles(f) for f in facts["schema"]["fields"]]
    assert list(rows[0]) == [zh for zh, _ in titles] and list(rows[1]) == [en for _, en in titles]
    assert rows[0][0] == "事实标识（相同输入得到相同标识）" and rows[1][0] == "Fact identifier, stable for the same input"
    expected = pq.read_table(folder / "data/facts.parquet").to_pylist()
    assert len(rows) - 2 == len(expected)
    names = [f["name"] for f in facts["schema"]["fields"]]
    first = dict(zip(names, rows[2]))
    assert first["fact_id"] == expected[0]["fact_id"] and first["quote"] == expected[0]["quote"]
    assert first["value"] == pytest.approx(expected[0]["value"])
    assert first["period_start"].date() == expected[0]["period_start"]  # a real date in Excel


def test_report_text_that_looks_like_a_formula_stays_text_in_the_workbook(tmp_path):
    from openpyxl import load_workbook

    from reportpub.portal.workbook import ensure_release_workbooks

    import pyarrow as pa

    (tmp_path / "data").mkdir()
    pq.write_table(pa.table({"text": ["=1+1", "+SUM(A1)", "正文"]}), tmp_path / "data/t.parquet")
    schema = {"fields": [{"name": "text", "type": "string", "description": "文本 / Text", "title": "Text"}]}
    (tmp_path / "datapackage.json").write_text(json.dumps(
        {"resources": [{"name": "t", "path": "data/t.csv", "format": "csv", "schema": schema}]}), encoding="utf-8")
    (path,) = ensure_release_workbooks(tmp_path)
    cells = [c for (c,) in load_workbook(path).active.iter_rows(min_row=3, values_only=True)]
    sheet = load_workbook(path).active
    assert cells == ["=1+1", "+SUM(A1)", "正文"] and all(sheet.cell(r, 1).data_type == "s" for r in (3, 4, 5))
    first = path.read_bytes()
    path.unlink()
    ensure_release_workbooks(tmp_path)
    assert path.read_bytes() == first  # same data, same bytes


# --- load snippets -----------------------------------------------------------------------------

def snippets(page_html: str) -> dict[str, str]:
    """Dataset page -> {language: snippet text as shown}."""
    out = {}
    for lang, code in re.findall(r'<div class="snippet" data-lang="([^"]+)">.*?<code>(.*?)</code>', page_html, re.DOTALL):
        out[html.unescape(lang)] = html.unescape(re.sub(r"<[^>]+>", "", code))
    return out


def fresh_venv(path: Path, pip_line: str) -> Path:
    """A new virtual environment holding only what `pip_line` installs (uv, the package mirror) -> its Python."""
    uv = Path(sys.executable).with_name("uv")
    if not uv.exists():
        pytest.skip("uv is missing from the test environment (make venv installs it)")
    subprocess.run([str(uv), "venv", "-q", str(path), "--python", sys.executable], check=True, timeout=120)
    python = path / "bin" / "python"
    args = [a.strip('"') for a in pip_line.split()[2:]]
    subprocess.run([str(uv), "pip", "install", "-q", "--python", str(python), *args], check=True, timeout=600)
    return python


def run_snippet(python: Path, code: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(python), "-c", code + "\nprint(len(facts))"], capture_output=True, text=True,
                          cwd=cwd, timeout=300)


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["pandas", "frictionless"])
def test_each_python_snippet_runs_against_serve_in_a_venv_with_only_its_pip_install_line(lang, server, tmp_path):
    """The snippet as the served page shows it (absolute URLs of `reportpub serve`), run in a
    subprocess by a fresh virtual environment that holds exactly what its first line installs."""
    import urllib.request

    page = urllib.request.urlopen(f"{server}datasets/{DAQING}/index.html").read().decode("utf-8")
    code = snippets(page)[lang]
    first = code.splitlines()[0]
    assert first == f"# {SNIPPET_INSTALLS[lang]}"
    assert f"{server}datasets/{DAQING}/releases/" in code  # the server's own address
    run = run_snippet(fresh_venv(tmp_path / "venv", first.removeprefix("# ")), code, tmp_path)
    assert run.returncode == 0, run.stderr[-3000:]
    assert int(run.stdout.split()[-1]) > 100


@pytest.mark.slow
def test_with_plain_pip_install_pandas_the_parquet_line_fails(server, tmp_path):
    """Guards the test above: the install line matters (the issue's finding, reproduced)."""
    import urllib.request

    page = urllib.request.urlopen(f"{server}datasets/{DAQING}/index.html").read().decode("utf-8")
    run = run_snippet(fresh_venv(tmp_path / "venv", "pip install pandas"), snippets(page)["pandas"], tmp_path)
    assert run.returncode != 0 and "pyarrow" in run.stderr


def test_the_r_snippet_names_its_package():
    """R is not installed here, so the R snippet is only read: it installs the one package it calls."""
    assert SNIPPET_INSTALLS["R"] == 'install.packages("arrow")'
