"""publish_ckan against the real CKAN stack: first release, unchanged re-publish (and rebuild),
a changed release, byte-for-byte downloads, a consumer that rebuilds the package from CKAN alone,
CKAN killed in the middle of a publish and right after a release went public, a wrong token, an
invalid package.

The tests of this module share one main dataset whose releases build on each other, in file order:
1.0.0 (seed report) -> unchanged twice -> 1.1.0 (one number changed) -> 1.2.0 (the seed again: CKAN
killed after two uploads, restarted, publish retried) -> 1.3.0 (the changed report again: CKAN
killed once the release is public, restarted, publish retried).
"""

from __future__ import annotations

import csv
import hashlib
import json
import logging
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from ckanapi import RemoteCKAN

from reportpub.ckan import CkanAuthError, CkanStep, CkanUnavailable, publish_ckan, version_name
from reportpub.errors import PublishError, ValidationFailed
from reportpub.files import sha256_file

from .conftest import Package

pytestmark = pytest.mark.slow

TABLES = ["reports", "reports-parquet", "paragraphs", "paragraphs-parquet", "facts", "facts-parquet",
          "units", "units-parquet", "indicator_codes", "indicator_codes-parquet"]
RESOURCES = [*TABLES, "datapackage.json", "validation.html", "validation.json", "releases.json"]


def publish(env, name, package, **kw):
    kw.setdefault("token", env["CKAN_API_TOKEN"])
    kw.setdefault("validation", package.validation)
    return publish_ckan(package.path, url=env["CKAN_URL"], org=env["CKAN_ORG"], name=name, **kw)


def show(env, name, *, token=True):
    ckan = RemoteCKAN(env["CKAN_URL"], apikey=env["CKAN_API_TOKEN"] if token else None)
    return ckan.action.package_show(id=name)


def download(env, url, *, token=True) -> bytes:
    headers = {"Authorization": env["CKAN_API_TOKEN"]} if token else {}
    response = requests.get(url, headers=headers, timeout=30)
    response.raise_for_status()
    return response.content


def snapshot(env, name) -> dict:
    """What must not move: dataset fields and every resource's id, URL, hash."""
    ds = show(env, name)
    return {"version": ds["version"], "private": ds["private"], "metadata_modified": ds["metadata_modified"],
            "resources": [(r["name"], r["id"], r["url"], r["hash"]) for r in ds["resources"]]}


def local_file(package, resource_name: str) -> Path:
    descriptor = json.loads((package.path / "datapackage.json").read_text(encoding="utf-8"))
    for r in descriptor["resources"]:
        if r["name"] == resource_name:
            return package.path / r["path"]
    return package.path / resource_name  # validation.html, validation.json


def assert_matches_package(env, name, package, version, *, token=True):
    """Every resource of a dataset downloads to the bytes of the local package (the descriptor:
    the local one with the release's version)."""
    ds = show(env, name)
    assert [r["name"] for r in ds["resources"]] == RESOURCES
    for r in ds["resources"]:
        data = download(env, r["url"], token=token)
        assert r["hash"] == "sha256:" + hashlib.sha256(data).hexdigest(), r["name"]
        assert int(r["size"]) == len(data), r["name"]
        if r["name"] == "datapackage.json":
            local = json.loads((package.path / "datapackage.json").read_text(encoding="utf-8"))
            assert json.loads(data) == dict(local, version=version)
        elif r["name"] != "releases.json":
            assert hashlib.sha256(data).hexdigest() == sha256_file(local_file(package, r["name"])), r["name"]


def rebuild_from_ckan(ckan_url: str, name: str, out: Path) -> Path:
    """A consumer: CKAN dataset -> Frictionless package directory, from CKAN's public API alone
    (no token, no reportpub): download the tabular resources, check each against its `hash`, write
    datapackage.json from the resources' schema, hash, size and format fields."""
    ds = requests.get(f"{ckan_url}/api/3/action/package_show", params={"id": name}, timeout=30).json()["result"]
    resources = []
    for r in ds["resources"]:
        if not r.get("schema"):
            continue
        path = r.get("package_path") or f"data/{Path(urlsplit(r['url']).path).name}"
        data = requests.get(r["url"], timeout=30).content
        assert r["hash"] == "sha256:" + hashlib.sha256(data).hexdigest(), f"{r['name']}: corrupted download"
        (out / path).parent.mkdir(parents=True, exist_ok=True)
        (out / path).write_bytes(data)
        resource = {"name": r["name"], "path": path, "format": r["format"].lower(), "mediatype": r["mimetype"],
                    "schema": json.loads(r["schema"])}
        if resource["format"] == "csv":  # Frictionless checks bytes and hash of text sources only
            resource.update(encoding="utf-8", bytes=int(r["size"]), hash=r["hash"])
        resources.append(resource)
    extras = {e["key"]: e["value"] for e in ds["extras"]}
    descriptor = {"$schema": "https://datapackage.org/profiles/2.0/datapackage.json",
                  "name": extras.get("frictionless_name") or ds["name"], "title": ds["title"],
                  "version": ds["version"], "licenses": [{"name": "CC-BY-4.0", "path": ds["license_url"]}],
                  "resources": resources}
    (out / "datapackage.json").write_text(json.dumps(descriptor, ensure_ascii=False, indent=2), encoding="utf-8")
    return out


# --- the release sequence ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def release_v1(ckan_env, dataset_name, pkg_v1):
    return publish(ckan_env, dataset_name, pkg_v1)


@pytest.fixture(scope="module")
def release_v2(ckan_env, dataset_name, release_v1, pkg_v2):
    """Published without a validation report: publish_ckan validates against the release on CKAN."""
    return publish(ckan_env, dataset_name, pkg_v2, validation=None)


def test_first_publish_creates_a_complete_public_release(ckan_env, dataset_name, release_v1, pkg_v1):
    assert (release_v1.changed, release_v1.version, release_v1.bump) == (True, "1.0.0", "initial")
    assert release_v1.version_dataset == version_name(dataset_name, "1.0.0") == f"{dataset_name}-v1-0-0"
    assert release_v1.resources == tuple(RESOURCES)
    main = show(ckan_env, dataset_name, token=False)  # public: readable without a token
    assert not main["private"] and main["version"] == "1.0.0" and main["license_id"] == "cc-by"
    assert main["organization"]["name"] == ckan_env["CKAN_ORG"]
    assert "数量事实" in main["title"] and "Quantitative facts" in main["title"]
    assert "数量事实" in main["notes"] and "Quantitative facts" in main["notes"]
    assert {"政府工作报告", "statistics"} <= {t["name"] for t in main["tags"]}
    extras = {e["key"]: e["value"] for e in main["extras"]}
    descriptor = json.loads((pkg_v1.path / "datapackage.json").read_text(encoding="utf-8"))
    assert extras["source_sha256"] == descriptor["sources"][0]["sha256"]
    assert extras["source_file"] == "bda-2022-work-summary.txt"
    assert extras["extractor_version"] == descriptor["reportpub"]["extractor_version"]
    assert extras["latest_release"] == release_v1.version_dataset
    schemas = {r["name"]: r["schema"] for r in descriptor["resources"]}
    for r in main["resources"]:
        assert r["format"] and r["description"] and r["hash"].startswith("sha256:") and int(r["size"]) > 0
        assert (json.loads(r["schema"]) == schemas[r["name"]]) if r["name"] in TABLES else not r.get("schema")
    kept = show(ckan_env, release_v1.version_dataset, token=False)
    assert not kept["private"] and kept["version"] == "1.0.0"
    releases = json.loads(download(ckan_env, main["resources"][-1]["url"], token=False))
    assert [e["version"] for e in releases["releases"]] == ["1.0.0"]
    with open(local_file(pkg_v1, "facts"), encoding="utf-8", newline="") as fh:
        assert sorted(releases["releases"][0]["facts"]["added"]) == sorted(r["fact_id"] for r in csv.DictReader(fh))


def test_republishing_the_same_package_changes_nothing(ckan_env, dataset_name, release_v1, pkg_v1):
    before = snapshot(ckan_env, dataset_name)
    again = publish(ckan_env, dataset_name, pkg_v1)
    assert (again.changed, again.version, again.bump) == (False, "1.0.0", None)
    assert snapshot(ckan_env, dataset_name) == before
    ckan = RemoteCKAN(ckan_env["CKAN_URL"], apikey=ckan_env["CKAN_API_TOKEN"])
    names = ckan.action.package_list()
    assert [n for n in names if n.startswith(dataset_name)] == [dataset_name, f"{dataset_name}-v1-0-0"]


def test_a_rebuild_of_the_same_report_elsewhere_is_unchanged(ckan_env, dataset_name, release_v1, pkg_v1, tmp_path):
    """A new build has a new `created` time and its validation report names another directory:
    neither is a change of the release."""
    from reportpub.pipeline import build_package

    from ..conftest import SEED

    build_package([SEED], tmp_path / "rebuilt")
    before = snapshot(ckan_env, dataset_name)
    again = publish(ckan_env, dataset_name, Package(tmp_path / "rebuilt", None), validation=None)
    assert (again.changed, again.version) == (False, "1.0.0")
    assert snapshot(ckan_env, dataset_name) == before


def test_a_changed_number_makes_a_minor_release_with_a_changelog(ckan_env, dataset_name, release_v2, pkg_v1,
                                                                  pkg_v2):
    assert (release_v2.changed, release_v2.version, release_v2.bump) == (True, "1.1.0", "minor")
    facts = release_v2.changelog["facts"]
    assert facts["added"] == [] and facts["removed"] == []
    assert len(facts["changed"]) == 1
    change = facts["changed"][0]
    assert change["changes"] == {"value": [2.7, 3.7]}, change
    validation = json.loads((pkg_v2.path / "validation.json").read_text(encoding="utf-8"))
    assert validation["release_diff"]["changed"] == 1  # validated against release 1.0.0 fetched from CKAN
    main = show(ckan_env, dataset_name)
    assert main["version"] == "1.1.0"
    releases = json.loads(download(ckan_env, next(r["url"] for r in main["resources"] if r["name"] == "releases.json")))
    assert [e["version"] for e in releases["releases"]] == ["1.0.0", "1.1.0"]
    assert releases["releases"][-1]["facts"]["changed"][0]["fact_id"] == change["fact_id"]
    # the earlier release is still there, public, byte for byte
    assert_matches_package(ckan_env, f"{dataset_name}-v1-0-0", pkg_v1, "1.0.0", token=False)


def test_every_resource_downloads_to_the_local_bytes(ckan_env, dataset_name, release_v2, pkg_v2):
    assert_matches_package(ckan_env, dataset_name, pkg_v2, "1.1.0", token=False)
    assert_matches_package(ckan_env, release_v2.version_dataset, pkg_v2, "1.1.0")


def test_a_consumer_rebuilds_a_valid_package_from_ckan_alone(ckan_env, dataset_name, release_v2, pkg_v2, tmp_path):
    out = rebuild_from_ckan(ckan_env["CKAN_URL"], dataset_name, tmp_path / "rebuilt")
    frictionless = Path(sys.executable).with_name("frictionless")
    run = subprocess.run([str(frictionless), "validate", "datapackage.json"], cwd=out, capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert sha256_file(out / "data" / "facts.csv") == sha256_file(pkg_v2.path / "data" / "facts.csv")


def test_ckan_killed_mid_publish_then_retried_gives_one_complete_release(ckan_env, dataset_name, release_v2,
                                                                         pkg_v1, ckan_server, caplog):
    """Publishing v1's content again (a reverted correction) is a new minor release, 1.2.0."""
    before = snapshot(ckan_env, dataset_name)
    kept = {v: snapshot(ckan_env, f"{dataset_name}-v{v}") for v in ("1-0-0", "1-1-0")}
    steps: list[CkanStep] = []

    def kill_after_two_uploads(step: CkanStep) -> None:
        steps.append(step)
        if [s.step for s in steps].count("uploaded") == 2 and step.step == "uploaded":
            ckan_server.kill()

    caplog.set_level(logging.DEBUG)
    with pytest.raises(CkanUnavailable) as failure:
        publish(ckan_env, dataset_name, pkg_v1, progress=kill_after_two_uploads)
    assert failure.value.exit_code == 3 and isinstance(failure.value, PublishError)
    assert "cannot connect" in str(failure.value) and "4 tries" in str(failure.value)
    ckan_server.start()

    assert snapshot(ckan_env, dataset_name) == before  # the public release did not move
    staged = show(ckan_env, f"{dataset_name}-v1-2-0")
    assert staged["private"] and [r["name"] for r in staged["resources"]] == RESOURCES[:2]

    result = publish(ckan_env, dataset_name, pkg_v1)
    assert (result.changed, result.version, result.bump) == (True, "1.2.0", "minor")
    assert result.changelog["facts"]["changed"][0]["changes"] == {"value": [3.7, 2.7]}
    assert_matches_package(ckan_env, dataset_name, pkg_v1, "1.2.0", token=False)
    assert_matches_package(ckan_env, result.version_dataset, pkg_v1, "1.2.0", token=False)
    final = show(ckan_env, result.version_dataset)
    assert [r["name"] for r in final["resources"]] == RESOURCES  # one each: no duplicates
    assert [r["id"] for r in final["resources"][:2]] == [r["id"] for r in staged["resources"]]  # reused
    for v, snap in kept.items():  # earlier releases untouched
        assert snapshot(ckan_env, f"{dataset_name}-v{v}") == snap
    main = show(ckan_env, dataset_name)
    assert [r["id"] for r in main["resources"]] == [r[1] for r in before["resources"]]  # same resource ids
    assert ckan_env["CKAN_API_TOKEN"] not in caplog.text + str(failure.value) + repr(result)


def test_ckan_killed_after_the_release_went_public_then_retried_switches_the_main_dataset(
        ckan_env, dataset_name, release_v2, pkg_v1, pkg_v2, ckan_server):
    """The narrowest window: the version dataset is public, the main dataset not switched yet."""
    if show(ckan_env, dataset_name)["version"] != "1.2.0":  # this test follows the one above
        publish(ckan_env, dataset_name, pkg_v1)
    before = snapshot(ckan_env, dataset_name)

    def kill_when_public(step: CkanStep) -> None:
        if step.step == "public":
            ckan_server.kill()

    with pytest.raises(CkanUnavailable):
        publish(ckan_env, dataset_name, pkg_v2, progress=kill_when_public)
    ckan_server.start()
    assert snapshot(ckan_env, dataset_name) == before
    orphan = snapshot(ckan_env, f"{dataset_name}-v1-3-0")
    assert not orphan["private"]

    result = publish(ckan_env, dataset_name, pkg_v2)
    assert (result.version, result.version_dataset) == ("1.3.0", f"{dataset_name}-v1-3-0")
    assert snapshot(ckan_env, result.version_dataset) == orphan  # taken as it was, not modified
    assert result.changelog["facts"]["changed"][0]["changes"] == {"value": [2.7, 3.7]}
    assert_matches_package(ckan_env, dataset_name, pkg_v2, "1.3.0", token=False)
    releases = json.loads(download(ckan_env, show(ckan_env, dataset_name)["resources"][-1]["url"]))
    assert [e["version"] for e in releases["releases"]] == ["1.0.0", "1.1.0", "1.2.0", "1.3.0"]
    assert publish(ckan_env, dataset_name, pkg_v2).changed is False


def test_a_wrong_token_is_refused_with_exit_code_2_and_changes_nothing(ckan_env, dataset_name, release_v2, pkg_v1,
                                                                         caplog):
    before = snapshot(ckan_env, dataset_name)
    names = RemoteCKAN(ckan_env["CKAN_URL"], apikey=ckan_env["CKAN_API_TOKEN"]).action.package_list()
    wrong = "not-a-valid-token-" + "x" * 40
    caplog.set_level(logging.DEBUG)
    with pytest.raises(CkanAuthError) as failure:
        publish(ckan_env, dataset_name, pkg_v1, token=wrong)
    message = str(failure.value)
    assert failure.value.exit_code == 2 and "403" in message and "token" in message
    assert wrong not in message + caplog.text
    assert snapshot(ckan_env, dataset_name) == before
    assert RemoteCKAN(ckan_env["CKAN_URL"], apikey=ckan_env["CKAN_API_TOKEN"]).action.package_list() == names


def test_without_a_token_nothing_is_attempted(ckan_env, dataset_name, pkg_v1, monkeypatch):
    monkeypatch.delenv("CKAN_API_TOKEN", raising=False)
    with pytest.raises(CkanAuthError, match="CKAN_API_TOKEN") as failure:
        publish(ckan_env, dataset_name, pkg_v1, token=None)
    assert failure.value.exit_code == 2


def test_an_invalid_package_is_refused_before_anything_changes(ckan_env, dataset_name, release_v2, package_copy):
    with open(package_copy / "data" / "facts.csv", "a", encoding="utf-8") as fh:
        fh.write("broken,row\n")  # no longer matches checksums.sha256 nor the schema
    before = snapshot(ckan_env, dataset_name)
    with pytest.raises(ValidationFailed) as failure:
        publish(ckan_env, dataset_name, Package(package_copy, None), validation=None)
    assert failure.value.exit_code == 1 and (package_copy / "validation.html").is_file()
    assert snapshot(ckan_env, dataset_name) == before
