"""run(): sync, analyse what changed, write back idempotently, against the emulator over HTTP."""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from gdrivestats._fs import TMP_PREFIX
from gdrivestats.cli import main
from gdrivestats.emulator import Emulator
from gdrivestats.mirror import Mirror
from gdrivestats.pipeline import run
from tests.support import FOLDER, OUT, OUTPUTS, api, small_csv

pytestmark = pytest.mark.slow  # whole runs: sync, analysis in worker processes, reports, write-back


@pytest.fixture
def emu(tmp_path: Path, start_emu: Callable[..., Emulator]) -> Emulator:
    seed = tmp_path / "seed" / FOLDER
    (seed / "Reports").mkdir(parents=True)
    (seed / "countries.csv").write_bytes(small_csv())
    (seed / "Reports" / "more.csv").write_bytes(small_csv(2))
    (seed / "notes.txt").write_text("not a workbook")
    return start_emu(seed=tmp_path / "seed")


def outputs_on_drive(emu: Emulator) -> dict[str, tuple[str, str | None]]:
    """Every file under the output folder: path -> (id, revision), asserting no name is used twice."""
    entries = [e for e in api(emu).list(OUT, recursive=True) if not e.is_folder]
    paths = Counter(e.path for e in entries)
    assert [p for p, n in paths.items() if n > 1] == []
    return {e.path[len(OUT) + 1 :]: (e.id, e.revision or e.version) for e in entries}


def test_run_writes_back_once_and_then_only_what_changed(emu: Emulator, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = run(api(emu), FOLDER, cache, progress=False)
    assert first.ok and sorted(first.analysed) == ["Reports/more.csv", "countries.csv"]
    before = outputs_on_drive(emu)
    assert {p.split("/", 1)[1] for p in before if p.startswith("countries/")} >= OUTPUTS
    assert not any(p.startswith("Reports/more/charts/") for p in before)  # chart PNGs only when asked
    summary = json.loads(api(emu).read_bytes(f"{OUT}/countries/summary.json"))
    sheet = summary["workbooks"][0]["sheets"][0] if "workbooks" in summary else summary["sheets"][0]
    top = sheet["top"]["population"]
    assert [(t["label"], t["value"]) for t in top[:2]] == [("Japan", 125), ("Kenya", 53)]

    emu.log.clear()
    again = run(api(emu), FOLDER, cache, progress=False)
    assert again.ok and again.analysed == [] and again.uploaded == 0
    assert emu.log.count() <= 2, [(e.method, e.kind, e.path) for e in emu.log.entries()]
    assert outputs_on_drive(emu) == before

    more = api(emu).stat(f"{FOLDER}/Reports/more.csv")
    emu.state.update_content(more.id, small_csv(3))
    third = run(api(emu), FOLDER, cache, progress=False)
    assert third.analysed == ["Reports/more.csv"] and third.uploaded >= 1
    after = outputs_on_drive(emu)
    assert after.keys() == before.keys()  # nothing added: every output updated in place
    assert {p: v[0] for p, v in after.items()} == {p: v[0] for p, v in before.items()}  # same file ids
    changed = {p for p in after if after[p][1] != before[p][1]}
    assert "Reports/more/summary.json" in changed
    assert not any(p.startswith("countries/") for p in changed)
    top = json.loads(api(emu).read_bytes(f"{OUT}/Reports/more/summary.json"))
    assert (cache / "Reports" / "more.csv").read_bytes() == small_csv(3)


def test_a_bad_workbook_is_reported_and_the_others_still_run(emu: Emulator, tmp_path: Path) -> None:
    folder = api(emu).stat(FOLDER)
    emu.state.add_file(
        folder.id, "broken.xlsx", b"PK\x03\x04 this is not a real zip", "application/octet-stream"
    )
    result = run(api(emu), FOLDER, tmp_path / "cache", progress=False)
    assert not result.ok
    assert sorted(result.analysed) == ["Reports/more.csv", "countries.csv"]
    assert len(result.failures) == 1 and result.failures[0].startswith("broken.xlsx: ")
    assert "\n" not in result.failures[0]
    assert not any(p.startswith("broken/") for p in outputs_on_drive(emu))
    # Its folder, made ahead while it was analysed, went again: no empty folder is left on Drive.
    folders = {e.name for e in api(emu).list(OUT) if e.is_folder}
    assert folders == {"countries", "Reports"}


def test_cli_run_and_exit_status(
    emu: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.setenv("GDRIVESTATS_DRIVE_URL", emu.url)
    monkeypatch.setenv("GDRIVESTATS_ACCESS_TOKEN", "test-token")
    assert main(["run", FOLDER, "--cache", str(tmp_path / "cache")]) == 0
    out = capsys.readouterr().out
    assert "Analysed 2 changed workbook(s), 0 failed" in out
    assert main(["run", FOLDER, "--cache", str(tmp_path / "cache")]) == 0
    assert "Analysed 0 changed workbook(s)" in capsys.readouterr().out
    assert main(["sync", "No Such Folder", "--cache", str(tmp_path / "other")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "No Such Folder" in err and "Traceback" not in err


def test_custom_out_folder_outside_the_synced_folder(emu: Emulator, tmp_path: Path) -> None:
    result = run(
        api(emu), f"{FOLDER}/Reports", tmp_path / "cache", out_folder="Results/stats", progress=False
    )
    assert result.ok and result.analysed == ["more.csv"]
    names = {e.path for e in api(emu).list("Results/stats", recursive=True) if not e.is_folder}
    assert {"Results/stats/more/summary.json", "Results/stats/more/report.html"} <= names


def test_a_folder_addressed_by_id_gets_its_outputs_inside_it(emu: Emulator, tmp_path: Path) -> None:
    """How a service account names a folder shared with it: by id, since it is not in its own Drive."""
    folder_id = api(emu).stat(f"{FOLDER}/Reports").id
    first = run(api(emu), f"id:{folder_id}", tmp_path / "cache", progress=False)
    assert first.ok and first.analysed == ["more.csv"]
    names = {e.path for e in api(emu).list(f"{FOLDER}/Reports", recursive=True) if not e.is_folder}
    assert f"{FOLDER}/Reports/gdrivestats/more/summary.json" in names
    assert not any(e.name.startswith("id:") for e in api(emu).list(""))
    emu.log.clear()
    again = run(api(emu), f"id:{folder_id}", tmp_path / "cache", progress=False)
    assert again.analysed == [] and emu.log.count() <= 2


def test_a_bad_token_or_a_lost_state_falls_back_to_a_full_listing(emu: Emulator, tmp_path: Path) -> None:
    from gdrivestats.mirror.layout import STATE_FILE
    from gdrivestats.mirror.state import SyncState
    from gdrivestats.mirror.sync import sync

    cache = tmp_path / "cache"
    assert sync(api(emu), FOLDER, cache, progress=False).full_listing
    with SyncState(cache) as state:
        state.set_meta("changes_token", "garbage-from-long-ago")
    more = api(emu).stat(f"{FOLDER}/Reports/more.csv")
    emu.state.update_content(more.id, small_csv(5))
    again = sync(api(emu), FOLDER, cache, progress=False)
    assert again.ok and again.full_listing and again.downloaded == ["Reports/more.csv"]
    assert (cache / "Reports" / "more.csv").read_bytes() == small_csv(5)

    for name in (STATE_FILE, STATE_FILE + "-wal", STATE_FILE + "-shm"):
        (cache / name).unlink(missing_ok=True)
    emu.log.clear()
    rebuilt = sync(api(emu), FOLDER, cache, progress=False)
    assert rebuilt.ok and rebuilt.full_listing and len(rebuilt.plan.downloads) == 2
    assert emu.log.count(kind="media") == 0  # the cached bytes already match Drive's md5: nothing is fetched
    with SyncState(cache) as state:
        assert len(state.files()) == 2 and state.get_meta("changes_token")


def test_a_renamed_workbooks_outputs_move_and_a_deleted_ones_go_to_the_trash(
    emu: Emulator, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    assert run(api(emu), FOLDER, cache, progress=False).ok
    drive = api(emu)
    old_folder = drive.stat(f"{OUT}/countries")
    emu.state.rename(drive.stat(f"{FOLDER}/countries.csv").id, "nations.csv")
    emu.state.delete(drive.stat(f"{FOLDER}/Reports/more.csv").id)
    after = run(api(emu), FOLDER, cache, progress=False)
    assert after.ok and after.analysed == ["nations.csv"]
    assert sorted(after.trashed) == [f"{OUT}/Reports/more", f"{OUT}/countries"]
    live = {p.split("/")[0] for p in outputs_on_drive(emu)}
    assert live == {"nations"}
    assert emu.state.is_trashed(emu.state.get(old_folder.id))  # recoverable from Drive's trash, not deleted
    emu.log.clear()
    quiet = run(api(emu), FOLDER, cache, progress=False)
    assert quiet.ok and quiet.analysed == [] and quiet.trashed == [] and emu.log.count() <= 2


def test_leftovers_of_a_killed_run_are_removed_and_the_parse_cache_is_pruned(
    emu: Emulator, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    assert run(api(emu), FOLDER, cache, progress=False).ok
    leftover = cache / ".gdrivestats-tmp-out-killed" / "abc" / "charts"
    leftover.mkdir(parents=True)
    (leftover / "half.png").write_bytes(b"half")
    for scale in (3, 4):
        emu.state.update_content(api(emu).stat(f"{FOLDER}/countries.csv").id, small_csv(scale))
        assert run(api(emu), FOLDER, cache, progress=False).ok
    assert not (cache / ".gdrivestats-tmp-out-killed").exists()
    assert len(list((cache / ".gdrivestats-parsed").iterdir())) == 2  # one per workbook as it is now


def test_a_dry_run_says_what_would_be_analysed_and_changes_nothing(emu: Emulator, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    emu.log.clear()
    planned = run(api(emu), FOLDER, cache, dry_run=True, progress=False)
    assert planned.planned == ["Reports/more.csv", "countries.csv"]
    assert "Would analyse 2 workbook(s)" in planned.summary() and not cache.exists()
    assert all(e.method == "GET" for e in emu.log.entries())  # nothing written on Drive either
    done = run(api(emu), FOLDER, cache, progress=False)
    assert (
        done.ok and done.link is not None and done.link.startswith("https://drive.google.com/drive/folders/")
    )
    assert f"Outputs: {done.link}" in done.summary()
    emu.state.update_content(api(emu).stat(f"{FOLDER}/countries.csv").id, small_csv(5))
    before = sorted(p.name for p in cache.iterdir())
    again = run(api(emu), FOLDER, cache, dry_run=True, progress=False)
    assert again.planned == ["countries.csv"]
    assert sorted(p.name for p in cache.iterdir()) == before


def test_uploads_keep_within_drives_write_limit(tmp_path: Path, start_emu: Callable[..., Emulator]) -> None:
    """Drive's per-user write limit (3 a second here): one pacer for every upload thread slows down instead
    of burning retries, and every output lands once."""
    seed = tmp_path / "seed" / FOLDER
    seed.mkdir(parents=True)
    for i in range(1, 7):
        (seed / f"book{i}.csv").write_bytes(small_csv(i))
    emu = start_emu(seed=tmp_path / "seed", write_rate=3.0)
    drive = api(emu)
    result = run(drive, FOLDER, tmp_path / "cache", progress=False)
    assert result.ok and len(result.analysed) == 6 and result.uploaded == 6 * len(OUTPUTS)
    writes = [e for e in emu.log.entries() if e.method in ("POST", "PATCH", "PUT") and "/upload/" in e.path]
    refused = [e for e in emu.log.entries() if e.status == 403]
    assert len(writes) >= 6 * len(OUTPUTS)
    assert len(refused) <= len(writes) // 10  # paced: almost every write goes through the first time
    assert drive.pacer.peak <= drive.pacer.max_rate
    assert len(outputs_on_drive(emu)) == 6 * len(OUTPUTS)


def test_the_summary_can_be_a_native_google_sheet_updated_in_place(emu: Emulator, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    assert run(api(emu), FOLDER, cache, progress=False, summary_as="sheet").ok
    sheet = api(emu).stat(f"{OUT}/countries/summary")
    assert sheet.mime_type == "application/vnd.google-apps.spreadsheet"
    assert not api(emu).exists(f"{OUT}/countries/summary.xlsx")
    exported = api(emu).read_bytes(f"{OUT}/countries/summary")  # a Sheet reads back as xlsx
    assert exported.startswith(b"PK")
    emu.state.update_content(api(emu).stat(f"{FOLDER}/countries.csv").id, small_csv(6))
    assert run(api(emu), FOLDER, cache, progress=False, summary_as="sheet").ok
    again = api(emu).stat(f"{OUT}/countries/summary")
    assert again.id == sheet.id and again.mime_type == sheet.mime_type  # the same Sheet, a new revision


def test_a_workbook_deleted_and_uploaded_again_keeps_live_outputs(emu: Emulator, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    assert run(api(emu), FOLDER, cache, progress=False).ok
    drive = api(emu)
    old = drive.stat(f"{FOLDER}/countries.csv")
    emu.state.delete(old.id)
    emu.state.add_file(drive.stat(FOLDER).id, "countries.csv", small_csv(8), "text/csv")
    again = run(api(emu), FOLDER, cache, progress=False)
    assert again.ok and again.analysed == ["countries.csv"]
    assert again.trashed == [f"{OUT}/countries"]
    live = outputs_on_drive(emu)
    assert {p for p in live if p.startswith("countries/")} == {f"countries/{name}" for name in OUTPUTS}


def test_a_new_out_folder_gets_every_output_and_the_old_outputs_are_never_workbooks(
    emu: Emulator, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    assert run(api(emu), FOLDER, cache, progress=False).ok
    moved = run(api(emu), FOLDER, cache, out_folder=f"{FOLDER}/stats", progress=False)
    assert moved.ok and sorted(moved.analysed) == ["Reports/more.csv", "countries.csv"]
    assert not any(p.endswith("summary.xlsx") for p in moved.analysed)  # the old outputs stay outputs
    new = {e.path for e in api(emu).list(f"{FOLDER}/stats", recursive=True) if not e.is_folder}
    assert (
        f"{FOLDER}/stats/countries/summary.json" in new and f"{FOLDER}/stats/Reports/more/report.pdf" in new
    )
    assert not any("/gdrivestats/" in p for p in new)
    emu.log.clear()
    quiet = run(api(emu), FOLDER, cache, out_folder=f"{FOLDER}/stats", progress=False)
    assert quiet.ok and quiet.analysed == [] and emu.log.count() <= 2


def test_switching_the_summary_to_a_sheet_and_charts_off_replaces_what_is_on_drive(
    emu: Emulator, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    assert run(api(emu), FOLDER, cache, progress=False, charts=True).ok
    assert api(emu).exists(f"{OUT}/countries/charts")
    again = run(api(emu), FOLDER, cache, progress=False, summary_as="sheet")
    assert again.ok and sorted(again.analysed) == ["Reports/more.csv", "countries.csv"]
    live = {
        e.path[len(OUT) + 1 :] for e in api(emu).list(f"{OUT}/countries", recursive=True) if not e.is_folder
    }
    assert live == {
        "countries/summary",
        "countries/summary.json",
        "countries/report.html",
        "countries/report.pdf",
    }


def test_outputs_are_updated_by_id_while_drives_listings_lag(
    tmp_path: Path, start_emu: Callable[..., Emulator]
) -> None:
    """Listings that do not yet show the files the last run made (as on shared drives) never lead to a
    second copy: each output is updated by the id the state holds."""
    seed = tmp_path / "seed" / FOLDER
    seed.mkdir(parents=True)
    (seed / "countries.csv").write_bytes(small_csv())
    emu = start_emu(seed=tmp_path / "seed", listing_lag=60.0)
    cache = tmp_path / "cache"
    assert run(api(emu), FOLDER, cache, progress=False).ok
    emu.state.update_content(api(emu).stat(f"{FOLDER}/countries.csv").id, small_csv(2))
    again = run(api(emu), FOLDER, cache, progress=False)
    assert again.ok and again.analysed == ["countries.csv"] and again.uploaded >= 1
    live = [r for r in emu.state.files.values() if not emu.state.is_trashed(r)]
    assert sorted(r.name for r in live if r.name in OUTPUTS) == sorted(OUTPUTS)  # one of each, never two
    assert [r.name for r in live].count("countries") == 1  # and one output folder
    assert [r.name for r in live].count("gdrivestats") == 1


def test_workbooks_are_analysed_while_earlier_ones_are_written_back(
    tmp_path: Path, start_emu: Callable[..., Emulator], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first workbook's write-back is held until every workbook's outputs are made: with one worker,
    that happens only if the analysis goes on while results are being written back (it once waited for
    each write-back to finish). Then everything lands once, as usual."""
    seed = tmp_path / "seed" / FOLDER
    seed.mkdir(parents=True)
    for i in range(1, 4):
        (seed / f"book{i}.csv").write_bytes(small_csv(i))
    emu = start_emu(seed=tmp_path / "seed")
    real = Mirror.write_back
    held: list[tuple[set[str], int]] = []  # what was analysed, and what uploaded, when the hold ended

    def write_back(self: Mirror, drive: Any, record: Any, outputs: Path, *args: Any, **kwargs: Any) -> Any:
        if not held:
            deadline = time.monotonic() + 240  # a guard only: it fails, rather than hangs, if analysis waits
            while len(_made(outputs.parent)) < 3 and time.monotonic() < deadline:
                time.sleep(0.05)
            uploads = sum(1 for e in emu.log.entries() if e.path.startswith("/upload/"))
            held.append((_made(outputs.parent), uploads))
        return real(self, drive, record, outputs, *args, **kwargs)

    monkeypatch.setattr(Mirror, "write_back", write_back)
    result = run(api(emu), FOLDER, tmp_path / "cache", progress=False, analysis_workers=1)
    assert result.ok and len(result.analysed) == 3
    ids = {r.id for r in emu.state.files.values() if r.name.endswith(".csv")}
    assert held == [(ids, 0)]  # all three analysed before the first output went up
    assert len(outputs_on_drive(emu)) == 3 * len(OUTPUTS)


def _made(folder: Path) -> set[str]:
    """The workbooks whose outputs are complete in the run's temporary folder (named by workbook id)."""
    return {p.name for p in folder.iterdir() if not p.name.startswith(TMP_PREFIX)}
