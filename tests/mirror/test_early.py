"""A first sync's first calls, started before the sync machinery loads (``mirror.early``), over HTTP to the
emulator through google-api-python-client."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

import gdrivestats.mirror
from gdrivestats.drive.api import ApiDrive
from gdrivestats.emulator import Emulator
from gdrivestats.errors import CacheLocked
from gdrivestats.mirror.early import FirstCalls, start_first_calls
from gdrivestats.mirror.lock import cache_lock
from gdrivestats.mirror.sync import SyncResult, sync
from tests.support import FOLDER, api, seed_two_csvs, small_csv


@pytest.fixture
def emu(tmp_path: Path, start_emu: Callable[..., Emulator]) -> Emulator:
    return start_emu(seed=seed_two_csvs(tmp_path / "seed"))


def _synced(result: SyncResult, cache: Path) -> None:
    assert result.ok and sorted(result.downloaded) == ["countries.csv", "more.csv"]
    assert (cache / "countries.csv").read_bytes() == small_csv()
    assert (cache / "more.csv").read_bytes() == small_csv(2)


def test_a_sync_uses_the_first_calls_started_for_it_and_asks_none_again(
    emu: Emulator, tmp_path: Path
) -> None:
    drive, cache = api(emu), tmp_path / "cache"
    first = start_first_calls(drive, FOLDER, cache)
    assert isinstance(first, FirstCalls)
    assert first.calls["root"].result(timeout=10).name == FOLDER  # answered before the sync is called
    _synced(sync(drive, FOLDER, cache, progress=False, first_calls=first), cache)
    assert emu.log.count("about") == 1 and emu.log.count("changes-token") == 1
    assert emu.log.count("list") == 2  # the folder by name (the first call), then its children


def test_first_calls_made_for_another_folder_or_drive_are_left_unused(emu: Emulator, tmp_path: Path) -> None:
    drive, cache = api(emu), tmp_path / "cache"
    elsewhere = start_first_calls(drive, "No such folder", cache)  # its lookup fails: never raised here
    assert elsewhere is not None
    _synced(sync(drive, FOLDER, cache, progress=False, first_calls=elsewhere), cache)
    assert emu.log.count("changes-token") == 2  # the sync asked again itself (not memoised, unlike about)
    other_cache = tmp_path / "other"
    other_drive = start_first_calls(api(emu), FOLDER, other_cache)
    assert other_drive is not None
    other_drive.calls["token"].result(timeout=10)
    _synced(sync(drive, FOLDER, other_cache, progress=False, first_calls=other_drive), other_cache)
    assert emu.log.count("changes-token") == 4  # another drive object's calls are not this sync's


def test_a_locked_cache_is_reported_at_once_without_waiting_for_the_early_calls(
    emu: Emulator, tmp_path: Path
) -> None:
    drive, cache = api(emu), tmp_path / "cache"
    _synced(sync(drive, FOLDER, cache, progress=False), cache)
    emu.set_faults("changes:always:delay=30000")  # an early changes call that hangs for 30 s
    first = start_first_calls(drive, FOLDER, cache)
    assert first is not None and set(first.calls) == {"changes"}
    held, release = threading.Event(), threading.Event()

    def another_run() -> None:
        with cache_lock(cache):
            held.set()
            release.wait(60)

    holder = threading.Thread(target=another_run)
    holder.start()
    try:
        assert held.wait(10)
        with pytest.raises(CacheLocked):
            sync(drive, FOLDER, cache, progress=False, first_calls=first)
        assert not first.calls["changes"].done()  # given up on, not waited for (a daemon thread ends it)
    finally:
        release.set()
        holder.join(10)


def _changed(emu: Emulator, drive: ApiDrive, name: str = "more.csv") -> None:
    emu.state.update_content(drive.stat(f"{FOLDER}/{name}").id, small_csv(7))


def test_a_later_sync_uses_the_changes_call_started_for_it(emu: Emulator, tmp_path: Path) -> None:
    drive, cache = api(emu), tmp_path / "cache"
    _synced(sync(drive, FOLDER, cache, progress=False), cache)
    _changed(emu, drive)
    first = start_first_calls(drive, FOLDER, cache)
    assert first is not None and set(first.calls) == {"changes"}
    first.calls["changes"].result(timeout=10)  # answered before the sync is called
    result = sync(drive, FOLDER, cache, progress=False, first_calls=first)
    assert result.ok and result.downloaded == ["more.csv"] and not result.full_listing
    assert (cache / "more.csv").read_bytes() == small_csv(7)
    assert emu.log.count("changes") == 1


def test_no_changes_call_is_started_when_the_sync_would_not_make_it(emu: Emulator, tmp_path: Path) -> None:
    drive, cache = api(emu), tmp_path / "cache"
    _synced(sync(drive, FOLDER, cache, progress=False), cache)
    calls = emu.log.count()
    assert start_first_calls(drive, FOLDER, cache, full=True) is None  # --full lists everything
    assert start_first_calls(drive, FOLDER, cache, exclude="out") is None  # the state left out another
    assert start_first_calls(drive, "Elsewhere", cache) is None  # the state mirrors another folder
    assert emu.log.count() == calls


def test_a_changes_call_from_a_token_the_state_moved_past_is_left_unused(
    emu: Emulator, tmp_path: Path
) -> None:
    drive, cache = api(emu), tmp_path / "cache"
    _synced(sync(drive, FOLDER, cache, progress=False), cache)
    stale = start_first_calls(drive, FOLDER, cache)
    assert stale is not None
    stale.calls["changes"].result(timeout=10)
    _changed(emu, drive, "countries.csv")
    between = sync(drive, FOLDER, cache, progress=False)  # another run: the state's token moves on
    assert between.ok and between.downloaded == ["countries.csv"]
    _changed(emu, drive)
    result = sync(drive, FOLDER, cache, progress=False, first_calls=stale)
    assert result.ok and result.downloaded == ["more.csv"]  # from its own call: the stale one saw nothing
    assert emu.log.count("changes") == 3


def test_the_first_calls_load_nothing_of_the_sync_machinery() -> None:
    heavy = ("gdrivestats.mirror.sync", "gdrivestats.mirror.state", "gdrivestats.mirror.plan", "sqlite3")
    code = f"import sys, gdrivestats.mirror.early; print(sorted(m for m in {heavy!r} if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_the_sync_command_sends_its_first_calls_before_it_imports_the_sync(
    emu: Emulator, tmp_path: Path
) -> None:
    code = (
        "import sys\n"
        "from gdrivestats.mirror import early\n"
        "seen = []\n"
        "start = early.FirstCalls.__init__\n"
        "def spy(self, *args, **kwargs):\n"
        "    seen.append('gdrivestats.mirror.sync' in sys.modules)\n"
        "    start(self, *args, **kwargs)\n"
        "early.FirstCalls.__init__ = spy\n"
        "from gdrivestats.cli import main\n"
        "code = main(['sync', sys.argv[1], '--cache', sys.argv[2], '-q'])\n"
        "print(code, seen)\n"
    )
    env = {**os.environ, "GDRIVESTATS_DRIVE_URL": emu.url, "GDRIVESTATS_ACCESS_TOKEN": "test-token"}
    cache = tmp_path / "cache"
    command = [sys.executable, "-c", code, FOLDER, str(cache)]
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
    assert done.stdout.strip() == "0 [False]", done.stderr  # the first sync's three calls
    assert (cache / "more.csv").read_bytes() == small_csv(2)
    assert emu.log.count("about") == 1 and emu.log.count("changes-token") == 1
    _changed(emu, api(emu))
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
    assert done.stdout.strip() == "0 [False]", done.stderr  # the re-sync's changes call
    assert (cache / "more.csv").read_bytes() == small_csv(7)
    assert emu.log.count("changes") == 1


def test_the_mirror_package_still_names_its_parts() -> None:
    from gdrivestats.mirror import DEFAULT_OUT_FOLDER, STATE_FILE, Mirror, SyncPlan, plan_sync

    assert DEFAULT_OUT_FOLDER == "gdrivestats" and STATE_FILE == ".gdrivestats-state.sqlite"
    assert Mirror.__name__ == "Mirror" and SyncPlan.__name__ == "SyncPlan" and callable(plan_sync)
    assert set(gdrivestats.mirror.__all__) <= set(dir(gdrivestats.mirror))
    with pytest.raises(AttributeError, match="no attribute 'nosuch'"):
        _ = gdrivestats.mirror.nosuch  # type: ignore[attr-defined]


def test_the_downloads_go_on_the_connections_the_first_calls_opened(emu: Emulator, tmp_path: Path) -> None:
    drive, cache = api(emu), tmp_path / "cache"
    first = start_first_calls(drive, FOLDER, cache)
    assert first is not None
    for call in first.calls.values():
        call.result(timeout=10)
    # One for each first call (two when a call ends before the pool starts its third thread), each handed
    # on once answered.
    assert emu.connections_accepted in (2, 3)
    _synced(sync(drive, FOLDER, cache, progress=False, workers=2, first_calls=first), cache)
    # The listing (this thread) and the two download threads took those: three in all, not five or six.
    assert emu.connections_accepted == 3


def test_a_released_connection_serves_one_thread_at_a_time(emu: Emulator) -> None:
    drive = api(emu)
    assert drive.stat(FOLDER).name == FOLDER
    drive.release_connection()
    taken: list[object] = []

    def use() -> None:
        assert drive.start_token()  # a call of its own (a folder's entry may come from the path cache)
        taken.append(drive._http())

    threads = [threading.Thread(target=use) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert len(taken) == 2 and taken[0] is not taken[1]  # the spare went to one thread; the other made one
    assert emu.connections_accepted == 2
