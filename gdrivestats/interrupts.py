"""Interrupted runs clean up: SIGTERM becomes a clean exit, and later runs remove stale temporary folders.

``SIGTERM`` (systemd stopping a unit, ``kill``, a CI timeout) is turned into :class:`Terminated`, raised in
the main thread, so ``with`` blocks, ``atomic_folder`` and ``tempfile.TemporaryDirectory`` remove what they
made, as they do for Ctrl-C. A run killed outright (SIGKILL, power loss) leaves temporary folders behind:
:func:`remove_stale_temporaries` deletes the ones gdrivestats made that nothing has touched for a while.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from types import FrameType

from gdrivestats._fs import TMP_PREFIX

log = logging.getLogger(__name__)

#: A temporary folder older than this (by modification time) belongs to a run that is gone.
STALE_AFTER = 3600.0

#: Folders gdrivestats makes in the system temporary folder: tempfile names, prefix + 8 random characters.
_SYSTEM_TEMP = re.compile(r"^gdrivestats-(?:out-|read-|demo-)?[a-z0-9_]{8}$")


class Terminated(KeyboardInterrupt):
    """Raised in the main thread when the process gets SIGTERM; handled like Ctrl-C (clean-ups run)."""


def _raise_terminated(signum: int, frame: FrameType | None) -> None:
    raise Terminated(f"terminated by signal {signum}")


@contextlib.contextmanager
def sigterm_as_exit() -> Iterator[None]:
    """While the block runs, SIGTERM raises :class:`Terminated` instead of killing the process."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def stale_temporaries(folders: Iterable[Path], older_than: float = STALE_AFTER) -> list[Path]:
    """Temporary files and folders gdrivestats made in ``folders`` (and the system temporary folder) that
    nothing has modified for ``older_than`` seconds and that belong to this user."""
    now = time.time()
    uid = os.getuid() if hasattr(os, "getuid") else None
    found: list[Path] = []
    system = Path(tempfile.gettempdir())
    for folder in {Path(f) for f in folders} | {system}:
        try:
            children = list(folder.iterdir())
        except OSError:
            continue
        for child in children:
            ours = child.name.startswith(TMP_PREFIX) or (folder == system and _SYSTEM_TEMP.match(child.name))
            if not ours:
                continue
            try:
                st = child.lstat()
            except OSError:
                continue
            if (uid is None or st.st_uid == uid) and now - st.st_mtime >= older_than:
                found.append(child)
    return sorted(found)


def remove_stale_temporaries(folders: Iterable[Path], older_than: float = STALE_AFTER) -> list[Path]:
    """Delete :func:`stale_temporaries`; returns what was removed (errors are logged, never raised)."""
    removed = []
    for path in stale_temporaries(folders, older_than):
        try:
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink()
        except OSError as exc:
            log.debug("could not remove the stale temporary %s: %s", path, exc)
            continue
        log.info("removed %s, left behind by an interrupted run", path)
        removed.append(path)
    return removed


__all__ = ["STALE_AFTER", "Terminated", "remove_stale_temporaries", "sigterm_as_exit", "stale_temporaries"]
