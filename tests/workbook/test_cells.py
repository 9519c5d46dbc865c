"""Numbers written as text: decimal commas, separators, currency, footnote marks, placeholders."""

from __future__ import annotations

from pathlib import Path

from gdrivestats.workbook import Role
from tests.workbook.support import one_sheet


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
