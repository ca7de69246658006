"""The one release model (reportpub.release) that the static portal and CKAN share: the version
bump rules in their order, the gate, and the static portal following them (CKAN's side is in
tests/ckan/test_release.py, on the same functions)."""

import json
import shutil

import pytest

from reportpub import release
from reportpub.errors import ValidationFailed
from reportpub.publish import publish
from reportpub.release import Fingerprint, decide, next_version

from .pkgtools import rewrite_facts, set_field

BASE = Fingerprint({"facts": ("h1", "s1"), "units": ("h2", "s2")}, "m1")


@pytest.mark.parametrize("current, kind", [
    (BASE, None),
    (Fingerprint(dict(BASE.tables), "m2"), "patch"),
    (Fingerprint({**BASE.tables, "facts": ("h9", "s1")}, "m1"), "minor"),
    (Fingerprint({**BASE.tables, "facts": ("h9", "s1")}, "m2"), "minor"),  # data wins over metadata
    (Fingerprint({**BASE.tables, "facts": ("h9", "s9")}, "m1"), "major"),  # a schema wins over data
    (Fingerprint({"facts": ("h1", "s1")}, "m1"), "major"),  # a table removed
    (Fingerprint({**BASE.tables, "extra": ("h3", "s3")}, "m1"), "major"),  # a table added
])
def test_the_bump_rules_in_their_order(current, kind):
    assert decide(BASE, current).kind == kind


def test_versions():
    assert decide(None, BASE).kind == "initial"
    assert next_version(None, "initial", {"version": "2.3.0"}) == "2.3.0"
    assert next_version(None, "initial", {"version": "../x"}) == "1.0.0"
    assert [next_version("1.4.2", b) for b in ("major", "minor", "patch")] == ["2.0.0", "1.5.0", "1.4.3"]


def test_the_gate_names_the_blocking_check_and_keeps_a_fresh_report(seed_package, package_copy):
    fresh = release.gate(package_copy)
    assert fresh.valid and (package_copy / "validation.html").is_file()
    assert release.gate(package_copy, fresh) is fresh  # made against the same (no) release: not run again
    rewrite_facts(package_copy, set_field("quote", "999亿元"))
    with pytest.raises(ValidationFailed) as blocked:
        release.gate(package_copy, fresh, previous=seed_package)  # made against no release: checked again
    assert "facts.provenance" in str(blocked.value) and blocked.value.report_path == package_copy / "validation.html"


def test_the_static_portal_follows_the_model_metadata_only_is_a_patch(seed_package, tmp_path):
    portal = tmp_path / "portal"
    assert publish(seed_package, portal).version == "1.0.0"
    pkg = tmp_path / "pkg"
    shutil.copytree(seed_package, pkg, ignore=shutil.ignore_patterns("validation.*"))
    descriptor = json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["title"] += "（修订）"
    (pkg / "datapackage.json").write_text(json.dumps(descriptor, ensure_ascii=False), encoding="utf-8")
    result = publish(pkg, portal)
    assert (result.changed, result.version) == (True, "1.0.1")
    history = json.loads((portal / "datasets" / result.dataset / "history.json").read_text(encoding="utf-8"))
    assert [(h["version"], h["bump"]) for h in history] == [("1.0.0", "initial"), ("1.0.1", "patch")]
    assert not publish(pkg, portal).changed
