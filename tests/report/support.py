"""Workbooks the report tests build themselves: a messy countries sheet, a small sheet, a tiny workbook."""

from __future__ import annotations

import numpy as np
import pandas as pd

from gdrivestats.workbook import Role, Sheet, Workbook

FORMULA_LIKE = ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tTab"]


def countries_sheet() -> Sheet:
    labels = ["China", "India", "<b>Bold & Co</b>", *FORMULA_LIKE, "Chad", "Peru", "Fiji"]
    n = len(labels)
    regions = ["Asia", "Asia", "Europe", "Europe", "Africa", "Africa", "Asia", "Europe", "Africa"]
    data = pd.DataFrame(
        {
            "Country": labels,
            "Region": [*regions, "Americas", "Oceania", "Asia"][:n],
            "Population": [1400.0, 1300.0, 60.0, 5.0, 4.0, 3.0, 2.0, 1.0, 17.0, 33.0, 0.9, np.nan][:n],
            "Area": np.arange(1.0, n + 1),
            "Area x2": np.arange(1.0, n + 1) * 2,
        }
    )
    roles = {
        "Country": Role.LABEL,
        "Region": Role.CATEGORY,
        "Population": Role.NUMERIC,
        "Area": Role.NUMERIC,
        "Area x2": Role.NUMERIC,
    }
    set_aside = pd.DataFrame(
        {"Country": ["Total"], "Region": [None], "Population": [2825.9], "Area": [66.0], "Area x2": [132.0]}
    )
    return Sheet(
        name="Countries",
        data=data,
        roles=roles,
        label_column="Country",
        set_aside=set_aside,
        notes=["Header found on row 3.", "Removed <script>alert(1)</script> row."],
        footnotes=["Source: World Bank & <UN>"],
    )


def small_sheet() -> Sheet:
    data = pd.DataFrame({"Year": [2020.0, 2021.0, 2022.0], "Sales": [1.5, 2.5, np.nan]})
    return Sheet("Sales by year", data, {"Year": Role.NUMERIC, "Sales": Role.NUMERIC}, label_column=None)


def workbook(name: str = "World data") -> Workbook:
    return Workbook(
        name=name,
        source="drive:World/data.xlsx",
        sheets=[countries_sheet(), small_sheet()],
        notes=["Skipped sheet 'Empty': no table."],
    )


def tiny(name: str = "Tiny") -> Workbook:
    """A one-metric workbook: one chart, quick to save."""
    data = pd.DataFrame({"Item": ["a", "b", "c"], "Count": [3.0, 1.0, 2.0]})
    return Workbook(
        name, "tiny.csv", [Sheet("Items", data, {"Item": Role.LABEL, "Count": Role.NUMERIC}, "Item")]
    )


def wide_workbook(sheets: int = 20, rows: int = 200, metrics: int = 8, seed: int = 7) -> Workbook:
    """A statistics-office-like workbook: ``sheets`` sheets of areas with several measures and a region."""
    rng = np.random.default_rng(seed)
    made = []
    for s in range(sheets):
        data: dict[str, object] = {
            "Area name": [f"Area {s}-{i} with a longer name" for i in range(rows)],
            "Region": rng.choice(["North East", "North West", "Midlands", "London", "South"], rows),
        }
        roles = {"Area name": Role.LABEL, "Region": Role.CATEGORY}
        for m in range(metrics):
            name = f"Measure {m} (persons)" if m % 2 else f"Rate {m} per 1,000"
            data[name] = rng.lognormal(8 + m, 1.5, rows) if m % 2 else rng.uniform(0, 60, rows)
            roles[name] = Role.NUMERIC
        made.append(Sheet(f"Table {s + 1}", pd.DataFrame(data), roles, label_column="Area name"))
    return Workbook("Statistics office", "stats.xlsx", made)
