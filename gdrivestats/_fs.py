"""The one atomic writer: files and folders appear whole or never; one temporary prefix; directory fsync."""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

log = logging.getLogger(__name__)

_RENAME_EXCHANGE = 2  # linux/fs.h: atomically exchange two existing paths
_AT_FDCWD = -100


TMP_PREFIX = ".gdrivestats-tmp-"
"""Every temporary file or folder gdrivestats makes starts with this; crash recovery finds them by it."""


def temp_sibling(path: Path) -> Path:
    """A fresh, unused temporary name beside ``path`` (same folder, so a rename is atomic)."""
    return path.with_name(f"{TMP_PREFIX}{path.name[:80]}-{os.urandom(6).hex()}")


@contextlib.contextmanager
def atomic_open(path: str | Path, *, mode: int = 0o644) -> Iterator[BinaryIO]:
    """Open a temporary sibling of ``path`` for writing; on success fsync it and rename it over ``path``.

    If the block raises, the temporary file is removed and a previous ``path`` is left untouched, so a
    reader sees the old complete file or the new one, never a mix. ``mode`` is set on the file before any
    byte is written (0600 for secrets).
    """
    path = Path(path)
    tmp = temp_sibling(path)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), mode)
    try:
        with os.fdopen(fd, "wb") as handle:
            if hasattr(os, "fchmod"):
                os.fchmod(handle.fileno(), mode)  # in case a umask or ACL changed it
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    fsync_dir(path.parent)


def atomic_write_bytes(path: str | Path, data: bytes, *, mode: int = 0o644) -> Path:
    """Write ``data`` to ``path`` atomically (see :func:`atomic_open`)."""
    with atomic_open(path, mode=mode) as handle:
        handle.write(data)
    return Path(path)


@contextlib.contextmanager
def atomic_folder(path: str | Path) -> Iterator[Path]:
    """Yield an empty temporary sibling folder; on success it replaces ``path``, on failure it is deleted.

    Files written into the yielded folder are fsynced before the swap. An existing ``path`` is swapped out
    (atomically where the OS supports exchanging two folders, else by two renames) and then deleted, so a
    failure at any point leaves either the previous folder or the new one at ``path``.
    """
    target = Path(path)
    if target.is_symlink():  # replace the folder the link points to, keep the link
        target = target.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_sibling(target)
    tmp.mkdir()
    try:
        yield tmp
        _fsync_tree(tmp)
        _swap_into_place(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _swap_into_place(new: Path, target: Path) -> None:
    """Put folder ``new`` at ``target``; a previous ``target`` is deleted only once ``new`` is in place."""
    if not target.exists() and not target.is_symlink():
        os.replace(new, target)
        fsync_dir(target.parent)
        return
    if not target.is_dir() or target.is_symlink():
        raise NotADirectoryError(errno.ENOTDIR, "output path exists and is not a folder", str(target))
    if _exchange(new, target):  # ``new`` now holds the old output
        fsync_dir(target.parent)
        shutil.rmtree(new, ignore_errors=True)
        return
    old = temp_sibling(target)
    os.replace(target, old)
    try:
        os.replace(new, target)
    except BaseException:
        os.replace(old, target)  # put the previous good output back
        raise
    fsync_dir(target.parent)
    shutil.rmtree(old, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two existing paths with Linux renameat2(RENAME_EXCHANGE); False if unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes  # only when a folder is swapped: not on the sync path
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    renameat2.restype = ctypes.c_int
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if result == 0:
        return True
    log.debug(
        "renameat2(RENAME_EXCHANGE) unavailable (%s); falling back to two renames",
        os.strerror(ctypes.get_errno()),
    )
    return False


def _fsync_tree(folder: Path) -> None:
    """fsync every file and folder below ``folder`` (best effort where the file system refuses)."""
    for root, _dirs, files in os.walk(folder):
        for name in files:
            with contextlib.suppress(OSError):
                fd = os.open(os.path.join(root, name), os.O_RDONLY)
                try:
                    os.fsync(fd)
                finally:
                    os.close(fd)
        fsync_dir(Path(root))


def fsync_dir(folder: str | Path) -> None:
    """fsync a folder so a rename inside it survives a crash (a no-op where folders cannot be opened)."""
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


__all__ = ["TMP_PREFIX", "atomic_folder", "atomic_open", "atomic_write_bytes", "fsync_dir", "temp_sibling"]
