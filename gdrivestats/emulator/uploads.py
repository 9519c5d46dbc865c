"""Upload protocols: multipart/related bodies (LF or CRLF) and resumable-session chunk bookkeeping."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from gdrivestats.emulator.store import DriveStateError, UploadSession

CHUNK_GRANULARITY = 256 * 1024

_RANGE_RE = re.compile(r"^bytes\s+(?:(\d+)-(\d+)|\*)/(\d+|\*)$")


def bad_request(message: str) -> DriveStateError:
    return DriveStateError(400, "badRequest", message)


def header_param(value: str, name: str) -> str | None:
    """A parameter of a header such as ``multipart/related; boundary="x"``."""
    for piece in value.split(";")[1:]:
        key, _, raw = piece.strip().partition("=")
        if key.strip().lower() == name:
            return raw.strip().strip('"')
    return None


def _split_headers(part: bytes) -> tuple[dict[str, str], bytes]:
    crlf, lf = part.find(b"\r\n\r\n"), part.find(b"\n\n")
    if crlf != -1 and (lf == -1 or crlf <= lf):
        head, body = part[:crlf], part[crlf + 4 :]
    elif lf != -1:
        head, body = part[:lf], part[lf + 2 :]
    else:
        head, body = part, b""
    headers: dict[str, str] = {}
    for line in head.decode("latin-1").splitlines():
        name, sep, value = line.partition(":")
        if sep:
            headers[name.strip().lower()] = value.strip()
    return headers, body


def split_multipart(content_type: str, body: bytes) -> list[tuple[dict[str, str], bytes]]:
    """The parts (headers, content) of a multipart body, accepting LF or CRLF line endings."""
    boundary = header_param(content_type, "boundary")
    if not boundary:
        raise bad_request("Missing boundary in multipart Content-Type.")
    delimiter = b"--" + boundary.encode("latin-1")
    pieces = body.split(delimiter)
    if len(pieces) < 3:
        raise bad_request("Malformed multipart body.")
    # One line ending frames the whole message: the one after the first boundary. Strip exactly that, so
    # content that itself ends in "\r" survives an LF-framed body (google-api-python-client frames with LF).
    eol = b"\r\n" if pieces[1].startswith(b"\r\n") else b"\n"
    parts = []
    for piece in pieces[1:]:
        if piece.startswith(b"--"):
            break
        piece = piece.removeprefix(eol).removesuffix(eol)
        parts.append(_split_headers(piece))
    return parts


@dataclass(frozen=True)
class MultipartUpload:
    metadata: dict[str, Any]
    media: bytes
    media_type: str


def parse_multipart_related(content_type: str, body: bytes) -> MultipartUpload:
    """Metadata (first part, JSON) and media (second part) of a multipart upload."""
    if not content_type.lower().startswith("multipart/related"):
        raise bad_request("Multipart uploads need Content-Type multipart/related.")
    parts = split_multipart(content_type, body)
    if len(parts) != 2:
        raise bad_request(f"A multipart upload has 2 parts, this one has {len(parts)}.")
    (_, meta_body), (media_headers, media) = parts
    try:
        metadata = json.loads(meta_body.decode("utf-8") or "{}")
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise bad_request(f"Invalid JSON in the metadata part: {exc}") from exc
    if not isinstance(metadata, dict):
        raise bad_request("The metadata part must be a JSON object.")
    return MultipartUpload(metadata, media, media_headers.get("content-type", "application/octet-stream"))


@dataclass(frozen=True)
class ContentRange:
    first: int | None  # None for a status query (bytes */TOTAL)
    last: int | None
    total: int | None  # None for "*"


def parse_content_range(value: str | None) -> ContentRange | None:
    if value is None:
        return None
    match = _RANGE_RE.match(value.strip())
    if not match:
        raise bad_request(f"Invalid Content-Range header: {value}")
    first, last, total = match.groups()
    return ContentRange(
        int(first) if first is not None else None,
        int(last) if last is not None else None,
        None if total == "*" else int(total),
    )


@dataclass(frozen=True)
class ChunkOutcome:
    complete: bool
    received: int


def accept_chunk(
    session: UploadSession, content_range: ContentRange | None, data: bytes, lose: bool = False
) -> ChunkOutcome:
    """Add a chunk to the session (caller holds the store lock). ``lose`` drops a completing chunk."""
    have = len(session.received)
    if content_range is None:  # the whole content in one request (also how an empty file is sent)
        if lose and data:
            return ChunkOutcome(False, have)
        session.received[:] = data
        session.total = len(data)
        return ChunkOutcome(True, len(data))
    if content_range.total is not None:
        if session.total is not None and session.total != content_range.total:
            raise bad_request("The total size changed during the upload.")
        session.total = content_range.total
    if content_range.first is None:  # status query
        return ChunkOutcome(session.total is not None and have >= session.total, have)
    first, last = content_range.first, content_range.last
    assert last is not None
    if last < first or last - first + 1 != len(data):
        raise bad_request("The Content-Range does not match the number of bytes sent.")
    if first > have:
        raise bad_request(
            f"Invalid request. The upload offset is {first} byte(s), which exceeds the already uploaded "
            f"size of {have} byte(s)."
        )
    new = data[have - first :]
    completes = session.total is not None and have + len(new) >= session.total
    if not completes and len(data) % CHUNK_GRANULARITY:
        raise bad_request(
            f"Invalid request. The number of bytes uploaded is required to be equal or greater than "
            f"{CHUNK_GRANULARITY}, except for the final request (it's recommended to be the exact multiple "
            f"of {CHUNK_GRANULARITY}). The received request contained {len(data)} bytes, which does not "
            f"meet this requirement."
        )
    if lose and completes:
        return ChunkOutcome(False, have)
    session.received.extend(new)
    if session.total is not None and len(session.received) > session.total:
        raise bad_request("More bytes were sent than the declared total size.")
    return ChunkOutcome(completes, len(session.received))


def keep_whole_blocks(session: UploadSession, content_range: ContentRange | None, partial: bytes) -> None:
    """After a connection dropped mid-chunk: keep the whole 256 KiB blocks that arrived (lock held)."""
    if content_range is None or content_range.first is None:
        return
    have = len(session.received)
    if content_range.first > have:
        return
    usable = partial[have - content_range.first :] if have >= content_range.first else b""
    end = (have + len(usable)) // CHUNK_GRANULARITY * CHUNK_GRANULARITY
    if session.total is not None:
        end = min(end, session.total - 1)
    if end > have:
        session.received.extend(usable[: end - have])


def range_header(received: int) -> dict[str, str]:
    """The ``Range`` header of a 308 (absent when nothing has been received)."""
    return {"Range": f"bytes=0-{received - 1}"} if received else {}
