"""ApiDrive: the Drive interface over Drive v3 (google-api-python-client), with every Drive quirk inside.

Paths
    '/'-separated names from the root of My Drive ("Colab Notebooks/Reports/sales.xlsx"). A path starting
    with ``shared:<shared drive name>/`` is inside that shared drive ("shared:Team/Reports/a.xlsx"); with
    ``ApiDrive(..., drive_id=ID)`` the shared drive itself is the root and plain paths are inside it.
    ``"id:<fileId>"`` or an ``Entry`` addresses a file directly (a name containing '/' can only be
    reached that way). Resolved paths are cached (path -> Entry); writes, removals and reported changes
    update or drop the cache entries they touch.
Duplicates
    Drive allows several items with one name in a folder. Resolving a path picks the oldest (createdTime,
    then id); every clash seen is logged once as a warning and kept in ``ApiDrive.duplicates``. Listings
    return every duplicate; ``paths.local_paths`` gives them distinct local names.
Shortcuts
    Followed: an entry reached through a shortcut describes the target (id, size, md5, content) under the
    shortcut's name and path, with ``shortcut_id`` set; a shortcut to a folder lists that folder, once,
    and never when it points at the listed folder itself or one of its ancestors (My Drive's root, say):
    that would list the tree inside itself, or all of My Drive. Removing such an entry removes the
    shortcut, never the target. Dangling shortcuts are skipped with a warning.
Native Google files
    Sheets are exported to xlsx (``files.export``, Drive's limit is 10 MB: ``ExportTooLarge`` beyond).
Listing
    Recursive listings ask about up to 50 folders per query (``'a' in parents or 'b' in parents …``),
    1,000 results a page, only the fields needed; every folder a multi-folder query returns with no
    children is asked again on its own (Drive sometimes leaves one folder out of such answers, or answers
    with nothing): one extra call per really empty folder. ``capabilities.canDownload`` is asked for, so
    files Drive will not serve are known (``Entry.can_download``) before a download is tried.
    ``list_streaming`` hands each entry on as soon as its page is in (each query's first page is a short
    one), so a sync starts downloading while the listing goes on. A path below My Drive is looked up with
    the alias ``'root'`` in the query: no call for the root's own id.
Transfers and threads
    Downloads (one request for a file that fits in one chunk, else chunk by chunk) go to a temporary
    file, checked against md5, then replaced into place (or, with ``fetch_into``, into a file the caller
    opened, fsyncs and places itself); uploads are multipart up to 5 MiB, resumable in chunks above, and
    resume after failures. Each thread gets its own HTTP connection (httplib2 is not thread-safe), so
    ``download_many`` is safe with many workers.
Changes
    ``changes`` costs one request per page of 1,000: a trashed file counts as removed, and ``Change.path``
    is filled only when this ApiDrive already knows the file or its folder (no request is made for it).
    Every reported id is dropped from the path cache, with everything cached below it.
Creates
    Idempotent without trusting listings (they lag behind writes): every create names an id from
    ``files.generateIds`` (fetched 20 at a time), so a retried create, or httplib2's own silent re-send,
    answers 409 and the file already made is used. A resumable session Drive drops (404) starts the
    upload again from the beginning, once.
Blocked downloads
    ``DownloadBlocked`` (with Drive's ``reason`` and a ``retry_after``) for a file whose owner disabled
    downloads (known from the listing, no request made), a used-up download quota, an abuse flag
    (``acknowledge_abuse=True`` downloads it anyway, for its owner) or a native file that has no content;
    ``ExportTooLarge`` for a Sheet over the export limit. None of them is a "permission denied".
Retries
    Only in ``drive.retry`` (pass ``backoff=`` to tune them); each try of a request has
    ``backoff.request_deadline`` seconds in all, so a server that trickles bytes is given up on and asked
    again. ``remove`` moves to the trash by default (``trash=False`` deletes for good).
"""

from __future__ import annotations

import builtins
import hashlib
import io
import json
import logging
import mimetypes
import os
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import IO, Any, NamedTuple, TypeVar
from urllib.parse import quote as url_quote

from gdrivestats.drive import _deferred  # noqa: F401  # isort: skip  (before httplib2 is imported)
from google_auth_httplib2 import AuthorizedHttp
from googleapiclient.http import HttpRequest, MediaIoBaseUpload, build_http
from googleapiclient.model import JsonModel, MediaModel

from gdrivestats.drive.base import (
    FOLDER_MIME,
    GOOGLE_APPS_PREFIX,
    ID_PREFIX,
    SHORTCUT_MIME,
    SPREADSHEET_MIME,
    XLSX_MIME,
    Change,
    Drive,
    Entry,
    Target,
    join_path,
    norm_path,
)
from gdrivestats.drive.pacer import Pacer
from gdrivestats.drive.retry import BLOCKED_REASONS, DEFAULT_BACKOFF, Backoff, call_with_retry, with_deadline
from gdrivestats.drive.transfer import (
    DEFAULT_CHUNK_SIZE,
    UPLOAD_BLOCK,
    UploadSessionExpired,
    download_file,
    download_into,
    read_small,
    read_whole,
    upload_resumable,
)
from gdrivestats.errors import AlreadyExists, AuthError, DownloadBlocked, DriveError, NotFound
from gdrivestats.names import printable

logger = logging.getLogger(__name__)
T = TypeVar("T")

ENV_URL = "GDRIVESTATS_DRIVE_URL"
ENV_TOKEN = "GDRIVESTATS_ACCESS_TOKEN"
SHARED_PREFIX = "shared:"
FILE_FIELDS = (
    "id,name,mimeType,parents,md5Checksum,size,modifiedTime,version,headRevisionId,"
    "shortcutDetails,driveId,createdTime,capabilities(canDownload)"
)
LIST_FIELDS = f"nextPageToken,files({FILE_FIELDS})"
CHANGE_FIELDS = (
    f"nextPageToken,newStartPageToken,changes(changeType,fileId,removed,time,file({FILE_FIELDS},trashed))"
)
MULTIPART_LIMIT = 5 << 20
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ROOT_ALIAS = "root"  # what Drive accepts for My Drive's id in files.get and in queries
FOLDERS_PER_QUERY = 50
#: The most writes a second the pacer probes up to (rclone paces Drive at one call per 100 ms); it starts at
#: ``pacer.START_RATE`` (2.5, Drive's sustained per-user limit) and backs off on Drive's "slow down" answers.
WRITE_RATE = 10.0
PAGE_SIZE = 1000
#: The first page of a listing query that is streamed (``list_streaming``): a short page comes back sooner.
STREAM_FIRST_PAGE = 100
IDS_PER_CALL = 20  # files.generateIds hands out ids in batches: one call serves this many creates


_OnPage = Callable[[Sequence[dict[str, Any]]], None]


class Duplicate(NamedTuple):
    """Several items share one name in one folder: ``chosen`` (the oldest) is what the path resolves to."""

    path: str
    ids: tuple[str, ...]
    chosen: str


GOOGLE_ROOT = "https://www.googleapis.com/"
SERVICE_PATH = "drive/v3/"  # the discovery document's servicePath


class CompactJsonModel(JsonModel):
    """The client library's JsonModel, asking Drive for unindented answers (``prettyPrint=false``).

    Google indents every JSON answer unless told not to; Google's own Go and Java clients always say
    ``prettyPrint=false`` (rclone's requests carry it). Indentation is about a third of a listing's bytes,
    all of it to be sent, read and parsed for nothing.
    """

    def request(
        self,
        headers: dict[str, Any],
        path_params: dict[str, Any],
        query_params: dict[str, Any],
        body_value: Any,
        api_version: str | None = None,
    ) -> Any:
        query = {**query_params, "prettyPrint": "false"}
        return super().request(headers, path_params, query, body_value, api_version)


_JSON = CompactJsonModel(data_wrapper=False)  # as the discovery-built methods' model: same headers, errors
_MEDIA = MediaModel()


def build_service(credentials: Any, root_url: str | None = None) -> Any:
    """A Drive v3 service from the bundled discovery document, pointed at ``root_url`` when given.

    Rewriting ``rootUrl`` and ``mtlsRootUrl`` (not ``client_options``) is what makes uploads and batch
    requests go to the same server as ordinary calls. ApiDrive builds it only for writes (uploads, creates,
    trashing): the discovery machinery is a large import that reads never need.
    """
    from googleapiclient.discovery import build_from_document
    from googleapiclient.discovery_cache import get_static_doc

    doc = json.loads(get_static_doc("drive", "v3"))
    if root_url:
        root = root_url if root_url.endswith("/") else root_url + "/"
        doc["rootUrl"] = doc["mtlsRootUrl"] = root
    return build_from_document(doc, http=AuthorizedHttp(credentials, http=build_http()), model=_JSON)


def _query_value(value: Any) -> Any:
    """A parameter as the discovery-built methods send it (booleans as ``true``/``false``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else str(value)


def read_request(
    http: Any, api_root: str, path: str, params: dict[str, Any], media: bool = False
) -> HttpRequest:
    """A GET on Drive v3 ``path`` (e.g. ``files/ID``), built as the discovery-built method builds it.

    The client library's own JsonModel (or MediaModel, ``alt=media``) makes the headers and the query and
    turns the answer into a dict or an HttpError, and its HttpRequest executes it; what is skipped is the
    discovery document (parsed and turned into Resource classes) and its import.
    """
    model = _MEDIA if media else _JSON
    query = {k: _query_value(v) for k, v in params.items() if v is not None}
    headers, _path_params, query_string, _body = model.request({}, {}, query, None)
    return HttpRequest(http, model.response, f"{api_root}{path}{query_string}", method="GET", headers=headers)


def _live_in(raw: dict[str, Any], folder: Entry, name: str) -> bool:
    """True when the item Drive returned (asked with ``trashed``) is still ``name`` in ``folder``, live."""
    return not raw.get("trashed") and raw.get("name") == name and folder.id in (raw.get("parents") or [])


def _file_path(file_id: str, suffix: str = "") -> str:
    return f"files/{url_quote(file_id, safe='')}{suffix}"


def quote(value: str) -> str:
    """A string literal for a Drive query: backslashes and single quotes escaped."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _time(value: str | None) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _order(raw: dict[str, Any]) -> tuple[str, str]:
    """Deterministic order among same-named items: createdTime, then id."""
    return (raw.get("createdTime") or "9999", raw["id"])


def _known_size(entry: Entry) -> int | None:
    """The size of what a download of ``entry`` gets, when Drive says it (not for an export)."""
    return None if entry.export_format is not None else entry.size


def _guess_mime(name: str) -> str:
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


class ApiDrive(Drive):
    """Google Drive (or a Drive v3 emulator) through google-api-python-client."""

    def __init__(
        self,
        credentials: Any,
        root_url: str | None = None,
        *,
        drive_id: str | None = None,
        backoff: Backoff = DEFAULT_BACKOFF,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
        multipart_limit: int = MULTIPART_LIMIT,
        folders_per_query: int = FOLDERS_PER_QUERY,
        page_size: int = PAGE_SIZE,
        trash: bool = True,
        acknowledge_abuse: bool = False,
        write_rate: float = WRITE_RATE,
    ) -> None:
        if chunk_size <= 0 or chunk_size % UPLOAD_BLOCK:
            raise ValueError(f"chunk_size must be a positive multiple of {UPLOAD_BLOCK} bytes")
        self.root_url = root_url or os.environ.get(ENV_URL) or None
        self.drive_id = drive_id
        self.backoff = backoff
        self.chunk_size = chunk_size
        self.multipart_limit = multipart_limit
        self.folders_per_query = max(1, min(folders_per_query, 100))
        self.page_size = page_size
        self.trash = trash
        #: Download files Google flagged as malware or spam anyway (Drive lets only their owner do so).
        self.acknowledge_abuse = acknowledge_abuse
        #: One pacer for every write of this drive, from every thread: within Drive's per-user write limit.
        self.pacer = Pacer(rate=write_rate, burst=max(1, round(write_rate * 2)), min_rate=0.5)
        self._free_ids: list[str] = []
        #: Every duplicate name met so far (see the module docstring).
        self.duplicates: list[Duplicate] = []
        self._credentials = credentials
        self._account: str | None = None
        root = self.root_url or GOOGLE_ROOT
        self._api_root = (root if root.endswith("/") else root + "/") + SERVICE_PATH
        self._service_obj: Any = None  # the discovery-built service, made on the first write
        self._files_resource: Any = None
        self._local = threading.local()
        self._spare: list[AuthorizedHttp] = []  # connections released by threads done with them
        self._lock = threading.RLock()
        self._name_locks: dict[tuple[str, str], threading.Lock] = {}
        self._cache: dict[str, Entry] = {}
        self._id_paths: dict[str, str] = {}
        self._drive_names: dict[str, str] = {}
        self._roots: dict[str, Entry] = {}
        self._reported: set[tuple[str, tuple[str, ...]]] = set()

    @classmethod
    def from_env(cls, **kwargs: Any) -> ApiDrive:
        """An ApiDrive using ``GDRIVESTATS_ACCESS_TOKEN`` as a bearer token as-is (emulators, CI).

        The server is ``GDRIVESTATS_DRIVE_URL`` when set, else Google. The token is never refreshed.
        """
        from gdrivestats.auth.access_token import AccessToken

        token = os.environ.get(ENV_TOKEN)
        if not token:
            raise AuthError(f"set {ENV_TOKEN} to an access token (and {ENV_URL} for an emulator)")
        return cls(AccessToken(token.strip()), **kwargs)

    def __repr__(self) -> str:
        where = self.root_url or "Google"
        return f"ApiDrive({where}{', drive_id=' + self.drive_id if self.drive_id else ''})"

    # ---- plumbing --------------------------------------------------------------------------------

    @property
    def _service(self) -> Any:
        """The discovery-built Drive service, for writes only; built once, on first use."""
        with self._lock:
            if self._service_obj is None:
                self._service_obj = build_service(self._credentials, self.root_url)
            return self._service_obj

    @property
    def _files(self) -> Any:
        """The service's ``files()`` resource, built once: each ``files()`` call makes a whole new Resource
        (every method, docstrings rendered from the schemas). Shared between threads: building a request
        does no I/O, and each thread executes on its own connection."""
        with self._lock:
            if self._files_resource is None:
                self._files_resource = self._service.files()
            return self._files_resource

    def _read(self, path: str, params: dict[str, Any], media: bool = False) -> HttpRequest:
        """A GET request on this thread's connection (see ``read_request``)."""
        return read_request(self._http(), self._api_root, path, params, media)

    def _get(self, path: str, what: str, **params: Any) -> Any:
        """Execute a GET with retries (``_execute``) and return the decoded answer."""
        return self._execute(lambda: self._read(path, params), what)

    def _http(self) -> AuthorizedHttp:
        """This thread's own authorized connection (an httplib2 object must not be used by two threads at
        once; one a thread released goes to the next thread that needs one)."""
        http = getattr(self._local, "http", None)
        if http is None:
            with self._lock:
                http = self._spare.pop() if self._spare else None
            if http is None:
                http = AuthorizedHttp(self._credentials, http=build_http())
            self._local.http = http
        return http

    def release_connection(self) -> None:
        """Hand this thread's connection, still open, to the next thread that needs one: never used by two
        threads at once, it spares that thread a TCP and TLS handshake (a round trip or two to Google)."""
        http = getattr(self._local, "http", None)
        if http is not None:
            del self._local.http
            with self._lock:
                self._spare.append(http)

    def _execute(self, make_request: Callable[[], HttpRequest], what: str, write: bool = False) -> Any:
        """Build and execute a (non-media) request with retries, on this thread's connection.

        Each try has ``backoff.request_deadline`` seconds in all (a server trickling bytes is given up on
        and asked again), within the retry loop's overall deadline. A ``write`` waits for the pacer.
        """
        http = self._http()
        attempt = with_deadline(
            lambda: make_request().execute(http=http, num_retries=0), http, self.backoff.request_deadline
        )
        return call_with_retry(attempt, what, self.backoff, pacer=self.pacer if write else None)

    def _new_id(self) -> str:
        """A file id from ``files.generateIds`` (fetched IDS_PER_CALL at a time) for an idempotent create."""
        with self._lock:
            if self._free_ids:
                return self._free_ids.pop()
        raw = self._get(
            "files/generateIds", "asking Drive for new file ids", count=IDS_PER_CALL, space="drive"
        )
        ids = [str(i) for i in raw.get("ids", [])]
        if not ids:
            raise DriveError("asking Drive for new file ids: Drive returned none; retry later")
        with self._lock:
            self._free_ids.extend(ids[1:])
        return ids[0]

    def _get_raw(self, file_id: str, what: str) -> dict[str, Any]:
        return dict(self._get(_file_path(file_id), what, fields=FILE_FIELDS, supportsAllDrives=True))

    def _name_lock(self, folder_id: str, name: str) -> threading.Lock:
        """One lock per (folder, name): two threads of this process never create the same name twice."""
        with self._lock:
            return self._name_locks.setdefault((folder_id, name), threading.Lock())

    def _drive_params(self, drive_id: str | None) -> dict[str, Any]:
        """files.list parameters for listing inside My Drive (None) or one shared drive."""
        if drive_id:
            return {
                "corpora": "drive",
                "driveId": drive_id,
                "includeItemsFromAllDrives": True,
                "supportsAllDrives": True,
            }
        return {"supportsAllDrives": True}

    # ---- entries and the cache -------------------------------------------------------------------

    def _entry(self, raw: dict[str, Any], path: str, parents: Sequence[str] | None = None) -> Entry:
        mime = raw.get("mimeType", "application/octet-stream")
        return Entry(
            id=raw["id"],
            name=raw.get("name", ""),
            path=path,
            is_folder=mime == FOLDER_MIME,
            # Drive reports a size for native files too, but not the size of their export: keep None.
            size=int(raw["size"])
            if raw.get("size") is not None and mime != FOLDER_MIME and not mime.startswith(GOOGLE_APPS_PREFIX)
            else None,
            md5=raw.get("md5Checksum"),
            modified=_time(raw.get("modifiedTime")),
            mime_type=mime,
            version=str(raw["version"]) if raw.get("version") is not None else None,
            revision=raw.get("headRevisionId"),
            parents=tuple(parents if parents is not None else raw.get("parents") or ()),
            created=_time(raw.get("createdTime")),
            drive_id=raw.get("driveId"),
            can_download=bool((raw.get("capabilities") or {}).get("canDownload", True)),
        )

    def _remember(self, entry: Entry) -> None:
        with self._lock:
            self._cache[entry.path] = entry
            self._id_paths[entry.id] = entry.path

    def _forget(self, path: str | None = None, file_id: str | None = None) -> None:
        """Drop a path and/or every cached entry with this id, and everything cached below them."""
        with self._lock:
            tops = {path} if path is not None else set()
            if file_id is not None:
                tops |= {k for k, e in self._cache.items() if file_id in (e.id, e.shortcut_id)}
            doomed = {k for k in self._cache for top in tops if k == top or k.startswith(top + "/")}
            for key in doomed:
                entry = self._cache.pop(key)
                self._id_paths.pop(entry.id, None)

    def _report_duplicates(self, folder_path: str, raws: Iterable[dict[str, Any]]) -> None:
        by_name: dict[str, list[dict[str, Any]]] = {}
        for raw in raws:
            by_name.setdefault(raw["name"], []).append(raw)
        for name, same in by_name.items():
            if len(same) < 2:
                continue
            ordered = sorted(same, key=_order)
            dup = Duplicate(join_path(folder_path, name), tuple(r["id"] for r in ordered), ordered[0]["id"])
            with self._lock:
                if (dup.path, dup.ids) in self._reported:
                    continue
                self._reported.add((dup.path, dup.ids))
                self.duplicates.append(dup)
            logger.warning(
                "%s: %d items share this name on Drive; using the oldest (id %s)",
                dup.path,
                len(dup.ids),
                dup.chosen,
            )

    # ---- roots and path resolution ---------------------------------------------------------------

    def _root_entry(self, prefix: str) -> Entry:
        """The root folder for a path prefix: "" (My Drive or the drive_id root) or "shared:<name>"."""
        with self._lock:
            if prefix in self._roots:
                return self._roots[prefix]
        if prefix.startswith(ID_PREFIX):  # a folder by id, e.g. one shared with a service account
            folder = self._by_id(prefix[len(ID_PREFIX) :])
            if not folder.is_folder:
                raise DriveError(f"{prefix}: is a file, not a folder; a path cannot continue below it")
            entry = replace(folder, path=prefix)
        elif prefix:
            drive_id = self._shared_drive_id(prefix[len(SHARED_PREFIX) :])
            entry = Entry(
                id=drive_id,
                name=prefix[len(SHARED_PREFIX) :],
                path=prefix,
                is_folder=True,
                mime_type=FOLDER_MIME,
                drive_id=drive_id,
            )
        elif self.drive_id:
            entry = Entry(
                id=self.drive_id,
                name="",
                path="",
                is_folder=True,
                mime_type=FOLDER_MIME,
                drive_id=self.drive_id,
            )
        else:
            raw = self._get(
                _file_path("root"), "finding My Drive", fields=FILE_FIELDS, supportsAllDrives=True
            )
            entry = self._entry(raw, "", parents=())
        with self._lock:
            self._roots[prefix] = entry
            self._id_paths.setdefault(entry.id, entry.path)
        return entry

    def _shared_drive_id(self, name: str) -> str:
        with self._lock:
            if name in self._drive_names:
                return self._drive_names[name]
        drives = self._pages(
            lambda t: self._read(
                "drives",
                {
                    "q": f"name = {quote(name)}",
                    "pageSize": 100,
                    "pageToken": t,
                    "fields": "nextPageToken,drives(id,name,createdTime)",
                },
            ),
            f"finding shared drive '{name}'",
        )
        found = [d for page in drives for d in page.get("drives", []) if d.get("name") == name]
        if not found:
            raise NotFound(f"shared:{name}: no shared drive with this name is visible to these credentials")
        if len(found) > 1:
            self._report_duplicates("", [{**d, "name": SHARED_PREFIX + name} for d in found])
        drive_id = sorted(found, key=_order)[0]["id"]
        with self._lock:
            self._drive_names[name] = drive_id
        return drive_id

    def _split(self, path: str) -> tuple[str, list[str]]:
        """(root prefix, parts) of a normalised path: the prefix is "", "shared:<name>" or "id:<folderId>"."""
        if path.startswith((SHARED_PREFIX, ID_PREFIX)):
            head, _, rest = path.partition("/")
            if head in (SHARED_PREFIX, ID_PREFIX):
                raise ValueError(f"{path!r}: name the drive or folder, as in 'shared:Team Drive/Reports'")
            return head, [p for p in rest.split("/") if p]
        return "", [p for p in path.split("/") if p]

    def _resolve(self, target: Target) -> Entry:
        """The entry a path, "id:…" or Entry designates (cached), following shortcuts; NotFound otherwise."""
        if isinstance(target, Entry):
            return target
        if target.startswith(ID_PREFIX) and "/" not in target.rstrip("/"):
            return self._by_id(target[len(ID_PREFIX) :].rstrip("/"))
        path = norm_path(target)
        with self._lock:
            if path in self._cache:
                return self._cache[path]
        prefix, parts = self._split(path)
        with self._lock:
            root_known = prefix in self._roots
        if not prefix and not self.drive_id and parts and not root_known:
            # My Drive's own id is not needed to look below it: Drive takes the alias 'root' in a query, and
            # each answer names the real parent id. Saves the files.get of the root before the first lookup.
            entry = Entry(id=_ROOT_ALIAS, name="", path="", is_folder=True, mime_type=FOLDER_MIME)
        else:
            entry = self._root_entry(prefix)
        current = prefix
        for part in parts:
            current = join_path(current, part)
            with self._lock:
                cached = self._cache.get(current)
            if cached is not None:
                entry = cached
                continue
            if not entry.is_folder:
                raise NotFound(f"{current}: not found on Drive ('{entry.path}' is a file, not a folder)")
            found = self._child(entry, part)
            if found is None:
                raise NotFound(f"{current}: not found on Drive (no '{part}' in '{entry.path or '/'}')")
            entry = found
        return entry

    def _child(self, folder: Entry, name: str, fresh: bool = False) -> Entry | None:
        """The item named ``name`` in ``folder`` (oldest if several), shortcuts followed; cached."""
        path = join_path(folder.path, name)
        if not fresh:
            with self._lock:
                if path in self._cache:
                    return self._cache[path]
        raws = self._query(
            f"{quote(folder.id)} in parents and name = {quote(name)} and trashed = false",
            folder.drive_id or None,
            f"looking up '{path}'",
        )
        raws = [r for r in raws if r.get("name") == name]
        if not raws:
            return None
        self._report_duplicates(folder.path, raws)
        first = sorted(raws, key=_order)[0]
        parent_id: str | None = folder.id
        if parent_id == _ROOT_ALIAS:  # the real id of My Drive, as Drive names it in the answer
            parent_id = next((str(p) for p in first.get("parents") or () if p != _ROOT_ALIAS), None)
        entry = self._follow(first, path, parent_id)
        if entry is not None:
            self._remember(entry)
        return entry

    def _by_id(self, file_id: str, path_hint: str | None = None) -> Entry:
        raw = self._get(
            _file_path(file_id), f"looking up id {file_id}", fields=FILE_FIELDS, supportsAllDrives=True
        )
        with self._lock:
            path = path_hint if path_hint is not None else self._id_paths.get(raw["id"], raw.get("name", ""))
        entry = self._follow(raw, path, None)
        if entry is None:
            raise NotFound(f"id {file_id}: a shortcut whose target is gone")
        return entry

    def _follow(self, raw: dict[str, Any], path: str, parent_id: str | None) -> Entry | None:
        """An Entry for a raw item; a shortcut becomes its target, under its own name (None if dangling)."""
        parents = (parent_id,) if parent_id else None
        if raw.get("mimeType") != SHORTCUT_MIME:
            return self._entry(raw, path, parents)
        target_id = (raw.get("shortcutDetails") or {}).get("targetId")
        try:
            if not target_id:
                raise NotFound("no target")
            target = self._get(
                _file_path(target_id),
                f"following shortcut '{path}'",
                fields=FILE_FIELDS + ",trashed",
                supportsAllDrives=True,
            )
            if target.get("trashed"):
                raise NotFound("target in the trash")
        except NotFound:
            logger.warning("%s: shortcut to a file that is gone or not shared with you; skipped", path)
            return None
        entry = self._entry({**target, "name": raw["name"]}, path, parents or tuple(raw.get("parents") or ()))
        return replace(entry, shortcut_id=raw["id"])

    # ---- listing ---------------------------------------------------------------------------------

    def _query(
        self, q: str, drive_id: str | None, what: str, on_page: _OnPage | None = None
    ) -> builtins.list[dict[str, Any]]:
        """Every item matching ``q`` (all pages). With ``on_page`` (told each page's items as it comes in)
        the first page is a short one (``STREAM_FIRST_PAGE``): Drive answers it sooner, so the caller can
        start on it while the rest is asked for."""
        params = self._drive_params(drive_id)
        first = min(self.page_size, STREAM_FIRST_PAGE) if on_page is not None else self.page_size

        def make_request(token: str | None) -> HttpRequest:
            size = first if token is None else self.page_size
            query = {"q": q, "pageSize": size, "pageToken": token, "fields": LIST_FIELDS, "spaces": "drive"}
            return self._read("files", query | params)

        pages = self._pages(make_request, what, on_page)
        return [item for page in pages for item in page.get("files", [])]

    def _pages(
        self,
        make_request: Callable[[str | None], HttpRequest],
        what: str,
        on_page: _OnPage | None = None,
    ) -> builtins.list[Any]:
        """Every page of a paged call (each page retried on its own), following nextPageToken."""
        pages: builtins.list[Any] = []
        token: str | None = None
        while True:
            page = self._execute(partial(make_request, token), what)
            pages.append(page)
            if on_page is not None:
                on_page(page.get("files", []))
            token = page.get("nextPageToken")
            if not token:
                return pages

    def _children(
        self, folders: Sequence[Entry], on_page: _OnPage | None = None
    ) -> dict[str, list[dict[str, Any]]]:
        """{folder id: raw children} for several folders of one drive, in as few queries as Drive allows;
        ``on_page`` is told each page of raw children as it comes in."""
        ids = [f.id for f in folders]
        drive_id = folders[0].drive_id
        what = f"listing '{folders[0].path or '/'}'" + (
            f" and {len(ids) - 1} more folders" if len(ids) > 1 else ""
        )
        clause = " or ".join(f"{quote(i)} in parents" for i in ids)
        raws = self._query(f"({clause}) and trashed = false", drive_id, what, on_page)
        grouped: dict[str, list[dict[str, Any]]] = {i: [] for i in ids}
        for raw in raws:
            for parent in raw.get("parents") or ():
                if parent in grouped:
                    grouped[parent].append(raw)
        if len(ids) > 1:
            # Drive can answer a multi-folder query without one folder's children (or with nothing): ask
            # every folder that came back empty again on its own. That costs one call per folder that is
            # really empty, never more than one per folder per listing.
            empty = [f for f in folders if not grouped[f.id]]
            if empty:
                logger.debug("%d of %d folders came back empty; asking each on its own", len(empty), len(ids))
            for folder in empty:
                grouped[folder.id] = self._children([folder], on_page)[folder.id]
        return grouped

    def list(self, path: Target = "", recursive: bool = False) -> list[Entry]:
        return self._list(path, recursive)

    def list_streaming(self, path: Target, found: Callable[[Entry], None]) -> builtins.list[Entry]:
        """``list(path, recursive=True)``, handing each entry to ``found`` as soon as its listing call is in
        (a folder always before what is inside it), so the caller can start work while the listing goes on.
        ``found`` must not raise."""
        return self._list(path, True, found)

    def _list(
        self, path: Target, recursive: bool, found: Callable[[Entry], None] | None = None
    ) -> builtins.list[Entry]:
        top = self._resolve(path)
        if not top.is_folder:
            raise DriveError(f"{top.path}: not a folder, cannot list it")
        entries: list[Entry] = []
        seen = {top.id}
        pending = [top]
        known: dict[str, set[str]] = {}

        def ancestors(folder: Entry) -> set[str]:  # asked only when a folder shortcut is met
            if folder.id not in known:
                known[folder.id] = self._ancestors(folder)
            return known[folder.id]

        while pending:
            drive_key = pending[0].drive_id
            batch = [f for f in pending if f.drive_id == drive_key][: self.folders_per_query]
            taken = {id(f) for f in batch}
            pending = [f for f in pending if id(f) not in taken]
            early: dict[tuple[str, str], Entry] = {}  # (id, folder id): entries told of page by page
            on_page = None if found is None else partial(self._found_early, batch, early, found)
            children = self._children(batch, on_page)
            for folder in batch:
                raws = children.get(folder.id, [])
                self._report_duplicates(folder.path, raws)
                named: set[str] = set()
                for raw in sorted(raws, key=_order):
                    told = early.get((raw["id"], folder.id))
                    entry = told or self._follow(raw, join_path(folder.path, raw["name"]), folder.id)
                    if entry is None:
                        continue
                    entries.append(entry)
                    if found is not None and told is None:  # a shortcut: told once it is followed
                        found(entry)
                    if entry.name not in named:  # the cache keeps the oldest of duplicates, fresh
                        named.add(entry.name)
                        self._remember(entry)
                    if not recursive or not entry.is_folder:
                        continue
                    if entry.shortcut_id and entry.id in ancestors(top):
                        logger.warning(
                            "%s: a shortcut to a folder that holds it (a cycle); not listed below it",
                            printable(entry.path),
                        )
                    elif entry.id not in seen:
                        seen.add(entry.id)
                        pending.append(entry)
        return sorted(entries, key=lambda e: (e.path, e.created is None, e.created or _EPOCH, e.id))

    def _found_early(
        self,
        batch: Sequence[Entry],
        early: dict[tuple[str, str], Entry],
        found: Callable[[Entry], None],
        raws: Sequence[dict[str, Any]],
    ) -> None:
        """Tell ``found`` of a page's items as soon as the page is in (shortcuts wait: following one costs a
        call of its own); the listing uses the very same entries afterwards."""
        folders = {f.id: f for f in batch}
        for raw in raws:
            if raw.get("mimeType") == SHORTCUT_MIME:
                continue
            for parent in raw.get("parents") or ():
                folder = folders.get(parent)
                if folder is None or (raw["id"], parent) in early:
                    continue
                entry = self._entry(raw, join_path(folder.path, raw["name"]), (folder.id,))
                early[(raw["id"], parent)] = entry
                found(entry)

    def _ancestors(self, folder: Entry) -> set[str]:
        """The ids of ``folder`` and of every folder above it (a few ``files.get`` calls, at most 64)."""
        what = f"finding the folders above '{folder.path or '/'}'"
        found = {folder.id}
        parents = list(folder.parents)
        if not parents and folder.id != self._root_entry("").id:
            parents = self._parents_of(folder.id, what)
        for _ in range(64):
            if not parents or parents[0] in found:
                break
            found.add(parents[0])
            parents = self._parents_of(parents[0], what)
        return found

    def _parents_of(self, file_id: str, what: str) -> builtins.list[str]:
        raw = self._get(_file_path(file_id), what, fields="parents", supportsAllDrives=True)
        return list(raw.get("parents") or [])

    def stat(self, path: Target) -> Entry:
        if isinstance(path, Entry):
            return self._by_id(path.id, path.path) if not path.shortcut_id else self._resolve(path.path)
        return self._resolve(path)

    # ---- reading ---------------------------------------------------------------------------------

    def _file(self, target: Target) -> Entry:
        entry = self._resolve(target)
        if entry.is_folder:
            raise DriveError(f"{entry.path}: is a folder, not a file")
        if entry.is_native and entry.export_format is None:
            raise DriveError(f"{entry.path}: {entry.mime_type} files cannot be downloaded by gdrivestats")
        if not entry.can_download:  # known from the listing: no request is made for it
            wait, cause = BLOCKED_REASONS["cannotDownloadFile"]
            raise DownloadBlocked(f"{entry.path}: {cause} (canDownload is false)", "cannotDownloadFile", wait)
        return entry

    def _media_request(self, entry: Entry) -> HttpRequest:
        fmt = entry.export_format
        if fmt is not None:
            return self._read(_file_path(entry.id, "/export"), {"mimeType": fmt[0]}, media=True)
        params: dict[str, Any] = {"supportsAllDrives": True}
        if self.acknowledge_abuse:
            params["acknowledgeAbuse"] = True
        return self._read(_file_path(entry.id), params, media=True)

    def _fresh_on_not_found(self, target: Target, action: Callable[[Entry], T]) -> T:
        """Run ``action`` on the entry for ``target``; if Drive says it is gone and it came from the path
        cache, forget the path, resolve it again and retry once (someone else replaced the file)."""
        entry = self._file(target)
        try:
            return action(entry)
        except NotFound:
            if not isinstance(target, str) or target.startswith(ID_PREFIX):
                raise
            self._forget(norm_path(target))
            fresh = self._file(target)
            if fresh.id == entry.id:
                raise
            return action(fresh)

    def read_bytes(self, path: Target) -> bytes:
        return self._fresh_on_not_found(path, self._read_entry)

    def _read_entry(self, entry: Entry) -> bytes:
        return read_whole(
            lambda: self._media_request(entry),
            f"reading '{entry.path}'",
            self.backoff,
            entry.md5,
            _known_size(entry),
            self.chunk_size,
        )

    def download(self, path: Target, dest: Path) -> Path:
        def fetch(entry: Entry) -> Path:
            return download_file(
                lambda: self._media_request(entry),
                Path(dest),
                f"download of '{entry.path}'",
                self.backoff,
                entry.md5,
                self.chunk_size,
                size=_known_size(entry),
            )

        return self._fresh_on_not_found(path, fetch)

    def fetch_into(self, path: Target, handle: IO[bytes]) -> int:
        """Download into an open binary file (checked against md5, neither fsynced nor renamed: the caller
        makes it durable and puts it in place); return its size. A sync's connections use it so the disk
        flush of one file never holds up the next request."""

        def fetch(entry: Entry) -> int:
            return download_into(
                lambda: self._media_request(entry),
                handle,
                f"download of '{entry.path}'",
                self.backoff,
                entry.md5,
                self.chunk_size,
                size=_known_size(entry),
            )

        return self._fresh_on_not_found(path, fetch)

    def fetch_small(self, path: Target, limit: int) -> bytes | None:
        """The content of a file Drive lists at most ``limit`` bytes (and within one chunk), in one request,
        checked against md5; None for a larger file, one whose size is not known (an export) or one that
        grew past the limit since it was listed: ``fetch_into`` streams those (a file that grew costs it one
        request more, of a chunk). A sync's connections use it for small files, so that creating a file on
        disk never holds up their next request."""

        def fetch(entry: Entry) -> bytes | None:
            return read_small(
                lambda: self._media_request(entry),
                f"download of '{entry.path}'",
                self.backoff,
                entry.md5,
                _known_size(entry),
                min(limit, self.chunk_size),
            )

        return self._fresh_on_not_found(path, fetch)

    # ---- writing ---------------------------------------------------------------------------------

    def _folder(self, folder: Target) -> Entry:
        entry = self._resolve(folder)
        if not entry.is_folder:
            raise DriveError(f"{entry.path}: not a folder, cannot write into it")
        return entry

    def _known_file(
        self, file_id: str | None, folder: Entry, name: str, native: str | None, what: str
    ) -> Entry | None:
        """The file with ``file_id`` when it is still ``name`` in ``folder`` and not trashed (asked by id:
        a listing may lag behind a create of moments ago), else None."""
        if file_id is None:
            return None
        try:
            raw = self._get(
                _file_path(file_id), what, fields=FILE_FIELDS + ",trashed", supportsAllDrives=True
            )
        except NotFound:
            return None
        same_kind = (
            raw.get("mimeType") == native
            if native
            else not str(raw.get("mimeType", "")).startswith(GOOGLE_APPS_PREFIX)
        )
        if not _live_in(raw, folder, name) or not same_kind:
            return None
        return self._entry(raw, join_path(folder.path, name), (folder.id,))

    def _existing_file(self, folder: Entry, name: str, native: str | None = None) -> Entry | None:
        """The file an upsert of ``name`` must update (asked fresh, never from the cache), or None.

        ``native``: the upsert makes a native file of that type (a Sheet), so one of that type is updated.
        """
        entry = self._child(folder, name, fresh=True)
        if entry is None:
            return None
        if entry.is_folder:
            raise DriveError(f"{entry.path}: a folder has this name; cannot write a file there")
        if entry.is_native and entry.mime_type != native:
            raise DriveError(f"{entry.path}: a native Google file has this name; rename one of them")
        return entry

    def write_bytes(self, folder: Target, name: str, data: bytes) -> Entry:
        md5 = hashlib.md5(data).hexdigest()
        return self._upsert(folder, name, lambda: io.BytesIO(data), len(data), md5, data[-1:])

    def upload(
        self, local_path: Path | str, folder: Target, name: str | None = None, known_id: str | None = None
    ) -> Entry:
        local_path = Path(local_path)
        size = local_path.stat().st_size
        md5 = hashlib.md5()
        last = b""
        with open(local_path, "rb") as fh:
            while chunk := fh.read(1 << 20):
                md5.update(chunk)
                last = chunk[-1:]
        return self._upsert(
            folder,
            name or local_path.name,
            lambda: open(local_path, "rb"),
            size,
            md5.hexdigest(),
            last,
            known_id=known_id,
        )

    def upload_as_sheet(
        self, local_path: Path | str, folder: Target, name: str, known_id: str | None = None
    ) -> Entry:
        """Upsert an xlsx file as a native Google Sheet named ``name`` (Drive converts it; an update keeps
        the Sheet's id and revision history)."""
        local_path = Path(local_path)
        md5 = hashlib.md5(local_path.read_bytes()).hexdigest()
        size = local_path.stat().st_size
        return self._upsert(
            folder,
            name,
            lambda: open(local_path, "rb"),
            size,
            md5,
            b"",
            convert_to=SPREADSHEET_MIME,
            media=XLSX_MIME,
            known_id=known_id,
        )

    def _upsert(
        self,
        folder: Target,
        name: str,
        open_stream: Callable[[], IO[bytes]],
        size: int,
        md5: str,
        last_byte: bytes,
        convert_to: str | None = None,
        media: str | None = None,
        known_id: str | None = None,
    ) -> Entry:
        parent = self._folder(folder)
        path = join_path(parent.path, name)
        what = f"upload of '{path}'"
        mime = media or _guess_mime(name)
        # The client frames multipart bodies with bare LF, so content ending in CR reaches the server as
        # "...\r\n--boundary" and a CRLF-tolerant parser drops that CR: send such content resumable (raw).
        multipart = size <= self.multipart_limit and last_byte != b"\r"
        with self._name_lock(parent.id, name):
            existing = self._known_file(known_id, parent, name, convert_to, what)
            if existing is None:
                existing = self._existing_file(parent, name, convert_to)
            # A create names its id (from files.generateIds): a retried create whose first try went through
            # (a lost reply, or httplib2's silent re-send) answers 409 and the file made is used. Listings
            # are never trusted for this: they can lag behind writes.
            file_id = None if existing is not None else self._new_id()
            try:
                raw = self._send(
                    parent, name, open_stream, mime, multipart, existing, file_id, what, convert_to
                )
            except AlreadyExists:
                assert file_id is not None
                raw = self._get_raw(file_id, what)
                logger.debug(
                    "%s: the create had gone through (409 for id %s); using that file", what, file_id
                )
                if raw.get("md5Checksum") != md5:
                    made = self._entry(raw, path, (parent.id,))
                    raw = self._send(parent, name, open_stream, mime, multipart, made, None, what, convert_to)
        self._forget(path)
        entry = self._entry(raw, path, (parent.id,))
        self._remember(entry)
        if entry.md5 is not None and entry.md5 != md5:
            raise DriveError(
                f"{what}: Drive stored content whose md5 differs from the local file; upload again"
            )
        return entry

    def _send(
        self,
        parent: Entry,
        name: str,
        open_stream: Callable[[], IO[bytes]],
        mime: str,
        multipart: bool,
        existing: Entry | None,
        file_id: str | None,
        what: str,
        convert_to: str | None = None,
    ) -> Any:
        """Update ``existing`` or create ``name`` with id ``file_id``, multipart or resumable, with retries.

        A resumable session that Drive drops (404) is started again once, from the beginning.
        """
        if multipart:

            def attempt() -> Any:
                with open_stream() as stream:
                    media = MediaIoBaseUpload(stream, mimetype=mime, resumable=False)
                    request = self._upload_request(parent, name, existing, media, convert_to or mime, file_id)
                    http = self._http()
                    guarded = with_deadline(
                        lambda: request.execute(http=http, num_retries=0), http, self.backoff.request_deadline
                    )
                    return guarded()

            return call_with_retry(attempt, what, self.backoff, pacer=self.pacer)

        def resumable() -> Any:
            self.pacer.acquire()  # the session's start is the write; its chunks belong to it
            with open_stream() as stream:
                media = MediaIoBaseUpload(stream, mimetype=mime, chunksize=self.chunk_size, resumable=True)
                request = self._upload_request(parent, name, existing, media, convert_to or mime, file_id)
                return upload_resumable(request, self._http(), what, self.backoff)

        try:
            return resumable()
        except UploadSessionExpired:
            logger.info("%s: Drive dropped the upload session; starting the upload again", what)
            return resumable()

    def _upload_request(
        self,
        parent: Entry,
        name: str,
        existing: Entry | None,
        media: MediaIoBaseUpload,
        mime: str,
        file_id: str | None = None,
    ) -> HttpRequest:
        if existing is not None:
            return self._files.update(
                fileId=existing.id, media_body=media, fields=FILE_FIELDS, supportsAllDrives=True
            )
        body: dict[str, Any] = {"name": name, "parents": [parent.id], "mimeType": mime}
        if file_id is not None:
            body["id"] = file_id
        return self._files.create(body=body, media_body=media, fields=FILE_FIELDS, supportsAllDrives=True)

    def makedirs(self, path: str, folder_id: str | None = None) -> Entry:
        path = norm_path(path)
        prefix, parts = self._split(path)
        entry = self._root_entry(prefix)
        for i, part in enumerate(parts):
            wanted = folder_id if i == len(parts) - 1 else None
            with self._name_lock(entry.id, part):
                child = self._wanted_folder(entry, part, wanted) if wanted else self._child(entry, part)
                if child is None:
                    child = self._mkdir(entry, part)
            if not child.is_folder:
                raise DriveError(f"{child.path}: a file is in the way, cannot create the folder")
            entry = child
        return entry

    def new_folder_id(self) -> str | None:
        return self._new_id()

    def _wanted_folder(self, parent: Entry, name: str, folder_id: str) -> Entry | None:
        """The folder ``name`` in ``parent`` that should have ``folder_id``: that folder while it is still
        there, live, under that name (asked by id: a listing may lag behind its create), else the one of that
        name, else made now with that id if Drive never used it. None: make it with a fresh id (the id is
        taken by something else now, e.g. the folder was trashed, renamed or moved)."""
        path = join_path(parent.path, name)
        with self._lock:
            cached = self._cache.get(path)
        if cached is not None and cached.id == folder_id:
            return cached
        what = f"looking up folder '{path}'"
        try:
            raw = self._get(
                _file_path(folder_id), what, fields=FILE_FIELDS + ",trashed", supportsAllDrives=True
            )
        except NotFound:
            return self._child(parent, name) or self._mkdir(parent, name, folder_id)
        if raw.get("mimeType") == FOLDER_MIME and _live_in(raw, parent, name):
            entry = self._entry(raw, path, (parent.id,))
            self._remember(entry)
            return entry
        return self._child(parent, name)

    def _mkdir(self, parent: Entry, name: str, file_id: str | None = None) -> Entry:
        path = join_path(parent.path, name)
        what = f"creating folder '{path}'"
        file_id = file_id or self._new_id()  # a retried create answers 409 instead of making a second folder
        try:
            raw = self._execute(
                lambda: self._files.create(
                    body={"name": name, "parents": [parent.id], "mimeType": FOLDER_MIME, "id": file_id},
                    fields=FILE_FIELDS,
                    supportsAllDrives=True,
                ),
                what,
                write=True,
            )
        except AlreadyExists:
            raw = self._get_raw(file_id, what)
        entry = self._entry(raw, path, (parent.id,))
        self._remember(entry)
        return entry

    def remove(self, path: Target, recursive: bool = False) -> None:
        entry = self._resolve(path)
        if not entry.shortcut_id and entry.id in {r.id for r in self._roots.values()}:
            raise DriveError("refusing to remove the root of a drive")
        if entry.is_folder and not recursive and not entry.shortcut_id:
            kids = self._get(
                "files",
                f"checking '{entry.path}' is empty",
                q=f"{quote(entry.id)} in parents and trashed = false",
                pageSize=1,
                fields="files(id)",
                **self._drive_params(entry.drive_id),
            )
            if kids.get("files"):
                raise DriveError(f"{entry.path}: folder is not empty; pass recursive=True to remove it")
        file_id = entry.shortcut_id or entry.id
        what = f"removing '{entry.path}'"
        retried = False

        def note_retry(exc: BaseException, attempt: int, delay: float) -> None:
            nonlocal retried
            retried = True

        def attempt() -> Any:
            if self.trash:
                request = self._files.update(
                    fileId=file_id, body={"trashed": True}, fields="id", supportsAllDrives=True
                )
            else:
                request = self._files.delete(fileId=file_id, supportsAllDrives=True)
            return request.execute(http=self._http(), num_retries=0)

        try:
            call_with_retry(attempt, what, self.backoff, on_retry=note_retry, pacer=self.pacer)
        except NotFound:
            if not retried:  # a delete whose reply was lost, then 404 on retry: it is gone, as asked
                raise
        self._forget(entry.path, file_id)

    # ---- changes ---------------------------------------------------------------------------------

    def account(self) -> str:
        """Server, account (``about.user.permissionId``) and shared drive: one ``about.get`` call, cached."""
        if self._account is None:
            raw = self._get(
                "about", "asking Drive who is signed in", fields="user(permissionId,emailAddress)"
            )
            user = raw.get("user") or {}
            self._account = (
                f"{self.root_url or 'https://www.googleapis.com/'}|{self.drive_id or ''}|"
                f"{user.get('permissionId', '')}|{user.get('emailAddress', '')}"
            )
        return self._account

    def folder_link(self, path: Target) -> str | None:
        """The folder's address in Drive's web app (from its id: no request when the path is known)."""
        return f"https://drive.google.com/drive/folders/{self.stat(path).id}"

    def account_hint(self) -> str:
        """A digest of the server and of the sign-in (never the secret itself): a new sign-in changes it."""
        creds = self._credentials
        who = (
            getattr(creds, "refresh_token", None)
            or getattr(creds, "service_account_email", None)
            or getattr(creds, "token", None)
            or ""
        )
        subject = getattr(creds, "_subject", None) or ""
        seed = (
            f"gdrivestats-account\0{self.root_url}\0{self.drive_id}\0{type(creds).__name__}\0{who}\0{subject}"
        )
        return hashlib.sha256(seed.encode()).hexdigest()[:32]

    def start_token(self) -> str:
        params: dict[str, Any] = {"supportsAllDrives": True}
        if self.drive_id:
            params["driveId"] = self.drive_id
        raw = self._get("changes/startPageToken", "starting change tracking", **params)
        return str(raw["startPageToken"])

    def changes(self, token: str) -> tuple[builtins.list[Change], str]:
        params: dict[str, Any] = {"supportsAllDrives": True, "includeItemsFromAllDrives": True}
        if self.drive_id:
            params["driveId"] = self.drive_id
        found: builtins.list[Change] = []
        page_token = token
        while True:
            page = self._get(
                "changes",
                "listing changes",
                pageToken=page_token,
                pageSize=1000,
                fields=CHANGE_FIELDS,
                spaces="drive",
                **params,
            )
            found += [
                self._change(raw)
                for raw in page.get("changes", [])
                if raw.get("changeType", "file") == "file"
            ]
            if page.get("newStartPageToken"):
                return found, str(page["newStartPageToken"])
            page_token = page["nextPageToken"]

    def _change(self, raw: dict[str, Any]) -> Change:
        file_id = raw["fileId"]
        with self._lock:
            known_path = self._id_paths.get(file_id)
        self._forget(file_id=file_id)
        info = raw.get("file") or {}
        removed = bool(raw.get("removed") or info.get("trashed"))
        when = _time(raw.get("time"))
        if removed or not info:
            return Change(id=file_id, removed=True, path=known_path, time=when)
        path = self._cached_path(info)
        entry = self._entry(info, path if path is not None else info.get("name", ""))
        return Change(id=file_id, removed=False, entry=entry, path=path, time=when)

    def _cached_path(self, raw: dict[str, Any]) -> str | None:
        """The path of an item if this drive already knows it or its folder (no requests), else None."""
        parents = raw.get("parents") or []
        with self._lock:
            if raw["id"] in self._id_paths:
                return self._id_paths[raw["id"]]
            if parents and parents[0] in self._id_paths:
                return join_path(self._id_paths[parents[0]], raw["name"])
        return None
