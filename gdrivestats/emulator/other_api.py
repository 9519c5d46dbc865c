"""Drive v3 handlers besides files.*: changes, about, drives (list with q, get, create, update, delete),
and a minimal permissions API (create, list, delete) under ``files/ID/permissions``."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from gdrivestats.emulator.messages import Request, Response
from gdrivestats.emulator.query import QueryError, parse_query
from gdrivestats.emulator.resources import about_resource, change_resource, drive_resource
from gdrivestats.emulator.store import ChangeRecord, DriveStateError
from gdrivestats.emulator.validate import flag, invalid_parameter, validate_params

MAX_PAGE = 1000  # files.list and changes.list coerce larger pageSize values to this
MAX_DRIVES_PAGE = 100  # drives.list coerces to this

if TYPE_CHECKING:
    from gdrivestats.emulator.drive_api import DriveApi

Handler = Callable[["DriveApi", Request, list[str]], Response]


def route(method: str, rest: list[str]) -> Handler | None:
    """The handler for ``drive/v3/<rest>``, or None."""
    if rest == ["drives"] and method == "POST":
        return create_drive
    if len(rest) == 2 and rest[0] == "drives" and method == "PATCH":
        return update_drive
    if len(rest) == 2 and rest[0] == "drives" and method == "DELETE":
        return delete_drive
    if method != "GET":
        return None
    if rest == ["changes", "startPageToken"]:
        return start_page_token
    if rest == ["changes"]:
        return list_changes
    if rest == ["about"]:
        return about
    if rest == ["drives"]:
        return list_drives
    if len(rest) == 2 and rest[0] == "drives":
        return get_drive
    return None


def drive_not_found(drive_id: str) -> DriveStateError:
    return DriveStateError(
        404, "notFound", f"Shared drive not found: {drive_id}", location="driveId", locationType="parameter"
    )


def start_page_token(api: DriveApi, request: Request, _: list[str]) -> Response:
    validate_params("changes", "getStartPageToken", request.query)
    drive_id = request.query.get("driveId") or request.query.get("teamDriveId")
    if drive_id is not None and drive_id not in api.store.drives:
        raise drive_not_found(drive_id)
    token = str(api.store.next_change_seq())
    return api.render(request, {"kind": "drive#startPageToken", "startPageToken": token}, "StartPageToken")


def list_changes(api: DriveApi, request: Request, _: list[str]) -> Response:
    params = request.query
    validate_params("changes", "list", params)
    try:
        start = int(params["pageToken"])
        if start < 1:
            raise ValueError
    except ValueError:
        raise DriveStateError(
            400, "invalid", "Invalid Value", location="pageToken", locationType="parameter"
        ) from None
    page_size = min(int(params.get("pageSize", "100")), MAX_PAGE)
    supports = flag(params, "supportsAllDrives") or flag(params, "supportsTeamDrives")
    include = flag(params, "includeItemsFromAllDrives") or flag(params, "includeTeamDriveItems")
    if include and not supports:
        raise DriveStateError(
            403,
            "teamDrivesParameterRequiresSupportsAllDrives",
            "The includeItemsFromAllDrives parameter can only be set to true when supportsAllDrives is also "
            "set to true.",
        )
    include_removed = flag(params, "includeRemoved", default=True)
    restrict = flag(params, "restrictToMyDrive")
    drive_id = params.get("driveId") or params.get("teamDriveId")
    spaces = {s.strip() for s in params.get("spaces", "drive").split(",")}
    if not spaces <= {"drive", "appDataFolder", "photos"}:
        raise invalid_parameter("spaces", f"Invalid value '{params.get('spaces')}' for spaces")
    store = api.store
    with store.lock:
        if drive_id is not None and drive_id not in store.drives:
            raise drive_not_found(drive_id)
        latest: dict[tuple[str, str], int] = {}
        for change in store.changes:
            latest[(change.kind, change.file_id)] = change.seq

        def wanted(change: ChangeRecord) -> bool:
            key = (change.kind, change.file_id)
            if change.seq < start or latest[key] != change.seq or "drive" not in spaces:
                return False
            if change.kind == "drive":  # shared drives themselves: only for all-drives feeds
                return drive_id is None and include and not restrict
            record = store.files.get(change.file_id)
            if record is not None and change.removed:
                return False
            where = record.drive_id if record is not None else change.drive_id
            if drive_id is not None:
                in_scope = where == drive_id
            elif where is None:
                in_scope = True
            else:
                in_scope = include and not restrict
            if not in_scope:
                return False
            return record is not None or include_removed

        index = next((i for i, c in enumerate(store.changes) if c.seq >= start), len(store.changes))
        page: list[dict[str, Any]] = []
        next_token: str | None = None
        for change in store.changes[index:]:
            if not wanted(change):
                continue
            if len(page) == page_size:
                next_token = str(change.seq)
                break
            record = store.files.get(change.file_id) if change.kind == "file" else None
            page.append(change_resource(store, change, None if change.removed else record, request.base_url))
        payload: dict[str, Any] = {"kind": "drive#changeList"}
        if next_token is not None:
            payload["nextPageToken"] = next_token
        else:
            payload["newStartPageToken"] = str(store.next_change_seq())
        payload["changes"] = page
    return api.render(request, payload, "ChangeList")


def about(api: DriveApi, request: Request, _: list[str]) -> Response:
    validate_params("about", "get", request.query)
    if "fields" not in request.query:
        raise DriveStateError(
            400,
            "required",
            "The 'fields' parameter is required for this method.",
            location="fields",
            locationType="parameter",
        )
    return api.render(request, about_resource(api.store), "About")


def list_drives(api: DriveApi, request: Request, _: list[str]) -> Response:
    validate_params("drives", "list", request.query)
    try:
        node = parse_query(request.query.get("q", ""))
    except QueryError:
        raise invalid_parameter("q", "Invalid Value", "invalid") from None
    with api.store.lock:
        drives = sorted(api.store.drives.values(), key=lambda d: d.created)
        drives = [
            d for d in drives if node.evaluate({"name": d.name, "hidden": False, "createdTime": d.created})
        ]
        page_size = min(int(request.query.get("pageSize", "10")), MAX_DRIVES_PAGE)
        offset = int(request.query.get("pageToken", "0") or 0)
        chunk = drives[offset : offset + page_size]
        payload: dict[str, Any] = {"kind": "drive#driveList"}
        if offset + page_size < len(drives):
            payload["nextPageToken"] = str(offset + page_size)
        payload["drives"] = [drive_resource(d) for d in chunk]
    return api.render(request, payload, "DriveList")


def get_drive(api: DriveApi, request: Request, rest: list[str]) -> Response:
    validate_params("drives", "get", request.query)
    drive = api.store.drives.get(rest[0])
    if drive is None:
        raise drive_not_found(rest[0])
    return api.render(request, drive_resource(drive), "Drive")


def _body(request: Request) -> dict[str, Any]:
    try:
        value = json.loads(request.body.decode("utf-8") or "{}")
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise DriveStateError(400, "badRequest", "Invalid JSON payload received.") from None
    if not isinstance(value, dict):
        raise DriveStateError(400, "badRequest", "Invalid JSON payload received. Expected an object.")
    return value


def create_drive(api: DriveApi, request: Request, _: list[str]) -> Response:
    """drives.create: ``requestId`` is required; a repeated requestId answers 409 (already created)."""
    validate_params("drives", "create", request.query)
    request_id = request.query["requestId"]
    name = str(_body(request).get("name") or "Untitled shared drive")
    store = api.store
    with store.lock:
        known: dict[str, str] = store.oauth_state.setdefault("drive-request-ids", {})
        if request_id in known and known[request_id] in store.drives:
            raise DriveStateError(409, "duplicate", "A shared drive with this requestId already exists.")
        drive = store.add_shared_drive(name)
        known[request_id] = drive.id
        return api.render(request, drive_resource(drive), "Drive")


def update_drive(api: DriveApi, request: Request, rest: list[str]) -> Response:
    validate_params("drives", "update", request.query)
    store = api.store
    with store.lock:
        if rest[0] not in store.drives:
            raise drive_not_found(rest[0])
        name = _body(request).get("name")
        drive = store.rename_shared_drive(rest[0], str(name)) if name else store.drives[rest[0]]
        return api.render(request, drive_resource(drive), "Drive")


def delete_drive(api: DriveApi, request: Request, rest: list[str]) -> Response:
    validate_params("drives", "delete", request.query)
    store = api.store
    with store.lock:
        if rest[0] not in store.drives:
            raise drive_not_found(rest[0])
        store.delete_shared_drive(rest[0])
    return Response(204, {}, b"")


# ----- permissions (create, list, delete): enough for "share a link" ---------------------------------

_ROLES = {"owner", "organizer", "fileOrganizer", "writer", "commenter", "reader"}
_TYPES = {"user", "group", "domain", "anyone"}


def permissions(api: DriveApi, request: Request, file_id: str, rest: list[str]) -> Response:
    """``files/ID/permissions`` (POST create, GET list) and ``files/ID/permissions/PID`` (DELETE)."""
    store = api.store
    method = request.method
    with store.lock:
        record = api.visible_record(request, file_id)
        perms = store.permissions.setdefault(record.id, [])
        if not rest and method == "POST":
            validate_params("permissions", "create", request.query)
            body = _body(request)
            role, kind = body.get("role"), body.get("type")
            if role not in _ROLES or kind not in _TYPES:
                raise DriveStateError(400, "invalid", "A valid role and type are required.")
            if kind in {"user", "group"} and not body.get("emailAddress"):
                raise DriveStateError(400, "required", "Permission emailAddress is required.")
            perm: dict[str, Any] = {
                "kind": "drive#permission",
                "id": "anyoneWithLink" if kind == "anyone" else store.new_token(20),
                "type": kind,
                "role": role,
            }
            for key in ("emailAddress", "domain", "allowFileDiscovery"):
                if key in body:
                    perm[key] = body[key]
            perms.append(perm)
            _refresh_visibility(record, perms)
            store.set_metadata(record.id)
            return api.render(request, perm, "Permission")
        if not rest and method == "GET":
            validate_params("permissions", "list", request.query)
            mine = {
                "kind": "drive#permission",
                "id": "00000000000000000001",
                "type": "user",
                "role": "owner",
                "emailAddress": store.user_email,
            }
            payload = {"kind": "drive#permissionList", "permissions": [mine, *perms]}
            return api.render(request, payload, "PermissionList")
        if len(rest) == 1 and method == "DELETE":
            validate_params("permissions", "delete", request.query)
            kept = [p for p in perms if p["id"] != rest[0]]
            if len(kept) == len(perms):
                raise DriveStateError(404, "notFound", f"Permission not found: {rest[0]}.")
            perms[:] = kept
            _refresh_visibility(record, perms)
            store.set_metadata(record.id)
            return Response(204, {}, b"")
    raise DriveStateError(501, "notImplemented", f"The emulator does not implement {method} {request.path}.")


def _refresh_visibility(record: Any, perms: list[dict[str, Any]]) -> None:
    anyone = [p for p in perms if p["type"] == "anyone"]
    domain = [p for p in perms if p["type"] == "domain"]
    if anyone:
        record.visibility = "anyoneCanFind" if anyone[0].get("allowFileDiscovery") else "anyoneWithLink"
    elif domain:
        record.visibility = "domainCanFind" if domain[0].get("allowFileDiscovery") else "domainWithLink"
    else:
        record.visibility = "limited"
