"""Words for the cleaning log: counts with their nouns, column letters, rows named by their labels."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import pandas as pd


def plural(count: int, thing: str) -> str:
    """'1 value', '2 values': a count with its noun, for the notes."""
    return f"{count} {thing}" if count == 1 else f"{count} {thing}s"


def letter(col: int) -> str:
    """The spreadsheet letter of a 0-based column: 0 -> A, 27 -> AB."""
    out = ""
    col += 1
    while col:
        col, rest = divmod(col - 1, 26)
        out = chr(65 + rest) + out
    return out


def row_names(rows: pd.DataFrame, label: str | None, texts: Sequence[str]) -> str:
    """How to name rows in a note: their label (or text cells), or their sheet row numbers."""
    columns = [label] if label else list(texts)
    if not columns:
        return ", ".join(f"row {i + 1}" for i in rows.index[:5]) + (", ..." if len(rows) > 5 else "")
    names = [" ".join(str(v) for v in row if pd.notna(v)) for row in rows[columns].itertuples(index=False)]
    counts = Counter(names)
    shown = [f"'{n}'" + (f" (x{c})" if c > 1 else "") for n, c in list(counts.items())[:5]]
    return ", ".join(shown) + (", ..." if len(counts) > 5 else "")
