"""The time axis: period columns (a wide table of years) and period rows get a line chart over time, the
latest period leads the rankings, and the sheet's unit reaches the axis labels; real KNBS tables too."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter

from gdrivestats import plots
from gdrivestats.analysis import analyze_sheet, period_start
from gdrivestats.report import Report, build_report
from gdrivestats.workbook import Role, Sheet, load_workbook


def wide_years(years: list[str], unit: str | None = "Number in '000") -> Sheet:
    """Eight counties over ``years`` (in the order given): county k has k * 100 + the year's offset."""
    counties = [f"County {k}" for k in range(1, 9)]
    data: dict[str, list[object]] = {"County": list(counties)}
    roles = {"County": Role.LABEL}
    for year in years:
        offset = int(year[:4]) - 2000
        data[year] = [float(k * 100 + offset * (9 - k)) for k in range(1, 9)]
        roles[year] = Role.NUMERIC
    return Sheet(
        name="Counties", data=pd.DataFrame(data), roles=roles, label_column="County", unit=unit, title="T"
    )


def test_period_start_reads_years_quarters_months_and_fiscal_years() -> None:
    cases = {
        2022: "2022-01-01",
        "2022*": "2022-01-01",
        "2022 [note 3]": "2022-01-01",
        "2011-12": "2011-01-01",  # a fiscal year, not December 2011
        "2022 to 2026": "2022-01-01",
        "FY2020": "2020-01-01",
        "1989 Q2": "1989-04-01",
        "2008 IV": "2008-10-01",
        "1989 JAN": "1989-01-01",
        "2020-03": "2020-03-01",
        "Sept 2019": "2019-09-01",
    }
    for value, start in cases.items():
        assert period_start(value) == pd.Timestamp(start), value
    for value in ("Total", "row 3", 2020.5, 12, True, None, "2020-13x"):
        assert period_start(value) is None, value


def test_wide_table_of_years_ranks_the_latest_and_draws_one_line_chart() -> None:
    years = [str(y) for y in range(2045, 2019, -1)]  # newest first, as some tables list them
    stats = analyze_sheet(wide_years(years))
    assert stats.latest_period == "2045"  # by date, not the last column (2020)
    assert stats.metrics[0] == "2045"
    # at 2045 county k has k*100 + 45*(9-k): 445, 510, 575, ... so county 8 leads
    assert stats.top["2045"]["label"].tolist()[:3] == ["County 8", "County 7", "County 6"]
    assert stats.trend_over == "columns"
    assert list(stats.trend.columns) == ["County 8", "County 7", "County 6", "County 5", "County 4"]
    assert stats.trend.index.is_monotonic_increasing and len(stats.trend) == 26
    assert stats.trend.index[0] == pd.Timestamp("2020-01-01")
    assert stats.trend.loc[pd.Timestamp("2045-01-01"), "County 8"] == 845.0
    assert stats.trend.loc[pd.Timestamp("2020-01-01"), "County 8"] == 820.0

    plan = plots.plan_charts(stats)
    kinds = [kind for kind, _ in plan.charts]
    assert kinds[0] == "trend" and kinds.count("trend") == 1
    assert "histogram" not in [k for k, s in plan.charts if s != "2045"]  # no chart per year
    assert {s for _, s in plan.charts if s} == {"2045"}
    assert "A line chart over the 26 periods (2020 to 2045) instead of a chart per period" in plan.notes[0]
    assert "26 columns are periods (2020 to 2045): a time axis" in stats.notes[-1]

    chart = plots.plot_trend(stats, plots.metric_colours(stats.metrics))
    ax = chart.figure.axes[0]
    assert [line.get_label() for line in ax.get_lines()] == list(stats.trend.columns)
    assert isinstance(ax.xaxis.get_major_locator(), AutoDateLocator)
    assert isinstance(ax.xaxis.get_major_formatter(), ConciseDateFormatter)
    assert ax.get_ylabel() == "Number in '000"
    assert chart.title.startswith("Top 5 counties by 2045 over time")
    assert plots.figure_png(chart.figure).startswith(b"\x89PNG")


def test_rows_that_are_periods_get_their_measures_over_time() -> None:
    quarters = [f"{y} Q{q}" for y in (2021, 2022, 2023) for q in (1, 2, 3, 4)]
    sheet = Sheet(
        name="GDP",
        data=pd.DataFrame(
            {
                "Quarter": quarters[::-1],  # newest first
                "GDP": np.arange(12, 0, -1, dtype="float64") * 10,
                "Employment": np.arange(12, 0, -1, dtype="float64"),
            }
        ),
        roles={"Quarter": Role.LABEL, "GDP": Role.NUMERIC, "Employment": Role.NUMERIC},
        label_column="Quarter",
        unit="KSh million",
    )
    stats = analyze_sheet(sheet)
    assert stats.trend_over == "rows"
    assert list(stats.trend.columns) == ["GDP", "Employment"]
    assert stats.trend.index[0] == pd.Timestamp("2021-01-01")  # sorted in time: 2021 Q1 first
    assert stats.trend.index[-1] == pd.Timestamp("2023-10-01")
    assert stats.trend["GDP"].tolist() == [float(v) for v in range(10, 130, 10)]
    plan = plots.plan_charts(stats)
    assert plan.charts[0] == ("trend", "")
    chart = plots.plot_trend(stats, plots.metric_colours(stats.metrics))
    assert [ax.get_title() for ax in chart.figure.axes if ax.get_visible()] == ["GDP", "Employment"]
    assert "(KSh million)" in chart.title
    ranking = plots.plot_ranking(stats, "GDP")
    assert ranking.figure.axes[0].get_xlabel() == "GDP (KSh million)"  # the unit on the value axis


def test_a_flat_table_has_no_time_axis() -> None:
    sheet = Sheet(
        name="Sales",
        data=pd.DataFrame({"Shop": list("abcdef"), "Revenue": [1.0, 2, 3, 4, 5, 6], "Cost": [1.0] * 6}),
        roles={"Shop": Role.LABEL, "Revenue": Role.NUMERIC, "Cost": Role.NUMERIC},
        label_column="Shop",
    )
    stats = analyze_sheet(sheet)
    assert stats.trend.empty and stats.trend_over is None
    assert "trend" not in [kind for kind, _ in plots.plan_charts(stats).charts]


def test_two_rows_for_one_period_are_not_one_series() -> None:
    sheet = Sheet(
        name="Mixed",
        data=pd.DataFrame({"Year": ["2020", "2020", "2021", "2022"], "Value": [1.0, 2.0, 3.0, 4.0]}),
        roles={"Year": Role.LABEL, "Value": Role.NUMERIC},
        label_column="Year",
    )
    assert analyze_sheet(sheet).trend.empty


@pytest.fixture(scope="module")
def knbs_report(shared_data: Path) -> Report:
    return build_report(load_workbook(shared_data / "knbs_population_projections.xlsx"))


def test_knbs_counties_over_time(knbs_report: Report) -> None:
    county = knbs_report.sheet("Table 19.2")  # 47 counties, 2020 to 2045
    stats = county.stats
    assert stats.latest_period == "2045" and stats.time_columns[0] == "2020"
    assert stats.top["2045"]["label"].tolist()[:3] == ["Nairobi City", "Kiambu", "Nakuru"]
    assert stats.trend_over == "columns"
    assert list(stats.trend.columns) == ["Nairobi City", "Kiambu", "Nakuru", "Kakamega", "Bungoma"]
    assert pd.DatetimeIndex(stats.trend.index).year.tolist() == [int(c) for c in stats.time_columns]
    nairobi = stats.trend["Nairobi City"]
    assert nairobi.iloc[-1] == stats.top["2045"]["value"].iloc[0]  # the line ends at the ranked value
    assert nairobi.iloc[-1] > nairobi.iloc[0]  # projected to grow
    assert county.plan.charts[0] == ("trend", "")
    assert [s for _, s in county.plan.charts if s] == ["2045", "2045", "2045"]  # top, bottom, histogram
    figure = next(c.figure for c in county.charts if c.kind == "trend")
    assert figure.axes[0].get_ylabel() == stats.unit == "Number '000"


def test_knbs_national_years_as_rows(knbs_report: Report) -> None:
    national = knbs_report.sheet("Table 19.1")  # Year rows 2020..2045: Male, Female, Total
    stats = national.stats
    assert stats.label_column == "Year" and stats.trend_over == "rows"
    assert list(stats.trend.columns) == ["Male", "Female", "Total"]
    assert (
        pd.DatetimeIndex(stats.trend.index).year.tolist()[0] == 2020
        and pd.DatetimeIndex(stats.trend.index).year.tolist()[-1] == 2045
    )
    total = stats.trend["Total"]
    assert np.allclose(total, stats.trend["Male"] + stats.trend["Female"], atol=1.5)  # Total = M + F ('000)
    assert national.plan.charts[0] == ("trend", "")


@pytest.mark.slow  # a real file the loader takes seconds over
def test_imf_groups_over_42_years(shared_data: Path) -> None:
    book = load_workbook(shared_data / "imf_weo_country_groups_tab_text.xls")
    sheet = next(s for s in book.sheets if s.name.endswith("(PPPGDP)"))
    stats = analyze_sheet(sheet)
    assert stats.time_columns[0] == "1980" and stats.latest_period == "2021" and len(stats.time_columns) == 42
    assert stats.trend_over == "columns" and len(stats.trend) == 42
    assert "World" not in stats.trend.columns  # an aggregate of the others, set aside
    first = stats.trend.columns[0]
    assert first == stats.top["2021"]["label"].iloc[0] == "Emerging market and developing economies"
    assert stats.trend.loc[pd.Timestamp("2021-01-01"), first] == pytest.approx(91511.211)
    plan = plots.plan_charts(stats)
    assert [kind for kind, _ in plan.charts] == ["trend", "top", "bottom", "histogram"]
    chart = plots.plot_trend(stats, plots.metric_colours(stats.metrics))
    assert "Billions" in chart.figure.axes[0].get_ylabel()  # the unit line of the sheet


def test_ons_annual_quarterly_and_monthly_rows_each_over_time(shared_data: Path) -> None:
    book = load_workbook(shared_data / "ons_cpih_annual_rate_series.csv")
    expected = {  # rows, first and last period start, first and last value (CPIH annual rate, %)
        "annual": (33, "1989-01-01", "2021-01-01", 5.7, 2.5),
        "quarterly": (134, "1989-01-01", "2022-04-01", 5.8, 7.9),  # 1989 Q1 .. 2022 Q2
        "monthly": (403, "1989-01-01", "2022-07-01", 5.7, 8.8),  # 1989 JAN .. 2022 JUL
    }
    for sheet in book.sheets:
        kind = sheet.name.rsplit("(", 1)[1].rstrip(")")
        stats = analyze_sheet(sheet)
        rows, first, last, start, end = expected[kind]
        assert stats.trend_over == "rows" and len(stats.trend) == rows, kind
        assert stats.trend.index[0] == pd.Timestamp(first) and stats.trend.index[-1] == pd.Timestamp(last)
        series = stats.trend.iloc[:, 0]
        assert (series.iloc[0], series.iloc[-1]) == (start, end), kind
        assert plots.plan_charts(stats).charts[0] == ("trend", "")
        chart = plots.plot_trend(stats, plots.metric_colours(stats.metrics))
        assert "(%)" in chart.title  # the unit line of the download


def test_summary_json_says_what_the_time_axis_is() -> None:
    from gdrivestats.report.model import SheetReport
    from gdrivestats.report.summary_json import sheet_summary

    stats = analyze_sheet(wide_years([str(y) for y in range(2020, 2031)]))
    axis = sheet_summary(SheetReport(stats, "book"), [])["time_axis"]
    assert axis == {
        "over": "columns",
        "periods": [str(y) for y in range(2020, 2031)],
        "latest": "2030",
        "from": "2020-01-01",
        "to": "2030-01-01",
        "series": ["County 8", "County 7", "County 6", "County 5", "County 4"],
    }


def test_a_bracketed_unit_line_is_written_once_in_parentheses() -> None:
    sheet = wide_years(["2020", "2021", "2022"], unit="[Numbers in thousands]")
    stats = analyze_sheet(sheet)
    ranking = plots.plot_ranking(stats, "2022")
    assert ranking.figure.axes[0].get_xlabel() == "2022 (Numbers in thousands)"
    groups_free = plots.plot_trend(stats, {})
    assert groups_free.figure.axes[0].get_ylabel() == "Numbers in thousands"


def test_monthly_columns_with_december_2011_end_in_december() -> None:
    months = [f"2011-{m:02d}" for m in range(1, 13)]
    data = pd.DataFrame(
        {"Name": ["a", "b", "c", "d"], **{m: [1.0, 2.0, 3.0, float(i)] for i, m in enumerate(months)}}
    )
    roles = {"Name": Role.LABEL, **{m: Role.NUMERIC for m in months}}
    stats = analyze_sheet(Sheet(name="Months", data=data, roles=roles, label_column="Name"))
    assert stats.latest_period == "2011-12"
    assert list(stats.trend.index) == list(pd.date_range("2011-01-01", periods=12, freq="MS"))


def test_times_of_day_are_not_periods() -> None:
    assert period_start(dt.time(6, 15)) is None and period_start(dt.timedelta(hours=1)) is None
    times = [dt.time(h, 15) for h in range(6, 18)]
    data = pd.DataFrame({"Departure": times, "Passengers": [float(h) for h in range(12)]})
    stats = analyze_sheet(
        Sheet(
            name="T",
            data=data,
            roles={"Departure": Role.LABEL, "Passengers": Role.NUMERIC},
            label_column="Departure",
        )
    )
    assert stats.trend.empty and stats.describe.loc["Passengers", "sum"] == 66.0
