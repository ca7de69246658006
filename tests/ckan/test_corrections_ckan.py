"""A steward's corrections reach CKAN as they reach the static portal: the same corrected facts
(a subject corrected, a "not a fact" dropped), listed in releases.json's changelog, and still
there after a rebuild and a new release. Needs the real CKAN stack (skipped with REPORTPUB_SKIP_CKAN=1)."""

from __future__ import annotations

import csv
import io
import json

import pytest

from reportpub.corrections import Correction, record
from reportpub.pipeline import build_package

from ..conftest import SEED
from .conftest import _validated
from .test_publish_ckan import download, publish, show

pytestmark = pytest.mark.slow

DATASET = "bda-2022-work-summary"
SUBJECT_FACT = f"{DATASET}-p0003-c0024"
NOT_A_FACT = f"{DATASET}-p0007-c0096"


@pytest.fixture(scope="module")
def corrected(tmp_path_factory):
    """The seed report built with two corrections on file: a subject and a "not a fact"."""
    work = tmp_path_factory.mktemp("ckan-corrected")
    folder = work / "corrections"
    record(DATASET, [Correction(SUBJECT_FACT, "subject", "地区生产总值", "主语是全区", "wang"),
                     Correction(NOT_A_FACT, "not_a_fact", "", "医院数不是本区指标", "wang")], folder)

    def build(report, out):
        mp = pytest.MonkeyPatch()
        mp.setenv("REPORTPUB_CORRECTIONS", str(folder))
        try:
            build_package([report], work / out)
        finally:
            mp.undo()
        return _validated(work / out)

    return work, build


def facts_on_ckan(env, name) -> dict[str, dict]:
    ds = show(env, name)
    facts = next(r for r in ds["resources"] if r["name"] == "facts")
    rows = csv.DictReader(io.StringIO(download(env, facts["url"]).decode("utf-8")))
    return {r["fact_id"]: r for r in rows}


def releases_on_ckan(env, name) -> list[dict]:
    ds = show(env, name)
    res = next(r for r in ds["resources"] if r["name"] == "releases.json")
    return json.loads(download(env, res["url"]))["releases"]


def test_corrections_reach_ckan_and_stick(ckan_env, dataset_name, corrected):
    work, build = corrected
    name = f"{dataset_name}-corr"
    first = publish(ckan_env, name, build(SEED, "v1"))
    assert (first.changed, first.version) == (True, "1.0.0")
    facts = facts_on_ckan(ckan_env, name)
    assert facts[SUBJECT_FACT]["subject"] == "地区生产总值" and "主语是全区" in facts[SUBJECT_FACT]["correction"]
    assert NOT_A_FACT not in facts
    log = releases_on_ckan(ckan_env, name)[-1]["facts"]
    assert {(c["fact_id"], c["field"]) for c in log["corrections"]} == {(SUBJECT_FACT, "subject"),
                                                                        (NOT_A_FACT, "not_a_fact")}
    assert "2 correction(s) in force" in first.changelog["summary"]

    # a rebuild changes nothing; a new release of a changed report keeps the corrections
    assert not publish(ckan_env, name, build(SEED, "v1b")).changed
    report = work / SEED.name
    report.write_text(SEED.read_text(encoding="utf-8").replace("扩容急诊床位51张", "扩容急诊床位510张"), encoding="utf-8")
    second = publish(ckan_env, name, build(report, "v2"), validation=None)
    assert (second.changed, second.version) == (True, "1.1.0")
    facts = facts_on_ckan(ckan_env, name)
    assert facts[SUBJECT_FACT]["subject"] == "地区生产总值" and NOT_A_FACT not in facts
    log = releases_on_ckan(ckan_env, name)[-1]["facts"]
    assert {c["fact_id"] for c in log["corrections"]} == {SUBJECT_FACT, NOT_A_FACT}
    assert [c["changes"] for c in log["changed"]] == [{"value": [51.0, 510.0]}]
