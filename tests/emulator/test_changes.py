"""changes.getStartPageToken and changes.list after creates, renames, trashes and deletes."""

from __future__ import annotations

from typing import Any

import pytest
from googleapiclient.errors import HttpError

from gdrivestats.emulator import Emulator

FIELDS = "nextPageToken,newStartPageToken,changes(fileId,removed,changeType,time,file(name,trashed))"


def all_changes(drive: Any, token: str, **kwargs: Any) -> tuple[list[dict[str, Any]], str, int]:
    changes: list[dict[str, Any]] = []
    pages = 0
    while True:
        page = drive.changes().list(pageToken=token, fields=FIELDS, **kwargs).execute()
        pages += 1
        changes += page["changes"]
        if "newStartPageToken" in page:
            assert "nextPageToken" not in page
            return changes, page["newStartPageToken"], pages
        token = page["nextPageToken"]


def test_feed_after_create_rename_trash_delete(emu: Emulator, drive: Any) -> None:
    start = drive.changes().getStartPageToken().execute()
    assert set(start) == {"kind", "startPageToken"}
    token = start["startPageToken"]
    created = drive.files().create(body={"name": "a.txt"}, fields="id").execute()["id"]
    other = emu.state.add_file(None, "b.txt", b"b")
    changes, token, _ = all_changes(drive, token)
    assert [(c["fileId"], c["removed"], c["file"]["name"]) for c in changes] == [
        (created, False, "a.txt"),
        (other.id, False, "b.txt"),
    ]
    assert all(c["changeType"] == "file" and c["time"].endswith("Z") for c in changes)

    drive.files().update(fileId=created, body={"name": "renamed.txt"}).execute()
    drive.files().update(fileId=other.id, body={"trashed": True}).execute()
    changes, token, _ = all_changes(drive, token)
    assert [(c["fileId"], c["file"]["name"], c["file"]["trashed"]) for c in changes] == [
        (created, "renamed.txt", False),
        (other.id, "b.txt", True),
    ]

    drive.files().delete(fileId=other.id).execute()
    changes, token, _ = all_changes(drive, token)
    assert changes == [
        {"fileId": other.id, "removed": True, "changeType": "file", "time": changes[0]["time"]}
    ]
    assert all_changes(drive, token)[0] == []


def test_repeated_changes_to_one_file_collapse(emu: Emulator, drive: Any) -> None:
    token = drive.changes().getStartPageToken().execute()["startPageToken"]
    record = emu.state.add_file(None, "x", b"1")
    emu.state.rename(record.id, "y")
    emu.state.update_content(record.id, b"22")
    changes, _, _ = all_changes(drive, token)
    assert [(c["fileId"], c["file"]["name"]) for c in changes] == [(record.id, "y")]


def test_paging_next_token_then_new_start_token(emu: Emulator, drive: Any) -> None:
    token = drive.changes().getStartPageToken().execute()["startPageToken"]
    ids = [emu.state.add_file(None, f"f{i}", b"").id for i in range(7)]
    changes, new_token, pages = all_changes(drive, token, pageSize=3)
    assert pages == 3 and [c["fileId"] for c in changes] == ids
    assert int(new_token) > int(token)


def test_include_removed_false(emu: Emulator, drive: Any) -> None:
    record = emu.state.add_file(None, "gone", b"")
    token = drive.changes().getStartPageToken().execute()["startPageToken"]
    emu.state.delete(record.id)
    assert all_changes(drive, token, includeRemoved=False)[0] == []
    assert [c["removed"] for c in all_changes(drive, token)[0]] == [True]


def test_shared_drive_changes_need_flags(emu: Emulator, drive: Any) -> None:
    shared = emu.state.add_shared_drive("Team")
    token = drive.changes().getStartPageToken().execute()["startPageToken"]
    team_file = emu.state.add_file(shared.id, "t.txt", b"t")
    mine = emu.state.add_file(None, "m.txt", b"m")
    assert [c["fileId"] for c in all_changes(drive, token)[0]] == [mine.id]
    both = all_changes(drive, token, supportsAllDrives=True, includeItemsFromAllDrives=True)[0]
    assert [c["fileId"] for c in both] == [team_file.id, mine.id]
    restricted = all_changes(
        drive, token, supportsAllDrives=True, includeItemsFromAllDrives=True, restrictToMyDrive=True
    )[0]
    assert [c["fileId"] for c in restricted] == [mine.id]
    drive_token = drive.changes().getStartPageToken(driveId=shared.id, supportsAllDrives=True).execute()
    emu.state.rename(team_file.id, "t2.txt")
    emu.state.rename(mine.id, "m2.txt")
    only_team = all_changes(
        drive,
        drive_token["startPageToken"],
        driveId=shared.id,
        supportsAllDrives=True,
        includeItemsFromAllDrives=True,
    )[0]
    assert [(c["fileId"], c["file"]["name"]) for c in only_team] == [(team_file.id, "t2.txt")]


def test_page_token_is_required_and_checked(drive: Any) -> None:
    with pytest.raises(TypeError):
        drive.changes().list().execute()  # the client enforces the discovery document's "required"
    with pytest.raises(HttpError) as info:
        drive.changes().list(pageToken="nonsense").execute()
    assert info.value.status_code == 400


def test_changes_page_size_above_the_maximum_is_coerced(emu: Emulator, drive: Any) -> None:
    token = drive.changes().getStartPageToken().execute()["startPageToken"]
    for i in range(1002):
        emu.state.add_file(None, f"c{i}", b"")
    page = (
        drive.changes().list(pageToken=token, pageSize=5000, fields="nextPageToken,changes(fileId)").execute()
    )
    assert len(page["changes"]) == 1000 and "nextPageToken" in page
