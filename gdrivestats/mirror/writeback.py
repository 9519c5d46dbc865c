"""Write outputs back to Drive idempotently: upsert each file by name, skip what is there unchanged."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from gdrivestats._crash import crashpoint
from gdrivestats.drive.base import Drive, Entry, join_path, md5_file

log = logging.getLogger(__name__)


@dataclass
class Uploaded:
    """What one write-back did: ``outputs`` maps each output's relative path to (Drive id, md5)."""

    outputs: dict[str, tuple[str, str]] = field(default_factory=dict)
    uploaded: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def upload_folder(
    drive: Drive,
    local_dir: Path,
    drive_folder: str,
    previous: Mapping[str, tuple[str, str | None]] | None = None,
    on_uploaded: Callable[[str, str, str], None] | None = None,
) -> Uploaded:
    """Upsert every file below ``local_dir`` into ``drive_folder`` (made like mkdir -p), keeping subfolders.

    A file whose md5 equals the one recorded in ``previous`` for the same relative path is not sent
    again. Uploads are upserts by name, so a repeated or restarted write-back updates the same Drive files
    (same ids, new revisions) and never adds a duplicate. ``on_uploaded(relative path, id, md5)`` is called
    after each upload, so the caller can record it at once.
    """
    previous = previous or {}
    result = Uploaded()
    folders: dict[str, Entry] = {}
    for local in sorted(p for p in local_dir.rglob("*") if p.is_file()):
        rel = local.relative_to(local_dir).as_posix()
        md5 = md5_file(local)
        known = previous.get(rel)
        if known is not None and known[1] == md5:
            result.outputs[rel] = (known[0], md5)
            result.skipped.append(rel)
            continue
        sub = local.parent.relative_to(local_dir).as_posix()
        sub = "" if sub == "." else sub
        if sub not in folders:
            folders[sub] = drive.makedirs(join_path(drive_folder, sub) if sub else drive_folder)
        crashpoint("before-upload")
        entry = drive.upload(local, folders[sub], local.name)
        crashpoint("after-upload")
        result.outputs[rel] = (entry.id, md5)
        result.uploaded.append(rel)
        if on_uploaded is not None:
            on_uploaded(rel, entry.id, md5)
    log.debug(
        "write-back to %s: %d uploaded, %d unchanged", drive_folder, len(result.uploaded), len(result.skipped)
    )
    return result
