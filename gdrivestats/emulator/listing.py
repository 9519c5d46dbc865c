"""files.list: corpora and shared-drive rules, the q filter, orderBy, and stable keyset page tokens.

Also where two of Drive's listing faults live: items created less than ``Store.listing_lag`` seconds ago
are left out, and the ``partial`` fault leaves out the children of one of the parents a query names.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import re
import time
from collections.abc import Callable
from functools import cmp_to_key
from typing import Any

from gdrivestats.emulator.messages import Request
from gdrivestats.emulator.other_api import MAX_PAGE, drive_not_found
from gdrivestats.emulator.query import QueryError, parent_id_list, parse_query, required_parents
from gdrivestats.emulator.sheets import SheetError, xlsx_first_sheet_rows
from gdrivestats.emulator.store import SHEET_MIME, DriveStateError, FileRecord, Store, format_time
from gdrivestats.emulator.validate import flag, invalid_parameter, validate_params

logger = logging.getLogger(__name__)

_ORDER_KEYS = {
    "createdTime",
    "folder",
    "modifiedByMeTime",
    "modifiedTime",
    "name",
    "name_natural",
    "quotaBytesUsed",
    "recency",
    "sharedWithMeTime",
    "starred",
    "viewedByMeTime",
}


def list_files(
    store: Store, request: Request, resource: Callable[[FileRecord], dict[str, Any]]
) -> dict[str, Any]:
    """The full FileList payload (before ``fields``) for one files.list request."""
    params = request.query
    validate_params("files", "list", params)
    supports = flag(params, "supportsAllDrives") or flag(params, "supportsTeamDrives")
    include = flag(params, "includeItemsFromAllDrives") or flag(params, "includeTeamDriveItems")
    corpora = params.get("corpora", params.get("corpus", "user"))
    drive_id = params.get("driveId") or params.get("teamDriveId")
    _check_corpora(corpora, drive_id, supports, include)
    try:
        node = parse_query(params.get("q", ""))
    except QueryError as exc:
        logger.debug("bad q %r: %s", params.get("q"), exc)
        raise invalid_parameter("q", "Invalid Value", "invalid") from None
    order = _parse_order(params.get("orderBy", ""))
    page_size = min(int(params.get("pageSize", "100")), MAX_PAGE)
    full_text = "fullText" in params.get("q", "")
    spaces = {s.strip() for s in params.get("spaces", "drive").split(",")}
    if not spaces <= {"drive", "appDataFolder", "photos"}:
        raise invalid_parameter("spaces", f"Invalid value '{params.get('spaces')}' for spaces")
    fingerprint = hashlib.sha1(
        json.dumps([params.get("q", ""), params.get("orderBy", ""), corpora, drive_id, include]).encode()
    ).hexdigest()[:16]
    after = _decode_page_token(params.get("pageToken"), fingerprint)
    compare = _comparer(order)
    with store.lock:
        if drive_id is not None and drive_id not in store.drives:
            raise drive_not_found(drive_id)
        matches = []
        now = time.time()
        required = required_parents(node)  # a file with none of these parents cannot match: not evaluated
        wanted = None if required is None else {store.resolve_id(parent) for parent in required}
        if "drive" in spaces and not request.empty_result:
            for record in store.files.values():
                if record.id == store.root_id or record.id in store.drives or record.listed_from > now:
                    continue
                if wanted is not None and wanted.isdisjoint(record.parents):
                    continue
                if _in_corpus(record, drive_id, include) and node.evaluate(_facts(store, record, full_text)):
                    matches.append(record)
        if request.partial_result:
            for parent in parent_id_list(node):  # the first named parent that has children loses them
                resolved = store.resolve_id(parent)
                if any(resolved in r.parents for r in matches):
                    matches = [r for r in matches if resolved not in r.parents]
                    break
        keyed = [(_sort_key(r, order), r) for r in matches]
        if any(desc for _, desc in order):
            keyed.sort(key=cmp_to_key(compare))
            if after is not None:
                keyed = [pair for pair in keyed if compare(pair, (after, None)) > 0]
        else:  # all ascending: the keys' own order (lists compare element by element), without cmp_to_key
            keyed.sort(key=_first)
            if after is not None:
                keyed = [pair for pair in keyed if pair[0] > after]
        page, rest = keyed[:page_size], keyed[page_size:]
        payload: dict[str, Any] = {"kind": "drive#fileList", "incompleteSearch": False}
        if rest:
            payload["nextPageToken"] = _encode_page_token(page[-1][0], fingerprint)
        payload["files"] = [resource(record) for _, record in page]
        return payload


def _check_corpora(corpora: str, drive_id: str | None, supports: bool, include: bool) -> None:
    values = {c.strip() for c in corpora.split(",")}
    if not values <= {"user", "domain", "drive", "allDrives", "teamDrive", "allTeamDrives"}:
        raise invalid_parameter("corpora", f"Invalid value '{corpora}' for corpora", "invalid")
    if include and not supports:
        raise DriveStateError(
            403,
            "teamDrivesParameterRequiresSupportsAllDrives",
            "The includeItemsFromAllDrives parameter can only be set to true when supportsAllDrives is also "
            "set to true.",
        )
    wants_drive = bool(values & {"drive", "teamDrive"})
    if wants_drive != (drive_id is not None):
        raise invalid_parameter(
            "driveId",
            "The driveId parameter must be specified if and only if corpora is set to drive.",
            "invalid",
        )
    if (wants_drive or values & {"allDrives", "allTeamDrives"}) and not include:
        raise DriveStateError(
            403,
            "teamDriveInclusionRequired",
            "The includeItemsFromAllDrives parameter must be set to true when corpora is set to drive or "
            "allDrives.",
            location="includeItemsFromAllDrives",
            locationType="parameter",
        )


def _in_corpus(record: FileRecord, drive_id: str | None, include: bool) -> bool:
    if drive_id is not None:
        return record.drive_id == drive_id
    if record.drive_id is None:
        return True
    return include


def _content_text(record: FileRecord) -> str:
    """What fullText searches in a file's content: text files, Docs and Sheets' cells."""
    data = record.data or b""
    if record.mime_type == SHEET_MIME:
        try:
            return " ".join(" ".join(row) for row in xlsx_first_sheet_rows(data))
        except SheetError:
            return ""
    if data.startswith(b"PK") or b"\0" in data[:1024]:
        return ""
    return data[: 1 << 20].decode("utf-8", "replace")


def _facts(store: Store, record: FileRecord, full_text: bool = False) -> dict[str, Any]:
    parents = list(record.parents)
    if store.root_id in parents:
        parents.append("root")
    if record.owner is not None:
        owners = [record.owner]
    else:
        owners = ["me", store.user_email] if record.drive_id is None else []
    readers = owners if record.owner is None else [*owners, "me", store.user_email]
    text = f"{record.name} {record.description or ''}"
    if full_text:
        text += " " + _content_text(record)
    return {
        "name": record.name,
        "mimeType": record.mime_type,
        "trashed": store.is_trashed(record),
        "starred": record.starred,
        "sharedWithMe": record.owner is not None,
        "modifiedTime": record.modified,
        "createdTime": record.created,
        "viewedByMeTime": record.modified,
        "parents": parents,
        "owners": owners,
        "writers": owners,
        "readers": readers,
        "fullText": text,
        "description": record.description,
        "properties": record.properties,
        "appProperties": record.app_properties,
        "shortcutDetails.targetId": record.shortcut_target,
        "visibility": record.visibility,
        "sharedWithMeTime": record.created if record.owner is not None else None,
    }


def _parse_order(text: str) -> list[tuple[str, bool]]:
    order: list[tuple[str, bool]] = []
    for raw in text.split(","):
        words = raw.split()
        if not words:
            continue
        key = words[0]
        desc = len(words) == 2 and words[1].lower() == "desc"
        if (
            key not in _ORDER_KEYS
            or len(words) > 2
            or (len(words) == 2 and not desc and words[1].lower() != "asc")
        ):
            raise invalid_parameter(
                "orderBy", f"Invalid value '{text}' for orderBy: unknown sort key '{raw}'."
            )
        order.append((key, desc))
    return order


def _first(pair: tuple[list[Any], FileRecord]) -> list[Any]:
    return pair[0]


def _sort_key(record: FileRecord, order: list[tuple[str, bool]]) -> list[Any]:
    values: list[Any] = []
    for key, _ in order:
        if key == "name":
            values.append([record.name.casefold(), record.name])
        elif key == "name_natural":  # digits compare as numbers: 1, 2, 12, 22
            values.append([_natural(record.name), record.name])
        elif key == "folder":
            values.append(0 if record.is_folder else 1)
        elif key in {"modifiedTime", "modifiedByMeTime", "recency", "viewedByMeTime", "sharedWithMeTime"}:
            values.append(format_time(record.modified))
        elif key == "createdTime":
            values.append(format_time(record.created))
        elif key == "starred":
            values.append(1 if record.starred else 0)
        elif key == "quotaBytesUsed":
            values.append(len(record.data or b"") if record.is_blob else 0)
    values.append(record.seq)
    values.append(record.id)
    return values


def _natural(name: str) -> list[list[Any]]:
    """A JSON-safe natural sort key: [kind, value] pieces, numbers before text at the same place."""
    return [
        [0, int(piece), ""] if piece.isdigit() else [1, 0, piece]
        for piece in re.split(r"(\d+)", name.casefold())
        if piece
    ]


def _comparer(order: list[tuple[str, bool]]) -> Callable[[Any, Any], int]:
    directions = [desc for _, desc in order] + [False, False]

    def compare(a: Any, b: Any) -> int:
        for desc, x, y in zip(directions, a[0], b[0], strict=True):
            if x != y:
                result = -1 if x < y else 1
                return -result if desc else result
        return 0

    return compare


def _encode_page_token(key: list[Any], fingerprint: str) -> str:
    raw = json.dumps({"k": key, "h": fingerprint}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_page_token(token: str | None, fingerprint: str) -> list[Any] | None:
    if not token:
        return None
    try:
        raw = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        if raw["h"] != fingerprint:
            raise ValueError("token belongs to another query")
        return raw["k"]
    except (ValueError, KeyError, TypeError):
        raise DriveStateError(
            400, "invalid", "Invalid Value", location="pageToken", locationType="parameter"
        ) from None
