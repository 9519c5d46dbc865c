"""files.list paging, partial responses, long queries (X-HTTP-Method-Override) and parameter checks."""

from __future__ import annotations

from typing import Any

import pytest
from googleapiclient.errors import HttpError

from gdrivestats.emulator import Emulator
from gdrivestats.emulator.fields import FieldsError, apply_fields, parse_fields


def test_pagination_over_2500_files_returns_each_once(emu: Emulator, drive: Any) -> None:
    folder = emu.state.add_folder(None, "many")
    expected = {emu.state.add_file(folder.id, f"f{i:04d}.txt", b"").id for i in range(2500)}
    seen: list[str] = []
    token = None
    pages = 0
    while True:
        page = (
            drive.files()
            .list(
                q=f"'{folder.id}' in parents",
                pageSize=1000,
                pageToken=token,
                fields="nextPageToken, files(id)",
            )
            .execute()
        )
        pages += 1
        seen += [f["id"] for f in page["files"]]
        token = page.get("nextPageToken")
        if token is None:
            break
    assert pages == 3
    assert len(seen) == len(set(seen)) == 2500
    assert set(seen) == expected


def test_default_page_size_is_100_and_paging_survives_inserts(emu: Emulator, drive: Any) -> None:
    for i in range(150):
        emu.state.add_file(None, f"n{i:03d}", b"")
    first = drive.files().list(orderBy="name", fields="nextPageToken,files(name)").execute()
    assert len(first["files"]) == 100 and first["files"][0]["name"] == "n000"
    emu.state.add_file(None, "a-before-everything", b"")
    second = (
        drive.files().list(orderBy="name", pageToken=first["nextPageToken"], fields="files(name)").execute()
    )
    assert [f["name"] for f in second["files"]] == [f"n{i:03d}" for i in range(100, 150)]


def test_list_next_page_helper(emu: Emulator, drive: Any) -> None:
    for i in range(25):
        emu.state.add_file(None, f"x{i}", b"")
    request = drive.files().list(pageSize=10, fields="nextPageToken,files(id)")
    total = 0
    while request is not None:
        response = request.execute()
        total += len(response["files"])
        request = drive.files().list_next(request, response)
    assert total == 25


def test_partial_response_fields(emu: Emulator, drive: Any) -> None:
    emu.state.add_file(None, "a.txt", b"abc", "text/plain")
    page = drive.files().list(fields="files(name,size)").execute()
    assert page == {"files": [{"name": "a.txt", "size": "3"}]}
    star = drive.files().list(fields="*").execute()
    assert star["kind"] == "drive#fileList" and "md5Checksum" in star["files"][0]
    nested = drive.files().list(fields="files/owners/emailAddress").execute()
    assert nested == {"files": [{"owners": [{"emailAddress": emu.state.user_email}]}]}


def test_invalid_field_selection_is_400(drive: Any) -> None:
    with pytest.raises(HttpError) as info:
        drive.files().list(fields="files(id,bogus)").execute()
    assert info.value.status_code == 400
    detail = info.value.error_details[0]  # type: ignore[index]
    assert detail["reason"] == "invalidParameter" and detail["location"] == "fields"
    assert detail["message"] == "Invalid field selection bogus"


def test_fields_parser_unit() -> None:
    tree = parse_fields("nextPageToken, files(id,name,parents),kind")
    assert tree == {"nextPageToken": None, "files": {"id": None, "name": None, "parents": None}, "kind": None}
    assert parse_fields("a/b/c") == {"a": {"b": {"c": None}}}
    assert apply_fields({"a": [{"b": 1, "c": 2}], "d": 3}, parse_fields("a(b)")) == {"a": [{"b": 1}]}
    for bad in ("files(id", "files)", ",", "a,,b", "a(b))"):
        with pytest.raises(FieldsError):
            parse_fields(bad)


def test_long_query_switches_to_post_with_method_override(emu: Emulator, drive: Any) -> None:
    folders = [emu.state.add_folder(None, f"d{i}") for i in range(60)]
    for folder in folders[::10]:
        emu.state.add_file(folder.id, f"in-{folder.name}", b"")
    q = " or ".join(f"'{f.id}' in parents" for f in folders)
    request = drive.files().list(q=q, fields="files(name)", pageSize=1000)
    assert len(request.uri) > 2048
    names = sorted(f["name"] for f in request.execute()["files"])
    assert names == [f"in-d{i}" for i in range(0, 60, 10)]
    last = emu.log.entries(kind="list")[-1]
    assert (last.method, last.override) == ("POST", "GET") and last.bytes_in > 2048


def discovery_error(exc: HttpError) -> dict[str, Any]:
    return exc.error_details[0]  # type: ignore[index,no-any-return]


def test_page_size_above_the_maximum_is_coerced_below_the_minimum_is_400(emu: Emulator, drive: Any) -> None:
    for i in range(1001):
        emu.state.add_file(None, f"f{i:04d}", b"")
    request = drive.files().list(fields="nextPageToken,files(id)")
    request.uri += "&pageSize=5000"
    page = request.execute()
    assert len(page["files"]) == 1000 and "nextPageToken" in page
    request = drive.files().list()
    request.uri += "&pageSize=0"
    with pytest.raises(HttpError) as info:
        request.execute()
    assert info.value.status_code == 400
    assert discovery_error(info.value) == {
        "domain": "global",
        "reason": "invalidParameter",
        "message": "Invalid value '0'. Values must be within the range: [1, ]",
        "location": "pageSize",
        "locationType": "parameter",
    }


@pytest.mark.parametrize(
    ("extra", "location"),
    [("&pageSize=abc", "pageSize"), ("&supportsAllDrives=maybe", "supportsAllDrives"), ("&bogus=1", "bogus")],
)
def test_bad_parameters_are_400(drive: Any, extra: str, location: str) -> None:
    request = drive.files().list()
    request.uri += extra
    with pytest.raises(HttpError) as info:
        request.execute()
    assert info.value.status_code == 400
    detail = discovery_error(info.value)
    assert detail["location"] == location and detail["locationType"] == "parameter"
    assert detail["reason"] in {"invalidParameter", "badRequest"}


def test_bad_order_by_and_page_token(drive: Any) -> None:
    with pytest.raises(HttpError) as info:
        drive.files().list(orderBy="size").execute()
    assert info.value.status_code == 400
    with pytest.raises(HttpError) as info:
        drive.files().list(pageToken="garbage").execute()
    assert info.value.status_code == 400


def test_empty_fields_means_default_selection(emu: Emulator, drive: Any) -> None:
    record = emu.state.add_file(None, "a.txt", b"a")
    request = drive.files().update(fileId=record.id, body={"trashed": True})
    request.uri += "&fields="  # what Go clients send for Fields("")
    assert request.execute()["id"] == record.id
    assert emu.state.get(record.id).explicitly_trashed


def test_bad_fields_fail_before_any_change(emu: Emulator, drive: Any) -> None:
    record = emu.state.add_file(None, "a.txt", b"a")
    with pytest.raises(HttpError) as info:
        drive.files().update(fileId=record.id, body={"name": "b.txt"}, fields="nonsense").execute()
    assert info.value.status_code == 400
    assert emu.state.get(record.id).name == "a.txt" and emu.state.get(record.id).version == 1
