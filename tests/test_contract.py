"""reportpub.contract: which copy of a contract file is read (--policy / $REPORTPUB_POLICY, then an
operator's folder, then the shipped copy), and config_hash following the files actually read."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

import reportpub
from reportpub import contract, settings
from reportpub.checks.base import PolicyError
from reportpub.cli import app
from reportpub.pipeline import config_hash

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()
NO_OVERRIDES = {contract.CONFIG_DIR_ENV: None, contract.POLICY_ENV: None}


@pytest.fixture(autouse=True)
def _no_operator_settings(monkeypatch):
    monkeypatch.delenv(contract.CONFIG_DIR_ENV, raising=False)
    monkeypatch.delenv(contract.POLICY_ENV, raising=False)


def _validation_copy(folder: Path, **severities) -> Path:
    """A copy of the repository's validation/ (policy and suites) in folder, severities changed."""
    shutil.copytree(ROOT / "validation", folder / "validation")
    policy = folder / "validation" / "policy.yaml"
    if severities:
        raw = yaml.safe_load(policy.read_text(encoding="utf-8"))
        raw["checks"].update(severities)
        policy.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return policy


def test_the_shipped_copy_is_the_repositorys_contract_inside_the_package():
    package_dir = Path(reportpub.__file__).parent
    for name in ("datapackage/units.csv", "schemas/facts.schema.json", "validation/policy.yaml"):
        assert contract.shipped(name).is_relative_to(package_dir / "_contract")
        assert contract.shipped(name).read_bytes() == (ROOT / name).read_bytes()
    assert contract.path("datapackage/units.csv") == contract.shipped("datapackage/units.csv")
    assert contract.policy() == contract.shipped("validation/policy.yaml")


def test_an_operator_folder_overrides_only_the_files_it_holds(tmp_path, monkeypatch):
    (tmp_path / "datapackage").mkdir()
    raw = yaml.safe_load((ROOT / "datapackage/package.yaml").read_text(encoding="utf-8"))
    raw["publisher"]["title"] = "Operator open data office"
    (tmp_path / "datapackage/package.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv(contract.CONFIG_DIR_ENV, str(tmp_path))
    assert contract.path("datapackage/package.yaml") == tmp_path / "datapackage/package.yaml"
    assert contract.path("datapackage/units.csv") == contract.shipped("datapackage/units.csv")
    assert settings.package_settings()["publisher"]["title"] == "Operator open data office"


def test_policy_precedence_is_option_then_environment_then_operator_folder_then_shipped(tmp_path, monkeypatch):
    folder_policy = _validation_copy(tmp_path / "op")
    monkeypatch.setenv(contract.CONFIG_DIR_ENV, str(tmp_path / "op"))
    assert contract.policy() == folder_policy
    monkeypatch.setenv(contract.POLICY_ENV, str(tmp_path / "env.yaml"))
    assert contract.policy() == tmp_path / "env.yaml"
    assert contract.policy(tmp_path / "option.yaml") == tmp_path / "option.yaml"


def test_a_validation_folder_without_its_policy_is_refused(tmp_path, monkeypatch):
    (tmp_path / "validation/suites").mkdir(parents=True)
    monkeypatch.setenv(contract.CONFIG_DIR_ENV, str(tmp_path))
    with pytest.raises(contract.ConfigError, match="holds no policy.yaml"):
        contract.policy()


def test_a_missing_config_dir_is_one_line_and_exit_2(tmp_path):
    missing = tmp_path / "nowhere"
    result = runner.invoke(app, ["--config-dir", str(missing), "build", str(ROOT / "examples/reports/x.txt"),
                                 "-o", str(tmp_path / "pkg")], env=NO_OVERRIDES)
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        f"reportpub config: {missing}: no such folder (--config-dir or $REPORTPUB_CONFIG_DIR names a folder "
        "with your own copies of schemas/, datapackage/ or validation/)"]
    assert not (tmp_path / "pkg").exists()


def test_the_policy_option_reaches_validation(tmp_path, package_copy):
    policy = _validation_copy(tmp_path, **{"facts.no_such_check": "error"})
    result = runner.invoke(app, ["--policy", str(policy), "validate", str(package_copy)], env=NO_OVERRIDES)
    # the console script's main() turns this PolicyError into one line and exit 2
    assert isinstance(result.exception, PolicyError)
    assert str(result.exception).startswith(f"{policy}: unknown check name(s) in `checks`: facts.no_such_check")


def test_config_hash_is_that_of_the_files_in_use(tmp_path, monkeypatch):
    shipped = config_hash()
    same = _validation_copy(tmp_path / "same")
    shutil.copytree(ROOT / "datapackage", tmp_path / "same/datapackage")
    monkeypatch.setenv(contract.CONFIG_DIR_ENV, str(tmp_path / "same"))
    assert config_hash() == shipped  # identical copies are the same configuration
    assert dict(contract.files_in_use())["validation/policy.yaml"] == same

    monkeypatch.setenv(contract.POLICY_ENV, str(_validation_copy(tmp_path / "env", **{"facts.value_base": "warning"})))
    by_policy = config_hash()
    assert by_policy != shipped

    suite = tmp_path / "env/validation/suites/reports.json"
    suite.write_text(suite.read_text(encoding="utf-8").replace("}", " }", 1), encoding="utf-8")
    assert config_hash() not in (shipped, by_policy)  # the policy's own suites are part of it

    monkeypatch.delenv(contract.POLICY_ENV)
    (tmp_path / "same/datapackage/scales.csv").write_text("scale,factor\n万,10000\n", encoding="utf-8")
    assert config_hash() != shipped
