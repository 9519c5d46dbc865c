"""Generated benchmark inputs: a tree of small distinct workbooks, one big workbook, a large binary output,
and a folder of flat tables and multi-sheet statistics workbooks for the run at scale.

Everything is deterministic (seeded) and generated once into a data folder, then reused by later runs.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import random
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MIME = "text/csv"
REGIONS = ("North", "South", "East", "West", "Central", "Coast", "Mountain", "Islands")
PRODUCTS = tuple(f"Product {chr(65 + i // 10)}{i % 10}" for i in range(50))
FLOAT_COLUMNS = ("Revenue", "Cost", "Margin %", "Discount", "Tax", "Shipping", "Weight kg", "Score")
INT_COLUMNS = ("Units", "Returns", "Stock", "Visits", "Orders")
TEXT_COLUMNS = ("Customer", "Region", "Product", "Channel")
DATE_COLUMNS = ("Order date", "Ship date")
BIG_COLUMNS = ("Row ID", *TEXT_COLUMNS, *DATE_COLUMNS, *FLOAT_COLUMNS, *INT_COLUMNS)  # 1+4+2+8+5 = 20


@dataclass(frozen=True)
class TreeFile:
    """One file of the small-workbook tree: its folder, name, bytes and MIME type."""

    folder: str
    name: str
    data: bytes
    mime_type: str


def _small_rows(rng: random.Random, rows: int) -> list[list[object]]:
    start = dt.date(2024, 1, 1)
    return [
        [
            f"Item {rng.randrange(10_000)}",
            rng.choice(REGIONS),
            start + dt.timedelta(days=rng.randrange(365)),
            round(rng.uniform(0, 5_000), 2),
            rng.randrange(1, 500),
            round(rng.gauss(50, 15), 3),
        ]
        for _ in range(rows)
    ]


_SMALL_HEADER = ["Item", "Region", "Date", "Amount", "Units", "Score"]


def small_xlsx(seed: int, rows: int = 40) -> bytes:
    """A small distinct xlsx (a few KB): one sheet, a header and ``rows`` rows."""
    rng = random.Random(seed)
    book = Workbook()
    sheet = book.worksheets[0]
    sheet.title = "data"
    sheet.append(_SMALL_HEADER)
    for row in _small_rows(rng, rows):
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def small_csv(seed: int, rows: int = 40) -> bytes:
    """A small distinct CSV (a few KB)."""
    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(_SMALL_HEADER)
    for row in _small_rows(rng, rows):
        writer.writerow([v.isoformat() if isinstance(v, dt.date) else v for v in row])
    return out.getvalue().encode("utf-8")


def small_file(index: int, version: int = 0) -> tuple[str, bytes, str]:
    """(extension, bytes, MIME type) of tree file ``index``; another ``version`` gives other content."""
    seed = index * 1_000 + version
    if index % 5 < 3:
        return ".xlsx", small_xlsx(seed), XLSX_MIME
    return ".csv", small_csv(seed), CSV_MIME


def small_tree(files: int, folders: int, cache: Path) -> list[TreeFile]:
    """``files`` small workbooks spread evenly over ``folders`` folders, cached under ``cache``."""
    root = cache / f"tree-{files}-{folders}"
    done = root / ".complete"
    if not done.is_file():
        for index in range(files):
            ext, data, _ = small_file(index)
            target = root / f"dept-{index % folders:02d}" / f"sheet-{index:04d}{ext}"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        done.write_text("ok\n", encoding="utf-8")
    tree = []
    for path in sorted(p for p in root.rglob("*") if p.is_file() and p.name != done.name):
        mime = XLSX_MIME if path.suffix == ".xlsx" else CSV_MIME
        tree.append(TreeFile(path.parent.name, path.name, path.read_bytes(), mime))
    return tree


def big_workbook(rows: int, cache: Path, seed: int = 6) -> Path:
    """A ``rows`` x 20 xlsx (ids, text, dates, floats, ints) written once with openpyxl's write-only mode."""
    path = cache / f"big-{rows}x{len(BIG_COLUMNS)}.xlsx"
    if path.is_file():
        return path
    cache.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    start = dt.datetime(2020, 1, 1)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Sales")
    sheet.append(list(BIG_COLUMNS))
    customers = [f"Customer {i:05d}" for i in range(5_000)]
    for i in range(rows):
        order = start + dt.timedelta(days=rng.randrange(1_500))
        row: list[object] = [
            i + 1,
            rng.choice(customers),
            rng.choice(REGIONS),
            rng.choice(PRODUCTS),
            rng.choice(("Web", "Store", "Phone", "Partner")),
            order,
            order + dt.timedelta(days=rng.randrange(1, 20)),
        ]
        row += [round(rng.uniform(0, 10_000), 2) for _ in FLOAT_COLUMNS]
        row += [rng.randrange(0, 1_000) for _ in INT_COLUMNS]
        sheet.append(row)
    tmp = path.with_suffix(".tmp")
    book.save(tmp)
    os.replace(tmp, path)
    return path


def random_file(size: int, cache: Path, seed: int = 4) -> Path:
    """``size`` incompressible bytes (a stand-in for a large output), written once."""
    path = cache / f"random-{size}.bin"
    if path.is_file() and path.stat().st_size == size:
        return path
    cache.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    tmp = path.with_suffix(".tmp")
    with open(tmp, "wb") as handle:
        left = size
        while left:
            n = min(left, 1 << 20)
            handle.write(rng.randbytes(n))
            left -= n
    os.replace(tmp, path)
    return path


# ---- 6. run at scale: a folder of small flat tables and multi-sheet statistics-office workbooks ----------

COUNTIES = tuple(f"County {chr(65 + i // 26)}{chr(65 + i % 26)}" for i in range(60))
MEASURES = ("Population", "Households", "Employed", "Unemployed", "Births", "Deaths", "Dwellings")


def stats_workbook(seed: int) -> bytes:
    """A statistics-office-like xlsx: 2-4 sheets, each a title row, a unit row, a blank row, a header of
    years, 20-60 areas and a bold ``Total`` row (the sum of the areas), then a source note."""
    rng = random.Random(seed)
    book = Workbook()
    book.remove(book.worksheets[0])
    years = list(range(2015, 2015 + rng.randrange(5, 10)))
    for number in range(1, rng.randrange(2, 5) + 1):
        measure = rng.choice(MEASURES)
        sheet = book.create_sheet(f"Table {number}")
        sheet.append([f"Table {number}. {measure} by county, {years[0]}-{years[-1]}"])
        sheet.append(["Number in '000"])
        sheet.append([])
        sheet.append(["County", *years])
        areas = rng.sample(COUNTIES, rng.randrange(20, 61))
        totals = [0.0] * len(years)
        for area in areas:
            base = rng.uniform(5, 900)
            values = [round(base * (1 + rng.gauss(0.01, 0.03)) ** k, 1) for k in range(len(years))]
            totals = [t + v for t, v in zip(totals, values, strict=True)]
            sheet.append([area, *values])
        sheet.append(["Total", *(round(t, 1) for t in totals)])
        sheet.append([])
        sheet.append(["Source: Generated statistics office, for the gdrivestats benchmark"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def run_folder(count: int, cache: Path) -> list[TreeFile]:
    """``count`` workbooks in one folder, cached under ``cache``, in turn a multi-sheet statistics workbook,
    a small flat xlsx and a small flat CSV (the tables of the sync tree)."""
    root = cache / f"run-{count}"
    done = root / ".complete"
    if not done.is_file():
        root.mkdir(parents=True, exist_ok=True)
        for index in range(count):
            kind = index % 3
            if kind == 0:
                name, content = f"{index:04d}-statistics.xlsx", stats_workbook(50_000 + index)
            elif kind == 1:
                name, content = f"{index:04d}-table.xlsx", small_xlsx(20_000 + index)
            else:
                name, content = f"{index:04d}-table.csv", small_csv(20_000 + index)
            (root / name).write_bytes(content)
        done.write_text("ok\n", encoding="utf-8")
    files = []
    for path in sorted(p for p in root.iterdir() if p.is_file() and p.name != done.name):
        mime = CSV_MIME if path.suffix == ".csv" else XLSX_MIME
        files.append(TreeFile("", path.name, path.read_bytes(), mime))
    return files
