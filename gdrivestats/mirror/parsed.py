"""Parsed workbooks cached as Parquet by content hash, so re-analysing an unchanged file skips parsing."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
from pathlib import Path

import pandas as pd

from gdrivestats import __version__
from gdrivestats.mirror.layout import TMP_PREFIX
from gdrivestats.workbook import Role, Sheet, Workbook, load_workbook

log = logging.getLogger(__name__)

_FORMAT = 1


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
        sheets = [
            Sheet(
                name=s["name"],
                data=pd.read_parquet(entry / f"{i}-data.parquet"),
                roles={c: Role(r) for c, r in s["roles"]},
                label_column=s["label_column"],
                set_aside=pd.read_parquet(entry / f"{i}-aside.parquet"),
                notes=s["notes"],
                footnotes=s["footnotes"],
            )
            for i, s in enumerate(meta["sheets"])
        ]
    except (OSError, ValueError, KeyError) as exc:  # a damaged entry is parsed again, never trusted
        log.debug("ignoring damaged parse cache %s: %s", entry, exc)
        return None
    return Workbook(name=meta["name"], source=meta["source"], sheets=sheets, notes=meta["notes"])


def _write(entry: Path, workbook: Workbook) -> None:
    """Store a parsed workbook; best effort (a sheet Parquet cannot hold is simply not cached)."""
    entry.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=TMP_PREFIX, dir=entry.parent))
    try:
        meta = {
            "name": workbook.name,
            "source": workbook.source,
            "notes": workbook.notes,
            "sheets": [
                {
                    "name": s.name,
                    "roles": [[c, str(r)] for c, r in s.roles.items()],
                    "label_column": s.label_column,
                    "notes": s.notes,
                    "footnotes": s.footnotes,
                }
                for s in workbook.sheets
            ],
        }
        for i, s in enumerate(workbook.sheets):
            s.data.to_parquet(tmp / f"{i}-data.parquet")
            _frame_for_parquet(s.set_aside).to_parquet(tmp / f"{i}-aside.parquet")
        (tmp / "meta.json").write_text(json.dumps(meta), encoding="utf-8")  # written last: marks it complete
        os.replace(tmp, entry)
    except Exception as exc:  # caching must never break an analysis
        log.debug("not caching %s: %s", workbook.source, exc)
        shutil.rmtree(tmp, ignore_errors=True)


def _frame_for_parquet(frame: pd.DataFrame) -> pd.DataFrame:
    """Parquet needs string column names; an empty frame has none to fix."""
    return frame.rename(columns=str)
