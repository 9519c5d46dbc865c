"""A revoked or expired refresh token (invalid_grant): one clear line unattended, else a fresh sign-in."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gdrivestats.auth import token_cache
from gdrivestats.cli import main
from gdrivestats.connect import connect
from gdrivestats.emulator import Emulator
from gdrivestats.emulator.oauth import OAuthState
from gdrivestats.errors import AuthError
from tests.auth.support import HeadlessBrowser, Messages


@pytest.fixture
def signed_in_then_revoked(
    emulator: Emulator,
    oauth_state: OAuthState,
    client_secrets: Path,
    messages: Messages,
    monkeypatch: pytest.MonkeyPatch,
) -> Path:
    """A cached sign-in whose access token has expired and whose refresh token the server now refuses."""
    monkeypatch.setenv("GDRIVESTATS_CREDENTIALS", str(client_secrets))
    first = HeadlessBrowser()
    connect(interactive=True, open_browser=first, print_url=messages, root_url=emulator.url)
    first.join()
    path = token_cache.default_token_path()
    cached = json.loads(path.read_text(encoding="utf-8"))
    cached["expiry"] = "2000-01-01T00:00:00Z"
    token_cache.save(path, cached)
    oauth_state.revoked_mode = True
    return path


def test_unattended_connect_raises_one_clear_line(
    signed_in_then_revoked: Path, emulator: Emulator, oauth_state: OAuthState
) -> None:
    with pytest.raises(AuthError) as caught:
        connect(interactive=False, root_url=emulator.url)
    message = str(caught.value)
    assert "\n" not in message
    assert "revoked or has expired" in message and "gdrivestats auth login" in message
    error = caught.value
    assert error.__cause__ is None and (error.__context__ is None or error.__suppress_context__)  # no chain
    assert not any(token in message for token in oauth_state.issued_tokens())


def test_the_cli_shows_it_as_one_line_without_a_traceback(
    signed_in_then_revoked: Path, emulator: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["auth", "status"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("gdrivestats: error: the saved Google sign-in")
    assert "Traceback" not in err


def test_interactive_connect_signs_in_again(
    signed_in_then_revoked: Path,
    emulator: Emulator,
    oauth_state: OAuthState,
    messages: Messages,
) -> None:
    again = HeadlessBrowser()
    drive = connect(interactive=True, open_browser=again, print_url=messages, root_url=emulator.url)
    again.join()
    assert len(again.urls) == 1
    assert "revoked or has expired; please sign in again" in messages.text
    assert oauth_state.counts["authorization_code"] == 2
    assert drive.list("") == []  # the fresh token works for Drive calls
    cached = json.loads(signed_in_then_revoked.read_text(encoding="utf-8"))
    assert cached["expiry"] > "2001"


def test_interactive_renewal_works_without_the_client_secrets_file(
    signed_in_then_revoked: Path,
    emulator: Emulator,
    oauth_state: OAuthState,
    messages: Messages,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The cache remembers its OAuth client (including auth_uri), so a renewal needs no credentials.json."""
    monkeypatch.delenv("GDRIVESTATS_CREDENTIALS")
    again = HeadlessBrowser()
    connect(interactive=True, open_browser=again, print_url=messages, root_url=emulator.url)
    again.join()
    assert again.urls[0].startswith(emulator.url + "o/oauth2/auth?")
    assert oauth_state.counts["authorization_code"] == 2
