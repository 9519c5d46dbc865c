"""Tests of gdrivestats._fs as the report uses it: atomic files and whole-folder swaps."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from gdrivestats import _fs


def test_atomic_write_bytes_replaces_or_keeps(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "f.bin"
    _fs.atomic_write_bytes(target, b"one")
    _fs.atomic_write_bytes(target, b"two")
    assert target.read_bytes() == b"two"

    def refuse(src: object, dst: object) -> None:
        raise OSError("no")

    monkeypatch.setattr(_fs.os, "replace", refuse)
    with pytest.raises(OSError):
        _fs.atomic_write_bytes(target, b"three")
    assert target.read_bytes() == b"two" and os.listdir(tmp_path) == ["f.bin"]


@pytest.mark.parametrize("exchange", [True, False])
def test_atomic_folder_swaps_whole_folders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, exchange: bool
) -> None:
    if not exchange:
        monkeypatch.setattr(_fs, "_exchange", lambda a, b: False)  # the two-rename fallback
    target = tmp_path / "out"
    with _fs.atomic_folder(target) as tmp:
        (tmp / "a").write_text("1")
    with _fs.atomic_folder(target) as tmp:
        (tmp / "b").write_text("2")
    assert sorted(os.listdir(target)) == ["b"]
    with pytest.raises(ValueError), _fs.atomic_folder(target) as tmp:
        (tmp / "c").write_text("3")
        raise ValueError("boom")
    assert sorted(os.listdir(target)) == ["b"] and os.listdir(tmp_path) == ["out"]


def test_atomic_folder_restores_old_folder_when_second_rename_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "out"
    target.mkdir()
    (target / "old").write_text("good")
    monkeypatch.setattr(_fs, "_exchange", lambda a, b: False)
    real_replace = os.replace
    calls: list[str] = []

    def flaky(src: str | Path, dst: str | Path) -> None:
        calls.append(Path(src).name)
        if len(calls) == 2:  # the new folder cannot be moved into place
            raise OSError("interrupted")
        real_replace(src, dst)

    monkeypatch.setattr(_fs.os, "replace", flaky)
    with pytest.raises(OSError, match="interrupted"), _fs.atomic_folder(target) as tmp:
        (tmp / "new").write_text("x")
    assert (target / "old").read_text() == "good" and os.listdir(tmp_path) == ["out"]
