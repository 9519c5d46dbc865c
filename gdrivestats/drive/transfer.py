"""Chunked Drive transfers with retries: downloads checked against md5, resumable uploads that resume.

A download that fits in one chunk is one request (``fetch_whole``), retried whole. A larger one, and
a resumable upload, go chunk by chunk: each chunk is one ``next_chunk(num_retries=0)`` call inside
``call_with_retry``. The client library's own retry loop re-sends consumed upload streams (and hangs), while
calling ``next_chunk`` again after a failure asks the server how far it got and continues from there.
Nothing here builds requests: callers pass them in with their per-thread ``http`` already chosen.
"""

from __future__ import annotations

import hashlib
import io
import logging
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from gdrivestats.drive import _deferred  # noqa: F401  # isort: skip  (before httplib2 is imported)
from googleapiclient.errors import HttpError
from googleapiclient.http import HttpRequest, MediaIoBaseDownload

from gdrivestats._crash import crashpoint
from gdrivestats._fs import atomic_open
from gdrivestats.drive.retry import Backoff, call_with_retry, with_deadline
from gdrivestats.errors import DriveError, NotFound

logger = logging.getLogger(__name__)

DEFAULT_CHUNK_SIZE = 8 << 20
UPLOAD_BLOCK = 256 << 10  # resumable chunks must be multiples of 256 KiB


class UploadSessionExpired(DriveError):
    """Drive answered 404 for a resumable session it had opened: the upload must start again from byte 0."""


class HashingWriter(io.RawIOBase):
    """A write-only stream that md5-hashes and counts what passes through it to ``target``."""

    def __init__(self, target: IO[bytes]) -> None:
        super().__init__()
        self.target = target
        self.md5 = hashlib.md5()
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        view = bytes(data)
        self.md5.update(view)
        self.size += len(view)
        self.target.write(view)
        return len(view)


def download_to(
    request: HttpRequest,
    target: IO[bytes],
    what: str,
    policy: Backoff,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> tuple[str, int]:
    """Stream a media request into ``target`` chunk by chunk, retrying each chunk; return (md5, size).

    A failed chunk is asked for again from the same offset (nothing of it was written).
    """
    hasher = HashingWriter(target)
    downloader = MediaIoBaseDownload(hasher, request, chunksize=chunk_size)
    one_chunk = with_deadline(
        lambda: downloader.next_chunk(num_retries=0), request.http, policy.request_deadline
    )
    done = False
    while not done:
        _, done = call_with_retry(one_chunk, what, policy)
        crashpoint("mid-download")  # bytes in the temporary file, not yet under the final name
    return hasher.md5.hexdigest(), hasher.size


def download_file(
    make_request: Callable[[], HttpRequest],
    dest: Path,
    what: str,
    policy: Backoff,
    expected_md5: str | None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    attempts: int = 2,
    size: int | None = None,
) -> Path:
    """Download to a temporary file beside ``dest``, check the md5 when known, then os.replace into place.

    A checksum mismatch restarts the download once (``attempts``), then is an error; ``dest`` is never
    left half-written. ``size`` is the size Drive reports (None when unknown, as for an export).
    """
    dest.parent.mkdir(parents=True, exist_ok=True)
    with atomic_open(dest) as fh:
        download_into(make_request, fh, what, policy, expected_md5, chunk_size, attempts, size)
    return dest


def download_into(
    make_request: Callable[[], HttpRequest],
    handle: IO[bytes],
    what: str,
    policy: Backoff,
    expected_md5: str | None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    attempts: int = 2,
    size: int | None = None,
) -> int:
    """Download into an open, seekable file from its start, checking the md5 when known; return the size.

    Like ``download_file`` (a mismatch restarts once, then is an error) but neither flushed to disk nor
    renamed: the caller owns the file and makes it durable (fsync) and visible (rename) itself, so a
    connection is free for its next request while the disk catches up. A file of a known ``size`` that fits
    in one chunk is one request (``fetch_whole``); anything else streams chunk by chunk.
    """

    content = read_small(make_request, what, policy, expected_md5, size, chunk_size, attempts)
    if content is not None:
        handle.seek(0)
        handle.truncate()
        handle.write(content)
        crashpoint("mid-download")  # bytes in the temporary file, not yet under the final name
        return len(content)

    def once() -> tuple[str, int]:
        handle.seek(0)
        handle.truncate()
        return download_to(make_request(), handle, what, policy, chunk_size)

    return _checked(once, what, expected_md5, attempts)


def read_whole(
    make_request: Callable[[], HttpRequest],
    what: str,
    policy: Backoff,
    expected_md5: str | None,
    size: int | None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    attempts: int = 2,
) -> bytes:
    """A file's whole content in memory, checked against the md5 when known (a mismatch asks again once);
    one request when it fits in one chunk (``fetch_whole``), else chunk by chunk."""
    content = read_small(make_request, what, policy, expected_md5, size, chunk_size, attempts)
    if content is not None:
        return content
    buffer = io.BytesIO()

    def once() -> tuple[str, int]:
        buffer.seek(0)
        buffer.truncate()
        return download_to(make_request(), buffer, what, policy, chunk_size)

    _checked(once, what, expected_md5, attempts)
    return buffer.getvalue()


class _Larger(Exception):
    """The file is larger than the one request it was asked in allows (it grew since it was listed)."""


def read_small(
    make_request: Callable[[], HttpRequest],
    what: str,
    policy: Backoff,
    expected_md5: str | None,
    size: int | None,
    limit: int,
    attempts: int = 2,
) -> bytes | None:
    """The content of a file Drive says is ``size`` bytes, at most ``limit``, in one request
    (``fetch_whole``), checked against the md5 when known (a mismatch asks again once, then is an error).
    None, with no request made, when the size is not known or over ``limit``, and None when the answer
    shows the file grew past ``limit`` since it was listed: stream such a file instead (``download_into``),
    so what is held in memory stays within ``limit``."""
    content = b""

    def once() -> tuple[str, int]:
        nonlocal content
        whole = fetch_whole(make_request, what, policy, size, limit)
        if whole is None:
            raise _Larger
        content = whole
        return hashlib.md5(content).hexdigest(), len(content)

    try:
        _checked(once, what, expected_md5, attempts)
    except _Larger:
        return None
    return content


def fetch_whole(
    make_request: Callable[[], HttpRequest], what: str, policy: Backoff, size: int | None, limit: int
) -> bytes | None:
    """A file Drive says is ``size`` bytes, in one request when that is at most ``limit``, with the request's
    deadline and the retries of every other call. None, to stream it instead, when the size is not known
    (an export) or over ``limit`` (no request is made), or when the answer shows the file grew since it was
    listed.

    One ``execute()`` with a Range header, not a downloader around it (the downloader cost 774 against
    650 µs of CPU a small file, in-process). The range asks for one byte more than ``limit``, so an answer
    that fills it tells a larger file from one of exactly ``limit`` bytes, and what is held in memory stays
    within one chunk, as with the downloader: Drive's listing says the size, the range is what Drive sends.
    """
    if size is None or size > limit:
        return None
    request = make_request()
    request.headers["range"] = f"bytes=0-{limit}"
    http = request.http

    def execute() -> Any:
        try:
            return request.execute(http=http, num_retries=0)
        except HttpError as exc:  # Drive refuses every range of an empty file (416), as the downloader knows
            if exc.resp.status == 416 and str(exc.resp.get("content-range", "")).endswith("/0"):
                return b""
            raise

    got = call_with_retry(with_deadline(execute, http, policy.request_deadline), what, policy)
    content = got if isinstance(got, bytes) else bytes(got or b"")
    return content if len(content) <= limit else None


def _checked(once: Callable[[], tuple[str, int]], what: str, expected_md5: str | None, attempts: int) -> int:
    """Run a whole transfer (``once``: its md5 and size) until its md5 is Drive's, ``attempts`` times at
    most; the size, or a DriveError naming the mismatch."""
    md5, size = "", 0
    for attempt in range(1, attempts + 1):
        md5, size = once()
        if expected_md5 is None or md5 == expected_md5:
            return size
        logger.info("%s: md5 mismatch (got %s, Drive says %s), attempt %d", what, md5, expected_md5, attempt)
    raise DriveError(
        f"{what}: downloaded content does not match Drive's md5 after {attempts} attempts "
        f"({size} bytes); the file may be changing, retry later"
    )


def upload_resumable(
    request: HttpRequest,
    http: Any,
    what: str,
    policy: Backoff,
    on_progress: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    """Drive a resumable upload to completion, one chunk per call, resuming after failures; return the file.

    After an error the next ``next_chunk`` first asks the server which bytes it has (a status query) and
    continues from there, so a dropped connection costs at most one chunk, not the whole file. A 404 once the
    session exists means Drive dropped the session (they expire): UploadSessionExpired, so the caller starts
    again from the beginning (Drive's upload guide says so).
    """
    response: dict[str, Any] | None = None
    one_chunk = with_deadline(
        lambda: request.next_chunk(http=http, num_retries=0), http, policy.request_deadline
    )
    while response is None:
        try:
            status, response = call_with_retry(one_chunk, what, policy)
        except NotFound as exc:
            if request.resumable_uri is None:
                raise  # the create itself was refused (e.g. the folder is gone)
            raise UploadSessionExpired(f"{what}: Drive dropped the upload session") from exc
        if status is not None and on_progress is not None:
            on_progress(status.resumable_progress)
    return response
