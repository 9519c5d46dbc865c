"""Behaviours where the emulator follows Drive v3 point by point: moves, queries, exports, scopes, changes,
shared drives, permissions, other owners, Docs and Slides, conversion on upload."""

from __future__ import annotations

import base64
import io
import json
import time
import zipfile
from typing import Any
from urllib.parse import urlencode

import httplib2
import pytest
from googleapiclient.errors import HttpError
from googleapiclient.http import MediaIoBaseUpload

from gdrivestats.emulator import Emulator, build_service
from gdrivestats.emulator.store import DOC_MIME, SHEET_MIME, SLIDES_MIME, XLSX_MIME
from tests.emulator.helpers import make_xlsx

ODS = "application/vnd.oasis.opendocument.spreadsheet"


def reason(exc: HttpError) -> str:
    return exc.error_details[0]["reason"]  # type: ignore[index,no-any-return]


def listed(drive: Any, q: str, **kwargs: Any) -> list[str]:
    return [f["name"] for f in drive.files().list(q=q, fields="files(name)", **kwargs).execute()["files"]]


def test_rename_in_place_with_the_same_add_and_remove_parent(emu: Emulator, drive: Any) -> None:
    folder = emu.state.add_folder(None, "F")
    record = emu.state.add_file(folder.id, "old.txt", b"x")
    drive.files().update(
        fileId=record.id, addParents=folder.id, removeParents=folder.id, body={"name": "new.txt"}
    ).execute()
    assert (emu.state.get(record.id).name, emu.state.get(record.id).parents) == ("new.txt", [folder.id])


def test_media_of_a_shared_drive_file_without_supports_all_drives(emu: Emulator, drive: Any) -> None:
    team = emu.state.add_shared_drive("Team")
    record = emu.state.add_file(team.id, "t.bin", b"team bytes")
    assert drive.files().get_media(fileId=record.id).execute() == b"team bytes"
    with pytest.raises(HttpError) as info:  # metadata still needs supportsAllDrives
        drive.files().get(fileId=record.id).execute()
    assert info.value.status_code == 404


def test_order_by_name_natural(emu: Emulator, drive: Any) -> None:
    for name in ("file12", "file2", "file1", "File22"):
        emu.state.add_file(None, name, b"")
    assert listed(drive, "", orderBy="name_natural") == ["file1", "file2", "file12", "File22"]
    assert listed(drive, "", orderBy="name") == ["file1", "file12", "file2", "File22"]


def test_property_shortcut_visibility_and_shared_with_me_terms(emu: Emulator, drive: Any) -> None:
    target = emu.state.add_file(None, "target", b"")
    emu.state.add_shortcut(None, "link", target.id)
    tagged = (
        drive.files()
        .create(body={"name": "tagged", "properties": {"role": "output"}, "appProperties": {"gds": "1"}})
        .execute()
    )
    emu.state.add_shared_with_me("theirs.xlsx", b"PK", owner="boss@example.com")
    assert listed(drive, "properties has { key='role' and value='output' }") == ["tagged"]
    assert listed(drive, "appProperties has { key='gds' and value='1' }") == ["tagged"]
    assert listed(drive, "properties has { key='role' and value='input' }") == []
    assert listed(drive, f"shortcutDetails.targetId = '{target.id}'") == ["link"]
    assert listed(drive, "sharedWithMe") == ["theirs.xlsx"]
    assert listed(drive, "'boss@example.com' in owners") == ["theirs.xlsx"]
    drive.permissions().create(fileId=tagged["id"], body={"type": "anyone", "role": "reader"}).execute()
    assert listed(drive, "visibility = 'anyoneWithLink'") == ["tagged"]


def test_full_text_matches_whole_words_and_content(emu: Emulator, drive: Any) -> None:
    emu.state.add_file(None, "notes.txt", b"the quarterly revenue figures", "text/plain")
    emu.state.add_file(None, "HelloWorld.txt", b"", "text/plain")
    emu.state.add_spreadsheet(None, "Budget", make_xlsx([["region", "forecast"], ["north", 10]]))
    assert listed(drive, "fullText contains 'revenue'") == ["notes.txt"]
    assert listed(drive, "fullText contains 'reven'") == []  # whole words only
    assert listed(drive, "fullText contains 'figures quarterly'") == ["notes.txt"]  # any order
    assert listed(drive, "fullText contains '\"figures quarterly\"'") == []  # an exact phrase
    assert listed(drive, "fullText contains 'forecast'") == ["Budget"]
    assert listed(drive, "fullText contains 'World'") == []
    assert listed(drive, "fullText contains 'HelloWorld'") == ["HelloWorld.txt"]


def test_multi_word_name_contains_in_any_order(emu: Emulator, drive: Any) -> None:
    emu.state.add_file(None, "Sales Report 2024", b"")
    emu.state.add_file(None, "Report", b"")
    assert listed(drive, "name contains 'report sales'") == ["Sales Report 2024"]
    assert listed(drive, "name contains 'sal rep'") == ["Sales Report 2024"]
    assert sorted(listed(drive, "name contains 'rep'")) == ["Report", "Sales Report 2024"]


def test_sheets_export_to_every_drive_format(emu: Emulator, drive: Any) -> None:
    sheet = emu.state.add_spreadsheet(None, "S", make_xlsx([["a", "b"], [1, 2]]))
    meta = drive.files().get(fileId=sheet.id, fields="exportLinks,size").execute()
    formats = sorted(meta["exportLinks"])
    about = drive.about().get(fields="exportFormats").execute()
    assert sorted(about["exportFormats"][SHEET_MIME]) == formats
    assert set(formats) == {
        XLSX_MIME,
        ODS,
        "application/x-vnd.oasis.opendocument.spreadsheet",
        "text/csv",
        "text/tab-separated-values",
        "application/pdf",
        "application/zip",
    }
    assert meta["size"] == str(len(sheet.data or b""))
    out = {fmt: drive.files().export(fileId=sheet.id, mimeType=fmt).execute() for fmt in formats}
    assert out["text/tab-separated-values"] == b"a\tb\r\n1\t2\r\n"
    assert out["application/pdf"].startswith(b"%PDF-") and out["application/pdf"].rstrip().endswith(b"%%EOF")
    with zipfile.ZipFile(io.BytesIO(out[ODS])) as book:
        assert book.namelist()[0] == "mimetype" and book.read("mimetype") == ODS.encode()
        assert b"<text:p>a</text:p>" in book.read("content.xml")
    with zipfile.ZipFile(io.BytesIO(out["application/zip"])) as book:
        assert b"<td>2</td>" in book.read(book.namelist()[0])
    with pytest.raises(HttpError) as info:
        drive.files().export(fileId=sheet.id, mimeType="image/png").execute()
    assert info.value.status_code == 400


def test_batch_part_urls_are_limited_to_8000_characters(emu: Emulator, drive: Any) -> None:
    results: dict[str, Any] = {}
    batch = drive.new_batch_http_request(callback=lambda rid, resp, exc: results.update({rid: exc or resp}))
    batch.add(drive.files().list(q="name = '" + "x" * 8000 + "'"), request_id="long")
    batch.add(drive.files().list(q="name = 'short'", fields="files(id)"), request_id="short")
    batch.execute()
    assert isinstance(results["long"], HttpError) and results["long"].status_code == 400
    assert results["short"] == {"files": []}


def test_a_read_only_token_cannot_write(emu: Emulator) -> None:
    emu.state.token_scopes["ro"] = "https://www.googleapis.com/auth/drive.readonly"
    emu.state.token_scopes["meta"] = "https://www.googleapis.com/auth/drive.metadata.readonly"
    record = emu.state.add_file(None, "a.bin", b"abc")
    readonly, metadata = build_service(emu.url, "ro"), build_service(emu.url, "meta")
    assert [f["name"] for f in readonly.files().list().execute()["files"]] == ["a.bin"]
    assert readonly.files().get_media(fileId=record.id).execute() == b"abc"
    for call in (
        readonly.files().create(body={"name": "x"}),
        readonly.files().update(fileId=record.id, body={"name": "y"}),
        readonly.files().delete(fileId=record.id),
        metadata.files().get_media(fileId=record.id),
    ):
        with pytest.raises(HttpError) as info:
            call.execute()
        assert info.value.status_code == 403 and reason(info.value) == "insufficientPermissions"
    assert emu.state.get(record.id).name == "a.bin"


def _rsa_key() -> tuple[Any, str]:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return key, public.decode()


def _jwt(key: Any, issuer: str, scope: str) -> str:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    now = int(time.time())
    claims = {"iss": issuer, "scope": scope, "aud": "https://oauth2.googleapis.com/token", "iat": now}
    claims["exp"] = now + 600
    signed = b64(json.dumps({"alg": "RS256", "typ": "JWT"}).encode()) + "." + b64(json.dumps(claims).encode())
    signature = key.sign(signed.encode(), padding.PKCS1v15(), hashes.SHA256())
    return signed + "." + b64(signature)


def _grant(emu: Emulator, assertion: str) -> tuple[int, dict[str, Any]]:
    form = urlencode({"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": assertion})
    response, body = httplib2.Http().request(
        emu.url + "token", "POST", body=form, headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    return response.status, json.loads(body)


def test_service_account_jwts_are_verified_and_their_scopes_enforced(emu: Emulator) -> None:
    from gdrivestats.emulator.oauth import state_of

    robot, stranger = "robot@p.iam.gserviceaccount.com", "stranger@p.iam.gserviceaccount.com"
    key, public = _rsa_key()
    other_key, _ = _rsa_key()
    state_of(emu.state).trusted_keys[robot] = public
    assert _grant(emu, _jwt(other_key, robot, "https://www.googleapis.com/auth/drive"))[0] == 400
    assert _grant(emu, _jwt(key, stranger, "https://www.googleapis.com/auth/drive"))[0] == 400
    status, token = _grant(emu, _jwt(key, robot, "https://www.googleapis.com/auth/drive.readonly"))
    assert status == 200
    drive = build_service(emu.url, token["access_token"])
    drive.files().list().execute()
    with pytest.raises(HttpError) as info:
        drive.files().create(body={"name": "x"}).execute()
    assert reason(info.value) == "insufficientPermissions"


def test_changes_carry_drive_ids_and_drive_changes(emu: Emulator, drive: Any) -> None:
    token = drive.changes().getStartPageToken().execute()["startPageToken"]
    made = drive.drives().create(requestId="r1", body={"name": "Team"}).execute()
    record = emu.state.add_file(made["id"], "t.txt", b"")
    drive.drives().update(driveId=made["id"], body={"name": "Team 2"}).execute()
    page = (
        drive.changes()
        .list(
            pageToken=token,
            supportsAllDrives=True,
            includeItemsFromAllDrives=True,
            fields="changes(changeType,driveId,fileId,drive(name))",
        )
        .execute()
    )
    assert page["changes"] == [
        {"changeType": "file", "driveId": made["id"], "fileId": record.id},
        {"changeType": "drive", "driveId": made["id"], "drive": {"name": "Team 2"}},
    ]
    mine = drive.changes().list(pageToken=token, fields="changes(changeType)").execute()
    assert mine["changes"] == []  # a My Drive feed has neither


def test_drives_create_update_delete_and_list_with_q(emu: Emulator, drive: Any) -> None:
    a = drive.drives().create(requestId="a", body={"name": "Alpha"}).execute()
    drive.drives().create(requestId="b", body={"name": "Beta"}).execute()
    with pytest.raises(HttpError) as info:
        drive.drives().create(requestId="a", body={"name": "Alpha"}).execute()
    assert info.value.status_code == 409
    found = drive.drives().list(q="name = 'Alpha'", pageSize=500).execute()["drives"]
    assert [d["id"] for d in found] == [a["id"]]
    assert [d["name"] for d in drive.drives().list(q="name contains 'bet'").execute()["drives"]] == ["Beta"]
    emu.state.add_file(a["id"], "keep", b"")
    with pytest.raises(HttpError) as info:
        drive.drives().delete(driveId=a["id"]).execute()
    assert reason(info.value) == "cannotDeleteTeamDrive"
    b_id = drive.drives().list(q="name = 'Beta'").execute()["drives"][0]["id"]
    drive.drives().delete(driveId=b_id).execute()
    assert [d["name"] for d in drive.drives().list().execute()["drives"]] == ["Alpha"]


def test_permissions_create_list_delete(emu: Emulator, drive: Any) -> None:
    record = emu.state.add_file(None, "report.pdf", b"%PDF")
    made = drive.permissions().create(fileId=record.id, body={"type": "anyone", "role": "reader"}).execute()
    assert made["type"] == "anyone" and made["role"] == "reader"
    perms = drive.permissions().list(fileId=record.id).execute()["permissions"]
    assert sorted(p["role"] for p in perms) == ["owner", "reader"]
    assert listed(drive, "visibility = 'anyoneWithLink'") == ["report.pdf"]
    drive.permissions().delete(fileId=record.id, permissionId=made["id"]).execute()
    assert [p["role"] for p in drive.permissions().list(fileId=record.id).execute()["permissions"]] == [
        "owner"
    ]
    assert listed(drive, "visibility = 'anyoneWithLink'") == []
    with pytest.raises(HttpError) as info:
        drive.permissions().create(fileId=record.id, body={"type": "user", "role": "reader"}).execute()
    assert info.value.status_code == 400


def test_files_of_another_owner_docs_slides_and_a_version_bump(emu: Emulator, drive: Any) -> None:
    theirs = emu.state.add_shared_with_me("theirs.xlsx", b"PK..", owner="boss@example.com")
    meta = drive.files().get(fileId=theirs.id, fields="ownedByMe,owners(emailAddress,me),parents").execute()
    assert meta == {"ownedByMe": False, "owners": [{"emailAddress": "boss@example.com", "me": False}]}
    folder = emu.state.add_folder(None, "Colab Notebooks")
    doc = emu.state.add_document(folder.id, "sales.xlsx notes", text="hello")
    slides = emu.state.add_document(folder.id, "deck", SLIDES_MIME, text="slide")
    kinds = {
        f["name"]: f["mimeType"] for f in drive.files().list(q=f"'{folder.id}' in parents").execute()["files"]
    }
    assert kinds == {"sales.xlsx notes": DOC_MIME, "deck": SLIDES_MIME}
    assert drive.files().export(fileId=doc.id, mimeType="text/plain").execute() == b"hello"
    with pytest.raises(HttpError) as info:
        drive.files().get_media(fileId=slides.id).execute()
    assert reason(info.value) == "fileNotDownloadable"
    sheet = emu.state.add_spreadsheet(folder.id, "S", make_xlsx([["a"], [1]]))
    before = drive.files().get(fileId=sheet.id, fields="version,modifiedTime").execute()
    content = drive.files().export(fileId=sheet.id, mimeType=XLSX_MIME).execute()
    emu.state.bump_version(sheet.id)
    after = drive.files().get(fileId=sheet.id, fields="version,modifiedTime").execute()
    assert int(after["version"]) == int(before["version"]) + 1
    assert after["modifiedTime"] == before["modifiedTime"]
    assert drive.files().export(fileId=sheet.id, mimeType=XLSX_MIME).execute() == content


def test_xlsx_upload_converts_to_a_native_sheet_on_update(emu: Emulator, drive: Any) -> None:
    record = emu.state.add_file(None, "book.xlsx", b"old", XLSX_MIME)
    xlsx = make_xlsx([["x", "y"], [3, 4]])
    media = MediaIoBaseUpload(io.BytesIO(xlsx), mimetype=XLSX_MIME, chunksize=256 * 1024, resumable=True)
    made = (
        drive.files()
        .update(
            fileId=record.id,
            body={"mimeType": SHEET_MIME},
            media_body=media,
            fields="id,mimeType,md5Checksum",
        )
        .execute()
    )
    assert made == {"id": record.id, "mimeType": SHEET_MIME}
    assert drive.files().export(fileId=record.id, mimeType="text/csv").execute() == b"x,y\r\n3,4\r\n"
    newer = make_xlsx([["x"], [5]])
    drive.files().update(
        fileId=record.id, media_body=MediaIoBaseUpload(io.BytesIO(newer), mimetype=XLSX_MIME)
    ).execute()
    assert drive.files().export(fileId=record.id, mimeType="text/csv").execute() == b"x\r\n5\r\n"
