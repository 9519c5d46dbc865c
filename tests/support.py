"""Helpers shared by the run, CLI, schedule, crash and mirror tests: the synced folder's layout, a small CSV
and a client of the emulator."""

from __future__ import annotations

import os
from pathlib import Path
from typing import NoReturn

import pytest
from google.oauth2.credentials import Credentials

from gdrivestats.drive.api import ApiDrive
from gdrivestats.emulator import Emulator

FOLDER = "Colab Notebooks"
OUT = f"{FOLDER}/gdrivestats"
OUTPUTS = {"summary.xlsx", "summary.json", "report.html", "report.pdf"}


def small_csv(scale: int = 1) -> bytes:
    """Six countries with region, population (times ``scale``) and area."""
    rows = [("Kenya", "Africa", 53, 580), ("Peru", "America", 33, 1285), ("Chile", "America", 19, 756)]
    rows += [("Ghana", "Africa", 32, 239), ("Japan", "Asia", 125, 378), ("Nepal", "Asia", 30, 147)]
    lines = ["country,region,population,area"] + [f"{c},{r},{p * scale},{a}" for c, r, p, a in rows]
    return ("\n".join(lines) + "\n").encode()


def seed_two_csvs(root: Path) -> Path:
    """``root``/FOLDER with countries.csv and more.csv (twice the population): an emulator's ``seed``."""
    seed = root / FOLDER
    seed.mkdir(parents=True)
    (seed / "countries.csv").write_bytes(small_csv())
    (seed / "more.csv").write_bytes(small_csv(2))
    return root


def api(emu: Emulator, token: str = "test-token") -> ApiDrive:
    """The real Drive client talking to ``emu`` over HTTP, signed in with ``token``."""
    return ApiDrive(Credentials(token), root_url=emu.url)


def unavailable(reason: str) -> NoReturn:
    """Skip the test for ``reason`` (a fresh clone elsewhere), or fail it in CI, which always has what the
    tests need (../shared/data, the test extras)."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI always has it)", pytrace=False)
    pytest.skip(reason)
