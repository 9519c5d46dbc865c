"""Table shapes shared by the writers: the group tables with their two-level columns made flat."""

from __future__ import annotations

from typing import cast

import pandas as pd


def flat_groups(table: pd.DataFrame) -> pd.DataFrame:
    """A group table (columns (metric, "sum"|"mean"|"count")) with columns named "metric (stat)"."""
    flat = table.copy()
    pairs = [cast("tuple[str, str]", column) for column in table.columns]
    flat.columns = pd.Index([f"{metric} ({stat})" for metric, stat in pairs])
    return flat
