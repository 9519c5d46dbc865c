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
import queue
import shutil
import time
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from gdrivestats._crash import crashpoint
from gdrivestats.drive.base import Change, Drive, Entry, md5_file, norm_path
from gdrivestats.errors import DownloadBlocked, DriveError, NotFound, disk_full
from gdrivestats.formats import WORKBOOK_PATTERNS
from gdrivestats.location import drive_path
from gdrivestats.mirror.layout import OWN_PREFIX, STATE_FILE, TMP_PREFIX
from gdrivestats.mirror.local_names import resolve_inside
from gdrivestats.mirror.lock import cache_lock
from gdrivestats.mirror.plan import Download, SyncPlan, plan_sync
from gdrivestats.mirror.state import FileRecord, FolderRecord, SyncState
from gdrivestats.mirror.view import (
    NeedsFullListing,
    View,
    apply_changes,
    entry_from_json,
    entry_to_json,
    format_time,
    view_from_listing,
    view_from_state,
)
from gdrivestats.names import printable

log = logging.getLogger(__name__)

DEFAULT_OUT_FOLDER = "gdrivestats"

_META_ROOT = "root_id"
_META_ROOT_PATH = "root_path"
_META_TOKEN = "changes_token"
_META_EXCLUDE = "exclude"
_META_ACCOUNT = "account"
_META_ACCOUNT_HINT = "account_hint"
_META_SETTLED = "paths_settled"
"""Set by a run whose every step succeeded: each file of the stored view is at the local path the plan
gives it, so a later run that sees no change can take the paths from the state instead of computing them."""


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
    lock_timeout: float = 0.0,
) -> SyncResult:
    """Mirror ``folder`` (a path on ``drive``) into ``cache``: incremental, concurrent and crash-safe.

    ``dry_run`` plans against what is there and writes nothing at all, not even the cache folder. The
    cache is locked for the sync; CacheLocked when another run holds it for more than ``lock_timeout`` s.
    """
    started = time.monotonic()
    cache = Path(cache)
    folder = drive_path(folder)  # drive:PATH, a share URL, id:…, shared:… or a plain path
    if dry_run:
        return _plan_only(drive, folder, cache, patterns, exclude, full, started)
    with cache_lock(cache, lock_timeout), SyncState(cache) as state:
        _remove_leftovers(cache)
        _recover_pending(state, cache)
        # The calls a first sync makes before listing do not depend on each other: made at once.
        with ThreadPoolExecutor(max_workers=3, thread_name_prefix="gdrivestats-early") as early:
            ahead = _ask_ahead(drive, state, folder, exclude, full, early)
            _check_account(drive, state, cache, ahead.get("account"))
            known = state.files()
            view, token, full_listing, changes = _current_view(
                drive, folder, state, patterns, exclude, full, known, ahead
            )
        _heal_outputs(state, changes)
        view = _without_outputs(view, state)
        paths = _settled_paths(state, view, known) if not (full_listing or changes) else None
        plan = plan_sync(view, known, _present_paths(cache, known.values()), paths=paths)
        result = SyncResult(cache=cache, plan=plan, full_listing=full_listing)
        _apply(drive, plan, state, cache, workers, progress, result)
        crashpoint("before-token")
        # Safe even when files failed: each one is kept in the state's failed list, in the view, and tried
        # again on a later run; a blocked file never forces every later run into a full listing.
        _store_view(state, plan.view, token, folder, exclude, settled=result.ok)
    result.seconds = time.monotonic() - started
    log.info("%s", result.summary())
    return result


def _plan_only(
    drive: Drive,
    folder: str,
    cache: Path,
    patterns: Sequence[str],
    exclude: str | None,
    full: bool,
    started: float,
) -> SyncResult:
    """The plan a sync would carry out, from the state as it is (read-only) or from nothing."""
    state = SyncState(cache, readonly=True) if (cache / STATE_FILE).is_file() else None
    try:
        if state is not None and _same_account(drive, state):
            known = state.files()
            view, _token, full_listing, _changes = _current_view(
                drive, folder, state, patterns, exclude, full, known
            )
            view = _without_outputs(view, state)
        else:
            view, full_listing, known = _listed_view(drive, folder, patterns, exclude), True, {}
    finally:
        if state is not None:
            state.close()
    present = _present_paths(cache, known.values()) if cache.is_dir() else set()
    result = SyncResult(cache=cache, plan=plan_sync(view, known, present), full_listing=full_listing)
    result.seconds = time.monotonic() - started
    return result


# ---- whose state is this? ----------------------------------------------------------------------------


def _same_account(drive: Drive, state: SyncState) -> bool:
    """True when the state was made with this drive's account and server (asks the server only if unsure)."""
    if state.get_meta(_META_ACCOUNT_HINT) == drive.account_hint():
        return True
    return state.get_meta(_META_ACCOUNT) == drive.account()


def _ask_ahead(
    drive: Drive, state: SyncState, folder: str, exclude: str | None, full: bool, pool: ThreadPoolExecutor
) -> dict[str, Future[Any]]:
    """Start the calls this sync will need before its listing: who is signed in (when the state was made
    with another sign-in, or none), and, when a full listing is certain, the change token and the folder."""
    ahead: dict[str, Future[Any]] = {}
    if state.get_meta(_META_ACCOUNT_HINT) != drive.account_hint():
        ahead["account"] = pool.submit(drive.account)
    if not _changes_usable(state, folder, exclude, full):
        ahead["token"] = pool.submit(drive.start_token)
        ahead["root"] = pool.submit(drive.stat, folder)
    return ahead


def _changes_usable(state: SyncState, folder: str, exclude: str | None, full: bool) -> bool:
    """True when the stored change token can bring the stored view up to date (no full listing needed)."""
    return (
        not full
        and state.get_meta(_META_TOKEN) is not None
        and state.get_meta(_META_ROOT_PATH) == folder
        and state.get_meta(_META_EXCLUDE) == (exclude or "")
    )


def _check_account(
    drive: Drive, state: SyncState, cache: Path, account_call: Future[Any] | None = None
) -> None:
    """Keep the state only if it belongs to this drive's account and server; else start afresh, saying so."""
    hint = drive.account_hint()
    if state.get_meta(_META_ACCOUNT_HINT) == hint:
        return
    account = account_call.result() if account_call is not None else drive.account()
    stored = state.get_meta(_META_ACCOUNT)
    with state.transaction():
        if stored is not None and stored != account:
            log.warning(
                "%s: this cache held the mirror of another Drive account or server; starting afresh",
                printable(str(cache)),
            )
            for record in state.files().values():  # that account's files: not this one's to keep
                _unlink_inside(cache, record.local_path)
            state.reset()
            _prune_empty_folders(cache)
        elif stored is None and state.get_meta(_META_TOKEN) is not None:
            state.set_meta(_META_TOKEN, None)  # made before accounts were recorded: list everything once
        state.set_meta(_META_ACCOUNT, account)
        state.set_meta(_META_ACCOUNT_HINT, hint)


# ---- the remote view -----------------------------------------------------------------------------------


def _current_view(
    drive: Drive,
    folder: str,
    state: SyncState,
    patterns: Sequence[str],
    exclude: str | None,
    full: bool,
    known: Mapping[str, FileRecord],
    ahead: Mapping[str, Future[Any]] | None = None,
) -> tuple[View, str, bool, list[Change]]:
    """The remote view, the token to store after it, whether it took a full listing, and the changes read.

    ``known`` is the state's files (``state.files()``, read once by the caller); ``ahead`` the calls
    ``_ask_ahead`` started (the change token and the folder), used when a listing is made."""
    ahead = ahead or {}
    token = state.get_meta(_META_TOKEN)
    if _changes_usable(state, folder, exclude, full):
        assert token is not None
        root_id = state.get_meta(_META_ROOT) or ""
        view = view_from_state(root_id, state.folders(), known)
        _add_failed(view, state)
        try:
            changes, new_token = drive.changes(token)
            return apply_changes(view, changes, patterns, exclude), new_token, False, changes
        except NeedsFullListing as why:
            log.info("listing the whole folder again: %s", why)
        except NotFound:
            raise
        except DriveError as exc:
            log.info("listing the whole folder again: the changes feed failed (%s)", exc)
    # The token is in hand before the listing starts: nothing that changes during the listing is lost.
    new_token = ahead["token"].result() if "token" in ahead else drive.start_token()
    root = ahead.get("root")
    return _listed_view(drive, folder, patterns, exclude, root), new_token, True, []


def _listed_view(
    drive: Drive,
    folder: str,
    patterns: Sequence[str],
    exclude: str | None,
    root_call: Future[Any] | None = None,
) -> View:
    crashpoint("before-listing")
    root = root_call.result() if root_call is not None else drive.stat(folder)
    if not root.is_folder:
        raise DriveError(f"{folder or '/'}: not a folder; sync takes a folder")
    return view_from_listing(root, drive.list(root, recursive=True), patterns, exclude)


def _add_failed(view: View, state: SyncState) -> None:
    """Put the files that could not be fetched back into the view, so the plan tries them again."""
    for file_id, (entry_json, _reason, _attempts, _next) in state.failed().items():
        entry = entry_from_json(entry_json)
        parent = entry.parents[0] if entry.parents else None
        if file_id not in view.files and (parent == view.root_id or parent in view.folders):
            view.files[file_id] = entry


# ---- outputs written back: put back what was removed or changed on Drive ----------------------------------


def _without_outputs(view: View, state: SyncState) -> View:
    """The view without gdrivestats' own outputs (files and folders it wrote back, wherever they are): an
    out-folder moved elsewhere leaves its old outputs on Drive, and they must never be taken for workbooks."""
    own = state.own_ids()
    if not own:
        return view
    folders = {fid: e for fid, e in view.folders.items() if fid not in own}
    while True:  # folders below an output folder go too
        keep = {fid: e for fid, e in folders.items() if _placed(e, folders, view.root_id)}
        if len(keep) == len(folders):
            break
        folders = keep
    files = {fid: e for fid, e in view.files.items() if fid not in own and _placed(e, folders, view.root_id)}
    return View(root_id=view.root_id, folders=folders, files=files)


def _placed(entry: Entry, folders: Mapping[str, Entry], root_id: str) -> bool:
    parent = entry.parents[0] if entry.parents else None
    return parent is None or parent == root_id or parent in folders


def _heal_outputs(state: SyncState, changes: Sequence[Change]) -> None:
    """Outputs trashed, deleted or edited on Drive are forgotten, so the next write-back puts them back.

    The changes feed the sync reads anyway reports them: no extra API call.
    """
    if not changes:
        return
    outputs, folders = state.output_ids(), state.output_folder_ids()
    with state.transaction():
        for change in changes:
            if change.id in outputs:
                workbook_id, md5 = outputs[change.id]
                edited = change.entry is not None and change.entry.md5 not in (None, md5)
                if change.removed or change.entry is None or edited:
                    how = "edited" if edited else "removed"
                    log.info("output %s was %s on Drive; writing it again", change.id, how)
                    state.forget_outputs(workbook_id, change.id)
            if change.id in folders and change.removed:
                for workbook_id in folders[change.id]:
                    log.info("an output folder was removed on Drive; writing its outputs again")
                    state.forget_outputs(workbook_id)


def _settled_paths(state: SyncState, view: View, known: Mapping[str, FileRecord]) -> dict[str, str] | None:
    """The local paths of the view's files from the state, when they are the ones the plan would compute.

    That holds when the view is the one the last run stored (nothing changed, no full listing) and that run
    settled everything (``_META_SETTLED``: no failed download or move, so nothing was left at an old path
    or tried again); else None, and the plan computes them.
    """
    if state.get_meta(_META_SETTLED) != "1" or state.failed():
        return None
    try:
        return {fid: known[fid].local_path for fid in view.files}
    except KeyError:
        return None


def _recover_pending(state: SyncState, cache: Path) -> None:
    """Remove what a killed sync wrote but never recorded: files no recorded file owns, at planned paths."""
    pending = state.pending()
    if not pending:
        return
    records = state.files()
    owned = {r.local_path for r in records.values()}
    for file_id, local_path in pending:
        record = records.get(file_id)
        if (record is None or record.local_path != local_path) and local_path not in owned:
            _unlink_inside(cache, local_path)
    with state.transaction():
        state.done_pending()


def _present_paths(cache: Path, records: Iterable[FileRecord]) -> set[str]:
    root = os.fspath(cache)
    isfile, join = os.path.isfile, os.path.join  # not pathlib: a re-sync checks every file
    return {r.local_path for r in records if isfile(join(root, r.local_path))}


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
        try:
            _check_path_length(target)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(resolve_inside(cache, move.old_local_path), target)
        except (OSError, DriveError) as exc:  # e.g. a name too long here: reported, the rest goes on
            full = disk_full(exc, cache)
            if full is not None:
                raise full from exc
            where = _short(printable(move.entry.path), 160)
            log.warning("could not move %s: %s", where, printable(_short(str(exc))))
            result.failed.append(f"{where}: {printable(_short(str(exc)))}")
            with state.transaction():  # Drive's new name and place, the bytes still at the old path: the
                state.put_file(_record(move.entry, move.old_local_path))  # next run plans the move again
                state.done_pending(move.entry.id)
            continue
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
    """Download concurrently; record what landed in as few transactions as the pace allows.

    Workers hand their outcomes to this thread through a queue; each turn records every file that has
    landed since the last one in one transaction (a file is recorded only once its bytes are in place, so a
    crash loses at most some records, and those files are found complete and kept on the next run).
    """
    failed, now = state.failed(), time.time()
    waiting = [d for d in downloads if d.entry.id in failed and failed[d.entry.id][3] > now]
    for item in waiting:  # still in its back-off: reported, not tried
        _entry, reason, _attempts, next_try = failed[item.entry.id]
        when = datetime.fromtimestamp(next_try).astimezone().strftime("%Y-%m-%d %H:%M")
        result.failed.append(f"{_short(printable(item.entry.path), 160)}: {reason} (next try after {when})")
    downloads = [d for d in downloads if d not in waiting]
    if not downloads:
        return
    bar = _progress_bar(sum(d.entry.size or 0 for d in downloads)) if progress else None
    outcomes: queue.SimpleQueue[tuple[Download, int, Exception | None]] = queue.SimpleQueue()

    def work(item: Download) -> None:
        try:
            outcomes.put((item, _fetch(drive, item, cache), None))
        except Exception as exc:  # handed to the recording thread: recorded with a back-off
            outcomes.put((item, 0, exc))

    pool = ThreadPoolExecutor(max_workers=max(1, workers))
    try:
        for item in downloads:
            pool.submit(work, item)
        remaining = len(downloads)
        while remaining:
            batch = [outcomes.get()]
            with contextlib.suppress(queue.Empty):
                while True:
                    batch.append(outcomes.get_nowait())
            remaining -= len(batch)
            landed: list[tuple[Download, int]] = []
            for item, size, exc in batch:
                if exc is None:
                    crashpoint("after-download")
                    landed.append((item, size))
                    continue
                full = disk_full(exc, cache)
                if full is not None:  # no other download can land either: one line, then stop
                    _record_landed(state, landed, result, bar)
                    raise full from exc
                _record_failure(state, item, exc, result)
            _record_landed(state, landed, result, bar)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)  # on an error or Ctrl-C: nothing new starts
        if bar is not None:
            bar.close()


def _progress_bar(total: int) -> Any:
    from tqdm.auto import tqdm  # only on a terminal: its import costs more than a small download

    return tqdm(total=total, unit="B", unit_scale=True, desc="sync")


def _record_landed(
    state: SyncState, landed: Sequence[tuple[Download, int]], result: SyncResult, bar: Any
) -> None:
    """Record files whose bytes are in place, in one transaction."""
    if not landed:
        return
    with state.transaction():
        for item, _size in landed:
            state.put_file(_record(item.entry, item.local_path))
            state.done_pending(item.entry.id)
            state.clear_failed(item.entry.id)
    for item, size in landed:
        result.downloaded.append(item.entry.path)
        result.bytes += size
        if bar is not None:
            bar.update(item.entry.size or size)


_RETRY_FIRST = 15 * 60.0
"""A file that could not be fetched is tried again after 15 minutes, then 30, 60… (at most a day)."""
_RETRY_MAX = 24 * 3600.0


def _record_failure(state: SyncState, item: Download, exc: Exception, result: SyncResult) -> None:
    """One line naming the file and the real reason; the file is tried again after a growing pause."""
    reason = _short(str(exc)) or type(exc).__name__
    previous = state.failed().get(item.entry.id)
    attempts = (previous[2] if previous else 0) + 1
    pause = min(_RETRY_FIRST * 2 ** (attempts - 1), _RETRY_MAX)
    if isinstance(exc, DownloadBlocked) and exc.retry_after:  # e.g. a download quota: when it resets
        pause = max(pause, min(exc.retry_after, _RETRY_MAX))
    where = _short(printable(item.entry.path), 160)
    log.warning("could not download %s: %s", where, printable(reason))
    result.failed.append(f"{where}: {printable(reason)}")
    with state.transaction():
        state.put_failed(item.entry.id, entry_to_json(item.entry), reason, attempts, time.time() + pause)
        state.done_pending(item.entry.id)


_MAX_PATH = 4000
"""Bytes a local path may take (Linux allows 4,096): a deeper Drive tree is reported, never a crash."""


def _check_path_length(target: Path) -> None:
    size = len(os.fsencode(target))
    if size > _MAX_PATH:
        raise DriveError(
            f"its local path would be {size:,} bytes long, over the {_MAX_PATH:,} this system allows; "
            "move it higher up on Drive or use a cache folder with a shorter path"
        )


def _short(text: str, limit: int = 300) -> str:
    """One line of at most ``limit`` characters (an over-long path is cut in its middle)."""
    line = " ".join(text.split())
    return line if len(line) <= limit else f"{line[: limit // 2 - 1]}…{line[-(limit // 2) :]}"


def _fetch(drive: Drive, item: Download, cache: Path) -> int:
    """Download one file into place; skip the transfer when the cached bytes already match (a crash redo)."""
    target = resolve_inside(cache, item.local_path)
    _check_path_length(target)
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
        shortcut_id=entry.shortcut_id,
    )


def _store_view(
    state: SyncState, view: View, token: str, folder: str, exclude: str | None, settled: bool = False
) -> None:
    folders = [
        FolderRecord(f.id, f.name, f.path, f.parents[0] if f.parents else None, format_time(f.created))
        for f in view.folders.values()
    ]
    failed = state.failed()
    with state.transaction():
        for file_id in failed.keys() - view.files.keys():  # left the tree: no longer a failure
            state.clear_failed(file_id)
        state.replace_folders(folders)
        state.set_meta(_META_ROOT, view.root_id)
        state.set_meta(_META_ROOT_PATH, norm_path(folder))
        state.set_meta(_META_EXCLUDE, exclude or "")
        state.set_meta(_META_TOKEN, token)
        state.set_meta(_META_SETTLED, "1" if settled else None)


def _unlink_inside(cache: Path, local_path: str) -> None:
    try:
        resolve_inside(cache, local_path).unlink(missing_ok=True)
    except ValueError:
        log.warning("not removing %s: outside the cache folder", local_path)


def _remove_leftovers(cache: Path) -> None:
    """Remove temporary files and folders a killed run left behind (they never carry a final name)."""
    for tmp in sorted(cache.rglob(TMP_PREFIX + "*"), key=lambda p: -len(p.parts)):
        if tmp.is_dir() and not tmp.is_symlink():
            shutil.rmtree(tmp, ignore_errors=True)  # a killed run's outputs on their way to Drive
        else:
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
