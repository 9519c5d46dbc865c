"""Service accounts: a key file generated here, its JWT grant sent to the emulator's token endpoint."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gdrivestats.auth import scopes
from gdrivestats.connect import connect
from gdrivestats.drive.api import ApiDrive
from gdrivestats.emulator import Emulator
from gdrivestats.emulator.oauth import GRANT_JWT, OAuthState
from gdrivestats.errors import AuthError
from tests.auth.support import make_service_account_key

ROBOT = "robot@proj.iam.gserviceaccount.com"


@pytest.fixture
def key_file(tmp_path: Path, emulator: Emulator, oauth_state: OAuthState) -> Path:
    path = tmp_path / "robot.json"
    public_pem = make_service_account_key(path, emulator, ROBOT)
    oauth_state.trusted_keys[ROBOT] = public_pem  # so the emulator verifies the JWT's signature too
    emulator.state.add_folder(None, "Reports")
    return path


def test_google_application_credentials_gives_a_working_api_drive(
    key_file: Path, emulator: Emulator, oauth_state: OAuthState, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(key_file))
    drive = connect(interactive=False, root_url=emulator.url)
    assert isinstance(drive, ApiDrive)
    assert oauth_state.counts == {GRANT_JWT: 1}
    assert oauth_state.subjects == [ROBOT]
    assert [e.name for e in drive.list("")] == ["Reports"]


def test_subject_impersonation_passes_through(
    key_file: Path, emulator: Emulator, oauth_state: OAuthState, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(key_file))
    connect(subject="boss@example.com", write=True, interactive=False, root_url=emulator.url)
    assert oauth_state.subjects == ["boss@example.com"]
    monkeypatch.setenv("GDRIVESTATS_SUBJECT", "clerk@example.com")  # for cron jobs run from the CLI
    connect(interactive=False, root_url=emulator.url)
    assert oauth_state.subjects[-1] == "clerk@example.com"


def test_an_explicit_key_file_wins_and_asks_for_the_right_scope(
    key_file: Path, emulator: Emulator, oauth_state: OAuthState
) -> None:
    drive = connect(service_account_file=key_file, write=True, root_url=emulator.url)
    drive.write_bytes("Reports", "summary.json", b"{}")
    issued = oauth_state.issued_tokens()[-1]
    info = oauth_state.access_info(issued)
    assert info is not None and info.scope == scopes.DRIVE


def test_a_refused_key_is_one_clear_error(
    key_file: Path, emulator: Emulator, oauth_state: OAuthState
) -> None:
    oauth_state.revoked_mode = True  # e.g. the key was deleted in the Cloud console
    with pytest.raises(AuthError) as caught:
        connect(service_account_file=key_file, root_url=emulator.url)
    assert str(caught.value) == (
        f"{key_file}: the service account was refused: Google refused the credentials "
        "(invalid_grant: Invalid JWT Signature.)"
    )


def test_a_forged_signature_is_refused(tmp_path: Path, emulator: Emulator, oauth_state: OAuthState) -> None:
    path = tmp_path / "forged.json"
    make_service_account_key(path, emulator, ROBOT)
    oauth_state.trusted_keys[ROBOT] = make_service_account_key(tmp_path / "other.json", emulator, ROBOT)
    with pytest.raises(AuthError, match="invalid_grant"):
        connect(service_account_file=path, root_url=emulator.url)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ({"type": "external_account"}, "not a service-account key"),
        ({"type": "service_account", "client_email": "x@y"}, "not a usable service-account key"),
        ("[1, 2]", "not a Google credentials file"),
        ("{broken", "cannot read"),
    ],
)
def test_bad_key_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: object, expected: str
) -> None:
    path = tmp_path / "key.json"
    path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(path))
    with pytest.raises(AuthError, match=expected):
        connect(interactive=False)


def test_a_missing_key_file_is_not_silently_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(tmp_path / "nope.json"))
    with pytest.raises(AuthError, match="does not exist"):
        connect(interactive=False)
