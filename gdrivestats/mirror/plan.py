"""The sync plan, pure: compare the remote view with the state and say what to download, move and delete."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from gdrivestats.drive.base import Entry
from gdrivestats.mirror.local_names import local_paths, mirror_name
from gdrivestats.mirror.state import FileRecord
from gdrivestats.mirror.view import View, format_time
from gdrivestats.names import printable


@dataclass(frozen=True)
class Download:
    """Fetch a file (new, changed, or missing from the cache) to ``local_path``."""

    entry: Entry
    local_path: str
    reason: str


@dataclass(frozen=True)
class Move:
    """A file kept its content but got another local path (renamed or moved on Drive)."""

    entry: Entry
    old_local_path: str
    local_path: str


@dataclass(frozen=True)
class Delete:
    """A file is gone from the synced tree (deleted, trashed, moved out, or no longer matching)."""

    record: FileRecord


@dataclass
class SyncPlan:
    """What a sync will do. ``view`` is the tree it will leave the state describing."""

    view: View
    downloads: list[Download] = field(default_factory=list)
    moves: list[Move] = field(default_factory=list)
    deletes: list[Delete] = field(default_factory=list)
    unchanged: int = 0
    local_paths: dict[str, str] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        """True when there is nothing to do."""
        return not (self.downloads or self.moves or self.deletes)

    def describe(self) -> str:
        """The plan in lines a user reads (``--dry-run``), control characters in names escaped."""
        p = printable
        lines = [f"download {p(d.entry.path)} -> {p(d.local_path)} ({d.reason})" for d in self.downloads]
        lines += [f"move     {p(m.old_local_path)} -> {p(m.local_path)}" for m in self.moves]
        lines += [f"delete   {p(d.record.local_path)}" for d in self.deletes]
        lines.append(
            f"{len(self.downloads)} to download, {len(self.moves)} to move, {len(self.deletes)} to delete,"
            f" {self.unchanged} unchanged"
        )
        return "\n".join(lines)


def _anchored(view: View) -> list[Entry]:
    """The view's entries for ``local_paths``: children of the root get a one-part path, so that a name
    containing '/' stays one local name instead of being split into folders."""
    tree = [*view.folders.values(), *view.files.values()]
    return [e.at(mirror_name(e.name)) if e.parents[:1] == (view.root_id,) else e for e in tree]


def same_content(entry: Entry, record: FileRecord) -> bool:
    """The one rule for 'unchanged': equal md5 when both have one, else equal size, modified and version."""
    if entry.md5 and record.md5:
        return entry.md5 == record.md5
    return (
        entry.size == record.size
        and format_time(entry.modified) == record.modified
        and (entry.version == record.version or not (entry.version and record.version))
    )


def plan_sync(
    view: View,
    known: Mapping[str, FileRecord],
    present: Iterable[str],
    paths: Mapping[str, str] | None = None,
) -> SyncPlan:
    """Compare the view with the state: pure, so it can be printed and tested alone.

    ``present`` holds the local paths (relative to the cache) that exist on disk; a known file missing
    there is downloaded again. ``paths``: the local path of every file of the view when the caller knows
    them already (the state's, for the very view they were computed from); else they are computed.
    """
    if paths is None or paths.keys() != view.files.keys():
        paths = {fid: str(p) for fid, p in local_paths(_anchored(view)).items() if fid in view.files}
    else:
        paths = dict(paths)
    present = set(present)
    plan = SyncPlan(view=view, local_paths=paths)
    for fid in sorted(view.files, key=lambda i: view.files[i].path):
        entry, local, record = view.files[fid], paths[fid], known.get(fid)
        if record is None:
            plan.downloads.append(Download(entry, local, "new"))
        elif not same_content(entry, record):
            plan.downloads.append(Download(entry, local, "changed"))
        elif record.local_path not in present:
            plan.downloads.append(Download(entry, local, "missing from the cache"))
        elif record.local_path != local:
            plan.moves.append(Move(entry, record.local_path, local))
        else:
            plan.unchanged += 1
    plan.deletes = [Delete(r) for fid, r in sorted(known.items()) if fid not in view.files]
    return plan
