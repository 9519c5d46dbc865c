"""Bounds on what a workbook may cost to read, checked before parsing: unpacked size, shared strings, cells.

A 5 MB zip can unpack to gigabytes; a sheet can claim 16,384 columns. Each check looks only at the zip
directory and the first bytes of each sheet's XML, so a hostile file is refused in one line, quickly and
with little memory, instead of exhausting the machine.
"""

from __future__ import annotations

import csv
import re
import sys
import zipfile
from pathlib import Path

from gdrivestats.errors import WorkbookError

MAX_UNPACKED_BYTES = 1 << 30
"""A zip workbook (xlsx, xlsm, ods) may unpack to at most 1 GiB."""
MAX_RATIO = 200
"""...and to at most 200 times its size once it unpacks past 64 MiB (real workbooks compress 5-20x)."""
MAX_SHARED_STRINGS_BYTES = 256 << 20
"""The shared strings of an xlsx may take at most 256 MiB unpacked."""
MAX_COLUMNS = 2048
"""A sheet may declare at most 2,048 columns."""
MAX_CELLS = 50_000_000
"""...and at most 50 million cells."""
MAX_TEXT_FIELD = 64 << 20
"""A field of a CSV file may be as long as 64 MiB (the csv module's default limit is 128 KiB)."""

_DIMENSION = re.compile(rb'<dimension[^>]*\sref="([A-Z]{1,3})?(\d+)?(?::([A-Z]{1,3})(\d+))?"')
_RATIO_FLOOR = 64 << 20
_DIMENSION_TRUSTED = (
    16 << 20
)  # Excel declares A1:XFD9 for a row formatted to its end: look only at big sheets


def check_limits(path: Path) -> None:
    """Refuse, in one line, a workbook that would cost too much to read; raise the CSV field limit."""
    suffix = path.suffix.lower()
    if suffix in (".csv", ".tsv"):
        csv.field_size_limit(min(MAX_TEXT_FIELD, sys.maxsize))
        return
    if not zipfile.is_zipfile(path):
        return  # .xls (BIFF) and text saved under an Excel name: bounded by their size on disk
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return  # a damaged file: the reader says so in its own words
    with archive:
        _check_archive(path, archive)


def _check_archive(path: Path, archive: zipfile.ZipFile) -> None:
    members = archive.infolist()
    unpacked = sum(m.file_size for m in members)
    packed = max(1, path.stat().st_size)
    if unpacked > MAX_UNPACKED_BYTES or (unpacked > _RATIO_FLOOR and unpacked / packed > MAX_RATIO):
        raise WorkbookError(
            f"unpacks to {unpacked / 2**20:,.0f} MB from {packed / 2**20:,.1f} MB (at most "
            f"{MAX_UNPACKED_BYTES / 2**30:.0f} GB, {MAX_RATIO}x); it may be a zip bomb; save a smaller copy",
            path=str(path),
        )
    for member in members:
        name = member.filename.lower()
        if name.endswith("sharedstrings.xml") and member.file_size > MAX_SHARED_STRINGS_BYTES:
            raise WorkbookError(
                f"holds {member.file_size / 2**20:,.0f} MB of text cells (at most "
                f"{MAX_SHARED_STRINGS_BYTES / 2**20:.0f} MB); save a smaller copy",
                path=str(path),
            )
        sheet = name.startswith("xl/worksheets/") and name.endswith(".xml")
        if sheet and member.file_size > _DIMENSION_TRUSTED:  # small sheets: a wide range is formatting
            with archive.open(member) as handle:
                head = handle.read(8192)
            _check_dimension(path, member.filename, head)


def _check_dimension(path: Path, member: str, head: bytes) -> None:
    match = _DIMENSION.search(head)
    if match is None or match.group(3) is None:
        return
    first_col, first_row, last_col, last_row = match.groups()
    columns = _column_number(last_col) - _column_number(first_col or b"A") + 1
    rows = int(last_row) - int(first_row or b"1") + 1
    if columns > MAX_COLUMNS or columns * rows > MAX_CELLS:
        sheet = Path(member).stem
        raise WorkbookError(
            f"sheet {sheet} spans {columns:,} columns and {rows:,} rows (at most {MAX_COLUMNS:,} columns and "
            f"{MAX_CELLS:,} cells); delete the empty columns or split the sheet",
            path=str(path),
        )


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters.decode("ascii"):
        number = number * 26 + ord(letter) - ord("A") + 1
    return number
