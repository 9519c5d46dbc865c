"""A first sync fetches files while the listing is still paging: names, plan and dry run as without it."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from google.oauth2.credentials import Credentials

from gdrivestats.drive.api import ApiDrive
from gdrivestats.drive.base import Entry
from gdrivestats.drive.local import LocalDrive
from gdrivestats.emulator import Emulator
from gdrivestats.mirror.plan import Download
from gdrivestats.mirror.state import FileRecord, SyncState
from gdrivestats.mirror.sync import _Fetcher, sync

PATTERNS = ("*.xlsx", "*.csv")


def _drive(emu: Emulator, page_size: int = 2) -> ApiDrive:
    return ApiDrive(Credentials("test-token"), root_url=emu.url, page_size=page_size)


def _seed(emu: Emulator) -> dict[str, str]:
    """Reports/ with names that clash case-insensitively across listing pages (the older file listed later),
    a subfolder, the output folder and a file that matches no pattern. Returns {name in seed order: id}."""
    store = emu.state
    top = store.add_folder(store.root_id, "Reports")
    sub = store.add_folder(top.id, "Sub")
    out = store.add_folder(top.id, "gdrivestats")
    ids: dict[str, str] = {}
    for name, created in [
        ("report.csv", datetime(2026, 3, 1, tzinfo=UTC)),
        ("b.csv", datetime(2026, 3, 2, tzinfo=UTC)),
        ("c.csv", datetime(2026, 3, 3, tzinfo=UTC)),
        ("Report.CSV", datetime(2026, 1, 1, tzinfo=UTC)),  # older: keeps the plain name, listed on page 2
        ("REPORT.csv", datetime(2026, 2, 1, tzinfo=UTC)),
    ]:
        record = store.add_file(top.id, name, f"{name}\n".encode(), "text/csv")
        record.created = created
        ids[name] = record.id
    for i in range(3):
        ids[f"Sub/s{i}.csv"] = store.add_file(sub.id, f"s{i}.csv", f"Sub/s{i}.csv\n".encode(), "text/csv").id
    ids["Sub/S0.csv"] = store.add_file(sub.id, "S0.csv", b"Sub/S0.csv\n", "text/csv").id
    store.add_file(out.id, "summary.csv", b"an output\n", "text/csv")
    store.add_file(top.id, "notes.txt", b"not a workbook\n", "text/plain")
    return ids


def test_first_sync_names_and_plan_are_those_of_the_whole_listing(emu: Emulator, tmp_path: Path) -> None:
    ids = _seed(emu)
    cache = tmp_path / "cache"
    planned = sync(_drive(emu), "Reports", cache, PATTERNS, dry_run=True, progress=False)
    assert not cache.exists()
    emu.log.clear()
    result = sync(_drive(emu), "Reports", cache, PATTERNS, progress=False)
    assert result.ok and result.full_listing
    assert result.plan.describe() == planned.plan.describe()
    assert result.plan.local_paths == planned.plan.local_paths
    local = result.plan.local_paths
    assert local[ids["Report.CSV"]] == "Report.CSV"  # the oldest of the clash, though listed later
    assert local[ids["report.csv"]] == f"report ({ids['report.csv'][:8]}).csv"
    assert local[ids["REPORT.csv"]] == f"REPORT ({ids['REPORT.csv'][:8]}).csv"
    assert local[ids["Sub/S0.csv"]] == f"Sub/S0 ({ids['Sub/S0.csv'][:8]}).csv"
    for name, fid in ids.items():  # every file's own bytes at its own local path
        assert (cache / local[fid]).read_bytes() == f"{name}\n".encode()
    assert emu.log.count(kind="media") == len(ids)  # neither the output, nor notes.txt, nor twice
    with SyncState(cache) as state:
        assert {fid: r.local_path for fid, r in state.files().items()} == local
    assert [p.name for p in cache.rglob(".gdrivestats-tmp-*")] == []


def test_downloads_start_while_the_listing_is_still_paging(emu: Emulator, tmp_path: Path) -> None:
    _seed(emu)
    emu.set_faults("list:always:delay=150")  # each listing call takes long; a download does not
    result = sync(_drive(emu), "Reports", tmp_path / "cache", PATTERNS, progress=False)
    assert result.ok
    kinds = [e.kind for e in emu.log.entries() if e.kind in ("list", "media")]
    assert kinds.index("media") < len(kinds) - 1 - kinds[::-1].index("list")


def test_a_full_listing_again_moves_and_deletes_only_once_it_is_complete(
    emu: Emulator, tmp_path: Path
) -> None:
    ids = _seed(emu)
    cache = tmp_path / "cache"
    sync(_drive(emu), "Reports", cache, PATTERNS, progress=False)
    emu.state.rename(ids["b.csv"], "b2.csv")
    emu.state.trash(ids["c.csv"])
    emu.state.update_content(ids["Sub/s1.csv"], b"new s1\n")
    emu.log.clear()
    planned = sync(_drive(emu), "Reports", cache, PATTERNS, dry_run=True, full=True, progress=False)
    result = sync(_drive(emu), "Reports", cache, PATTERNS, full=True, progress=False)
    assert result.ok and result.plan.describe() == planned.plan.describe()
    assert [m.local_path for m in result.plan.moves] == ["b2.csv"]
    assert [d.record.local_path for d in result.plan.deletes] == ["c.csv"]
    assert [d.local_path for d in result.plan.downloads] == ["Sub/s1.csv"]
    assert emu.log.count(kind="media") == 1  # only the changed file: nothing fetched ahead for nothing
    assert (cache / "b2.csv").read_bytes() == b"b.csv\n" and not (cache / "c.csv").exists()
    assert (cache / "Sub" / "s1.csv").read_bytes() == b"new s1\n"


def test_a_file_that_cannot_be_fetched_is_reported_once_and_leaves_nothing(
    emu: Emulator, tmp_path: Path
) -> None:
    ids = _seed(emu)
    cache = tmp_path / "cache"
    emu.set_faults("media:always:cannotDownloadAbusiveFile")
    result = sync(_drive(emu), "Reports", cache, PATTERNS, progress=False)
    assert len(result.failed) == len(ids) and not result.downloaded
    assert emu.log.count(kind="media") == len(ids)  # each tried once, fetched ahead or not
    assert [p.name for p in cache.rglob(".gdrivestats-tmp-*")] == []
    emu.set_faults(None)
    with SyncState(cache) as state:
        assert set(state.failed()) == set(ids.values())


def test_put_files_records_what_put_file_would(tmp_path: Path) -> None:
    def record(fid: str, local: str, analysed: str | None = None) -> FileRecord:
        return FileRecord(fid, local, local, "R", "text/csv", None, "m" + fid, 1, None, "1", local, analysed)

    one, many = tmp_path / "one", tmp_path / "many"
    for cache in (one, many):
        cache.mkdir()
        with SyncState(cache) as state, state.transaction():
            state.put_file(record("a", "a.csv", analysed="ma"))
            state.put_file(record("b", "b.csv"))
    batch = [record("a", "a2.csv"), record("c", "b.csv"), record("d", "d.csv", analysed="md")]
    with SyncState(one) as state, state.transaction():
        for r in batch:
            state.put_file(r)
    with SyncState(many) as state, state.transaction():
        state.put_files(batch)
    with SyncState(one) as first, SyncState(many) as second:
        assert first.files() == second.files()
        assert first.files()["a"].analysed_md5 == "ma"  # kept from before
        assert set(first.files()) == {"a", "c", "d"}  # b's path went to c


def test_open_files_stay_bounded_when_the_disk_is_slower_than_the_network(
    emu: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each download's fsync waits on a slow disk: the fetch threads wait for it, not open a file apiece."""
    store = emu.state
    top = store.add_folder(store.root_id, "Many")
    for i in range(120):
        store.add_file(top.id, f"f{i:03}.csv", f"{i}\n".encode(), "text/csv")
    fd_dir = Path("/proc/self/fd")
    if not fd_dir.is_dir():
        pytest.skip("needs /proc/self/fd to count open files")
    real_fsync, opened = os.fsync, []

    def slow_fsync(fd: int) -> None:
        opened.append(len(os.listdir(fd_dir)))
        time.sleep(0.01)
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", slow_fsync)
    before = len(os.listdir(fd_dir))
    result = sync(_drive(emu, page_size=50), "Many", tmp_path / "cache", PATTERNS, workers=8, progress=False)
    assert result.ok and len(result.downloaded) == 120
    # 8 connections and their files in flight, 2 * 8 queued for the disk: never one open file per download.
    assert max(opened) - before < 60


def test_a_reply_cut_off_half_way_is_asked_again_and_the_file_lands_whole(
    emu: Emulator, tmp_path: Path
) -> None:
    """A download whose connection drops half way is asked again from its start; the file that lands is
    whole, and no temporary file of the cut-off reply is left."""
    ids = _seed(emu)
    emu.set_faults("media:count=2:drop")
    cache = tmp_path / "cache"
    result = sync(_drive(emu), "Reports", cache, PATTERNS, progress=False)
    assert result.ok and len(result.downloaded) == len(ids)
    media = emu.log.entries(kind="media")
    assert [m.fault for m in media].count("drop") == 2 and len(media) == len(ids) + 2
    for name, fid in ids.items():
        assert (cache / result.plan.local_paths[fid]).read_bytes() == f"{name}\n".encode()
    assert [p.name for p in cache.rglob(".gdrivestats-tmp-*")] == []


def test_a_sync_gets_a_small_file_in_one_request_and_streams_a_larger_one(
    emu: Emulator, tmp_path: Path
) -> None:
    store = emu.state
    top = store.add_folder(store.root_id, "Reports")
    small, large = os.urandom(100 * 1024), os.urandom(600 * 1024)
    small_id = store.add_file(top.id, "small.csv", small, "text/csv").id
    large_id = store.add_file(top.id, "large.csv", large, "text/csv").id
    drive = ApiDrive(Credentials("test-token"), root_url=emu.url, chunk_size=256 * 1024)
    cache = tmp_path / "cache"
    result = sync(drive, "Reports", cache, PATTERNS, progress=False)
    assert result.ok and sorted(result.downloaded) == ["large.csv", "small.csv"]
    assert (cache / "small.csv").read_bytes() == small and (cache / "large.csv").read_bytes() == large
    media = emu.log.entries(kind="media")
    assert sum(small_id in m.path for m in media) == 1  # one request, written by a flush thread
    assert sum(large_id in m.path for m in media) == 3  # over a chunk: streamed, 256 + 256 + 88 KiB
    assert [p.name for p in cache.rglob(".gdrivestats-tmp-*")] == []


def test_a_file_fetched_ahead_gets_its_temporary_file_beside_its_planned_path(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    entry = Entry(id="f1", name="a.csv", path="Sub/a.csv", is_folder=False, size=3)
    fetcher = _Fetcher(LocalDrive(tmp_path), cache, 1)
    assert fetcher._planned_folder(entry, None, str(cache)) == str(cache)  # no plan yet: the cache
    fetcher.planned[entry.id] = Download(entry, "Sub/a (f1).csv", "new")
    assert fetcher._planned_folder(entry, None, str(cache)) == str(cache / "Sub")  # beside it, made
    assert (cache / "Sub").is_dir()
    too_deep = Download(entry, "/".join(["d" * 200] * 25) + "/a.csv", "new")
    fetcher.planned[entry.id] = too_deep  # a path this system refuses: said when it is put in place
    assert fetcher._planned_folder(entry, None, str(cache)) == str(cache)
