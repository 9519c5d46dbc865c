"""Load workbooks (xlsx, xlsm, xls, ods, csv, tsv) into clean, typed tables with a log of every change made."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

import pandas as pd


class Role(StrEnum):
    """What a column is for in the analysis."""

    LABEL = "label"  # the names to rank (Country, County): unique per row
    CATEGORY = "category"  # few repeated values to group by (Region, Continent)
    NUMERIC = "numeric"  # a metric
    DATE = "date"
    TEXT = "text"  # free text, not analysed


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


def load_workbook(path: str | Path, sheet: str | None = None) -> Workbook:
    """Read and clean every sheet of ``path`` (or only ``sheet``). Raises WorkbookError on bad input."""
    raise NotImplementedError


def sheet_from_frame(frame: pd.DataFrame, name: str = "data") -> Sheet:
    """Clean an in-memory DataFrame (already with a header) the same way a loaded sheet is cleaned."""
    raise NotImplementedError
