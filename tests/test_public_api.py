"""The public API: every exported name resolves, and functions named like their modules stay functions."""

from __future__ import annotations

import subprocess
import sys

import gdrivestats


def test_every_exported_name_resolves() -> None:
    for name in gdrivestats.__all__:
        assert getattr(gdrivestats, name) is not None, name


def test_sync_and_connect_stay_functions_after_their_modules_are_imported() -> None:
    import gdrivestats.connect
    import gdrivestats.mirror.sync
    import gdrivestats.pipeline

    assert callable(gdrivestats.sync) and gdrivestats.sync.__name__ == "sync"
    assert callable(gdrivestats.connect) and gdrivestats.connect.__name__ == "connect"


def test_import_does_not_load_the_analysis_stack() -> None:
    code = "import sys, gdrivestats; print(sorted(m for m in ('pandas', 'matplotlib') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_the_sync_command_does_not_load_the_emulator_or_the_analysis_stack() -> None:
    code = (
        "import sys; from gdrivestats.cli import build_parser;"
        "build_parser('sync').parse_args(['sync', 'F']);"
        "heavy = ('gdrivestats.emulator.server', 'pandas', 'matplotlib');"
        "print(sorted(m for m in heavy if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_read_and_sample_path_are_public_functions_and_stay_light() -> None:
    code = (
        "import sys, gdrivestats;"
        "assert 'read' in gdrivestats.__all__ and 'sample_path' in gdrivestats.__all__;"
        "path = gdrivestats.sample_path(); import gdrivestats.reader, gdrivestats.location;"
        "assert callable(gdrivestats.read) and gdrivestats.read.__name__ == 'read';"
        "print(path.name, sorted(m for m in ('pandas', 'matplotlib') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "countries.xlsx []"
