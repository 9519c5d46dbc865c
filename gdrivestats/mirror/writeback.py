"""Write outputs back to Drive idempotently: upsert each file by name, skip what is there unchanged."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Collection, Mapping
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from gdrivestats._crash import crashpoint
from gdrivestats.drive.base import Drive, Entry, join_path, md5_file

log = logging.getLogger(__name__)


@dataclass
class Uploaded:
    """What one write-back did: ``outputs`` maps each output's relative path to (Drive id, md5)."""

    outputs: dict[str, tuple[str, str]] = field(default_factory=dict)
    uploaded: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    folders: dict[str, Entry] = field(default_factory=dict)  # "" and each subfolder written into


def upload_folder(
    drive: Drive,
    local_dir: Path,
    drive_folder: str,
    previous: Mapping[str, tuple[str, str | None]] | None = None,
    on_uploaded: Callable[[str, str, str], None] | None = None,
    workers: int = 4,
    as_sheets: Collection[str] = (),
    folder_id: str | None = None,
) -> Uploaded:
    """Upsert every file below ``local_dir`` into ``drive_folder`` (made like mkdir -p), keeping subfolders.

    A file whose md5 equals the one recorded in ``previous`` for the same relative path is not sent
    again. Uploads are upserts by name, so a repeated or restarted write-back updates the same Drive files
    (same ids, new revisions) and never adds a duplicate. Files go up ``workers`` at a time (the drive
    paces its writes to Drive's limit); ``on_uploaded(relative path, id, md5)`` is called, in this thread,
    as each one lands, so the caller can record it at once. The xlsx files named in ``as_sheets`` go up as
    native Google Sheets (named without the extension) where the drive can make them. ``folder_id`` is the
    id ``drive_folder`` has or gets (see ``Drive.makedirs``).
    """
    previous = previous or {}
    result = Uploaded()
    todo: list[tuple[Path, str, str]] = []
    for local in sorted(p for p in local_dir.rglob("*") if p.is_file()):
        rel = local.relative_to(local_dir).as_posix()
        md5 = md5_file(local)
        known = previous.get(rel)
        if known is not None and known[1] == md5:
            result.outputs[rel] = (known[0], md5)
            result.skipped.append(rel)
        else:
            todo.append((local, rel, md5))
    folders = result.folders
    for local, _rel, _md5 in todo:  # folders first, one at a time: never two creates of one folder
        sub = local.parent.relative_to(local_dir).as_posix()
        sub = "" if sub == "." else sub
        if sub not in folders:
            folders[sub] = (
                drive.makedirs(join_path(drive_folder, sub))
                if sub
                else drive.makedirs(drive_folder, folder_id)
            )

    def send(local: Path) -> Entry:
        sub = local.parent.relative_to(local_dir).as_posix()
        folder = folders["" if sub == "." else sub]
        crashpoint("before-upload")
        rel = local.relative_to(local_dir).as_posix()
        known = previous[rel][0] if rel in previous else None  # updated by id: listings can lag
        if rel in as_sheets:
            entry = drive.upload_as_sheet(local, folder, local.stem, known_id=known)
        else:
            entry = drive.upload(local, folder, local.name, known_id=known)
        crashpoint("after-upload")
        return entry

    first_error: BaseException | None = None
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(todo) or 1))) as pool:
        futures = {pool.submit(send, local): (rel, md5) for local, rel, md5 in todo}
        for future in as_completed(futures):
            rel, md5 = futures[future]
            try:
                entry = future.result()
            except Exception as exc:  # the others still land and are recorded; then the first error
                first_error = first_error or exc
                continue
            result.outputs[rel] = (entry.id, md5)
            result.uploaded.append(rel)
            if on_uploaded is not None:
                on_uploaded(rel, entry.id, md5)
    if first_error is not None:
        raise first_error
    result.uploaded.sort()
    log.debug(
        "write-back to %s: %d uploaded, %d unchanged", drive_folder, len(result.uploaded), len(result.skipped)
    )
    return result


FOLDERS_AHEAD = 16
"""Output folders made ahead of the write-back: enough to keep Drive's write limit busy while the first
workbooks are analysed, few enough that a stopped run leaves only a handful of empty folders."""


@dataclass(frozen=True)
class FolderToMake:
    """A workbook's output folder, to be made before its outputs are ready: ``path`` on Drive and the id it
    has or gets (``folder_id``: recorded in the state before it is made; None where the drive names folders
    itself)."""

    path: str
    folder_id: str | None = None


class FolderMaker:
    """Makes the output folders of workbooks (``todo``, in write-back order; first ``root``, the folder
    they are in) in a thread of its own, at most ``ahead`` beyond the workbooks written back, so the
    folders' writes are spent while the first workbooks are still being analysed instead of in front of
    their uploads.

    ``folder(key)`` waits for that workbook's folder: its entry, or None when there is none to wait for or
    it could not be made (the write-back then makes it itself and reports what went wrong).
    """

    def __init__(
        self,
        drive: Drive,
        todo: Mapping[str, FolderToMake],
        ahead: int = FOLDERS_AHEAD,
        root: FolderToMake | None = None,
    ) -> None:
        self._drive = drive
        self._root = root  # the folder they are all in: made first, by its own id
        self._todo = dict(todo)
        self._order = list(todo)
        self._position = {key: i for i, key in enumerate(self._order)}
        self._ahead = max(1, ahead)
        self._made: dict[str, Entry | None] = {}
        self._new: dict[str, str] = {}  # key -> id of the folder made for it (none was there before)
        self._reach = 0  # the folders up to here are wanted now (asked for, in whatever order)
        self._stopped = False
        self._finished = False  # the thread is done (every folder tried, or stopped)
        self._changed = threading.Condition()
        self._thread = threading.Thread(target=self._make_all, name="gdrivestats-folders", daemon=True)

    def __enter__(self) -> FolderMaker:
        if self._order:
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        with self._changed:
            self._stopped = True
            self._changed.notify_all()
        if self._thread.is_alive():
            self._thread.join()

    def folder(self, key: str) -> Entry | None:
        """The folder made for ``key`` (waiting for it), or None; counts ``key`` as written back next."""
        with self._changed:
            # Analyses finish in any order: the one asked for is always inside the window.
            self._reach = max(self._reach + 1, self._position.get(key, -1) + 1)
            self._changed.notify_all()
            if key in self._todo:
                self._changed.wait_for(lambda: key in self._made or self._stopped or self._finished)
            return self._made.get(key)

    def made_new(self, key: str, entry: Entry | None) -> bool:
        """True when ``entry`` is the folder made for ``key`` by this run, or by one that stopped before
        writing into it (not a folder that was there otherwise)."""
        return entry is not None and self._new.get(key) == entry.id

    def _make_all(self) -> None:
        try:
            if self._root is not None:
                try:
                    self._drive.makedirs(self._root.path, folder_id=self._root.folder_id)
                except Exception as exc:  # each folder below tries on its own
                    log.debug("%s: could not make the folder ahead: %s", self._root.path, exc)
            for index, key in enumerate(self._order):
                with self._changed:
                    while not self._stopped and index >= self._reach + self._ahead:
                        self._changed.wait()
                    if self._stopped:
                        return
                try:
                    entry: Entry | None = self._make(key, self._todo[key])
                except Exception as exc:  # the write-back makes it again and reports what goes wrong
                    log.debug("%s: could not make the folder ahead: %s", self._todo[key].path, exc)
                    entry = None
                with self._changed:
                    self._made[key] = entry
                    self._changed.notify_all()
        finally:
            with self._changed:
                self._finished = True
                self._changed.notify_all()

    def _make(self, key: str, item: FolderToMake) -> Entry:
        there = item.folder_id is None and self._drive.exists(item.path)
        entry = self._drive.makedirs(item.path, folder_id=item.folder_id)
        if entry.id == item.folder_id or (item.folder_id is None and not there):
            with self._changed:
                self._new[key] = entry.id
        return entry
