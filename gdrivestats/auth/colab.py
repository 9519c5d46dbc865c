"""Google Colab: detect it, mount My Drive (``google.colab.drive``), flush writes, or get API credentials.

In Colab the Drive mount is the simplest way in: no OAuth client, no token cache. Files written under the
mount reach Drive asynchronously; ``flush()`` (``drive.flush_and_unmount()``) makes sure they have arrived.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from gdrivestats.errors import AuthError

log = logging.getLogger(__name__)

DEFAULT_MOUNT_POINT = Path("/content/drive")
MY_DRIVE = "MyDrive"
COLAB_HOSTNAME_FILE = Path("/var/colab/hostname")


def in_colab() -> bool:
    """True in Colab: ``COLAB_RELEASE_TAG``, ``/var/colab/hostname``, or an importable google.colab."""
    if os.environ.get("COLAB_RELEASE_TAG"):
        return True
    try:
        if COLAB_HOSTNAME_FILE.exists():
            return True
    except OSError:
        pass
    try:
        return importlib.util.find_spec("google.colab") is not None
    except (ImportError, ValueError):
        return False


def _colab_module(name: str) -> Any:
    try:
        return importlib.import_module(f"google.colab.{name}")
    except ImportError as exc:
        raise AuthError(
            f"this looks like Colab, but google.colab.{name} cannot be imported ({exc})"
        ) from None


def mount(mount_point: str | os.PathLike[str] | None = None) -> Path:
    """Mount Google Drive at ``mount_point`` (``/content/drive``) and return the My Drive folder inside it."""
    point = Path(mount_point) if mount_point is not None else DEFAULT_MOUNT_POINT
    drive = _colab_module("drive")
    log.info("mounting Google Drive at %s", point)
    try:
        drive.mount(str(point))
    except Exception as exc:  # Colab raises plain exceptions (timeouts, a refused authorization)
        raise AuthError(f"mounting Google Drive at {point} failed: {exc}") from None
    root = point / MY_DRIVE
    if not root.is_dir():
        raise AuthError(f"Google Drive was mounted at {point}, but {root} is not there")
    return root


def flush(mount_point: str | os.PathLike[str] | None = None) -> None:
    """Push pending writes under the mount to Drive and unmount (``drive.flush_and_unmount()``)."""
    drive = _colab_module("drive")
    log.info("flushing writes to Google Drive and unmounting %s", mount_point or DEFAULT_MOUNT_POINT)
    try:
        drive.flush_and_unmount()
    except Exception as exc:
        raise AuthError(f"flushing the Google Drive mount failed: {exc}") from None


def api_credentials(scopes: Sequence[str]) -> Any:
    """The notebook user's API credentials: ``auth.authenticate_user()``, then ``google.auth.default``."""
    import google.auth
    import google.auth.exceptions

    auth = _colab_module("auth")
    try:
        auth.authenticate_user()
    except Exception as exc:
        raise AuthError(f"Colab sign-in (google.colab.auth.authenticate_user) failed: {exc}") from None
    try:
        credentials, _project = google.auth.default(scopes=list(scopes))
    except google.auth.exceptions.DefaultCredentialsError as exc:
        raise AuthError(f"Colab signed in, but google.auth.default found no credentials: {exc}") from None
    return credentials
