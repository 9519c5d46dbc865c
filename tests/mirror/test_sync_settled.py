"""A no-change re-sync takes the local paths from the state only after a run that settled everything."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from google.oauth2.credentials import Credentials

from gdrivestats.drive.api import ApiDrive
from gdrivestats.drive.retry import Backoff
from gdrivestats.mirror.plan import plan_sync
from gdrivestats.mirror.state import SyncState
from gdrivestats.mirror.sync import sync
from gdrivestats.mirror.view import View
from tests.mirror.test_sync import _file, _record

pytest.importorskip("gdrivestats.emulator")


def _settled(cache: Path) -> str | None:
    with SyncState(cache) as state:
        return state.get_meta("paths_settled")


def test_plan_uses_given_paths_only_when_they_cover_the_view_exactly() -> None:
    a, b = _file("a", "a.xlsx"), _file("b", "b.xlsx")
    view = View(root_id="R", files={"a": a, "b": b})
    known = {"a": _record(a, "kept/a.xlsx"), "b": _record(b, "b.xlsx")}
    given = plan_sync(view, known, {"kept/a.xlsx", "b.xlsx"}, paths={"a": "kept/a.xlsx", "b": "b.xlsx"})
    assert given.empty and given.local_paths == {"a": "kept/a.xlsx", "b": "b.xlsx"}
    partial = plan_sync(view, known, {"kept/a.xlsx", "b.xlsx"}, paths={"a": "kept/a.xlsx"})
    assert [(m.old_local_path, m.local_path) for m in partial.moves] == [("kept/a.xlsx", "a.xlsx")]


def test_a_failed_move_is_tried_again_by_the_next_run_that_sees_no_change(emu: Any, tmp_path: Path) -> None:
    store = emu.state
    top = store.add_folder("root", "Reports")
    one = store.add_file(top.id, "one.csv", b"a,b\n1,2\n", "text/csv")
    store.add_file(top.id, "two.csv", b"a,b\n3,4\n", "text/csv")
    cache = tmp_path / "cache"

    def drive() -> ApiDrive:
        return ApiDrive(Credentials("test-token"), root_url=emu.url, backoff=Backoff.fast())

    assert sync(drive(), "Reports", cache, progress=False).ok
    assert _settled(cache) == "1"
    store.rename(one.id, "renamed.csv")
    (cache / "renamed.csv").mkdir()  # in the way: the move fails
    (cache / "renamed.csv" / "keep").write_text("x")
    blocked = sync(drive(), "Reports", cache, progress=False)
    assert not blocked.ok and len(blocked.plan.moves) == 1
    assert _settled(cache) is None
    (cache / "renamed.csv" / "keep").unlink()
    (cache / "renamed.csv").rmdir()
    again = sync(drive(), "Reports", cache, progress=False)  # no change on Drive since the failed run
    assert again.ok and not again.full_listing
    assert [(m.old_local_path, m.local_path) for m in again.plan.moves] == [("one.csv", "renamed.csv")]
    assert (cache / "renamed.csv").read_bytes() == b"a,b\n1,2\n" and not (cache / "one.csv").exists()
    assert _settled(cache) == "1"
    quiet = sync(drive(), "Reports", cache, progress=False)
    assert quiet.ok and quiet.plan.empty and quiet.plan.unchanged == 2
    assert quiet.plan.local_paths == {
        one.id: "renamed.csv",
        **{k: v for k, v in quiet.plan.local_paths.items() if k != one.id},
    }


def test_a_first_sync_makes_its_early_calls_once_each(emu: Any, tmp_path: Path) -> None:
    store = emu.state
    top = store.add_folder("root", "Reports")
    sub = store.add_folder(top.id, "2024")
    for i in range(5):
        store.add_file(sub.id, f"f{i}.csv", f"a\n{i}\n".encode(), "text/csv")
    emu.log.clear()
    drive = ApiDrive(Credentials("test-token"), root_url=emu.url, backoff=Backoff.fast())
    result = sync(drive, "Reports", tmp_path / "cache", progress=False)
    assert result.ok and len(result.downloaded) == 5
    kinds = [e.kind for e in emu.log.entries()]
    assert kinds.count("about") == 1 and kinds.count("changes-token") == 1 and kinds.count("media") == 5
