"""Cell values: blanks, years, text numbers (decimal commas, separators, currency, marks), placeholders."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

WS = re.compile(r"\s+")


_YEAR = re.compile(r"^(1[5-9]\d\d|2[01]\d\d)$")


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


VEC_HEADER_MARK = rf"{_SP}*(?:\*+|[†‡§¶]+|[⁰¹²³⁴⁵⁶⁷⁸⁹]+|\([a-zA-Z0-9]\)|\[[a-zA-Z0-9 ]+\])$"


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


DATE_TEXT = (
    r"^\d{4}-\d{1,2}-\d{1,2}(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$|^\d{1,2}[/.]\d{1,2}[/.]\d{2,4}$|"
    r"^(?:\d{1,2}\s+)?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?,?\s+\d{1,4}(?:,?\s+\d{4})?$"
)


SAMPLE = 500  # text cells looked at one by one before a whole column is parsed


def is_blank(value: Any) -> bool:
    """True for an empty cell: None, NaN or text that is only spaces."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    return isinstance(value, float) and math.isnan(value)


TYPED_NO_TEXT = frozenset({"number", "date", "bool"})
"""Kinds of ``RawSheet.typed`` columns with no text below the sheet's first row."""


def blank_to_none(grid: pd.DataFrame, typed: dict[int, str] | None = None) -> pd.DataFrame:
    """Replace empty and whitespace-only text cells of a raw grid with None, column by column.

    ``typed`` (``RawSheet.typed``) names the columns with no text below the sheet's first row (grid row 0):
    only that row's cell is looked at, with the same result."""
    out = {}
    rows_from_zero = grid.index.is_unique and grid.index.is_monotonic_increasing and grid.index.min() >= 0
    for col in grid.columns:
        if typed and rows_from_zero and isinstance(col, int) and typed.get(col) in TYPED_NO_TEXT:
            out[col] = _first_cell_blank_to_none(grid[col])
            continue
        if isinstance(grid[col].dtype, pd.StringDtype):  # read as text already (CSV)
            out[col] = grid[col].mask(grid[col].str.strip().eq(""))
            continue
        values = grid[col].astype(object)
        kind = pd.api.types.infer_dtype(values, skipna=True)
        if kind == "string":  # fast vectorised text: pandas' str dtype
            values = values.astype("str")
            values = values.mask(values.str.strip().eq(""))
        elif kind in ("mixed", "mixed-integer"):  # numbers with a few text cells: look at the text only
            cells = values.to_numpy()
            texts = text_positions(cells)
            blank = np.zeros(len(values), dtype=bool)
            blank[texts] = [not v.strip() for v in cells[texts]]
            missing = pd.isna(cells) | blank
            if missing.any():
                values = values.where(~missing, None)
        out[col] = values
    return pd.DataFrame(out, index=grid.index)


def _first_cell_blank_to_none(values: pd.Series) -> pd.Series:
    """A column that can hold text only in sheet row 1 (at the top, if there): that cell cleared if blank.

    What the general pass gives: the cells below are numbers, dates, booleans or None already."""
    values = values.astype(object)
    if (
        len(values)
        and values.index[0] == 0
        and isinstance(values.iloc[0], str)
        and not values.iloc[0].strip()
    ):
        values = values.copy()
        values.iloc[0] = None
    return values


def rows_below(frame: pd.DataFrame, row: int) -> pd.DataFrame:
    """``frame.loc[frame.index > row]``: a slice, not a copy, when the rows are in order (they are)."""
    index = frame.index
    if index.is_monotonic_increasing:
        return frame.iloc[int(index.searchsorted(row, side="right")) :]
    return frame.loc[index > row]


def filled_rows(frame: pd.DataFrame) -> pd.Series:
    """``frame.notna().any(axis=1)``, column by column, stopping at the first column that makes every row
    filled (a flat table's first column usually does: one column looked at, not all of them)."""
    filled = np.zeros(len(frame), dtype=bool)
    for position in range(frame.shape[1]):
        filled |= frame.iloc[:, position].notna().to_numpy(dtype=bool)
        if filled.all():
            break
    return pd.Series(filled, index=frame.index)


_BLOCK = 1024


def text_positions(cells: np.ndarray) -> np.ndarray:
    """The positions of the text cells of an object array, looking cell by cell only in the blocks of
    ``_BLOCK`` cells whose type pandas' (C) inference says may hold text: a numeric column with a header
    and a few notes costs a few blocks, not a Python call per cell."""
    found: list[np.ndarray] = []
    for start in range(0, len(cells), _BLOCK):
        block = cells[start : start + _BLOCK]
        kind = pd.api.types.infer_dtype(block, skipna=True)
        if kind in NO_TEXT:
            continue
        hits = np.fromiter((isinstance(v, str) for v in block), dtype=bool, count=len(block))
        found.append(np.flatnonzero(hits) + start)
    return np.concatenate(found) if found else np.zeros(0, dtype=np.intp)


NO_TEXT = frozenset(
    {"empty", "floating", "integer", "mixed-integer-float", "decimal", "boolean", "datetime", "date"}
    | {"datetime64", "timedelta", "timedelta64", "time", "complex"}
)
"""What ``pd.api.types.infer_dtype(..., skipna=True)`` says of cells among which no text can be."""


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


def replace_where(work: pd.Series, found: pd.Series, pattern: str, repl: str) -> pd.Series:
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
    work = replace_where(work, marked, _VEC_MARK_SUB, r"\1")
    percent = work.str.endswith("%")
    work = replace_where(work, percent, "%$", "")
    currency = work.str.contains(_CURRENCY_ANY, regex=True)
    work = replace_where(work, currency, _CURRENCY_RE.pattern, r"\1")
    negative = work.str.startswith("(") & work.str.endswith(")")
    work = replace_where(work, negative, r"^\((.*)\)$", r"-\1")
    decimal = choose_decimal(work[~placeholders], hint)
    pattern, group = (_COMMA_NUM, _COMMA_GROUPS) if decimal == "," else (_POINT_NUM, _POINT_GROUPS)
    valid = work.str.match(pattern.pattern) & work.str.contains("[0-9]", regex=True)
    grouped = work.str.contains(rf"[0-9]{group}[0-9]{{3}}", regex=True) & valid
    digits = replace_where(work, grouped, group, "")
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
