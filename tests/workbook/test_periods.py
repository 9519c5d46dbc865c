"""Periods: which labels are years, fiscal years, quarters and months."""

from __future__ import annotations

import pytest

from gdrivestats.workbook.periods import fiscal_years, frequency, period_columns, period_kinds


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("2022", "annual"),
        (2022, "annual"),
        ("2011-12", "annual"),  # India's fiscal year 2011-12, not December 2011
        ("2019-20", "annual"),
        ("1999-00", "annual"),
        ("2011/12", "annual"),
        ("2022 to 2026", "annual"),
        ("2011-05", "monthly"),  # an ISO month: 05 is not the year after 2011
        ("1989 JAN", "monthly"),
        ("1989 Q1", "quarterly"),
        ("2020 IV", "quarterly"),
        ("Kiambu", None),
        (13.1, None),
    ],
)
def test_frequency_of_period_labels(text: object, kind: str | None) -> None:
    assert frequency(text) == kind


def test_a_set_of_labels_decides_whether_2011_12_is_a_fiscal_year_or_december() -> None:
    months = [f"2011-{m:02d}" for m in range(1, 13)]
    assert period_kinds(months) == ["monthly"] * 12  # '2011-12' is December beside '2011-05'
    assert period_kinds(["2010-11", "2011-12", "2012-13"]) == ["annual"] * 3
    assert fiscal_years(months) is False and fiscal_years(["2011-12", 2012]) is True


def test_period_columns_keep_one_frequency() -> None:
    assert period_columns(["2021", "2022", "2023", "2022 Q1", "2022 Q4"]) == ["2021", "2022", "2023"]
    quarters = ["2022 Q1", "2022 Q2", "2022 Q3", "2022 Q4"]
    assert period_columns(["2021", *quarters]) == quarters
    assert period_columns(["Name", "2021", "2022"]) == []  # two periods are not a time axis
