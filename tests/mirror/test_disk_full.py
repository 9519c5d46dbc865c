"""A full disk is one line in plain words, and the cache stays usable once there is room again."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from gdrivestats.drive.local import LocalDrive
from gdrivestats.errors import DiskFull
from gdrivestats.mirror.sync import sync


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 400 KiB file system (tmpfs), so writes fail with ENOSPC as on a full disk."""
    mount = tmp_path / "tiny"
    mount.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=400k", "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_full_disk_is_one_plain_line_and_the_cache_recovers(tiny_disk: Path, tmp_path: Path) -> None:
    drive_root = tmp_path / "drive" / "Data"
    drive_root.mkdir(parents=True)
    (drive_root / "small.csv").write_bytes(b"a,b\n1,2\n")
    (drive_root / "big.csv").write_bytes(b"a,b\n" + b"1,2\n" * 250_000)  # 1 MB: does not fit
    cache = tiny_disk / "cache"
    with pytest.raises(DiskFull, match=r"cache: the disk is full; free some space"):
        sync(LocalDrive(tmp_path / "drive"), "Data", cache, progress=False)
    (drive_root / "big.csv").unlink()  # room again (the big file is gone)
    result = sync(LocalDrive(tmp_path / "drive"), "Data", cache, progress=False)
    assert result.ok and (cache / "small.csv").read_bytes() == b"a,b\n1,2\n"
    assert not any(p.name.startswith(".gdrivestats-tmp-") for p in cache.rglob("*"))
