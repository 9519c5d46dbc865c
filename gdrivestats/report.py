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

import base64
import contextlib
import datetime as dt
import hashlib
import html
import json
import logging
import math
import re
import sys
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import quote

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from openpyxl import Workbook as XlsxWorkbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from gdrivestats import plots
from gdrivestats._atomic import atomic_folder, atomic_write_bytes
from gdrivestats.analysis import SheetStats, WorkbookStats, analyze_workbook
from gdrivestats.errors import ConfigError
from gdrivestats.workbook import Workbook

log = logging.getLogger(__name__)

GENERATOR = "gdrivestats"
SUMMARY_XLSX = "summary.xlsx"
SUMMARY_JSON = "summary.json"
REPORT_HTML = "report.html"
CHARTS_DIR = "charts"
INDEX_HTML = "index.html"
XLSX_MAX_SHEET_NAME = 31
XLSX_MAX_CELL_TEXT = 32_767
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
        return _html_page(self, self.workbooks, images)

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
        return _notebook_html(self)

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


@dataclass
class _Image:
    """One rendered chart: where it is saved and its PNG bytes."""

    chart_kind: str
    subject: str
    title: str
    png: bytes
    file: str = ""


def _image_of(chart: plots.Chart) -> _Image:
    return _Image(chart.kind, chart.subject, chart.title, plots.figure_png(chart.figure))


def _save_workbook(report: Report, books: list[WorkbookReport], target: Path) -> None:
    """Write one output folder atomically: charts, summary.xlsx, summary.json, report.html."""
    _refuse_foreign_folder(target)
    with atomic_folder(target) as tmp:
        charts = tmp / CHARTS_DIR
        charts.mkdir()
        images: dict[int, list[_Image]] = {}
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
        (tmp / REPORT_HTML).write_text(_html_page(report, books, images), encoding="utf-8")
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
        f'<li><a href="{_esc(quote(name))}/{REPORT_HTML}">{_esc(book.name)}</a> '
        f'<span class="muted">{_esc(book.source)} · {len(book.sheets)} sheet(s)</span></li>'
        for book, name in zip(books, names, strict=True)
    )
    body = f'<main class="gds-report"><h1>Reports</h1><ul class="index">{items}</ul></main>'
    atomic_write_bytes(index, _page("gdrivestats reports", body).encode("utf-8"))


# ---- summary.json ----------------------------------------------------------------------------------------


def _summary(report: Report, books: list[WorkbookReport], charts: dict[int, list[_Image]]) -> dict[str, Any]:
    return {
        "generator": GENERATOR,
        "version": _version(),
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


def _sheet_summary(sheet: SheetReport, images: list[_Image]) -> dict[str, Any]:
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


def _version() -> str:
    try:
        return metadata.version("gdrivestats")
    except metadata.PackageNotFoundError:
        return "unknown"


# ---- summary.xlsx ----------------------------------------------------------------------------------------

_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="E8EEF5")


def write_summary_xlsx(
    books: list[WorkbookReport], path: Path, images: dict[int, list[_Image]] | None = None
) -> None:
    """One worksheet per table, header bold and frozen, widths fitted, numbers with thousands separators.

    Every text cell is stored as text (never a formula), whatever it starts with.
    """
    xlsx = XlsxWorkbook()
    xlsx.remove(xlsx.active)
    used: set[str] = set()
    sheets = [sheet for book in books for sheet in book.sheets]
    for sheet in sheets:
        prefix = sheet.name if len(sheets) > 1 else ""
        for title, table in _sheet_tables(sheet):
            worksheet = xlsx.create_sheet(xlsx_sheet_name(prefix, title, used))
            _write_table(worksheet, table)
    _write_table(xlsx.create_sheet(xlsx_sheet_name("", "Notes", used)), _notes_table(books, sheets))
    xlsx.save(path)


def _sheet_tables(sheet: SheetReport) -> list[tuple[str, pd.DataFrame]]:
    stats = sheet.stats
    label = stats.label_name
    tables: list[tuple[str, pd.DataFrame]] = [
        ("Columns", stats.columns.reset_index().rename(columns=_COLUMN_HEADERS))
    ]
    if stats.metrics:
        tables.append(("Describe", stats.describe.reset_index().rename(columns={"metric": "Metric"})))
        tables.append(("Top", _long_ranking(stats.top, label)))
        tables.append(("Bottom", _long_ranking(stats.bottom, label)))
    for category, table in stats.groups.items():
        flat = table.copy()
        flat.columns = [f"{metric} ({stat})" for metric, stat in flat.columns]
        tables.append((f"By {category}", flat.reset_index()))
    if not stats.correlations.empty:
        tables.append(("Correlations", stats.correlations.rename_axis("Metric").reset_index()))
    if not stats.set_aside.empty:
        tables.append(("Set aside", stats.set_aside))
    return tables


_COLUMN_HEADERS = {"column": "Column", "kind": "Kind", "non_missing": "Values", "missing": "Missing"}
_COLUMN_HEADERS |= {"distinct": "Distinct"}


def _long_ranking(rankings: dict[str, pd.DataFrame], label: str) -> pd.DataFrame:
    parts = [
        pd.DataFrame({"Metric": metric, "Rank": t.index, label: t["label"], "Value": t["value"]})
        for metric, t in rankings.items()
    ]
    return (
        pd.concat(parts, ignore_index=True)
        if parts
        else pd.DataFrame(columns=["Metric", "Rank", label, "Value"])
    )


def _notes_table(books: list[WorkbookReport], sheets: list[SheetReport]) -> pd.DataFrame:
    rows = [(book.name, "", "workbook", note) for book in books for note in book.notes]
    for sheet in sheets:
        rows += [(sheet.workbook, sheet.name, "log", note) for note in sheet.notes]
        rows += [(sheet.workbook, sheet.name, "footnote", note) for note in sheet.footnotes]
    return pd.DataFrame(rows, columns=["Workbook", "Sheet", "Kind", "Note"])


def xlsx_sheet_name(prefix: str, title: str, used: set[str]) -> str:
    """A valid, unique worksheet name of at most 31 characters: "<prefix> <title>", the prefix cut first."""
    clean = re.compile(r"[\[\]:*?/\\\x00-\x1f]")
    title = clean.sub("_", title).strip()
    prefix = clean.sub("_", prefix).strip()
    room = XLSX_MAX_SHEET_NAME - len(title) - 1
    if prefix and room >= 4:
        prefix = prefix if len(prefix) <= room else prefix[: room - 1].rstrip() + "…"
        name = f"{prefix} {title}"
    else:
        name = title if not prefix else f"{prefix} {title}"
    name = name[:XLSX_MAX_SHEET_NAME].strip("'").strip() or "Sheet"
    candidate, n = name, 2
    while candidate.casefold() in used:  # Excel compares sheet names case-insensitively
        suffix = f" ({n})"
        candidate, n = name[: XLSX_MAX_SHEET_NAME - len(suffix)] + suffix, n + 1
    used.add(candidate.casefold())
    return candidate


def _write_table(worksheet: Worksheet, table: pd.DataFrame) -> None:
    headers = [str(c) for c in table.columns]
    widths = [len(h) for h in headers]
    for col, header in enumerate(headers, start=1):
        cell = worksheet.cell(row=1, column=col)
        _set_text(cell, header)
        cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
        cell.alignment = Alignment(vertical="top", wrap_text=False)
    columns = [table.iloc[:, i].tolist() for i in range(table.shape[1])]
    for col, values in enumerate(columns, start=1):
        for row, value in enumerate(values, start=2):
            shown = _write_cell(worksheet.cell(row=row, column=col), value, headers[col - 1])
            widths[col - 1] = max(widths[col - 1], shown)
    for col, width in enumerate(widths, start=1):
        worksheet.column_dimensions[get_column_letter(col)].width = min(max(width + 2, 8), 60)
    worksheet.freeze_panes = "A2"
    if table.shape[1] and len(table):
        worksheet.auto_filter.ref = f"A1:{get_column_letter(table.shape[1])}{len(table) + 1}"


def _write_cell(cell: Any, value: Any, header: str) -> int:
    """Write one value; return the width of its displayed text."""
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or (isinstance(value, float) and not math.isfinite(value)) or value is pd.NaT:
        return 0
    if isinstance(value, bool):
        cell.value = value
        return 5
    if isinstance(value, int | float):
        cell.value = value
        cell.number_format = _number_format(value, header)
        return len(f"{value:,.2f}") if cell.number_format != "#,##0" else len(f"{value:,.0f}")
    if isinstance(value, pd.Timestamp | dt.datetime | dt.date):
        value = value.to_pydatetime() if isinstance(value, pd.Timestamp) else value
        if isinstance(value, dt.datetime) and value.tzinfo is not None:
            value = value.replace(tzinfo=None)
        cell.value = value
        cell.number_format = (
            "yyyy-mm-dd" if not isinstance(value, dt.datetime) or not value.time() else "yyyy-mm-dd hh:mm"
        )
        return 16
    with contextlib.suppress(TypeError, ValueError):
        if pd.isna(value):
            return 0
    text = str(value)
    _set_text(cell, text)
    return len(text)


def _set_text(cell: Any, text: str) -> None:
    """Store ``text`` as a text cell, exactly as given: "=1+1" stays the four characters, not a formula."""
    text = ILLEGAL_CHARACTERS_RE.sub("", text)[:XLSX_MAX_CELL_TEXT]
    cell.value = text
    cell.data_type = "s"  # openpyxl makes any text starting with "=" a formula; this keeps it text


def _number_format(value: float, header: str) -> str:
    if header in ("Rank", "count", "missing", "Values", "Missing", "Distinct") or header.endswith("(count)"):
        return "#,##0"
    if float(value).is_integer() and abs(value) >= 1:
        return "#,##0"
    if abs(value) < 1:
        return "0.0000" if header not in ("Metric",) else "0.000"
    return "#,##0.00"


# ---- report.html -----------------------------------------------------------------------------------------

_CSS = """
.gds-report{font-family:-apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;
  color:#222;line-height:1.45;max-width:1200px;margin:0 auto;padding:0 16px 48px}
.gds-report h1{font-size:1.7em;margin:.8em 0 .2em}
.gds-report h2{font-size:1.35em;margin:1.8em 0 .4em;padding-top:.6em;border-top:2px solid #e3e8ee}
.gds-report h3{font-size:1.08em;margin:1.4em 0 .4em;color:#33475b}
.gds-report .muted{color:#6b7785;font-size:.92em}
.gds-report nav ul{padding-left:1.2em;margin:.3em 0}
.gds-report .table-wrap{overflow-x:auto;margin:.3em 0 1em}
.gds-report table{border-collapse:collapse;font-size:.88em}
.gds-report th,.gds-report td{padding:4px 10px;border-bottom:1px solid #e6e9ed;text-align:left;
  vertical-align:top}
.gds-report thead th{background:#f2f5f8;border-bottom:2px solid #cfd6de;position:sticky;top:0}
.gds-report td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.gds-report tbody tr:hover{background:#fafbfc}
.gds-report .rankings{display:grid;grid-template-columns:repeat(auto-fill,minmax(470px,1fr));gap:8px 24px}
.gds-report .rankings h4{margin:.6em 0 .2em;font-size:.95em}
.gds-report .charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(460px,1fr));gap:16px}
.gds-report figure{margin:0;background:#fff;border:1px solid #e6e9ed;border-radius:6px;padding:6px}
.gds-report figure.wide{grid-column:1/-1}
.gds-report figure img{width:100%;height:auto;display:block}
.gds-report figcaption{font-size:.8em;color:#6b7785;padding:2px 4px}
.gds-report ul.log li{margin:.15em 0}
.gds-report .footnotes{font-size:.9em;color:#444;border-left:3px solid #cfd6de;padding-left:10px}
.gds-report details>summary{cursor:pointer;color:#33475b;font-weight:600;margin:.8em 0 .3em}
"""


def _esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta name="generator" content="{GENERATOR}"><title>{_esc(title)}</title>'
        f"<style>{_CSS}</style></head><body>{body}</body></html>\n"
    )


def _html_page(report: Report, books: list[WorkbookReport], images: dict[int, list[_Image]]) -> str:
    title = " + ".join(book.name for book in books)
    parts = [
        f"<h1>{_esc(title)}</h1>",
        f'<p class="muted">Report made {_esc(report.created.isoformat())} by '
        f"{GENERATOR} {_esc(_version())}</p>",
    ]
    sheets = [(book, sheet) for book in books for sheet in book.sheets]
    toc = "".join(
        f'<li><a href="#{_anchor(i)}">{_esc(sheet.name)}</a>'
        + (f' <span class="muted">({_esc(book.name)})</span>' if len(books) > 1 else "")
        + "</li>"
        for i, (book, sheet) in enumerate(sheets)
    )
    parts.append(f"<nav><strong>Sheets</strong><ul>{toc}</ul></nav>")
    for book in books:
        parts.append(f'<p class="muted">Source: {_esc(book.source)}</p>')
        if book.notes:
            parts.append("<h3>Workbook log</h3>" + _list(book.notes, "log"))
    for i, (_book, sheet) in enumerate(sheets):
        parts.append(_sheet_html(sheet, images.get(id(sheet), []), _anchor(i)))
    return _page(f"{title} — gdrivestats report", f'<main class="gds-report">{"".join(parts)}</main>')


def _anchor(i: int) -> str:
    return f"sheet-{i + 1}"


def _sheet_html(sheet: SheetReport, images: list[_Image], anchor: str) -> str:
    stats = sheet.stats
    by_kind: dict[str, list[_Image]] = {}
    for image in images:
        by_kind.setdefault(image.chart_kind, []).append(image)
    out = [
        f'<section id="{anchor}"><h2>Sheet {_esc(stats.name)}</h2>',
        f'<p class="muted">{_esc(_meta(stats))}</p>',
    ]
    if sheet.notes:
        out.append("<h3>Cleaning log and notes</h3>" + _list(sheet.notes, "log"))
    out += [_figure(i, wide=True) for i in by_kind.get("overview", [])]
    if stats.metrics:
        out.append("<h3>Summary statistics</h3>" + _table(stats.describe, index_name="Metric"))
        out.append(f"<h3>Top and bottom {stats.top_n}</h3>" + _rankings_html(stats))
        out.append(_charts(by_kind.get("top", []) + by_kind.get("bottom", [])))
    for category, table in stats.groups.items():
        flat = table.copy()
        flat.columns = [f"{metric} ({stat})" for metric, stat in flat.columns]
        out.append(f"<h3>By {_esc(category)}</h3>" + _table(flat, index_name=str(category)))
        out.append(_charts([i for i in by_kind.get("groups", []) if i.subject == category]))
    if not stats.correlations.empty:
        out.append("<h3>Correlations (Pearson r)</h3>" + _table(stats.correlations, "Metric", heat=True))
        out.append(_charts(by_kind.get("correlation", [])))
    if by_kind.get("histogram"):
        out.append("<h3>Distributions</h3>" + _charts(by_kind["histogram"]))
    out.append(
        "<details><summary>Columns</summary>" + _table(stats.columns, index_name="Column") + "</details>"
    )
    if stats.footnotes:
        out.append(
            '<h3>Footnotes</h3><div class="footnotes">'
            + "".join(f"<p>{_esc(f)}</p>" for f in stats.footnotes)
        )
        out.append("</div>")
    if not stats.set_aside.empty:
        out.append(f"<h3>Rows set aside ({len(stats.set_aside)})</h3>" + _table(stats.set_aside, index=False))
    out.append("</section>")
    return "".join(out)


def _meta(stats: SheetStats) -> str:
    bits = [f"{stats.rows:,} rows", f"{len(stats.metrics)} numeric column(s)"]
    if stats.categories:
        bits.append(f"grouped by {', '.join(stats.categories)}")
    bits.append(f"rows named by {stats.label_column}" if stats.label_column else "rows named by their number")
    return " · ".join(bits)


def _list(items: Iterable[str], css: str) -> str:
    return f'<ul class="{css}">' + "".join(f"<li>{_esc(item)}</li>" for item in items) + "</ul>"


def _figure(image: _Image, wide: bool = False) -> str:
    data = base64.b64encode(image.png).decode("ascii")
    css = ' class="wide"' if wide else ""
    return (
        f'<figure{css}><img src="data:image/png;base64,{data}" alt="{_esc(image.title)}" loading="lazy">'
        f"<figcaption>{_esc(image.file or image.title)}</figcaption></figure>"
    )


def _charts(images: list[_Image]) -> str:
    return f'<div class="charts">{"".join(_figure(i) for i in images)}</div>' if images else ""


def _rankings_html(stats: SheetStats) -> str:
    blocks = []
    for metric in stats.metrics:
        top, bottom = stats.top[metric], stats.bottom[metric]
        rows = "".join(
            f"<tr><td class='num'>{rank}</td>" + _pair(top, rank) + _pair(bottom, rank) + "</tr>"
            for rank in range(1, max(len(top), len(bottom)) + 1)
        )
        head = (
            f"<thead><tr><th>#</th><th>Top: {_esc(stats.label_name)}</th><th>{_esc(metric)}</th>"
            f"<th>Bottom: {_esc(stats.label_name)}</th><th>{_esc(metric)}</th></tr></thead>"
        )
        table = f'<div class="table-wrap"><table>{head}<tbody>{rows}</tbody></table></div>'
        blocks.append(f"<div><h4>{_esc(metric)}</h4>{table}</div>")
    return f'<div class="rankings">{"".join(blocks)}</div>'


def _pair(table: pd.DataFrame, rank: int) -> str:
    if rank not in table.index:
        return "<td></td><td></td>"
    label, value = table.at[rank, "label"], display(table.at[rank, "value"])
    return f"<td>{_esc(label)}</td><td class='num'>{_esc(value)}</td>"


def _table(frame: pd.DataFrame, index_name: str = "", index: bool = True, heat: bool = False) -> str:
    """An HTML table of ``frame`` with every header and cell escaped, numbers right-aligned."""
    columns = [str(c) for c in frame.columns]
    head = ([f"<th>{_esc(index_name)}</th>"] if index else []) + [f"<th>{_esc(c)}</th>" for c in columns]
    cmap = colormaps[plots.HEATMAP_COLORMAP]
    body = []
    for label, row in zip(frame.index, frame.itertuples(index=False, name=None), strict=True):
        cells = [f"<th>{_esc(label)}</th>"] if index else []
        for value in row:
            if _is_number(value):
                style = ""
                if heat and math.isfinite(value):
                    colour = cmap((float(value) + 1) / 2)
                    ink = "#fff" if abs(value) > 0.6 else "#222"
                    style = f' style="background:{to_hex(colour)};color:{ink}"'
                shown = (
                    f"{value:.2f}".replace("-0.00", "0.00")
                    if heat and math.isfinite(value)
                    else display(value)
                )
                cells.append(f"<td class='num'{style}>{_esc(shown)}</td>")
            else:
                cells.append(f"<td>{_esc(display(value))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (
        f'<div class="table-wrap"><table><thead><tr>{"".join(head)}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | np.integer | np.floating) and not isinstance(
        value, bool | np.bool_
    )


def display(value: Any) -> str:
    """A value as a person reads it: 1,234,567 · 12,345.7 · 12.35 · 0.1235 · – for missing."""
    if value is None:
        return "–"
    if _is_number(value):
        number = float(value)
        if not math.isfinite(number):
            return "–"
        if number.is_integer() or abs(number) >= 100_000:
            return f"{number:,.0f}"
        if abs(number) >= 100:
            return f"{number:,.1f}"
        if abs(number) >= 1:
            return f"{number:,.2f}"
        return f"{number:.4g}"
    with contextlib.suppress(TypeError, ValueError):
        if pd.isna(value):
            return "–"
    return str(value)


# ---- notebook view ---------------------------------------------------------------------------------------


def _notebook_html(report: Report) -> str:
    parts = []
    for book in report.workbooks:
        parts.append(f"<h2>{_esc(book.name)}</h2><p class='muted'>{_esc(book.source)}</p>")
        if book.notes:
            parts.append("<details><summary>Workbook log</summary>" + _list(book.notes, "log") + "</details>")
        for sheet in book.sheets:
            stats = sheet.stats
            parts.append(f"<h3>Sheet {_esc(stats.name)}</h3><p class='muted'>{_esc(_meta(stats))}</p>")
            figure = sheet.overview_figure()
            if figure is not None:
                png = plots.figure_png(figure, dpi=90)
                parts.append(_figure(_Image("overview", "", f"Overview of {stats.name}", png), wide=False))
            if stats.metrics:
                parts.append(_table(stats.describe, index_name="Metric"))
            if sheet.notes:
                parts.append("<details><summary>Cleaning log and notes</summary>" + _list(sheet.notes, "log"))
                parts.append("</details>")
    hint = (
        "<p class='muted'>Tables: <code>report.sheets[i].describe</code>, <code>.top[metric]</code>, "
        "<code>.groups[category]</code>, <code>.correlations</code>; charts: <code>.figures</code>; "
        "everything to files: <code>report.save(folder)</code>.</p>"
    )
    return f"<style>{_CSS}</style><div class='gds-report'>{''.join(parts)}{hint}</div>"


__all__ = [
    "Report",
    "SheetReport",
    "WorkbookReport",
    "build_report",
    "is_report_folder",
    "write_summary_xlsx",
    "xlsx_sheet_name",
]
