"""The calls a first sync makes before it lists, started before the sync machinery is even imported.

A sync into a cache with no state will certainly ask Drive who is signed in, for a change token and for the
synced folder, and none of these depends on another. :func:`start_first_calls` sends them at once on their
own threads; the command line calls it as soon as the drive is open, so the requests are on the wire while
the sync's modules load and its state is made, and hands the result to ``sync(first_calls=...)``. This
module imports nothing heavier than the drive interface.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gdrivestats.location import drive_path
from gdrivestats.mirror.layout import STATE_FILE

if TYPE_CHECKING:
    from gdrivestats.drive.base import Drive

THREADS = 3


class FirstCalls:
    """``account``, ``token`` and ``root`` (the folder's entry) asked of ``drive`` at once, on a pool the
    sync shuts down when its listing is done. ``folder`` is the drive path they were asked for."""

    def __init__(self, drive: Drive, folder: str, pool: ThreadPoolExecutor) -> None:
        self.drive, self.folder, self.pool = drive, folder, pool
        # The folder first: the listing waits for it; the account is needed last. Each thread's connection
        # is handed on once its call is answered: the sync's downloads start on warm connections.
        self.calls: dict[str, Future[Any]] = {
            "root": pool.submit(_then_release, drive, drive.stat, folder),
            "token": pool.submit(_then_release, drive, drive.start_token),
            "account": pool.submit(_then_release, drive, drive.account),
        }

    def matches(self, drive: Drive, folder: str) -> bool:
        """True when these calls were made for this very sync (same drive object, same folder)."""
        return drive is self.drive and folder == self.folder


def _then_release(drive: Drive, call: Callable[..., Any], *args: Any) -> Any:
    try:
        return call(*args)
    finally:
        drive.release_connection()


def new_pool() -> ThreadPoolExecutor:
    """The pool a sync's early calls run on."""
    return ThreadPoolExecutor(max_workers=THREADS, thread_name_prefix="gdrivestats-early")


def start_first_calls(drive: Drive, folder: str, cache: Path | str) -> FirstCalls | None:
    """Send the calls a first sync of ``folder`` into ``cache`` will make; None when ``cache`` has a state
    already (which calls a later sync makes depends on what the state holds)."""
    if (Path(cache) / STATE_FILE).is_file():
        return None
    return FirstCalls(drive, drive_path(folder), new_pool())
