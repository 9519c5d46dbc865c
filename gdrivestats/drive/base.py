"""The one Drive interface every backend implements: a few primitives, Entry and Change, derived helpers."""

from __future__ import annotations

import builtins
import fnmatch
import hashlib
import logging
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Self, TypeAlias

from gdrivestats._fs import atomic_open
from gdrivestats.errors import DriveError, NotFound
from gdrivestats.formats import (  # noqa: F401  (re-exported: the drive layer's names for them)
    EXPORT_FORMATS,
    FOLDER_MIME,
    GOOGLE_APPS_PREFIX,
    SHORTCUT_MIME,
    SPREADSHEET_MIME,
    XLSX_MIME,
)

logger = logging.getLogger(__name__)

#: Prefix of a path string that addresses an entry by its id instead of by its path ("id:1AbC...").
ID_PREFIX = "id:"


@dataclass(frozen=True)
class Entry:
    """One file or folder as a backend sees it.

    ``path`` is '/'-separated and relative to the backend root ("" is the root itself). ``md5`` is the
    content checksum when known without reading the content (Drive always knows it for binary files;
    LocalDrive only for files it has hashed since they last changed: use ``Drive.checksum`` to force it).
    ``version`` changes whenever the content changes (Drive ``version``; LocalDrive mtime and inode);
    ``revision`` is Drive's ``headRevisionId`` (None for LocalDrive and native Google files).
    ``shortcut_id`` is set when the entry was reached through a shortcut: the entry then describes the
    target, under the shortcut's name and path.
    """

    id: str
    name: str
    path: str
    is_folder: bool
    size: int | None = None
    md5: str | None = None
    modified: datetime | None = None
    mime_type: str = "application/octet-stream"
    version: str | None = None
    revision: str | None = None
    parents: tuple[str, ...] = ()
    created: datetime | None = None
    drive_id: str | None = None
    shortcut_id: str | None = None
    can_download: bool = True  # False: Drive says the content cannot be fetched (capabilities.canDownload)

    @property
    def is_native(self) -> bool:
        """True for native Google files (Sheets, Docs…): no bytes of their own, they must be exported."""
        return self.mime_type.startswith(GOOGLE_APPS_PREFIX) and not self.is_folder

    @property
    def export_format(self) -> tuple[str, str] | None:
        """(mime type, extension) this native file is exported to, or None for ordinary files."""
        return EXPORT_FORMATS.get(self.mime_type) if self.is_native else None

    @property
    def download_name(self) -> str:
        """The file name a download should get: the name, plus the export extension for native files."""
        fmt = self.export_format
        if fmt and not self.name.lower().endswith(fmt[1]):
            return self.name + fmt[1]
        return self.name

    def at(self, path: str) -> Self:
        """This entry under another ``path``, everything else the same: ``dataclasses.replace(entry,
        path=path)`` without running ``__init__`` again over every field (1 µs against 8; a sync's listing
        moves every entry it finds under the synced folder's own paths, twice). It copies ``__dict__``: a
        subclass with ``__post_init__`` or slots must override it."""
        moved = object.__new__(type(self))
        moved.__dict__.update(self.__dict__)
        moved.__dict__["path"] = path
        return moved


@dataclass(frozen=True)
class Change:
    """One changed file since a change token: ``removed`` is True when it was deleted or trashed.

    Like Drive, a backend does not always tell a new file from a modified one: both have ``removed=False``.
    ``entry`` is the file as it is now (None when removed); ``path`` is best effort (None when unknown).
    """

    id: str
    removed: bool
    entry: Entry | None = None
    path: str | None = None
    time: datetime | None = None


#: What the read/stat/remove primitives accept: a path, ``"id:<fileId>"``, or an Entry.
Target: TypeAlias = "str | Entry"


def norm_path(path: str) -> str:
    """Normalise a '/'-separated path: no leading/trailing '/', no empty or '.' parts ("" is the root).

    '..' is refused: paths never leave the backend root.
    """
    if path.startswith(ID_PREFIX):
        return path
    parts = [p for p in path.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise ValueError(f"{path!r}: '..' is not allowed in a Drive path")
    return "/".join(parts)


def join_path(folder: str, name: str) -> str:
    """Join a folder path and one entry name ("" is the root)."""
    return f"{folder}/{name}" if folder else name


def split_path(path: str) -> tuple[str, str]:
    """Split a normalised path into (parent folder path, name)."""
    parent, _, name = path.rpartition("/")
    return parent, name


def md5_file(path: str | Path, chunk_size: int = 1 << 20) -> str:
    """Hex md5 of a local file, read in chunks."""
    digest = hashlib.md5()
    with open(path, "rb") as fh:
        while chunk := fh.read(chunk_size):
            digest.update(chunk)
    return digest.hexdigest()


def atomic_write(dest: Path, chunks: Iterable[bytes], expected_md5: str | None = None) -> str:
    """Write chunks to a temporary file beside ``dest``, fsync, then os.replace into place; return the md5.

    With ``expected_md5``, a content mismatch raises DriveError and leaves ``dest`` untouched.
    """
    dest.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.md5()
    with atomic_open(dest) as fh:
        for chunk in chunks:
            digest.update(chunk)
            fh.write(chunk)
        if expected_md5 is not None and digest.hexdigest() != expected_md5:
            raise DriveError(
                f"{dest.name}: copied content does not match the expected md5; the source changed"
            )
    return digest.hexdigest()


class Drive(ABC):
    """A tree of files and folders: implement the primitives, get the helpers (exists, walk, find…) for free.

    Paths are '/'-separated strings relative to the backend root; a name is the last part. Every failure
    is a ``gdrivestats.errors.DriveError`` (``NotFound`` is also a ``FileNotFoundError``).
    """

    # ---- primitives ------------------------------------------------------------------------------

    @abstractmethod
    def list(self, path: Target = "", recursive: bool = False) -> list[Entry]:
        """Entries of a folder (and of all its subfolders when ``recursive``), sorted by path."""

    @abstractmethod
    def stat(self, path: Target) -> Entry:
        """The entry at ``path``; NotFound if there is none."""

    @abstractmethod
    def read_bytes(self, path: Target) -> bytes:
        """The whole content of a file (native Google files are exported, e.g. Sheets as xlsx)."""

    @abstractmethod
    def download(self, path: Target, dest: Path) -> Path:
        """Copy a file to ``dest`` atomically (temporary file, md5 check when known, os.replace)."""

    @abstractmethod
    def write_bytes(self, folder: Target, name: str, data: bytes) -> Entry:
        """Upsert ``name`` in ``folder``: update the file if one has that name (same id), else create it."""

    @abstractmethod
    def makedirs(self, path: str, folder_id: str | None = None) -> Entry:
        """Create a folder and its missing parents (like mkdir -p); return the folder's entry.

        ``folder_id`` (from ``new_folder_id``, recorded before) is the id the last folder has or gets: the
        folder with that id while it is there under that name, even before listings show it (a run that
        stopped right after making it); else the one of that name; else it is made with that id.
        """

    @abstractmethod
    def remove(self, path: Target, recursive: bool = False) -> None:
        """Remove a file, or a folder (a non-empty folder only when ``recursive``)."""

    @abstractmethod
    def start_token(self) -> str:
        """A token marking 'now' for ``changes``."""

    @abstractmethod
    def changes(self, token: str) -> tuple[builtins.list[Change], str]:
        """Files changed since ``token``, and the token to pass next time."""

    @abstractmethod
    def account(self) -> str:
        """Who and where this drive is (server, account, shared drive): a mirror's state belongs to one."""

    # ---- overridable with a better implementation ------------------------------------------------

    def folder_link(self, path: Target) -> str | None:
        """Where a person opens this folder (a Drive address, a file:// URL), or None."""
        return None

    def new_folder_id(self) -> str | None:
        """An id for a folder not made yet (see ``makedirs``), so a record of it can be kept first and a
        crash between the create and the record never leaves a folder nobody knows; None where the backend
        names folders itself (a local folder's path is its id)."""
        return None

    def release_connection(self) -> None:
        """This thread is done with the drive for now: its open connection, if any, may serve the next
        thread that needs one (saving it a TCP and TLS handshake); should this thread call again, it takes
        a connection as a new thread would. A no-op where there are no connections."""
        return None

    def account_hint(self) -> str:
        """A key that changes whenever ``account`` may have changed, known without asking the server.

        A mirror asks ``account`` (an API call for Drive) only when this differs from the stored one.
        """
        return self.account()

    def upload(
        self, local_path: Path | str, folder: Target, name: str | None = None, known_id: str | None = None
    ) -> Entry:
        """Upsert a local file into ``folder`` under ``name`` (default: the local file's name).

        ``known_id``: the file this upsert updated last time, asked for by id where a backend can (Drive's
        listings may not show a file created moments ago; a create there would make a duplicate).
        """
        local_path = Path(local_path)
        return self.write_bytes(folder, name or local_path.name, local_path.read_bytes())

    def upload_as_sheet(
        self, local_path: Path | str, folder: Target, name: str, known_id: str | None = None
    ) -> Entry:
        """Upsert an xlsx file as a native Google Sheet where the backend can make one (the Drive API);
        elsewhere (a local folder, Colab's mount) as the xlsx file it is, named ``name.xlsx``."""
        return self.upload(local_path, folder, name if name.lower().endswith(".xlsx") else name + ".xlsx")

    def checksum(self, path: Target) -> str | None:
        """The md5 of a file's content (None for native Google files, which have none)."""
        entry = self._as_entry(path)
        if entry.md5 is not None or entry.is_native:
            return entry.md5
        return hashlib.md5(self.read_bytes(entry)).hexdigest()

    # ---- derived helpers -------------------------------------------------------------------------

    def exists(self, path: Target) -> bool:
        """True if something is at ``path``."""
        try:
            self.stat(path)
        except NotFound:
            return False
        return True

    def is_folder(self, path: Target) -> bool:
        """True if ``path`` is an existing folder."""
        try:
            return self.stat(path).is_folder
        except NotFound:
            return False

    def walk(self, path: Target = "") -> Iterator[tuple[str, builtins.list[Entry], builtins.list[Entry]]]:
        """Like os.walk, top-down: (folder path, subfolders, files), from one recursive listing."""
        top = self._as_entry(path)
        if not top.is_folder:
            raise DriveError(f"{top.path or '/'}: not a folder")
        children: dict[str, list[Entry]] = {}
        for entry in self.list(top, recursive=True):
            children.setdefault(split_path(entry.path)[0], []).append(entry)
        pending = [top.path]
        while pending:
            folder = pending.pop(0)
            kids = children.get(folder, [])
            folders = [e for e in kids if e.is_folder]
            yield folder, folders, [e for e in kids if not e.is_folder]
            pending[0:0] = [f.path for f in folders]

    def find(self, path: Target = "", pattern: str = "*") -> builtins.list[Entry]:
        """Every file below ``path`` (recursively) whose name matches the glob ``pattern``, sorted by path."""
        return [
            e
            for e in self.list(path, recursive=True)
            if not e.is_folder and fnmatch.fnmatchcase(e.name.lower(), pattern.lower())
        ]

    def read_text(self, path: Target, encoding: str = "utf-8") -> str:
        """The content of a file decoded as text."""
        return self.read_bytes(path).decode(encoding)

    # ---- shared plumbing -------------------------------------------------------------------------

    def _as_entry(self, path: Target) -> Entry:
        """An Entry for a target: itself if it already is one, else ``stat``."""
        return path if isinstance(path, Entry) else self.stat(path)
