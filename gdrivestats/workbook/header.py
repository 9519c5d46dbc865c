"""Finding the header under title and unit rows; merged and two-row headers joined into one name each."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from gdrivestats.workbook.cells import WS, is_blank, parse_number, year_text
from gdrivestats.workbook.log import plural
from gdrivestats.workbook.model import Merge
from gdrivestats.workbook.structure import is_note_line

SCAN_ROWS = 30  # how many rows at the top of a sheet are searched for the header


_HEADER_MARK = re.compile(
    r"\s*(?:\*+|[†‡§¶]+|[⁰¹²³⁴⁵⁶⁷⁸⁹]+|\([a-z0-9]\)|\[[a-z0-9 ]+\])$"
)  # not (M): millions


_YEAR_PLUS = re.compile(r"^((?:1[5-9]|2[01])\d\d)\s*\+$")


_UNIT = re.compile(  # a line that gives the unit of the table: "Number in '000", "In millions", "(percent)"
    r"'000|^\(?\s*(?:in\s+)?(?:thousands?|millions?|billions?|percent|per cent|percentage|%|usd|us\$|kes|"
    r"ksh|eur|gbp)\b|^numbers?\s+(?:in\b|')|^units?\s*:|^in\s+\w+|^\([^()]{1,40}\)$|^\[[^\[\]]{1,40}\]$",
    re.IGNORECASE,
)


def first_filled_rows(grid: Any) -> tuple[list[list[Any]], list[int]]:
    """The first ``SCAN_ROWS`` rows of a raw grid that hold anything, blanks as None, and their positions in
    the grid (cheaper than cleaning whole columns: the header is searched in these)."""
    top: list[list[Any]] = []
    positions: list[int] = []
    first = grid.iloc[: SCAN_ROWS * 3]
    for position, values in zip(first.index, first.to_numpy().tolist(), strict=True):
        row = [None if is_blank(v) else v for v in values]
        if any(v is not None for v in row):
            top.append(row)
            positions.append(int(position))
        if len(top) == SCAN_ROWS:
            break
    return top, positions


def header_text(value: Any) -> tuple[str, bool]:
    """The clean text of a header cell and whether a footnote marker was removed from it."""
    if is_blank(value):
        return "", False
    year = year_text(value)
    if year is not None:
        return year, False
    text = WS.sub(" ", str(value)).strip()
    plus = _YEAR_PLUS.match(text)
    if plus:
        return plus.group(1), True
    cleaned = _HEADER_MARK.sub("", text).strip()
    if cleaned and cleaned != text:
        return cleaned, True
    return text, False


def _is_headerish(value: Any) -> bool:
    """A cell that could be in a header: text that is not a number, or a year."""
    if year_text(value) is not None:
        return True
    return isinstance(value, str) and parse_number(value.strip(), ".") is None


def find_header_row(top: Sequence[Sequence[Any]]) -> int:
    """Index of the header row in the first rows of a sheet: the first wide row that is mostly text."""
    fills = [sum(not is_blank(v) for v in row) for row in top]
    if not fills or max(fills) == 0:
        return 0
    threshold = max(2, math.ceil(max(fills) * 0.5)) if max(fills) > 1 else 1
    for index, row in enumerate(top):
        cells = [v for v in row if not is_blank(v)]
        below = max(fills[index + 1 : index + 4], default=0)  # a header is about as wide as the rows under it
        wide = fills[index] >= threshold and fills[index] >= 0.75 * below
        if wide and sum(map(_is_headerish, cells)) >= 0.5 * len(cells):
            return index
    return next(i for i, fill in enumerate(fills) if fill >= threshold)


def _merge_at(merges: Sequence[Merge], row: int, col: int) -> Merge | None:
    """The merged range that holds the cell (row, col), if any."""
    for merge in merges:
        (r0, c0), (r1, c1) = merge
        if r0 <= row <= r1 and c0 <= col <= c1:
            return merge
    return None


def _spans_columns(merges: Sequence[Merge], row: int) -> bool:
    """Whether a merged range spreads over several columns in ``row``."""
    return any(r0 <= row <= r1 and c1 > c0 for (r0, c0), (r1, c1) in merges)


def is_sub_header(rows: Sequence[Sequence[Any]], header: int, merges: Sequence[Merge]) -> bool:
    """Whether the row under ``header`` is a second header row (e.g. years under a merged 'Population')."""
    if header + 2 >= len(rows):
        return False
    above, below = rows[header], rows[header + 1]
    cells = [v for v in below if not is_blank(v)]
    if not cells or not all(map(_is_headerish, cells)) or not is_blank(below[0]):
        return False
    if len(cells) == 1 and not _spans_columns(merges, header) and not _merge_at(merges, header, 0):
        return False  # one lone text under the header is a section heading, not names of columns
    fills_gap = any(is_blank(a) and not is_blank(b) for a, b in zip(above, below, strict=False))
    label_merge = _merge_at(merges, header, 0)  # the label column's name merged down over both rows
    merged_down = bool(label_merge and label_merge[0][0] == header and label_merge[1][0] >= header + 1)
    return fills_gap or merged_down or _spans_columns(merges, header)


def is_super_header(rows: Sequence[Sequence[Any]], header: int, merges: Sequence[Merge]) -> bool:
    """Whether the row above ``header`` groups its columns (e.g. a merged 'Population' over years)."""
    if header == 0:
        return False
    row = rows[header - 1]
    if not is_blank(row[0]) and not is_blank(rows[header][0]):
        return False  # text above the label column's own name is a title, not a group of columns
    cells = [(c, v) for c, v in enumerate(row) if not is_blank(v)]
    years = len(cells) >= 2 and all(year_text(v) is not None for _, v in cells)
    if years and not any(year_text(v) is not None for v in rows[header]):
        return True  # years over the quarters or measures of each year: 2020 over Q1 .. Q4, Total
    if not cells or not all(isinstance(v, str) and not _UNIT.search(v) for _, v in cells):
        return False
    if len(cells) >= 2:
        return True
    col = cells[0][0]
    merge = _merge_at(merges, header - 1, col)
    return bool(merge and col > 0 and merge[1][1] > merge[0][1])


def _filled_right(row: Sequence[Any], merges: Sequence[Merge], index: int, fill_gaps: bool) -> list[Any]:
    """A header row with merged (or, for group rows, blank) cells filled from the left."""
    out = list(row)
    for (r0, c0), (r1, c1) in merges:
        if r0 <= index <= r1 and c1 > c0 and r0 == index:
            for col in range(c0 + 1, min(c1 + 1, len(out))):
                out[col] = row[c0] if is_blank(out[col]) else out[col]
    if fill_gaps:
        last = None
        for col, value in enumerate(out):
            last = value if not is_blank(value) else last
            out[col] = last if is_blank(value) and col > 0 else value
    return out


def _split_merged(row: Sequence[Any], merges: Sequence[Merge], index: int) -> list[Any]:
    """Names for a merged cell of the last header row: 'Age / Sex' over two columns becomes 'Age', 'Sex'."""
    out = list(row)
    for (r0, c0), (_r1, c1) in merges:
        if r0 != index or c1 == c0 or not isinstance(row[c0], str):
            continue
        parts = [p.strip() for p in re.split(r"\s*/\s*", row[c0])]
        width = min(c1, len(out) - 1) - c0 + 1
        if len(parts) == width and all(parts):
            out[c0 : c0 + width] = parts
    return out


@dataclass
class HeaderNames:
    """Column names built from one or two header rows, and what was done to build them."""

    names: list[str]
    marked: list[str] = field(default_factory=list)  # original header texts that had footnote markers


def header_names(
    rows: Sequence[Sequence[Any]], header_rows: Sequence[int], merges: Sequence[Merge]
) -> HeaderNames:
    """Flatten the header rows into one unique, clean name per column ('' where no name was found)."""
    width = len(rows[header_rows[0]])
    levels = []
    for position, index in enumerate(header_rows):
        last = position == len(header_rows) - 1
        row = _split_merged(rows[index], merges, index) if last else rows[index]
        filled = _filled_right(row, merges, index, fill_gaps=not last)
        if position > 0 and not last:  # a middle row (units under indicators): its gaps end with their group
            above = rows[header_rows[position - 1]]
            for col in range(1, len(filled)):
                new_group = col < len(above) and not is_blank(above[col])
                if is_blank(row[col]) and (new_group or filled[col - 1] is None):
                    filled[col] = None
        levels.append(filled)
    result = HeaderNames(names=[])
    for col in range(width):
        parts: list[str] = []
        for level in levels:
            text, marked = header_text(level[col])
            if marked:
                result.marked.append(str(level[col]).strip())
            if text and text not in parts:
                parts.append(text)
        result.names.append(" ".join(parts))
    result.names = unique_names(result.names)
    return result


def unique_names(names: Sequence[str]) -> list[str]:
    """Make names unique by adding ' (2)', ' (3)' to repeats; empty names stay empty."""
    seen: dict[str, int] = {}
    out: list[str] = []
    for name in names:
        if not name:
            out.append(name)
            continue
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return out


def title_and_unit(rows: Sequence[Sequence[Any]]) -> tuple[str | None, str | None]:
    """The title (first text above the header) and the unit line ("Number in '000"), if any."""
    texts = [
        str(v).strip() if isinstance(v, str) else str(year_text(v))
        for row in rows
        for v in row
        if (isinstance(v, str) and v.strip()) or (not isinstance(v, str) and year_text(v) is not None)
    ]  # a year alone above a table is its title (tables stacked by year)
    units = [t for t in texts if _UNIT.search(t) and len(t) < 60]
    titles = [t for t in texts if t not in units and not is_note_line(t)]  # '*Provisional' is no title
    years = [t for t in titles[1:] if year_text(t) is not None]
    if titles and years and year_text(titles[0]) is None and len(years) == 1:
        return f"{titles[0]}, {years[0]}", (
            units[0] if units else None
        )  # the title, then the year of the block
    return (titles[0] if titles else None), (units[0] if units else None)


def relative_merges(merges: Sequence[Merge], positions: Sequence[int]) -> list[Merge]:
    """Merged ranges re-indexed to the rows kept at the top of the sheet (blank rows removed)."""
    where = {row: i for i, row in enumerate(positions)}
    out = []
    last = positions[-1] if len(positions) else -1
    for (r0, c0), (r1, c1) in merges:
        if r0 > last:
            continue
        kept = [where[r] for r in range(r0, min(r1, last) + 1) if r in where]
        if kept:
            out.append(((kept[0], c0), (kept[-1], c1)))
    return out


def header_rows(
    top: list[list[Any]], merges: Sequence[Merge], positions: Sequence[int] | None = None
) -> list[int]:
    """The header rows among the top rows: one or two (a group row above, or a sub-header row below), or
    up to four when the row found does not name the label columns (indicator / unit / year headers)."""
    header = find_header_row(top)
    if is_super_header(top, header, merges):
        rows = [header - 1, header]
    elif is_sub_header(top, header, merges) or is_dimension_row(top, header):
        rows = [header, header + 1]
    else:
        rows = [header]
    return _extend_up(top, rows, merges, positions) if positions is not None else rows


def is_dimension_row(top: Sequence[Sequence[Any]], header: int) -> bool:
    """Whether the row under the header names only the label column (Eurostat: 'TIME' over the years,
    then 'GEO (Labels)' alone on the next row, then the data)."""
    if header + 2 >= len(top) or is_blank(top[header][0]):
        return False
    columns = [v for v in top[header][1:] if not is_blank(v)]
    if not columns or not all(year_text(v) is not None for v in columns):
        return False  # the header names a time dimension: its cells are years
    below = [(c, v) for c, v in enumerate(top[header + 1]) if not is_blank(v)]
    if len(below) != 1 or below[0][0] != 0 or not isinstance(below[0][1], str) or below[0][1].isupper():
        return False
    return any(
        isinstance(v, int | float) and not isinstance(v, bool) for v in top[header + 2] if not is_blank(v)
    )


def _label_columns(top: Sequence[Sequence[Any]], below: int) -> list[int]:
    """The columns holding text in the first row of numbers under the header: where the row labels are."""
    for row in top[below:]:
        if any(isinstance(v, int | float) and not isinstance(v, bool) for v in row if not is_blank(v)):
            return [c for c, v in enumerate(row) if isinstance(v, str) and not is_blank(v)][:1]
    return []


def _extend_up(
    top: list[list[Any]], rows: list[int], merges: Sequence[Merge], positions: Sequence[int]
) -> list[int]:
    """Add the header rows right above ``rows`` when these leave the label columns unnamed (UNDP tables:
    indicator names, then 'Country' and units, then years)."""
    labels = _label_columns(top, rows[-1] + 1)
    first = rows[0]
    if not labels or any(not is_blank(top[first][c]) for c in labels if c < len(top[first])):
        return rows
    above = first - 1
    if above < 0 or positions[above] != positions[first] - 1:
        return rows
    cells = [v for v in top[above] if not is_blank(v)]
    if len(cells) < 2 or not all(isinstance(v, str) for v in cells):
        return rows
    if all(is_blank(top[above][c]) for c in labels if c < len(top[above])):
        return rows
    rows = [above, *rows]
    group = above - 1
    if group >= 0 and positions[group] == positions[above] - 1 and is_super_header(top, above, merges):
        rows = [group, *rows]
    return rows


def layout_notes(rows: list[int], positions: list[int]) -> list[str]:
    """Notes on where the header was found and whether two header rows were joined."""
    notes = []
    above = rows[0]
    if above:
        plural = "s" if above > 1 else ""
        notes.append(f"Header found on row {positions[rows[-1]] + 1} under {above} title row{plural}")
    if len(rows) == 2:
        first, second = positions[rows[0]] + 1, positions[rows[1]] + 1
        notes.append(f"Joined the two header rows {first} and {second} into one name per column")
    if len(rows) > 2:
        shown = ", ".join(str(positions[r] + 1) for r in rows)
        notes.append(f"Joined the {len(rows)} header rows {shown} into one name per column")
    return notes


def header_notes(names: HeaderNames) -> list[str]:
    """A note listing the column names that lost a footnote marker."""
    if not names.marked:
        return []
    shown = ", ".join(f"'{m}'" for m in names.marked[:5])
    return [f"Removed footnote markers from {plural(len(names.marked), 'column name')}: {shown}"]
