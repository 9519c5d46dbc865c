"""Batch requests: split a multipart/mixed body into HTTP requests and join their responses."""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus
from urllib.parse import parse_qsl, urlsplit

from gdrivestats.emulator.messages import Request, Response, error_payload, json_response
from gdrivestats.emulator.store import DriveStateError
from gdrivestats.emulator.uploads import bad_request, split_multipart

MAX_PARTS = 100
MAX_INNER_URL = 8000  # Google refuses a batch part whose request URL is longer (no POST fallback inside)


def _parse_http_request(text: bytes, outer: Request) -> Request:
    normalized = text.replace(b"\r\n", b"\n")
    head, _, body = normalized.partition(b"\n\n")
    lines = head.decode("latin-1").split("\n")
    try:
        method, target, _version = lines[0].split(" ", 2)
    except ValueError:
        raise bad_request(f"Malformed request line in batch part: {lines[0]!r}") from None
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if sep:
            headers[name.strip().lower()] = value.strip()
    if len(target) > MAX_INNER_URL:
        raise DriveStateError(
            400, "badRequest", f"The URL of a batch part may not exceed {MAX_INNER_URL} characters."
        )
    url = urlsplit(target)
    query = dict(parse_qsl(url.query, keep_blank_values=True))
    if "authorization" not in headers and "authorization" in outer.headers:
        headers["authorization"] = outer.headers["authorization"]
    return Request(method.upper(), url.path, query, headers, body, outer.base_url, in_batch=True)


def _serialize(response: Response, content_id: str) -> bytes:
    reason = HTTPStatus(response.status).phrase if response.status in HTTPStatus._value2member_map_ else ""
    lines = [f"HTTP/1.1 {response.status} {reason}"]
    headers = dict(response.headers)
    headers.setdefault("Content-Length", str(len(response.body)))
    lines += [f"{k}: {v}" for k, v in headers.items()]
    http_text = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + response.body
    part_head = f"Content-Type: application/http\r\nContent-ID: {content_id}\r\n\r\n".encode("latin-1")
    return part_head + http_text


def handle_batch(outer: Request, run_part: Callable[[Request], Response], boundary: str) -> Response:
    """Answer ``POST /batch/drive/v3``; ``run_part`` answers one inner request (auth, faults, log)."""
    content_type = outer.header("content-type", "") or ""
    if not content_type.lower().startswith("multipart/mixed"):
        raise bad_request("Batch requests need Content-Type multipart/mixed.")
    parts = split_multipart(content_type, outer.body)
    if len(parts) > MAX_PARTS:
        raise DriveStateError(
            400, "badRequest", f"A batch request cannot contain more than {MAX_PARTS} calls."
        )
    chunks: list[bytes] = []
    for headers, content in parts:
        content_id = headers.get("content-id", "")
        response_id = (
            f"<response-{content_id[1:]}" if content_id.startswith("<") else f"response-{content_id}"
        )
        try:
            inner = _parse_http_request(content, outer)
            query = inner.query
            if query.get("alt") == "media" or inner.path.lstrip("/").startswith(("upload/", "resumable/")):
                raise DriveStateError(
                    400, "badRequest", "Media requests are not supported in batch requests."
                )
            response = run_part(inner)
        except DriveStateError as exc:
            response = json_response(
                error_payload(exc.code, exc.reason, exc.message, exc.domain, **exc.extra), exc.code
            )
        chunks.append(_serialize(response, response_id))
    delimiter = f"--{boundary}".encode()
    body = b"".join(delimiter + b"\r\n" + chunk + b"\r\n" for chunk in chunks) + delimiter + b"--\r\n"
    return Response(200, {"Content-Type": f"multipart/mixed; boundary={boundary}"}, body)
