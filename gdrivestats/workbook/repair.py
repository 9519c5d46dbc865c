"""Rows shifted against the header (a field split at the separator, a blank too many or too few) put back."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from gdrivestats.workbook.cells import DATE_TEXT, PLACEHOLDER, is_blank, parse_number
from gdrivestats.workbook.columns import Column
from gdrivestats.workbook.model import RawSheet

_MAX_REPAIRS = 50  # suspicious rows examined one by one for a shift against the header


def repair_rows(
    body: pd.DataFrame, columns: dict[str, Column], overflow: Sequence[str], raw: RawSheet
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
        fixed, how = realign(values, kinds, raw.decimal_hint, raw.separator, bool(spilled[index]))
        if fixed is not None:
            body.loc[index] = pd.Series(fixed, index=body.columns, dtype=object)
            notes.append(f"Row {index + 1}: {how}")
    return body, notes


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
        return isinstance(value, dt.date) or bool(re.fullmatch(DATE_TEXT, str(value).strip(), re.I))
    if kind == "bool":
        return isinstance(value, bool | np.bool_)
    return False  # an empty column, or a column with no header
