"""A metadata sheet that gives each country's region and income group (World Bank: 'Metadata - Countries').

The World Bank ships its data sheet with a sheet listing every code of the data sheet with its Region and
IncomeGroup; the aggregates (World, Euro area, High income, IDA total ...) are the codes it gives no region.
That is the surest way to tell aggregates from countries: the data sheet's rows are split by it, and each
country gains its region and income group as categories to group by.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from gdrivestats.workbook.cells import is_blank
from gdrivestats.workbook.log import plural
from gdrivestats.workbook.model import RawSheet, Role, Sheet
from gdrivestats.workbook.subjects import raw_header

_CODE = re.compile(r"^(?:country\s*code|code|iso\s*3?(?:\s*code)?|iso3|economy\s*code)$", re.IGNORECASE)
_REGION = re.compile(r"^region$", re.IGNORECASE)
_INCOME = re.compile(r"^income\s*group$", re.IGNORECASE)
MIN_CODES = 10


@dataclass
class CountryMetadata:
    """Code -> region and income group, from the sheet named ``sheet``; aggregates have no region."""

    sheet: str
    region: dict[str, str]  # every code; '' for an aggregate
    income: dict[str, str]

    @property
    def aggregates(self) -> set[str]:
        """The codes with no region: World, regions, income groups."""
        return {code for code, region in self.region.items() if not region}


def find_country_metadata(raws: list[RawSheet]) -> CountryMetadata | None:
    """The first raw sheet whose header has a country code, a Region and an IncomeGroup column."""
    for raw in raws:
        if raw.skip_reason or raw.grid.empty:
            continue
        found = raw_header(raw)
        if found is None:
            continue
        header_at, names = found
        code = next((c for c, n in enumerate(names) if _CODE.match(n)), None)
        region = next((c for c, n in enumerate(names) if _REGION.match(n)), None)
        income = next((c for c, n in enumerate(names) if _INCOME.match(n)), None)
        if code is None or region is None:
            continue
        body = raw.grid.loc[raw.grid.index > header_at]
        out = CountryMetadata(raw.name, {}, {})
        for values in body.itertuples(index=False):
            key = values[code]
            if is_blank(key):
                continue
            text = str(key).strip()
            out.region[text] = "" if is_blank(values[region]) else str(values[region]).strip()
            if income is not None and not is_blank(values[income]):
                out.income[text] = str(values[income]).strip()
        if len(out.region) >= MIN_CODES and out.aggregates and len(out.aggregates) < len(out.region):
            return out
    return None


def apply_country_metadata(sheet: Sheet, meta: CountryMetadata) -> Sheet:
    """Rows of ``sheet`` whose code the metadata gives no region set aside as aggregates (and rows set
    aside as country groups by their name that it calls countries put back); Region and Income group
    added as categories. The sheet unchanged when none of its columns holds the metadata's codes."""
    column = _code_column(sheet.data, meta)
    if column is None or sheet.name == meta.sheet:
        return sheet
    codes = sheet.data[column].astype("string").str.strip()
    aggregate = codes.isin(meta.aggregates).fillna(False).to_numpy(dtype=bool)
    data, aside, reasons = sheet.data, sheet.set_aside, list(sheet.set_aside_reasons)
    reasons = (reasons + ["set aside"] * len(aside))[: len(aside)]  # one reason a row, whatever came in
    back = pd.Series(False, index=aside.index)
    if column in aside.columns and len(reasons) == len(aside):
        aside_codes = aside[column].astype("string").str.strip()
        named_group = pd.Series([r.startswith("aggregate of countries") for r in reasons], index=aside.index)
        back = named_group & aside_codes.map(lambda c: bool(meta.region.get(str(c), ""))).astype(bool)
    moved = data.loc[aggregate]
    why = f"aggregate (the sheet '{meta.sheet}' gives it no region)"
    data = pd.concat([data.loc[~aggregate], aside.loc[back].reindex(columns=data.columns)], ignore_index=True)
    kept = ~back.to_numpy(dtype=bool)
    aside = pd.concat([aside.loc[kept], moved], ignore_index=True)
    reasons = [r for r, keep in zip(reasons, kept, strict=True) if keep] + [why] * len(moved)
    roles = dict(sheet.roles)
    added = []
    for name, values in (("Region", meta.region), ("Income group", meta.income)):
        if values and name not in data.columns:
            data[name] = data[column].astype("string").str.strip().map(values).astype(object)
            roles[name] = Role.CATEGORY
            added.append(name)
    label = sheet.label_column
    named = label if label in aside.columns else column
    codes_aside = aside[column].astype("string").str.strip() if column in aside.columns else pd.Series()
    groups = (
        aside.loc[codes_aside.isin(meta.aggregates).fillna(False).to_numpy(dtype=bool)]
        if len(aside)
        else aside
    )
    shown = ", ".join(f"'{v}'" for v in groups[named].head(5)) + (", ..." if len(groups) > 5 else "")
    note = (
        f"The sheet '{meta.sheet}' gives each country its region: {plural(len(groups), 'aggregate')} set "
        f"aside ({shown}); ranked {len(data)} countr{'y' if len(data) == 1 else 'ies'}"
        + (f"; added {' and '.join(added)}" if added else "")
    )
    ranked = re.compile(r"^\d+ aggregate rows? set aside \(.*\); ranked \d+ countr")
    sheet.notes = [n for n in sheet.notes if not ranked.match(n)]  # told again, by the metadata
    if back.any():
        note += (
            f"; {plural(int(back.sum()), 'row')} set aside by name put back: the sheet calls them countries"
        )
    sheet.data, sheet.set_aside, sheet.set_aside_reasons, sheet.roles = data, aside, reasons, roles
    sheet.notes = [*sheet.notes, note]
    return sheet


def _code_column(data: pd.DataFrame, meta: CountryMetadata) -> str | None:
    """The column of ``data`` whose values are (mostly) codes of the metadata sheet."""
    for name in data.columns:
        values = data[name].dropna()
        if values.empty or (
            not pd.api.types.is_object_dtype(values.dtype) and not isinstance(values.dtype, pd.StringDtype)
        ):
            continue
        known = values.astype("string").str.strip().isin(meta.region.keys())
        if known.mean() >= 0.8:
            return str(name)
    return None
