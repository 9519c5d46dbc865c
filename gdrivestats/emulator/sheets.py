"""Export helpers for native spreadsheets: the first worksheet of an xlsx as CSV, standard library only."""

from __future__ import annotations

import csv
import io
import posixpath
import re
import zipfile
from xml.etree import ElementTree

_NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
}
_CELL_RE = re.compile(r"([A-Z]+)(\d+)")


class SheetError(ValueError):
    """The bytes are not a readable xlsx workbook."""


def _column_index(letters: str) -> int:
    index = 0
    for ch in letters:
        index = index * 26 + (ord(ch) - 64)
    return index - 1


def _first_sheet_path(book: zipfile.ZipFile) -> str:
    workbook = ElementTree.fromstring(book.read("xl/workbook.xml"))
    first = workbook.find("m:sheets/m:sheet", _NS)
    if first is None:
        raise SheetError("the workbook has no sheets")
    rel_id = first.get(f"{{{_NS['r']}}}id")
    rels = ElementTree.fromstring(book.read("xl/_rels/workbook.xml.rels"))
    for rel in rels.findall("rel:Relationship", _NS):
        if rel.get("Id") == rel_id:
            target = rel.get("Target", "")
            return target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
    raise SheetError("the first sheet has no relationship")


def _shared_strings(book: zipfile.ZipFile) -> list[str]:
    try:
        root = ElementTree.fromstring(book.read("xl/sharedStrings.xml"))
    except KeyError:
        return []
    return [
        "".join(t.text or "" for t in item.iter(f"{{{_NS['m']}}}t")) for item in root.findall("m:si", _NS)
    ]


def _cell_text(cell: ElementTree.Element, shared: list[str]) -> str:
    kind = cell.get("t", "n")
    value = cell.find("m:v", _NS)
    if kind == "inlineStr":
        return "".join(t.text or "" for t in cell.iter(f"{{{_NS['m']}}}t"))
    text = value.text if value is not None and value.text is not None else ""
    if kind == "s" and text:
        return shared[int(text)]
    if kind == "b":
        return "TRUE" if text == "1" else "FALSE"
    if kind == "n" and text.endswith(".0"):
        return text[:-2]
    return text


def xlsx_first_sheet_rows(data: bytes) -> list[list[str]]:
    """Cell texts of the first worksheet, as a rectangular grid."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            sheet = ElementTree.fromstring(book.read(_first_sheet_path(book)))
            shared = _shared_strings(book)
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError) as exc:
        raise SheetError(f"not an xlsx workbook: {exc}") from exc
    cells: dict[tuple[int, int], str] = {}
    for row_number, row in enumerate(sheet.iter(f"{{{_NS['m']}}}row"), start=1):
        r = int(row.get("r", row_number)) - 1
        for col_number, cell in enumerate(row.findall("m:c", _NS)):
            match = _CELL_RE.match(cell.get("r", ""))
            c = _column_index(match.group(1)) if match else col_number
            cells[(r, c)] = _cell_text(cell, shared)
    if not cells:
        return []
    height = max(r for r, _ in cells) + 1
    width = max(c for _, c in cells) + 1
    return [[cells.get((r, c), "") for c in range(width)] for r in range(height)]


def xlsx_to_csv(data: bytes) -> bytes:
    """The first worksheet as CSV, the way Drive exports a sheet to text/csv."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows(xlsx_first_sheet_rows(data))
    return out.getvalue().encode("utf-8")
