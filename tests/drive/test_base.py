"""The backend-neutral records of drive.base: an Entry moved under another path."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest

from gdrivestats.drive.base import Entry


def _entry() -> Entry:
    return Entry(
        id="f1",
        name="pop.xlsx",
        path="Reports/2024/pop.xlsx",
        is_folder=False,
        size=1234,
        md5="0" * 32,
        modified=datetime(2024, 5, 1, 12, 30, tzinfo=UTC),
        version="7",
        parents=("folder2024",),
        shortcut_id="s9",
        can_download=False,
    )


def test_an_entry_moved_under_another_path_is_dataclasses_replace_of_it() -> None:
    entry = _entry()
    moved = entry.at("2024/pop.xlsx")
    assert moved == dataclasses.replace(entry, path="2024/pop.xlsx")
    assert hash(moved) == hash(dataclasses.replace(entry, path="2024/pop.xlsx"))
    assert type(moved) is Entry
    assert (moved.path, moved.id, moved.size, moved.parents, moved.shortcut_id, moved.can_download) == (
        "2024/pop.xlsx",
        "f1",
        1234,
        ("folder2024",),
        "s9",
        False,
    )
    assert entry.path == "Reports/2024/pop.xlsx"  # the original is untouched
    with pytest.raises(dataclasses.FrozenInstanceError):
        moved.path = "elsewhere"  # type: ignore[misc]
