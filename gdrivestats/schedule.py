"""The scheduled sync-and-analyse job: settings, a lock per cache, timestamped logs, documented exit codes.

Exit codes: 0 all good; 1 some workbooks (or downloads) failed; 2 configuration or authentication error;
3 another run holds the lock on this cache.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from gdrivestats.config import Settings
from gdrivestats.errors import AuthError, ConfigError, GdriveStatsError, NotFound
from gdrivestats.mirror.layout import LOCK_FILE

if TYPE_CHECKING:
    from gdrivestats.drive.base import Drive
    from gdrivestats.pipeline import RunResult

log = logging.getLogger("gdrivestats.schedule")

EXIT_OK, EXIT_FAILED, EXIT_CONFIG, EXIT_LOCKED = 0, 1, 2, 3
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure_logging(log_file: Path | None, verbose: bool = False) -> None:
    """Timestamped log lines to stderr and, when given, to a file (appended)."""
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if log_file is not None:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.FileHandler(log_file, encoding="utf-8"))
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO, format=LOG_FORMAT, handlers=handlers, force=True
    )
    for noisy in ("googleapiclient", "urllib3", "matplotlib", "PIL", "filelock"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def run_scheduled(settings: Settings, verbose: bool = False) -> int:
    """One scheduled run under a lock on the cache; returns the exit code."""
    from filelock import FileLock, Timeout

    cache = settings.cache_dir
    try:
        cache.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        log.error("cannot create the cache folder %s: %s", cache, exc)
        return EXIT_CONFIG
    lock = FileLock(str(cache / LOCK_FILE))
    try:
        lock.acquire(timeout=settings.lock_timeout)
    except Timeout:
        log.error("another run holds the lock on %s; not starting a second one", cache)
        return EXIT_LOCKED
    try:
        return _run_locked(settings, verbose)
    finally:
        lock.release()


def _run_locked(settings: Settings, verbose: bool) -> int:
    try:
        drive = open_drive(settings, write=True, interactive=False)
        log.info("run of %r into %s started", settings.folder or "/", settings.cache_dir)
        result = run_with(settings, drive, progress=False)
    except (ConfigError, AuthError, NotFound) as exc:  # a folder that does not exist is configuration too
        log.error("%s", exc, exc_info=verbose)
        return EXIT_CONFIG
    except GdriveStatsError as exc:
        log.error("%s", exc, exc_info=verbose)
        return EXIT_FAILED
    for line in result.summary().splitlines():
        log.info("%s", line)
    return EXIT_OK if result.ok else EXIT_FAILED


def run_with(settings: Settings, drive: Drive, progress: bool) -> RunResult:
    """``pipeline.run`` with these settings."""
    from gdrivestats.pipeline import run

    return run(
        drive,
        settings.folder,
        settings.cache_dir,
        out_folder=settings.out_folder,
        top=settings.top,
        workers=settings.workers,
        patterns=settings.patterns,
        progress=progress,
    )


def open_drive(settings: Settings, write: bool, interactive: bool | None = None) -> Drive:
    """The Drive backend for these settings: a local stand-in folder, or ``connect()``."""
    from gdrivestats.connect import connect

    if settings.local is not None:
        return connect(local=settings.local)
    return connect(
        service_account_file=settings.service_account_file,
        subject=settings.subject,
        write=write,
        interactive=interactive,
    )
