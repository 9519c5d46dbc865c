"""The cache folder's layout in one place: where the mirrored files, state, parse cache and lock live.

Everything gdrivestats itself keeps in a cache starts with ``.gdrivestats``; the mirrored Drive files are
placed beside them under their safe local names.
"""

from __future__ import annotations

from gdrivestats._fs import TMP_PREFIX

OWN_PREFIX = ".gdrivestats"
"""Every name gdrivestats keeps for itself in a cache folder starts with this."""
STATE_FILE = ".gdrivestats-state.sqlite"
"""The SQLite state: what is mirrored, the change token, what was analysed and written back."""
PARSED_FOLDER = ".gdrivestats-parsed"
"""Parsed workbooks as Parquet, by content hash."""
LOCK_FILE = ".gdrivestats.lock"
"""Held by a run for its whole length, so two runs never work on one cache."""

DEFAULT_OUT_FOLDER = "gdrivestats"
"""The folder, inside the synced one, that outputs are written back to; a sync leaves it out."""

# The keys of the state's meta table: what the state says of the mirror as a whole.
META_ROOT = "root_id"
META_ROOT_PATH = "root_path"
META_TOKEN = "changes_token"
META_EXCLUDE = "exclude"
META_ACCOUNT = "account"
META_ACCOUNT_HINT = "account_hint"
META_SETTLED = "paths_settled"
"""Set by a run whose every step succeeded: each file of the stored view is at the local path the plan
gives it, so a later run that sees no change can take the paths from the state instead of computing them."""

__all__ = [
    "DEFAULT_OUT_FOLDER",
    "LOCK_FILE",
    "META_ACCOUNT",
    "META_ACCOUNT_HINT",
    "META_EXCLUDE",
    "META_ROOT",
    "META_ROOT_PATH",
    "META_SETTLED",
    "META_TOKEN",
    "OWN_PREFIX",
    "PARSED_FOLDER",
    "STATE_FILE",
    "TMP_PREFIX",
]
