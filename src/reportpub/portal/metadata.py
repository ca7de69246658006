"""Datasets -> machine-readable catalogues: DCAT-AP 3 (catalog.jsonld), schema.org Dataset (one per
dataset page) and Project Open Data v1.1 (data.json).

URLs are absolute when the portal's public address is known (`base_url`), else relative to the
file that holds them, so the files stay correct wherever the folder is hosted; a JSON-LD parser
resolves them against the document's own address. The catalogues are assembled from each
dataset's entry, dumped when its pages are rendered (see catalogue.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from os.path import commonprefix
from posixpath import normpath, relpath

from .. import EXTRACTOR_VERSION
from ..settings import contact_email, package_settings
from .changelog import changelog_text
from .model import Dataset, Download
from .stream import ITEMS, json_chunks

NS = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "spdx": "http://spdx.org/rdf/terms#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "adms": "http://www.w3.org/ns/adms#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcatap": "http://data.europa.eu/r5r/",
}
EU = "http://publications.europa.eu/resource/authority/"
THEMES = EU + "data-theme"
THEME_LABELS = {"ECON": ("经济与金融", "Economy and finance"), "GOVE": ("政府与公共部门", "Government and public sector")}
PUBLISHER_TYPES = "http://purl.org/adms/publishertype/"
LANGUAGES = {"zh": "ZHO", "en": "ENG"}
FILE_TYPES = {"csv": "CSV", "parquet": "PARQUET", "datapackage": "JSON", "zip": "ZIP", "xlsx": "XLSX"}
IANA = "https://www.iana.org/assignments/media-types/"
CATALOG_TITLE = ("政府报告开放数据", "Government report open data")
CATALOG_DESCRIPTION = ("从中国政府公开报告中抽取的数量事实，每个数字都注明其在原文中的位置。",
                       ("Quantitative facts extracted from published Chinese government reports; "
                        "every number carries its place in the source text."))
DOWNLOAD_DESCRIPTIONS = {  # kind -> (zh, en): what a person gets from each file
    "csv": ("UTF-8 编码、逗号分隔的表格，附 Table Schema（见 datapackage.json）。",
            "The table as UTF-8, comma-separated values; its Table Schema is in datapackage.json."),
    "parquet": ("Apache Parquet 列式文件，保留每列的类型；与 CSV 行相同。",
                "The same rows as Apache Parquet, with each column's type kept."),
    "xlsx": ("Excel 工作簿，表头为各列的中文与英文名称；与 CSV 行相同。",
             "The same rows as an Excel workbook, with each column's Chinese and English title as header."),
    "datapackage": ("Frictionless 数据包描述文件：各表的路径、结构、校验和与来源。",
                    "Frictionless Data Package descriptor: every table's path, schema, checksum and source."),
    "zip": ("整个发布包：datapackage.json 在压缩包根目录，可直接用 frictionless 打开与校验。",
            "The whole release, datapackage.json at its root: frictionless opens and validates it as it is."),
}

def link(path: str, *, base_url: str | None, from_dir: str = "") -> str:
    """Path from the portal root -> absolute URL (base_url known) or URL relative to `from_dir`."""
    if base_url:
        return base_url.rstrip("/") + "/" + path
    return _relative(path, from_dir) if from_dir else path


def _relative(path: str, from_dir: str) -> str:
    """posixpath.relpath(path, from_dir), without its two calls to os.getcwd() when neither path
    leaves the portal root (then the working directory cancels out)."""
    parts, start = normpath(path), normpath(from_dir)
    if parts.startswith(("/", "..")) or start.startswith(("/", "..")):
        return relpath(path, from_dir)
    parts, start = [p for p in parts.split("/") if p not in ("", ".")], [p for p in start.split("/") if p not in ("", ".")]
    common = len(commonprefix([start, parts]))
    return "/".join([".."] * (len(start) - common) + parts[common:]) or "."


def distribution_title(d: Download) -> tuple[str, str]:
    """Download -> (Chinese, English) title."""
    from .model import TABLE_TITLES

    if d.kind == "datapackage":
        return "数据包描述文件 datapackage.json", "Data package descriptor (datapackage.json)"
    if d.kind == "zip":
        return "完整发布包（zip）", "Whole release (zip)"
    zh, en = TABLE_TITLES.get(d.table, (d.table, d.table))
    return f"{zh}（{d.kind.upper()}）", f"{en} ({d.kind.upper()})"


# --- DCAT-AP 3 -------------------------------------------------------------------------------
# Every value from a controlled vocabulary carries the class the DCAT-AP range asks for: a
# harvester may hold no background knowledge of the EU code lists.

def dcat_catalog(items: Iterable[str], totals, *, base_url: str | None = None) -> Iterator[str]:
    """(each dataset's dcat_dataset as stream.dumps text, their catalogue.Totals) -> catalog.jsonld
    text, a DCAT-AP 3 catalogue as a JSON-LD document, in pieces."""
    catalog = {
        "@id": link("index.html", base_url=base_url) + "#catalog",
        "@type": "dcat:Catalog",
        "dct:title": _lang(*CATALOG_TITLE),
        "dct:description": _lang(*CATALOG_DESCRIPTION),
        "dct:publisher": _agent(totals.publisher, publisher_type()),
        "foaf:homepage": {"@id": link("index.html", base_url=base_url), "@type": "foaf:Document"},
        "dct:language": [_language(c) for c in LANGUAGES],
        "dcat:themeTaxonomy": {"@id": THEMES, "@type": "skos:ConceptScheme", "dct:title": _lang("数据主题", "Data theme")},
        "dcat:dataset": ITEMS,
    }
    licence = site_licence()
    if licence:
        catalog["dct:license"] = {"@id": licence, "@type": "dct:LicenseDocument"}
    if totals.issued:
        catalog["dct:issued"] = _datetime(totals.issued)
    if totals.modified:
        catalog["dct:modified"] = _datetime(totals.modified)
    yield from json_chunks({"@context": dict(NS), "@graph": [catalog]}, items, indent=2)
    yield "\n"


def dcat_dataset(d: Dataset, *, base_url: str | None = None) -> dict:
    zh, en = d.description
    start, end = d.temporal
    page = f"datasets/{d.name}/index.html"
    out = {
        "@id": link(f"datasets/{d.name}/", base_url=base_url) + "#dataset",
        "@type": "dcat:Dataset",
        "dct:identifier": d.name,
        "dct:title": _lang(d.title, d.title_en),
        "dct:description": _lang(zh, en),
        "dcat:keyword": [str(k) for k in d.descriptor.get("keywords", [])],
        "dcat:theme": [_concept(f"{THEMES}/{code}", *labels) for code, labels in THEME_LABELS.items()],
        "dct:publisher": _agent(_platform_publisher([d]), publisher_type()),
        "dct:creator": [_agent(p) for p in d.publishers],
        "dcat:contactPoint": _contact(_platform_publisher([d]), contact_of(d)),
        "dct:language": [_language(c) for c in d.descriptor.get("language", ["zh"]) if c in LANGUAGES],
        "dcat:landingPage": {"@id": link(page, base_url=base_url), "@type": "foaf:Document"},
        "dcat:version": d.version,
        "dct:issued": _datetime(d.first_created),
        "dct:modified": _datetime(d.created),
        "dct:provenance": {"@type": "dct:ProvenanceStatement", "rdfs:label": _lang(*provenance_text(d))},
        "dcat:distribution": [dcat_distribution(d, x, base_url=base_url) for x in d.downloads],
    }
    if d.regions:
        out["dct:spatial"] = [{"@type": "dct:Location", "skos:prefLabel": _lang(r)} for r in d.regions]
    if start and end:
        out["dct:temporal"] = {"@type": "dct:PeriodOfTime",
                               "dcat:startDate": {"@value": start, "@type": "xsd:date"},
                               "dcat:endDate": {"@value": end, "@type": "xsd:date"}}
    zh_notes, en_notes = changelog_text(d.history[-1]) if d.history else ("", "")
    if zh_notes:
        out["adms:versionNotes"] = _lang(zh_notes, en_notes)
    return out


def dcat_distribution(d: Dataset, x: Download, *, base_url: str | None = None) -> dict:
    url = link(x.path, base_url=base_url)
    zh, en = distribution_title(x)
    out = {
        "@id": url + "#distribution",
        "@type": "dcat:Distribution",
        "dct:title": _lang(zh, en),
        "dct:description": _lang(*DOWNLOAD_DESCRIPTIONS.get(x.kind, (zh, en))),
        "dcat:accessURL": {"@id": link(f"datasets/{d.name}/index.html", base_url=base_url)},
        "dcat:downloadURL": {"@id": url},
        "dcat:mediaType": {"@id": IANA + x.media_type, "@type": ["dct:MediaType", "dct:MediaTypeOrExtent"]},
        "dct:format": {"@id": f"{EU}file-type/{FILE_TYPES.get(x.kind, 'BIN')}", "@type": "dct:MediaTypeOrExtent",
                       "skos:inScheme": {"@id": f"{EU}file-type"}},
        "dcatap:availability": _concept(f"{EU}planned-availability/STABLE", "稳定", "Stable"),
        "dcat:byteSize": {"@value": str(x.bytes), "@type": "xsd:nonNegativeInteger"},
        "spdx:checksum": {"@type": "spdx:Checksum",
                          "spdx:algorithm": {"@id": "spdx:checksumAlgorithm_sha256", "@type": "spdx:ChecksumAlgorithm"},
                          "spdx:checksumValue": {"@value": x.sha256, "@type": "xsd:hexBinary"}},
    }
    if d.licence.get("path"):
        out["dct:license"] = {"@id": d.licence["path"], "@type": "dct:LicenseDocument"}
    return out


# --- schema.org --------------------------------------------------------------------------------

def schema_org_dataset(d: Dataset, *, base_url: str | None = None) -> dict:
    """Dataset -> schema.org Dataset JSON-LD for its page (URLs relative to the page's folder)."""
    here = f"datasets/{d.name}"
    zh, en = d.description
    start, end = d.temporal
    out = {
        "@context": "https://schema.org",
        "@type": "Dataset",
        "name": d.title,
        "description": f"{zh}\n\n{en}" if en != zh else zh,
        "url": link(f"{here}/index.html", base_url=base_url, from_dir=here),
        "identifier": d.name,
        "version": d.version,
        "keywords": [str(k) for k in d.descriptor.get("keywords", [])],
        "inLanguage": ["zh-CN", "en"],
        "isAccessibleForFree": True,
        "creator": [{"@type": "GovernmentOrganization", "name": p} for p in d.publishers],
        "publisher": {"@type": "Organization", "name": _platform_publisher([d])},
        "datePublished": d.first_created,
        "dateModified": d.created,
        "isBasedOn": [{"@type": "CreativeWork", "name": s.get("title", ""), "encodingFormat": s.get("mediatype", ""),
                       "identifier": f"sha256:{s.get('sha256', '')}"} for s in d.descriptor.get("sources", [])],
        "variableMeasured": [en_name for en_name, _ in d.indicators[:30]],
        "includedInDataCatalog": {"@type": "DataCatalog", "name": " / ".join(CATALOG_TITLE),
                                  "url": link("index.html", base_url=base_url, from_dir=here)},
        "distribution": [{"@type": "DataDownload", "name": distribution_title(x)[1],
                          "contentUrl": link(x.path, base_url=base_url, from_dir=here),
                          "encodingFormat": x.media_type, "contentSize": f"{x.bytes} B", "sha256": x.sha256}
                         for x in d.downloads],
    }
    if d.title_en:
        out["alternateName"] = d.title_en
    if d.licence.get("path"):
        out["license"] = d.licence["path"]
    if start and end:
        out["temporalCoverage"] = f"{start}/{end}"
    if d.regions:
        out["spatialCoverage"] = [{"@type": "Place", "name": r} for r in d.regions]
    return out


# --- Project Open Data v1.1 -----------------------------------------------------------------

def pod_catalog(items: Iterable[str], *, base_url: str | None = None) -> Iterator[str]:
    """Each dataset's pod_dataset as stream.dumps text -> data.json text (Project Open Data metadata
    schema v1.1), in pieces."""
    out = {
        "@context": "https://project-open-data.cio.gov/v1.1/schema/catalog.jsonld",
        "@type": "dcat:Catalog",
        "conformsTo": "https://project-open-data.cio.gov/v1.1/schema",
        "describedBy": "https://project-open-data.cio.gov/v1.1/schema/catalog.json",
        "dataset": ITEMS,
    }
    if base_url:
        out["@id"] = link("data.json", base_url=base_url)
    yield from json_chunks(out, items, indent=2)
    yield "\n"


def pod_dataset(d: Dataset, base_url: str | None) -> dict:
    zh, en = d.description
    start, end = d.temporal
    contact = {"@type": "vcard:Contact", "fn": _platform_publisher([d])}
    email = contact_of(d)
    if email:
        contact["hasEmail"] = f"mailto:{email}"
    out = {
        "@type": "dcat:Dataset",
        "title": f"{d.title} / {d.title_en}" if d.title_en else d.title,
        "description": f"{zh}\n\n{en}" if en != zh else zh,
        "keyword": [str(k) for k in d.descriptor.get("keywords", [])] or ["open data"],
        "modified": d.created,
        "issued": d.first_created,
        "publisher": {"@type": "org:Organization", "name": _platform_publisher([d])},
        "contactPoint": contact,
        "identifier": link(f"datasets/{d.name}/", base_url=base_url) + "#dataset",
        "accessLevel": "public",
        "language": ["zh-CN", "en"],
        "landingPage": link(f"datasets/{d.name}/index.html", base_url=base_url),
        "describedBy": link(f"{d.release_path}/datapackage.json", base_url=base_url),
        "describedByType": "application/json",
        "distribution": [{"@type": "dcat:Distribution", "title": distribution_title(x)[1],
                          "description": DOWNLOAD_DESCRIPTIONS.get(x.kind, distribution_title(x))[1],
                          "downloadURL": link(x.path, base_url=base_url), "mediaType": x.media_type,
                          "format": FILE_TYPES.get(x.kind, x.kind.upper())} for x in d.downloads],
    }
    if d.regions:
        out["spatial"] = "、".join(d.regions)
    if d.licence.get("path"):
        out["license"] = d.licence["path"]
    if start and end:
        out["temporal"] = f"{start}/{end}"
    return out


# --- shared ----------------------------------------------------------------------------------

def provenance_text(d: Dataset) -> tuple[str, str]:
    """Dataset -> (Chinese, English) sentence on where the data come from and how they were made."""
    rp = d.descriptor.get("reportpub") or {}
    version = rp.get("extractor_version") or EXTRACTOR_VERSION
    files = "、".join(f"{s.get('path', '')}（sha256 {s.get('sha256', '')}）" for s in d.descriptor.get("sources", []))
    files_en = ", ".join(f"{s.get('path', '')} (sha256 {s.get('sha256', '')})" for s in d.descriptor.get("sources", []))
    zh = (f"由 reportpub 抽取程序 {version} 从原文 {files} 按规则自动抽取；每个数字记录其段落与字符位置，"
          "发布前经过自动校验。")
    en = (f"Extracted by rule from the source text {files_en} with the reportpub extractor {version}; "
          "every number records its paragraph and character offsets, and the package was validated "
          "automatically before publication.")
    return zh, en


def _platform_publisher(datasets: Iterable[Dataset]) -> str:
    """The publisher the first of the datasets names (the operator's organisation), else reportpub."""
    return next((p for p in map(named_publisher, datasets) if p), "reportpub")


def named_publisher(d: Dataset) -> str | None:
    """The publisher among a dataset's contributors, None when it names none."""
    for c in d.descriptor.get("contributors") or []:
        if "publisher" in (c.get("roles") or []) and c.get("title"):
            return str(c["title"])
    return None


def contact_of(d: Dataset) -> str:
    """Dataset -> its contact e-mail: the release's publisher's, else the operator's (package.yaml)."""
    for c in d.descriptor.get("contributors") or []:
        if "publisher" in (c.get("roles") or []) and c.get("email"):
            return str(c["email"])
    return contact_email()


def publisher_type() -> str:
    """package.yaml's publisher_type -> its ADMS publisher-type URI ('' when unset)."""
    value = str(package_settings().get("publisher_type") or "")
    return value if not value or value.startswith("http") else PUBLISHER_TYPES + value


def site_licence() -> str:
    """package.yaml -> the URL of the licence new datasets (and the catalogue's metadata) are under."""
    licences = package_settings().get("licenses") or [{}]
    return str(licences[0].get("path") or "")


def _agent(name: str, kind: str = "") -> dict:
    out = {"@type": "foaf:Agent", "foaf:name": name}
    if kind:
        label = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", kind.rstrip("/").rsplit("/", 1)[-1])
        out["dct:type"] = {**_concept(kind, None, label), "skos:inScheme": {
            "@id": PUBLISHER_TYPES + "1.0", "@type": "skos:ConceptScheme", "dct:title": _lang("发布者类型", "Publisher type")}}
    return out


def _concept(uri: str, zh: str | None, en: str) -> dict:
    """A code-list value -> a typed, labelled skos:Concept (a harvester may not know the list)."""
    label = _lang(zh, en) if zh else [{"@value": en, "@language": "en"}]
    return {"@id": uri, "@type": "skos:Concept", "skos:prefLabel": label,
            "skos:inScheme": {"@id": uri.rstrip("/").rsplit("/", 1)[0]}}


def _contact(name: str, email: str = "") -> dict:
    out = {"@type": ["vcard:Organization", "vcard:Kind"], "vcard:fn": name}
    if email:
        out["vcard:hasEmail"] = {"@id": f"mailto:{email}"}
    return out


def _language(code: str) -> dict:
    return {"@id": f"{EU}language/{LANGUAGES[code]}", "@type": "dct:LinguisticSystem",
            "skos:inScheme": {"@id": f"{EU}language"}}


def _datetime(value: str) -> dict:
    return {"@value": value, "@type": "xsd:dateTime"}


def _lang(zh: str, en: str | None = None) -> list[dict]:
    out = [{"@value": zh, "@language": "zh"}]
    if en and en != zh:
        out.append({"@value": en, "@language": "en"})
    return out
