"""Colab through a fake ``google.colab``: the Drive mount (read, write, flush) and the API mode."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import gdrivestats
from gdrivestats.auth import colab
from gdrivestats.connect import connect
from gdrivestats.drive.api import ApiDrive
from gdrivestats.drive.colab import ColabDrive
from gdrivestats.emulator import Emulator
from gdrivestats.errors import AuthError
from tests.auth.support import Messages


def _never_open(url: str) -> bool:
    raise AssertionError("Colab must not start an OAuth sign-in")


def test_the_fake_merges_into_the_google_namespace(fake_colab: Path) -> None:
    import google.auth
    import google.colab
    import google.colab.drive
    import google.oauth2.credentials
    import googleapiclient.discovery

    assert "fake_colab" in str(google.colab.__file__)
    assert "fake_colab" not in str(google.auth.__file__)
    assert google.oauth2.credentials.Credentials and googleapiclient.discovery.build
    assert colab.in_colab()


def test_not_in_colab_without_the_fake() -> None:
    assert "google.colab" not in sys.modules
    assert not colab.in_colab()


def test_connect_mounts_reads_writes_and_flushes(
    fake_colab: Path,
    tmp_path: Path,
    client_secrets: Path,
    messages: Messages,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import google.colab

    monkeypatch.setenv(
        "GDRIVESTATS_CREDENTIALS", str(client_secrets)
    )  # OAuth would be possible, but is not used
    mount = tmp_path / "content" / "drive"
    drive = connect(mount_point=mount, interactive=True, open_browser=_never_open, print_url=messages)

    assert isinstance(drive, ColabDrive)
    calls = google.colab.CALLS
    assert calls == [("mount", {"mountpoint": str(mount), "force_remount": False, "readonly": False})]
    assert drive.read_bytes("Sales/q1.csv").startswith(b"region,amount")
    drive.write_bytes("Sales", "summary.json", b'{"rows": 2}')
    assert not (fake_colab / "Sales" / "summary.json").exists()  # written, but not in Drive yet

    assert gdrivestats.flush() is True
    assert (fake_colab / "Sales" / "summary.json").read_bytes() == b'{"rows": 2}'
    assert google.colab.CALLS[-1][0] == "flush_and_unmount"
    assert gdrivestats.flush() is False  # nothing left to flush
    assert messages == []


def test_the_drive_flushes_itself(fake_colab: Path, tmp_path: Path) -> None:
    import google.colab

    drive = connect(mount_point=tmp_path / "mnt", interactive=False)
    assert isinstance(drive, ColabDrive)
    drive.write_bytes("", "out.txt", b"hello")
    drive.flush()
    assert (fake_colab / "out.txt").read_bytes() == b"hello"
    assert [name for name, _ in google.colab.CALLS] == ["mount", "flush_and_unmount"]
    assert gdrivestats.flush() is False


def test_api_mode_uses_the_notebook_user_credentials(
    fake_colab: Path, emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    import google.colab

    emulator.state.add_folder(None, "Team")
    monkeypatch.setenv("FAKE_COLAB_TOKEN", "fake-colab-user-access-token")
    drive = connect(api=True, interactive=False, root_url=emulator.url, open_browser=_never_open)
    assert isinstance(drive, ApiDrive)
    assert [name for name, _ in google.colab.CALLS] == ["authenticate_user"]
    assert [e.name for e in drive.list("")] == ["Team"]


def test_colab_release_tag_alone_is_detected_and_a_missing_module_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("COLAB_RELEASE_TAG", "release-colab_20261120-060000_RC00")
    assert colab.in_colab()
    with pytest.raises(AuthError, match=r"google\.colab\.drive cannot be imported"):
        connect(mount_point=tmp_path / "mnt", interactive=False)
