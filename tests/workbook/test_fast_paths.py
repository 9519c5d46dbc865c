"""The shortcuts of the loader give what the general passes give: typed columns of big flat sheets, passes
that stop early (filled rows, the last wide row, sums at the ends), codes and totals of columns of text."""

from __future__ import annotations

import math
import random
import zipfile
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from gdrivestats.workbook import flat
from gdrivestats.workbook.aggregates import total_kinds
from gdrivestats.workbook.cells import blank_to_none, filled_rows, rows_below
from gdrivestats.workbook.levels import code_levels
from gdrivestats.workbook.rows import split_footnotes, sum_total_mask
from gdrivestats.workbook.sheet import clean_raw_sheet
from gdrivestats.workbook.tables import split_tables
from tests.workbook.support import write_xlsx
from tests.workbook.test_flat import sales_rows

fastexcel = pytest.importorskip("fastexcel")
pa = pytest.importorskip("pyarrow")


def _read_flat(path: Path, name: str) -> Any:
    with zipfile.ZipFile(path) as archive:
        member = flat.sheet_members(archive)[name]
    return flat.read_flat_sheet(fastexcel.read_excel(path), path, name, member)


def _assert_same_sheet(a: Any, b: Any) -> None:
    pd.testing.assert_frame_equal(a.data, b.data, check_exact=True)
    pd.testing.assert_frame_equal(a.set_aside, b.set_aside, check_exact=True)
    assert (a.roles, a.label_column, a.notes, a.footnotes, a.title, a.unit) == (
        b.roles,
        b.label_column,
        b.notes,
        b.footnotes,
        b.title,
        b.unit,
    )
    assert (a.header_row, a.levels, a.level, a.table, a.set_aside_reasons) == (
        b.header_row,
        b.levels,
        b.level,
        b.table,
        b.set_aside_reasons,
    )


def test_typed_columns_cleaned_as_the_general_pass_cleans_them(tmp_path: Path) -> None:
    """A flat sheet read by fastexcel, cleaned with its typed columns known and without: the same table."""
    rows = sales_rows(2_000)
    rows[0][6] = " "  # a header cell of spaces over a number column: cleared either way
    rows[10][5] = None  # empty cells in a number column, a date column and a text column
    rows[11][3] = None
    rows[12][1] = None
    rows[13][2] = "   "  # a text cell of spaces
    rows[14][7] = "n/a"  # put back as text: that column is not typed
    rows[1_999][0] = None
    path = write_xlsx(tmp_path / "typed.xlsx", {"Sales": rows})
    raw = _read_flat(path, "Sales")
    assert raw.typed == {0: "number", 1: "text", 2: "text", 3: "date", 4: "date", 5: "number", 6: "number"}
    general = replace(raw, typed={})
    fast_grid, usual_grid = blank_to_none(raw.grid, raw.typed), blank_to_none(general.grid)
    pd.testing.assert_frame_equal(fast_grid, usual_grid, check_exact=True)
    assert fast_grid.iloc[0, 6] is None and fast_grid.iloc[13, 2] != fast_grid.iloc[13, 2]  # cleared
    _assert_same_sheet(clean_raw_sheet(raw), clean_raw_sheet(general))


def test_typed_columns_of_a_sheet_cut_in_two(tmp_path: Path) -> None:
    """Two tables side by side: each part keeps the typed columns it holds, renumbered."""
    rows: list[list[Any]] = [["Region", "Sales", "Units", None, "Country", "Population", "Area"]]
    rng = random.Random(3)
    for i in range(60):
        rows.append(
            [
                f"R{i}",
                rng.uniform(1, 9),
                rng.randrange(9),
                None,
                f"C{i}",
                rng.randrange(99),
                rng.uniform(1, 5),
            ]
        )
    path = write_xlsx(tmp_path / "two.xlsx", {"data": rows})
    raw = _read_flat(path, "data")
    assert raw.typed[4] == "text" and raw.typed[5] == "number"
    parts = split_tables(raw)
    assert len(parts) == 2
    assert parts[1].typed == {0: "text", 1: "number", 2: "number"}
    for part in parts:
        _assert_same_sheet(clean_raw_sheet(part), clean_raw_sheet(replace(part, typed={})))


def _frames() -> list[pd.DataFrame]:
    rng = np.random.default_rng(5)
    out = []
    for rows, cols, empty in ((0, 3, 0.0), (5, 0, 0.0), (300, 4, 0.0), (2_000, 5, 0.7), (1_500, 3, 0.98)):
        values = rng.integers(0, 9, size=(rows, cols)).astype(object)
        values[rng.random((rows, cols)) < empty] = None
        frame = pd.DataFrame(values, index=np.arange(rows) * 2 + 1)
        out.append(frame)
    tail = out[3].copy()
    tail.iloc[-700:, 1:] = None  # a long tail of one-cell rows (notes) under the table
    out.append(tail)
    return out


def test_filled_rows_and_rows_below_as_pandas_gives_them() -> None:
    for frame in _frames():
        pd.testing.assert_series_equal(filled_rows(frame), frame.notna().any(axis=1))
        for row in (-1, 0, 7, len(frame), 10 * len(frame)):
            pd.testing.assert_frame_equal(rows_below(frame, row), frame.loc[frame.index > row])
    shuffled = _frames()[2].sample(frac=1, random_state=1)  # rows out of order: the general selection
    pd.testing.assert_frame_equal(rows_below(shuffled, 100), shuffled.loc[shuffled.index > 100])


def _split_footnotes_reference(body: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    from gdrivestats.workbook.rows import footnote_start, footnote_texts

    wide = np.flatnonzero(body.notna().sum(axis=1).to_numpy() >= 2)
    tail_from = int(wide[-1]) + 1 if len(wide) else 0
    tail = body.iloc[tail_from:].to_numpy().tolist()
    start = tail_from + footnote_start(tail)
    return body.iloc[:start], footnote_texts(body.iloc[start:].to_numpy().tolist())


def test_split_footnotes_from_the_end_as_over_every_row() -> None:
    for frame in _frames():
        frame = frame.copy()
        if len(frame) > 10 and frame.shape[1]:
            frame.iloc[-1, 0] = "Source: a note under the table"
        got, notes = split_footnotes(frame)
        want, want_notes = _split_footnotes_reference(frame)
        pd.testing.assert_frame_equal(got, want)
        assert notes == want_notes


def _sum_total_reference(frame: pd.DataFrame, numeric: list[str], rtol: float = 0.01) -> pd.Series:
    none = pd.Series(False, index=frame.index)
    if not numeric or len(frame) < 4:
        return none
    values = frame[list(numeric)].astype(float)
    sums = values.sum()
    usable = [c for c in numeric if (values[c].dropna() >= 0).all() and sums[c] > 0]
    if not usable:
        return none
    close = np.isclose(2 * values[usable].to_numpy(), sums[usable].to_numpy(), rtol=rtol, atol=0)
    need = max(1, math.ceil(0.6 * len(usable)))
    mask = pd.Series(close.sum(axis=1) >= need, index=frame.index)
    if len(usable) == 1 and len(frame) < 6:
        return none
    ends = mask.iloc[[0, -1]]
    return mask if mask.sum() == 1 and ends.any() else none


@pytest.mark.parametrize("where", ["top", "bottom", "middle", "none", "negative", "two", "short"])
def test_sum_total_mask_as_over_every_row(where: str) -> None:
    rng = np.random.default_rng(8)
    rows = 5 if where == "short" else 40
    frame = pd.DataFrame({"a": rng.uniform(1, 100, rows), "b": rng.integers(1, 50, rows).astype(float)})
    frame.loc[3, "b"] = np.nan
    at = {"top": 0, "bottom": rows - 1, "middle": rows // 2, "short": 0, "two": 0}.get(where)
    if at is not None:
        frame.loc[at] = frame.drop(index=at).sum()
    if where == "two":
        frame.loc[rows - 1] = frame.loc[0]  # both ends equal the sum: no single total row
    if where == "negative":
        frame.loc[5, "a"] = -1.0
    columns = ["a"] if where == "short" else ["a", "b"]
    pd.testing.assert_series_equal(sum_total_mask(frame, columns), _sum_total_reference(frame, columns))
    if where in ("top", "bottom"):
        assert sum_total_mask(frame, columns).sum() == 1


def test_code_levels_of_a_column_of_numbers_is_none_at_once() -> None:
    numbers: list[object] = [float(i) for i in range(1, 500)] + [None, 3, 4.5]
    assert code_levels(numbers) is None
    mixed: list[object] = ["1", "1.1", "1.2", 2.0, "2.1", "2.2", None]  # codes read as text and as a number
    assert code_levels(mixed) == [0, 1, 1, None, 1, 1, None]  # as before: the number is no code
    assert code_levels(["A", "A01", "A02", "B", "B01"]) == [0, 1, 1, 0, 1]


def test_total_kinds_of_text_as_of_objects() -> None:
    labels = ["Total", "North", None, "Total softwood", "World", "East", "North", "Sum", " total, all"] * 50
    as_objects = pd.Series(labels, dtype=object)
    as_text = as_objects.astype("str")
    assert isinstance(as_text.dtype, pd.StringDtype)
    np.testing.assert_array_equal(total_kinds(as_text), total_kinds(as_objects))
    assert total_kinds(as_text)[:5].tolist() == [2, 0, 0, 1, 2]


@pytest.mark.parametrize("distinct", [3, 5_000])
def test_text_columns_from_arrow_as_python_strings(distinct: int) -> None:
    values = [None if i % 7 == 0 else f"v{i % distinct}" for i in range(6_000)]
    array = pa.array(values, type=pa.string())
    got = flat._column(array, "Name")
    assert got[0] == "Name"
    assert got[1:].tolist() == values
    assert all(v is None or type(v) is str for v in got[1:])


def _digit_unit_reference(values: np.ndarray) -> float:
    finite = values[np.isfinite(values)]
    for decimals in range(0, 4):
        if np.allclose(
            finite, np.round(finite, decimals), rtol=0, atol=1e-9 * max(1.0, np.abs(finite).max())
        ):
            return 10.0**-decimals
    return 0.0


def _columns_of_numbers() -> list[np.ndarray]:
    rng = np.random.default_rng(11)
    whole = rng.integers(0, 1_000, 5_000).astype(float)
    late = whole.copy()
    late[4_000] = 2.5  # the first values are whole, one far down is not
    gap = whole.copy()
    gap[3_000] = np.nan
    endless = whole.copy()
    endless[4_500] = np.inf
    return [
        whole,
        late,
        gap,
        endless,
        np.round(rng.uniform(0, 100, 5_000), 1),
        np.round(rng.uniform(0, 100, 5_000), 2),
        rng.uniform(0, 1, 5_000),
        np.array([3.0]),
        np.array([], dtype=float),
    ]


def test_digit_unit_and_whole_numbers_as_over_every_value() -> None:
    from gdrivestats.workbook.columns import tidy_numbers
    from gdrivestats.workbook.levels import digit_unit

    for values in _columns_of_numbers():
        if np.isfinite(values).any():
            assert digit_unit(values) == _digit_unit_reference(values)
        with np.errstate(invalid="ignore"):  # inf % 1 is NaN, as before: not a whole number
            whole = len(values) and not np.isnan(values).any() and (np.mod(values, 1) == 0).all()
            expected = "int64" if whole and np.abs(values).max() < 2**53 else "float64"
            assert str(tidy_numbers(pd.Series(values)).dtype) == expected
    assert digit_unit(_columns_of_numbers()[1]) == 0.1  # one value with a decimal, far down the column
