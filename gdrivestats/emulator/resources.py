"""JSON shapes Drive v3 sends: files, changes, shared drives, about; default field selections."""

from __future__ import annotations

import posixpath
from typing import Any

from gdrivestats.emulator.fields import FieldsError, Selection, apply_fields, check_fields, parse_fields
from gdrivestats.emulator.store import (
    DOC_MIME,
    FOLDER_MIME,
    SHEET_MIME,
    SHORTCUT_MIME,
    SLIDES_MIME,
    XLSX_MIME,
    ChangeRecord,
    FileRecord,
    SharedDrive,
    Store,
    format_time,
)
from gdrivestats.emulator.validate import invalid_parameter, schemas

# What Drive v3 returns when a request has no ``fields`` parameter.
DEFAULT_FILE: Selection = {"kind": None, "id": None, "name": None, "mimeType": None}
DEFAULT_SELECTIONS: dict[str, Selection] = {
    "File": DEFAULT_FILE,
    "FileList": {"kind": None, "incompleteSearch": None, "nextPageToken": None, "files": DEFAULT_FILE},
    "Change": {
        "kind": None,
        "changeType": None,
        "time": None,
        "removed": None,
        "fileId": None,
        "driveId": None,
        "file": DEFAULT_FILE,
    },
    "Drive": {"kind": None, "id": None, "name": None},
    "DriveList": {"kind": None, "nextPageToken": None, "drives": {"kind": None, "id": None, "name": None}},
    "StartPageToken": {"kind": None, "startPageToken": None},
}
DEFAULT_SELECTIONS["ChangeList"] = {
    "kind": None,
    "nextPageToken": None,
    "newStartPageToken": None,
    "changes": DEFAULT_SELECTIONS["Change"],
}


#: What Drive exports each native type to (``about.exportFormats``, ``exportLinks``, ``files.export``).
EXPORT_FORMATS: dict[str, list[str]] = {
    SHEET_MIME: [
        XLSX_MIME,
        "application/x-vnd.oasis.opendocument.spreadsheet",
        "application/vnd.oasis.opendocument.spreadsheet",
        "text/csv",
        "text/tab-separated-values",
        "application/pdf",
        "application/zip",
    ],
    DOC_MIME: [
        "text/plain",
        "application/pdf",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ],
    SLIDES_MIME: [
        "text/plain",
        "application/pdf",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ],
}


def user_resource(store: Store, email: str | None = None) -> dict[str, Any]:
    """This user, or (``email``) another user who owns files shared with this one."""
    if email is not None and email != store.user_email:
        return {
            "kind": "drive#user",
            "displayName": email.split("@")[0],
            "emailAddress": email,
            "me": False,
            "permissionId": str(int.from_bytes(email.encode()[:8].ljust(8, b"\0"), "big"))[:20],
        }
    return {
        "kind": "drive#user",
        "displayName": store.user_name,
        "emailAddress": store.user_email,
        "me": True,
        "permissionId": "00000000000000000001",
    }


def file_resource(store: Store, record: FileRecord, base_url: str = "") -> dict[str, Any]:
    """Every field the emulator knows for one item (a ``fields`` selection is applied afterwards)."""
    trashed = store.is_trashed(record)
    shared = record.drive_id is not None
    res: dict[str, Any] = {
        "kind": "drive#file",
        "id": record.id,
        "name": record.name,
        "mimeType": record.mime_type,
        "starred": record.starred,
        "trashed": trashed,
        "explicitlyTrashed": record.explicitly_trashed,
        "spaces": ["drive"],
        "version": str(record.version),
        "createdTime": format_time(record.created),
        "modifiedTime": format_time(record.modified),
        "modifiedByMe": True,
        "modifiedByMeTime": format_time(record.modified),
        "viewedByMe": True,
        "shared": shared,
        "webViewLink": f"https://drive.google.com/file/d/{record.id}/view?usp=drivesdk",
        "iconLink": f"https://drive-thirdparty.googleusercontent.com/16/type/{record.mime_type}",
        "hasThumbnail": False,
        "isAppAuthorized": False,
        "lastModifyingUser": user_resource(store),
        "capabilities": {
            "canDownload": record.can_download,
            "canCopy": not record.copy_requires_writer_permission and not record.is_folder,
            "canEdit": record.owner is None,
            "canRename": record.owner is None,
            "canTrash": record.owner is None,
            "canDelete": record.owner is None,
            "canAddChildren": record.is_folder,
            "canListChildren": record.is_folder,
        },
        "copyRequiresWriterPermission": record.copy_requires_writer_permission,
        "writersCanShare": True,
        "viewersCanCopyContent": not record.copy_requires_writer_permission,
        "quotaBytesUsed": str(len(record.data or b"") if record.is_blob and record.owner is None else 0),
    }
    if record.parents:
        res["parents"] = list(record.parents)
    if shared:
        res["driveId"] = record.drive_id
        res["teamDriveId"] = record.drive_id
    elif record.owner is not None:
        res["ownedByMe"] = False
        res["owners"] = [user_resource(store, record.owner)]
        res["sharingUser"] = user_resource(store, record.owner)
        res["sharedWithMeTime"] = format_time(record.created)
        res["shared"] = True
        res["lastModifyingUser"] = user_resource(store, record.owner)
        res["modifiedByMe"] = False
        res.pop("modifiedByMeTime")
    else:
        res["ownedByMe"] = True
        res["owners"] = [user_resource(store)]
    if record.explicitly_trashed and record.trashed_time is not None:
        res["trashedTime"] = format_time(record.trashed_time)
        res["trashingUser"] = user_resource(store)
    if record.description is not None:
        res["description"] = record.description
    if record.properties:
        res["properties"] = dict(record.properties)
    if record.app_properties:
        res["appProperties"] = dict(record.app_properties)
    if record.is_blob:
        res.update(
            size=str(len(record.data or b"")),
            md5Checksum=record.md5,
            sha1Checksum=record.sha1,
            sha256Checksum=record.sha256,
            headRevisionId=record.head_revision_id,
            originalFilename=record.original_filename or record.name,
            webContentLink=f"https://drive.google.com/uc?id={record.id}&export=download",
        )
        ext = posixpath.splitext(record.name)[1]
        if ext:
            res["fileExtension"] = ext[1:]
            res["fullFileExtension"] = record.name.split(".", 1)[1] if "." in record.name else ext[1:]
    elif record.is_native and record.mime_type not in {FOLDER_MIME, SHORTCUT_MIME}:
        res["size"] = str(len(record.data or b""))  # Drive reports a size for Workspace editor files
    if record.mime_type in EXPORT_FORMATS:
        export = f"{base_url}drive/v3/files/{record.id}/export?mimeType="
        res["exportLinks"] = {fmt: export + fmt for fmt in EXPORT_FORMATS[record.mime_type]}
    if record.mime_type == SHORTCUT_MIME:
        res["shortcutDetails"] = {
            "targetId": record.shortcut_target,
            "targetMimeType": record.shortcut_target_mime,
        }
    return res


def change_resource(
    store: Store, change: ChangeRecord, record: FileRecord | None, base_url: str = ""
) -> dict[str, Any]:
    """A file change (with ``driveId`` when the file is in a shared drive) or a shared-drive change."""
    if change.kind == "drive":
        drive = store.drives.get(change.file_id)
        res: dict[str, Any] = {
            "kind": "drive#change",
            "changeType": "drive",
            "type": "drive",
            "time": format_time(change.time),
            "removed": drive is None,
            "driveId": change.file_id,
            "teamDriveId": change.file_id,
        }
        if drive is not None:
            res["drive"] = drive_resource(drive)
        return res
    res = {
        "kind": "drive#change",
        "changeType": "file",
        "type": "file",
        "time": format_time(change.time),
        "removed": record is None,
        "fileId": change.file_id,
    }
    drive_id = record.drive_id if record is not None else change.drive_id
    if drive_id is not None:
        res["driveId"] = drive_id
        res["teamDriveId"] = drive_id
    if record is not None:
        res["file"] = file_resource(store, record, base_url)
    return res


def drive_resource(drive: SharedDrive) -> dict[str, Any]:
    return {
        "kind": "drive#drive",
        "id": drive.id,
        "name": drive.name,
        "createdTime": format_time(drive.created),
        "hidden": False,
        "capabilities": {"canAddChildren": True, "canListChildren": True, "canDownload": True},
    }


def about_resource(store: Store) -> dict[str, Any]:
    used, trash = store.usage()
    return {
        "kind": "drive#about",
        "user": user_resource(store),
        "storageQuota": {
            "limit": str(store.quota_limit),
            "usage": str(used),
            "usageInDrive": str(used),
            "usageInDriveTrash": str(trash),
        },
        "maxUploadSize": "5242880000000",
        "appInstalled": False,
        "canCreateDrives": True,
        "exportFormats": {mime: list(formats) for mime, formats in EXPORT_FORMATS.items()},
        "importFormats": {XLSX_MIME: [SHEET_MIME], "text/csv": [SHEET_MIME]},
    }


def select(fields: str | None, payload: dict[str, Any], schema: str) -> Any:
    """Apply a ``fields`` selector (validated against the schema) or the default selection."""
    if not fields:  # absent, or empty as Go clients send it (``fields=``): Drive's default selection
        tree: Selection | None = DEFAULT_SELECTIONS.get(schema)
    else:
        try:
            tree = parse_fields(fields)
            check_fields(tree, schemas(), schema)
        except FieldsError as exc:
            raise invalid_parameter("fields", str(exc)) from None
    return apply_fields(payload, tree)
