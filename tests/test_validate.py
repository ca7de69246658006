"""validate(): a valid package passes; each way of breaking it fires the right check, at the
severity the policy gives, and decides publish or block accordingly."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pyarrow as pa
import pytest
import yaml

from . import pkgtools
from reportpub.contract import POLICY, shipped
from reportpub.validate import PolicyError, load_policy, validate, write_reports

DEFAULT_POLICY = shipped(POLICY)


@pytest.fixture(scope="session", autouse=True)
def gx_context():
    """Great Expectations takes seconds to import: do it once for the whole session."""
    from reportpub.checks.expectations import _batch_definition

    return _batch_definition()


@pytest.fixture
def tables():
    return pkgtools.sample_tables()


@pytest.fixture
def package(tmp_path, tables):
    return pkgtools.write_package(tmp_path / "pkg", tables)


def fired(report) -> dict[str, str]:
    """check name -> severity of the checks that produced findings."""
    return {f.check: f.severity for f in report.findings}


def fact_index(tables, quote: str) -> int:
    return tables["facts"].column("quote").to_pylist().index(quote)


# --- a valid package -----------------------------------------------------------------------


def test_valid_package_passes_every_check(package):
    report = validate(package)
    assert report.findings == ()
    assert report.valid and report.decision == "publish"
    assert report.summary == {"passed": len(report.checks), "warnings": 0, "failed": 0, "skipped": 0}
    names = {c.name for c in report.checks}
    assert {"structure.frictionless", "structure.manifest", "structure.parquet_schema",
            "structure.csv_parquet_same_rows", "facts.provenance", "facts.unit_in_code_list", "facts.value_base",
            "facts.range_by_measure", "facts.period_order", "facts.unique_span",
            "reports.have_paragraphs_and_facts", "facts.headline_indicators"} <= names


def test_reports_are_written_with_every_check(package):
    report = validate(package)
    json_path, html_path = write_reports(report, package)
    assert (json_path, html_path) == (package / "validation.json", package / "validation.html")
    text = json_path.read_text(encoding="utf-8")
    loaded = json.loads(text)
    assert loaded["decision"] == "publish" and loaded["valid"] is True
    assert [c["status"] for c in loaded["checks"]] == ["passed"] * len(report.checks)
    assert list(loaded) == sorted(loaded)
    assert "Published" in html_path.read_text(encoding="utf-8")
    # The two outputs are not part of the package: validating again still passes.
    assert validate(package).valid


# --- data broken in the tables (package otherwise consistent) -------------------------------


def _break(tables, how):
    facts = tables["facts"].to_pylist()
    i_gdp, i_rate = fact_index(tables, "1228亿元"), fact_index(tables, "5.5%")
    if how == "quote":
        return pkgtools.changed(tables, "facts", i_gdp, quote="1238亿元")
    if how == "unit":
        return pkgtools.changed(tables, "facts", i_gdp, unit="亿美元")
    if how == "value_base":
        return pkgtools.changed(tables, "facts", i_gdp, value_base=1228e7)
    if how == "ratio":
        return pkgtools.changed(tables, "facts", i_rate, value=150.0, value_base=150.0)
    if how == "period":
        row = facts[i_gdp]
        return pkgtools.changed(tables, "facts", i_gdp, period_start=row["period_end"], period_end=row["period_start"])
    if how == "duplicate_span":
        return pkgtools.appended(tables, "facts", {**facts[i_gdp], "fact_id": "duplicate-of-gdp"})
    if how == "missing_paragraph":
        return pkgtools.changed(tables, "facts", i_gdp, paragraph_id=99)
    if how == "report_without_facts":
        report = {**tables["reports"].to_pylist()[1], "report_id": "demo-2017-notice", "title": "2017年通知"}
        paragraph = {**tables["paragraphs"].to_pylist()[0], "report_id": "demo-2017-notice", "paragraph_id": 1}
        return pkgtools.appended(pkgtools.appended(tables, "reports", report), "paragraphs", paragraph)
    if how == "no_headline_indicator":
        t = tables
        for i, row in enumerate(facts):
            if row["report_id"] == "demo-2023-gwr":
                t = pkgtools.changed(t, "facts", i, subject="城镇新增就业")
        return t
    raise AssertionError(how)


@pytest.mark.parametrize(("how", "expected", "decision"), [
    ("quote", {"facts.provenance": "error"}, "block"),
    ("unit", {"facts.unit_in_code_list": "error", "structure.frictionless": "error"}, "block"),
    ("value_base", {"facts.value_base": "error"}, "block"),
    ("ratio", {"facts.range_by_measure": "warning"}, "publish"),
    ("period", {"facts.period_order": "error"}, "block"),
    ("duplicate_span", {"facts.unique_span": "error"}, "block"),
    ("missing_paragraph", {"structure.frictionless": "error", "facts.provenance": "error"}, "block"),
    ("report_without_facts", {"reports.have_paragraphs_and_facts": "warning"}, "publish"),
    ("no_headline_indicator", {"facts.headline_indicators": "warning"}, "publish"),
])
def test_broken_data_fires_its_check(tmp_path, tables, how, expected, decision):
    package = pkgtools.write_package(tmp_path / "pkg", _break(tables, how))
    report = validate(package)
    assert fired(report) == expected
    assert report.decision == decision
    assert report.valid is (decision == "publish")


def test_foreign_key_finding_names_the_missing_paragraph(tmp_path, tables):
    package = pkgtools.write_package(tmp_path / "pkg", _break(tables, "missing_paragraph"))
    finding = next(f for f in validate(package).findings if f.check == "structure.frictionless")
    assert finding.resource == "facts" and "foreign-key" in finding.message
    assert finding.rows[0]["type"] == "foreign-key"


def test_provenance_finding_shows_quote_and_paragraph(tmp_path, tables):
    package = pkgtools.write_package(tmp_path / "pkg", _break(tables, "quote"))
    (finding,) = validate(package).findings
    assert finding.message.startswith("1 of 12 facts")
    (row,) = finding.rows
    assert row["quote"] == "1238亿元" and row["text_at_offsets"] == "1228亿元"
    assert row["paragraph_text"].startswith("全市地区生产总值达到1228亿元")


def test_report_without_facts_is_named(tmp_path, tables):
    package = pkgtools.write_package(tmp_path / "pkg", _break(tables, "report_without_facts"))
    (finding,) = validate(package).findings
    assert finding.rows[0]["report_id"] == "demo-2017-notice" and finding.rows[0]["fact_count"] == 0


def test_quote_offsets_count_code_points_not_utf16_units():
    from reportpub.checks.derived import quote_matches

    texts = pa.chunked_array([["𠮷野家收入12亿元", "增长5%"]])
    facts = pa.table({"quote": ["12亿元", "5%", "12亿元", "x"], "char_start": [5, 2, 6, 0],
                      "char_end": [9, 4, 10, 1]})
    pidx = pa.array([0, 1, 0, -1]).to_numpy()
    assert quote_matches(facts, texts, pidx).tolist() == [True, True, False, False]


# --- bytes broken on disk -------------------------------------------------------------------


def test_changed_csv_byte_fails_hash_and_manifest(package):
    path = package / "data" / "units.csv"
    path.write_bytes(path.read_bytes().replace(b"percentage points", b"percentage pointz"))
    report = validate(package)
    assert fired(report) == {"structure.frictionless": "error", "structure.manifest": "error",
                             "structure.csv_parquet_same_rows": "error"}
    assert "hash" in next(f for f in report.findings if f.check == "structure.frictionless").message
    assert report.decision == "block"


def test_parquet_rows_differing_from_csv(package, tables):
    changed = pkgtools.changed(tables, "facts", 3, subject_en="Something else")
    pkgtools.rewrite_parquet(package, "facts", changed["facts"])
    report = validate(package)
    assert fired(report) == {"structure.csv_parquet_same_rows": "error"}
    (finding,) = report.findings
    row = finding.rows[0]
    assert row["subject_en (parquet)"] == "Something else" and "row" not in row  # named, not numbered
    assert (row["fact_id"], row["paragraph_id"], row["char_start"], row["char_end"], row["quote"]) == \
        ("demo-2023-gwr-2-49", 2, 49, 55, "56.3亿元")
    assert row["paragraph_text"][49:55] == "56.3亿元"
    _, html = write_reports(report, package)
    page = html.read_text(encoding="utf-8")
    assert "demo-2023-gwr-2-49" in page and "[49:55]" in page and "<mark>56.3亿元</mark>" in page
    assert report.decision == "block"


def test_parquet_missing_a_column(package, tables):
    pkgtools.rewrite_parquet(package, "facts", tables["facts"].drop_columns(["context"]))
    report = validate(package)
    assert fired(report) == {"structure.parquet_schema": "error"}
    assert "missing context" in report.findings[0].message
    assert report.decision == "block"


def test_parquet_breaking_a_constraint(package, tables):
    bad = pkgtools.changed(tables, "facts", 0, measure="guess")["facts"]
    pkgtools.rewrite_parquet(package, "facts", bad)
    report = validate(package)
    assert "structure.parquet_schema" in fired(report)
    finding = next(f for f in report.findings if f.check == "structure.parquet_schema")
    assert "measure breaks enum" in finding.message and finding.rows[0]["measure"] == "guess"


def test_wrong_manifest_line(package):
    manifest = package / "checksums.sha256"
    lines = manifest.read_text().splitlines()
    lines[2] = "0" * 64 + lines[2][64:]
    manifest.write_text("\n".join(lines[:-1]) + "\n")  # one line wrong, the last one dropped
    report = validate(package)
    assert fired(report) == {"structure.manifest": "error"}
    messages = " ".join(f.message for f in report.findings)
    assert "1 line does not match" in messages
    assert "data/indicator_codes.parquet" in messages  # the dropped line: a data file not listed
    assert report.decision == "block"


@pytest.mark.parametrize("content", [None, "{not json", "[]"])
def test_unreadable_descriptor_is_a_finding(package, content):
    descriptor = package / "datapackage.json"
    if content is None:
        descriptor.unlink()
    else:
        descriptor.write_text(content)
    report = validate(package)
    assert [(f.check, f.severity) for f in report.findings] == [("package.readable", "error")]
    assert report.decision == "block"
    assert {c.status for c in report.checks[1:]} == {"skipped"}


# --- policy ---------------------------------------------------------------------------------


def _policy(tmp_path, **severities) -> Path:
    raw = yaml.safe_load(DEFAULT_POLICY.read_text(encoding="utf-8"))
    raw["checks"].update(severities)
    raw["suites"] = str(DEFAULT_POLICY.parent / "suites")
    path = tmp_path / "policy.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def test_policy_turning_a_check_into_a_warning_publishes(tmp_path, tables):
    package = pkgtools.write_package(tmp_path / "pkg", _break(tables, "period"))
    assert validate(package).decision == "block"
    report = validate(package, policy=_policy(tmp_path, **{"facts.period_order": "warning"}))
    assert fired(report) == {"facts.period_order": "warning"}
    assert report.valid and report.decision == "publish"
    assert report.summary["warnings"] == 1


def test_policy_from_environment(tmp_path, tables, monkeypatch):
    package = pkgtools.write_package(tmp_path / "pkg", _break(tables, "period"))
    monkeypatch.setenv("REPORTPUB_POLICY", str(_policy(tmp_path, **{"facts.period_order": "warning"})))
    assert validate(package).decision == "publish"


def test_unknown_check_in_policy_is_a_clear_error(tmp_path):
    path = _policy(tmp_path, **{"facts.no_such_check": "error"})
    with pytest.raises(PolicyError, match=r"unknown check name\(s\) in `checks`: facts\.no_such_check"):
        load_policy(path)


def test_bad_severity_in_policy_is_refused(tmp_path):
    with pytest.raises(PolicyError, match="'error' or 'warning'"):
        load_policy(_policy(tmp_path, **{"facts.value_base": "fatal"}))


def _policy_with_facts_suite(tmp_path, edit) -> Path:
    """A copy of the default policy and suites, with the facts suite passed through edit()."""
    import shutil

    suites = tmp_path / "suites"
    shutil.copytree(DEFAULT_POLICY.parent / "suites", suites)
    spec = json.loads((suites / "facts.json").read_text(encoding="utf-8"))
    edit(spec["expectations"])
    (suites / "facts.json").write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")
    path = tmp_path / "policy.yaml"
    shutil.copy(DEFAULT_POLICY, path)
    return path


def test_suite_expectation_naming_an_unknown_check_is_refused(tmp_path):
    path = _policy_with_facts_suite(tmp_path, lambda exps: exps[0]["meta"].update(check="facts.typo"))
    with pytest.raises(PolicyError, match="meta.check names no check of facts: facts.typo"):
        load_policy(path)


def test_suite_expectation_gx_does_not_know_is_refused(tmp_path, package):
    path = _policy_with_facts_suite(tmp_path, lambda exps: exps[0].update(type="expect_column_values_to_be_nice"))
    with pytest.raises(PolicyError, match="expect_column_values_to_be_nice"):
        validate(package, policy=path)


def test_default_policy_severities():
    policy = load_policy()
    errors = ["structure.frictionless", "structure.manifest", "structure.parquet_schema",
              "structure.csv_parquet_same_rows", "facts.provenance", "facts.unit_in_code_list", "facts.value_base",
              "facts.period_order", "facts.unique_span"]
    warnings = ["facts.range_by_measure", "facts.headline_indicators", "reports.have_paragraphs_and_facts"]
    assert {c: policy.severity(c) for c in errors + warnings} == {**dict.fromkeys(errors, "error"),
                                                                  **dict.fromkeys(warnings, "warning")}


# --- reports a steward reads ----------------------------------------------------------------


def test_html_is_self_contained_escaped_and_shows_the_quote(tmp_path, tables):
    broken = pkgtools.changed(_break(tables, "quote"), "facts", fact_index(tables, "1228亿元"),
                              subject="<b>地区生产总值</b>")
    package = pkgtools.write_package(tmp_path / "pkg", broken)
    report = validate(package)
    _, html_path = write_reports(report, package)
    html = html_path.read_text(encoding="utf-8")
    assert '<meta charset="utf-8">' in html
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", html, re.I)
    assert "<link" not in html and "<script" not in html
    assert "Blocked" in html and "facts.provenance" in html
    assert "1238亿元" in html and "<mark>1228亿元</mark>" in html
    assert "<b>地区生产总值</b>" not in html and "&lt;b&gt;地区生产总值&lt;/b&gt;" in html
    assert '"Noto Sans CJK SC"' in html


def test_json_report_keeps_chinese_and_offending_rows(tmp_path, tables):
    package = pkgtools.write_package(tmp_path / "pkg", _break(tables, "quote"))
    json_path, _ = write_reports(validate(package), package)
    text = json_path.read_text(encoding="utf-8")
    assert "1238亿元" in text  # ensure_ascii=False
    loaded = json.loads(text)
    (finding,) = loaded["findings"]
    assert finding["check"] == "facts.provenance" and finding["rows"][0]["fact_id"]
    assert {c["status"] for c in loaded["checks"]} == {"passed", "failed"}


def test_import_does_not_load_heavy_libraries():
    import subprocess
    import sys

    code = ("import sys, reportpub.validate; "
            "print(sorted(m for m in ('great_expectations', 'pandas', 'frictionless', 'pyarrow') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_package_from_the_build_stage_passes(seed_package):
    """The contract between build and validate: what `build` writes for the seed report validates."""
    report = validate(seed_package)
    assert report.valid, [f"{f.check}: {f.message}" for f in report.findings if f.severity == "error"]
