"""Narrow unit tests of revoke()'s HTTP handling with `responses` (it calls requests directly)."""

from __future__ import annotations

import logging
from urllib.parse import parse_qs

import pytest
import requests
import responses

from gdrivestats.auth.oauth import revoke, revoke_url

TOKEN_URI = "https://oauth2.googleapis.com/token"
REVOKE_URI = "https://oauth2.googleapis.com/revoke"
SECRET = "1//0refresh-token-that-must-stay-secret"


def test_revoke_url_sits_beside_the_token_endpoint() -> None:
    assert revoke_url(TOKEN_URI) == REVOKE_URI
    assert revoke_url("http://127.0.0.1:8080/o/oauth2/token") == "http://127.0.0.1:8080/o/oauth2/revoke"


@responses.activate
def test_revoke_posts_the_refresh_token_form_encoded() -> None:
    responses.post(REVOKE_URI, status=200)
    assert revoke({"refresh_token": SECRET, "token": "access", "token_uri": TOKEN_URI}) is True
    (call,) = responses.calls
    assert call.request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert parse_qs(call.request.body) == {"token": [SECRET]}


@pytest.mark.parametrize(
    "answer",
    [
        {"status": 400, "json": {"error": "invalid_token"}},
        {"body": requests.ConnectionError("connection refused")},
    ],
)
@responses.activate
def test_a_refused_or_failed_revoke_is_false_and_logs_no_token(answer: dict, caplog) -> None:
    responses.post(REVOKE_URI, **answer)
    with caplog.at_level(logging.DEBUG):
        assert revoke({"refresh_token": SECRET, "token_uri": TOKEN_URI}) is False
    assert "revoking the sign-in" in caplog.text and SECRET not in caplog.text


def test_nothing_to_revoke_sends_nothing() -> None:
    with responses.RequestsMock() as mock:
        assert revoke({"token_uri": TOKEN_URI}) is False
        assert len(mock.calls) == 0
