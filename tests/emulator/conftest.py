"""Fixtures for the emulator tests: a running emulator and a real Drive v3 client pointed at it."""

from __future__ import annotations

from typing import Any

import pytest

from gdrivestats.emulator import Emulator, build_service


@pytest.fixture
def drive(emu: Emulator) -> Any:
    return build_service(emu.url)
