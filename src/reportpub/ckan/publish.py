"""Publish to CKAN: a validated package directory -> a new, verified release on a CKAN portal.

Two kinds of dataset per report dataset (see docs/ckan.md):
  <name>                          the main dataset: always the latest release; its resources are links
                                  to the files of the version dataset it points to, plus releases.json
  <name>-v<major>-<minor>-<patch> one per release, uploaded files, never modified once public

The stages, each retried as a whole when CKAN fails transiently, each re-reading CKAN's state first
so that a retry (or a second run after a failure) never duplicates a dataset or a resource:
  preflight  the token may create datasets in the organisation (else 403, nothing touched)
  plan       validate against the latest release (its facts fetched from CKAN), compare local
             sha256s with the main dataset's `hash` fields: identical -> "unchanged"
  stage      create or resume the PRIVATE version dataset, upload the files that are not there yet
  verify     download every file back through its URL with the token and compare sha256 and size
  release    make the version dataset public, then switch the main dataset to it in one
             package_revise (or package_create the first time), guarded by the main dataset's version
A failure before the last stage leaves the main dataset, and so the previous public release, untouched.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from .. import release as model
from ..diff import diff_packages
from . import release as rel
from .client import RETRY_DELAYS, Client, CkanAuthError, CkanRejected, CkanVerifyError
from .metadata import TOOL, ckan_name, dataset_fields, extras_dict, resource_fields, version_name

log = logging.getLogger("reportpub.ckan")


@dataclass(frozen=True)
class CkanStep:
    """Progress event: preflight, unchanged, staged, uploaded, verified, public, main, done."""

    step: str
    version: str | None = None
    resource: str | None = None


@dataclass(frozen=True)
class CkanPublishResult:
    dataset: str  # the main dataset (always the latest release)
    version: str  # the release now public
    version_dataset: str  # the dataset that keeps this release
    changed: bool  # False: CKAN already held exactly these files
    bump: str | None  # initial | major | minor | patch; None when unchanged
    url: str  # page of the main dataset
    changelog: Mapping | None = None  # this release's entry of releases.json
    resources: tuple[str, ...] = ()


def publish_ckan(package_dir: str | os.PathLike, *, url: str, org: str, token: str | None = None,
                 name: str | None = None, validation=None, progress: Callable[[CkanStep], None] | None = None,
                 retry_delays: tuple[float, ...] = RETRY_DELAYS) -> CkanPublishResult:
    """Package directory -> a release on CKAN; an unchanged package publishes nothing.

    token defaults to $CKAN_API_TOKEN; name (default: the package's) is made CKAN-safe; validation
    is a ValidationReport already made for this directory (else the package is validated here and
    validation.json/.html written into it); progress is called after each step.
    """
    pkg = Path(package_dir)
    token = token if token is not None else os.environ.get("CKAN_API_TOKEN", "")
    if not token.strip():
        raise CkanAuthError("no CKAN API token: pass one or set CKAN_API_TOKEN")
    descriptor = model.read_descriptor(pkg)
    client = Client(url, token.strip(), retry_delays=retry_delays)
    main_name = ckan_name(name or str(descriptor.get("name") or pkg.name))
    return _Publisher(client, org, progress or (lambda step: None)).run(pkg, descriptor, main_name, validation)


@dataclass(frozen=True)
class _Plan:
    """What one run will publish: decided before anything on CKAN is touched."""

    main: str  # main dataset name
    version: str
    previous: str | None  # the main dataset's version now (None: first release)
    bump: str
    files: tuple[rel.ReleaseFile, ...]  # in upload order, releases.json last
    entry: dict  # this release's entry of releases.json

    @property
    def vname(self) -> str:
        return version_name(self.main, self.version)


class _Publisher:
    def __init__(self, client: Client, org: str, progress: Callable[[CkanStep], None]):
        self.ckan = client
        self.org = org
        self.progress = progress

    def run(self, pkg: Path, descriptor: dict, main_name: str, validation) -> CkanPublishResult:
        org_id = self.preflight()
        main = self.read_main(main_name, org_id)
        plan = self.plan(pkg, descriptor, main_name, main, validation)
        if plan is None:
            self.progress(CkanStep("unchanged", main["version"]))
            log.info("%s %s: unchanged, nothing published", main_name, main["version"])
            return CkanPublishResult(main_name, main["version"], extras_dict(main).get("latest_release", ""), False,
                                     None, self._page(main_name), resources=_names(main))
        staged = self.stage(descriptor, plan, org_id)
        entry = plan.entry
        if staged.get("private"):
            self.upload(staged["id"], plan)
            staged = self.verify(plan)
            self.make_public(staged, plan)
        else:  # public already: an earlier run got this far, then failed to switch the main dataset
            entry = self._resume_public(staged, plan)
        done = self.switch_main(descriptor, org_id, plan, self._links(staged, plan.files))
        self.progress(CkanStep("done", plan.version))
        log.info("%s %s published (%s) as %s", main_name, plan.version, plan.bump, plan.vname)
        return CkanPublishResult(main_name, plan.version, plan.vname, True, plan.bump, self._page(main_name), entry,
                                 _names(done))

    # --- stages -------------------------------------------------------------------------------

    def preflight(self) -> str:
        """The token may create datasets in the organisation -> the organisation's id."""
        orgs = self.ckan.retry(lambda: self.ckan.call("organization_list_for_user", permission="create_dataset"),
                               "connect to CKAN and check the token")
        for o in orgs or []:
            if self.org in (o.get("name"), o.get("id")):
                self.progress(CkanStep("preflight"))
                return o["id"]
        if self.ckan.retry(lambda: self.ckan.call("organization_show", id=self.org, missing_ok=True),
                           "read the organisation") is None:
            raise CkanRejected(f"CKAN at {self.ckan.url} has no organisation {self.org!r}")
        raise CkanAuthError(f"CKAN refused the API token (HTTP 403 Forbidden): its user may not create datasets "
                            f"in organisation {self.org!r}; the token is wrong or expired, or the user is not "
                            "an editor of the organisation. Nothing was changed.")

    def read_main(self, main_name: str, org_id: str) -> dict | None:
        """The main dataset, if any; it must be reportpub's, in this organisation, with a semantic version."""
        main = self.ckan.retry(lambda: _live(self.ckan.call("package_show", id=main_name, missing_ok=True)),
                               f"read dataset {main_name}")
        if main is None:
            return None
        if extras_dict(main).get("published_by") != TOOL:
            raise CkanRejected(f"dataset {main_name} exists but was not published by reportpub; "
                               "choose another name or delete it")
        if main.get("owner_org") != org_id:
            raise CkanRejected(f"dataset {main_name} belongs to another organisation")
        try:
            rel.parse_version(main.get("version"))
        except ValueError:
            raise CkanRejected(f"dataset {main_name} has version {main.get('version')!r}, "
                               "not major.minor.patch") from None
        return main

    def plan(self, pkg: Path, descriptor: dict, main_name: str, main: dict | None, validation) -> _Plan | None:
        """Validate against the latest release, compare with it -> what to publish (None: unchanged)."""
        prev = {}
        for r in (main or {}).get("resources", []):
            if r.get("package_path") and r.get("name") != rel.RELEASES:
                prev.setdefault(r["name"], r)
        with tempfile.TemporaryDirectory(prefix="reportpub-ckan-") as tmp:
            previous_dir = self._fetch_previous(prev, Path(tmp))
            # a report given by the caller was made against its own idea of the latest release: kept
            model.gate(pkg, validation, previous=previous_dir, recheck_stale=False)
            if main is None:
                previous, bump, schemas, changed, version = None, "initial", [], [], rel.first_version(descriptor)
            else:
                previous = main["version"]
                candidate = rel.release_files(pkg, descriptor, version=previous,
                                              created=extras_dict(main).get("package_created"))
                bump, schemas, changed = rel.classify(prev, candidate)
                if bump is None:
                    return None
                version = rel.next_version(previous, bump)
            facts = self._facts_changelog(pkg, descriptor, previous_dir)
        vname = version_name(main_name, version)
        files = rel.release_files(pkg, descriptor, version=version, created=descriptor.get("created"))
        entry = {"version": version, "previous": previous, "bump": bump, "summary": rel.summary(bump, facts),
                 "created": _now(), "dataset": vname, "url": self._page(vname), "schemas_changed": schemas,
                 "files_changed": changed or [f.name for f in files], "facts": facts,
                 "files": {f.name: f.hash for f in files}}
        history = [e for e in self._history(main) if e.get("version") != version]
        releases = {"dataset": main_name, "latest": version, "releases": [*history, entry]}
        files.append(rel.meta_file(rel.RELEASES, (json.dumps(releases, ensure_ascii=False, indent=2) + "\n").encode()))
        return _Plan(main_name, version, previous, bump, tuple(files), entry)

    def stage(self, descriptor: dict, plan: _Plan, org_id: str) -> dict:
        """Create the private version dataset, or take up the one an interrupted run left."""
        vname = plan.vname
        fields = dataset_fields(descriptor, name=vname, org_id=org_id, version=plan.version, release_of=plan.main)

        def step() -> dict:
            ds = _live(self.ckan.call("package_show", id=vname, missing_ok=True))
            if ds is None:
                return self.ckan.call("package_create", private=True, **fields)
            if extras_dict(ds).get("release_of") != plan.main:
                raise CkanRejected(f"dataset {vname} exists and is not a release of {plan.main}; "
                                   "rename or delete it")
            if not ds.get("private"):
                return ds
            return self.ckan.call("package_revise", match={"id": ds["id"]}, filter=["-tags", "-extras"],
                                  update=fields)["package"]

        ds = self.ckan.retry(step, f"create dataset {vname}")
        self.progress(CkanStep("staged", plan.version))
        return ds

    def upload(self, vid: str, plan: _Plan) -> None:
        """Each file once, matched by name: same hash -> kept; else uploaded; duplicates removed."""
        vname, version, files = plan.vname, plan.version, plan.files
        for f in files:
            def step(f=f) -> None:
                resources = self.ckan.call("package_show", id=vid)["resources"]
                same = [r for r in resources if r.get("name") == f.name]
                for dup in same[1:]:
                    self.ckan.call("resource_delete", id=dup["id"])
                keep = same[0] if same else None
                if keep and keep.get("hash") == f.hash and keep.get("url_type") == "upload":
                    return
                with f.open() as fh:
                    upload = {"upload": (f.filename, fh, f.mediatype)}
                    if keep:
                        self.ckan.call("resource_update", id=keep["id"], files=upload, **resource_fields(f))
                    else:
                        self.ckan.call("resource_create", package_id=vid, files=upload, **resource_fields(f))

            self.ckan.retry(step, f"upload {f.name} to {vname}")
            self.progress(CkanStep("uploaded", version, f.name))

        names = [f.name for f in files]

        def tidy() -> None:
            resources = self.ckan.call("package_show", id=vid)["resources"]
            for r in resources:
                if r.get("name") not in names:  # left by an interrupted run of other content
                    self.ckan.call("resource_delete", id=r["id"])
            order = [r["id"] for n in names for r in resources if r.get("name") == n]
            if order != [r["id"] for r in resources if r.get("name") in names]:
                self.ckan.call("package_resource_reorder", id=vid, order=order)

        self.ckan.retry(tidy, f"tidy {vname}")

    def verify(self, plan: _Plan) -> dict:
        """Download every resource back with the token: sha256 and size must equal the local file's."""
        vname, version, files = plan.vname, plan.version, plan.files
        ds = self.ckan.retry(lambda: self.ckan.call("package_show", id=vname), f"read dataset {vname}")
        by_name: dict[str, list[dict]] = {}
        for r in ds["resources"]:
            by_name.setdefault(r.get("name"), []).append(r)
        if sorted(by_name) != sorted(f.name for f in files) or any(len(v) > 1 for v in by_name.values()):
            raise CkanVerifyError(f"{vname} holds resources {sorted(by_name)}, expected one each of "
                                  f"{sorted(f.name for f in files)}")
        for f in files:
            res = by_name[f.name][0]
            digest, size = self.ckan.retry(lambda: self.ckan.download(res["url"]), f"download {f.name} of {vname}")
            if (digest, size) != (f.sha256, f.size) or res.get("hash") != f.hash:
                # drop the bad copy so that a retry uploads it again (the dataset is still private)
                self.ckan.retry(lambda: self.ckan.call("resource_delete", id=res["id"]), f"delete {f.name}")
                raise CkanVerifyError(f"{vname}: {f.name} came back with sha256 {digest[:16]}… ({size} bytes), "
                                      f"the local file has {f.sha256[:16]}… ({f.size} bytes)")
            self.progress(CkanStep("verified", version, f.name))
        return ds

    def make_public(self, staged: dict, plan: _Plan) -> None:
        self.ckan.retry(lambda: self.ckan.call("package_revise", match={"id": staged["id"]}, update={"private": False}),
                        f"make {plan.vname} public")
        self.progress(CkanStep("public", plan.version))

    def switch_main(self, descriptor: dict, org_id: str, plan: _Plan, links: list[dict]) -> dict:
        """Point the main dataset at the new release in one call; foreign resources and extras stay."""
        main_name, version, prev_version, vname = plan.main, plan.version, plan.previous, plan.vname
        fields = dataset_fields(descriptor, name=main_name, org_id=org_id, version=version, latest=vname)

        def step() -> dict:
            cur = _live(self.ckan.call("package_show", id=main_name, missing_ok=True))
            if cur is None:
                return self.ckan.call("package_create", private=False, resources=links, **fields)
            if cur.get("version") == version and extras_dict(cur).get("latest_release") == vname:
                return cur  # an earlier try got through and only its answer was lost
            if cur.get("version") != prev_version:
                raise CkanRejected(f"dataset {main_name} moved to version {cur.get('version')} while publishing "
                                   f"{version} (expected {prev_version}); publish again")
            ours: dict[str, dict] = {}
            for r in cur["resources"]:
                if r.get("package_path"):
                    ours.setdefault(r.get("name"), r)
            names = {link["name"] for link in links}
            resources = [dict(link, id=ours[link["name"]]["id"]) if link["name"] in ours else link for link in links]
            resources += [r for r in cur["resources"] if not r.get("package_path") and r.get("name") not in names]
            own = {e["key"] for e in fields["extras"]}
            extras = [e for e in cur.get("extras") or [] if e.get("key") not in own] + fields["extras"]
            return self.ckan.call("package_revise", match={"id": cur["id"], "version": prev_version},
                                  filter=["-resources", "-tags", "-extras"],
                                  update=dict(fields, extras=extras, resources=resources))["package"]

        done = self.ckan.retry(step, f"update dataset {main_name}")
        self.progress(CkanStep("main", version))
        return done

    # --- helpers ------------------------------------------------------------------------------

    def _history(self, main: dict | None) -> list[dict]:
        res = _resource(main, rel.RELEASES)
        if res is None:
            return []
        data = self.ckan.retry(lambda: self.ckan.fetch(res["url"]), "read releases.json")
        try:
            return list(json.loads(data)["releases"])
        except (ValueError, KeyError, TypeError):
            raise CkanRejected(f"releases.json of {main['name']} is not readable") from None

    def _fetch_previous(self, prev: dict[str, dict], tmp: Path) -> Path | None:
        """The latest release's facts (Parquet) -> a package directory that reportpub.diff reads."""
        res = prev.get("facts-parquet")
        if res is None:
            return None
        data = self.ckan.retry(lambda: self.ckan.fetch(res["url"]), "read the latest release's facts")
        (tmp / "data").mkdir()
        (tmp / "data" / "facts.parquet").write_bytes(data)
        return tmp

    def _facts_changelog(self, pkg: Path, descriptor: dict, previous_dir: Path | None) -> dict:
        res = {r.get("name"): r for r in descriptor["resources"]}
        csv_path = pkg / res["facts"]["path"] if "facts" in res else None
        if previous_dir is None or "facts-parquet" not in res:
            return rel.facts_changelog(None, csv_path, descriptor)
        try:
            diff = diff_packages(previous_dir, pkg)
        except Exception as exc:  # a release whose facts cannot be read: say so, publish nothing
            raise CkanRejected(f"cannot compare with the latest release's facts: {type(exc).__name__}: {exc}") from None
        return rel.facts_changelog(diff, csv_path, descriptor)

    def _resume_public(self, staged: dict, plan: _Plan) -> dict:
        """A public version dataset that the main dataset does not point to yet must hold our files."""
        files = plan.files
        on_ckan = {r.get("name"): r.get("hash") for r in staged["resources"]}
        differ = [f.name for f in files
                  if f.name not in (rel.RELEASES, *rel.REPORTS) and on_ckan.get(f.name) != f.hash]
        if differ or rel.RELEASES not in on_ckan:
            raise CkanRejected(f"dataset {staged['name']} is public, is not the latest release, and holds other "
                               f"files ({', '.join(differ) or rel.RELEASES}); delete it and publish again")
        data = self.ckan.retry(lambda: self.ckan.fetch(_resource(staged, rel.RELEASES)["url"]), "read releases.json")
        return json.loads(data)["releases"][-1]

    def _links(self, staged: dict, files: tuple[rel.ReleaseFile, ...]) -> list[dict]:
        """Version dataset -> link resources for the main dataset (same fields, URL of the upload)."""
        by_name = {}
        for r in staged["resources"]:
            by_name.setdefault(r.get("name"), r)
        links = []
        for f in files:
            r = by_name[f.name]
            fields = {k: r[k] for k in ("name", "description", "format", "mimetype", "hash", "size",
                                         "package_path", "schema") if r.get(k) not in (None, "")}
            links.append(dict(fields, url=r["url"]))
        return links

    def _page(self, name: str) -> str:
        return f"{self.ckan.url}/dataset/{name}"


def _names(ds: dict) -> tuple[str, ...]:
    return tuple(r["name"] for r in ds["resources"])


def _live(ds: dict | None) -> dict | None:
    return None if ds is None or ds.get("state") == "deleted" else ds


def _resource(ds: dict | None, name: str) -> dict | None:
    return next((r for r in (ds or {}).get("resources", []) if r.get("name") == name and r.get("package_path")), None)


def _now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")
