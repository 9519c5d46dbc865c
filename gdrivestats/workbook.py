"""Load workbooks (xlsx, xlsm, xls, ods, csv, tsv) into clean, typed tables with a log of every change."""

from __future__ import annotations

import csv
import io
import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import python_calamine

from gdrivestats import _cleaning as cl
from gdrivestats.errors import WorkbookError
from gdrivestats.formats import EXCEL_EXTENSIONS, TEXT_EXTENSIONS

log = logging.getLogger(__name__)

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
_SEPARATORS = {",": "commas", ";": "semicolons", "\t": "tabs", "|": "vertical bars"}
_PROTECTED = "file is password-protected; save an unprotected copy and try again"
_PASSWORD_ERROR = getattr(python_calamine, "PasswordError", python_calamine.CalamineError)  # older releases
_MAX_REPAIRS = 50  # suspicious rows examined one by one for a shift against the header


class Role(StrEnum):
    """What a column is for in the analysis."""

    LABEL = "label"  # the names to rank (Country, County): unique per row
    CATEGORY = "category"  # few repeated values to group by (Region, Continent)
    NUMERIC = "numeric"  # a metric
    DATE = "date"
    TEXT = "text"  # free text, not analysed


@dataclass
class Sheet:
    """One cleaned table from one sheet of a workbook."""

    name: str
    data: pd.DataFrame  # the clean rows: header found, numbers parsed, totals and notes set aside
    roles: dict[str, Role]  # column name -> role, for every column of ``data``
    label_column: str | None  # the column of names to rank, if any
    set_aside: pd.DataFrame = field(default_factory=pd.DataFrame)  # total/aggregate rows, same columns
    notes: list[str] = field(default_factory=list)  # the cleaning log, in words a user understands
    footnotes: list[str] = field(default_factory=list)  # text found under the table ("Source: ...")
    title: str | None = None  # the title line above the header, if any
    unit: str | None = None  # a unit line above the header ("Number in '000"), if any
    header_row: int | None = None  # 1-based sheet row of the (last) header row; None for in-memory frames

    def columns_with(self, role: Role) -> list[str]:
        """The columns of ``data`` that have ``role``, in table order."""
        return [c for c in self.data.columns if self.roles.get(c) == role]


@dataclass
class Workbook:
    """Every analysable sheet of one file."""

    name: str  # the file name without its extension
    source: str  # where it came from (path or Drive path)
    sheets: list[Sheet]
    notes: list[str] = field(default_factory=list)  # workbook-level log: sheets skipped and why


@dataclass
class _RawSheet:
    """One sheet as read: a grid of cell values by position, its merged ranges and how text was read."""

    name: str
    grid: pd.DataFrame
    merges: list[cl.Merge] = field(default_factory=list)
    decimal_hint: str = "."
    separator: str | None = None  # set for text files: the field separator, used to repair split fields
    skip_reason: str | None = None  # why the sheet could not be read at all
    notes: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- public API


def load_workbook(path: str | Path, sheet: str | None = None) -> Workbook:
    """Read and clean every sheet of ``path`` (or only ``sheet``). Raises WorkbookError on bad input.

    A CSV or TSV file is one sheet named after the file; ``sheet`` does not apply to it.
    """
    path = Path(path)
    _check_file(path)
    raws = _read_text_file(path) if path.suffix.lower() in TEXT_EXTENSIONS else _read_excel(path, sheet)
    book = Workbook(name=path.stem, source=str(path), sheets=[])
    for raw in raws:
        try:
            book.sheets.append(_clean_raw_sheet(raw))
        except _SkipSheet as skip:
            book.notes.append(f"Skipped sheet '{raw.name}': {skip}")
            continue
        except Exception as exc:  # a bug in the cleaning must not lose the other sheets or show a traceback
            log.exception("cleaning sheet %r of %s failed", raw.name, path)
            reason = f"it could not be cleaned ({type(exc).__name__}); please report this"
            book.notes.append(f"Skipped sheet '{raw.name}': {reason}")
            continue
        log.debug(
            "%s [%s]: %d rows, %d notes",
            path.name,
            raw.name,
            len(book.sheets[-1].data),
            len(book.sheets[-1].notes),
        )
    if not book.sheets:
        reasons = "; ".join(book.notes) or "no sheets"
        message = f"nothing to analyse, no sheet has a table with numbers ({reasons})"
        raise WorkbookError(message, path=str(path))
    return book


def sheet_from_frame(frame: pd.DataFrame, name: str = "data") -> Sheet:
    """Clean an in-memory DataFrame (already with a header) the same way a loaded sheet is cleaned."""
    header = cl.header_names([list(frame.columns)], [0], [])
    body = cl.blank_to_none(pd.DataFrame(frame.to_numpy(dtype=object)))
    try:
        return _clean_body(name, body, header.names, _RawSheet(name, body), _header_notes(header))
    except _SkipSheet as skip:
        raise WorkbookError(f"table '{name}' cannot be analysed: {skip}") from None


# ---------------------------------------------------------------- reading files


class _SkipSheet(Exception):
    """A sheet holds nothing to analyse; the message says why."""


def _check_file(path: Path) -> None:
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


def _read_excel(path: Path, only: str | None) -> list[_RawSheet]:
    """Every sheet (or only ``only``) of an Excel or OpenDocument file as raw grids, read by calamine."""
    kind, where, suffix = _sniff(path), str(path), path.suffix.lower()
    if kind == "encrypted":
        raise WorkbookError(_PROTECTED, path=where)
    if kind == "html":
        message = f"file is a web page or XML export with a {suffix} name; open it and save it as .xlsx"
        raise WorkbookError(message, path=where)
    if kind == "text":
        raws = _read_text_file(path)
        raws[0].notes.insert(0, f"The {suffix} file holds plain text, so it was read as a CSV file")
        return raws
    if kind == "unknown" or (kind == "ole" and suffix != ".xls" and suffix != ".xlsx"):
        message = f"file is not a valid {suffix} workbook; it may be damaged, download it again"
        raise WorkbookError(message, path=where)
    try:
        with path.open("rb") as handle:
            book = python_calamine.CalamineWorkbook.from_filelike(handle)
            names = _select_sheets(book.sheet_names, only, where)
            return [_read_calamine_sheet(book, name) for name in names]
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


def _select_sheets(names: Sequence[str], only: str | None, where: str) -> list[str]:
    """The sheet names to read: all of them, or the one asked for (which must exist)."""
    if only is None:
        return list(names)
    if only not in names:
        listed = ", ".join(f"'{n}'" for n in names)
        raise WorkbookError(f"no sheet named '{only}'; the sheets are {listed}", path=where)
    return [only]


def _read_calamine_sheet(book: python_calamine.CalamineWorkbook, name: str) -> _RawSheet:
    """One sheet as a grid of cell values by position (from A1), with its merged ranges."""
    try:
        sheet = book.get_sheet_by_name(name)
        rows = sheet.to_python(skip_empty_area=False)
    except python_calamine.CalamineError as exc:  # a chart sheet or one damaged sheet: skip only that one
        reason = f"it cannot be read ({str(exc).splitlines()[0][:80]})"
        return _RawSheet(name=name, grid=pd.DataFrame(), skip_reason=reason)
    try:
        merges = list(sheet.merged_cell_ranges or [])
    except (AttributeError, python_calamine.CalamineError):  # formats without merge information
        merges = []
    return _RawSheet(name=name, grid=pd.DataFrame(_pad(rows), dtype=object), merges=merges)


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


def _read_text_file(path: Path) -> list[_RawSheet]:
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
    return [_RawSheet(path.stem, grid, decimal_hint=hint, separator=sep, notes=notes)]


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


# ---------------------------------------------------------------- finding the table


def _clean_raw_sheet(raw: _RawSheet) -> Sheet:
    """Find the header, the body and the notes under the table of one raw sheet, then clean the body."""
    if raw.skip_reason:
        raise _SkipSheet(raw.skip_reason)
    grid = cl.blank_to_none(raw.grid)
    filled = grid.notna().any(axis=1)
    grid = grid.loc[filled]
    if grid.empty:
        raise _SkipSheet("the sheet is empty")
    top_frame = grid.iloc[: cl.SCAN_ROWS]
    top, positions = top_frame.to_numpy().tolist(), list(top_frame.index)
    merges = _relative_merges(raw.merges, positions)
    rows = _header_rows(top, merges)
    names = cl.header_names(top, rows, merges)
    notes = list(raw.notes) + _layout_notes(rows, positions) + _header_notes(names)
    body = grid.loc[grid.index > positions[rows[-1]]]
    body, footnotes = _split_footnotes(body)
    if footnotes:
        notes.append(f"Kept {cl.plural(len(footnotes), 'line')} of notes under the table as footnotes")
    notes += _blank_rows_note(filled, positions[rows[-1]], body)
    body, fill_notes = _fill_merged_labels(body, raw.merges, names.names)
    body, group_notes = _fill_grouped_labels(body, names.names)
    title, unit = cl.title_and_unit(top[: rows[0]])
    sheet = _clean_body(raw.name, body, names.names, raw, notes + fill_notes + group_notes)
    sheet.footnotes, sheet.title, sheet.unit = footnotes, title, unit
    sheet.header_row = positions[rows[-1]] + 1
    return sheet


def _blank_rows_note(filled: pd.Series, header: int, body: pd.DataFrame) -> list[str]:
    """A note for the empty rows between the header and the last row of the table, which were dropped."""
    if body.empty:
        return []
    inside = filled.loc[header : body.index[-1]]
    count = int((~inside).sum())
    return [f"Dropped {cl.plural(count, 'empty row')} inside the table"] if count else []


def _relative_merges(merges: Sequence[cl.Merge], positions: Sequence[int]) -> list[cl.Merge]:
    """Merged ranges re-indexed to the rows kept at the top of the sheet (blank rows removed)."""
    where = {row: i for i, row in enumerate(positions)}
    out = []
    last = positions[-1] if len(positions) else -1
    for (r0, c0), (r1, c1) in merges:
        if r0 > last:
            continue
        kept = [where[r] for r in range(r0, min(r1, last) + 1) if r in where]
        if kept:
            out.append(((kept[0], c0), (kept[-1], c1)))
    return out


def _header_rows(top: list[list[Any]], merges: Sequence[cl.Merge]) -> list[int]:
    """The one or two header rows among the top rows (a group row above, or a sub-header row below)."""
    header = cl.find_header_row(top)
    if cl.is_super_header(top, header, merges):
        return [header - 1, header]
    if cl.is_sub_header(top, header, merges):
        return [header, header + 1]
    return [header]


def _layout_notes(rows: list[int], positions: list[int]) -> list[str]:
    """Notes on where the header was found and whether two header rows were joined."""
    notes = []
    above = rows[0]
    if above:
        plural = "s" if above > 1 else ""
        notes.append(f"Header found on row {positions[rows[-1]] + 1} under {above} title row{plural}")
    if len(rows) == 2:
        first, second = positions[rows[0]] + 1, positions[rows[1]] + 1
        notes.append(f"Joined the two header rows {first} and {second} into one name per column")
    return notes


def _header_notes(names: cl.HeaderNames) -> list[str]:
    """A note listing the column names that lost a footnote marker."""
    if not names.marked:
        return []
    shown = ", ".join(f"'{m}'" for m in names.marked[:5])
    return [f"Removed footnote markers from {cl.plural(len(names.marked), 'column name')}: {shown}"]


def _split_footnotes(body: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """The table rows and the text of the notes under it ("Source: ...")."""
    wide = np.flatnonzero(body.notna().sum(axis=1).to_numpy() >= 2)
    tail_from = int(wide[-1]) + 1 if len(wide) else 0
    tail = body.iloc[tail_from:].to_numpy().tolist()
    start = tail_from + cl.footnote_start(tail)
    return body.iloc[:start], cl.footnote_texts(body.iloc[start:].to_numpy().tolist())


def _fill_merged_labels(
    body: pd.DataFrame, merges: Sequence[cl.Merge], names: Sequence[str]
) -> tuple[pd.DataFrame, list[str]]:
    """Copy the label of a vertically merged cell into every row of the merge (linear in the rows)."""
    rows = body.index.to_numpy()
    vertical: dict[int, list[tuple[int, int]]] = {}
    for (r0, c0), (r1, c1) in merges:
        if c0 == c1 and r1 > r0 and c0 in body.columns:
            vertical.setdefault(c0, []).append((r0, r1))
    body, notes = body.copy(), []
    for col, spans in sorted(vertical.items()):
        values, count = body[col].to_numpy(dtype=object, copy=True), 0
        for r0, r1 in spans:
            top, end = np.searchsorted(rows, r0), np.searchsorted(rows, r1, side="right")
            if top >= len(rows) or rows[top] != r0:
                continue  # the top of the merge is in the header or was not kept
            blank = pd.isna(values[top + 1 : end])
            values[top + 1 : end][blank] = values[top]
            count += int(blank.sum())
        if count:
            body[col] = values
            label = names[col] or _letter(col)
            notes.append(
                f"Filled {cl.plural(count, 'cell')} of merged row labels in '{label}' from the label above"
            )
    return body, notes


def _fill_grouped_labels(body: pd.DataFrame, names: Sequence[str]) -> tuple[pd.DataFrame, list[str]]:
    """Fill the blanks under group labels in the first column (merged labels whose merge was lost)."""
    filled = cl.grouped_label_gaps(body)
    if filled is None:
        return body, []
    col = body.columns[0]
    count = int(body[col].isna().sum())
    body = body.copy()
    body[col] = filled
    name = names[col] if col < len(names) and names[col] else _letter(col)
    return body, [f"Filled {cl.plural(count, 'blank cell')} in '{name}' with the group label above them"]


def _letter(col: int) -> str:
    """The spreadsheet letter of a 0-based column: 0 -> A, 27 -> AB."""
    out = ""
    col += 1
    while col:
        col, rest = divmod(col - 1, 26)
        out = chr(65 + rest) + out
    return out


# ---------------------------------------------------------------- cleaning the body


def _clean_body(
    name: str, body: pd.DataFrame, names: Sequence[str], raw: _RawSheet, notes: list[str]
) -> Sheet:
    """Name, type, repair, de-duplicate and split the rows of a table whose header is known."""
    body, overflow = _name_columns(body, names)
    body = body.loc[body.notna().any(axis=1)]
    columns = _clean_columns(body, raw)
    body, repair_notes = _repair_rows(body, columns, overflow, raw)
    if repair_notes:
        columns = _clean_columns(body, raw)
        notes += repair_notes
    data, more = _assemble(columns, overflow)
    notes += more
    kinds = {col: columns[col].kind for col in data.columns}
    if not any(kind == "numeric" for kind in kinds.values()):
        raise _SkipSheet("no column holds numbers")
    data, dup_notes = _drop_duplicates(data)
    roles, label = _detect_roles(data, kinds)
    data, set_aside, total_notes = _set_aside_totals(data, roles, label)
    return Sheet(name, data, roles, label, set_aside, notes + dup_notes + total_notes)


def _name_columns(body: pd.DataFrame, names: Sequence[str]) -> tuple[pd.DataFrame, list[str]]:
    """Give the body its column names; headerless columns with data become 'Column X' (overflow)."""
    keep, labels, overflow = [], [], []
    for col in body.columns:
        name = names[col] if col < len(names) else ""
        if not name and body[col].isna().all():
            continue
        if not name:
            name = f"Column {_letter(col)}"
            overflow.append(name)
        keep.append(col)
        labels.append(name)
    out = body[keep].copy()
    out.columns = cl.unique_names(labels)
    return out, overflow


def _clean_columns(body: pd.DataFrame, raw: _RawSheet) -> dict[str, cl.Column]:
    """Every column of the body typed and cleaned, by name."""
    text_source = raw.separator is not None
    return {col: cl.clean_column(body[col], col, raw.decimal_hint, text_source) for col in body.columns}


def _assemble(columns: dict[str, cl.Column], overflow: Sequence[str]) -> tuple[pd.DataFrame, list[str]]:
    """The typed columns as one frame, without empty columns; notes for values that could not be read."""
    notes, out = [], {}
    for name, column in columns.items():
        if column.kind == "empty":
            if name not in overflow:
                notes.append(f"Dropped column '{name}': it has no values")
            continue
        out[name] = column.values
        notes += column.notes + _not_number_notes(name, column)
    frame = pd.DataFrame(out)
    for name in overflow:
        if name in frame.columns:
            kept = cl.plural(int(frame[name].notna().sum()), "value")
            notes.append(f"Kept {kept} in '{name}', a column with no header")
    return frame, notes


def _not_number_notes(name: str, column: cl.Column) -> list[str]:
    """A note for the text left in a numeric column (after shifted rows were moved back)."""
    if column.bad is None or not column.bad.any():
        return []
    rows = column.bad.index[column.bad.to_numpy()]
    shown = ", ".join(f"'{column.texts[i]}' (row {i + 1})" for i in rows[:3])
    more = ", ..." if len(rows) > 3 else ""
    verb = "is not a number" if len(rows) == 1 else "are not numbers"
    return [f"'{name}': {cl.plural(len(rows), 'value')} {verb}, set to missing: {shown}{more}"]


# ---------------------------------------------------------------- shifted rows


def _repair_rows(
    body: pd.DataFrame, columns: dict[str, cl.Column], overflow: Sequence[str], raw: _RawSheet
) -> tuple[pd.DataFrame, list[str]]:
    """Find rows shifted against the header; put them back when one shift makes every value fit."""
    kinds = [("empty" if name in overflow else columns[name].kind) for name in body.columns]
    suspicious = pd.Series(False, index=body.index)
    for column in columns.values():
        if column.bad is not None:
            suspicious |= column.bad
    for name in overflow:
        suspicious |= body[name].notna()
    notes: list[str] = []
    if not suspicious.any():
        return body, notes
    body = body.astype(object)
    spilled = body[list(overflow)].notna().any(axis=1)
    for index in body.index[suspicious][:_MAX_REPAIRS]:
        values = body.loc[index].tolist()
        fixed, how = cl.realign(values, kinds, raw.decimal_hint, raw.separator, bool(spilled[index]))
        if fixed is not None:
            body.loc[index] = pd.Series(fixed, index=body.columns, dtype=object)
            notes.append(f"Row {index + 1}: {how}")
    return body, notes


# ---------------------------------------------------------------- rows and roles


def _drop_duplicates(data: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """The rows without exact repeats of an earlier row, and a note naming the sheet rows dropped."""
    repeated = data.duplicated(keep="first")
    count = int(repeated.sum())
    if not count:
        return data, []
    rows = ", ".join(str(i + 1) for i in data.index[repeated][:5])
    return data.loc[~repeated], [
        f"Dropped {cl.plural(count, 'duplicate row')} (same values in every column): rows {rows}"
    ]


def _is_year_column(name: str, values: pd.Series) -> bool:
    """A numeric column of whole years under a name like 'Year' or 'Period'."""
    if not any(word in name.lower() for word in ("year", "period", "date")):
        return False
    present = values.dropna()
    return bool(len(present)) and bool(((present % 1 == 0) & present.between(1500, 2199)).all())


def _detect_roles(data: pd.DataFrame, kinds: dict[str, str]) -> tuple[dict[str, Role], str | None]:
    """The role of every column and the label column (the first text column that is mostly unique)."""
    roles: dict[str, Role] = {}
    label = None
    for name in data.columns:
        kind = kinds[name]
        if kind == "numeric":
            roles[name] = Role.DATE if _is_year_column(name, data[name]) else Role.NUMERIC
        elif kind == "date":
            roles[name] = Role.DATE
        elif kind == "bool":
            roles[name] = Role.CATEGORY
        else:
            roles[name] = _text_role(data[name], label is None)
            label = name if roles[name] == Role.LABEL else label
    return roles, label


def _text_role(values: pd.Series, label_free: bool) -> Role:
    """LABEL for mostly unique short text (if no label yet), CATEGORY for few repeated values, else TEXT."""
    present = values.dropna().astype(str)
    if present.empty:
        return Role.TEXT
    distinct = present.nunique()
    if label_free and distinct >= 0.9 * len(present) and present.str.len().mean() <= 60:
        return Role.LABEL
    if distinct <= max(2, min(50, 0.5 * len(present))):
        return Role.CATEGORY
    return Role.TEXT


def _set_aside_totals(
    data: pd.DataFrame, roles: dict[str, Role], label: str | None
) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """Move total rows ('Total', 'World', a country over its counties) out of the data."""
    texts = [c for c in data.columns if roles[c] in (Role.LABEL, Role.CATEGORY)]
    numeric = [c for c in data.columns if roles[c] == Role.NUMERIC]
    by_label = cl.total_label_mask(data, texts)
    rest = data.loc[~by_label]
    by_sum = cl.sum_total_mask(rest, numeric).reindex(data.index, fill_value=False)
    mask = by_label | by_sum
    if not mask.any():
        return data.reset_index(drop=True), data.iloc[0:0].reset_index(drop=True), []
    notes = []
    for kind, rows in (("labelled as totals", by_label), ("equal to the sum of the other rows", by_sum)):
        if rows.any():
            names = _row_names(data.loc[rows], label, texts)
            plural = "s" if rows.sum() > 1 else ""
            notes.append(f"Set aside {int(rows.sum())} total row{plural} {kind}: {names}")
    return data.loc[~mask].reset_index(drop=True), data.loc[mask].reset_index(drop=True), notes


def _row_names(rows: pd.DataFrame, label: str | None, texts: Sequence[str]) -> str:
    """How to name rows in a note: their label (or text cells), or their sheet row numbers."""
    columns = [label] if label else list(texts)
    if not columns:
        return ", ".join(f"row {i + 1}" for i in rows.index[:5]) + (", ..." if len(rows) > 5 else "")
    names = [" ".join(str(v) for v in row if pd.notna(v)) for row in rows[columns].itertuples(index=False)]
    counts = Counter(names)
    shown = [f"'{n}'" + (f" (x{c})" if c > 1 else "") for n, c in list(counts.items())[:5]]
    return ", ".join(shown) + (", ..." if len(counts) > 5 else "")
