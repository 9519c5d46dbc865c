"""Secrets never reach logs: the scrubber and the filter on the chatty HTTP/OAuth loggers."""

from __future__ import annotations

import logging

import pytest

from gdrivestats.auth.redact import MASK, install_log_filter, redact, remember_secret


@pytest.mark.parametrize(
    "text",
    [
        "GET /?state=abc&code=4/0AVGzR1secretcode&scope=x HTTP/1.1",
        "grant_type=authorization_code&code=4%2F0secretcode&code_verifier=secretverifier&client_secret=sec",
        '{"access_token": "secrettoken", "refresh_token": "1//secretrefresh", "expires_in": 3599}',
        "{'access_token': 'secrettoken', 'token_type': 'Bearer'}",
        "{'Authorization': 'Basic c2VjcmV0OnNlY3JldA=='}",
        "Authorization: Bearer secrettoken",
        "assertion=eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJ4In0.secretsig",
        "a bare ya29.secretToken-shape and 1//0secretRefreshShape99",
    ],
)
def test_redact_masks_secret_values(text: str) -> None:
    cleaned = redact(text)
    assert "secret" not in cleaned.replace("client_secret", "")
    assert MASK in cleaned


def test_redact_keeps_harmless_text() -> None:
    text = "token_uri=https://oauth2.googleapis.com/token scope=drive.readonly code_challenge=abc"
    assert redact(text) == text


def test_remembered_values_are_masked_anywhere() -> None:
    remember_secret("s3cr3t-value-xyz")
    assert redact("x s3cr3t-value-xyzq y") == f"x {MASK}q y"


def test_the_filter_rewrites_library_log_records(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("requests_oauthlib.oauth2_session")
    install_log_filter()
    with caplog.at_level(logging.DEBUG):
        logger.debug(
            "Obtained token %s.", {"access_token": "ya29.leaky", "refresh_token": "1//leakyleakyleaky"}
        )
        logger.debug("extra", extra={"httpRequest": {"headers": {"Authorization": "Bearer leaky"}}})
    assert "leaky" not in caplog.text
    assert caplog.records[-1].httpRequest == {"headers": {"Authorization": MASK}}


def test_numeric_codes_are_not_secrets() -> None:
    text = '{"error": {"code": 404, "message": "File not found"}} status code=503'
    assert redact(text) == text


def test_redacting_twice_changes_nothing_more() -> None:
    once = redact("GET /?state=s&code=4/abcdef&scope=x {'access_token': 'ya29.x'} Bearer abc")
    assert redact(once) == once
    assert "]]" not in once
