"""Frictionless descriptor -> CKAN dataset and resource fields (pure functions, no network).

A consumer must be able to rebuild the Frictionless package from CKAN alone, so each resource
carries what the descriptor said about it: `schema` (the Table Schema as a JSON string),
`hash` ("sha256:<hex>", as in Frictionless), `size`, `format`, `mimetype` and `package_path`.
"""

from __future__ import annotations

import hashlib
import json
import re

from .. import __version__
from .release import ReleaseFile

NAME_MAX = 80  # leaves room for "-v<major>-<minor>-<patch>" within CKAN's 100 characters
LICENSES = {  # Frictionless/SPDX name -> CKAN license_id
    "CC-BY-4.0": "cc-by", "CC-BY-SA-4.0": "cc-by-sa", "CC0-1.0": "cc-zero", "CC-BY-NC-4.0": "cc-nc",
    "ODC-BY-1.0": "odc-by", "ODbL-1.0": "odc-odbl", "PDDL-1.0": "odc-pddl", "OGL-UK-3.0": "uk-ogl",
}
TOOL = "reportpub"


def ckan_name(text: str) -> str:
    """Any name -> a CKAN dataset name: lowercase [a-z0-9_-], 2 to NAME_MAX characters.

    A name with nothing usable left (e.g. all Chinese) becomes `dataset-<hash>`, stable per input.
    """
    name = re.sub(r"[^a-z0-9_-]+", "-", text.lower()).strip("-_")
    name = re.sub(r"-{2,}", "-", name)[:NAME_MAX].strip("-_")
    if len(name) < 2:
        name = "dataset-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:10]
    return name


def version_name(name: str, version: str) -> str:
    return f"{name}-v{version.replace('.', '-')}"


def license_id(descriptor: dict) -> str:
    for lic in descriptor.get("licenses") or []:
        if isinstance(lic, dict) and lic.get("name") in LICENSES:
            return LICENSES[lic["name"]]
    return "notspecified"


def dataset_fields(descriptor: dict, *, name: str, org_id: str, version: str, release_of: str | None = None,
                   latest: str | None = None) -> dict:
    """Descriptor -> the CKAN dataset fields reportpub owns (no resources, no `private`).

    `release_of` is set for a version dataset (the main dataset's name); `latest` names the
    version dataset the main dataset points to.
    """
    title = str(descriptor.get("title") or descriptor.get("name") or name)
    sources = [s for s in descriptor.get("sources") or [] if isinstance(s, dict)]
    meta = descriptor.get("reportpub") or {}
    temporal = descriptor.get("temporal") or {}
    extras = {
        "published_by": TOOL,
        "reportpub_version": __version__,
        "extractor_version": str(meta.get("extractor_version", "")),
        "source_file": ", ".join(str(s.get("path", "")) for s in sources),
        "source_sha256": ", ".join(str(s.get("sha256", "")) for s in sources),
        "frictionless_name": str(descriptor.get("name", "")),
        "package_created": str(descriptor.get("created", "")),
        "language": ", ".join(descriptor.get("language") or []),
        "temporal_start": str(temporal.get("start") or ""),
        "temporal_end": str(temporal.get("end") or ""),
    }
    if release_of:
        extras["release_of"] = release_of
        title_line = f"{title}：数量事实（{version} 版）/ Quantitative facts from “{title}”, release {version}"
        about = (f"本数据集是 {release_of} 的 {version} 版，发布后不再修改。\n"
                 f"This dataset is release {version} of {release_of} and is never modified after publication.")
    else:
        extras["latest_release"] = latest or ""
        title_line = f"{title}：数量事实 / Quantitative facts from “{title}”"
        about = (f"本数据集总是最新版本（现为 {version}）。每个版本另存为一个发布后不再修改的数据集 "
                 f"{name}-v<主>-<次>-<修订>；releases.json 列出全部版本及其变更。\n"
                 f"This dataset always holds the latest release (now {version}). Every release is also kept, "
                 f"never modified again, as the dataset {name}-v<major>-<minor>-<patch>; releases.json "
                 "lists every release with its changelog.")
    source_lines = "\n".join(f"- 来源 / Source: {s.get('path')} (sha256 {s.get('sha256')})" for s in sources)
    notes = "\n\n".join(p for p in (str(descriptor.get("description", "")).strip(), about, source_lines) if p)
    return {
        "name": name,
        "title": title_line,
        "notes": notes,
        "owner_org": org_id,
        "version": version,
        "license_id": license_id(descriptor),
        "tags": [{"name": t} for t in tags(descriptor)],
        "extras": [{"key": k, "value": v} for k, v in extras.items()],
    }


def tags(descriptor: dict) -> list[str]:
    """Keywords -> CKAN tags (2-100 characters of letters, digits, space, - _ .), deduplicated."""
    out: list[str] = []
    for word in descriptor.get("keywords") or []:
        tag = re.sub(r"[^\w \-.]+", " ", str(word)).strip()[:100]
        if len(tag) >= 2 and tag not in out:
            out.append(tag)
    return out


def resource_fields(f: ReleaseFile) -> dict:
    """Release file -> CKAN resource fields, all strings (an upload is sent as a multipart form)."""
    fields = {"name": f.name, "description": f.description, "format": f.format, "mimetype": f.mediatype,
              "hash": f.hash, "size": str(f.size), "package_path": f.package_path}
    if f.schema is not None:
        fields["schema"] = json.dumps(f.schema, ensure_ascii=False, sort_keys=True)
    return fields


def extras_dict(dataset: dict) -> dict[str, str]:
    return {e.get("key"): e.get("value") for e in dataset.get("extras") or [] if isinstance(e, dict)}
