"""The token cache: where it lives, atomic 0600 writes in a 0700 folder, and unreadable caches ignored."""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

import pytest

from gdrivestats.auth import token_cache


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_default_path_is_in_the_user_config_dir(tmp_path: Path) -> None:
    assert token_cache.default_token_path() == tmp_path / "xdg-config" / "gdrivestats" / "token.json"


def test_gdrivestats_token_overrides_the_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GDRIVESTATS_TOKEN", str(tmp_path / "elsewhere" / "t.json"))
    assert token_cache.default_token_path() == tmp_path / "elsewhere" / "t.json"


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_save_writes_0600_in_a_0700_folder_and_leaves_no_temp_file(tmp_path: Path) -> None:
    path = token_cache.default_token_path()
    token_cache.save(path, {"token": "a", "refresh_token": "b"})
    assert _mode(path) == 0o600
    assert _mode(path.parent) == 0o700
    assert token_cache.load(path) == {"token": "a", "refresh_token": "b"}
    assert [p.name for p in path.parent.iterdir()] == ["token.json"]


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_save_replaces_a_loose_file_with_a_0600_one(tmp_path: Path) -> None:
    path = tmp_path / "own" / "token.json"
    path.parent.mkdir()
    path.write_text("{}", encoding="utf-8")
    path.chmod(0o644)
    old_umask = os.umask(0)  # even a permissive umask must not widen the file
    try:
        token_cache.save(path, {"token": "new"})
    finally:
        os.umask(old_umask)
    assert _mode(path) == 0o600
    assert token_cache.load(path) == {"token": "new"}


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_a_tightened_config_dir_stays_0700(tmp_path: Path) -> None:
    path = token_cache.default_token_path()
    path.parent.mkdir(parents=True, mode=0o755)
    path.parent.chmod(0o755)
    token_cache.save(path, {"token": "x"})
    assert _mode(path.parent) == 0o700


def test_missing_and_corrupt_caches_read_as_none(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    assert token_cache.load(tmp_path / "absent.json") is None
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        assert token_cache.load(broken) is None
    assert "not valid JSON" in caplog.text


def test_delete(tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    token_cache.save(path, {"token": "x"})
    assert token_cache.delete(path) is True
    assert token_cache.delete(path) is False
