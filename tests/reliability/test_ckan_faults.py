"""CKAN answering 500, not answering (timeout), or cutting the connection in the middle of an upload,
injected by a real proxy (ckan_proxy.py) in front of the real CKAN of `make ckan-up`.

Each test publishes release 1.0.0 of its own dataset straight to CKAN, then publishes a changed
package through the proxy while the fault lasts (the publish gives up: exit code 3), checks that
the public release 1.0.0 is exactly as it was and downloads byte for byte, then publishes again
straight to CKAN: exactly one complete release 1.1.0 results, with one resource per file.
"""

from __future__ import annotations

import hashlib
import json
import logging
import uuid

import pytest
import requests
from ckanapi import RemoteCKAN

from reportpub.ckan import CkanUnavailable, publish_ckan, version_name
from reportpub.ckan.client import Client

from .ckan_proxy import FaultProxy, Rule

pytestmark = pytest.mark.slow

RESOURCES = ["reports", "reports-parquet", "paragraphs", "paragraphs-parquet", "facts", "facts-parquet",
             "units", "units-parquet", "indicator_codes", "indicator_codes-parquet", "datapackage.json",
             "validation.html", "validation.json", "releases.json"]
UPLOAD = r"/api/(3/)?action/resource_(create|update)$"


def _publish(env, url, name, package, **kw):
    return publish_ckan(package, url=url, org=env["CKAN_ORG"], token=env["CKAN_API_TOKEN"], name=name, **kw)


def _show(env, name) -> dict:
    return RemoteCKAN(env["CKAN_URL"], apikey=env["CKAN_API_TOKEN"]).action.package_show(id=name)


def _state(env, name) -> dict:
    ds = _show(env, name)
    return {"version": ds["version"], "private": ds["private"], "metadata_modified": ds["metadata_modified"],
            "resources": [(r["name"], r["id"], r["url"], r["hash"], str(r.get("size"))) for r in ds["resources"]]}


def _downloads_match(env, name) -> list[str]:
    """Every resource of a dataset downloads (publicly, without a token) to its `hash` and `size`."""
    bad = []
    for r in _show(env, name)["resources"]:
        data = requests.get(r["url"], timeout=30).content
        if r["hash"] != "sha256:" + hashlib.sha256(data).hexdigest() or int(r["size"]) != len(data):
            bad.append(r["name"])
    return bad


def _datasets(env, name) -> list[str]:
    ckan = RemoteCKAN(env["CKAN_URL"], apikey=env["CKAN_API_TOKEN"])
    found = ckan.action.package_search(q=f"name:{name}*", include_private=True, rows=100)["results"]
    return sorted(d["name"] for d in found if d["name"] == name or d["name"].startswith(f"{name}-v"))


@pytest.fixture
def first_release(ckan_env, pkg):
    """A dataset of its own with release 1.0.0 (the seed report), published straight to CKAN."""
    name = f"rp-rel-{uuid.uuid4().hex[:8]}"
    result = _publish(ckan_env, ckan_env["CKAN_URL"], name, pkg(0))
    assert (result.changed, result.version) == (True, "1.0.0")
    assert _downloads_match(ckan_env, name) == []
    return name, _state(ckan_env, name), _state(ckan_env, version_name(name, "1.0.0"))


def _assert_first_release_intact(env, name, main_before, kept_before):
    assert _state(env, name) == main_before, "the public release moved while publishing failed"
    assert _state(env, version_name(name, "1.0.0")) == kept_before
    assert _downloads_match(env, name) == [] and _downloads_match(env, version_name(name, "1.0.0")) == []


def _assert_one_complete_release(env, name, version="1.1.0"):
    vname = version_name(name, version)
    main, kept = _show(env, name), _show(env, vname)
    assert (main["version"], kept["private"]) == (version, False)
    assert [r["name"] for r in kept["resources"]] == RESOURCES, "one resource per file, none twice"
    assert [r["name"] for r in main["resources"]] == RESOURCES
    assert _downloads_match(env, name) == [] and _downloads_match(env, vname) == []
    releases = json.loads(requests.get(main["resources"][-1]["url"], timeout=30).content)
    assert [e["version"] for e in releases["releases"]] == ["1.0.0", version]
    assert _datasets(env, name) == sorted([name, version_name(name, "1.0.0"), vname])


FAULTS = {
    # uploads 3.. answered 500 (never reaching CKAN) until the publish gives up
    "500": [Rule("POST", UPLOAD, ("status", 500), skip=2)],
    # uploads 3.. never answered: the client's read timeout fires, four times, then it gives up
    "timeout": [Rule("POST", UPLOAD, ("silent", 30), skip=2)],
    # uploads 3.. cut after half of the body: connection reset mid-upload
    "connection cut mid-upload": [Rule("POST", UPLOAD, ("cut", None), skip=2)],
    # the verification downloads answered 500
    "500 on the verifying downloads": [Rule("GET", r"/download/", ("status", 500))],
}


@pytest.mark.parametrize("fault", list(FAULTS))
def test_a_lasting_fault_fails_the_publish_and_the_retry_completes_one_release(ckan_env, first_release, pkg,
                                                                              monkeypatch, caplog, fault):
    name, main_before, kept_before = first_release
    if fault == "timeout":  # the fault is real (no answer); only the client's 120 s read timeout is shortened
        monkeypatch.setitem(Client.__init__.__kwdefaults__, "timeout", (5, 1.5))
    changed = pkg(1)
    with FaultProxy(ckan_env["CKAN_URL"], [Rule(**vars(r)) for r in FAULTS[fault]]) as proxy:
        with pytest.raises(CkanUnavailable) as failed:
            _publish(ckan_env, proxy.url, name, changed, retry_delays=(0.2, 0.4, 0.8))
    assert proxy.faults(), "the fault was never injected"
    assert failed.value.exit_code == 3, "CKAN unreachable is exit code 3 (try again later)"
    assert ckan_env["CKAN_API_TOKEN"] not in str(failed.value) + caplog.text
    _assert_first_release_intact(ckan_env, name, main_before, kept_before)
    monkeypatch.undo()
    again = _publish(ckan_env, ckan_env["CKAN_URL"], name, changed)
    assert (again.changed, again.version) == (True, "1.1.0")
    _assert_one_complete_release(ckan_env, name)
    _assert_first_release_intact_files(ckan_env, name, kept_before)


def _assert_first_release_intact_files(env, name, kept_before):
    assert _state(env, version_name(name, "1.0.0")) == kept_before
    assert _downloads_match(env, version_name(name, "1.0.0")) == []


@pytest.mark.parametrize("where", ["upload", "make public", "switch main"])
def test_an_answer_lost_after_ckan_did_the_work_is_retried_without_duplicates(ckan_env, first_release, pkg,
                                                                             caplog, where):
    """A transient 500 after CKAN did the work: the publisher's own retry re-reads CKAN's state, so
    the same run ends in one complete release, nothing created twice."""
    name, main_before, kept_before = first_release
    path = {"upload": UPLOAD, "make public": r"/api/(3/)?action/package_revise$",
            "switch main": r"/api/(3/)?action/package_revise$"}[where]
    skip = {"upload": 4, "make public": 0, "switch main": 1}[where]
    caplog.set_level(logging.WARNING, logger="reportpub.ckan")
    with FaultProxy(ckan_env["CKAN_URL"], [Rule("POST", path, ("lost", 500), skip=skip, times=1)]) as proxy:
        result = _publish(ckan_env, proxy.url, name, pkg(1))
    assert proxy.faults(), "the fault was never injected"
    assert (result.changed, result.version) == (True, "1.1.0")
    _assert_one_complete_release(ckan_env, name)
    _assert_first_release_intact_files(ckan_env, name, kept_before)
