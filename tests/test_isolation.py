"""Workbooks analysed in worker processes: a bad, huge or hanging workbook is one line, the others go on."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

from gdrivestats.drive.local import LocalDrive
from gdrivestats.isolation import Limits, Task, analyse_all, pool_size
from gdrivestats.pipeline import run
from tests.support import small_csv


def _task(tmp_path: Path, source: Path) -> Task:
    return Task(key=source.name, source=source, out=tmp_path / "out" / source.name, label=source.name)


@pytest.mark.slow  # worker processes started, limited or killed for real
def test_good_and_bad_workbooks_each_get_their_answer(tmp_path: Path) -> None:
    good = tmp_path / "good.csv"
    good.write_bytes(small_csv())
    long_field = tmp_path / "long-field.csv"
    long_field.write_text("name,value\n" + "x" * 200_000 + ",1\nb,2\n")
    garbage = tmp_path / "garbage.xlsx"
    garbage.write_bytes(os.urandom(5000))
    results = {
        d.task.key: d.error for d in analyse_all([_task(tmp_path, p) for p in (good, long_field, garbage)])
    }
    assert results["good.csv"] is None
    assert (tmp_path / "out" / "good.csv" / "summary.json").is_file()
    assert results["garbage.xlsx"] is not None and "\n" not in results["garbage.xlsx"]
    # a 200,000-character field is read (csv's 131,072 limit is raised) or refused in one line, never a crash
    assert results["long-field.csv"] is None or "\n" not in results["long-field.csv"]


@pytest.mark.slow  # worker processes started, limited or killed for real
def test_a_workbook_over_the_time_limit_is_stopped(tmp_path: Path) -> None:
    slow = tmp_path / "slow.csv"  # far more than a second's work
    with open(slow, "w") as fh:
        fh.write("name,a,b,c\n")
        fh.writelines(f"r{i},{i},{i * 3 % 11},{i % 5}\n" for i in range(600_000))
    good = tmp_path / "good.csv"
    good.write_bytes(small_csv())
    stopped = list(analyse_all([_task(tmp_path, slow)], limits=Limits(seconds=1)))
    assert [d.error for d in stopped] == ["took longer than 1 s; its analysis was stopped"]
    assert [d.error for d in analyse_all([_task(tmp_path, good)])] == [None]


def _pool_leftovers() -> list[str]:
    """The pools' manager threads and worker processes still alive in this process."""
    import multiprocessing
    import threading
    from concurrent.futures.process import _ExecutorManagerThread

    threads = [t.name for t in threading.enumerate() if isinstance(t, _ExecutorManagerThread)]
    return threads + [p.name for p in multiprocessing.active_children()]


@pytest.mark.slow  # worker processes started, limited or killed for real
def test_nothing_of_the_pool_outlives_the_analysis(tmp_path: Path) -> None:
    # A manager thread left running races the interpreter's exit hook (an OSError traceback after a clean
    # run, CPython 3.11), so it is joined before analyse_all ends: after a clean run and after a stopped one.
    good = tmp_path / "good.csv"
    good.write_bytes(small_csv())
    slow = tmp_path / "slow.csv"
    slow.write_text("name,a\n" + "".join(f"r{i},{i}\n" for i in range(600_000)))
    assert [d.error for d in analyse_all([_task(tmp_path, good)])] == [None]
    assert _pool_leftovers() == []
    stopped = list(analyse_all([_task(tmp_path, slow)], limits=Limits(seconds=1)))
    assert [d.error for d in stopped] == ["took longer than 1 s; its analysis was stopped"]
    assert _pool_leftovers() == []


@pytest.mark.slow  # worker processes started, limited or killed for real
def test_a_workbook_over_the_memory_limit_is_one_line(tmp_path: Path) -> None:
    big = tmp_path / "big.csv"
    with open(big, "w") as fh:
        fh.write("a,b,c,d\n")
        for i in range(400_000):
            fh.write(f"row{i},{i},{i * 2},{i % 7}\n")
    results = list(analyse_all([_task(tmp_path, big)], limits=Limits(memory=48 * 2**20)))
    assert len(results) == 1 and results[0].error is not None
    assert "memory" in results[0].error and "\n" not in results[0].error


def test_the_pool_is_sized_to_the_cpus_and_the_memory() -> None:
    assert pool_size(1, Limits()) == 1
    assert 1 <= pool_size(50, Limits()) <= (os.cpu_count() or 1)
    assert pool_size(50, Limits(memory=10**15)) == 1  # no room for two
    assert pool_size(50, Limits(), workers=1) == 1


@pytest.mark.slow  # worker processes started, limited or killed for real
def test_a_bad_workbook_sorting_first_never_stops_a_run(tmp_path: Path) -> None:
    folder = tmp_path / "drive" / "Data"
    folder.mkdir(parents=True)
    (folder / "a-bad.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
    (folder / "b-good.csv").write_bytes(small_csv())
    (folder / "c-good.csv").write_bytes(small_csv(2))
    for attempt in range(2):  # and again: the bad one does not block later runs either
        result = run(LocalDrive(tmp_path / "drive"), "Data", tmp_path / "cache", progress=False)
        assert not result.ok
        assert result.analysed == (["b-good.csv", "c-good.csv"] if attempt == 0 else [])
        assert len(result.failures) == 1 and result.failures[0].startswith("a-bad.xlsx: ")
    outputs = tmp_path / "drive" / "Data" / "gdrivestats"
    assert {p.name for p in outputs.iterdir()} == {"b-good", "c-good"}


@pytest.mark.slow  # worker processes started, limited or killed for real
@pytest.mark.parametrize("names", [["a.csv", "a.tsv", "a.csv.tsv"], ["A.csv", "a.TSV"]])
def test_output_folders_never_collide(tmp_path: Path, names: list[str]) -> None:
    folder = tmp_path / "drive" / "Data"
    folder.mkdir(parents=True)
    for i, name in enumerate(names, start=1):
        data = small_csv(i)
        (folder / name).write_bytes(data.replace(b",", b"\t") if name.lower().endswith(".tsv") else data)
    assert run(LocalDrive(tmp_path / "drive"), "Data", tmp_path / "cache", progress=False).ok
    out = folder / "gdrivestats"
    made = sorted(p.name for p in out.iterdir())
    assert len(made) == len(names) and len({m.casefold() for m in made}) == len(names)
    summaries = {(out / sub / "summary.json").read_text().split('"sheets"', 1)[1] for sub in made}
    assert len(summaries) == len(names)  # each folder holds its own workbook's numbers


@pytest.mark.slow  # worker processes started, limited or killed for real
def test_warnings_in_workers_reach_the_log_not_the_terminal(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    book = tmp_path / "glyphs.csv"
    book.write_text("name,value\n" + "".join(f"北京{i} 🙂,{i}\n" for i in range(12)))  # glyphs fonts lack
    with caplog.at_level(logging.DEBUG):
        results = list(analyse_all([_task(tmp_path, book)]))
    assert [d.error for d in results] == [None]
    assert any("Glyph" in r.getMessage() for r in caplog.records)  # sent up from the worker
    assert "Glyph" not in capfd.readouterr().err


@pytest.mark.slow  # worker processes started, limited or killed for real
def test_a_script_without_a_main_guard_works(tmp_path: Path) -> None:
    """Workers start without importing the script again, so it does not run once per worker."""
    import subprocess
    import sys

    script = tmp_path / "no_guard.py"
    script.write_text(
        "from pathlib import Path\n"
        "from gdrivestats.isolation import Task, analyse_all\n"
        f"tmp = Path({str(tmp_path)!r})\n"
        "(tmp / 'a.csv').write_text('name,value\\na,1\\nb,2\\n')\n"
        "tasks = [Task(k, tmp / 'a.csv', tmp / k, 'a.csv') for k in ('x', 'y', 'z')]\n"
        "for d in analyse_all(tasks, workers=2):\n"
        "    print('RESULT:', d.error)\n"
    )
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300)
    results = [line for line in done.stdout.splitlines() if line.startswith("RESULT:")]
    assert results == ["RESULT: None"] * 3, done.stderr[-2000:]  # the second worker starts later: same


@pytest.mark.slow  # by nature: it must outwait the time limit three times (about 40 s)
def test_a_slow_consumer_does_not_make_finished_workbooks_time_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time

    from gdrivestats import isolation

    monkeypatch.setattr(isolation, "_GRACE", 0.0)  # the parent stops a worker as soon as its time is up
    books = []
    for i in range(3):
        book = tmp_path / f"b{i}.csv"
        book.write_bytes(small_csv(i + 1))
        books.append(_task(tmp_path, book))
    results = []
    # 12 s: room for a loaded machine's slow first analysis (at 4 s, a load of 7 made it time out)
    for done in analyse_all(books, workers=3, limits=Limits(seconds=12)):
        results.append(done.error)
        time.sleep(13)  # the caller uploads meanwhile; the others finished in the background
    assert results == [None, None, None]


def _marked_processes(mark: str) -> list[int]:
    """The processes whose environment holds ``mark`` (the run's workers and forkserver inherit it)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if mark.encode() in (entry / "environ").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


@pytest.mark.slow  # worker processes started, limited or killed for real
@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs Linux's /proc")
def test_workers_end_when_their_run_is_killed(tmp_path: Path) -> None:
    """A run killed with SIGKILL (the OOM killer, a scheduler's timeout) leaves no worker waiting forever."""
    import signal
    import subprocess
    import sys
    import time
    import uuid

    slow = tmp_path / "slow.csv"
    with open(slow, "w") as fh:
        fh.write("name,a,b,c\n")
        fh.writelines(f"r{i},{i},{i * 3 % 11},{i % 5}\n" for i in range(300_000))
    script = tmp_path / "run.py"
    script.write_text(
        "from pathlib import Path\n"
        "from gdrivestats.isolation import Task, analyse_all\n"
        f"slow = Path({str(slow)!r})\n"
        "tasks = [Task(k, slow, slow.parent / k, 'slow.csv') for k in ('x', 'y')]\n"
        "for d in analyse_all(tasks, workers=2):\n"
        "    print('RESULT:', d.error)\n"
    )
    mark = f"GDRIVESTATS_TEST_MARK={uuid.uuid4().hex}"
    env = {**os.environ, mark.split("=")[0]: mark.split("=")[1]}
    run = subprocess.Popen([sys.executable, str(script)], env=env, stdout=subprocess.DEVNULL)
    try:
        for _ in range(300):  # the workers are up (the run and the forkserver plus at least one worker)
            if len(_marked_processes(mark)) >= 3:
                break
            time.sleep(0.1)
        assert len(_marked_processes(mark)) >= 3
    finally:
        run.send_signal(signal.SIGKILL)
        run.wait(timeout=30)
    for _ in range(200):  # each worker checks once a second; far less than 20 s
        if not _marked_processes(mark):
            break
        time.sleep(0.1)
    assert _marked_processes(mark) == []
