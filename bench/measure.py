"""Timing and counting: run statistics (median, min, max), timed subprocesses (and the peak memory of a
process tree), the emulator's request log."""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent


@dataclass
class Stats:
    """The values of several runs of one measurement (seconds, bytes, ...)."""

    values: list[float] = field(default_factory=list)

    def add(self, value: float) -> None:
        self.values.append(float(value))

    @property
    def runs(self) -> int:
        return len(self.values)

    @property
    def median(self) -> float:
        return statistics.median(self.values) if self.values else float("nan")

    @property
    def min(self) -> float:
        return min(self.values) if self.values else float("nan")

    @property
    def max(self) -> float:
        return max(self.values) if self.values else float("nan")

    def to_dict(self) -> dict[str, Any]:
        return {"median": self.median, "min": self.min, "max": self.max, "runs": self.values}


class CommandFailed(RuntimeError):
    """A benchmarked command exited with an error."""


@dataclass(frozen=True)
class Timed:
    """A finished subprocess: wall seconds (process start included) and its output."""

    seconds: float
    returncode: int
    stdout: str
    stderr: str
    cpu_seconds: float = 0.0  # user + system CPU of the process and of any child it waited for


def run_timed(
    command: Sequence[str], env: Mapping[str, str] | None = None, timeout: float = 900, check: bool = True
) -> Timed:
    """Run ``command`` and time it from just before the fork until it exits."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(
        list(command),
        env=dict(env) if env is not None else None,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    if check and done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-15:]
        raise CommandFailed(f"{' '.join(command[:3])} ... exited {done.returncode}:\n" + "\n".join(tail))
    return Timed(seconds, done.returncode, done.stdout, done.stderr, cpu)


def python_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """An environment for Python children: the repository importable, no proxies, unbuffered output."""
    drop = {"http_proxy", "https_proxy", "all_proxy", "no_proxy"}
    env = {k: v for k, v in os.environ.items() if k.lower() not in drop and not k.startswith("GDRIVESTATS_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH", "")]))
    env["PYTHONUNBUFFERED"] = "1"
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    env.update(extra or {})
    return env


def run_worker(task: str, args: Sequence[str], env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Run ``python -m bench.worker TASK ARGS`` in a fresh process; returns the JSON it prints last."""
    done = run_timed([sys.executable, "-m", "bench.worker", task, *args], env=env or python_env())
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if not lines:
        raise CommandFailed(f"worker {task} printed no result:\n{done.stderr[-2000:]}")
    return json.loads(lines[-1])


@dataclass
class Traffic:
    """What the emulator saw during one run: requests by kind, faults, bytes in and out."""

    calls: Counter[str] = field(default_factory=Counter)
    bytes_out: int = 0
    bytes_in: int = 0
    media_bytes: int = 0
    faults: int = 0

    @property
    def total_calls(self) -> int:
        return sum(self.calls.values())

    def describe(self) -> str:
        """``"list 3, media 1000"``: calls by kind, most frequent first."""
        return ", ".join(
            f"{kind} {n}" for kind, n in sorted(self.calls.items(), key=lambda kv: (-kv[1], kv[0]))
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "calls": dict(self.calls),
            "total_calls": self.total_calls,
            "bytes_out": self.bytes_out,
            "bytes_in": self.bytes_in,
            "media_bytes": self.media_bytes,
            "faults": self.faults,
        }


def traffic(entries: Iterable[Any]) -> Traffic:
    """Summarise emulator log entries (``gdrivestats.emulator.LogEntry``); batch parts count as calls."""
    result = Traffic()
    for entry in entries:
        result.calls[entry.kind] += 1
        result.bytes_out += entry.bytes_out
        result.bytes_in += entry.bytes_in
        if entry.kind in ("media", "export"):
            result.media_bytes += entry.bytes_out
        if entry.fault:
            result.faults += 1
    return result


def peak_rss_mb(kilobytes: float) -> float:
    """ru_maxrss (KiB on Linux) in MiB."""
    return kilobytes / 1024


def _tree_rss_kb(root: int) -> int:
    """Resident memory (KiB) of ``root`` and all its descendants now, from /proc (0 where unreadable)."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", encoding="ascii", errors="replace") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    total, todo, page_kb = 0, [root], os.sysconf("SC_PAGE_SIZE") // 1024
    while todo:
        pid = todo.pop()
        todo += children.get(pid, [])
        try:
            with open(f"/proc/{pid}/statm", encoding="ascii") as handle:
                total += int(handle.read().split()[1]) * page_kb
        except (OSError, IndexError, ValueError):
            continue
    return total


@dataclass(frozen=True)
class Sampled:
    """A finished subprocess with the peak resident memory of its process tree (sum over processes)."""

    timed: Timed
    peak_tree_mb: float


def run_sampled(
    command: Sequence[str],
    env: Mapping[str, str],
    cwd: Path,
    timeout: float = 3600,
    interval: float = 0.25,
) -> Sampled:
    """Run ``command`` like ``run_timed`` (``check=False``) while sampling the summed RSS of its process
    tree (the command and every worker it starts) every ``interval`` s; Linux only (0 elsewhere)."""
    peak = 0
    readable = Path("/proc/self/statm").is_file()
    started = time.perf_counter()
    with subprocess.Popen(
        list(command), env=dict(env), cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as process:
        out: dict[str, str] = {}

        def drain(name: str, stream: Any) -> None:
            out[name] = stream.read()

        readers = [
            threading.Thread(target=drain, args=(name, stream), daemon=True)
            for name, stream in (("stdout", process.stdout), ("stderr", process.stderr))
        ]
        for reader in readers:
            reader.start()
        deadline = started + timeout
        while process.poll() is None:
            if readable:
                peak = max(peak, _tree_rss_kb(process.pid))
            if time.perf_counter() > deadline:
                process.kill()
                break
            time.sleep(interval)
        process.wait()
        seconds = time.perf_counter() - started
        for reader in readers:
            reader.join()
    timed = Timed(seconds, process.returncode, out.get("stdout", ""), out.get("stderr", ""))
    return Sampled(timed, peak / 1024)
