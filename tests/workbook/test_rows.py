"""Rows: duplicates, total rows (by label and by sum), shifted rows, grouped labels, empty rows."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from gdrivestats.workbook import load_workbook
from gdrivestats.workbook.aggregates import TOTAL_NAMED, TOTAL_WORD, total_kind, total_kinds
from tests.workbook.support import COUNTRIES, one_sheet


def test_exact_duplicate_rows_dropped(tmp_path: Path) -> None:
    rows = [["Country", "Region", "Population", "Area"], *COUNTRIES, COUNTRIES[1], COUNTRIES[1]]
    sheet = one_sheet(tmp_path, rows)
    assert sheet.data["Country"].tolist() == ["Kenya", "Peru", "Chad", "Fiji"]
    assert "Dropped 2 duplicate rows (same values in every column): rows 6, 7" in sheet.notes


def test_total_and_world_rows_set_aside(tmp_path: Path) -> None:
    rows = [
        ["Country", "Region", "Population", "Area"],
        ["World", None, 7800.0, 148940000],
        *COUNTRIES,
        ["Total", None, 104.9, 3167857],
    ]
    sheet = one_sheet(tmp_path, rows)
    assert sheet.set_aside["Country"].tolist() == ["World", "Total"]
    assert sheet.data["Country"].tolist() == ["Kenya", "Peru", "Chad", "Fiji"]
    assert "Set aside 2 total rows labelled as totals: 'World', 'Total'" in sheet.notes


def test_country_above_its_counties_is_a_total(tmp_path: Path) -> None:
    rows = [
        ["County", 2020, 2025],
        ["Kenya", 100, 201],
        ["Alpha", 50, 100],
        ["Beta", 30, 61],
        ["Gamma", 20, 40],
    ]
    sheet = one_sheet(tmp_path, rows)
    assert sheet.set_aside["County"].tolist() == ["Kenya"]
    assert sheet.data["County"].tolist() == ["Alpha", "Beta", "Gamma"]


def test_no_total_when_no_row_is_the_sum(tmp_path: Path) -> None:
    sheet = one_sheet(tmp_path, [["Country", "Region", "Population", "Area"], *COUNTRIES])
    assert sheet.set_aside.empty
    assert list(sheet.set_aside.columns) == list(sheet.data.columns)


def test_row_shifted_right_is_moved_back(tmp_path: Path) -> None:
    rows = [["Country", "Region", "Population", "Area"], *COUNTRIES[:3], [None, "Oman", "Asia", 4.5, 309500]]
    sheet = one_sheet(tmp_path, rows)
    oman = sheet.data.loc[sheet.data["Country"] == "Oman"].iloc[0]
    assert oman["Region"] == "Asia" and oman["Population"] == 4.5 and oman["Area"] == 309500
    assert "Row 5: values were shifted one column to the right of the header; moved them back" in sheet.notes
    assert list(sheet.data.columns) == ["Country", "Region", "Population", "Area"]


def test_text_in_number_column_is_reported(tmp_path: Path) -> None:
    rows = [["Country", "Region", "Population", "Area"], *COUNTRIES, ["Oman", "Asia", "unknown", 309500]]
    sheet = one_sheet(tmp_path, rows)
    assert pd.isna(sheet.data.loc[sheet.data["Country"] == "Oman", "Population"].item())
    assert "'Population': 1 value is not a number, set to missing: 'unknown' (row 6)" in sheet.notes


def test_group_labels_without_merge_are_filled_down(tmp_path: Path) -> None:
    path = tmp_path / "school.csv"
    lines = ["Age,Sex,2020,2021", "4-5,Male,1224,1229", ",Female,1239,1244", ",Total,2464,2473"]
    lines += ["6-11,Male,3558,3573", ",Female,3611,3636", ",Total,7169,7209"]
    path.write_text("\n".join(lines) + "\n")
    sheet = load_workbook(path).sheets[0]
    assert sheet.data["Age"].tolist() == ["4-5", "4-5", "6-11", "6-11"]
    assert sheet.data["Sex"].tolist() == ["Male", "Female", "Male", "Female"]
    assert sheet.set_aside["2020"].tolist() == [2464, 7169]
    assert "Filled 4 blank cells in 'Age' with the group label above them" in sheet.notes


def test_sporadic_missing_labels_are_not_filled(tmp_path: Path) -> None:
    path = tmp_path / "gaps.csv"
    path.write_text(
        "Country,Region,Population\nKenya,Africa,53.8\n,Asia,4.5\nPeru,Americas,33.0\nChad,Africa,17.2\n"
    )
    sheet = load_workbook(path).sheets[0]
    assert sheet.data["Country"].isna().tolist() == [False, True, False, False]
    assert not any("Filled" in note for note in sheet.notes)


def test_empty_rows_inside_the_table_are_dropped(tmp_path: Path) -> None:
    rows = [["Country", "Region", "Population", "Area"], *COUNTRIES[:2], [], [], *COUNTRIES[2:]]
    sheet = one_sheet(tmp_path, rows)
    assert sheet.data["Country"].tolist() == ["Kenya", "Peru", "Chad", "Fiji"]
    assert "Dropped 2 empty rows inside the table" in sheet.notes


def test_a_middle_row_equal_to_the_rest_is_not_a_total(tmp_path: Path) -> None:
    rows = [
        ["County", 2020, 2025],
        ["Alpha", 50, 100],
        ["Kenya", 100, 201],
        ["Beta", 30, 61],
        ["Gamma", 20, 40],
    ]
    sheet = one_sheet(tmp_path, rows)
    assert sheet.set_aside.empty
    assert len(sheet.data) == 4


def test_total_row_at_the_bottom_found_by_its_sum(tmp_path: Path) -> None:
    rows = [
        ["County", 2020, 2025],
        ["Alpha", 50, 100],
        ["Beta", 30, 61],
        ["Gamma", 20, 40],
        ["Republic", 100, 201],
    ]
    sheet = one_sheet(tmp_path, rows)
    assert sheet.set_aside["County"].tolist() == ["Republic"]
    assert sheet.data["County"].tolist() == ["Alpha", "Beta", "Gamma"]
    assert "Set aside 1 total row equal to the sum of the other rows: 'Republic'" in sheet.notes


def test_row_with_a_missing_field_is_moved_right(tmp_path: Path) -> None:
    rows = [
        ["Country", "Population", "Region", "Area"],
        ["Kenya", 53.8, "Africa", 580367],
        ["Peru", 33.0, "Americas", 1285216],
        ["Chad", 17.2, "Africa", 1284000],
        ["Oman", "Asia", 309500],
    ]
    sheet = one_sheet(tmp_path, rows)
    oman = sheet.data.loc[sheet.data["Country"] == "Oman"].iloc[0]
    assert pd.isna(oman["Population"]) and oman["Region"] == "Asia" and oman["Area"] == 309500
    assert "Row 5: values were shifted one column to the left of the header; moved them back" in sheet.notes


def test_odd_text_in_a_number_column_does_not_move_the_row(tmp_path: Path) -> None:
    rows = [["District", "Deaths", "Region"], ["A", 4, "North"], ["B", "<5", "South"], ["C", 7, "North"]]
    sheet = one_sheet(tmp_path, rows)
    assert sheet.data["Region"].tolist() == ["North", "South", "North"]
    assert not any("shifted" in note for note in sheet.notes)
    assert "'Deaths': 1 value is not a number, set to missing: '<5' (row 3)" in sheet.notes


SHOPS = [["Acme", 120, 12], ["Best Buy", 300, 30], ["Total Wine", 250, 20], ["Total Energies", 410, 33],
         ["Trader Joe's", 180, 16], ["Walmart", 390, 41], ["Zara", 95, 8]]  # fmt: skip


def test_names_that_start_with_total_are_data(tmp_path: Path) -> None:
    rows = [["Store", "Sales", "Staff"], *SHOPS, ["Total Kitchens", 60, 5]]  # last, but not the largest
    sheet = one_sheet(tmp_path, rows)
    assert sheet.data["Store"].tolist() == [s[0] for s in SHOPS] + ["Total Kitchens"]
    assert sheet.set_aside.empty and sheet.data["Sales"].sum() == 1805


def test_words_that_are_names_too_stay_data_in_the_middle_of_a_list(tmp_path: Path) -> None:
    rows = [["Store", "Sales", "Staff"], ["Aldi", 52, 14], ["Sum 41", 95, 21], ["All 3", 13, 32],
            ["Whole", 22, 27], ["Kroger", 84, 5], ["Todos", 38, 37], ["Lidl", 32, 43]]  # fmt: skip
    sheet = one_sheet(tmp_path, rows)
    assert sheet.data["Store"].tolist() == [r[0] for r in rows[1:]]
    assert sheet.set_aside.empty and sheet.data["Sales"].sum() == 336


def test_a_total_needs_its_sums_or_its_place_beside_the_word(tmp_path: Path) -> None:
    rows = [["Store", "Sales", "Staff"], *SHOPS, ["Total retail", 1745, 160], ["Online", 500, 20],
            ["Mail order", 80, 4], ["Total, all channels", 2325, 184]]  # fmt: skip
    sheet = one_sheet(tmp_path, rows)
    assert sheet.set_aside["Store"].tolist() == ["Total retail", "Total, all channels"]
    assert "Total Wine" in set(sheet.data["Store"]) and "Total Energies" in set(sheet.data["Store"])
    assert sheet.data["Sales"].sum() == 2325  # counted once


def test_total_kind_is_one_rule_in_many_languages() -> None:
    words = ["Total", "TOTAL", "Total, 16 years and over", "Grand total", "Subtotal", "Total (all ages)",
             "Общо", "Общо за страната", "Insgesamt", "World", "All-items", "Total [note 3]",
             "Total*", "Всичко", "Итого", "Ogółem", "Összesen", "合计", "Iš viso", "I alt"]  # fmt: skip
    named = [
        "Total Wine",
        "Total Energies",
        "Total softwood",
        "TOTAL GSVA at basic prices",
        "Общо заети",
        "All",
        "Sum",
        "Whole",
        "Todos",
        "Overall",
    ]  # fmt: skip  (names too: a total only if it adds up)
    data = [
        "Totally Awesome",
        "Whole Foods",
        "All Saints",
        "Worldwide Ltd",
        "Kenya",
        "",
        None,
        2020,
        "Sum 41",
    ]
    assert [total_kind(w) for w in words] == [TOTAL_WORD] * len(words)
    assert [total_kind(w) for w in named] == [TOTAL_NAMED] * len(named)
    assert [total_kind(w) for w in data] == [0] * len(data)
    column = pd.Series(["Total", "Kenya", None, "Total Wine", "Total"] * 20_000)  # once per distinct value
    assert total_kinds(column)[:5].tolist() == [TOTAL_WORD, 0, 0, TOTAL_NAMED, TOTAL_WORD]
