"""The OAuth scopes gdrivestats asks for, in one place: read-only unless outputs are written back.

Why ``drive`` (full access) for write-back and not ``drive.file``: ``drive.file`` only sees files and
folders this app created (or the user picked with the Google Picker). gdrivestats writes its reports next to
the user's own spreadsheets, into folders the user made; with ``drive.file`` those folders cannot be listed
or found, files cannot be created inside them, and a report written by an earlier run from another machine
or client cannot be updated in place. ``drive.readonly`` is enough to read the inputs, so every read-only
command asks for that alone, and ``drive`` is asked for only when a command writes outputs back
(``write=True``, ``gdrivestats auth login --write``).
"""

from __future__ import annotations

from collections.abc import Iterable

DRIVE_READONLY = "https://www.googleapis.com/auth/drive.readonly"
"""Read every file the user can see: enough for fetching and analysing workbooks."""

DRIVE = "https://www.googleapis.com/auth/drive"
"""Read and write every file the user can see: needed to write reports into the user's existing folders."""

DRIVE_FILE = "https://www.googleapis.com/auth/drive.file"
DRIVE_METADATA_READONLY = "https://www.googleapis.com/auth/drive.metadata.readonly"
CLOUD_PLATFORM = "https://www.googleapis.com/auth/cloud-platform"

# A granted scope on the left also grants everything on the right.
_IMPLIES: dict[str, frozenset[str]] = {
    DRIVE: frozenset({DRIVE_READONLY, DRIVE_FILE, DRIVE_METADATA_READONLY}),
    DRIVE_READONLY: frozenset({DRIVE_METADATA_READONLY}),
}


def required_scopes(write: bool = False) -> list[str]:
    """The narrowest scopes for a job: ``drive.readonly`` to read, ``drive`` to also write outputs back."""
    return [DRIVE] if write else [DRIVE_READONLY]


def covers(granted: Iterable[str] | str | None, needed: Iterable[str]) -> bool:
    """Whether tokens granted ``granted`` (a list or a space-separated string) may do what ``needed`` asks."""
    if granted is None:
        return False
    have = set(granted.split()) if isinstance(granted, str) else set(granted)
    for scope in list(have):
        have |= _IMPLIES.get(scope, frozenset())
    return set(needed) <= have


def short_name(scope: str) -> str:
    """``https://www.googleapis.com/auth/drive.readonly`` -> ``drive.readonly`` (for messages)."""
    prefix = "https://www.googleapis.com/auth/"
    return scope[len(prefix) :] if scope.startswith(prefix) else scope
