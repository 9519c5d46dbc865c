"""Rows: notes under the table, merged and grouped row labels, duplicates, and total rows set aside."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from gdrivestats.workbook.aggregates import TOTAL_NAMED, TOTAL_WORD, total_kinds
from gdrivestats.workbook.cells import SAMPLE, WS, is_blank, parse_number
from gdrivestats.workbook.levels import additive_columns, as_floats, digit_unit, within_rounding
from gdrivestats.workbook.log import letter, plural, row_names
from gdrivestats.workbook.model import Merge, Role

_NOTE_START = re.compile(
    r"^(?:sources?|notes?|footnotes?|\*|\d+[.)]\s|[a-z][.)]\s|[¹²³⁴⁵⁶⁷⁸⁹†‡§])", re.IGNORECASE
)


def footnote_start(rows: Sequence[Sequence[Any]]) -> int:
    """Index of the first row of the notes under the table (``len(rows)`` when there are none)."""
    last_data = -1
    for index, row in enumerate(rows):
        cells = [v for v in row if not is_blank(v)]
        numeric = any(not isinstance(v, str) or parse_number(v.strip(), ".") is not None for v in cells)
        if len(cells) >= 2 or numeric or (cells and not _is_note_text(cells[0])):
            last_data = index
    start = last_data + 1
    while start < len(rows) and all(is_blank(v) for v in rows[start]):
        start += 1
    return start


def _is_note_text(value: Any) -> bool:
    """A lone cell that reads like a note: 'Source: ...', '* provisional', or a long sentence."""
    text = str(value).strip()
    return bool(_NOTE_START.match(text)) or len(text) >= 30


def footnote_texts(rows: Sequence[Sequence[Any]]) -> list[str]:
    """The text of the note rows, one entry per non-empty row."""
    out = []
    for row in rows:
        cells = [WS.sub(" ", str(v)).strip() for v in row if not is_blank(v)]
        if cells:
            out.append(" ".join(cells))
    return out


def split_footnotes(body: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """The table rows and the text of the notes under it ("Source: ...")."""
    tail_from = _last_wide_row(body) + 1
    tail = body.iloc[tail_from:].to_numpy().tolist()
    start = tail_from + footnote_start(tail)
    return body.iloc[:start], footnote_texts(body.iloc[start:].to_numpy().tolist())


def _last_wide_row(body: pd.DataFrame) -> int:
    """The position of the last row with at least two filled cells (-1 if none), looked for from the end in
    growing blocks: the notes under a table are a few rows, and a table's last row is usually wide."""
    end, step = len(body), 256
    while end > 0:
        start = max(0, end - step)
        wide = np.flatnonzero(body.iloc[start:end].notna().sum(axis=1).to_numpy() >= 2)
        if len(wide):
            return start + int(wide[-1])
        end, step = start, step * 4
    return -1


def blank_rows_note(filled: pd.Series, header: int, body: pd.DataFrame) -> list[str]:
    """A note for the empty rows between the header and the last row of the table, which were dropped."""
    if body.empty:
        return []
    inside = filled.loc[header : body.index[-1]]
    count = int((~inside).sum())
    return [f"Dropped {plural(count, 'empty row')} inside the table"] if count else []


def fill_merged_labels(
    body: pd.DataFrame, merges: Sequence[Merge], names: Sequence[str]
) -> tuple[pd.DataFrame, list[str]]:
    """Copy the label of a vertically merged cell into every row of the merge (linear in the rows)."""
    rows = body.index.to_numpy()
    vertical: dict[int, list[tuple[int, int]]] = {}
    for (r0, c0), (r1, c1) in merges:
        if c0 == c1 and r1 > r0 and c0 in body.columns:
            vertical.setdefault(c0, []).append((r0, r1))
    notes: list[str] = []
    if vertical:
        body = body.copy()
    for col, spans in sorted(vertical.items()):
        values, count = body[col].to_numpy(dtype=object, copy=True), 0
        for r0, r1 in spans:
            top, end = np.searchsorted(rows, r0), np.searchsorted(rows, r1, side="right")
            if top >= len(rows) or rows[top] != r0:
                continue  # the top of the merge is in the header or was not kept
            blank = pd.isna(values[top + 1 : end])
            values[top + 1 : end][blank] = values[top]
            count += int(blank.sum())
        if count:
            body[col] = values
            label = names[col] or letter(col)
            notes.append(
                f"Filled {plural(count, 'cell')} of merged row labels in '{label}' from the label above"
            )
    return body, notes


def fill_grouped_labels(body: pd.DataFrame, names: Sequence[str]) -> tuple[pd.DataFrame, list[str]]:
    """Fill the blanks under group labels in the first column (merged labels whose merge was lost)."""
    filled = grouped_label_gaps(body)
    if filled is None:
        return body, []
    col = int(body.columns[0])
    count = int(body[col].isna().sum())
    body = body.copy()
    body[col] = filled
    name = names[col] if col < len(names) and names[col] else letter(col)
    return body, [f"Filled {plural(count, 'blank cell')} in '{name}' with the group label above them"]


def grouped_label_gaps(body: pd.DataFrame) -> pd.Series | None:
    """The first column filled down when it names groups of rows and leaves the rest of each group blank.

    That is the layout of merged row labels once the merge is lost (CSV exports): '4-5' on the first row,
    blanks below, with the next column ('Male', 'Female', 'Total') filled on every row. Returns None when
    the first column does not look like that.
    """
    if body.shape[1] < 3 or len(body) < 3:
        return None
    first, second = body[body.columns[0]], body[body.columns[1]]
    present = first.dropna()
    if pd.isna(first.iloc[0]) or len(present) < 2 or len(present) > 0.5 * len(body) or second.isna().any():
        return None
    texts = [v for v in list(present.head(SAMPLE)) + list(second.head(SAMPLE)) if not is_blank(v)]
    if not all(isinstance(v, str) and parse_number(v, ".") is None for v in texts):
        return None
    return first.ffill()


def _sums_match(head: np.ndarray, sums: np.ndarray, parts: int, units: np.ndarray) -> bool:
    """Whether a row equals a sum of ``parts`` rows (within rounding) in at least 60% of the columns."""
    usable = np.abs(head) > 0
    if not usable.any():
        return False
    match = within_rounding(head[None, :], sums[None, :], np.array([float(parts)]), units)[0]
    return bool((match & usable).sum() >= max(1, math.ceil(0.6 * usable.sum())))


MAX_BLOCK_CANDIDATES = 3  # block ends tried on each side of a 'Total ...' row (bounded work)


def _named_row_adds_up(values: np.ndarray, at: int, others: np.ndarray, units: np.ndarray) -> bool:
    """Whether row ``at`` equals the sum of all the ``others`` rows, or of a block of rows right above or
    right below it: at least two rows, three when only one column adds up (3 + 4 = 7 happens by chance)."""
    head = values[at]
    if _sums_match(head, values[others].sum(axis=0), int(others.sum()), units):
        return True
    primary = values[:, 0]
    if head[0] <= 0:
        return False
    shortest = 2 if values.shape[1] > 1 else 3
    for rows in (np.arange(at - 1, -1, -1), np.arange(at + 1, len(values))):  # above, then below
        running = np.cumsum(primary[rows])
        sizes = np.arange(1, len(rows) + 1)
        # each block within its own rounding: a unit of the last digit per row summed, or 0.1%
        near = np.abs(running - head[0]) <= np.maximum(1e-3 * head[0], units[0] * sizes)
        ends = np.flatnonzero(near & (sizes >= shortest))[:MAX_BLOCK_CANDIDATES]
        for end in ends:
            block = rows[: end + 1]
            if _sums_match(head, values[block].sum(axis=0), len(block), units):
                return True
    return False


def _closes_block(frame: pd.DataFrame, at: int, values: np.ndarray | None) -> bool:
    """Whether row ``at`` closes a block: the last row, or the last before a gap in the sheet rows, and at
    least as large as every row of that block in the columns that add up."""
    index = frame.index.to_numpy()
    last = at == len(frame) - 1 or (np.issubdtype(index.dtype, np.integer) and index[at + 1] - index[at] > 1)
    if not last:
        return False
    if values is None:
        return True
    integer = np.issubdtype(index.dtype, np.integer)
    gaps = np.flatnonzero(np.diff(index[: at + 1]) > 1) if integer else np.array([], dtype=int)
    start = int(gaps[-1]) + 1 if len(gaps) else 0
    block = values[start:at]
    return len(block) >= 2 and bool((values[at] >= block.max(axis=0)).all())


def confirmed_named_totals(
    frame: pd.DataFrame, kinds: dict[str, np.ndarray], label: str | None, additive: list[str]
) -> np.ndarray:
    """Rows whose label starts with a total word but goes on ('Total softwood', 'Total Wine'): totals only
    when they add up (the sum of the other rows, of a block next to them, or, for a category, the other
    groups together) or close a block as its largest row. A shop called 'Total Wine' stays data."""
    out = np.zeros(len(frame), dtype=bool)
    columns = [np.nan_to_num(as_floats(frame[c])) for c in additive]
    values = np.column_stack(columns) if columns else None
    units = (
        np.array([digit_unit(values[:, j]) for j in range(values.shape[1])]) if values is not None else None
    )
    word = np.zeros(len(frame), dtype=bool)
    for found in kinds.values():
        word |= found == TOTAL_WORD
    for col, found in kinds.items():
        named = np.flatnonzero((found == TOTAL_NAMED) & ~word)
        if not len(named):
            continue
        if col == label:
            for at in named[:200]:
                others = ~word & (found != TOTAL_NAMED)
                adds_up = values is not None and _named_row_adds_up(values, at, others, units)  # type: ignore[arg-type]
                out[at] = adds_up or _closes_block(frame, at, values)
            continue
        texts = frame[col].to_numpy(dtype=object)
        for value in dict.fromkeys(texts[named]):  # a category: the group equals the other rows together
            group = texts == value
            rest = ~group & ~word & (found != TOTAL_NAMED)
            if values is not None and rest.any():
                out |= group & _sums_match(values[group].sum(axis=0), values[rest].sum(axis=0), 2, units)  # type: ignore[arg-type]
    return out


def sum_total_mask(frame: pd.DataFrame, numeric_columns: Sequence[str], rtol: float = 0.01) -> pd.Series:
    """The first or last row, when its numbers equal the sum of all the others (a country over its counties).

    A total sits at the top or the bottom of a table; a row in the middle that happens to equal the sum of
    the rest is left alone.
    """
    none = pd.Series(False, index=frame.index)
    if not numeric_columns or len(frame) < 4:
        return none
    values = frame[list(numeric_columns)].astype(float)
    sums = values.sum()
    usable = [c for c in numeric_columns if not (values[c] < 0).any() and sums[c] > 0]
    if not usable:
        return none
    if len(usable) == 1 and len(frame) < 6:
        return none
    need = max(1, math.ceil(0.6 * len(usable)))
    targets = sums[usable].to_numpy()
    ends = np.isclose(2 * values[usable].iloc[[0, -1]].to_numpy(), targets, rtol=rtol, atol=0)
    if not (ends.sum(axis=1) >= need).any():  # neither end is the sum of the rest: no row is taken
        return none
    close = np.isclose(2 * values[usable].to_numpy(), targets, rtol=rtol, atol=0)
    mask = pd.Series(close.sum(axis=1) >= need, index=frame.index)
    return mask if mask.sum() == 1 else none


def set_aside_totals(
    data: pd.DataFrame, roles: dict[str, Role], label: str | None
) -> tuple[pd.DataFrame, pd.DataFrame, list[str], list[str]]:
    """Move total rows ('Total', 'World', a country over its counties) out of the data, with a reason each.

    The sheet rows are kept as the index of both frames."""
    texts = [c for c in data.columns if roles[c] in (Role.LABEL, Role.CATEGORY)]
    numeric = [c for c in data.columns if roles[c] == Role.NUMERIC]
    kinds = {c: total_kinds(data[c]) for c in texts}
    kinds = {c: k for c, k in kinds.items() if not (k == TOTAL_WORD).all()}  # 'World' on every row: a place
    word = np.zeros(len(data), dtype=bool)
    for found in kinds.values():
        word |= found == TOTAL_WORD
    if any((found == TOTAL_NAMED).any() for found in kinds.values()):
        word |= confirmed_named_totals(data, kinds, label, additive_columns(data, numeric))
    by_label = pd.Series(word, index=data.index, dtype=bool)
    rest = data.loc[~by_label] if word.any() else data
    by_sum = sum_total_mask(rest, numeric).reindex(data.index, fill_value=False)
    mask = by_label | by_sum
    if not mask.any():
        return data, data.iloc[0:0], [], []
    notes = []
    for kind, rows in (("labelled as totals", by_label), ("equal to the sum of the other rows", by_sum)):
        if rows.any():
            names = row_names(data.loc[rows], label, texts)
            plural = "s" if rows.sum() > 1 else ""
            notes.append(f"Set aside {int(rows.sum())} total row{plural} {kind}: {names}")
    reasons = [
        "total row (labelled as a total)" if by_label[i] else "total row (the sum of all the other rows)"
        for i in data.index[mask]
    ]
    return data.loc[~mask], data.loc[mask], notes, reasons


def drop_duplicates(data: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """The rows without exact repeats of an earlier row, and a note naming the sheet rows dropped.

    In an outline the same part name comes back under each heading ('Wood chips', 'Bark' under every
    destination): a repeat whose label also comes back with other values is a part, not a duplicate."""
    if any(data[c].is_unique for c in data.columns[:3]):  # a column with no repeats: no row repeats either
        return data, []
    repeated = data.duplicated(keep="first")
    count = int(repeated.sum())
    if not count:
        return data, []
    texts = [c for c in data.columns if pd.api.types.infer_dtype(data[c], skipna=True) == "string"]
    if texts:
        labels = data[texts[0]]
        distinct = data.loc[~repeated]
        reused = distinct[texts[0]].duplicated(keep=False)
        parts = set(distinct.loc[reused, texts[0]].dropna())
        repeated &= ~labels.isin(parts)
        count = int(repeated.sum())
        if not count:
            return data, []
    rows = ", ".join(str(i + 1) for i in data.index[repeated][:5])
    return data.loc[~repeated], [
        f"Dropped {plural(count, 'duplicate row')} (same values in every column): rows {rows}"
    ]


NUMBER_MARKS = re.compile(r"(?<=[^\d\s])\s+\d{1,2}(?:\s+\d{1,2})*$")  # 'Food 5', 'adjusted 1 2 3'
FOOTNOTE_TAIL = 400  # rows at the end of a body searched for a 'Footnotes:' block
_FOOTNOTES_HEAD = re.compile(r"^(?:foot\s*notes?|notes?|symbol legend)\s*:?$", re.IGNORECASE)
_UNIT_LINE = re.compile(
    r"^(?:\d{4}\s*=\s*100|\(?\d{4}\s*=\s*100\)?|index,?\s*\d{4}\s*=\s*100)$", re.IGNORECASE
)


def unit_under_header(body: pd.DataFrame) -> tuple[pd.DataFrame, str | None]:
    """A unit line right under the header ('2002=100' alone in a column) taken out of the body."""
    if body.empty:
        return body, None
    cells = [v for v in body.iloc[0].tolist() if not is_blank(v)]
    if len(cells) == 1 and isinstance(cells[0], str) and _UNIT_LINE.match(cells[0].strip()):
        return body.iloc[1:], cells[0].strip()
    return body, None


def footnote_block(body: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """The body without a 'Footnotes:' block at its end, and that block's lines ('5 Food includes ...').

    Only the last rows are looked at: such a block closes the sheet."""
    offset = max(0, len(body) - FOOTNOTE_TAIL)
    tail = body.iloc[offset:]
    first = tail.iloc[:, 0].to_numpy(dtype=object)
    for start in range(len(tail)):
        value = first[start]
        if not isinstance(value, str) or not _FOOTNOTES_HEAD.match(value.strip()):
            continue
        if tail.iloc[start, 1:].notna().any():
            continue
        return body.iloc[: offset + start], footnote_texts(tail.iloc[start:].to_numpy().tolist())
    return body, []


def strip_number_marks(
    names: list[str], body: pd.DataFrame, notes: list[str]
) -> tuple[list[str], dict[str, str]]:
    """Footnote numbers glued to the header and to the row labels ('Food 5') removed; the log keeps them."""
    names = list(names)
    marked: dict[str, str] = {}
    for col, name in enumerate(names):
        clean = NUMBER_MARKS.sub("", name)
        if clean != name and clean:
            marked[name] = clean
            names[col] = clean
    label = body.columns[0]
    values = body[label]
    texts = values.where(values.map(lambda v: isinstance(v, str)))
    cleaned = texts.str.strip().str.replace(NUMBER_MARKS.pattern, "", regex=True)
    changed = texts.notna() & (cleaned != texts.str.strip())
    if changed.any():
        shown = ", ".join(f"'{t.strip()}'" for t in texts[changed].head(4))
        count = plural(int(changed.sum()), "label")
        notes.append(f"Removed footnote numbers from {count} ({shown}); see the footnotes")
        body[label] = values.where(~changed, cleaned)
        marked.update(dict(zip(texts[changed], cleaned[changed], strict=True)))
    return names, marked


def footnoted_aggregates(marked: dict[str, str], footnotes: list[str]) -> dict[str, str]:
    """Labels whose footnote says they are an aggregate ('7 The special aggregate energy includes ...')."""
    numbers = {
        m.group(1) for f in footnotes if (m := re.match(r"^(\d{1,2}) [^.]{0,30}\baggregate\b", f, re.I))
    }
    out = {}
    for original, clean in marked.items():
        found = NUMBER_MARKS.search(original)
        marks = set(found.group(0).split()) if found else set()
        hit = sorted(marks & numbers)
        if hit:
            out[clean] = f"aggregate (footnote {hit[0]} says so)"
    return out


METADATA_KEY = re.compile(
    r"^(?:units?|unit of measure|series type|data type|frequency|collection month|series start|series end|"
    r"no\.? obs|series id|cdid|preunit|release date|next release|source dataset id|important notes)$",
    re.IGNORECASE,
)


def metadata_under_header(body: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, list[str], str | None]:
    """Series metadata lines right under the header (ABS: Unit, Series Type ... Series ID) taken out of the
    body (returned apart), a note naming them, and the unit when every series has the same one."""
    keys, unit = [], None
    count = 0
    for values in body.itertuples(index=False):
        first = values[0]
        if not isinstance(first, str) or not METADATA_KEY.match(first.strip()):
            break
        keys.append(first.strip())
        if first.strip().lower() in ("unit", "units", "unit of measure"):
            units = {str(v).strip() for v in values[1:] if not is_blank(v)}
            unit = units.pop() if len(units) == 1 else None
        count += 1
    if count < 2:
        return body, body.iloc[0:0], [], None
    shown = ", ".join(f"'{k}'" for k in keys[:5]) + (", ..." if len(keys) > 5 else "")
    note = f"Set aside {count} lines of series metadata under the header: {shown}"
    return body.iloc[count:], body.iloc[:count], [note], unit
