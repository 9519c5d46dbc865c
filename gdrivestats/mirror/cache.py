"""Mirror(cache), the one owner of a cache folder: sync, what needs analysis, parsed workbooks, outputs.

``pipeline.run`` talks to a Mirror only; the state database, the parse cache and the bookkeeping of what
was analysed and written back stay behind it.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gdrivestats.drive.base import Drive, Entry, join_path
from gdrivestats.errors import GdriveStatsError, NotFound
from gdrivestats.formats import WORKBOOK_PATTERNS
from gdrivestats.mirror.layout import LOCK_FILE, PARSED_FOLDER
from gdrivestats.mirror.lock import cache_lock
from gdrivestats.mirror.state import FileRecord, SyncState
from gdrivestats.mirror.sync import SyncResult, sync
from gdrivestats.mirror.writeback import FolderMaker, FolderToMake, Uploaded, upload_folder
from gdrivestats.names import numbered

if TYPE_CHECKING:
    from gdrivestats.workbook import Workbook

log = logging.getLogger(__name__)


class Mirror:
    """A local copy of one Drive folder in ``cache``, and what was analysed and written back from it.

    Use it as a context manager (it holds the state database open)::

        with Mirror(cache) as mirror:
            mirror.sync(drive, "Colab Notebooks")
            for record in mirror.needs_analysis():
                workbook = mirror.workbook(record)
                ...
                mirror.write_back(drive, record, local_outputs, "Colab Notebooks/gdrivestats/x")
                mirror.mark_analysed(record)
    """

    def __init__(self, cache: Path | str) -> None:
        self.root = Path(cache)
        self._state: SyncState | None = None
        self._stale: dict[str, str] = {}

    def __repr__(self) -> str:
        return f"Mirror({str(self.root)!r})"

    # ---- the cache folder ------------------------------------------------------------------------------

    @property
    def lock_path(self) -> Path:
        """The lock a run holds on this cache."""
        return self.root / LOCK_FILE

    @property
    def parsed_folder(self) -> Path:
        """Where parsed workbooks are cached."""
        return self.root / PARSED_FOLDER

    def path_of(self, record: FileRecord) -> Path:
        """The mirrored copy of a file."""
        return self.root / record.local_path

    def locked(self, timeout: float = 0.0) -> contextlib.AbstractContextManager[None]:
        """Hold the cache's lock (see :func:`cache_lock`)."""
        return cache_lock(self.root, timeout)

    # ---- sync -----------------------------------------------------------------------------------------

    def sync(
        self,
        drive: Drive,
        folder: str,
        patterns: Sequence[str] = WORKBOOK_PATTERNS,
        workers: int = 8,
        exclude: str | None = None,
        progress: bool = True,
        **options: Any,
    ) -> SyncResult:
        """Bring the copy up to date with ``folder`` on ``drive`` (see ``mirror.sync.sync``)."""
        return sync(
            drive,
            folder,
            self.root,
            patterns=patterns,
            workers=workers,
            exclude=exclude,
            progress=progress,
            **options,
        )

    # ---- analysis bookkeeping ---------------------------------------------------------------------------

    def __enter__(self) -> Mirror:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the state database (it is opened again when needed)."""
        if self._state is not None:
            self._state.close()
            self._state = None

    @property
    def _db(self) -> SyncState:
        if self._state is None:
            self._state = SyncState(self.root)
        return self._state

    def files(self) -> list[FileRecord]:
        """Every mirrored file, in Drive path order."""
        return sorted(self._db.files().values(), key=lambda r: r.drive_path)

    def use_outputs(self, out_root: str, settings: str) -> bool:
        """Outputs go below ``out_root``, made with ``settings`` (what changes the files: their format,
        charts, top N); True when either changed since the last run, and then every workbook is written
        again: into the new out-folder (the old one is left as it is), or in place, with the outputs no
        longer made moved to Drive's trash."""
        state = self._db
        old_root, old_settings = state.get_meta("out_root"), state.get_meta("output_settings")
        moved = old_root is not None and old_root != out_root
        changed = old_settings is not None and old_settings != settings
        with state.transaction():
            for record in state.files().values() if moved or changed else ():
                if moved:
                    state.forget_outputs(record.id)
                    state.set_meta(f"output_folder:{record.id}", None)
                else:
                    state.mark_analysed(record.id, None)
            if moved:
                state.set_meta("out_root_id", None)
            state.set_meta("out_root", out_root)
            state.set_meta("output_settings", settings)
        return moved or changed

    def needs_analysis(self) -> list[FileRecord]:
        """The mirrored files whose content changed since they were last analysed and written back."""
        return [r for r in self.files() if r.content_key != r.analysed_md5]

    def output_folders(self) -> dict[str, str]:
        """The output folder name of each mirrored file, by Drive id: unique and stable.

        A name is given once and kept in the state (its cache path without the extension; with the
        extension, then a number, where that is taken case-insensitively), so ``a.csv``, ``a.tsv`` and
        ``a.csv.tsv`` never share a folder and adding a file never renames another's outputs. A renamed or
        moved workbook gets a new name, and its outputs are written there again (see ``stale_outputs``).
        """
        state, records = self._db, self.files()
        given = state.output_names()
        current = {r.id: given[r.id][1] for r in records if r.id in given and given[r.id][0] == r.local_path}
        taken = {name.casefold() for name in current.values()}
        stems = [str(Path(r.local_path).with_suffix("")) for r in records]
        with state.transaction():
            for record, stem in zip(records, stems, strict=True):
                if record.id in current:
                    continue
                name = numbered(stem if stems.count(stem) == 1 else record.local_path, taken)
                current[record.id] = name
                if record.id in given:  # renamed or moved: its outputs go to the new folder
                    state.forget_outputs(record.id)
                    self._stale[record.id] = given[record.id][1]
                state.put_output_name(record.id, record.local_path, name)
            for workbook_id, (_path, name) in given.items():
                if workbook_id not in current and workbook_id not in self._stale:  # deleted from Drive
                    self._stale[workbook_id] = name
        return current

    def stale_outputs(self) -> dict[str, str]:
        """Output folders of workbooks renamed, moved or deleted on Drive: workbook id -> old folder name.

        Call after ``output_folders``; ``forget_stale`` once each one is in Drive's trash.
        """
        return dict(self._stale)

    def forget_stale(self, workbook_id: str) -> None:
        """The old output folder of this workbook is gone."""
        self._stale.pop(workbook_id, None)
        if workbook_id not in {r.id for r in self.files()}:
            with self._db.transaction():
                self._db.forget_output_name(workbook_id)
                self._db.forget_outputs(workbook_id)

    def workbook(self, record: FileRecord) -> Workbook:
        """The mirrored file, parsed (from the parse cache when this content was parsed before)."""
        from gdrivestats.mirror.parsed import load_cached

        return load_cached(self.path_of(record), self.parsed_folder)

    def prune_parsed(self) -> int:
        """Remove parsed workbooks no mirrored file has any more (older contents, deleted files); a count."""
        import shutil

        from gdrivestats.mirror.parsed import content_key

        if not self.parsed_folder.is_dir():
            return 0
        keep = set()
        for record in self.files():
            with contextlib.suppress(OSError):
                keep.add(content_key(self.path_of(record)))
        doomed = [p for p in self.parsed_folder.iterdir() if p.name not in keep]
        for entry in doomed:
            if entry.is_dir():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)
        return len(doomed)

    def folders_ahead(
        self, drive: Drive, records: Sequence[FileRecord], out_root: str, names: Mapping[str, str]
    ) -> FolderMaker:
        """A FolderMaker for the output folders of ``records`` (in write-back order) with no outputs on Drive
        yet, each in ``out_root``/its name, to start while they are analysed.

        Each folder's id (and the out-folder's) is asked of Drive and recorded here, before the folder is
        made, so a run stopped right after making it leaves it known to the next run (found by id: Drive's
        listings can lag behind the create); an id an earlier run recorded is used again.
        """
        keys = {r.id: f"output_folder:{r.id}" for r in records if not self._db.outputs(r.id)}
        ids = self._reserved_ids(drive, ["out_root_id", *keys.values()] if keys else [])
        todo = {rid: FolderToMake(join_path(out_root, names[rid]), ids[key]) for rid, key in keys.items()}
        root = FolderToMake(out_root, ids["out_root_id"]) if todo else None
        return FolderMaker(drive, todo, root=root)

    def _reserved_ids(self, drive: Drive, keys: Sequence[str]) -> dict[str, str | None]:
        """The folder id recorded under each key, or a new one from Drive, recorded now in one transaction
        (None: the drive names folders itself, or could not say; the folder is then made by name)."""
        state = self._db
        ids = {key: state.get_meta(key) for key in keys}  # ones a stopped run made or meant to make
        new: dict[str, str] = {}
        for key in (k for k, v in ids.items() if v is None):
            try:
                folder_id = drive.new_folder_id()
            except GdriveStatsError as exc:
                log.debug("no id for an output folder made ahead: %s", exc)
                break
            if folder_id is None:
                break
            new[key] = folder_id
        with state.transaction():
            for key, folder_id in new.items():
                state.set_meta(key, folder_id)
        return ids | new

    def discard_output_folder(self, drive: Drive, record: FileRecord, folder: Entry) -> None:
        """Remove the empty output folder made ahead for a workbook whose analysis failed, and its record
        (nothing is removed if something was put in it meanwhile)."""
        with contextlib.suppress(GdriveStatsError):
            drive.remove(f"id:{folder.id}")
        with self._db.transaction():
            if self._db.get_meta(f"output_folder:{record.id}") == folder.id and not self._db.outputs(
                record.id
            ):
                self._db.set_meta(f"output_folder:{record.id}", None)

    def write_back(
        self,
        drive: Drive,
        record: FileRecord,
        outputs: Path,
        drive_folder: str,
        out_root: str,
        as_sheets: Collection[str] = (),
    ) -> Uploaded:
        """Upsert the output files in ``outputs`` into ``drive_folder`` (below ``out_root``; the folder by
        the id it was made with or meant to get, while it is still that folder), recording each one as it
        lands, and the Drive folders they are in, so their removal on Drive is noticed."""
        state = self._db

        def recorded(name: str, drive_id: str, md5: str) -> None:
            with state.transaction():
                state.put_output(record.id, name, drive_id, md5)

        previous = state.outputs(record.id)
        # The folders by the ids they were made with (or meant to get): found even while listings lag.
        root_id, folder_id = state.get_meta("out_root_id"), state.get_meta(f"output_folder:{record.id}")
        if root_id is not None and drive_folder.startswith(out_root + "/"):
            drive.makedirs(out_root, folder_id=root_id)
        done = upload_folder(
            drive, outputs, drive_folder, previous, recorded, as_sheets=as_sheets, folder_id=folder_id
        )
        # Outputs no longer made (charts turned off) or now in another file (the summary as a Sheet instead
        # of summary.xlsx) go to Drive's trash, so the folder holds exactly what this run made.
        replaced = {n for n in previous.keys() & done.outputs.keys() if previous[n][0] != done.outputs[n][0]}
        for name in sorted((previous.keys() - done.outputs.keys()) | replaced):
            drive_id = previous[name][0]
            with contextlib.suppress(NotFound):
                drive.remove(f"id:{drive_id}")
            if name not in replaced:
                with state.transaction():
                    state.forget_outputs(record.id, drive_id)
        if done.uploaded and "" in done.folders:  # the folders its outputs are in, up to the out-folder
            entry = done.folders[""]
            ids = {e.id for e in done.folders.values()}
            for _ in range(drive_folder[len(out_root) :].count("/")):
                if not entry.parents:
                    break
                entry = drive.stat(f"id:{entry.parents[0]}")
                ids.add(entry.id)
            with state.transaction():
                state.put_output_folders(record.id, sorted(ids))
                state.set_meta(f"output_folder:{record.id}", done.folders[""].id)
                if root_id is None and entry.is_folder and entry.name == out_root.rsplit("/", 1)[-1]:
                    state.set_meta("out_root_id", entry.id)
        return done

    def mark_analysed(self, record: FileRecord) -> None:
        """Record that this content was analysed and its outputs are all on Drive."""
        with self._db.transaction():
            self._db.mark_analysed(record.id, record.content_key)
