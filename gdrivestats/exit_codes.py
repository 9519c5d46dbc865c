"""The documented exit statuses of every gdrivestats command and script, defined once."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """0 all good; 1 something in the job failed; 2 usage, configuration or auth; 3 locked; 130 Ctrl-C."""

    OK = 0
    FAILED = 1  # the job ran, but something in it failed (a bad workbook, a Drive error)
    CONFIG = 2  # arguments, configuration or credentials are wrong
    LOCKED = 3  # another scheduled run holds the lock on this cache
    INTERRUPTED = 130  # Ctrl-C (128 + SIGINT), as shells report it
    TERMINATED = 143  # SIGTERM (128 + SIGTERM), after a clean shutdown


__all__ = ["ExitCode"]
