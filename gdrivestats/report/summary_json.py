"""summary.json: every table of a report as JSON (NaN as null, numpy numbers as Python numbers)."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import math
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pandas as pd

from gdrivestats import __version__

if TYPE_CHECKING:
    from gdrivestats import plots
    from gdrivestats.analysis import SheetStats
    from gdrivestats.report.model import Report, SheetReport, WorkbookReport

GENERATOR = "gdrivestats"


def summary(
    report: Report, books: list[WorkbookReport], charts: dict[int, list[plots.ChartImage]]
) -> dict[str, Any]:
    """The JSON document of ``books``; ``charts`` maps id(sheet) to its chart files, if any were written."""
    return {
        "generator": GENERATOR,
        "version": __version__,
        "created": report.created.isoformat(),
        "workbooks": [
            {
                "name": book.name,
                "source": book.source,
                "notes": list(book.notes),
                "sheets": [sheet_summary(sheet, charts.get(id(sheet), [])) for sheet in book.sheets],
            }
            for book in books
        ],
    }


def summary_text(document: dict[str, Any]) -> str:
    """``document`` as strict JSON text (no NaN), indented, UTF-8 characters kept."""
    return json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False)


def sheet_summary(sheet: SheetReport, images: list[plots.ChartImage]) -> dict[str, Any]:
    stats = sheet.stats
    columns: dict[str, Any] = {}
    for name, row in stats.columns.iterrows():
        entry: dict[str, Any] = {
            "kind": row["kind"],
            **{k: row[k] for k in ("non_missing", "missing", "distinct")},
        }
        if name in stats.describe.index:
            entry.update({str(k): v for k, v in stats.describe.loc[cast("str", name)].items()})
            entry["count"], entry["missing"] = int(entry["count"]), int(entry["missing"])
        columns[str(name)] = entry
    return jsonable(
        {
            "name": stats.name,
            "rows": stats.rows,
            "label_column": stats.label_column,
            "columns": columns,
            "describe": {
                str(metric): {str(stat): value for stat, value in row.items()}
                for metric, row in stats.describe.iterrows()
            },
            "top": {m: _ranking_records(t) for m, t in stats.top.items()},
            "bottom": {m: _ranking_records(t) for m, t in stats.bottom.items()},
            "groups": {c: _group_dict(t) for c, t in stats.groups.items()},
            "correlations": {
                str(m): {str(o): r for o, r in row.items()} for m, row in stats.correlations.iterrows()
            },
            "notes": sheet.notes,
            "footnotes": list(stats.footnotes),
            "set_aside": _records(stats.set_aside_table()),  # each row with its "reason"
            "title": stats.title,
            "unit": stats.unit,
            "levels": list(stats.levels),
            "level": stats.level,
            "level_top": {
                level: {m: _ranking_records(t) for m, t in tops.items()}
                for level, tops in stats.level_top.items()
            },
            "table": dict(stats.table),
            "time_axis": _time_axis(stats),
            "aggregate_columns": dict(stats.aggregate_columns),  # 'UK' -> its parts
            "charts": [
                {"file": i.file, "kind": i.chart_kind, "subject": i.subject, "title": i.title} for i in images
            ],
        }
    )


def _time_axis(stats: SheetStats) -> dict[str, Any] | None:
    """What the line chart over time shows: over period columns (with the latest) or period rows."""
    if stats.trend_over is None:
        return None
    periods = list(stats.time_columns) if stats.trend_over == "columns" else None
    return {
        "over": stats.trend_over,
        "periods": periods,
        "latest": stats.latest_period,
        "from": stats.trend.index[0].date().isoformat() if len(stats.trend) else None,
        "to": stats.trend.index[-1].date().isoformat() if len(stats.trend) else None,
        "series": [str(c) for c in stats.trend.columns],
    }


def _ranking_records(table: pd.DataFrame) -> list[dict[str, Any]]:
    return [
        {"label": label, "value": value} for label, value in zip(table["label"], table["value"], strict=True)
    ]


def _group_dict(table: pd.DataFrame) -> dict[str, dict[str, dict[str, Any]]]:
    result: dict[str, dict[str, dict[str, Any]]] = {}
    for metric in dict.fromkeys(table.columns.get_level_values(0)):
        part = table[metric]
        values = {stat: part[stat].tolist() for stat in part.columns}  # a column at a time, not a cell
        result[str(metric)] = {
            str(group): {stat: column[row] for stat, column in values.items()}
            for row, group in enumerate(part.index)
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
