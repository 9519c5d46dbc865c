"""Scopes: read-only unless writing back, and which granted scopes cover which needs."""

from __future__ import annotations

from gdrivestats.auth import scopes


def test_read_only_jobs_ask_for_drive_readonly_alone() -> None:
    assert scopes.required_scopes() == [scopes.DRIVE_READONLY]
    assert scopes.required_scopes(write=False) == ["https://www.googleapis.com/auth/drive.readonly"]


def test_write_back_asks_for_full_drive_not_drive_file() -> None:
    assert scopes.required_scopes(write=True) == ["https://www.googleapis.com/auth/drive"]
    assert scopes.DRIVE_FILE not in scopes.required_scopes(write=True)


def test_drive_covers_readonly_but_not_the_other_way_round() -> None:
    assert scopes.covers([scopes.DRIVE], [scopes.DRIVE_READONLY])
    assert scopes.covers(scopes.DRIVE, [scopes.DRIVE])  # a space-separated string works too
    assert not scopes.covers([scopes.DRIVE_READONLY], [scopes.DRIVE])
    assert not scopes.covers([scopes.DRIVE_FILE], [scopes.DRIVE_READONLY])
    assert not scopes.covers(None, [scopes.DRIVE_READONLY])
    assert scopes.covers(f"openid {scopes.DRIVE_READONLY}", [scopes.DRIVE_READONLY])


def test_short_names_for_messages() -> None:
    assert scopes.short_name(scopes.DRIVE_READONLY) == "drive.readonly"
    assert scopes.short_name("openid") == "openid"
