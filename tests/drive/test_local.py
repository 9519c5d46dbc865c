"""LocalDrive: the contract suite on a temporary folder, plus what only a folder on disk does."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from gdrivestats.drive.local import LocalDrive
from gdrivestats.errors import DriveError, NotFound
from tests.drive.contract import DriveContract


class TestLocalContract(DriveContract):
    @pytest.fixture
    def drive(self, tmp_path: Path) -> LocalDrive:
        root = tmp_path / "root"
        root.mkdir()
        return LocalDrive(root)


@pytest.fixture
def local(tmp_path: Path) -> LocalDrive:
    root = tmp_path / "root"
    root.mkdir()
    return LocalDrive(root)


def test_missing_root_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(NotFound):
        LocalDrive(tmp_path / "nope")


def test_ids_are_relative_paths_and_id_prefix_works(local: LocalDrive) -> None:
    local.makedirs("a")
    entry = local.write_bytes("a", "f.txt", b"f")
    assert entry.id == "a/f.txt"
    assert local.read_bytes("id:a/f.txt") == b"f"
    assert entry.parents == ("a",)


def test_listing_does_not_hash_but_checksum_is_cached(
    local: LocalDrive, monkeypatch: pytest.MonkeyPatch
) -> None:
    (local.root / "x.bin").write_bytes(b"12345")
    assert local.stat("x.bin").md5 is None  # never read during listing/stat
    calls: list[Path] = []
    import gdrivestats.drive.local as mod

    real = mod.md5_file

    def counting(path: Path, chunk_size: int = 1 << 20) -> str:
        calls.append(path)
        return real(path, chunk_size)

    monkeypatch.setattr(mod, "md5_file", counting)
    assert local.checksum("x.bin") == "827ccb0eea8a706c4c34a16891f84e7b"
    assert local.checksum("x.bin") == "827ccb0eea8a706c4c34a16891f84e7b"
    assert len(calls) == 1
    assert local.stat("x.bin").md5 == "827ccb0eea8a706c4c34a16891f84e7b"
    (local.root / "x.bin").write_bytes(b"123456")  # size and mtime change -> cache miss
    assert local.stat("x.bin").md5 is None
    assert local.checksum("x.bin") == "e10adc3949ba59abbe56e057f20f883e"
    assert len(calls) == 2


def test_write_is_atomic_and_leaves_no_temp(local: LocalDrive, monkeypatch: pytest.MonkeyPatch) -> None:
    local.write_bytes("", "r.txt", b"old")

    def boom(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        local.write_bytes("", "r.txt", b"new")
    monkeypatch.undo()
    assert local.read_bytes("r.txt") == b"old"
    assert sorted(p.name for p in local.root.iterdir()) == ["r.txt"]


def test_temp_files_are_not_listed(local: LocalDrive) -> None:
    (local.root / ".gdrivestats-tmp-abc").write_bytes(b"partial")
    local.write_bytes("", "real.txt", b"r")
    assert [e.name for e in local.list("")] == ["real.txt"]


def test_paths_cannot_escape_root(local: LocalDrive, tmp_path: Path) -> None:
    (tmp_path / "secret.txt").write_bytes(b"s")
    with pytest.raises(ValueError):
        local.read_bytes("../secret.txt")
    os.symlink(tmp_path, local.root / "link")
    with pytest.raises(DriveError):
        local.read_bytes("link/secret.txt")


@pytest.mark.parametrize("name", ["", ".", "..", "a/b", "a\\b"])
def test_bad_names_for_writes_are_refused(local: LocalDrive, name: str) -> None:
    with pytest.raises(ValueError):
        local.write_bytes("", name, b"x")


def test_native_stub_files_are_refused_with_advice(local: LocalDrive) -> None:
    (local.root / "Budget.gsheet").write_text('{"doc_id": "1abc"}')
    with pytest.raises(DriveError, match="ApiDrive"):
        local.read_bytes("Budget.gsheet")


def test_changes_token_reports_folders_and_rejects_garbage(local: LocalDrive) -> None:
    token = local.start_token()
    local.makedirs("new/deeper")
    changes, token2 = local.changes(token)
    assert [(c.path, c.removed) for c in changes] == [("new", False), ("new/deeper", False)]
    assert local.changes(token2)[0] == []
    with pytest.raises(DriveError):
        local.changes("bogus")
    with pytest.raises(DriveError):
        local.changes("local1:!!!")


def test_remove_root_is_refused(local: LocalDrive) -> None:
    with pytest.raises(DriveError):
        local.remove("")


def test_makedirs_over_a_file_fails(local: LocalDrive) -> None:
    local.write_bytes("", "f", b"x")
    with pytest.raises(DriveError):
        local.makedirs("f/g")


def test_path_through_a_file_is_not_found(local: LocalDrive) -> None:
    local.write_bytes("", "f", b"x")
    with pytest.raises(NotFound):
        local.stat("f/g")


def test_download_checks_a_known_md5(local: LocalDrive, tmp_path: Path) -> None:
    from dataclasses import replace

    entry = local.write_bytes("", "a.bin", b"abc")
    assert entry.md5 == "900150983cd24fb0d6963f7d28e17f72"
    with pytest.raises(DriveError, match="md5"):
        local.download(replace(entry, md5="0" * 32), tmp_path / "out" / "a.bin")
    assert list((tmp_path / "out").iterdir()) == []
    assert local.download(entry, tmp_path / "out" / "a.bin").read_bytes() == b"abc"


def test_listing_skips_symlinks_out_of_root_and_broken_ones(local: LocalDrive, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_bytes(b"s")
    os.symlink(outside, local.root / "escape")
    os.symlink(local.root / "missing", local.root / "broken")
    local.makedirs("inside")
    os.symlink(local.root / "inside", local.root / "alias")
    local.write_bytes("inside", "f.txt", b"f")
    assert [e.path for e in local.list("", recursive=True)] == ["alias", "inside", "inside/f.txt"]
