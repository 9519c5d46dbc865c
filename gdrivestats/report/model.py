"""The Report model: the tables (DataFrames) and charts (Figures) of workbooks, as a notebook user holds them.

``build_report(workbook)`` analyses and returns a :class:`Report`. Its parts are plain objects:
``report.sheets[0].describe`` (DataFrame), ``report.sheets[0].top["Population"]``,
``report.sheets[0].figures["top:Population"]`` (matplotlib Figure), ``report.notes``. The writers
(summary.json, report.html, summary.xlsx, report.pdf, the output folder) live in their own modules and are
imported only when a method needs them, so the model never imports its writers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gdrivestats import plots
from gdrivestats.analysis import SheetStats, WorkbookStats, analyze_workbook
from gdrivestats.workbook import Workbook

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def build_report(workbooks: Workbook | Iterable[Workbook], top: int = 10) -> Report:
    """Analyse one workbook (or several) and return the Report; charts are drawn when first needed."""
    books = [workbooks] if isinstance(workbooks, Workbook) else list(workbooks)
    return Report([analyze_workbook(book, top=top) for book in books])


class SheetReport:
    """The tables (DataFrames) and charts (Figures) of one sheet; see SheetStats for each table's shape."""

    def __init__(self, stats: SheetStats, workbook: str, colours: dict[str, str] | None = None) -> None:
        self.stats = stats
        self.workbook = workbook
        self.colours = colours if colours is not None else plots.metric_colours(stats.metrics)
        self.plan = plots.plan_charts(stats)

    name = property(lambda self: self.stats.name, doc="The sheet's name.")
    rows = property(lambda self: self.stats.rows, doc="How many clean rows were analysed.")
    label_column = property(lambda self: self.stats.label_column, doc="The column of names, if any.")
    columns = property(
        lambda self: self.stats.columns, doc="Every column: kind, non_missing, missing, distinct."
    )
    describe = property(lambda self: self.stats.describe, doc="count, mean, std, quartiles, sum, missing.")
    top = property(lambda self: self.stats.top, doc="metric -> top N table (label, value).")
    bottom = property(lambda self: self.stats.bottom, doc="metric -> bottom N table (label, value).")
    groups = property(lambda self: self.stats.groups, doc="category -> table of (metric, sum|mean|count).")
    correlations = property(lambda self: self.stats.correlations, doc="Pearson r between metrics.")
    footnotes = property(lambda self: self.stats.footnotes, doc="Text found under the table.")
    set_aside = property(
        lambda self: self.stats.set_aside, doc="Total and note rows kept out of the analysis."
    )

    @property
    def notes(self) -> list[str]:
        """The cleaning log, then what the analysis and the charts left out and why."""
        return [*self.stats.notes, *self.plan.notes]

    @cached_property
    def charts(self) -> list[plots.Chart]:
        """Every chart of the sheet (drawn on first use)."""
        return list(plots.iter_charts(self.stats, self.plan, self.colours))

    @property
    def figures(self) -> dict[str, Figure]:
        """The charts as matplotlib Figures keyed "overview", "top:<metric>", "groups:<category>", ..."""
        return {chart.key: chart.figure for chart in self.charts}

    def iter_charts(self) -> Iterator[plots.Chart]:
        """The charts, reusing those already drawn, else drawing them one at a time without keeping them."""
        if "charts" in self.__dict__:
            yield from self.charts
        else:
            yield from plots.iter_charts(self.stats, self.plan, self.colours)

    def overview_figure(self) -> Figure | None:
        """The overview chart alone (drawn if needed), or None when the sheet has no metric to chart."""
        if "charts" in self.__dict__:
            return next((c.figure for c in self.charts if c.kind == "overview"), None)
        if not self.plan.metrics:
            return None
        return plots.plot_overview(self.stats, self.plan.metrics, self.colours).figure

    def __repr__(self) -> str:
        return f"<SheetReport {self.name!r}: {self.rows} rows, {len(self.stats.metrics)} numeric columns>"


class WorkbookReport:
    """The sheets of one workbook, with the workbook-level log."""

    def __init__(self, stats: WorkbookStats, colours: dict[str, str] | None = None) -> None:
        self.stats = stats
        self.name = stats.name
        self.source = stats.source
        colours = colours if colours is not None else report_colours([stats])
        self.sheets = [SheetReport(sheet, stats.name, colours) for sheet in stats.sheets]
        self.notes = list(stats.notes)

    def __repr__(self) -> str:
        return f"<WorkbookReport {self.name!r}: {len(self.sheets)} sheet(s)>"


def report_colours(workbooks: Sequence[WorkbookStats]) -> dict[str, str]:
    """One colour per metric name across the whole report, in the order the metrics first appear."""
    names = [metric for book in workbooks for sheet in book.sheets for metric in sheet.metrics]
    return plots.metric_colours(list(dict.fromkeys(names)))


class Report:
    """Statistics and charts of one or more workbooks; ``save(folder)`` writes them, a notebook shows them."""

    def __init__(self, workbooks: Sequence[WorkbookStats]) -> None:
        if not workbooks:
            raise ValueError("a Report needs at least one workbook")
        self.colours = report_colours(workbooks)
        self.workbooks = [WorkbookReport(book, self.colours) for book in workbooks]
        self.created = dt.datetime.now(dt.UTC).replace(microsecond=0)
        self._notebook_images: dict[int, list[plots.ChartImage]] | None = None

    @property
    def sheets(self) -> list[SheetReport]:
        """Every sheet of every workbook, in order."""
        return [sheet for book in self.workbooks for sheet in book.sheets]

    @property
    def notes(self) -> list[str]:
        """Everything the cleaning and the analysis did or left out, each line saying where."""
        lines: list[str] = []
        for book in self.workbooks:
            where = f"{book.name}: " if len(self.workbooks) > 1 else ""
            lines += [f"{where}{note}" for note in book.notes]
            for sheet in book.sheets:
                lines += [f"{where}{sheet.name}: {note}" for note in sheet.notes]
        return lines

    def sheet(self, name: str) -> SheetReport:
        """The sheet called ``name`` (the first one, if several workbooks have it)."""
        for sheet in self.sheets:
            if sheet.name == name:
                return sheet
        raise KeyError(f"no sheet {name!r}; sheets: {', '.join(s.name for s in self.sheets)}")

    def to_dict(self) -> dict[str, Any]:
        """What summary.json holds (JSON-ready: NaN is None, numpy numbers are Python numbers)."""
        from gdrivestats.report.summary_json import summary

        return summary(self, self.workbooks, charts={})

    def to_html(self) -> str:
        """The whole report as one self-contained HTML page (charts embedded)."""
        from gdrivestats.report.html import html_page
        from gdrivestats.report.save import render_images

        return html_page(self, self.workbooks, render_images(self.workbooks))

    def save(self, folder: str | Path, per_workbook: bool | None = None, charts: bool = False) -> Path:
        """Write the outputs; returns ``folder``.

        One workbook goes straight into ``folder``; several go into ``folder/<workbook name>/`` each, with
        ``folder/index.html`` linking them (``per_workbook=True`` forces subfolders for one workbook too).
        ``charts=True`` also writes each chart as a PNG file in ``charts/``.
        """
        from gdrivestats.report.save import save_report

        return save_report(self, Path(folder).expanduser(), per_workbook=per_workbook, charts=charts)

    def _repr_html_(self) -> str:
        """The notebook view: the same sections as report.html, each collapsible."""
        from gdrivestats.report.html import notebook_html
        from gdrivestats.report.save import render_images

        if self._notebook_images is None:  # drawn once: a notebook shows the report again and again
            self._notebook_images = render_images(self.workbooks)
        return notebook_html(self, self._notebook_images)

    def __repr__(self) -> str:
        books = ", ".join(f"{b.name!r}" for b in self.workbooks)
        return f"<Report of {books}: {len(self.sheets)} sheet(s)>"
