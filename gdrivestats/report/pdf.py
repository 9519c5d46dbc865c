"""report.pdf: a multi-page PDF Drive can preview: a title page, per sheet its key tables, then its charts.

Written with matplotlib's PdfPages: tables are drawn as text, charts are the PNGs rendered for the HTML.
"""

from __future__ import annotations

import io
import re
import textwrap
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, ClassVar

import numpy as np
from matplotlib.artist import Artist
from matplotlib.backend_bases import RendererBase
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from PIL import Image

from gdrivestats import __version__, plots
from gdrivestats.report.html import display, ranking_size, readable_time

if TYPE_CHECKING:
    import pandas as pd

    from gdrivestats.report.model import Report, SheetReport, WorkbookReport

PAGE = (11.69, 8.27)  # A4 landscape, inches
MAX_TABLE_ROWS = 56  # rows of a table in the PDF; summary.xlsx holds them all
NOTE_LINES = 8
PDF_RANKS = 5  # rows of each ranking in the PDF; the HTML and summary.xlsx hold the full top N
PDF_RANKED_METRICS = 3
DESCRIBE_STATS = ["count", "mean", "min", "50%", "max", "sum", "missing"]
_TEXT = plots.TEXT_COLOUR


class PdfReport:
    """A PDF being written: ``add_sheet`` for a sheet's table pages, ``add_chart`` for each chart."""

    def __init__(self, path: Path, report: Report, books: list[WorkbookReport]) -> None:
        self.path = path
        self.report = report
        self.books = books
        self.pages = 0
        self._pdf: PdfPages | None = None

    def __enter__(self) -> PdfReport:
        title = " + ".join(book.name for book in self.books)
        metadata = {"Title": f"{title} — gdrivestats report", "Creator": f"gdrivestats {__version__}"}
        self._pdf = PdfPages(self.path, metadata={**metadata, "CreationDate": None})
        self._title_page(title)
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self._pdf is not None:
            self._pdf.close()
            self._pdf = None

    def _save(self, figure: Figure) -> None:
        assert self._pdf is not None, "use PdfReport as a context manager"
        self._pdf.savefig(figure)
        self.pages += 1

    def add_chart(self, image: plots.ChartImage) -> None:
        """One chart on its own page: the PNG already rendered for the HTML, embedded pixel for pixel.

        Drawing the chart again as vector graphics would double the report's slowest step; the page
        holds the same pixels (indexed colour, so small), handed to the PDF renderer as they are (no
        resampling: one image pixel is one page pixel at the charts' dpi)."""
        with Image.open(io.BytesIO(image.png)) as png:
            pixels = np.asarray(png.convert("RGBA"))
        height, width = pixels.shape[:2]
        figure = Figure(figsize=(width / plots.DPI, height / plots.DPI), dpi=plots.DPI, facecolor="white")
        figure.add_artist(_Pixels(pixels))
        assert self._pdf is not None, "use PdfReport as a context manager"
        self._pdf.savefig(figure, dpi=plots.DPI)
        self.pages += 1

    def add_sheet(self, sheet: SheetReport) -> None:
        """The sheet's heading, notes and key tables: summary statistics and the ranking of each metric."""
        stats = sheet.stats
        lines: list[tuple[str, str]] = []  # (style, text)
        noun = "rows" if stats.rows != 1 else "row"
        metrics = f"{len(stats.metrics)} numeric column(s)"
        lines.append(("muted", f"{sheet.workbook} · {stats.rows:,} {noun} · {metrics}"))
        for note in sheet.notes[:NOTE_LINES]:
            lines.append(("note", f"• {note}"))
        if len(sheet.notes) > NOTE_LINES:
            lines.append(("note", f"• … {len(sheet.notes) - NOTE_LINES} more notes in summary.xlsx (Notes)"))
        tables: list[tuple[str, list[str], list[list[str]]]] = []
        if stats.metrics:
            unit = f" ({stats.unit_text})" if stats.unit_text else ""  # as in report.html
            tables.append((f"Summary statistics{unit}", *_describe_rows(stats.describe)))
            shown = min(ranking_size(stats), PDF_RANKS)
            charted = sheet.plan.metrics[:PDF_RANKED_METRICS]
            more = len(stats.metrics) - len(charted)
            caption = f"Top and bottom {shown}{unit}" + (
                f" (first {len(charted)} metrics)" if more > 0 else ""
            )
            tables.append((caption, *_ranking_rows(sheet, charted, shown)))
        self._text_pages(f"Sheet {stats.name}", lines, tables)

    def _title_page(self, title: str) -> None:
        lines = [("muted", f"Report made {readable_time(self.report.created)} by gdrivestats {__version__}")]
        for book in self.books:
            lines.append(("muted", f"Source: {book.source}"))
            lines += [("note", f"• {note}") for note in book.notes[:NOTE_LINES]]
        rows = [
            [sheet.name, f"{sheet.rows:,}", str(len(sheet.stats.metrics)), sheet.workbook]
            for book in self.books
            for sheet in book.sheets
        ]
        tables = [("Sheets", ["Sheet", "Rows", "Numeric columns", "Workbook"], rows)]
        self._text_pages(title, lines, tables)

    def _text_pages(
        self, title: str, lines: list[tuple[str, str]], tables: list[tuple[str, list[str], list[list[str]]]]
    ) -> None:
        """Lines of text, then tables as monospaced columns, over as many pages as they need."""
        page = _Page(title)
        for style, text in lines:
            for part in textwrap.wrap(text, 150) or [""]:
                page = page.line(part, style, self._save)
        for caption, head, rows in tables:
            shown = rows[:MAX_TABLE_ROWS]
            widths = [min(max([len(h), *(len(r[i]) for r in shown)]), 40) for i, h in enumerate(head)]
            page = page.gap().line(caption, "heading", self._save)
            page = page.line(_row(head, widths), "head", self._save)
            for row in shown:
                page = page.line(_row(row, widths), "mono", self._save)
            if len(rows) > len(shown):
                page = page.line(f"… {len(rows) - len(shown)} more rows in summary.xlsx", "muted", self._save)
        page.finish(self._save)


class _Pixels(Artist):
    """An RGBA image (top row first) drawn at the figure's lower left corner, one pixel per device pixel."""

    def __init__(self, pixels: np.ndarray) -> None:
        super().__init__()
        self._pixels = pixels[::-1]  # renderers take the bottom row first

    def draw(self, renderer: RendererBase) -> None:
        gc = renderer.new_gc()
        renderer.draw_image(gc, 0, 0, self._pixels)
        gc.restore()


class _Page:
    """One text page being filled from the top; ``line`` starts a new page when this one is full."""

    SIZES: ClassVar[dict[str, float]] = {"heading": 13, "head": 9.5, "mono": 9.5, "muted": 10, "note": 10}
    TOP, BOTTOM, LEFT = 0.93, 0.05, 0.05

    def __init__(self, title: str, continued: bool = False) -> None:
        self.title = title
        self.figure = Figure(figsize=PAGE, facecolor="white")
        heading = f"{title} (continued)" if continued else title
        shown = plots._text(_cut(heading, 90))
        self.figure.text(self.LEFT, self.TOP, shown, fontsize=17, weight="bold", color=_TEXT, va="top")
        self.y = self.TOP - 0.07

    def gap(self) -> _Page:
        self.y -= 0.02
        return self

    def line(self, text: str, style: str, save: Callable[[Figure], None]) -> _Page:
        size = self.SIZES[style]
        step = size * 1.45 / 72 / PAGE[1]
        page = self
        if self.y - step < self.BOTTOM:
            self.finish(save)
            page = _Page(self.title, continued=True)
        mono = style in ("mono", "head")
        page.figure.text(
            self.LEFT,
            page.y,
            plots._text(text),
            fontsize=size,
            family="monospace" if mono else "sans-serif",
            weight="bold" if style in ("heading", "head") else "normal",
            color="#6b7785" if style == "muted" else _TEXT,
            va="top",
        )
        page.y -= step
        return page

    def finish(self, save: Callable[[Figure], None]) -> None:
        save(self.figure)


def _describe_rows(describe: pd.DataFrame) -> tuple[list[str], list[list[str]]]:
    stats = [s for s in DESCRIBE_STATS if s in describe.columns]
    head = ["Metric", *("median" if s == "50%" else s for s in stats)]
    rows = [[_cut(str(metric), 40), *(display(row[s]) for s in stats)] for metric, row in describe.iterrows()]
    return head, rows


def _ranking_rows(sheet: SheetReport, metrics: list[str], ranks: int) -> tuple[list[str], list[list[str]]]:
    """Per metric: rank, top label and value, bottom label and value, for the first ``ranks`` ranks."""
    stats = sheet.stats
    label = stats.label_name
    head = ["Metric", "#", f"Top: {label}", "Value", f"Bottom: {label}", "Value"]
    rows = []
    for metric in metrics:
        top, bottom = stats.top[metric], stats.bottom[metric]
        for rank in range(1, min(ranks, max(len(top), len(bottom))) + 1):
            cells = [_cut(metric, 28) if rank == 1 else "", str(rank)]
            for table in (top, bottom):
                if rank in table.index:
                    cells += [_cut(str(table.at[rank, "label"]), 30), display(table.at[rank, "value"])]
                else:
                    cells += ["", ""]
            rows.append(cells)
    return head, rows


_NUMBER = re.compile(r"^[-−]?[\d,.]+( [kMBT])?$|^–$")


def _row(cells: list[str], widths: list[int]) -> str:
    """Cells in fixed-width columns, numbers right-aligned."""
    parts = [
        _cut(c, w).rjust(w) if _NUMBER.match(c) else _cut(c, w).ljust(w)
        for c, w in zip(cells, widths, strict=True)
    ]
    return "  ".join(parts).rstrip()


def _cut(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"
