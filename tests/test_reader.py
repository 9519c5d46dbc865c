"""gdrivestats.read(): the cleaned table(s) of a local, drive: or URL workbook, like pandas.read_excel."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

import gdrivestats
from gdrivestats.emulator import Emulator, start_emulator
from gdrivestats.errors import ConfigError, NotFound, WorkbookError
from tests.support import small_csv


@pytest.fixture
def drive_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Emulator]:
    """An emulator whose My Drive has Colab Notebooks/countries.xlsx, a CSV and a native Google Sheet."""
    seed = tmp_path / "seed" / "Colab Notebooks"
    seed.mkdir(parents=True)
    (seed / "countries.xlsx").write_bytes(gdrivestats.sample_path().read_bytes())
    (seed / "small.csv").write_bytes(small_csv())
    with start_emulator(seed=tmp_path / "seed") as emu:
        folder = next(r for r in emu.state.files.values() if r.name == "Colab Notebooks")
        emu.state.add_spreadsheet(folder.id, "Budget", gdrivestats.sample_path().read_bytes())
        monkeypatch.setenv("GDRIVESTATS_DRIVE_URL", emu.url)
        monkeypatch.setenv("GDRIVESTATS_ACCESS_TOKEN", "test-token")
        yield emu


def _id(emu: Emulator, name: str) -> str:
    return next(r.id for r in emu.state.files.values() if r.name == name)


def test_sample_path_is_public_and_points_at_the_bundled_workbook() -> None:
    path = gdrivestats.sample_path()
    assert path.name == "countries.xlsx" and path.is_file() and path.stat().st_size > 5_000


def test_read_a_local_workbook_like_read_excel() -> None:
    frame = gdrivestats.read(gdrivestats.sample_path())
    assert len(frame) == 142 and "Country" in frame.columns
    assert frame.loc[frame["Country"] == "China", "Population"].item() == 1318683096
    tables = gdrivestats.read(gdrivestats.sample_path(), sheet_name=None)
    assert list(tables) == ["Countries", "Regions"]
    regions = gdrivestats.read(gdrivestats.sample_path(), sheet_name="Regions")
    assert regions.equals(gdrivestats.read(gdrivestats.sample_path(), sheet_name=1))
    assert regions.equals(tables["Regions"]) and len(regions) == 5
    both = gdrivestats.read(gdrivestats.sample_path(), sheet_name=[0, "Regions"])
    assert list(both) == ["Countries", "Regions"]


def test_read_a_csv_by_any_sheet_name_and_a_dataframe(tmp_path: Path) -> None:
    path = tmp_path / "small.csv"
    path.write_bytes(small_csv())
    frame = gdrivestats.read(path, sheet_name="whatever")
    assert frame["population"].tolist() == [53, 33, 19, 32, 125, 30]
    cleaned = gdrivestats.read(frame.astype(str))  # text numbers become numbers
    assert cleaned["population"].sum() == 292


def test_bad_sheet_choices_name_the_workbook_and_the_tables() -> None:
    with pytest.raises(WorkbookError, match=r"countries.xlsx: no table at position 5; the tables are 'Count"):
        gdrivestats.read(gdrivestats.sample_path(), sheet_name=5)
    with pytest.raises(ConfigError, match="sheet_name must be"):
        gdrivestats.read(gdrivestats.sample_path(), sheet_name=1.5)  # type: ignore[arg-type]


def test_read_from_drive_by_path_by_share_url_and_a_native_sheet(drive_env: Emulator) -> None:
    frame = gdrivestats.read("drive:Colab Notebooks/countries.xlsx")
    assert len(frame) == 142
    file_id = _id(drive_env, "small.csv")
    for url in (
        f"https://drive.google.com/file/d/{file_id}/view?usp=sharing",
        f"https://drive.google.com/open?id={file_id}",
        f"https://drive.google.com/uc?id={file_id}&export=download",
    ):
        assert gdrivestats.read(url)["population"].max() == 125, url
    sheet_id = _id(drive_env, "Budget")
    native = gdrivestats.read(
        f"https://docs.google.com/spreadsheets/d/{sheet_id}/edit#gid=0", sheet_name=None
    )
    assert list(native) == ["Countries", "Regions"] and len(native["Countries"]) == 142
    by_id = gdrivestats.read(f"drive:id:{_id(drive_env, 'Colab Notebooks')}/small.csv")
    assert len(by_id) == 6
    assert drive_env.log.count(kind="media") >= 5


def test_a_drive_folder_or_a_missing_file_is_one_clear_error(drive_env: Emulator) -> None:
    with pytest.raises(ConfigError, match="drive:Colab Notebooks: is a folder; name a workbook inside it"):
        gdrivestats.read("drive:Colab Notebooks")
    with pytest.raises(NotFound, match=re.escape("Colab Notebooks/nope.xlsx: not found on Drive")):
        gdrivestats.read("drive:Colab Notebooks/nope.xlsx")


def test_a_broken_drive_workbook_names_the_drive_path_not_the_temporary_copy(drive_env: Emulator) -> None:
    folder = _id(drive_env, "Colab Notebooks")
    drive_env.state.add_file(folder, "broken.xlsx", b"PK\x03\x04 not a zip")
    with pytest.raises(WorkbookError) as caught:
        gdrivestats.read("drive:Colab Notebooks/broken.xlsx")
    assert str(caught.value).startswith("Colab Notebooks/broken.xlsx: ")
    assert "gdrivestats-read-" not in str(caught.value)
