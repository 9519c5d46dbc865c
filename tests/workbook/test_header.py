"""The header found under titles, units and group rows; merged and two-row headers; notes under the table."""

from __future__ import annotations

from pathlib import Path

from gdrivestats.workbook import Role, load_workbook
from tests.workbook.support import COUNTRIES, one_sheet


def test_title_and_unit_rows_above_header(tmp_path: Path) -> None:
    sheet = one_sheet(
        tmp_path,
        [
            ["Table 4: Population and area by country"],
            [None, None, "Millions; square km"],
            [],
            ["Country", "Region", "Population", "Area"],
            *COUNTRIES,
        ],
    )
    assert sheet.header_row == 4
    assert sheet.title == "Table 4: Population and area by country"
    assert "Header found on row 4 under 2 title rows" in sheet.notes
    assert list(sheet.data.columns) == ["Country", "Region", "Population", "Area"]
    assert sheet.data.loc[sheet.data["Country"] == "Peru", "Area"].item() == 1285216
    assert len(sheet.data) == 4


def test_two_row_merged_header_is_flattened(tmp_path: Path) -> None:
    rows = [
        ["Country", "Population", None, "Area (km2)", None],
        [None, 2019, 2020, "2019", "2020"],
        ["Kenya", 52.6, 53.8, 580367, 580367],
        ["Peru", 32.5, 33.0, 1285216, 1285216],
        ["Fiji", 0.9, 0.9, 18274, 18274],
    ]
    sheet = one_sheet(tmp_path, rows, merges=["A1:A2", "B1:C1", "D1:E1"])
    expected = ["Country", "Population 2019", "Population 2020", "Area (km2) 2019", "Area (km2) 2020"]
    assert list(sheet.data.columns) == expected
    assert sheet.data.loc[sheet.data["Country"] == "Kenya", "Population 2020"].item() == 53.8
    assert "Joined the two header rows 1 and 2 into one name per column" in sheet.notes
    assert sheet.label_column == "Country"


def test_group_row_above_header_under_a_title(tmp_path: Path) -> None:
    rows = [
        ["Table 2: Population"],
        [None, "Population (millions)", None, None],
        ["Country", 2018, 2019, 2020],
        ["Kenya", 51.4, 52.6, 53.8],
        ["Peru", 32.0, 32.5, 33.0],
        ["Fiji", 0.9, 0.9, 0.9],
    ]
    sheet = one_sheet(tmp_path, rows, merges=["B2:D2"])
    assert list(sheet.data.columns) == [
        "Country",
        "Population (millions) 2018",
        "Population (millions) 2019",
        "Population (millions) 2020",
    ]
    assert sheet.header_row == 3


def test_merged_row_labels_are_filled_down(tmp_path: Path) -> None:
    rows = [
        ["Province", "District", "Schools"],
        ["North", "Alpha", 12],
        [None, "Beta", 7],
        [None, "Gamma", 3],
        ["South", "Delta", 9],
        [None, "Epsilon", 4],
    ]
    sheet = one_sheet(tmp_path, rows, merges=["A2:A4", "A5:A6"])
    assert sheet.data["Province"].tolist() == ["North", "North", "North", "South", "South"]
    assert "Filled 3 cells of merged row labels in 'Province' from the label above" in sheet.notes
    assert sheet.label_column == "District"
    assert sheet.roles["Province"] == Role.CATEGORY


def test_notes_under_the_table_become_footnotes(tmp_path: Path) -> None:
    rows = [
        ["Country", "Region", "Population", "Area"],
        *COUNTRIES,
        [],
        ["Source: National statistics offices, 2020"],
        ["* provisional figures"],
    ]
    sheet = one_sheet(tmp_path, rows)
    assert sheet.footnotes == ["Source: National statistics offices, 2020", "* provisional figures"]
    assert "Kept 2 lines of notes under the table as footnotes" in sheet.notes
    assert len(sheet.data) == 4
    assert not sheet.data["Country"].str.startswith("Source").any()


def test_year_headers_as_numbers_and_text(tmp_path: Path) -> None:
    rows = [
        ["County", 2039, 2040.0, "2041", " 2042 "],
        ["A", 1, 2, 3, 4],
        ["B", 5, 6, 7, 8],
        ["C", 9, 9, 9, 9],
    ]
    sheet = one_sheet(tmp_path, rows)
    assert list(sheet.data.columns) == ["County", "2039", "2040", "2041", "2042"]


def test_csv_with_title_lines_and_notes(tmp_path: Path) -> None:
    path = tmp_path / "report.csv"
    lines = ["Table 7: Area by country", "(square km)", "", "Country,Region,Area", "Kenya,Africa,580367"]
    lines += ["Peru,Americas,1285216", "Chad,Africa,1284000", "", "Source: GeoNames"]
    path.write_text("\n".join(lines) + "\n")
    sheet = load_workbook(path).sheets[0]
    assert sheet.header_row == 4
    assert sheet.title == "Table 7: Area by country"
    assert sheet.unit == "(square km)"
    assert sheet.data["Area"].tolist() == [580367, 1285216, 1284000]
    assert sheet.footnotes == ["Source: GeoNames"]
    assert "Header found on row 4 under 2 title rows" in sheet.notes


def test_two_row_header_in_csv_without_merges(tmp_path: Path) -> None:
    path = tmp_path / "two.csv"
    lines = ["Country,Population,,Area,", ",2019,2020,2019,2020", "Kenya,52.6,53.8,580367,580367"]
    lines += ["Peru,32.5,33.0,1285216,1285216", "Fiji,0.9,0.9,18274,18274"]
    path.write_text("\n".join(lines) + "\n")
    sheet = load_workbook(path).sheets[0]
    assert list(sheet.data.columns) == [
        "Country",
        "Population 2019",
        "Population 2020",
        "Area 2019",
        "Area 2020",
    ]
    assert sheet.data["Population 2020"].tolist() == [53.8, 33.0, 0.9]


def test_title_row_with_two_cells_is_not_the_header(tmp_path: Path) -> None:
    rows = [
        ["Table 3: Area", None, None, "Updated 2024"],
        ["Country", "Region", "Population", "Area"],
        *COUNTRIES,
    ]
    sheet = one_sheet(tmp_path, rows)
    assert list(sheet.data.columns) == ["Country", "Region", "Population", "Area"]
    assert sheet.header_row == 2
    assert sheet.title == "Table 3: Area"
