"""Sync and write-back where real Drive differs from a kind server: another account's state, outputs removed
or edited on Drive, shortcut targets, blocked downloads, Docs named like workbooks, hostile names, dry runs.

Every test goes over HTTP to the emulator through google-api-python-client.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from gdrivestats.emulator import Emulator
from gdrivestats.mirror.layout import STATE_FILE
from gdrivestats.mirror.state import SyncState
from gdrivestats.mirror.sync import sync
from gdrivestats.pipeline import run
from tests.support import FOLDER, OUT, api, seed_two_csvs, small_csv


@pytest.fixture
def emu(tmp_path: Path, start_emu: Callable[..., Emulator]) -> Emulator:
    return start_emu(seed=seed_two_csvs(tmp_path / "seed"))


def live_outputs(emu: Emulator) -> set[str]:
    """The output paths below OUT of every live (not trashed) output file."""
    return {e.path[len(OUT) + 1 :] for e in api(emu).list(OUT, recursive=True) if not e.is_folder}


@pytest.mark.slow  # whole runs: analysis in worker processes, reports, write-back
def test_state_from_another_server_is_not_reused(
    emu: Emulator, start_emu: Callable[..., Emulator], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cache = tmp_path / "cache"
    assert run(api(emu), FOLDER, cache, progress=False).ok
    other_seed = tmp_path / "other" / FOLDER
    other_seed.mkdir(parents=True)
    (other_seed / "countries.csv").write_bytes(small_csv(5))
    other = start_emu(seed=tmp_path / "other")
    with caplog.at_level(logging.WARNING, logger="gdrivestats"):
        second = run(api(other), FOLDER, cache, progress=False)
    assert second.ok and second.analysed == ["countries.csv"]
    assert any("another Drive account or server" in r.getMessage() for r in caplog.records)
    assert "countries/summary.json" in live_outputs(other)
    assert (cache / "countries.csv").read_bytes() == small_csv(5)
    assert not (cache / "more.csv").exists()


@pytest.mark.slow  # whole runs: analysis in worker processes, reports, write-back
def test_state_from_another_account_on_the_same_server_is_not_reused(
    emu: Emulator, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cache = tmp_path / "cache"
    assert run(api(emu, "token-of-ann"), FOLDER, cache, progress=False).ok
    emu.state.user_email = "bob@example.com"  # the same server answers for someone else now
    with caplog.at_level(logging.WARNING, logger="gdrivestats"):
        again = run(api(emu, "token-of-bob"), FOLDER, cache, progress=False)
    assert sorted(again.analysed) == ["countries.csv", "more.csv"]
    assert any("another Drive account or server" in r.getMessage() for r in caplog.records)


@pytest.mark.slow  # whole runs: analysis in worker processes, reports, write-back
def test_a_new_sign_in_of_the_same_account_keeps_the_state(emu: Emulator, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    assert run(api(emu, "first-token"), FOLDER, cache, progress=False).ok
    emu.log.clear()
    again = run(api(emu, "second-token"), FOLDER, cache, progress=False)
    assert again.ok and again.analysed == [] and again.uploaded == 0
    assert emu.log.count() == 2  # about.get once (a new sign-in), then the changes feed
    emu.log.clear()
    assert run(api(emu, "second-token"), FOLDER, cache, progress=False).analysed == []
    assert emu.log.count() == 1  # the same sign-in: the changes feed alone


@pytest.mark.slow  # whole runs: analysis in worker processes, reports, write-back
def test_a_trashed_output_folder_is_written_again(emu: Emulator, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    assert run(api(emu), FOLDER, cache, progress=False).ok
    before = live_outputs(emu)
    emu.state.trash(api(emu).stat(OUT).id)
    healed = run(api(emu), FOLDER, cache, progress=False)
    assert healed.ok and sorted(healed.analysed) == ["countries.csv", "more.csv"]
    assert live_outputs(emu) == before
    emu.log.clear()
    quiet = run(api(emu), FOLDER, cache, progress=False)
    assert quiet.analysed == [] and quiet.uploaded == 0 and emu.log.count() <= 2


@pytest.mark.slow  # whole runs: analysis in worker processes, reports, write-back
def test_a_deleted_or_an_edited_output_is_written_again(emu: Emulator, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    assert run(api(emu), FOLDER, cache, progress=False).ok
    before = live_outputs(emu)
    drive = api(emu)
    emu.state.delete(drive.stat(f"{OUT}/countries/summary.json").id)
    edited = drive.stat(f"{OUT}/more/summary.json")
    emu.state.update_content(edited.id, b'{"edited": "by hand"}')
    healed = run(api(emu), FOLDER, cache, progress=False)
    assert healed.ok and sorted(healed.analysed) == ["countries.csv", "more.csv"]
    assert live_outputs(emu) == before
    assert api(emu).stat(f"{OUT}/more/summary.json").id == edited.id  # updated in place: revisions kept
    assert b"by hand" not in api(emu).read_bytes(f"{OUT}/more/summary.json")


@pytest.mark.slow  # whole runs: analysis in worker processes, reports, write-back
def test_an_edited_shortcut_target_updates_the_mirror(emu: Emulator, tmp_path: Path) -> None:
    shared = emu.state.add_shared_with_me("shared.csv", small_csv(3), "text/csv")
    folder_id = api(emu).stat(FOLDER).id
    emu.state.add_shortcut(folder_id, "shared.csv", shared.id)
    cache = tmp_path / "cache"
    assert run(api(emu), FOLDER, cache, progress=False).ok
    assert (cache / "shared.csv").read_bytes() == small_csv(3)
    emu.state.update_content(shared.id, small_csv(4))  # its owner edits it
    again = run(api(emu), FOLDER, cache, progress=False)
    assert again.ok and again.analysed == ["shared.csv"] and not again.sync.full_listing
    assert (cache / "shared.csv").read_bytes() == small_csv(4)


@pytest.mark.slow  # whole runs: analysis in worker processes, reports, write-back
@pytest.mark.parametrize(
    ("block", "words"),
    [
        ("downloadQuotaExceeded", "quota"),
        ("cannotDownloadAbusiveFile", "abuse"),
    ],
)
def test_a_blocked_file_is_named_retried_later_and_does_not_stop_the_changes_feed(
    emu: Emulator, tmp_path: Path, block: str, words: str
) -> None:
    blocked = api(emu).stat(f"{FOLDER}/more.csv")
    emu.state.block_download(blocked.id, block)
    cache = tmp_path / "cache"
    first = run(api(emu), FOLDER, cache, progress=False)
    assert not first.ok and first.analysed == ["countries.csv"]
    assert len(first.sync.failed) == 1 and first.sync.failed[0].startswith("more.csv: ")
    assert words in first.sync.failed[0].lower()
    assert "permission" not in first.sync.failed[0].lower()

    emu.log.clear()
    second = run(api(emu), FOLDER, cache, progress=False)  # in its back-off: reported, not tried
    assert not second.ok and "next try after" in second.sync.failed[0]
    assert not second.sync.full_listing and emu.log.count() == 1

    emu.state.block_download(blocked.id, None)
    with SyncState(cache) as state:  # the back-off has passed
        entry, reason, attempts, _ = state.failed()[blocked.id]
        state.put_failed(blocked.id, entry, reason, attempts, 0.0)
    third = run(api(emu), FOLDER, cache, progress=False)
    assert third.ok and third.analysed == ["more.csv"]
    assert (cache / "more.csv").read_bytes() == small_csv(2)


@pytest.mark.slow  # whole runs: analysis in worker processes, reports, write-back
def test_google_docs_named_like_workbooks_are_not_workbooks(emu: Emulator, tmp_path: Path) -> None:
    folder_id = api(emu).stat(FOLDER).id
    emu.state.add_document(folder_id, "budget.xlsx", text="a letter, not a table")
    result = run(api(emu), FOLDER, tmp_path / "cache", progress=False)
    assert result.ok and sorted(result.analysed) == ["countries.csv", "more.csv"]
    assert not (tmp_path / "cache" / "budget.xlsx").exists()


def test_drive_names_equal_to_the_caches_own_files_never_touch_them(emu: Emulator, tmp_path: Path) -> None:
    folder_id = api(emu).stat(FOLDER).id
    for name in (STATE_FILE, ".gdrivestats.lock", ".gdrivestats-tmp-x.csv"):
        emu.state.add_file(folder_id, name, b"hostile " + name.encode(), "text/plain")
    cache = tmp_path / "cache"
    first = sync(api(emu), FOLDER, cache, patterns=["*"], progress=False)
    assert first.ok
    assert (cache / f"_{STATE_FILE}").read_bytes() == b"hostile " + STATE_FILE.encode()
    assert (cache / "_.gdrivestats-tmp-x.csv").is_file()
    with SyncState(cache) as state:  # the real state is intact
        assert len(state.files()) == 5
    emu.log.clear()
    again = sync(api(emu), FOLDER, cache, patterns=["*"], progress=False)
    assert again.ok and again.downloaded == [] and emu.log.count() == 1


def test_a_dry_run_writes_nothing_anywhere(emu: Emulator, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    plan = sync(api(emu), FOLDER, cache, dry_run=True, progress=False)
    assert not cache.exists()
    assert sorted(d.entry.name for d in plan.plan.downloads) == ["countries.csv", "more.csv"]
    assert sync(api(emu), FOLDER, cache, progress=False).ok
    emu.state.update_content(api(emu).stat(f"{FOLDER}/more.csv").id, small_csv(9))
    listing = sorted(p.name for p in cache.iterdir())
    planned = sync(api(emu), FOLDER, cache, dry_run=True, progress=False)
    assert [d.entry.name for d in planned.plan.downloads] == ["more.csv"]
    assert sorted(p.name for p in cache.iterdir()) == listing
    assert (cache / "more.csv").read_bytes() == small_csv(2)


@pytest.mark.slow  # whole runs: analysis in worker processes, reports, write-back
def test_a_shortcut_to_an_ancestor_folder_is_not_followed(
    emu: Emulator, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    drive = api(emu)
    folder = drive.stat(FOLDER)
    elsewhere = emu.state.add_folder(drive.stat("").id, "Elsewhere " + "x" * 200)
    emu.state.add_file(elsewhere.id, "outside.csv", small_csv(7), "text/csv")
    emu.state.add_shortcut(folder.id, "to my drive", drive.stat("").id)  # the root: holds everything
    emu.state.add_shortcut(folder.id, "to itself", folder.id)
    cache = tmp_path / "cache"
    with caplog.at_level(logging.WARNING, logger="gdrivestats"):
        result = run(api(emu), FOLDER, cache, progress=False)
    assert result.ok and sorted(result.analysed) == ["countries.csv", "more.csv"]
    mirrored = sorted(p.relative_to(cache).as_posix() for p in cache.rglob("*.csv"))
    assert mirrored == ["countries.csv", "more.csv"]
    assert sum("cycle" in r.getMessage() for r in caplog.records) == 2
    outputs = {e.path for e in api(emu).list(OUT, recursive=True) if e.is_folder}
    assert outputs == {f"{OUT}/countries", f"{OUT}/more"}


def test_control_characters_in_drive_names_never_reach_the_terminal(emu: Emulator, tmp_path: Path) -> None:
    folder_id = api(emu).stat(FOLDER).id
    emu.state.add_file(folder_id, "evil\x1b[31m\x07\ngdrivestats: error: forged.csv", small_csv(), "text/csv")
    plan = sync(api(emu), FOLDER, tmp_path / "cache", dry_run=True, progress=False).plan.describe()
    assert "\x1b" not in plan and "\x07" not in plan
    assert "evil\\x1b[31m\\x07\\ngdrivestats: error: forged.csv" in plan
    assert all(not line.startswith("gdrivestats: error") for line in plan.splitlines())


@pytest.mark.slow  # whole runs: analysis in worker processes, reports, write-back
def test_sync_and_run_take_every_drive_location_form(emu: Emulator, tmp_path: Path) -> None:
    folder_id = api(emu).stat(FOLDER).id
    url = f"https://drive.google.com/drive/folders/{folder_id}?usp=sharing"
    for i, where in enumerate([f"drive:{FOLDER}", url, f"drive:id:{folder_id}"]):
        result = sync(api(emu), where, tmp_path / f"cache{i}", progress=False)
        assert result.ok and sorted(result.downloaded) == ["countries.csv", "more.csv"], where
    assert run(api(emu), url, tmp_path / "run", progress=False).ok
    assert api(emu).exists(f"{OUT}/countries/summary.json")


def test_a_tree_too_deep_for_local_paths_is_reported_and_the_rest_syncs(
    emu: Emulator, tmp_path: Path
) -> None:
    parent = api(emu).stat(FOLDER).id
    for level in range(22):  # 22 folders of 200 characters: a local path over 4,000 bytes
        parent = emu.state.add_folder(parent, f"{level:02d}" + "d" * 198).id
    emu.state.add_file(parent, "deep.csv", small_csv(), "text/csv")
    cache = tmp_path / "cache"
    first = sync(api(emu), FOLDER, cache, progress=False)
    assert not first.ok and len(first.failed) == 1
    assert "local path would be" in first.failed[0] and len(first.failed[0]) < 400
    assert sorted(first.downloaded) == ["countries.csv", "more.csv"]
    emu.log.clear()
    again = sync(api(emu), FOLDER, cache, progress=False)  # the cache stays usable: the changes feed
    assert not again.full_listing and len(again.failed) == 1 and emu.log.count() == 1


def test_a_folder_moved_into_the_tree_brings_its_workbooks(emu: Emulator, tmp_path: Path) -> None:
    root = api(emu).stat("").id
    elsewhere = emu.state.add_folder(root, "Elsewhere")
    emu.state.add_file(elsewhere.id, "b.csv", small_csv(4), "text/csv")
    cache = tmp_path / "cache"
    assert sync(api(emu), FOLDER, cache, progress=False).ok
    emu.state.move(elsewhere.id, api(emu).stat(FOLDER).id)
    moved = sync(api(emu), FOLDER, cache, progress=False)
    assert moved.ok and moved.downloaded == ["Elsewhere/b.csv"]
    assert (cache / "Elsewhere" / "b.csv").read_bytes() == small_csv(4)


def test_a_first_sync_lists_and_fetches_without_waiting_to_learn_who_is_signed_in(
    emu: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With no state there is nothing of another account to clear: the listing and the downloads go on
    while Drive says who is signed in, and the account is in the state before any file is."""
    recorded_with_account: list[bool] = []
    put_files = SyncState.put_files

    def checked(self: SyncState, *args: Any, **kwargs: Any) -> Any:
        recorded_with_account.append(self.get_meta("account") is not None)
        return put_files(self, *args, **kwargs)

    monkeypatch.setattr(SyncState, "put_files", checked)
    emu.set_faults("about:always:delay=2000")
    cache = tmp_path / "cache"
    result = sync(api(emu), FOLDER, cache, progress=False)
    assert result.ok and len(result.downloaded) == 2
    entries = emu.log.entries()
    about = next(e for e in entries if e.kind == "about")
    assert [e.kind for e in entries if e.time < about.time].count("media") == 2  # both before about answered
    assert recorded_with_account and all(recorded_with_account)
    with SyncState(cache) as state:
        assert str(state.get_meta("account")).endswith("|" + emu.state.user_email)
        assert len(state.files()) == 2
