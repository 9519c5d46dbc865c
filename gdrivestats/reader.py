"""Workbooks from anywhere, cleaned: ``read()`` (pandas-style), the bundled sample, and Drive fetching.

``read("sales.xlsx")``, ``read("drive:Team/sales.xlsx")`` and ``read("https://docs.google.com/…")`` return
the cleaned table of the first sheet as a DataFrame; ``sheet_name=None`` returns every table, like
``pandas.read_excel``. pandas is imported only when a workbook is actually read.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gdrivestats.errors import ConfigError, WorkbookError
from gdrivestats.location import DRIVE_PREFIX, is_drive_location, parse_location

if TYPE_CHECKING:
    import pandas as pd

    from gdrivestats.drive.base import Drive, Entry
    from gdrivestats.workbook import Workbook

#: Temporary folders for Drive downloads start with this (stale ones are removed by later runs).
DOWNLOAD_PREFIX = "gdrivestats-read-"

SheetName = str | int | None


def sample_path() -> Path:
    """The bundled sample workbook, countries.xlsx: 142 countries in 2007 (gdrivestats/data/SOURCE.md)."""
    return Path(str(resources.files("gdrivestats") / "data" / "countries.xlsx"))


class DriveSource(str):
    """A workbook found in Drive: reads as ``drive:<path>`` (for names and messages), keeps its Entry."""

    entry: Entry
    drive: Drive

    def __new__(cls, drive: Drive, entry: Entry) -> DriveSource:
        self = super().__new__(cls, DRIVE_PREFIX + entry.path)
        self.entry = entry
        self.drive = drive
        return self


def read(
    source: str | Path | pd.DataFrame,
    sheet_name: SheetName | Sequence[str | int] = 0,
    *,
    drive: Drive | None = None,
) -> pd.DataFrame | dict[str, pd.DataFrame]:
    """The cleaned table(s) of a workbook: header found, numbers parsed, totals and notes set aside.

    Args:
        source: a local file, ``drive:PATH`` (also ``drive:id:ID`` and ``drive:shared:NAME/…``), a Drive or
            Sheets share URL, or a DataFrame to clean.
        sheet_name: like ``pandas.read_excel``: 0 (the first table), another position, a sheet's name, a
            list of them (a dict back), or None for every table as ``{sheet name: DataFrame}``. Sheets
            without a table of numbers are skipped, so positions count the tables found.
        drive: the Drive to read ``drive:`` sources from (default: ``gdrivestats.connect()``, read-only).
    """
    if not (sheet_name is None or isinstance(sheet_name, str | int | list | tuple)):
        raise ConfigError(
            f"sheet_name must be a sheet's name, a position, a list of them or None, not {sheet_name!r}"
        )
    name = sheet_name if isinstance(sheet_name, str) else None
    book = open_workbook(source, sheet=name, drive=drive)
    tables = {s.name: s.data for s in book.sheets}
    if sheet_name is None:
        return tables
    if isinstance(sheet_name, str | int):
        return _pick(book, tables, sheet_name)
    return {_pick_name(book, tables, wanted): _pick(book, tables, wanted) for wanted in sheet_name}


def _pick(book: Workbook, tables: dict[str, pd.DataFrame], wanted: str | int) -> pd.DataFrame:
    return tables[_pick_name(book, tables, wanted)]


def _pick_name(book: Workbook, tables: dict[str, pd.DataFrame], wanted: str | int) -> str:
    names = list(tables)
    if isinstance(wanted, bool) or not isinstance(wanted, str | int):
        raise ConfigError(f"sheet_name must be a sheet's name, a position or None, not {wanted!r}")
    if isinstance(wanted, int):
        if -len(names) <= wanted < len(names):
            return names[wanted]
        raise WorkbookError(f"no table at position {wanted}; the tables are {_listing(names)}", book.source)
    if wanted in tables:
        return wanted
    if len(names) == 1 and Path(book.source).suffix.lower() in (".csv", ".tsv", ".txt"):
        return names[0]  # a text file is one sheet, whatever it is called
    raise WorkbookError(
        f"no sheet named '{wanted}' with a table; the tables are {_listing(names)}", book.source
    )


def _listing(names: list[str]) -> str:
    return ", ".join(f"'{n}'" for n in names) or "none"


def open_workbook(source: Any, sheet: str | None = None, drive: Drive | None = None) -> Workbook:
    """A loaded Workbook from a path, a Drive location (string or DriveSource), a DataFrame or a Workbook."""
    import pandas as pd

    from gdrivestats.workbook import Workbook, load_workbook, sheet_from_frame

    if isinstance(source, Workbook):
        return source
    if isinstance(source, pd.DataFrame):
        return Workbook(
            name="data", source="DataFrame", sheets=[sheet_from_frame(source, name=sheet or "data")]
        )
    if isinstance(source, DriveSource):
        return fetch_workbook(source.drive, source.entry, sheet)
    if is_drive_location(source):
        location = parse_location(source)
        drive = drive if drive is not None else _connect()
        entry = drive.stat(location.path)
        if entry.is_folder:
            raise ConfigError(f"{source}: is a folder; name a workbook inside it (or analyse the folder)")
        workbook = fetch_workbook(drive, entry, sheet)
        workbook.source = source if location.by_id else str(location)
        return workbook
    if not isinstance(source, str | Path):
        raise ConfigError(
            f"cannot read a {type(source).__name__}; give a path, drive:PATH, a URL or a DataFrame"
        )
    return load_workbook(Path(source).expanduser(), sheet=sheet)


def fetch_workbook(drive: Drive, entry: Entry, sheet: str | None = None) -> Workbook:
    """Download a Drive file into a temporary folder and load it; errors name the Drive path, not the copy."""
    from gdrivestats.workbook import load_workbook

    shown = DRIVE_PREFIX + entry.path
    with tempfile.TemporaryDirectory(prefix=DOWNLOAD_PREFIX) as tmp:
        local = Path(tmp) / _download_name(entry)
        drive.download(entry, local)
        try:
            workbook = load_workbook(local, sheet=sheet)
        except WorkbookError as exc:
            raise WorkbookError(str(exc).replace(str(local), entry.path)) from None
    workbook.source = shown
    return workbook


def list_workbooks(drive: Drive, folder: Entry, skip: Sequence[str] = ("gdrivestats",)) -> list[DriveSource]:
    """Every workbook below a Drive folder (native Sheets too), sorted by path; ``skip``: subfolders left out.

    The default leaves out ``gdrivestats/``, where ``run`` writes its outputs.
    """
    from gdrivestats.formats import SPREADSHEET_MIME, is_workbook_name

    prefix = folder.path + "/" if folder.path else ""
    found = []
    for entry in drive.list(folder, recursive=True):
        rel = entry.path[len(prefix) :] if entry.path.startswith(prefix) else entry.path
        parts = rel.split("/")
        if entry.is_folder or parts[0] in skip or any(p.startswith(".") for p in parts):
            continue
        if entry.mime_type == SPREADSHEET_MIME or is_workbook_name(entry.name):
            found.append(DriveSource(drive, entry))
    return sorted(found)


def _download_name(entry: Entry) -> str:
    """A plain local file name for a Drive file; native Google Sheets arrive as xlsx."""
    name = Path(entry.download_name.replace("/", "_")).name
    return name if name not in ("", ".", "..") else "workbook.xlsx"


def _connect() -> Drive:
    from gdrivestats.connect import connect

    return connect(write=False)


__all__ = [
    "DOWNLOAD_PREFIX",
    "DriveSource",
    "fetch_workbook",
    "list_workbooks",
    "open_workbook",
    "read",
    "sample_path",
]
