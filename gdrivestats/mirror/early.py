"""The calls a sync will certainly make first, started before the sync machinery is even imported.

A sync into a cache with no state will ask Drive who is signed in, for a change token and for the synced
folder, none of which depends on another; a sync whose state can be brought up to date by the changes feed
will ask for the changes since its stored token. :func:`start_first_calls` sends these at once on their own
threads; the command line calls it as soon as the drive is open and gives them a head start
(``FirstCalls.head_start``), so the requests are on the wire while the sync's modules load and its state
is opened, and hands the result to ``sync(first_calls=...)``. Each
thread's connection is handed on when its call is answered, so the sync's own calls start on warm ones;
a sync that fails (a locked cache, Ctrl-C) does not wait for calls still running.
This module imports nothing heavier than the drive interface (and sqlite3, to read a state's token).
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, wait
from pathlib import Path
from types import TracebackType
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


class EarlyCalls:
    """Calls made at once, each on a daemon thread of its own, as futures.

    Leaving the ``with`` block normally waits for every call; leaving it by an exception (the cache is
    locked, Ctrl-C) abandons those still running: they only read, and an unfinished one neither holds up
    the error nor keeps the process from exiting (a ``ThreadPoolExecutor`` would wait for them both at the
    block's end and at exit, up to a call's whole retry deadline)."""

    def __init__(self) -> None:
        self._futures: list[Future[Any]] = []

    def submit(self, call: Callable[..., Any], *args: Any) -> Future[Any]:
        future: Future[Any] = Future()

        def run() -> None:
            if not future.set_running_or_notify_cancel():
                return
            try:
                result = call(*args)
            except BaseException as exc:  # handed to whoever asks for the result, as an executor does
                future.set_exception(exc)
            else:
                future.set_result(result)

        self._futures.append(future)
        threading.Thread(target=run, name="gdrivestats-early", daemon=True).start()
        return future

    def shutdown(self, wait_for_calls: bool = True) -> None:
        """Wait for every call (``wait_for_calls``), or let the running ones go."""
        if wait_for_calls:
            wait(self._futures)

    def __enter__(self) -> EarlyCalls:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.shutdown(wait_for_calls=kind is None)


class FirstCalls:
    """Calls asked of ``drive`` for a sync of ``folder`` before the sync was called, on ``pool``, which the
    sync waits for when its listing is done. ``calls`` holds ``account``, ``token`` and ``root`` (the folder's
    entry) for a first sync, or ``changes`` (the changes since the token ``since``) for a later one."""

    def __init__(self, drive: Drive, folder: str, pool: EarlyCalls, since: str | None = None) -> None:
        self.drive, self.folder, self.pool, self.since = drive, folder, pool, since
        self.calls: dict[str, Future[Any]] = {}
        if since is not None:
            self.calls["changes"] = pool.submit(_then_release, drive, drive.changes, since)
            return
        # The folder first: the listing waits for it; the account is needed last.
        self.calls["root"] = pool.submit(_then_release, drive, drive.stat, folder)
        self.calls["token"] = pool.submit(_then_release, drive, drive.start_token)
        self.calls["account"] = pool.submit(_then_release, drive, drive.account)

    def head_start(self) -> None:
        """Give these calls the interpreter for a moment before the caller goes on with its own work.

        Their threads have a TLS handshake and a request to make, each step a few hundred microseconds of
        Python between waits; a main thread importing modules meanwhile holds the interpreter lock for up
        to Python's switch interval (5 ms) each time, so the first request used to leave some 10 ms late.
        A pause of ``HEAD_START`` s costs no time a sync would notice: what the main thread does next
        (about 10 ms of imports and opening the state) still ends long before the calls' round trip does.
        """
        time.sleep(HEAD_START)

    def matches(self, drive: Drive, folder: str) -> bool:
        """True when these calls were made for this very sync (same drive object, same folder)."""
        return drive is self.drive and folder == self.folder

    def changes_since(self, token: str | None) -> Future[Any] | None:
        """The changes call started, if it was started from ``token`` (else None: the state moved on)."""
        return self.calls.get("changes") if token is not None and token == self.since else None


HEAD_START = 0.005
"""Seconds the first calls have to themselves (``FirstCalls.head_start``)."""


def _then_release(drive: Drive, call: Callable[..., Any], *args: Any) -> Any:
    try:
        return call(*args)
    finally:  # this thread is done: its connection may serve the sync's next thread
        release = getattr(drive, "release_connection", None)  # a duck-typed drive may lack it
        if release is not None:
            release()


def new_pool() -> EarlyCalls:
    """Where a sync's early calls run."""
    return EarlyCalls()


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
