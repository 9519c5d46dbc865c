"""The scheduled sync-and-analyse job: settings, a lock per cache, timestamped logs, documented exit codes.

Exit codes (:class:`gdrivestats.exit_codes.ExitCode`): 0 all good; 1 some workbooks (or downloads) failed;
2 configuration or authentication error; 3 another run holds the lock on this cache.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from gdrivestats.config import Settings
from gdrivestats.errors import AuthError, CacheLocked, ConfigError, GdriveStatsError, NotFound
from gdrivestats.exit_codes import ExitCode

if TYPE_CHECKING:
    from gdrivestats.drive.base import Drive
    from gdrivestats.pipeline import RunResult

log = logging.getLogger("gdrivestats.schedule")


def configure_logging(log_file: Path | None, verbose: bool = False) -> None:
    """The scheduled job's log: INFO and up, timestamped, to stderr and, when given, appended to a file."""
    from gdrivestats._logging import setup_logging

    setup_logging(1 if verbose else 0, log_file, timestamps=True, default=logging.INFO)


def run_scheduled(settings: Settings, verbose: bool = False) -> int:
    """One scheduled run under the lock on the cache (``pipeline.run`` takes it); returns the exit code."""
    cache = settings.cache_dir
    try:
        cache.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        log.error("cannot create the cache folder %s: %s", cache, exc)
        return ExitCode.CONFIG
    return _run_locked(settings, verbose)


def _run_locked(settings: Settings, verbose: bool) -> int:
    try:
        drive = open_drive(settings, write=True, interactive=False)
        log.info("run of %r into %s started", settings.folder or "/", settings.cache_dir)
        result = run_with(settings, drive, progress=False)
    except CacheLocked as exc:
        log.error("%s", exc)
        return ExitCode.LOCKED
    except (ConfigError, AuthError, NotFound) as exc:  # a folder that does not exist is configuration too
        log.error("%s", exc, exc_info=verbose)
        return ExitCode.CONFIG
    except GdriveStatsError as exc:
        log.error("%s", exc, exc_info=verbose)
        return ExitCode.FAILED
    for line in result.summary().splitlines():
        log.info("%s", line)
    return ExitCode.OK if result.ok else ExitCode.FAILED


def run_with(settings: Settings, drive: Drive, progress: bool, dry_run: bool = False) -> RunResult:
    """``pipeline.run`` with these settings (``dry_run``: say what it would do, change nothing)."""
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
        lock_timeout=settings.lock_timeout,
        dry_run=dry_run,
        charts=settings.charts,
        summary_as=settings.summary_as,
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
