"""Workbook, Sheet and Role: what the loader returns; RawSheet: a sheet as read, before cleaning."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

import pandas as pd

Merge = tuple[tuple[int, int], tuple[int, int]]  # ((first_row, first_col), (last_row, last_col)), 0-based


class Role(StrEnum):
    """What a column is for in the analysis."""

    LABEL = "label"  # the names to rank (Country, County): unique per row
    CATEGORY = "category"  # few repeated values to group by (Region, Continent)
    NUMERIC = "numeric"  # a metric
    DATE = "date"
    TEXT = "text"  # free text, not analysed
    ID = "id"  # a code, serial number or rank: an attribute of the row, never summed, ranked or correlated


@dataclass
class Sheet:
    """One cleaned table from one sheet of a workbook."""

    name: str
    data: pd.DataFrame  # the clean rows: header found, numbers parsed, totals and notes set aside
    roles: dict[str, Role]  # column name -> role, for every column of ``data``
    label_column: str | None  # the column of names to rank, if any
    set_aside: pd.DataFrame = field(default_factory=pd.DataFrame)  # total/aggregate rows, same columns
    notes: list[str] = field(default_factory=list)  # the cleaning log, in words a user understands
    footnotes: list[str] = field(default_factory=list)  # text found under the table ("Source: ...")
    title: str | None = None  # the title line above the header, if any
    unit: str | None = None  # a unit line above the header ("Number in '000"), if any
    header_row: int | None = None  # 1-based sheet row of the (last) header row; None for in-memory frames
    set_aside_reasons: list[str] = field(default_factory=list)  # why each row of ``set_aside`` was set aside
    levels: list[str] = field(default_factory=list)  # hierarchy levels, coarsest first; [] for a flat table
    level: str | None = None  # the level ``data`` holds (the finest complete one); None for a flat table
    level_rows: pd.DataFrame = field(default_factory=pd.DataFrame)  # every level's rows, with level, parent
    table: dict[str, int] = field(default_factory=dict)  # where the table is: first_row, last_row (1-based)
    aggregate_columns: dict[str, list[str]] = field(default_factory=dict)  # 'UK' -> its parts, never added

    def columns_with(self, role: Role) -> list[str]:
        """The columns of ``data`` that have ``role``, in table order."""
        return [c for c in self.data.columns if self.roles.get(c) == role]


@dataclass
class Workbook:
    """Every analysable sheet of one file."""

    name: str  # the file name without its extension
    source: str  # where it came from (path or Drive path)
    sheets: list[Sheet]
    notes: list[str] = field(default_factory=list)  # workbook-level log: sheets skipped and why


@dataclass
class RawSheet:
    """One sheet as read: a grid of cell values by position, its merged ranges and how text was read."""

    name: str
    grid: pd.DataFrame
    merges: list[Merge] = field(default_factory=list)
    decimal_hint: str = "."
    separator: str | None = None  # set for text files: the field separator, used to repair split fields
    skip_reason: str | None = None  # why the sheet could not be read at all
    indents: dict[int, dict[int, int]] = field(default_factory=dict)  # column -> row -> indent level (xlsx)
    aggregate_labels: dict[str, str] = field(default_factory=dict)  # label -> why it is an aggregate
    notes: list[str] = field(default_factory=list)
    title: str | None = None  # set when a table was cut out of a sheet under a title of its own
    unit: str | None = None
    typed: dict[int, str] = field(default_factory=dict)
    """Columns read as typed columns (big flat sheets, by fastexcel) -> what every cell below the sheet's
    first row is, or None: 'number' (float), 'date', 'bool' or 'text'. No text below the first row of the
    first three, so nothing there to clear or to parse."""


class SkipSheet(Exception):
    """A sheet holds nothing to analyse; the message says why."""
