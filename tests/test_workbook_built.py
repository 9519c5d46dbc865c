"""Tests of the workbook loader on small workbooks built in each test: every kind of mess, one at a time."""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pandas as pd
from openpyxl import Workbook as OpenpyxlWorkbook

from gdrivestats.workbook import Role, Sheet, load_workbook, sheet_from_frame

Rows = Sequence[Sequence[Any]]


def write_xlsx(path: Path, sheets: dict[str, Rows], merges: dict[str, list[str]] | None = None) -> Path:
    """An .xlsx with one sheet per entry; ``merges`` lists merged ranges ('B1:C1') per sheet."""
    book = OpenpyxlWorkbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for values in rows:
            sheet.append(list(values))
        for cells in (merges or {}).get(name, []):
            sheet.merge_cells(cells)
    book.save(path)
    return path


def one_sheet(tmp_path: Path, rows: Rows, merges: Sequence[str] = ()) -> Sheet:
    path = write_xlsx(tmp_path / "t.xlsx", {"data": rows}, {"data": list(merges)})
    book = load_workbook(path)
    assert len(book.sheets) == 1
    return book.sheets[0]


def write_ods(path: Path, rows: Rows) -> Path:
    """A minimal OpenDocument spreadsheet written by hand (no odfpy needed): one sheet named 'data'."""

    def cell(value: Any) -> str:
        if value is None:
            return "<table:table-cell/>"
        if isinstance(value, int | float):
            kind = f'office:value-type="float" office:value="{value}"'
        else:
            kind, value = 'office:value-type="string"', escape(str(value))
        return f"<table:table-cell {kind}><text:p>{value}</text:p></table:table-cell>"

    body = "".join(f"<table:table-row>{''.join(map(cell, r))}</table:table-row>" for r in rows)
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="data">{body}</table:table>'
        "</office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
        'manifest:version="1.2"><manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED)
        archive.writestr("META-INF/manifest.xml", manifest)
        archive.writestr("content.xml", content)
    return path


COUNTRIES = [
    ["Kenya", "Africa", 53.8, 580367],
    ["Peru", "Americas", 33.0, 1285216],
    ["Chad", "Africa", 17.2, 1284000],
    ["Fiji", "Oceania", 0.9, 18274],
]


# ---------------------------------------------------------------- layout


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


# ---------------------------------------------------------------- numbers written as text


def test_decimal_commas_in_text_cells(tmp_path: Path) -> None:
    rows = [["Country", "Rate"], ["Kenya", "1,5"], ["Peru", "2,25"], ["Chad", "0,75"], ["Fiji", "12"]]
    sheet = one_sheet(tmp_path, rows)
    assert sheet.data["Rate"].tolist() == [1.5, 2.25, 0.75, 12.0]
    assert "Converted 'Rate': 4 text numbers to numbers (3 with decimal commas)" in sheet.notes


def test_thousands_separators_percentages_and_currency(tmp_path: Path) -> None:
    rows = [
        ["Country", "Population", "Literacy", "GDP per head"],
        ["Kenya", "53,771,296", "81.5%", "$1,838"],
        ["Peru", "32,971,854", "94.5%", "$6,126.90"],
        ["Chad", "16,425,864", "22%", "€ 660"],
        ["Fiji", "896,445", "99.1 %", "US$ 4,881"],
    ]
    sheet = one_sheet(tmp_path, rows)
    assert sheet.data["Population"].tolist() == [53771296, 32971854, 16425864, 896445]
    assert sheet.data["Literacy"].tolist() == [81.5, 94.5, 22.0, 99.1]
    assert sheet.data["GDP per head"].tolist() == [1838.0, 6126.9, 660.0, 4881.0]
    assert "Converted 'Population': 4 text numbers to numbers (4 with thousands separators)" in sheet.notes
    assert "Converted 'Literacy': 4 text numbers to numbers (4 with percent signs)" in sheet.notes
    assert any("GDP per head" in n and "4 with currency signs" in n for n in sheet.notes)
    assert sheet.roles["Population"] == Role.NUMERIC


def test_footnote_markers_on_numbers_and_headers(tmp_path: Path) -> None:
    rows = [
        ["County", "Sex*", "2020+", "2022*"],
        ["Alpha", "F", 10, "12*"],
        ["Beta", "M", 11, "13"],
        ["Gamma", "F", 12, "14¹"],
        ["Delta", "M", 13, "15"],
    ]
    sheet = one_sheet(tmp_path, rows)
    assert list(sheet.data.columns) == ["County", "Sex", "2020", "2022"]
    assert sheet.data["2022"].tolist() == [12, 13, 14, 15]
    assert "Removed footnote markers from 3 column names: 'Sex*', '2020+', '2022*'" in sheet.notes
    assert any("'2022'" in n and "2 with footnote markers" in n for n in sheet.notes)


def test_placeholders_become_missing(tmp_path: Path) -> None:
    rows = [
        ["Country", "Deaths"],
        ["Kenya", 10],
        ["Peru", ".."],
        ["Chad", "-"],
        ["Fiji", "–"],
        ["Oman", "n/a"],
        ["Laos", "..."],
        ["Mali", "  "],
        ["Cuba", 30],
    ]
    sheet = one_sheet(tmp_path, rows)
    deaths = sheet.data.set_index("Country")["Deaths"]
    assert deaths["Kenya"] == 10 and deaths["Cuba"] == 30
    assert deaths[["Peru", "Chad", "Fiji", "Oman", "Laos", "Mali"]].isna().all()
    note = next(n for n in sheet.notes if n.startswith("Set 5 placeholder values"))
    assert "'..'" in note and "in 'Deaths' to missing" in note


def test_year_headers_as_numbers_and_text(tmp_path: Path) -> None:
    rows = [
        ["County", 2039, 2040.0, "2041", " 2042 "],
        ["A", 1, 2, 3, 4],
        ["B", 5, 6, 7, 8],
        ["C", 9, 9, 9, 9],
    ]
    sheet = one_sheet(tmp_path, rows)
    assert list(sheet.data.columns) == ["County", "2039", "2040", "2041", "2042"]


# ---------------------------------------------------------------- rows


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


# ---------------------------------------------------------------- roles and types


def test_roles_label_category_numeric_date_text(tmp_path: Path) -> None:
    rows = [["Country", "Region", "Updated", "Population", "Comment"]]
    for i in range(12):
        comment = f"Figures revised after census round {i} with a long explanation of method"
        rows.append(
            [f"Country {i}", ["North", "South"][i % 2], dt.datetime(2020, 1, i + 1), i * 1.5, comment]
        )
    sheet = one_sheet(tmp_path, rows)
    assert sheet.roles == {
        "Country": Role.LABEL,
        "Region": Role.CATEGORY,
        "Updated": Role.DATE,
        "Population": Role.NUMERIC,
        "Comment": Role.TEXT,
    }
    assert sheet.label_column == "Country"
    assert sheet.data["Updated"].iloc[2] == pd.Timestamp("2020-01-03")


def test_dates_written_as_text(tmp_path: Path) -> None:
    rows = [["Date", "Cases"], ["2020-03-01", 5], ["2020-03-02", 8], ["2020-03-03", 13]]
    sheet = one_sheet(tmp_path, rows)
    assert sheet.roles["Date"] == Role.DATE
    assert sheet.data["Date"].tolist() == list(pd.to_datetime(["2020-03-01", "2020-03-02", "2020-03-03"]))


def test_sheet_without_numbers_is_skipped_with_a_note(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "two.xlsx",
        {"About": [["About this file"], ["Made by the statistics office"]], "Data": [["A", "B"], ["x", 1]]},
    )
    book = load_workbook(path)
    assert [s.name for s in book.sheets] == ["Data"]
    assert book.notes == ["Skipped sheet 'About': no column holds numbers"]


def test_sheet_from_frame_cleans_like_a_sheet() -> None:
    frame = pd.DataFrame(
        {
            "Country ": ["Kenya", "Peru", "Chad", "Total"],
            "GDP*": ["1.838", "6.126", "660", "8.624"],
            "Share": ["21%", "71%", "8%", "100%"],
        }
    )
    sheet = sheet_from_frame(frame, name="gdp")
    assert sheet.name == "gdp"
    assert list(sheet.data.columns) == ["Country", "GDP", "Share"]
    assert sheet.data["Share"].tolist() == [21.0, 71.0, 8.0]
    assert sheet.set_aside["Country"].tolist() == ["Total"]
    assert sheet.label_column == "Country"


# ---------------------------------------------------------------- other file types


def test_semicolon_csv_with_decimal_commas(tmp_path: Path) -> None:
    path = tmp_path / "de.csv"
    path.write_text(
        "Land;Einwohner;Fläche\nDeutschland;83.200.000;357,6\nÖsterreich;8.900.000;83,9\nSchweiz;8.700.000;41,3\n"
    )
    sheet = load_workbook(path).sheets[0]
    assert sheet.data["Einwohner"].tolist() == [83200000, 8900000, 8700000]
    assert sheet.data["Fläche"].tolist() == [357.6, 83.9, 41.3]
    assert "Read as a text table with fields separated by semicolons" in sheet.notes
    assert "Converted 'Fläche': 3 text numbers to numbers (3 with decimal commas)" in sheet.notes


def test_tsv(tmp_path: Path) -> None:
    path = tmp_path / "t.tsv"
    path.write_text(
        "Country\tPopulation\tGDP, per head\nKenya\t53.8\t1,838\nPeru\t33.0\t6,126\nFiji\t0.9\t4,881\n"
    )
    sheet = load_workbook(path).sheets[0]
    assert list(sheet.data.columns) == ["Country", "Population", "GDP, per head"]
    assert sheet.data["GDP, per head"].tolist() == [1838, 6126, 4881]
    assert "Read as a text table with fields separated by tabs" in sheet.notes


def test_csv_name_containing_the_separator(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    lines = ["Country,Region,Population,Area", "Kenya,Africa,53.8,580367", "Korea, South,Asia,51.7,100210"]
    lines += ["Peru,Americas,33.0,1285216", "Chad,Africa,17.2,1284000"]
    path.write_text("\r\n".join(lines) + "\r\n")
    sheet = load_workbook(path).sheets[0]
    korea = sheet.data.loc[sheet.data["Country"] == "Korea, South"].iloc[0]
    assert korea["Region"] == "Asia" and korea["Population"] == 51.7 and korea["Area"] == 100210
    assert list(sheet.data.columns) == ["Country", "Region", "Population", "Area"]
    assert "Row 3: one field too many; 'Korea, South' contains the separator, joined it again" in sheet.notes


def test_csv_in_windows_1252(tmp_path: Path) -> None:
    path = tmp_path / "w.csv"
    path.write_bytes("Pays,Population\nCôte d'Ivoire,26.4\nBénin,12.1\nTogo,8.3\n".encode("cp1252"))
    sheet = load_workbook(path).sheets[0]
    assert sheet.data["Pays"].tolist() == ["Côte d'Ivoire", "Bénin", "Togo"]
    assert "The file is not UTF-8; it was read as Windows-1252 text" in sheet.notes


def test_ods(tmp_path: Path) -> None:
    path = write_ods(
        tmp_path / "t.ods",
        [
            ["Population by country"],
            ["Country", "Population"],
            ["Kenya", 53.8],
            ["Peru", "33,0"],
            ["Fiji", 0.9],
        ],
    )
    sheet = load_workbook(path).sheets[0]
    assert sheet.header_row == 2
    assert sheet.data["Population"].tolist() == [53.8, 33.0, 0.9]


def test_xlsm_and_xlsx_content_named_xls(tmp_path: Path) -> None:
    rows = {"data": [["Country", "Region", "Population", "Area"], *COUNTRIES]}
    for name in ("t.xlsm", "t.xls"):
        sheet = load_workbook(write_xlsx(tmp_path / name, rows)).sheets[0]
        assert sheet.data.loc[sheet.data["Country"] == "Chad", "Area"].item() == 1284000


def test_xls_holding_csv_text_is_read_as_csv(tmp_path: Path) -> None:
    path = tmp_path / "export.xls"
    path.write_text("Country,Population\nKenya,53.8\nPeru,33.0\n")
    sheet = load_workbook(path).sheets[0]
    assert sheet.data["Population"].tolist() == [53.8, 33.0]
    assert sheet.notes[0] == "The .xls file holds plain text, so it was read as a CSV file"


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
