"""The order of the credential chain, explicit arguments, and the one error at the end."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from google.oauth2.credentials import Credentials

from gdrivestats.auth import AuthRequest, resolve, scopes
from gdrivestats.connect import connect
from gdrivestats.drive.api import ApiDrive
from gdrivestats.drive.local import LocalDrive
from gdrivestats.emulator import Emulator
from gdrivestats.errors import AuthError, ConfigError
from tests.auth.support import HeadlessBrowser, Messages, write_client_secrets

REPO = Path(__file__).resolve().parent.parent.parent


def test_nothing_found_lists_every_step_and_what_to_do() -> None:
    with pytest.raises(AuthError) as caught:
        connect(interactive=False)
    message = str(caught.value)
    for step in (
        "arguments",
        "GDRIVESTATS_ACCESS_TOKEN",
        "Colab",
        "GOOGLE_APPLICATION_CREDENTIALS",
        "cached sign-in",
        "browser sign-in",
    ):
        assert f"  - {step}: " in message
    assert "gdrivestats auth login" in message and "service-account key" in message


def test_interactive_without_client_secrets_says_so() -> None:
    with pytest.raises(AuthError, match=r"no OAuth client-secrets file \(credentials.json"):
        connect(interactive=True, open_browser=HeadlessBrowser(), print_url=Messages())


def test_a_local_folder(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("x\n1\n", encoding="utf-8")
    drive = connect(tmp_path)
    assert isinstance(drive, LocalDrive)
    assert drive.read_bytes("a.csv") == b"x\n1\n"
    with pytest.raises(ConfigError, match="not a folder"):
        connect(tmp_path / "missing")


def test_only_one_explicit_source(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="only one of"):
        connect(tmp_path, service_account_file=tmp_path / "k.json")


def test_access_token_from_the_environment(emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    emulator.state.add_folder(None, "Inbox")
    monkeypatch.setenv("GDRIVESTATS_ACCESS_TOKEN", "ci-static-token")
    monkeypatch.setenv("GDRIVESTATS_DRIVE_URL", emulator.url)
    drive = connect(interactive=False)
    assert isinstance(drive, ApiDrive)
    assert [e.name for e in drive.list("")] == ["Inbox"]


def test_the_access_token_comes_before_service_accounts_and_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GDRIVESTATS_ACCESS_TOKEN", "tok-123456")
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(tmp_path / "not-even-read.json"))
    found = resolve(AuthRequest(interactive=False))
    assert found.method == "access token" and found.credentials.token == "tok-123456"


def test_a_credentials_object_is_used_as_is(emulator: Emulator) -> None:
    drive = connect(credentials=Credentials(token="given-token"), root_url=emulator.url)
    assert isinstance(drive, ApiDrive) and drive.list("") == []


def test_client_secrets_that_cannot_work(tmp_path: Path) -> None:
    with pytest.raises(AuthError, match="no OAuth client-secrets file"):
        connect(client_secrets=tmp_path / "missing.json", interactive=True)
    with pytest.raises(AuthError, match="still the example file"):
        connect(client_secrets=REPO / "credentials.example.json", interactive=True)
    web = tmp_path / "web.json"
    web.write_text(json.dumps({"web": {"client_id": "x"}}), encoding="utf-8")
    with pytest.raises(AuthError, match="'Desktop app'"):
        connect(client_secrets=web, interactive=True)


def test_named_client_secrets_unattended_and_no_cache_stops_there(
    emulator: Emulator, client_secrets: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GDRIVESTATS_ACCESS_TOKEN", "would-work-but-was-not-asked-for")
    with pytest.raises(AuthError, match="browser sign-in: not attempted"):
        connect(client_secrets=client_secrets, interactive=False)


def test_a_cache_from_another_client_is_not_used_for_a_named_client(
    emulator: Emulator, client_secrets: Path, tmp_path: Path, messages: Messages
) -> None:
    first = HeadlessBrowser()
    connect(client_secrets=client_secrets, interactive=True, open_browser=first, print_url=messages)
    first.join()
    other = write_client_secrets(tmp_path / "other.json", emulator)
    config = json.loads(other.read_text(encoding="utf-8"))
    config["installed"]["client_id"] = "9999-other.apps.googleusercontent.com"
    other.write_text(json.dumps(config), encoding="utf-8")
    second = HeadlessBrowser()
    connect(
        client_secrets=other, interactive=True, open_browser=second, print_url=messages, root_url=emulator.url
    )
    second.join()
    assert len(second.urls) == 1 and "9999-other" in second.urls[0]


def test_an_incomplete_cache_is_ignored_with_a_reason() -> None:
    from gdrivestats.auth import token_cache

    token_cache.save(token_cache.default_token_path(), {"token": "x", "scopes": [scopes.DRIVE_READONLY]})
    with pytest.raises(AuthError, match=r"token\.json is unusable \(the cached sign-in is incomplete"):
        connect(interactive=False)
