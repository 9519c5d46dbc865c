"""Every run and sync takes the cache lock: a second one on the same cache stops with one line (exit 3)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from filelock import FileLock

from gdrivestats.drive.local import LocalDrive
from gdrivestats.errors import CacheLocked
from gdrivestats.mirror.layout import LOCK_FILE
from gdrivestats.mirror.lock import cache_lock
from gdrivestats.mirror.sync import sync
from gdrivestats.pipeline import run
from tests.support import small_csv


@pytest.fixture
def drive(tmp_path: Path) -> LocalDrive:
    (tmp_path / "drive" / "Data").mkdir(parents=True)
    (tmp_path / "drive" / "Data" / "a.csv").write_bytes(small_csv())
    return LocalDrive(tmp_path / "drive")


@pytest.mark.slow  # a whole run after the lock is free: analysis in worker processes
def test_a_run_and_a_sync_refuse_a_cache_another_process_holds(drive: LocalDrive, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    with FileLock(str(cache / LOCK_FILE)):  # another process, as flock sees it (another open file)
        with pytest.raises(CacheLocked, match=r"another run holds the lock on .*cache; not starting"):
            run(drive, "Data", cache, progress=False)
        with pytest.raises(CacheLocked):
            sync(drive, "Data", cache, progress=False)
    assert not (cache / "a.csv").exists()
    assert run(drive, "Data", cache, progress=False).ok  # free again


def test_a_second_thread_waits_for_the_first(tmp_path: Path) -> None:
    order: list[str] = []
    with cache_lock(tmp_path):
        waiter = threading.Thread(target=lambda: _take(tmp_path, order))
        waiter.start()
        time.sleep(0.3)
        order.append("first done")
    waiter.join(timeout=10)
    assert order == ["first done", "second in"]


def test_the_lock_is_reentrant_in_one_thread(tmp_path: Path) -> None:
    with cache_lock(tmp_path), cache_lock(tmp_path):  # run holds it around the sync that takes it too
        pass
    with FileLock(str(tmp_path / LOCK_FILE), timeout=0):  # and it is really released
        pass


def _take(cache: Path, order: list[str]) -> None:
    with cache_lock(cache, timeout=10):
        order.append("second in")
