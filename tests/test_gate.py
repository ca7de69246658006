"""The gate: a package broken in each way is blocked by the exact check, with the policy's severity,
the portal is left byte-for-byte unchanged and the package is kept in quarantine; a release that
moved values a lot publishes with a warning and a changelog."""

import json
import shutil

import pytest

from reportpub.errors import ValidationFailed
from reportpub.pipeline import build_package
from reportpub.publish import publish
from reportpub.validate import validate

from .conftest import SEED
from .pkgtools import rewrite_facts, set_field
from .test_cli import tree_digest


BREAKS = {
    "quote does not match its paragraph": (set_field("quote", "999亿元"), "facts.provenance"),
    "unit outside the code list": (set_field("unit", "斗"), "structure.frictionless"),
    "value_base is not value × factor": (set_field("value_base", 1.0, index=10), "facts.value_base"),
    "period_start after period_end": (set_field("period_start", __import__("datetime").date(2030, 1, 1)),
                                      "facts.period_order"),
    "two facts with the same span": (lambda rows: rows.append(dict(rows[0], fact_id="dup")), "facts.unique_span"),
}


@pytest.mark.parametrize("what", list(BREAKS))
def test_each_break_is_blocked_by_its_check_and_the_portal_is_unchanged(what, seed_package, tmp_path):
    change, check = BREAKS[what]
    portal = tmp_path / "portal"
    publish(seed_package, portal)
    before = tree_digest(portal)
    pkg = tmp_path / "broken"
    shutil.copytree(seed_package, pkg, ignore=shutil.ignore_patterns("validation.*"))
    rewrite_facts(pkg, change)

    report = validate(pkg)
    fired = {f.check: f.severity for f in report.findings}
    assert fired.get(check) == "error", fired
    assert report.decision == "block"

    with pytest.raises(ValidationFailed) as raised:
        publish(pkg, portal, quarantine_dir=tmp_path / "quarantine")
    assert tree_digest(portal) == before
    kept = raised.value.report_path.parent
    assert kept.parent.parent == tmp_path / "quarantine"
    assert (kept / "validation.html").is_file() and (kept / "datapackage.json").is_file()
    assert check in (kept / "validation.html").read_text(encoding="utf-8")


def test_a_ratio_of_150_percent_is_a_warning_and_still_publishes(seed_package, tmp_path):
    pkg = tmp_path / "pkg"
    shutil.copytree(seed_package, pkg, ignore=shutil.ignore_patterns("validation.*"))

    def change(rows):
        ratio = next(r for r in rows if r["measure"] == "ratio")
        ratio["value"], ratio["value_base"] = 150.0, 150.0

    rewrite_facts(pkg, change)
    report = validate(pkg)
    assert {f.check: f.severity for f in report.findings} == {"facts.range_by_measure": "warning"}
    assert report.decision == "publish"


def test_a_policy_can_turn_a_blocking_check_into_a_warning(seed_package, tmp_path):
    import yaml

    from reportpub.contract import policy as policy_path

    policy = yaml.safe_load(policy_path().read_text(encoding="utf-8"))
    policy["checks"]["facts.value_base"] = "warning"
    policy["suites"] = str(policy_path().parent / "suites")
    custom = tmp_path / "policy.yaml"
    custom.write_text(yaml.safe_dump(policy, allow_unicode=True), encoding="utf-8")
    pkg = tmp_path / "pkg"
    shutil.copytree(seed_package, pkg, ignore=shutil.ignore_patterns("validation.*"))
    rewrite_facts(pkg, set_field("value_base", 1.0, index=10))
    assert validate(pkg).decision == "block"
    assert validate(pkg, policy=custom).decision == "publish"


def test_a_release_that_moves_values_warns_and_records_a_changelog(tmp_path):
    portal = tmp_path / "portal"
    first = build_package([SEED], tmp_path / "v1")
    publish(first.path, portal)
    changed_report = tmp_path / "bda-2022-work-summary.txt"
    changed_report.write_text(SEED.read_text(encoding="utf-8").replace("扩容急诊床位51张", "扩容急诊床位510张"),
                              encoding="utf-8")
    second = build_package([changed_report], tmp_path / "v2")
    result = publish(second.path, portal)
    assert (result.changed, result.version) == (True, "1.1.0")
    report = json.loads((result.path / "validation.json").read_text(encoding="utf-8"))
    moved = [f for f in report["findings"] if f["check"] == "release.value_moved"]
    assert moved and moved[0]["severity"] == "warning" and moved[0]["rows"][0]["new"] == 510
    history = json.loads((portal / "datasets/bda-2022-work-summary/history.json").read_text(encoding="utf-8"))
    assert [h["version"] for h in history] == ["1.0.0", "1.1.0"]
    assert history[-1]["changelog"]["changed"] == 1
    assert history[-1]["changelog"]["changed_facts"][0]["new"] == 510
    assert (portal / "datasets/bda-2022-work-summary/releases/1.0.0/data/facts.csv").is_file()
