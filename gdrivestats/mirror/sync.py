"""Incremental, crash-safe sync of a Drive folder into the cache: the view, the plan, then its execution.

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
import logging
import os
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from gdrivestats._crash import crashpoint
from gdrivestats.drive.base import Drive, Entry, md5_file, norm_path
from gdrivestats.errors import DriveError, NotFound
from gdrivestats.formats import WORKBOOK_PATTERNS
from gdrivestats.mirror.layout import OWN_PREFIX, TMP_PREFIX
from gdrivestats.mirror.local_names import resolve_inside
from gdrivestats.mirror.plan import Download, SyncPlan, plan_sync
from gdrivestats.mirror.state import FileRecord, FolderRecord, SyncState
from gdrivestats.mirror.view import (
    NeedsFullListing,
    View,
    apply_changes,
    format_time,
    view_from_listing,
    view_from_state,
)

log = logging.getLogger(__name__)

DEFAULT_OUT_FOLDER = "gdrivestats"

_META_ROOT = "root_id"
_META_ROOT_PATH = "root_path"
_META_TOKEN = "changes_token"
_META_EXCLUDE = "exclude"


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
        created=format_time(entry.created),
        md5=entry.md5,
        size=entry.size,
        modified=format_time(entry.modified),
        version=entry.version,
        local_path=local_path,
    )


def _store_view(state: SyncState, view: View, token: str, folder: str, exclude: str | None) -> None:
    folders = [
        FolderRecord(f.id, f.name, f.path, f.parents[0] if f.parents else None, format_time(f.created))
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
    for tmp in cache.rglob(TMP_PREFIX + "*"):
        if tmp.is_file():
            tmp.unlink(missing_ok=True)


def _prune_empty_folders(cache: Path) -> None:
    for folder in sorted((p for p in cache.rglob("*") if p.is_dir()), key=lambda p: -len(p.parts)):
        if folder.name.startswith(OWN_PREFIX):
            continue
        with contextlib.suppress(OSError):
            folder.rmdir()  # only succeeds when empty


def _human_bytes(n: int) -> str:
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} B"
