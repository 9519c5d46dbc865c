"""ApiDrive over the emulator: streamed listings, path lookups below My Drive, downloads into open files."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from google.oauth2.credentials import Credentials

from gdrivestats.drive.api import ApiDrive
from gdrivestats.drive.base import Entry
from gdrivestats.emulator import Emulator
from gdrivestats.errors import DownloadBlocked


def _drive(emu: Emulator, **options: object) -> ApiDrive:
    return ApiDrive(Credentials("test-token"), root_url=emu.url, **options)  # type: ignore[arg-type]


def _tree(emu: Emulator) -> str:
    """Top/: files, two folders (one nested in the other), a shortcut, an empty folder; returns its id."""
    store = emu.state
    top = store.add_folder(store.root_id, "Top")
    for i in range(5):
        store.add_file(top.id, f"f{i}.csv", f"top {i}\n".encode(), "text/csv")
    a = store.add_folder(top.id, "A")
    b = store.add_folder(a.id, "B")
    store.add_folder(top.id, "Empty")
    for i in range(4):
        store.add_file(a.id, f"a{i}.csv", f"a {i}\n".encode(), "text/csv")
        store.add_file(b.id, f"b{i}.csv", f"b {i}\n".encode(), "text/csv")
    target = store.add_file(b.id, "target.csv", b"target\n", "text/csv")
    store.add_shortcut(top.id, "link.csv", target.id)
    return top.id


@pytest.mark.parametrize("page_size", [1000, 2])
@pytest.mark.parametrize("fault", [None, "empty", "partial"])
def test_a_streamed_listing_is_the_listing_and_tells_every_entry_once_parents_first(
    emu: Emulator, page_size: int, fault: str | None
) -> None:
    _tree(emu)
    expected = _drive(emu, page_size=page_size).list("Top", recursive=True)
    if fault:
        emu.set_faults(f"list:count=1:{fault}")  # Drive leaves folders out of one multi-folder answer
    told: list[Entry] = []
    streamed = _drive(emu, page_size=page_size).list_streaming("Top", told.append)
    assert streamed == expected
    assert sorted(told, key=lambda e: (e.path, e.id)) == sorted(expected, key=lambda e: (e.path, e.id))
    seen = {"Top"}
    for entry in told:  # a folder is told of before anything inside it
        assert entry.path.rsplit("/", 1)[0] in seen
        if entry.is_folder:
            seen.add(entry.path)
    assert any(e.shortcut_id for e in told)


def test_a_streamed_query_asks_for_a_short_first_page(emu: Emulator) -> None:
    store = emu.state
    top = store.add_folder(store.root_id, "Big")
    for i in range(150):
        store.add_file(top.id, f"f{i:03d}.csv", b"x\n", "text/csv")
    drive = _drive(emu)
    drive.stat("Big")
    emu.log.clear()
    assert len(drive.list("Big")) == 150
    assert emu.log.count(kind="list") == 1
    emu.log.clear()
    told: list[Entry] = []
    assert len(drive.list_streaming("Big", told.append)) == 150
    assert emu.log.count(kind="list") == 2  # 100, then the other 50
    assert len(told) == 150


def test_a_path_below_my_drive_is_found_without_asking_for_the_root(emu: Emulator) -> None:
    top_id = _tree(emu)
    drive = _drive(emu)
    entry = drive.stat("Top/A")
    assert emu.log.count(kind="get") == 0  # the alias 'root' in the query, not a files.get of the root
    top = drive.stat("Top")
    assert top.id == top_id and top.parents == (emu.state.root_id,)  # the real id, never the alias
    assert entry.parents == (top_id,)
    assert drive.stat("").id == emu.state.root_id
    assert {e.name for e in drive.list("")} >= {"Top"}


def test_a_shortcut_to_my_drive_inside_a_listed_folder_is_not_followed(emu: Emulator) -> None:
    top_id = _tree(emu)
    emu.state.add_shortcut(top_id, "everything", emu.state.root_id)
    listed = _drive(emu).list_streaming("Top", lambda _e: None)
    assert not any(e.path.startswith("Top/everything/") for e in listed)


def test_fetch_into_writes_the_bytes_into_an_open_file(emu: Emulator, tmp_path: Path) -> None:
    _tree(emu)
    drive = _drive(emu)
    entry = drive.stat("Top/A/a1.csv")
    target = tmp_path / "out.bin"
    with open(target, "w+b") as handle:
        handle.write(b"old bytes that are longer than the new ones")
        assert drive.fetch_into(entry, handle) == len(b"a 1\n")
    assert target.read_bytes() == b"a 1\n"
    assert hashlib.md5(target.read_bytes()).hexdigest() == entry.md5


def test_fetch_into_refuses_a_file_drive_will_not_serve(emu: Emulator, tmp_path: Path) -> None:
    _tree(emu)
    drive = _drive(emu)
    entry = drive.stat("Top/f1.csv")
    emu.set_faults("media:always:downloadQuotaExceeded")
    with open(tmp_path / "out.bin", "w+b") as handle, pytest.raises(DownloadBlocked):
        drive.fetch_into(entry, handle)
