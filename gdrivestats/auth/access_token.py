"""A bearer token used as it is (``GDRIVESTATS_ACCESS_TOKEN``: emulators, CI), never refreshed.

It offers what ``google_auth_httplib2.AuthorizedHttp`` asks of google-auth credentials (``before_request``,
``refresh``, ``valid``) without importing google-auth's credential modules (their JWT and crypto imports
cost more than a whole no-change re-sync's API call).
"""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any


class AccessToken:
    """Credentials holding one access token; ``refresh`` fails (RefreshError), as google-auth's would."""

    expiry = None
    scopes = None
    quota_project_id = None
    universe_domain = "googleapis.com"

    def __init__(self, token: str) -> None:
        self.token = token

    @property
    def valid(self) -> bool:
        """True while there is a token (it is never known to expire)."""
        return bool(self.token)

    @property
    def expired(self) -> bool:
        """Never known to have expired: the server says so with a 401."""
        return False

    def apply(self, headers: MutableMapping[str, str], token: str | None = None) -> None:
        """Put the bearer token into ``headers``."""
        headers["authorization"] = f"Bearer {token or self.token}"

    def before_request(self, request: Any, method: str, url: str, headers: MutableMapping[str, str]) -> None:
        """What AuthorizedHttp calls before each request."""
        self.apply(headers)

    def refresh(self, request: Any) -> None:
        """An access token given as it is cannot be renewed."""
        from google.auth.exceptions import RefreshError

        raise RefreshError("the access token was refused and cannot be refreshed (it was given as it is)")

    def __repr__(self) -> str:
        return "AccessToken(<redacted>)"
