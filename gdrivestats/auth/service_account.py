"""Service-account credentials for scheduled jobs: a key file, optionally impersonating a Workspace user.

``GOOGLE_APPLICATION_CREDENTIALS`` usually names a service-account key; an ``authorized_user`` file (what
``gcloud auth application-default login`` or gdrivestats' own cache writes) is accepted too, refreshing at the
``token_uri`` in the file. The JWT grant goes to the key file's ``token_uri``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from gdrivestats.auth.redact import remember_secret
from gdrivestats.errors import AuthError

ENV_APPLICATION_CREDENTIALS = "GOOGLE_APPLICATION_CREDENTIALS"
ENV_SUBJECT = "GDRIVESTATS_SUBJECT"


def read_key_file(path: Path) -> dict[str, Any]:
    """The parsed JSON of a credentials file; AuthError (without its contents) when it cannot be read."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise AuthError(f"the credentials file {path} does not exist") from None
    except (OSError, ValueError) as exc:
        raise AuthError(f"cannot read the credentials file {path}: {type(exc).__name__}") from None
    if not isinstance(data, dict):
        raise AuthError(f"{path} is not a Google credentials file")
    return data


def from_key_file(path: str | os.PathLike[str], scopes: Sequence[str], subject: str | None = None) -> Any:
    """Credentials from a service-account key (``subject``: a user to act as, by domain-wide delegation)."""
    key_path = Path(path).expanduser()
    info = read_key_file(key_path)
    kind = info.get("type")
    if kind == "service_account":
        return _service_account(info, key_path, scopes, subject)
    if kind == "authorized_user":
        if subject:
            raise AuthError(
                f"{key_path} is a user's credentials, not a service account: subject= needs a service account"
            )
        from gdrivestats.auth.oauth import credentials_from_info

        return credentials_from_info(info)  # a user's grant keeps the scopes it was given
    raise AuthError(
        f"{key_path} is not a service-account key (type: {kind or 'missing'}); create a JSON key for a "
        "service account in the Google Cloud console (IAM & Admin > Service accounts > Keys)"
    )


def _service_account(info: dict[str, Any], key_path: Path, scopes: Sequence[str], subject: str | None) -> Any:
    from google.oauth2 import service_account

    remember_secret(info.get("private_key_id"))
    try:
        credentials = service_account.Credentials.from_service_account_info(info, scopes=list(scopes))
    except (ValueError, KeyError) as exc:
        missing = f" (missing {exc})" if isinstance(exc, KeyError) else ""
        raise AuthError(f"{key_path} is not a usable service-account key{missing}") from None
    if subject:
        credentials = credentials.with_subject(subject)
    return credentials


def subject_from_env(subject: str | None) -> str | None:
    """The user to impersonate: the argument, else ``GDRIVESTATS_SUBJECT``, else nobody."""
    return subject or os.environ.get(ENV_SUBJECT) or None


def describe(credentials: Any) -> str:
    """``service account NAME@PROJECT.iam.gserviceaccount.com[ acting as USER]`` for status lines."""
    email = getattr(credentials, "service_account_email", None) or "unknown"
    subject = getattr(credentials, "_subject", None)
    return f"service account {email}" + (f" acting as {subject}" if subject else "")
