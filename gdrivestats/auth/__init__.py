"""Authentication: find credentials (or a Colab Drive mount) through a chain of small checkers.

``resolve(AuthRequest(...))`` returns the first that applies; ``gdrivestats.connect`` turns it into a Drive
backend. Scopes live in ``scopes``, the token cache in ``token_cache``, the browser sign-in in ``oauth``.
Names are imported on first use: a run with an access token never loads the sign-in machinery.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from gdrivestats.auth.chain import AuthRequest, Resolved, resolve
    from gdrivestats.auth.colab import in_colab
    from gdrivestats.auth.oauth import SignInExpired
    from gdrivestats.auth.scopes import DRIVE, DRIVE_READONLY, required_scopes
    from gdrivestats.auth.token_cache import default_token_path

_LAZY = {
    "DRIVE": "gdrivestats.auth.scopes",
    "DRIVE_READONLY": "gdrivestats.auth.scopes",
    "AuthRequest": "gdrivestats.auth.chain",
    "Resolved": "gdrivestats.auth.chain",
    "SignInExpired": "gdrivestats.auth.oauth",
    "default_token_path": "gdrivestats.auth.token_cache",
    "in_colab": "gdrivestats.auth.colab",
    "required_scopes": "gdrivestats.auth.scopes",
    "resolve": "gdrivestats.auth.chain",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'gdrivestats.auth' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY])


__all__ = [
    "DRIVE",
    "DRIVE_READONLY",
    "AuthRequest",
    "Resolved",
    "SignInExpired",
    "default_token_path",
    "in_colab",
    "required_scopes",
    "resolve",
]
