"""The installed-app sign-in end to end against the emulator: browser -> loopback redirect -> token cached
(0600) -> later connect() uses and refreshes the cache -> Drive calls work; no secret is ever logged."""

from __future__ import annotations

import base64
import json
import logging
import os
import stat
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

import pytest

from gdrivestats.auth import scopes, token_cache
from gdrivestats.connect import connect
from gdrivestats.drive.api import ApiDrive
from gdrivestats.emulator import Emulator
from gdrivestats.emulator.oauth import OAuthState
from tests.auth.support import CLIENT_ID, CLIENT_SECRET, HeadlessBrowser, Messages


@pytest.fixture
def seeded(emulator: Emulator) -> Emulator:
    folder = emulator.state.add_folder(None, "Sales")
    emulator.state.add_file(folder.id, "q1.csv", b"region,amount\nnorth,10\n", "text/csv")
    return emulator


@pytest.fixture
def all_logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """DEBUG from every logger, including google-auth's (which does not propagate unless configured)."""
    caplog.set_level(logging.DEBUG)
    google = logging.getLogger("google")
    google.addHandler(caplog.handler)
    try:
        yield caplog
    finally:
        google.removeHandler(caplog.handler)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_sign_in_cache_refresh_and_drive_calls_end_to_end(
    seeded: Emulator,
    oauth_state: OAuthState,
    client_secrets: Path,
    browser: HeadlessBrowser,
    messages: Messages,
    all_logs: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    drive = connect(
        client_secrets=client_secrets,
        interactive=True,
        open_browser=browser,
        print_url=messages,
        root_url=seeded.url,
    )
    browser.join()

    # The browser went to the emulator's consent URL (PKCE S256, read-only scope) and came back to the flow.
    asked = parse_qs(urlsplit(browser.urls[0]).query)
    assert asked["code_challenge_method"] == ["S256"] and asked["client_id"] == [CLIENT_ID]
    assert asked["scope"] == [scopes.DRIVE_READONLY]
    assert asked["redirect_uri"][0].startswith("http://localhost:")
    assert browser.pages == ["Signed in to gdrivestats. You can close this window."]
    assert oauth_state.counts == {"authorization_code": 1}

    # The token is cached, private, with the emulator's token_uri and the granted scope.
    path = token_cache.default_token_path()
    if os.name == "posix":
        assert _mode(path) == 0o600 and _mode(path.parent) == 0o700
    cached = json.loads(path.read_text(encoding="utf-8"))
    assert cached["token_uri"] == seeded.url + "token"
    assert cached["scopes"] == [scopes.DRIVE_READONLY]
    assert cached["type"] == "authorized_user" and cached["refresh_token"]

    # Drive calls work with the issued token.
    assert isinstance(drive, ApiDrive)
    assert [e.name for e in drive.list("Sales")] == ["q1.csv"]
    assert drive.read_bytes("Sales/q1.csv").startswith(b"region,amount")

    # A later connect() (cron-like) uses the cache: no browser, no refresh while the token is valid.
    quiet = HeadlessBrowser()
    later = connect(interactive=False, open_browser=quiet, root_url=seeded.url)
    assert quiet.urls == [] and "refresh_token" not in oauth_state.counts
    assert [e.name for e in later.list("Sales")] == ["q1.csv"]

    # Expired in the cache: connect() refreshes at the emulator (not Google) and saves the new token.
    cached["expiry"] = "2000-01-01T00:00:00Z"
    token_cache.save(path, cached)
    refreshed = connect(interactive=False, root_url=seeded.url)
    assert oauth_state.counts["refresh_token"] == 1
    renewed = json.loads(path.read_text(encoding="utf-8"))
    assert renewed["token"] != cached["token"] and renewed["refresh_token"] == cached["refresh_token"]
    assert datetime.fromisoformat(renewed["expiry"].replace("Z", "+00:00")) > datetime.now(UTC)
    if os.name == "posix":
        assert _mode(path) == 0o600
    assert refreshed.read_bytes("Sales/q1.csv").startswith(b"region,amount")

    # Nothing secret in any log line, stdout, stderr or message shown to the user.
    out = capsys.readouterr()
    shown = "\n".join([all_logs.text, out.out, out.err, messages.text])
    assert "requests_oauthlib" in {
        r.name.split(".")[0] for r in all_logs.records
    }  # the chatty logs were seen
    basic = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
    secrets = [*oauth_state.issued_tokens(), *browser.codes, CLIENT_SECRET, basic]
    assert len(secrets) >= 6
    for secret in secrets:
        assert secret not in shown
        assert quote(secret, safe="") not in shown
    assert browser.urls[0] in messages.text  # the address is shown (it holds nothing secret)


def test_sign_in_with_the_default_client_secrets_file(
    seeded: Emulator, client_secrets: Path, isolated: Path, browser: HeadlessBrowser, messages: Messages
) -> None:
    (isolated / "credentials.json").write_bytes(client_secrets.read_bytes())
    drive = connect(interactive=True, open_browser=browser, print_url=messages, root_url=seeded.url)
    browser.join()
    assert [e.name for e in drive.list("Sales")] == ["q1.csv"]
    assert token_cache.default_token_path().exists()


def test_headless_sign_in_prints_the_address(
    seeded: Emulator, client_secrets: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No browser: the address and the ssh -L hint are printed; a person opens it elsewhere."""
    visitor = HeadlessBrowser()
    shown: list[str] = []

    def printer(message: str) -> None:
        shown.append(message)
        for word in message.split():
            if word.startswith("http://127.0.0.1") and "/o/oauth2/auth?" in word:
                visitor(word)  # the person copies the address into a browser on their laptop

    monkeypatch.setenv("GDRIVESTATS_CREDENTIALS", str(client_secrets))
    drive = connect(interactive=True, open_browser=lambda url: False, print_url=printer, root_url=seeded.url)
    visitor.join()
    assert "Open this address in a browser" in shown[0] and "ssh -L" in shown[0]
    assert [e.name for e in drive.list("Sales")] == ["q1.csv"]


def test_write_access_needs_a_wider_sign_in(
    seeded: Emulator,
    oauth_state: OAuthState,
    client_secrets: Path,
    browser: HeadlessBrowser,
    messages: Messages,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GDRIVESTATS_CREDENTIALS", str(client_secrets))
    connect(interactive=True, open_browser=browser, print_url=messages, root_url=seeded.url)
    browser.join()
    assert browser.asked_scopes() == [scopes.DRIVE_READONLY]

    # Unattended, a read-only cache cannot write: a clear error that says what to run.
    with pytest.raises(Exception) as caught:
        connect(write=True, interactive=False, root_url=seeded.url)
    assert "--write" in str(caught.value) and "drive.readonly" in str(caught.value)

    # Interactive: a new sign-in asks for the drive scope, and writing back works.
    wider = HeadlessBrowser()
    drive = connect(write=True, interactive=True, open_browser=wider, print_url=messages, root_url=seeded.url)
    wider.join()
    assert wider.asked_scopes() == [scopes.DRIVE]
    assert "you will be asked again" in messages.text
    drive.write_bytes("Sales", "summary.json", b"{}")
    assert drive.read_bytes("Sales/summary.json") == b"{}"
    cached = json.loads(token_cache.default_token_path().read_text(encoding="utf-8"))
    assert cached["scopes"] == [scopes.DRIVE]
    # ... and the wider token serves read-only jobs too, without another sign-in.
    assert [e.name for e in connect(interactive=False, root_url=seeded.url).list("Sales")] == [
        "q1.csv",
        "summary.json",
    ]
    assert oauth_state.counts["authorization_code"] == 2


def test_denied_consent_is_a_clear_error(
    seeded: Emulator,
    oauth_state: OAuthState,
    client_secrets: Path,
    browser: HeadlessBrowser,
    messages: Messages,
) -> None:
    from gdrivestats.errors import AuthError

    oauth_state.deny = True
    with pytest.raises(AuthError, match="access_denied"):
        connect(client_secrets=client_secrets, interactive=True, open_browser=browser, print_url=messages)
    browser.join()
    assert browser.pages == ["Sign-in was not completed. You can close this window."]
    assert not token_cache.default_token_path().exists()


def test_partial_consent_is_a_clear_error(
    seeded: Emulator,
    oauth_state: OAuthState,
    client_secrets: Path,
    browser: HeadlessBrowser,
    messages: Messages,
) -> None:
    from gdrivestats.errors import AuthError

    oauth_state.grant_scope = scopes.DRIVE_FILE  # the user unticked the Drive box
    with pytest.raises(AuthError, match="granted"):
        connect(client_secrets=client_secrets, interactive=True, open_browser=browser, print_url=messages)
    browser.join()
    assert not token_cache.default_token_path().exists()


def test_sign_in_times_out_cleanly(client_secrets: Path, messages: Messages) -> None:
    from gdrivestats.auth import oauth
    from gdrivestats.errors import AuthError

    config = oauth.load_client_config(client_secrets)
    with pytest.raises(AuthError, match="timed out"):
        oauth.sign_in(
            config, [scopes.DRIVE_READONLY], open_browser=lambda url: True, print_url=messages, timeout=0.3
        )


def test_more_scopes_than_asked_for_are_accepted(
    seeded: Emulator,
    oauth_state: OAuthState,
    client_secrets: Path,
    browser: HeadlessBrowser,
    messages: Messages,
) -> None:
    oauth_state.grant_scope = f"{scopes.DRIVE_READONLY} openid"  # e.g. scopes granted to this client before
    drive = connect(client_secrets=client_secrets, interactive=True, open_browser=browser, print_url=messages)
    browser.join()
    cached = json.loads(token_cache.default_token_path().read_text(encoding="utf-8"))
    assert cached["scopes"] == [scopes.DRIVE_READONLY, "openid"]
    assert isinstance(drive, ApiDrive)
