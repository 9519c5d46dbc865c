"""connect(): one call that finds a way into Google Drive and returns a Drive backend for it.

The auth chain (``gdrivestats.auth.resolve``) decides *how* — explicit arguments,
``GDRIVESTATS_ACCESS_TOKEN``, Colab, ``GOOGLE_APPLICATION_CREDENTIALS``, the cached sign-in, the browser
sign-in — and this module turns the answer into a backend: a LocalDrive for a folder or Colab's Drive mount,
an ApiDrive for credentials.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # imported on use: ``import gdrivestats`` stays light, an access token skips the sign-in
    from gdrivestats.auth.chain import Resolved
    from gdrivestats.auth.oauth import BrowserOpener, Printer
    from gdrivestats.drive.base import Drive
    from gdrivestats.drive.colab import ColabDrive

log = logging.getLogger(__name__)

__all__ = ["ColabDrive", "connect", "drive_for", "flush"]


def __getattr__(name: str) -> Any:
    if name == "ColabDrive":
        from gdrivestats.drive.colab import ColabDrive

        return ColabDrive
    raise AttributeError(f"module 'gdrivestats.connect' has no attribute {name!r}")


def connect(
    local: str | os.PathLike[str] | None = None,
    *,
    credentials: Any = None,
    service_account_file: str | os.PathLike[str] | None = None,
    client_secrets: str | os.PathLike[str] | None = None,
    subject: str | None = None,
    write: bool = False,
    api: bool = False,
    interactive: bool | None = None,
    mount_point: str | os.PathLike[str] | None = None,
    token_path: str | os.PathLike[str] | None = None,
    root_url: str | None = None,
    open_browser: BrowserOpener | None = None,
    print_url: Printer | None = None,
    port: int = 0,
) -> Drive:
    """A Drive backend, from the first way in that applies (AuthError listing what was tried when none does).

    Args:
        local: a folder to use as the drive (a LocalDrive); nothing else is tried.
        credentials: google-auth credentials to use as they are.
        service_account_file: a service-account JSON key (``subject``: a Workspace user to act as).
        client_secrets: an OAuth client-secrets file (Desktop app) for the browser sign-in.
        write: ask for write access (the ``drive`` scope) because outputs will be written back.
        api: in Colab, use the Drive API as the notebook's user instead of the Drive mount (shared drives,
            Google Sheets export, the changes feed).
        interactive: whether a person can sign in in a browser now; default: a terminal or a notebook, and
            no ``CI``.
            ``False`` (cron) turns a missing or revoked sign-in into an AuthError instead of a prompt.
        mount_point: where Colab mounts Drive (``/content/drive``).
        token_path: the token cache file (default ``$GDRIVESTATS_TOKEN`` or the user config directory).
        root_url: the Drive API root (an emulator's URL); default ``$GDRIVESTATS_DRIVE_URL`` or Google.
        open_browser, print_url: how the sign-in opens the browser and shows its address (tests inject these).
        port: the sign-in's loopback port (0: any free one; fix it to forward it with ``ssh -L``).
    """
    from gdrivestats.auth.chain import AuthRequest, resolve

    request = AuthRequest(
        local=_path(local),
        credentials=credentials,
        service_account_file=_path(service_account_file),
        client_secrets=_path(client_secrets),
        subject=subject,
        write=write,
        api=api,
        interactive=interactive,
        mount_point=_path(mount_point),
        token_path=_path(token_path),
        open_browser=open_browser,
        print_url=print_url,
        port=port,
    )
    return drive_for(resolve(request), root_url=root_url)


def drive_for(resolved: Resolved, root_url: str | None = None) -> Drive:
    """The backend for what the chain found: a LocalDrive (or ColabDrive) for a folder, else an ApiDrive."""
    if resolved.local_root is not None:
        if resolved.mount_point is not None:
            from gdrivestats.drive.colab import ColabDrive

            return ColabDrive(resolved.local_root, resolved.mount_point)
        from gdrivestats.drive.local import LocalDrive

        return LocalDrive(resolved.local_root)
    from gdrivestats.drive.api import ApiDrive

    return ApiDrive(resolved.credentials, root_url=root_url)


def flush() -> bool:
    """Push writes made through the Colab Drive mount to Drive (``flush_and_unmount``); False if none.

    A no-op outside Colab and for API or local drives, so scripts can call it unconditionally at the end.
    """
    from gdrivestats.drive.colab import flush_mounts

    return flush_mounts()


def _path(value: str | os.PathLike[str] | None) -> Path | None:
    return Path(value) if value is not None else None
