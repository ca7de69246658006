import os
import shutil
from pathlib import Path

import pytest

from .prefect_server import prefect_server, start_early, stop_early  # noqa: F401 - one real server for the session

ROOT = Path(__file__).resolve().parents[1]
REPORTS = ROOT / "examples" / "reports"
FIXTURES = Path(__file__).parent / "fixtures"
SEED = REPORTS / "bda-2022-work-summary.txt"


def pytest_collection_finish(session):
    start_early(session)  # the Prefect server comes up while the first tests run


def pytest_unconfigure(config):
    stop_early()


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
def prefect_harness(_prefect_home, prefect_server):
    """Flows run inside the test process report to the session's one real Prefect server (a second,
    temporary server of prefect_test_harness would cost another start of half a minute)."""
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings(updates={PREFECT_API_URL: prefect_server.url}):
        yield
        APILogWorker.drain_all()  # what the flows logged reaches the server before it stops
        EventsWorker.drain_all()


CKAN_ENV_FILE = Path(os.environ.get("CKAN_ENV_FILE") or ROOT / ".run" / "ckan" / "ckan.env")


def read_env(path: Path) -> dict[str, str]:
    """KEY=value lines (services/ckan/stack.sh writes no quotes, no spaces) -> dict."""
    env = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            env[key.strip()] = value.strip()
    return env


@pytest.fixture(scope="session")
def ckan_env() -> dict[str, str]:
    """The real CKAN 2.12 of services/ckan/stack.sh; tests FAIL without it (unless REPORTPUB_SKIP_CKAN=1)."""
    import requests

    if os.environ.get("REPORTPUB_SKIP_CKAN") == "1":
        pytest.skip("REPORTPUB_SKIP_CKAN=1: CKAN tests skipped on this developer machine")
    if not CKAN_ENV_FILE.is_file():
        pytest.fail(f"the CKAN test stack is not running ({CKAN_ENV_FILE} is missing): run `make ckan-up` "
                    "first (REPORTPUB_SKIP_CKAN=1 skips the CKAN tests locally)", pytrace=False)
    env = read_env(CKAN_ENV_FILE)
    try:
        requests.get(f"{env['CKAN_URL']}/api/3/action/status_show", timeout=10).raise_for_status()
    except (requests.RequestException, KeyError) as exc:
        pytest.fail(f"CKAN from {CKAN_ENV_FILE} does not answer ({type(exc).__name__}): run `make ckan-up`",
                    pytrace=False)
    return env


SHARED = ROOT.parent / "shared"
PROVINCES = SHARED / "reports" / "provinces-2026"
HEADLINE_KEY = SHARED / "gold" / "headline-2026.dev.csv"


def shared_reports() -> Path:
    """The ten provincial reports beside the checkout; their absence fails (CI always has them)."""
    if not PROVINCES.is_dir():
        pytest.fail(f"{PROVINCES} is missing: the real-report tests need ../shared beside the checkout")
    return PROVINCES


@pytest.fixture(scope="session")
def provinces_portal(tmp_path_factory, prefect_harness):
    """The ten provincial reports published to one portal by the real `reportpub run`, as a new
    user would: no metadata given, the files exactly as scraped."""
    import subprocess
    import sys

    from prefect.settings import PREFECT_API_URL

    root = tmp_path_factory.mktemp("provinces")
    env = {**os.environ, "PREFECT_API_URL": PREFECT_API_URL.value()}
    run = subprocess.run([str(Path(sys.executable).parent / "reportpub"), "run", str(shared_reports()),
                          "--portal", "portal", "--work-dir", "build"],
                         cwd=root, env=env, capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stdout + run.stderr
    return root / "portal"
