"""`reportpub --help` stays fast because the CLI module imports no heavy library: each command
imports what it needs when it runs. (The time itself is measured in benchmarks/cli_help.py.)"""

import subprocess
import sys

HEAVY = ("prefect", "great_expectations", "frictionless", "pandas", "pyarrow", "rich", "yaml")


def test_importing_the_cli_loads_no_heavy_library():
    code = ("import sys, reportpub.cli; "
            f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_help_lists_every_command_without_loading_them():
    code = ("import sys\nfrom reportpub.cli import app\nfrom typer.testing import CliRunner\n"
            "out = CliRunner().invoke(app, ['--help']).output\n"
            f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))\nprint(out)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    loaded, help_text = out.split("\n", 1)
    assert loaded == "[]"
    for command in ("build", "validate", "publish", "run", "approve", "reject", "serve"):
        assert f"  {command} " in help_text
