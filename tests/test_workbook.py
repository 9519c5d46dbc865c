"""Tests of the workbook loader on the real spreadsheets in tests/data, with values read from the files."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from gdrivestats.workbook import Role, Sheet, Workbook, load_workbook

DATA = Path(__file__).parent / "data"
COTW = DATA / "cotw_quoted_crlf.csv"
KNBS = DATA / "knbs_population_projections.xlsx"


@pytest.fixture(scope="module")
def cotw() -> Sheet:
    book = load_workbook(str(COTW))  # a str path works as well as a Path
    assert book.name == "cotw_quoted_crlf"
    assert len(book.sheets) == 1
    return book.sheets[0]


@pytest.fixture(scope="module")
def knbs() -> Workbook:
    return load_workbook(KNBS)


def row(sheet: Sheet, label: str, column: str | None = None) -> pd.Series:
    """The one data row whose label column (or ``column``) is ``label``."""
    found = sheet.data.loc[sheet.data[column or sheet.label_column] == label]
    assert len(found) == 1, f"{label!r} found {len(found)} times"
    return found.iloc[0]


# ---------------------------------------------------------------- countries of the world (CSV)


def test_cotw_shape_and_roles(cotw: Sheet) -> None:
    assert cotw.data.shape == (227, 20)
    assert cotw.label_column == "Country"
    assert cotw.roles["Country"] == Role.LABEL
    assert cotw.roles["Region"] == Role.CATEGORY
    assert cotw.columns_with(Role.NUMERIC)[:3] == [
        "Population",
        "Area (sq. mi.)",
        "Pop. Density (per sq. mi.)",
    ]
    assert len(cotw.columns_with(Role.NUMERIC)) == 18
    assert cotw.set_aside.empty
    assert cotw.footnotes == []


def test_cotw_values_as_in_the_file(cotw: Sheet) -> None:
    kenya = row(cotw, "Kenya")
    assert kenya["Population"] == 34707817
    assert kenya["Area (sq. mi.)"] == 582650
    assert kenya["Pop. Density (per sq. mi.)"] == pytest.approx(59.6)  # "59,6" in the file
    assert kenya["Literacy (%)"] == pytest.approx(85.1)
    assert kenya["Climate"] == pytest.approx(1.5)  # "1,5"
    assert kenya["Region"] == "SUB-SAHARAN AFRICA"  # padded with spaces in the file
    france = row(cotw, "France")
    assert france["GDP ($ per capita)"] == 27600
    assert france["Agriculture"] == pytest.approx(0.022)  # "0,022": a decimal comma, not a thousands mark
    afghanistan = row(cotw, "Afghanistan")
    assert afghanistan["Pop. Density (per sq. mi.)"] == pytest.approx(48.0)  # "48,0"
    assert afghanistan["Net migration"] == pytest.approx(23.06)


def test_cotw_types_and_missing(cotw: Sheet) -> None:
    assert cotw.data["Population"].dtype == "int64"
    assert cotw.data["Pop. Density (per sq. mi.)"].dtype == "float64"
    assert cotw.data["Literacy (%)"].isna().sum() == 18  # 18 countries have no literacy figure
    assert pd.isna(row(cotw, "American Samoa")["Agriculture"])
    assert int(cotw.data["Population"].sum()) == 6524044551


def test_cotw_notes_say_what_changed(cotw: Sheet) -> None:
    assert "Read as a text table with fields separated by commas" in cotw.notes
    assert (
        "Converted 'Pop. Density (per sq. mi.)': 227 text numbers to numbers (227 with decimal commas)"
        in cotw.notes
    )
    assert "Stripped extra spaces from 215 values in 'Region'" in cotw.notes
    assert not any(note.startswith("Converted 'Population'") for note in cotw.notes)  # plain CSV numbers


# ---------------------------------------------------------------- KNBS population projections (xlsx)


def test_knbs_reads_every_sheet(knbs: Workbook) -> None:
    assert [s.name for s in knbs.sheets] == ["Table 19.1", "Table 19.2", "Table 19.3", "Table 19.4"]
    assert knbs.notes == []
    assert knbs.name == "knbs_population_projections"


def test_knbs_header_under_title_and_unit_rows(knbs: Workbook) -> None:
    county = knbs.sheets[1]
    assert county.header_row == 3
    assert county.title == "Table 19.2: Projected Population by County, 2020-2045"
    assert county.unit == "Number '000"
    assert "Header found on row 3 under 2 title rows" in county.notes
    assert list(county.data.columns) == ["County", *map(str, [*range(2020, 2026), 2030, 2035, 2040, 2045])]


def test_knbs_year_headers_are_strings(knbs: Workbook) -> None:
    county = knbs.sheets[1]
    assert "2040" in county.data.columns  # the cell holds the text '2040'
    assert "2020" in county.data.columns  # the cell holds the number 2020
    assert county.roles["2040"] == Role.NUMERIC
    assert row(county, "Mombasa")["2040"] == 1758
    assert row(county, "Nairobi City")["2045"] == 6180


def test_knbs_national_total_set_aside(knbs: Workbook) -> None:
    county = knbs.sheets[1]
    assert len(county.data) == 47
    assert "Kenya" not in set(county.data["County"])
    assert county.set_aside["County"].tolist() == ["Kenya"]
    assert county.set_aside.loc[0, "2020"] == 48818
    assert "Set aside 1 total row equal to the sum of the other rows: 'Kenya'" in county.notes
    labour = knbs.sheets[3]
    assert labour.set_aside["County"].tolist() == ["Kenya"]
    assert row(labour, "Nairobi City")["2030"] == 3650


def test_knbs_padded_label_stripped(knbs: Workbook) -> None:
    county = knbs.sheets[1]
    assert row(county, "Busia")["2020"] == 914  # 'Busia ' in the file
    assert "Stripped extra spaces from 1 value in 'County'" in county.notes


def test_knbs_merged_labels_forward_filled(knbs: Workbook) -> None:
    school = knbs.sheets[2]
    assert list(school.data.columns[:3]) == ["Age", "Sex", "2020"]  # merged 'Age / Sex' split in two
    assert school.data["Age"].notna().all()
    females = school.data.loc[school.data["Sex"] == "Female"].set_index("Age")
    assert females.loc["6-11", "2020"] == 3611
    assert females.loc["14-17", "2030"] == 2433
    assert "Filled 14 cells of merged row labels in 'Age' from the label above" in school.notes
    assert school.roles["Age"] == Role.CATEGORY and school.roles["Sex"] == Role.CATEGORY


def test_knbs_total_rows_and_notes_under_the_table(knbs: Workbook) -> None:
    school = knbs.sheets[2]
    assert len(school.data) == 14
    assert set(school.data["Sex"]) == {"Male", "Female"}
    assert school.set_aside["Sex"].tolist() == ["Total"] * 7
    assert school.set_aside.loc[0, "2020"] == 2464
    assert school.footnotes[0] == "Note"
    assert school.footnotes[1].startswith("CBC: pre-school - population age 4-5 years")
    assert school.footnotes[2].startswith("8-4-4: pre-school")
    assert len(school.footnotes) == 3


def test_knbs_year_column_is_a_date(knbs: Workbook) -> None:
    national = knbs.sheets[0]
    assert national.roles == {
        "Year": Role.DATE,
        "Male": Role.NUMERIC,
        "Female": Role.NUMERIC,
        "Total": Role.NUMERIC,
    }
    assert national.data["Year"].tolist()[-1] == 2045
    assert national.data.set_index("Year").loc[2030, "Total"] == 57811
    assert national.set_aside.empty  # the 'Total' column is a column, not a total row


def test_knbs_only_one_sheet(knbs: Workbook) -> None:
    book = load_workbook(KNBS, sheet="Table 19.4")
    assert [s.name for s in book.sheets] == ["Table 19.4"]
    assert book.sheets[0].data.shape == (47, 12)


# ---------------------------------------------------------------- .xls (made with xlwt, see the README)


def test_xls_with_merged_header_totals_and_notes() -> None:
    book = load_workbook(DATA / "synthetic_counties.xls")
    assert book.notes == ["Skipped sheet 'About': no column holds numbers"]
    sheet = book.sheets[0]
    assert list(sheet.data.columns) == ["County", "Population Male", "Population Female", "Area (km2)"]
    assert sheet.header_row == 4
    assert sheet.title == "Table 1: Population by county and sex, 2019"
    assert sheet.unit == "Number in '000"
    assert sheet.data["County"].tolist() == ["Mombasa", "Kwale", "Kilifi"]
    assert sheet.data["Area (km2)"].tolist() == [219.9, 8270.2, 12539.7]  # "8 270,2"
    assert sheet.data["Population Female"].tolist() == [598, 441, 749]
    assert sheet.set_aside["County"].tolist() == ["Coast"]
    assert sheet.footnotes == ["Source: synthetic figures for tests"]
    assert "Joined the two header rows 3 and 4 into one name per column" in sheet.notes
