"""Atomic file and folder writing: readers see the old complete output or the new one, never a mix."""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import logging
import os
import shutil
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

log = logging.getLogger(__name__)

_RENAME_EXCHANGE = 2  # linux/fs.h: atomically exchange two existing paths
_AT_FDCWD = -100


def atomic_write_bytes(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary sibling file, fsync it, then ``os.replace`` it in place.

    On any failure the temporary file is removed and a previous ``path`` is left untouched.
    """
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp-{uuid.uuid4().hex[:12]}")
    try:
        with open(tmp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    _fsync_dir(path.parent)
    return path


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
    tmp = target.with_name(f".{target.name}.tmp-{uuid.uuid4().hex[:12]}")
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
        _fsync_dir(target.parent)
        return
    if not target.is_dir() or target.is_symlink():
        raise NotADirectoryError(errno.ENOTDIR, "output path exists and is not a folder", str(target))
    if _exchange(new, target):  # ``new`` now holds the old output
        _fsync_dir(target.parent)
        shutil.rmtree(new, ignore_errors=True)
        return
    old = target.with_name(f".{target.name}.old-{uuid.uuid4().hex[:12]}")
    os.replace(target, old)
    try:
        os.replace(new, target)
    except BaseException:
        os.replace(old, target)  # put the previous good output back
        raise
    _fsync_dir(target.parent)
    shutil.rmtree(old, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two existing paths with Linux renameat2(RENAME_EXCHANGE); False if unsupported."""
    if not sys.platform.startswith("linux"):
        return False
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
        _fsync_dir(Path(root))


def _fsync_dir(folder: Path) -> None:
    """fsync a folder so a rename inside it survives a crash (a no-op where folders cannot be opened)."""
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


__all__ = ["atomic_folder", "atomic_write_bytes"]
