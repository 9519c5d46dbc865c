"""Where a sync's downloads land: a symlink planted in the cache is never followed out of it (over HTTP to the
emulator through google-api-python-client)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from gdrivestats.emulator import Emulator
from gdrivestats.mirror.sync import sync
from tests.support import FOLDER, api, seed_two_csvs, small_csv


@pytest.fixture
def emu(tmp_path: Path, start_emu: Callable[..., Emulator]) -> Emulator:
    return start_emu(seed=seed_two_csvs(tmp_path / "seed"))


@pytest.mark.parametrize("full", [False, True], ids=["changes feed", "full listing"])
def test_a_symlink_where_a_file_lands_is_refused_and_the_file_outside_is_untouched(
    emu: Emulator, tmp_path: Path, full: bool
) -> None:
    drive, cache = api(emu), tmp_path / "cache"
    assert sync(drive, FOLDER, cache, progress=False).ok
    outside = tmp_path / "outside.csv"
    outside.write_bytes(b"not the cache's\n")
    (cache / "countries.csv").unlink()
    (cache / "countries.csv").symlink_to(outside)  # planted by someone else, pointing out of the cache
    drive.write_bytes(FOLDER, "countries.csv", small_csv(3))  # new content: the re-sync downloads it
    drive.write_bytes(FOLDER, "more.csv", small_csv(4))
    result = sync(drive, FOLDER, cache, progress=False, full=full)
    assert outside.read_bytes() == b"not the cache's\n"  # never written through the link
    assert (cache / "countries.csv").is_symlink()  # nor replaced: reported, for the user to look at
    assert [line.split(":")[0] for line in result.failed] == ["countries.csv"]
    assert "outside" in result.failed[0]
    assert (cache / "more.csv").read_bytes() == small_csv(4)  # every other file goes on
