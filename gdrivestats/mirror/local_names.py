"""Drive names to safe, stable local relative paths that can never escape the folder they are placed in.

Drive allows almost anything in a name ('/', '..', control characters, 1,000 characters) and several
files with one name in one folder. Local file systems do not. The rules, applied to each name:

* '/', '\\', control characters and the characters Windows refuses (<>:"|?*) become '_';
* trailing dots and spaces are dropped (Windows drops them); an empty result, '.' and '..' become '_';
* Windows device names (CON, PRN, AUX, NUL, COM1-9, LPT1-9, with any extension) get a '_' prefix;
* names longer than 255 bytes of UTF-8 are cut, keeping the extension and adding a short hash of the full
  name so that two long names sharing a prefix stay distinct;
* names are compared case-insensitively after Unicode NFC normalisation (macOS and Windows would merge them):
  in each folder the first of a clash, by (createdTime, id), keeps the plain name and the others become
  ``name (<id prefix>).ext``. Names are stable: adding a newer duplicate never renames an older file.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from gdrivestats.drive.base import Entry, split_path
from gdrivestats.mirror.layout import OWN_PREFIX
from gdrivestats.names import fit, safe_name, split_ext

_ID_PREFIX_LEN = 8
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def mirror_name(name: str) -> str:
    """``safe_name``, and never one of the cache's own names: anything starting with ``.gdrivestats``
    (the state, the lock, the parse cache, temporary files) gets a '_' in front."""
    safe = safe_name(name)
    return "_" + safe if _key(safe).startswith(OWN_PREFIX) else safe


def _key(name: str) -> str:
    """How a case-insensitive, normalising file system compares names."""
    return unicodedata.normalize("NFC", name).casefold()


def _order(entry: Entry) -> tuple[bool, datetime, str]:
    """Deterministic order among same-named entries: oldest createdTime first, then id; unknown times last."""
    return (entry.created is None, entry.created or _EPOCH, entry.id)


def local_names(entries: Iterable[Entry]) -> dict[str, str]:
    """Safe local names for the entries of ONE folder, distinct even when Drive names clash: {id: name}.

    Native files get their export extension (a Sheet "Sales" becomes "Sales.xlsx").
    """
    groups: dict[str, list[Entry]] = {}
    for entry in entries:
        groups.setdefault(_key(mirror_name(entry.download_name)), []).append(entry)
    names: dict[str, str] = {}
    later: list[Entry] = []
    for key in sorted(groups):  # pass 1: the first of each clash keeps its plain name
        first, *rest = sorted(groups[key], key=_order)
        names[first.id] = mirror_name(first.download_name)
        later.extend(rest)
    taken = {_key(n) for n in names.values()}
    for entry in later:  # pass 2: the others get an id prefix, never taking a name already in use
        stem, ext = split_ext(mirror_name(entry.download_name))
        for length in (_ID_PREFIX_LEN, 16, len(entry.id)):
            name = fit(stem, ext, suffix=f" ({safe_name(entry.id[:length])})")
            if _key(name) not in taken:
                break
        else:
            name = fit(stem, ext, suffix=f" ({hashlib.sha1(entry.id.encode()).hexdigest()})")
        taken.add(_key(name))
        names[entry.id] = name
    return names


def safe_relpath(path: str) -> PurePosixPath:
    """A '/'-separated Drive path as a safe relative local path (each part through ``safe_name``)."""
    parts = [mirror_name(p) for p in path.split("/") if p]
    return PurePosixPath(*parts) if parts else PurePosixPath(".")


def local_paths(entries: Sequence[Entry]) -> dict[str, PurePosixPath]:
    """Safe, distinct relative local paths for entries from one listing: {id: relative path}.

    Entries are grouped by parent (first parent id, else parent path) and named with ``local_names``; a
    folder that is itself in ``entries`` lends its (possibly disambiguated) local path to its children,
    other parent folders are mapped with ``safe_relpath``.
    """
    by_id = {e.id: e for e in entries}
    groups: dict[str, list[Entry]] = {}
    for entry in entries:
        groups.setdefault(_parent_key(entry), []).append(entry)
    names: dict[str, str] = {}
    for members in groups.values():
        names.update(local_names(members))

    result: dict[str, PurePosixPath] = {}

    def resolve(entry: Entry, depth: int = 0) -> PurePosixPath:
        if entry.id in result:
            return result[entry.id]
        parent = by_id.get(entry.parents[0]) if entry.parents else None
        if parent is not None and parent.id != entry.id and depth < 256:
            base = resolve(parent, depth + 1)
        else:
            base = safe_relpath(split_path(entry.path)[0])
        result[entry.id] = base / names[entry.id]
        return result[entry.id]

    for entry in entries:
        resolve(entry)
    return result


def _parent_key(entry: Entry) -> str:
    """The group a name must be unique in: the first parent id, else the parent path."""
    return "id:" + entry.parents[0] if entry.parents else "path:" + split_path(entry.path)[0]


def resolve_inside(root: Path | str, relative: PurePosixPath | str) -> Path:
    """``root / relative``, checked to stay inside ``root`` (symlinks resolved); ValueError otherwise."""
    root_path = Path(root).resolve()
    target = (root_path / Path(relative)).resolve()
    if target != root_path and not target.is_relative_to(root_path):
        raise ValueError(f"{relative}: resolves outside {root_path}")
    return target
