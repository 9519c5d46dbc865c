"""The lock on a cache folder: two runs never work on one cache (the second waits, then exits 3)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from gdrivestats.errors import CacheLocked
from gdrivestats.mirror.layout import LOCK_FILE
from gdrivestats.names import printable

_locks: dict[Path, Any] = {}
_locks_guard = threading.Lock()


@contextmanager
def cache_lock(cache: Path, timeout: float = 0.0) -> Iterator[None]:
    """Hold the lock on ``cache`` for the block; CacheLocked when another run holds it past ``timeout`` s.

    Re-entrant in one thread (``run`` holds it around the ``sync`` that also takes it); other threads and
    other processes wait, so two runs never work on one cache.
    """
    from filelock import FileLock, Timeout

    cache.mkdir(parents=True, exist_ok=True)
    key = cache.resolve()
    with _locks_guard:
        lock = _locks.setdefault(key, FileLock(str(key / LOCK_FILE)))
    try:
        lock.acquire(timeout=timeout)
    except Timeout:
        raise CacheLocked(
            f"another run holds the lock on {printable(str(cache))}; not starting a second one"
            " (wait for it to finish, or use another cache)"
        ) from None
    try:
        yield
    finally:
        lock.release()
