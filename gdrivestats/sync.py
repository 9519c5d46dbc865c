"""Incremental, crash-safe mirror of a Drive folder: a pure plan (what changed?) and its execution.

The remote tree is seen as a *view*: every folder and matching file below the synced folder as ``Entry``
values with paths relative to it. A first run (or a run whose state or change token is unusable) builds the
view from one recursive listing; later runs rebuild it from the state and apply the changes feed, so a
re-run with nothing changed costs one API call. ``plan_sync`` compares the view with the state (by id, then
md5, size and modified time) and says what to download, move and delete; ``apply_sync`` does it, downloading
concurrently into temporary files renamed into place, and records each completed file in its own
transaction. The change token is stored only when everything in the plan succeeded, so a killed or failed
run is simply redone from where the state says it stood.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fnmatch
import logging
import os
import time
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from gdrivestats._crash import crashpoint
from gdrivestats._fs import TMP_PREFIX
from gdrivestats.drive.base import Change, Drive, Entry, join_path, md5_file, norm_path
from gdrivestats.drive.paths import local_paths, resolve_inside
from gdrivestats.errors import DriveError, NotFound
from gdrivestats.formats import SPREADSHEET_MIME, WORKBOOK_PATTERNS
from gdrivestats.names import safe_name
from gdrivestats.state import STATE_FILE, FileRecord, FolderRecord, SyncState

log = logging.getLogger(__name__)

DEFAULT_OUT_FOLDER = "gdrivestats"
TEMP_PREFIX = TMP_PREFIX  # one definition, in _fs

_META_ROOT = "root_id"
_META_ROOT_PATH = "root_path"
_META_TOKEN = "changes_token"
_META_EXCLUDE = "exclude"


# ---- the remote view ---------------------------------------------------------------------------------------


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
        if entry.is_folder:
            if rel != exclude:
                view.folders[entry.id] = dataclasses.replace(entry, path=rel)
        elif matches(entry, patterns):
            view.files[entry.id] = dataclasses.replace(entry, path=rel)
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
            created=_parse_time(f.created),
        )
    for r in files.values():
        view.files[r.id] = Entry(
            id=r.id,
            name=r.name,
            path=r.drive_path,
            is_folder=False,
            size=r.size,
            md5=r.md5,
            modified=_parse_time(r.modified),
            mime_type=r.mime_type or "application/octet-stream",
            version=r.version,
            parents=(r.parent_id,) if r.parent_id else (),
            created=_parse_time(r.created),
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
    for change in changes:
        if change.id in new.folders or change.id == new.root_id:
            continue
        entry = change.entry
        if entry is not None and entry.is_folder:
            continue
        parent = entry.parents[0] if entry is not None and entry.parents else None
        inside = parent == new.root_id or parent in new.folders
        if change.removed or entry is None or not inside or not matches(entry, patterns):
            new.files.pop(change.id, None)
        else:
            new.files[change.id] = dataclasses.replace(
                entry, path=join_path(_folder_path(new, parent), entry.name)
            )
    return new


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
            view.folders[entry.id] = dataclasses.replace(entry, path=rel)


def _folder_path(view: View, folder_id: str | None) -> str:
    if folder_id is None or folder_id == view.root_id:
        return ""
    return view.folders[folder_id].path


# ---- the plan ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Download:
    """Fetch a file (new, changed, or missing from the cache) to ``local_path``."""

    entry: Entry
    local_path: str
    reason: str


@dataclass(frozen=True)
class Move:
    """A file kept its content but got another local path (renamed or moved on Drive)."""

    entry: Entry
    old_local_path: str
    local_path: str


@dataclass(frozen=True)
class Delete:
    """A file is gone from the synced tree (deleted, trashed, moved out, or no longer matching)."""

    record: FileRecord


@dataclass
class SyncPlan:
    """What a sync will do. ``view`` is the tree it will leave the state describing."""

    view: View
    downloads: list[Download] = field(default_factory=list)
    moves: list[Move] = field(default_factory=list)
    deletes: list[Delete] = field(default_factory=list)
    unchanged: int = 0
    local_paths: dict[str, str] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        """True when there is nothing to do."""
        return not (self.downloads or self.moves or self.deletes)

    def describe(self) -> str:
        """The plan in lines a user reads (``--dry-run``)."""
        lines = [f"download {d.entry.path} -> {d.local_path} ({d.reason})" for d in self.downloads]
        lines += [f"move     {m.old_local_path} -> {m.local_path}" for m in self.moves]
        lines += [f"delete   {d.record.local_path}" for d in self.deletes]
        lines.append(
            f"{len(self.downloads)} to download, {len(self.moves)} to move, {len(self.deletes)} to delete,"
            f" {self.unchanged} unchanged"
        )
        return "\n".join(lines)


def _anchored(view: View) -> list[Entry]:
    """The view's entries for ``local_paths``: children of the root get a one-part path, so that a name
    containing '/' stays one local name instead of being split into folders."""
    tree = [*view.folders.values(), *view.files.values()]
    return [
        dataclasses.replace(e, path=safe_name(e.name)) if e.parents[:1] == (view.root_id,) else e
        for e in tree
    ]


def same_content(entry: Entry, record: FileRecord) -> bool:
    """The one rule for 'unchanged': equal md5 when both have one, else equal size, modified and version."""
    if entry.md5 and record.md5:
        return entry.md5 == record.md5
    return (
        entry.size == record.size
        and _format_time(entry.modified) == record.modified
        and (entry.version == record.version or not (entry.version and record.version))
    )


def plan_sync(view: View, known: Mapping[str, FileRecord], present: Iterable[str]) -> SyncPlan:
    """Compare the view with the state: pure, so it can be printed and tested alone.

    ``present`` holds the local paths (relative to the cache) that exist on disk; a known file missing
    there is downloaded again.
    """
    paths = {fid: str(p) for fid, p in local_paths(_anchored(view)).items() if fid in view.files}
    present = set(present)
    plan = SyncPlan(view=view, local_paths=paths)
    for fid in sorted(view.files, key=lambda i: view.files[i].path):
        entry, local, record = view.files[fid], paths[fid], known.get(fid)
        if record is None:
            plan.downloads.append(Download(entry, local, "new"))
        elif not same_content(entry, record):
            plan.downloads.append(Download(entry, local, "changed"))
        elif record.local_path not in present:
            plan.downloads.append(Download(entry, local, "missing from the cache"))
        elif record.local_path != local:
            plan.moves.append(Move(entry, record.local_path, local))
        else:
            plan.unchanged += 1
    plan.deletes = [Delete(r) for fid, r in sorted(known.items()) if fid not in view.files]
    return plan


# ---- execution ----------------------------------------------------------------------------------------


@dataclass
class SyncResult:
    """What a sync did."""

    cache: Path
    plan: SyncPlan
    downloaded: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    full_listing: bool = False
    seconds: float = 0.0
    bytes: int = 0

    @property
    def ok(self) -> bool:
        """True when every planned step succeeded."""
        return not self.failed

    def summary(self) -> str:
        """The final line of a sync."""
        p = self.plan
        how = "full listing" if self.full_listing else "changes feed"
        line = (
            f"Synced {len(p.view.files)} file(s) into {self.cache} ({how}): {len(self.downloaded)} downloaded"
            f" ({_human_bytes(self.bytes)}), {len(p.moves)} moved, {len(p.deletes)} deleted,"
            f" {p.unchanged} unchanged, {len(self.failed)} failed in {self.seconds:.1f} s."
        )
        return line


def sync(
    drive: Drive,
    folder: str,
    cache: Path | str,
    patterns: Sequence[str] = WORKBOOK_PATTERNS,
    workers: int = 8,
    exclude: str | None = DEFAULT_OUT_FOLDER,
    dry_run: bool = False,
    progress: bool = True,
    full: bool = False,
) -> SyncResult:
    """Mirror ``folder`` (a path on ``drive``) into ``cache``: incremental, concurrent and crash-safe."""
    started = time.monotonic()
    cache = Path(cache)
    cache.mkdir(parents=True, exist_ok=True)
    _remove_leftovers(cache)
    with SyncState(cache) as state:
        if not dry_run:
            _recover_pending(state, cache)
        view, token, full_listing = _current_view(drive, norm_path(folder), state, patterns, exclude, full)
        known = state.files()
        plan = plan_sync(view, known, _present_paths(cache, known.values()))
        result = SyncResult(cache=cache, plan=plan, full_listing=full_listing)
        if not dry_run:
            _apply(drive, plan, state, cache, workers, progress, result)
            crashpoint("before-token")
            if result.ok:
                _store_view(state, plan.view, token, folder, exclude)
    result.seconds = time.monotonic() - started
    log.info("%s", result.summary())
    return result


def _current_view(
    drive: Drive, folder: str, state: SyncState, patterns: Sequence[str], exclude: str | None, full: bool
) -> tuple[View, str, bool]:
    """The remote view and the token to store after it: from the changes feed when possible."""
    token = state.get_meta(_META_TOKEN)
    usable = (
        not full
        and token is not None
        and state.get_meta(_META_ROOT_PATH) == folder
        and state.get_meta(_META_EXCLUDE) == (exclude or "")
    )
    if usable:
        assert token is not None
        root_id = state.get_meta(_META_ROOT) or ""
        view = view_from_state(root_id, state.folders(), state.files())
        try:
            changes, new_token = drive.changes(token)
            return apply_changes(view, changes, patterns, exclude), new_token, False
        except NeedsFullListing as why:
            log.info("listing the whole folder again: %s", why)
        except NotFound:
            raise
        except DriveError as exc:
            log.info("listing the whole folder again: the changes feed failed (%s)", exc)
    new_token = drive.start_token()  # before listing: nothing that changes during the listing is lost
    crashpoint("before-listing")
    root = drive.stat(folder)
    if not root.is_folder:
        raise DriveError(f"{folder or '/'}: not a folder; sync takes a folder")
    return view_from_listing(root, drive.list(root, recursive=True), patterns, exclude), new_token, True


def _recover_pending(state: SyncState, cache: Path) -> None:
    """Remove what a killed sync wrote but never recorded: files no recorded file owns, at planned paths."""
    records = state.files()
    owned = {r.local_path for r in records.values()}
    for file_id, local_path in state.pending():
        record = records.get(file_id)
        if (record is None or record.local_path != local_path) and local_path not in owned:
            _unlink_inside(cache, local_path)
    with state.transaction():
        state.done_pending()


def _present_paths(cache: Path, records: Iterable[FileRecord]) -> set[str]:
    return {r.local_path for r in records if (cache / r.local_path).is_file()}


def _apply(
    drive: Drive,
    plan: SyncPlan,
    state: SyncState,
    cache: Path,
    workers: int,
    progress: bool,
    result: SyncResult,
) -> None:
    for delete in plan.deletes:
        _unlink_inside(cache, delete.record.local_path)
        with state.transaction():
            state.remove_file(delete.record.id)
    with state.transaction():  # the intent log: what is about to be written where
        state.add_pending([(m.entry.id, m.local_path) for m in plan.moves])
        state.add_pending([(d.entry.id, d.local_path) for d in plan.downloads])
    for move in plan.moves:
        target = resolve_inside(cache, move.local_path)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(resolve_inside(cache, move.old_local_path), target)
        with state.transaction():
            state.put_file(_record(move.entry, move.local_path))
            state.done_pending(move.entry.id)
    if plan.downloads:
        _download_all(drive, plan.downloads, state, cache, workers, progress, result)
    if plan.deletes or plan.moves:  # only these can leave a folder empty
        _prune_empty_folders(cache)


def _download_all(
    drive: Drive,
    downloads: Sequence[Download],
    state: SyncState,
    cache: Path,
    workers: int,
    progress: bool,
    result: SyncResult,
) -> None:
    from tqdm.auto import tqdm

    total = sum(d.entry.size or 0 for d in downloads)
    bar = tqdm(total=total, unit="B", unit_scale=True, desc="sync", disable=not progress or not downloads)
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        futures = {pool.submit(_fetch, drive, d, cache): d for d in downloads}
        for future in as_completed(futures):
            item = futures[future]
            try:
                size = future.result()
            except Exception as exc:  # reported, the others go on; the token is not advanced
                log.warning("could not download %s: %s", item.entry.path, exc)
                result.failed.append(f"{item.entry.path}: {exc}")
                continue
            crashpoint("after-download")
            with state.transaction():  # one transaction per completed file
                state.put_file(_record(item.entry, item.local_path))
                state.done_pending(item.entry.id)
            result.downloaded.append(item.entry.path)
            result.bytes += size
            bar.update(item.entry.size or size)
    bar.close()


def _fetch(drive: Drive, item: Download, cache: Path) -> int:
    """Download one file into place; skip the transfer when the cached bytes already match (a crash redo)."""
    target = resolve_inside(cache, item.local_path)
    if item.entry.md5 and target.is_file() and md5_file(target) == item.entry.md5:
        return 0
    drive.download(item.entry, target)
    return target.stat().st_size


def _record(entry: Entry, local_path: str) -> FileRecord:
    return FileRecord(
        id=entry.id,
        name=entry.name,
        drive_path=entry.path,
        parent_id=entry.parents[0] if entry.parents else None,
        mime_type=entry.mime_type,
        created=_format_time(entry.created),
        md5=entry.md5,
        size=entry.size,
        modified=_format_time(entry.modified),
        version=entry.version,
        local_path=local_path,
    )


def _store_view(state: SyncState, view: View, token: str, folder: str, exclude: str | None) -> None:
    folders = [
        FolderRecord(f.id, f.name, f.path, f.parents[0] if f.parents else None, _format_time(f.created))
        for f in view.folders.values()
    ]
    with state.transaction():
        state.replace_folders(folders)
        state.set_meta(_META_ROOT, view.root_id)
        state.set_meta(_META_ROOT_PATH, norm_path(folder))
        state.set_meta(_META_EXCLUDE, exclude or "")
        state.set_meta(_META_TOKEN, token)


def _unlink_inside(cache: Path, local_path: str) -> None:
    try:
        resolve_inside(cache, local_path).unlink(missing_ok=True)
    except ValueError:
        log.warning("not removing %s: outside the cache folder", local_path)


def _remove_leftovers(cache: Path) -> None:
    """Remove temporary files a killed run left behind (they never carry a final name)."""
    for tmp in cache.rglob(TEMP_PREFIX + "*"):
        if tmp.is_file():
            tmp.unlink(missing_ok=True)


def _prune_empty_folders(cache: Path) -> None:
    for folder in sorted((p for p in cache.rglob("*") if p.is_dir()), key=lambda p: -len(p.parts)):
        if folder.name.startswith(".gdrivestats"):
            continue
        with contextlib.suppress(OSError):
            folder.rmdir()  # only succeeds when empty


def _format_time(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _parse_time(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def _human_bytes(n: int) -> str:
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} B"


__all__ = [
    "STATE_FILE",
    "Delete",
    "Download",
    "Move",
    "SyncPlan",
    "SyncResult",
    "View",
    "apply_changes",
    "plan_sync",
    "same_content",
    "sync",
    "view_from_listing",
    "view_from_state",
]
