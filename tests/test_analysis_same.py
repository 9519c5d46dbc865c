"""The faster paths give the same answers as the plain ones: the period label test, the group table."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from gdrivestats.analysis import (
    GROUP_STATS,
    _group_table_by_columns,
    group_table,
    numeric_frame,
    period_label,
)
from gdrivestats.workbook import Role
from gdrivestats.workbook.periods import period_label_series

FRAMES: dict[str, tuple[dict[str, Any], dict[str, Role]]] = {
    "unique ids": ({"Id": list(range(1, 201)), "V": [1.0] * 200}, {"Id": Role.ID}),
    "years as ints": ({"Code": list(range(1900, 2100)), "V": [1.0] * 200}, {"Code": Role.ID}),
    "years as text": ({"Y": [str(y) for y in range(1990, 2010)], "V": [1.0] * 20}, {"Y": Role.TEXT}),
    "quarters": ({"Q": [f"{y} Q{q}" for y in range(2000, 2005) for q in range(1, 5)]}, {"Q": Role.CATEGORY}),
    "text with years, not periods": ({"T": [f"Report 2019 part {i}" for i in range(20)]}, {"T": Role.TEXT}),
    "repeated years": ({"Y": ["2020", "2020", "2021", "2022"] * 5}, {"Y": Role.TEXT}),
    "mostly years": ({"Y": [*map(str, range(2000, 2017)), "a", "b", "c"]}, {"Y": Role.TEXT}),
    "four in five years": ({"Y": [*map(str, range(2000, 2016)), "a", "b", "c", "d"]}, {"Y": Role.TEXT}),
    "empty": ({"Y": [None, None, None]}, {"Y": Role.TEXT}),
    "floats": ({"F": [2000.0, 2001.0, 2002.5, 2003.0, 2004.0]}, {"F": Role.ID}),
    "dates, then years": (
        {"D": pd.date_range("2020-01-01", periods=5, freq="D"), "Y": list(map(str, range(2000, 2005)))},
        {"D": Role.DATE, "Y": Role.TEXT},
    ),
    "second column": (
        {"A": ["x", "x", "y"], "Y": ["2001", "2002", "2003"]},
        {"A": Role.TEXT, "Y": Role.TEXT},
    ),
}


@pytest.mark.parametrize("case", FRAMES)
def test_period_label_is_period_label_series(case: str) -> None:
    data, roles = FRAMES[case]
    frame = pd.DataFrame(data)
    assert period_label(frame, roles) == period_label_series(frame, roles)


def test_group_table_is_the_aggregation_of_each_column() -> None:
    rng = np.random.default_rng(7)
    rows = 5_000
    values = rng.normal(1000, 300, size=(rows, 3))
    values[rng.random(size=values.shape) < 0.1] = np.nan
    data = pd.DataFrame(values, columns=["Revenue", "Margin %", "Units"])
    data.loc[data.index[:40], "Units"] = np.nan
    names = np.array(["North", "South", " ", None, "East"], dtype=object)
    region = pd.Series(names[rng.integers(0, len(names), rows)], name="Region")
    region.iloc[:40] = "Empty"  # a group whose Units are all missing: no sum, not 0
    numbers = numeric_frame(data, list(data.columns))
    fast = group_table(numbers, region)
    keys = region.astype("string").str.strip()
    keys = pd.Series(keys.mask(keys == "").fillna("(blank)").to_numpy(dtype=object), name="Region")
    plain = _group_table_by_columns(numbers.groupby(keys, sort=True).agg(GROUP_STATS), numbers, "Region")
    pd.testing.assert_frame_equal(fast, plain, check_exact=True)
    assert fast[("Units", "sum")].isna()["Empty"] and fast.loc["Empty", ("Units", "count")] == 0
    assert fast[("Margin %", "sum")].isna().all()  # a percentage has no sum
    assert list(fast.index) == ["(blank)", "East", "Empty", "North", "South"]
