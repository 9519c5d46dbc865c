"""Several tables on one sheet: stacked tables, each under its own title and a repeat of the header.

A statistics office often puts a second table under the first (current prices, then constant prices) with
the same header again. Each becomes its own table, analysed on its own and named after the sheet.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from gdrivestats.workbook.cells import is_blank, year_text
from gdrivestats.workbook.header import first_filled_rows, header_rows, relative_merges
from gdrivestats.workbook.model import RawSheet

MAX_TABLES = 20


def _number_free(row: list[object]) -> bool:
    """A row with no number but years: a title, a year heading or a header row."""
    for value in row:
        if is_blank(value) or isinstance(value, str):
            continue
        if year_text(value) is None:
            return False
    return True


def split_tables(raw: RawSheet) -> list[RawSheet]:
    """The raw sheet cut into one raw sheet per stacked table (the sheet itself when it holds one)."""
    if raw.skip_reason or raw.grid.empty:
        return [raw]
    top, positions = first_filled_rows(raw.grid)
    if not top:
        return [raw]
    rows = header_rows(top, relative_merges(raw.merges, positions), positions)
    header_at = positions[rows[-1]]
    cells = [(c, v) for c, v in enumerate(top[rows[-1]]) if isinstance(v, str) and v.strip()]
    if len(cells) < 2:
        return [raw]
    beside = _side_by_side(raw, top[rows[-1]], header_at)
    if beside is not None:
        return beside
    grid = raw.grid
    same = np.ones(len(grid), dtype=bool)
    for col, value in cells[:4]:
        column = grid.iloc[:, col].to_numpy(dtype=object)
        same &= column == value
    index = grid.index.to_numpy()
    repeats = [int(index[i]) for i in np.flatnonzero(same) if index[i] > header_at]
    if not repeats:
        return [raw]
    starts = [int(grid.index[0])] + [_table_start(grid, r, rows, header_at) for r in repeats[:MAX_TABLES]]
    ends = [*starts[1:], int(grid.index[-1]) + 1]
    parts = []
    for number, (start, end) in enumerate(zip(starts, ends, strict=True), start=1):
        name = raw.name if number == 1 else f"{raw.name} ({number})"
        note = f"Table {number} of {len(starts)} on sheet '{raw.name}' (rows {start + 1} to {end})"
        grid_part = grid.loc[start : end - 1]
        parts.append(replace(raw, name=name, grid=grid_part, notes=[*raw.notes, note]))
    return parts


def _table_start(grid: pd.DataFrame, repeat: int, rows: list[int], header_at: int) -> int:
    """The first row of the table whose header is repeated at ``repeat``: its title and year rows above."""
    depth = len(rows) - 1  # header rows above the repeated one
    start = repeat
    position = grid.index.get_loc(repeat)
    assert isinstance(position, int)
    seen = 0
    while position > 0:
        previous = grid.iloc[position - 1].tolist()
        if all(is_blank(v) for v in previous):
            position -= 1
            continue
        if not _number_free(previous) or seen >= depth + 3:
            break
        position -= 1
        seen += 1
        start = int(grid.index[position])
    return start


def _blank_column(column: pd.Series) -> bool:
    """Whether a raw column holds nothing (None, NaN or spaces) in every row."""
    present = column.dropna()
    if present.empty:
        return True
    return bool(present.map(lambda v: isinstance(v, str) and not v.strip()).all())


def _side_by_side(raw: RawSheet, header: list[object], header_at: int) -> list[RawSheet] | None:
    """Two tables side by side, an empty column between them, each with its own label column: cut apart."""
    grid = raw.grid
    width = grid.shape[1]
    named = [c for c, v in enumerate(header) if not is_blank(v)]
    if len(named) < 4:
        return None
    for gap in range(named[0] + 2, named[-1]):
        if not is_blank(header[gap]) or not _blank_column(grid.iloc[:, gap]):
            continue
        right = [c for c in named if c > gap]
        left = [c for c in named if c < gap]
        if len(right) < 2 or len(left) < 2:
            continue
        column = grid.iloc[:, right[0]]
        labels = column.loc[grid.index > header_at].dropna()
        if labels.empty or labels.map(lambda v: isinstance(v, str)).mean() < 0.8:
            continue  # the right part does not start with a column of labels: one table with a spacer
        parts = []
        for number, (first, last) in enumerate(((0, gap), (gap + 1, width)), start=1):
            part = grid.iloc[:, first:last].copy()
            part.columns = pd.RangeIndex(last - first)
            merges = [
                ((r0, c0 - first), (r1, c1 - first))
                for (r0, c0), (r1, c1) in raw.merges
                if first <= c0 and c1 < last
            ]
            indents = {c - first: rows for c, rows in raw.indents.items() if first <= c < last}
            typed = {c - first: kind for c, kind in raw.typed.items() if first <= c < last}
            name = raw.name if number == 1 else f"{raw.name} ({number})"
            note = f"Table {number} of 2 side by side on sheet '{raw.name}' (columns {first + 1} to {last})"
            parts.append(
                replace(
                    raw,
                    name=name,
                    grid=part,
                    merges=merges,
                    indents=indents,
                    typed=typed,
                    notes=[*raw.notes, note],
                )
            )
        return parts
    return None
