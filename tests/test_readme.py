"""The README's two set-up commands stay true: CI runs exactly the test command it shows."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _setup_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Set up", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.+?)\n```", section, flags=re.S)


def test_readme_has_exactly_two_setup_commands() -> None:
    commands = _setup_commands()
    assert len(commands) == 2
    assert all("\n" not in c and c.startswith("python3 -m venv .venv") for c in commands)


def test_ci_runs_the_readme_test_command() -> None:
    test_command = _setup_commands()[1]
    assert test_command.endswith("pytest")
    ci_lines = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert test_command in ci_lines


def test_main_command_uses_the_console_script() -> None:
    main_command = _setup_commands()[0]
    assert "pip install ." in main_command and "gdrivestats " in main_command
