"""Named crash points for the crash-safety tests: SIGKILL this process at a chosen point of a sync or run.

Set ``GDRIVESTATS_CRASHPOINT=NAME`` (the first time NAME is reached) or ``NAME:N`` (the N-th time). Unset,
``crashpoint`` is a dictionary lookup and nothing else. The tests use it to kill real processes at exact
points (between a download and its state update, between an upload and its state update, ...) and check
that a restarted run converges.
"""

from __future__ import annotations

import os
import signal
import threading

_SPEC = os.environ.get("GDRIVESTATS_CRASHPOINT", "")
_NAME, _, _COUNT = _SPEC.partition(":")
_TARGET = int(_COUNT) if _COUNT.isdigit() else 1
_hits = 0
_lock = threading.Lock()


def crashpoint(name: str) -> None:
    """Kill this process with SIGKILL when ``name`` is the armed crash point and its count is reached."""
    global _hits
    if not _NAME or name != _NAME:
        return
    with _lock:
        _hits += 1
        if _hits >= _TARGET:
            os.kill(os.getpid(), signal.SIGKILL)
