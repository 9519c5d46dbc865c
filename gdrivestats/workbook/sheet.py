"""One sheet from raw grid to clean Sheet, stage by stage: header, body, notes, rows, columns, totals."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import pandas as pd

from gdrivestats.errors import WorkbookError
from gdrivestats.workbook.cells import blank_to_none, filled_rows, rows_below
from gdrivestats.workbook.colsums import aggregate_column_notes, find_aggregate_columns
from gdrivestats.workbook.columns import Column, assemble, clean_columns, detect_roles, name_columns
from gdrivestats.workbook.header import (
    SCAN_ROWS,
    header_names,
    header_notes,
    header_rows,
    header_text,
    is_dimension_row,
    layout_notes,
    relative_merges,
    title_and_unit,
)
from gdrivestats.workbook.hierarchy import LEVEL_COLUMN, PARENT_COLUMN, apply_outline
from gdrivestats.workbook.ids import mark_id_columns
from gdrivestats.workbook.levels import code_levels
from gdrivestats.workbook.log import plural
from gdrivestats.workbook.model import RawSheet, Role, Sheet, SkipSheet
from gdrivestats.workbook.repair import repair_rows
from gdrivestats.workbook.rows import (
    NUMBER_MARKS,
    blank_rows_note,
    drop_duplicates,
    fill_grouped_labels,
    fill_merged_labels,
    footnote_block,
    footnoted_aggregates,
    metadata_under_header,
    set_aside_totals,
    split_footnotes,
    strip_number_marks,
    unit_under_header,
)
from gdrivestats.workbook.structure import label_suffix_column, split_notes_and_sections, strip_label_marks
from gdrivestats.workbook.styles import label_indents

log = logging.getLogger(__name__)


def clean_raw_sheet(raw: RawSheet) -> Sheet:
    """Find the header, the body and the notes under the table of one raw sheet, then clean the body."""
    if raw.skip_reason:
        raise SkipSheet(raw.skip_reason)
    grid = blank_to_none(raw.grid, raw.typed)
    filled = filled_rows(grid)
    if not filled.all():
        grid = grid.loc[filled]
    if grid.empty:
        raise SkipSheet("the sheet is empty")
    top_frame = grid.iloc[:SCAN_ROWS]
    top, positions = top_frame.to_numpy().tolist(), list(top_frame.index)
    merges = relative_merges(raw.merges, positions)
    rows = header_rows(top, merges, positions)
    names = header_names(top, rows, merges)
    if len(rows) == 2 and is_dimension_row(top, rows[0]):  # 'GEO (Labels)' under 'TIME': the label column
        names.names[0] = header_text(top[rows[1]][0])[0]
    notes = list(raw.notes) + layout_notes(rows, positions) + header_notes(names)
    body = rows_below(grid, positions[rows[-1]])
    body, unit_below = unit_under_header(body)
    body, metadata, meta_notes, meta_unit = metadata_under_header(body)
    notes += meta_notes
    unit_below = unit_below or meta_unit
    body, numbered = footnote_block(body)
    body, footnotes = split_footnotes(body)
    footnotes = numbered + footnotes
    marked: dict[str, str] = {}
    if any(re.match(r"^\d{1,2} ", f) for f in numbered):  # numbered footnotes: marks glued as ' 5'
        names.names, marked = strip_number_marks(names.names, body, notes)
        raw = replace(raw, aggregate_labels=footnoted_aggregates(marked, numbered))
    if footnotes:
        notes.append(f"Kept {plural(len(footnotes), 'line')} of notes under the table as footnotes")
    notes += blank_rows_note(filled, positions[rows[-1]], body)
    body, fill_notes = fill_merged_labels(body, raw.merges, names.names)
    body, group_notes = fill_grouped_labels(body, names.names)
    title, unit = title_and_unit(top[: rows[0]])
    sheet = clean_body(raw.name, body, names.names, raw, notes + fill_notes + group_notes, metadata)
    if marked and title:
        title = NUMBER_MARKS.sub("", title)
    sheet.footnotes, sheet.title = footnotes, raw.title or title
    sheet.unit = raw.unit or unit or unit_below or sheet.unit
    sheet.header_row = positions[rows[-1]] + 1
    return sheet


def clean_body(
    name: str,
    body: pd.DataFrame,
    names: Sequence[str],
    raw: RawSheet,
    notes: list[str],
    metadata: pd.DataFrame | None = None,
) -> Sheet:
    """Name, type, repair, de-duplicate and split the rows of a table whose header is known.

    ``metadata`` holds raw metadata lines taken from above the body: they are set aside with that reason."""
    body, overflow, positions = name_columns(body, names)
    meta = None
    if metadata is not None and len(metadata):
        meta = metadata[[positions[c] for c in body.columns]]
        meta.columns = body.columns
    raw_body = body
    filled = filled_rows(body)
    if not filled.all():
        body = body.loc[filled]
    columns = clean_columns(body, raw)
    body, repair_notes = repair_rows(body, columns, overflow, raw)
    if repair_notes:
        columns = clean_columns(body, raw)
        notes += repair_notes
    data, more = assemble(columns, overflow)
    notes += more
    kinds = {col: columns[col].kind for col in data.columns}
    if not any(kind == "numeric" for kind in kinds.values()):
        raise SkipSheet("no column holds numbers")
    data, dup_notes = drop_duplicates(data)
    roles, label = detect_roles(data, kinds)
    try:
        sheet = _structured(name, data, dict(roles), label, columns, positions, raw_body, raw, meta)
    except Exception as exc:  # a layout the reader cannot structure: analysed flat, and the log says so
        log.exception("structuring sheet %r failed", name)
        flat, totals, total_notes, _reasons = set_aside_totals(data, roles, label)
        why = f"The layout of this sheet could not be read ({type(exc).__name__}); analysed as a flat table"
        flat_notes = notes + dup_notes + [why] + total_notes
        return Sheet(
            name, flat.reset_index(drop=True), roles, label, totals.reset_index(drop=True), flat_notes
        )
    sheet.notes = notes + dup_notes + sheet.notes
    return sheet


def _structured(
    name: str,
    data: pd.DataFrame,
    roles: dict[str, Role],
    label: str | None,
    columns: dict[str, Column],
    positions: dict[str, int],
    raw_body: pd.DataFrame,
    raw: RawSheet,
    meta: pd.DataFrame | None = None,
) -> Sheet:
    """Codes, notes, sections, totals, aggregates and levels found in a typed table (rows by sheet row)."""
    roles, label, id_notes, flags = mark_id_columns(data, roles, label)
    if flags:
        data = data.rename(columns=flags)
        roles = {flags.get(c, c): r for c, r in roles.items()}
    data, mark_notes = strip_label_marks(data, label)
    id_notes += mark_notes
    data, suffix, suffix_notes = label_suffix_column(data, label)
    if suffix is not None:
        roles[suffix] = Role.CATEGORY
        id_notes += suffix_notes
    split = split_notes_and_sections(data, roles, label, _words(columns, data, roles))
    data = split.data
    for column in data.columns:
        roles.setdefault(column, Role.CATEGORY)  # the Section column
    data, totals, total_notes, total_reasons = set_aside_totals(data, roles, label)
    if raw.aggregate_labels and label is not None:
        named = data[label].map(lambda v: isinstance(v, str) and v in raw.aggregate_labels).astype(bool)
        if named.any():
            totals = pd.concat([totals, data.loc[named]])
            total_reasons += [raw.aggregate_labels[v] for v in data.loc[named, label]]
            total_notes.append(
                f"Set aside {plural(int(named.sum()), 'aggregate row')} its footnote describes as "
                f"an aggregate: {', '.join(repr(v) for v in data.loc[named, label])}"
            )
            data = data.loc[~named]
    indent = None
    if label is not None and label in positions:
        styled = raw.indents.get(positions[label], {})
        levels = label_indents(raw_body[label].reindex(data.index).tolist(), styled, list(data.index))
        indent = None if levels is None else pd.Series(levels, index=data.index)
    codes = None
    for column in (c for c in data.columns if roles.get(c) == Role.ID and c in positions):
        codes = code_levels(raw_body[column].reindex(data.index).tolist())
        if codes is not None:
            break
    outline = apply_outline(data, roles, label, indent, codes)
    data = outline.data
    if outline.levels:
        roles[LEVEL_COLUMN], roles[PARENT_COLUMN] = Role.ID, Role.CATEGORY
    if outline.type_column is not None:
        roles[outline.type_column] = Role.ID  # it says what the row is: the same for every row analysed
    aside, reasons = _set_aside(
        data.columns,
        [
            (
                meta if meta is not None else data.iloc[0:0],
                ["metadata line"] * (0 if meta is None else len(meta)),
            ),
            (split.aside, split.reasons),
            (totals, total_reasons),
            (outline.aside, outline.reasons),
        ],
    )
    roles = {c: roles[c] for c in data.columns}
    column_totals = find_aggregate_columns(data, [c for c in data.columns if roles[c] == Role.NUMERIC])
    notes = id_notes + split.notes + total_notes + outline.notes + aggregate_column_notes(column_totals)
    sheet = Sheet(name, data.reset_index(drop=True), roles, label, aside, notes)
    sheet.aggregate_columns = column_totals
    sheet.set_aside_reasons = reasons
    sheet.levels, sheet.level = outline.levels, outline.level
    if outline.levels:
        sheet.level_rows = outline.level_rows.reset_index(names="sheet_row")
        sheet.level_rows["sheet_row"] += 1
    sheet.unit = split.metadata.get("Unit") or split.metadata.get("Units")
    if len(data):
        sheet.table = {"first_row": int(data.index.min()) + 1, "last_row": int(data.index.max()) + 1}
    return sheet


def _words(columns: dict[str, Column], data: pd.DataFrame, roles: dict[str, Role]) -> pd.Series | None:
    """Per row, the first text found in a numeric column (not a number, not a placeholder), else None."""
    found = pd.Series(None, index=data.index, dtype=object)
    any_found = False
    for name in data.columns:
        column = columns.get(name)
        if roles.get(name) != Role.NUMERIC or column is None or column.bad is None or column.texts is None:
            continue
        bad = column.bad.reindex(data.index, fill_value=False)
        if not bad.any():
            continue
        any_found = True
        texts = column.texts.reindex(data.index)
        found = found.where(found.notna() | ~bad, texts)
    return found if any_found else None


def _set_aside(
    columns: pd.Index, parts: list[tuple[pd.DataFrame, list[str]]]
) -> tuple[pd.DataFrame, list[str]]:
    """The rows set aside by every stage, in sheet order, with the data's columns, and their reasons."""
    frames = [frame.reindex(columns=columns) for frame, _ in parts if len(frame)]
    if not frames:
        return pd.DataFrame(columns=columns).iloc[0:0], []
    reasons = [r for frame, why in parts if len(frame) for r in why]
    aside = pd.concat(frames)
    order = np.argsort(aside.index.to_numpy(), kind="stable")
    aside = aside.iloc[order]
    return aside.reset_index(drop=True), [reasons[i] for i in order]


def sheet_from_frame(frame: pd.DataFrame, name: str = "data") -> Sheet:
    """Clean an in-memory DataFrame (already with a header) the same way a loaded sheet is cleaned."""
    header = header_names([list(frame.columns)], [0], [])
    body = blank_to_none(pd.DataFrame(frame.to_numpy(dtype=object)))
    try:
        return clean_body(name, body, header.names, RawSheet(name, body), header_notes(header))
    except SkipSheet as skip:
        raise WorkbookError(f"table '{name}' cannot be analysed: {skip}") from None
