"""ApiDrive against a fresh emulator over real HTTP, through google-api-python-client (nothing mocked)."""

from __future__ import annotations

import hashlib
import io
import logging
import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from google.oauth2.credentials import Credentials

from gdrivestats.drive.api import ApiDrive
from gdrivestats.drive.base import SPREADSHEET_MIME, XLSX_MIME, Entry
from gdrivestats.drive.retry import Backoff
from gdrivestats.errors import (
    AuthError,
    DownloadBlocked,
    DriveError,
    ExportTooLarge,
    NotFound,
    PermissionDenied,
    QuotaExceeded,
    RateLimited,
)
from gdrivestats.mirror.local_names import local_paths
from tests.drive.contract import DriveContract

emulator = pytest.importorskip("gdrivestats.emulator")
start_emulator = emulator.start_emulator

KIB = 1024
MIB = 1024 * KIB
FOLDER = "application/vnd.google-apps.folder"


def make_drive(emu: Any, **kwargs: Any) -> ApiDrive:
    kwargs.setdefault("backoff", Backoff.fast())
    return ApiDrive(Credentials("test-token"), root_url=emu.url, **kwargs)


@pytest.fixture
def api(emu: Any) -> ApiDrive:
    return make_drive(emu)


def root_id(emu: Any) -> str:
    return emu.state.root_id


def api_folder_id(emu: Any, name: str) -> str:
    return next(r.id for r in emu.state.files.values() if r.name == name)


def live_named(emu: Any, name: str) -> list[Any]:
    """Records with this name on the emulator that are not in the trash."""
    return [r for r in list(emu.state.files.values()) if r.name == name and not emu.state.is_trashed(r)]


def xlsx_bytes(rows: list[list[Any]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


class TestApiContract(DriveContract):
    @pytest.fixture
    def drive(self, emu: Any) -> ApiDrive:
        from gdrivestats.drive.pacer import Pacer

        drive = make_drive(emu)
        drive.pacer = Pacer(rate=100.0, burst=100, start=100.0)  # the emulator has no write limit here
        return drive


# ---- construction --------------------------------------------------------------------------------


def test_from_env_uses_token_and_url(emu: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    emu.state.add_file(root_id(emu), "hello.txt", b"hi", "text/plain")
    monkeypatch.setenv("GDRIVESTATS_ACCESS_TOKEN", "ci-token")
    monkeypatch.setenv("GDRIVESTATS_DRIVE_URL", emu.url)
    drive = ApiDrive.from_env(backoff=Backoff.fast())
    assert drive.read_bytes("hello.txt") == b"hi"
    monkeypatch.delenv("GDRIVESTATS_ACCESS_TOKEN")
    with pytest.raises(AuthError, match="GDRIVESTATS_ACCESS_TOKEN"):
        ApiDrive.from_env()


# ---- path cache ----------------------------------------------------------------------------------


def test_path_resolution_is_cached_and_invalidated(emu: Any, api: ApiDrive) -> None:
    a = emu.state.add_folder(root_id(emu), "Colab Notebooks")
    b = emu.state.add_folder(a.id, "Reports")
    f = emu.state.add_file(b.id, "sales.xlsx", b"v1", XLSX_MIME)
    emu.state.add_file(b.id, "costs.xlsx", b"c", XLSX_MIME)

    entry = api.stat("Colab Notebooks/Reports/sales.xlsx")
    assert entry.id == f.id
    assert emu.log.count(kind="list") == 3  # one lookup per path component
    emu.log.clear()

    assert api.stat("Colab Notebooks/Reports/sales.xlsx").id == f.id
    assert api.read_bytes("Colab Notebooks/Reports/sales.xlsx") == b"v1"
    assert emu.log.count(kind="list") == 0 and emu.log.count(kind="get") == 0

    api.stat("Colab Notebooks/Reports/costs.xlsx")
    assert emu.log.count(kind="list") == 1  # only the last component was unknown
    emu.log.clear()

    api.list("Colab Notebooks/Reports")  # listing fills the cache for every child
    emu.log.clear()
    api.stat("Colab Notebooks/Reports/costs.xlsx")
    assert len(emu.log.entries()) == 0

    api.remove("Colab Notebooks/Reports/sales.xlsx")
    with pytest.raises(NotFound):
        api.stat("Colab Notebooks/Reports/sales.xlsx")
    written = api.write_bytes("Colab Notebooks/Reports", "sales.xlsx", b"v2")
    emu.log.clear()
    assert api.stat("Colab Notebooks/Reports/sales.xlsx") == written
    assert len(emu.log.entries()) == 0


def test_address_by_id_and_entry(emu: Any, api: ApiDrive) -> None:
    f = emu.state.add_file(root_id(emu), "a/b.csv", b"slash in name", "text/csv")
    assert api.read_bytes(f"id:{f.id}") == b"slash in name"
    entry = api.stat(f"id:{f.id}")
    assert (entry.name, entry.size) == ("a/b.csv", 13)
    assert api.read_bytes(entry) == b"slash in name"


# ---- listing -------------------------------------------------------------------------------------


def _seed_many(emu: Any, folders: int = 40, per_folder: int = 50) -> None:
    data = emu.state.add_folder(root_id(emu), "data")
    for i in range(folders):
        folder = emu.state.add_folder(data.id, f"f{i:02d}")
        for j in range(per_folder):
            emu.state.add_file(folder.id, f"r{j:03d}.csv", f"{i},{j}\n".encode(), "text/csv")


def test_recursive_listing_of_2000_files_in_40_folders_takes_few_list_calls(emu: Any, api: ApiDrive) -> None:
    _seed_many(emu)
    emu.log.clear()
    entries = api.list("data", recursive=True)
    assert len(entries) == 40 + 2000
    assert sum(not e.is_folder for e in entries) == 2000
    assert entries[1].path == "data/f00/r000.csv"
    assert emu.log.count(kind="list") <= 6
    # lookup of "data" + its children + 2 pages of 1,000 for the 40 folders at once
    assert emu.log.count(kind="list") == 4


@pytest.mark.parametrize("fault", ["empty", "partial"])
def test_folders_a_multi_folder_answer_leaves_empty_are_asked_again(emu: Any, fault: str) -> None:
    _seed_many(emu, folders=5, per_folder=3)
    empty = emu.state.add_folder(api_folder_id(emu, "data"), "nothing-here")
    drive = make_drive(emu)
    emu.set_faults(f"list:count=1:{fault}")  # Drive leaves folders out of one multi-folder answer
    entries = drive.list("data", recursive=True)
    assert sum(not e.is_folder for e in entries) == 15
    assert {e.path for e in entries if e.name == "r002.csv"} == {f"data/f{i:02d}/r002.csv" for i in range(5)}
    lists = emu.log.entries(kind="list")
    assert [e.fault for e in lists].count(fault) == 1
    # re-asked: only the folders that came back empty (the one cut out, and the one really empty)
    assert empty.id in {e.id for e in entries}
    # the name lookup of data, data itself, one query for its 6 subfolders, then the re-asks
    assert len(lists) == 3 + (6 if fault == "empty" else 2)


def test_folders_per_query_is_respected(emu: Any) -> None:
    _seed_many(emu, folders=12, per_folder=1)
    drive = make_drive(emu, folders_per_query=5)
    emu.log.clear()
    assert len(drive.list("data", recursive=True)) == 24
    assert emu.log.count(kind="list") == 1 + 1 + 3  # lookup, children of data, 12 folders in 5+5+2


def test_trashed_files_are_not_listed(emu: Any, api: ApiDrive) -> None:
    keep = emu.state.add_file(root_id(emu), "keep.csv", b"k", "text/csv")
    gone = emu.state.add_file(root_id(emu), "gone.csv", b"g", "text/csv")
    emu.state.trash(gone.id)
    assert [e.id for e in api.list("")] == [keep.id]


# ---- shared drives -------------------------------------------------------------------------------


def test_shared_drive_by_prefix_and_by_drive_id(emu: Any, api: ApiDrive, tmp_path: Path) -> None:
    team = emu.state.add_shared_drive("Team Drive")
    reports = emu.state.add_folder(team.id, "Reports")
    emu.state.add_file(reports.id, "q1.csv", b"q1", "text/csv")
    emu.state.add_file(root_id(emu), "mine.csv", b"m", "text/csv")

    entries = api.list("shared:Team Drive", recursive=True)
    assert [e.path for e in entries] == ["shared:Team Drive/Reports", "shared:Team Drive/Reports/q1.csv"]
    assert all(e.drive_id == team.id for e in entries)
    assert api.read_bytes("shared:Team Drive/Reports/q1.csv") == b"q1"
    written = api.write_bytes("shared:Team Drive/Reports", "out.csv", b"o")
    assert written.drive_id == team.id
    assert [e.path for e in api.list("")] == ["mine.csv"]  # My Drive does not show shared drive files

    scoped = make_drive(emu, drive_id=team.id)
    assert [e.path for e in scoped.list("Reports")] == ["Reports/out.csv", "Reports/q1.csv"]
    assert scoped.download("Reports/q1.csv", tmp_path / "q1.csv").read_bytes() == b"q1"
    folder = scoped.makedirs("Reports/2025")
    assert folder.drive_id == team.id
    with pytest.raises(NotFound, match="shared:Nope"):
        api.list("shared:Nope/x")


# ---- native sheets -------------------------------------------------------------------------------


def test_native_sheet_is_exported_to_xlsx(emu: Any, api: ApiDrive, tmp_path: Path) -> None:
    content = xlsx_bytes([["region", "sales"], ["east", 10], ["west", 20]])
    sheet = emu.state.add_spreadsheet(root_id(emu), "Sales", content)
    entry = api.stat("Sales")
    assert entry.mime_type == SPREADSHEET_MIME
    assert (entry.md5, entry.size, entry.is_native) == (None, None, True)
    assert entry.download_name == "Sales.xlsx"
    data = api.read_bytes("Sales")
    assert data[:2] == b"PK"
    from openpyxl import load_workbook

    rows = list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))
    assert rows == [("region", "sales"), ("east", 10), ("west", 20)]
    dest = api.download(entry, tmp_path / entry.download_name)
    assert dest.read_bytes() == data
    assert emu.log.count(kind="export") >= 2
    assert emu.log.count(kind="media") == 0
    assert api.checksum("Sales") is None
    assert sheet.id == entry.id


def test_export_over_the_limit_is_export_too_large(emu: Any, api: ApiDrive, tmp_path: Path) -> None:
    emu.state.add_spreadsheet(root_id(emu), "Huge", xlsx_bytes([[i, i * 2] for i in range(200)]))
    emu.state.export_limit = 100
    with pytest.raises(ExportTooLarge, match="Huge") as err:
        api.download("Huge", tmp_path / "Huge.xlsx")
    assert "10 MB" in str(err.value)
    assert emu.log.count(kind="export") == 1  # final: not retried
    assert not (tmp_path / "Huge.xlsx").exists()
    assert list(tmp_path.iterdir()) == []


# ---- shortcuts -----------------------------------------------------------------------------------


def test_shortcuts_are_followed(emu: Any, api: ApiDrive, tmp_path: Path) -> None:
    data = emu.state.add_folder(root_id(emu), "data")
    target = emu.state.add_file(data.id, "real.csv", b"real content", "text/csv")
    emu.state.add_file(data.id, "inner.csv", b"inner", "text/csv")
    links = emu.state.add_folder(root_id(emu), "links")
    file_link = emu.state.add_shortcut(links.id, "link.csv", target.id)
    emu.state.add_shortcut(links.id, "data-link", data.id)

    entry = api.stat("links/link.csv")
    assert (entry.id, entry.name, entry.shortcut_id, entry.size) == (target.id, "link.csv", file_link.id, 12)
    assert entry.md5 == hashlib.md5(b"real content").hexdigest()
    assert api.read_bytes("links/link.csv") == b"real content"
    assert api.download("links/link.csv", tmp_path / "l.csv").read_bytes() == b"real content"

    assert [e.name for e in api.list("links/data-link")] == ["inner.csv", "real.csv"]
    assert api.read_bytes("links/data-link/inner.csv") == b"inner"
    assert [e.path for e in api.list("links", recursive=True)] == [
        "links/data-link",
        "links/data-link/inner.csv",
        "links/data-link/real.csv",
        "links/link.csv",
    ]

    api.remove("links/link.csv")  # removes the shortcut, never the target
    assert api.read_bytes("data/real.csv") == b"real content"
    assert [e.name for e in api.list("links")] == ["data-link"]


def test_shortcut_into_a_shared_drive_lists_that_drive(emu: Any, api: ApiDrive) -> None:
    team = emu.state.add_shared_drive("Team")
    folder = emu.state.add_folder(team.id, "Shared Reports")
    emu.state.add_file(folder.id, "t.csv", b"team", "text/csv")
    emu.state.add_shortcut(root_id(emu), "team-reports", folder.id)
    entries = api.list("", recursive=True)
    assert [(e.path, e.drive_id) for e in entries] == [
        ("team-reports", team.id),
        ("team-reports/t.csv", team.id),
    ]
    assert api.read_bytes("team-reports/t.csv") == b"team"


def test_two_shared_drives_with_one_name_are_reported(emu: Any, api: ApiDrive) -> None:
    first = emu.state.add_shared_drive("Dup")
    emu.state.add_shared_drive("Dup")
    emu.state.add_file(first.id, "x.csv", b"x", "text/csv")
    assert [e.name for e in api.list("shared:Dup")] == ["x.csv"]
    assert [d.path for d in api.duplicates] == ["shared:Dup"]


def test_dangling_shortcut_is_skipped(emu: Any, api: ApiDrive, caplog: pytest.LogCaptureFixture) -> None:
    target = emu.state.add_file(root_id(emu), "t.csv", b"t", "text/csv")
    emu.state.add_shortcut(root_id(emu), "dangling", target.id)
    trashed = emu.state.add_file(root_id(emu), "u.csv", b"u", "text/csv")
    emu.state.add_shortcut(root_id(emu), "to-trash", trashed.id)
    emu.state.delete(target.id)
    emu.state.trash(trashed.id)
    with caplog.at_level(logging.WARNING):
        assert api.list("") == []
    assert "dangling" in caplog.text and "to-trash" in caplog.text
    with pytest.raises(NotFound):
        api.read_bytes("dangling")


# ---- duplicates ----------------------------------------------------------------------------------


def test_duplicate_names_are_deterministic_and_reported(
    emu: Any, api: ApiDrive, caplog: pytest.LogCaptureFixture
) -> None:
    folder = emu.state.add_folder(root_id(emu), "in")
    older = emu.state.add_file(folder.id, "sales.xlsx", b"older", XLSX_MIME)
    newer = emu.state.add_file(folder.id, "sales.xlsx", b"newer", XLSX_MIME)
    with caplog.at_level(logging.WARNING, logger="gdrivestats.drive.api"):
        assert api.read_bytes("in/sales.xlsx") == b"older"
        listed = api.list("in")
    assert [e.id for e in listed] == [older.id, newer.id]
    assert len(api.duplicates) == 1
    dup = api.duplicates[0]
    assert (dup.path, dup.ids, dup.chosen) == ("in/sales.xlsx", (older.id, newer.id), older.id)
    assert caplog.text.count("in/sales.xlsx: 2 items share this name") == 1  # reported once
    names = local_paths(listed)
    assert names[older.id].as_posix() == "in/sales.xlsx"
    assert names[newer.id].as_posix() == f"in/sales ({newer.id[:8]}).xlsx"

    written = api.write_bytes("in", "sales.xlsx", b"updated")  # the upsert updates the chosen one
    assert written.id == older.id
    assert len(live_named(emu, "sales.xlsx")) == 2


# ---- transfers -----------------------------------------------------------------------------------


def test_download_checks_md5_and_leaves_nothing_on_mismatch(emu: Any, api: ApiDrive, tmp_path: Path) -> None:
    emu.state.add_file(root_id(emu), "f.bin", b"payload", "application/octet-stream")
    lying = replace(api.stat("f.bin"), md5="0" * 32)
    emu.log.clear()
    with pytest.raises(DriveError, match="md5"):
        api.download(lying, tmp_path / "f.bin")
    assert emu.log.count(kind="media") == 2  # tried twice
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(DriveError, match="md5"):
        api.read_bytes(lying)


HOWS = ["read_bytes", "download", "fetch_into", "fetch_small"]


def _stored(emu: Any, name: str, size: int) -> tuple[ApiDrive, Entry, bytes]:
    """A random file of ``size`` bytes on Drive, a drive of 256 KiB chunks, the file's entry; log cleared."""
    data = os.urandom(size)
    emu.state.add_file(root_id(emu), name, data, "application/octet-stream")
    drive = make_drive(emu, chunk_size=256 * KIB)
    entry = drive.stat(name)
    emu.log.clear()
    return drive, entry, data


def _fetched(drive: ApiDrive, entry: Entry, how: str, where: Path) -> bytes:
    """The file's bytes as ``read_bytes``, ``download``, ``fetch_into`` or ``fetch_small`` get them (the
    last two a sync's way: a small file into memory, anything else streamed into a file)."""
    if how == "fetch_small":
        content = drive.fetch_small(entry, MIB)
        if content is not None:
            return content
        how = "fetch_into"
    if how == "read_bytes":
        return drive.read_bytes(entry)
    if how == "download":
        return drive.download(entry, where / "got.bin").read_bytes()
    with open(where / "into.bin", "w+b") as handle:
        handle.write(b"stale bytes from before, longer than nothing")  # overwritten from the start
        handle.seek(0)
        size = drive.fetch_into(entry, handle)
    content = (where / "into.bin").read_bytes()
    assert size == len(content)
    return content


@pytest.mark.parametrize("how", HOWS)
def test_a_file_of_one_chunk_is_one_ranged_request_retried_whole(emu: Any, tmp_path: Path, how: str) -> None:
    drive, entry, data = _stored(emu, "s.bin", 100 * KIB)
    assert _fetched(drive, entry, how, tmp_path) == data
    assert [m.status for m in emu.log.entries(kind="media")] == [206]  # one request, its range the chunk
    emu.log.clear()
    emu.set_faults("media:count=1:drop")  # half the body, then a reset: asked again from the start
    assert _fetched(drive, entry, how, tmp_path) == data
    assert [(m.fault, m.status) for m in emu.log.entries(kind="media")] == [("drop", 206), (None, 206)]


@pytest.mark.parametrize("how", HOWS)
def test_a_file_grown_past_a_chunk_since_it_was_listed_is_streamed_not_held_whole(
    emu: Any, tmp_path: Path, how: str
) -> None:
    drive, entry, data = _stored(emu, "g.bin", 600 * KIB)
    listed = replace(entry, size=100 * KIB, md5=None)  # what the listing said before the file grew
    assert _fetched(drive, listed, how, tmp_path) == data  # whole, not cut at the first range
    media = emu.log.entries(kind="media")
    tries = 2 if how == "fetch_small" else 1  # fetch_small's try, then fetch_into's own
    assert [m.status for m in media] == [206] * tries + [206, 206, 206]  # full one-chunk tries, 3 chunks
    assert [m.bytes_out for m in media[:tries]] == [256 * KIB + 1] * tries  # each held a chunk and a byte


@pytest.mark.parametrize("how", HOWS)
def test_an_empty_file_is_read_from_drives_416_to_its_range(emu: Any, tmp_path: Path, how: str) -> None:
    drive, entry, data = _stored(emu, "empty.bin", 0)
    assert (data, entry.size) == (b"", 0)
    assert _fetched(drive, entry, how, tmp_path) == b""
    assert [m.status for m in emu.log.entries(kind="media")] == [416]  # one request, not retried


@pytest.mark.parametrize("how", HOWS)
def test_a_file_larger_than_a_chunk_streams_chunk_by_chunk(emu: Any, tmp_path: Path, how: str) -> None:
    drive, entry, data = _stored(emu, "l.bin", 600 * KIB)
    assert _fetched(drive, entry, how, tmp_path) == data
    assert [m.status for m in emu.log.entries(kind="media")] == [206, 206, 206]  # 256 + 256 + 88 KiB ranges


def test_fetch_small_asks_nothing_of_a_file_over_its_limit_or_of_unknown_size(emu: Any) -> None:
    drive, entry, data = _stored(emu, "m.bin", 100 * KIB)
    assert drive.fetch_small(entry, 100 * KIB - 1) is None  # over the limit
    assert drive.fetch_small(replace(entry, size=None), MIB) is None  # an export's size is not known
    assert emu.log.count(kind="media") == 0
    assert drive.fetch_small(entry, 100 * KIB) == data  # at the limit: one request
    assert emu.log.count(kind="media") == 1
    lying = replace(entry, md5=hashlib.md5(b"other bytes").hexdigest())
    with pytest.raises(DriveError, match="md5"):
        drive.fetch_small(lying, MIB)
    assert emu.log.count(kind="media") == 3  # a mismatch is asked again once, then an error


def test_small_uploads_are_multipart_large_ones_resumable(emu: Any, tmp_path: Path) -> None:
    drive = make_drive(emu, chunk_size=256 * KIB, multipart_limit=512 * KIB)
    small = drive.write_bytes("", "small.bin", os.urandom(100 * KIB))
    emu.log.clear()
    big_data = os.urandom(1100 * KIB)
    src = tmp_path / "big.bin"
    src.write_bytes(big_data)
    big = drive.upload(src, "")
    assert emu.log.count(kind="upload-chunk") == 5  # 4 full chunks of 256 KiB + the rest
    assert drive.read_bytes("big.bin") == big_data
    assert big.md5 == hashlib.md5(big_data).hexdigest()
    assert small.size == 100 * KIB
    emu.log.clear()
    assert drive.download("big.bin", tmp_path / "copy.bin").read_bytes() == big_data
    assert emu.log.count(kind="media") == 5  # downloaded in 256 KiB chunks too
    again = drive.upload(src, "", name="big.bin")
    assert again.id == big.id
    assert len(live_named(emu, "big.bin")) == 1


@pytest.mark.parametrize("data", [b"\r", b"ends with CR\r", b"CRLF\r\n", b"LF\n", b"\r\n--x\r"])
def test_content_ending_in_line_breaks_round_trips(
    emu: Any, api: ApiDrive, data: bytes, tmp_path: Path
) -> None:
    entry = api.write_bytes("", "t.bin", data)
    assert entry.md5 == hashlib.md5(data).hexdigest()
    assert api.read_bytes("t.bin") == data
    src = tmp_path / "t2.bin"
    src.write_bytes(data)
    assert api.upload(src, "").size == len(data)
    assert api.read_bytes("t2.bin") == data


def test_chunked_download_resumes_from_the_failed_chunk(emu: Any, tmp_path: Path) -> None:
    data = os.urandom(2 * 1024 * KIB)
    emu.state.add_file(root_id(emu), "d.bin", data, "application/octet-stream")
    drive = make_drive(emu, chunk_size=256 * KIB)
    entry = drive.stat("d.bin")
    emu.set_faults("media:count=3:drop")
    assert drive.download(entry, tmp_path / "d.bin").read_bytes() == data
    media = emu.log.entries(kind="media")
    assert [m.fault for m in media].count("drop") == 3
    assert len(media) == 8 + 3  # 8 chunks, each dropped one asked for again, not the whole file
    assert [p.name for p in tmp_path.iterdir()] == ["d.bin"]


def test_resumable_upload_resumes_after_dropped_connections(emu: Any, tmp_path: Path) -> None:
    size = 4 * 1024 * KIB
    data = os.urandom(size)
    src = tmp_path / "large.bin"
    src.write_bytes(data)
    drive = make_drive(emu, chunk_size=512 * KIB, multipart_limit=256 * KIB)
    emu.set_faults("seed=4,upload-chunk:rate=0.35:drop,upload:count=1:lose-last-chunk")
    entry = drive.upload(src, "")
    emu.set_faults(None)

    chunks = emu.log.entries(kind="upload-chunk")
    dropped = [c for c in chunks if c.fault == "drop"]
    sent = sum(c.bytes_in for c in chunks)
    assert len(dropped) >= 2
    assert sent - size < size // 2, f"re-sent {sent - size} bytes of {size}"
    assert entry.md5 == hashlib.md5(data).hexdigest()
    assert drive.read_bytes("large.bin") == data
    assert len(live_named(emu, "large.bin")) == 1


def test_create_whose_reply_is_lost_is_not_duplicated(emu: Any, api: ApiDrive) -> None:
    api.makedirs("o")
    emu.log.clear()
    emu.set_faults("create:count=1:drop")  # the server creates, then the connection drops
    entry = api.write_bytes("o", "x.json", b"1")
    emu.set_faults("create:count=1:drop")
    folder = api.makedirs("o/sub")
    emu.set_faults(None)
    kinds = [(e.kind, e.fault, e.status) for e in emu.log.entries() if e.kind != "other"]
    assert kinds == [
        ("list", None, 200),  # is there an x.json to update? no
        ("create", "drop", 200),  # created with an id from generateIds (which makedirs("o") fetched)
        ("create", None, 409),  # the retry: that id exists, so the file was made
        ("get", None, 200),  # and is used; listings are never asked (they may lag)
        ("list", None, 200),  # is there an o/sub? no
        ("create", "drop", 200),
        ("create", None, 409),
        ("get", None, 200),
    ]
    assert len(live_named(emu, "x.json")) == 1
    assert len(live_named(emu, "sub")) == 1
    assert api.read_bytes("o/x.json") == b"1"
    assert api.stat("o/sub").id == folder.id
    assert entry.path == "o/x.json"


@pytest.mark.slow  # long by nature: the injected rate-limit answers slow the shared pacer, as they should
def test_every_file_survives_20_percent_faults(emu: Any, tmp_path: Path) -> None:
    drive = make_drive(
        emu, chunk_size=256 * KIB, multipart_limit=300 * KIB, backoff=Backoff.fast(attempts=25)
    )
    drive.makedirs("in/a")
    drive.makedirs("in/b")
    payloads = {f"in/{'ab'[i % 2]}/file{i:02d}.bin": os.urandom(1 + i * 23 * KIB) for i in range(30)}
    emu.set_faults(
        "seed=11,*:rate=0.055:503,*:rate=0.055:429,*:rate=0.055:userRateLimitExceeded,*:rate=0.055:drop"
    )
    for path, data in payloads.items():
        folder, name = path.rsplit("/", 1)
        drive.write_bytes(folder, name, data)
        drive.write_bytes(folder, name, data[::-1])  # an upsert: must update, never duplicate
        payloads[path] = data[::-1]
    entries = drive.find("in")
    with ThreadPoolExecutor(8) as pool:  # concurrent downloads, one HTTP connection per thread
        paths = pool.map(lambda e: drive.download(e, tmp_path / "out" / e.id), entries)
        got = dict(zip((e.id for e in entries), paths, strict=True))
    requests = emu.log.entries()
    faults = [e for e in requests if e.fault]
    emu.set_faults(None)

    assert len(faults) / len(requests) >= 0.12  # about 0.2 expected
    assert {e.fault for e in faults} == {"503", "429", "userRateLimitExceeded", "drop"}
    assert {e.path for e in entries} == set(payloads)
    for entry in entries:
        assert got[entry.id].read_bytes() == payloads[entry.path]
    for path in payloads:
        assert len(live_named(emu, path.rsplit("/", 1)[1])) == 1, path
    assert len(live_named(emu, "a")) == 1 and len(live_named(emu, "b")) == 1


# ---- errors --------------------------------------------------------------------------------------


def test_rate_limits_give_up_as_rate_limited(emu: Any) -> None:
    drive = make_drive(emu, backoff=Backoff.fast(attempts=3))
    emu.set_faults("list:always:429")
    with pytest.raises(RateLimited, match=r"after 3 attempts"):
        drive.stat("anything.csv")
    assert emu.log.count(kind="list") == 3


def test_quota_exhausted_is_final(emu: Any, api: ApiDrive) -> None:
    emu.set_faults("upload:always:storageQuotaExceeded")
    with pytest.raises(QuotaExceeded, match=r"report\.xlsx"):
        api.write_bytes("", "report.xlsx", b"x")
    assert emu.log.count(kind="create") == 1
    assert live_named(emu, "report.xlsx") == []


def test_permission_errors_are_final_and_clear(emu: Any) -> None:
    drive = make_drive(emu, trash=False)
    with pytest.raises(PermissionDenied, match="permission denied") as err:
        drive.remove(f"id:{root_id(emu)}")
    assert isinstance(err.value, PermissionError)
    assert emu.log.count(kind="delete") == 1


def test_refused_token_is_an_auth_error(emu: Any, api: ApiDrive) -> None:
    emu.state.token_validator = lambda token: False
    with pytest.raises(AuthError, match="sign in again"):
        api.list("")


def test_connection_lost_for_good_says_so(emu: Any) -> None:
    drive = make_drive(emu, backoff=Backoff.fast(attempts=2))
    emu.set_faults("*:always:drop")
    with pytest.raises(DriveError, match="connection to Drive lost"):
        drive.list("")


def test_missing_folder_error_names_the_path(api: ApiDrive) -> None:
    api.makedirs("Reports")
    with pytest.raises(NotFound, match=r"Reports/2024.*no '2024' in 'Reports'"):
        api.stat("Reports/2024/x.csv")


# ---- changes -------------------------------------------------------------------------------------


def test_file_replaced_by_someone_else_is_found_again(emu: Any, api: ApiDrive) -> None:
    old = emu.state.add_file(root_id(emu), "r.csv", b"old", "text/csv")
    assert api.read_bytes("r.csv") == b"old"  # now cached
    emu.state.delete(old.id)
    new = emu.state.add_file(root_id(emu), "r.csv", b"new", "text/csv")
    assert api.read_bytes("r.csv") == b"new"
    assert api.stat("r.csv").id == new.id


def test_changes_drop_cached_paths_of_moved_folders(emu: Any, api: ApiDrive) -> None:
    a = emu.state.add_folder(root_id(emu), "a")
    b = emu.state.add_folder(root_id(emu), "b")
    inner = emu.state.add_folder(a.id, "inner")
    emu.state.add_file(inner.id, "f.csv", b"f", "text/csv")
    assert api.read_bytes("a/inner/f.csv") == b"f"
    token = api.start_token()
    emu.state.move(inner.id, b.id)
    api.changes(token)
    with pytest.raises(NotFound):
        api.stat("a/inner/f.csv")
    assert api.read_bytes("b/inner/f.csv") == b"f"


@pytest.mark.slow  # eight threads through the shared write pacer at Drive's pace
def test_concurrent_upserts_of_one_name_make_one_file(emu: Any, api: ApiDrive) -> None:
    from concurrent.futures import ThreadPoolExecutor

    api.makedirs("out")
    with ThreadPoolExecutor(8) as pool:
        ids = set(pool.map(lambda i: api.write_bytes("out", "same.json", b"%d" % i).id, range(16)))
        made = set(pool.map(lambda i: api.makedirs(f"out/dir{i % 2}").id, range(8)))
    assert len(ids) == 1
    assert len(made) == 2
    assert len(live_named(emu, "same.json")) == 1
    assert len(live_named(emu, "dir0")) == 1


def test_changes_made_by_someone_else_carry_paths(emu: Any, api: ApiDrive) -> None:
    folder = emu.state.add_folder(root_id(emu), "deep")
    sub = emu.state.add_folder(folder.id, "er")
    token = api.start_token()
    f = emu.state.add_file(sub.id, "new.csv", b"n", "text/csv")
    emu.log.clear()
    changes, token2 = api.changes(token)
    assert len(emu.log.entries()) == 1  # one page, no path lookups
    assert [(c.id, c.path, c.removed) for c in changes] == [(f.id, None, False)]
    assert changes[0].entry is not None and changes[0].entry.parents == (sub.id,)

    api.list("deep", recursive=True)  # known folders give changes their paths for free
    g = emu.state.add_file(sub.id, "newer.csv", b"n", "text/csv")
    emu.state.delete(f.id)
    emu.log.clear()
    changes, _ = api.changes(token2)
    assert len(emu.log.entries()) == 1
    assert [(c.id, c.path, c.removed) for c in changes] == [
        (g.id, "deep/er/newer.csv", False),
        (f.id, "deep/er/new.csv", True),
    ]


def test_the_files_resource_is_built_once(emu: Any, api: ApiDrive) -> None:
    """service.files() builds a whole Resource per call; ApiDrive keeps one (it was 40% of a sync's CPU)."""
    assert api._files is api._files


# ---- where real Drive differs: blocked downloads, expired sessions, lagging listings, trickling servers ----


def test_download_disabled_by_the_owner_is_known_from_the_listing(
    emu: Any, api: ApiDrive, tmp_path: Path
) -> None:
    record = emu.state.add_file(root_id(emu), "locked.xlsx", b"PK..")
    emu.state.set_capabilities(record.id, can_download=False)
    (entry,) = api.list("")
    assert entry.can_download is False
    emu.log.clear()
    with pytest.raises(DownloadBlocked, match="owner disabled downloading") as err:
        api.download(entry, tmp_path / "locked.xlsx")
    assert (err.value.reason, err.value.retry_after) == ("cannotDownloadFile", None)
    assert "permission denied" not in str(err.value)
    assert emu.log.count(kind="media") == 0  # known before any download was tried
    assert not (tmp_path / "locked.xlsx").exists()


@pytest.mark.parametrize(
    ("block", "words", "wait"),
    [
        ("downloadQuotaExceeded", "resets within 24 hours", True),
        ("cannotDownloadAbusiveFile", "acknowledge_abuse=True", False),
    ],
)
def test_blocked_downloads_name_the_real_cause(
    emu: Any, api: ApiDrive, tmp_path: Path, block: str, words: str, wait: bool
) -> None:
    record = emu.state.add_file(root_id(emu), "data.csv", b"a,b\n")
    emu.state.block_download(record.id, block)
    with pytest.raises(DownloadBlocked, match=words) as err:
        api.download("data.csv", tmp_path / "data.csv")
    assert err.value.reason == block
    assert (err.value.retry_after is not None and err.value.retry_after > 0) == wait
    assert "permission denied" not in str(err.value) and "\n" not in str(err.value)
    assert emu.log.count(kind="media") == 1  # final at once, not retried


def test_acknowledge_abuse_downloads_a_flagged_file(emu: Any, tmp_path: Path) -> None:
    record = emu.state.add_file(root_id(emu), "flagged.csv", b"x\n1\n")
    emu.state.block_download(record.id, "cannotDownloadAbusiveFile")
    drive = make_drive(emu, acknowledge_abuse=True)
    assert drive.download("flagged.csv", tmp_path / "f.csv").read_bytes() == b"x\n1\n"


def test_export_too_large_and_native_docs_say_what_to_do(emu: Any, api: ApiDrive, tmp_path: Path) -> None:
    emu.state.add_spreadsheet(root_id(emu), "Huge", xlsx_bytes([["a"], [1]]))
    emu.state.export_limit = 10
    with pytest.raises(ExportTooLarge, match="Download > Microsoft Excel"):
        api.download("Huge", tmp_path / "h.xlsx")
    emu.set_faults("media:count=1:403")  # (a rate limit: retried)
    emu.state.add_file(root_id(emu), "r.bin", b"r")
    assert api.read_bytes("r.bin") == b"r"


@pytest.mark.parametrize(
    ("action", "words"),
    [
        ("dailyLimitExceeded", "daily Drive API quota"),
        ("storageQuotaExceeded", "storage of this account is full"),
        ("teamDriveFileLimitExceeded", "most files Drive allows"),
    ],
)
def test_quota_reasons_are_final_with_one_clear_line(
    emu: Any, api: ApiDrive, action: str, words: str
) -> None:
    emu.set_faults(f"create:always:{action}")
    with pytest.raises(QuotaExceeded, match=words) as err:
        api.write_bytes("", "out.csv", b"x")
    assert "\n" not in str(err.value) and action in str(err.value)
    assert emu.log.count(kind="create") == 1


def test_an_expired_upload_session_starts_again_once(emu: Any, tmp_path: Path) -> None:
    data = os.urandom(1024 * KIB + 3)
    src = tmp_path / "big.bin"
    src.write_bytes(data)
    drive = make_drive(emu, chunk_size=256 * KIB, multipart_limit=64 * KIB)
    emu.set_faults("upload-chunk:count=1:expire-session")
    entry = drive.upload(src, "")
    assert entry.md5 == hashlib.md5(data).hexdigest()
    assert len(live_named(emu, "big.bin")) == 1
    assert [e.status for e in emu.log.entries(kind="create")] == [200, 200]  # two sessions opened
    assert 404 in [e.status for e in emu.log.entries(kind="upload-chunk")]
    emu.set_faults("upload-chunk:count=2:expire-session")
    with pytest.raises(DriveError, match="upload session"):
        drive.upload(src, "", "again.bin")  # only once: a second expiry is an error


def test_creates_are_idempotent_while_listings_lag() -> None:
    with start_emulator(listing_lag=30.0) as emu:
        api = make_drive(emu)
        emu.set_faults("create:count=1:drop")  # the create happens, its reply is lost
        entry = api.write_bytes("", "summary.csv", b"a,b\n")
        emu.set_faults("create:count=1:drop")
        folder = api.makedirs("reports")
        emu.set_faults(None)
        assert len(live_named(emu, "summary.csv")) == 1 and len(live_named(emu, "reports")) == 1
        assert entry.id == live_named(emu, "summary.csv")[0].id
        assert folder.id == live_named(emu, "reports")[0].id
        assert emu.log.count(kind="list") == 2  # the two name lookups before the creates, nothing after


def test_generated_ids_are_fetched_in_batches(emu: Any, api: ApiDrive) -> None:
    for i in range(5):
        api.write_bytes("", f"f{i}.csv", b"x")
    assert sum(1 for e in emu.log.entries() if e.path.endswith("/generateIds")) == 1


def test_a_trickling_answer_is_given_up_on_and_asked_again(emu: Any) -> None:
    record = emu.state.add_file(root_id(emu), "slow.csv", b"a\n")
    policy = replace(Backoff.fast(), request_deadline=0.5)
    drive = make_drive(emu, backoff=policy)
    emu.set_faults("get:count=1:drip=200")  # ~500 bytes at 5 a second: no single read ever times out
    began = time.monotonic()
    entry = drive.stat(f"id:{record.id}")
    elapsed = time.monotonic() - began
    assert entry.name == "slow.csv"
    assert [e.fault for e in emu.log.entries(kind="get")] == ["drip", None]
    assert elapsed < 3.0


def test_httplib2s_silent_resend_of_a_create_makes_no_duplicate(emu: Any, api: ApiDrive) -> None:
    api.makedirs("o")
    emu.log.clear()
    emu.set_faults("create:count=1:no-reply")  # created, then the connection closes before any answer
    drive = make_drive(emu, backoff=Backoff.fast(attempts=1))  # no retry of ours: httplib2's own re-send
    entry = drive.write_bytes("o", "x.csv", b"1")
    creates = [(e.fault, e.status) for e in emu.log.entries(kind="create")]
    assert creates == [("no-reply", 200), (None, 409)]  # httplib2 sent the create again by itself
    assert len(live_named(emu, "x.csv")) == 1 and entry.id == live_named(emu, "x.csv")[0].id
