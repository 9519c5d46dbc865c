"""load_workbook: every sheet of a file read and cleaned; one sheet's failure never loses the others."""

from __future__ import annotations

import logging
from pathlib import Path

from gdrivestats.errors import WorkbookError
from gdrivestats.formats import TEXT_EXTENSIONS
from gdrivestats.workbook.load import check_file, read_excel, read_text_file
from gdrivestats.workbook.metadata import CountryMetadata, apply_country_metadata, find_country_metadata
from gdrivestats.workbook.model import RawSheet, Sheet, SkipSheet, Workbook
from gdrivestats.workbook.periods import split_by_frequency
from gdrivestats.workbook.sheet import clean_raw_sheet
from gdrivestats.workbook.subjects import split_subjects
from gdrivestats.workbook.tables import split_tables

log = logging.getLogger(__name__)


def load_workbook(path: str | Path, sheet: str | None = None) -> Workbook:
    """Read and clean every sheet of ``path`` (or only ``sheet``). Raises WorkbookError on bad input.

    A CSV or TSV file is one sheet named after the file; ``sheet`` does not apply to it.
    """
    path = Path(path)
    check_file(path)
    raws = read_text_file(path) if path.suffix.lower() in TEXT_EXTENSIONS else read_excel(path, sheet)
    book = Workbook(name=path.stem, source=str(path), sheets=[])
    meta = _country_metadata(raws, path)
    for raw in _tables(raws, path):
        try:
            table = clean_raw_sheet(raw)
        except SkipSheet as skip:
            book.notes.append(f"Skipped sheet '{raw.name}': {skip}")
            continue
        except Exception as exc:  # a bug in the cleaning must not lose the other sheets or show a traceback
            log.exception("cleaning sheet %r of %s failed", raw.name, path)
            reason = f"it could not be cleaned ({type(exc).__name__}); please report this"
            book.notes.append(f"Skipped sheet '{raw.name}': {reason}")
            continue
        if meta is not None:
            table = _with_metadata(table, meta, path)
        book.sheets += split_by_frequency(table)
        log.debug(
            "%s [%s]: %d rows, %d notes",
            path.name,
            raw.name,
            len(book.sheets[-1].data),
            len(book.sheets[-1].notes),
        )
    if not book.sheets:
        reasons = "; ".join(book.notes) or "no sheets"
        message = f"nothing to analyse, no sheet has a table with numbers ({reasons})"
        raise WorkbookError(message, path=str(path))
    return book


def _country_metadata(raws: list[RawSheet], path: Path) -> CountryMetadata | None:
    """The sheet giving each country's region (World Bank 'Metadata - Countries'), if the file has one."""
    try:
        return find_country_metadata(raws)
    except Exception:  # a refinement: the sheets are still read without it
        log.exception("reading the country metadata of %s failed", path)
        return None


def _with_metadata(table: Sheet, meta: CountryMetadata, path: Path) -> Sheet:
    """The table with the metadata sheet's regions applied; the table as it was if that fails."""
    try:
        return apply_country_metadata(table, meta)
    except Exception:  # a refinement: the table is still analysed without it
        log.exception("applying the country metadata to %r of %s failed", table.name, path)
        return table


def _tables(raws: list[RawSheet], path: Path) -> list[RawSheet]:
    """Every table of every sheet: a sheet holding stacked tables gives one raw sheet per table."""
    out = []
    for raw in raws:
        try:
            out += [table for part in split_tables(raw) for table in split_subjects(part)]
        except Exception:  # finding tables is a refinement: the sheet is still read as one table
            log.exception("finding the tables of sheet %r of %s failed", raw.name, path)
            out.append(raw)
    return out
