"""Batch requests, shared-drive visibility rules, drives.list/get and about.get."""

from __future__ import annotations

from typing import Any

import pytest
from googleapiclient.errors import HttpError

from gdrivestats.emulator import Emulator


def test_batch_with_several_calls(emu: Emulator, drive: Any) -> None:
    a = emu.state.add_file(None, "a.txt", b"a")
    b = emu.state.add_file(None, "b.txt", b"bb")
    results: dict[str, Any] = {}

    def collect(request_id: str, response: Any, exception: Exception | None) -> None:
        results[request_id] = exception if exception is not None else response

    batch = drive.new_batch_http_request(callback=collect)
    batch.add(drive.files().get(fileId=a.id, fields="name,size"), request_id="ga")
    batch.add(drive.files().get(fileId="1missing", fields="name"), request_id="missing")
    batch.add(drive.files().update(fileId=b.id, body={"name": "b2.txt"}, fields="name"), request_id="upd")
    batch.add(drive.files().list(q="name = 'a.txt'", fields="files(id)"), request_id="lst")
    batch.add(drive.files().delete(fileId=a.id), request_id="del")
    batch.execute()
    assert results["ga"] == {"name": "a.txt", "size": "1"}
    assert isinstance(results["missing"], HttpError) and results["missing"].status_code == 404
    assert results["upd"] == {"name": "b2.txt"}
    assert results["lst"] == {"files": [{"id": a.id}]}
    assert results["del"] == ""
    assert emu.state.get(b.id).name == "b2.txt"
    assert emu.log.count(kind="batch") == 1
    parts = [e for e in emu.log.entries() if e.batch]
    assert [e.kind for e in parts] == ["get", "get", "update", "list", "delete"]


def test_batch_limit_is_100(emu: Emulator, drive: Any) -> None:
    batch = drive.new_batch_http_request()
    batch._batch_uri = emu.url + "batch/drive/v3"
    for _ in range(101):
        batch.add(drive.files().get(fileId="root"))
    with pytest.raises(Exception) as info:
        batch.execute()
    assert "100" in str(info.value)


def test_shared_drive_items_need_the_flags(emu: Emulator, drive: Any) -> None:
    shared = emu.state.add_shared_drive("Team")
    team_file = emu.state.add_file(shared.id, "team.csv", b"t")
    mine = emu.state.add_file(None, "mine.csv", b"m")
    names = lambda response: sorted(f["name"] for f in response["files"])  # noqa: E731
    assert names(drive.files().list().execute()) == ["mine.csv"]
    both = drive.files().list(supportsAllDrives=True, includeItemsFromAllDrives=True).execute()
    assert names(both) == ["mine.csv", "team.csv"]
    only_team = (
        drive.files()
        .list(corpora="drive", driveId=shared.id, supportsAllDrives=True, includeItemsFromAllDrives=True)
        .execute()
    )
    assert names(only_team) == ["team.csv"]
    with pytest.raises(HttpError) as info:
        drive.files().get(fileId=team_file.id).execute()
    assert info.value.status_code == 404
    meta = drive.files().get(fileId=team_file.id, supportsAllDrives=True, fields="driveId,parents").execute()
    assert meta == {"driveId": shared.id, "parents": [shared.id]}
    assert "driveId" not in drive.files().get(fileId=mine.id, fields="*").execute()
    with pytest.raises(HttpError) as info:
        drive.files().list(corpora="drive", driveId=shared.id).execute()
    assert info.value.status_code == 403
    with pytest.raises(HttpError) as info:
        drive.files().list(includeItemsFromAllDrives=True).execute()
    assert info.value.status_code == 403
    with pytest.raises(HttpError) as info:
        drive.files().list(
            driveId=shared.id, supportsAllDrives=True, includeItemsFromAllDrives=True
        ).execute()
    assert info.value.status_code == 400


def test_create_in_shared_drive_needs_supports_all_drives(emu: Emulator, drive: Any) -> None:
    shared = emu.state.add_shared_drive("Team")
    with pytest.raises(HttpError) as info:
        drive.files().create(body={"name": "x", "parents": [shared.id]}).execute()
    assert info.value.status_code == 404
    made = (
        drive.files()
        .create(body={"name": "x", "parents": [shared.id]}, supportsAllDrives=True, fields="id,driveId")
        .execute()
    )
    assert made["driveId"] == shared.id


def test_drives_list_and_get(emu: Emulator, drive: Any) -> None:
    first = emu.state.add_shared_drive("One")
    emu.state.add_shared_drive("Two")
    listing = drive.drives().list().execute()
    assert [d["name"] for d in listing["drives"]] == ["One", "Two"]
    assert drive.drives().get(driveId=first.id).execute() == {
        "kind": "drive#drive",
        "id": first.id,
        "name": "One",
    }
    with pytest.raises(HttpError) as info:
        drive.drives().get(driveId="0Anope").execute()
    assert info.value.status_code == 404


def test_about(emu: Emulator, drive: Any) -> None:
    emu.state.add_file(None, "a", b"12345")
    about = drive.about().get(fields="user(emailAddress),storageQuota").execute()
    assert about["user"] == {"emailAddress": emu.state.user_email}
    assert about["storageQuota"]["usage"] == "5"
    with pytest.raises(HttpError) as info:
        drive.about().get().execute()
    assert info.value.status_code == 400


def test_media_downloads_are_refused_inside_a_batch(emu: Emulator, drive: Any) -> None:
    record = emu.state.add_file(None, "a.bin", b"data")
    results: dict[str, Any] = {}
    batch = drive.new_batch_http_request(callback=lambda rid, resp, exc: results.update({rid: exc or resp}))
    batch.add(drive.files().get_media(fileId=record.id), request_id="media")
    batch.add(drive.files().get(fileId=record.id, fields="size"), request_id="meta")
    batch.execute()
    assert isinstance(results["media"], HttpError) and results["media"].status_code == 400
    assert results["meta"] == {"size": "4"}


def test_app_data_space_is_empty(emu: Emulator, drive: Any) -> None:
    emu.state.add_file(None, "a.bin", b"data")
    assert drive.files().list(spaces="appDataFolder").execute()["files"] == []
    token = drive.changes().getStartPageToken().execute()["startPageToken"]
    emu.state.add_file(None, "b.bin", b"data")
    assert drive.changes().list(pageToken=token, spaces="appDataFolder").execute()["changes"] == []
