"""1. Sync a tree of small workbooks from the emulator: gdrivestats, the naive script, rclone, the floor.

One emulator (TLS, added latency) holds the tree; every tool runs as its own process against it and the
emulator's request log says what each run cost. Scenarios: first sync into an empty folder, re-sync with
nothing changed, re-sync after ``changed_files`` files got new content; then, at 100 ms a request (closer to
Drive's own latency) on a smaller tree of its own, the first sync and the re-sync with nothing changed for
gdrivestats and rclone (the naive script and rclone's default first sync would take minutes there). The
first syncs also run ``bench/floorsync.py``, the least a Python program on gdrivestats' client stack must do
(no retries, checks, state or fsync): gdrivestats behind it is its own code, it behind rclone is the stack.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import data, rclone
from bench.config import Config
from bench.measure import REPO, Stats, Traffic, python_env, run_timed, traffic
from bench.proxy import ConnectProxy
from bench.tlsca import TestCA
from gdrivestats.emulator import Emulator, start_emulator

FOLDER = "Reports"
TOKEN = "test-token"
SLOW_LATENCY_MS = 100
SLOW_FOLDER = "Reports at 100 ms"
SLOW_TREE = (200, 10)  # files, folders: a first sync at 100 ms stays a few seconds
SLOW_TREE_QUICK = (8, 2)
SLOW_FIRST = f"first sync at {SLOW_LATENCY_MS} ms"
SLOW_UNCHANGED = f"re-sync, nothing changed, at {SLOW_LATENCY_MS} ms"
SCENARIOS = ("first sync", "re-sync, nothing changed", "re-sync, files changed", SLOW_FIRST, SLOW_UNCHANGED)
GDRIVESTATS = "gdrivestats"
NAIVE = "naive script"
FLOOR = "client-stack floor"
WARM_FOLDER = "Warm-up (no such folder)"
WARM_TIMEOUT_S = 120
FIRST_ONLY = {FLOOR}  # no state to re-sync from: it would download everything again
SLOW_TOOLS = {NAIVE, rclone.DEFAULTS}  # tens of seconds a first sync: fewer runs


@dataclass
class Tool:
    """A sync tool as a command line: ``command(dest)``, the environment to run it in, and ``warm``, the
    same tool asked for a folder that does not exist (into ``warm_dest``), run untimed just before each
    timed run (see ``warm_up``)."""

    name: str
    command: Callable[[Path], list[str]]
    env: dict[str, str]
    warm: list[str] = field(default_factory=list)
    warm_dest: Path | None = None


@dataclass
class Outcome:
    """The runs of one tool in one scenario."""

    seconds: Stats = field(default_factory=Stats)
    first_request: Stats = field(default_factory=Stats)  # s from launch to the first request's arrival
    cpu: Stats = field(default_factory=Stats)  # CPU seconds of the tool's process, all its threads
    traffic: list[Traffic] = field(default_factory=list)
    files: int = 0  # workbooks in the destination after the last run
    bytes: int = 0
    error: str | None = None
    warnings: set[str] = field(default_factory=set)

    @property
    def calls(self) -> Stats:
        return Stats([float(t.total_calls) for t in self.traffic])

    def kind_calls(self, kind: str) -> Stats:
        return Stats([float(t.calls.get(kind, 0)) for t in self.traffic])

    def to_dict(self) -> dict[str, Any]:
        return {
            "seconds": self.seconds.to_dict(),
            "first_request": self.first_request.to_dict(),
            "cpu": self.cpu.to_dict(),
            "traffic": [t.to_dict() for t in self.traffic],
            "files": self.files,
            "bytes": self.bytes,
            "error": self.error,
            "warnings": sorted(self.warnings),
        }


@dataclass
class SyncResults:
    """Outcomes by scenario, then by tool; plus what the run could not measure."""

    files: int
    folders: int
    tree_bytes: int
    latency_ms: int
    changed: int
    outcomes: dict[str, dict[str, Outcome]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    tools: list[str] = field(default_factory=list)

    def get(self, scenario: str, tool: str) -> Outcome | None:
        return self.outcomes.get(scenario, {}).get(tool)

    def to_dict(self) -> dict[str, Any]:
        return {
            "files": self.files,
            "folders": self.folders,
            "tree_bytes": self.tree_bytes,
            "latency_ms": self.latency_ms,
            "changed": self.changed,
            "tools": self.tools,
            "problems": self.problems,
            "outcomes": {s: {t: o.to_dict() for t, o in by.items()} for s, by in self.outcomes.items()},
        }


def gdrivestats_command() -> list[str]:
    """The ``gdrivestats`` console script of this interpreter's environment (else ``python -m``)."""
    script = Path(sys.executable).with_name("gdrivestats")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "gdrivestats"]


def compile_package() -> None:
    """Byte-compile gdrivestats' modules, as installing it does (pip writes the .pyc files at install time).

    An editable install run with PYTHONDONTWRITEBYTECODE set (as on the benchmark machine) would otherwise
    compile every module from source again in every timed run, a cost no installed copy pays.
    """
    package = REPO / "gdrivestats"
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(package)], check=False, capture_output=True)


def make_tools(
    emulator: Emulator, tls: TestCA, work: Path, proxy: ConnectProxy | None, folder: str = FOLDER
) -> list[Tool]:
    """gdrivestats, the naive script, and (when installed) rclone, defaults and tuned, syncing ``folder``."""
    home = work / "home"
    home.mkdir(parents=True, exist_ok=True)
    trust = {"HTTPLIB2_CA_CERTS": str(tls.ca_cert), "HOME": str(home), "XDG_CACHE_HOME": str(home / "cache")}
    gds_env = python_env({**trust, "GDRIVESTATS_DRIVE_URL": emulator.url, "GDRIVESTATS_ACCESS_TOKEN": TOKEN})
    gds = gdrivestats_command()
    naive = [sys.executable, str(REPO / "bench" / "naive.py"), "--url", emulator.url, "--token", TOKEN]
    floor = [sys.executable, str(REPO / "bench" / "floorsync.py"), "--url", emulator.url, "--token", TOKEN]
    builders: list[tuple[str, Callable[[str, Path], list[str]], dict[str, str]]] = [
        (GDRIVESTATS, lambda name, dest: [*gds, "sync", name, "--cache", str(dest)], gds_env),
        (NAIVE, lambda name, dest: [*naive, "--folder", name, "--dest", str(dest)], python_env(trust)),
        (FLOOR, lambda name, dest: [*floor, "--folder", name, "--dest", str(dest)], python_env(trust)),
    ]
    binary = rclone.find_rclone()
    if binary is not None and proxy is not None:
        root_id = emulator.state.root_id
        for name, flags in rclone.PROFILES.items():
            home_dir = work / _slug(name)
            home_dir.mkdir(parents=True, exist_ok=True)
            # The tuned run also saves root_folder_id, as rclone's debug log suggests, sparing one call.
            tuned = bool(flags)
            rc = rclone.make_rclone(binary, home_dir, proxy.url, tls.ca_cert, root_id if tuned else None)
            builders.append((name, _rclone_command(rc, flags), rc.env))
    tools = []
    for name, build, env in builders:
        scratch = work / "warm" / _slug(name)
        tools.append(Tool(name, _for_folder(build, folder), env, build(WARM_FOLDER, scratch), scratch))
    return tools


def _slug(name: str) -> str:
    return name.replace(" ", "-").replace("(", "").replace(")", "")


def _for_folder(build: Callable[[str, Path], list[str]], folder: str) -> Callable[[Path], list[str]]:
    return lambda dest: build(folder, dest)


def _rclone_command(rc: rclone.Rclone, flags: tuple[str, ...]) -> Callable[[str, Path], list[str]]:
    return lambda folder, dest: rc.copy_command(folder, dest, flags)


def seed_tree(emulator: Emulator, tree: list[data.TreeFile], folder: str = FOLDER) -> list[str]:
    """Create ``<folder>/<dept>/<file>`` in the emulator's My Drive; returns the file ids in tree order."""
    store = emulator.state
    top = store.add_folder("root", folder)
    folders: dict[str, str] = {}
    ids = []
    for item in tree:
        if item.folder not in folders:
            folders[item.folder] = store.add_folder(top.id, item.folder).id
        ids.append(store.add_file(folders[item.folder], item.name, item.data, item.mime_type).id)
    return ids


def workbooks_in(dest: Path) -> tuple[int, int]:
    """(count, bytes) of the .xlsx/.csv files below ``dest`` (state files and temporaries excluded)."""
    files = [
        p
        for p in dest.rglob("*")
        if p.is_file() and p.suffix in (".xlsx", ".csv") and not p.name.startswith(".")
    ]
    return len(files), sum(p.stat().st_size for p in files)


def settle_disk() -> None:
    """Write out every dirty page before a timed run, so that no run pays for an earlier one's writes.

    A tool that does not fsync (rclone, the floor, the naive script) leaves its thousand files' bytes to
    the kernel, which writes them back seconds later: during the next tool's run, on the same 2 cores.
    """
    if hasattr(os, "sync"):
        os.sync()


def warm_up(tool: Tool) -> str | None:
    """Run ``tool.warm`` untimed, so that its code is in memory, as shortly after another run of it;
    returns what went wrong, if it could not run (the timed run goes on, and says so in its warnings).

    The benchmark machine's kernel pages out file-backed pages idle for a minute (DAMON, action
    ``pageout``, recorded in the machine table). The tools take turns, the naive script's and rclone's
    defaults' runs alone last that long, so each tool's next run read its interpreter's modules or its
    binary back from disk: gdrivestats' first request came at 88-90 ms in the runs that closely followed
    another of its own and at 119-164 ms after a gap of 75 s (35 major page faults against 0-8); with
    this warm-up, 107-134 ms after such a gap against 149-201 ms without (one series, alternating). The
    warm-up asks for a folder that does not exist, so it imports and connects as the run will and makes
    its first calls (kept out of the run's figures: see ``_run_once``), into an empty scratch folder
    each time: it copies nothing. It warms code only: a re-sync's own files (gdrivestats' state, the
    copies rclone compares) may still be read back from disk.
    """
    if not tool.warm:
        return None
    if tool.warm_dest is not None:
        shutil.rmtree(tool.warm_dest, ignore_errors=True)
    try:
        subprocess.run(tool.warm, env=tool.env, capture_output=True, check=False, timeout=WARM_TIMEOUT_S)
    except (subprocess.TimeoutExpired, OSError) as exc:
        return f"warm-up failed: {str(exc).splitlines()[0][:200]}"
    return None


def _run_once(tool: Tool, dest: Path, emulator: Emulator, outcome: Outcome) -> None:
    problem = warm_up(tool)
    if problem:
        outcome.warnings.add(problem)
    settle_disk()
    emulator.log.clear()
    launched = time.time()
    try:
        timed = run_timed(tool.command(dest), env=tool.env)
    except Exception as exc:  # recorded and shown in the table; the other tools go on
        outcome.error = str(exc).splitlines()[0][:300]
        outcome.traffic.append(traffic(emulator.log.entries()))
        return
    # A Drive call is logged as its answer goes out, one latency after it arrived; a call that arrived
    # before the launch was the warm-up's (one it left running when it exited), logged after the clear.
    latency = emulator.latency_ms / 1000
    arrived = [(e.time - (0 if e.kind in ("oauth", "other") else latency), e) for e in emulator.log.entries()]
    ours = [(when, e) for when, e in arrived if when >= launched]
    entries = [e for _, e in ours]
    outcome.seconds.add(timed.seconds)
    outcome.cpu.add(timed.cpu_seconds)
    if ours:
        outcome.first_request.add(min(when for when, _ in ours) - launched)
    outcome.traffic.append(traffic(entries))
    outcome.files, outcome.bytes = workbooks_in(dest)
    for line in timed.stderr.splitlines():  # retries, errors and warnings a tool printed
        if any(word in line for word in ("ERROR", "Traceback", "error:", "WARNING", "warning:", "retry")):
            outcome.warnings.add(line.strip()[:200])


@dataclass
class SyncContext:
    """The live setup, handed to a hook before the emulator stops (to profile a missed target)."""

    emulator: Emulator
    tools: dict[str, Tool]
    dests: dict[str, Path]
    work: Path


def run_sync(
    config: Config,
    tls: TestCA,
    work: Path,
    data_dir: Path,
    log: Callable[[str], None],
    hook: Callable[[SyncResults, SyncContext], None] | None = None,
) -> SyncResults:
    """Run the three scenarios for every tool; the tools take turns within each repetition."""
    tree = data.small_tree(config.tree_files, config.tree_folders, data_dir)
    results = SyncResults(
        files=len(tree),
        folders=config.tree_folders,
        tree_bytes=sum(len(f.data) for f in tree),
        latency_ms=config.latency_ms,
        changed=config.changed_files,
    )
    compile_package()
    emulator = start_emulator(latency_ms=0, certfile=tls.server_cert, keyfile=tls.server_key)
    proxy = ConnectProxy(emulator.port) if rclone.find_rclone() else None
    if proxy is None:
        results.problems.append("rclone is not installed (apt-get install rclone): its rows are missing.")
    slow_files, slow_folders = SLOW_TREE_QUICK if config.quick else SLOW_TREE
    slow_tree = data.small_tree(slow_files, slow_folders, data_dir)
    try:
        ids = seed_tree(emulator, tree)
        seed_tree(emulator, slow_tree, SLOW_FOLDER)
        emulator.latency_ms = config.latency_ms
        tools = make_tools(emulator, tls, work, proxy)
        results.tools = [t.name for t in tools]
        by_scenario = {SCENARIOS[0]: {t.name: Outcome() for t in tools}}
        resyncing = [t for t in tools if t.name not in FIRST_ONLY]
        by_scenario |= {s: {t.name: Outcome() for t in resyncing} for s in SCENARIOS[1:3]}
        results.outcomes = by_scenario
        dests = {t.name: work / "dest" / _slug(t.name) for t in tools}
        for rep in range(max(config.first_sync_runs, config.slow_first_sync_runs)):
            for tool in tools:
                runs = config.slow_first_sync_runs if tool.name in SLOW_TOOLS else config.first_sync_runs
                if rep >= runs:
                    continue
                dests[tool.name] = _first_sync_dest(work / "dest", tool, rep)
                log(f"sync: first sync {rep + 1}/{runs}: {tool.name}")
                _run_once(tool, dests[tool.name], emulator, by_scenario[SCENARIOS[0]][tool.name])
        for rep in range(config.resync_runs):
            for tool in resyncing:
                log(f"sync: re-sync, nothing changed {rep + 1}/{config.resync_runs}: {tool.name}")
                _run_once(tool, dests[tool.name], emulator, by_scenario[SCENARIOS[1]][tool.name])
        for rep in range(config.resync_runs):
            _change_files(emulator, tree, ids, rep, config.changed_files)
            for tool in resyncing:
                changed = config.changed_files
                log(f"sync: re-sync, {changed} changed {rep + 1}/{config.resync_runs}: {tool.name}")
                _run_once(tool, dests[tool.name], emulator, by_scenario[SCENARIOS[2]][tool.name])
        _run_slow(config, emulator, tls, work, proxy, by_scenario, log)
        results.problems.append(
            f"The rows at {SLOW_LATENCY_MS} ms sync a tree of their own, {len(slow_tree):,} workbooks "
            f"({sum(len(f.data) for f in slow_tree) / 1e6:.1f} MB) in {slow_folders} folders (the 20 ms "
            "tree would take minutes a run there); the naive script and rclone's default first sync are "
            "not run at that latency."
        )
        if hook is not None:
            emulator.latency_ms = config.latency_ms
            hook(results, SyncContext(emulator, {t.name: t for t in tools}, dests, work))
    finally:
        if proxy is not None:
            proxy.stop()
            if proxy.refused:
                results.problems.append(f"the CONNECT proxy refused {proxy.refused} request(s).")
        emulator.stop()
    return results


def _run_slow(
    config: Config,
    emulator: Emulator,
    tls: TestCA,
    work: Path,
    proxy: ConnectProxy | None,
    by_scenario: dict[str, dict[str, Outcome]],
    log: Callable[[str], None],
) -> None:
    """The first sync and the no-change re-sync at 100 ms a request: gdrivestats and rclone, taking turns."""
    emulator.latency_ms = SLOW_LATENCY_MS
    tools = [t for t in make_tools(emulator, tls, work / "slow", proxy, SLOW_FOLDER) if t.name != NAIVE]
    dests = {t.name: work / "slow-dest" / _slug(t.name) for t in tools}
    first = [t for t in tools if t.name not in SLOW_TOOLS]
    by_scenario[SLOW_FIRST] = {t.name: Outcome() for t in first}
    tools = [t for t in tools if t.name not in FIRST_ONLY]
    by_scenario[SLOW_UNCHANGED] = {t.name: Outcome() for t in tools}
    for rep in range(config.first_sync_runs):
        for tool in first:
            dests[tool.name] = _first_sync_dest(work / "slow-dest", tool, rep)
            log(f"sync: {SLOW_FIRST} {rep + 1}/{config.first_sync_runs}: {tool.name}")
            _run_once(tool, dests[tool.name], emulator, by_scenario[SLOW_FIRST][tool.name])
    seeded = next((dests[t.name] for t in tools if t.name == rclone.TUNED and dests[t.name].is_dir()), None)
    for tool in tools:  # rclone with its defaults starts from tuned rclone's copy (same files and times)
        if tool not in first and seeded is not None:
            shutil.rmtree(dests[tool.name], ignore_errors=True)
            shutil.copytree(seeded, dests[tool.name])
    for rep in range(config.resync_runs):
        for tool in tools:
            if not dests[tool.name].is_dir():
                continue
            log(f"sync: {SLOW_UNCHANGED} {rep + 1}/{config.resync_runs}: {tool.name}")
            _run_once(tool, dests[tool.name], emulator, by_scenario[SLOW_UNCHANGED][tool.name])


def _first_sync_dest(folder: Path, tool: Tool, rep: int) -> Path:
    """An empty folder of its own for each first sync (the last one is where the re-syncs run); the earlier
    ones stay until the benchmark's work folder goes. Removing a run's thousand files just before the next
    run made every file that run created cost 0.1-1 ms of kernel time on this machine's ext4 (no journal):
    its inode allocator steps over the inodes freed in the last minutes (``recently_deleted``, perf), so a
    tool paid for the one before it, and the more so the more files it creates on its connections."""
    return folder / f"{_slug(tool.name)}-{rep + 1}"


def _change_files(
    emulator: Emulator, tree: list[data.TreeFile], ids: list[str], rep: int, count: int
) -> None:
    """Give ``count`` files (spread over the tree, different ones each repetition) new content."""
    step = max(1, len(ids) // count)
    for i in range(count):
        index = (i * step + rep * 7) % len(ids)
        seed = 1_000_000 + rep * 1_000 + index
        name = tree[index].name
        content = data.small_xlsx(seed) if name.endswith(".xlsx") else data.small_csv(seed)
        emulator.state.update_content(ids[index], content)
