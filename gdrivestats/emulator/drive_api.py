"""Drive v3 request routing and the files.* handlers; changes, about and drives live in ``other_api``."""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import time
from typing import Any
from urllib.parse import unquote

from gdrivestats.emulator import other_api
from gdrivestats.emulator.listing import list_files
from gdrivestats.emulator.messages import Request, Response, json_response
from gdrivestats.emulator.resources import EXPORT_FORMATS, file_resource, select
from gdrivestats.emulator.sheets import SheetError, export_sheet
from gdrivestats.emulator.store import (
    FOLDER_MIME,
    SHEET_MIME,
    SHORTCUT_MIME,
    DriveStateError,
    FileRecord,
    Store,
    UploadSession,
    apply_update,
    not_found,
    parse_time,
    visible,
)
from gdrivestats.emulator.uploads import (
    accept_chunk,
    bad_request,
    parse_content_range,
    parse_multipart_related,
    range_header,
)
from gdrivestats.emulator.validate import flag, validate_params

logger = logging.getLogger(__name__)

_READ_ONLY_FIELDS = {
    "size",
    "md5Checksum",
    "sha1Checksum",
    "sha256Checksum",
    "version",
    "headRevisionId",
    "driveId",
    "teamDriveId",
    "webViewLink",
    "webContentLink",
    "owners",
    "capabilities",
    "exportLinks",
    "quotaBytesUsed",
    "explicitlyTrashed",
    "trashedTime",
    "ownedByMe",
    "fileExtension",
    "fullFileExtension",
    "iconLink",
    "spaces",
    "shared",
    "hasThumbnail",
    "lastModifyingUser",
}
_NOT_DOWNLOADABLE = "Only files with binary content can be downloaded. Use Export with Docs Editors files."
_WRITE_METHODS = {"POST", "PATCH", "PUT", "DELETE"}
_READONLY_SCOPES = {"drive.readonly", "drive.metadata.readonly", "drive.photos.readonly"}
_WRITE_SCOPES = {"drive", "drive.file", "drive.appdata", "drive.apps"}
_DOWNLOAD_BLOCK_MESSAGES = {
    "downloadQuotaExceeded": "The download quota for this file has been exceeded.",
    "cannotDownloadAbusiveFile": (
        "This file has been identified as malware or spam and cannot be downloaded. "
        "Use acknowledgeAbuse=true to download it anyway."
    ),
}


# ----- routing ------------------------------------------------------------------------------------


def split_path(path: str) -> list[str]:
    return [unquote(p) for p in path.strip("/").split("/") if p]


def classify(method: str, path: str, query: dict[str, str]) -> tuple[str, set[str]]:
    """The request kind for logs and faults, and every fault kind it matches."""
    parts = split_path(path)
    if parts[:1] == ["batch"]:
        return "batch", {"batch"}
    upload = parts[:1] in (["upload"], ["resumable"])
    if upload:
        parts = parts[1:] if parts[0] == "upload" else parts[2:]
    rest = parts[2:] if parts[:2] == ["drive", "v3"] else None
    if rest is None:
        return "other", {"other"}
    head = rest[:1]
    if head == ["files"]:
        if upload and "upload_id" in query and method in {"PUT", "POST"}:
            return "upload-chunk", {"upload-chunk", "upload"}
        if len(rest) == 1:
            if method == "POST":
                return "create", {"create", "upload"} if upload else {"create"}
            return "list", {"list"}
        if len(rest) == 3 and rest[2] == "export":
            return "export", {"export"}
        if len(rest) == 3 and rest[2] == "copy":
            return "copy", {"copy"}
        if len(rest) >= 3 and rest[2] == "permissions":
            return "permissions", {"permissions"}
        if method == "DELETE":
            return "delete", {"delete"}
        if method == "PATCH":
            return "update", {"update", "upload"} if upload else {"update"}
        if query.get("alt") == "media":
            return "media", {"media"}
        return "get", {"get"}
    if head == ["changes"]:
        if rest[1:] == ["startPageToken"]:
            return "changes-token", {"changes-token", "changes"}
        return "changes", {"changes"}
    if head == ["about"]:
        return "about", {"about"}
    if head == ["drives"]:
        return "drives", {"drives"}
    return "other", {"other"}


class DriveApi:
    """Answers Drive v3 requests against a Store."""

    def __init__(self, store: Store) -> None:
        self.store = store

    # ----- auth -----------------------------------------------------------------------------------
    def authorize(self, request: Request) -> DriveStateError | None:
        """None when the request carries an acceptable token, else Google's 401."""
        header = request.header("authorization") or ""
        token = ""
        if header.lower().startswith("bearer "):
            token = header[7:].strip()
        elif "access_token" in request.query:
            token = request.query["access_token"]
        elif "oauth_token" in request.query:
            token = request.query["oauth_token"]
        if not token:
            return DriveStateError(
                401,
                "required",
                "Login Required.",
                location="Authorization",
                locationType="header",
            )
        validator = self.store.token_validator
        if validator is not None and not validator(token):
            return DriveStateError(
                401, "authError", "Invalid Credentials", location="Authorization", locationType="header"
            )
        request.scopes = self.store.scopes_of(token)
        return None

    def check_scope_and_rate(self, request: Request, kind: str) -> None:
        """403 insufficientPermissions for a write (or a download) the token's scopes do not allow; 403
        userRateLimitExceeded past the store's ``write_rate``."""
        writes = request.method in _WRITE_METHODS and kind not in {"list", "get", "batch", "other"}
        scopes = request.scopes
        if scopes is not None:
            readable = _WRITE_SCOPES | _READONLY_SCOPES
            allowed = bool(scopes & (_WRITE_SCOPES if writes else readable))
            if kind in {"media", "export"} and not scopes & (_WRITE_SCOPES | {"drive.readonly"}):
                allowed = False
            if not allowed:
                raise DriveStateError(
                    403,
                    "insufficientPermissions",
                    "Request had insufficient authentication scopes.",
                    status="PERMISSION_DENIED",
                )
        if writes and kind != "upload-chunk" and not self.store.take_write():
            raise DriveStateError(
                403, "userRateLimitExceeded", "User Rate Limit Exceeded", domain="usageLimits"
            )

    # ----- dispatch -------------------------------------------------------------------------------
    def dispatch(self, request: Request, lose_last_chunk: bool = False) -> Response:
        """Route one request; DriveStateError becomes the caller's concern."""
        parts = split_path(request.path)
        upload = parts[:1] in (["upload"], ["resumable"])
        if upload:
            parts = parts[1:] if parts[0] == "upload" else parts[2:]
        if parts[:2] != ["drive", "v3"]:
            raise DriveStateError(404, "notFound", f"Unknown path: {request.path}")
        rest = parts[2:]
        method = request.method
        head = rest[:1]
        schema = _response_schema(request.method, path_parts=rest, query=request.query)
        if schema is not None and request.query.get("fields"):
            select(request.query["fields"], {}, schema)  # a bad selector fails before anything changes
        if head == ["files"]:
            return self._files(request, rest[1:], upload, lose_last_chunk)
        if upload:
            raise DriveStateError(404, "notFound", f"Unknown upload path: {request.path}")
        handler = other_api.route(method, rest)
        if handler is None:
            raise _unsupported(method, request.path)
        return handler(self, request, rest[1:])

    def _files(self, request: Request, rest: list[str], upload: bool, lose: bool) -> Response:
        method = request.method
        if upload:
            if method in {"PUT", "POST"} and "upload_id" in request.query:
                return self.upload_chunk(request, lose)
            if method == "POST" and not rest:
                return self.create(request, upload=True)
            if method == "PATCH" and len(rest) == 1:
                return self.update(request, rest[0], upload=True)
            raise _unsupported(method, request.path)
        if not rest:
            if method == "GET":
                return self.list(request)
            if method == "POST":
                return self.create(request, upload=False)
        elif rest == ["generateIds"] and method == "GET":
            return self.generate_ids(request)
        elif rest == ["trash"] and method == "DELETE":
            return self.empty_trash(request)
        elif len(rest) == 1:
            if method == "GET":
                return self.get(request, rest[0])
            if method == "PATCH":
                return self.update(request, rest[0], upload=False)
            if method == "DELETE":
                return self.delete(request, rest[0])
        elif len(rest) == 2 and rest[1] == "export" and method == "GET":
            return self.export(request, rest[0])
        elif len(rest) == 2 and rest[1] == "copy" and method == "POST":
            return self.copy(request, rest[0])
        elif len(rest) >= 2 and rest[1] == "permissions":
            return other_api.permissions(self, request, rest[0], rest[2:])
        raise _unsupported(method, request.path)

    # ----- helpers ----------------------------------------------------------------------------------
    def render(self, request: Request, payload: dict[str, Any], schema: str, status: int = 200) -> Response:
        """Apply ``fields`` (or Drive's default selection) and encode as JSON."""
        pretty = request.query.get("prettyPrint", "true").lower() != "false"
        return json_response(select(request.query.get("fields"), payload, schema), status, pretty=pretty)

    def visible_record(self, request: Request, file_id: str) -> FileRecord:
        all_drives = flag(request.query, "supportsAllDrives") or flag(request.query, "supportsTeamDrives")
        record = self.store.get(file_id)
        if not visible(self.store, record, all_drives):
            raise not_found(file_id)
        return record

    def resource(self, request: Request, record: FileRecord) -> dict[str, Any]:
        return file_resource(self.store, record, request.base_url)

    # ----- files.get / media / export ---------------------------------------------------------------
    def get(self, request: Request, file_id: str) -> Response:
        validate_params("files", "get", request.query)
        with self.store.lock:
            if request.query.get("alt") == "media":
                # Drive serves content by id whatever supportsAllDrives says (rclone relies on it).
                return self.media(request, self.store.get(file_id))
            record = self.visible_record(request, file_id)
            return self.render(request, self.resource(request, record), "File")

    def check_download(self, request: Request, record: FileRecord) -> None:
        """The 403s Drive gives a download or export it refuses: owner disabled downloads, quota, abuse."""
        if not record.can_download:
            raise DriveStateError(
                403,
                "cannotDownloadFile",
                "The owner of this file has disabled downloading, printing and copying for viewers.",
            )
        block = record.download_block
        if block == "cannotDownloadAbusiveFile" and flag(request.query, "acknowledgeAbuse"):
            return
        if block is not None:
            raise DriveStateError(403, block, _DOWNLOAD_BLOCK_MESSAGES[block])

    def media(self, request: Request, record: FileRecord) -> Response:
        if not record.is_blob:
            raise DriveStateError(
                403, "fileNotDownloadable", _NOT_DOWNLOADABLE, location="alt", locationType="parameter"
            )
        self.check_download(request, record)
        data = record.data or b""
        digest = bytes.fromhex(record.md5) if record.md5 else hashlib.md5(data).digest()
        md5 = base64.b64encode(digest).decode()
        headers = {
            "Content-Type": record.mime_type,
            "X-Goog-Hash": f"md5={md5}",
            "ETag": f'"{record.head_revision_id}"',
            "Accept-Ranges": "bytes",
        }
        byte_range = request.header("range")
        if byte_range:
            span = _parse_range(byte_range, len(data))
            if span is None or not data:  # as Drive: no range of an empty file is satisfiable (RFC 9110)
                return Response(416, {"Content-Range": f"bytes */{len(data)}"}, b"")
            first, last = span
            headers["Content-Range"] = f"bytes {first}-{last}/{len(data)}"
            return Response(206, headers, data[first : last + 1])
        return Response(200, headers, data)

    def export(self, request: Request, file_id: str) -> Response:
        validate_params("files", "export", request.query)
        with self.store.lock:
            record = self.store.get(file_id)
            if not record.is_native or record.is_folder or record.mime_type == SHORTCUT_MIME:
                raise DriveStateError(403, "fileNotExportable", "Export only supports Docs Editors files.")
            wanted = request.query["mimeType"]
            if wanted not in EXPORT_FORMATS.get(record.mime_type, []):
                raise DriveStateError(
                    400,
                    "badRequest",
                    "The requested conversion is not supported.",
                    location="convertTo",
                    locationType="parameter",
                )
            self.check_download(request, record)
            source = record.data or b""
            mime = record.mime_type
        try:
            # Docs and Slides export their text, whatever the format (enough for tests).
            body = export_sheet(source, wanted) if mime == SHEET_MIME else source
        except SheetError as exc:
            raise DriveStateError(500, "backendError", f"Export failed: {exc}") from exc
        if len(body) > self.store.export_limit:
            raise DriveStateError(403, "exportSizeLimitExceeded", "This file is too large to be exported.")
        return Response(200, {"Content-Type": wanted}, body)

    # ----- files.list -----------------------------------------------------------------------------
    def list(self, request: Request) -> Response:
        payload = list_files(self.store, request, lambda record: self.resource(request, record))
        return self.render(request, payload, "FileList")

    # ----- files.create / files.update --------------------------------------------------------------
    def _read_upload(
        self, request: Request, upload: bool
    ) -> tuple[str, dict[str, Any], bytes | None, str | None]:
        """(uploadType, metadata, media, media content type) of a create or update request."""
        upload_type = request.query.get("uploadType") or request.query.get("upload_protocol") or ""
        content_type = request.header("content-type", "") or ""
        if not upload:
            if upload_type in {"media", "multipart", "resumable"}:
                raise bad_request("Media uploads must use the /upload/drive/v3 URL path.")
            return "", _json_body(request.body), None, None
        if upload_type == "media":
            return "media", {}, request.body, content_type or "application/octet-stream"
        if upload_type == "multipart":
            parsed = parse_multipart_related(content_type, request.body)
            return "multipart", parsed.metadata, parsed.media, parsed.media_type
        if upload_type == "resumable":
            return "resumable", _json_body(request.body), None, None
        raise bad_request(f"Invalid upload type: '{upload_type}'. Use media, multipart or resumable.")

    def create(self, request: Request, upload: bool) -> Response:
        validate_params("files", "create", request.query, upload=upload)
        upload_type, metadata, media, media_type = self._read_upload(request, upload)
        _check_writable(metadata, creating=True)
        if upload_type == "resumable":
            return self.start_session(request, None, metadata)
        record = self.create_record(request.query, metadata, media, media_type)
        return self.render(request, self.resource(request, record), "File")

    def create_record(
        self, params: dict[str, str], metadata: dict[str, Any], media: bytes | None, media_type: str | None
    ) -> FileRecord:
        supports = flag(params, "supportsAllDrives") or flag(params, "supportsTeamDrives")
        parents = metadata.get("parents") or ["root"]
        if not isinstance(parents, list) or len(parents) != 1:
            raise DriveStateError(403, "cannotAddParent", "Increasing the number of parents is not allowed.")
        with self.store.lock:
            parent = self.store.get(parents[0])
            if not visible(self.store, parent, supports):
                raise not_found(parents[0])
            wanted_id = metadata.get("id")
            if wanted_id is not None and wanted_id in self.store.files:
                raise DriveStateError(409, "duplicate", "A file already exists with the provided ID.")
            if wanted_id is not None and wanted_id not in self.store.generated_ids:
                raise DriveStateError(
                    400,
                    "fileIdNotUsable",
                    "The provided file ID is not usable.",
                    location="file.id",
                    locationType="other",
                )
            self.store.generated_ids.discard(wanted_id)
            mime = metadata.get("mimeType") or (media_type if media is not None else None)
            mime = mime or "application/octet-stream"
            data = media
            if mime == SHEET_MIME and media is not None:
                if not media.startswith(b"PK"):
                    raise bad_request("The emulator converts only xlsx content to Google Sheets.")
            elif mime in {FOLDER_MIME, SHORTCUT_MIME} and media:
                raise bad_request("Folders and shortcuts cannot have content.")
            elif mime == SHEET_MIME:
                data = None
            target = (metadata.get("shortcutDetails") or {}).get("targetId")
            record = self.store.create(
                parent.id,
                metadata.get("name") or "Untitled",
                mime,
                data,
                file_id=metadata.get("id"),
                modified=_time_field(metadata, "modifiedTime"),
                created=_time_field(metadata, "createdTime"),
                shortcut_target=target,
                description=metadata.get("description"),
                starred=bool(metadata.get("starred", False)),
                properties=_props(metadata.get("properties")),
                app_properties=_props(metadata.get("appProperties")),
                original_filename=metadata.get("originalFilename"),
            )
            record.listed_from = time.time() + self.store.listing_lag
            return record

    def update(self, request: Request, file_id: str, upload: bool) -> Response:
        validate_params("files", "update", request.query, upload=upload)
        upload_type, metadata, media, _ = self._read_upload(request, upload)
        _check_writable(metadata, creating=False)
        with self.store.lock:
            self.visible_record(request, file_id)
            if upload_type == "resumable":
                return self.start_session(request, file_id, metadata)
            record = self.update_record(request.query, file_id, metadata, media)
            return self.render(request, self.resource(request, record), "File")

    def update_record(
        self, params: dict[str, str], file_id: str, metadata: dict[str, Any], media: bytes | None
    ) -> FileRecord:
        with self.store.lock:
            record = self.store.get(file_id)
            self.store.check_writable(record)
            supports = flag(params, "supportsAllDrives") or flag(params, "supportsTeamDrives")
            current = list(record.parents)
            removed = [self.store.resolve_id(p) for p in params.get("removeParents", "").split(",") if p]
            added = [self.store.resolve_id(p) for p in params.get("addParents", "").split(",") if p]
            for parent_id in added:
                if not visible(self.store, self.store.get(parent_id), supports):
                    raise not_found(parent_id)
            both = set(added) & set(removed)  # addParents=P&removeParents=P: a no-op move (rclone renames so)
            added = [p for p in added if p not in both]
            removed = [p for p in removed if p not in both]
            new_parents = [p for p in current if p not in removed] + [p for p in added if p not in current]
            if len(new_parents) > 1:
                raise DriveStateError(
                    403, "cannotAddParent", "Increasing the number of parents is not allowed."
                )
            if not new_parents and (added or removed):
                raise bad_request(
                    "A file must keep one parent; use addParents with removeParents to move it."
                )
            changes: dict[str, Any] = {}
            if "name" in metadata:
                changes["name"] = metadata["name"]
            if "description" in metadata:
                changes["description"] = metadata["description"]
            if "starred" in metadata:
                changes["starred"] = bool(metadata["starred"])
            if record.mime_type == SHEET_MIME and media is not None and not media.startswith(b"PK"):
                raise bad_request("The emulator converts only xlsx content to Google Sheets.")
            converts = (
                metadata.get("mimeType") == SHEET_MIME
                and record.is_blob
                and media is not None
                and media.startswith(b"PK")
            )
            if converts:  # xlsx bytes uploaded with mimeType spreadsheet: the file becomes a native Sheet
                changes["mime_type"] = SHEET_MIME
                self.store.convert_to_sheet(record)
            elif "mimeType" in metadata and metadata["mimeType"] != record.mime_type:
                if not record.is_blob or str(metadata["mimeType"]).startswith("application/vnd.google-apps."):
                    raise DriveStateError(
                        403, "fieldNotWritable", "The mimeType of this item cannot be changed."
                    )
                changes["mime_type"] = metadata["mimeType"]
            if "originalFilename" in metadata:
                changes["original_filename"] = metadata["originalFilename"]
            for key, attr in (("properties", "properties"), ("appProperties", "app_properties")):
                if isinstance(metadata.get(key), dict):
                    merged = dict(getattr(record, attr))
                    for name, value in metadata[key].items():
                        if value is None:
                            merged.pop(name, None)
                        else:
                            merged[name] = str(value)
                    changes[attr] = merged
            modified = _time_field(metadata, "modifiedTime")
            if modified is not None:
                changes["modified"] = modified
            trashed = metadata.get("trashed")
            return apply_update(
                self.store,
                record.id,
                metadata=changes,
                new_parent=new_parents[0] if new_parents and new_parents != current else None,
                data=media,
                trashed=bool(trashed) if trashed is not None else None,
            )

    # ----- resumable uploads ------------------------------------------------------------------------
    def start_session(self, request: Request, file_id: str | None, metadata: dict[str, Any]) -> Response:
        total_text = request.header("x-upload-content-length")
        mime = (
            request.header("x-upload-content-type") or metadata.get("mimeType") or "application/octet-stream"
        )
        total = int(total_text) if total_text and total_text.isdigit() else None
        if file_id is None:
            supports = flag(request.query, "supportsAllDrives") or flag(request.query, "supportsTeamDrives")
            parents = metadata.get("parents") or ["root"]
            parent = self.store.get(parents[0])
            if not visible(self.store, parent, supports):
                raise not_found(parents[0])
            if total is not None:
                self.store.check_quota(
                    total, parent.drive_id or (parent.id if parent.id in self.store.drives else None)
                )
        params = {k: v for k, v in request.query.items() if k != "uploadType"}
        session = self.store.new_upload(file_id, metadata, mime, total, params)
        path = "upload/drive/v3/files" + (f"/{file_id}" if file_id else "")
        location = f"{request.base_url}{path}?uploadType=resumable&upload_id={session.id}"
        return Response(
            200, {"Location": location, "X-GUploader-UploadID": session.id, "Content-Length": "0"}, b""
        )

    def session_for(self, request: Request) -> UploadSession:
        session = self.store.uploads.get(request.query.get("upload_id", ""))
        if session is not None and time.time() - session.started > self.store.upload_session_lifetime:
            self.store.uploads.pop(session.id, None)
            session = None
        if session is None:
            raise DriveStateError(
                404, "notFound", "No such upload session.", location="upload_id", locationType="parameter"
            )
        return session

    def upload_chunk(self, request: Request, lose: bool) -> Response:
        content_range = parse_content_range(request.header("content-range"))
        with self.store.lock:
            session = self.session_for(request)
            if session.result is not None:
                return json_response(session.result, 201 if session.file_id is None else 200)
            outcome = accept_chunk(session, content_range, request.body, lose)
            if not outcome.complete:
                headers = {**range_header(outcome.received), "Content-Length": "0"}
                if (request.header("x-guploader-no-308") or "").lower() == "yes":
                    # Google's answer to clients whose HTTP stack would treat 308 as a redirect (Go).
                    return Response(200, {**headers, "X-HTTP-Status-Code-Override": "308"}, b"")
                return Response(308, headers, b"")
            data = bytes(session.received)
            if session.file_id is None:
                record = self.create_record(session.params, session.metadata, data, session.mime_type)
            else:
                record = self.update_record(session.params, session.file_id, session.metadata, data)
            session.result = select(session.params.get("fields"), self.resource(request, record), "File")
            # Drive answers a completed resumable create 201 Created, an update 200.
            return json_response(session.result, 201 if session.file_id is None else 200)

    def copy(self, request: Request, file_id: str) -> Response:
        """files.copy: a new item with the source's content; folders cannot be copied."""
        validate_params("files", "copy", request.query)
        metadata = _json_body(request.body)
        _check_writable(metadata, creating=True)
        with self.store.lock:
            source = self.visible_record(request, file_id)
            if source.is_folder:
                raise DriveStateError(403, "cannotCopyFile", "This file cannot be copied by the user.")
            merged = {
                "name": f"Copy of {source.name}",
                "parents": list(source.parents),
                "mimeType": source.mime_type,
                "description": source.description,
                **metadata,
            }
            if source.shortcut_target:
                merged.setdefault("shortcutDetails", {"targetId": source.shortcut_target})
            media = source.data if not source.is_folder else None
            record = self.create_record(request.query, merged, media, source.mime_type)
            return self.render(request, self.resource(request, record), "File")

    # ----- delete, trash, ids -----------------------------------------------------------------------
    def delete(self, request: Request, file_id: str) -> Response:
        validate_params("files", "delete", request.query)
        with self.store.lock:
            record = self.visible_record(request, file_id)
            self.store.check_writable(record)
            self.store.delete(record.id)
        return Response(204, {}, b"")

    def empty_trash(self, request: Request) -> Response:
        validate_params("files", "emptyTrash", request.query)
        with self.store.lock:
            for record in list(self.store.files.values()):
                if record.explicitly_trashed and record.drive_id is None and record.id in self.store.files:
                    self.store.delete(record.id)
        return Response(204, {}, b"")

    def generate_ids(self, request: Request) -> Response:
        validate_params("files", "generateIds", request.query)
        count = int(request.query.get("count", "10"))
        ids = [self.store.new_id() for _ in range(count)]
        with self.store.lock:
            self.store.generated_ids.update(ids)
        return json_response({"kind": "drive#generatedIds", "space": "drive", "ids": ids})


# ----- module helpers -------------------------------------------------------------------------------


def _response_schema(method: str, path_parts: list[str], query: dict[str, str]) -> str | None:
    """The discovery schema of a Drive route's JSON answer (None for media and empty answers)."""
    head, rest = path_parts[:1], path_parts[1:]
    if head == ["files"]:
        if rest in ([], ["generateIds"]) and method == "GET":
            return "FileList" if not rest else "GeneratedIds"
        if len(rest) >= 2 and rest[1] == "permissions":
            if method == "DELETE":
                return None
            return "PermissionList" if method == "GET" else "Permission"
        if (rest and rest[-1] == "export") or method == "DELETE" or query.get("alt") == "media":
            return None
        return "File"
    if head == ["changes"]:
        return "StartPageToken" if rest == ["startPageToken"] else "ChangeList"
    if head == ["about"]:
        return "About"
    if head == ["drives"]:
        if method == "DELETE":
            return None
        return "Drive" if rest else "DriveList"
    return None


def _unsupported(method: str, path: str) -> DriveStateError:
    return DriveStateError(501, "notImplemented", f"The emulator does not implement {method} {path}.")


def _json_body(body: bytes) -> dict[str, Any]:
    if not body.strip():
        return {}
    try:
        value = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise bad_request(f"Invalid JSON payload received. {exc}") from exc
    if not isinstance(value, dict):
        raise bad_request("Invalid JSON payload received. Expected an object.")
    return value


def _check_writable(metadata: dict[str, Any], creating: bool) -> None:
    bad = sorted(set(metadata) & _READ_ONLY_FIELDS)
    if bad:
        raise DriveStateError(
            403, "fieldNotWritable", "The resource body includes fields which are not directly writable."
        )
    if not creating and "parents" in metadata:
        raise DriveStateError(
            403,
            "fieldNotWritable",
            "The parents field is not directly writable in update requests. "
            "Use the addParents and removeParents parameters instead.",
        )
    if "shortcutDetails" in metadata and not creating:
        raise DriveStateError(403, "fieldNotWritable", "The shortcutDetails field can only be set on create.")


def _props(value: Any) -> dict[str, str] | None:
    if not isinstance(value, dict):
        return None
    return {str(k): str(v) for k, v in value.items() if v is not None}


def _time_field(metadata: dict[str, Any], name: str) -> Any:
    value = metadata.get(name)
    if value is None:
        return None
    try:
        return parse_time(str(value))
    except ValueError:
        raise bad_request(f"Invalid value for {name}: {value}") from None


def _parse_range(header: str, size: int) -> tuple[int, int] | None:
    """(first, last) of a single ``bytes=`` range, or None when unsatisfiable."""
    unit, _, spec = header.partition("=")
    if unit.strip().lower() != "bytes" or "," in spec:
        return (0, size - 1) if size else (0, -1)
    start_text, _, end_text = spec.strip().partition("-")
    if not start_text:
        length = int(end_text)
        if size == 0:
            return (0, -1)
        return (max(0, size - length), size - 1)
    start = int(start_text)
    end = int(end_text) if end_text else size - 1
    if size == 0 and start == 0:
        return (0, -1)
    if start >= size:
        return None
    return start, min(end, size - 1)
