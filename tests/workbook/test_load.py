"""Other file types read into the same tables: CSV (separators, encodings), TSV, ODS, xlsm, misnamed files."""

from __future__ import annotations

from pathlib import Path

from gdrivestats.workbook import load_workbook
from tests.workbook.support import COUNTRIES, write_ods, write_xlsx

DATA = Path(__file__).parents[1] / "data"


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
