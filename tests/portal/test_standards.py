"""The catalogues against the standards' own validators (tests/standards/, see its README):
DCAT-AP 3.0.1 SHACL shapes with pyshacl, Project Open Data v1.1 JSON Schema with its URI formats,
and what a harvester needs: absolute IRIs that name files of the portal, right coverage, sitemap."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import pytest
import rdflib
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, SKOS

from reportpub.portal import render_portal

from .conftest import parse_catalog

STANDARDS = Path(__file__).resolve().parents[1] / "standards"
SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
DCATAP = rdflib.Namespace("http://data.europa.eu/r5r/")
EU_FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"
DAQING = "daqing-2016h1-economy"


def shacl(data: rdflib.Graph, shapes: str, **kwargs) -> list[dict]:
    """pyshacl on the data -> the violations, each as {path, focus, value, message}."""
    import pyshacl

    shapes_graph = rdflib.Graph().parse(STANDARDS / shapes)
    _, report, _ = pyshacl.validate(data, shacl_graph=shapes_graph, **kwargs)
    return [{"path": report.value(r, SH.resultPath), "focus": report.value(r, SH.focusNode),
             "value": report.value(r, SH.value), "message": str(report.value(r, SH.resultMessage))}
            for r in report.subjects(RDF.type, SH.ValidationResult)
            if report.value(r, SH.resultSeverity) == SH.Violation]


def vocabularies() -> rdflib.Graph:
    g = rdflib.Graph().parse(STANDARDS / "dcat3.ttl")
    g.parse(STANDARDS / "filetypes-skos_20221214.rdf")
    g.parse(STANDARDS / "data-theme-skos-ap-act_20161225.ttl")
    return g


def pod_validator():
    """The POD v1.1 non-federal catalog schema, its $refs resolved offline, `format: uri` enforced."""
    from jsonschema import Draft4Validator, FormatChecker
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT4

    base = "https://project-open-data.cio.gov/v1.1/schema/"
    schemas = {f: json.loads((STANDARDS / f).read_text(encoding="utf-8")) for f in
               ("catalog.json", "dataset-non-federal.json", "distribution.json", "organization.json",
                "vcard-non-federal.json")}
    registry = Registry().with_resources(
        (base + f, DRAFT4.create_resource(s)) for f, s in schemas.items())
    return Draft4Validator(schemas["catalog.json"], registry=registry, format_checker=FormatChecker())


def uri_errors(errors) -> list[str]:
    """JSON Schema errors -> the values refused by `format: uri`, looking inside anyOf branches."""
    out = []
    for e in errors:
        out += [repr(e.instance)] if e.validator == "format" else uri_errors(e.context)
    return out


def schema_org(portal: Path, name: str) -> dict:
    html = (portal / "datasets" / name / "index.html").read_text(encoding="utf-8")
    return json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.DOTALL).group(1))


def portal_file(portal: Path, base: str, url: str) -> Path:
    """An absolute URL under the portal's address -> the file it names in the portal folder."""
    path = urldefrag(url)[0][len(base):]
    return portal / (path + "index.html" if path == "" or path.endswith("/") else path)


# --- DCAT-AP 3.0.1 -----------------------------------------------------------------------------

def test_catalog_jsonld_has_no_violation_of_the_dcat_ap_3_shapes(harvest_portal):
    assert shacl(parse_catalog(harvest_portal.path), "3.0.1-shapes.ttl") == []


def test_catalog_jsonld_has_no_range_violation_with_dcat3_and_the_eu_vocabularies(harvest_portal):
    """Range shapes with DCAT 3 and the EU code lists as background and RDFS inference.

    One conflict lies in the standards, not the data: DCAT 3 makes dcat:dataset a sub-property of
    dcat:resource, itself a sub-property of dct:hasPart, while DCAT-AP's range for a catalogue's
    dct:hasPart is dcat:Catalog; so under RDFS inference every catalogue that lists a dataset
    "violates" it. Those results, and only those, are set aside here.
    """
    data = parse_catalog(harvest_portal.path)
    violations = shacl(data, "3.0.1-range.ttl", ont_graph=vocabularies(), inference="rdfs")
    catalog = data.value(predicate=RDF.type, object=DCAT.Catalog)
    conflict = [v for v in violations if v["path"] == DCTERMS.hasPart and v["focus"] == catalog
                and (catalog, DCAT.dataset, v["value"]) in data]
    assert len(conflict) == len(harvest_portal.names)
    assert [v for v in violations if v not in conflict] == []


def test_vocabulary_values_are_typed_without_background_knowledge(harvest_portal):
    """The range shapes pass on the catalogue alone, without DCAT 3 or the code lists, apart from
    the same dct:hasPart conflict (which needs the ontology to appear at all): none here."""
    assert shacl(parse_catalog(harvest_portal.path), "3.0.1-range.ttl") == []


def test_recommended_properties_are_present(harvest_portal):
    g = parse_catalog(harvest_portal.path)
    catalog = g.value(predicate=RDF.type, object=DCAT.Catalog)
    for prop in (DCTERMS.issued, DCTERMS.modified, DCTERMS.license, DCAT.themeTaxonomy, FOAF.homepage):
        assert g.value(catalog, prop) is not None, prop
    known_types = {str(s) for s in vocabularies().subjects(SKOS.inScheme, rdflib.URIRef(EU_FILE_TYPE.rstrip("/")))}
    for ds in g.objects(catalog, DCAT.dataset):
        publisher = g.value(ds, DCTERMS.publisher)
        assert (publisher, RDF.type, FOAF.Agent) in g and g.value(publisher, DCTERMS.type) is not None
        assert g.value(g.value(ds, DCAT.contactPoint), rdflib.URIRef("http://www.w3.org/2006/vcard/ns#hasEmail"))
        assert g.value(ds, DCTERMS.temporal) is not None and g.value(ds, DCAT.theme) is not None
        formats = set()
        for dist in g.objects(ds, DCAT.distribution):
            assert g.value(dist, DCTERMS.description) is not None, dist
            assert g.value(dist, DCATAP.availability) is not None, dist
            formats.add(str(g.value(dist, DCTERMS.format)))
        assert {f.removeprefix(EU_FILE_TYPE) for f in formats} == {"CSV", "PARQUET", "XLSX", "JSON", "ZIP"}
        # every one in the EU list of 2022-12-14, but PARQUET, which later versions of the list add
        assert formats - known_types == {EU_FILE_TYPE + "PARQUET"}


def test_spatial_coverage_comes_from_the_reports_region(portal_copy):
    """大庆市, read from the report (its publisher 大庆市统计局), is the spatial coverage everywhere."""
    descriptor_path = portal_copy / "datasets" / DAQING / "latest" / "datapackage.json"
    descriptor = json.loads(descriptor_path.read_text(encoding="utf-8"))
    assert descriptor["sources"][0]["region"] == "大庆市"
    render_portal(portal_copy, base_url="https://data.example.org/")
    g = parse_catalog(portal_copy)
    places = {str(g.value(p, SKOS.prefLabel)): p for p in g.objects(None, DCTERMS.spatial)}
    assert "大庆市" in places and (places["大庆市"], RDF.type, DCTERMS.Location) in g
    assert shacl(g, "3.0.1-shapes.ttl") == []
    pod = {d["identifier"]: d for d in json.loads((portal_copy / "data.json").read_text(encoding="utf-8"))["dataset"]}
    assert pod[f"https://data.example.org/datasets/{DAQING}/#dataset"]["spatial"] == "大庆市"
    assert schema_org(portal_copy, DAQING)["spatialCoverage"] == [{"@type": "Place", "name": "大庆市"}]


# --- absolute IRIs -----------------------------------------------------------------------------

def test_every_iri_is_absolute_and_every_one_under_the_portal_names_one_of_its_files(harvest_portal):
    portal, base = harvest_portal.path, harvest_portal.base
    g = parse_catalog(portal)
    iris = {str(t) for triple in g for t in triple if isinstance(t, rdflib.URIRef)}
    pod = json.loads((portal / "data.json").read_text(encoding="utf-8"))
    iris |= {pod["@id"]} | {ds[k] for ds in pod["dataset"] for k in ("identifier", "landingPage", "describedBy")}
    iris |= {d["downloadURL"] for ds in pod["dataset"] for d in ds["distribution"]}
    for name in harvest_portal.names:
        org = schema_org(portal, name)
        iris |= {org["url"], org["includedInDataCatalog"]["url"]} | {d["contentUrl"] for d in org["distribution"]}
        html = (portal / "datasets" / name / "index.html").read_text(encoding="utf-8")
        iris |= set(re.findall(r'<link rel="canonical" href="([^"]+)"', html))
    sitemap = (portal / "sitemap.xml").read_text(encoding="utf-8")
    iris |= set(re.findall(r"<loc>([^<]+)</loc>", sitemap))
    assert len(iris) > 100
    relative = sorted(i for i in iris if not urlsplit(i).scheme)
    assert relative == []
    ours = [i for i in iris if i.startswith(base)]
    missing = sorted(i for i in ours if not portal_file(portal, base, i).is_file())
    assert len(ours) >= 90 and missing == []


def test_without_a_base_url_the_catalogue_is_not_harvestable(sample_portal):
    """The sample portal was rendered with no public address: its IRIs are relative, which POD's
    `format: uri` refuses; this is what `publish` warns about."""
    pod = json.loads((sample_portal.path / "data.json").read_text(encoding="utf-8"))
    errors = list(pod_validator().iter_errors(pod))
    assert errors and len(uri_errors(errors)) >= len(errors)
    assert "'datasets/daqing-2016h1-economy/index.html'" in uri_errors(errors)


def test_sitemap_and_robots_are_at_the_root(harvest_portal):
    base = harvest_portal.base
    sitemap = (harvest_portal.path / "sitemap.xml").read_text(encoding="utf-8")
    locs = re.findall(r"<loc>([^<]+)</loc>", sitemap)
    assert locs[0] == base + "index.html"
    assert {f"{base}datasets/{n}/index.html" for n in harvest_portal.names} <= set(locs)
    robots = (harvest_portal.path / "robots.txt").read_text(encoding="utf-8")
    assert "User-agent: *" in robots and f"Sitemap: {base}sitemap.xml" in robots


# --- Project Open Data -------------------------------------------------------------------------

def test_data_json_is_valid_against_the_pod_non_federal_schema_with_uri_formats(harvest_portal):
    validator = pod_validator()
    pod = json.loads((harvest_portal.path / "data.json").read_text(encoding="utf-8"))
    assert [e.message for e in validator.iter_errors(pod)] == []
    for ds in pod["dataset"]:
        assert re.fullmatch(r"mailto:[^@]+@[^@]+\.\w+", ds["contactPoint"]["hasEmail"])
    broken = json.loads(json.dumps(pod))
    broken["dataset"][0]["distribution"][0]["downloadURL"] = "datasets/x/data/facts.csv"
    assert uri_errors(validator.iter_errors(broken)) == ["'datasets/x/data/facts.csv'"]  # the checker has teeth


# --- temporal coverage -------------------------------------------------------------------------

def test_temporal_coverage_is_the_reports_own_period_in_every_metadata_output(harvest_portal):
    """The first-half 2016 analysis covers 2016-01/2016-06 in datapackage.json (and so CKAN),
    catalog.jsonld, data.json and schema.org alike."""
    from reportpub.ckan.metadata import dataset_fields

    portal = harvest_portal.path
    descriptor = json.loads((portal / "datasets" / DAQING / "latest" / "datapackage.json").read_text(encoding="utf-8"))
    assert descriptor["temporal"] == {"start": "2016-01-01", "end": "2016-06-30"}
    ckan = {e["key"]: e["value"] for e in dataset_fields(descriptor, name=DAQING, org_id="o", version="1.0.0")["extras"]}
    assert (ckan["temporal_start"], ckan["temporal_end"]) == ("2016-01-01", "2016-06-30")
    g = parse_catalog(portal)
    ds = rdflib.URIRef(f"{harvest_portal.base}datasets/{DAQING}/#dataset")
    period = g.value(ds, DCTERMS.temporal)
    assert (str(g.value(period, DCAT.startDate)), str(g.value(period, DCAT.endDate))) == ("2016-01-01", "2016-06-30")
    pod = {d["identifier"]: d for d in json.loads((portal / "data.json").read_text(encoding="utf-8"))["dataset"]}
    assert pod[str(ds)]["temporal"] == "2016-01-01/2016-06-30"
    assert schema_org(portal, DAQING)["temporalCoverage"] == "2016-01-01/2016-06-30"


@pytest.mark.parametrize("name, period", [("bda-2022-work-summary", ("2022-01-01", "2022-12-31")),
                                          ("national-2023-gwr", ("2022-01-01", "2022-12-31"))])
def test_a_work_report_covers_its_year_not_its_comparisons_or_targets(harvest_portal, name, period):
    descriptor = json.loads((harvest_portal.path / "datasets" / name / "latest" / "datapackage.json").read_text(encoding="utf-8"))
    assert (descriptor["temporal"]["start"], descriptor["temporal"]["end"]) == period
