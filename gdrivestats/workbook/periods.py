"""Periods: labels and column names that are years, quarters, months or fiscal years.

A label column of periods is the row label; annual, quarterly and monthly rows mixed in one column (an ONS
time series) are split into one table per frequency, so that a year is never summed with its own quarters.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace

import pandas as pd

from gdrivestats.workbook.model import Role, Sheet

_Y = r"(?:1[5-9]|2[01])\d\d"
_MONTHS = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
PATTERNS = {
    "quarterly": re.compile(
        rf"^(?:{_Y}\s*[-/ ]?\s*q[1-4]|q[1-4]\s*[-/ ]?\s*{_Y}|{_Y}\s+(?:i|ii|iii|iv))$", re.I
    ),
    "monthly": re.compile(
        rf"^(?:{_Y}\s*[-/ ]\s*{_MONTHS}|{_MONTHS}\s*[-/ ]?\s*{_Y}|{_Y}-(?:0[1-9]|1[0-2])|"
        rf"{_Y}m(?:0?[1-9]|1[0-2]))$",
        re.I,
    ),
    "annual": re.compile(
        rf"^(?:{_Y}|fy\s*{_Y}|{_Y}\s*[-/–]\s*\d\d(?:\d\d)?|{_Y}\s+to\s+{_Y}|{_Y}/{_Y})$",
        re.I,
    ),
}
FREQUENCY_ORDER = ("annual", "quarterly", "monthly")
# 'YYYY-NN' is a fiscal year when NN is the next year ('2011-12', '2019-20', as statistics offices write
# them), an ISO month otherwise ('2011-05'). '2011-12' alone is both: a set of labels decides (fiscal_years).
_YEAR_PAIR = re.compile(rf"^({_Y})\s*[-/–]\s*(\d\d)$")


def _next_year(match: re.Match[str]) -> bool:
    return int(match[2]) == (int(match[1]) + 1) % 100


def fiscal_years(values: Iterable[object]) -> bool:
    """Whether the 'YYYY-NN' labels among ``values`` are fiscal years: every one of them ends in the next
    year ('2011-12', '2012-13'); a set with '2011-05' in it is months, and its '2011-12' is December."""
    pairs = [m for v in values if isinstance(v, str) and (m := _YEAR_PAIR.match(v.strip()))]
    return all(_next_year(m) for m in pairs)


def frequency(text: object, fiscal: bool = True) -> str | None:
    """'annual' for '2022', '2011-12', '2022 to 2026'; 'quarterly' for '1989 Q1'; 'monthly' for '1989 JAN'.

    ``fiscal`` False reads '2011-12' as December 2011 (see ``fiscal_years``)."""
    if isinstance(text, bool) or text is None:
        return None
    if isinstance(text, int | float):
        if float(text).is_integer() and 1500 <= float(text) <= 2199:
            return "annual"
        return None
    value = re.sub(r"\s*(?:\[[^\]]*\]|\*+|[†‡]|\s\(?[a-z]\)?)$", "", str(text).strip(), flags=re.I)
    pair = _YEAR_PAIR.match(value)
    if pair and _next_year(pair):
        return "annual" if fiscal else "monthly"
    for name, pattern in PATTERNS.items():
        if pattern.match(value):
            return name
    return None


def period_kinds(values: list[object]) -> list[str | None]:
    """The frequency of each of ``values``, read as one set ('2011-12' is fiscal only beside other years)."""
    fiscal = fiscal_years(values)
    return [frequency(v, fiscal) for v in values]


def period_columns(names: list[str]) -> list[str]:
    """The column names that are periods, when at least three are: a wide table over time. Columns of one
    frequency only (the most numerous; annual first on a tie): a year is not a point on a line of quarters."""
    kinds = period_kinds(list(names))
    counts = {k: kinds.count(k) for k in FREQUENCY_ORDER}
    main = max(FREQUENCY_ORDER, key=lambda k: (counts[k], -FREQUENCY_ORDER.index(k)))
    found = [n for n, k in zip(names, kinds, strict=True) if k == main]
    return found if len(found) >= 3 else []


def split_by_frequency(sheet: Sheet) -> list[Sheet]:
    """One table per frequency when the label column mixes years, quarters and months; else the sheet."""
    label = sheet.label_column
    if label is None or label not in sheet.data.columns or len(sheet.data) < 6:
        return [sheet]
    kinds = pd.Series(period_kinds(sheet.data[label].tolist()), index=sheet.data.index)
    if kinds.notna().mean() < 0.8:
        return [sheet]
    counts = kinds.value_counts()
    present = [k for k in FREQUENCY_ORDER if counts.get(k, 0) >= 3]
    if len(present) < 2:
        return [sheet]
    out: list[Sheet] = []
    shown = ", ".join(f"{int(counts[k])} {k}" for k in present)
    for kind in present:
        rows = sheet.data.loc[kinds == kind].reset_index(drop=True)
        note = f"The label column '{label}' mixes periods ({shown}): this table holds the {kind} rows only"
        first = not out
        out.append(
            replace(
                sheet,
                name=f"{sheet.name} ({kind})",
                data=rows,
                roles=dict(sheet.roles),
                notes=[*sheet.notes, note],
                set_aside=sheet.set_aside if first else sheet.set_aside.iloc[0:0],
                set_aside_reasons=list(sheet.set_aside_reasons) if first else [],
            )
        )
    return out


def label_is_period(sheet: Sheet) -> bool:
    """Whether the rows are labelled by periods (the label column, or a date column of years)."""
    label = sheet.label_column
    if label is None:
        return any(role == Role.DATE for role in sheet.roles.values())
    values = sheet.data[label].dropna()
    return bool(len(values)) and bool(pd.Series(period_kinds(values.tolist())).notna().mean() >= 0.8)


def latest(names: list[str]) -> str | None:
    """The latest of period column names (table order when they cannot be told apart: the last one)."""
    return names[-1] if names else None


def period_label_series(data: pd.DataFrame, roles: dict[str, Role]) -> str | None:
    """A column to label rows by when there is no label column: a column of years or periods."""
    for name in data.columns:
        if roles.get(name) == Role.DATE and data[name].notna().all() and data[name].is_unique:
            return str(name)  # dates or years down the rows: the time axis labels them
        if roles.get(name) in (Role.ID, Role.CATEGORY, Role.TEXT):
            values = data[name].dropna()
            if (
                len(values)
                and values.is_unique
                and pd.Series(period_kinds(values.tolist())).notna().mean() >= 0.8
            ):
                return str(name)
    return None
