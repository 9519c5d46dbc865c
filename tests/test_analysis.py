"""Tests of gdrivestats.analysis on small sheets whose statistics are known by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from gdrivestats.analysis import DESCRIBE_COLUMNS, analyze_sheet, analyze_workbook
from gdrivestats.workbook import Role, Sheet, Workbook
from tests.workbook.support import OUTLINE


def make_sheet(
    data: dict[str, list[object]],
    roles: dict[str, Role],
    label: str | None = None,
    name: str = "Data",
) -> Sheet:
    return Sheet(name=name, data=pd.DataFrame(data), roles=roles, label_column=label, notes=["cleaned"])


def countries() -> Sheet:
    return make_sheet(
        {
            "Country": ["A", "B", "C", "D", "E"],
            "Region": ["North", "South", "North", None, "South"],
            "Population": [10.0, 40.0, 20.0, 30.0, np.nan],
            "Area": [1.0, 2.0, 3.0, 4.0, 5.0],
            "Double area": [2.0, 4.0, 6.0, 8.0, 10.0],
        },
        {
            "Country": Role.LABEL,
            "Region": Role.CATEGORY,
            "Population": Role.NUMERIC,
            "Area": Role.NUMERIC,
            "Double area": Role.NUMERIC,
        },
        label="Country",
        name="Countries",
    )


def test_describe_has_known_values() -> None:
    stats = analyze_sheet(countries())
    row = stats.describe.loc["Population"]
    assert list(stats.describe.columns) == DESCRIBE_COLUMNS
    assert row["count"] == 4 and row["missing"] == 1
    assert row["sum"] == 100.0
    assert row["mean"] == 25.0
    assert row["min"] == 10.0 and row["max"] == 40.0
    assert row["50%"] == 25.0
    assert row["25%"] == 17.5 and row["75%"] == 32.5
    assert math.isclose(row["std"], np.std([10, 40, 20, 30], ddof=1))
    assert stats.describe.loc["Area", "sum"] == 15.0


def test_top_and_bottom_are_ordered_labelled_and_skip_missing() -> None:
    stats = analyze_sheet(countries(), top=3)
    top = stats.top["Population"]
    assert top["label"].tolist() == ["B", "D", "C"]
    assert top["value"].tolist() == [40.0, 30.0, 20.0]
    assert top.index.tolist() == [1, 2, 3]
    bottom = stats.bottom["Population"]
    assert bottom["label"].tolist() == ["A", "C", "D"]
    assert "E" not in stats.top["Population"]["label"].tolist() + bottom["label"].tolist()
    assert len(analyze_sheet(countries(), top=10).top["Population"]) == 4  # only 4 values present


def test_ties_keep_table_order() -> None:
    sheet = make_sheet(
        {"Name": ["x", "y", "z"], "V": [5.0, 5.0, 1.0]}, {"Name": Role.LABEL, "V": Role.NUMERIC}, "Name"
    )
    assert analyze_sheet(sheet, top=2).top["V"]["label"].tolist() == ["x", "y"]


def test_rows_without_label_column_are_named_by_number() -> None:
    sheet = make_sheet({"V": [3.0, 9.0, 1.0]}, {"V": Role.NUMERIC})
    stats = analyze_sheet(sheet, top=2)
    assert stats.top["V"]["label"].tolist() == ["row 2", "row 1"]
    assert stats.label_name == "Row"


def test_group_aggregates_sum_mean_count() -> None:
    groups = analyze_sheet(countries()).groups["Region"]
    assert groups.loc["North", ("Population", "sum")] == 30.0
    assert groups.loc["North", ("Population", "mean")] == 15.0
    assert groups.loc["North", ("Population", "count")] == 2
    assert groups.loc["South", ("Population", "sum")] == 40.0  # E's missing population is not counted
    assert groups.loc["South", ("Population", "count")] == 1
    assert groups.loc["(blank)", ("Area", "sum")] == 4.0  # a blank category is a group of its own
    assert list(groups.index) == ["(blank)", "North", "South"]


def test_group_with_no_values_has_no_sum() -> None:
    sheet = make_sheet({"G": ["a", "b"], "V": [1.0, np.nan]}, {"G": Role.CATEGORY, "V": Role.NUMERIC})
    groups = analyze_sheet(sheet).groups["G"]
    assert groups.loc["a", ("V", "sum")] == 1.0
    assert np.isnan(groups.loc["b", ("V", "sum")])
    assert groups.loc["b", ("V", "count")] == 0


def test_correlation_of_perfectly_related_columns() -> None:
    corr = analyze_sheet(countries()).correlations
    assert corr.loc["Area", "Double area"] == pytest.approx(1.0)
    assert corr.loc["Area", "Area"] == pytest.approx(1.0)
    assert list(corr.columns) == ["Population", "Area", "Double area"]


def test_negative_correlation() -> None:
    sheet = make_sheet(
        {"a": [1.0, 2.0, 3.0, 4.0], "b": [8.0, 6.0, 4.0, 2.0]}, {"a": Role.NUMERIC, "b": Role.NUMERIC}
    )
    assert analyze_sheet(sheet).correlations.loc["a", "b"] == pytest.approx(-1.0)


def test_correlation_needs_two_metrics_and_three_rows() -> None:
    one_metric = make_sheet({"a": [1.0, 2.0, 3.0]}, {"a": Role.NUMERIC})
    assert analyze_sheet(one_metric).correlations.empty
    two_rows = make_sheet({"a": [1.0, 2.0], "b": [2.0, 4.0]}, {"a": Role.NUMERIC, "b": Role.NUMERIC})
    stats = analyze_sheet(two_rows)
    assert stats.correlations.empty
    assert any("Correlations not computed" in note for note in stats.notes)


def test_unparseable_values_become_missing() -> None:
    sheet = make_sheet({"v": ["1", "x", "3", float("inf")]}, {"v": Role.NUMERIC})
    row = analyze_sheet(sheet).describe.loc["v"]
    assert row["count"] == 2 and row["missing"] == 2 and row["sum"] == 4.0


def test_sheet_without_metrics_still_analyses() -> None:
    sheet = make_sheet(
        {"Name": ["a", "b"], "Kind": ["x", "y"]}, {"Name": Role.LABEL, "Kind": Role.CATEGORY}, "Name"
    )
    stats = analyze_sheet(sheet)
    assert stats.describe.empty and stats.top == {} and stats.groups == {} and stats.correlations.empty
    assert stats.columns.loc["Kind", "kind"] == "category"


def test_columns_table_counts_missing_and_distinct() -> None:
    columns = analyze_sheet(countries()).columns
    assert columns.loc["Region"].to_dict() == {
        "kind": "category",
        "non_missing": 4,
        "missing": 1,
        "distinct": 2,
    }
    assert columns.loc["Population", "kind"] == "numeric"


def test_histogram_counts_every_value_and_goes_log_for_skewed_data() -> None:
    values = np.concatenate([np.full(90, 1_000.0), np.geomspace(1e4, 1e9, 10)])
    sheet = make_sheet({"v": values, "w": np.arange(100.0)}, {"v": Role.NUMERIC, "w": Role.NUMERIC})
    stats = analyze_sheet(sheet)
    assert stats.histograms["v"].log_scale is True
    assert stats.histograms["v"].counts.sum() == 100
    assert stats.histograms["w"].log_scale is False
    assert stats.histograms["w"].counts.sum() == 100
    assert stats.histograms["w"].to_frame().columns.tolist() == ["from", "to", "count"]


def test_analyze_workbook_keeps_sheets_and_notes_and_rejects_bad_top() -> None:
    book = Workbook(name="book", source="x.xlsx", sheets=[countries()], notes=["skipped Sheet2: empty"])
    stats = analyze_workbook(book, top=2)
    assert [s.name for s in stats.sheets] == ["Countries"]
    assert stats.notes == ["skipped Sheet2: empty"]
    assert stats.sheets[0].notes[0] == "cleaned"
    assert len(stats.sheets[0].top["Area"]) == 2
    with pytest.raises(ValueError):
        analyze_sheet(countries(), top=0)


def test_large_sheet_counts_every_row() -> None:
    rng = np.random.default_rng(0)
    n = 100_000
    frame = {"id": [f"r{i}" for i in range(n)], "g": rng.choice(list("abcde"), n)}
    roles = {"id": Role.LABEL, "g": Role.CATEGORY}
    for k in range(6):
        frame[f"m{k}"] = rng.normal(size=n)
        roles[f"m{k}"] = Role.NUMERIC
    stats = analyze_sheet(make_sheet(frame, roles, "id"))
    assert stats.describe["count"].tolist() == [n] * 6
    assert stats.groups["g"][("m0", "count")].sum() == n


# ---------------------------------------------------------------- statistics-office tables (issue 10)


def test_rankings_one_level_at_a_time() -> None:
    from gdrivestats.workbook import sheet_from_frame

    sheet = sheet_from_frame(pd.DataFrame(OUTLINE, columns=["Area", "2020", "2021"]), name="areas")
    stats = analyze_sheet(sheet, top=3)
    assert stats.level == "level 3" and stats.levels == ["level 1", "level 2", "level 3"]
    assert stats.top["2021"]["label"].tolist() == ["Beta 1", "Gamma 1", "Beta 2"]  # sub-areas only
    assert stats.describe.loc["2020", "sum"] == 105  # North + South once, not three times
    assert stats.level_top["level 1"]["2021"]["label"].tolist() == ["North", "South"]
    assert stats.level_top["level 2"]["2021"]["label"].tolist() == ["Beta", "Gamma", "Alpha"]
    groups = stats.groups["parent"]
    assert groups.loc["Beta", ("2020", "sum")] == 35  # parts summed by their parent
    assert "level" not in stats.metrics
    aside = stats.set_aside_table()
    assert aside["reason"].tolist()[0] == "aggregate: the sum of the 2 rows below it (level 1)"
    assert aside["Area"].tolist()[:3] == ["North", "Alpha", "Beta"]


def test_latest_period_leads_the_rankings() -> None:
    sheet = make_sheet(
        {
            "County": ["A", "B", "C"],
            "2020": [3.0, 1.0, 2.0],
            "2025": [1.0, 2.0, 3.0],
            "2030": [1.0, 3.0, 2.0],
        },
        {"County": Role.LABEL, "2020": Role.NUMERIC, "2025": Role.NUMERIC, "2030": Role.NUMERIC},
        label="County",
    )
    stats = analyze_sheet(sheet)
    assert stats.time_columns == ["2020", "2025", "2030"] and stats.latest_period == "2030"
    assert stats.metrics[0] == "2030"
    assert stats.top["2030"]["label"].tolist()[0] == "B"


def test_codes_are_never_measures_and_years_label_rows() -> None:
    sheet = make_sheet(
        {"Year": [2020, 2021, 2022], "Code": [11, 12, 13], "Total": [5.0, 7.0, 6.0]},
        {"Year": Role.DATE, "Code": Role.ID, "Total": Role.NUMERIC},
    )
    stats = analyze_sheet(sheet)
    assert stats.metrics == ["Total"]
    assert stats.top["Total"]["label"].tolist() == ["2021", "2022", "2020"]  # the year, not "row 2"


def test_histogram_of_values_too_close_for_bins_is_one_bin() -> None:
    from gdrivestats.analysis import histogram

    values = pd.Series([1e16, 1e16 + 2, 1e16 + 2, 1e16])  # distinct, but closer than 10 float steps apart
    result = histogram(values)
    assert result.counts.tolist() == [4] and len(result.edges) == 2


def test_rates_percentages_and_per_capita_figures_get_no_sum() -> None:
    from gdrivestats.analysis import describe_table, group_table

    numbers = pd.DataFrame(
        {
            "Population": [10.0, 20.0],
            "GDP per capita": [5.0, 7.0],
            "Percent of total employed Women": [40.0, 60.0],
        }
    )
    described = describe_table(numbers)
    assert described.at["Population", "sum"] == 30
    assert np.isnan(described.at["GDP per capita", "sum"])
    assert np.isnan(described.at["Percent of total employed Women", "sum"])
    assert described.at["GDP per capita", "mean"] == 6
    groups = group_table(numbers, pd.Series(["a", "a"]))
    assert groups.loc["a", ("Population", "sum")] == 30
    assert np.isnan(groups.loc["a", ("GDP per capita", "sum")])
    assert groups.loc["a", ("GDP per capita", "mean")] == 6


def test_correlations_of_a_very_wide_sheet_are_capped_with_a_note() -> None:
    from gdrivestats.analysis import MAX_CORRELATION_METRICS, analyze_sheet
    from gdrivestats.workbook import sheet_from_frame

    rng = np.random.default_rng(7)
    frame = pd.DataFrame(rng.integers(0, 100, size=(30, 60)), columns=[f"m{i}" for i in range(60)])
    stats = analyze_sheet(sheet_from_frame(frame, name="wide"))
    assert stats.correlations.shape == (MAX_CORRELATION_METRICS, MAX_CORRELATION_METRICS)
    assert any(f"Correlations between the first {MAX_CORRELATION_METRICS} of " in n for n in stats.notes)


def test_an_aggregate_column_is_carried_and_left_out_of_the_correlations() -> None:
    sheet = make_sheet(
        {
            "Age": ["0-4", "5-9", "10-14", "15-19"],
            "Male": [51.0, 46.0, 40.0, 38.0],
            "Female": [49.0, 44.0, 41.0, 35.0],
            "Total": [100.0, 90.0, 81.0, 73.0],
        },
        {"Age": Role.LABEL, "Male": Role.NUMERIC, "Female": Role.NUMERIC, "Total": Role.NUMERIC},
        label="Age",
    )
    sheet.aggregate_columns = {"Total": ["Male", "Female"]}
    stats = analyze_sheet(sheet)
    assert stats.aggregate_columns == {"Total": ["Male", "Female"]}
    assert list(stats.correlations.columns) == ["Male", "Female"]  # Total against its own parts says nothing
    assert stats.describe.loc["Total", "sum"] == 344.0  # still described on its own


def test_the_unit_is_shown_once_without_its_brackets() -> None:
    stats = analyze_sheet(countries())
    for unit, shown in (("(Среден годишен брой)", "Среден годишен брой"), ("[Numbers in thousands]",
                        "Numbers in thousands"), ("KSh  million", "KSh million"), (None, "")):  # fmt: skip
        stats.unit = unit
        assert stats.unit_text == shown
