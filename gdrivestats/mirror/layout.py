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

__all__ = ["LOCK_FILE", "OWN_PREFIX", "PARSED_FOLDER", "STATE_FILE", "TMP_PREFIX"]
