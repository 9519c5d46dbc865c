"""Crash safety: real `gdrivestats run` / `sync` processes killed with SIGKILL at many points, then restarted,
must converge — cache byte-identical to Drive, state consistent, no partial file under a final name, no
duplicate output on Drive. Also the same under the emulator's injected faults."""

from __future__ import annotations

import atexit
import functools
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from google.oauth2.credentials import Credentials

from gdrivestats.drive.api import ApiDrive
from gdrivestats.emulator import Emulator
from gdrivestats.mirror.state import SyncState
from tests.support import FOLDER, OUT, OUTPUTS, small_csv

pytestmark = pytest.mark.slow  # real SIGKILLs of real runs: the full suite, not the fast lane

NAMED_POINTS = [
    "before-listing",  # the start token taken, the tree not listed yet
    "mid-download:2",  # a download's bytes in its temporary file, not under the final name
    "after-download:1",  # a file complete on disk, its state row not written
    "after-download:2",
    "after-download:3",
    "before-token",  # every file recorded, the change token not stored
    "before-upload:1",  # analysed, nothing uploaded
    "before-upload:5",
    "before-upload:12",
    "after-upload:1",  # an output on Drive, not recorded in the state
    "after-upload:9",
    "after-upload:11",  # 3 workbooks x 4 outputs: 12 uploads
    "before-mark-analysed:1",  # every output of a workbook uploaded, the workbook not marked analysed
    "before-mark-analysed:3",
]
TIMED_KILLS = [0.3, 0.6, 0.9, 1.2, 1.6, 2.0, 2.5, 3.0, 3.6, 4.2, 5.0]


@pytest.fixture
def emu(tmp_path: Path, start_emu: Callable[..., Emulator]) -> Emulator:
    seed = tmp_path / "seed" / FOLDER
    (seed / "Reports").mkdir(parents=True)
    for i, name in enumerate(["countries.csv", "Reports/more.csv", "Reports/third.csv"], start=1):
        (seed / name).write_bytes(small_csv(i))
    return start_emu(seed=tmp_path / "seed")


@functools.cache
def _run_tmp() -> str:
    """A short temporary folder for the runs, removed at exit (the forkserver's socket path goes under it:
    a long pytest folder would pass the 104-byte limit of macOS)."""
    folder = tempfile.mkdtemp(prefix="gsc-")
    atexit.register(shutil.rmtree, folder, True)
    return folder


def _env(emu: Emulator, crashpoint: str | None = None) -> dict[str, str]:
    """The run's environment; its temporary folder is the tests' own (a run killed mid-way cannot remove
    the folder multiprocessing's forkserver made for its socket: it would pile up in the system's)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GDRIVESTATS_")}
    env.update(GDRIVESTATS_DRIVE_URL=emu.url, GDRIVESTATS_ACCESS_TOKEN="test-token", PYTHONUNBUFFERED="1")
    env["TMPDIR"] = _run_tmp()
    if crashpoint:
        env["GDRIVESTATS_CRASHPOINT"] = crashpoint
    return env


def _command(cache: Path, verb: str = "run") -> list[str]:
    return [sys.executable, "-m", "gdrivestats", verb, FOLDER, "--cache", str(cache)]


def _start(emu: Emulator, cache: Path, crashpoint: str | None = None, verb: str = "run") -> subprocess.Popen:
    return subprocess.Popen(
        _command(cache, verb),
        env=_env(emu, crashpoint),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _finish(emu: Emulator, cache: Path, verb: str = "run") -> None:
    done = subprocess.run(_command(cache, verb), env=_env(emu), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]


def assert_converged(emu: Emulator, cache: Path, outputs: bool = True) -> None:
    drive = ApiDrive(Credentials("test-token"), root_url=emu.url)
    on_drive = {
        e.id: e
        for e in drive.list(FOLDER, recursive=True)
        if not e.is_folder and not e.path.startswith(OUT + "/")
    }
    with SyncState(cache) as state:
        records = state.files()
        assert state.get_meta("changes_token")
    assert records.keys() == on_drive.keys()
    for fid, record in records.items():
        assert (cache / record.local_path).read_bytes() == drive.read_bytes(on_drive[fid])
        assert record.md5 == on_drive[fid].md5
        if outputs:
            assert record.analysed_md5 == record.md5
    leftovers = [p.name for p in cache.rglob("*") if p.name.startswith(".gdrivestats-tmp-")]
    assert leftovers == []
    if not outputs:
        return
    produced = [e for e in drive.list(OUT, recursive=True) if not e.is_folder]
    duplicates = [p for p, n in Counter(e.path for e in produced).items() if n > 1]
    assert duplicates == []
    names = {e.path[len(OUT) + 1 :] for e in produced}
    for stem in ("countries", "Reports/more", "Reports/third"):
        assert {f"{stem}/{o}" for o in OUTPUTS} <= names


@pytest.mark.parametrize("point", NAMED_POINTS)
def test_run_killed_at_a_named_point_converges(emu: Emulator, tmp_path: Path, point: str) -> None:
    cache = tmp_path / "cache"
    killed = _start(emu, cache, point)
    killed.wait(timeout=300)
    assert killed.returncode == -signal.SIGKILL, f"{point} was never reached"
    _finish(emu, cache)
    assert_converged(emu, cache)


def test_run_killed_at_random_moments_converges(emu: Emulator, tmp_path: Path) -> None:
    """Kills at moments spread over a slowed-down run: during listing, mid-download, mid-upload."""
    emu.latency_ms = 40
    cache = tmp_path / "cache"
    kills = 0
    phases: Counter[str] = Counter()
    for delay in TIMED_KILLS:
        emu.log.clear()
        proc = _start(emu, cache)
        time.sleep(delay)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
            kinds = [e.kind for e in emu.log.entries()]
            phases[kinds[-1] if kinds else "start-up"] += 1
        proc.wait(timeout=300)
        # the next loop iteration restarts on the same cache: every restart must pick up where it was
    emu.latency_ms = 0
    _finish(emu, cache)
    assert_converged(emu, cache)
    assert kills >= 6, f"only {kills} kills landed; phases {phases}"


def test_sync_killed_then_changed_on_drive_converges(emu: Emulator, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    killed = _start(emu, cache, "after-download:2", verb="sync")
    killed.wait(timeout=300)
    assert killed.returncode == -signal.SIGKILL
    drive = ApiDrive(Credentials("test-token"), root_url=emu.url)
    emu.state.update_content(drive.stat(f"{FOLDER}/countries.csv").id, small_csv(7))
    emu.state.rename(drive.stat(f"{FOLDER}/Reports/third.csv").id, "renamed.csv")
    _finish(emu, cache, verb="sync")
    assert_converged(emu, cache, outputs=False)
    assert (cache / "countries.csv").read_bytes() == small_csv(7)
    assert (cache / "Reports" / "renamed.csv").read_bytes() == small_csv(3)
    assert not (cache / "Reports" / "third.csv").exists()


def test_run_converges_under_injected_faults(emu: Emulator, tmp_path: Path) -> None:
    emu.set_faults(
        "seed=3,list:rate=0.2:429,media:rate=0.2:drop,upload:rate=0.2:userRateLimitExceeded,*:rate=0.2:503"
    )
    cache = tmp_path / "cache"
    _finish(emu, cache)
    emu.set_faults(None)
    assert_converged(emu, cache)
    faulted = [e for e in emu.log.entries() if e.status in (403, 429, 503)]
    assert len(faulted) >= 3
