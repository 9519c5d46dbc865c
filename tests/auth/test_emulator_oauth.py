"""The emulator's OAuth endpoints, called directly through ``handle`` and over HTTP."""

from __future__ import annotations

import base64
import hashlib
import json
import time
import urllib.error
import urllib.request
from types import SimpleNamespace
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from gdrivestats.emulator import Emulator
from gdrivestats.emulator import oauth as eo

REDIRECT = "http://localhost:8765/"
VERIFIER = "v" * 64


def _challenge(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")


def _server_state() -> Any:
    return SimpleNamespace(token_validator=None, oauth_state={}, user_email="someone@example.com")


def _authorize(server: Any, **extra: str) -> dict[str, str]:
    query = {
        "client_id": "cid",
        "redirect_uri": REDIRECT,
        "response_type": "code",
        "scope": "https://www.googleapis.com/auth/drive.readonly",
        "state": "st4te",
        "code_challenge": _challenge(VERIFIER),
        "code_challenge_method": "S256",
        **extra,
    }
    answer = eo.handle(server, "GET", "/o/oauth2/auth", query, {}, b"")
    assert answer is not None
    status, headers, _ = answer
    assert status == 302
    location = headers["Location"]
    assert location.startswith(REDIRECT + "?")
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def _token(
    server: Any, form: dict[str, str], headers: dict[str, str] | None = None
) -> tuple[int, dict[str, Any]]:
    body = urlencode(form).encode()
    hdrs = {"Content-Type": "application/x-www-form-urlencoded", **(headers or {})}
    answer = eo.handle(server, "POST", "/token", {}, hdrs, body)
    assert answer is not None
    return answer[0], json.loads(answer[2])


def _exchange(server: Any, code: str, verifier: str = VERIFIER) -> tuple[int, dict[str, Any]]:
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT,
        "client_id": "cid",
        "client_secret": "sec",
        "code_verifier": verifier,
    }
    return _token(server, form)


def test_other_paths_are_not_ours() -> None:
    assert eo.handle(_server_state(), "GET", "/drive/v3/files", {}, {}, b"") is None


def test_authorization_redirects_with_code_and_state() -> None:
    params = _authorize(_server_state())
    assert params["state"] == "st4te"
    assert params["code"].startswith("4/")


def test_code_exchange_checks_pkce_and_is_single_use() -> None:
    server = _server_state()
    code = _authorize(server)["code"]
    status, body = _exchange(server, code, verifier="w" * 64)
    assert (status, body["error"]) == (400, "invalid_grant")
    code = _authorize(server)["code"]
    status, body = _exchange(server, code)
    assert status == 200
    assert body["token_type"] == "Bearer" and body["refresh_token"] and body["access_token"]
    assert body["scope"] == "https://www.googleapis.com/auth/drive.readonly"
    assert _exchange(server, code)[1]["error"] == "invalid_grant"


def test_client_credentials_in_a_basic_header_are_accepted() -> None:
    server = _server_state()
    code = _authorize(server)["code"]
    basic = base64.b64encode(b"cid:sec").decode()
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT,
        "code_verifier": VERIFIER,
    }
    status, _ = _token(server, form, {"Authorization": f"Basic {basic}"})
    assert status == 200


def test_refresh_and_revoked_mode() -> None:
    server = _server_state()
    _, tokens = _exchange(server, _authorize(server)["code"])
    form = {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"], "client_id": "cid"}
    status, fresh = _token(server, form)
    assert status == 200 and fresh["access_token"] != tokens["access_token"]
    assert "refresh_token" not in fresh
    eo.state_of(server).revoked_mode = True
    status, body = _token(server, form)
    assert (status, body["error"]) == (400, "invalid_grant")


def test_issued_tokens_are_checked_by_the_validator_and_revocable() -> None:
    server = _server_state()
    _, tokens = _exchange(server, _authorize(server)["code"])
    validate = server.token_validator
    assert validate(tokens["access_token"]) is True
    assert validate("a-token-issued-elsewhere") is True  # not ours: left to the default (accept)
    eo.state_of(server).strict = True
    assert validate("a-token-issued-elsewhere") is False
    answer = eo.handle(
        server, "POST", "/revoke", {}, {}, urlencode({"token": tokens["refresh_token"]}).encode()
    )
    assert answer is not None and answer[0] == 200
    assert validate(tokens["access_token"]) is False  # revoking the grant takes its access tokens along


def test_expired_access_tokens_fail_validation() -> None:
    server = _server_state()
    _, tokens = _exchange(server, _authorize(server)["code"])
    eo.state_of(server).expire_access_tokens()
    assert server.token_validator(tokens["access_token"]) is False


def test_a_previous_validator_is_kept_for_foreign_tokens() -> None:
    server = _server_state()
    server.token_validator = lambda token: token == "static"
    eo.state_of(server)
    assert server.token_validator("static") is True
    assert server.token_validator("other") is False


def test_denied_consent_and_bad_redirects() -> None:
    server = _server_state()
    eo.state_of(server).deny = True
    assert _authorize(server)["error"] == "access_denied"
    answer = eo.handle(
        server, "GET", "/o/oauth2/auth", {"client_id": "c", "redirect_uri": "https://evil/"}, {}, b""
    )
    assert answer is not None and answer[0] == 400


def _jwt(claims: dict[str, Any], alg: str = "RS256", signature: bytes = b"sig") -> str:
    def seg(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).decode().rstrip("=")

    header = seg(json.dumps({"alg": alg, "typ": "JWT"}).encode())
    return f"{header}.{seg(json.dumps(claims).encode())}.{seg(signature)}"


def test_jwt_bearer_grant_accepts_well_formed_assertions_for_any_audience() -> None:
    server = _server_state()
    now = int(time.time())
    claims = {
        "iss": "robot@p.iam.gserviceaccount.com",
        "aud": "https://oauth2.googleapis.com/token",
        "scope": "https://www.googleapis.com/auth/drive",
        "iat": now,
        "exp": now + 3600,
        "sub": "boss@example.com",
    }
    form = {"grant_type": eo.GRANT_JWT, "assertion": _jwt(claims)}
    status, body = _token(server, form)
    assert status == 200 and body["access_token"]
    assert eo.state_of(server).subjects[-1] == "boss@example.com"
    assert (
        _token(server, {"grant_type": eo.GRANT_JWT, "assertion": "not-a-jwt"})[1]["error"] == "invalid_grant"
    )
    assert _token(server, {"grant_type": eo.GRANT_JWT, "assertion": _jwt(claims, alg="none")})[0] == 400
    stale = {**claims, "exp": now - 3600}
    assert _token(server, {"grant_type": eo.GRANT_JWT, "assertion": _jwt(stale)})[0] == 400


def test_unknown_grant_type() -> None:
    status, body = _token(_server_state(), {"grant_type": "password", "client_id": "cid"})
    assert (status, body["error"]) == (400, "unsupported_grant_type")


def test_tokeninfo_over_http(emulator: Emulator) -> None:
    server = emulator.state
    _, tokens = _exchange(server, _authorize(server)["code"])
    url = emulator.url + "tokeninfo?" + urlencode({"access_token": tokens["access_token"]})
    with urllib.request.urlopen(url, timeout=10) as response:
        info = json.loads(response.read())
    assert info["scope"] == "https://www.googleapis.com/auth/drive.readonly"
    assert info["email"] == server.user_email


def test_drive_calls_with_issued_and_revoked_tokens(emulator: Emulator) -> None:
    server = emulator.state
    _, tokens = _exchange(server, _authorize(server)["code"])

    def about(token: str) -> int:
        request = urllib.request.Request(
            emulator.url + "drive/v3/about?fields=user", headers={"Authorization": f"Bearer {token}"}
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status
        except urllib.error.HTTPError as exc:
            return exc.code

    assert about(tokens["access_token"]) == 200
    eo.state_of(server).revoke(tokens["access_token"])
    assert about(tokens["access_token"]) == 401


@pytest.mark.parametrize("path", ["/token", "/o/oauth2/token"])
def test_token_endpoint_over_http(emulator: Emulator, path: str) -> None:
    request = urllib.request.Request(
        emulator.url.rstrip("/") + path,
        data=urlencode(
            {"grant_type": "refresh_token", "refresh_token": "unknown", "client_id": "c"}
        ).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=10)
    assert caught.value.code == 400
    assert json.loads(caught.value.read())["error"] == "invalid_grant"
