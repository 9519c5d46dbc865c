"""Output folders made ahead of the write-back: recorded before they exist, bounded, reused after a stop."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from google.oauth2.credentials import Credentials

from gdrivestats.drive.api import ApiDrive
from gdrivestats.drive.base import Entry
from gdrivestats.drive.local import LocalDrive
from gdrivestats.emulator import Emulator
from gdrivestats.errors import DriveError
from gdrivestats.mirror import Mirror
from gdrivestats.mirror.writeback import FolderMaker, FolderToMake
from tests.support import FOLDER, OUT, small_csv


def _seeded(tmp_path: Path, start_emu: Callable[..., Emulator], count: int) -> Emulator:
    seed = tmp_path / "seed" / FOLDER
    seed.mkdir(parents=True)
    for i in range(count):
        (seed / f"t{i}.csv").write_bytes(small_csv(i + 1))
    return start_emu(seed=tmp_path / "seed")


def _api(emu: Emulator) -> ApiDrive:
    return ApiDrive(Credentials("test-token"), root_url=emu.url)


def _made_ahead(emu: Emulator, cache: Path, sync_first: bool = False) -> dict[str, Entry | None]:
    """A run that makes the output folders ahead, then stops before writing any output: each workbook's
    folder entry, in analysis order (the first run of a cache syncs first)."""
    with Mirror(cache) as mirror:
        if sync_first:
            mirror.sync(_api(emu), FOLDER, progress=False)
        records = mirror.needs_analysis()
        with mirror.folders_ahead(_api(emu), records, OUT, mirror.output_folders()) as maker:
            return {r.id: maker.folder(r.id) for r in records}


def _folder_creates(emu: Emulator) -> int:
    return sum(1 for e in emu.log.entries() if e.kind == "create" and e.status == 200)


def test_a_folder_made_ahead_is_recorded_first_and_found_by_id_after_a_stop(
    tmp_path: Path, start_emu: Callable[..., Emulator]
) -> None:
    emu = _seeded(tmp_path, start_emu, 2)
    cache = tmp_path / "cache"
    made = _made_ahead(emu, cache, sync_first=True)  # the folders exist and the state knows them
    assert {e.name for e in _api(emu).list(OUT)} == {"t0", "t1"}
    emu.state.listing_lag = 60.0  # a listing that does not show them yet must not lead to a second folder
    emu.log.clear()
    again = _made_ahead(emu, cache)
    assert {k: e.id for k, e in again.items() if e} == {k: e.id for k, e in made.items() if e}
    assert len(again) == 2 and _folder_creates(emu) == 0
    emu.state.listing_lag = 0.0
    assert sorted(e.name for e in _api(emu).list(OUT)) == ["t0", "t1"]


def test_the_maker_stays_a_bounded_number_of_folders_ahead(
    tmp_path: Path, start_emu: Callable[..., Emulator]
) -> None:
    emu = _seeded(tmp_path, start_emu, 0)
    drive = _api(emu)
    todo = {f"k{i}": FolderToMake(f"{OUT}/w{i}", drive.new_folder_id()) for i in range(5)}
    with FolderMaker(drive, todo, ahead=2) as maker:
        first = maker.folder("k0")  # one written back: the maker may now be up to k2
        assert first is not None and first.id == todo["k0"].folder_id and maker.made_new("k0", first)
        second = maker.folder("k1")
        assert second is not None and second.name == "w1"
    made = sorted(e.name for e in drive.list(OUT))
    # k0 and k1 were asked for; at most `ahead` more could be made meanwhile, never all five.
    assert made[:2] == ["w0", "w1"] and len(made) <= 4


def test_local_folders_are_made_ahead_without_ids(tmp_path: Path) -> None:
    (tmp_path / "drive").mkdir()
    drive = LocalDrive(tmp_path / "drive")
    assert drive.new_folder_id() is None
    with FolderMaker(drive, {"a": FolderToMake("out/a"), "b": FolderToMake("out/b")}) as maker:
        a, b = maker.folder("a"), maker.folder("b")
        missing = maker.folder("c")
    assert a is not None and b is not None and missing is None
    assert maker.made_new("a", a) and maker.made_new("b", b)
    assert sorted(p.name for p in (tmp_path / "drive" / "out").iterdir()) == ["a", "b"]
    with FolderMaker(drive, {"a": FolderToMake("out/a")}) as maker:  # already there: not made here
        assert not maker.made_new("a", maker.folder("a"))


def test_analyses_finishing_out_of_order_never_wait_on_the_window(tmp_path: Path) -> None:
    (tmp_path / "drive").mkdir()
    drive = LocalDrive(tmp_path / "drive")
    todo = {f"k{i}": FolderToMake(f"out/w{i}") for i in range(6)}
    with FolderMaker(drive, todo, ahead=2) as maker:
        last = maker.folder("k5")  # the last one finished first: beyond the window, and still made
        first = maker.folder("k0")
    assert last is not None and last.name == "w5" and first is not None and first.name == "w0"


def test_a_folder_meant_but_not_made_before_a_stop_is_made_with_its_id_once(
    tmp_path: Path, start_emu: Callable[..., Emulator]
) -> None:
    emu = _seeded(tmp_path, start_emu, 1)
    cache = tmp_path / "cache"
    with Mirror(cache) as mirror:
        mirror.sync(_api(emu), FOLDER, progress=False)
        records = mirror.needs_analysis()
        maker = mirror.folders_ahead(_api(emu), records, OUT, mirror.output_folders())
        meant = maker._todo[records[0].id].folder_id  # recorded; the run stops before the maker starts
    assert meant is not None and not _api(emu).exists(f"{OUT}/t0")
    emu.state.listing_lag = 60.0
    # The next run makes it with that id; the one after finds it by id, lag or not.
    made = [[e.id for e in _made_ahead(emu, cache).values() if e] for _ in range(2)]
    assert made == [[meant], [meant]]
    top = _api(emu).stat(FOLDER)
    outs = [r for r in emu.state.children(top.id) if r.name == "gdrivestats"]  # the store: no listing lag
    assert len(outs) == 1 and [r.name for r in emu.state.children(outs[0].id)] == ["t0"]


def test_a_trashed_output_folder_is_not_written_into_again(
    tmp_path: Path, start_emu: Callable[..., Emulator]
) -> None:
    emu = _seeded(tmp_path, start_emu, 1)
    cache = tmp_path / "cache"
    [old] = _made_ahead(emu, cache, sync_first=True).values()
    assert old is not None
    _api(emu).remove(f"id:{old.id}")  # the person moves it to the trash before any output is in it
    [new] = _made_ahead(emu, cache).values()
    assert new is not None and new.id != old.id
    assert [(e.name, e.id) for e in _api(emu).list(OUT)] == [("t0", new.id)]


class _NoIdsToday(LocalDrive):
    """A drive that cannot hand out folder ids right now (Drive's generateIds failing)."""

    def new_folder_id(self) -> str | None:
        raise DriveError("asking Drive for new file ids: 503")


def test_without_ids_the_folders_are_still_made_ahead_by_name(tmp_path: Path) -> None:
    (tmp_path / "drive" / "Data").mkdir(parents=True)
    (tmp_path / "drive" / "Data" / "a.csv").write_bytes(small_csv())
    drive = _NoIdsToday(tmp_path / "drive")
    with Mirror(tmp_path / "cache") as mirror:
        mirror.sync(drive, "Data", progress=False)
        records = mirror.needs_analysis()
        with mirror.folders_ahead(drive, records, "Data/out", mirror.output_folders()) as maker:
            made = maker.folder(records[0].id)
    assert made is not None and made.path == "Data/out/a"
    assert (tmp_path / "drive" / "Data" / "out" / "a").is_dir()
