"""Load workbooks (xlsx, xlsm, xls, ods, csv, tsv) into clean, typed tables with a log of every change.

The stages, one module each, in the order a sheet goes through them: ``load`` (files to raw cells),
``styles`` (the indent of row labels, small xlsx only), ``tables`` (stacked or side-by-side tables cut
apart), ``subjects`` (a long table of several subjects cut into one table per subject), ``header``
(where the table starts and what its columns are called), ``cells`` (text numbers, placeholders, marks),
``columns`` (types and roles), ``repair`` (shifted rows), ``rows`` (notes, totals, duplicates), ``ids``
(code and number columns), ``structure`` (note lines, section headings), ``aggregates`` and ``levels``
(aggregate rows by label and by arithmetic), ``hierarchy`` (the outline kept as level and parent),
``colsums`` (columns that sum other columns: UK, Total), ``periods`` (time labels, one table per
frequency); ``sheet`` runs them in order and ``book`` over every sheet of a file, with ``metadata`` (a
sheet giving each country's region, to tell aggregates from countries). ``model`` holds what they return.
"""

from __future__ import annotations

from gdrivestats.workbook.book import load_workbook
from gdrivestats.workbook.model import Role, Sheet, Workbook
from gdrivestats.workbook.sheet import sheet_from_frame

__all__ = ["Role", "Sheet", "Workbook", "load_workbook", "sheet_from_frame"]
