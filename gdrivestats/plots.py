"""Charts from statistics tables: matplotlib Figures made without pyplot, so none stays open (pure)."""

from __future__ import annotations

import contextlib
import io
import logging
import math
import re
import textwrap
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Literal, TextIO, cast

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.ticker import EngFormatter, MaxNLocator, NullFormatter

from gdrivestats.analysis import Histogram, SheetStats, earliest_of, is_intensive

log = logging.getLogger(__name__)

MAX_METRICS = 6  # metrics charted per sheet (overview panels, correlations); the tables hold them all
MAX_GROUP_PANELS = 4  # metrics in a group chart
MAX_CHARTS = 6  # charts per sheet by default: the main measures; plan_charts(max_charts=...) for more
MAX_CATEGORIES = 4  # category columns charted per sheet
MAX_GROUPS = 15  # bars per group chart; the rest are named in a note
OVERVIEW_TOP = 5
MIN_HISTOGRAM_VALUES = 10  # fewer values make no distribution worth a chart
DPI = 90
PNG_COLOURS = 32
LABEL_CHARS = 30
PANEL_LABEL_CHARS = 20
NICE_STEPS = [1, 2, 2.5, 5, 10]  # tick steps a reader counts in

# One colour per metric, in the sheet's column order, the same in every chart (tab10 and two more).
PALETTE = [
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
    "#393b79",
    "#637939",
]
GRID_COLOUR = "#e5e5e5"
TEXT_COLOUR = "#333333"
HEATMAP_COLORMAP = "RdBu_r"


@dataclass
class Chart:
    """One figure and what it shows: ``kind`` is trend, overview, top, bottom, histogram, groups or
    correlation."""

    kind: str
    subject: str  # the metric or category charted ("" for correlation and overview)
    title: str
    figure: Figure

    @property
    def key(self) -> str:
        """The name of the chart in ``SheetReport.figures``: "top:Population", "groups:Region", "overview"."""
        return f"{self.kind}:{self.subject}" if self.subject else self.kind


@dataclass
class ChartPlan:
    """Which charts a sheet gets, as (kind, subject) pairs, and notes on what was left out."""

    metrics: list[str]
    categories: list[str]
    charts: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def plan_charts(
    stats: SheetStats,
    max_metrics: int = MAX_METRICS,
    max_categories: int = MAX_CATEGORIES,
    max_charts: int = MAX_CHARTS,
) -> ChartPlan:
    """The charts worth drawing for a sheet, most telling first, at most ``max_charts`` of them.

    In order: the line chart over time (when the sheet has a time axis: period columns or period rows),
    the overview (top rows of every metric), the ranking of the first metric, the groups of the first
    category, the distribution of the first metric, the correlations, then the other metrics. Period
    columns other than the latest get no chart of their own: the line chart shows them. The tables hold
    everything; the notes say what was not charted.
    """
    notes: list[str] = []
    metrics = [m for m in stats.metrics if _count(stats, m) > 0]
    empty = [m for m in stats.metrics if m not in metrics]
    if empty:
        notes.append(f"No charts for {_names(empty)}: no values.")
    trend = not stats.trend.empty and stats.trend.notna().any().any()
    if trend and stats.trend_over == "columns":  # one line chart over the periods, not one chart per period
        periods = [m for m in metrics if m in stats.time_columns and m != stats.latest_period]
        metrics = [m for m in metrics if m not in periods]
        if periods:
            notes.append(
                f"A line chart over the {len(stats.time_columns)} periods ({earliest_of(stats.time_columns)} "
                f"to {stats.latest_period}) instead of a chart per period; the rankings are at the latest, "
                f"{stats.latest_period}."
            )
    if len(metrics) > max_metrics:
        notes.append(
            f"Charts show the first {max_metrics} of {len(metrics)} numeric columns; "
            f"the tables cover all of them (not charted: {_names(metrics[max_metrics:])})."
        )
        metrics = metrics[:max_metrics]
    few = [m for m in metrics if _count(stats, m) < MIN_HISTOGRAM_VALUES]
    if few:
        notes.append(f"No histogram for {_names(few)}: fewer than {MIN_HISTOGRAM_VALUES} values.")
    categories = [c for c in stats.categories if c in stats.groups and len(stats.groups[c]) >= 2]
    if len(categories) > max_categories:
        notes.append(
            f"Group charts show the first {max_categories} of {len(categories)} category columns "
            f"(not charted: {_names(categories[max_categories:])})."
        )
        categories = categories[:max_categories]
    for category in categories:
        if len(stats.groups[category]) > MAX_GROUPS:
            notes.append(
                f"Group charts by {category} show the {MAX_GROUPS} largest of "
                f"{len(stats.groups[category])} groups."
            )
    candidates = [("trend", "")] if trend else []
    candidates += _candidates(stats, metrics, categories)
    chosen = set(candidates[:max_charts])
    if len(candidates) > max_charts:
        notes.append(
            f"{max_charts} of {len(candidates)} possible charts drawn (the main measures); the tables "
            "hold every metric."
        )
    order = ("trend", "overview", "top", "bottom", "histogram", "groups", "correlation")
    charts = sorted(chosen, key=lambda c: (order.index(c[0]), candidates.index(c)))
    return ChartPlan(metrics=metrics, categories=categories, charts=charts, notes=notes)


def _count(stats: SheetStats, metric: str) -> int:
    """How many values ``metric`` has."""
    return int(cast("float", stats.describe.at[metric, "count"]))


def _candidates(stats: SheetStats, metrics: list[str], categories: list[str]) -> list[tuple[str, str]]:
    """Every chart the sheet could have, most telling first."""
    counts = {m: _count(stats, m) for m in metrics}
    tops = [("top", m) for m in metrics]
    hists = [("histogram", m) for m in metrics if counts[m] >= MIN_HISTOGRAM_VALUES]
    bottoms = [("bottom", m) for m in metrics if counts[m] > stats.top_n]  # else the top chart shows all
    groups = [("groups", c) for c in categories] if metrics else []
    charted = [m for m in metrics if m in stats.correlations.columns]
    correlation = [("correlation", "")] if len(charted) >= 2 else []
    first: list[tuple[str, str]] = [("overview", "")] if len(metrics) > 1 else []
    first += tops[:1] + groups[:1] + hists[:1] + correlation
    rest = tops[1:] + hists[1:] + groups[1:] + bottoms
    return first + [c for c in rest if c not in first]


def iter_charts(
    stats: SheetStats, plan: ChartPlan | None = None, colours: dict[str, str] | None = None
) -> Iterator[Chart]:
    """The planned charts of a sheet, made one at a time (so a caller can render and drop each in turn)."""
    plan = plan or plan_charts(stats)
    colours = colours or metric_colours(stats.metrics)
    for kind, subject in plan.charts:
        if kind == "trend":
            yield plot_trend(stats, colours)
        elif kind == "overview":
            yield plot_overview(stats, plan.metrics, colours)
        elif kind in ("top", "bottom"):
            yield plot_ranking(stats, subject, largest=kind == "top", colour=colours[subject])
        elif kind == "histogram":
            yield plot_histogram(stats, subject, colour=colours[subject])
        elif kind == "groups":
            yield plot_groups(stats, subject, plan.metrics[:MAX_GROUP_PANELS], colours)
        elif kind == "correlation":
            yield plot_correlation(stats, [m for m in plan.metrics if m in stats.correlations.columns])


def sheet_figures(stats: SheetStats, max_charts: int = MAX_CHARTS) -> dict[str, Figure]:
    """The charts of a sheet as Figures, keyed like "overview", "top:Population", "groups:Region"."""
    plan = plan_charts(stats, max_charts=max_charts)
    return {chart.key: chart.figure for chart in iter_charts(stats, plan)}


def figure_png(figure: Figure, dpi: int = DPI, colours: int = PNG_COLOURS) -> bytes:
    """The figure as PNG bytes: an indexed-colour PNG of ``colours`` colours (a few times smaller than RGBA
    for flat charts and looking the same); ``colours=0`` keeps full colour."""
    from PIL import Image

    image = Image.fromarray(figure_pixels(figure, dpi)).convert("RGB")
    if colours:
        image = image.quantize(colors=colours, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    out = io.BytesIO()
    image.save(out, format="png", optimize=bool(colours))
    return out.getvalue()


def figure_pixels(figure: Figure, dpi: int = DPI) -> np.ndarray:
    """The figure drawn once by Agg at ``dpi``: its RGBA pixels, top row first.

    The same pixels as ``savefig(format="png", dpi=dpi)``, which with a layout engine draws the figure
    twice (once to lay it out, once to paint it): a canvas draw lays it out and paints it in one pass."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(figure)
    saved = figure.dpi
    figure.dpi = dpi
    try:
        canvas.draw()
        return np.array(canvas.buffer_rgba())
    finally:
        figure.dpi = saved


@contextlib.contextmanager
def warnings_to_log() -> Iterator[None]:
    """Warnings raised inside (matplotlib's about glyphs, layouts, ...) go to the log, never to stderr."""
    warn_log = logging.getLogger("py.warnings")

    def show(
        message: Warning | str,
        category: type[Warning],
        filename: str,
        lineno: int,
        file: TextIO | None = None,
        line: str | None = None,
    ) -> None:
        warn_log.warning("%s:%s: %s: %s", filename, lineno, category.__name__, message)

    with warnings.catch_warnings():
        warnings.showwarning = show
        yield


def metric_colours(metrics: Sequence[str]) -> dict[str, str]:
    """A colour for each metric by its position in the sheet, so a metric looks the same in every chart."""
    return {metric: PALETTE[i % len(PALETTE)] for i, metric in enumerate(metrics)}


# ---- the charts ------------------------------------------------------------------------------------------


def plot_ranking(stats: SheetStats, metric: str, largest: bool = True, colour: str = PALETTE[0]) -> Chart:
    """Horizontal bars of the top (or bottom) N rows by ``metric``, best first, values written at the bars."""
    table = (stats.top if largest else stats.bottom)[metric]
    word = "Top" if largest else "Bottom"
    title = (
        f"{word} {len(table)} {row_noun(stats.label_column, len(table))} by {metric} — sheet '{stats.name}'"
    )
    figure = _new_figure(8.0, 1.4 + 0.32 * max(len(table), 3))
    ax = figure.add_subplot()
    _bars(ax, table["label"].tolist(), table["value"].to_numpy(dtype="float64"), colour, LABEL_CHARS)
    ax.set_xlabel(_text(_with_unit(metric, stats)))
    if table.empty:
        _say_empty(ax)
    _title(figure, title)
    return Chart("top" if largest else "bottom", metric, title, figure)


def plot_histogram(stats: SheetStats, metric: str, colour: str = PALETTE[0]) -> Chart:
    """The distribution of ``metric``: bin counts as a filled step chart (log x axis for very skewed data)."""
    hist: Histogram = stats.histograms[metric]
    scale = " (log scale)" if hist.log_scale else ""
    title = f"Distribution of {metric}{scale} — sheet '{stats.name}'"
    figure = _new_figure(8.0, 4.2)
    ax = figure.add_subplot()
    ax.bar(
        hist.edges[:-1],
        hist.counts,
        width=np.diff(hist.edges),
        align="edge",
        color=colour,
        edgecolor="white",
        linewidth=0.7,
    )
    if hist.log_scale:
        ax.set_xscale("log")
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.xaxis.set_major_formatter(UnitFormatter())
    else:
        ax.xaxis.set_major_locator(MaxNLocator(nbins=6, steps=NICE_STEPS))
        ax.xaxis.set_major_formatter(AxisNumberFormatter())
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))  # counts: whole numbers only
    ax.yaxis.set_major_formatter(AxisNumberFormatter())
    ax.set_xlim(hist.edges[0], hist.edges[-1])
    ax.set_xlabel(_text(_with_unit(metric, stats)))
    ax.set_ylabel(_text(f"Number of {row_noun(stats.label_column, 2)}"))
    _style(ax, grid_axis="y")
    _title(figure, title)
    return Chart("histogram", metric, title, figure)


def plot_groups(stats: SheetStats, category: str, metrics: list[str], colours: dict[str, str]) -> Chart:
    """One panel per metric: its total (its average, for rates and ratios) in each group of ``category``."""
    table = stats.groups[category]
    metrics = [m for m in metrics if m in table.columns.get_level_values(0)]
    shown = min(len(table), MAX_GROUPS)
    about = " and ".join(metrics) if len(metrics) <= 2 else f"{len(metrics)} metrics"
    title = f"{about} by {category} — sheet '{stats.name}'"
    ncols = 1 if len(metrics) == 1 else 2 if len(metrics) <= 4 else 3
    nrows = math.ceil(len(metrics) / ncols)
    figure = _new_figure(4.6 * ncols if ncols > 1 else 8.0, nrows * (1.3 + 0.27 * shown) + 0.6)
    axes = figure.subplots(nrows, ncols, squeeze=False).ravel()
    for ax, metric in zip(axes, metrics, strict=False):
        stat = group_stat(metric, stats)
        values = table[(metric, stat)].dropna().sort_values(ascending=False).head(MAX_GROUPS)
        _bars(
            ax,
            [str(v) for v in values.index],
            values.to_numpy(dtype="float64"),
            colours[metric],
            PANEL_LABEL_CHARS,
        )
        heading = _with_unit(f"{'Total' if stat == 'sum' else 'Average'} {metric}", stats)
        ax.set_title(_text(_wrap(heading, 44)), fontsize=10)
        if values.empty:
            _say_empty(ax)
    for ax in axes[len(metrics) :]:
        ax.set_visible(False)
    _title(figure, title)
    return Chart("groups", category, title, figure)


def plot_correlation(stats: SheetStats, metrics: list[str]) -> Chart:
    """A heatmap of Pearson r between ``metrics``, annotated, on a diverging scale fixed to -1..1."""
    matrix = stats.correlations.loc[metrics, metrics].to_numpy(dtype="float64")
    n = len(metrics)
    title = f"Correlation between metrics (Pearson r) — sheet '{stats.name}'"
    side = max(5.0, 0.62 * n + 3.0)
    figure = _new_figure(side + 1.0, side)
    ax = figure.add_subplot()
    cmap = colormaps[HEATMAP_COLORMAP].with_extremes(bad="#dddddd")
    image = ax.imshow(np.ma.masked_invalid(matrix), cmap=cmap, vmin=-1.0, vmax=1.0)
    names = [_text(_wrap(m, 18)) for m in metrics]
    ax.set_xticks(range(n), names, rotation=40, ha="right", rotation_mode="anchor")
    ax.set_yticks(range(n), names)
    ax.tick_params(length=0)
    size = 9 if n <= 8 else 7
    for i in range(n):
        for j in range(n):
            r = matrix[i, j]
            text = "–" if np.isnan(r) else f"{r:.2f}".replace("-0.00", "0.00")
            ax.text(
                j,
                i,
                text,
                ha="center",
                va="center",
                fontsize=size,
                color="white" if abs(r) > 0.6 else "black",
            )
    for spine in ax.spines.values():
        spine.set_visible(False)
    colourbar = figure.colorbar(image, ax=ax, shrink=0.8)
    colourbar.set_label("r")
    _title(figure, title)
    return Chart("correlation", "", title, figure)


def plot_overview(stats: SheetStats, metrics: list[str], colours: dict[str, str]) -> Chart:
    """Small panels, one per metric, each with the top few rows: the sheet at a glance."""
    count = min(OVERVIEW_TOP, stats.top_n)
    noun = row_noun(stats.label_column, count)
    unit = f" ({stats.unit_text})" if stats.unit_text else ""
    title = f"Overview: top {count} {noun} for each metric{unit} — sheet '{stats.name}'"
    ncols = 1 if len(metrics) == 1 else 2 if len(metrics) in (2, 4) else 3
    nrows = math.ceil(len(metrics) / ncols)
    figure = _new_figure(4.4 * ncols if ncols > 1 else 8.0, nrows * (1.2 + 0.3 * count) + 0.6)
    axes = figure.subplots(nrows, ncols, squeeze=False).ravel()
    for ax, metric in zip(axes, metrics, strict=False):
        table = stats.top[metric].head(count)
        _bars(ax, table["label"].tolist(), table["value"].to_numpy(dtype="float64"), colours[metric], 18)
        ax.set_title(_text(_wrap(metric, 40)), fontsize=10, color=colours[metric], fontweight="bold")
    for ax in axes[len(metrics) :]:
        ax.set_visible(False)
    _title(figure, title)
    return Chart("overview", "", title, figure)


def plot_trend(stats: SheetStats, colours: dict[str, str]) -> Chart:
    """Values over time on a date axis: the top rows across period columns in one panel, or one panel per
    metric when the rows are periods."""
    trend = stats.trend
    unit = stats.unit_text
    if stats.trend_over == "columns":
        count = trend.shape[1]
        noun = row_noun(stats.label_column, count)
        title = (
            f"Top {count} {noun} by {stats.latest_period} over time — sheet '{stats.name}'"
            if count > 1
            else f"{trend.columns[0]} over time — sheet '{stats.name}'"
        )
        figure = _new_figure(8.0, 4.6)
        ax = figure.add_subplot()
        for i, name in enumerate(trend.columns):
            _line(ax, trend, name, PALETTE[i % len(PALETTE)], label=_text(_shorten(name, LABEL_CHARS)))
        if count > 1:
            ax.legend(fontsize=8, frameon=False, loc="center left", bbox_to_anchor=(1.0, 0.5))
        ax.set_ylabel(_text(_wrap(unit or "Value", 48)))
        _date_axis(ax)
        _title(figure, title)
        return Chart("trend", "", title, figure)
    metrics = list(trend.columns[:MAX_METRICS])
    about = " and ".join(metrics) if len(metrics) <= 2 else f"{len(metrics)} metrics"
    title = f"{about} over time{f' ({unit})' if unit else ''} — sheet '{stats.name}'"
    ncols = 1 if len(metrics) <= 1 else 2
    nrows = math.ceil(len(metrics) / ncols)
    figure = _new_figure(8.0 if ncols == 1 else 9.2, nrows * 2.6 + 0.8)
    axes = figure.subplots(nrows, ncols, squeeze=False).ravel()
    for ax, metric in zip(axes, metrics, strict=False):
        _line(ax, trend, metric, colours.get(metric, PALETTE[0]))
        ax.set_title(_text(_wrap(metric, 44)), fontsize=10, color=colours.get(metric, TEXT_COLOUR))
        _date_axis(ax)
    for ax in axes[len(metrics) :]:
        ax.set_visible(False)
    _title(figure, title)
    return Chart("trend", "", title, figure)


def _line(ax: Axes, trend: pd.DataFrame, name: str, colour: str, label: str | None = None) -> None:
    """One series against its period starts; a single period is a dot, gaps stay gaps."""
    values = trend[name].to_numpy(dtype="float64")
    dates = pd.DatetimeIndex(trend.index).to_pydatetime()
    few = int(np.isfinite(values).sum()) <= 1
    ax.plot(
        dates,
        values,
        color=colour,
        linewidth=1.8,
        marker="o" if few or len(values) <= 12 else None,
        markersize=3.5,
        label=label,
    )


def _date_axis(ax: Axes) -> None:
    """A time axis: dates placed by AutoDateLocator (years, quarters or months as the span asks), written
    concisely (2020, 2025, ... or Jan, Apr, ... with the year once)."""
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter

    locator = AutoDateLocator(minticks=3, maxticks=8)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(ConciseDateFormatter(locator, show_offset=False))
    ax.yaxis.set_major_locator(MaxNLocator(nbins=5, steps=NICE_STEPS))
    ax.yaxis.set_major_formatter(AxisNumberFormatter())
    _style(ax, grid_axis="y")


def _with_unit(text: str, stats: SheetStats) -> str:
    """An axis label with the sheet's unit: "Population (Number in '000)"."""
    unit = stats.unit_text
    return f"{text} ({unit})" if unit and unit.casefold() not in text.casefold() else text


# ---- helpers ---------------------------------------------------------------------------------------------


def group_stat(metric: str, stats: SheetStats | None = None) -> str:
    """Which aggregate to chart: "sum" for amounts (population, sales), "mean" for rates and ratios."""
    if is_intensive(metric):
        return "mean"
    if stats is not None and metric in stats.describe.index:
        low = cast("float", stats.describe.at[metric, "min"])
        high = cast("float", stats.describe.at[metric, "max"])
        if low >= -1.0 and high <= 1.0 and not (low == 0 and high in (0, 1)):
            return "mean"  # fractions: adding them up means nothing
    return "sum"


def format_number(value: float, digits: int = 3) -> str:
    """A short human number: 1.32 B, 45.2 M, 12.5 k; below 10,000 whole with separators (9,876) or 0.125."""
    if value is None or not np.isfinite(value):
        return "–"
    magnitude = abs(value)
    for threshold, size, unit in ((1e12, 1e12, "T"), (1e9, 1e9, "B"), (1e6, 1e6, "M"), (1e4, 1e3, "k")):
        if magnitude >= threshold:
            return f"{_significant(value / size, digits)} {unit}"
    if magnitude >= 100 or value == int(value):
        return f"{value:,.0f}"
    return _significant(value, digits)


def _significant(value: float, digits: int) -> str:
    """``value`` to ``digits`` significant digits, without trailing zeros (12.5, 1.32, 0.0123)."""
    if value == 0:
        return "0"
    decimals = max(0, digits - 1 - math.floor(math.log10(abs(value))))
    text = f"{value:,.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


class UnitFormatter(EngFormatter):
    """matplotlib's EngFormatter with the units people read in statistics: k, M, B (billion), T."""

    def __init__(self, places: int | None = None) -> None:
        super().__init__(places=places, sep=" ")
        self.ENG_PREFIXES = {0: "", 3: "k", 6: "M", 9: "B", 12: "T"}


class AxisNumberFormatter(UnitFormatter):
    """Linear-axis ticks in one unit and with one number of decimals for the whole axis: 0, 0.5 B, 1.0 B
    (below 10,000 plain numbers with separators, as the values written at the bars)."""

    def format_ticks(self, values: Sequence[float]) -> list[str]:
        finite = [abs(v) for v in values if np.isfinite(v)]
        largest = max(finite, default=0.0)
        power = int(np.clip(math.floor(math.log10(largest) / 3) * 3, 0, 12)) if largest >= 1e4 else 0
        scaled = np.asarray(values, dtype="float64") / 10.0**power
        top = max(1.0, largest / 10.0**power)
        self.places = next(
            (d for d in range(4) if np.allclose(np.round(scaled, d), scaled, rtol=0, atol=1e-6 * top)), 3
        )
        prefix = self.ENG_PREFIXES[power]
        suffix = f"{self.sep}{prefix}" if prefix else ""
        return ["0" if v == 0 else self.fix_minus(f"{v:,.{self.places}f}{suffix}") for v in scaled]


def row_noun(label_column: str | None, count: int) -> str:
    """What the rows are, for titles: "countries" for a label column "Country", else "rows"."""
    if not label_column or len(label_column) > 24 or any(ch.isdigit() for ch in label_column):
        return "rows" if count != 1 else "row"
    noun = label_column.strip()
    if not noun.isupper():
        noun = noun[:1].lower() + noun[1:]
    if count == 1 or noun.endswith("s"):
        return noun
    if re.search(r"[^aeiou]y$", noun):
        return noun[:-1] + "ies"
    if re.search(r"(x|ch|sh|z)$", noun):
        return noun + "es"
    return noun + "s"


def _new_figure(width: float, height: float) -> Figure:
    """A Figure not registered with pyplot (garbage collected like any object), with constrained layout."""
    layout = ConstrainedLayoutEngine(h_pad=0.08, w_pad=0.08)
    return Figure(figsize=(width, min(height, 30.0)), layout=layout, facecolor="white")


def _bars(ax: Axes, labels: list[str], values: np.ndarray, colour: str, width: int) -> None:
    """Horizontal bars, first on top, value at each bar's end, labels shortened with an ellipsis."""
    positions = np.arange(len(values))
    ax.barh(positions, values, color=colour, height=0.72)
    ax.set_yticks(positions, [_text(_shorten(str(label), width)) for label in labels])
    ax.invert_yaxis()
    ax.xaxis.set_major_locator(MaxNLocator(nbins=4 if width <= PANEL_LABEL_CHARS else 6, steps=NICE_STEPS))
    ax.xaxis.set_major_formatter(AxisNumberFormatter())
    ax.tick_params(axis="y", length=0)
    _style(ax, grid_axis="x")
    if len(values) == 0:
        return
    span = float(np.nanmax(np.abs(values))) or 1.0
    for y, value in zip(positions, values, strict=True):
        ax.text(
            value + (0.01 * span if value >= 0 else -0.01 * span),
            float(y),
            format_number(value),
            va="center",
            ha="left" if value >= 0 else "right",
            fontsize=8,
            color=TEXT_COLOUR,
        )
    low, high = min(0.0, float(np.nanmin(values))), max(0.0, float(np.nanmax(values)))
    pad = 0.16 * (high - low or 1.0)
    ax.set_xlim(low - (pad if low < 0 else 0), high + (pad if high > 0 else 0))


def _style(ax: Axes, grid_axis: Literal["x", "y"]) -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.grid(axis=grid_axis, color=GRID_COLOUR, linewidth=0.8)
    ax.set_axisbelow(True)
    ax.tick_params(labelsize=8.5, colors=TEXT_COLOUR)


def _title(figure: Figure, title: str) -> None:
    width = int(figure.get_figwidth() * 10.5)
    figure.suptitle(_text(textwrap.fill(title, width=max(width, 40))), fontsize=12, color=TEXT_COLOUR)


def _say_empty(ax: Axes) -> None:
    ax.text(0.5, 0.5, "no values", transform=ax.transAxes, ha="center", va="center", color="#888888")


def _shorten(text: object, width: int) -> str:
    """``text`` on one line, cut to ``width`` characters with an ellipsis."""
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def _wrap(text: object, width: int, lines: int = 2) -> str:
    """``text`` wrapped to at most ``lines`` lines of ``width`` characters, the last cut with an ellipsis."""
    wrapped = textwrap.wrap(" ".join(str(text).split()), width=width, break_long_words=True) or [""]
    if len(wrapped) > lines:
        wrapped = [*wrapped[: lines - 1], _shorten(" ".join(wrapped[lines - 1 :]), width)]
    return "\n".join(wrapped)


def _text(text: object) -> str:
    """Text shown literally by matplotlib: a "$" from the data must not start mathtext."""
    return str(text).replace("$", r"\$")


def _names(names: list[str], limit: int = 6) -> str:
    quoted = [f"'{n}'" for n in names[:limit]]
    more = f" and {len(names) - limit} more" if len(names) > limit else ""
    if len(quoted) == 1:
        return quoted[0] + more
    return (", ".join(quoted[:-1]) + (" and " if not more else ", ") + quoted[-1]) + more


__all__ = [
    "Chart",
    "ChartPlan",
    "figure_pixels",
    "figure_png",
    "format_number",
    "group_stat",
    "iter_charts",
    "metric_colours",
    "plan_charts",
    "plot_correlation",
    "plot_groups",
    "plot_histogram",
    "plot_overview",
    "plot_ranking",
    "plot_trend",
    "sheet_figures",
    "warnings_to_log",
]


@dataclass
class ChartImage:
    """One rendered chart: where it is saved and its PNG bytes."""

    chart_kind: str
    subject: str
    title: str
    png: bytes
    file: str = ""
    width: int = 0  # pixels, for the page layout
    height: int = 0
