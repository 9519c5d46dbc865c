"""Authentication: find credentials (or a Colab Drive mount) through a chain of small checkers.

``resolve(AuthRequest(...))`` returns the first that applies; ``gdrivestats.connect`` turns it into a Drive
backend. Scopes live in ``scopes``, the token cache in ``token_cache``, the browser sign-in in ``oauth``.
"""

from __future__ import annotations

from gdrivestats.auth.chain import AuthRequest, Resolved, resolve
from gdrivestats.auth.colab import in_colab
from gdrivestats.auth.oauth import SignInExpired
from gdrivestats.auth.scopes import DRIVE, DRIVE_READONLY, required_scopes
from gdrivestats.auth.token_cache import default_token_path

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
