"""The wheel works without the repository: built with uv, installed into a fresh virtual environment
(dependencies from requirements.lock, from uv's cache only), it builds, validates and publishes a
report from a folder outside the checkout with the contract files it carries, installs no
top-level `flows`, and lets an operator's own policy and files override the shipped ones."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml

from reportpub.pipeline import config_hash

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
UV = Path(sys.executable).parent / "uv"
REPORT = ROOT / "examples" / "reports" / "bda-2022-work-summary.txt"
NAME = "bda-2022-work-summary"


def _env(**extra: str) -> dict[str, str]:
    """The caller's environment without anything that would let the checkout leak in. Bytecode is
    written (into the fresh venv, as a plain `pip install` would have compiled it): otherwise each
    command here compiles Prefect, Great Expectations, pandas... from source again."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME", "PYTHONDONTWRITEBYTECODE")
           and not k.startswith("REPORTPUB_")}
    return {**env, **extra}


def _run(args, cwd: Path, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(a) for a in args], cwd=cwd, env=_env(**env), capture_output=True, text=True,
                          timeout=300)


def _ok(args, cwd: Path, **env: str) -> subprocess.CompletedProcess:
    done = _run(args, cwd, **env)
    assert done.returncode == 0, f"{' '.join(map(str, args))} -> {done.returncode}\n{done.stdout}{done.stderr}"
    return done


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """`uv build` on a copy of the checkout's files (the build writes egg-info next to the sources):
    the sdist, then the wheel built from that sdist, as an index would get them."""
    source, dist = tmp_path_factory.mktemp("source"), tmp_path_factory.mktemp("dist")
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"], cwd=ROOT,
                            capture_output=True, text=True, check=True).stdout
    for name in filter(None, listed.split("\0")):
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        if (ROOT / name).is_symlink():
            (source / name).symlink_to(os.readlink(ROOT / name))
        elif (ROOT / name).is_file():
            shutil.copy2(ROOT / name, source / name)
    _ok([UV, "build", "--offline", "--quiet", "--out-dir", dist, source], cwd=dist)
    return next(dist.glob("reportpub-*.whl"))


@pytest.fixture(scope="module")
def venv(wheel, tmp_path_factory) -> Path:
    """A fresh virtual environment with the locked dependencies and the wheel, nothing from the checkout."""
    venv = tmp_path_factory.mktemp("venv")
    python = venv / "bin" / "python"
    _ok([UV, "venv", "--offline", "--quiet", "--python", sys.executable, venv], cwd=venv)
    _ok([UV, "pip", "install", "--offline", "--quiet", "--python", python, "-r", ROOT / "requirements.lock"], cwd=venv)
    _ok([UV, "pip", "install", "--offline", "--quiet", "--no-deps", "--python", python, wheel], cwd=venv)
    return venv


@pytest.fixture
def outside(tmp_path) -> Path:
    """A working folder outside the repository holding a copy of a sample report."""
    assert not tmp_path.is_relative_to(ROOT)
    shutil.copy(REPORT, tmp_path / REPORT.name)
    return tmp_path


def test_the_wheel_holds_the_contract_and_only_the_reportpub_package(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    tracked = subprocess.run(["git", "ls-files", "schemas", "datapackage", "validation"], cwd=ROOT,
                             capture_output=True, text=True, check=True).stdout.split()
    assert len(tracked) >= 10
    assert {f"reportpub/_contract/{f}" for f in tracked} <= names
    assert {n.split("/")[0] for n in names if ".dist-info/" not in n} == {"reportpub"}


def test_build_validate_publish_from_a_folder_outside_the_repository(venv, outside, seed_package):
    bin_ = venv / "bin"
    where = _ok([bin_ / "python", "-c", "import reportpub.contract as c; print(c.shipped())"], outside).stdout
    assert Path(where.strip()).is_relative_to(venv)

    _ok([bin_ / "reportpub", "build", REPORT.name, "-o", "pkg"], outside)
    assert (outside / "pkg/data/facts.csv").read_bytes() == (seed_package / "data/facts.csv").read_bytes()
    validated = _ok([bin_ / "reportpub", "validate", "pkg"], outside)
    assert validated.stdout.startswith("valid:") and (outside / "pkg/validation.html").is_file()
    _ok([bin_ / "reportpub", "publish", "pkg", "--portal", "portal"], outside)

    release = outside / "portal/datasets" / NAME / "releases/1.0.0"
    assert json.loads((release / "datapackage.json").read_text(encoding="utf-8"))["name"] == NAME
    assert NAME in (outside / "portal/catalog.json").read_text(encoding="utf-8")
    assert (outside / "portal/datasets" / NAME / "index.html").is_file()


def test_no_top_level_flows_package_is_installed(venv, outside):
    done = _run([venv / "bin/python", "-c", "import flows"], outside)
    assert done.returncode == 1 and "No module named 'flows'" in done.stderr


def test_an_operators_policy_changes_config_hash(venv, outside):
    shipped = outside / "shipped"
    shutil.copytree(ROOT / "validation", shipped)
    changed = outside / "changed"
    shutil.copytree(ROOT / "validation", changed)
    raw = yaml.safe_load((changed / "policy.yaml").read_text(encoding="utf-8"))
    raw["checks"]["facts.value_base"] = "warning"
    (changed / "policy.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")

    code = ("import os, sys; from reportpub.pipeline import config_hash\n"
            "for policy in sys.argv[1:]:\n"
            "    os.environ['REPORTPUB_POLICY'] = policy\n"
            "    print(config_hash())")
    none, same, other = _ok([venv / "bin/python", "-c", code, "", shipped / "policy.yaml", changed / "policy.yaml"],
                            outside).stdout.split()
    assert none == config_hash()  # the wheel carries the checkout's contract, byte for byte
    assert same == config_hash()  # an identical copy is the same configuration
    assert other != config_hash()


def test_an_operators_folder_overrides_the_shipped_metadata(venv, outside):
    settings = yaml.safe_load((ROOT / "datapackage/package.yaml").read_text(encoding="utf-8"))
    settings["keywords"] = ["operator keyword"]
    (outside / "mine/datapackage").mkdir(parents=True)
    (outside / "mine/datapackage/package.yaml").write_text(yaml.safe_dump(settings, allow_unicode=True),
                                                           encoding="utf-8")
    _ok([venv / "bin/reportpub", "--config-dir", "mine", "build", REPORT.name, "-o", "pkg"], outside)
    descriptor = json.loads((outside / "pkg/datapackage.json").read_text(encoding="utf-8"))
    assert descriptor["keywords"] == ["operator keyword"]
