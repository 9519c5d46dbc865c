"""Fixtures for the whole suite: real spreadsheets read in place from ../shared/data, and a Drive emulator."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from gdrivestats.emulator import Emulator, start_emulator
from tests.support import unavailable

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
"""Real public spreadsheets, read in place and never copied into the project (see the project README)."""


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The folder of real spreadsheets; tests that use it skip (fail in CI) when it is absent."""
    if SHARED_DATA.is_dir():
        return SHARED_DATA
    unavailable(f"the real spreadsheets folder {SHARED_DATA} is absent (a fresh clone elsewhere)")


@pytest.fixture
def start_emu() -> Iterator[Callable[..., Emulator]]:
    """Start Drive v3 emulators on 127.0.0.1 (``start_emulator``'s options); all stop after the test."""
    started: list[Emulator] = []

    def start(**options: Any) -> Emulator:
        emulator = start_emulator(**options)
        started.append(emulator)
        return emulator

    yield start
    for emulator in started:
        emulator.stop()


@pytest.fixture
def emu(start_emu: Callable[..., Emulator]) -> Emulator:
    """A fresh, empty Drive v3 emulator on 127.0.0.1, stopped after the test."""
    return start_emu()
