"""6. Run at scale: ``gdrivestats run`` on a folder of workbooks, against Drive's latency and write limit.

One folder of workbooks (multi-sheet statistics workbooks, small flat xlsx and CSV tables) on an emulator
that adds ``run_latency_ms`` to every request and answers 403 userRateLimitExceeded beyond
``run_write_rate`` writes a second, as Drive does per user. Three tools do the whole job (download, analyse,
write the outputs back) on the same ``run_count`` workbooks, each on a fresh emulator: the new
``gdrivestats run`` (the CLI, as a user runs it), today's code (commit ``OLD_COMMIT``, extracted with
``git archive`` and run the same way), and a naive Colab loop (``bench/naiverun.py``). The new run also does
``run_large`` workbooks, which the old code (about 30 files a workbook at 3 writes a second) cannot in the
time, and then runs again with nothing changed. Everything written is counted from the emulator's request
log and its store; memory is the summed RSS of the tool's process tree, sampled.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tarfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bench import data
from bench.config import Config
from bench.measure import REPO, python_env, run_sampled
from bench.syncbench import TOKEN, gdrivestats_command
from bench.tlsca import TestCA
from gdrivestats.emulator import Emulator, start_emulator

OLD_COMMIT = "331098d"
FOLDER = "Survey"
NEW = "gdrivestats run"
OLD = f"gdrivestats run at {OLD_COMMIT} (today's code)"
NAIVE_RUN = "naive Colab loop"
RERUN = "gdrivestats run again, nothing changed"
TOOLS = (NEW, OLD, NAIVE_RUN)
OUT_FOLDERS = {NEW: "gdrivestats", RERUN: "gdrivestats", OLD: "gdrivestats", NAIVE_RUN: "naive"}  # in FOLDER
WRITE_KINDS = frozenset({"create", "update", "upload-chunk", "delete", "copy", "permissions"})
PHASES = ("first request", "last download", "first upload", "last write", "exit")


@dataclass
class RunOutcome:
    """One tool's run over ``workbooks`` workbooks: its time and memory, and what it wrote to Drive."""

    tool: str
    workbooks: int
    seconds: float = float("nan")
    peak_tree_mb: float = float("nan")
    files_written: int = 0  # accepted uploads (a create or update through /upload: one file's content)
    folders_created: int = 0
    writes: int = 0  # every write request Drive accepted
    rate_limited: int = 0  # 403 userRateLimitExceeded answers
    bytes_written: int = 0  # request bytes of the accepted writes
    total_calls: int = 0
    calls: dict[str, int] = field(default_factory=dict)
    files_on_drive: int = 0  # files in the tool's output folder afterwards
    output_folders: int = 0  # folders directly inside it (one a workbook)
    load_before: float = float("nan")  # 1-minute load average when the run started
    phases: dict[str, float] = field(default_factory=dict)  # seconds from the process start (PHASES)
    error: str | None = None

    def per_workbook(self, value: float) -> float:
        return value / self.workbooks if self.workbooks else float("nan")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class RunResults:
    """The outcomes of every tool at every scale, and what the run could not measure."""

    count: int
    large: int
    latency_ms: int
    write_rate: float
    commit: str
    mix: dict[str, int] = field(default_factory=dict)  # workbooks of each kind in the large folder
    folder_bytes: dict[int, int] = field(default_factory=dict)  # workbooks -> bytes of the folder
    outcomes: list[RunOutcome] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def get(self, tool: str, workbooks: int) -> RunOutcome | None:
        return next((o for o in self.outcomes if o.tool == tool and o.workbooks == workbooks), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "count": self.count,
            "large": self.large,
            "latency_ms": self.latency_ms,
            "write_rate": self.write_rate,
            "commit": self.commit,
            "mix": self.mix,
            "folder_bytes": {str(k): v for k, v in self.folder_bytes.items()},
            "outcomes": [o.to_dict() for o in self.outcomes],
            "problems": self.problems,
        }


def extract_old_code(target: Path, commit: str = OLD_COMMIT) -> Path:
    """The ``gdrivestats`` package as of ``commit`` under ``target`` (``git archive``: the repository is only
    read); returns the folder to put on PYTHONPATH. RuntimeError when git or the commit is not there."""
    try:
        archive = subprocess.run(
            ["git", "-C", str(REPO), "archive", "--format=tar", commit, "gdrivestats"],
            capture_output=True,
            check=False,
            timeout=120,
        )
    except OSError as exc:
        raise RuntimeError(f"git is not available ({exc})") from exc
    if archive.returncode != 0:
        reason = archive.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["?"]
        raise RuntimeError(f"git archive {commit} failed: {reason[0]}")
    target.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(target, filter="data")
    return target


def _phases(entries: Sequence[Any], started: float, seconds: float) -> dict[str, float]:
    """When (s after the process started) the tool sent its first request, got its last download, made
    its first upload and its last write, and exited: where a run's time goes, from the emulator's log."""
    times = {
        "first request": [e.time for e in entries],
        "last download": [e.time for e in entries if e.kind in ("media", "export")],
        "first upload": [e.time for e in entries if e.path.startswith("/upload/")],
        "last write": [e.time for e in entries if e.kind in WRITE_KINDS],
    }
    found = {
        name: (min(ts) if name.startswith("first") else max(ts)) - started for name, ts in times.items() if ts
    }
    return {**found, "exit": seconds}


def _counts(emulator: Emulator, outcome: RunOutcome, started: float) -> None:
    """Fill ``outcome``'s Drive figures from the emulator's request log and store."""
    calls: Counter[str] = Counter()
    entries = emulator.log.entries()
    outcome.phases = _phases(entries, started, outcome.seconds)
    for entry in entries:
        calls[entry.kind] += 1
        if entry.status == 403 and entry.kind in WRITE_KINDS:
            outcome.rate_limited += 1
        if entry.kind not in WRITE_KINDS or not 200 <= entry.status < 300:
            continue
        outcome.writes += 1
        outcome.bytes_written += entry.bytes_in
        if entry.kind in ("create", "update") and entry.path.startswith("/upload/"):
            outcome.files_written += 1
        elif entry.kind == "create":
            outcome.folders_created += 1
    outcome.calls = dict(calls)
    outcome.total_calls = sum(calls.values())
    store = emulator.state
    top = next(f for f in store.children(store.root_id) if f.name == FOLDER and f.is_folder)
    out = next((f for f in store.children(top.id) if f.name == OUT_FOLDERS[outcome.tool]), None)
    if out is not None:
        outcome.files_on_drive = sum(1 for f in store.descendants(out.id) if not f.is_folder)
        outcome.output_folders = sum(1 for f in store.children(out.id) if f.is_folder)


def _error_line(stderr: str, stdout: str, returncode: int) -> str:
    lines = [line.strip() for line in (stderr or stdout).splitlines() if line.strip()]
    return f"exit {returncode}: {lines[-1][:300] if lines else 'no output'}"


def run_one(
    tool: str,
    command: Callable[[Emulator, Path], Sequence[str]],
    env: dict[str, str],
    files: list[data.TreeFile],
    config: Config,
    tls: TestCA,
    work: Path,
    again: bool = False,
) -> list[RunOutcome]:
    """One run of ``tool`` on a fresh emulator holding ``files``, the write limit on, as on Drive; with
    ``again``, a second run with the same cache after it (nothing changed: RERUN)."""
    outcomes = []
    emulator = start_emulator(
        latency_ms=0, certfile=tls.server_cert, keyfile=tls.server_key, write_rate=config.run_write_rate
    )
    try:
        top = emulator.state.add_folder("root", FOLDER)
        for item in files:
            emulator.state.add_file(top.id, item.name, item.data, item.mime_type)
        emulator.latency_ms = config.run_latency_ms
        env = {**env, "GDRIVESTATS_DRIVE_URL": emulator.url}
        work.mkdir(parents=True, exist_ok=True)
        for name in (tool, RERUN) if again else (tool,):
            outcome = RunOutcome(name, len(files))
            emulator.log.clear()
            outcome.load_before = os.getloadavg()[0]
            started = time.time()  # the log's clock
            done = run_sampled(command(emulator, work / "cache"), env, cwd=work)
            outcome.seconds = done.timed.seconds
            outcome.peak_tree_mb = done.peak_tree_mb
            if done.timed.returncode != 0:
                outcome.error = _error_line(done.timed.stderr, done.timed.stdout, done.timed.returncode)
            _counts(emulator, outcome, started)
            outcomes.append(outcome)
            if outcome.error:
                break
    finally:
        emulator.stop()
    return outcomes


def run_at_scale(
    config: Config, tls: TestCA, work: Path, data_dir: Path, log: Callable[[str], None]
) -> RunResults:
    """Every tool on ``run_count`` workbooks, then the new run alone on ``run_large`` (when set)."""
    results = RunResults(
        config.run_count, config.run_large, config.run_latency_ms, config.run_write_rate, OLD_COMMIT
    )
    biggest = data.run_folder(max(config.run_count, config.run_large), data_dir)
    results.mix = dict(Counter(_kind(f.name) for f in biggest))
    home = work / "home"
    home.mkdir(parents=True, exist_ok=True)
    trust = {"HTTPLIB2_CA_CERTS": str(tls.ca_cert), "HOME": str(home), "XDG_CACHE_HOME": str(home / "cache")}
    gds_env = python_env({**trust, "GDRIVESTATS_ACCESS_TOKEN": TOKEN})
    gds = gdrivestats_command()
    commands: dict[str, tuple[Callable[[Emulator, Path], Sequence[str]], dict[str, str]]] = {
        NEW: (lambda emu, cache: [*gds, "run", FOLDER, "--cache", str(cache)], gds_env),
        NAIVE_RUN: (
            lambda emu, cache: [
                sys.executable,
                str(REPO / "bench" / "naiverun.py"),
                *("--url", emu.url, "--token", TOKEN, "--folder", FOLDER),
            ],
            python_env(trust),
        ),
    }
    try:
        old = extract_old_code(work / "old-code")
        old_env = {**gds_env, "PYTHONPATH": str(old)}
        commands[OLD] = (
            lambda emu, cache: [sys.executable, "-m", "gdrivestats", "run", FOLDER, "--cache", str(cache)],
            old_env,
        )
    except RuntimeError as exc:
        results.problems.append(f"today's code ({OLD_COMMIT}) could not be run: {exc}; its row is missing.")
    scales = [config.run_count] + ([config.run_large] if config.run_large > config.run_count else [])
    for count in scales:
        files = biggest[:count]
        results.folder_bytes[count] = sum(len(f.data) for f in files)
        for tool in TOOLS if count == config.run_count else (NEW,):
            if tool not in commands:
                continue
            command, env = commands[tool]
            log(f"run: {tool}, {count} workbooks")
            again = tool == NEW and count == scales[-1]
            where = work / f"{TOOLS.index(tool)}-{count}"
            for outcome in run_one(tool, command, env, files, config, tls, where, again):
                results.outcomes.append(outcome)
                if outcome.error:
                    log(f"run: {outcome.tool} failed: {outcome.error}")
    return results


def _kind(name: str) -> str:
    if name.endswith("-statistics.xlsx"):
        return "multi-sheet statistics xlsx"
    return "flat csv" if name.endswith(".csv") else "flat xlsx"
