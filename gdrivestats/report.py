"""The Report: tables and charts of workbooks, shown in a notebook, saved as xlsx, PNG, HTML and JSON.

``build_report(workbook)`` analyses and returns a :class:`Report`. In a notebook the report displays
itself and its parts are plain objects: ``report.sheets[0].describe`` (DataFrame),
``report.sheets[0].top["Population"]``, ``report.sheets[0].figures["top:Population"]`` (matplotlib
Figure), ``report.notes``.

``report.save(folder)`` writes, for a report of ONE workbook, straight into ``folder``::

    summary.xlsx  charts/*.png  report.html  summary.json

and for a report of SEVERAL workbooks one such folder per workbook, ``folder/<workbook name>/``, plus
``folder/index.html`` linking them. Each workbook folder is written into a temporary sibling and swapped into
place only once complete, so a failure leaves the previous output as it was and no half-written folder. A
folder is only ever replaced if it is empty or holds an earlier gdrivestats output (its summary.json says so);
anything else is refused with a ConfigError, so a mistyped folder never loses a user's files.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import logging
import math
import re
import sys
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import quote

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from gdrivestats import __version__, plots
from gdrivestats._fs import atomic_folder, atomic_write_bytes
from gdrivestats.analysis import SheetStats, WorkbookStats, analyze_workbook
from gdrivestats.errors import ConfigError
from gdrivestats.report_html import esc, html_page, notebook_html, page
from gdrivestats.summary_xlsx import write_summary_xlsx
from gdrivestats.workbook import Workbook

log = logging.getLogger(__name__)

GENERATOR = "gdrivestats"
SUMMARY_XLSX = "summary.xlsx"
SUMMARY_JSON = "summary.json"
REPORT_HTML = "report.html"
CHARTS_DIR = "charts"
INDEX_HTML = "index.html"
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def build_report(workbooks: Workbook | Iterable[Workbook], top: int = 10) -> Report:
    """Analyse one workbook (or several) and return the Report; charts are drawn when first needed."""
    books = [workbooks] if isinstance(workbooks, Workbook) else list(workbooks)
    return Report([analyze_workbook(book, top=top) for book in books])


# ---- the objects a notebook user holds ---------------------------------------------------------------------


class SheetReport:
    """The tables (DataFrames) and charts (Figures) of one sheet; see SheetStats for each table's shape."""

    def __init__(self, stats: SheetStats, workbook: str) -> None:
        self.stats = stats
        self.workbook = workbook
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
        return list(plots.iter_charts(self.stats, self.plan))

    @property
    def figures(self) -> dict[str, Figure]:
        """The charts as matplotlib Figures keyed "overview", "top:<metric>", "groups:<category>", ..."""
        return {chart.key: chart.figure for chart in self.charts}

    def iter_charts(self) -> Iterator[plots.Chart]:
        """The charts, reusing those already drawn, else drawing them one at a time without keeping them."""
        if "charts" in self.__dict__:
            yield from self.charts
        else:
            yield from plots.iter_charts(self.stats, self.plan)

    def overview_figure(self) -> Figure | None:
        """The overview chart alone (drawn if needed), or None when the sheet has no metric to chart."""
        if "charts" in self.__dict__:
            return next((c.figure for c in self.charts if c.kind == "overview"), None)
        if not self.plan.metrics:
            return None
        colours = plots.metric_colours(self.stats.metrics)
        return plots.plot_overview(self.stats, self.plan.metrics, colours).figure

    def __repr__(self) -> str:
        return f"<SheetReport {self.name!r}: {self.rows} rows, {len(self.stats.metrics)} numeric columns>"


class WorkbookReport:
    """The sheets of one workbook, with the workbook-level log."""

    def __init__(self, stats: WorkbookStats) -> None:
        self.stats = stats
        self.name = stats.name
        self.source = stats.source
        self.sheets = [SheetReport(sheet, stats.name) for sheet in stats.sheets]
        self.notes = list(stats.notes)

    def __repr__(self) -> str:
        return f"<WorkbookReport {self.name!r}: {len(self.sheets)} sheet(s)>"


class Report:
    """Statistics and charts of one or more workbooks; ``save(folder)`` writes them, a notebook shows them."""

    def __init__(self, workbooks: Sequence[WorkbookStats]) -> None:
        if not workbooks:
            raise ValueError("a Report needs at least one workbook")
        self.workbooks = [WorkbookReport(book) for book in workbooks]
        self.created = dt.datetime.now(dt.UTC).replace(microsecond=0)
        _show_figures_in_notebooks()

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
        return _summary(self, self.workbooks, charts={})

    def to_html(self) -> str:
        """The whole report as one self-contained HTML page (charts embedded)."""
        images = {id(s): [_image_of(c) for c in s.iter_charts()] for s in self.sheets}
        return html_page(self, self.workbooks, images)

    def save(self, folder: str | Path, per_workbook: bool | None = None) -> Path:
        """Write the outputs; returns ``folder``.

        One workbook goes straight into ``folder``; several go into ``folder/<workbook name>/`` each, with
        ``folder/index.html`` linking them (``per_workbook=True`` forces subfolders for one workbook too).
        """
        folder = Path(folder).expanduser()
        nested = len(self.workbooks) > 1 if per_workbook is None else per_workbook
        if not nested:
            _save_workbook(self, self.workbooks, folder)
            return folder
        names = output_names([book.name for book in self.workbooks])
        for book, name in zip(self.workbooks, names, strict=True):
            _save_workbook(self, [book], folder / name)
        _write_index(folder, self.workbooks, names)
        return folder

    def _repr_html_(self) -> str:
        """A light view for notebooks: per sheet its statistics, overview chart and notes."""
        return notebook_html(self)

    def __repr__(self) -> str:
        books = ", ".join(f"{b.name!r}" for b in self.workbooks)
        return f"<Report of {books}: {len(self.sheets)} sheet(s)>"


def _show_figures_in_notebooks() -> None:
    """In IPython, let a bare Figure display as a PNG even if pyplot was never imported (best effort)."""
    ipython_module = sys.modules.get("IPython")
    if ipython_module is None:
        return
    with contextlib.suppress(Exception):
        shell = ipython_module.get_ipython()
        if shell is None:
            return
        formatter = shell.display_formatter.formatters["image/png"]
        try:
            formatter.lookup_by_type(Figure)
        except KeyError:
            formatter.for_type(Figure, plots.figure_png)


# ---- saving --------------------------------------------------------------------------------------------


def _image_of(chart: plots.Chart) -> plots.ChartImage:
    return plots.ChartImage(chart.kind, chart.subject, chart.title, plots.figure_png(chart.figure))


def _save_workbook(report: Report, books: list[WorkbookReport], target: Path) -> None:
    """Write one output folder atomically: charts, summary.xlsx, summary.json, report.html."""
    _refuse_foreign_folder(target)
    with atomic_folder(target) as tmp:
        charts = tmp / CHARTS_DIR
        charts.mkdir()
        images: dict[int, list[plots.ChartImage]] = {}
        used: set[str] = set()
        for book in books:
            for sheet in book.sheets:
                images[id(sheet)] = []
                for chart in sheet.iter_charts():
                    image = _image_of(chart)
                    image.file = f"{CHARTS_DIR}/{_chart_file(sheet.name, chart, used)}"
                    (tmp / image.file).write_bytes(image.png)
                    images[id(sheet)].append(image)
        write_summary_xlsx(books, tmp / SUMMARY_XLSX, images)
        summary = _summary(report, books, images)
        (tmp / SUMMARY_JSON).write_text(
            json.dumps(summary, indent=2, ensure_ascii=False, allow_nan=False), "utf-8"
        )
        (tmp / REPORT_HTML).write_text(html_page(report, books, images), encoding="utf-8")
    log.info("report written to %s", target)


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
            return json.load(handle).get("generator") == GENERATOR
    except (OSError, ValueError, AttributeError):
        return False


def output_names(names: Sequence[str]) -> list[str]:
    """A safe, distinct folder name for each workbook (case-insensitively distinct, for macOS and Windows)."""
    result: list[str] = []
    seen: set[str] = set()
    for name in names:
        base = safe_folder_name(name)
        candidate, n = base, 2
        while candidate.casefold() in seen:
            candidate, n = f"{base}-{n}", n + 1
        seen.add(candidate.casefold())
        result.append(candidate)
    return result


_WINDOWS_RESERVED = {
    "con",
    "prn",
    "aux",
    "nul",
    *(f"com{i}" for i in range(1, 10)),
    *(f"lpt{i}" for i in range(1, 10)),
}


def safe_folder_name(name: str) -> str:
    """``name`` usable as a folder on every system: no separators or control characters, not hidden."""
    text = (
        re.sub(r'[\x00-\x1f\x7f<>:"/\\|?*]', "_", unicodedata.normalize("NFC", name))
        .strip()
        .strip(".")
        .strip()
    )
    text = text[:100].rstrip(" .") or "workbook"
    return f"_{text}" if text.split(".")[0].casefold() in _WINDOWS_RESERVED else text


def slug(text: str, limit: int = 40) -> str:
    """Lowercase ASCII letters, digits and dashes ("Area (km²)" -> "area-km2"); "" if nothing is left."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:limit].strip("-")


def _chart_file(sheet: str, chart: plots.Chart, used: set[str]) -> str:
    """A stable, safe PNG name: <sheet>-<kind>[-<subject>].png, with a short hash only if names clash."""
    parts = [slug(sheet, limit=24) or "sheet", chart.kind]
    if chart.subject:
        parts.append(slug(chart.subject) or "x")
    stem = "-".join(parts)
    if stem in used:
        digest = hashlib.sha1(f"{sheet}\0{chart.kind}\0{chart.subject}".encode()).hexdigest()[:8]
        stem = f"{stem}-{digest}"
    used.add(stem)
    return f"{stem}.png"


def _write_index(folder: Path, books: list[WorkbookReport], names: list[str]) -> None:
    """folder/index.html linking each workbook's report (never written over a page of someone else's)."""
    index = folder / INDEX_HTML
    if index.exists() and f'content="{GENERATOR}"' not in index.read_text(encoding="utf-8", errors="replace"):
        log.warning("%s exists and was not written by gdrivestats; not replacing it", index)
        return
    items = "".join(
        f'<li><a href="{esc(quote(name))}/{REPORT_HTML}">{esc(book.name)}</a> '
        f'<span class="muted">{esc(book.source)} · {len(book.sheets)} sheet(s)</span></li>'
        for book, name in zip(books, names, strict=True)
    )
    body = f'<main class="gds-report"><h1>Reports</h1><ul class="index">{items}</ul></main>'
    atomic_write_bytes(index, page("gdrivestats reports", body).encode("utf-8"))


# ---- summary.json ----------------------------------------------------------------------------------------


def _summary(
    report: Report, books: list[WorkbookReport], charts: dict[int, list[plots.ChartImage]]
) -> dict[str, Any]:
    return {
        "generator": GENERATOR,
        "version": __version__,
        "created": report.created.isoformat(),
        "workbooks": [
            {
                "name": book.name,
                "source": book.source,
                "notes": list(book.notes),
                "sheets": [_sheet_summary(sheet, charts.get(id(sheet), [])) for sheet in book.sheets],
            }
            for book in books
        ],
    }


def _sheet_summary(sheet: SheetReport, images: list[plots.ChartImage]) -> dict[str, Any]:
    stats = sheet.stats
    columns: dict[str, Any] = {}
    for name, row in stats.columns.iterrows():
        entry: dict[str, Any] = {
            "kind": row["kind"],
            **{k: row[k] for k in ("non_missing", "missing", "distinct")},
        }
        if name in stats.describe.index:
            entry.update(stats.describe.loc[name].to_dict())
            entry["count"], entry["missing"] = int(entry["count"]), int(entry["missing"])
        columns[str(name)] = entry
    return jsonable(
        {
            "name": stats.name,
            "rows": stats.rows,
            "label_column": stats.label_column,
            "columns": columns,
            "top": {m: _ranking_records(t) for m, t in stats.top.items()},
            "bottom": {m: _ranking_records(t) for m, t in stats.bottom.items()},
            "groups": {c: _group_dict(t) for c, t in stats.groups.items()},
            "correlations": {
                str(m): {str(o): r for o, r in row.items()} for m, row in stats.correlations.iterrows()
            },
            "notes": sheet.notes,
            "footnotes": list(stats.footnotes),
            "set_aside": _records(stats.set_aside),
            "charts": [
                {"file": i.file, "kind": i.chart_kind, "subject": i.subject, "title": i.title} for i in images
            ],
        }
    )


def _ranking_records(table: pd.DataFrame) -> list[dict[str, Any]]:
    return [
        {"label": label, "value": value} for label, value in zip(table["label"], table["value"], strict=True)
    ]


def _group_dict(table: pd.DataFrame) -> dict[str, dict[str, dict[str, Any]]]:
    result: dict[str, dict[str, dict[str, Any]]] = {}
    for metric in dict.fromkeys(table.columns.get_level_values(0)):
        part = table[metric]
        result[str(metric)] = {
            str(group): {stat: part.at[group, stat] for stat in part.columns} for group in part.index
        }
    return result


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): v for k, v in row.items()} for row in frame.to_dict(orient="records")]


def jsonable(value: Any) -> Any:
    """``value`` with NaN/inf as None, numpy and pandas scalars as Python ones, timestamps as ISO text."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if value is None or isinstance(value, str | bool):
        return value
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, dt.datetime | dt.date | pd.Timestamp):
        return None if pd.isna(value) else value.isoformat()
    with contextlib.suppress(TypeError, ValueError):
        if pd.isna(value):
            return None
    return str(value)


__all__ = [
    "Report",
    "SheetReport",
    "WorkbookReport",
    "build_report",
    "is_report_folder",
]
