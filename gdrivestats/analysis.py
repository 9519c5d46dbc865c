"""Statistics tables from clean sheets: describe, top/bottom N, group aggregates, correlations (pure)."""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from gdrivestats.names import numbered
from gdrivestats.workbook import Role, Sheet, Workbook
from gdrivestats.workbook.levels import not_additive
from gdrivestats.workbook.periods import fiscal_years, period_columns, period_label_series
from gdrivestats.workbook.periods import latest as latest_period

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
    - ``trend``: values over time, index the start of each period (a DatetimeIndex named "period", in
      time order), one column per series: the top rows by the latest period when the columns are periods
      (``trend_over`` "columns"), the metrics when the rows are periods ("rows"); empty otherwise.
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
    trend: pd.DataFrame = field(default_factory=pd.DataFrame)  # values over time, for the line chart
    trend_over: str | None = None  # "columns": the top rows across period columns; "rows": period rows
    aggregate_columns: dict[str, list[str]] = field(default_factory=dict)  # 'UK' -> its parts (never added)

    def set_aside_table(self) -> pd.DataFrame:
        """The rows set aside with a first column 'reason' saying why each was set aside."""
        frame = self.set_aside.copy()
        if len(self.set_aside_reasons) == len(frame):
            frame.insert(0, "reason", self.set_aside_reasons)
        return frame

    @property
    def unit_text(self) -> str:
        """The unit for headings and axis labels ("Number in '000"; "[Numbers in thousands]" without its
        brackets), or "": every writer shows the unit this one way."""
        unit = " ".join(str(self.unit or "").split())
        while len(unit) > 2 and (unit[0], unit[-1]) in (("(", ")"), ("[", "]")):
            unit = unit[1:-1].strip()
        return unit

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
    latest = latest_of(time_columns)
    if latest is not None:  # the latest period leads: rankings and charts start with it, not the first year
        metrics = [latest] + [m for m in metrics if m != latest]
    categories = sheet.columns_with(Role.CATEGORY)
    numbers = numeric_frame(data, metrics)
    notes = list(sheet.notes)
    label_column = sheet.label_column or period_label(data, sheet.roles)
    labels = row_labels(data, label_column)
    # an aggregate column correlates with its own parts by construction: it is left out of the table
    parts_free = numbers.drop(columns=[c for c in sheet.aggregate_columns if c in numbers.columns])
    correlations = correlation_table(parts_free.iloc[:, :MAX_CORRELATION_METRICS])
    if parts_free.shape[1] >= 2 and correlations.empty:
        notes.append(f"Correlations not computed: they need at least {MIN_CORRELATION_ROWS} rows.")
    elif parts_free.shape[1] > MAX_CORRELATION_METRICS:
        notes.append(
            f"Correlations between the first {MAX_CORRELATION_METRICS} of {parts_free.shape[1]} metrics only "
            "(a table of every pair would be too large to read)"
        )
    if latest is not None:
        notes.append(
            f"{len(time_columns)} columns are periods ({earliest_of(time_columns)} to {latest}): a time "
            f"axis; rankings lead with the latest, {latest}"
        )
    if sheet.levels and sheet.level:
        notes.append(f"Rankings and sums at {sheet.level}; each other level is ranked on its own")
    trend, over = trend_table(numbers, labels, data, label_column, metrics, time_columns, latest)
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
        aggregate_columns={k: list(v) for k, v in sheet.aggregate_columns.items()},
        trend=trend,
        trend_over=over,
    )


_YEAR = re.compile(r"(?:1[5-9]|2[01])\d\d")  # every period pattern of workbook.periods holds a year


def period_label(data: pd.DataFrame, roles: dict[str, Role]) -> str | None:
    """``period_label_series`` of the columns that can qualify: the same answer, without reading every
    value of a 100,000-row column that cannot be one of periods (not unique, or mostly not years)."""
    kept = []
    for name in data.columns:
        role = roles.get(name)
        textual = role in (Role.ID, Role.CATEGORY, Role.TEXT)
        if role == Role.DATE or (textual and _may_be_periods(data[name].dropna())):
            kept.append(name)
    return period_label_series(data[kept], roles) if kept else None


def _may_be_periods(values: pd.Series) -> bool:
    """False only when ``values`` cannot pass period_label_series' test (non-empty, unique, 80% periods)."""
    if not len(values) or not values.is_unique:
        return False
    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype):
        numbers = values.to_numpy(dtype="float64")
        years = (numbers >= 1500) & (numbers <= 2199) & (np.floor(numbers) == numbers)
        return bool(years.mean() >= 0.8)
    has_year = values.astype(str).str.contains(_YEAR, regex=True)
    return bool(has_year.mean() >= 0.8)


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


def is_intensive(metric: object) -> bool:
    """True for a metric whose values do not add up (a percentage, a rate, a price, an index, a mean):
    its groups are compared by their mean, and it gets no sum. The reader's rule (workbook.levels)."""
    return not_additive(metric)


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
    by = numbers.groupby(keys, sort=True)
    if not numbers.columns.is_unique:  # the general path (slower: one aggregation per column and stat)
        return _group_table_by_columns(by.agg(GROUP_STATS), numbers, str(category.name))
    sums, means, counts = by.sum(), by.mean(), by.count()  # each stat over every metric at once
    columns: dict[tuple[str, str], np.ndarray] = {}
    for metric in numbers.columns:
        count = counts[metric].to_numpy(dtype="int64")
        total = sums[metric].to_numpy(dtype="float64", copy=True)
        if is_intensive(metric):  # percentages, rates, prices: their sum means nothing
            total[:] = np.nan
        total[count == 0] = np.nan  # a group whose values are all missing has no sum, not a sum of 0
        columns[(metric, "sum")] = total
        columns[(metric, "mean")] = means[metric].to_numpy(dtype="float64")
        columns[(metric, "count")] = count
    grouped = pd.DataFrame(columns, index=sums.index)
    grouped.index.name = str(category.name)
    grouped.columns = pd.MultiIndex.from_tuples(list(columns), names=["metric", "stat"])
    return grouped


def _group_table_by_columns(grouped: pd.DataFrame, numbers: pd.DataFrame, name: str) -> pd.DataFrame:
    grouped.index.name = name
    grouped.columns = pd.MultiIndex.from_tuples([tuple(c) for c in grouped.columns], names=["metric", "stat"])
    for metric in numbers.columns:
        if is_intensive(metric):
            grouped[(metric, "sum")] = np.nan
    for metric in numbers.columns:
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


# ---- time axis -------------------------------------------------------------------------------------------

TREND_SERIES = 5  # rows drawn over time in a wide table of periods: the top ones at the latest period
MAX_TREND_POINTS = 2500  # period rows drawn as a line (a longer series is a flat table, not a time series)
MIN_TREND_POINTS = 3
_MARK = re.compile(r"\s*(?:\[[^\]]*\]|\*+|[†‡]|\s\(?[a-z]\)?)$", re.IGNORECASE)  # footnote marks
_FISCAL = re.compile(r"^(?P<y>(?:1[5-9]|2[01])\d\d)\s*[-/–]\s*(?P<end>\d\d)$")
_QUARTER = re.compile(
    r"^(?P<y>(?:1[5-9]|2[01])\d\d)\s*[-/ ]?\s*q(?P<q>[1-4])$"
    r"|^q(?P<q2>[1-4])\s*[-/ ]?\s*(?P<y2>(?:1[5-9]|2[01])\d\d)$"
    r"|^(?P<y3>(?:1[5-9]|2[01])\d\d)\s+(?P<r>iv|iii|ii|i)$",
    re.IGNORECASE,
)
_MONTH_NAMES = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
_MONTH = re.compile(
    r"^(?P<y>(?:1[5-9]|2[01])\d\d)\s*[-/ ]\s*(?P<m>[a-z]{3})[a-z]*\.?$|^(?P<m2>[a-z]{3})[a-z]*\.?\s*[-/ ]?\s*"
    r"(?P<y2>(?:1[5-9]|2[01])\d\d)$|^(?P<y3>(?:1[5-9]|2[01])\d\d)(?:-|m)(?P<n>0?[1-9]|1[0-2])$",
    re.IGNORECASE,
)
_ANNUAL = re.compile(
    r"^(?:fy\s*)?(?P<y>(?:1[5-9]|2[01])\d\d)(?:\s*[-/–]\s*\d\d(?:\d\d)?|\s+to\s+(?:1[5-9]|2[01])\d\d)?$",
    re.IGNORECASE,
)


def period_start(value: object, fiscal: bool = True) -> pd.Timestamp | None:
    """When a period starts: 2022 and '2022*' -> 2022-01-01, '2011-12' -> 2011-01-01 (the year it starts in;
    December 2011 when ``fiscal`` is False, see ``periods.fiscal_years``), '1989 Q2' -> 1989-04-01,
    '1989 JAN' -> 1989-01-01, a date -> itself; None for anything else (a time of day is not a period)."""
    if isinstance(value, bool | dt.time | dt.timedelta | np.timedelta64 | pd.Timedelta) or value is None:
        return None
    if isinstance(value, pd.Timestamp | np.datetime64 | dt.date):
        try:
            stamp = pd.Timestamp(value)
        except (TypeError, ValueError, OverflowError):
            return None
        return None if pd.isna(stamp) else stamp
    if isinstance(value, int | float | np.integer | np.floating):
        number = float(value)
        return (
            pd.Timestamp(year=int(number), month=1, day=1)
            if number.is_integer() and 1500 <= number <= 2199
            else None
        )
    text = _MARK.sub("", str(value).strip())
    if fiscal and (match := _FISCAL.match(text)) and int(match["end"]) == (int(match["y"]) + 1) % 100:
        return pd.Timestamp(year=int(match["y"]), month=1, day=1)  # 2011-12: a fiscal year, not December
    if match := _QUARTER.match(text):
        year = int(match["y"] or match["y2"] or match["y3"])
        roman = (match["r"] or "").lower()
        quarter = ["i", "ii", "iii", "iv"].index(roman) + 1 if roman else int(match["q"] or match["q2"])
        return pd.Timestamp(year=year, month=3 * quarter - 2, day=1)
    if match := _MONTH.match(text):
        year = int(match["y"] or match["y2"] or match["y3"])
        name = (match["m"] or match["m2"] or "").lower()
        if name and name not in _MONTH_NAMES:
            return None
        month = _MONTH_NAMES.index(name) + 1 if name else int(match["n"])
        return pd.Timestamp(year=year, month=month, day=1)
    if match := _ANNUAL.match(text):
        return pd.Timestamp(year=int(match["y"]), month=1, day=1)
    return None


def _starts(values: list[Any]) -> list[pd.Timestamp | None]:
    """When each of ``values`` starts, read as one set ('2011-12' is fiscal only beside other years)."""
    fiscal = fiscal_years(values)
    return [period_start(v, fiscal) for v in values]


def latest_of(periods: list[str]) -> str | None:
    """The latest of period column names by when each starts (a table may list years newest first); the
    last in table order when they cannot all be dated or two start together."""
    starts = _starts(periods)
    if not periods:
        return None
    if any(s is None for s in starts):
        return latest_period(periods)
    newest = max(s for s in starts if s is not None)
    return [p for p, s in zip(periods, starts, strict=True) if s == newest][-1]


def earliest_of(periods: list[str]) -> str | None:
    """The earliest of period column names by when each starts (the first in table order when they cannot
    all be dated)."""
    starts = _starts(periods)
    if not periods or any(s is None for s in starts):
        return periods[0] if periods else None
    oldest = min(s for s in starts if s is not None)
    return next(p for p, s in zip(periods, starts, strict=True) if s == oldest)


def trend_table(
    numbers: pd.DataFrame,
    labels: pd.Series,
    data: pd.DataFrame,
    label_column: str | None,
    metrics: list[str],
    time_columns: list[str],
    latest: str | None,
) -> tuple[pd.DataFrame, str | None]:
    """The values to draw over time and what they are over ("columns" or "rows"); empty when no time axis.

    Columns that are periods (a wide table): the top ``TREND_SERIES`` rows at the latest period, each a
    series over the periods. Rows that are periods (the label column is years, quarters, months or dates):
    each metric a series over the rows. The index is when each period starts, in time order."""
    if latest is not None:
        starts = _starts(time_columns)
        if any(s is None for s in starts):
            return pd.DataFrame(), None
        top = ranking(
            numbers[latest], pd.Series(labels.index, index=labels.index), TREND_SERIES, largest=True
        )
        rows = list(top["label"])
        names = _distinct([str(labels.loc[r]) for r in rows])
        values = numbers.loc[rows, time_columns].to_numpy(dtype="float64").T
        frame = pd.DataFrame(values, index=pd.DatetimeIndex(starts, name="period"), columns=names)
        return frame.sort_index(kind="stable"), "columns"
    series = [m for m in metrics if m not in time_columns]
    if not series or label_column is None or label_column not in data.columns:
        return pd.DataFrame(), None
    if not MIN_TREND_POINTS <= len(data) <= MAX_TREND_POINTS:
        return pd.DataFrame(), None
    starts = _starts(data[label_column].tolist())
    dated = [s is not None for s in starts]
    if sum(dated) < max(MIN_TREND_POINTS, 0.8 * len(data)):
        return pd.DataFrame(), None
    index = pd.DatetimeIndex([s for s in starts if s is not None], name="period")
    if not index.is_unique:  # two rows for one period (a year and its parts): not one series
        return pd.DataFrame(), None
    frame = numbers.loc[np.array(dated), series].set_axis(index, axis=0)
    return frame.sort_index(kind="stable"), "rows"


def _distinct(names: list[str]) -> list[str]:
    """Series names made distinct by a counter (" (2)"), so two rows called alike stay two lines."""
    taken: set[str] = set()
    return [numbered(name, taken, suffix=" ({n})") for name in names]


__all__ = [
    "DESCRIBE_COLUMNS",
    "Histogram",
    "SheetStats",
    "WorkbookStats",
    "analyze_sheet",
    "analyze_workbook",
    "period_start",
]
