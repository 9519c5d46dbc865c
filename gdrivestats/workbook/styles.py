"""Cell formatting that carries a table's outline: the indent level of the row labels (xlsx only).

Read from the file's XML (the cell formats in xl/styles.xml, the style of each cell of the first columns in
the sheet's XML), only for files small enough that it costs little; openpyxl in read-only mode, which costs
tens of milliseconds more and its import, only if that fails. A big flat export is never opened twice.
"""

from __future__ import annotations

import logging
import re
import warnings
import zipfile
from pathlib import Path
from xml.etree import ElementTree

log = logging.getLogger(__name__)

MAX_BYTES = 3_000_000  # larger files are data exports, not formatted tables: styles are not read
MAX_ROWS = 20_000
LABEL_COLUMNS = 3  # indents are read in the first columns, where row labels are


_COLUMN_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[:LABEL_COLUMNS]
_LABEL_CELL = re.compile(  # a cell of the label columns: its column letter, row, attributes and content
    rb"<(?:\w+:)?c\b(?=[^>]*\br=\"([" + _COLUMN_LETTERS.encode() + rb"])([0-9]+)\")"
    rb"([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)",
    re.DOTALL,
)
_STYLE = re.compile(rb'\bs="([0-9]+)"')
_VALUE = re.compile(rb"<(?:\w+:)?(?:v|is)\b[^>]*>(?!</)")  # a value or inline text, not an empty one
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\b[^>]*\bref="[A-Z]*([0-9]+)(?::[A-Z]*([0-9]+))?"')


def read_indents(path: Path, names: list[str]) -> dict[str, dict[int, dict[int, int]]]:
    """Sheet name -> column -> row -> indent level, for the label cells that are indented (0-based)."""
    if not names or path.suffix.lower() not in (".xlsx", ".xlsm") or path.stat().st_size > MAX_BYTES:
        return {}
    try:
        return _indents_from_xml(path, names)
    except Exception as exc:  # an unusual file: openpyxl reads it the long way
        log.debug("styles of %s not read from the XML (%s); trying openpyxl", path, exc)
    return _indents_by_openpyxl(path, names)


def _indents_from_xml(path: Path, names: list[str]) -> dict[str, dict[int, dict[int, int]]]:
    """read_indents from the XML: each cell format's indent, then the formats of the label cells."""
    from gdrivestats.workbook.flat import sheet_members

    out: dict[str, dict[int, dict[int, int]]] = {}
    with zipfile.ZipFile(path) as archive:
        indents = _format_indents(archive)
        if not any(indents):
            return out  # no cell format is indented
        members = sheet_members(archive)
        for name in names:
            member = members.get(name)
            if member is None:
                continue
            xml = archive.read(member)
            dimension = _DIMENSION.search(xml[:4096])
            if dimension is not None and int(dimension.group(2) or dimension.group(1)) > MAX_ROWS:
                continue
            found: dict[int, dict[int, int]] = {}
            for letter, row, attributes, body in _LABEL_CELL.findall(xml):
                style = _STYLE.search(attributes)
                indent = indents[int(style.group(1))] if style and int(style.group(1)) < len(indents) else 0
                if indent and body and _VALUE.search(body):
                    found.setdefault(_COLUMN_LETTERS.index(letter.decode()), {})[int(row) - 1] = indent
            if found:
                out[name] = found
    return out


def _format_indents(archive: zipfile.ZipFile) -> list[int]:
    """The indent of each cell format (xl/styles.xml's cellXfs, in order); [] without a styles part."""
    try:
        data = archive.read("xl/styles.xml")
    except KeyError:
        return []
    root = ElementTree.fromstring(data)
    cell_xfs = next((e for e in root if e.tag.rsplit("}", 1)[-1] == "cellXfs"), None)
    if cell_xfs is None:
        return []
    out = []
    for xf in cell_xfs:
        alignment = next((e for e in xf if e.tag.rsplit("}", 1)[-1] == "alignment"), None)
        out.append(int(float(alignment.get("indent", 0) or 0)) if alignment is not None else 0)
    return out


def _indents_by_openpyxl(path: Path, names: list[str]) -> dict[str, dict[int, dict[int, int]]]:
    """read_indents with openpyxl in read-only mode."""
    try:
        import openpyxl

        with warnings.catch_warnings():  # "no default style" and the like: nothing a user can act on
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # formatting is a bonus: a file openpyxl cannot read is still analysed
        log.debug("no styles for %s: %s", path, exc)
        return {}
    out: dict[str, dict[int, dict[int, int]]] = {}
    try:
        for name in names:
            if name not in book.sheetnames:
                continue
            sheet = book[name]
            if (sheet.max_row or 0) > MAX_ROWS or not hasattr(sheet, "iter_rows"):
                continue
            found: dict[int, dict[int, int]] = {}
            for r, row in enumerate(sheet.iter_rows(max_col=LABEL_COLUMNS)):
                for c, cell in enumerate(row):
                    alignment = getattr(cell, "alignment", None)
                    indent = int(getattr(alignment, "indent", 0) or 0) if alignment is not None else 0
                    if indent and getattr(cell, "value", None) is not None:
                        found.setdefault(c, {})[r] = indent
            if found:
                out[name] = found
    except Exception as exc:
        log.debug("styles of %s not read: %s", path, exc)
    finally:
        book.close()
    return out


def label_indents(values: list[object], styled: dict[int, int], rows: list[int]) -> list[int] | None:
    """The indent level of each row label: the cell's indent format, else its leading spaces; None if flat."""
    if styled:
        levels = [styled.get(r, 0) for r in rows]
    else:
        levels = [len(v) - len(v.lstrip(" \u00a0")) if isinstance(v, str) else 0 for v in values]
    distinct = sorted(set(levels))
    if len(distinct) < 2 or sum(1 for v in levels if v > distinct[0]) < 0.2 * len(levels):
        return None
    rank = {v: i for i, v in enumerate(distinct)}
    return [rank[v] for v in levels]
