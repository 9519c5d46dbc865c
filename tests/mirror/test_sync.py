"""Sync: the pure plan alone, and whole syncs of a LocalDrive folder into a cache."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from gdrivestats.drive.base import Change, Entry
from gdrivestats.drive.local import LocalDrive
from gdrivestats.mirror.plan import plan_sync, same_content
from gdrivestats.mirror.state import FileRecord, SyncState
from gdrivestats.mirror.sync import sync
from gdrivestats.mirror.view import NeedsFullListing, View, apply_changes, view_from_state

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def _file(
    fid: str, name: str, parent: str = "R", md5: str = "m1", size: int = 10, created: datetime = T0
) -> Entry:
    return Entry(
        id=fid, name=name, path=name, is_folder=False, size=size, md5=md5, modified=T0, parents=(parent,),
        created=created, version="1",
    )  # fmt: skip


def _record(entry: Entry, local: str, md5: str | None = None) -> FileRecord:
    return FileRecord(
        id=entry.id, name=entry.name, drive_path=entry.path, parent_id=entry.parents[0],
        mime_type=entry.mime_type, created=entry.created.isoformat() if entry.created else None,
        md5=md5 or entry.md5, size=entry.size, modified=T0.isoformat(), version="1", local_path=local,
    )  # fmt: skip


# ---- the pure plan ----------------------------------------------------------------------------------------


def test_plan_sorts_every_kind_of_difference() -> None:
    new, same, changed, renamed, missing = (
        _file("a", "new.xlsx"),
        _file("b", "same.xlsx"),
        _file("c", "changed.xlsx", md5="m2"),
        _file("d", "renamed.xlsx"),
        _file("e", "missing.xlsx"),
    )
    gone = _file("f", "gone.xlsx")
    view = View(root_id="R", files={e.id: e for e in (new, same, changed, renamed, missing)})
    known = {
        "b": _record(same, "same.xlsx"),
        "c": _record(changed, "changed.xlsx", md5="m1"),
        "d": _record(renamed, "old name.xlsx"),
        "e": _record(missing, "missing.xlsx"),
        "f": _record(gone, "gone.xlsx"),
    }
    plan = plan_sync(view, known, present={"same.xlsx", "changed.xlsx", "old name.xlsx", "gone.xlsx"})
    assert [(d.entry.id, d.reason) for d in plan.downloads] == [
        ("c", "changed"),
        ("e", "missing from the cache"),
        ("a", "new"),
    ]
    assert [(m.old_local_path, m.local_path) for m in plan.moves] == [("old name.xlsx", "renamed.xlsx")]
    assert [d.record.id for d in plan.deletes] == ["f"]
    assert plan.unchanged == 1
    assert "3 to download, 1 to move, 1 to delete, 1 unchanged" in plan.describe()


def test_duplicate_names_get_distinct_stable_local_paths() -> None:
    older = _file("id-older-1", "report.xlsx", created=T0)
    newer = _file("id-newer-2", "report.xlsx", created=datetime(2026, 2, 1, tzinfo=UTC))
    first = plan_sync(View(root_id="R", files={"id-older-1": older}), {}, set())
    both = plan_sync(View(root_id="R", files={"id-older-1": older, "id-newer-2": newer}), {}, set())
    assert first.local_paths["id-older-1"] == "report.xlsx"
    assert both.local_paths["id-older-1"] == "report.xlsx"  # the older file keeps its name
    assert both.local_paths["id-newer-2"] == "report (id-newer).xlsx"


def test_hostile_names_stay_inside_the_cache() -> None:
    names = [
        "../../etc/passwd.csv",
        "/abs.csv",
        "a/b.csv",
        "..",
        "CON.xlsx",
        "x\x00y.csv",
        "é" * 300 + ".csv",
    ]
    files = {f"id{i}": _file(f"id{i}", n) for i, n in enumerate(names)}
    plan = plan_sync(View(root_id="R", files=files), {}, set())
    for local in plan.local_paths.values():
        parts = Path(local).parts
        assert ".." not in parts and not Path(local).is_absolute() and len(parts) == 1
        assert len(parts[0].encode()) <= 255
    assert len(set(plan.local_paths.values())) == len(names)


def test_same_content_prefers_md5_then_size_time_version() -> None:
    entry = _file("a", "a.xlsx", md5="m1")
    assert same_content(entry, _record(entry, "a.xlsx"))
    assert not same_content(entry, _record(entry, "a.xlsx", md5="other"))
    no_md5 = Entry(id="a", name="a", path="a", is_folder=False, size=10, modified=T0, version="1")
    rec = _record(entry, "a.xlsx")
    assert same_content(no_md5, rec)
    assert not same_content(Entry(**{**no_md5.__dict__, "size": 11}), rec)


def test_changes_feed_applied_to_the_view() -> None:
    folder = Entry(id="F", name="sub", path="sub", is_folder=True, parents=("R",))
    a, b = _file("a", "a.xlsx"), _file("b", "b.xlsx", parent="F")
    view = View(root_id="R", folders={"F": folder}, files={"a": a, "b": b})
    renamed = Entry(**{**a.__dict__, "name": "a2.xlsx"})
    moved_out = Entry(**{**b.__dict__, "parents": ("elsewhere",)})
    new_folder = Entry(id="G", name="new", path="x/new", is_folder=True, parents=("F",))
    in_new = _file("c", "c.csv", parent="G")
    not_workbook = _file("d", "notes.txt")
    changes = [
        Change("a", False, renamed),
        Change("b", False, moved_out),
        Change("d", False, not_workbook),
    ]
    after = apply_changes(view, changes, ["*.xlsx", "*.csv"], exclude="gdrivestats")
    assert {fid: e.path for fid, e in after.files.items()} == {"a": "a2.xlsx"}
    assert view.files.keys() == {"a", "b"}  # the input view is untouched

    # A folder new to the tree may have been moved in with its contents, which the feed does not list:
    # only a listing tells (c, listed before its folder, would otherwise be all that is seen).
    with pytest.raises(NeedsFullListing, match="folder sub/new appeared"):
        apply_changes(view, [Change("c", False, in_new), Change("G", False, new_folder)], ["*.csv"], None)

    with pytest.raises(NeedsFullListing):
        apply_changes(view, [Change("F", True)], ["*.xlsx"], exclude=None)
    renamed_folder = Entry(**{**folder.__dict__, "name": "renamed"})
    with pytest.raises(NeedsFullListing):
        apply_changes(view, [Change("F", False, renamed_folder)], ["*.xlsx"], exclude=None)


def test_view_round_trips_through_the_state(tmp_path: Path) -> None:
    drive_root = tmp_path / "drive"
    (drive_root / "data" / "sub").mkdir(parents=True)
    (drive_root / "data" / "sub" / "b.csv").write_text("x,y\n1,2\n")
    sync(LocalDrive(drive_root), "data", tmp_path / "cache", progress=False)
    with SyncState(tmp_path / "cache") as state:
        view = view_from_state("data", state.folders(), state.files())
    assert {e.path for e in view.files.values()} == {"sub/b.csv"}
    assert {e.path for e in view.folders.values()} == {"sub"}


# ---- whole syncs over LocalDrive ------------------------------------------------------------------------


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "drive" / "Colab Notebooks"
    (root / "2024").mkdir(parents=True)
    (root / "a.csv").write_text("country,pop\nA,1\nB,2\n")
    (root / "2024" / "b.csv").write_text("country,pop\nC,3\n")
    (root / "readme.txt").write_text("not a workbook")
    (root / "gdrivestats").mkdir()
    (root / "gdrivestats" / "old-output.csv").write_text("x\n1\n")
    return tmp_path / "drive"


def _bump(path: Path, text: str) -> None:
    path.write_text(text)
    later = time.time() + 5
    os.utime(path, (later, later))


def test_first_sync_then_incremental_changes(tree: Path, tmp_path: Path) -> None:
    drive, cache = LocalDrive(tree), tmp_path / "cache"
    first = sync(drive, "Colab Notebooks", cache, progress=False)
    assert first.full_listing and first.ok
    assert sorted(first.downloaded) == ["2024/b.csv", "a.csv"]
    assert (cache / "a.csv").read_text() == "country,pop\nA,1\nB,2\n"
    assert not (cache / "readme.txt").exists() and not (cache / "gdrivestats").exists()

    again = sync(drive, "Colab Notebooks", cache, progress=False)
    assert not again.full_listing and again.plan.empty and again.downloaded == []

    root = tree / "Colab Notebooks"
    _bump(root / "a.csv", "country,pop\nA,10\n")
    (root / "2024" / "b.csv").rename(root / "2024" / "b-renamed.csv")
    (root / "new.tsv").write_text("k\tv\nx\t1\n")
    third = sync(drive, "Colab Notebooks", cache, progress=False)
    assert sorted(third.downloaded) == ["2024/b-renamed.csv", "a.csv", "new.tsv"]
    assert [d.record.local_path for d in third.plan.deletes] == ["2024/b.csv"]
    assert (cache / "a.csv").read_text() == "country,pop\nA,10\n"
    assert (cache / "2024" / "b-renamed.csv").read_text() == "country,pop\nC,3\n"
    assert not (cache / "2024" / "b.csv").exists()


def test_dry_run_changes_nothing(tree: Path, tmp_path: Path) -> None:
    result = sync(LocalDrive(tree), "Colab Notebooks", tmp_path / "cache", dry_run=True, progress=False)
    assert len(result.plan.downloads) == 2
    assert not (tmp_path / "cache" / "a.csv").exists()
    with SyncState(tmp_path / "cache") as state:
        assert state.files() == {} and state.get_meta("changes_token") is None


def test_a_file_deleted_from_the_cache_is_fetched_again(tree: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    sync(LocalDrive(tree), "Colab Notebooks", cache, progress=False)
    (cache / "a.csv").unlink()
    (cache / ".gdrivestats-tmp-leftover").write_bytes(b"partial")
    result = sync(LocalDrive(tree), "Colab Notebooks", cache, progress=False)
    assert result.downloaded == ["a.csv"]
    assert (cache / "a.csv").read_text() == "country,pop\nA,1\nB,2\n"
    assert not (cache / ".gdrivestats-tmp-leftover").exists()


def test_state_is_wal_and_records_every_file(tree: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    sync(LocalDrive(tree), "Colab Notebooks", cache, progress=False)
    with SyncState(cache) as state:
        mode = state._db.execute("PRAGMA journal_mode").fetchone()[0]
        files = state.files()
        assert mode == "wal"
        assert {r.drive_path: r.local_path for r in files.values()} == {
            "a.csv": "a.csv",
            "2024/b.csv": "2024/b.csv",
        }
        assert {r.size for r in files.values()} == {len("country,pop\nA,1\nB,2\n"), len("country,pop\nC,3\n")}
        assert state.get_meta("changes_token")


def test_a_write_the_killed_run_never_recorded_is_cleaned_up(tree: Path, tmp_path: Path) -> None:
    """A download finished but unrecorded when the process died, then renamed on Drive: no orphan is left."""
    cache = tmp_path / "cache"
    (cache / "2024").mkdir(parents=True)
    (cache / "2024" / "b.csv").write_text("country,pop\nC,3\n")  # written by the killed run, never recorded
    (cache / "mine.txt").write_text("a file the user put here")  # never planned by a sync: left alone
    with SyncState(cache) as state, state.transaction():
        state.add_pending([("2024/b.csv", "2024/b.csv")])
    root = tree / "Colab Notebooks"
    (root / "2024" / "b.csv").rename(root / "2024" / "b2.csv")
    result = sync(LocalDrive(tree), "Colab Notebooks", cache, progress=False)
    assert sorted(result.downloaded) == ["2024/b2.csv", "a.csv"]
    assert not (cache / "2024" / "b.csv").exists()
    assert (cache / "mine.txt").exists()
    with SyncState(cache) as state:
        assert state.pending() == []
