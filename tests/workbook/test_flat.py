"""Big flat sheets read by fastexcel give the same cells and the same tables as python-calamine's path."""

from __future__ import annotations

import datetime as dt
import random
import zipfile
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import python_calamine

from gdrivestats.workbook import flat, load_workbook
from gdrivestats.workbook.cells import blank_to_none
from gdrivestats.workbook.load import _read_calamine_sheet
from gdrivestats.workbook.model import Workbook
from tests.workbook.support import write_xlsx

fastexcel = pytest.importorskip("fastexcel")

HEADER = ["Row ID", "Customer", "Region", "Order date", "Ship date", "Revenue", "Margin %", "Units"]


def sales_rows(count: int, seed: int = 6) -> list[list[Any]]:
    """Rows shaped like the benchmark workbook's (bench/data.py): ids, text, dates, floats, ints."""
    rng = random.Random(seed)
    start = dt.datetime(2020, 1, 1)
    rows: list[list[Any]] = [HEADER]
    for i in range(count):
        order = start + dt.timedelta(days=rng.randrange(1_500))
        rows.append(
            [
                i + 1,
                f"Customer {rng.randrange(500):05d}",
                rng.choice(["North", "South", "East", "West"]),
                order,
                order + dt.timedelta(days=rng.randrange(1, 20), hours=rng.choice([0, 0, 5])),
                round(rng.uniform(0, 10_000), 2),
                round(rng.uniform(-1, 1), 4),
                rng.randrange(0, 1_000),
            ]
        )
    return rows


def cells(path: Path, name: str) -> tuple[pd.DataFrame, pd.DataFrame, list[Any], list[Any]]:
    """The grid of one sheet both ways (python-calamine, fastexcel), blanks as None, empty rows dropped."""
    with path.open("rb") as handle:
        usual = _read_calamine_sheet(python_calamine.CalamineWorkbook.from_filelike(handle), name)
    with zipfile.ZipFile(path) as archive:
        member = flat.sheet_members(archive)[name]
    fast = flat.read_flat_sheet(fastexcel.read_excel(path), path, name, member)
    grids = []
    for raw in (usual, fast):
        grid = blank_to_none(raw.grid)
        grids.append(grid.loc[grid.notna().any(axis=1)])
    return grids[0], grids[1], usual.merges, fast.merges


def assert_same_cells(a: pd.DataFrame, b: pd.DataFrame) -> None:
    assert a.shape == b.shape
    for col in a.columns:
        for x, y in zip(a[col].tolist(), b[col].tolist(), strict=True):
            if _missing(x) or _missing(y):
                assert _missing(x) and _missing(y), (col, x, y)
            else:
                assert x == y and type(x) is type(y), (col, x, y)


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def both_ways(path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Workbook, Workbook, list[str]]:
    """load_workbook as usual (small sheets: python-calamine) and with every flat sheet read by fastexcel."""
    usual = load_workbook(path)
    monkeypatch.setattr(flat, "MIN_SHEET_BYTES", 0)
    read: list[str] = []
    real = flat.read_flat_sheet

    def spy(reader: Any, path: Path, name: str, member: zipfile.ZipInfo) -> Any:
        raw = real(reader, path, name, member)
        read.append(name)
        return raw

    monkeypatch.setattr("gdrivestats.workbook.load.read_flat_sheet", spy)
    fast = load_workbook(path)
    monkeypatch.undo()
    return usual, fast, read


def assert_same_book(a: Workbook, b: Workbook) -> None:
    assert a.notes == b.notes
    assert [s.name for s in a.sheets] == [s.name for s in b.sheets]
    for x, y in zip(a.sheets, b.sheets, strict=True):
        pd.testing.assert_frame_equal(x.data, y.data)
        pd.testing.assert_frame_equal(x.set_aside, y.set_aside)
        assert (x.roles, x.label_column, x.notes, x.footnotes) == (
            y.roles,
            y.label_column,
            y.notes,
            y.footnotes,
        )
        assert (x.title, x.unit, x.header_row, x.levels, x.table) == (
            y.title,
            y.unit,
            y.header_row,
            y.levels,
            y.table,
        )


def test_benchmark_shape_same_cells_and_same_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_xlsx(tmp_path / "sales.xlsx", {"Sales": sales_rows(3_000)})
    usual, fast, merges_a, merges_b = cells(path, "Sales")
    assert_same_cells(usual, fast)
    assert merges_a == merges_b == []
    a, b, read = both_ways(path, monkeypatch)
    assert read == ["Sales"]
    assert_same_book(a, b)
    assert b.sheets[0].data.shape == (3_000, len(HEADER))


def test_placeholders_and_error_cells_put_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = sales_rows(1_500)
    rows[40][5] = "n/a"  # fastexcel reads these as empty cells in a number column, with an error entry
    rows[1_400][7] = "N/A"
    rows[1_450][5] = "=1/0"  # a formula without a cached value: an empty cell both ways
    path = write_xlsx(tmp_path / "notes.xlsx", {"Sales": rows})
    usual, fast, _, _ = cells(path, "Sales")
    assert_same_cells(usual, fast)
    assert fast.iloc[40, 5] == "n/a" and fast.iloc[1_400, 7] == "N/A"
    a, b, read = both_ways(path, monkeypatch)
    assert read == ["Sales"]
    assert_same_book(a, b)
    assert any("placeholder" in note for note in b.sheets[0].notes)


def test_merged_ranges_found_by_the_scan(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [["Region", "District", "Population"]]
    for region in ("North", "South", "East"):
        rows += [[region if d == 0 else None, f"{region} {d}", 1_000 + d] for d in range(4)]
    merges = ["A2:A5", "A6:A9", "A10:A13"]
    path = write_xlsx(tmp_path / "m.xlsx", {"data": rows}, {"data": merges})
    usual, fast, merges_a, merges_b = cells(path, "data")
    assert_same_cells(usual, fast)
    assert sorted(merges_a) == sorted(merges_b) == [((1, 0), (4, 0)), ((5, 0), (8, 0)), ((9, 0), (12, 0))]
    a, b, read = both_ways(path, monkeypatch)
    assert read == ["data"]
    assert_same_book(a, b)
    assert b.sheets[0].data["Region"].tolist()[:5] == ["North"] * 4 + ["South"]


@pytest.mark.parametrize(
    "case",
    [
        "numbers in a text column",
        "time of day",
        "repeated header",
        "title above the header",
        "a note under the table",
        "placeholder '..'",
        "text 'nan'",
        "boolean among numbers",
        "number among dates",
    ],
)
def test_what_fastexcel_cannot_give_exactly_goes_the_usual_way(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    rows = sales_rows(1_200)
    if case == "numbers in a text column":
        rows[1_100][1] = 12345  # past fastexcel's 1,000-row sample: it would become the text '12345'
    elif case == "time of day":
        for row in rows[1:]:
            row[4] = dt.time(8, 30)
    elif case == "repeated header":
        rows[0][2] = "Customer"
    elif case == "a note under the table":
        rows.append(["Source: a note under the table"])
    elif case == "placeholder '..'":
        rows[1_150][5] = ".."
    elif case == "text 'nan'":
        rows[1_150][5] = "nan"
    elif case == "boolean among numbers":
        rows[1_150][5] = True  # fastexcel's coercion would make it 1.0
    elif case == "number among dates":
        rows[1_150][3] = 45_000.5  # ... and this a date
    else:
        rows.insert(0, ["Sales by order"])
    path = write_xlsx(tmp_path / "x.xlsx", {"Sales": rows})
    if case == "title above the header":
        with zipfile.ZipFile(path) as archive:
            member = flat.sheet_members(archive)["Sales"]
            assert not flat.looks_flat(archive.open(member).read(65_536))
    else:
        with pytest.raises(flat.NotFlat):
            cells(path, "Sales")
    a, b, read = both_ways(path, monkeypatch)
    assert read == []
    assert_same_book(a, b)


@pytest.mark.slow  # every real xlsx (or a real table) read both ways: seconds of loading
def test_real_workbooks_same_tables_either_way(shared_data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for path in sorted(shared_data.glob("*.xlsx")):
        a, b, _ = both_ways(path, monkeypatch)  # none of these small messy sheets looks flat: the usual way
        assert_same_book(a, b)


def test_real_sheets_same_cells_from_fastexcel(shared_data: Path) -> None:
    """Every sheet of the real xlsx files read by fastexcel (whether it looks flat or not): the same cells as
    python-calamine's, titles and notes put back from the error list, or refused (NotFlat)."""
    compared, refused = [], []
    for path in sorted(shared_data.glob("*.xlsx")):
        with zipfile.ZipFile(path) as archive:
            names = list(flat.sheet_members(archive))
        for name in names:
            try:
                usual, fast, merges_a, merges_b = cells(path, name)
            except flat.NotFlat:
                refused.append(f"{path.name}:{name}")
                continue
            assert_same_cells(usual, fast)
            assert sorted(merges_a) == sorted(merges_b)
            compared.append(f"{path.name}:{name}")
    assert compared and refused  # titles above the header make columns of mixed text: those are refused


@pytest.mark.slow  # every real xlsx (or a real table) read both ways: seconds of loading
@pytest.mark.parametrize(
    "name",
    [
        "ibge_population_estimates_municipalities.xlsx",
        "bls_cps_employed_by_occupation.xlsx",
        "undp_hdr2023_24_hdi_table.xlsx",
        "eurostat_unemployment_by_duration.xlsx",
    ],
)
def test_real_tables_written_flat(
    shared_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    """A real table (its cleaned rows and the rows set aside, under its header) saved as a flat export:
    fastexcel reads it, with the same cells and the same table as python-calamine."""
    sheet = load_workbook(shared_data / name).sheets[0]
    frame = pd.concat([sheet.data, sheet.set_aside.reindex(columns=sheet.data.columns)])
    rows = [list(frame.columns), *frame.astype(object).where(frame.notna(), None).values.tolist()]
    path = write_xlsx(tmp_path / name, {"data": rows})
    usual, fast, _, _ = cells(path, "data")
    assert_same_cells(usual, fast)
    a, b, read = both_ways(path, monkeypatch)
    assert read == ["data"]
    assert_same_book(a, b)
