"""Fault modes that model what real Drive does: partial multi-parent answers, listing lag, blocked downloads,
lost replies, idempotent creates with generated ids, expired sessions, write limits, trickling servers."""

from __future__ import annotations

import io
import socket
import time
from typing import Any

import httplib2
import pytest
from googleapiclient.errors import HttpError
from googleapiclient.http import MediaIoBaseUpload

from gdrivestats.emulator import Emulator, build_service, start_emulator


def reason(exc: HttpError) -> str:
    return exc.error_details[0]["reason"]  # type: ignore[index,no-any-return]


def names(answer: dict[str, Any]) -> list[str]:
    return sorted(f["name"] for f in answer["files"])


def test_partial_multi_parent_answer_leaves_out_one_parents_children(emu: Emulator, drive: Any) -> None:
    a, b = emu.state.add_folder(None, "a"), emu.state.add_folder(None, "b")
    emu.state.add_file(a.id, "in-a", b"")
    emu.state.add_file(b.id, "in-b", b"")
    emu.set_faults("list:always:partial")
    q = f"'{a.id}' in parents or '{b.id}' in parents"
    assert names(drive.files().list(q=q).execute()) == ["in-b"]  # 200, complete-looking, one folder short
    # a query naming one parent is never cut (the bug is in multi-parent queries only)
    assert names(drive.files().list(q=f"'{a.id}' in parents").execute()) == ["in-a"]
    emu.set_faults(None)
    assert names(drive.files().list(q=q).execute()) == ["in-a", "in-b"]


def test_empty_fault_applies_to_multi_parent_queries_only(emu: Emulator, drive: Any) -> None:
    a, b = emu.state.add_folder(None, "a"), emu.state.add_folder(None, "b")
    emu.state.add_file(a.id, "in-a", b"")
    emu.set_faults("list:count=1:empty")
    assert names(drive.files().list(q=f"'{a.id}' in parents").execute()) == ["in-a"]  # not spent here
    assert drive.files().list(q=f"'{a.id}' in parents or '{b.id}' in parents").execute()["files"] == []
    assert [e.fault for e in emu.log.entries(kind="list")] == [None, "empty"]


def test_listings_lag_behind_writes() -> None:
    with start_emulator(listing_lag=0.6) as emu:
        drive = build_service(emu.url)
        made = drive.files().create(body={"name": "new.txt"}, fields="id").execute()
        assert drive.files().list(q="name = 'new.txt'").execute()["files"] == []
        assert drive.files().get(fileId=made["id"], fields="name").execute() == {"name": "new.txt"}
        time.sleep(0.7)
        assert [f["id"] for f in drive.files().list(q="name = 'new.txt'").execute()["files"]] == [made["id"]]


def test_download_disabled_by_the_owner(emu: Emulator, drive: Any) -> None:
    mine = emu.state.add_file(None, "mine.xlsx", b"PK..")
    theirs = emu.state.add_shared_with_me("locked.xlsx", b"PK..", owner="boss@example.com")
    for record in (mine, theirs):
        emu.state.set_capabilities(record.id, copy_requires_writer=True)
    fields = "files(name,capabilities(canDownload),copyRequiresWriterPermission)"
    listed = {f.pop("name"): f for f in drive.files().list(fields=fields).execute()["files"]}
    assert listed == {  # the owner may still download; a reader may not
        "mine.xlsx": {"capabilities": {"canDownload": True}, "copyRequiresWriterPermission": True},
        "locked.xlsx": {"capabilities": {"canDownload": False}, "copyRequiresWriterPermission": True},
    }
    assert drive.files().get_media(fileId=mine.id).execute() == b"PK.."
    with pytest.raises(HttpError) as info:
        drive.files().get_media(fileId=theirs.id).execute()
    assert info.value.status_code == 403 and reason(info.value) == "cannotDownloadFile"
    with pytest.raises(HttpError) as info:  # a reader cannot change it either
        drive.files().update(fileId=theirs.id, body={"name": "mine now"}).execute()
    assert reason(info.value) == "insufficientFilePermissions"


def test_download_quota_and_abuse_flags(emu: Emulator, drive: Any) -> None:
    popular = emu.state.add_file(None, "popular.bin", b"data")
    flagged = emu.state.add_file(None, "flagged.bin", b"evil")
    emu.state.block_download(popular.id, "downloadQuotaExceeded")
    emu.state.block_download(flagged.id, "cannotDownloadAbusiveFile")
    for record, why in ((popular, "downloadQuotaExceeded"), (flagged, "cannotDownloadAbusiveFile")):
        with pytest.raises(HttpError) as info:
            drive.files().get_media(fileId=record.id).execute()
        assert info.value.status_code == 403 and reason(info.value) == why
    assert drive.files().get_media(fileId=flagged.id, acknowledgeAbuse=True).execute() == b"evil"
    with pytest.raises(HttpError):
        drive.files().get_media(fileId=popular.id, acknowledgeAbuse=True).execute()
    emu.state.block_download(popular.id, None)
    assert drive.files().get_media(fileId=popular.id).execute() == b"data"
    sheet = emu.state.add_spreadsheet(None, "S", b"PK")
    emu.state.block_download(sheet.id, "downloadQuotaExceeded")
    with pytest.raises(HttpError) as info:
        drive.files().export(fileId=sheet.id, mimeType="text/csv").execute()
    assert reason(info.value) == "downloadQuotaExceeded"


def test_download_faults_by_spec(emu: Emulator, drive: Any) -> None:
    record = emu.state.add_file(None, "x.bin", b"x")
    for action in ("downloadQuotaExceeded", "cannotDownloadAbusiveFile", "dailyLimitExceeded"):
        emu.set_faults(f"media:count=1:{action}")
        with pytest.raises(HttpError) as info:
            drive.files().get_media(fileId=record.id).execute()
        assert info.value.status_code == 403 and reason(info.value) == action


def test_create_with_a_generated_id_is_idempotent(emu: Emulator, drive: Any) -> None:
    ids = drive.files().generateIds(count=2).execute()["ids"]
    made = drive.files().create(body={"id": ids[0], "name": "out.csv"}, fields="id").execute()
    assert made == {"id": ids[0]}
    with pytest.raises(HttpError) as info:  # the retry of a create that already happened
        drive.files().create(body={"id": ids[0], "name": "out.csv"}, fields="id").execute()
    assert info.value.status_code == 409
    with pytest.raises(HttpError) as info:  # an id Drive did not hand out
        drive.files().create(body={"id": "1" + "x" * 32, "name": "y"}).execute()
    assert info.value.status_code == 400 and reason(info.value) == "fileIdNotUsable"
    assert [r.name for r in emu.state.files.values()].count("out.csv") == 1


def test_a_lost_reply_still_did_the_work(emu: Emulator, drive: Any) -> None:
    emu.set_faults("create:count=1:drop")
    with pytest.raises((OSError, httplib2.HttpLib2Error, Exception)):
        drive.files().create(body={"name": "done-anyway"}, fields="id").execute()
    assert [r.name for r in emu.state.files.values()].count("done-anyway") == 1


def test_resumable_sessions_expire_with_404(emu: Emulator, drive: Any) -> None:
    data = b"z" * (256 * 1024 + 5)
    media = MediaIoBaseUpload(io.BytesIO(data), "a/b", chunksize=256 * 1024, resumable=True)
    request = drive.files().create(body={"name": "late.bin"}, media_body=media, fields="id")
    status, done = request.next_chunk(num_retries=0)
    assert done is None and status.resumable_progress == 256 * 1024
    emu.state.upload_session_lifetime = 0.0
    with pytest.raises(HttpError) as info:
        request.next_chunk(num_retries=0)
    assert info.value.status_code == 404


def test_completed_resumable_update_answers_200(emu: Emulator, drive: Any) -> None:
    record = emu.state.add_file(None, "u.bin", b"old")
    media = MediaIoBaseUpload(io.BytesIO(b"new"), "a/b", chunksize=256 * 1024, resumable=True)
    drive.files().update(fileId=record.id, media_body=media).execute()
    assert [e.status for e in emu.log.entries(kind="upload-chunk")] == [200]
    assert emu.state.get(record.id).data == b"new"


def test_write_rate_limit() -> None:
    with start_emulator(write_rate=2) as emu:
        drive = build_service(emu.url)
        drive.files().list().execute()  # reads never count
        statuses = []
        for i in range(4):
            try:
                drive.files().create(body={"name": f"f{i}"}).execute()
                statuses.append(200)
            except HttpError as exc:
                statuses.append(exc.status_code)
                assert reason(exc) == "userRateLimitExceeded"
        assert statuses == [200, 200, 403, 403]
        time.sleep(0.6)  # the allowance refills at 2 writes a second
        drive.files().create(body={"name": "later"}).execute()
        assert sorted(r.name for r in emu.state.files.values() if r.name != "My Drive") == [
            "f0",
            "f1",
            "later",
        ]


def test_write_limit_is_off_by_default(emu: Emulator, drive: Any) -> None:
    for i in range(10):
        drive.files().create(body={"name": f"f{i}"}).execute()
    assert emu.log.count(kind="create") == 10


def test_drip_sends_one_byte_at_a_time(emu: Emulator) -> None:
    record = emu.state.add_file(None, "slow.bin", b"0123456789")
    emu.set_faults("media:count=1:drip=100")
    sock = socket.create_connection(("127.0.0.1", emu.port))
    head = f"GET /drive/v3/files/{record.id}?alt=media HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer t\r\n\r\n"
    sock.sendall(head.encode())
    began = time.monotonic()
    received = b""
    while not received.endswith(b"0123456789"):
        chunk = sock.recv(65536)
        assert chunk
        received += chunk
    sock.close()
    assert time.monotonic() - began >= 0.9
    assert emu.log.entries(kind="media")[0].fault == "drip"
