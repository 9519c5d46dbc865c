"""The report of a statistics-office workbook: rankings per level, the unit in headings, reasons set aside."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gdrivestats.report import build_report
from gdrivestats.report.save import save_report
from gdrivestats.workbook import load_workbook


@pytest.mark.slow  # a real file analysed and a whole report saved
def test_report_of_the_mospi_table_ranks_each_level(shared_data: Path, tmp_path: Path) -> None:
    book = load_workbook(shared_data / "mospi_tamil_nadu_gsva_by_sector.csv")
    folder = save_report(build_report(book, top=3), tmp_path / "out")
    summary = json.loads((folder / "summary.json").read_text("utf-8"))
    sheet = summary["workbooks"][0]["sheets"][0]
    assert sheet["levels"] == ["level 1", "level 2", "level 3", "level 4"] and sheet["level"] == "level 3"
    assert sheet["top"]["2016-17"][0]["label"] == "Real estate, ownership of dwelling & professional services"
    assert [r["label"] for r in sheet["level_top"]["level 2"]["2016-17"]] == [
        "Tertiary",
        "Secondary",
        "Primary",
    ]
    reasons = {r["Item"]: r["reason"] for r in sheet["set_aside"]}
    assert reasons["Primary"] == "aggregate: the sum of the 2 rows above it (level 2)"
    assert reasons["TOTAL GSVA at basic prices"] == "aggregate: the sum of the 3 rows above it (level 1)"
    assert sheet["table"] == {"first_row": 2, "last_row": 27}
    html = next(folder.glob("*.html")).read_text("utf-8")
    assert "Top and bottom 3 at level 3" in html and "Top level 2" in html and "Top level 4" in html


@pytest.mark.slow  # a real file analysed and a whole report saved
def test_report_headings_carry_the_unit(shared_data: Path, tmp_path: Path) -> None:
    book = load_workbook(shared_data / "knbs_population_projections.xlsx", sheet="Table 19.2")
    folder = save_report(build_report(book, top=3), tmp_path / "out")
    sheet = json.loads((folder / "summary.json").read_text("utf-8"))["workbooks"][0]["sheets"][0]
    assert sheet["unit"] == "Number '000" and sheet["title"].startswith("Table 19.2: Projected Population")
    assert next(iter(sheet["top"])) == "2045"  # the latest year leads the rankings
    assert sheet["top"]["2045"][0]["label"] == "Nairobi City"
    html = next(folder.glob("*.html")).read_text("utf-8")
    assert "Summary statistics (Number &#x27;000)" in html or "Summary statistics (Number '000)" in html
