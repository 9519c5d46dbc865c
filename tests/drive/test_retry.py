"""retry: which failures are retried, how long we wait, and how failures become library errors."""

from __future__ import annotations

import http.client
import json
from collections.abc import Callable

import httplib2
import pytest
from googleapiclient.errors import HttpError

from gdrivestats.drive.retry import Backoff, call_with_retry, is_retryable, translate
from gdrivestats.errors import (
    AlreadyExists,
    AuthError,
    DownloadBlocked,
    DriveError,
    ExportTooLarge,
    NotFound,
    PermissionDenied,
    QuotaExceeded,
    RateLimited,
)


def http_error(
    status: int, reason: str = "", message: str = "boom", headers: dict[str, str] | None = None
) -> HttpError:
    body = {
        "error": {
            "code": status,
            "message": message,
            "errors": [{"reason": reason, "message": message}] if reason else [],
        }
    }
    resp = httplib2.Response({"status": str(status), **(headers or {})})
    resp.reason = "Reason"
    return HttpError(resp, json.dumps(body).encode(), uri="http://127.0.0.1/x?access_token=SECRET")


class Script:
    """A callable that raises the scripted failures in order, then returns ``result``."""

    def __init__(self, failures: list[BaseException], result: str = "ok") -> None:
        self.failures = list(failures)
        self.result = result
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        if self.failures:
            raise self.failures.pop(0)
        return self.result


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def clock(self) -> float:
        return self.now


def run(
    fn: Callable[[], str], policy: Backoff, clock: FakeClock, what: str = "download of 'a/b.xlsx'"
) -> str:
    return call_with_retry(fn, what, policy, sleep=clock.sleep, clock=clock.clock)


MAX_RAND = Backoff(base=1, cap=8, attempts=10, deadline=1000, rand=lambda: 1.0)


@pytest.mark.parametrize(
    "failure",
    [
        http_error(500),
        http_error(502),
        http_error(503),
        http_error(429),
        http_error(403, "userRateLimitExceeded"),
        http_error(403, "rateLimitExceeded"),
        ConnectionResetError(),
        BrokenPipeError(),
        ConnectionRefusedError(),
        http.client.RemoteDisconnected("closed"),
        http.client.IncompleteRead(b"part", 10),
        TimeoutError("timed out"),
        TimeoutError(),
        httplib2.ServerNotFoundError("dns"),
        httplib2.HttpLib2Error("Server closed connection"),
    ],
)
def test_transient_failures_are_retried(failure: BaseException) -> None:
    assert is_retryable(failure)
    clock = FakeClock()
    fn = Script([failure, failure])
    assert run(fn, MAX_RAND, clock) == "ok"
    assert fn.calls == 3
    assert clock.sleeps == [1.0, 2.0]


@pytest.mark.parametrize(
    ("failure", "kind"),
    [
        (http_error(404, "notFound"), NotFound),
        (http_error(403, "storageQuotaExceeded"), QuotaExceeded),
        (http_error(403, "dailyLimitExceeded"), QuotaExceeded),
        (http_error(403, "insufficientPermissions"), PermissionDenied),
        (http_error(403, "forbidden"), PermissionDenied),
        (http_error(403, "exportSizeLimitExceeded"), ExportTooLarge),
        (http_error(401, "authError"), AuthError),
        (http_error(400, "badRequest"), DriveError),
        (http_error(403, "teamDriveFileLimitExceeded"), QuotaExceeded),
        (http_error(403, "downloadQuotaExceeded"), DownloadBlocked),
        (http_error(403, "cannotDownloadAbusiveFile"), DownloadBlocked),
        (http_error(403, "cannotDownloadFile"), DownloadBlocked),
        (http_error(403, "fileNotDownloadable"), DownloadBlocked),
        (http_error(409, "duplicate"), AlreadyExists),
    ],
)
def test_final_failures_are_not_retried_and_translated(failure: HttpError, kind: type[Exception]) -> None:
    assert not is_retryable(failure)
    clock = FakeClock()
    fn = Script([failure])
    with pytest.raises(kind) as err:
        run(fn, MAX_RAND, clock)
    assert fn.calls == 1
    assert clock.sleeps == []
    assert err.value.__cause__ is failure
    message = str(err.value)
    assert "a/b.xlsx" in message
    assert "\n" not in message
    assert "SECRET" not in message and "http" not in message


def test_backoff_grows_exponentially_and_is_capped() -> None:
    clock = FakeClock()
    fn = Script([http_error(503)] * 6)
    run(fn, MAX_RAND, clock)
    assert clock.sleeps == [1, 2, 4, 8, 8, 8]


def test_full_jitter_uses_the_random_fraction() -> None:
    policy = Backoff(base=1, cap=100, rand=lambda: 0.25)
    assert [policy.delay(n) for n in range(4)] == [0.25, 0.5, 1.0, 2.0]


def test_retry_after_is_honoured() -> None:
    clock = FakeClock()
    fn = Script([http_error(429, headers={"retry-after": "7"})])
    run(fn, MAX_RAND, clock)
    assert clock.sleeps == [7.0]


def test_gives_up_after_attempts_with_rate_limited() -> None:
    clock = FakeClock()
    fn = Script([http_error(403, "userRateLimitExceeded")] * 10)
    with pytest.raises(RateLimited, match="after 4 attempts") as err:
        run(fn, Backoff(base=1, cap=1, attempts=4, deadline=1000, rand=lambda: 1.0), clock)
    assert fn.calls == 4
    assert "a/b.xlsx" in str(err.value)


def test_gives_up_at_the_deadline() -> None:
    clock = FakeClock()
    fn = Script([http_error(500)] * 100)
    with pytest.raises(DriveError, match="server error"):
        run(fn, Backoff(base=1, cap=10, attempts=100, deadline=20, rand=lambda: 1.0), clock)
    assert sum(clock.sleeps) <= 20
    assert clock.sleeps == [1, 2, 4, 8]


def test_connection_failures_exhausted_say_so() -> None:
    clock = FakeClock()
    fn = Script([ConnectionResetError()] * 3)
    with pytest.raises(DriveError, match="connection to Drive lost") as err:
        run(fn, Backoff(attempts=3, rand=lambda: 0.0), clock)
    assert isinstance(err.value.__cause__, ConnectionResetError)


def test_programming_errors_pass_through_without_retry() -> None:
    clock = FakeClock()
    fn = Script([ValueError("bad")])
    with pytest.raises(ValueError):
        call_with_retry(fn, "x", MAX_RAND, sleep=clock.sleep, clock=clock.clock)
    assert fn.calls == 1


def test_translate_keeps_library_errors() -> None:
    err = NotFound("x")
    assert translate(err, "y") is err


@pytest.mark.parametrize(
    ("reason", "words", "waits"),
    [
        ("downloadQuotaExceeded", "resets within 24 hours", True),
        ("cannotDownloadAbusiveFile", "malware or spam", False),
        ("cannotDownloadFile", "owner disabled downloading", False),
        ("fileNotDownloadable", "only Google Sheets are exported", False),
    ],
)
def test_blocked_downloads_are_not_permission_errors(reason: str, words: str, waits: bool) -> None:
    err = translate(http_error(403, reason), "download of 'a/b.xlsx'")
    assert isinstance(err, DownloadBlocked) and not isinstance(err, PermissionDenied)
    assert err.reason == reason and words in str(err) and "permission denied" not in str(err)
    assert (err.retry_after is not None) == waits
