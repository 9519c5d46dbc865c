"""The local copy of a Drive folder, both ways: view, plan (pure), sync, state, local names, parsed cache,
write-back, and :class:`Mirror`, the one owner of the cache folder.

Importing this package stays light (no pandas): ``gdrivestats sync`` only needs the sync path.
"""

from __future__ import annotations

from gdrivestats.mirror.cache import Mirror
from gdrivestats.mirror.layout import STATE_FILE
from gdrivestats.mirror.plan import SyncPlan, plan_sync
from gdrivestats.mirror.sync import DEFAULT_OUT_FOLDER, SyncResult, sync

__all__ = ["DEFAULT_OUT_FOLDER", "STATE_FILE", "Mirror", "SyncPlan", "SyncResult", "plan_sync", "sync"]
