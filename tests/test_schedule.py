"""The scheduled job: settings precedence, the lock, timestamped logs and the documented exit codes."""

from __future__ import annotations

import logging
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from filelock import FileLock

from gdrivestats.config import load_settings
from gdrivestats.errors import ConfigError
from gdrivestats.mirror.layout import LOCK_FILE
from gdrivestats.schedule import run_scheduled
from tests.support import small_csv

ROOT = Path(__file__).resolve().parent.parent
STAMP = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},\d{3} INFO ", re.M)


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    """configure_logging replaces the root handlers; give the next test back the ones it had."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    for handler in root.handlers:
        if handler not in handlers:
            handler.close()
    root.handlers[:], root.level = handlers, level


@pytest.fixture
def drive(tmp_path: Path) -> Path:
    folder = tmp_path / "drive" / "Team data"
    folder.mkdir(parents=True)
    (folder / "countries.csv").write_bytes(small_csv())
    return tmp_path / "drive"


def _config(tmp_path: Path, drive: Path, **extra: str) -> Path:
    lines = ['folder = "Team data"', f'local = "{drive}"', f'cache = "{tmp_path / "cache"}"']
    lines += [f'{k} = "{v}"' for k, v in extra.items()]
    path = tmp_path / "gdrivestats.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_environment_wins_over_the_file_and_arguments_over_both(tmp_path: Path, drive: Path) -> None:
    config = _config(tmp_path, drive)
    env = {"GDRIVESTATS_FOLDER": "From env", "GDRIVESTATS_TOP": "5", "GDRIVESTATS_PATTERNS": "*.csv,*.xlsx"}
    settings = load_settings(config, environ=env, overrides={"top": 7, "workers": None})
    assert settings.folder == "From env"
    assert settings.top == 7 and settings.workers == 8
    assert settings.patterns == ["*.csv", "*.xlsx"]
    assert settings.cache_dir == tmp_path / "cache"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('folder = "x"\ncolour = "blue"\n', "unknown setting(s) colour"),
        ('top = "many"\n', "setting 'top' has an unusable value 'many'"),
        ("folder = [unclosed\n", "not a readable TOML file"),
    ],
)
def test_bad_configuration_is_one_clear_error(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=re.escape(message)):
        load_settings(path, environ={})


@pytest.mark.slow  # whole scheduled runs: analysis in worker processes, reports, write-back
def test_scheduled_run_logs_with_timestamps_and_exits_0_then_1(
    tmp_path: Path, drive: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    from gdrivestats.schedule import configure_logging

    log_file = tmp_path / "logs" / "run.log"
    settings = load_settings(_config(tmp_path, drive, log_file=str(log_file)), environ={})
    configure_logging(settings.log_file)
    assert run_scheduled(settings) == 0
    err = capfd.readouterr().err
    assert STAMP.search(err) and "Analysed 1 changed workbook(s), 0 failed" in err
    assert "Analysed 1 changed workbook(s)" in log_file.read_text()
    assert (drive / "Team data" / "gdrivestats" / "countries" / "summary.json").is_file()

    (drive / "Team data" / "empty.csv").write_bytes(b"")
    assert run_scheduled(settings) == 1
    assert "empty.csv" in capfd.readouterr().err


def test_a_held_lock_exits_3_and_a_missing_folder_exits_2(tmp_path: Path, drive: Path) -> None:
    settings = load_settings(_config(tmp_path, drive), environ={})
    (tmp_path / "cache").mkdir()
    with FileLock(str(tmp_path / "cache" / LOCK_FILE)):
        assert run_scheduled(settings) == 3
    settings.folder = "No such folder"
    assert run_scheduled(settings) == 2


@pytest.mark.slow  # whole scheduled runs: analysis in worker processes, reports, write-back
def test_the_scheduled_script_end_to_end(tmp_path: Path, drive: Path) -> None:
    config = _config(tmp_path, drive)
    script = [sys.executable, str(ROOT / "scripts" / "scheduled_sync.py"), "--config", str(config)]
    done = subprocess.run(script, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert STAMP.search(done.stderr)
    with FileLock(str(tmp_path / "cache" / LOCK_FILE)):
        locked = subprocess.run(script, capture_output=True, text=True, timeout=300)
    assert locked.returncode == 3 and "another run holds the lock" in locked.stderr
    bad = subprocess.run(
        [*script[:2], "--config", str(tmp_path / "missing.toml")], capture_output=True, text=True
    )
    assert bad.returncode == 2 and "configuration file not found" in bad.stderr
    assert "Traceback" not in bad.stderr


@pytest.mark.slow  # whole scheduled runs: analysis in worker processes, reports, write-back
def test_run_schedule_safe_from_the_cli_with_the_settings_file_from_the_environment(
    tmp_path: Path, drive: Path
) -> None:
    import os

    config = _config(tmp_path, drive)
    log_file = tmp_path / "run.log"
    env = {**os.environ, "GDRIVESTATS_CONFIG": str(config)}
    command = [sys.executable, "-m", "gdrivestats", "run", "--schedule-safe", "--log-file", str(log_file)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 0, done.stderr
    assert STAMP.search(done.stderr) and "Analysed 1 changed workbook(s), 0 failed" in done.stderr
    assert STAMP.search(log_file.read_text())
    with FileLock(str(tmp_path / "cache" / LOCK_FILE)):
        locked = subprocess.run(command, capture_output=True, text=True, timeout=300, env=env)
    assert locked.returncode == 3 and "another run holds the lock" in locked.stderr
