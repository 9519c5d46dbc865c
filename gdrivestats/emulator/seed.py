"""Load a local folder tree into the emulator's My Drive (``--seed DIR``)."""

from __future__ import annotations

import mimetypes
from datetime import UTC, datetime
from pathlib import Path

from gdrivestats.emulator.store import Store

NATIVE_SHEET_SUFFIX = ".gsheet.xlsx"


def load_tree(store: Store, directory: Path, parent_id: str = "root") -> int:
    """Copy ``directory`` below ``parent_id``; returns the number of items created.

    Folders become folders and files become files (MIME type guessed from the name, modifiedTime from the
    file's mtime). A file named ``X.gsheet.xlsx`` becomes a native Google Sheet named ``X`` whose export
    is that workbook.
    """
    if not directory.is_dir():
        raise NotADirectoryError(f"seed is not a directory: {directory}")
    created = 0
    for entry in sorted(directory.iterdir(), key=lambda p: p.name):
        if entry.is_dir():
            folder = store.add_folder(parent_id, entry.name)
            created += 1 + load_tree(store, entry, folder.id)
        elif entry.is_file():
            data = entry.read_bytes()
            if entry.name.endswith(NATIVE_SHEET_SUFFIX):
                store.add_spreadsheet(parent_id, entry.name[: -len(NATIVE_SHEET_SUFFIX)], data)
            else:
                mime = mimetypes.guess_type(entry.name)[0] or "application/octet-stream"
                modified = datetime.fromtimestamp(entry.stat().st_mtime, UTC)
                store.add_file(parent_id, entry.name, data, mime, modified=modified)
            created += 1
    return created
