"""The cached user sign-in: where it lives, and reading, writing (atomically, mode 0600) and removing it.

The file is Google's ``authorized_user`` JSON (what ``Credentials.to_json()`` writes, plus ``"type"``), so it
can also serve as ``GOOGLE_APPLICATION_CREDENTIALS`` for other tools. It lives in the user's config directory
(``platformdirs.user_config_dir("gdrivestats")``, a 0700 directory) unless ``GDRIVESTATS_TOKEN`` names a file.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import platformdirs

from gdrivestats._fs import atomic_write_bytes
from gdrivestats.errors import AuthError

log = logging.getLogger(__name__)

ENV_TOKEN = "GDRIVESTATS_TOKEN"
APP_NAME = "gdrivestats"
TOKEN_FILE_NAME = "token.json"
FILE_MODE = 0o600
DIR_MODE = 0o700


def config_dir() -> Path:
    """gdrivestats' own directory in the user's config folder (``~/.config/gdrivestats`` on Linux)."""
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def default_token_path() -> Path:
    """Where the sign-in is cached: ``$GDRIVESTATS_TOKEN``, else ``<config dir>/token.json``."""
    override = os.environ.get(ENV_TOKEN)
    if override:
        return Path(override).expanduser()
    return config_dir() / TOKEN_FILE_NAME


def load(path: Path) -> dict[str, Any] | None:
    """The cached sign-in as a dict, or None when there is none or it cannot be read (a warning says why)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as exc:
        log.warning("cannot read the cached Google sign-in %s (%s); ignoring it", path, exc.strerror or exc)
        return None
    try:
        data = json.loads(text)
    except ValueError:
        log.warning("the cached Google sign-in %s is not valid JSON; ignoring it", path)
        return None
    if not isinstance(data, dict):
        log.warning("the cached Google sign-in %s is not a JSON object; ignoring it", path)
        return None
    _warn_if_readable_by_others(path)
    return data


def save(path: Path, data: Mapping[str, Any]) -> None:
    """Write the sign-in atomically: a 0600 temporary file beside it, fsync, then rename over the old one."""
    _ensure_private_dir(path.parent)
    payload = json.dumps(dict(data), indent=2, sort_keys=True).encode("utf-8") + b"\n"
    try:
        atomic_write_bytes(path, payload, mode=FILE_MODE)
    except OSError as exc:
        raise AuthError(f"cannot write the Google sign-in cache {path}: {exc.strerror or exc}") from exc
    log.debug("saved the Google sign-in to %s", path)


def delete(path: Path) -> bool:
    """Remove the cached sign-in; True when there was one."""
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise AuthError(f"cannot remove the Google sign-in cache {path}: {exc.strerror or exc}") from exc
    return True


def _ensure_private_dir(directory: Path) -> None:
    """Create the cache directory 0700; tighten gdrivestats' own config directory if it already exists."""
    try:
        missing = not directory.exists()
        directory.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
        if (missing or directory == config_dir()) and os.name == "posix":
            os.chmod(directory, DIR_MODE)
    except OSError as exc:
        raise AuthError(
            f"cannot create the Google sign-in cache folder {directory}: {exc.strerror or exc}"
        ) from exc


def _warn_if_readable_by_others(path: Path) -> None:
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        if path.stat().st_mode & 0o077:
            log.warning(
                "the Google sign-in cache %s is readable by other users; run: chmod 600 %s", path, path
            )
