"""summary.xlsx: every table of a report in one workbook, styled, with no text ever stored as a formula."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import math
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from openpyxl import Workbook as XlsxWorkbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from gdrivestats import plots

if TYPE_CHECKING:
    from gdrivestats.report import SheetReport, WorkbookReport

log = logging.getLogger(__name__)

XLSX_MAX_SHEET_NAME = 31
XLSX_MAX_CELL_TEXT = 32_767

# ---- summary.xlsx ----------------------------------------------------------------------------------------

_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="E8EEF5")


def write_summary_xlsx(
    books: list[WorkbookReport], path: Path, images: dict[int, list[plots.ChartImage]] | None = None
) -> None:
    """One worksheet per table, header bold and frozen, widths fitted, numbers with thousands separators.

    Every text cell is stored as text (never a formula), whatever it starts with.
    """
    xlsx = XlsxWorkbook()
    xlsx.remove(xlsx.active)
    used: set[str] = set()
    sheets = [sheet for book in books for sheet in book.sheets]
    for sheet in sheets:
        prefix = sheet.name if len(sheets) > 1 else ""
        for title, table in _sheet_tables(sheet):
            worksheet = xlsx.create_sheet(xlsx_sheet_name(prefix, title, used))
            _write_table(worksheet, table)
    _write_table(xlsx.create_sheet(xlsx_sheet_name("", "Notes", used)), _notes_table(books, sheets))
    xlsx.save(path)


def _sheet_tables(sheet: SheetReport) -> list[tuple[str, pd.DataFrame]]:
    stats = sheet.stats
    label = stats.label_name
    tables: list[tuple[str, pd.DataFrame]] = [
        ("Columns", stats.columns.reset_index().rename(columns=_COLUMN_HEADERS))
    ]
    if stats.metrics:
        tables.append(("Describe", stats.describe.reset_index().rename(columns={"metric": "Metric"})))
        tables.append(("Top", _long_ranking(stats.top, label)))
        tables.append(("Bottom", _long_ranking(stats.bottom, label)))
    for category, table in stats.groups.items():
        flat = table.copy()
        flat.columns = [f"{metric} ({stat})" for metric, stat in flat.columns]
        tables.append((f"By {category}", flat.reset_index()))
    if not stats.correlations.empty:
        tables.append(("Correlations", stats.correlations.rename_axis("Metric").reset_index()))
    if not stats.set_aside.empty:
        tables.append(("Set aside", stats.set_aside))
    return tables


_COLUMN_HEADERS = {"column": "Column", "kind": "Kind", "non_missing": "Values", "missing": "Missing"}
_COLUMN_HEADERS |= {"distinct": "Distinct"}


def _long_ranking(rankings: dict[str, pd.DataFrame], label: str) -> pd.DataFrame:
    parts = [
        pd.DataFrame({"Metric": metric, "Rank": t.index, label: t["label"], "Value": t["value"]})
        for metric, t in rankings.items()
    ]
    return (
        pd.concat(parts, ignore_index=True)
        if parts
        else pd.DataFrame(columns=["Metric", "Rank", label, "Value"])
    )


def _notes_table(books: list[WorkbookReport], sheets: list[SheetReport]) -> pd.DataFrame:
    rows = [(book.name, "", "workbook", note) for book in books for note in book.notes]
    for sheet in sheets:
        rows += [(sheet.workbook, sheet.name, "log", note) for note in sheet.notes]
        rows += [(sheet.workbook, sheet.name, "footnote", note) for note in sheet.footnotes]
    return pd.DataFrame(rows, columns=["Workbook", "Sheet", "Kind", "Note"])


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
    candidate, n = name, 2
    while candidate.casefold() in used:  # Excel compares sheet names case-insensitively
        suffix = f" ({n})"
        candidate, n = name[: XLSX_MAX_SHEET_NAME - len(suffix)] + suffix, n + 1
    used.add(candidate.casefold())
    return candidate


def _write_table(worksheet: Worksheet, table: pd.DataFrame) -> None:
    headers = [str(c) for c in table.columns]
    widths = [len(h) for h in headers]
    for col, header in enumerate(headers, start=1):
        cell = worksheet.cell(row=1, column=col)
        _set_text(cell, header)
        cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
        cell.alignment = Alignment(vertical="top", wrap_text=False)
    columns = [table.iloc[:, i].tolist() for i in range(table.shape[1])]
    for col, values in enumerate(columns, start=1):
        for row, value in enumerate(values, start=2):
            shown = _write_cell(worksheet.cell(row=row, column=col), value, headers[col - 1])
            widths[col - 1] = max(widths[col - 1], shown)
    for col, width in enumerate(widths, start=1):
        worksheet.column_dimensions[get_column_letter(col)].width = min(max(width + 2, 8), 60)
    worksheet.freeze_panes = "A2"
    if table.shape[1] and len(table):
        worksheet.auto_filter.ref = f"A1:{get_column_letter(table.shape[1])}{len(table) + 1}"


def _write_cell(cell: Any, value: Any, header: str) -> int:
    """Write one value; return the width of its displayed text."""
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or (isinstance(value, float) and not math.isfinite(value)) or value is pd.NaT:
        return 0
    if isinstance(value, bool):
        cell.value = value
        return 5
    if isinstance(value, int | float):
        cell.value = value
        cell.number_format = _number_format(value, header)
        return len(f"{value:,.2f}") if cell.number_format != "#,##0" else len(f"{value:,.0f}")
    if isinstance(value, pd.Timestamp | dt.datetime | dt.date):
        value = value.to_pydatetime() if isinstance(value, pd.Timestamp) else value
        if isinstance(value, dt.datetime) and value.tzinfo is not None:
            value = value.replace(tzinfo=None)
        cell.value = value
        cell.number_format = (
            "yyyy-mm-dd" if not isinstance(value, dt.datetime) or not value.time() else "yyyy-mm-dd hh:mm"
        )
        return 16
    with contextlib.suppress(TypeError, ValueError):
        if pd.isna(value):
            return 0
    text = str(value)
    _set_text(cell, text)
    return len(text)


def _set_text(cell: Any, text: str) -> None:
    """Store ``text`` as a text cell, exactly as given: "=1+1" stays the four characters, not a formula."""
    text = ILLEGAL_CHARACTERS_RE.sub("", text)[:XLSX_MAX_CELL_TEXT]
    cell.value = text
    cell.data_type = "s"  # openpyxl makes any text starting with "=" a formula; this keeps it text


def _number_format(value: float, header: str) -> str:
    if header in ("Rank", "count", "missing", "Values", "Missing", "Distinct") or header.endswith("(count)"):
        return "#,##0"
    if float(value).is_integer() and abs(value) >= 1:
        return "#,##0"
    if abs(value) < 1:
        return "0.0000" if header not in ("Metric",) else "0.000"
    return "#,##0.00"
