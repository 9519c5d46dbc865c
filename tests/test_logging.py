"""One logging set-up: levels by -q/-v/-vv, library warnings into the log file and off the terminal."""

from __future__ import annotations

import logging
import os
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from gdrivestats._logging import NOISY_LOGGERS, setup_logging


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    """setup_logging replaces the root handlers and captures warnings; undo both after each test."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    logging.captureWarnings(False)
    yield
    for handler in root.handlers:
        if handler not in handlers:
            handler.close()
    root.handlers[:], root.level = handlers, level
    logging.captureWarnings(False)


def _library_noise() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.warn("Glyph 8364 missing from font(s) DejaVu Sans.", UserWarning, stacklevel=1)
    logging.getLogger("matplotlib.font_manager").warning("findfont: Font family 'Arial' not found.")
    logging.getLogger("gdrivestats.pipeline").warning("sales.xlsx: 3 rows set aside")
    logging.getLogger("gdrivestats.pipeline").error("broken.xlsx: cannot read")


def test_library_warnings_go_to_the_log_file_not_the_terminal(tmp_path: Path, capsys) -> None:
    log_file = tmp_path / "logs" / "gdrivestats.log"
    setup_logging(0, log_file)
    _library_noise()
    err = capsys.readouterr().err
    assert err.splitlines() == [
        "gdrivestats: sales.xlsx: 3 rows set aside",
        "gdrivestats: broken.xlsx: cannot read",
    ]
    logged = log_file.read_text()
    assert "WARNING py.warnings: " in logged and "Glyph 8364 missing" in logged
    assert "WARNING matplotlib.font_manager: findfont" in logged
    assert "ERROR gdrivestats.pipeline: broken.xlsx: cannot read" in logged


def test_verbose_shows_library_warnings_and_debug_with_timestamps(capsys) -> None:
    setup_logging(1)
    _library_noise()
    logging.getLogger("gdrivestats.cli").debug("a debug line")
    err = capsys.readouterr().err
    assert "Glyph 8364 missing" in err and "findfont" in err
    assert " DEBUG gdrivestats.cli: a debug line" in err
    assert logging.getLogger("urllib3").level == logging.WARNING  # -v: the HTTP stack stays quiet
    setup_logging(2)
    assert all(logging.getLogger(name).level == logging.NOTSET for name in NOISY_LOGGERS)  # -vv: all


def test_quiet_shows_errors_only(capsys) -> None:
    setup_logging(-1)
    _library_noise()
    assert capsys.readouterr().err.splitlines() == ["gdrivestats: broken.xlsx: cannot read"]


def _warn_in_worker(text: str) -> int:
    """Runs in a worker process: a library warning and a log line, as matplotlib would give them."""
    warnings.warn(text, UserWarning, stacklevel=1)
    logging.getLogger("gdrivestats.isolation").info("worker %d done", os.getpid())
    return os.getpid()


def test_worker_processes_log_through_the_parent(tmp_path: Path, capfd) -> None:
    """Warnings raised in a forkserver worker reach the parent's --log-file, and not the terminal."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from gdrivestats._logging import WorkerLogs, setup_worker_logging

    log_file = tmp_path / "run.log"
    setup_logging(0, log_file, timestamps=True, default=logging.INFO)
    context = multiprocessing.get_context("forkserver")
    with (
        WorkerLogs(context) as logs,
        ProcessPoolExecutor(
            1, mp_context=context, initializer=setup_worker_logging, initargs=(logs.queue,)
        ) as pool,
    ):
        worker = pool.submit(_warn_in_worker, "Glyph 19978 missing from font(s) DejaVu Sans.").result()
    assert worker != os.getpid()
    err = capfd.readouterr().err
    assert "Glyph 19978" not in err and f"INFO gdrivestats.isolation: worker {worker} done" in err
    logged = log_file.read_text()
    assert "WARNING py.warnings: " in logged and "Glyph 19978 missing" in logged
    assert f"worker {worker} done" in logged


def test_every_log_line_shows_control_characters_instead_of_acting_on_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from gdrivestats._logging import setup_logging

    log_file = tmp_path / "run.log"
    setup_logging(0, log_file)
    logging.getLogger("gdrivestats.test").warning("could not read %s", "evil\x1b[2J\nforged: error")
    logging.shutdown()
    err = capsys.readouterr().err
    assert "\x1b" not in err and "evil\\x1b[2J\\nforged: error" in err
    assert len(log_file.read_text().splitlines()) == 1
