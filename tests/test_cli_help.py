"""`reportpub --help` is printed from src/reportpub/help.txt without importing typer; it must be
what typer renders for the commands as they are now (a command added or reworded without
`python -m reportpub.command --write-help` fails here)."""

import os
import subprocess
import sys
from pathlib import Path

REPORTPUB = Path(sys.executable).with_name("reportpub")
LIVE = "import sys; sys.argv[0] = 'reportpub'; from reportpub.cli import main; main()"


def run(command: list[str], columns: int) -> str:
    env = {**os.environ, "COLUMNS": str(columns)}
    return subprocess.run(command, capture_output=True, text=True, check=True, env=env).stdout


def test_the_quick_help_is_what_typer_renders_now():
    quick = run([str(REPORTPUB), "--help"], 100)
    assert quick == run([sys.executable, "-c", LIVE, "--help"], 100)
    assert "Commands:" in quick and "  run " in quick


def test_the_quick_help_imports_no_typer():
    code = ("import sys; sys.argv = ['reportpub', '--help']; from reportpub.command import main; main(); "
            "print('typer' in sys.modules, file=sys.stderr)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          env={**os.environ, "COLUMNS": "100"})
    assert proc.stderr.strip() == "False" and proc.stdout.startswith("Usage: reportpub")


def test_a_narrow_terminal_gets_the_help_typer_wraps_for_it():
    assert run([str(REPORTPUB), "--help"], 60) == run([sys.executable, "-c", LIVE, "--help"], 60)
