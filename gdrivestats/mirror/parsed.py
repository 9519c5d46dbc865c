"""Parsed workbooks cached as Parquet by content hash, so re-analysing an unchanged file skips parsing."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
from pathlib import Path
from typing import Any

import pandas as pd

from gdrivestats import __version__
from gdrivestats._fs import atomic_folder
from gdrivestats.workbook import Role, Sheet, Workbook, load_workbook

log = logging.getLogger(__name__)

_FORMAT = 2  # every Sheet field stored (1 stored a fixed list)


def content_key(path: Path, sheet: str | None = None) -> str:
    """The cache key of a file: its md5, plus what else changes the parse (the sheet asked for, version)."""
    digest = hashlib.md5()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    digest.update(f"\0{sheet or ''}\0{__version__}\0{_FORMAT}".encode())
    return digest.hexdigest()


def load_cached(path: Path | str, cache_dir: Path | str, sheet: str | None = None) -> Workbook:
    """``load_workbook(path)``, served from ``cache_dir`` when this content was parsed before."""
    path, cache_dir = Path(path), Path(cache_dir)
    entry = cache_dir / content_key(path, sheet)
    workbook = _read(entry)
    if workbook is not None:
        log.debug("parsed %s from the cache", path)
        workbook.name, workbook.source = path.stem, str(path)
        return workbook
    workbook = load_workbook(path, sheet=sheet)
    _write(entry, workbook)
    return workbook


def _read(entry: Path) -> Workbook | None:
    meta_file = entry / "meta.json"
    if not meta_file.is_file():
        return None
    try:
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
        sheets = [_sheet_from(entry, i, stored) for i, stored in enumerate(meta["sheets"])]
    except (OSError, ValueError, KeyError, TypeError) as exc:  # a damaged entry: parsed again, never trusted
        log.debug("ignoring damaged parse cache %s: %s", entry, exc)
        return None
    return Workbook(name=meta["name"], source=meta["source"], sheets=sheets, notes=meta["notes"])


def _sheet_from(entry: Path, index: int, stored: dict[str, Any]) -> Sheet:
    """A Sheet back from its stored fields: frames from Parquet, roles as Role, the rest from JSON."""
    values: dict[str, Any] = {}
    for f in dataclasses.fields(Sheet):
        if f.name in stored["frames"]:
            values[f.name] = pd.read_parquet(entry / f"{index}-{f.name}.parquet")
        elif f.name == "roles":
            values[f.name] = {c: Role(r) for c, r in stored["roles"]}
        else:
            values[f.name] = stored["values"][f.name]  # a KeyError: stored by another version, parse again
    return Sheet(**values)


def _stored(sheet: Sheet) -> tuple[dict[str, Any], dict[str, pd.DataFrame]]:
    """A Sheet as (JSON-able fields, frames by field name); ValueError when a field cannot be stored exactly.

    Every field of the dataclass is stored, so a new field can never be dropped silently: a value that does
    not survive a JSON round trip makes the workbook uncached (slower, never different).
    """
    values: dict[str, Any] = {}
    frames: dict[str, pd.DataFrame] = {}
    for f in dataclasses.fields(sheet):
        value = getattr(sheet, f.name)
        if isinstance(value, pd.DataFrame):
            frames[f.name] = value
        elif f.name == "roles":
            values[f.name] = [[c, str(r)] for c, r in value.items()]
        elif json.loads(json.dumps(value)) == value:
            values[f.name] = value
        else:
            raise ValueError(f"sheet field {f.name!r} does not survive JSON")
    roles = values.pop("roles", [])
    return {"values": values, "roles": roles, "frames": sorted(frames)}, frames


def _write(entry: Path, workbook: Workbook) -> None:
    """Store a parsed workbook; best effort (a sheet that cannot be stored exactly is simply not cached)."""
    try:
        stored = [_stored(s) for s in workbook.sheets]
        meta = {
            "name": workbook.name,
            "source": workbook.source,
            "notes": workbook.notes,
            "sheets": [m for m, _ in stored],
        }
        with atomic_folder(entry) as tmp:
            for i, (_meta, frames) in enumerate(stored):
                for name, frame in frames.items():
                    _frame_for_parquet(frame).to_parquet(tmp / f"{i}-{name}.parquet")
            (tmp / "meta.json").write_text(json.dumps(meta), encoding="utf-8")  # last: marks it complete
    except Exception as exc:  # caching must never break an analysis
        log.debug("not caching %s: %s", workbook.source, exc)


def _frame_for_parquet(frame: pd.DataFrame) -> pd.DataFrame:
    """Parquet needs string column names; an empty frame has none to fix."""
    return frame.rename(columns=str)
