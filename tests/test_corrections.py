"""A steward's corrections: recorded with `reportpub correct` (or by hand in corrections/<dataset>.csv),
applied at every build, marked in the data and on the portal, listed in each release's changelog;
a correction whose fact is gone warns and changes nothing; bad requests exit 2 with one line."""

import csv
import json
from dataclasses import replace

import pytest
from typer.testing import CliRunner

from reportpub.cli import app
from reportpub.corrections import Correction, apply_corrections
from reportpub.extract import extract
from reportpub.ingest import ingest
from reportpub.pipeline import build_package
from reportpub.publish import publish
from reportpub.validate import validate

from .conftest import SEED

runner = CliRunner()
DATASET = "bda-2022-work-summary"
SUBJECT_FACT = f"{DATASET}-p0003-c0024"  # 亦庄新城地区生产总值 8%: the growth of the whole area, read too narrowly
NOT_A_FACT = f"{DATASET}-p0007-c0096"
GONE = f"{DATASET}-p0999-c0001"


def facts_of(folder):
    with open(folder / "data" / "facts.csv", encoding="utf-8", newline="") as fh:
        return {r["fact_id"]: r for r in csv.DictReader(fh)}


def history(portal):
    return json.loads((portal / "datasets" / DATASET / "history.json").read_text(encoding="utf-8"))


def correct(*args, corrections):
    return runner.invoke(app, ["correct", DATASET, *map(str, args), "--corrections", str(corrections)])


@pytest.fixture
def corrections(tmp_path, monkeypatch):
    folder = tmp_path / "corrections"
    monkeypatch.setenv("REPORTPUB_CORRECTIONS", str(folder))
    return folder


def test_corrections_survive_a_rebuild_and_a_new_release_and_are_in_each_changelog(seed_package, tmp_path,
                                                                                  corrections):
    portal = tmp_path / "portal"
    publish(seed_package, portal)
    extracted = facts_of(seed_package)
    assert extracted[SUBJECT_FACT]["subject"] == "亦庄新城地区生产总值" and NOT_A_FACT in extracted

    said = correct(SUBJECT_FACT, "subject=地区生产总值", "--reason", "主语是全区", "--portal", portal,
                   corrections=corrections)
    assert said.exit_code == 0, said.output
    said = correct(NOT_A_FACT, "--not-a-fact", "--reason", "医院数不是本区指标", "--portal", portal,
                   corrections=corrections)
    assert said.exit_code == 0, said.output
    lines = (corrections / f"{DATASET}.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "fact_id,quote,field,value,reason,who,when" and len(lines) == 3  # one reviewed line each
    assert lines[1].startswith(f"{SUBJECT_FACT},8%,subject,地区生产总值,主语是全区,")  # the quote tells facts apart

    # a rebuild of the same report applies them; the release says so
    v2 = publish(build_package([SEED], tmp_path / "v2").path, portal)
    assert (v2.changed, v2.version) == (True, "1.1.0")
    facts = facts_of(v2.path)
    assert facts[SUBJECT_FACT]["subject"] == "地区生产总值"
    assert facts[SUBJECT_FACT]["indicator"] == "gdp"  # derived again from the corrected subject
    assert "主语是全区" in facts[SUBJECT_FACT]["correction"]
    assert NOT_A_FACT not in facts and len(facts) == len(extracted) - 1
    assert all(not f["correction"] for k, f in facts.items() if k != SUBJECT_FACT)
    log = history(portal)[-1]["changelog"]
    assert {(c["fact_id"], c["field"], c["reason"]) for c in log["corrections"]} == {
        (SUBJECT_FACT, "subject", "主语是全区"), (NOT_A_FACT, "not_a_fact", "医院数不是本区指标")}
    assert log["removed_facts"] == [NOT_A_FACT]
    assert [(c["fact_id"], c["new"]) for c in log["changed_facts"]] == [(SUBJECT_FACT, "地区生产总值")]
    page = (portal / "datasets" / DATASET / "index.html").read_text(encoding="utf-8")
    assert "主语是全区" in page and "人工更正" in page

    # the same build again: nothing new to publish, the correction is still there
    again = publish(build_package([SEED], tmp_path / "v2b").path, portal)
    assert (again.changed, again.version) == (False, "1.1.0")

    # a new release of a changed report keeps both corrections and lists them again
    report = tmp_path / SEED.name  # same name, same text up to one number: same fact ids
    report.write_text(SEED.read_text(encoding="utf-8").replace("扩容急诊床位51张", "扩容急诊床位510张"), encoding="utf-8")
    v3 = publish(build_package([report], tmp_path / "v3").path, portal)
    assert (v3.changed, v3.version) == (True, "1.2.0")
    facts = facts_of(v3.path)
    assert facts[SUBJECT_FACT]["subject"] == "地区生产总值" and NOT_A_FACT not in facts
    log = history(portal)[-1]["changelog"]
    assert {c["fact_id"] for c in log["corrections"]} == {SUBJECT_FACT, NOT_A_FACT}
    assert [c["new"] for c in log["changed_facts"]] == [510]  # only what changed since 1.1.0


def test_a_stale_correction_warns_and_changes_no_other_fact(seed_package, tmp_path, corrections):
    corrections.mkdir()
    (corrections / f"{DATASET}.csv").write_text(
        "fact_id,quote,field,value,reason,who,when\n"
        f"{GONE},8%,subject,地区生产总值,旧版本的事实,wang,2026-01-01T00:00:00Z\n", encoding="utf-8")
    built = build_package([SEED], tmp_path / "pkg")
    assert (built.path / "data" / "facts.csv").read_bytes() == (seed_package / "data" / "facts.csv").read_bytes()
    report = validate(built.path)
    stale = [f for f in report.findings if f.check == "corrections.stale"]
    assert [(f.severity, f.rows[0]["fact_id"]) for f in stale] == [("warning", GONE)]
    assert GONE in stale[0].message and report.decision == "publish"


def test_correct_refuses_a_bad_field_or_an_unknown_fact_in_one_line(seed_package, tmp_path):
    folder = tmp_path / "corrections"
    for args, says in [((SUBJECT_FACT, "colour=red"), "no field 'colour'"),
                       ((GONE, "subject=x"), f"no fact {GONE}"),
                       ((SUBJECT_FACT, "value=lots"), "'lots' is not a number"),
                       ((SUBJECT_FACT, "status=maybe"), "not one of actual, estimate, target"),
                       (("report", "colour=red"), "report has no field 'colour'"),
                       ((SUBJECT_FACT,), "FIELD=VALUE")]:
        result = correct(*args, "--reason", "r", "--package", seed_package, corrections=folder)
        assert result.exit_code == 2, (args, result.output)
        assert result.output.count("\n") == 1 and result.output.startswith("reportpub correct: ") and says in \
            result.output, (args, result.output)
    assert not folder.exists()  # nothing recorded
    no_release = correct(SUBJECT_FACT, "subject=x", "--reason", "r", "--portal", tmp_path / "portal",
                         corrections=folder)
    assert no_release.exit_code == 2 and "no release of" in no_release.output


def test_a_second_correction_of_the_same_field_replaces_the_line(seed_package, tmp_path):
    folder = tmp_path / "corrections"
    for value in ("地区生产总值", "全区地区生产总值"):
        result = correct(SUBJECT_FACT, f"subject={value}", "--reason", "r", "--who", "wang", "--package",
                         seed_package, corrections=folder)
        assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(open(folder / f"{DATASET}.csv", encoding="utf-8")))
    assert [(r["fact_id"], r["field"], r["value"], r["who"]) for r in rows] == [
        (SUBJECT_FACT, "subject", "全区地区生产总值", "wang")]


def test_a_broken_corrections_file_stops_the_build_with_its_line(tmp_path, corrections):
    corrections.mkdir()
    (corrections / f"{DATASET}.csv").write_text(
        "fact_id,quote,field,value,reason,who,when\n"
        f"{SUBJECT_FACT},,subject,地区生产总值,r,wang,\n"
        f"{SUBJECT_FACT},,value,abc,r,wang,\n", encoding="utf-8")
    result = runner.invoke(app, ["build", str(SEED), "-o", str(tmp_path / "pkg")])
    assert result.exit_code == 2 and "line 3" in result.output and "'abc' is not a number" in result.output
    assert not (tmp_path / "pkg").exists()


# --- the rules, on the extractor's own facts ---------------------------------------------------

@pytest.fixture(scope="module")
def extracted():
    doc = ingest(SEED)
    return doc, extract(doc)


def fix(fact_id, field, value, reason="r", quote=""):
    return Correction(fact_id, field, value, reason, quote=quote)


def test_a_corrected_value_gets_its_base_value_again_unless_that_is_corrected_too(extracted):
    doc, facts = extracted
    budget = next(f for f in facts if f.unit == "亿元")
    done = apply_corrections(facts, [doc], [fix(budget.fact_id, "value", "12.5")])
    fact = next(f for f in done.facts if f.fact_id == budget.fact_id)
    assert (fact.value, fact.value_base, fact.unit_base) == (12.5, 12.5e8, "CNY")
    done = apply_corrections(facts, [doc], [fix(budget.fact_id, "value", "12.5"),
                                            fix(budget.fact_id, "value_base", "1")])
    assert next(f for f in done.facts if f.fact_id == budget.fact_id).value_base == 1.0


def test_not_a_fact_wins_over_a_field_correction_and_metadata_goes_to_the_report(extracted):
    doc, facts = extracted
    target = facts[0].fact_id
    done = apply_corrections(facts, [doc], [fix(target, "subject", "x"), fix(target, "not_a_fact", ""),
                                            fix("report", "title", "新标题"), fix(GONE, "unit", "万元")])
    assert target not in {f.fact_id for f in done.facts} and len(done.facts) == len(facts) - 1
    assert done.documents[0].title == "新标题" and done.documents[0] == replace(doc, title="新标题")
    assert [c.fact_id for c in done.stale] == [GONE]
    assert done.facts == tuple(facts[1:])  # no other fact touched
    assert {(c.fact_id, c.field) for c in done.applied} == {(target, "subject"), (target, "not_a_fact"),
                                                            ("report", "title")}


def test_a_package_without_corrections_records_none(seed_package):
    descriptor = json.loads((seed_package / "datapackage.json").read_text(encoding="utf-8"))
    assert "corrections" not in descriptor["reportpub"]  # old releases compare equal: no patch release for nothing


def test_a_correction_whose_id_now_quotes_other_text_is_stale_not_applied(extracted):
    """A paragraph added above moves the ids: the fact now at the corrected id quotes other text."""
    doc, facts = extracted
    first = facts[0]
    done = apply_corrections(facts, [doc], [fix(first.fact_id, "subject", "x", quote=first.quote + "0")])
    assert done.facts == tuple(facts) and [c.fact_id for c in done.stale] == [first.fact_id]
    done = apply_corrections(facts, [doc], [fix(first.fact_id, "subject", "x", quote=first.quote)])
    assert done.facts[0].subject == "x" and not done.stale
