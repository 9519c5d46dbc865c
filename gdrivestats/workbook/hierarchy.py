"""Aggregates and levels applied to a table: country groups set aside, the outline kept as level and parent.

The rows analysed are one level of the outline (the finest complete one: every branch reaches it), so an
aggregate is never ranked with, or added to, its own parts. Every level's rows stay in ``level_rows``, with
``level`` and ``parent`` columns, for rankings per level.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from gdrivestats.workbook.aggregates import aggregate_label_mask
from gdrivestats.workbook.levels import (
    Tree,
    additive_columns,
    align_leaves,
    find_tree,
    tree_from_codes,
    tree_from_indent,
)
from gdrivestats.workbook.log import plural
from gdrivestats.workbook.model import Role

LEVEL_COLUMN = "level"
PARENT_COLUMN = "parent"


@dataclass
class Outline:
    """The rows to analyse, the rows set aside with their reasons, the levels and the log."""

    data: pd.DataFrame
    aside: pd.DataFrame
    reasons: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    levels: list[str] = field(default_factory=list)
    level: str | None = None
    level_rows: pd.DataFrame = field(default_factory=pd.DataFrame)
    type_column: str | None = None  # the file's own column saying what each row is, when it has one


def _names(frame: pd.DataFrame, label: str | None, limit: int = 6) -> str:
    """'World', 'Arab States', ... : the labels of rows for a note."""
    if label is None:
        shown = [f"row {i + 1}" for i in frame.index[:limit]]
    else:
        shown = [str(v) for v in frame[label].tolist()[:limit]]
    more = ", ..." if len(frame) > limit else ""
    return ", ".join(f"'{s}'" for s in shown) + more


def apply_outline(
    data: pd.DataFrame,
    roles: dict[str, Role],
    label: str | None,
    indent: pd.Series | None = None,
    codes: list[int | None] | None = None,
) -> Outline:
    """Set aside aggregate rows (by label, by arithmetic) and keep the outline of levels.

    ``indent`` is the indent level of each row's label (formatting or leading spaces), when the labels
    are indented: then the outline is read from it, and the sums only confirm it. ``codes`` is the level
    each row's code encodes ('1', '1.1'; 'A', 'A01'), used when the sums show no outline.
    """
    measures = [c for c in data.columns if roles.get(c) == Role.NUMERIC]
    result = Outline(data, data.iloc[0:0])
    if not measures or len(data) < 3:
        return result
    by_label = aggregate_label_mask(data[label]) if label is not None else pd.Series(False, index=data.index)
    asides, reasons, notes = [], [], []
    typed = _type_column(data, roles)
    if typed is not None:
        return _use_type_column(data, label, typed)
    if by_label.any():
        groups = data.loc[by_label]
        asides.append(groups)
        reasons += ["aggregate of countries (a country group by its name)"] * len(groups)
        countries = int((~by_label).sum())
        ranked = "1 country" if countries == 1 else f"{countries} countries"
        notes.append(
            f"{plural(len(groups), 'aggregate row')} set aside ({_names(groups, label)}); ranked {ranked}"
        )
        data = data.loc[~by_label]
    tree = None
    how = "by their sums"
    additive = additive_columns(data, measures)
    if indent is not None:
        tree = tree_from_indent(indent.reindex(data.index).fillna(0).to_numpy(dtype=int))
        how = "by the indent of the labels"
        if tree is not None and not _indent_holds(tree, data, additive, label):
            tree, how = None, "by their sums"
    if tree is None:
        tree = find_tree(data, additive)
    if tree is None and codes is not None and len(codes) == len(data):
        tree, how = tree_from_codes(codes), "by the codes of the rows"
        if tree is not None and additive and not _indent_holds(tree, data, additive, label):
            tree = None
    if tree is not None:
        primary = _values(data, additive[0]) if additive else None
        names = label or next((c for c in data.columns if roles.get(c) in (Role.CATEGORY, Role.TEXT)), None)
        data, aside, tree_reasons, tree_notes, levels, level, level_rows = _use_tree(
            data, tree, names, how, primary
        )
        asides.append(aside)
        reasons += tree_reasons
        notes += tree_notes
        result.levels, result.level, result.level_rows = levels, level, level_rows
    result.data, result.notes, result.reasons = data, notes, reasons
    if asides:
        frame = pd.concat([a for a in asides if len(a)]) if any(len(a) for a in asides) else data.iloc[0:0]
        result.aside = frame
    return result


TYPE_NAME = re.compile(
    r"^(?:type|kind|level|levels?|geo(?:graphy|graphic)?\s*(?:type|level)|area\s*type|entity\s*type|"
    r"itl\s*level|nuts\s*level|aggregation(?:\s*level)?|region\s*type|unit\s*type)$",
    re.IGNORECASE,
)


def _type_column(data: pd.DataFrame, roles: dict[str, Role]) -> str | None:
    """A column the file has that says what each row is (Type: Country / Region / Income group; ITL level)."""
    for name in data.columns:
        if not TYPE_NAME.match(str(name).strip()) or roles.get(name) not in (
            Role.CATEGORY,
            Role.ID,
            Role.NUMERIC,
        ):
            continue
        values = data[name].dropna()
        counts = values.value_counts()
        if 2 <= len(counts) <= 8 and counts.iloc[0] >= 0.5 * len(values) and len(values) >= 0.9 * len(data):
            return str(name)
    return None


def _use_type_column(data: pd.DataFrame, label: str | None, column: str) -> Outline:
    """Rows of the most frequent type analysed (the units: countries, counties); the others, fewer and
    coarser, set aside as aggregates; every type a level of its own."""
    values = data[column]
    counts = values.value_counts()
    unit = counts.index[0]
    numbered = all(isinstance(v, int | float) and not isinstance(v, bool) for v in counts.index)
    order = sorted(counts.index) if numbered else list(counts.index[::-1])  # ITL level 1, or fewest: coarsest
    levels = [_level_name(column, v, numbered) for v in order]
    keep = (values == unit).to_numpy()
    rows = data.copy()
    rows[LEVEL_COLUMN] = values.map({v: i + 1 for i, v in enumerate(order)})
    rows[PARENT_COLUMN] = None
    aside = data.loc[~keep]
    reasons = [f"aggregate ({column} is '{v}')" for v in values[~keep]]
    shown = ", ".join(f"{int(counts[v])} {v}" for v in order)
    notes = [
        f"The column '{column}' says what each row is ({shown}): ranked {int(keep.sum())} rows of '{unit}'; "
        f"set aside {plural(int((~keep).sum()), 'aggregate row')}: {_names(aside, label)}"
    ]
    level_rows = rows.drop(columns=[PARENT_COLUMN])
    notes.append(f"{len(levels)} levels, as the column '{column}' names them: {' > '.join(levels)}")
    at = levels[order.index(unit)]
    return Outline(data.loc[keep], aside, reasons, notes, levels, at, level_rows, type_column=column)


def _level_name(column: str, value: object, numbered: bool) -> str:
    """A level named as the file names it: 'ITL level 1' for a number, 'Region' for a type."""
    if numbered:
        number = float(value)  # type: ignore[arg-type]
        return f"{column} {int(number) if number.is_integer() else number}"
    return str(value).strip()


def _values(data: pd.DataFrame, column: str) -> np.ndarray:
    """One column as floats, missing values as 0."""
    return np.nan_to_num(pd.to_numeric(data[column], errors="coerce").to_numpy(dtype=float))


def _indent_holds(tree: Tree, data: pd.DataFrame, additive: list[str], label: str | None) -> bool:
    """Whether the indented outline is the table's: its parents equal the sums of their parts (within 2%),
    or, when nothing can be summed, every parent is written as a heading (capitals)."""
    parents = np.flatnonzero(tree.is_parent)
    if not len(parents):
        return False
    if additive:
        values = _values(data, additive[0])
        sums = np.zeros(len(values))
        np.add.at(sums, tree.parent[tree.parent >= 0], values[tree.parent >= 0])
        close = np.abs(sums[parents] - values[parents]) <= 0.02 * np.abs(values[parents])
        return bool(close.mean() >= 0.5)
    if label is None:
        return False
    names = data[label].astype("str").to_numpy(dtype=object)
    return all(str(names[p]).upper() == str(names[p]) for p in parents)


def _ranking_depth(tree: Tree, in_tree: np.ndarray, primary: np.ndarray | None) -> int:
    """The finest level that holds (nearly) the whole: the parts above it that stop early (a row with no
    parts at a coarser level) weigh at most 5% of the total; without numbers to weigh, the finest level
    every branch reaches."""
    leaves = in_tree & ~tree.is_parent
    complete = int(tree.depth[leaves].min())
    if primary is None:
        return complete
    total = float(np.abs(primary[in_tree & (tree.depth == 0)]).sum())
    best = complete
    for level in range(complete + 1, int(tree.depth[in_tree].max()) + 1):
        short = float(np.abs(primary[leaves & (tree.depth < level)]).sum())
        if total > 0 and short <= 0.05 * total:
            best = level
    return best


def _checked(tree: Tree, rows: np.ndarray, primary: np.ndarray | None, how: str) -> str:
    """How the aggregates were told: 'equal to the sum of their parts', or, for an indented outline, how
    many of them the sums confirm."""
    if how == "by their sums":
        return "equal to the sum of their parts"
    if primary is None:
        return "over their parts (by the indent)"
    sums = np.zeros(len(primary))
    np.add.at(sums, tree.parent[tree.parent >= 0], primary[tree.parent >= 0])
    chosen = np.flatnonzero(rows)
    close = int((np.abs(sums[chosen] - primary[chosen]) <= 0.02 * np.abs(primary[chosen]) + 1).sum())
    return f"over their parts (by the indent; {close} of {len(chosen)} equal the sum of their parts)"


def _short(text: str, limit: int = 40) -> str:
    """A label cut to ``limit`` characters for the log."""
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."


def _use_tree(
    data: pd.DataFrame, tree: Tree, label: str | None, how: str, primary: np.ndarray | None = None
) -> tuple[pd.DataFrame, pd.DataFrame, list[str], list[str], list[str], str, pd.DataFrame]:
    """Rows of the finest complete level as the data; coarser rows aside; every level in level_rows."""
    tree = align_leaves(tree)
    parent, depth, is_parent = tree.parent, tree.depth, tree.is_parent
    in_tree = (parent >= 0) | is_parent
    level = _ranking_depth(tree, in_tree, primary)
    names = (
        data[label].astype("str").to_numpy(dtype=object)
        if label is not None
        else np.array([f"row {i + 1}" for i in data.index], dtype=object)
    )
    parent_names = np.array([names[p] if p >= 0 else None for p in parent], dtype=object)
    rows = data.copy()
    rows[LEVEL_COLUMN] = depth + 1
    rows[PARENT_COLUMN] = parent_names
    level_rows = rows.loc[in_tree]
    keep = in_tree & (depth == level)
    coarser = in_tree & (depth < level) & is_parent
    outside = ~in_tree | (in_tree & (depth < level) & ~is_parent)
    out = rows.loc[keep]
    aside = rows.loc[coarser | outside].drop(columns=[LEVEL_COLUMN, PARENT_COLUMN])
    reasons = []
    counts = Counter(parent[parent >= 0])
    for i in np.flatnonzero(coarser | outside):
        if coarser[i]:
            where = "below" if i < np.flatnonzero(parent == i)[0] else "above"
            reasons.append(f"aggregate: the sum of the {counts[i]} rows {where} it (level {depth[i] + 1})")
        else:
            reasons.append("outside the outline: not one of the parts the totals add up")
    levels = [f"level {d + 1}" for d in range(int(depth[in_tree].max()) + 1)]
    top = Counter(depth[in_tree])
    examples: dict[int, str] = {}
    for i, d in zip(np.flatnonzero(in_tree), depth[in_tree], strict=True):
        examples.setdefault(int(d), str(names[i]).strip())  # the first row of each level
    shape = " > ".join(f"{levels[d]} ({top[d]}, e.g. '{_short(examples[d])}')" for d in range(len(levels)))
    notes = [
        f"{len(levels)} levels found {how}: {shape}; rankings and sums at {levels[level]} "
        f"({plural(int(keep.sum()), 'row')}), each with its parent",
        f"Set aside {plural(int(coarser.sum()), 'aggregate row')} {_checked(tree, coarser, primary, how)}: "
        f"{_names(rows.loc[coarser], label)}",
    ]
    if outside.any():
        notes.append(
            f"Set aside {plural(int(outside.sum()), 'row')} outside the outline (not parts of its sums): "
            f"{_names(rows.loc[outside], label)}"
        )
    if level == 0:
        out = out.drop(columns=[PARENT_COLUMN])
    return out, aside, reasons, notes, levels, levels[level], level_rows
