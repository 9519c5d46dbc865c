"""Aggregate columns: a column equal to the sum of other columns beside it (UK = England + Wales + Scotland
+ Northern Ireland; a 'Total' column after its parts; a year's 'Total' after its four quarters).

Such a column is not a part: it is never added to its parts, nor compared with them as one of them. Found
as the rows' outline is (``levels``), across columns: a column equal, on nearly every row, to the sum of a
run of two or more columns right before it (or right after it: 'Total, Male, Female'); the run's columns
are then folded into it, so a later column can be found as the sum of the fold and its neighbours
(Great Britain = England + Wales + Scotland, then United Kingdom = Great Britain + Northern Ireland).
Checked first on a sample of rows, so a wide flat table costs a few milliseconds.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from gdrivestats.workbook.levels import additive_columns, as_floats, digit_unit, within_rounding
from gdrivestats.workbook.log import plural

SAMPLE_ROWS = 200
MIN_ROWS = 4  # rows with values on which a column must equal the sum of its parts
MIN_SHARE = 0.9  # of the rows where the column and its parts all have values


def _holds(total: np.ndarray, parts: np.ndarray, units: np.ndarray) -> bool:
    """Whether ``total`` equals the row sums of ``parts`` (within rounding) on nearly every row."""
    present = np.isfinite(total) & np.isfinite(parts).all(axis=1) & (np.abs(total) > 0)
    if present.sum() < MIN_ROWS:
        return False
    head = total[present]
    sums = parts[present].sum(axis=1)
    unit = np.array([float(units.max(initial=0.0))])
    length = np.full(len(head), parts.shape[1], dtype=float)
    close = within_rounding(head[:, None], sums[:, None], length, unit, cap=0.05)  # half a unit per part
    return bool(close[:, 0].mean() >= MIN_SHARE)


def _plausible(sample: np.ndarray, column: int, alive: list[int]) -> list[list[int]]:
    """The runs of two or more columns right before ``column`` (nearest first), then right after it, whose
    sums come within 5% of it on most sample rows: running sums, one array operation per side."""
    target = sample[:, column]
    rows = np.isfinite(target) & (np.abs(target) > 0)
    if rows.sum() < MIN_ROWS:
        return []
    at = alive.index(column)
    sides = [alive[:at][::-1], alive[at + 1 :]]  # before: nearest first
    out = []
    for side, order in zip(sides, ("before", "after"), strict=True):
        if len(side) < 2:
            continue
        running = np.cumsum(np.nan_to_num(sample[rows][:, side]), axis=1)[:, 1:]  # runs of 2, 3, ...
        close = np.abs(running - target[rows, None]) <= 0.05 * np.abs(target[rows, None])
        for length in np.flatnonzero(close.mean(axis=0) >= MIN_SHARE - 0.05) + 2:
            run = side[:length]
            out.append(sorted(run) if order == "before" else run)
    return out


def find_aggregate_columns(data: pd.DataFrame, measures: list[str]) -> dict[str, list[str]]:
    """Aggregate column -> the columns it sums (its direct parts, in table order)."""
    additive = set(additive_columns(data, measures))
    names = [c for c in data.columns if c in additive]
    if len(names) < 3 or len(data) < MIN_ROWS:
        return {}
    step = max(1, len(data) // SAMPLE_ROWS)

    def numbers(frame: pd.DataFrame) -> np.ndarray:
        return np.column_stack([as_floats(frame[c]) for c in names])

    sample = numbers(data.iloc[::step])
    units = np.array([digit_unit(np.nan_to_num(sample[:, j])) for j in range(len(names))])
    matrix: np.ndarray | None = None  # every row: built only to confirm what the sample shows
    found: dict[str, list[str]] = {}
    alive = list(range(len(names)))  # columns not folded into an aggregate yet, in table order
    for column in range(len(names)):
        if column not in alive:
            continue  # a part of an aggregate found before it
        for run in _plausible(sample, column, alive):
            parts = np.array(run)
            if not _holds(sample[:, column], sample[:, parts], units[parts]):
                continue
            if step > 1:
                matrix = numbers(data) if matrix is None else matrix
                if not _holds(matrix[:, column], matrix[:, parts], units[parts]):
                    continue
            found[names[column]] = [names[p] for p in run]
            alive = [c for c in alive if c not in set(run)]
            break
    return found


def aggregate_column_notes(found: dict[str, list[str]]) -> list[str]:
    """One line for the log naming every aggregate column and its parts."""
    if not found:
        return []
    shown = []
    for total, parts in found.items():
        named = " + ".join(f"'{p}'" for p in parts[:4])
        shown.append(f"'{total}' = {named}" + (f" + ... ({len(parts)} columns)" if len(parts) > 4 else ""))
    count = plural(len(found), "aggregate column")
    return [f"{count}, never added to {'its' if len(found) == 1 else 'their'} parts: {'; '.join(shown)}"]
