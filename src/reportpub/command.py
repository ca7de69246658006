"""The `reportpub` command's entry point.

`reportpub --help` is the first thing an operator types and must answer under 0.2 s; importing
typer alone takes most of that. So the top-level help is kept as typer renders it
(`help.txt`, rewritten by `python -m reportpub.command --write-help`; tests/test_cli_help.py fails
when it differs from what typer renders now) and printed without importing typer. Every other
invocation, and the help on a terminal narrower than typer's 80 columns, goes to `cli.main`.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

HELP = Path(__file__).with_name("help.txt")
HELP_WIDTH = 80  # click wraps help to min(terminal width, 80) - 2: on 80 columns and more it is this text


def main() -> None:
    if sys.argv[1:] == ["--help"] and os.path.basename(sys.argv[0]) == "reportpub" and _wide_terminal():
        try:
            sys.stdout.write(HELP.read_text(encoding="utf-8"))
            return
        except OSError:
            pass  # an installation without the file: typer renders it
    from .cli import main as run

    run()


def _wide_terminal() -> bool:
    from shutil import get_terminal_size

    return get_terminal_size((HELP_WIDTH, 24)).columns >= HELP_WIDTH


def rendered_help() -> str:
    """The top-level help as typer renders it at 80 columns for the command `reportpub`."""
    from typer.testing import CliRunner

    from .cli import app

    # click formats to min(terminal, 80) - 2 columns
    return CliRunner().invoke(app, ["--help"], prog_name="reportpub", terminal_width=HELP_WIDTH - 2).output


if __name__ == "__main__" and sys.argv[1:] == ["--write-help"]:
    HELP.write_text(rendered_help(), encoding="utf-8")
