"""Large flat xlsx sheets read by fastexcel: typed Arrow columns, no Python object per cell from the parser.

A big data export (one header row of text at A1, then rows of values) is most of what a load costs: calamine's
parse and then a Python object for every cell. fastexcel parses with calamine too, faster, and returns Arrow
columns with types. The grid it gives is the same as python-calamine's, cell for cell once blanks are None
(dates at midnight as ``date``, others as ``datetime``; error cells empty), or it is not used: types are
guessed from every row and never coerced, so a column mixing numbers with text, dates or booleans, a column
of times of day or a repeated header sends the sheet back to python-calamine; placeholders fastexcel reads
as empty ('n/a') are put back from its error list. Merged ranges are found by scanning the sheet's XML in a
thread while fastexcel parses. What each column holds goes with the raw sheet (``RawSheet.typed``): cleaning
then looks for blank text only where there can be text.
"""

from __future__ import annotations

import logging
import re
import threading
import zipfile
from pathlib import Path, PurePosixPath
from typing import Any
from xml.etree import ElementTree

import numpy as np
import pandas as pd

from gdrivestats.workbook.model import Merge, RawSheet

log = logging.getLogger(__name__)

MIN_SHEET_BYTES = 4 << 20
"""Only sheets whose XML unpacks to at least this much (about 50,000 cells) are read this way."""

_HEAD_BYTES = 64 << 10
_ROW = re.compile(rb"<row\b[^>]*>(.*?)</row>", re.DOTALL)
_ROW_NUMBER = re.compile(rb'<row\b[^>]*\br="(\d+)"')
_CELL = re.compile(rb"<c\b([^>]*?)(?:/>|>(.*?)</c>)", re.DOTALL)
_REF = re.compile(rb'\br="([A-Z]+)(\d+)"')
_TYPE = re.compile(rb'\bt="(\w+)"')
_MERGE = re.compile(rb'<mergeCell\b[^>]*\bref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')
_ERROR_TEXT = re.compile(r"""^Expected \w+ but got 'String\("([^"\\]*)"\)'$""", re.DOTALL)
_ERROR_CELL = re.compile(r"^Expected \w+ but got 'Error\(\w+\)'$")
_DAY_MS = 86_400_000
_EPOCH_1900_MS = -2_208_988_800_000  # 1900-01-01: earlier "dates" are times of day in Excel


class NotFlat(Exception):
    """The sheet cannot be given exactly as typed columns; the message says why (for the debug log)."""


def sheet_members(archive: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    """Sheet name -> its worksheet XML member, from xl/workbook.xml and its relationships."""
    try:
        book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError):
        return {}
    targets = {}
    for rel in rels:
        target = rel.get("Target", "")
        path = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
        targets[rel.get("Id")] = path
    members = {info.filename: info for info in archive.infolist()}
    out = {}
    for element in book.iter():
        if element.tag.rsplit("}", 1)[-1] != "sheet":
            continue
        rid = next((v for k, v in element.attrib.items() if k.rsplit("}", 1)[-1] == "id"), None)
        member = members.get(targets.get(rid, ""))
        if member is not None and element.get("name") is not None:
            out[element.get("name", "")] = member
    return out


def looks_flat(head: bytes) -> bool:
    """The first rows of a sheet's XML: row 1 is text cells from A1 on, with no gap, and row 2 follows,
    no wider than row 1."""
    rows = _ROW.findall(head)
    numbers = [int(m.group(1)) for m in _ROW_NUMBER.finditer(head)]
    if len(rows) < 2 or numbers[:2] != [1, 2]:
        return False
    cells = _CELL.findall(rows[0])
    if not cells:
        return False
    for i, (attributes, body) in enumerate(cells):
        ref = _REF.search(attributes)
        kind = _TYPE.search(attributes)
        if ref is None or _column_number(ref.group(1)) != i + 1 or ref.group(2) != b"1":
            return False
        if kind is None or kind.group(1) not in (b"s", b"inlineStr", b"str") or not body:
            return False
    below = [_REF.search(attributes) for attributes, _ in _CELL.findall(rows[1])]
    widest = max((_column_number(ref.group(1)) for ref in below if ref is not None), default=0)
    return widest <= len(cells)  # a title line above the header is narrower than the rows under it


def flat_candidates(path: Path, only: str | None) -> tuple[list[str], dict[str, zipfile.ZipInfo]]:
    """The sheet names (all, or ``only``) from the workbook's own list, and those of them worth reading as
    typed columns: big, and flat by the look of their first rows. ([], {}) for a small file."""
    if path.suffix.lower() not in (".xlsx", ".xlsm") or path.stat().st_size < MIN_SHEET_BYTES // 20:
        return [], {}
    try:
        with zipfile.ZipFile(path) as archive:
            members = sheet_members(archive)
            names = [name for name in members if only is None or name == only]
            out = {}
            for name in names:
                member = members[name]
                if member.file_size < MIN_SHEET_BYTES:
                    continue
                with archive.open(member) as handle:
                    head = handle.read(_HEAD_BYTES)
                if looks_flat(head):
                    out[name] = member
            return names, out
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, KeyError):
        return [], {}


def scan_merges(path: Path, member: zipfile.ZipInfo) -> list[Merge]:
    """The merged ranges of a sheet (0-based), read from the end of its XML without parsing the rest."""
    found = bytearray()
    tail = b""
    with zipfile.ZipFile(path) as archive, archive.open(member) as handle:
        while chunk := handle.read(1 << 20):
            if found:
                found += chunk
                continue
            joined = tail + chunk
            at = joined.find(b"<mergeCells")
            if at >= 0:
                found += joined[at:]
            tail = joined[-16:]
    merges: list[Merge] = []
    for first_col, first_row, last_col, last_row in _MERGE.findall(bytes(found)):
        top, left = int(first_row) - 1, _column_number(first_col) - 1
        bottom = int(last_row or first_row) - 1
        right = _column_number(last_col or first_col) - 1
        merges.append(((top, left), (bottom, right)))
    return merges


def read_flat_sheet(reader: Any, path: Path, name: str, member: zipfile.ZipInfo) -> RawSheet:
    """One flat sheet as a raw grid (header row first) read by fastexcel; NotFlat if it cannot be exact."""
    merges: list[Merge] = []
    failed: list[BaseException] = []

    def scan() -> None:
        try:
            merges.extend(scan_merges(path, member))
        except Exception as exc:  # reported in the thread that waits for it
            failed.append(exc)

    scanner = threading.Thread(target=scan, name="merge-scan", daemon=True)
    scanner.start()
    try:
        # strict types guessed from every row: a column mixing numbers, text, dates or booleans is refused,
        # never coerced (a boolean as 1.0, a number as a date or as text); only empty cells, error cells and
        # the placeholders fastexcel reads as empty ('n/a') come back in the error list
        sheet = reader.load_sheet(name, header_row=0, schema_sample_rows=None, dtype_coercion="strict")
        batch, errors = sheet.to_arrow_with_errors()
    except Exception as exc:
        if type(exc).__name__ == "UnsupportedColumnTypeCombinationError":
            raise NotFlat(str(exc).splitlines()[0]) from exc
        raise
    finally:
        scanner.join()
    if failed:
        raise NotFlat(f"merged ranges not read: {failed[0]}")
    header = _header(batch.schema.names)
    columns = [_column(batch.column(i), header[i]) for i in range(batch.num_columns)]
    texts = _put_back(columns, errors)
    grid = pd.DataFrame(dict(enumerate(columns)), dtype=object)
    typed = {
        i: kind for i in range(batch.num_columns) if (kind := _kind(batch.column(i).type)) and i not in texts
    }
    return RawSheet(name=name, grid=grid, merges=merges, typed=typed)


def _kind(kind: Any) -> str | None:
    """What ``RawSheet.typed`` says of a column of this Arrow type (None: a column of empty cells)."""
    import pyarrow as pa

    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return "text"
    if pa.types.is_floating(kind) or pa.types.is_integer(kind):
        return "number"
    if pa.types.is_boolean(kind):
        return "bool"
    if pa.types.is_timestamp(kind):
        return "date"
    return None


def _header(names: list[str]) -> list[str | None]:
    """The header cells from fastexcel's column names: its generated names are empty cells; a name it made
    unique ('Name_1' next to 'Name') cannot be told from a header written so, and is refused."""
    present = set(names)
    header: list[str | None] = []
    for i, name in enumerate(names):
        if name == f"__UNNAMED__{i}":
            header.append(None)
            continue
        base, _, number = name.rpartition("_")
        if base and number.isdigit() and base in present:
            raise NotFlat(f"column name {name!r} may be fastexcel's, for a repeated header")
        header.append(name)
    return header


def _column(array: Any, header: str | None) -> np.ndarray:
    """One Arrow column under its header cell, as the objects python-calamine gives (None where empty)."""
    import pyarrow as pa

    kind = array.type
    out = np.empty(len(array) + 1, dtype=object)
    out[0] = header
    body = out[1:]  # a view: filled in place
    nulls = array.null_count
    valid = None if not nulls else ~np.asarray(array.is_null().to_numpy(zero_copy_only=False), dtype=bool)
    if pa.types.is_null(kind):
        return out  # np.empty of objects is all None
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        body[:] = _texts(array)
        return out  # nulls are None already
    if pa.types.is_floating(kind) or pa.types.is_integer(kind):
        numbers = array.cast(pa.float64()).fill_null(0).to_numpy()
        if np.isnan(numbers).any():  # no Excel number is NaN: fastexcel read the text 'nan' as one
            raise NotFlat("a number column holds the text 'nan'")
        body[:] = numbers
    elif pa.types.is_boolean(kind):
        body[:] = array.fill_null(False).to_numpy(zero_copy_only=False)
    elif pa.types.is_timestamp(kind):
        ms = array.cast(pa.timestamp("ms")).cast(pa.int64()).fill_null(0).to_numpy()
        if ((ms < _EPOCH_1900_MS) if valid is None else (ms < _EPOCH_1900_MS) & valid).any():
            raise NotFlat("a column holds times of day")
        midnight = ms % _DAY_MS == 0
        if midnight.all():
            body[:] = (ms // _DAY_MS).astype("datetime64[D]").astype(object)
        else:
            body[:] = ms.astype("datetime64[ms]").astype(object)
            if midnight.any():
                body[midnight] = (ms[midnight] // _DAY_MS).astype("datetime64[D]").astype(object)
    else:
        raise NotFlat(f"a column of type {kind}")
    if valid is not None:
        body[~valid] = None
    return out


def _texts(array: Any) -> np.ndarray:
    """A text column as Python strings (None where empty); a column of few distinct texts makes one string
    per distinct text, not one per cell."""
    import pyarrow.compute as pc

    encoded = pc.dictionary_encode(array)
    if len(encoded.dictionary) > len(array) // 2:
        return np.asarray(array.to_numpy(zero_copy_only=False), dtype=object)
    texts = np.empty(len(encoded.dictionary) + 1, dtype=object)  # the last one, None, for empty cells
    texts[:-1] = encoded.dictionary.to_numpy(zero_copy_only=False)
    return texts[encoded.indices.fill_null(len(texts) - 1).to_numpy()]


def _put_back(columns: list[np.ndarray], errors: Any) -> set[int]:
    """Cells fastexcel could not give in their column's type: text put back as text, error cells empty.
    Returns the columns where text was put back."""
    texts: set[int] = set()
    for error in getattr(errors, "errors", None) or []:
        row, col = error.offset_position
        detail = str(error.detail)
        text = _ERROR_TEXT.match(detail)
        if text is not None:
            columns[col][row + 1] = text.group(1)  # under the header cell
            texts.add(col)
        elif not _ERROR_CELL.match(detail):
            raise NotFlat(f"cell ({row + 2}, {col + 1}): {detail[:80]}")
    return texts


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters.decode("ascii"):
        number = number * 26 + ord(letter) - ord("A") + 1
    return number
