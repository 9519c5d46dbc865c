"""The Report: tables and charts of workbooks, shown in a notebook, saved as xlsx, PDF, HTML and JSON.

``build_report(workbook)`` analyses and returns a :class:`Report` (gdrivestats.report.model);
``report.save(folder)`` writes summary.xlsx, summary.json, report.html and report.pdf
(gdrivestats.report.save; charts/*.png too with ``charts=True``). The writers are one module each:
summary_json, html, xlsx, pdf.
"""

from __future__ import annotations

from gdrivestats.report.model import Report, SheetReport, WorkbookReport, build_report
from gdrivestats.report.save import (
    CHARTS_DIR,
    INDEX_HTML,
    OUTPUTS,
    REPORT_HTML,
    REPORT_PDF,
    SUMMARY_JSON,
    SUMMARY_XLSX,
    is_report_folder,
    output_names,
    write_index,
)
from gdrivestats.report.summary_json import GENERATOR, jsonable

__all__ = [
    "CHARTS_DIR",
    "GENERATOR",
    "INDEX_HTML",
    "OUTPUTS",
    "REPORT_HTML",
    "REPORT_PDF",
    "SUMMARY_JSON",
    "SUMMARY_XLSX",
    "Report",
    "SheetReport",
    "WorkbookReport",
    "build_report",
    "is_report_folder",
    "jsonable",
    "output_names",
    "write_index",
]
