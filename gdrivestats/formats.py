"""What counts as a workbook: extensions, Drive MIME types and sync patterns, defined once (no imports)."""

from __future__ import annotations

EXCEL_EXTENSIONS = (".xlsx", ".xlsm", ".xls", ".ods")
"""Spreadsheet files read cell by cell (calamine)."""
TEXT_EXTENSIONS = (".csv", ".tsv")
"""Delimited text files."""
WORKBOOK_EXTENSIONS = frozenset(EXCEL_EXTENSIONS + TEXT_EXTENSIONS)
"""Every file extension gdrivestats reads as a workbook."""
WORKBOOK_PATTERNS = tuple(f"*{ext}" for ext in EXCEL_EXTENSIONS + TEXT_EXTENSIONS)
"""The default sync patterns: every workbook extension (native Google Sheets are matched by MIME type)."""

FOLDER_MIME = "application/vnd.google-apps.folder"
SHORTCUT_MIME = "application/vnd.google-apps.shortcut"
SPREADSHEET_MIME = "application/vnd.google-apps.spreadsheet"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
GOOGLE_APPS_PREFIX = "application/vnd.google-apps."

EXPORT_FORMATS: dict[str, tuple[str, str]] = {SPREADSHEET_MIME: (XLSX_MIME, ".xlsx")}
"""Native Google types gdrivestats exports, and to what: MIME type -> (export MIME type, file extension)."""


def is_workbook_name(name: str) -> bool:
    """True for a file name gdrivestats reads as a workbook (not an Office lock file such as ``~$a.xlsx``)."""
    lower = name.lower()
    return any(lower.endswith(ext) for ext in WORKBOOK_EXTENSIONS) and not name.startswith("~$")
