"""files.get / list / create / update / delete / export through the real client library."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from typing import Any

import openpyxl
import pytest
from googleapiclient.errors import HttpError
from googleapiclient.http import MediaIoBaseDownload, MediaIoBaseUpload

from gdrivestats.emulator import Emulator
from tests.emulator.helpers import make_xlsx

FOLDER = "application/vnd.google-apps.folder"
SHEET = "application/vnd.google-apps.spreadsheet"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TIME_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
ID_RE = re.compile(r"^[A-Za-z0-9_-]{33}$")


def reason(exc: HttpError) -> str:
    return exc.error_details[0]["reason"]  # type: ignore[index]


def test_get_metadata_has_drive_shapes(emu: Emulator, drive: Any) -> None:
    folder = emu.state.add_folder(None, "Data")
    record = emu.state.add_file(folder.id, "a.csv", b"x,y\n1,2\n", "text/csv")
    meta = drive.files().get(fileId=record.id, fields="*").execute()
    assert ID_RE.match(meta["id"])
    assert meta["name"] == "a.csv"
    assert meta["parents"] == [folder.id]
    assert meta["size"] == "8"
    assert meta["md5Checksum"] == hashlib.md5(b"x,y\n1,2\n").hexdigest()
    assert TIME_RE.match(meta["modifiedTime"]) and TIME_RE.match(meta["createdTime"])
    assert meta["version"] == "1" and isinstance(meta["headRevisionId"], str)
    assert meta["mimeType"] == "text/csv" and meta["trashed"] is False
    assert "driveId" not in meta


def test_default_fields_are_drive_v3_defaults(emu: Emulator, drive: Any) -> None:
    record = emu.state.add_file(None, "a.bin", b"1")
    assert drive.files().get(fileId=record.id).execute() == {
        "kind": "drive#file",
        "id": record.id,
        "name": "a.bin",
        "mimeType": "application/octet-stream",
    }
    listing = drive.files().list().execute()
    assert set(listing) == {"kind", "incompleteSearch", "files"}
    assert set(listing["files"][0]) == {"kind", "id", "name", "mimeType"}


def test_root_alias(emu: Emulator, drive: Any) -> None:
    root = drive.files().get(fileId="root", fields="id,name,mimeType").execute()
    assert root == {"id": emu.state.root_id, "name": "My Drive", "mimeType": FOLDER}
    emu.state.add_file(None, "top.txt", b"t", "text/plain")
    names = [f["name"] for f in drive.files().list(q="'root' in parents").execute()["files"]]
    assert names == ["top.txt"]


def test_get_unknown_file_is_404_not_found(drive: Any) -> None:
    with pytest.raises(HttpError) as info:
        drive.files().get(fileId="1nope").execute()
    assert info.value.status_code == 404
    assert reason(info.value) == "notFound"
    assert "File not found: 1nope." in str(info.value)


def test_media_download_whole_and_ranges(emu: Emulator, drive: Any) -> None:
    data = bytes(range(256)) * 40
    record = emu.state.add_file(None, "blob.bin", data)
    assert drive.files().get_media(fileId=record.id).execute() == data
    out = io.BytesIO()
    downloader = MediaIoBaseDownload(out, drive.files().get_media(fileId=record.id), chunksize=1000)
    done, chunks = False, 0
    while not done:
        _, done = downloader.next_chunk()
        chunks += 1
    assert out.getvalue() == data and chunks == 11
    assert emu.log.count(kind="media", status=206) == 11


def test_range_header_gives_206_and_content_range(emu: Emulator, drive: Any) -> None:
    record = emu.state.add_file(None, "r.bin", b"0123456789")
    request = drive.files().get_media(fileId=record.id)
    request.headers["range"] = "bytes=2-5"
    response, content = request.http.request(request.uri, headers=request.headers)
    assert response.status == 206
    assert response["content-range"] == "bytes 2-5/10"
    assert content == b"2345"
    request.headers["range"] = "bytes=20-30"
    response, _ = request.http.request(request.uri, headers=request.headers)
    assert response.status == 416
    assert response["content-range"] == "bytes */10"


def test_no_range_of_an_empty_file_is_satisfiable_and_the_downloader_copes(emu: Emulator, drive: Any) -> None:
    """As Drive (googleapis/google-api-python-client#638): 416 for any range of a 0-byte file."""
    record = emu.state.add_file(None, "empty.bin", b"")
    request = drive.files().get_media(fileId=record.id)
    request.headers["range"] = "bytes=0-1000"
    response, content = request.http.request(request.uri, headers=request.headers)
    assert (response.status, response["content-range"], content) == (416, "bytes */0", b"")
    assert drive.files().get_media(fileId=record.id).execute() == b""  # no range: a plain 200
    out = io.BytesIO()
    downloader = MediaIoBaseDownload(out, drive.files().get_media(fileId=record.id), chunksize=1000)
    assert downloader.next_chunk()[1] is True and out.getvalue() == b""


def test_native_sheet_cannot_be_downloaded(emu: Emulator, drive: Any) -> None:
    sheet = emu.state.add_spreadsheet(None, "Sales", make_xlsx([["a", "b"], [1, 2]]))
    meta = drive.files().get(fileId=sheet.id, fields="id,mimeType,size,md5Checksum").execute()
    # Drive reports a size for Workspace editor files (no md5: they have no bytes of their own)
    assert meta == {"id": sheet.id, "mimeType": SHEET, "size": str(len(sheet.data or b""))}
    with pytest.raises(HttpError) as info:
        drive.files().get_media(fileId=sheet.id).execute()
    assert info.value.status_code == 403 and reason(info.value) == "fileNotDownloadable"


def test_export_xlsx_and_csv(emu: Emulator, drive: Any) -> None:
    xlsx = make_xlsx([["region", "sales"], ["north", 10], ["south", 2.5]], second_sheet=[["ignored"]])
    sheet = emu.state.add_spreadsheet(None, "Sales", xlsx)
    exported = drive.files().export(fileId=sheet.id, mimeType=XLSX).execute()
    book = openpyxl.load_workbook(io.BytesIO(exported))
    assert book.sheetnames == ["Data", "Other"]
    as_csv = drive.files().export(fileId=sheet.id, mimeType="text/csv").execute()
    assert list(csv.reader(io.StringIO(as_csv.decode()))) == [
        ["region", "sales"],
        ["north", "10"],
        ["south", "2.5"],
    ]
    out = io.BytesIO()
    downloader = MediaIoBaseDownload(out, drive.files().export_media(fileId=sheet.id, mimeType="text/csv"))
    done = False
    while not done:
        _, done = downloader.next_chunk()
    assert out.getvalue() == as_csv


def test_export_errors(emu: Emulator, drive: Any) -> None:
    sheet = emu.state.add_spreadsheet(None, "Big", make_xlsx([["x" * 200] for _ in range(50)]))
    blob = emu.state.add_file(None, "plain.bin", b"123")
    with pytest.raises(HttpError) as info:
        drive.files().export(fileId=blob.id, mimeType="text/csv").execute()
    assert info.value.status_code == 403 and reason(info.value) == "fileNotExportable"
    with pytest.raises(HttpError) as info:
        drive.files().export(fileId=sheet.id, mimeType="image/png").execute()
    assert info.value.status_code == 400
    emu.state.export_limit = 1000
    with pytest.raises(HttpError) as info:
        drive.files().export(fileId=sheet.id, mimeType="text/csv").execute()
    assert info.value.status_code == 403 and reason(info.value) == "exportSizeLimitExceeded"


def test_create_metadata_only_folder_and_file(emu: Emulator, drive: Any) -> None:
    folder = drive.files().create(body={"name": "New", "mimeType": FOLDER}, fields="id,parents").execute()
    assert folder["parents"] == [emu.state.root_id]
    empty = drive.files().create(body={"name": "e.txt", "parents": [folder["id"]]}, fields="*").execute()
    assert empty["size"] == "0" and empty["md5Checksum"] == hashlib.md5(b"").hexdigest()
    assert empty["mimeType"] == "application/octet-stream"


def test_create_multipart_and_update_media(emu: Emulator, drive: Any) -> None:
    media = MediaIoBaseUpload(io.BytesIO(b"hello"), mimetype="text/plain")
    created = (
        drive.files()
        .create(body={"name": "h.txt"}, media_body=media, fields="id,size,md5Checksum,version,mimeType")
        .execute()
    )
    assert created["size"] == "5" and created["mimeType"] == "text/plain" and created["version"] == "1"
    updated = (
        drive.files()
        .update(
            fileId=created["id"],
            body={"name": "renamed.txt"},
            media_body=MediaIoBaseUpload(io.BytesIO(b"bye!"), mimetype="text/plain"),
            fields="name,size,md5Checksum,version,headRevisionId",
        )
        .execute()
    )
    assert updated["name"] == "renamed.txt" and updated["size"] == "4"
    assert updated["md5Checksum"] == hashlib.md5(b"bye!").hexdigest()
    assert int(updated["version"]) > int(created["version"])
    assert emu.state.get(created["id"]).data == b"bye!"
    assert emu.log.count(kind="create") == 1 and emu.log.count(kind="update") == 1


def test_simple_media_upload(emu: Emulator, drive: Any) -> None:
    record = emu.state.add_file(None, "m.bin", b"old")
    request = drive.files().update(fileId=record.id, media_body=MediaIoBaseUpload(io.BytesIO(b"new!"), "x/y"))
    assert "uploadType=media" in request.uri
    assert request.execute()["id"] == record.id
    assert emu.state.get(record.id).data == b"new!"


def test_update_metadata_and_modified_time(emu: Emulator, drive: Any) -> None:
    record = emu.state.add_file(None, "a.txt", b"a")
    result = (
        drive.files()
        .update(
            fileId=record.id,
            body={"modifiedTime": "2020-01-02T03:04:05.678Z", "description": "d", "starred": True},
            fields="modifiedTime,description,starred,version",
        )
        .execute()
    )
    assert result == {
        "modifiedTime": "2020-01-02T03:04:05.678Z",
        "description": "d",
        "starred": True,
        "version": "2",
    }


def test_update_rejects_parents_and_read_only_fields(emu: Emulator, drive: Any) -> None:
    record = emu.state.add_file(None, "a.txt", b"a")
    for body in ({"parents": ["root"]}, {"size": "3"}, {"md5Checksum": "x"}):
        with pytest.raises(HttpError) as info:
            drive.files().update(fileId=record.id, body=body).execute()
        assert info.value.status_code == 403 and reason(info.value) == "fieldNotWritable"


def test_add_and_remove_parents_moves(emu: Emulator, drive: Any) -> None:
    a = emu.state.add_folder(None, "A")
    b = emu.state.add_folder(None, "B")
    f = emu.state.add_file(a.id, "f.txt", b"f")
    moved = drive.files().update(fileId=f.id, addParents=b.id, removeParents=a.id, fields="parents").execute()
    assert moved == {"parents": [b.id]}
    with pytest.raises(HttpError) as info:
        drive.files().update(fileId=f.id, addParents=a.id).execute()
    assert info.value.status_code == 403 and reason(info.value) == "cannotAddParent"


def test_trash_and_untrash_via_update(emu: Emulator, drive: Any) -> None:
    folder = emu.state.add_folder(None, "F")
    child = emu.state.add_file(folder.id, "c.txt", b"c")
    drive.files().update(fileId=folder.id, body={"trashed": True}).execute()
    meta = drive.files().get(fileId=child.id, fields="trashed,explicitlyTrashed").execute()
    assert meta == {"trashed": True, "explicitlyTrashed": False}
    everything = drive.files().list(fields="files(name)").execute()["files"]
    assert {f["name"] for f in everything} == {
        "F",
        "c.txt",
    }  # trashed items are listed unless q excludes them
    assert drive.files().list(q="trashed = false").execute()["files"] == []
    drive.files().update(fileId=folder.id, body={"trashed": False}).execute()
    assert drive.files().get(fileId=child.id, fields="trashed").execute() == {"trashed": False}


def test_delete_folder_deletes_descendants(emu: Emulator, drive: Any) -> None:
    folder = emu.state.add_folder(None, "F")
    sub = emu.state.add_folder(folder.id, "S")
    leaf = emu.state.add_file(sub.id, "l.txt", b"l")
    assert drive.files().delete(fileId=folder.id).execute() == ""
    for file_id in (folder.id, sub.id, leaf.id):
        with pytest.raises(HttpError) as info:
            drive.files().get(fileId=file_id).execute()
        assert info.value.status_code == 404


def test_duplicate_names_and_slashes(emu: Emulator, drive: Any) -> None:
    folder = emu.state.add_folder(None, "F")
    first = emu.state.add_file(folder.id, "same.csv", b"1")
    second = emu.state.add_file(folder.id, "same.csv", b"22")
    slash = emu.state.add_file(folder.id, "a/b.csv", b"333")
    found = (
        drive.files().list(q=f"'{folder.id}' in parents and name = 'same.csv'", fields="files(id)").execute()
    )
    assert {f["id"] for f in found["files"]} == {first.id, second.id}
    by_name = drive.files().list(q="name = 'a/b.csv'", fields="files(id,size)").execute()["files"]
    assert by_name == [{"id": slash.id, "size": "3"}]


def test_shortcuts(emu: Emulator, drive: Any) -> None:
    target = emu.state.add_spreadsheet(None, "S", make_xlsx([["a"]]))
    created = (
        drive.files()
        .create(
            body={
                "name": "link",
                "mimeType": "application/vnd.google-apps.shortcut",
                "shortcutDetails": {"targetId": target.id},
            },
            fields="id,mimeType,shortcutDetails",
        )
        .execute()
    )
    assert created["shortcutDetails"] == {"targetId": target.id, "targetMimeType": SHEET}
    helper = emu.state.add_shortcut(None, "link2", target.id)
    assert drive.files().get(fileId=helper.id, fields="shortcutDetails/targetId").execute() == {
        "shortcutDetails": {"targetId": target.id}
    }


def test_list_query_filters_and_order(emu: Emulator, drive: Any) -> None:
    folder = emu.state.add_folder(None, "F")
    emu.state.add_file(folder.id, "b.csv", b"1", "text/csv")
    emu.state.add_file(folder.id, "a.csv", b"1", "text/csv")
    emu.state.add_folder(folder.id, "z-sub")
    q = f"'{folder.id}' in parents and mimeType != '{FOLDER}' and trashed = false"
    names = [f["name"] for f in drive.files().list(q=q, orderBy="name").execute()["files"]]
    assert names == ["a.csv", "b.csv"]
    ordered = drive.files().list(q=f"'{folder.id}' in parents", orderBy="folder,name desc").execute()["files"]
    assert [f["name"] for f in ordered] == ["z-sub", "b.csv", "a.csv"]
    newest = drive.files().list(q=f"'{folder.id}' in parents", orderBy="modifiedTime desc").execute()["files"]
    assert [f["name"] for f in newest] == ["z-sub", "a.csv", "b.csv"]
    assert [f["name"] for f in drive.files().list(q="name contains 'z'").execute()["files"]] == ["z-sub"]


def test_modified_time_query(emu: Emulator, drive: Any) -> None:
    old = emu.state.add_file(None, "old.txt", b"o")
    cutoff = drive.files().get(fileId=old.id, fields="modifiedTime").execute()["modifiedTime"]
    emu.state.add_file(None, "new.txt", b"n")
    found = drive.files().list(q=f"modifiedTime > '{cutoff}'").execute()["files"]
    assert [f["name"] for f in found] == ["new.txt"]


def test_bad_query_is_400_invalid(drive: Any) -> None:
    with pytest.raises(HttpError) as info:
        drive.files().list(q="name = 'unterminated").execute()
    assert info.value.status_code == 400
    assert info.value.error_details[0]["location"] == "q"  # type: ignore[index]


def test_generate_ids_and_create_with_id(drive: Any) -> None:
    ids = drive.files().generateIds(count=3).execute()["ids"]
    assert len(ids) == 3 and all(ID_RE.match(i) for i in ids)
    made = drive.files().create(body={"id": ids[0], "name": "x"}, fields="id").execute()
    assert made == {"id": ids[0]}


def test_query_with_escaped_quote_and_backslash_over_http(emu: Emulator, drive: Any) -> None:
    tricky = emu.state.add_file(None, "quinn's paper\\essay", b"q")
    emu.state.add_file(None, "quinns paper", b"q")
    q = r"name = 'quinn\'s paper\\essay'"
    assert [f["id"] for f in drive.files().list(q=q).execute()["files"]] == [tricky.id]
    assert [f["id"] for f in drive.files().list(q=r"name contains 'quinn\'s'").execute()["files"]] == [
        tricky.id
    ]


def test_pretty_print_false_is_compact(emu: Emulator, drive: Any) -> None:
    request = drive.files().get(fileId="root", fields="id", prettyPrint=False)
    _, content = request.http.request(request.uri, headers=request.headers)
    assert content == f'{{"id":"{emu.state.root_id}"}}'.encode()


def test_copy(emu: Emulator, drive: Any) -> None:
    folder = emu.state.add_folder(None, "F")
    source = emu.state.add_file(folder.id, "s.csv", b"a,b\n", "text/csv")
    copied = (
        drive.files()
        .copy(fileId=source.id, body={"name": "c.csv"}, fields="id,name,parents,md5Checksum")
        .execute()
    )
    assert copied["name"] == "c.csv" and copied["parents"] == [folder.id] and copied["id"] != source.id
    assert copied["md5Checksum"] == hashlib.md5(b"a,b\n").hexdigest()
    default_name = drive.files().copy(fileId=source.id, fields="name").execute()
    assert default_name == {"name": "Copy of s.csv"}
    with pytest.raises(HttpError) as info:
        drive.files().copy(fileId=folder.id).execute()
    assert info.value.status_code == 403
