"""Incremental, crash-safe sync of a Drive folder into the cache: the view, the plan, then its execution.

The remote tree is seen as a *view*: every folder and matching file below the synced folder as ``Entry``
values with paths relative to it. A first run (or a run whose state or change token is unusable) builds the
view from one recursive listing; later runs rebuild it from the state and apply the changes feed, so a
re-run with nothing changed costs one API call. ``plan_sync`` compares the view with the state (by id, then
md5, size and modified time) and says what to download, move and delete; ``apply_sync`` does it, downloading
concurrently into temporary files renamed into place, and records completed files in batches. A full
listing starts fetching the files the plan will download as the listing finds them; only their bytes come
early: names, moves and deletions wait for the whole listing, so the plan is the one it would be without.
The change token is stored only when everything in the plan succeeded, so a killed or failed run is simply
redone from where the state says it stood.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import queue
import shutil
import stat
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import IO, Any

from gdrivestats._crash import crashpoint
from gdrivestats._fs import fsync_dir
from gdrivestats.drive.base import Change, Drive, Entry, md5_file, norm_path
from gdrivestats.errors import DownloadBlocked, DriveError, NotFound, disk_full
from gdrivestats.formats import WORKBOOK_PATTERNS
from gdrivestats.location import drive_path
from gdrivestats.mirror.early import EarlyCalls, FirstCalls, changes_usable, new_pool
from gdrivestats.mirror.layout import (
    DEFAULT_OUT_FOLDER,
    META_ACCOUNT,
    META_ACCOUNT_HINT,
    META_EXCLUDE,
    META_ROOT,
    META_ROOT_PATH,
    META_SETTLED,
    META_TOKEN,
    OWN_PREFIX,
    STATE_FILE,
    TMP_PREFIX,
)
from gdrivestats.mirror.local_names import resolve_inside
from gdrivestats.mirror.lock import cache_lock
from gdrivestats.mirror.plan import Download, SyncPlan, plan_sync, same_content
from gdrivestats.mirror.state import FileRecord, FolderRecord, SyncState
from gdrivestats.mirror.view import (
    NeedsFullListing,
    View,
    apply_changes,
    entry_from_json,
    entry_to_json,
    format_time,
    matches,
    view_from_listing,
    view_from_state,
)
from gdrivestats.names import printable

log = logging.getLogger(__name__)


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
    first_calls: FirstCalls | None = None,
) -> SyncResult:
    """Mirror ``folder`` (a path on ``drive``) into ``cache``: incremental, concurrent and crash-safe.

    ``dry_run`` plans against what is there and writes nothing at all, not even the cache folder. The
    cache is locked for the sync; CacheLocked when another run holds it for more than ``lock_timeout`` s.
    ``first_calls`` are calls started for this sync before it was called (``early.start_first_calls``);
    calls started for another drive or folder are left unused.
    """
    started = time.monotonic()
    cache = Path(cache)
    folder = drive_path(folder)  # drive:PATH, a share URL, id:…, shared:… or a plain path
    # Calls made for another sync are left to end on their own (they only read).
    first = first_calls if first_calls is not None and first_calls.matches(drive, folder) else None
    if dry_run:
        return _plan_only(drive, folder, cache, patterns, exclude, full, started)
    # The calls a first sync makes before listing do not depend on each other: made at once, and with no
    # state yet they are certain, so they go out before the cache is even locked and its state made.
    if first is None and not (cache / STATE_FILE).is_file():
        first = FirstCalls(drive, folder, new_pool())
    early = first.pool if first is not None else new_pool()
    guessed = first.calls if first is not None else {}
    with early, cache_lock(cache, lock_timeout), SyncState(cache) as state:
        _remove_leftovers(cache)
        _recover_pending(state, cache)
        fetcher = _Fetcher(drive, cache, workers)
        try:
            with early:
                ahead = _ask_ahead(drive, state, folder, exclude, full, early, guessed)
                record_account = _check_account(drive, state, cache, ahead.get("account"))
                known = state.files()
                prefetch = partial(_prefetcher, fetcher, state, known, patterns, exclude)
                view, token, full_listing, changes = _current_view(
                    drive, folder, state, patterns, exclude, full, known, ahead, prefetch, first
                )
                record_account()  # before any file is recorded
            _heal_outputs(state, changes)
            view = _without_outputs(view, state)
            paths = _settled_paths(state, view, known) if not (full_listing or changes) else None
            plan = plan_sync(view, known, _present_paths(cache, known.values()), paths=paths)
            result = SyncResult(cache=cache, plan=plan, full_listing=full_listing)
            _apply(fetcher, plan, state, cache, progress, result)
        finally:
            fetcher.close()  # on an error or Ctrl-C: nothing new starts, no temporary file stays
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
    if state.get_meta(META_ACCOUNT_HINT) == drive.account_hint():
        return True
    return state.get_meta(META_ACCOUNT) == drive.account()


def _ask_ahead(
    drive: Drive,
    state: SyncState,
    folder: str,
    exclude: str | None,
    full: bool,
    pool: EarlyCalls,
    started: Mapping[str, Future[Any]] | None = None,
) -> dict[str, Future[Any]]:
    """Start the calls this sync will need before its listing: who is signed in (when the state was made
    with another sign-in, or none), and, when a full listing is certain, the change token and the folder.
    A call in ``started`` (``FirstCalls``) is used instead of a new one; one not needed is left unused."""
    started = started or {}
    calls: dict[str, Callable[..., Any]] = {}
    if state.get_meta(META_ACCOUNT_HINT) != drive.account_hint():
        calls["account"] = drive.account
    if not _changes_usable(state, folder, exclude, full):
        calls["token"] = drive.start_token
        calls["root"] = partial(drive.stat, folder)
    return {name: started[name] if name in started else pool.submit(call) for name, call in calls.items()}


def _changes_usable(state: SyncState, folder: str, exclude: str | None, full: bool) -> bool:
    """True when the stored change token can bring the stored view up to date (no full listing needed)."""
    return changes_usable(state.get_meta, folder, exclude, full)


def _check_account(
    drive: Drive, state: SyncState, cache: Path, account_call: Future[Any] | None = None
) -> Callable[[], None]:
    """Keep the state only if it belongs to this drive's account and server; else start afresh, saying so.

    Returns what is left to do. A state that holds nothing yet (no account, no token, no file) has nothing
    to keep or to clear: its account is recorded by the returned call, which the sync makes after the
    listing and before it records any file, so the listing need not wait for Drive's answer.
    """
    hint = drive.account_hint()
    if state.get_meta(META_ACCOUNT_HINT) == hint:
        return _nothing_left
    stored = state.get_meta(META_ACCOUNT)
    if stored is None and state.get_meta(META_TOKEN) is None and not state.files():
        return partial(_record_account, drive, state, hint, account_call)
    account = account_call.result() if account_call is not None else drive.account()
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
        elif stored is None and state.get_meta(META_TOKEN) is not None:
            state.set_meta(META_TOKEN, None)  # made before accounts were recorded: list everything once
        _set_account(state, account, hint)
    return _nothing_left


def _record_account(drive: Drive, state: SyncState, hint: str, account_call: Future[Any] | None) -> None:
    account = account_call.result() if account_call is not None else drive.account()
    with state.transaction():
        _set_account(state, account, hint)


def _set_account(state: SyncState, account: str, hint: str) -> None:
    state.set_meta(META_ACCOUNT, account)
    state.set_meta(META_ACCOUNT_HINT, hint)


def _nothing_left() -> None:
    return None


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
    prefetch: Callable[[Entry], Callable[[Entry], None]] | None = None,
    first: FirstCalls | None = None,
) -> tuple[View, str, bool, list[Change]]:
    """The remote view, the token to store after it, whether it took a full listing, and the changes read.

    ``known`` is the state's files (``state.files()``, read once by the caller); ``ahead`` the calls
    ``_ask_ahead`` started (the change token and the folder), used when a listing is made; ``prefetch``
    makes, for the listed folder, what is told of each entry as the listing finds it; ``first`` the calls
    started before the sync (its changes call is used when it was made from the stored token)."""
    ahead = ahead or {}
    token = state.get_meta(META_TOKEN)
    if _changes_usable(state, folder, exclude, full):
        assert token is not None
        root_id = state.get_meta(META_ROOT) or ""
        view = view_from_state(root_id, state.folders(), known)
        _add_failed(view, state)
        started = first.changes_since(token) if first is not None else None
        try:
            changes, new_token = started.result() if started is not None else drive.changes(token)
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
    return _listed_view(drive, folder, patterns, exclude, root, prefetch), new_token, True, []


def _listed_view(
    drive: Drive,
    folder: str,
    patterns: Sequence[str],
    exclude: str | None,
    root_call: Future[Any] | None = None,
    prefetch: Callable[[Entry], Callable[[Entry], None]] | None = None,
) -> View:
    """The view from a full listing. With ``prefetch`` and a drive that lists as it goes
    (``list_streaming``), each entry is handed on as soon as it is listed; the view itself is made from
    the whole listing only, as without it."""
    crashpoint("before-listing")
    root = root_call.result() if root_call is not None else drive.stat(folder)
    if not root.is_folder:
        raise DriveError(f"{folder or '/'}: not a folder; sync takes a folder")
    streaming = getattr(drive, "list_streaming", None)
    if prefetch is not None and streaming is not None:
        listing = streaming(root, prefetch(root))
    else:
        listing = drive.list(root, recursive=True)
    return view_from_listing(root, listing, patterns, exclude)


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
    settled everything (``META_SETTLED``: no failed download or move, so nothing was left at an old path
    or tried again); else None, and the plan computes them.
    """
    if state.get_meta(META_SETTLED) != "1" or state.failed():
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
    fetcher: _Fetcher,
    plan: SyncPlan,
    state: SyncState,
    cache: Path,
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
        _download_all(fetcher, plan.downloads, state, cache, progress, result)
    if plan.deletes or plan.moves:  # only these can leave a folder empty
        _prune_empty_folders(cache)


def _download_all(
    fetcher: _Fetcher,
    downloads: Sequence[Download],
    state: SyncState,
    cache: Path,
    progress: bool,
    result: SyncResult,
) -> None:
    """Download concurrently; put each file in place and record what landed in as few transactions as the
    pace allows.

    Files the listing already started fetching (``_prefetcher``) are taken from there when the plan wants
    the very same content; the others start now. Outcomes come to this thread through a queue; each file
    that has come in is put at its planned path at once, and what has landed is recorded in one
    transaction at most ``_RECORD_EVERY`` s later, once the folders it landed in are fsynced (a file is
    recorded only once its bytes are durable and in place; a crash loses at most the last records, whose
    files the next run removes as unrecorded writes and fetches again).
    """
    failed, now = state.failed(), time.time()
    waiting = [d for d in downloads if d.entry.id in failed and failed[d.entry.id][3] > now]
    for late in waiting:  # still in its back-off: reported, not tried
        _entry, reason, _attempts, next_try = failed[late.entry.id]
        when = datetime.fromtimestamp(next_try).astimezone().strftime("%Y-%m-%d %H:%M")
        result.failed.append(f"{_short(printable(late.entry.path), 160)}: {reason} (next try after {when})")
    downloads = [d for d in downloads if d not in waiting]
    if not downloads:
        return
    bar = _progress_bar(sum(d.entry.size or 0 for d in downloads)) if progress else None
    wanted: dict[str, Download] = {}  # fetched ahead, by the listing: by id
    for planned in downloads:
        ahead = fetcher.prefetched.get(planned.entry.id)
        if ahead is not None and _fetch_key(ahead) == _fetch_key(planned.entry):
            wanted[planned.entry.id] = planned
            fetcher.planned[planned.entry.id] = planned
        else:
            fetcher.start(planned.entry, planned)
    try:
        remaining = len(downloads)
        landed: list[tuple[Download, int]] = []  # in place, not recorded yet
        folders: set[str] = set()
        due = 0.0  # when what has landed is recorded at the latest
        while remaining:
            batch = fetcher.next_batch(max(0.0, due - time.monotonic()) if landed else None)
            for outcome in batch:
                item = outcome.item or wanted.pop(outcome.entry.id, None)
                if item is None:  # fetched ahead but not in the plan (or not with this content): dropped
                    fetcher.discard(outcome.tmp)
                    continue
                exc = outcome.error
                if exc is not None and outcome.item is None and not isinstance(exc, DriveError):
                    fetcher.start(item.entry, item)  # fetched ahead, failed on this side: tried as planned
                    continue
                remaining -= 1
                if exc is None:
                    try:
                        size, folder = fetcher.place(outcome, item)
                    except OSError as error:
                        if outcome.item is None and error.errno == errno.EXDEV:  # another file system
                            fetcher.start(item.entry, item)  # fetched again beside its planned path
                            remaining += 1
                            continue
                        exc = error
                    except (ValueError, DriveError) as error:
                        exc = error
                    else:
                        if folder is not None:
                            folders.add(folder)
                        crashpoint("after-download")
                        if not landed:
                            due = time.monotonic() + _RECORD_EVERY
                        landed.append((item, size))
                        continue
                full = disk_full(exc, cache)
                if full is not None:  # no other download can land either: one line, then stop
                    _record_landed(state, landed, result, bar, folders)
                    raise full from exc
                _record_failure(state, item, exc, result)
            if landed and (not remaining or len(landed) >= _RECORD_BATCH or time.monotonic() >= due):
                _record_landed(state, landed, result, bar, folders)
                landed, folders = [], set()
    finally:
        if bar is not None:
            bar.close()


_RECORD_EVERY = 0.1
"""Seconds files that landed may wait to be recorded: one transaction for many (a crash loses only records,
and the files of lost records are fetched again)."""
_RECORD_BATCH = 200


def _progress_bar(total: int) -> Any:
    from tqdm.auto import tqdm  # only on a terminal: its import costs more than a small download

    return tqdm(total=total, unit="B", unit_scale=True, desc="sync")


def _record_landed(
    state: SyncState,
    landed: Sequence[tuple[Download, int]],
    result: SyncResult,
    bar: Any,
    folders: Iterable[str | Path] = (),
) -> None:
    """Record files whose bytes are in place, in one transaction, once their ``folders`` are fsynced (so
    every rename recorded survives a crash)."""
    for folder in folders:
        fsync_dir(folder)
    if not landed:
        return
    with state.transaction():
        state.put_files([_record(item.entry, item.local_path) for item, _size in landed])
        state.done_pending_of(item.entry.id for item, _size in landed)
        state.clear_failed_of(item.entry.id for item, _size in landed)
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


def _check_path_length(target: str | Path) -> None:
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


# ---- fetching: connections, temporary files, fsyncs ----------------------------------------------------


@dataclass(frozen=True)
class _Outcome:
    """One fetch done: the fsynced temporary file holding ``entry``'s bytes (None when nothing was fetched:
    the planned path held them already, or ``error``). ``item`` is the planned download it was for (None
    for a fetch the listing started before there was a plan)."""

    entry: Entry
    item: Download | None
    tmp: str | None
    size: int
    error: Exception | None = None


SMALL_FILE = 1 << 20
"""A file Drive lists at most this size is fetched into memory (``fetch_small``) and written into its
temporary file by a flush thread, so a connection's next request waits neither for the file's creation nor
for its fsync (creating a file cost 0.14-0.8 ms of kernel time in a folder of a busy ext4 disk); at most
``2 × workers`` such files wait there. A larger file streams into its temporary file (``fetch_into``)."""


class _Fetcher:
    """The sync's downloads: ``workers`` connections fetch small files into memory and larger ones into
    temporary files in the cache; flush threads write the small ones into temporary files (beside their
    planned paths once the plan is made) and fsync every file, so a connection goes on to its next request
    at once, not after the disk. Outcomes queue up for the sync's own thread, which puts files in place
    (``place``) and records them.

    Plain threads on queues (no executor: a future, a lock and a condition per file add up over thousands
    of small files); started with the first fetch. A file's paths here are strings, not ``Path`` objects:
    joining, hashing and taking apart a ``Path`` for every file was 6% of a first sync's samples with the
    interpreter lock held (py-spy)."""

    FLUSHERS = 2

    def __init__(self, drive: Drive, cache: Path, workers: int) -> None:
        self.drive, self.cache = drive, cache
        self.workers = max(1, workers)
        self.outcomes: queue.SimpleQueue[_Outcome] = queue.SimpleQueue()
        self.prefetched: dict[str, Entry] = {}  # fetched ahead of the plan, by id
        self.planned: dict[str, Download] = {}  # what the plan took of those, by id (once it is made)
        self._jobs: queue.SimpleQueue[tuple[Entry, Download | None] | None] = queue.SimpleQueue()
        # Bounded: a fetch thread waits for the disk rather than hold an open file or a small file's bytes per
        # download (thousands of small files on a slow disk would run out of file descriptors, or memory).
        self._flushes: queue.Queue[tuple[Entry, Download | None, str, IO[bytes] | bytes, int] | None]
        self._flushes = queue.Queue(maxsize=2 * self.workers)
        self._threads: list[threading.Thread] = []
        self._flushers: list[threading.Thread] = []
        self._stopping = False
        self._temps: set[str] = set()  # temporary files not placed or removed yet
        self._folders: set[str] = set()  # folders made for placed files
        self._resolved: dict[str, str] = {}  # local folder -> its resolved path inside the cache
        self._lock = threading.Lock()
        self._into = getattr(drive, "fetch_into", None)  # no fsync: done here, off the connection
        self._small = getattr(drive, "fetch_small", None)  # no file at all: made here, off the connection

    def prefetch(self, entry: Entry) -> None:
        """Start fetching a file the plan will want (the listing is not complete yet)."""
        self.prefetched[entry.id] = entry
        self.start(entry, None)

    def start(self, entry: Entry, item: Download | None) -> None:
        if not self._threads:
            self._threads = [self._thread(self._work, f"gdrivestats-get-{i}") for i in range(self.workers)]
            self._flushers = [self._thread(self._flush, "gdrivestats-fsync") for _ in range(self.FLUSHERS)]
        self._jobs.put((entry, item))

    @staticmethod
    def _thread(target: Callable[[], None], name: str) -> threading.Thread:
        thread = threading.Thread(target=target, name=name, daemon=True)
        thread.start()
        return thread

    def next_batch(self, timeout: float | None = None) -> list[_Outcome]:
        """The next outcome (waiting at most ``timeout`` s for it: else none), with every other one in."""
        try:
            batch = [self.outcomes.get(timeout=timeout)]
        except queue.Empty:
            return []
        with contextlib.suppress(queue.Empty):
            while True:
                batch.append(self.outcomes.get_nowait())
        return batch

    def _work(self) -> None:
        while (job := self._jobs.get()) is not None:
            if not self._stopping:  # stopping: what is still queued is dropped
                self._fetch(*job)

    def _flush(self) -> None:
        while (job := self._flushes.get()) is not None:
            self._durable(*job)

    def target(self, local_path: str) -> tuple[str, bool]:
        """``resolve_inside(cache, local_path)``, each folder resolved once (a sync puts thousands of files
        in a few folders), and whether a file is there already; a name that is a symlink already is
        resolved in full, as before. One ``lstat`` a file answers both."""
        folder_path, _, name = local_path.rpartition("/")
        folder = self._resolved.get(folder_path)
        if folder is None:
            folder = self._resolved[folder_path] = str(resolve_inside(self.cache, folder_path or "."))
        target = folder + os.sep + name
        if name in ("", ".", "..") or os.sep in name:
            return self._resolved_in_full(local_path)
        try:
            mode = os.lstat(target).st_mode
        except (OSError, ValueError):  # as os.path.islink and isfile: nothing there (yet)
            return target, False
        if stat.S_ISLNK(mode):
            return self._resolved_in_full(local_path)
        return target, stat.S_ISREG(mode)

    def _resolved_in_full(self, local_path: str) -> tuple[str, bool]:
        target = str(resolve_inside(self.cache, local_path))
        return target, os.path.isfile(target)

    def _fetch(self, entry: Entry, item: Download | None) -> None:
        tmp: str | None = None
        try:
            folder = os.fspath(self.cache)  # fetched ahead: the planned folder is not known yet
            if item is not None:  # a crash redo: skip the transfer when the planned path holds the bytes
                target, is_file = self.target(item.local_path)
                _check_path_length(target)
                if entry.md5 and is_file and md5_file(target) == entry.md5:
                    self.outcomes.put(_Outcome(entry, item, None, 0))
                    return
                folder = self.folder_for(target)
            content = self._small(entry, SMALL_FILE) if self._small is not None else None
            if content is not None:  # written into its temporary file by a flush thread
                self._flushes.put((entry, item, folder, content, len(content)))
                return
            tmp = self._temporary(folder)
            if self._into is None:
                self.drive.download(entry, Path(tmp))  # made durable by the drive itself
                self.outcomes.put(_Outcome(entry, item, tmp, os.stat(tmp).st_size))
                return
            handle = self._open(tmp)
            try:
                size = self._into(entry, handle)
                handle.flush()
            except BaseException:
                handle.close()
                raise
            self._flushes.put((entry, item, tmp, handle, size))
        except Exception as exc:  # handed to the sync's thread: recorded with a back-off
            self.discard(tmp)
            self.outcomes.put(_Outcome(entry, item, None, 0, exc))

    def _temporary(self, folder: str) -> str:
        """A new temporary file's name in ``folder``, known to ``close`` until it is placed or removed."""
        tmp = os.path.join(folder, f"{TMP_PREFIX}get-{os.urandom(8).hex()}")
        with self._lock:
            self._temps.add(tmp)
        return tmp

    def _planned_folder(self, entry: Entry, item: Download | None, folder: str) -> str:
        """Where a temporary file for ``entry`` goes: beside its planned path when the plan took a file
        fetched ahead by now, so that its rename stays in one folder (a rename between two folders locks
        both, and waits on every file being created in either), else ``folder``."""
        planned = self.planned.get(entry.id) if item is None else None
        if planned is None:
            return folder
        try:
            target, _is_file = self.target(planned.local_path)
            _check_path_length(target)
            return self.folder_for(target)
        except (OSError, ValueError, DriveError):  # said by place(), as for any planned path
            return folder

    @staticmethod
    def _open(tmp: str) -> IO[bytes]:
        """A new temporary file, open to write, with the mode ``atomic_open`` gives (whatever the umask)."""
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o644)
        handle = os.fdopen(fd, "w+b")
        try:
            if hasattr(os, "fchmod"):
                os.fchmod(fd, 0o644)
        except BaseException:
            handle.close()
            raise
        return handle

    def _durable(
        self, entry: Entry, item: Download | None, where: str, data: IO[bytes] | bytes, size: int
    ) -> None:
        """Make a fetched file durable: ``data`` is the temporary file ``where`` the connection wrote, or
        the file's bytes, written here into a new temporary file in the folder ``where``."""
        tmp: str | None = where if not isinstance(data, bytes) else None
        try:
            if isinstance(data, bytes):
                tmp = self._temporary(self._planned_folder(entry, item, where))
                handle = self._open(tmp)
                try:
                    handle.write(data)
                    handle.flush()
                except BaseException:
                    handle.close()
                    raise
                crashpoint("mid-download")  # bytes in the temporary file, not yet under the final name
            else:
                handle = data
            try:
                os.fsync(handle.fileno())
            finally:
                handle.close()
        except Exception as exc:  # handed to the sync's thread, as a fetch's error is
            self.discard(tmp)
            self.outcomes.put(_Outcome(entry, item, None, 0, exc))
            return
        self.outcomes.put(_Outcome(entry, item, tmp, size))

    def place(self, outcome: _Outcome, item: Download) -> tuple[int, str | None]:
        """Put a fetched file at the planned path: (its size, the folder to fsync), (0, None) when the
        path held the same bytes already (nothing replaced, as a crash redo finds it)."""
        tmp = outcome.tmp
        if tmp is None:
            return 0, None
        try:
            target, is_file = self.target(item.local_path)
            _check_path_length(target)
            md5 = item.entry.md5
            if outcome.item is None and md5 and is_file and md5_file(target) == md5:
                self.discard(tmp)
                return 0, None
            folder = self.folder_for(target)
            os.replace(tmp, target)
        except BaseException:
            self.discard(tmp)
            raise
        with self._lock:
            self._temps.discard(tmp)
        return outcome.size, folder

    def folder_for(self, target: str) -> str:
        """``target``'s folder, made if need be (once: every file placed in it asks)."""
        folder = os.path.dirname(target)
        if folder not in self._folders:
            os.makedirs(folder, exist_ok=True)
            self._folders.add(folder)
        return folder

    def discard(self, tmp: str | None) -> None:
        """Remove a temporary file that will not be placed."""
        if tmp is None:
            return
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        with self._lock:
            self._temps.discard(tmp)

    def close(self) -> None:
        """Stop: queued fetches are dropped, running ones finish; no temporary file is left behind."""
        self._stopping = True
        try:
            for _ in self._threads:
                self._jobs.put(None)
            for thread in self._threads:
                thread.join()
        finally:
            for _ in self._flushers:
                self._flushes.put(None)
            for thread in self._flushers:
                thread.join()
            with self._lock:
                left = list(self._temps)
            for tmp in left:
                self.discard(tmp)


def _fetch_key(entry: Entry) -> tuple[Any, ...]:
    """What decides the bytes a download gets: a file fetched ahead serves the plan only if all agree."""
    return (entry.id, entry.md5, entry.size, entry.modified, entry.version, entry.mime_type, entry.path)


def _prefetcher(
    fetcher: _Fetcher,
    state: SyncState,
    known: Mapping[str, FileRecord],
    patterns: Sequence[str],
    exclude: str | None,
    root: Entry,
) -> Callable[[Entry], None]:
    """What a full listing tells of each entry it finds: start fetching every file the plan will download.

    Only the content is fetched ahead, into a temporary file; its local name, which depends on every name in
    its folder, comes from the plan made once the listing is complete, exactly as without this (moves and
    deletions wait for it too). The guess follows ``view_from_listing``, ``_without_outputs`` and
    ``plan_sync``: a matching file below the folder (not below an excluded or an output folder), not in
    the state with the same content, not waiting out a back-off. A wrong guess costs a download, never a
    wrong result: the plan takes a fetched file only when its content is the one planned.
    """
    own, failed, now = state.own_ids(), state.failed(), time.time()
    prefix = root.path + "/" if root.path else ""
    inside = {root.id}
    # A file the state does not know may still be in the cache (a lost or a deleted state): the plan then
    # keeps the bytes there when they match Drive's md5, so with no state such files are fetched ahead only
    # into a cache with no file in it yet (with a state, a file it does not know is new since: not there).
    unknown_ok = bool(known) or not _holds_files(fetcher.cache)

    def found(entry: Entry) -> None:
        parent = entry.parents[0] if entry.parents else None
        if parent not in inside or entry.id in own or entry.id == root.id:
            return
        rel = entry.path[len(prefix) :] if entry.path.startswith(prefix) else entry.path
        if entry.is_folder:
            if rel != exclude:
                inside.add(entry.id)
            return
        if entry.id in fetcher.prefetched or not matches(entry, patterns):
            return
        record = known.get(entry.id)
        if record is not None and same_content(entry, record):
            return  # unchanged, moved or missing from the cache: the plan says which
        if record is None and not unknown_ok:
            return
        if entry.id in failed and failed[entry.id][3] > now:
            return
        fetcher.prefetch(entry.at(rel))

    return found


def _holds_files(cache: Path) -> bool:
    """True when the cache folder holds any file besides its own bookkeeping (state, lock, temporaries)."""
    own = (OWN_PREFIX, TMP_PREFIX)
    for _dirpath, dirnames, filenames in os.walk(cache):
        dirnames[:] = [d for d in dirnames if not d.startswith(own)]
        if any(not f.startswith(own) for f in filenames):
            return True
    return False


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
        state.set_meta(META_ROOT, view.root_id)
        state.set_meta(META_ROOT_PATH, norm_path(folder))
        state.set_meta(META_EXCLUDE, exclude or "")
        state.set_meta(META_TOKEN, token)
        state.set_meta(META_SETTLED, "1" if settled else None)


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
