"""Drive v3 handlers besides files.*: changes.getStartPageToken, changes.list, about.get, drives.list/get."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from gdrivestats.emulator.messages import Request, Response
from gdrivestats.emulator.resources import about_resource, change_resource, drive_resource
from gdrivestats.emulator.store import ChangeRecord, DriveStateError
from gdrivestats.emulator.validate import flag, invalid_parameter, validate_params

if TYPE_CHECKING:
    from gdrivestats.emulator.drive_api import DriveApi

Handler = Callable[["DriveApi", Request, list[str]], Response]


def route(method: str, rest: list[str]) -> Handler | None:
    """The handler for ``drive/v3/<rest>``, or None."""
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
    page_size = int(params.get("pageSize", "100"))
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
        latest: dict[str, int] = {}
        for change in store.changes:
            latest[change.file_id] = change.seq

        def wanted(change: ChangeRecord) -> bool:
            if change.seq < start or latest[change.file_id] != change.seq or "drive" not in spaces:
                return False
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
            record = store.files.get(change.file_id)
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
    with api.store.lock:
        drives = sorted(api.store.drives.values(), key=lambda d: d.created)
        page_size = int(request.query.get("pageSize", "10"))
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
