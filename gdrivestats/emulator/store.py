"""In-memory Drive state for the emulator: files, shared drives, content, changes; thread-safe."""

from __future__ import annotations

import hashlib
import random
import string
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

FOLDER_MIME = "application/vnd.google-apps.folder"
SHEET_MIME = "application/vnd.google-apps.spreadsheet"
SHORTCUT_MIME = "application/vnd.google-apps.shortcut"
GOOGLE_APPS_PREFIX = "application/vnd.google-apps."
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOC_MIME = "application/vnd.google-apps.document"
SLIDES_MIME = "application/vnd.google-apps.presentation"
FORM_MIME = "application/vnd.google-apps.form"
#: The reasons ``Store.block_download`` can give a file (Drive's 403 reasons for a refused download).
DOWNLOAD_BLOCKS = frozenset({"downloadQuotaExceeded", "cannotDownloadAbusiveFile"})

_ID_CHARS = string.ascii_letters + string.digits + "-_"


def format_time(moment: datetime) -> str:
    """RFC 3339 with milliseconds and a Z, as Drive writes times."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def parse_time(text: str) -> datetime:
    """Parse an RFC 3339 time; a time without an offset is UTC (Drive's rule for query values)."""
    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


class DriveStateError(Exception):
    """A Drive-level error raised by the store; the API layer turns it into Google's JSON error."""

    def __init__(self, code: int, reason: str, message: str, domain: str = "global", **extra: str) -> None:
        super().__init__(message)
        self.code = code
        self.reason = reason
        self.message = message
        self.domain = domain
        self.extra = extra


def not_found(file_id: str) -> DriveStateError:
    """Drive's 404 for a file the caller cannot see."""
    return DriveStateError(
        404, "notFound", f"File not found: {file_id}.", location="fileId", locationType="parameter"
    )


@dataclass
class FileRecord:
    """One Drive item (file, folder, native spreadsheet or shortcut)."""

    id: str
    name: str
    mime_type: str
    parents: list[str]
    created: datetime
    modified: datetime
    data: bytes | None = None
    drive_id: str | None = None
    explicitly_trashed: bool = False
    trashed_time: datetime | None = None
    version: int = 1
    head_revision_id: str | None = None
    md5: str | None = None
    sha1: str | None = None
    sha256: str | None = None
    description: str | None = None
    starred: bool = False
    shortcut_target: str | None = None
    shortcut_target_mime: str | None = None
    original_filename: str | None = None
    properties: dict[str, str] = field(default_factory=dict)
    app_properties: dict[str, str] = field(default_factory=dict)
    seq: int = 0
    can_download: bool = True  # False: the owner disabled downloads (capabilities.canDownload false)
    copy_requires_writer_permission: bool = False
    download_block: str | None = None  # a DOWNLOAD_BLOCKS reason every download of this file gets
    owner: str | None = None  # another user's email: owned by them and shared with this user
    listed_from: float = 0.0  # time.time() from which files.list shows the item (listing lag)
    visibility: str = "limited"  # "anyoneWithLink" once a permission of type anyone exists

    @property
    def is_folder(self) -> bool:
        return self.mime_type == FOLDER_MIME

    @property
    def is_native(self) -> bool:
        return self.mime_type.startswith(GOOGLE_APPS_PREFIX)

    @property
    def is_blob(self) -> bool:
        return not self.is_native


@dataclass
class SharedDrive:
    """A shared drive; its id is also the id of its root folder."""

    id: str
    name: str
    created: datetime


@dataclass(frozen=True)
class ChangeRecord:
    """One entry of the change log; the file's current state is read when changes are listed."""

    seq: int
    file_id: str
    drive_id: str | None
    time: datetime
    removed: bool
    kind: str = "file"  # "drive": a shared drive was created, renamed or deleted (file_id is its id)


@dataclass
class UploadSession:
    """A resumable upload in progress."""

    id: str
    file_id: str | None
    metadata: dict[str, Any]
    mime_type: str
    total: int | None
    params: dict[str, str]
    received: bytearray = field(default_factory=bytearray)
    result: dict[str, Any] | None = None
    started: float = field(default_factory=time.time)


class Store:
    """The emulator's Drive: every public method takes the lock, so handler threads may share it.

    Knobs a test may set (all off or Drive's own values by default):

    ``quota_limit``, ``export_limit``
        My Drive's storage quota and the 10 MB export limit (403 storageQuotaExceeded,
        exportSizeLimitExceeded).
    ``listing_lag``
        Seconds an item created through the API (files.create, copy, uploads) stays out of files.list
        answers (files.get, changes and creates with its id see it at once), as Drive's listings lag behind
        writes. Items a test adds with the ``add_*`` helpers are listed at once.
    ``upload_session_lifetime``
        Seconds a resumable session lives (Drive: a week); an expired session answers 404.
    ``write_rate``
        Writes (create, update, copy, delete, upload starts) per second this user may make; more get 403
        userRateLimitExceeded. None (the default) is no limit.
    ``token_scopes``
        Access token -> space-separated OAuth scopes, for tokens a test makes up; tokens the OAuth endpoints
        issue carry the scopes they were granted. A token without scopes (the default ``test-token``) may do
        everything; a ``drive.readonly`` or ``drive.metadata.readonly`` token gets 403
        insufficientPermissions on writes (and the metadata scope also on downloads); ``drive.file`` is
        treated as ``drive``.
    Per file (see ``block_download``, ``set_capabilities``, ``add_shared_with_me``): downloads refused
    with a 403 reason, ``canDownload`` false, ``copyRequiresWriterPermission``, another owner.
    """

    def __init__(self, id_seed: int | None = None) -> None:
        self.lock = threading.RLock()
        self._rng = random.Random(id_seed)
        self.files: dict[str, FileRecord] = {}
        self.drives: dict[str, SharedDrive] = {}
        self.changes: list[ChangeRecord] = []
        self.uploads: dict[str, UploadSession] = {}
        self.user_email = "emulator-user@example.com"
        self.user_name = "Emulator User"
        self.quota_limit = 15 * 1024**3
        self.export_limit = 10 * 1024 * 1024
        self.token_validator: Callable[[str], bool] | None = None
        self.listing_lag = 0.0
        self.upload_session_lifetime = 7 * 24 * 3600.0
        self.write_rate: float | None = None
        self.token_scopes: dict[str, str] = {}
        #: Installed by the OAuth endpoints: the scopes of a token they issued (None: not theirs).
        self.scope_lookup: Callable[[str], str | None] | None = None
        self.generated_ids: set[str] = set()
        self.permissions: dict[str, list[dict[str, Any]]] = {}
        self._write_allowance = 0.0
        self._write_checked = 0.0
        self.oauth_state: dict[str, Any] = {}
        self._last_time = datetime.now(UTC) - timedelta(seconds=1)
        self._seq = 0
        self._file_counter = 0
        self._used = 0  # bytes of blob content in My Drive (trash included), kept up to date
        self.root_id = self._root_like_id()
        now = self.now()
        self.files[self.root_id] = FileRecord(self.root_id, "My Drive", FOLDER_MIME, [], now, now)

    # ----- ids and clock -------------------------------------------------------------------------
    def new_id(self) -> str:
        """A Drive-like 33-character file id."""
        return "1" + "".join(self._rng.choice(_ID_CHARS) for _ in range(32))

    def _root_like_id(self) -> str:
        return (
            "0A"
            + "".join(self._rng.choice(string.ascii_letters + string.digits) for _ in range(11))
            + "Uk9PVA"
        )

    def new_token(self, length: int = 24) -> str:
        """A random opaque token (revision ids, upload ids)."""
        return "".join(self._rng.choice(string.ascii_letters + string.digits) for _ in range(length))

    def now(self) -> datetime:
        """Current time, truncated to milliseconds and strictly increasing between calls."""
        with self.lock:
            moment = datetime.now(UTC)
            moment = moment.replace(microsecond=moment.microsecond // 1000 * 1000)
            if moment <= self._last_time:
                moment = self._last_time + timedelta(milliseconds=1)
            self._last_time = moment
            return moment

    # ----- lookups -------------------------------------------------------------------------------
    def resolve_id(self, file_id: str) -> str:
        return self.root_id if file_id == "root" else file_id

    def get(self, file_id: str) -> FileRecord:
        """The record for an id (``root`` allowed), or a 404 DriveStateError."""
        with self.lock:
            record = self.files.get(self.resolve_id(file_id))
            if record is None:
                raise not_found(file_id)
            return record

    def is_trashed(self, record: FileRecord) -> bool:
        """Trashed explicitly or through a trashed ancestor, as Drive reports ``trashed``."""
        with self.lock:
            seen: set[str] = set()
            current: FileRecord | None = record
            while current is not None and current.id not in seen:
                if current.explicitly_trashed:
                    return True
                seen.add(current.id)
                current = self.files.get(current.parents[0]) if current.parents else None
            return False

    def children(self, folder_id: str) -> list[FileRecord]:
        with self.lock:
            return [f for f in self.files.values() if folder_id in f.parents]

    def descendants(self, folder_id: str) -> Iterator[FileRecord]:
        with self.lock:
            stack = [folder_id]
            while stack:
                current = stack.pop()
                for child in self.children(current):
                    yield child
                    if child.is_folder:
                        stack.append(child.id)

    def usage(self) -> tuple[int, int]:
        """Bytes used in My Drive, and the part of it in the trash."""
        with self.lock:
            trash = sum(self._quota_bytes(r) for r in self.files.values() if r.data and self.is_trashed(r))
            return self._used, trash

    @staticmethod
    def _quota_bytes(record: FileRecord) -> int:
        """What a record counts against the My Drive quota."""
        if record.drive_id is not None or not record.is_blob or record.data is None:
            return 0
        return len(record.data)

    def scopes_of(self, token: str) -> set[str] | None:
        """The OAuth scopes of a token (short names: ``drive``, ``drive.readonly``); None if unknown."""
        with self.lock:
            text = self.token_scopes.get(token)
        if text is None and self.scope_lookup is not None:
            text = self.scope_lookup(token)
        if text is None:
            return None
        prefix = "https://www.googleapis.com/auth/"
        return {s.removeprefix(prefix) for s in text.split()}

    def take_write(self) -> bool:
        """Count one write against ``write_rate`` (a token bucket); False when over the limit."""
        with self.lock:
            if self.write_rate is None:
                return True
            now = time.monotonic()
            capacity = max(1.0, self.write_rate)
            if self._write_checked == 0.0:
                self._write_allowance = capacity
            else:
                elapsed = now - self._write_checked
                self._write_allowance = min(capacity, self._write_allowance + elapsed * self.write_rate)
            self._write_checked = now
            if self._write_allowance < 1.0:
                return False
            self._write_allowance -= 1.0
            return True

    # ----- change log ----------------------------------------------------------------------------
    def _record_change(self, record: FileRecord, removed: bool = False) -> None:
        self._seq += 1
        self.changes.append(ChangeRecord(self._seq, record.id, record.drive_id, self.now(), removed))

    def _record_drive_change(self, drive_id: str, removed: bool = False) -> None:
        self._seq += 1
        self.changes.append(ChangeRecord(self._seq, drive_id, drive_id, self.now(), removed, kind="drive"))

    def next_change_seq(self) -> int:
        with self.lock:
            return self._seq + 1

    def _touch(self, record: FileRecord, modified: datetime | None = None) -> None:
        record.version += 1
        record.modified = modified or self.now()
        self._record_change(record)

    # ----- content -------------------------------------------------------------------------------
    def _set_content(self, record: FileRecord, data: bytes) -> None:
        tracked = record.id in self.files
        if tracked:
            self._used -= self._quota_bytes(record)
        record.data = bytes(data)
        if tracked:
            self._used += self._quota_bytes(record)
        if record.is_blob:
            record.md5 = hashlib.md5(data).hexdigest()
            record.sha1 = hashlib.sha1(data).hexdigest()
            record.sha256 = hashlib.sha256(data).hexdigest()
            record.head_revision_id = "0B" + self.new_token(40)

    def check_quota(self, extra_bytes: int, drive_id: str | None) -> None:
        """Raise storageQuotaExceeded when adding bytes to My Drive would pass the limit."""
        if drive_id is not None:
            return
        if self._used + extra_bytes > self.quota_limit:
            raise DriveStateError(
                403,
                "storageQuotaExceeded",
                "The user's Drive storage quota has been exceeded.",
                domain="usageLimits",
            )

    def _parent_record(self, parent_id: str | None) -> FileRecord:
        parent = self.get(parent_id or "root")
        if not parent.is_folder:
            raise DriveStateError(400, "badRequest", f"The parent {parent.id} is not a folder.")
        return parent

    # ----- creation helpers (used by the API and directly by tests) -------------------------------
    def create(
        self,
        parent_id: str | None,
        name: str,
        mime_type: str,
        data: bytes | None = None,
        *,
        file_id: str | None = None,
        modified: datetime | None = None,
        created: datetime | None = None,
        shortcut_target: str | None = None,
        description: str | None = None,
        starred: bool = False,
        properties: dict[str, str] | None = None,
        app_properties: dict[str, str] | None = None,
        original_filename: str | None = None,
    ) -> FileRecord:
        """Create any kind of item under ``parent_id`` (default: My Drive) and log the change."""
        with self.lock:
            parent = self._parent_record(parent_id)
            if data is not None and mime_type != SHEET_MIME:
                self.check_quota(
                    len(data), parent.drive_id or (parent.id if parent.id in self.drives else None)
                )
            drive_id = parent.id if parent.id in self.drives else parent.drive_id
            now = self.now()
            record = FileRecord(
                id=file_id or self.new_id(),
                name=name,
                mime_type=mime_type,
                parents=[parent.id],
                created=created or now,
                modified=modified or now,
                drive_id=drive_id,
                description=description,
                starred=starred,
                properties=dict(properties or {}),
                app_properties=dict(app_properties or {}),
                original_filename=original_filename,
            )
            if record.id in self.files:
                raise DriveStateError(409, "duplicate", "A file already exists with the provided ID.")
            if mime_type == SHORTCUT_MIME:
                if not shortcut_target:
                    raise DriveStateError(400, "shortcutTargetRequired", "A shortcut must have a target.")
                target = self.get(shortcut_target)
                record.shortcut_target = target.id
                record.shortcut_target_mime = target.mime_type
            if record.is_native and mime_type not in {FOLDER_MIME, SHORTCUT_MIME}:
                record.data = data  # Sheets: the xlsx they export; Docs, Slides: their text
            elif record.is_blob:
                self._set_content(record, data or b"")
            self._seq_counter_bump(record)
            self.files[record.id] = record
            self._used += self._quota_bytes(record)
            self._record_change(record)
            return record

    def _seq_counter_bump(self, record: FileRecord) -> None:
        self._file_counter += 1
        record.seq = self._file_counter

    def add_folder(self, parent_id: str | None, name: str) -> FileRecord:
        """A folder under ``parent_id`` (None or ``root`` for My Drive)."""
        return self.create(parent_id, name, FOLDER_MIME)

    def add_file(
        self,
        parent_id: str | None,
        name: str,
        data: bytes = b"",
        mime_type: str = "application/octet-stream",
        modified: datetime | None = None,
    ) -> FileRecord:
        """A binary file with content."""
        return self.create(parent_id, name, mime_type, data, modified=modified)

    def add_spreadsheet(self, parent_id: str | None, name: str, xlsx: bytes) -> FileRecord:
        """A native Google Sheet; ``xlsx`` is what files.export returns (csv: its first sheet)."""
        return self.create(parent_id, name, SHEET_MIME, xlsx)

    def add_shortcut(self, parent_id: str | None, name: str, target_id: str) -> FileRecord:
        """A shortcut pointing at ``target_id``."""
        return self.create(parent_id, name, SHORTCUT_MIME, shortcut_target=target_id)

    def add_document(
        self, parent_id: str | None, name: str, mime_type: str = DOC_MIME, text: str = ""
    ) -> FileRecord:
        """A native Google Doc (or Slides, Form: pass ``mime_type``) whose text exports as text/plain."""
        return self.create(parent_id, name, mime_type, text.encode("utf-8"))

    def add_shared_with_me(
        self, name: str, data: bytes, mime_type: str = "application/octet-stream", owner: str = ""
    ) -> FileRecord:
        """A file owned by another user (``owner``) and shared with this one: in no folder of My Drive,
        ``ownedByMe`` false, found with ``sharedWithMe``. Put a shortcut to it in a folder to mirror it."""
        with self.lock:
            holder = self.create(None, name, mime_type, data)
            self._used -= self._quota_bytes(holder)
            holder.parents = []
            holder.owner = owner or "someone-else@example.com"
            return holder

    def check_writable(self, record: FileRecord) -> None:
        """403 insufficientFilePermissions for a change to a file another user only shared with this one."""
        if record.owner is not None:
            raise DriveStateError(
                403,
                "insufficientFilePermissions",
                "The user does not have sufficient permissions for this file.",
            )

    def block_download(self, file_id: str, reason: str | None) -> FileRecord:
        """Make every download or export of a file answer 403 ``reason`` (one of DOWNLOAD_BLOCKS); None
        lifts it. ``acknowledgeAbuse=true`` lets a ``cannotDownloadAbusiveFile`` download through."""
        if reason is not None and reason not in DOWNLOAD_BLOCKS:
            raise ValueError(f"reason must be one of {sorted(DOWNLOAD_BLOCKS)}")
        with self.lock:
            record = self.get(file_id)
            record.download_block = reason
            return record

    def set_capabilities(
        self, file_id: str, *, can_download: bool | None = None, copy_requires_writer: bool | None = None
    ) -> FileRecord:
        """``capabilities.canDownload`` (False: downloads and exports answer 403 cannotDownloadFile, as when
        the owner disabled them) and ``copyRequiresWriterPermission`` of a file (on a file another user
        shared with this one, it also turns ``canDownload`` off: this user is only a reader)."""
        with self.lock:
            record = self.get(file_id)
            if can_download is not None:
                record.can_download = can_download
            if copy_requires_writer is not None:
                record.copy_requires_writer_permission = copy_requires_writer
                if copy_requires_writer and record.owner is not None:
                    record.can_download = False
            self._touch(record)
            return record

    def convert_to_sheet(self, record: FileRecord) -> None:
        """Turn a binary file into a native Sheet (an xlsx upload with mimeType spreadsheet); lock held."""
        with self.lock:
            self._used -= self._quota_bytes(record)
            record.mime_type = SHEET_MIME
            record.md5 = record.sha1 = record.sha256 = record.head_revision_id = None

    def bump_version(self, file_id: str) -> FileRecord:
        """Move a file's ``version`` on (and log a change) without changing its content or modifiedTime,
        as Drive does for a Sheet when someone views or reformats it."""
        with self.lock:
            record = self.get(file_id)
            record.version += 1
            self._record_change(record)
            return record

    def add_shared_drive(self, name: str, drive_id: str | None = None) -> SharedDrive:
        """A shared drive; add items to it with its id as ``parent_id``."""
        with self.lock:
            drive = SharedDrive(drive_id or self._root_like_id(), name, self.now())
            self.drives[drive.id] = drive
            root = FileRecord(
                drive.id, name, FOLDER_MIME, [], drive.created, drive.created, drive_id=drive.id
            )
            self.files[drive.id] = root
            self._record_drive_change(drive.id)
            return drive

    def rename_shared_drive(self, drive_id: str, name: str) -> SharedDrive:
        with self.lock:
            drive = self.drives[drive_id]
            drive.name = name
            self.files[drive_id].name = name
            self._record_drive_change(drive_id)
            return drive

    def delete_shared_drive(self, drive_id: str) -> None:
        """Delete an empty shared drive (one with items: 403 cannotDeleteTeamDrive, as Drive answers)."""
        with self.lock:
            if any(r.drive_id == drive_id and r.id != drive_id for r in self.files.values()):
                raise DriveStateError(
                    403, "cannotDeleteTeamDrive", "The shared drive cannot be deleted: it is not empty."
                )
            self.drives.pop(drive_id)
            self.files.pop(drive_id, None)
            self._record_drive_change(drive_id, removed=True)

    # ----- modifications --------------------------------------------------------------------------
    def update_content(self, file_id: str, data: bytes, mime_type: str | None = None) -> FileRecord:
        """Replace a file's content (for a native sheet: its xlsx bytes) and bump version and modifiedTime."""
        with self.lock:
            record = self.get(file_id)
            if record.is_folder or record.mime_type == SHORTCUT_MIME:
                raise DriveStateError(400, "badRequest", "Folders and shortcuts have no content.")
            if record.mime_type == SHEET_MIME:
                record.data = bytes(data)
            else:
                old = len(record.data or b"")
                self.check_quota(len(data) - old, record.drive_id)
                self._set_content(record, data)
                if mime_type:
                    record.mime_type = mime_type
            self._touch(record)
            return record

    def rename(self, file_id: str, new_name: str) -> FileRecord:
        with self.lock:
            record = self.get(file_id)
            record.name = new_name
            self._touch(record)
            return record

    def set_metadata(self, file_id: str, **changes: Any) -> FileRecord:
        """Apply already-validated metadata changes (name, description, starred, modified, ...)."""
        with self.lock:
            record = self.get(file_id)
            modified = changes.pop("modified", None)
            for key, value in changes.items():
                setattr(record, key, value)
            self._touch(record, modified)
            return record

    def move(self, file_id: str, new_parent_id: str) -> FileRecord:
        """Give a file a single new parent (Drive allows one parent per item)."""
        with self.lock:
            record = self.get(file_id)
            parent = self._parent_record(new_parent_id)
            if parent.id == record.id or any(d.id == parent.id for d in self.descendants(record.id)):
                raise DriveStateError(400, "badRequest", "The move would create a cycle in the folder graph.")
            record.parents = [parent.id]
            self._set_drive(record, parent.id if parent.id in self.drives else parent.drive_id)
            self._touch(record)
            return record

    def _set_drive(self, record: FileRecord, drive_id: str | None) -> None:
        """Move an item and everything below it into My Drive (None) or a shared drive."""
        for item in [record, *self.descendants(record.id)]:
            self._used -= self._quota_bytes(item)
            item.drive_id = drive_id
            self._used += self._quota_bytes(item)

    def trash(self, file_id: str, trashed: bool = True) -> FileRecord:
        """Trash (or restore) an item; items below a trashed folder report trashed=true too."""
        with self.lock:
            record = self.get(file_id)
            if record.explicitly_trashed == trashed:
                return record
            record.explicitly_trashed = trashed
            record.trashed_time = self.now() if trashed else None
            self._touch(record)
            if record.is_folder:
                for child in self.descendants(record.id):
                    child.version += 1
                    self._record_change(child)
            return record

    def delete(self, file_id: str) -> None:
        """Delete permanently, with everything below a folder; logs ``removed`` changes."""
        with self.lock:
            record = self.get(file_id)
            if record.id == self.root_id or record.id in self.drives:
                raise DriveStateError(403, "insufficientFilePermissions", "The user cannot delete this item.")
            doomed = [record, *self.descendants(record.id)]
            for item in doomed:
                self._used -= self._quota_bytes(item)
                del self.files[item.id]
                self._record_change(item, removed=True)

    # ----- resumable sessions ----------------------------------------------------------------------
    def new_upload(
        self,
        file_id: str | None,
        metadata: dict[str, Any],
        mime_type: str,
        total: int | None,
        params: dict[str, str],
    ) -> UploadSession:
        with self.lock:
            session = UploadSession(
                "AEnB2U" + self.new_token(60), file_id, metadata, mime_type, total, params
            )
            self.uploads[session.id] = session
            return session


def visible(store: Store, record: FileRecord, all_drives: bool) -> bool:
    """Whether a request with the given supportsAllDrives flag may see this record."""
    return record.drive_id is None or (all_drives and record.drive_id in store.drives)


def apply_update(
    store: Store,
    file_id: str,
    *,
    metadata: dict[str, Any],
    new_parent: str | None = None,
    data: bytes | None = None,
    trashed: bool | None = None,
) -> FileRecord:
    """One files.update: metadata, a move, new content and trash state, bumping the version once."""
    with store.lock:
        record = store.get(file_id)
        if new_parent is not None and new_parent != (record.parents[0] if record.parents else None):
            parent = store._parent_record(new_parent)
            if parent.id == record.id or any(d.id == parent.id for d in store.descendants(record.id)):
                raise DriveStateError(400, "badRequest", "The move would create a cycle in the folder graph.")
            record.parents = [parent.id]
            store._set_drive(record, parent.id if parent.id in store.drives else parent.drive_id)
        if data is not None:
            if record.is_folder or record.mime_type == SHORTCUT_MIME:
                raise DriveStateError(400, "badRequest", "Folders and shortcuts have no content.")
            if record.mime_type == SHEET_MIME:
                record.data = bytes(data)
            else:
                store.check_quota(len(data) - len(record.data or b""), record.drive_id)
                store._set_content(record, data)
        modified = metadata.pop("modified", None)
        for key, value in metadata.items():
            setattr(record, key, value)
        if trashed is not None and trashed != record.explicitly_trashed:
            record.explicitly_trashed = trashed
            record.trashed_time = store.now() if trashed else None
            if record.is_folder:
                for child in store.descendants(record.id):
                    child.version += 1
                    store._record_change(child)
        store._touch(record, modified)
        return record
