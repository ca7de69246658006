"""Fixtures of the reliability and security suite: packages of the seed report (as written, and
with one figure changed), a warm CLI for the fault tests, and the real CKAN stack."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from .support import SEED, WarmCli, variant_text



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


