"""Several subjects in one long table (IMF WEO, World Bank WDI): one table per subject, never summed together.

A long export lists one row per (country or group, subject) with the years as columns: GDP growth in per
cent, GDP in billions of dollars and inflation rows follow one another in the same columns. Added or
ranked together they mean nothing, so each subject becomes its own table (its descriptor the title, its
units the unit), and the subjects given for one row only (IMF commodity prices, for the World) are kept
together in one table of series, one row each.
"""

from __future__ import annotations

import re
from dataclasses import replace

import numpy as np
import pandas as pd

from gdrivestats.workbook.cells import PLACEHOLDER, is_blank
from gdrivestats.workbook.header import first_filled_rows, header_rows, header_text, relative_merges
from gdrivestats.workbook.log import plural
from gdrivestats.workbook.model import RawSheet
from gdrivestats.workbook.periods import frequency

SUBJECT_NAME = re.compile(r"\b(?:subject|indicator|series|variable)\b", re.IGNORECASE)
_CODE_NAME = re.compile(r"\bcode\b", re.IGNORECASE)
_DESCRIPTOR_NAME = re.compile(r"\b(?:descriptor|name|label|description)\b", re.IGNORECASE)
_UNIT_NAME = re.compile(r"^(?:units?|unit of measure|scale)$", re.IGNORECASE)
MAX_SUBJECT_TABLES = 40


def raw_header(raw: RawSheet) -> tuple[int, list[str]] | None:
    """The grid row of the (last) header row and the header texts, or None."""
    top, positions = first_filled_rows(raw.grid)
    if not top:
        return None
    rows = header_rows(top, relative_merges(raw.merges, positions), positions)
    return positions[rows[-1]], [header_text(v)[0] for v in top[rows[-1]]]


def _text(values: pd.Series) -> pd.Series:
    """A raw column as stripped text, '' where blank."""
    return values.map(lambda v: "" if is_blank(v) else str(v).strip())


def split_subjects(raw: RawSheet) -> list[RawSheet]:
    """One raw sheet per subject of a long table of several subjects; the raw sheet itself otherwise."""
    if raw.skip_reason or raw.grid.empty or raw.grid.shape[1] < 4:
        return [raw]
    found = raw_header(raw)
    if found is None:
        return [raw]
    header_at, names = found
    subject_cols = [c for c, n in enumerate(names) if n and SUBJECT_NAME.search(n)]
    periods = [c for c, n in enumerate(names) if frequency(n) is not None]  # '2019', '2019 [YR2019]'
    if not subject_cols or len(periods) < 2:
        return [raw]
    key = next((c for c in subject_cols if _CODE_NAME.search(names[c])), subject_cols[0])
    described = [c for c in subject_cols if c != key and _DESCRIPTOR_NAME.search(names[c])]
    grid = raw.grid
    head = grid.loc[grid.index <= header_at]
    body = grid.loc[grid.index > header_at]
    keys = _text(body.iloc[:, key])
    numbers = np.zeros(len(body), dtype=bool)
    for col in periods:
        text = _text(body.iloc[:, col])
        numbers |= ((text != "") & ~text.str.fullmatch(PLACEHOLDER.pattern, case=False)).to_numpy()
    # a subject written once, on the first row of its block: the rows of numbers under it are its own
    filled = keys.where(keys != "").ffill().fillna("")
    keys = keys.where(~numbers | (keys != ""), filled)
    counts = keys[keys != ""].value_counts()
    if len(counts) < 2 or counts.mean() < 2 or len(counts) > 0.5 * (keys != "").sum():
        return [raw]  # not a long table: each subject should come back for several rows
    has_key = (keys != "").to_numpy()
    with_numbers = pd.Series(numbers & has_key, index=body.index).groupby(keys.to_numpy()).sum()
    units = [c for c, n in enumerate(names) if n and _UNIT_NAME.match(n)]
    parts: list[RawSheet] = []
    single: list[str] = []
    for subject in counts.index:
        if int(with_numbers.get(subject, 0)) < 2:
            single.append(str(subject))
            continue
        rows = body.loc[(keys == subject).to_numpy() & numbers]
        title = _first(rows, described) or str(subject)
        unit = ", ".join(t for t in (_first(rows, [c]) for c in units) if t) or None
        parts.append(replace(raw, name=f"{raw.name} ({subject})", grid=pd.concat([head, rows]), title=title,
                             unit=unit))  # fmt: skip
    if len(parts) + (1 if single else 0) < 2 or len(parts) > MAX_SUBJECT_TABLES:
        return [raw]
    if single:
        rows = body.loc[keys.isin(single).to_numpy() & numbers]
        if len(rows):
            parts.append(_series_part(raw, head, rows, [key, *subject_cols, *units, *periods]))
    tail = body.loc[~has_key & (body.index > (body.index[has_key].max() if has_key.any() else -1))]
    parts[-1] = replace(parts[-1], grid=pd.concat([parts[-1].grid, tail]))  # the source line under the table
    empty = int((has_key & ~numbers).sum())
    shown = ", ".join(f"'{p.name[len(raw.name) + 2 : -1]}'" for p in parts[:6]) + (
        ", ..." if len(parts) > 6 else ""
    )
    note = (
        f"The column '{names[key]}' holds {len(counts)} subjects in other units each: one table per subject "
        f"({shown}), never added together"
        + (f"; dropped {plural(empty, 'row')} with no numbers" if empty else "")
    )
    return [replace(p, notes=[*raw.notes, note]) for p in parts]


def _series_part(raw: RawSheet, head: pd.DataFrame, rows: pd.DataFrame, keep: list[int]) -> RawSheet:
    """The subjects given on one row each as one table of series; a column with one value on every row
    (the country group 'World') moves into the title, so the series name labels the rows."""
    rows = rows.copy()
    constant = []
    for col in range(rows.shape[1]):
        values = {str(v).strip() for v in rows.iloc[:, col].tolist() if not is_blank(v)}
        if col not in keep and len(values) == 1:
            constant.append(values.pop())
            rows.iloc[:, col] = None
    where = f"{' '.join(dict.fromkeys(constant))}: " if constant else ""
    title = f"{where}{len(rows)} series with one row each, each in its own unit"
    return replace(raw, name=f"{raw.name} (series)", grid=pd.concat([head, rows]), title=title)


def _first(rows: pd.DataFrame, columns: list[int]) -> str | None:
    """The first non-blank text of ``columns`` in ``rows``."""
    for col in columns:
        for value in rows.iloc[:, col].tolist():
            if not is_blank(value):
                return str(value).strip()
    return None
