"""The sync state: an SQLite database in the cache folder recording what is mirrored and what was analysed."""

from __future__ import annotations

import contextlib
import dataclasses
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from gdrivestats.errors import disk_full
from gdrivestats.mirror.layout import STATE_FILE

SCHEMA_VERSION = 2

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS files (
    id            TEXT PRIMARY KEY,   -- the Drive file id
    name          TEXT NOT NULL,      -- the name on Drive (may contain '/')
    drive_path    TEXT NOT NULL,      -- path below the synced folder, '/'-separated, as named on Drive
    parent_id     TEXT,
    mime_type     TEXT,
    created       TEXT,               -- RFC 3339, orders same-named files for stable local names
    md5           TEXT,
    size          INTEGER,
    modified      TEXT,               -- RFC 3339, as Drive sends it
    version       TEXT,
    local_path    TEXT NOT NULL UNIQUE, -- path below the cache folder
    analysed_md5  TEXT,               -- the content last analysed and written back
    shortcut_id   TEXT                -- set when reached through a shortcut: id is then the target's
);
CREATE TABLE IF NOT EXISTS folders (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    drive_path  TEXT NOT NULL,        -- below the synced folder
    parent_id   TEXT,
    created     TEXT
);
CREATE TABLE IF NOT EXISTS pending (
    id          TEXT NOT NULL,        -- a file about to be written into the cache (download or move)
    local_path  TEXT NOT NULL,
    PRIMARY KEY (id, local_path)
);
CREATE TABLE IF NOT EXISTS output_names (
    workbook_id TEXT PRIMARY KEY,     -- a mirrored workbook
    local_path  TEXT NOT NULL,        -- its cache path when the name was given (a rename gives a new one)
    name        TEXT NOT NULL         -- its output folder below the out-folder, unique case-insensitively
);
CREATE TABLE IF NOT EXISTS own_ids (
    drive_id    TEXT PRIMARY KEY      -- every file or folder gdrivestats wrote on Drive: never a workbook
);
CREATE TABLE IF NOT EXISTS output_folders (
    workbook_id TEXT NOT NULL,        -- a workbook whose outputs are in this Drive folder
    drive_id    TEXT NOT NULL,        -- the folder (the workbook's own, and every folder above it)
    PRIMARY KEY (workbook_id, drive_id)
);
CREATE TABLE IF NOT EXISTS failed (
    id          TEXT PRIMARY KEY,     -- a file in the synced tree that could not be fetched
    entry       TEXT NOT NULL,        -- the file as Drive listed it (JSON), so it stays in the view
    reason      TEXT NOT NULL,        -- one line a user reads: why, and what to do
    attempts    INTEGER NOT NULL,
    next_try    REAL NOT NULL         -- Unix time before which it is not tried again (back-off)
);
CREATE TABLE IF NOT EXISTS outputs (
    workbook_id TEXT NOT NULL,        -- the Drive id of the analysed workbook
    name        TEXT NOT NULL,        -- output path below the workbook's output folder
    drive_id    TEXT NOT NULL,        -- the Drive id of the uploaded output
    md5         TEXT,
    PRIMARY KEY (workbook_id, name)
);
"""


@dataclass(frozen=True)
class FileRecord:
    """One mirrored Drive file as the state knows it."""

    id: str
    name: str
    drive_path: str
    parent_id: str | None
    mime_type: str | None
    created: str | None
    md5: str | None
    size: int | None
    modified: str | None
    version: str | None
    local_path: str
    analysed_md5: str | None = None
    shortcut_id: str | None = None

    @property
    def content_key(self) -> str:
        """What identifies this content: the md5, or for native Google files (no md5) the version."""
        return self.md5 or f"version:{self.version}"


_FILE_FIELDS = tuple(f.name for f in dataclasses.fields(FileRecord))
_FILE_COLUMNS = ", ".join(_FILE_FIELDS)
_CHUNK = 500  # ids per "IN (...)" query: well below SQLite's limit on parameters


@dataclass(frozen=True)
class FolderRecord:
    """One Drive folder inside the synced tree."""

    id: str
    name: str
    drive_path: str
    parent_id: str | None
    created: str | None = None


class SyncState:
    """The state database of one cache folder. WAL mode; every write is its own short transaction."""

    def __init__(self, cache_dir: Path, *, readonly: bool = False) -> None:
        self.path = Path(cache_dir) / STATE_FILE
        if readonly:  # a dry run: read what is there, write nothing (no journal, no schema upgrade)
            uri = f"{self.path.resolve().as_uri()}?mode=ro&immutable=1"
            self._db = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
            self._db.row_factory = sqlite3.Row
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA busy_timeout=10000")
        with self.transaction():
            for statement in _SCHEMA.split(";\n"):
                if statement.strip():
                    self._db.execute(statement)
            columns = {row["name"] for row in self._db.execute("PRAGMA table_info(files)")}
            if "shortcut_id" not in columns:  # a cache made by gdrivestats 0.1
                self._db.execute("ALTER TABLE files ADD COLUMN shortcut_id TEXT")
            self.set_meta("schema_version", str(SCHEMA_VERSION))

    def close(self) -> None:
        """Close the database connection."""
        self._db.close()

    def __enter__(self) -> SyncState:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic unit of work: committed as a whole or not at all."""
        try:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            full = disk_full(exc, self.path.parent)
            if full is None:
                raise
            with contextlib.suppress(sqlite3.Error):
                self._db.execute("ROLLBACK")
            raise full from exc

    # --- meta -------------------------------------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        """A stored setting (the changes token, the synced folder's id), or None."""
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row["value"])

    def set_meta(self, key: str, value: str | None) -> None:
        """Store (or with None, forget) a setting."""
        if value is None:
            self._db.execute("DELETE FROM meta WHERE key = ?", (key,))
        else:
            self._db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    # --- files ------------------------------------------------------------------------------------------
    def files(self) -> dict[str, FileRecord]:
        """Every mirrored file, by Drive id."""
        cursor = self._db.cursor()
        cursor.row_factory = None  # plain tuples in the field order: a re-sync reads every record
        rows = cursor.execute(f"SELECT {_FILE_COLUMNS} FROM files").fetchall()
        return {row[0]: FileRecord(*row) for row in rows}

    def file(self, file_id: str) -> FileRecord | None:
        """One mirrored file, or None."""
        row = self._db.execute("SELECT * FROM files WHERE id = ?", (file_id,)).fetchone()
        return None if row is None else FileRecord(**dict(row))

    def put_file(self, record: FileRecord) -> None:
        """Record a file as mirrored (keeps its analysed_md5 unless the record carries one)."""
        previous = self.file(record.id)
        analysed = (
            record.analysed_md5
            if record.analysed_md5 is not None
            else (previous.analysed_md5 if previous else None)
        )
        self._db.execute("DELETE FROM files WHERE local_path = ? AND id != ?", (record.local_path, record.id))
        values = {**dataclasses.asdict(record), "analysed_md5": analysed}
        columns = ", ".join(values)
        marks = ", ".join("?" for _ in values)
        self._db.execute(f"INSERT OR REPLACE INTO files ({columns}) VALUES ({marks})", tuple(values.values()))

    def put_files(self, records: Sequence[FileRecord]) -> None:
        """``put_file`` for many records at once: the same rows, in a few statements (a first sync records
        its files in batches as they land)."""
        if len({r.local_path for r in records}) != len(records):  # one path twice: the last one wins
            for record in records:
                self.put_file(record)
            return
        analysed: dict[str, str | None] = {}
        ids = [r.id for r in records if r.analysed_md5 is None]
        for start in range(0, len(ids), _CHUNK):
            part = ids[start : start + _CHUNK]
            marks = ", ".join("?" for _ in part)
            query = f"SELECT id, analysed_md5 FROM files WHERE id IN ({marks})"
            analysed.update((row[0], row[1]) for row in self._db.execute(query, part))
        self._db.executemany(
            "DELETE FROM files WHERE local_path = ? AND id != ?", [(r.local_path, r.id) for r in records]
        )
        rows = [
            tuple(
                getattr(r, name)
                if name != "analysed_md5" or r.analysed_md5 is not None
                else analysed.get(r.id)
                for name in _FILE_FIELDS
            )
            for r in records
        ]
        marks = ", ".join("?" for _ in _FILE_FIELDS)
        self._db.executemany(f"INSERT OR REPLACE INTO files ({_FILE_COLUMNS}) VALUES ({marks})", rows)

    def remove_file(self, file_id: str) -> None:
        """Forget a file (it was deleted, trashed or moved out of the synced folder)."""
        self._db.execute("DELETE FROM files WHERE id = ?", (file_id,))
        self._db.execute("DELETE FROM outputs WHERE workbook_id = ?", (file_id,))

    def mark_analysed(self, file_id: str, md5: str | None) -> None:
        """Record that the content with ``md5`` was analysed and its outputs written back."""
        self._db.execute("UPDATE files SET analysed_md5 = ? WHERE id = ?", (md5, file_id))

    # --- pending writes (the intent log that lets a killed sync clean up after itself) ---------------------
    def pending(self) -> list[tuple[str, str]]:
        """(file id, local path) of every cache write that was planned but not recorded as done."""
        return [(r["id"], r["local_path"]) for r in self._db.execute("SELECT id, local_path FROM pending")]

    def add_pending(self, writes: list[tuple[str, str]]) -> None:
        """Record cache writes about to start."""
        self._db.executemany("INSERT OR IGNORE INTO pending (id, local_path) VALUES (?, ?)", writes)

    def done_pending(self, file_id: str | None = None) -> None:
        """Forget the pending writes of one file (call inside the transaction that records it), or all."""
        if file_id is None:
            self._db.execute("DELETE FROM pending")
        else:
            self._db.execute("DELETE FROM pending WHERE id = ?", (file_id,))

    def done_pending_of(self, file_ids: Iterable[str]) -> None:
        """``done_pending`` for each of several files."""
        self._db.executemany("DELETE FROM pending WHERE id = ?", [(i,) for i in file_ids])

    # --- files that could not be fetched -------------------------------------------------------------
    def failed(self) -> dict[str, tuple[str, str, int, float]]:
        """Files that could not be fetched: id -> (entry JSON, reason, attempts, next try as Unix time)."""
        rows = self._db.execute("SELECT id, entry, reason, attempts, next_try FROM failed")
        return {r["id"]: (r["entry"], r["reason"], r["attempts"], r["next_try"]) for r in rows}

    def put_failed(self, file_id: str, entry: str, reason: str, attempts: int, next_try: float) -> None:
        """Record a file that could not be fetched, and when to try it again."""
        self._db.execute(
            "INSERT OR REPLACE INTO failed (id, entry, reason, attempts, next_try) VALUES (?, ?, ?, ?, ?)",
            (file_id, entry, reason, attempts, next_try),
        )

    def clear_failed(self, file_id: str | None = None) -> None:
        """Forget a failure (the file was fetched, or left the tree), or all of them."""
        if file_id is None:
            self._db.execute("DELETE FROM failed")
        else:
            self._db.execute("DELETE FROM failed WHERE id = ?", (file_id,))

    def clear_failed_of(self, file_ids: Iterable[str]) -> None:
        """``clear_failed`` for each of several files."""
        self._db.executemany("DELETE FROM failed WHERE id = ?", [(i,) for i in file_ids])

    # --- starting over ----------------------------------------------------------------------------------
    def reset(self) -> None:
        """Forget everything (another account's or server's state): the next sync starts from a listing."""
        for table in (
            "files",
            "folders",
            "pending",
            "outputs",
            "output_folders",
            "output_names",
            "own_ids",
            "failed",
        ):
            self._db.execute(f"DELETE FROM {table}")
        self._db.execute("DELETE FROM meta WHERE key != 'schema_version'")

    # --- folders ----------------------------------------------------------------------------------------
    def folders(self) -> dict[str, FolderRecord]:
        """Every folder of the synced tree, by Drive id."""
        rows = self._db.execute("SELECT * FROM folders").fetchall()
        return {row["id"]: FolderRecord(**dict(row)) for row in rows}

    def replace_folders(self, folders: list[FolderRecord]) -> None:
        """Store the folder tree as a full listing found it."""
        self._db.execute("DELETE FROM folders")
        self._db.executemany(
            "INSERT INTO folders (id, name, drive_path, parent_id, created) VALUES (?, ?, ?, ?, ?)",
            [(f.id, f.name, f.drive_path, f.parent_id, f.created) for f in folders],
        )

    # --- outputs ----------------------------------------------------------------------------------------
    def outputs(self, workbook_id: str) -> dict[str, tuple[str, str | None]]:
        """The outputs written back for a workbook: name -> (Drive id, md5)."""
        query = "SELECT name, drive_id, md5 FROM outputs WHERE workbook_id = ?"
        rows = self._db.execute(query, (workbook_id,))
        return {row["name"]: (row["drive_id"], row["md5"]) for row in rows}

    def output_names(self) -> dict[str, tuple[str, str]]:
        """The output folder of every workbook that has one: workbook id -> (local path then, name)."""
        rows = self._db.execute("SELECT workbook_id, local_path, name FROM output_names")
        return {row["workbook_id"]: (row["local_path"], row["name"]) for row in rows}

    def put_output_name(self, workbook_id: str, local_path: str, name: str) -> None:
        """Give a workbook its output folder name (kept until the workbook is renamed or deleted)."""
        self._db.execute(
            "INSERT OR REPLACE INTO output_names (workbook_id, local_path, name) VALUES (?, ?, ?)",
            (workbook_id, local_path, name),
        )

    def forget_output_name(self, workbook_id: str) -> None:
        """The workbook's old output folder is gone (trashed on Drive)."""
        self._db.execute("DELETE FROM output_names WHERE workbook_id = ?", (workbook_id,))

    def output_ids(self) -> dict[str, tuple[str, str | None]]:
        """Every output file written back: Drive id -> (workbook id, md5)."""
        rows = self._db.execute("SELECT workbook_id, drive_id, md5 FROM outputs")
        return {row["drive_id"]: (row["workbook_id"], row["md5"]) for row in rows}

    def output_folder_ids(self) -> dict[str, set[str]]:
        """Every Drive folder holding outputs: folder id -> the workbooks whose outputs are in it."""
        found: dict[str, set[str]] = {}
        for row in self._db.execute("SELECT workbook_id, drive_id FROM output_folders"):
            found.setdefault(row["drive_id"], set()).add(row["workbook_id"])
        return found

    def put_output_folders(self, workbook_id: str, folder_ids: list[str]) -> None:
        """Record the Drive folders a workbook's outputs are in (its own, and those above it)."""
        self._db.execute("DELETE FROM output_folders WHERE workbook_id = ?", (workbook_id,))
        self._db.executemany(
            "INSERT OR IGNORE INTO output_folders (workbook_id, drive_id) VALUES (?, ?)",
            [(workbook_id, folder_id) for folder_id in folder_ids],
        )
        self._db.executemany(
            "INSERT OR IGNORE INTO own_ids (drive_id) VALUES (?)", [(f,) for f in folder_ids]
        )

    def forget_outputs(self, workbook_id: str, drive_id: str | None = None) -> None:
        """Forget one output (or all of a workbook's) so the next run writes it again."""
        if drive_id is None:
            self._db.execute("DELETE FROM outputs WHERE workbook_id = ?", (workbook_id,))
            self._db.execute("DELETE FROM output_folders WHERE workbook_id = ?", (workbook_id,))
        else:
            self._db.execute(
                "DELETE FROM outputs WHERE workbook_id = ? AND drive_id = ?", (workbook_id, drive_id)
            )
        self._db.execute("UPDATE files SET analysed_md5 = NULL WHERE id = ?", (workbook_id,))

    def own_ids(self) -> set[str]:
        """Every Drive id gdrivestats has written (outputs and their folders), wherever they are now."""
        return {row["drive_id"] for row in self._db.execute("SELECT drive_id FROM own_ids")}

    def put_output(self, workbook_id: str, name: str, drive_id: str, md5: str | None) -> None:
        """Record one output uploaded for a workbook."""
        self._db.execute("INSERT OR IGNORE INTO own_ids (drive_id) VALUES (?)", (drive_id,))
        self._db.execute(
            "INSERT OR REPLACE INTO outputs (workbook_id, name, drive_id, md5) VALUES (?, ?, ?, ?)",
            (workbook_id, name, drive_id, md5),
        )
