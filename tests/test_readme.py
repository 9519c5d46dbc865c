"""The README's two set-up commands stay true: CI runs exactly the test command it shows."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

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
    assert test_command.endswith(("pytest", "pytest -n 2"))  # -n 2: two processes (pytest-xdist)
    ci_lines = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert test_command in ci_lines


def test_main_command_uses_the_console_script() -> None:
    main_command = _setup_commands()[0]
    assert "pip install ." in main_command and "gdrivestats " in main_command


def _python_examples() -> list[str]:
    """Every Python example of the README except the Colab one (it needs google.colab and a Drive mount)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.+?)\n```", readme, flags=re.S)
    return [b for b in blocks if "google.colab" not in b]


@pytest.mark.slow  # each README example in a fresh interpreter, one against the emulator (end to end)
def test_the_readme_python_examples_run_as_written(tmp_path: Path) -> None:
    """Each example in a fresh interpreter, in an empty folder; drive: examples against the emulator."""
    import os
    import subprocess
    import sys

    from gdrivestats.emulator import start_emulator
    from gdrivestats.reader import sample_path

    examples = _python_examples()
    assert len(examples) >= 2 and any("drive:Colab" in e for e in examples)
    seed = tmp_path / "seed" / "Colab Notebooks"
    seed.mkdir(parents=True)
    (seed / "countries.xlsx").write_bytes(sample_path().read_bytes())
    with start_emulator(seed=tmp_path / "seed") as emu:
        env = {**os.environ, "GDRIVESTATS_DRIVE_URL": emu.url, "GDRIVESTATS_ACCESS_TOKEN": "readme-token"}
        for number, example in enumerate(examples):
            work = tmp_path / f"example-{number}"
            work.mkdir()
            done = subprocess.run(
                [sys.executable, "-c", example],
                cwd=work,
                env=env,
                capture_output=True,
                text=True,
                timeout=300,
            )
            assert done.returncode == 0, f"README example {number} failed:\n{example}\n{done.stderr}"
            if "report.save(" in example:
                assert (work / "out" / "summary.json").is_file()
            if "nlargest" in example:
                assert "China" in done.stdout and "1318683096" in done.stdout
            if "drive:Colab" in example:
                assert "142 countries;" in done.stdout
