"""Identifier and code columns (codes, ISO numbers, serial numbers, ranks, quarter and target numbers).

They describe a row; they are not measures, so they get the role ID: no describe, sums, rankings or
correlations on them.
"""

from __future__ import annotations

import re

import pandas as pd

from gdrivestats.workbook.log import plural
from gdrivestats.workbook.model import Role

ID_NAME = re.compile(
    r"^(?:s\.?\s*no\.?|sr\.?\s*no\.?|sl\.?\s*no\.?|no\.?|#|n[°º]|id|index|rank|ranking|quarter|qtr|"
    r"target|serial(?: number)?|item no\.?|line|cdid|series id|"
    r".*\b(?:code|codes|id|iso|iso3|iso2|rank|m49|fips|nuts|geo)\b.*)$",
    re.IGNORECASE,
)
_FLAG_TEXT = r"^[a-z]{1,3}(?:\s*,\s*[a-z]{1,3})*$"  # observation flags and footnote letters: 'b', 'bu', 'c,d'
_CODE_TEXT = r"^(?:[A-Z]{2,3}|[0-9]{2,6}|[A-Z][A-Z0-9]{4,12}|[0-9]+(?:\.[0-9]+)+\.?)$"


def is_id_name(name: str) -> bool:
    """Whether a column name says it holds codes or numbers of rows ('S.No.', 'ISO code', 'HDI rank')."""
    return bool(ID_NAME.match(name.strip()))


def _is_serial(values: pd.Series) -> bool:
    """Whole numbers that count the rows: 1, 2, 3 ... (a rank may repeat a number for ties)."""
    present = values.dropna()
    if len(present) < 3 or not bool((present % 1 == 0).all()):
        return False
    steps = present.diff().dropna()
    return bool(present.iloc[0] in (0, 1) and steps.between(0, 1).all() and (steps == 1).mean() >= 0.8)


def _looks_like_codes(values: pd.Series) -> bool:
    """Text cells that are nearly all short codes: 'KEN', '001', 'A2298668K', '1.1'."""
    present = values.dropna().astype("str").str.strip()
    if present.empty:
        return False
    return bool(present.str.fullmatch(_CODE_TEXT).mean() >= 0.9)


def mark_id_columns(
    data: pd.DataFrame, roles: dict[str, Role], label: str | None
) -> tuple[dict[str, Role], str | None, list[str], dict[str, str]]:
    """Roles with identifier columns set to ID, the label column (moved off a code column), notes, and new
    names for the columns of flags beside the values ('2015 (2)' -> '2015 flag')."""
    roles = dict(roles)
    found = []
    for position, name in enumerate(data.columns):
        role = roles[name]
        named = is_id_name(str(name))
        if role == Role.NUMERIC:
            unnamed = str(name).startswith("Column ")
            if named or ((unnamed or position == 0) and _is_serial(data[name])):
                roles[name] = Role.ID
        elif role in (Role.LABEL, Role.TEXT, Role.CATEGORY) and named and _looks_like_codes(data[name]):
            roles[name] = Role.ID
        if roles[name] == Role.ID:
            found.append(str(name))
    flags = []
    renamed: dict[str, str] = {}
    columns = list(data.columns)
    for position, name in enumerate(columns):
        if (
            roles[name] in (Role.CATEGORY, Role.TEXT)
            and position > 0
            and roles[columns[position - 1]] == Role.NUMERIC
        ):
            present = data[name].dropna().astype("str").str.strip()
            if len(present) and bool(present.str.fullmatch(_FLAG_TEXT).all()):
                roles[name] = Role.TEXT
                flags.append(str(name))
                renamed[str(name)] = f"{columns[position - 1]} flag"
    if label is not None and roles.get(label) == Role.ID:
        label = next((c for c in data.columns if roles[c] == Role.LABEL), None)
        if label is None:
            label = next((c for c in data.columns if roles[c] in (Role.TEXT, Role.CATEGORY)), None)
            if label is not None:
                roles[label] = Role.LABEL
    notes = []
    if flags:
        shown = ", ".join(f"'{n}'" for n in flags[:3]) + (", ..." if len(flags) > 3 else "")
        notes.append(
            f"{plural(len(flags), 'column')} of flags or footnote letters beside the values ({shown}) "
            "kept as notes, named '<value column> flag'"
        )
    renamed = {old: new for old, new in renamed.items() if new not in data.columns}
    if not found:
        return roles, label, notes, renamed
    shown = ", ".join(f"'{n}'" for n in found[:5])
    kind = "column holds" if len(found) == 1 else "columns hold"
    return (
        roles,
        label,
        [f"{shown}: {kind} codes or row numbers, kept as labels, not measures", *notes],
        renamed,
    )
