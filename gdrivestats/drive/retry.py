"""The one place Drive calls are retried and Drive failures become gdrivestats errors.

``call_with_retry`` runs a callable with exponential backoff (full jitter, a cap per sleep, a total
deadline), honouring ``Retry-After``. Retried: 429, 5xx, 403 rate limits (userRateLimitExceeded,
rateLimitExceeded), dropped connections and requests that passed their own deadline (``with_deadline``:
a server that trickles bytes never trips a per-read socket timeout). Final at once: quota exhaustion,
blocked downloads, permission errors, 404 and every other 4xx. ``translate`` turns any of these into the
library hierarchy, with a one-line message that names what was being done and the real cause, and never
includes a token or a URL.
"""

from __future__ import annotations

import contextlib
import heapq
import http.client
import itertools
import json
import logging
import os
import random
import socket
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from gdrivestats.drive import _deferred  # noqa: F401  # isort: skip  (before httplib2 is imported)
import httplib2
from google.auth.exceptions import RefreshError
from googleapiclient.errors import HttpError

from gdrivestats.drive.pacer import Pacer
from gdrivestats.errors import (
    AlreadyExists,
    AuthError,
    DownloadBlocked,
    DriveError,
    ExportTooLarge,
    GdriveStatsError,
    NotFound,
    PermissionDenied,
    QuotaExceeded,
    RateLimited,
)

logger = logging.getLogger(__name__)

T = TypeVar("T")

RATE_LIMIT_REASONS = frozenset({"userRateLimitExceeded", "rateLimitExceeded"})
QUOTA_REASONS = frozenset(
    {"storageQuotaExceeded", "dailyLimitExceeded", "quotaExceeded", "teamDriveFileLimitExceeded"}
)
EXPORT_REASONS = frozenset({"exportSizeLimitExceeded"})
#: Drive's download quota for one file resets within a day; try that file again after this many seconds.
DOWNLOAD_QUOTA_WAIT = 6 * 3600.0
#: 403 reasons that refuse one file's content (not a permission problem): reason -> (retry_after, message).
BLOCKED_REASONS: dict[str, tuple[float | None, str]] = {
    "downloadQuotaExceeded": (
        DOWNLOAD_QUOTA_WAIT,
        "Drive's download quota for this file is used up (too many downloads by everyone it is shared "
        "with); it resets within 24 hours, try again later",
    ),
    "cannotDownloadAbusiveFile": (
        None,
        "Google flagged this file as malware or spam and will not serve it; if you own it and trust it, "
        "download it once in drive.google.com ('Download anyway') or pass acknowledge_abuse=True "
        "(only the owner may), else ask the owner to replace it",
    ),
    "cannotDownloadFile": (
        None,
        "the owner disabled downloading for viewers and commenters; ask the owner to allow it or to give "
        "you edit access",
    ),
    "fileNotDownloadable": (
        None,
        "this is a native Google file (Docs, Slides, Forms...) with no content of its own to download; "
        "only Google Sheets are exported",
    ),
}
QUOTA_MESSAGES = {
    "dailyLimitExceeded": "the project's daily Drive API quota is used up; it resets at midnight "
    "Pacific time",
    "storageQuotaExceeded": "the Drive storage of this account is full; free space (empty the trash) or "
    "buy more, then run again",
    "teamDriveFileLimitExceeded": "the shared drive holds the most files Drive allows (400,000); move or "
    "delete some, or write to another drive",
    "quotaExceeded": "a Drive quota is exhausted; wait and run again",
}


class RequestDeadline(TimeoutError):
    """One request took longer than its total deadline (the server answered too slowly); it is retried."""


#: Exceptions that mean the connection dropped or timed out: the request may be repeated.
CONNECTION_ERRORS: tuple[type[BaseException], ...] = (
    ConnectionError,  # ConnectionResetError, BrokenPipeError, ConnectionRefusedError, RemoteDisconnected
    TimeoutError,  # socket.timeout
    socket.gaierror,
    http.client.IncompleteRead,
    http.client.BadStatusLine,
    http.client.ResponseNotReady,
    http.client.CannotSendRequest,
    ssl.SSLError,
    httplib2.ServerNotFoundError,
    httplib2.FailedToDecompressContent,
)


@dataclass(frozen=True)
class Backoff:
    """How to retry: sleep uniform(0, min(cap, base * 2**attempt)); ``attempts`` tries, ``deadline`` s in all.

    A ``Retry-After`` from the server replaces the jittered sleep (capped at ``max_retry_after``).
    Tests pass a tiny policy (``Backoff.fast()``) to keep the suite quick.
    """

    base: float = 1.0
    cap: float = 32.0
    attempts: int = 10
    deadline: float = 300.0
    max_retry_after: float = 120.0
    request_deadline: float = 300.0  # seconds one request (one chunk of a transfer) may take in all
    rand: Callable[[], float] = field(default=random.random, compare=False, repr=False)

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to sleep before try number ``attempt + 1`` (attempt counts from 0)."""
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.max_retry_after)
        return self.rand() * min(self.cap, self.base * 2**attempt)

    @classmethod
    def fast(cls, attempts: int = 12) -> Backoff:
        """A policy for tests and emulators: millisecond sleeps, many attempts, a short deadline."""
        return cls(
            base=0.001,
            cap=0.01,
            attempts=attempts,
            deadline=30.0,
            max_retry_after=0.01,
            request_deadline=10.0,
        )


DEFAULT_BACKOFF = Backoff()


def error_reason(exc: HttpError) -> str:
    """The first ``errors[].reason`` of a Drive error body ('' if there is none)."""
    try:
        data = json.loads(exc.content.decode("utf-8"))
        errors = data["error"].get("errors") or []
        if errors and isinstance(errors[0], dict):
            return str(errors[0].get("reason", ""))
        status = data["error"].get("status")
        return str(status or "")
    except (ValueError, KeyError, TypeError, AttributeError):
        return ""


def error_message(exc: HttpError) -> str:
    """The server's message for an HttpError, on one line."""
    message = str(getattr(exc, "reason", "") or "") or f"HTTP {exc.resp.status}"
    return " ".join(message.split())[:300]


def is_retryable(exc: BaseException) -> bool:
    """True for failures worth repeating: 429, 5xx, 403 rate limits and dropped connections."""
    if isinstance(exc, HttpError):
        status = exc.resp.status
        if status == 429 or status >= 500:
            return True
        return status == 403 and error_reason(exc) in RATE_LIMIT_REASONS
    if isinstance(exc, CONNECTION_ERRORS):
        return True
    # httplib2 wraps some transport failures in its own base error (e.g. "Server closed connection")
    return type(exc) is httplib2.HttpLib2Error


def is_rate_limited(exc: BaseException) -> bool:
    """True for Drive's "slow down" answers: 429 and 403 userRateLimitExceeded / rateLimitExceeded."""
    if not isinstance(exc, HttpError):
        return False
    return exc.resp.status == 429 or (exc.resp.status == 403 and error_reason(exc) in RATE_LIMIT_REASONS)


def retry_after(exc: BaseException) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds form), or None."""
    if not isinstance(exc, HttpError):
        return None
    value = exc.resp.get("retry-after") if hasattr(exc.resp, "get") else None
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def translate(exc: BaseException, what: str, attempts: int = 1) -> GdriveStatsError:
    """The library error for a failure while doing ``what`` (e.g. "download of 'Reports/a.xlsx'").

    The only place an HttpError or a transport error becomes a gdrivestats error; raise the result
    ``from exc``.
    """
    if isinstance(exc, GdriveStatsError):
        return exc
    if isinstance(exc, RefreshError):
        return AuthError(f"{what}: the Drive credentials expired and cannot be refreshed; sign in again")
    tries = f" after {attempts} attempts" if attempts > 1 else ""
    if not isinstance(exc, HttpError):
        kind = type(exc).__name__
        return DriveError(
            f"{what} failed: connection to Drive lost ({kind}){tries}; check the network and retry"
        )
    status, reason, message = exc.resp.status, error_reason(exc), error_message(exc)
    detail = f"{message} ({status}{', ' + reason if reason else ''})"
    if status == 404:
        return NotFound(f"{what}: not found on Drive: {detail}")
    if status == 409:
        return AlreadyExists(f"{what}: Drive already has an item with this id: {detail}")
    if reason in EXPORT_REASONS:
        return ExportTooLarge(
            f"{what}: the Sheet is too large for Drive to export (limit 10 MB); in Drive use File > "
            f"Download > Microsoft Excel and put the .xlsx in the folder, or split the Sheet ({reason})"
        )
    if reason in BLOCKED_REASONS:
        wait, cause = BLOCKED_REASONS[reason]
        return DownloadBlocked(f"{what}: {cause} ({reason})", reason, wait)
    if reason in QUOTA_REASONS:
        return QuotaExceeded(f"{what}: {QUOTA_MESSAGES[reason]}; retrying now will not help ({reason})")
    if status == 429 or reason in RATE_LIMIT_REASONS:
        return RateLimited(
            f"{what}: Drive rate limit still hit{tries}; wait a few minutes and retry: {detail}"
        )
    if status == 401:
        return AuthError(f"{what}: Drive refused the credentials; sign in again: {detail}")
    if status == 403:
        return PermissionDenied(f"{what}: permission denied; ask the owner for access: {detail}")
    if status >= 500:
        return DriveError(f"{what}: Drive server error{tries}; retry later: {detail}")
    return DriveError(f"{what}: Drive rejected the request: {detail}")


class _Watchdog:
    """One thread that fires every request deadline of the process, earliest first.

    A ``threading.Timer`` per request starts (and ends) a thread for each download, which is much of a
    download's own CPU when a sync fetches a thousand small files. Entries are ``[when, seq, action]``;
    cancelling sets the action to None, and the heap is rebuilt once most of it is cancelled.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._heap: list[list[Any]] = []
        self._cancelled = 0
        self._seq = itertools.count()
        self._thread: threading.Thread | None = None

    def schedule(self, when: float, action: Callable[[], None]) -> list[Any]:
        """Run ``action`` at monotonic time ``when`` unless cancelled first; returns the handle."""
        entry: list[Any] = [when, next(self._seq), action]
        with self._cond:
            heapq.heappush(self._heap, entry)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="gdrivestats-deadlines", daemon=True)
                self._thread.start()
            elif self._heap[0] is entry:
                self._cond.notify()
        return entry

    def cancel(self, entry: list[Any]) -> bool:
        """True when the action will not run; False when it has started (or run) already."""
        with self._cond:
            if entry[2] is None:
                return False
            entry[2] = None
            self._cancelled += 1
            if self._cancelled > 64 and self._cancelled * 2 > len(self._heap):
                self._heap = [e for e in self._heap if e[2] is not None]
                heapq.heapify(self._heap)
                self._cancelled = 0
            return True

    def _run(self) -> None:
        with self._cond:
            while True:
                while self._heap and self._heap[0][2] is None:
                    heapq.heappop(self._heap)
                    self._cancelled = max(0, self._cancelled - 1)
                if not self._heap:
                    self._cond.wait()
                    continue
                delay = self._heap[0][0] - time.monotonic()
                if delay > 0:
                    self._cond.wait(delay)
                    continue
                entry = heapq.heappop(self._heap)
                action, entry[2] = entry[2], None
                self._cond.release()
                try:
                    action()
                except Exception:  # an action's failure must not stop every later deadline
                    logger.debug("a request deadline's action failed", exc_info=True)
                finally:
                    self._cond.acquire()

    def _after_fork(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._heap, self._cancelled, self._thread = [], 0, None


_WATCHDOG = _Watchdog()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_WATCHDOG._after_fork)


def with_deadline(fn: Callable[[], T], http: Any, seconds: float) -> Callable[[], T]:
    """``fn`` (one request on connection ``http``) limited to ``seconds`` in all, not per socket read.

    When the time is up, the connection's sockets are shut down, which wakes the blocked read; the call then
    raises RequestDeadline (retryable) and the connection is closed so the next request opens a new one.
    """
    if seconds <= 0:
        return fn

    def guarded() -> T:
        fired = threading.Event()
        done = threading.Event()

        def expire() -> None:
            fired.set()
            try:
                for conn in _connections(http):
                    sock = getattr(conn, "sock", None)
                    if sock is not None:
                        with contextlib.suppress(OSError):
                            sock.shutdown(socket.SHUT_RDWR)
            finally:
                done.set()

        handle = _WATCHDOG.schedule(time.monotonic() + seconds, expire)
        try:
            result = fn()
        except Exception as exc:
            if not _WATCHDOG.cancel(handle):
                done.wait()  # the sockets are shut down before they are closed and reopened
                _close(http)
                raise RequestDeadline(f"no complete answer within {seconds:g}s") from exc
            raise
        if not _WATCHDOG.cancel(handle):  # it finished as the deadline fired: the answer is whole, the
            done.wait()  # connection is not
            _close(http)
        return result

    return guarded


def _connections(http: Any) -> list[Any]:
    """The httplib2 connections behind an AuthorizedHttp or an httplib2.Http."""
    inner = getattr(http, "http", http)
    return list(getattr(inner, "connections", {}).values())


def _close(http: Any) -> None:
    for conn in _connections(http):
        with contextlib.suppress(Exception):
            conn.close()


def call_with_retry(
    fn: Callable[[], T],
    what: str,
    policy: Backoff = DEFAULT_BACKOFF,
    *,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    on_retry: Callable[[BaseException, int, float], None] | None = None,
    pacer: Pacer | None = None,
) -> T:
    """Call ``fn`` until it succeeds, retrying transient failures per ``policy``; else raise a library error.

    ``fn`` must be safe to call again after a failure (rebuild requests and streams inside it).
    ``on_retry(exc, attempt, delay)`` is called before each sleep. With a ``pacer`` (for writes) every try
    first waits its turn, and a rate-limit answer slows every writer sharing that pacer down.
    """
    start = clock()
    attempt = 0
    while True:
        try:
            if pacer is not None:
                pacer.acquire()
            result = fn()
            if pacer is not None:
                pacer.succeeded()
            return result
        except Exception as exc:
            attempt += 1
            if pacer is not None and is_rate_limited(exc):
                pacer.rate_limited(retry_after(exc))
            if not is_retryable(exc):
                if isinstance(exc, HttpError | RefreshError):
                    raise translate(exc, what, attempt) from exc
                raise  # our own errors and programming errors pass through untouched
            delay = policy.delay(attempt - 1, retry_after(exc))
            if attempt >= policy.attempts or clock() - start + delay > policy.deadline:
                raise translate(exc, what, attempt) from exc
            logger.debug("%s: attempt %d failed (%s); retrying in %.3fs", what, attempt, _brief(exc), delay)
            if on_retry is not None:
                on_retry(exc, attempt, delay)
            sleep(delay)


def _brief(exc: BaseException) -> str:
    """A short description of a failure for logs, without URLs."""
    if isinstance(exc, HttpError):
        return f"HTTP {exc.resp.status} {error_reason(exc)}".strip()
    return type(exc).__name__
