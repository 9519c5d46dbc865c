"""Analyse workbooks in worker processes with a memory and a time limit each: one bad workbook never stops the
others, whatever it does (an exception, MemoryError, a hang, a crash of its worker).

The parent hands out at most ``workers`` tasks at a time and yields each result as it finishes, so uploads
of finished workbooks overlap with the analysis of the others. A worker that crashes or overruns its time
is stopped; the workbooks that were in flight beside it are analysed again, one at a time, so only the
culprit is reported.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import resource
import signal
import sys
import threading
import time
from collections.abc import Generator, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

from gdrivestats._logging import WorkerLogs, setup_worker_logging

log = logging.getLogger(__name__)

DEFAULT_MEMORY_LIMIT = 1536 * 1024 * 1024
"""Memory one workbook's analysis may use beyond what the worker needs to start (bytes)."""
DEFAULT_TIME_LIMIT = 300.0
"""Seconds one workbook's analysis may take."""
_GRACE = 30.0  # the parent stops a worker this long after its own alarm should have fired
_STOP_GRACE = 10.0  # on Ctrl-C or SIGTERM, workers may finish the workbook they are writing this long
_WORKER_BASE = 400 * 1024 * 1024  # a worker's own footprint, for sizing the pool to the memory there is
_PRELOAD = ["gdrivestats.report", "gdrivestats.workbook", "gdrivestats.mirror.parsed", "gdrivestats.analysis"]


@dataclass(frozen=True)
class Task:
    """One workbook to analyse: read ``source``, write its outputs into the folder ``out`` (made by it)."""

    key: str
    source: Path
    out: Path
    label: str
    top: int = 10
    sheet: str | None = None
    parsed_cache: Path | None = None
    charts: bool = False


@dataclass(frozen=True)
class Done:
    """What became of a task: ``error`` is None when its outputs are in ``task.out``, else one line."""

    task: Task
    error: str | None = None


@dataclass(frozen=True)
class Limits:
    """Per-workbook limits (memory in bytes beyond the worker's start, time in seconds)."""

    memory: int = DEFAULT_MEMORY_LIMIT
    seconds: float = DEFAULT_TIME_LIMIT


def analyse_all(
    tasks: Iterable[Task],
    workers: int | None = None,
    limits: Limits | None = None,
    stop: threading.Event | None = None,
) -> Iterator[Done]:
    """Analyse every task in worker processes; yield each result as it finishes (in no set order).

    Setting ``stop`` (from another thread) ends it within about a second: the workbooks being analysed
    get a short grace to finish writing, then their workers are stopped, and nothing more is yielded.
    """
    limits = limits or Limits()
    queue = list(tasks)
    if not queue:
        return
    size = pool_size(len(queue), limits, workers)
    suspects: list[Task] = []  # in flight when a worker died: analysed again alone
    finished = False  # some pool ran to the end or yielded a result
    while (queue or suspects) and not (stop is not None and stop.is_set()):
        if suspects:
            batch, window = [suspects.pop(0)], 1
        else:
            batch, queue, window = queue, [], size
        left, culprits = yield from _run_pool(batch, window, limits, stop)
        if culprits is not None:
            nothing_done = len(culprits) + len(left) == len(batch)
            if not finished and nothing_done and _workers_cannot_start(limits):
                for task in culprits + left + queue + suspects:
                    yield Done(task, _NO_WORKERS)
                return
            if len(culprits) == 1:
                yield Done(culprits[0], _crash_message(limits))
            else:
                suspects.extend(culprits)
        finished = True
        queue = left + queue


def pool_size(tasks: int, limits: Limits, workers: int | None = None) -> int:
    """Workers for ``tasks`` workbooks: the CPUs, bounded by the memory available and by ``workers``."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    by_memory = max(1, _available_memory() // (limits.memory + _WORKER_BASE))
    return max(1, min(tasks, cpus, by_memory, workers or cpus))


_PoolRun = Generator[Done, None, tuple[list[Task], list[Task] | None]]


def _run_pool(
    tasks: list[Task], window: int, limits: Limits, stop: threading.Event | None = None
) -> _PoolRun:
    """Run ``tasks`` in one pool; return the tasks not finished and, if the pool broke, those in flight."""
    context = multiprocessing.get_context("forkserver" if "forkserver" in _methods() else "spawn")
    if context.get_start_method() == "forkserver":
        context.set_forkserver_preload(_PRELOAD)
    # Workers start as tasks arrive (not all at the first submit), so __main__ stays hidden all along.
    with WorkerLogs(context) as logs, _main_not_reimported():  # worker logs go through our handlers
        level = logging.getLogger().getEffectiveLevel()
        pool = ProcessPoolExecutor(
            max_workers=window,
            mp_context=context,
            initializer=_start_worker,
            initargs=(limits, logs.queue, level, os.getpid()),
        )
        pool.submit(int).result()
        pending = list(tasks)
        running: dict[Future[str | None], tuple[Task, float]] = {}
        try:
            while pending or running:
                if stop is not None and stop.is_set():
                    return [], None
                while pending and len(running) < window:
                    task = pending.pop(0)
                    running[pool.submit(_analyse, task)] = (task, time.monotonic())
                done, _ = wait(list(running), timeout=1.0, return_when=FIRST_COMPLETED)
                for future in done:
                    task, _started = running.pop(future)
                    try:
                        yield Done(task, future.result())
                    except BrokenProcessPool:
                        in_flight = [task, *(t for t, _ in running.values())]
                        return pending, in_flight
                late = time.monotonic() - limits.seconds - _GRACE  # started before this: overdue
                overdue = [f for f, (_, t0) in running.items() if t0 < late and not f.done()]
                if overdue:
                    task = running[overdue[0]][0]
                    _kill_workers(pool)
                    yield Done(task, f"took longer than {limits.seconds:.0f} s; its analysis was stopped")
                    others = [t for f, (t, _) in running.items() if f is not overdue[0]]
                    return others + pending, None
            return [], None
        finally:  # also on Ctrl-C or SIGTERM: the workbooks being written finish (briefly), then stop
            unfinished = [f for f in running if not f.done()]
            for future in unfinished:
                future.cancel()
            if unfinished:
                wait(unfinished, timeout=_STOP_GRACE)
                _kill_workers(pool)
            # Wait for the pool's own thread (quick: every worker is idle or killed). Left running, it can
            # close its wake-up pipe just as the interpreter's exit hook writes to it: an OSError traceback
            # printed after a clean run (CPython 3.11; 3.12 puts a lock around the pipe, gh-125451).
            pool.shutdown(wait=True, cancel_futures=True)


@contextlib.contextmanager
def _main_not_reimported() -> Iterator[None]:
    """Start workers without importing the caller's script again in each of them.

    multiprocessing re-runs ``__main__`` in every new worker (a script, ``python -c``, stdin); a script
    without ``if __name__ == "__main__":`` would then run itself once per worker. The workers need only
    gdrivestats, so while a pool lives (its workers start as tasks arrive), ``__main__`` shows no file or
    spec to re-import.
    """
    main = sys.modules.get("__main__")
    names: tuple[str, ...] = ("__file__", "__spec__")
    saved: dict[str, object] = {k: main.__dict__[k] for k in names if main is not None and k in main.__dict__}
    try:
        if main is not None:
            main.__dict__.pop("__file__", None)
            main.__dict__["__spec__"] = None
        yield
    finally:
        if main is not None:
            main.__dict__.pop("__spec__", None)
            main.__dict__.update(saved)


def _kill_workers(pool: ProcessPoolExecutor) -> None:
    for process in list(getattr(pool, "_processes", {}).values()):
        with contextlib.suppress(OSError, AttributeError):
            process.kill()


_NO_WORKERS = (
    "the worker processes that analyse workbooks could not start; if you call gdrivestats from a script, "
    'put the call under `if __name__ == "__main__":` (each worker imports the script again)'
)


def _workers_cannot_start(limits: Limits) -> bool:
    """True when a fresh worker dies before doing anything: a trivial task breaks the pool."""
    context = multiprocessing.get_context("forkserver" if "forkserver" in _methods() else "spawn")
    try:
        with (
            _main_not_reimported(),
            ProcessPoolExecutor(
                1,
                mp_context=context,
                initializer=_start_worker,
                initargs=(limits, None, logging.WARNING, os.getpid()),
            ) as pool,
        ):
            pool.submit(int).result(timeout=60)
    except BrokenProcessPool:
        return True
    except Exception:  # a timeout or another failure: not a cause we can name
        return False
    return False


def _crash_message(limits: Limits) -> str:
    return (
        f"its analysis crashed (out of memory beyond the {limits.memory / 2**30:.1f} GB limit for one "
        "workbook, or a crash in a reader library); the file may be damaged or too large"
    )


def _methods() -> list[str]:
    return multiprocessing.get_all_start_methods()


def _available_memory() -> int:
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 4 * 2**30


# ---- in the worker ------------------------------------------------------------------------------------

_limits = Limits()


class _TimeUp(BaseException):
    """The workbook's time limit passed (a BaseException, like KeyboardInterrupt: no ``except Exception``
    in a reader may swallow it)."""


def _start_worker(limits: Limits, log_queue: Any, level: int, parent: int) -> None:
    """Set this worker's limits (its address space may grow by ``limits.memory`` beyond its start), send
    its log records and warnings to the parent, and end with the run that started it (``parent``)."""
    global _limits
    _limits = limits
    threading.Thread(target=_end_with, args=(parent,), name="gdrivestats-parent-watch", daemon=True).start()
    if log_queue is not None:
        setup_worker_logging(log_queue, level)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    signal.signal(signal.SIGTERM, _terminated)  # killed politely: clean up (atomic folders) and go
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    wanted = _address_space() + limits.memory
    if hard == resource.RLIM_INFINITY or wanted < hard:
        resource.setrlimit(resource.RLIMIT_AS, (wanted, hard))


PARENT_CHECK = 1.0  # seconds between a worker's checks that its run is still there
EXIT_ORPHANED = 70  # a worker whose run is gone (nobody reads it; for ps and core dumps)


def _end_with(parent: int) -> None:
    """Exit when the run that started this worker is gone (killed with SIGKILL, the machine's OOM killer):
    a pool's workers hold both ends of their task queue, so they would otherwise wait for work forever."""
    while True:
        time.sleep(PARENT_CHECK)
        try:
            os.kill(parent, 0)
        except (ProcessLookupError, PermissionError):  # gone (or its number taken by another user's)
            os._exit(EXIT_ORPHANED)


def _address_space() -> int:
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _terminated(_signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(143)  # unwinds through atomic_folder, which removes its temporary folder


def _alarm(_signum: int, _frame: FrameType | None) -> None:
    raise _TimeUp


def _analyse(task: Task) -> str | None:
    """Analyse one workbook into ``task.out``; None when done, else one line saying what went wrong."""
    from gdrivestats.errors import GdriveStatsError

    signal.signal(signal.SIGALRM, _alarm)
    try:
        signal.setitimer(signal.ITIMER_REAL, _limits.seconds)
        _analyse_unguarded(task)
        return None
    except GdriveStatsError as exc:
        log.debug("analysis of %s failed", task.source, exc_info=True)  # the traceback --verbose shows
        return _one_line(str(exc))
    except MemoryError:
        return f"out of memory: analysing it needs more than the {_limits.memory / 2**30:.1f} GB limit"
    except _TimeUp:
        return f"took longer than {_limits.seconds:.0f} s; its analysis was stopped"
    except RecursionError:
        return "too deeply nested to read"
    except Exception as exc:  # a bug or a reader library's own error: one line, the others go on
        log.debug("analysis of %s failed", task.source, exc_info=True)
        return _one_line(f"could not be analysed ({type(exc).__name__}: {exc})")
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


def _analyse_unguarded(task: Task) -> None:
    from gdrivestats.report import build_report
    from gdrivestats.workbook import load_workbook

    if task.parsed_cache is not None:
        from gdrivestats.mirror.parsed import load_cached

        workbook = load_cached(task.source, task.parsed_cache, sheet=task.sheet)
    else:
        workbook = load_workbook(task.source, sheet=task.sheet)
    workbook.source = task.label
    build_report(workbook, top=task.top).save(task.out, charts=task.charts)


def _one_line(text: str, limit: int = 400) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


__all__ = ["Done", "Limits", "Task", "analyse_all", "pool_size"]
