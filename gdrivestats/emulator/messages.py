"""Transport-neutral request and response objects, and Google's JSON error bodies."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from gdrivestats.emulator.store import DriveStateError

# The front end answers 401s itself, in its own words and with a "status"; Drive's own errors have neither.
_LOGIN_REQUIRED = (
    "Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or "
    "other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project."
)
_INVALID_CREDENTIALS = (
    "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other "
    "valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project."
)


@dataclass
class Request:
    """One Drive request, from the socket or from a batch part. Header names are lower-case."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    base_url: str  # e.g. "http://127.0.0.1:8080/"
    in_batch: bool = False
    override: str | None = None  # X-HTTP-Method-Override of a POST (method then holds the override)
    empty_result: bool = False  # fault "empty": files.list answers with no files
    partial_result: bool = False  # fault "partial": one parent's children left out of a files.list answer
    scopes: set[str] | None = None  # the token's OAuth scopes when known (None: unrestricted)

    def header(self, name: str, default: str | None = None) -> str | None:
        return self.headers.get(name.lower(), default)


@dataclass
class Response:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


def json_response(
    payload: Any, status: int = 200, headers: Mapping[str, str] | None = None, pretty: bool = True
) -> Response:
    """A JSON response; Google indents unless the request says ``prettyPrint=false``."""
    body = json.dumps(
        payload, indent=2 if pretty else None, separators=None if pretty else (",", ":")
    ).encode()
    body += b"\n" if pretty else b""
    return Response(status, {"Content-Type": "application/json; charset=UTF-8", **(headers or {})}, body)


def error_payload(
    code: int, reason: str, message: str, domain: str = "global", **extra: str
) -> dict[str, Any]:
    """Google's error JSON: ``{"error": {"code", "message", "errors": [{message, domain, reason, ...}]}}``."""
    detail: dict[str, Any] = {"message": message, "domain": domain, "reason": reason}
    status = extra.pop("status", None)
    detail.update(extra)
    payload: dict[str, Any] = {"code": code, "message": message, "errors": [detail]}
    if status is not None:
        payload["status"] = status
    if code == 401:
        payload["message"] = _LOGIN_REQUIRED if reason == "required" else _INVALID_CREDENTIALS
        payload["status"] = "UNAUTHENTICATED"
    return {"error": payload}


def error_response(exc: DriveStateError, headers: Mapping[str, str] | None = None) -> Response:
    payload = error_payload(exc.code, exc.reason, exc.message, exc.domain, **exc.extra)
    return json_response(payload, exc.code, headers)


def fault_error(status: int, reason: str | None = None) -> DriveStateError:
    """The error a fault of this status or reason produces, worded as Drive's error guide words it."""
    if reason == "userRateLimitExceeded":
        return DriveStateError(403, reason, "User Rate Limit Exceeded", domain="usageLimits")
    if reason == "rateLimitExceeded":
        return DriveStateError(403, reason, "Rate Limit Exceeded", domain="usageLimits")
    if reason == "storageQuotaExceeded":
        return DriveStateError(
            403, reason, "The user's Drive storage quota has been exceeded.", domain="usageLimits"
        )
    if reason == "downloadQuotaExceeded":
        return DriveStateError(403, reason, "The download quota for this file has been exceeded.")
    if reason == "cannotDownloadAbusiveFile":
        return DriveStateError(
            403, reason, "This file has been identified as malware or spam and cannot be downloaded."
        )
    if reason == "dailyLimitExceeded":
        return DriveStateError(403, reason, "Daily Limit Exceeded", domain="usageLimits")
    if reason == "teamDriveFileLimitExceeded":
        return DriveStateError(
            403, reason, "The file limit for this shared drive has been exceeded.", domain="usageLimits"
        )
    if status == 429:
        return DriveStateError(429, "rateLimitExceeded", "Rate Limit Exceeded", domain="usageLimits")
    return DriveStateError(status, "backendError", "Backend Error")
