"""The local copy of a Drive folder, both ways: view, plan (pure), sync, state, local names, parsed cache,
write-back, and :class:`Mirror`, the one owner of the cache folder.

Importing this package stays light (no pandas): ``gdrivestats sync`` only needs the sync path, so
:class:`Mirror` (with the write-back and the parse cache) is imported on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from gdrivestats.mirror.layout import STATE_FILE
from gdrivestats.mirror.plan import SyncPlan, plan_sync
from gdrivestats.mirror.sync import DEFAULT_OUT_FOLDER, SyncResult, sync

if TYPE_CHECKING:
    from gdrivestats.mirror.cache import Mirror

__all__ = ["DEFAULT_OUT_FOLDER", "STATE_FILE", "Mirror", "SyncPlan", "SyncResult", "plan_sync", "sync"]


def __getattr__(name: str) -> Any:
    if name == "Mirror":
        from gdrivestats.mirror.cache import Mirror

        return Mirror
    raise AttributeError(f"module 'gdrivestats.mirror' has no attribute {name!r}")
