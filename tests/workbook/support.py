"""Helpers for the workbook tests: write small xlsx and ods workbooks, load one sheet."""

from __future__ import annotations

import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from openpyxl import Workbook as OpenpyxlWorkbook

from gdrivestats.workbook import Sheet, load_workbook

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


def write_indented_xlsx(path: Path, rows: Rows, indents: Sequence[int]) -> Path:
    """An .xlsx whose first-column cells are indented (Format Cells > Alignment > Indent), one per row."""
    from openpyxl.styles import Alignment

    book = OpenpyxlWorkbook()
    sheet = book.active
    for values, indent in zip(rows, indents, strict=True):
        sheet.append(list(values))
        if indent:
            sheet.cell(row=sheet.max_row, column=1).alignment = Alignment(indent=indent)
    book.save(path)
    return path


OUTLINE = [
    ["North", 60, 66],  # = the two counties under it
    ["Alpha", 25, 27],  # = its three sub-counties
    ["Alpha 1", 10, 11],
    ["Alpha 2", 8, 9],
    ["Alpha 3", 7, 7],
    ["Beta", 35, 39],
    ["Beta 1", 20, 22],
    ["Beta 2", 15, 17],
    ["South", 45, 50],
    ["Gamma", 30, 33],
    ["Gamma 1", 20, 22],
    ["Gamma 2", 10, 11],
    ["Delta", 15, 17],
    ["Delta 1", 9, 10],
    ["Delta 2", 6, 7],
]
"""Regions over counties over sub-counties, each parent the sum of its parts (rows without a header)."""
REGIONS = [["Area", "2020", "2021"], *OUTLINE]
"""The same outline under a header row, as a sheet holds it."""
