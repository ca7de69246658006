import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
REPORTS = ROOT / "examples" / "reports"
FIXTURES = Path(__file__).parent / "fixtures"
SEED = REPORTS / "bda-2022-work-summary.txt"


@pytest.fixture(scope="session")
def seed_package(tmp_path_factory):
    """The seed report built once per session (tests copy it before breaking it)."""
    from reportpub.pipeline import build_package

    out = tmp_path_factory.mktemp("seed") / "pkg"
    build_package([SEED], out)
    return out


@pytest.fixture
def package_copy(seed_package, tmp_path):
    dest = tmp_path / "pkg"
    shutil.copytree(seed_package, dest)
    return dest


@pytest.fixture(autouse=True, scope="session")
def _prefect_home(tmp_path_factory):
    os.environ.setdefault("PREFECT_HOME", str(tmp_path_factory.mktemp("prefect-home")))


@pytest.fixture(scope="session")
def prefect_harness(_prefect_home):
    """A temporary Prefect server for flows run inside the test process, stopped with the session."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=90):
        yield
