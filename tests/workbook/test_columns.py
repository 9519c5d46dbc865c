"""Column roles and types: label, category, numeric, date, text; frames cleaned like sheets."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from gdrivestats.workbook import Role, load_workbook, sheet_from_frame
from tests.workbook.support import one_sheet, write_xlsx


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
