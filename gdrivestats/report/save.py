"""The output folder of a report: which files, their names, atomic replacement, and index.html.

``save_report(report, folder)`` writes, for a report of ONE workbook, straight into ``folder``::

    summary.xlsx  summary.json  report.html  report.pdf  [charts/*.png with charts=True]

and for a report of SEVERAL workbooks one such folder per workbook, ``folder/<workbook name>/``, plus
``folder/index.html`` linking them. Each workbook folder is written into a temporary sibling and swapped into
place only once complete, so a failure leaves the previous output as it was and no half-written folder. A
folder is only ever replaced if it is empty or holds an earlier gdrivestats output (its summary.json says so);
anything else is refused with a ConfigError, so a mistyped folder never loses a user's files.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from gdrivestats import plots
from gdrivestats._fs import atomic_folder, atomic_write_bytes
from gdrivestats.errors import ConfigError
from gdrivestats.names import distinct_names, slug
from gdrivestats.report.html import esc, html_page, page
from gdrivestats.report.pdf import PdfReport
from gdrivestats.report.summary_json import GENERATOR, summary, summary_text
from gdrivestats.report.xlsx import write_summary_xlsx

if TYPE_CHECKING:
    from gdrivestats.report.model import Report, SheetReport, WorkbookReport

log = logging.getLogger(__name__)

SUMMARY_XLSX = "summary.xlsx"
SUMMARY_JSON = "summary.json"
REPORT_HTML = "report.html"
REPORT_PDF = "report.pdf"
CHARTS_DIR = "charts"
INDEX_HTML = "index.html"
OUTPUTS = (SUMMARY_XLSX, SUMMARY_JSON, REPORT_HTML, REPORT_PDF)
"""The files of every output folder (plus ``charts/`` when asked for)."""


def save_report(report: Report, folder: Path, per_workbook: bool | None = None, charts: bool = False) -> Path:
    """Write the outputs of ``report`` into ``folder`` (see the module docstring); returns ``folder``."""
    nested = len(report.workbooks) > 1 if per_workbook is None else per_workbook
    if not nested:
        _save_workbook(report, report.workbooks, folder, charts)
        return folder
    names = output_names([book.name for book in report.workbooks])
    for book, name in zip(report.workbooks, names, strict=True):
        _save_workbook(report, [book], folder / name, charts)
    _write_index(folder, [_listed(book, name) for book, name in zip(report.workbooks, names, strict=True)])
    return folder


def write_index(folder: str | Path, saved: Sequence[tuple[str, Report]]) -> None:
    """``folder/index.html`` linking reports saved one by one into ``folder/<name>/``: ``saved`` holds
    (name, report) pairs, as a caller that analyses several sources in turn has them."""
    _write_index(Path(folder), [_listed(r.workbooks[0], name) for name, r in saved if r.workbooks])


def write_index_of_saved(folder: str | Path, names: Sequence[str]) -> None:
    """``folder/index.html`` linking the reports already saved in ``folder/<name>/`` (read from their
    summary.json), for reports saved in other processes."""
    folder = Path(folder)
    entries = []
    for name in names:
        try:
            book = json.loads((folder / name / SUMMARY_JSON).read_text(encoding="utf-8"))["workbooks"][0]
        except (OSError, ValueError, KeyError, IndexError):
            continue
        entries.append(
            (str(book.get("name", name)), str(book.get("source", "")), len(book.get("sheets", [])), name)
        )
    _write_index(folder, entries)


def _listed(book: WorkbookReport, name: str) -> tuple[str, str, int, str]:
    return (book.name, book.source, len(book.sheets), name)


def render_images(
    books: Sequence[WorkbookReport], pdf: PdfReport | None = None
) -> dict[int, list[plots.ChartImage]]:
    """Every chart of ``books`` as PNG (keyed by id(sheet)), each also added to ``pdf`` when given."""
    images: dict[int, list[plots.ChartImage]] = {}
    with plots.warnings_to_log():
        for book in books:
            for sheet in book.sheets:
                images[id(sheet)] = []
                if pdf is not None:
                    pdf.add_sheet(sheet)
                for chart in sheet.iter_charts():
                    image = _image_of(chart)
                    images[id(sheet)].append(image)
                    if pdf is not None:
                        pdf.add_chart(image)
    return images


def _image_of(chart: plots.Chart) -> plots.ChartImage:
    width, height = (round(inches * plots.DPI) for inches in chart.figure.get_size_inches())
    png = plots.figure_png(chart.figure)
    return plots.ChartImage(chart.kind, chart.subject, chart.title, png, width=width, height=height)


def _save_workbook(report: Report, books: list[WorkbookReport], target: Path, charts: bool) -> None:
    """Write one output folder atomically: summary.xlsx, summary.json, report.html, report.pdf [, charts]."""
    _refuse_foreign_folder(target)
    with atomic_folder(target) as tmp:
        with PdfReport(tmp / REPORT_PDF, report, books) as pdf:
            images = render_images(books, pdf)
        if charts:
            _write_chart_files(tmp, books, images)
        write_summary_xlsx(books, tmp / SUMMARY_XLSX)
        files = images if charts else {}  # summary.json lists chart files only when there are some
        (tmp / SUMMARY_JSON).write_text(summary_text(summary(report, books, files)), "utf-8")
        (tmp / REPORT_HTML).write_text(html_page(report, books, images), encoding="utf-8")
    log.info("report written to %s", target)


def _write_chart_files(
    tmp: Path, books: list[WorkbookReport], images: dict[int, list[plots.ChartImage]]
) -> None:
    (tmp / CHARTS_DIR).mkdir()
    used: set[str] = set()
    for book in books:
        for sheet in book.sheets:
            for image in images[id(sheet)]:
                image.file = f"{CHARTS_DIR}/{chart_file(sheet, image, used)}"
                (tmp / image.file).write_bytes(image.png)


def _refuse_foreign_folder(target: Path) -> None:
    """Only an empty folder or an earlier gdrivestats output may be replaced."""
    if not target.exists():
        return
    if not target.is_dir():
        raise ConfigError(f"{target}: exists and is not a folder; choose a folder for the report")
    if any(target.iterdir()) and not is_report_folder(target):
        raise ConfigError(
            f"{target}: folder holds other files, not an earlier gdrivestats report; "
            "choose a new or empty folder (the report replaces the folder's contents)"
        )


def is_report_folder(folder: str | Path) -> bool:
    """True when ``folder`` holds a summary.json written by gdrivestats."""
    try:
        with open(Path(folder) / SUMMARY_JSON, encoding="utf-8") as handle:
            return bool(json.load(handle).get("generator") == GENERATOR)
    except (OSError, ValueError, AttributeError):
        return False


def output_names(names: Sequence[str]) -> list[str]:
    """A safe, distinct folder name for each workbook (case-insensitively distinct, for macOS and Windows)."""
    return distinct_names(names, fallback="workbook")


def chart_file(sheet: SheetReport, image: plots.ChartImage, used: set[str]) -> str:
    """A stable, safe PNG name: <sheet>-<kind>[-<subject>].png, with a short hash only if names clash."""
    parts = [slug(sheet.name, limit=24) or "sheet", image.chart_kind]
    if image.subject:
        parts.append(slug(image.subject) or "x")
    stem = "-".join(parts)
    if stem in used:
        key = f"{sheet.workbook}\0{sheet.name}\0{image.chart_kind}\0{image.subject}"
        stem = f"{stem}-{hashlib.sha1(key.encode()).hexdigest()[:8]}"
    used.add(stem)
    return f"{stem}.png"


def _write_index(folder: Path, entries: Sequence[tuple[str, str, int, str]]) -> None:
    """folder/index.html linking each workbook's report: (title, source, sheets, folder name) each; never
    written over a page of someone else's."""
    index = folder / INDEX_HTML
    if index.exists() and f'content="{GENERATOR}"' not in index.read_text(encoding="utf-8", errors="replace"):
        log.warning("%s exists and was not written by gdrivestats; not replacing it", index)
        return
    items = "".join(
        f'<li><a href="{esc(quote(name))}/{REPORT_HTML}">{esc(title)}</a> '
        f'(<a href="{esc(quote(name))}/{REPORT_PDF}">PDF</a>) '
        f'<span class="muted">{esc(source)} · {sheets} sheet(s)</span></li>'
        for title, source, sheets, name in entries
    )
    body = f'<main class="gds-report"><h1>Reports</h1><ul class="index">{items}</ul></main>'
    atomic_write_bytes(index, page("gdrivestats reports", body).encode("utf-8"))
