"""The local copy of a Drive folder, both ways: view, plan (pure), sync, state, local names, parsed cache,
write-back, and :class:`Mirror`, the one owner of the cache folder.

Importing this package is light: each name is imported on first use, so ``gdrivestats sync`` can send its
first calls (``mirror.early``) before the sync machinery loads, and :class:`Mirror` (with the write-back and
the parse cache) is only loaded by what uses it. The sync function is ``gdrivestats.sync`` (or
``gdrivestats.mirror.sync.sync``): here ``sync`` is its module, as with any submodule imported lazily.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from gdrivestats.mirror.layout import STATE_FILE

if TYPE_CHECKING:
    from gdrivestats.mirror.cache import Mirror
    from gdrivestats.mirror.plan import SyncPlan, plan_sync
    from gdrivestats.mirror.sync import DEFAULT_OUT_FOLDER, SyncResult

_LAZY = {
    "DEFAULT_OUT_FOLDER": "gdrivestats.mirror.sync",
    "SyncResult": "gdrivestats.mirror.sync",
    "SyncPlan": "gdrivestats.mirror.plan",
    "plan_sync": "gdrivestats.mirror.plan",
    "Mirror": "gdrivestats.mirror.cache",
}

__all__ = ["DEFAULT_OUT_FOLDER", "STATE_FILE", "Mirror", "SyncPlan", "SyncResult", "plan_sync"]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'gdrivestats.mirror' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # once: later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
