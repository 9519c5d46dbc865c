"""Cell formatting that carries a table's outline: the indent level of the row labels (xlsx only).

Read with openpyxl in read-only mode, only for the first columns, only for files small enough that it costs
little (a statistics-office sheet: tens of milliseconds); a big flat export is never opened twice.
"""

from __future__ import annotations

import logging
import warnings
from pathlib import Path

log = logging.getLogger(__name__)

MAX_BYTES = 3_000_000  # larger files are data exports, not formatted tables: styles are not read
MAX_ROWS = 20_000
LABEL_COLUMNS = 3  # indents are read in the first columns, where row labels are


def read_indents(path: Path, names: list[str]) -> dict[str, dict[int, dict[int, int]]]:
    """Sheet name -> column -> row -> indent level, for the label cells that are indented (0-based)."""
    if not names or path.suffix.lower() not in (".xlsx", ".xlsm") or path.stat().st_size > MAX_BYTES:
        return {}
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
