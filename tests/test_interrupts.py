"""Interrupted runs clean up: SIGTERM and Ctrl-C leave no temporary or empty folder; stale ones go."""

from __future__ import annotations

import multiprocessing.util
import os
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import pytest

from gdrivestats._fs import TMP_PREFIX
from gdrivestats.cli import main
from gdrivestats.interrupts import STALE_AFTER, remove_stale_temporaries
from tests.support import small_csv

# Sends the signal to itself as the first workbook's outputs come back from its worker, while the other is
# still being analysed and written: the worst moment for an interruption.
_SIGNAL_DURING_SAVE = """
import os, signal, sys
from gdrivestats import pipeline
real = pipeline._record_outcome
def interrupted(*args):
    os.kill(os.getpid(), signal.{signal})
    return real(*args)
pipeline._record_outcome = interrupted
from gdrivestats.cli import main
sys.exit(main(sys.argv[1:]))
"""


def _interrupted_run(signal_name: str, *args: str) -> subprocess.CompletedProcess:
    code = textwrap.dedent(_SIGNAL_DURING_SAVE).format(signal=signal_name)
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=300)


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*") if p.name.startswith(TMP_PREFIX))


@pytest.mark.slow  # a CLI analysis in a subprocess, interrupted by a signal (end to end)
@pytest.mark.parametrize(
    ("signal_name", "code", "word"), [("SIGTERM", 143, "terminated"), ("SIGINT", 130, "interrupted")]
)
def test_an_interrupted_analysis_leaves_no_temporary_and_no_empty_folder(
    tmp_path: Path, signal_name: str, code: int, word: str
) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.csv").write_bytes(small_csv())
    (tmp_path / "in" / "b.csv").write_bytes(small_csv(2))
    done = _interrupted_run(signal_name, "analyze", str(tmp_path / "in"), "--out", str(tmp_path / "out"))
    assert done.returncode == code, done.stderr
    assert done.stderr.strip().splitlines()[-1] == f"gdrivestats: {word}"
    assert "Traceback" not in done.stderr
    assert _leftovers(tmp_path) == []
    out = tmp_path / "out"  # whatever is there is whole: the outputs of a workbook that was done
    assert all((sub / "summary.json").is_file() for sub in out.iterdir()) if out.exists() else True
    assert not out.exists() or any(out.iterdir())  # never an empty output folder


@pytest.mark.slow  # analyses in worker processes and writes reports (end to end)
def test_the_next_run_removes_stale_temporaries_it_owns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    system_tmp = tmp_path / "systemtmp"
    system_tmp.mkdir()
    # multiprocessing keeps one folder for this process's sockets, made in the temporary folder on first use:
    # made there now, not below tmp_path (an AF_UNIX address may be at most 107 bytes, and pytest's tmp_path
    # under xdist comes close to that on its own).
    multiprocessing.util.get_temp_dir()
    monkeypatch.setattr(tempfile, "tempdir", str(system_tmp))
    old = time.time() - STALE_AFTER - 60
    stale = [tmp_path / f"{TMP_PREFIX}out-0123456789ab", system_tmp / "gdrivestats-out-k2j4h5g6"]
    fresh = [tmp_path / f"{TMP_PREFIX}out-ba9876543210", system_tmp / "gdrivestats-out-a1b2c3d4"]
    others = [system_tmp / "gdrivestats-demo", tmp_path / "keep-me"]  # not ours: never touched
    for path in stale + fresh + others:
        path.mkdir()
        (path / "summary.json").write_text("{}")
    for path in [*stale, others[0]]:
        os.utime(path, (old, old))
    (tmp_path / "a.csv").write_bytes(small_csv())
    assert main(["analyze", str(tmp_path / "a.csv"), "--out", str(tmp_path / "out")]) == 0
    assert [p.exists() for p in stale] == [False, False]
    assert all(p.exists() for p in fresh + others)
    assert (tmp_path / "out" / "summary.json").is_file()


def test_remove_stale_temporaries_reports_what_it_removed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "none"))
    leftover = tmp_path / f"{TMP_PREFIX}summary.xlsx-00aa11bb22cc"
    leftover.write_bytes(b"half a file")
    assert remove_stale_temporaries([tmp_path], older_than=3600) == []
    assert remove_stale_temporaries([tmp_path], older_than=0) == [leftover]
    assert not leftover.exists()
