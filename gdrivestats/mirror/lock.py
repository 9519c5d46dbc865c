"""The lock on a cache folder: two runs never work on one cache (the second waits, then exits 3)."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

try:
    import fcntl
except ImportError:  # not POSIX
    fcntl = None  # type: ignore[assignment]

from gdrivestats.errors import CacheLocked
from gdrivestats.mirror.layout import LOCK_FILE
from gdrivestats.names import printable

POLL = 0.05  # seconds between tries while another process holds the lock


class _CacheLock:
    """flock(2) on the lock file, re-entrant in one thread; other threads wait on an RLock first.

    Written on fcntl instead of ``filelock`` (which uses the same flock) because its import costs a
    re-sync with nothing to do about 30 ms, a tenth of its time; elsewhere than POSIX ``filelock`` is used.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._threads = threading.RLock()
        self._depth = 0
        self._fd: int | None = None

    def acquire(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        got = self._threads.acquire(timeout=timeout) if timeout > 0 else self._threads.acquire(blocking=False)
        if not got:
            return False
        if self._depth == 0 and not self._lock_file(deadline):
            self._threads.release()
            return False
        self._depth += 1
        return True

    def release(self) -> None:
        self._depth -= 1
        if self._depth == 0 and self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
        self._threads.release()

    def _lock_file(self, deadline: float) -> bool:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    os.close(fd)
                    return False
                time.sleep(POLL)
                continue
            self._fd = fd
            return True


class _PortableLock:
    """The same lock through ``filelock`` where there is no fcntl."""

    def __init__(self, path: Path) -> None:
        from filelock import FileLock

        self._lock = FileLock(str(path))

    def acquire(self, timeout: float) -> bool:
        from filelock import Timeout

        try:
            self._lock.acquire(timeout=timeout)
        except Timeout:
            return False
        return True

    def release(self) -> None:
        self._lock.release()


_locks: dict[Path, Any] = {}
_locks_guard = threading.Lock()


@contextmanager
def cache_lock(cache: Path, timeout: float = 0.0) -> Iterator[None]:
    """Hold the lock on ``cache`` for the block; CacheLocked when another run holds it past ``timeout`` s.

    Re-entrant in one thread (``run`` holds it around the ``sync`` that also takes it); other threads and
    other processes wait, so two runs never work on one cache.
    """
    cache.mkdir(parents=True, exist_ok=True)
    key = cache.resolve()
    with _locks_guard:
        if key not in _locks:
            _locks[key] = (_CacheLock if fcntl is not None else _PortableLock)(key / LOCK_FILE)
        lock = _locks[key]
    if not lock.acquire(timeout):
        raise CacheLocked(
            f"another run holds the lock on {printable(str(cache))}; not starting a second one"
            " (wait for it to finish, or use another cache)"
        )
    try:
        yield
    finally:
        lock.release()
