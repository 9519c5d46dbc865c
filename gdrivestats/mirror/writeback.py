"""Write outputs back to Drive idempotently: upsert each file by name, skip what is there unchanged."""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Mapping
from concurrent.futures import ThreadPoolExecutor, as_completed
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
    folders: dict[str, Entry] = field(default_factory=dict)  # "" and each subfolder written into


def upload_folder(
    drive: Drive,
    local_dir: Path,
    drive_folder: str,
    previous: Mapping[str, tuple[str, str | None]] | None = None,
    on_uploaded: Callable[[str, str, str], None] | None = None,
    workers: int = 4,
    as_sheets: Collection[str] = (),
) -> Uploaded:
    """Upsert every file below ``local_dir`` into ``drive_folder`` (made like mkdir -p), keeping subfolders.

    A file whose md5 equals the one recorded in ``previous`` for the same relative path is not sent
    again. Uploads are upserts by name, so a repeated or restarted write-back updates the same Drive files
    (same ids, new revisions) and never adds a duplicate. Files go up ``workers`` at a time (the drive
    paces its writes to Drive's limit); ``on_uploaded(relative path, id, md5)`` is called, in this thread,
    as each one lands, so the caller can record it at once. The xlsx files named in ``as_sheets`` go up as
    native Google Sheets (named without the extension) where the drive can make them.
    """
    previous = previous or {}
    result = Uploaded()
    todo: list[tuple[Path, str, str]] = []
    for local in sorted(p for p in local_dir.rglob("*") if p.is_file()):
        rel = local.relative_to(local_dir).as_posix()
        md5 = md5_file(local)
        known = previous.get(rel)
        if known is not None and known[1] == md5:
            result.outputs[rel] = (known[0], md5)
            result.skipped.append(rel)
        else:
            todo.append((local, rel, md5))
    folders = result.folders
    for local, _rel, _md5 in todo:  # folders first, one at a time: never two creates of one folder
        sub = local.parent.relative_to(local_dir).as_posix()
        sub = "" if sub == "." else sub
        if sub not in folders:
            folders[sub] = drive.makedirs(join_path(drive_folder, sub) if sub else drive_folder)

    def send(local: Path) -> Entry:
        sub = local.parent.relative_to(local_dir).as_posix()
        folder = folders["" if sub == "." else sub]
        crashpoint("before-upload")
        rel = local.relative_to(local_dir).as_posix()
        known = previous[rel][0] if rel in previous else None  # updated by id: listings can lag
        if rel in as_sheets:
            entry = drive.upload_as_sheet(local, folder, local.stem, known_id=known)
        else:
            entry = drive.upload(local, folder, local.name, known_id=known)
        crashpoint("after-upload")
        return entry

    first_error: BaseException | None = None
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(todo) or 1))) as pool:
        futures = {pool.submit(send, local): (rel, md5) for local, rel, md5 in todo}
        for future in as_completed(futures):
            rel, md5 = futures[future]
            try:
                entry = future.result()
            except Exception as exc:  # the others still land and are recorded; then the first error
                first_error = first_error or exc
                continue
            result.outputs[rel] = (entry.id, md5)
            result.uploaded.append(rel)
            if on_uploaded is not None:
                on_uploaded(rel, entry.id, md5)
    if first_error is not None:
        raise first_error
    result.uploaded.sort()
    log.debug(
        "write-back to %s: %d uploaded, %d unchanged", drive_folder, len(result.uploaded), len(result.skipped)
    )
    return result
