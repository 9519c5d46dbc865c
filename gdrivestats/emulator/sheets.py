"""Export helpers for native spreadsheets (standard library only): the first worksheet of an xlsx as CSV,
TSV, ODS, PDF or a zip of HTML, the formats Drive exports a Sheet to."""

from __future__ import annotations

import csv
import io
import posixpath
import re
import zipfile
from xml.etree import ElementTree
from xml.sax.saxutils import escape

_NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
}
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODS_MIME = "application/vnd.oasis.opendocument.spreadsheet"
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


def xlsx_to_tsv(data: bytes) -> bytes:
    """The first worksheet as tab-separated values (tabs and line breaks inside cells become spaces)."""
    rows = xlsx_first_sheet_rows(data)
    lines = ["\t".join(" ".join(cell.split()) for cell in row) for row in rows]
    return ("\r\n".join(lines) + ("\r\n" if lines else "")).encode("utf-8")


def _ods(rows: list[list[str]]) -> bytes:
    """A minimal OpenDocument spreadsheet: the ``mimetype`` entry first and stored, then content.xml."""
    ns = (
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
    )
    body = "".join(
        "<table:table-row>"
        + "".join(
            f'<table:table-cell office:value-type="string"><text:p>{escape(cell)}</text:p></table:table-cell>'
            for cell in row
        )
        + "</table:table-row>"
        for row in rows
    )
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns} office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="Sheet1">{body}</table:table>'
        "</office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
        'manifest:version="1.2"><manifest:file-entry manifest:full-path="/" '
        f'manifest:media-type="{ODS_MIME}"/><manifest:file-entry manifest:full-path="content.xml" '
        'manifest:media-type="text/xml"/></manifest:manifest>'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as book:
        book.writestr(zipfile.ZipInfo("mimetype"), ODS_MIME, compress_type=zipfile.ZIP_STORED)
        book.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        book.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _pdf(lines: list[str]) -> bytes:
    """A one-page PDF showing the lines (enough to be a valid PDF a viewer opens)."""
    text = " T* ".join(
        "("
        + line.encode("latin-1", "replace")
        .decode("latin-1")
        .replace("\\", "\\\\")
        .replace("(", "\\(")
        .replace(")", "\\)")
        + ") Tj"
        for line in lines[:60]
    )
    stream = f"BT /F1 10 Tf 12 TL 40 800 Td {text} ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> "
        b"/Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _html_zip(rows: list[list[str]]) -> bytes:
    """What Drive's zip export of a Sheet holds: the sheet as an HTML table."""
    table = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr("Sheet1.html", f"<html><body><table>{table}</table></body></html>")
    return out.getvalue()


def export_sheet(data: bytes, mime_type: str) -> bytes:
    """A native Sheet's xlsx bytes exported to one of the formats Drive offers for Sheets."""
    if mime_type == XLSX_MIME:
        return data
    if mime_type == "text/csv":
        return xlsx_to_csv(data)
    if mime_type == "text/tab-separated-values":
        return xlsx_to_tsv(data)
    rows = xlsx_first_sheet_rows(data)
    if mime_type in {ODS_MIME, "application/x-vnd.oasis.opendocument.spreadsheet"}:
        return _ods(rows)
    if mime_type == "application/pdf":
        return _pdf([" | ".join(row) for row in rows])
    if mime_type == "application/zip":
        return _html_zip(rows)
    raise SheetError(f"no export to {mime_type}")
