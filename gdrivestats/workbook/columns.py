"""Columns: typing each one (numbers, dates, text) and giving it a role (label, category, numeric, date)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from gdrivestats.workbook.cells import (
    DATE_TEXT,
    PLACEHOLDER,
    SAMPLE,
    ParsedNumbers,
    parse_number,
    parse_number_texts,
)
from gdrivestats.workbook.header import unique_names
from gdrivestats.workbook.log import letter, plural
from gdrivestats.workbook.model import RawSheet, Role


@dataclass
class Column:
    """One cleaned column: its values, what kind they are, and what was changed."""

    values: pd.Series
    kind: str  # numeric, date, text, bool or empty
    notes: list[str] = field(default_factory=list)
    bad: pd.Series | None = None  # text that is not a number, in a numeric column
    texts: pd.Series | None = None  # the stripped text cells, to quote the ones that are not numbers


def clean_column(raw: pd.Series, name: str, hint: str = ".", text_source: bool = False) -> Column:
    """Type one column: numbers (text numbers converted), dates, or stripped text.

    ``hint`` is the decimal mark to use when a column gives no evidence; ``text_source`` is True for CSV
    files, where every number is text and plain conversions are not worth a note.
    """
    kind = pd.api.types.infer_dtype(raw, skipna=True)
    if kind == "empty":
        return Column(pd.Series(np.nan, index=raw.index), "empty")
    if kind == "boolean":
        return Column(raw, "bool")
    if kind in ("integer", "floating", "mixed-integer-float", "decimal"):
        cells = raw.to_numpy()
        try:  # numpy's C conversion (None becomes NaN), not to_numeric's parsing of every object
            numbers = np.asarray(cells, dtype=float) if cells.dtype == object else cells.astype(float)
        except (TypeError, ValueError, OverflowError):
            numbers = pd.to_numeric(raw).to_numpy(dtype=float, na_value=np.nan)
        return Column(tidy_numbers(pd.Series(numbers, index=raw.index)), "numeric")
    if kind in ("datetime", "datetime64", "date"):
        return Column(pd.to_datetime(raw), "date")
    return _clean_text_column(raw, name, hint, text_source)


def tidy_numbers(values: pd.Series) -> pd.Series:
    """Whole numbers without gaps become int64; everything else float64."""
    values = values.astype(float)
    numbers = values.to_numpy()
    if len(numbers) and _whole(numbers) and np.abs(numbers).max() < 2**53:
        return values.astype("int64")
    return values


def _whole(numbers: np.ndarray) -> bool:
    """No gap and no fraction: the first values looked at first, which settle most columns of decimals."""
    for part in (numbers[:1024], numbers):
        if np.isnan(part).any() or not (np.mod(part, 1) == 0).all():
            return False
    return True


def _mostly_numbers(text: pd.Series, native: int) -> bool:
    """A quick look at the first text cells (and the ``native`` number cells): could this be numbers?"""
    sample = [t for t in text.head(SAMPLE) if not PLACEHOLDER.match(t)]
    need = 0.5 * (len(sample) + native) - native  # number cells among the sample for a yes
    if need <= 0:
        return True
    verdicts: dict[str, bool] = {}  # each distinct text parsed once
    hits, misses = 0, 0
    for t in sample:
        hit = verdicts.get(t)
        if hit is None:
            hit = verdicts[t] = parse_number(t, ".") is not None or parse_number(t, ",") is not None
        hits, misses = hits + hit, misses + (not hit)
        if hits >= need:
            return True
        if misses > len(sample) - need:  # the rest cannot make up for it
            return False
    return hits >= need


def numeric_enough(numbers: int, candidates: int) -> bool:
    """Whether a column with ``numbers`` numbers among ``candidates`` filled cells is a numeric column.

    Most cells must be numbers; in a short column, one or two stray texts among twice as many numbers still
    leave it numeric (the stray texts are then checked for a row shifted against the header).
    """
    strays = candidates - numbers
    return numbers >= 0.8 * candidates or (strays <= 2 and numbers >= 2 * strays)


def _clean_text_column(raw: pd.Series, name: str, hint: str, text_source: bool) -> Column:
    """A column holding text: numbers written as text, dates written as text, or plain text stripped."""
    if raw.dtype == object and pd.api.types.infer_dtype(raw, skipna=True) == "string":
        raw = raw.astype("str")
    try:
        text = raw.str.strip()
    except AttributeError:  # no text at all: dates mixed with numbers, say
        text = pd.Series(np.nan, index=raw.index, dtype=object)
    is_text = text.notna()
    other = pd.to_numeric(raw[~is_text & raw.notna()], errors="coerce")
    if _mostly_numbers(text[is_text], int(other.notna().sum())):
        parsed = parse_number_texts(text[is_text], hint)
        candidates = int(is_text.sum() - parsed.placeholders.sum()) + len(other)
        numbers = int(parsed.values.notna().sum() + other.notna().sum())
        if candidates == 0:
            return Column(pd.Series(np.nan, index=raw.index), "empty")
        if numeric_enough(numbers, candidates):
            column = _numeric_from_text(raw.index, name, parsed, other, text_source)
            column.texts = text
            return column
    dates = _as_dates(text[is_text], raw[~is_text & raw.notna()])
    if dates is not None:
        converted = int(dates.reindex(text.index[is_text]).notna().sum())
        notes = [f"Read {plural(converted, 'text value')} of '{name}' as dates"] if converted else []
        return Column(dates.reindex(raw.index), "date", notes)
    padded = int(((text != raw) & is_text).sum())
    notes = [f"Stripped extra spaces from {plural(padded, 'value')} in '{name}'"] if padded else []
    if isinstance(raw.dtype, pd.StringDtype):  # all text: the stripped text is the column
        return Column(text, "text", notes)
    return Column(raw.where(~is_text, text), "text", notes)


def _numeric_from_text(
    index: pd.Index, name: str, parsed: ParsedNumbers, other: pd.Series, text_source: bool
) -> Column:
    """The numbers of a text column (text cells parsed, number cells kept) and the notes on them."""
    values = pd.Series(np.nan, index=index)
    values[other.index] = other.astype(float)
    values[parsed.values.index] = parsed.values
    bad = pd.Series(False, index=index)
    bad[parsed.values.index] = parsed.values.isna() & ~parsed.placeholders
    return Column(tidy_numbers(values), "numeric", _number_notes(name, parsed, text_source), bad)


def _number_notes(name: str, parsed: ParsedNumbers, text_source: bool) -> list[str]:
    """Notes on the text numbers converted and the placeholders set to missing in one column."""
    notes = []
    converted = int(parsed.values.notna().sum())
    details = [f"{count} with {what}" for what, count in parsed.counts.items() if count]
    if converted and (details or not text_source):
        described = f" ({'; '.join(details)})" if details else ""
        notes.append(f"Converted '{name}': {plural(converted, 'text number')} to numbers{described}")
    if parsed.counts["percent signs"]:
        notes.append(f"'{name}': values written with % are kept as percentages (45% becomes 45)")
    placeholders = int(parsed.placeholders.sum())
    if placeholders:
        shown = ", ".join(f"'{k}'" for k in parsed.placeholder_texts)
        notes.append(f"Set {plural(placeholders, 'placeholder value')} ({shown}) in '{name}' to missing")
    return notes


def _as_dates(text: pd.Series, other: pd.Series) -> pd.Series | None:
    """The column as dates when nearly all of it is dates (date cells, or text that looks like dates)."""
    native = pd.Series(pd.NaT, index=other.index, dtype="datetime64[us]")
    if len(other) and pd.api.types.infer_dtype(other, skipna=True) in ("datetime", "datetime64", "date"):
        native = pd.to_datetime(other, errors="coerce").astype("datetime64[us]")
    text = text.astype("str")
    if not text.head(SAMPLE).str.fullmatch(DATE_TEXT, case=False).mean() >= 0.8 and native.isna().all():
        return None
    looks = text.str.fullmatch(DATE_TEXT, case=False).astype(bool)
    total = len(text) + len(other)
    if not total or looks.sum() + native.notna().sum() < 0.8 * total:
        return None
    parsed = pd.to_datetime(text.where(looks), errors="coerce", format="mixed").astype("datetime64[us]")
    dates = pd.concat([parsed, native])
    return dates if dates.notna().sum() >= 0.8 * total else None


def name_columns(body: pd.DataFrame, names: Sequence[str]) -> tuple[pd.DataFrame, list[str], dict[str, int]]:
    """Give the body its column names; headerless columns with data become 'Column X' (overflow).

    Also returns the sheet column (0-based) of each name."""
    keep: list[int] = []
    labels: list[str] = []
    overflow: list[str] = []
    for col in map(int, body.columns):
        name = names[col] if col < len(names) else ""
        if not name and body[col].isna().all():
            continue
        if not name:
            name = f"Column {letter(col)}"
            overflow.append(name)
        keep.append(col)
        labels.append(name)
    out = body[keep]  # a new frame (copy on write): renaming its columns leaves ``body`` as it is
    out.columns = unique_names(labels)
    return out, overflow, dict(zip(out.columns, keep, strict=True))


def clean_columns(body: pd.DataFrame, raw: RawSheet) -> dict[str, Column]:
    """Every column of the body typed and cleaned, by name."""
    text_source = raw.separator is not None
    return {col: clean_column(body[col], col, raw.decimal_hint, text_source) for col in body.columns}


def assemble(columns: dict[str, Column], overflow: Sequence[str]) -> tuple[pd.DataFrame, list[str]]:
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
            kept = plural(int(frame[name].notna().sum()), "value")
            notes.append(f"Kept {kept} in '{name}', a column with no header")
    return frame, notes


def _not_number_notes(name: str, column: Column) -> list[str]:
    """A note for the text left in a numeric column (after shifted rows were moved back)."""
    if column.bad is None or column.texts is None or not column.bad.any():
        return []
    rows = column.bad.index[column.bad.to_numpy()]
    shown = ", ".join(f"'{column.texts[i]}' (row {i + 1})" for i in rows[:3])
    more = ", ..." if len(rows) > 3 else ""
    verb = "is not a number" if len(rows) == 1 else "are not numbers"
    return [f"'{name}': {plural(len(rows), 'value')} {verb}, set to missing: {shown}{more}"]


def _is_year_column(name: str, values: pd.Series) -> bool:
    """A numeric column of whole years under a name like 'Year' or 'Period'."""
    if not any(word in name.lower() for word in ("year", "period", "date")):
        return False
    present = values.dropna()
    return bool(len(present)) and bool(((present % 1 == 0) & present.between(1500, 2199)).all())


def detect_roles(data: pd.DataFrame, kinds: dict[str, str]) -> tuple[dict[str, Role], str | None]:
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
