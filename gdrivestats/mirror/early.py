"""The calls a sync will certainly make first, started before the sync machinery is even imported.

A sync into a cache with no state will ask Drive who is signed in, for a change token and for the synced
folder, none of which depends on another; a sync whose state can be brought up to date by the changes feed
will ask for the changes since its stored token. :func:`start_first_calls` sends these at once on their own
threads; the command line calls it as soon as the drive is open, so the requests are on the wire while the
sync's modules load and its state is opened, and hands the result to ``sync(first_calls=...)``. Each
thread's connection is handed on when its call is answered, so the sync's own calls start on warm ones.
This module imports nothing heavier than the drive interface (and sqlite3, to read a state's token).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gdrivestats.location import drive_path
from gdrivestats.mirror.layout import (
    DEFAULT_OUT_FOLDER,
    META_ACCOUNT_HINT,
    META_EXCLUDE,
    META_ROOT_PATH,
    META_TOKEN,
    STATE_FILE,
)

if TYPE_CHECKING:
    from gdrivestats.drive.base import Drive

THREADS = 3


class FirstCalls:
    """Calls asked of ``drive`` for a sync of ``folder`` before the sync was called, on a pool the sync
    shuts down when its listing is done. ``calls`` holds ``account``, ``token`` and ``root`` (the folder's
    entry) for a first sync, or ``changes`` (the changes since the token ``since``) for a later one."""

    def __init__(self, drive: Drive, folder: str, pool: ThreadPoolExecutor, since: str | None = None) -> None:
        self.drive, self.folder, self.pool, self.since = drive, folder, pool, since
        self.calls: dict[str, Future[Any]] = {}
        if since is not None:
            self.calls["changes"] = pool.submit(_then_release, drive, drive.changes, since)
            return
        # The folder first: the listing waits for it; the account is needed last.
        self.calls["root"] = pool.submit(_then_release, drive, drive.stat, folder)
        self.calls["token"] = pool.submit(_then_release, drive, drive.start_token)
        self.calls["account"] = pool.submit(_then_release, drive, drive.account)

    def matches(self, drive: Drive, folder: str) -> bool:
        """True when these calls were made for this very sync (same drive object, same folder)."""
        return drive is self.drive and folder == self.folder

    def changes_since(self, token: str | None) -> Future[Any] | None:
        """The changes call started, if it was started from ``token`` (else None: the state moved on)."""
        return self.calls.get("changes") if token is not None and token == self.since else None


def _then_release(drive: Drive, call: Callable[..., Any], *args: Any) -> Any:
    try:
        return call(*args)
    finally:
        drive.release_connection()


def new_pool() -> ThreadPoolExecutor:
    """The pool a sync's early calls run on."""
    return ThreadPoolExecutor(max_workers=THREADS, thread_name_prefix="gdrivestats-early")


def changes_usable(meta: Callable[[str], str | None], folder: str, exclude: str | None, full: bool) -> bool:
    """True when a state whose meta table ``meta`` reads can be brought up to date by the changes feed
    since its stored token (no full listing needed)."""
    return (
        not full
        and meta(META_TOKEN) is not None
        and meta(META_ROOT_PATH) == folder
        and meta(META_EXCLUDE) == (exclude or "")
    )


def start_first_calls(
    drive: Drive,
    folder: str,
    cache: Path | str,
    exclude: str | None = DEFAULT_OUT_FOLDER,
    full: bool = False,
) -> FirstCalls | None:
    """Send the calls a sync of ``folder`` into ``cache`` (with ``sync``'s ``exclude`` and ``full``) will
    make first: the three of a first sync, or the changes call of a state the changes feed can bring up to
    date with this drive's sign-in. None when neither is certain (the sync decides as it goes)."""
    folder = drive_path(folder)
    state_file = Path(cache) / STATE_FILE
    if not state_file.is_file():
        return FirstCalls(drive, folder, new_pool())
    meta = _read_meta(state_file)
    if not changes_usable(meta.get, folder, exclude, full):
        return None
    if meta.get(META_ACCOUNT_HINT) != drive.account_hint():  # the sync asks who is signed in first
        return None
    return FirstCalls(drive, folder, new_pool(), since=meta[META_TOKEN])


def _read_meta(state_file: Path) -> dict[str, str]:
    """The state's meta table, read-only; empty when it cannot be read (the sync itself will say why)."""
    import sqlite3

    with contextlib.suppress(sqlite3.Error):
        db = sqlite3.connect(f"{state_file.resolve().as_uri()}?mode=ro", uri=True)
        try:
            return {str(key): str(value) for key, value in db.execute("SELECT key, value FROM meta")}
        finally:
            db.close()
    return {}
