#!/usr/bin/env python3
"""Smoke test of the CKAN stack started by stack.sh, through ckanapi only.

    python services/ckan/smoke_test.py [ENV_FILE]

ENV_FILE defaults to $CKAN_ENV_FILE, else <repo>/.run/ckan/ckan.env (written by
`stack.sh up`). It creates a public and a private dataset in $CKAN_ORG, uploads a
CSV and a binary file, downloads both and compares sha256, searches with
package_search, revises with package_revise, deletes (then purges) both datasets
and prints OK. It exits non-zero with a message on the first failure.
"""
import hashlib
import os
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

import ckanapi


def read_env(path):
    env = {}
    for line in Path(path).read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            env[key.strip()] = value.strip()
    return env


def check(condition, message):
    if not condition:
        raise AssertionError(message)


def download(url, token):
    request = urllib.request.Request(url, headers={"Authorization": token})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.read()


def search_names(ckan, **params):
    result = ckan.action.package_search(rows=100, **params)
    return {p["name"] for p in result["results"]}, result


def run(env):
    token, org = env["CKAN_API_TOKEN"], env["CKAN_ORG"]
    ckan = ckanapi.RemoteCKAN(env["CKAN_URL"], apikey=token, user_agent="reportpub-smoke")
    anonymous = ckanapi.RemoteCKAN(env["CKAN_URL"], user_agent="reportpub-smoke")
    word = "smoke" + uuid.uuid4().hex[:10]  # a word no other dataset has
    public_name, private_name = word + "-public", word + "-private"
    created = []
    try:
        public = ckan.action.package_create(
            name=public_name, title="Smoke test %s figures 北京市统计年鉴" % word, owner_org=org,
            notes="Created by services/ckan/smoke_test.py", tags=[{"name": "smoke-test"}],
            private=False)
        created.append(public["id"])
        check(public["organization"]["name"] == org, "dataset is not in organisation %s" % org)

        # Two uploads: a small CSV and a small binary file with every byte value.
        with tempfile.TemporaryDirectory() as tmp:
            files = {"data.csv": ("CSV", "region,year,value\n北京,2023,1.5\nShanghai,2023,2\n".encode()),
                     "blob.bin": ("BIN", bytes(range(256)) * 8 + os.urandom(1000))}
            for filename, (fmt, content) in files.items():
                path = Path(tmp, filename)
                path.write_bytes(content)
                with path.open("rb") as f:
                    resource = ckan.action.resource_create(
                        package_id=public["id"], name=filename, format=fmt, upload=f)
                check(resource["url_type"] == "upload", "%s: not stored as an upload" % filename)
                got = download(resource["url"], token)
                check(hashlib.sha256(got).hexdigest() == hashlib.sha256(content).hexdigest(),
                      "%s: downloaded %d bytes differ from the %d uploaded"
                      % (filename, len(got), len(content)))
        check(len(ckan.action.package_show(id=public["id"])["resources"]) == 2,
              "the dataset does not list 2 resources")

        private = ckan.action.package_create(
            name=private_name, title="Smoke test %s private" % word, owner_org=org, private=True)
        created.append(private["id"])

        # Search: by field, by free text, with facets, private datasets for the sysadmin only.
        names, _ = search_names(ckan, q="name:%s" % public_name)
        check(names == {public_name}, "package_search by name found %s" % names)
        names, result = search_names(ckan, q=word, include_private=True,
                                     **{"facet.field": ["organization", "res_format"]})
        check(names == {public_name, private_name},
              "free-text package_search (include_private) found %s" % names)
        formats = {item["name"] for item in result["search_facets"]["res_format"]["items"]}
        check({"CSV", "BIN"} <= formats, "res_format facet is %s" % formats)
        names, _ = search_names(ckan, q=word)
        check(names == {public_name}, "without include_private, search found %s" % names)
        names, _ = search_names(ckan, q="统计 " + word)
        check(names == {public_name}, "search for Chinese text found %s" % names)
        names, _ = search_names(anonymous, q=word, include_private=True)
        check(names == {public_name}, "an anonymous search found %s" % names)
        names, _ = search_names(ckan, fq="organization:%s +capacity:private" % org,
                                q="name:%s*" % word, include_private=True)
        check(names == {private_name}, "fq on organization and capacity found %s" % names)

        # package_revise, then the index must follow.
        revised = ckan.action.package_revise(
            match={"id": public["id"]},
            update={"title": "Revised %s figures" % word, "notes": "revised"})["package"]
        check(revised["title"].startswith("Revised") and revised["notes"] == "revised",
              "package_revise did not change title and notes")
        check(len(revised["resources"]) == 2, "package_revise lost resources")
        names, _ = search_names(ckan, q='title:"revised %s"' % word)
        check(names == {public_name}, "search after package_revise found %s" % names)

        # Delete: gone from search, still shown as deleted to the sysadmin.
        for dataset_id in created:
            ckan.action.package_delete(id=dataset_id)
        names, _ = search_names(ckan, q=word, include_private=True)
        check(not names, "deleted datasets are still found: %s" % names)
        check(ckan.action.package_show(id=public["id"])["state"] == "deleted",
              "the deleted dataset is not in state 'deleted'")
    finally:
        for dataset_id in created:  # leave the organisation empty again
            try:
                ckan.action.dataset_purge(id=dataset_id)
            except ckanapi.NotFound:
                pass


def main():
    default = Path(__file__).resolve().parents[2] / ".run" / "ckan" / "ckan.env"
    env_file = (sys.argv[1:] or [os.environ.get("CKAN_ENV_FILE") or str(default)])[0]
    if not Path(env_file).is_file():
        sys.exit("smoke_test: no env file %s (run services/ckan/stack.sh up)" % env_file)
    start = time.monotonic()
    try:
        run(read_env(env_file))
    except (AssertionError, ckanapi.CKANAPIError) as e:
        sys.exit("smoke_test: FAILED: %s: %s" % (type(e).__name__, e))
    print("OK (%.1f s)" % (time.monotonic() - start))


if __name__ == "__main__":
    main()
