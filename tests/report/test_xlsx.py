"""Tests of gdrivestats.report.xlsx: a Contents tab, one tab per sheet of native tables, text kept text."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import load_workbook

from gdrivestats.report import build_report
from gdrivestats.report.xlsx import write_summary_xlsx, xlsx_sheet_name
from gdrivestats.workbook import Role, Sheet, Workbook
from tests.report.support import FORMULA_LIKE


def rows_of(worksheet: object, ref: str) -> list[tuple[object, ...]]:
    return [tuple(c.value for c in row) for row in worksheet[ref]]  # type: ignore[index]


def test_summary_xlsx_has_contents_sheet_tabs_and_notes(saved_once: Path) -> None:
    xlsx = load_workbook(saved_once / "summary.xlsx")
    assert xlsx.sheetnames == ["Contents", "Countries", "Sales by year", "Notes"]
    contents = xlsx["Contents"]
    assert contents["A5"].value == "Countries" and contents["A5"].hyperlink.location == "'Countries'!A1"
    assert contents["C5"].value == 11 and contents["D5"].value == 3
    assert contents["E5"].value == "Summary statistics"
    countries = xlsx["Countries"]
    tables = {t.displayName: t.ref for t in countries.tables.values()}
    assert len(tables) == 7  # statistics, top, bottom, by region, correlations, columns, set aside
    first = countries[contents["E5"].hyperlink.location.split("!")[1]]
    assert first.value == "Summary statistics"
    notes = [row[3] for row in xlsx["Notes"].iter_rows(min_row=3, values_only=True)]
    assert "Header found on row 3." in notes and "Source: World Bank & <UN>" in notes


def test_tables_hold_values_with_number_formats(saved_once: Path) -> None:
    countries = load_workbook(saved_once / "summary.xlsx")["Countries"]
    refs = sorted(t.ref for t in countries.tables.values())
    describe = next(r for r in refs if r.startswith("A5:"))
    rows = rows_of(countries, describe)
    assert rows[0][:3] == ("Metric", "count", "mean") and rows[0][-2:] == ("sum", "missing")
    by_metric = {row[0]: row for row in rows[1:]}
    assert by_metric["Population"][1] == 11 and abs(by_metric["Population"][9] - 2825.9) < 1e-9
    cells = {c.value: c for row in countries[describe] for c in row}
    assert cells[11].number_format == "#,##0"
    assert cells[by_metric["Population"][9]].number_format == "#,##0.00"
    values = [row for ref in refs for row in rows_of(countries, ref)]
    assert ("Metric", "Rank", "Country", "Value") in values and ("Population", 1, "China", 1400) in values
    assert any(row[0] == "Total" for row in values)  # the rows set aside


def test_formula_like_text_is_stored_as_text(tmp_path: Path) -> None:
    labels = [*FORMULA_LIKE, '=HYPERLINK("http://x")']
    data = pd.DataFrame({"=Name": labels, "Kind": ["=A1", "b"] * 3, "V": np.arange(6.0)})
    sheet = Sheet("=Sheet", data, {"=Name": Role.LABEL, "Kind": Role.CATEGORY, "V": Role.NUMERIC}, "=Name")
    out = build_report(Workbook("f", "f.csv", [sheet])).save(tmp_path / "out")
    xlsx = load_workbook(out / "summary.xlsx")
    cells = {
        c.value: c for ws in xlsx.worksheets for row in ws.iter_rows() for c in row if c.value is not None
    }
    for text in [*labels, "=Name", "=A1"]:
        assert cells[text].data_type == "s", text  # the literal text, never a formula
    assert not [c for c in cells.values() if c.data_type == "f"]
    rows = [row[:4] for row in xlsx["=Sheet"].iter_rows(values_only=True)]
    assert ("V", 1, '=HYPERLINK("http://x")', 5) in rows


def test_many_sheets_stay_one_tab_each(tmp_path: Path) -> None:
    sheets = [
        Sheet(f"Sheet {i}", pd.DataFrame({"V": [1.0, 2.0, 3.0]}), {"V": Role.NUMERIC}, None)
        for i in range(30)
    ]
    report = build_report(Workbook("many", "m.xlsx", sheets))
    write_summary_xlsx(report.workbooks, tmp_path / "summary.xlsx")  # as save writes it, without the charts
    names = load_workbook(tmp_path / "summary.xlsx").sheetnames
    assert len(names) == 32 and names[0] == "Contents" and names[-1] == "Notes"


def test_xlsx_sheet_names_are_short_unique_and_valid() -> None:
    used: set[str] = set()
    long = "A very long sheet name: with [bad] chars?"
    first = xlsx_sheet_name(long, "Describe", used)
    second = xlsx_sheet_name(long, "Describe", used)
    assert len(first) <= 31 and len(second) <= 31 and first != second
    assert first.endswith("Describe") and not set("[]:*?/\\") & set(first)
    assert xlsx_sheet_name("", "notes", used) == "notes"
    assert xlsx_sheet_name("", "NOTES", used) == "NOTES (2)"
