"""``gdrivestats auth login|status|logout`` against the emulator, headless."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from gdrivestats.auth import cli, token_cache
from gdrivestats.cli import main
from gdrivestats.emulator import Emulator
from gdrivestats.emulator.oauth import OAuthState
from gdrivestats.errors import AuthError
from tests.auth.support import HeadlessBrowser, make_service_account_key


def _parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    cli.configure_parser(parser)
    return parser.parse_args(argv)


def test_the_parser() -> None:
    args = _parse("login", "--credentials", "c.json", "--write", "--no-browser", "--port", "8085")
    assert (args.auth_command, args.credentials, args.write, args.no_browser, args.port) == (
        "login",
        Path("c.json"),
        True,
        True,
        8085,
    )
    assert _parse("status").auth_command == "status"
    assert _parse("logout").auth_command == "logout"


def _login_headless(client_secrets: Path, *extra: str) -> HeadlessBrowser:
    """``auth login --no-browser``: a person copies the printed address into a browser elsewhere."""
    visitor = HeadlessBrowser()

    def printer(message: str) -> None:
        for word in message.split():
            if "/o/oauth2/auth?" in word:
                visitor(word)

    args = _parse("login", "--credentials", str(client_secrets), "--no-browser", *extra)
    assert cli.run(args, print_url=printer) == 0
    visitor.join()
    assert len(visitor.urls) == 1
    return visitor


def test_login_status_logout(
    emulator: Emulator,
    oauth_state: OAuthState,
    client_secrets: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    visitor = _login_headless(client_secrets, "--write")
    out = capsys.readouterr().out
    assert "Signed in as emulator-user@example.com (access: drive)" in out
    path = token_cache.default_token_path()
    assert path.exists()

    assert main(["auth", "status"]) == 0
    status = capsys.readouterr().out
    assert f"Method:    cached sign-in {path}" in status
    assert "Identity:  emulator-user@example.com" in status
    assert "Scopes:    drive\n" in status
    assert "Token:     valid until " in status and "Refresh:   yes" in status
    for secret in [*oauth_state.issued_tokens(), *visitor.codes]:
        assert secret not in out + status

    access_token = oauth_state.issued_tokens()[0]
    assert main(["auth", "logout"]) == 0
    assert "Signed out: revoked the sign-in and removed" in capsys.readouterr().out
    assert not path.exists()
    assert oauth_state.check_access_token(access_token) is False  # revoked at the server

    assert main(["auth", "logout"]) == 0
    assert "Not signed in" in capsys.readouterr().out


def test_logout_still_removes_the_token_when_revoking_fails(
    emulator: Emulator, oauth_state: OAuthState, client_secrets: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _login_headless(client_secrets)
    oauth_state.revoke_everything()  # revoking again answers 400
    assert main(["auth", "logout"]) == 0
    assert "could not revoke" in capsys.readouterr().out
    assert not token_cache.default_token_path().exists()


def test_status_for_a_service_account(
    tmp_path: Path, emulator: Emulator, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    key = tmp_path / "robot.json"
    make_service_account_key(key, emulator, "robot@proj.iam.gserviceaccount.com")
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(key))
    monkeypatch.setenv("GDRIVESTATS_SUBJECT", "boss@example.com")
    assert main(["auth", "status"]) == 0
    status = capsys.readouterr().out
    assert (
        "Method:    service account robot@proj.iam.gserviceaccount.com acting as boss@example.com" in status
    )
    assert "Identity:  boss@example.com (via service account robot@proj.iam.gserviceaccount.com)" in status
    assert "Scopes:    drive.readonly" in status


def test_status_for_an_access_token(
    emulator: Emulator, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GDRIVESTATS_ACCESS_TOKEN", "ci-token-abcdef")
    monkeypatch.setenv("GDRIVESTATS_DRIVE_URL", emulator.url)
    assert main(["auth", "status"]) == 0
    status = capsys.readouterr().out
    assert "Method:    access token from GDRIVESTATS_ACCESS_TOKEN" in status
    assert "Identity:  emulator-user@example.com" in status
    assert "ci-token-abcdef" not in status


def test_status_when_signed_out_is_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["auth", "status"]) == 2
    assert "no way to reach Google Drive was found" in capsys.readouterr().err


def test_login_without_client_secrets() -> None:
    with pytest.raises(AuthError, match=r"no OAuth client-secrets file at credentials\.json"):
        cli.run(_parse("login", "--no-browser"))


def test_login_write_reuses_the_cached_client(
    emulator: Emulator, oauth_state: OAuthState, client_secrets: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _login_headless(client_secrets)
    client_secrets.unlink()
    visitor = HeadlessBrowser()

    def printer(message: str) -> None:
        for word in message.split():
            if "/o/oauth2/auth?" in word:
                visitor(word)

    assert cli.run(_parse("login", "--write", "--no-browser"), print_url=printer) == 0
    visitor.join()
    assert "(access: drive)" in capsys.readouterr().out.splitlines()[-1]
    assert oauth_state.counts["authorization_code"] == 2
