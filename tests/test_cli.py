"""The CLI: exit codes, written files, a portal left unchanged by a refused publish, and docs."""

import hashlib
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reportpub.cli import app

from .conftest import ROOT, SEED
from .pkgtools import rewrite_facts, set_field

runner = CliRunner()


def tree_digest(root: Path) -> dict:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()} if root.exists() else {}


def break_first_quote(pkg: Path, quote: str = "999亿元") -> None:
    """Change one fact's quote in both files, hashes and manifest updated: only the content is wrong."""
    rewrite_facts(pkg, set_field("quote", quote))


def test_build_writes_a_package(tmp_path):
    result = runner.invoke(app, ["build", str(SEED), "-o", str(tmp_path / "pkg")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "pkg/datapackage.json").is_file()
    assert re.search(r"\d+ facts", result.output)


def test_validate_a_good_package_exits_0_and_writes_reports(package_copy):
    result = runner.invoke(app, ["validate", str(package_copy)])
    assert result.exit_code == 0, result.output
    assert (package_copy / "validation.json").is_file() and (package_copy / "validation.html").is_file()


def test_validate_a_broken_package_exits_1_naming_the_check(package_copy):
    break_first_quote(package_copy)
    result = runner.invoke(app, ["validate", str(package_copy)])
    assert result.exit_code == 1
    assert "provenance" in result.output


def test_publish_refuses_a_broken_package_and_leaves_the_portal_unchanged(seed_package, package_copy, tmp_path):
    portal = tmp_path / "portal"
    assert runner.invoke(app, ["publish", str(seed_package), "--portal", str(portal)]).exit_code == 0
    before = tree_digest(portal)
    break_first_quote(package_copy)
    result = runner.invoke(app, ["publish", str(package_copy), "--portal", str(portal)])
    assert result.exit_code == 1
    assert tree_digest(portal) == before


def test_publish_twice_is_unchanged_and_latest_points_to_the_release(seed_package, tmp_path):
    portal = tmp_path / "portal"
    first = runner.invoke(app, ["publish", str(seed_package), "--portal", str(portal)])
    second = runner.invoke(app, ["publish", str(seed_package), "--portal", str(portal)])
    assert first.exit_code == second.exit_code == 0
    assert "unchanged" in second.output
    latest = portal / "datasets/bda-2022-work-summary/latest"
    assert latest.is_symlink() and (latest / "data/facts.csv").is_file()
    assert "bda-2022-work-summary" in (portal / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("content", [b"", b"\x00\x01\x02binary\xff\xfe" * 100])
def test_bad_input_exits_2_with_one_line_and_builds_nothing(tmp_path, content):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(content)
    proc = subprocess.run([sys.executable, "-m", "reportpub", "build", str(bad), "-o", str(tmp_path / "out")],
                          capture_output=True, text=True)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


def test_missing_file_exits_2(tmp_path):
    result = runner.invoke(app, ["build", str(tmp_path / "nope.txt"), "-o", str(tmp_path / "out")])
    assert result.exit_code == 2


def test_gb18030_copy_gives_the_same_facts(tmp_path):
    copy = tmp_path / "bda-2022-work-summary.txt"
    copy.write_bytes(SEED.read_text(encoding="utf-8").encode("gb18030"))
    for src, out in ((SEED, "a"), (copy, "b")):
        assert runner.invoke(app, ["build", str(src), "-o", str(tmp_path / out)]).exit_code == 0
    assert (tmp_path / "a/data/facts.csv").read_bytes() == (tmp_path / "b/data/facts.csv").read_bytes()


def test_eval_prints_the_reference_figures(seed_package):
    gold = ROOT / "tests/fixtures/gold/bda-2022-work-summary.gold.csv"
    result = runner.invoke(app, ["eval", str(seed_package), str(gold), str(SEED)])
    assert result.exit_code == 0
    assert re.search(r"precision [01]\.\d{3}  recall [01]\.\d{3}  F1 [01]\.\d{3}", result.output)


def test_every_command_has_help_with_an_example_and_a_readme_entry():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = [c.name or c.callback.__name__ for c in app.registered_commands]
    assert set(commands) >= {"build", "validate", "publish", "run", "eval"}
    for name in commands:
        result = runner.invoke(app, [name, "--help"])
        assert result.exit_code == 0 and "Example:" in result.output, name
        assert f"reportpub {name}" in readme, name


def test_help_is_fast_and_imports_neither_prefect_nor_gx():
    code = "import sys; from reportpub.cli import app; print('prefect' in sys.modules, 'great_expectations' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


def test_publish_ckan_without_a_token_exits_2(package_copy, monkeypatch):
    monkeypatch.delenv("CKAN_API_TOKEN", raising=False)
    result = runner.invoke(app, ["publish-ckan", str(package_copy), "--url", "http://127.0.0.1:1", "--org", "x"])
    assert result.exit_code == 2 and "CKAN_API_TOKEN" in result.output
