"""One Drive path syntax: drive:PATH, drive:id:, drive:shared: and the share URLs of Drive and Sheets."""

from __future__ import annotations

import pytest

from gdrivestats.errors import ConfigError
from gdrivestats.location import drive_path, is_drive_location, parse_location

ID = "1AbCdEfGhIjKlMnOpQrStUvWxYz012345"


@pytest.mark.parametrize(
    ("text", "path"),
    [
        ("drive:Colab Notebooks/sales.xlsx", "Colab Notebooks/sales.xlsx"),
        ("drive:/Colab Notebooks//Reports/", "Colab Notebooks/Reports"),
        ("drive:", ""),
        (f"drive:id:{ID}", f"id:{ID}"),
        (f"drive:id:{ID}/2024/sales.xlsx", f"id:{ID}/2024/sales.xlsx"),
        ("drive:shared:Team Drive/Reports/a.xlsx", "shared:Team Drive/Reports/a.xlsx"),
        (f"https://drive.google.com/file/d/{ID}/view?usp=sharing", f"id:{ID}"),
        (f"https://drive.google.com/file/d/{ID}/edit", f"id:{ID}"),
        (f"https://drive.google.com/drive/folders/{ID}", f"id:{ID}"),
        (f"https://drive.google.com/drive/u/1/folders/{ID}?resourcekey=0-abc", f"id:{ID}"),
        (f"https://docs.google.com/spreadsheets/d/{ID}/edit#gid=0", f"id:{ID}"),
        (f"https://docs.google.com/spreadsheets/u/0/d/{ID}/htmlview", f"id:{ID}"),
        (f"https://drive.google.com/open?id={ID}", f"id:{ID}"),
        (f"https://drive.google.com/uc?id={ID}&export=download", f"id:{ID}"),
        (f"drive.google.com/file/d/{ID}/view", f"id:{ID}"),
        ("https://drive.google.com/drive/my-drive", ""),
    ],
)
def test_every_spelling_becomes_the_path_the_backends_take(text: str, path: str) -> None:
    assert is_drive_location(text)
    assert parse_location(text).path == path
    assert drive_path(text) == path


def test_a_sheets_url_keeps_its_tab_and_prints_as_drive_syntax() -> None:
    location = parse_location(f"https://docs.google.com/spreadsheets/d/{ID}/edit#gid=1234")
    assert location.sheet_gid == "1234" and location.by_id
    assert str(location) == f"drive:id:{ID}"


def test_plain_folder_names_are_drive_paths_for_sync_but_local_paths_for_analyze() -> None:
    assert drive_path("Colab Notebooks") == "Colab Notebooks"
    assert drive_path(f"id:{ID}/sub") == f"id:{ID}/sub"
    assert not is_drive_location("Colab Notebooks/sales.xlsx")
    assert not is_drive_location("https://example.com/file/d/x/view")
    assert not is_drive_location("drivers.xlsx")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("drive:id:", "name the file or folder id after 'id:'"),
        ("drive:shared:", "name the shared drive after 'shared:'"),
        ("drive:a/../../etc", "'..' is not allowed in a Drive path"),
        ("https://drive.google.com/drive/folders/", "no file or folder id in this Drive link"),
        ("https://drive.google.com/file/d/bad!id/view", "'bad!id' is not a Drive id"),
        ("sales.xlsx", "not a Drive location"),
    ],
)
def test_a_bad_location_is_one_clear_error(text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_location(text)
