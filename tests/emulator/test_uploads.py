"""Multipart and resumable uploads, including interrupted ones, with the real client and raw HTTP."""

from __future__ import annotations

import hashlib
import http.client
import io
import json
import os
from typing import Any
from urllib.parse import urlsplit

import httplib2
from googleapiclient.http import MediaIoBaseUpload

from gdrivestats.emulator import Emulator

CHUNK = 256 * 1024


def raw(emu: Emulator, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None):
    url = urlsplit(emu.url)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    conn.request(method, path, body=body, headers={"Authorization": "Bearer t", **(headers or {})})
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response, data


def upload_resumably(request: Any, on_chunk: Any = None) -> tuple[dict[str, Any], int]:
    """The loop the notes recommend: next_chunk(num_retries=0) and call again after an error."""
    response, errors, chunks = None, 0, 0
    while response is None:
        try:
            _, response = request.next_chunk(num_retries=0)
        except (OSError, http.client.HTTPException, httplib2.HttpLib2Error):
            errors += 1
            assert errors < 5
            continue
        chunks += 1
        if on_chunk is not None:
            on_chunk(chunks)
    return response, errors


def test_multi_mb_resumable_upload_survives_a_dropped_connection(emu: Emulator, drive: Any) -> None:
    data = os.urandom(3 * 1024 * 1024 + 12345)
    media = MediaIoBaseUpload(
        io.BytesIO(data), mimetype="application/octet-stream", chunksize=4 * CHUNK, resumable=True
    )
    request = drive.files().create(body={"name": "big.bin"}, media_body=media, fields="id,size,md5Checksum")

    def drop_once_midway(chunks: int) -> None:
        if chunks == 1:
            emu.set_faults("upload-chunk:count=1:drop")

    result, errors = upload_resumably(request, drop_once_midway)
    assert errors == 1
    assert result["size"] == str(len(data))
    assert result["md5Checksum"] == hashlib.md5(data).hexdigest()
    assert emu.state.get(result["id"]).data == data
    entries = emu.log.entries(kind="upload-chunk")
    assert [e.fault for e in entries].count("drop") == 1
    status_queries = [e for e in entries if e.bytes_in == 0 and e.status == 308]
    assert len(status_queries) == 1  # the client asked where to resume
    # The half chunk that arrived before the drop held whole 256 KiB blocks; they were kept, so the client
    # resumed after them and every byte crossed the wire exactly once.
    assert sum(e.bytes_in for e in entries) == len(data)


def test_lost_last_chunk_is_resent(emu: Emulator, drive: Any) -> None:
    emu.set_faults("upload:count=1:lose-last-chunk")
    data = os.urandom(2 * CHUNK + 100)
    media = MediaIoBaseUpload(io.BytesIO(data), mimetype="text/plain", chunksize=CHUNK, resumable=True)
    request = drive.files().create(body={"name": "t.txt"}, media_body=media, fields="id,size")
    result, errors = upload_resumably(request)
    assert errors == 0 and result["size"] == str(len(data))
    assert emu.state.get(result["id"]).data == data
    chunks = emu.log.entries(kind="upload-chunk")
    assert [e.status for e in chunks] == [308, 308, 308, 201]  # a completed create answers 201
    assert chunks[2].fault == "lose-last-chunk"


def test_resumable_update_replaces_content(emu: Emulator, drive: Any) -> None:
    record = emu.state.add_file(None, "u.bin", b"old")
    data = os.urandom(CHUNK + 1)
    media = MediaIoBaseUpload(
        io.BytesIO(data), mimetype="application/octet-stream", chunksize=CHUNK, resumable=True
    )
    request = drive.files().update(
        fileId=record.id, body={"name": "u2.bin"}, media_body=media, fields="name,size"
    )
    result, _ = upload_resumably(request)
    assert result == {"name": "u2.bin", "size": str(len(data))}
    assert emu.state.get(record.id).data == data


def test_resumable_empty_file(emu: Emulator, drive: Any) -> None:
    media = MediaIoBaseUpload(io.BytesIO(b""), mimetype="text/plain", chunksize=CHUNK, resumable=True)
    request = drive.files().create(body={"name": "empty.txt"}, media_body=media, fields="id,size")
    result, _ = upload_resumably(request)
    assert result["size"] == "0"


def test_resumable_protocol_raw(emu: Emulator) -> None:
    total = 2 * CHUNK + 2
    data = os.urandom(total)
    start, _ = raw(
        emu,
        "POST",
        "/upload/drive/v3/files?uploadType=resumable",
        json.dumps({"name": "raw.bin"}).encode(),
        {
            "Content-Type": "application/json",
            "X-Upload-Content-Type": "text/plain",
            "X-Upload-Content-Length": str(total),
        },
    )
    assert start.status == 200
    session = urlsplit(start.getheader("Location"))
    target = f"{session.path}?{session.query}"
    status, _ = raw(emu, "PUT", target, b"", {"Content-Range": f"bytes */{total}"})
    assert status.status == 308 and status.getheader("Range") is None
    # every chunk but the last must be a multiple of 256 KiB (Drive's 400 says so)
    odd, body = raw(emu, "PUT", target, data[:5], {"Content-Range": f"bytes 0-4/{total}"})
    assert odd.status == 400 and b"262144" in body
    first, _ = raw(emu, "PUT", target, data[:CHUNK], {"Content-Range": f"bytes 0-{CHUNK - 1}/{total}"})
    assert first.status == 308 and first.getheader("Range") == f"bytes=0-{CHUNK - 1}"
    half = CHUNK // 2
    overlap, _ = raw(
        emu,
        "PUT",
        target,
        data[half : half + CHUNK],
        {"Content-Range": f"bytes {half}-{half + CHUNK - 1}/{total}"},
    )
    assert overlap.getheader("Range") == f"bytes=0-{half + CHUNK - 1}"
    gap, _ = raw(emu, "PUT", target, data[-1:], {"Content-Range": f"bytes {total - 1}-{total - 1}/{total}"})
    assert gap.status == 400
    rest = half + CHUNK
    done, body = raw(emu, "PUT", target, data[rest:], {"Content-Range": f"bytes {rest}-{total - 1}/{total}"})
    assert done.status == 201  # a completed resumable create answers 201 Created
    file_id = json.loads(body)["id"]
    assert emu.state.get(file_id).data == data
    again, body = raw(emu, "PUT", target, b"", {"Content-Range": f"bytes */{total}"})
    assert again.status == 201 and json.loads(body)["id"] == file_id


def test_multipart_with_crlf_and_lf(emu: Emulator) -> None:
    for newline in (b"\r\n", b"\n"):
        meta = json.dumps({"name": "mp.txt"}).encode()
        body = newline.join(
            [
                b"--XyZ",
                b"Content-Type: application/json; charset=UTF-8",
                b"",
                meta,
                b"--XyZ",
                b"Content-Type: text/plain",
                b"",
                b"line1" + newline + b"line2",
                b"--XyZ--",
                b"",
            ]
        )
        response, out = raw(
            emu,
            "POST",
            "/upload/drive/v3/files?uploadType=multipart&fields=id,size,mimeType",
            body,
            {"Content-Type": 'multipart/related; boundary="XyZ"'},
        )
        assert response.status == 200, out
        created = json.loads(out)
        assert created["mimeType"] == "text/plain"
        assert emu.state.get(created["id"]).data == b"line1" + newline + b"line2"


def test_create_native_sheet_from_xlsx(emu: Emulator, drive: Any) -> None:
    from tests.emulator.helpers import make_xlsx

    xlsx = make_xlsx([["a", "b"], [1, 2]])
    media = MediaIoBaseUpload(
        io.BytesIO(xlsx), mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    made = (
        drive.files()
        .create(
            body={"name": "conv", "mimeType": "application/vnd.google-apps.spreadsheet"},
            media_body=media,
            fields="id,mimeType,size",
        )
        .execute()
    )
    assert made == {
        "id": made["id"],
        "mimeType": "application/vnd.google-apps.spreadsheet",
        "size": str(len(emu.state.get(made["id"]).data or b"")),
    }
    assert drive.files().export(fileId=made["id"], mimeType="text/csv").execute() == b"a,b\r\n1,2\r\n"


def test_go_style_post_chunks_with_no_308_header(emu: Emulator) -> None:
    start, _ = raw(
        emu,
        "POST",
        "/upload/drive/v3/files?uploadType=resumable&alt=json&supportsAllDrives=true&fields=id,size",
        json.dumps({"name": "go.bin"}).encode(),
        {"Content-Type": "application/json; charset=UTF-8", "X-Upload-Content-Type": "a/b"},
    )
    session = urlsplit(start.getheader("Location"))
    target = f"{session.path}?{session.query}"
    first, _ = raw(
        emu,
        "POST",
        target,
        b"a" * CHUNK,
        {"Content-Range": f"bytes 0-{CHUNK - 1}/*", "X-GUploader-No-308": "yes"},
    )
    assert first.status == 200 and first.getheader("X-HTTP-Status-Code-Override") == "308"
    assert first.getheader("Range") == f"bytes=0-{CHUNK - 1}"
    done, body = raw(emu, "POST", target, b"ef", {"Content-Range": f"bytes {CHUNK}-{CHUNK + 1}/{CHUNK + 2}"})
    assert done.status == 201 and json.loads(body)["size"] == str(CHUNK + 2)


def test_upload_endpoints_ignore_unknown_parameters(emu: Emulator) -> None:
    record = emu.state.add_file(None, "r.bin", b"old")
    response, body = raw(
        emu,
        "PATCH",
        f"/upload/drive/v3/files/{record.id}?uploadType=media&setModifiedDate=true",
        b"new",
        {"Content-Type": "a/b"},
    )
    assert response.status == 200, body
    assert emu.state.get(record.id).data == b"new"


def test_multipart_content_ending_in_carriage_return_is_kept(tmp_path) -> None:
    """The client frames multipart bodies with bare LF; content ending in '\\r' must arrive whole."""
    import io

    from googleapiclient.http import MediaIoBaseUpload

    from gdrivestats.emulator import start_emulator

    data = b"line one\r\nline two\r"
    with start_emulator() as emu:
        service = emu.service()
        media = MediaIoBaseUpload(io.BytesIO(data), mimetype="text/plain", resumable=False)
        made = service.files().create(body={"name": "cr.txt"}, media_body=media, fields="id,size").execute()
        assert made["size"] == str(len(data))
        assert service.files().get_media(fileId=made["id"]).execute() == data
