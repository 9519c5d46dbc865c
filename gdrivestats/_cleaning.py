"""Cleaning helpers for the workbook loader: header finding, header names, text numbers, notes and totals."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

Merge = tuple[tuple[int, int], tuple[int, int]]  # ((first_row, first_col), (last_row, last_col)), 0-based

SCAN_ROWS = 30  # how many rows at the top of a sheet are searched for the header
_WS = re.compile(r"\s+")
_YEAR = re.compile(r"^(1[5-9]\d\d|2[01]\d\d)$")
_HEADER_MARK = re.compile(
    r"\s*(?:\*+|[†‡§¶]+|[⁰¹²³⁴⁵⁶⁷⁸⁹]+|\([a-z0-9]\)|\[[a-z0-9 ]+\])$"
)  # not (M): millions
_YEAR_PLUS = re.compile(r"^((?:1[5-9]|2[01])\d\d)\s*\+$")
_UNIT = re.compile(  # a line that gives the unit of the table: "Number in '000", "In millions", "(percent)"
    r"'000|^\(?\s*(?:in\s+)?(?:thousands?|millions?|billions?|percent|per cent|percentage|%|usd|us\$|kes|"
    r"ksh|eur|gbp)\b|^numbers?\s+(?:in\b|')|^units?\s*:|^in\s+\w+|^\([^()]{1,40}\)$",
    re.IGNORECASE,
)
_NOTE_START = re.compile(
    r"^(?:sources?|notes?|footnotes?|\*|\d+[.)]\s|[a-z][.)]\s|[¹²³⁴⁵⁶⁷⁸⁹†‡§])", re.IGNORECASE
)
PLACEHOLDER = re.compile(
    r"^(?:\.{2,}|…|-+|–|—|n/?a|n\.a\.|na|nan|null|none|x|:|\?|#n/a|#div/0!|#value!|#ref!|#name\?|#num!|#null!)$",
    re.IGNORECASE,
)
_VEC_PLACEHOLDER = "(?i)" + PLACEHOLDER.pattern
_NUM_MARK = r"(?:\*+|[†‡§¶]+|[⁰¹²³⁴⁵⁶⁷⁸⁹]+|\s*\([a-z0-9]\)|\s*\[[a-z0-9]+\]|\+)$"
_NUM_MARK_RE = re.compile(r"(?<=[\d%])\s*" + _NUM_MARK, re.IGNORECASE)
# Patterns used on whole columns avoid \s, lookarounds and \u escapes so pyarrow's fast RE2 engine runs them.
_SP = "[ \t\u00a0\u202f]"  # the characters themselves, not escapes
_MARKS = rf"(?:\*+|[†‡§¶]+|[⁰¹²³⁴⁵⁶⁷⁸⁹]+|{_SP}*\([a-zA-Z0-9]\)|{_SP}*\[[a-zA-Z0-9]+\]|\+)$"
_VEC_MARK = rf"[0-9%]{_SP}*" + _MARKS  # a footnote marker right after a number
_VEC_MARK_SUB = rf"([0-9%]){_SP}*" + _MARKS
_VEC_HEADER_MARK = rf"{_SP}*(?:\*+|[†‡§¶]+|[⁰¹²³⁴⁵⁶⁷⁸⁹]+|\([a-zA-Z0-9]\)|\[[a-zA-Z0-9 ]+\])$"
_CURRENCY = r"(?:US\$|[$€£¥₹₦₩₽]|KSh|Ksh|USD|EUR|GBP|KES|JPY|INR)"
_CURRENCY_RE = re.compile(rf"^([-+−]?){_SP}*{_CURRENCY}{_SP}*|{_SP}*{_CURRENCY}$")
_CURRENCY_ANY = rf"^[-+−]?{_SP}*{_CURRENCY}|{_CURRENCY}$"
_COMMA_GROUPS = "[. \t'’\u00a0\u202f]"
_POINT_GROUPS = "[, \t'’\u00a0\u202f]"
_GROUP = "[ \u00a0\u202f'’]"
_POINT_NUM = re.compile(
    rf"^[-+]?(?:[0-9]{{1,3}}(?:(?:,|{_GROUP})[0-9]{{3}})+|[0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?$"
)
_COMMA_NUM = re.compile(rf"^[-+]?(?:[0-9]{{1,3}}(?:(?:\.|{_GROUP})[0-9]{{3}})+|[0-9]*)(?:,[0-9]+)?$")
_COMMA_EVIDENCE = r"^[-+]?[0-9]*,(?:[0-9]{1,2}|[0-9]{4,})$|^[-+]?0,[0-9]+$|\.[0-9]{3},[0-9]+$"
_POINT_EVIDENCE = r"^[-+]?[0-9]*\.(?:[0-9]{1,2}|[0-9]{4,})$|^[-+]?0\.[0-9]+$|,[0-9]{3}\.[0-9]+$"
TOTAL_LABEL = re.compile(
    r"^(?:(?:grand\s+|sub-?\s?)?totals?\b.*|world|all|overall|all countries|all regions|all counties|"
    r"national|national total|whole country)$",
    re.IGNORECASE,
)


def plural(count: int, thing: str) -> str:
    """'1 value', '2 values': a count with its noun, for the notes."""
    return f"{count} {thing}" if count == 1 else f"{count} {thing}s"


def is_blank(value: Any) -> bool:
    """True for an empty cell: None, NaN or text that is only spaces."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    return isinstance(value, float) and math.isnan(value)


def blank_to_none(grid: pd.DataFrame) -> pd.DataFrame:
    """Replace empty and whitespace-only text cells of a raw grid with None, column by column."""
    out = {}
    for col in grid.columns:
        if isinstance(grid[col].dtype, pd.StringDtype):  # read as text already (CSV)
            out[col] = grid[col].mask(grid[col].str.strip().eq(""))
            continue
        values = grid[col].astype(object)
        kind = pd.api.types.infer_dtype(values, skipna=True)
        if kind == "string":  # fast vectorised text: pandas' str dtype
            values = values.astype("str")
            values = values.mask(values.str.strip().eq(""))
        elif kind in ("mixed", "mixed-integer"):  # numbers with a few text cells: look at the text only
            maybe_text = (values.notna() & pd.to_numeric(values, errors="coerce").isna()).to_numpy()
            blank = np.zeros(len(values), dtype=bool)
            blank[maybe_text] = [isinstance(v, str) and not v.strip() for v in values[maybe_text]]
            values = values.mask(blank)
            values = values.where(values.notna(), None)
        out[col] = values
    return pd.DataFrame(out, index=grid.index)


def year_text(value: Any) -> str | None:
    """'2040' for year-like values (2040, 2040.0, '2040', ' 2040 '), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float | np.integer | np.floating):
        number = float(value)
        if number.is_integer() and 1500 <= number <= 2199:
            return str(int(number))
        return None
    if isinstance(value, str) and _YEAR.match(value.strip()):
        return value.strip()
    return None


def header_text(value: Any) -> tuple[str, bool]:
    """The clean text of a header cell and whether a footnote marker was removed from it."""
    if is_blank(value):
        return "", False
    year = year_text(value)
    if year is not None:
        return year, False
    text = _WS.sub(" ", str(value)).strip()
    plus = _YEAR_PLUS.match(text)
    if plus:
        return plus.group(1), True
    cleaned = _HEADER_MARK.sub("", text).strip()
    if cleaned and cleaned != text:
        return cleaned, True
    return text, False


def _is_headerish(value: Any) -> bool:
    """A cell that could be in a header: text that is not a number, or a year."""
    if year_text(value) is not None:
        return True
    return isinstance(value, str) and parse_number(value.strip(), ".") is None


def find_header_row(top: Sequence[Sequence[Any]]) -> int:
    """Index of the header row in the first rows of a sheet: the first wide row that is mostly text."""
    fills = [sum(not is_blank(v) for v in row) for row in top]
    if not fills or max(fills) == 0:
        return 0
    threshold = max(2, math.ceil(max(fills) * 0.5)) if max(fills) > 1 else 1
    for index, row in enumerate(top):
        cells = [v for v in row if not is_blank(v)]
        below = max(fills[index + 1 : index + 4], default=0)  # a header is about as wide as the rows under it
        wide = fills[index] >= threshold and fills[index] >= 0.75 * below
        if wide and sum(map(_is_headerish, cells)) >= 0.5 * len(cells):
            return index
    return next(i for i, fill in enumerate(fills) if fill >= threshold)


def _merge_at(merges: Sequence[Merge], row: int, col: int) -> Merge | None:
    """The merged range that holds the cell (row, col), if any."""
    for merge in merges:
        (r0, c0), (r1, c1) = merge
        if r0 <= row <= r1 and c0 <= col <= c1:
            return merge
    return None


def _spans_columns(merges: Sequence[Merge], row: int) -> bool:
    """Whether a merged range spreads over several columns in ``row``."""
    return any(r0 <= row <= r1 and c1 > c0 for (r0, c0), (r1, c1) in merges)


def is_sub_header(rows: Sequence[Sequence[Any]], header: int, merges: Sequence[Merge]) -> bool:
    """Whether the row under ``header`` is a second header row (e.g. years under a merged 'Population')."""
    if header + 2 >= len(rows):
        return False
    above, below = rows[header], rows[header + 1]
    cells = [v for v in below if not is_blank(v)]
    if not cells or not all(map(_is_headerish, cells)) or not is_blank(below[0]):
        return False
    fills_gap = any(is_blank(a) and not is_blank(b) for a, b in zip(above, below, strict=False))
    return fills_gap or _spans_columns(merges, header)


def is_super_header(rows: Sequence[Sequence[Any]], header: int, merges: Sequence[Merge]) -> bool:
    """Whether the row above ``header`` groups its columns (e.g. a merged 'Population' over years)."""
    if header == 0:
        return False
    row = rows[header - 1]
    if not is_blank(row[0]) and not is_blank(rows[header][0]):
        return False  # text above the label column's own name is a title, not a group of columns
    cells = [(c, v) for c, v in enumerate(row) if not is_blank(v)]
    if not cells or not all(isinstance(v, str) and not _UNIT.search(v) for _, v in cells):
        return False
    if len(cells) >= 2:
        return True
    col = cells[0][0]
    merge = _merge_at(merges, header - 1, col)
    return bool(merge and col > 0 and merge[1][1] > merge[0][1])


def _filled_right(row: Sequence[Any], merges: Sequence[Merge], index: int, fill_gaps: bool) -> list[Any]:
    """A header row with merged (or, for group rows, blank) cells filled from the left."""
    out = list(row)
    for (r0, c0), (r1, c1) in merges:
        if r0 <= index <= r1 and c1 > c0 and r0 == index:
            for col in range(c0 + 1, min(c1 + 1, len(out))):
                out[col] = row[c0] if is_blank(out[col]) else out[col]
    if fill_gaps:
        last = None
        for col, value in enumerate(out):
            last = value if not is_blank(value) else last
            out[col] = last if is_blank(value) and col > 0 else value
    return out


def _split_merged(row: Sequence[Any], merges: Sequence[Merge], index: int) -> list[Any]:
    """Names for a merged cell of the last header row: 'Age / Sex' over two columns becomes 'Age', 'Sex'."""
    out = list(row)
    for (r0, c0), (_r1, c1) in merges:
        if r0 != index or c1 == c0 or not isinstance(row[c0], str):
            continue
        parts = [p.strip() for p in re.split(r"\s*/\s*", row[c0])]
        width = min(c1, len(out) - 1) - c0 + 1
        if len(parts) == width and all(parts):
            out[c0 : c0 + width] = parts
    return out


@dataclass
class HeaderNames:
    """Column names built from one or two header rows, and what was done to build them."""

    names: list[str]
    marked: list[str] = field(default_factory=list)  # original header texts that had footnote markers


def header_names(
    rows: Sequence[Sequence[Any]], header_rows: Sequence[int], merges: Sequence[Merge]
) -> HeaderNames:
    """Flatten the header rows into one unique, clean name per column ('' where no name was found)."""
    width = len(rows[header_rows[0]])
    levels = []
    for position, index in enumerate(header_rows):
        last = position == len(header_rows) - 1
        row = _split_merged(rows[index], merges, index) if last else rows[index]
        levels.append(_filled_right(row, merges, index, fill_gaps=not last))
    result = HeaderNames(names=[])
    for col in range(width):
        parts: list[str] = []
        for level in levels:
            text, marked = header_text(level[col])
            if marked:
                result.marked.append(str(level[col]).strip())
            if text and text not in parts:
                parts.append(text)
        result.names.append(" ".join(parts))
    result.names = unique_names(result.names)
    return result


def unique_names(names: Sequence[str]) -> list[str]:
    """Make names unique by adding ' (2)', ' (3)' to repeats; empty names stay empty."""
    seen: dict[str, int] = {}
    out = []
    for name in names:
        if not name:
            out.append(name)
            continue
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return out


def title_and_unit(rows: Sequence[Sequence[Any]]) -> tuple[str | None, str | None]:
    """The title (first text above the header) and the unit line ("Number in '000"), if any."""
    texts = [str(v).strip() for row in rows for v in row if isinstance(v, str) and v.strip()]
    units = [t for t in texts if _UNIT.search(t) and len(t) < 60]
    titles = [t for t in texts if t not in units]
    return (titles[0] if titles else None), (units[0] if units else None)


def footnote_start(rows: Sequence[Sequence[Any]]) -> int:
    """Index of the first row of the notes under the table (``len(rows)`` when there are none)."""
    last_data = -1
    for index, row in enumerate(rows):
        cells = [v for v in row if not is_blank(v)]
        numeric = any(not isinstance(v, str) or parse_number(v.strip(), ".") is not None for v in cells)
        if len(cells) >= 2 or numeric or (cells and not _is_note_text(cells[0])):
            last_data = index
    start = last_data + 1
    while start < len(rows) and all(is_blank(v) for v in rows[start]):
        start += 1
    return start


def _is_note_text(value: Any) -> bool:
    """A lone cell that reads like a note: 'Source: ...', '* provisional', or a long sentence."""
    text = str(value).strip()
    return bool(_NOTE_START.match(text)) or len(text) >= 30


def footnote_texts(rows: Sequence[Sequence[Any]]) -> list[str]:
    """The text of the note rows, one entry per non-empty row."""
    out = []
    for row in rows:
        cells = [_WS.sub(" ", str(v)).strip() for v in row if not is_blank(v)]
        if cells:
            out.append(" ".join(cells))
    return out


def parse_number(text: str, decimal: str) -> float | None:
    """One text number as a float (footnote markers, %, currency, separators handled), else None."""
    text = _NUM_MARK_RE.sub("", text.strip().replace("−", "-"))
    text = text[:-1].strip() if text.endswith("%") else text
    match = _CURRENCY_RE.search(text)
    if match:
        text = _CURRENCY_RE.sub(lambda m: m.group(1) or "", text).strip()
    if text.startswith("(") and text.endswith(")"):
        text = "-" + text[1:-1].strip()
    pattern, group = (_COMMA_NUM, r"[.\s'’]") if decimal == "," else (_POINT_NUM, r"[,\s'’]")
    if not text or not any(ch.isdigit() for ch in text) or not pattern.match(text):
        return None
    text = re.sub(group, "", text.replace("\u00a0", " ").replace("\u202f", " "))
    return float(text.replace(",", ".")) if decimal == "," else float(text)


@dataclass
class ParsedNumbers:
    """Text cells of one column read as numbers, with counts of what had to be changed."""

    values: pd.Series  # float, NaN where the text is not a number
    placeholders: pd.Series  # bool: '..', '-', 'n/a' and the like
    decimal: str  # the decimal mark used
    counts: dict[str, int]  # what was removed or converted -> number of cells
    placeholder_texts: list[str] = field(default_factory=list)  # up to four distinct placeholders seen


def choose_decimal(text: pd.Series, hint: str = ".") -> str:
    """',' when the column's numbers use decimal commas ("48,0", "0,232"), '.' otherwise."""
    comma = int(text.str.contains(_COMMA_EVIDENCE, regex=True).sum())
    point = int(text.str.contains(_POINT_EVIDENCE, regex=True).sum())
    if comma == point:
        return hint
    return "," if comma > point else "."


_COUNTS = (
    "decimal commas",
    "thousands separators",
    "percent signs",
    "currency signs",
    "footnote markers",
    "brackets for negatives",
)


def _replace_where(work: pd.Series, found: pd.Series, pattern: str, repl: str) -> pd.Series:
    """``work`` with ``pattern`` replaced, touching only the cells where it was found (fast when few)."""
    if not found.any():
        return work
    return work.where(~found, work[found].str.replace(pattern, repl, regex=True).str.strip())


def parse_number_texts(text: pd.Series, hint: str = ".") -> ParsedNumbers:
    """Read stripped text cells as numbers, vectorised; the counts say what each conversion did."""
    text = text.astype("str")
    if hint == "." and not text.str.contains(",", regex=False).any():
        quick = pd.to_numeric(text, errors="coerce")
        if quick.notna().all():  # plain numbers, the usual CSV column: nothing to convert
            none = pd.Series(False, index=text.index)
            return ParsedNumbers(quick.astype(float), none, ".", dict.fromkeys(_COUNTS, 0))
    placeholders = text.str.fullmatch(_VEC_PLACEHOLDER).astype(bool)
    work = text.str.replace("−", "-", regex=False)
    marked = work.str.contains(_VEC_MARK, regex=True)
    work = _replace_where(work, marked, _VEC_MARK_SUB, r"\1")
    percent = work.str.endswith("%")
    work = _replace_where(work, percent, "%$", "")
    currency = work.str.contains(_CURRENCY_ANY, regex=True)
    work = _replace_where(work, currency, _CURRENCY_RE.pattern, r"\1")
    negative = work.str.startswith("(") & work.str.endswith(")")
    work = _replace_where(work, negative, r"^\((.*)\)$", r"-\1")
    decimal = choose_decimal(work[~placeholders], hint)
    pattern, group = (_COMMA_NUM, _COMMA_GROUPS) if decimal == "," else (_POINT_NUM, _POINT_GROUPS)
    valid = work.str.match(pattern.pattern) & work.str.contains("[0-9]", regex=True)
    grouped = work.str.contains(rf"[0-9]{group}[0-9]{{3}}", regex=True) & valid
    digits = _replace_where(work, grouped, group, "")
    comma = digits.str.contains(",", regex=False) & valid
    if decimal == ",":
        digits = digits.str.replace(",", ".", regex=False)
    values = pd.to_numeric(digits.where(valid), errors="coerce").astype(float)
    ok = values.notna()
    counts = {
        "decimal commas": int(comma.sum()) if decimal == "," else 0,
        "thousands separators": int((grouped & ok).sum()),
        "percent signs": int((percent & ok).sum()),
        "currency signs": int((currency & ok).sum()),
        "footnote markers": int((marked & ok).sum()),
        "brackets for negatives": int((negative & ok).sum()),
    }
    examples = [str(v) for v in text[placeholders].unique()[:4]]
    return ParsedNumbers(values, placeholders, decimal, counts, examples)


def total_label_mask(frame: pd.DataFrame, text_columns: Sequence[str]) -> pd.Series:
    """Rows whose label or category text says they are a total ('Total', 'World', 'All')."""
    mask = pd.Series(False, index=frame.index)
    for col in text_columns:
        text = frame[col].astype("str").str.strip()
        text = _replace_where(text, text.str.contains(_VEC_HEADER_MARK, regex=True), _VEC_HEADER_MARK, "")
        mask |= text.str.fullmatch("(?i)" + TOTAL_LABEL.pattern).fillna(False).astype(bool)
    return mask


def sum_total_mask(frame: pd.DataFrame, numeric_columns: Sequence[str], rtol: float = 0.01) -> pd.Series:
    """The first or last row, when its numbers equal the sum of all the others (a country over its counties).

    A total sits at the top or the bottom of a table; a row in the middle that happens to equal the sum of
    the rest is left alone.
    """
    none = pd.Series(False, index=frame.index)
    if not numeric_columns or len(frame) < 4:
        return none
    values = frame[list(numeric_columns)].astype(float)
    sums = values.sum()
    usable = [c for c in numeric_columns if (values[c].dropna() >= 0).all() and sums[c] > 0]
    if not usable:
        return none
    close = np.isclose(2 * values[usable].to_numpy(), sums[usable].to_numpy(), rtol=rtol, atol=0)
    need = max(1, math.ceil(0.6 * len(usable)))
    mask = pd.Series(close.sum(axis=1) >= need, index=frame.index)
    if len(usable) == 1 and len(frame) < 6:
        return none
    ends = mask.iloc[[0, -1]]
    return mask if mask.sum() == 1 and ends.any() else none


def grouped_label_gaps(body: pd.DataFrame) -> pd.Series | None:
    """The first column filled down when it names groups of rows and leaves the rest of each group blank.

    That is the layout of merged row labels once the merge is lost (CSV exports): '4-5' on the first row,
    blanks below, with the next column ('Male', 'Female', 'Total') filled on every row. Returns None when
    the first column does not look like that.
    """
    if body.shape[1] < 3 or len(body) < 3:
        return None
    first, second = body[body.columns[0]], body[body.columns[1]]
    present = first.dropna()
    if pd.isna(first.iloc[0]) or len(present) < 2 or len(present) > 0.5 * len(body) or second.isna().any():
        return None
    texts = [v for v in list(present.head(SAMPLE)) + list(second.head(SAMPLE)) if not is_blank(v)]
    if not all(isinstance(v, str) and parse_number(v, ".") is None for v in texts):
        return None
    return first.ffill()


# ---------------------------------------------------------------- columns

_DATE_TEXT = (
    r"^\d{4}-\d{1,2}-\d{1,2}(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$|^\d{1,2}[/.]\d{1,2}[/.]\d{2,4}$|"
    r"^(?:\d{1,2}\s+)?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?,?\s+\d{1,4}(?:,?\s+\d{4})?$"
)
SAMPLE = 500  # text cells looked at one by one before a whole column is parsed


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
        return Column(tidy_numbers(pd.to_numeric(raw)), "numeric")
    if kind in ("datetime", "datetime64", "date"):
        return Column(pd.to_datetime(raw), "date")
    return _clean_text_column(raw, name, hint, text_source)


def tidy_numbers(values: pd.Series) -> pd.Series:
    """Whole numbers without gaps become int64; everything else float64."""
    values = values.astype(float)
    if len(values) and values.notna().all() and (values % 1 == 0).all() and values.abs().max() < 2**53:
        return values.astype("int64")
    return values


def _mostly_numbers(text: pd.Series, native: int) -> bool:
    """A quick look at the first text cells (and the ``native`` number cells): could this be numbers?"""
    sample = [t for t in text.head(SAMPLE) if not PLACEHOLDER.match(t)]
    hits = sum(parse_number(t, ".") is not None or parse_number(t, ",") is not None for t in sample)
    return hits + native >= 0.5 * (len(sample) + native)


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
    padded = int((text[is_text] != raw[is_text]).sum())
    notes = [f"Stripped extra spaces from {plural(padded, 'value')} in '{name}'"] if padded else []
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
    if not text.head(SAMPLE).str.fullmatch(_DATE_TEXT, case=False).mean() >= 0.8 and native.isna().all():
        return None
    looks = text.str.fullmatch(_DATE_TEXT, case=False).astype(bool)
    total = len(text) + len(other)
    if not total or looks.sum() + native.notna().sum() < 0.8 * total:
        return None
    parsed = pd.to_datetime(text.where(looks), errors="coerce", format="mixed").astype("datetime64[us]")
    dates = pd.concat([parsed, native])
    return dates if dates.notna().sum() >= 0.8 * total else None


# ---------------------------------------------------------------- shifted rows


def realign(
    values: list[Any], kinds: list[str], hint: str, separator: str | None, overflow: bool
) -> tuple[list[Any] | None, str]:
    """The row moved so that every value fits its column, and how it was moved; None if no move fits.

    A row is moved left (fields joined, or a blank dropped) only when it spills into a column with no
    header (``overflow``); it is moved right only when at least two of its values do not fit where they are.
    """
    width = len(values)
    if overflow:
        for i in range(width - 1):
            if separator and isinstance(values[i], str) and isinstance(values[i + 1], str):
                joined = f"{values[i]}{separator}{values[i + 1]}"
                if fits_all([*values[:i], joined, *values[i + 2 :], None], kinds, hint):
                    how = f"one field too many; '{joined}' contains the separator, joined it again"
                    return [*values[:i], joined, *values[i + 2 :], None], how
        for i in range(width):
            candidate = [*values[:i], *values[i + 1 :], None]
            if is_blank(values[i]) and fits_all(candidate, kinds, hint):
                return candidate, "values were shifted one column to the right of the header; moved them back"
    misfits = sum(not fits(v, k, hint) for v, k in zip(values, kinds, strict=True))
    if is_blank(values[-1]) and misfits >= 2:
        for i in range(width):
            candidate = [*values[:i], None, *values[i:-1]]
            if fits_all(candidate, kinds, hint):
                return candidate, "values were shifted one column to the left of the header; moved them back"
    return None, ""


def fits_all(values: Sequence[Any], kinds: Sequence[str], decimal: str) -> bool:
    """Whether every value of a row could belong to its column."""
    return all(fits(value, kind, decimal) for value, kind in zip(values, kinds, strict=True))


def fits(value: Any, kind: str, decimal: str) -> bool:
    """Whether one cell could belong to a column of ``kind``."""
    if is_blank(value):
        return True
    if isinstance(value, str):
        number = parse_number(value, decimal) is not None
    else:
        number = isinstance(value, int | float | np.number) and not isinstance(value, bool)
    if kind == "numeric":
        return number or bool(PLACEHOLDER.match(str(value).strip()))
    if kind == "text":
        return isinstance(value, str) and not number
    if kind == "date":
        return isinstance(value, dt.date) or bool(re.fullmatch(_DATE_TEXT, str(value).strip(), re.I))
    if kind == "bool":
        return isinstance(value, bool | np.bool_)
    return False  # an empty column, or a column with no header
