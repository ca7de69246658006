"""Fixtures of the reliability and security suite: packages of the seed report (as written, and
with one figure changed), a warm CLI for the fault tests, and the real CKAN stack."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import requests

from .support import ROOT, SEED, WarmCli, variant_text

CKAN_ENV_FILE = Path(os.environ.get("CKAN_ENV_FILE") or ROOT / ".run" / "ckan" / "ckan.env")


@pytest.fixture(scope="session")
def variants(tmp_path_factory) -> dict[int, Path]:
    """Packages of the seed report: 0 as written, 1..4 with 地方级收入 growth 3.7 .. 6.7 %.
    Every variant's report has the seed's file name, so all are releases of one dataset."""
    from reportpub.pipeline import build_package

    root = tmp_path_factory.mktemp("variants")
    out = {}
    for k in range(5):
        report = root / f"src{k}" / SEED.name
        report.parent.mkdir()
        report.write_text(variant_text(k), encoding="utf-8")
        build_package([report], root / f"pkg{k}")
        out[k] = root / f"pkg{k}"
    return out


@pytest.fixture
def pkg(variants, tmp_path):
    """Fresh copies of the variant packages for one test (publishing writes validation reports into them)."""
    def copy(k: int) -> Path:
        dest = tmp_path / "packages" / f"v{k}"
        if not dest.exists():
            shutil.copytree(variants[k], dest)
        return dest
    return copy


@pytest.fixture(scope="session")
def warm_cli(variants, tmp_path_factory):
    cli = WarmCli(variants[0], tmp_path_factory.mktemp("warm-cli"))
    yield cli
    cli.close()


@pytest.fixture(scope="session")
def ckan_env() -> dict[str, str]:
    """The real CKAN 2.12 of services/ckan/stack.sh; the tests FAIL without it (unless REPORTPUB_SKIP_CKAN=1)."""
    if os.environ.get("REPORTPUB_SKIP_CKAN") == "1":
        pytest.skip("REPORTPUB_SKIP_CKAN=1: CKAN tests skipped on this developer machine")
    if not CKAN_ENV_FILE.is_file():
        pytest.fail(f"the CKAN test stack is not running ({CKAN_ENV_FILE} is missing): run `make ckan-up` "
                    "first (REPORTPUB_SKIP_CKAN=1 skips the CKAN tests locally)", pytrace=False)
    env = {}
    for line in CKAN_ENV_FILE.read_text(encoding="utf-8").splitlines():
        if "=" in line and not line.lstrip().startswith("#"):
            key, value = line.split("=", 1)
            env[key.strip()] = value.strip()
    try:
        requests.get(f"{env['CKAN_URL']}/api/3/action/status_show", timeout=10).raise_for_status()
    except (requests.RequestException, KeyError) as exc:
        pytest.fail(f"CKAN from {CKAN_ENV_FILE} does not answer ({type(exc).__name__}): run `make ckan-up`",
                    pytrace=False)
    return env
