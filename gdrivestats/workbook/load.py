"""Files to raw cells: Excel and OpenDocument by calamine, CSV and TSV text; bad files refused in one line."""

from __future__ import annotations

import csv
import io
import logging
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import python_calamine

from gdrivestats.errors import WorkbookError
from gdrivestats.formats import EXCEL_EXTENSIONS, TEXT_EXTENSIONS
from gdrivestats.workbook.flat import NotFlat, flat_candidates, read_flat_sheet
from gdrivestats.workbook.limits import check_limits
from gdrivestats.workbook.model import RawSheet
from gdrivestats.workbook.styles import MAX_ROWS, read_indents

log = logging.getLogger(__name__)

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


_ZIP_MAGIC = b"PK\x03\x04"


_SEPARATORS = {",": "commas", ";": "semicolons", "\t": "tabs", "|": "vertical bars"}


_PROTECTED = "file is password-protected; save an unprotected copy and try again"


_PASSWORD_ERROR = getattr(python_calamine, "PasswordError", python_calamine.CalamineError)  # older releases


def check_file(path: Path) -> None:
    """Refuse a missing path, a folder, an unsupported extension or an empty file, with one clear line."""
    where = str(path)
    if not path.exists():
        raise WorkbookError("file not found; check the path and that the file was downloaded", path=where)
    if not path.is_file():
        raise WorkbookError("is a folder, not a file; give the path of a spreadsheet", path=where)
    suffix = path.suffix.lower()
    if suffix not in EXCEL_EXTENSIONS + TEXT_EXTENSIONS:
        kinds = ", ".join(EXCEL_EXTENSIONS + TEXT_EXTENSIONS)
        message = f"unsupported file type '{suffix or 'none'}'; save it as one of {kinds}"
        raise WorkbookError(message, path=where)
    if path.stat().st_size == 0:
        raise WorkbookError("file is empty (0 bytes); download or export it again", path=where)
    check_limits(path)  # unpacked size, shared strings, declared cells: refused before any parsing


def _sniff(path: Path) -> str:
    """What the bytes of a spreadsheet file are: zip, ole, encrypted, html, text or unknown."""
    with path.open("rb") as handle:
        head = handle.read(4096)
    if head.startswith(_ZIP_MAGIC):
        return "zip"
    if head.startswith(_OLE_MAGIC):
        body = path.read_bytes()
        return "encrypted" if "EncryptionInfo".encode("utf-16-le") in body else "ole"
    lowered = head.lstrip().lower()
    if lowered.startswith((b"<!doctype html", b"<html", b"<table", b"<?xml")):
        return "html"
    return "text" if b"\x00" not in head else "unknown"


def read_excel(path: Path, only: str | None) -> list[RawSheet]:
    """Every sheet (or only ``only``) of an Excel or OpenDocument file as raw grids, read by calamine."""
    kind, where, suffix = _sniff(path), str(path), path.suffix.lower()
    if kind == "encrypted":
        raise WorkbookError(_PROTECTED, path=where)
    if kind == "html":
        message = f"file is a web page or XML export with a {suffix} name; open it and save it as .xlsx"
        raise WorkbookError(message, path=where)
    if kind == "text":
        raws = read_text_file(path)
        raws[0].notes.insert(0, f"The {suffix} file holds plain text, so it was read as a CSV file")
        return raws
    if kind == "unknown" or (kind == "ole" and suffix != ".xls" and suffix != ".xlsx"):
        message = f"file is not a valid {suffix} workbook; it may be damaged, download it again"
        raise WorkbookError(message, path=where)
    listed, flat = flat_candidates(path, only) if kind == "zip" else ([], {})
    typed = {name: _read_flat(path, name, flat) for name in listed if name in flat}
    if listed and all(typed.get(name) is not None for name in listed):  # python-calamine not needed
        raws = [raw for raw in typed.values() if raw is not None]
    else:
        raws = _read_calamine(path, only, typed)
    indents = read_indents(
        path, [raw.name for raw in raws if raw.skip_reason is None and len(raw.grid) <= MAX_ROWS]
    )
    for raw in raws:
        raw.indents = indents.get(raw.name, {})
    return raws


def _read_calamine(path: Path, only: str | None, typed: dict[str, RawSheet | None]) -> list[RawSheet]:
    """Every sheet (or only ``only``) read by python-calamine, but those already read as typed columns."""
    where, suffix = str(path), path.suffix.lower()
    try:
        with path.open("rb") as handle:
            book = python_calamine.CalamineWorkbook.from_filelike(handle)
            names = _select_sheets(book.sheet_names, only, where)
            return [typed.get(name) or _read_calamine_sheet(book, name) for name in names]
    except WorkbookError:
        raise
    except _PASSWORD_ERROR as exc:
        raise WorkbookError(_PROTECTED, path=where) from exc
    except (python_calamine.CalamineError, ValueError, OSError) as exc:
        if any(word in str(exc).lower() for word in ("password", "encrypt")):
            raise WorkbookError(_PROTECTED, path=where) from exc
        raise WorkbookError(
            f"cannot read this {suffix} file, it may be damaged or only partly downloaded; download it again "
            f"({str(exc).splitlines()[0][:120]})",
            path=where,
        ) from exc


def _read_flat(path: Path, name: str, flat: dict[str, Any]) -> RawSheet | None:
    """A big flat sheet read as typed columns by fastexcel; None when it is not one (or fastexcel fails)."""
    if name not in flat:
        return None
    try:
        import fastexcel

        return read_flat_sheet(fastexcel.read_excel(path), path, name, flat[name])
    except NotFlat as why:
        log.debug("sheet %r read by python-calamine: %s", name, why)
    except Exception as exc:  # fastexcel missing or failing: the usual reader decides
        log.debug("fastexcel could not read sheet %r: %s", name, exc)
    return None


def _select_sheets(names: Sequence[str], only: str | None, where: str) -> list[str]:
    """The sheet names to read: all of them, or the one asked for (which must exist)."""
    if only is None:
        return list(names)
    if only not in names:
        listed = ", ".join(f"'{n}'" for n in names)
        raise WorkbookError(f"no sheet named '{only}'; the sheets are {listed}", path=where)
    return [only]


def _read_calamine_sheet(book: python_calamine.CalamineWorkbook, name: str) -> RawSheet:
    """One sheet as a grid of cell values by position (from A1), with its merged ranges."""
    try:
        sheet = book.get_sheet_by_name(name)
        rows = sheet.to_python(skip_empty_area=False)
    except python_calamine.CalamineError as exc:  # a chart sheet or one damaged sheet: skip only that one
        reason = f"it cannot be read ({str(exc).splitlines()[0][:80]})"
        return RawSheet(name=name, grid=pd.DataFrame(), skip_reason=reason)
    try:
        merges = list(sheet.merged_cell_ranges or [])
    except (AttributeError, python_calamine.CalamineError):  # formats without merge information
        merges = []
    return RawSheet(name=name, grid=pd.DataFrame(_pad(rows), dtype=object), merges=merges)


def _pad(rows: list[list[Any]]) -> list[list[Any]]:
    """Ragged rows padded with None to the widest row."""
    width = max(map(len, rows), default=0)
    return [row + [None] * (width - len(row)) if len(row) < width else row for row in rows]


def _decode(data: bytes) -> tuple[str, str | None]:
    """The text of a CSV file and a note when it was not UTF-8."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), None
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "The file is not UTF-8; it was read as Windows-1252 text"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "The file is not UTF-8; it was read as Latin-1 text"


def _detect_separator(text: str, prefer_tab: bool) -> str:
    """The field separator that splits the first lines into the same number of fields most consistently."""
    sample = "\n".join(text.splitlines()[:40])
    scores = {}
    for sep in _SEPARATORS:
        counts = [len(row) for row in csv.reader(io.StringIO(sample), delimiter=sep) if row]
        if not counts:
            continue
        mode, seen = Counter(counts).most_common(1)[0]
        scores[sep] = (mode > 1, prefer_tab and sep == "\t", round(seen / len(counts), 1), mode)
    return max(scores, key=scores.__getitem__) if scores else ","


def read_text_file(path: Path) -> list[RawSheet]:
    """A CSV or TSV file as one raw sheet: encoding and separator detected, every field kept as text."""
    where = str(path)
    data = path.read_bytes()
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        message = "file is not a text table (it holds binary data); check the file type"
        raise WorkbookError(message, path=where)
    text, encoding_note = _decode(data)
    if not text.strip():
        raise WorkbookError("file holds no data, only empty lines; export it again", path=where)
    sep = _detect_separator(text, prefer_tab=path.suffix.lower() == ".tsv")
    try:
        grid = _parse_text_table(text, sep)
    except csv.Error as exc:
        raise WorkbookError(f"cannot read this text table: {exc}; check the file", path=where) from exc
    hint = "," if sep == ";" else "."
    notes = [encoding_note] if encoding_note else []
    notes.append(f"Read as a text table with fields separated by {_SEPARATORS[sep]}")
    return [RawSheet(path.stem, grid, decimal_hint=hint, separator=sep, notes=notes)]


def _parse_text_table(text: str, sep: str) -> pd.DataFrame:
    """Every field as text: pandas' fast parser when all rows have as many fields as the first one,
    else the csv module, which keeps ragged rows (title lines, a name containing the separator)."""
    try:
        return pd.read_csv(
            io.StringIO(text),
            sep=sep,
            header=None,
            dtype="str",
            na_filter=False,
            skip_blank_lines=False,
            engine="c",
        )
    except (pd.errors.ParserError, ValueError):
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=sep))
        return pd.DataFrame(_pad(rows), dtype=object)
