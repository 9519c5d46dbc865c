"""Modules the client libraries import at start but a Drive run almost never uses, loaded on first use.

httplib2 imports its ``auth`` module, and with it pyparsing (about a fifth of a no-change re-sync's imports),
only to parse ``WWW-Authenticate`` challenges for digest and HMAC authentication after a 401; gdrivestats
sends bearer tokens. googleapiclient.http imports ``googleapiclient._auth`` (and with it google-auth's
credential modules) only for batch requests, which gdrivestats does not make. Importing this module before
those libraries puts stand-ins for both in ``sys.modules``: the first attribute asked of one imports the
real module, under a lock, and puts it in the stand-in's place. Nothing changes for a module whose package
was imported already.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import threading
import types
from typing import Any

_lock = threading.RLock()
DEFERRED = ("httplib2.auth", "googleapiclient._auth")


class _Deferred(types.ModuleType):
    """Stands in for a module until one of its attributes is asked for, then imports it."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(load(self.__name__), name)


def load(name: str) -> types.ModuleType:
    """The real module ``name``, imported now if only its stand-in is there."""
    with _lock:
        module = sys.modules.get(name)
        if isinstance(module, _Deferred):
            del sys.modules[name]
            module = importlib.import_module(name)  # also rebinds the attribute on its package
        if module is None:
            module = importlib.import_module(name)
        return module


def defer(names: tuple[str, ...] = DEFERRED) -> None:
    """Put stand-ins for ``names`` in place, unless their package is imported already (or absent)."""
    with _lock:
        for name in names:
            package = name.rpartition(".")[0]
            if name in sys.modules or package in sys.modules:
                continue
            try:
                found = importlib.util.find_spec(package) is not None
            except (ImportError, ValueError):
                found = False
            if found:
                sys.modules[name] = _Deferred(name)


defer()
