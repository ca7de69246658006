"""validate_many(): packages validated together get, each, the report `validate` gives it alone.

The expectation suites run once over the rows of every package of the batch; these tests check
that no finding, count, offending row or decision moves from one package to another."""

from __future__ import annotations

import pytest

from . import pkgtools
from .test_validate import _break
from reportpub.checks.data import PackageData
from reportpub.checks.expectations import run_suites_together
from reportpub.validate import load_policy, validate, validate_many

BREAKS = ["quote", "unit", "value_base", "ratio", "period", "duplicate_span", "missing_paragraph",
          "report_without_facts", "no_headline_indicator"]


@pytest.fixture(scope="module")
def packages(tmp_path_factory):
    """A valid package, one per way of breaking it, a copy of the valid one (the same report ids in
    two packages: no duplicate across packages) and one with an unreadable descriptor."""
    base = tmp_path_factory.mktemp("batch")
    tables = pkgtools.sample_tables()
    paths = [pkgtools.write_package(base / "valid", tables)]
    paths += [pkgtools.write_package(base / how, _break(tables, how)) for how in BREAKS]
    paths.append(pkgtools.write_package(base / "valid-again", tables))
    broken = pkgtools.write_package(base / "unreadable", tables)
    (broken / "datapackage.json").write_text("{", encoding="utf-8")
    paths.append(broken)
    return paths


def test_each_package_gets_the_report_it_gets_alone(packages):
    alone = [validate(p).to_dict() for p in packages]
    together = [r.to_dict() for r in validate_many([(p, None) for p in packages])]
    for path, a, t in zip(packages, alone, together, strict=True):
        assert t == a, path.name
    decisions = {p.name: r["decision"] for p, r in zip(packages, together, strict=True)}
    assert decisions["valid"] == decisions["valid-again"] == decisions["ratio"] == "publish"
    assert decisions["quote"] == decisions["duplicate_span"] == decisions["unreadable"] == "block"


def test_the_suites_run_once_for_the_batch(packages):
    """After the joint run every readable package already has its suite outcomes."""
    policy = load_policy()
    datas = [PackageData(p, policy) for p in packages]
    run_suites_together(datas)
    by_name = {d.directory.name: d for d in datas}
    assert all(by_name[n].known(("suite", "facts")) for n in ("valid", "valid-again", "quote", "duplicate_span"))
    assert not by_name["unreadable"].known(("suite", "facts"))


def test_two_editions_of_one_dataset_in_one_batch_are_released_one_after_the_other(tmp_path):
    """The second edition of a dataset in the same batch is checked against the release the first
    one publishes, as two runs one after the other would be: 1.0.0, then a minor release whose
    changelog has the changed value; a third, identical copy is skipped as unchanged."""
    import json

    from reportpub.pipeline import process_reports

    from .conftest import REPORTS

    text = (REPORTS / "bda-2022-work-summary.txt").read_text(encoding="utf-8")
    first, second, third = (tmp_path / "in" / n for n in ("a", "b", "c"))
    for folder in (first, second, third):
        folder.mkdir(parents=True)
    (first / "bda.txt").write_text(text, encoding="utf-8")
    changed = text.replace("2022 年是极为重要的一年", "2022 年是极为重要的一年，全区新增企业 123 家", 1)
    assert changed != text
    (second / "bda.txt").write_text(changed, encoding="utf-8")
    (third / "bda.txt").write_text(changed, encoding="utf-8")
    outcomes = process_reports([first / "bda.txt", second / "bda.txt", third / "bda.txt"], tmp_path / "portal",
                               tmp_path / "build")
    assert [(o.status, o.version) for o in outcomes] == [("published", "1.0.0"), ("published", "1.1.0"),
                                                         ("skipped", None)], [o.message for o in outcomes]
    history = json.loads((tmp_path / "portal/datasets" / outcomes[0].dataset / "history.json").read_text("utf-8"))
    assert [h["version"] for h in history] == ["1.0.0", "1.1.0"]
