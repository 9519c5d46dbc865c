"""Statistics tables from clean sheets: describe, top/bottom N, group aggregates, correlations (pure)."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from gdrivestats.workbook import Role, Sheet, Workbook
from gdrivestats.workbook.periods import latest as latest_period
from gdrivestats.workbook.periods import period_columns, period_label_series

log = logging.getLogger(__name__)

DESCRIBE_COLUMNS = ["count", "mean", "std", "min", "25%", "50%", "75%", "max", "sum", "missing"]
GROUP_STATS = ["sum", "mean", "count"]
BLANK_GROUP = "(blank)"
MIN_CORRELATION_ROWS = 3
MAX_HISTOGRAM_BINS = 40
MIN_HISTOGRAM_BINS = 10


@dataclass
class Histogram:
    """Counts of one metric's values in bins; ``log_scale`` when the bins are spaced evenly on a log axis."""

    edges: np.ndarray  # len(counts) + 1 bin edges, ascending
    counts: np.ndarray  # values per bin
    log_scale: bool = False

    def to_frame(self) -> pd.DataFrame:
        """The bins as a table: from, to, count."""
        return pd.DataFrame({"from": self.edges[:-1], "to": self.edges[1:], "count": self.counts})


@dataclass
class SheetStats:
    """Every statistics table of one sheet; each is a DataFrame a notebook user can use directly.

    - ``describe``: one row per numeric column: count, mean, std, min, 25%, 50%, 75%, max, sum, missing.
    - ``top`` / ``bottom``: metric -> table with columns ``label`` and ``value``, index ``rank`` (1 = first).
    - ``groups``: category column -> table indexed by group, columns (metric, "sum"|"mean"|"count").
    - ``correlations``: Pearson r between numeric columns (square); empty when fewer than 2 metrics or 3 rows.
    - ``columns``: one row per column of the sheet: kind (its role), non_missing, missing, distinct.
    """

    name: str
    rows: int
    label_column: str | None
    metrics: list[str]
    categories: list[str]
    columns: pd.DataFrame
    describe: pd.DataFrame
    top: dict[str, pd.DataFrame]
    bottom: dict[str, pd.DataFrame]
    groups: dict[str, pd.DataFrame]
    correlations: pd.DataFrame
    histograms: dict[str, Histogram]
    notes: list[str] = field(
        default_factory=list
    )  # the cleaning log, then what the analysis left out and why
    footnotes: list[str] = field(default_factory=list)
    set_aside: pd.DataFrame = field(default_factory=pd.DataFrame)
    top_n: int = 10
    set_aside_reasons: list[str] = field(default_factory=list)  # why each row of ``set_aside`` was set aside
    title: str | None = None
    unit: str | None = None  # the sheet's unit line ("Number in '000"): for headings and axis labels
    levels: list[str] = field(default_factory=list)  # hierarchy levels, coarsest first ([] when flat)
    level: str | None = None  # the level the rows, sums and rankings above are at
    level_top: dict[str, dict[str, pd.DataFrame]] = field(
        default_factory=dict
    )  # other level -> metric -> top
    time_columns: list[str] = field(default_factory=list)  # metric columns that are periods (a time axis)
    latest_period: str | None = None  # the latest of them: rankings lead with it
    table: dict[str, int] = field(default_factory=dict)  # where the table is on its sheet (1-based rows)

    def set_aside_table(self) -> pd.DataFrame:
        """The rows set aside with a first column 'reason' saying why each was set aside."""
        frame = self.set_aside.copy()
        if len(self.set_aside_reasons) == len(frame):
            frame.insert(0, "reason", self.set_aside_reasons)
        return frame

    @property
    def label_name(self) -> str:
        """What the labels are: the label column's name, or "Row" when rows are ranked by their number."""
        return self.label_column or "Row"


@dataclass
class WorkbookStats:
    """The statistics of every sheet of one workbook."""

    name: str
    source: str
    sheets: list[SheetStats]
    notes: list[str] = field(default_factory=list)


def analyze_workbook(workbook: Workbook, top: int = 10) -> WorkbookStats:
    """Statistics of every sheet of ``workbook``."""
    return WorkbookStats(
        name=workbook.name,
        source=workbook.source,
        sheets=[analyze_sheet(sheet, top=top) for sheet in workbook.sheets],
        notes=list(workbook.notes),
    )


def analyze_sheet(sheet: Sheet, top: int = 10) -> SheetStats:
    """Statistics tables of one clean sheet; ``top`` is how many rows the top and bottom lists hold."""
    if top < 1:
        raise ValueError(f"top must be at least 1, not {top}")
    data = sheet.data
    metrics = sheet.columns_with(Role.NUMERIC)
    time_columns = period_columns(metrics)
    latest = latest_period(time_columns)
    if latest is not None:  # the latest period leads: rankings and charts start with it, not the first year
        metrics = [latest] + [m for m in metrics if m != latest]
    categories = sheet.columns_with(Role.CATEGORY)
    numbers = numeric_frame(data, metrics)
    notes = list(sheet.notes)
    label_column = sheet.label_column or period_label_series(data, sheet.roles)
    labels = row_labels(data, label_column)
    correlations = correlation_table(numbers.iloc[:, :MAX_CORRELATION_METRICS])
    if len(metrics) >= 2 and correlations.empty:
        notes.append(f"Correlations not computed: they need at least {MIN_CORRELATION_ROWS} rows.")
    elif len(metrics) > MAX_CORRELATION_METRICS:
        notes.append(
            f"Correlations between the first {MAX_CORRELATION_METRICS} of {len(metrics)} metrics only "
            "(a table of every pair would be too large to read)"
        )
    if latest is not None:
        notes.append(
            f"{len(time_columns)} columns are periods ({time_columns[0]} to {latest}): a time axis; "
            f"rankings lead with the latest, {latest}"
        )
    if sheet.levels and sheet.level:
        notes.append(f"Rankings and sums at {sheet.level}; each other level is ranked on its own")
    return SheetStats(
        name=sheet.name,
        rows=len(data),
        label_column=label_column,
        metrics=metrics,
        categories=categories,
        columns=column_table(data, sheet.roles),
        describe=describe_table(numbers),
        top={m: ranking(numbers[m], labels, top, largest=True) for m in metrics},
        bottom={m: ranking(numbers[m], labels, top, largest=False) for m in metrics},
        groups={c: group_table(numbers, data[c]) for c in categories} if metrics else {},
        correlations=correlations,
        histograms={m: histogram(numbers[m]) for m in metrics},
        notes=notes,
        footnotes=list(sheet.footnotes),
        set_aside=sheet.set_aside,
        top_n=top,
        set_aside_reasons=list(sheet.set_aside_reasons),
        title=sheet.title,
        unit=sheet.unit,
        levels=list(sheet.levels),
        level=sheet.level,
        level_top=level_rankings(sheet, metrics, top),
        time_columns=time_columns,
        latest_period=latest,
        table=dict(sheet.table),
    )


def level_rankings(sheet: Sheet, metrics: list[str], n: int) -> dict[str, dict[str, pd.DataFrame]]:
    """Top ``n`` of every level other than the one analysed, one level at a time (never mixed)."""
    rows = sheet.level_rows
    if not sheet.levels or rows.empty or "level" not in rows.columns:
        return {}
    out: dict[str, dict[str, pd.DataFrame]] = {}
    for number, name in enumerate(sheet.levels, start=1):
        if name == sheet.level:
            continue
        at = rows.loc[rows["level"] == number]
        if len(at) < 2:
            continue
        numbers = numeric_frame(at, [m for m in metrics if m in at.columns])
        labels = row_labels(at, sheet.label_column)
        out[name] = {m: ranking(numbers[m], labels, n, largest=True) for m in numbers.columns}
    return out


def numeric_frame(data: pd.DataFrame, metrics: list[str]) -> pd.DataFrame:
    """The metric columns as float64 (anything unparseable becomes NaN, infinities too)."""
    frame = pd.DataFrame(
        {m: pd.to_numeric(data[m], errors="coerce").astype("float64") for m in metrics}, index=data.index
    )
    if metrics:
        values = frame.to_numpy()
        if not np.isfinite(values[~np.isnan(values)]).all():
            frame = frame.replace([np.inf, -np.inf], np.nan)
    return frame


def row_labels(data: pd.DataFrame, label_column: str | None) -> pd.Series:
    """The name of each row: its label, else "row N" (N from 1, or the row number the index holds)."""
    if label_column is not None and label_column in data.columns:
        labels = data[label_column].astype("string").fillna(BLANK_GROUP)
        return pd.Series(labels.to_numpy(dtype=object), index=data.index)
    index = data.index
    if isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1:
        numbers = np.arange(1, len(index) + 1)
    elif pd.api.types.is_integer_dtype(index):
        numbers = index.to_numpy()
    else:
        numbers = np.arange(1, len(index) + 1)
    return pd.Series([f"row {n}" for n in numbers], index=index, dtype=object)


def column_table(data: pd.DataFrame, roles: dict[str, Role]) -> pd.DataFrame:
    """One row per column: its kind (role), how many values it has and misses, and how many are distinct."""
    rows = []
    for column in data.columns:
        series = data[column]
        missing = int(series.isna().sum())
        rows.append(
            {
                "column": str(column),
                "kind": str(roles.get(column, Role.TEXT)),
                "non_missing": len(series) - missing,
                "missing": missing,
                "distinct": int(series.nunique(dropna=True)),
            }
        )
    return pd.DataFrame(rows, columns=["column", "kind", "non_missing", "missing", "distinct"]).set_index(
        "column"
    )


_INTENSIVE = re.compile(
    r"%|\b(per|rate|ratio|percent|percentage|pct|average|avg|mean|median|index|share|density|score|age|"
    r"price|growth|margin|yield|temperature|temp)\b",
    re.IGNORECASE,
)


def is_intensive(metric: object) -> bool:
    """True for a metric whose values do not add up (a percentage, a rate, a price, an index, a mean):
    its groups are compared by their mean, and it gets no sum."""
    return bool(_INTENSIVE.search(str(metric)))


def describe_table(numbers: pd.DataFrame) -> pd.DataFrame:
    """count, mean, std, quartiles, min, max, sum and missing for each metric (rows = metrics)."""
    if numbers.shape[1] == 0:
        return pd.DataFrame(columns=DESCRIBE_COLUMNS, dtype="float64")
    values = numbers.to_numpy()
    count = np.count_nonzero(~np.isnan(values), axis=0)
    table = pd.DataFrame(index=numbers.columns, columns=DESCRIBE_COLUMNS, dtype="float64")
    table["count"] = count
    table["missing"] = len(numbers) - count
    additive = np.array([not is_intensive(c) for c in numbers.columns])
    table["sum"] = np.where((count > 0) & additive, np.nansum(values, axis=0), np.nan)
    table["mean"] = numbers.mean()
    table["std"] = numbers.std(ddof=1)
    table["min"] = numbers.min()
    table["max"] = numbers.max()
    quartiles = numbers.quantile([0.25, 0.5, 0.75])
    table["25%"], table["50%"], table["75%"] = (quartiles.loc[q] for q in (0.25, 0.5, 0.75))
    table[["count", "missing"]] = table[["count", "missing"]].astype("int64")
    table.index.name = "metric"
    return table


def ranking(values: pd.Series, labels: pd.Series, n: int, largest: bool) -> pd.DataFrame:
    """The ``n`` largest (or smallest) values with their labels, NaN excluded; ties keep table order."""
    present = values.dropna()
    chosen = present.nlargest(n, keep="first") if largest else present.nsmallest(n, keep="first")
    table = pd.DataFrame(
        {"label": labels.loc[chosen.index].to_numpy(dtype=object), "value": chosen.to_numpy(dtype="float64")},
        index=pd.RangeIndex(1, len(chosen) + 1, name="rank"),
    )
    return table


def group_table(numbers: pd.DataFrame, category: pd.Series) -> pd.DataFrame:
    """sum, mean and count of every metric for each value of ``category`` (blank cells form "(blank)")."""
    stripped = category.astype("string").str.strip()
    keys = stripped.mask(stripped == "").fillna(BLANK_GROUP)
    keys = pd.Series(keys.to_numpy(dtype=object), index=numbers.index, name=category.name)
    grouped = numbers.groupby(keys, sort=True).agg(GROUP_STATS)
    grouped.index.name = str(category.name)
    grouped.columns = pd.MultiIndex.from_tuples([tuple(c) for c in grouped.columns], names=["metric", "stat"])
    for metric in numbers.columns:
        if is_intensive(metric):  # percentages, rates, prices: their sum means nothing
            grouped[(metric, "sum")] = np.nan
    for metric in numbers.columns:  # a group whose values are all missing has no sum, not a sum of 0
        counts = grouped[(metric, "count")]
        grouped.loc[counts == 0, (metric, "sum")] = np.nan
        grouped[(metric, "count")] = counts.astype("int64")
    return grouped


MAX_CORRELATION_METRICS = 40
"""Correlations are tabled between at most this many metrics (the main ones first)."""


def correlation_table(numbers: pd.DataFrame) -> pd.DataFrame:
    """Pearson correlations between metrics; empty unless there are at least 2 metrics and 3 rows."""
    if numbers.shape[1] < 2 or len(numbers) < MIN_CORRELATION_ROWS:
        return pd.DataFrame(dtype="float64")
    table = numbers.corr(method="pearson", min_periods=MIN_CORRELATION_ROWS)
    return table.clip(-1.0, 1.0)


def histogram(values: pd.Series) -> Histogram:
    """Bin counts of the finite values; spread on a log scale when most values would crowd the first bin."""
    finite = values.to_numpy(dtype="float64")
    finite = finite[np.isfinite(finite)]
    if finite.size == 0:
        return Histogram(edges=np.array([0.0, 1.0]), counts=np.array([0], dtype="int64"))
    bins = int(np.clip(np.sqrt(finite.size), MIN_HISTOGRAM_BINS, MAX_HISTOGRAM_BINS))
    low, high = float(finite.min()), float(finite.max())
    if high - low <= bins * 4 * np.spacing(max(abs(low), abs(high))):  # equal, or too close for bins
        low, high = low - 0.5, high + 0.5
        bins = 1
    counts, edges = np.histogram(finite, bins=bins, range=(low, high))
    if low > 0 and high / low >= 100 and counts[0] > 0.5 * finite.size:
        log_edges = np.geomspace(low, high, bins + 1)
        log_counts, _ = np.histogram(finite, bins=log_edges)
        return Histogram(edges=log_edges, counts=log_counts.astype("int64"), log_scale=True)
    return Histogram(edges=edges, counts=counts.astype("int64"))


__all__ = [
    "DESCRIBE_COLUMNS",
    "Histogram",
    "SheetStats",
    "WorkbookStats",
    "analyze_sheet",
    "analyze_workbook",
]
