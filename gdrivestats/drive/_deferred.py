"""Modules the client libraries import at start but a Drive run almost never uses, loaded on first use.

httplib2 imports its ``auth`` module, and with it pyparsing (about a fifth of a no-change re-sync's imports),
only to parse ``WWW-Authenticate`` challenges for digest and HMAC authentication after a 401; gdrivestats
sends bearer tokens. googleapiclient.http imports ``googleapiclient._auth`` (and with it google-auth's
credential modules) only for batch requests, which gdrivestats does not make. google-api-core's package
``__init__`` checks the installed versions of Python and of its dependencies on import (``importlib.metadata``
over site-packages, a tenth of a no-change re-sync's imports; googleapis/python-api-core#878), and the client
library imports it only for a constant of its ``version_header`` submodule. Importing this module before
those libraries puts stand-ins for them in ``sys.modules``: the first attribute asked of one imports the
real module, under a lock, and puts it in the stand-in's place. A package's stand-in has the package's path,
so its submodules import as usual (without the package's ``__init__``), and they are bound on the real
package when it loads. Nothing changes for a module whose package was imported already, nor for a package
imported already.
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
DEFERRED_PACKAGES = ("google.api_core",)
_LOADING_DUNDERS = ("__version__", "__all__")  # asked of the module by its users, not by the import system


class _Deferred(types.ModuleType):
    """Stands in for a module until one of its attributes is asked for, then imports it."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") and name not in _LOADING_DUNDERS:  # the import system's own probes
            raise AttributeError(name)
        return getattr(load(self.__name__), name)


def load(name: str) -> types.ModuleType:
    """The real module ``name``, imported now if only its stand-in is there."""
    with _lock:
        module = sys.modules.get(name)
        stand_in = module if isinstance(module, _Deferred) else None
        if stand_in is not None:
            del sys.modules[name]
            module = importlib.import_module(name)  # also rebinds the attribute on its package
        if module is None:
            module = importlib.import_module(name)
        prefix = f"{name}."
        for key, child in list(sys.modules.items()):  # submodules imported under the stand-in
            child_name = key[len(prefix) :]
            if key.startswith(prefix) and "." not in child_name and not hasattr(module, child_name):
                setattr(module, child_name, child)
        if stand_in is not None:  # code that kept the stand-in (``import … as``) sees the real names too
            stand_in.__dict__.update(module.__dict__)
        return module


def defer(names: tuple[str, ...] = DEFERRED, packages: tuple[str, ...] = DEFERRED_PACKAGES) -> None:
    """Put stand-ins for the modules ``names`` in place, unless their package is imported already (or
    absent), and for the ``packages`` not imported yet (their submodules import from the real path)."""
    with _lock:
        for name in packages:
            if name in sys.modules:
                continue
            try:
                spec = importlib.util.find_spec(name)
            except (ImportError, ValueError):
                spec = None
            if spec is not None and spec.submodule_search_locations is not None:
                stand_in = _Deferred(name)
                stand_in.__path__ = list(spec.submodule_search_locations)
                stand_in.__spec__, stand_in.__file__ = spec, spec.origin  # find_spec and __file__ as before
                sys.modules[name] = stand_in
                parent, _, child = name.rpartition(".")
                if parent in sys.modules:  # ``import google.api_core.x`` then ``google.api_core.x.y``
                    setattr(sys.modules[parent], child, stand_in)
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
