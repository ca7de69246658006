"""What the per-package checks keep from one package for the next (clean verdicts by content, values
already judged, Frictionless's cell readings) never hides a problem in a later package: a package
with the very same code lists and report id, broken in one cell, still gets its finding, in one
batch and one process with the clean packages around it."""

from __future__ import annotations

import pyarrow.parquet as pq
import pytest

from . import pkgtools
from reportpub.validate import validate_many


@pytest.fixture(scope="module", autouse=True)
def gx_context():
    from reportpub.checks.expectations import _batch_definition

    return _batch_definition()


def fired(report) -> set[str]:
    return {f.check for f in report.findings}


def test_a_code_list_parquet_changed_after_clean_twins_is_still_found(tmp_path):
    tables = pkgtools.sample_tables()
    clean = [pkgtools.write_package(tmp_path / f"clean{i}", tables) for i in range(3)]
    broken = pkgtools.write_package(tmp_path / "broken", tables)
    units = pq.read_table(broken / "data/units.parquet")
    rows = units.to_pylist()
    rows[0]["unit_base"] = "不是基本单位"
    pkgtools.rewrite_parquet(broken, "units", pkgtools.table("units", rows))

    reports = validate_many([(p, None) for p in [*clean, broken, clean[0]]])

    assert [fired(r) for r in reports[:3]] == [set(), set(), set()]
    same_rows = [f for f in reports[3].findings if f.check == "structure.csv_parquet_same_rows"]
    assert [(f.resource, f.rows[0]["unit_base (parquet)"]) for f in same_rows] == [("units", "不是基本单位")]
    assert fired(reports[4]) == set()  # the clean twin after it is clean again


def test_a_report_id_seen_clean_then_broken_in_one_table_is_found(tmp_path):
    tables = pkgtools.sample_tables()
    clean = [pkgtools.write_package(tmp_path / f"clean{i}", tables) for i in range(2)]
    rid = tables["reports"].column("report_id")[0].as_py()
    # the same report id, now breaking the pattern in the facts Parquet only
    broken = pkgtools.write_package(tmp_path / "broken", tables)
    facts = pq.read_table(broken / "data/facts.parquet").to_pylist()
    facts[0]["report_id"] = "Not An Id"
    pkgtools.rewrite_parquet(broken, "facts", pkgtools.table("facts", facts))

    reports = validate_many([(p, None) for p in [*clean, broken]])

    assert fired(reports[0]) == fired(reports[1]) == set()
    schema = [f for f in reports[2].findings if f.check == "structure.parquet_schema"]
    assert len(schema) == 1 and "report_id breaks pattern=" in schema[0].message
    assert schema[0].rows[0]["report_id"] == "Not An Id" and rid != "Not An Id"


def test_a_csv_cell_frictionless_refuses_after_packages_that_had_it_valid(tmp_path):
    tables = pkgtools.sample_tables()
    clean = [pkgtools.write_package(tmp_path / f"clean{i}", tables) for i in range(2)]
    facts = tables["facts"].to_pylist()
    facts[1]["measure"] = "growth"  # not in the schema's enum; every other cell as before
    broken = pkgtools.write_package(tmp_path / "broken", {**tables, "facts": pkgtools.table("facts", facts)})

    reports = validate_many([(p, None) for p in [*clean, broken]])

    assert fired(reports[0]) == fired(reports[1]) == set()
    frictionless = [f for f in reports[2].findings if f.check == "structure.frictionless"]
    assert [(f.resource, f.rows[0]["field"], f.rows[0]["cell"]) for f in frictionless] == [("facts", "measure", "growth")]


def test_a_unit_factor_changed_in_a_consistent_package_is_found_between_clean_twins(tmp_path):
    """The code lists are read and indexed once per content (checks/data.shared): a package whose
    units list differs, CSV and Parquet alike, is judged by its own list, and the next clean package
    by the common one again."""
    tables = pkgtools.sample_tables()
    used = next(u for u in tables["facts"].column("unit").to_pylist() if u)
    row = tables["units"].column("unit").to_pylist().index(used)
    factor = tables["units"].column("factor")[row].as_py()
    clean = [pkgtools.write_package(tmp_path / f"clean{i}", tables) for i in range(3)]
    other = pkgtools.write_package(tmp_path / "other", pkgtools.changed(tables, "units", row, factor=factor * 10))

    reports = validate_many([(p, None) for p in [*clean, other, clean[0]]])

    assert [fired(r) for r in reports[:3]] == [set(), set(), set()]
    assert "facts.value_base" in fired(reports[3])
    assert fired(reports[4]) == set()


def test_a_value_below_a_minimum_after_clean_packages_with_that_bound_is_found(tmp_path):
    tables = pkgtools.sample_tables()
    clean = [pkgtools.write_package(tmp_path / f"clean{i}", tables) for i in range(2)]
    broken = pkgtools.write_package(tmp_path / "broken", tables)
    paragraphs = pq.read_table(broken / "data/paragraphs.parquet").to_pylist()
    paragraphs[-1]["source_start"] = -7  # the schema's minimum is 0; every other value as before
    pkgtools.rewrite_parquet(broken, "paragraphs", pkgtools.table("paragraphs", paragraphs))

    reports = validate_many([(p, None) for p in [*clean, broken]])

    assert fired(reports[0]) == fired(reports[1]) == set()
    schema = [f for f in reports[2].findings if f.check == "structure.parquet_schema"]
    assert [f.message.split(": ", 1)[1] for f in schema] == ["1 row: source_start breaks minimum=0"]
    assert schema[0].rows[0]["source_start"] == -7


def test_verdicts_are_kept_by_content_and_type():
    from reportpub.checks.base import content_key

    schema = {"fields": [{"name": "year", "type": "integer", "constraints": {"minimum": 1949}}]}
    assert content_key(schema) == content_key({"fields": [{"name": "year", "type": "integer",
                                                           "constraints": {"minimum": 1949}}]})
    # equal to Python (1949 == 1949.0, True == 1), not the same rule to a checker
    assert len({content_key(v) for v in (1949, 1949.0, True, 1, "1949", None)}) == 6
