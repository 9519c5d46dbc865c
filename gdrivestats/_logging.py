"""The one logging set-up of the command line and the scheduled job: levels, format, files, warnings."""

from __future__ import annotations

import logging
import sys
import warnings
from pathlib import Path
from typing import Any

from gdrivestats.names import printable

#: Libraries too chatty to log below WARNING even with -vv (HTTP stack, plotting, file locks).
NOISY_LOGGERS = ("googleapiclient", "urllib3", "httplib2", "matplotlib", "PIL", "filelock")

#: Where library warnings arrive: kept in the log file (and shown with -v), not on a terminal or in cron mail.
LIBRARY_WARNING_LOGGERS = ("py.warnings", "matplotlib", "PIL")

TIMESTAMPED = "%(asctime)s %(levelname)s %(name)s: %(message)s"
PLAIN = "gdrivestats: %(message)s"


def level_for(verbosity: int, default: int = logging.WARNING) -> int:
    """The root level for a verbosity: -1 (-q) errors only, 0 ``default``, 1+ (-v, -vv) DEBUG."""
    if verbosity < 0:
        return logging.ERROR
    return default if verbosity == 0 else logging.DEBUG


def setup_logging(
    verbosity: int = 0,
    log_file: Path | None = None,
    timestamps: bool = False,
    default: int = logging.WARNING,
) -> None:
    """Log to stderr (and, when given, append to ``log_file``), replacing earlier handlers.

    ``verbosity``: -1 (-q) errors only; 0 ``default``; 1 (-v) DEBUG, with tracebacks, except the
    :data:`NOISY_LOGGERS`; 2 (-vv) those too. ``timestamps`` (the scheduled job; always with -v and in the
    file) gives "date time LEVEL logger: message" lines, otherwise "gdrivestats: message". Warnings from the
    ``warnings`` module (pandas, openpyxl, matplotlib) become WARNING records of ``py.warnings``: written to
    ``log_file``, on stderr only with -v. Tokens and secrets are redacted from every line.
    """
    stamped = timestamps or verbosity >= 1
    formatter = logging.Formatter(TIMESTAMPED if stamped else PLAIN)
    console = logging.StreamHandler(sys.stderr)
    if verbosity < 1:
        console.addFilter(_without_library_warnings)
    handlers: list[logging.Handler] = [console]
    if log_file is not None:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        file_handler = logging.FileHandler(log_file, encoding="utf-8")
        file_handler.setFormatter(logging.Formatter(TIMESTAMPED))  # a file always gets timestamps
        handlers.append(file_handler)
    for handler in handlers:
        if handler.formatter is None:
            handler.setFormatter(formatter)
        handler.addFilter(_printable_record)
    logging.basicConfig(level=level_for(verbosity, default), handlers=handlers, force=True)
    for noisy in NOISY_LOGGERS:
        logging.getLogger(noisy).setLevel(logging.NOTSET if verbosity >= 2 else logging.WARNING)
    capture_warnings()
    from gdrivestats.auth.redact import install_log_filter

    install_log_filter()  # tokens, codes and secrets never reach a log line, even with -vv


def _printable_record(record: logging.LogRecord) -> bool:
    """Every record on one line, with control characters shown (a Drive name with ESC or a newline in it
    can neither colour the terminal nor forge a log line); tracebacks are formatted apart, as they are."""
    message = record.getMessage()
    if not message.isprintable():
        record.msg, record.args = printable(message), None
    return True


def _without_library_warnings(record: logging.LogRecord) -> bool:
    """False for a library's warning (matplotlib's missing glyphs, pandas' dtype notes): log file only."""
    if record.levelno >= logging.ERROR:
        return True
    return not any(record.name == n or record.name.startswith(n + ".") for n in LIBRARY_WARNING_LOGGERS)


def capture_warnings() -> None:
    """Route ``warnings.warn`` calls into logging (``py.warnings``), under the usual warning filters."""
    if getattr(warnings.showwarning, "__module__", None) != "logging":
        logging.captureWarnings(False)  # a capture that was replaced since (warnings.catch_warnings) is stale
    logging.captureWarnings(True)


class WorkerLogs:
    """Log records (and captured warnings) of worker processes, handled by this process's handlers.

    In the parent::

        with WorkerLogs(context) as logs:  # context: the multiprocessing context of the pool
            pool = ProcessPoolExecutor(..., initializer=start, initargs=(logs.queue, ...))

    and first thing in the worker's initializer: ``setup_worker_logging(queue)``. The records then go
    through the parent's filters and handlers: library warnings into the --log-file, not the terminal.
    """

    def __init__(self, context: Any) -> None:
        import logging.handlers  # here: a re-sync with nothing to do never needs it

        class Listener(logging.handlers.QueueListener):
            """Reads a SimpleQueue (whose ``get`` takes no ``block``)."""

            def dequeue(self, block: bool) -> logging.LogRecord:
                return self.queue.get()

            def enqueue_sentinel(self) -> None:
                self.queue.put(self._sentinel)  # type: ignore[attr-defined]

        # A SimpleQueue, not a Queue: a worker's put is in the pipe before the call returns (a Queue hands
        # it to a feeder thread), so every record of a task, a --verbose traceback too, comes in before the
        # task's result, and none is lost when the pool shuts down right after.
        self.queue = context.SimpleQueue()
        self._listener = Listener(self.queue, _Forward(), respect_handler_level=False)

    def __enter__(self) -> WorkerLogs:
        self._listener.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._listener.stop()


class _Forward(logging.Handler):
    """Hands a record from a worker to the parent's logger of the same name (its level and handlers)."""

    def emit(self, record: logging.LogRecord) -> None:
        logger = logging.getLogger(record.name)
        if logger.isEnabledFor(record.levelno):
            logger.handle(record)


def setup_worker_logging(queue: Any, level: int = logging.DEBUG) -> None:
    """In a worker process: every record and warning goes to ``queue`` (see :class:`WorkerLogs`)."""
    import logging.handlers

    root = logging.getLogger()
    for handler in root.handlers[:]:
        root.removeHandler(handler)

    class Handler(logging.handlers.QueueHandler):
        """Puts on a SimpleQueue (no ``put_nowait``): at once, in the pipe before the task returns."""

        def enqueue(self, record: logging.LogRecord) -> None:
            self.queue.put(record)  # type: ignore[attr-defined]

    root.addHandler(Handler(queue))
    root.setLevel(level)
    capture_warnings()


__all__ = [
    "LIBRARY_WARNING_LOGGERS",
    "NOISY_LOGGERS",
    "WorkerLogs",
    "capture_warnings",
    "level_for",
    "setup_logging",
    "setup_worker_logging",
]
