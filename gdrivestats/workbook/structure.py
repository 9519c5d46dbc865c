"""Lines inside a table that are not data: notes and flags (set aside), section headings (a category).

A statistics-office table interleaves its data rows with lines a person reads differently: a note or flag
line (``* Provisional``, ``+ Revised``, ``Source: ...``) is never counted, and a heading with no numbers
(``AGRICULTURE``, ``VERY HIGH HUMAN DEVELOPMENT``, a year over a block) names the rows under it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from gdrivestats.workbook.aggregates import is_country
from gdrivestats.workbook.cells import year_text
from gdrivestats.workbook.log import plural
from gdrivestats.workbook.model import Role

NOTE_LINE = re.compile(
    r"^(?:[*+†‡§¶#]|\[(?:note|x|c|z)\b|\((?:[a-z]|\d{1,2})\)\s|[a-z]{1,2}\.\s|(?:notes?|footnotes?|sources?|legend|"
    r"special values?|observation flags?|available flags?|how to cite|symbols?)\b\s*:?|"
    r"(?:provisional|preliminary|revised|estimated?|forecast|break in series)\b|"
    r"https?://|www\.|©|предварителни|източник|забележк|fonte|nota)",
    re.IGNORECASE,
)
SECTION_COLUMN = "Section"


@dataclass
class RowSplit:
    """The data rows, the rows set aside with a reason each, and notes for the log."""

    data: pd.DataFrame
    aside: pd.DataFrame
    reasons: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    metadata: dict[str, str] = field(default_factory=dict)  # key -> value of the metadata lines


def is_note_line(text: str) -> bool:
    """Whether a label reads like a note, flag, source or legend line."""
    return bool(NOTE_LINE.match(text.strip()))


def _text(value: object) -> str:
    """A label cell as text: a year stays '2008' (not '2008.0')."""
    year = year_text(value)
    return year if year is not None else str(value).strip()


def _heading_like(text: str) -> bool:
    """Capitals ('AGRICULTURE'), a closing colon or a year: how headings of blocks are written."""
    letters = [ch for ch in text if ch.isalpha()]
    upper = len(letters) >= 3 and all(ch.isupper() for ch in letters)
    return upper or text.rstrip().endswith(":") or bool(re.fullmatch(r"(?:1[5-9]|2[01])\d\d", text.strip()))


def split_notes_and_sections(
    data: pd.DataFrame, roles: dict[str, Role], label: str | None, words: pd.Series | None = None
) -> RowSplit:
    """Set note lines and section headings aside; the headings become a 'Section' column of their rows.

    ``words`` holds, per row, the text found in a numeric column (None where there is none): a row with a
    key and such text before the first row of numbers is a metadata line ('Unit', '%'), later a note.
    """
    empty = RowSplit(data, data.iloc[0:0])
    measures = [c for c in data.columns if roles[c] == Role.NUMERIC]
    texts = [c for c in data.columns if roles[c] in (Role.LABEL, Role.CATEGORY, Role.TEXT)]
    if not measures or not texts or len(data) < 3:
        return empty
    key = label if label is not None else texts[0]
    numbers = data[measures].notna().any(axis=1).to_numpy()
    others = data.drop(columns=[key]).notna().any(axis=1).to_numpy()
    plain_texts = [c for c in texts if c != key]
    others_text = (
        data[plain_texts].notna().any(axis=1).to_numpy() if plain_texts else np.zeros(len(data), bool)
    )
    has_text = data[key].notna().to_numpy()
    worded = np.zeros(len(data), dtype=bool) if words is None else words.notna().to_numpy()
    bare = has_text & ~numbers & ~others  # a label and nothing else in the row
    if not (bare | (worded & ~numbers)).any():
        return empty
    text = np.full(len(data), "", dtype=object)  # the label text, only where a row may not be data
    looked = np.flatnonzero(bare | (worded & ~numbers))
    keys = data[key].to_numpy(dtype=object)
    text[looked] = [_text(keys[i]) for i in looked]
    first_numbers = int(np.argmax(numbers)) if numbers.any() else len(data)
    metadata = worded & ~numbers & (np.arange(len(data)) < first_numbers)
    notes_mask = np.zeros(len(data), dtype=bool)
    for i in np.flatnonzero(worded & ~numbers & ~metadata & ~others_text):  # a sentence in a number column
        notes_mask[i] = is_note_line(str(text[i])) or len(str(words.iloc[i])) >= 25  # type: ignore[union-attr]
    metadata &= ~others_text
    if metadata.any():  # a key with an empty value among the metadata lines ('PreUnit', 'Important notes')
        metadata |= bare & (np.arange(len(data)) < first_numbers)
    last_numbers = int(np.flatnonzero(numbers)[-1]) if numbers.any() else -1
    for i in np.flatnonzero(bare & ~worded):  # a note line, a sentence, or any bare line under the data
        words_in = str(text[i])
        notes_mask[i] = (
            is_note_line(words_in) or i > last_numbers or (len(words_in) >= 60 and " " in words_in)
        )
    heading = bare & ~notes_mask & ~metadata
    heading &= _followed_by_data(numbers, heading)
    for i in np.flatnonzero(heading):  # plain text (not capitals): a block of at least two rows of numbers
        if not _heading_like(str(text[i])) and (not numbers[i + 1 : i + 3].all() or is_country(str(text[i]))):
            heading[i] = False
    headings = np.flatnonzero(heading)
    plain = [i for i in headings if not _heading_like(str(text[i]))]
    if plain and (len(headings) < 2 or len(headings) > 0.25 * numbers.sum()):
        heading[plain] = False
    split = _split(data, key, notes_mask, heading, text, metadata)
    if metadata.any() and words is not None:
        split.metadata = {str(text[i]): str(words.iloc[i]) for i in np.flatnonzero(metadata)}
    return split


def _followed_by_data(numbers: np.ndarray, heading: np.ndarray) -> np.ndarray:
    """For each row, whether the next row that is not a heading holds numbers (a heading opens a block)."""
    out = np.zeros(len(numbers), dtype=bool)
    for i in np.flatnonzero(heading):
        j = i + 1
        while j < len(numbers) and heading[j]:
            j += 1
        out[i] = j < len(numbers) and bool(numbers[j])
    return out


def _split(
    data: pd.DataFrame,
    key: str,
    notes_mask: np.ndarray,
    heading: np.ndarray,
    text: np.ndarray,
    meta: np.ndarray,
) -> RowSplit:
    """Apply the masks: a Section column filled from each heading down, the note and heading rows aside."""
    out = data
    notes: list[str] = []
    if heading.any():
        names = [LABEL_MARK.sub("", text[i]) if heading[i] else None for i in range(len(text))]
        section = pd.Series(names, index=data.index, dtype=object).ffill()
        out = data.copy()
        name = SECTION_COLUMN if SECTION_COLUMN not in data.columns else f"{SECTION_COLUMN} (2)"
        out.insert(0, name, section.where(section.notna(), None))
        shown = ", ".join(f"'{t}'" for t in list(dict.fromkeys(text[heading]))[:4])
        more = ", ..." if heading.sum() > 4 else ""
        count = plural(int(heading.sum()), "section heading")
        notes.append(
            f"{count} with no numbers ({shown}{more}) became the column '{name}' of the rows under them"
        )
    if notes_mask.any():
        shown = ", ".join(f"'{t[:40]}'" for t in text[notes_mask][:3])
        notes.append(f"Set aside {plural(int(notes_mask.sum()), 'note line')} inside the table: {shown}")
    if meta.any():
        shown = ", ".join(f"'{t}'" for t in text[meta][:5])
        notes.append(f"Set aside {plural(int(meta.sum()), 'metadata line')} above the data: {shown}")
    drop = notes_mask | heading | meta
    kinds = np.where(heading, "section heading", np.where(meta, "metadata line", "note or flag line"))
    reasons = [str(kinds[i]) for i in np.flatnonzero(drop)]
    return RowSplit(out.loc[~drop], out.loc[drop], reasons, notes)


def reasons_for(rows: pd.DataFrame, reason: str) -> list[str]:
    """The same reason for every row of ``rows``."""
    return [reason] * len(rows)


def concat_aside(frames: Sequence[pd.DataFrame], columns: pd.Index) -> pd.DataFrame:
    """Rows set aside at different stages, in sheet order, with the columns of the data."""
    kept = [f.reindex(columns=columns) for f in frames if len(f)]
    if not kept:
        return pd.DataFrame(columns=columns)
    return pd.concat(kept).sort_index(kind="stable")


LABEL_MARK = re.compile(r"(?<=\S)\s*(?:\*+|[†‡§¶]+|[¹²³⁴⁵⁶⁷⁸⁹⁰]+|\[(?:note|n)?\s*\d{1,3}\])$", re.IGNORECASE)


_MARK_ENDS = ("*", "†", "‡", "§", "¶", "]", "¹", "²", "³", "⁴", "⁵", "⁶", "⁷", "⁸", "⁹", "⁰")


def strip_label_marks(data: pd.DataFrame, label: str | None) -> tuple[pd.DataFrame, list[str]]:
    """Footnote marks glued to row labels ('Services incidental to transport*', 'Private sector [note 6]')
    removed; the log names the labels that had them. Each distinct label is looked at once."""
    if label is None or label not in data.columns:
        return data, []
    codes, uniques = pd.factorize(data[label].to_numpy(dtype=object), use_na_sentinel=True)
    cleaned: dict[int, str] = {}
    for at, value in enumerate(uniques.tolist()):
        if isinstance(value, str) and value.endswith(_MARK_ENDS):
            clean = LABEL_MARK.sub("", value)
            if clean != value:
                cleaned[at] = clean
    if not cleaned:
        return data, []
    changed = np.isin(codes, list(cleaned))
    out = data.copy()
    values = out[label].to_numpy(dtype=object, copy=True)
    values[changed] = [cleaned[c] for c in codes[changed]]
    out[label] = values
    shown = ", ".join(f"'{t}'" for t in data.loc[changed, label].head(4))
    return out, [f"Removed footnote marks from {plural(int(changed.sum()), 'label')} (kept here): {shown}"]


_SUFFIX = re.compile(r"^(?P<name>.*\S)\s*\((?P<code>[A-Z]{2,3})\)$")
_PLACE = re.compile(r"munic|county|counties|city|cities|district|town|commune|place|localit", re.IGNORECASE)


def label_suffix_column(data: pd.DataFrame, label: str | None) -> tuple[pd.DataFrame, str | None, list[str]]:
    """The code that ends most labels ('Ariquemes (RO)': the state) as a category column of its own, so
    that the rows group by it (municipalities by state); the labels stay whole (names repeat across
    states: 'Bom Jesus (PI)', 'Bom Jesus (RS)'). Returns the data, the new column's name and a note."""
    if label is None or label not in data.columns or len(data) < 10:
        return data, None, []
    head = data[label].iloc[:200].tolist()
    if sum(isinstance(v, str) and v.endswith(")") for v in head) < 0.8 * len(head):
        return data, None, []  # the first rows show no code in brackets: not looked at further
    codes, uniques = pd.factorize(data[label].to_numpy(dtype=object), use_na_sentinel=True)
    found = [_SUFFIX.match(v) if isinstance(v, str) and v.endswith(")") else None for v in uniques.tolist()]
    suffix = np.array([m.group("code") if m else None for m in found] + [None], dtype=object)
    per_row = suffix[np.where(codes >= 0, codes, len(suffix) - 1)]
    present = pd.Series(per_row, index=data.index)
    distinct = present.dropna().unique()
    if present.notna().mean() < 0.9 or not 2 <= len(distinct) <= 60 or len(data) < 3 * len(distinct):
        return data, None, []
    name = "State" if _PLACE.search(str(label)) else f"{label} (code)"
    if name in data.columns:
        return data, None, []
    out = data.copy()
    out.insert(list(data.columns).index(label) + 1, name, present.astype(object))
    example = data.loc[present.notna(), label].iloc[0]
    note = (
        f"The labels of '{label}' end with a code in brackets ('{example}'): "
        f"{len(distinct)} codes kept as the column '{name}', to group the rows by"
    )
    return out, name, [note]
