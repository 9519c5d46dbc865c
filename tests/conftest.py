"""Fixtures for the whole suite: real spreadsheets read in place from ../shared/data, and a Drive emulator."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from gdrivestats.emulator import Emulator, start_emulator

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
"""Real public spreadsheets, read in place and never copied into the project (see the project README)."""


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The folder of real spreadsheets; tests that use it skip (fail in CI) when it is absent."""
    if SHARED_DATA.is_dir():
        return SHARED_DATA
    reason = f"the real spreadsheets folder {SHARED_DATA} is absent (a fresh clone elsewhere)"
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; CI always has ../shared/data", pytrace=False)
    pytest.skip(reason)


@pytest.fixture
def emu() -> Iterator[Emulator]:
    """A fresh Drive v3 emulator on 127.0.0.1, stopped after the test."""
    with start_emulator() as emulator:
        yield emulator
