#!/usr/bin/env python3
"""Scheduled sync-and-analyse job for cron or a systemd timer: sync a Drive folder, analyse what changed,
write the outputs back. The same as ``gdrivestats run --schedule-safe``.

Settings come from a TOML file (``--config``, default ``$GDRIVESTATS_CONFIG``) and ``GDRIVESTATS_*``
environment variables (they win over the file); credentials from a service-account key
(``service_account_file`` in the file, or ``GOOGLE_APPLICATION_CREDENTIALS``) or a stored token.

Exit codes: 0 all good; 1 some workbooks failed; 2 configuration or authentication error; 3 another run holds
the lock on the cache.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from gdrivestats.cli import Parser
from gdrivestats.config import load_settings
from gdrivestats.errors import ConfigError
from gdrivestats.exit_codes import ExitCode
from gdrivestats.interrupts import Terminated, sigterm_as_exit
from gdrivestats.schedule import configure_logging, log, run_scheduled


def main(argv: list[str] | None = None) -> int:
    """Parse the arguments, load the settings and run once under the cache lock."""
    parser = Parser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, default=os.environ.get("GDRIVESTATS_CONFIG") or None)
    parser.add_argument("--log-file", type=Path, help="also append the log to this file")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging and tracebacks")
    args = parser.parse_args(argv)
    try:
        settings = load_settings(args.config, overrides={"log_file": args.log_file})
        configure_logging(settings.log_file, verbose=args.verbose)
    except (ConfigError, OSError) as exc:
        configure_logging(None)
        log.error("%s", exc)
        return ExitCode.CONFIG
    try:
        with sigterm_as_exit():  # systemd's stop: clean up temporary folders and release the lock
            return run_scheduled(settings, verbose=args.verbose)
    except Terminated:
        log.error("terminated; the next run finishes the job")
        return ExitCode.TERMINATED


if __name__ == "__main__":
    sys.exit(main())
