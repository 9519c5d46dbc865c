"""The remote view of a synced folder: its folders and matching files by id, from a listing, the state, or
the state plus the changes feed."""

from __future__ import annotations

import dataclasses
import fnmatch
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from gdrivestats.drive.base import Change, Entry, join_path
from gdrivestats.formats import GOOGLE_APPS_PREFIX, SPREADSHEET_MIME
from gdrivestats.mirror.state import FileRecord, FolderRecord


@dataclass
class View:
    """The synced tree as Drive has it now: folders and matching files by id, paths relative to the root."""

    root_id: str
    folders: dict[str, Entry] = field(default_factory=dict)
    files: dict[str, Entry] = field(default_factory=dict)


def matches(entry: Entry, patterns: Sequence[str]) -> bool:
    """True when a file is one to mirror: its name matches a glob, or it is a native Google Sheet."""
    if entry.is_folder:
        return False
    if entry.mime_type == SPREADSHEET_MIME:
        return True
    if entry.mime_type.startswith(GOOGLE_APPS_PREFIX):
        return False  # Docs, Slides, Forms, Drawings, shortcuts: never workbooks, whatever their name
    name = entry.name.lower()
    return any(fnmatch.fnmatchcase(name, p.lower()) for p in patterns)


def view_from_listing(
    root: Entry, listing: Iterable[Entry], patterns: Sequence[str], exclude: str | None
) -> View:
    """The view from one recursive listing of ``root`` (entry paths relative to the backend root)."""
    prefix = root.path + "/" if root.path else ""
    view = View(root_id=root.id)
    entries = sorted(listing, key=lambda e: e.path.count("/"))  # parents before children
    for entry in entries:
        rel = entry.path[len(prefix) :] if entry.path.startswith(prefix) else entry.path
        parent = entry.parents[0] if entry.parents else None
        if parent != root.id and parent not in view.folders:
            continue  # below an excluded folder
        if entry.id == root.id or entry.id in view.folders or entry.id in view.files:
            continue  # a shortcut to the root or to something already in the view: mirrored once
        if entry.is_folder:
            if rel != exclude:
                view.folders[entry.id] = entry.at(rel)
        elif matches(entry, patterns):
            view.files[entry.id] = entry.at(rel)
    return view


def view_from_state(
    root_id: str, folders: Mapping[str, FolderRecord], files: Mapping[str, FileRecord]
) -> View:
    """The view as the state last saw it."""
    view = View(root_id=root_id)
    for f in folders.values():
        view.folders[f.id] = Entry(
            id=f.id,
            name=f.name,
            path=f.drive_path,
            is_folder=True,
            parents=(f.parent_id,) if f.parent_id else (),
            created=parse_time(f.created),
        )
    for r in files.values():
        view.files[r.id] = Entry(
            id=r.id,
            name=r.name,
            path=r.drive_path,
            is_folder=False,
            size=r.size,
            md5=r.md5,
            modified=parse_time(r.modified),
            mime_type=r.mime_type or "application/octet-stream",
            version=r.version,
            parents=(r.parent_id,) if r.parent_id else (),
            created=parse_time(r.created),
            shortcut_id=r.shortcut_id,
        )
    return view


class NeedsFullListing(Exception):
    """The changes cannot be applied to the stored view (a known folder moved, renamed or went away)."""


def apply_changes(
    view: View, changes: Iterable[Change], patterns: Sequence[str], exclude: str | None
) -> View:
    """The view after ``changes``; raises NeedsFullListing when only a new listing can tell the result."""
    new = View(root_id=view.root_id, folders=dict(view.folders), files=dict(view.files))
    changes = list(changes)
    for change in changes:  # folders first, so files in new folders find their parent
        if change.id in new.folders or (change.entry is not None and change.entry.is_folder):
            _apply_folder_change(new, change, exclude)
    shortcuts = {e.shortcut_id: fid for fid, e in new.files.items() if e.shortcut_id}
    for change in changes:
        if change.id in new.folders or change.id == new.root_id:
            continue
        if change.id in shortcuts:  # the shortcut itself: removed, or renamed/moved (a listing tells where)
            if not change.removed:
                raise NeedsFullListing("a shortcut in the synced folder was renamed or moved")
            new.files.pop(shortcuts[change.id], None)
            continue
        known = new.files.get(change.id)
        if known is not None and known.shortcut_id:  # a target reached through a shortcut: it stays in place
            if change.removed or change.entry is None:
                new.files.pop(change.id, None)
            else:
                new.files[change.id] = _retargeted(known, change.entry)
            continue
        entry = change.entry
        if entry is not None and entry.is_folder:
            continue
        parent = entry.parents[0] if entry is not None and entry.parents else None
        inside = parent == new.root_id or parent in new.folders
        if change.removed or entry is None or not inside or not matches(entry, patterns):
            new.files.pop(change.id, None)
        else:
            new.files[change.id] = entry.at(join_path(_folder_path(new, parent), entry.name))
    return new


def _retargeted(known: Entry, target: Entry) -> Entry:
    """A shortcut's mirror entry with the target's new content, kept under the shortcut's name and place."""
    return dataclasses.replace(
        target, name=known.name, path=known.path, parents=known.parents, shortcut_id=known.shortcut_id
    )


def _apply_folder_change(view: View, change: Change, exclude: str | None) -> None:
    known = view.folders.get(change.id)
    entry = change.entry
    if change.id == view.root_id:
        if change.removed:
            raise NeedsFullListing("the synced folder itself was removed")
        return
    if known is not None:
        same_place = entry is not None and entry.name == known.name and entry.parents[:1] == known.parents[:1]
        if change.removed or not same_place:
            raise NeedsFullListing(f"folder {known.path} was moved, renamed or removed")
        return
    if change.removed or entry is None or not entry.parents:
        return
    parent = entry.parents[0]
    if parent == view.root_id or parent in view.folders:
        rel = join_path(_folder_path(view, parent), entry.name)
        if rel != exclude:
            # A folder new to the tree may arrive with its contents (moved in or restored from the trash):
            # the feed reports only the folder, so only a listing can tell what is inside.
            raise NeedsFullListing(f"folder {rel} appeared in the synced folder")


def _folder_path(view: View, folder_id: str | None) -> str:
    if folder_id is None or folder_id == view.root_id:
        return ""
    return view.folders[folder_id].path


def format_time(value: datetime | None) -> str | None:
    """A time as the state stores it (ISO 8601), or None."""
    return None if value is None else value.isoformat()


def parse_time(value: str | None) -> datetime | None:
    """A stored time back as a datetime, or None."""
    return None if value is None else datetime.fromisoformat(value)


def entry_to_json(entry: Entry) -> str:
    """An Entry as JSON (times as ISO 8601), for the state."""
    values = dataclasses.asdict(entry)
    for key in ("modified", "created"):
        values[key] = format_time(values[key])
    values["parents"] = list(entry.parents)
    return json.dumps(values, sort_keys=True)


def entry_from_json(text: str) -> Entry:
    """An Entry back from ``entry_to_json``."""
    values = json.loads(text)
    for key in ("modified", "created"):
        values[key] = parse_time(values[key])
    values["parents"] = tuple(values["parents"])
    return Entry(**values)
