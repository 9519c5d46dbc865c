"""The one syntax for a place in Google Drive: ``drive:PATH``, ``drive:id:ID/...``, ``drive:shared:NAME/...``
and the share URLs Drive and Sheets hand out, parsed here and nowhere else.

``drive:Colab Notebooks/sales.xlsx``           a path from the root of My Drive
``drive:id:1AbC.../2024/sales.xlsx``           below a folder (or a file) named by its id
``drive:shared:Team/Reports``                  inside the shared drive "Team"
``https://drive.google.com/file/d/ID/view``    a file's share link (also ``open?id=ID``, ``uc?id=ID``)
``https://drive.google.com/drive/folders/ID``  a folder's link (also ``/drive/u/0/folders/ID``)
``https://docs.google.com/spreadsheets/d/ID/edit#gid=0``  a Google Sheet (Docs and Slides likewise)

Each becomes the path string every Drive backend accepts ("Colab Notebooks/sales.xlsx", "id:ID",
"shared:Team/Reports"). Parsing is pure: nothing here touches the network.
"""

from __future__ import annotations

import re
from typing import NamedTuple
from urllib.parse import parse_qs, urlsplit

from gdrivestats.drive.base import ID_PREFIX, norm_path
from gdrivestats.errors import ConfigError

DRIVE_PREFIX = "drive:"
SHARED_PREFIX = "shared:"

_GOOGLE_HOSTS = ("drive.google.com", "docs.google.com", "drive.usercontent.google.com")
_ID = re.compile(r"^[A-Za-z0-9_-]{10,}$")
# /file/d/ID/..., /spreadsheets/d/ID/..., /document/u/0/d/ID/..., /drive/folders/ID, /drive/u/1/folders/ID
_PATH_ID = re.compile(r"/(?:d|folders)/(?P<id>[^/?#]+)")
_URL_START = re.compile(
    r"^(?:https?://)?(?:www\.)?(?:" + "|".join(map(re.escape, _GOOGLE_HOSTS)) + r")(?:/|$)"
)


class DriveLocation(NamedTuple):
    """A place in Drive: ``path`` is what the backends take; ``sheet_gid`` is a Sheets URL's ``#gid=``.

    A named tuple, not a dataclass: this module loads before every sync's first request, and a frozen
    dataclass costs eight times as much to define."""

    path: str
    given: str = ""
    sheet_gid: str | None = None

    def __str__(self) -> str:
        return DRIVE_PREFIX + self.path

    @property
    def by_id(self) -> bool:
        """True when the location starts from an id (a share URL or ``drive:id:``)."""
        return self.path.startswith(ID_PREFIX)


def is_drive_url(text: str) -> bool:
    """True for a link to drive.google.com or docs.google.com (with or without https://)."""
    return bool(_URL_START.match(text.strip()))


def is_drive_location(text: object) -> bool:
    """True for ``drive:…`` and Drive or Sheets URLs: the sources that are not local files."""
    return isinstance(text, str) and (text.startswith(DRIVE_PREFIX) or is_drive_url(text))


def parse_location(text: str) -> DriveLocation:
    """The Drive location ``text`` names (``drive:…`` or a URL); ConfigError saying what is wrong if not."""
    text = text.strip()
    if is_drive_url(text):
        return _from_url(text)
    if not text.startswith(DRIVE_PREFIX):
        raise ConfigError(f"{text!r}: not a Drive location; write drive:PATH, drive:id:ID or a Drive URL")
    return DriveLocation(path=drive_path(text), given=text)


def drive_path(text: str) -> str:
    """A folder or file path as ``sync``/``run`` take it: ``drive:…``, a URL, ``id:…``, ``shared:…`` or plain.

    Plain text is a path from the root of My Drive ("Colab Notebooks"); "" and "/" are the root itself.
    """
    text = text.strip()
    if is_drive_url(text):
        return _from_url(text).path
    if text.startswith(DRIVE_PREFIX):
        text = text[len(DRIVE_PREFIX) :].strip()
    for prefix in (ID_PREFIX, SHARED_PREFIX):
        if text.startswith(prefix):
            head, _, rest = text.partition("/")
            name = head[len(prefix) :]
            if not name:
                example = "drive:id:1AbC…/file.xlsx" if prefix == ID_PREFIX else "drive:shared:Team/Reports"
                raise ConfigError(f"{text!r}: name the {_what(prefix)} after '{prefix}', as in {example}")
            if prefix == ID_PREFIX:
                _check_id(name, text)
            return _join(head, _norm(rest, text))
    return _norm(text, text)


def _from_url(url: str) -> DriveLocation:
    full = url if "://" in url else "https://" + url
    parts = urlsplit(full)
    query = parse_qs(parts.query)
    gid = _first(parse_qs(parts.fragment), "gid") or _first(query, "gid")
    found = _PATH_ID.search(parts.path)
    file_id = found.group("id") if found else _first(query, "id")
    if not file_id:
        if parts.path.rstrip("/") in ("/drive/my-drive", "/drive/u/0/my-drive", "/drive"):
            return DriveLocation(path="", given=url)
        raise ConfigError(
            f"{url}: no file or folder id in this Drive link; copy it with Share → Copy link"
            " (…/file/d/ID/…, …/drive/folders/ID or …/spreadsheets/d/ID/…)"
        )
    _check_id(file_id, url)
    return DriveLocation(path=ID_PREFIX + file_id, given=url, sheet_gid=gid)


def _first(query: dict[str, list[str]], key: str) -> str | None:
    values = query.get(key)
    return values[0] if values else None


def _check_id(file_id: str, given: str) -> None:
    if not _ID.match(file_id):
        raise ConfigError(f"{given}: {file_id!r} is not a Drive id (letters, digits, '-' and '_')")


def _norm(path: str, given: str) -> str:
    try:
        return norm_path(path)
    except ValueError:
        raise ConfigError(f"{given!r}: '..' is not allowed in a Drive path") from None


def _join(head: str, rest: str) -> str:
    return f"{head}/{rest}" if rest else head


def _what(prefix: str) -> str:
    return "file or folder id" if prefix == ID_PREFIX else "shared drive"


__all__ = [
    "DRIVE_PREFIX",
    "DriveLocation",
    "drive_path",
    "is_drive_location",
    "is_drive_url",
    "parse_location",
]
