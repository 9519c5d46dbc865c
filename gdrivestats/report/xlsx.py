"""summary.xlsx: one tab per analysed sheet holding its tables as native Excel tables, and a Contents tab.

Written with xlsxwriter: real number formats, frozen header rows, autofilters through Excel tables, and every
text cell stored as text (a label "=1+1" stays those four characters, never a formula or a link).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import xlsxwriter

from gdrivestats.names import numbered
from gdrivestats.report.tables import flat_groups

if TYPE_CHECKING:
    from xlsxwriter.format import Format
    from xlsxwriter.worksheet import Worksheet

    from gdrivestats.report.model import SheetReport, WorkbookReport

XLSX_MAX_SHEET_NAME = 31
XLSX_MAX_CELL_TEXT = 32_767
XLSX_MAX_HEADER = 255
CONTENTS = "Contents"
NOTES = "Notes"
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_COUNT_HEADERS = {"Rank", "count", "missing", "Values", "Missing", "Distinct"}
_COLUMN_HEADERS = {"column": "Column", "kind": "Kind", "non_missing": "Values", "missing": "Missing"}
_COLUMN_HEADERS |= {"distinct": "Distinct"}


def write_summary_xlsx(books: list[WorkbookReport], path: Path) -> None:
    """Write ``books`` to ``path``: Contents, one tab per sheet (its tables one under another), Notes."""
    xlsx = xlsxwriter.Workbook(
        str(path),
        {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False},
    )
    xlsx.set_properties({"title": "gdrivestats summary", "creator": "gdrivestats"})
    formats = _Formats(xlsx)
    used: set[str] = {CONTENTS.casefold(), NOTES.casefold()}
    sheets = [sheet for book in books for sheet in book.sheets]
    contents = xlsx.add_worksheet(CONTENTS)
    tabs = [xlsx_sheet_name("", sheet.name, used) for sheet in sheets]
    writer = _TableWriter(formats)
    starts: list[dict[str, int]] = []
    for sheet, tab in zip(sheets, tabs, strict=True):
        worksheet = xlsx.add_worksheet(tab)
        starts.append(writer.write_sheet(worksheet, sheet))
    notes = xlsx.add_worksheet(NOTES)
    writer.write_table(notes, 0, "Notes", _notes_table(books, sheets), index=False)
    notes.freeze_panes(2, 0)
    _write_contents(contents, books, sheets, tabs, starts, formats)
    contents.activate()
    xlsx.close()


class _Formats:
    """The few cell formats of the workbook, made once."""

    def __init__(self, xlsx: xlsxwriter.Workbook) -> None:
        self.title = xlsx.add_format({"bold": True, "font_size": 13, "font_color": "#33475B"})
        self.heading = xlsx.add_format({"bold": True, "font_size": 11, "font_color": "#33475B"})
        self.muted = xlsx.add_format({"font_color": "#6B7785"})
        self.link = xlsx.add_format({"font_color": "#1F5FAD", "underline": 1})
        self.text = xlsx.add_format({"valign": "top"})
        self.integer = xlsx.add_format({"num_format": "#,##0"})
        self.decimal = xlsx.add_format({"num_format": "#,##0.00"})
        self.small = xlsx.add_format({"num_format": "0.0000"})
        self.date = xlsx.add_format({"num_format": "yyyy-mm-dd"})
        self.datetime = xlsx.add_format({"num_format": "yyyy-mm-dd hh:mm"})


class _TableWriter:
    """Writes DataFrames as Excel tables, keeping table names unique across the workbook."""

    def __init__(self, formats: _Formats) -> None:
        self.formats = formats
        self.count = 0
        self.widths: dict[int, dict[int, int]] = {}  # id(worksheet) -> column -> width set

    def write_sheet(self, worksheet: Worksheet, sheet: SheetReport) -> dict[str, int]:
        """Every table of ``sheet`` one under another with a heading each; returns title -> first row."""
        worksheet.write_string(0, 0, _text(f"Sheet {sheet.name}"), self.formats.title)
        worksheet.write_string(1, 0, _text(f"{sheet.workbook} · {sheet.rows:,} rows"), self.formats.muted)
        row, starts = 3, {}
        for title, table in sheet_tables(sheet):
            starts[title] = row
            row = self.write_table(worksheet, row, title, table, index=False) + 2
        return starts

    def write_table(
        self, worksheet: Worksheet, row: int, title: str, table: pd.DataFrame, index: bool
    ) -> int:
        """``title`` at ``row``, the table under it; returns the last row written."""
        frame = table.reset_index() if index else table
        worksheet.write_string(row, 0, _text(title), self.formats.heading)
        headers = _headers([str(c) for c in frame.columns])
        first = row + 1
        widths = [min(max(len(h) + 4, 8), 50) for h in headers]
        for col in range(frame.shape[1]):
            for offset, value in enumerate(frame.iloc[:, col].tolist(), start=1):
                shown = self._cell(worksheet, first + offset, col, value, headers[col])
                widths[col] = max(widths[col], min(shown + 2, 50))
        known = self.widths.setdefault(id(worksheet), {})
        for col, width in enumerate(widths):
            if width > known.get(col, 0):
                known[col] = width
                worksheet.set_column(col, col, width)
        if not headers:
            return row
        self.count += 1
        if len(frame):
            worksheet.add_table(
                first,
                0,
                first + len(frame),
                len(headers) - 1,
                {
                    "name": f"Table{self.count}",
                    "columns": [{"header": h} for h in headers],
                    "style": "Table Style Light 9",
                    "autofilter": True,
                },
            )
        else:
            for col, header in enumerate(headers):
                worksheet.write_string(first, col, header, self.formats.heading)
        return first + len(frame)

    def _cell(self, worksheet: Worksheet, row: int, col: int, value: Any, header: str) -> int:
        """Write one value; returns the width of its displayed text."""
        if isinstance(value, np.generic):
            value = value.item()
        if value is None or value is pd.NaT or (isinstance(value, float) and not math.isfinite(value)):
            worksheet.write_blank(row, col, None)
            return 0
        if isinstance(value, bool):
            worksheet.write_boolean(row, col, value)
            return 5
        if isinstance(value, int | float):
            cell_format = self._number_format(value, header)
            worksheet.write_number(row, col, value, cell_format)
            return len(f"{value:,.0f}") + (3 if cell_format is not self.formats.integer else 0)
        if isinstance(value, pd.Timestamp | dt.datetime | dt.date):
            moment = value.to_pydatetime() if isinstance(value, pd.Timestamp) else value
            if isinstance(moment, dt.datetime) and moment.tzinfo is not None:
                moment = moment.replace(tzinfo=None)
            timed = isinstance(moment, dt.datetime) and moment.time() != dt.time()
            worksheet.write_datetime(row, col, moment, self.formats.datetime if timed else self.formats.date)
            return 16
        if _missing(value):
            worksheet.write_blank(row, col, None)
            return 0
        text = _text(str(value))
        worksheet.write_string(row, col, text)
        return len(text)

    def _number_format(self, value: float, header: str) -> Format:
        if header in _COUNT_HEADERS or header.endswith("(count)"):
            return self.formats.integer
        if float(value).is_integer() and abs(value) >= 1:
            return self.formats.integer
        if abs(value) < 1:
            return self.formats.small
        return self.formats.decimal


def sheet_tables(sheet: SheetReport) -> list[tuple[str, pd.DataFrame]]:
    """The tables of one sheet, titled, in the order of the tab."""
    stats = sheet.stats
    label = stats.label_name
    tables: list[tuple[str, pd.DataFrame]] = []
    if stats.metrics:
        tables.append(("Summary statistics", stats.describe.rename_axis("Metric").reset_index()))
        tables.append(("Top", _long_ranking(stats.top, label)))
        tables.append(("Bottom", _long_ranking(stats.bottom, label)))
    for category, table in stats.groups.items():
        flat = flat_groups(table)
        tables.append((f"By {category}", flat.reset_index()))
    if not stats.correlations.empty:
        tables.append(("Correlations (Pearson r)", stats.correlations.rename_axis("Metric").reset_index()))
    columns = stats.columns.rename_axis("column").reset_index().rename(columns=_COLUMN_HEADERS)
    tables.append(("Columns", columns))
    if not stats.set_aside.empty:
        tables.append(("Rows set aside", stats.set_aside_table()))
    return tables


def _long_ranking(rankings: dict[str, pd.DataFrame], label: str) -> pd.DataFrame:
    parts = [
        pd.DataFrame({"Metric": metric, "Rank": t.index, label: t["label"], "Value": t["value"]})
        for metric, t in rankings.items()
        if len(t)
    ]
    columns = ["Metric", "Rank", label, "Value"]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)


def _notes_table(books: list[WorkbookReport], sheets: list[SheetReport]) -> pd.DataFrame:
    rows = [(book.name, "", "workbook", note) for book in books for note in book.notes]
    for sheet in sheets:
        rows += [(sheet.workbook, sheet.name, "log", note) for note in sheet.notes]
        rows += [(sheet.workbook, sheet.name, "footnote", note) for note in sheet.footnotes]
    return pd.DataFrame(rows, columns=["Workbook", "Sheet", "Kind", "Note"])


def _write_contents(
    worksheet: Worksheet,
    books: list[WorkbookReport],
    sheets: list[SheetReport],
    tabs: list[str],
    starts: list[dict[str, int]],
    formats: _Formats,
) -> None:
    """A linked list of the sheets: where each sheet's tab and tables are, with its size."""
    names = " + ".join(book.name for book in books)
    worksheet.write_string(0, 0, _text(f"Summary of {names}"), formats.title)
    worksheet.write_string(1, 0, "Click a sheet or a table to go to it.", formats.muted)
    headers = ["Sheet", "Workbook", "Rows", "Numeric columns", "Tables"]
    for col, header in enumerate(headers):
        worksheet.write_string(3, col, header, formats.heading)
    for i, (sheet, tab, start) in enumerate(zip(sheets, tabs, starts, strict=True), start=4):
        quoted = tab.replace("'", "''")
        worksheet.write_url(i, 0, f"internal:'{quoted}'!A1", formats.link, string=_text(sheet.name))
        worksheet.write_string(i, 1, _text(sheet.workbook))
        worksheet.write_number(i, 2, sheet.rows, formats.integer)
        worksheet.write_number(i, 3, len(sheet.stats.metrics), formats.integer)
        for col, (title, row) in enumerate(start.items(), start=4):
            worksheet.write_url(i, col, f"internal:'{quoted}'!A{row + 1}", formats.link, string=_text(title))
    worksheet.write_url(
        len(sheets) + 5, 0, f"internal:'{NOTES}'!A1", formats.link, string="Notes: cleaning log and footnotes"
    )
    worksheet.set_column(0, 0, 34)
    worksheet.set_column(1, 1, 24)
    worksheet.set_column(2, 3, 14)
    worksheet.set_column(4, 12, 20)
    worksheet.freeze_panes(4, 0)


def xlsx_sheet_name(prefix: str, title: str, used: set[str]) -> str:
    """A valid, unique worksheet name of at most 31 characters: "<prefix> <title>", the prefix cut first."""
    clean = re.compile(r"[\[\]:*?/\\\x00-\x1f]")
    title = clean.sub("_", title).strip()
    prefix = clean.sub("_", prefix).strip()
    room = XLSX_MAX_SHEET_NAME - len(title) - 1
    if prefix and room >= 4:
        prefix = prefix if len(prefix) <= room else prefix[: room - 1].rstrip() + "…"
        name = f"{prefix} {title}"
    else:
        name = title if not prefix else f"{prefix} {title}"
    name = name[:XLSX_MAX_SHEET_NAME].strip("'").strip() or "Sheet"
    return numbered(name, used, suffix=" ({n})", limit=XLSX_MAX_SHEET_NAME)  # Excel: case-insensitive


def _headers(names: Sequence[str]) -> list[str]:
    """Table headers Excel accepts: non-empty, at most 255 characters, distinct case-insensitively."""
    result: list[str] = []
    seen: set[str] = set()
    for name in names:
        base = _text(" ".join(name.split()))[: XLSX_MAX_HEADER - 4] or "Column"
        result.append(numbered(base, seen, suffix=" ({n})"))
    return result


def _text(text: str) -> str:
    return _ILLEGAL.sub("", text)[:XLSX_MAX_CELL_TEXT]


def _missing(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False
