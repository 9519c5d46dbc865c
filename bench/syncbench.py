"""1. Sync a tree of small workbooks from the emulator: gdrivestats vs the naive script vs rclone.

One emulator (TLS, added latency) holds the tree; every tool runs as its own process against it and the
emulator's request log says what each run cost. Scenarios: first sync into an empty folder, re-sync with
nothing changed, re-sync after ``changed_files`` files got new content.
"""

from __future__ import annotations

import shutil
import sys
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
SCENARIOS = ("first sync", "re-sync, nothing changed", "re-sync, files changed")
GDRIVESTATS = "gdrivestats"
NAIVE = "naive script"
SLOW_TOOLS = {NAIVE, "rclone (defaults)"}  # tens of seconds a first sync: fewer runs


@dataclass
class Tool:
    """A sync tool as a command line: ``command(dest)`` and the environment to run it in."""

    name: str
    command: Callable[[Path], list[str]]
    env: dict[str, str]


@dataclass
class Outcome:
    """The runs of one tool in one scenario."""

    seconds: Stats = field(default_factory=Stats)
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


def make_tools(emulator: Emulator, tls: TestCA, work: Path, proxy: ConnectProxy | None) -> list[Tool]:
    """gdrivestats, the naive script, and (when installed) rclone with defaults and tuned."""
    home = work / "home"
    home.mkdir(parents=True, exist_ok=True)
    trust = {"HTTPLIB2_CA_CERTS": str(tls.ca_cert), "HOME": str(home), "XDG_CACHE_HOME": str(home / "cache")}
    gds_env = python_env({**trust, "GDRIVESTATS_DRIVE_URL": emulator.url, "GDRIVESTATS_ACCESS_TOKEN": TOKEN})
    gds = gdrivestats_command()
    naive = [sys.executable, str(REPO / "bench" / "naive.py"), "--url", emulator.url, "--token", TOKEN]
    tools = [
        Tool(GDRIVESTATS, lambda dest: [*gds, "sync", FOLDER, "--cache", str(dest)], gds_env),
        Tool(NAIVE, lambda dest: [*naive, "--folder", FOLDER, "--dest", str(dest)], python_env(trust)),
    ]
    binary = rclone.find_rclone()
    if binary is None or proxy is None:
        return tools
    root_id = emulator.state.root_id
    for name, flags in rclone.PROFILES.items():
        folder = work / name.replace(" ", "-").replace("(", "").replace(")", "")
        folder.mkdir(parents=True, exist_ok=True)
        # The tuned run also saves root_folder_id, as rclone's debug log suggests, sparing one call.
        tuned = bool(flags)
        rc = rclone.make_rclone(binary, folder, proxy.url, tls.ca_cert, root_id if tuned else None)
        tools.append(Tool(name, _rclone_command(rc, flags), rc.env))
    return tools


def _rclone_command(rc: rclone.Rclone, flags: tuple[str, ...]) -> Callable[[Path], list[str]]:
    return lambda dest: rc.copy_command(FOLDER, dest, flags)


def seed_tree(emulator: Emulator, tree: list[data.TreeFile]) -> list[str]:
    """Create ``Reports/<dept>/<file>`` in the emulator's My Drive; returns the file ids in tree order."""
    store = emulator.state
    top = store.add_folder("root", FOLDER)
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


def _run_once(tool: Tool, dest: Path, emulator: Emulator, outcome: Outcome) -> None:
    emulator.log.clear()
    try:
        timed = run_timed(tool.command(dest), env=tool.env)
    except Exception as exc:  # recorded and shown in the table; the other tools go on
        outcome.error = str(exc).splitlines()[0][:300]
        outcome.traffic.append(traffic(emulator.log.entries()))
        return
    outcome.seconds.add(timed.seconds)
    outcome.traffic.append(traffic(emulator.log.entries()))
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
    emulator = start_emulator(latency_ms=0, certfile=tls.server_cert, keyfile=tls.server_key)
    proxy = ConnectProxy(emulator.port) if rclone.find_rclone() else None
    if proxy is None:
        results.problems.append("rclone is not installed (apt-get install rclone): its rows are missing.")
    try:
        ids = seed_tree(emulator, tree)
        emulator.latency_ms = config.latency_ms
        tools = make_tools(emulator, tls, work, proxy)
        results.tools = [t.name for t in tools]
        by_scenario = {s: {t.name: Outcome() for t in tools} for s in SCENARIOS}
        results.outcomes = by_scenario
        dests = {t.name: work / "dest" / t.name.replace(" ", "-") for t in tools}
        for rep in range(max(config.first_sync_runs, config.slow_first_sync_runs)):
            for tool in tools:
                runs = config.slow_first_sync_runs if tool.name in SLOW_TOOLS else config.first_sync_runs
                if rep >= runs:
                    continue
                shutil.rmtree(dests[tool.name], ignore_errors=True)
                log(f"sync: first sync {rep + 1}/{runs}: {tool.name}")
                _run_once(tool, dests[tool.name], emulator, by_scenario[SCENARIOS[0]][tool.name])
        for rep in range(config.resync_runs):
            for tool in tools:
                log(f"sync: re-sync, nothing changed {rep + 1}/{config.resync_runs}: {tool.name}")
                _run_once(tool, dests[tool.name], emulator, by_scenario[SCENARIOS[1]][tool.name])
        for rep in range(config.resync_runs):
            _change_files(emulator, tree, ids, rep, config.changed_files)
            for tool in tools:
                changed = config.changed_files
                log(f"sync: re-sync, {changed} changed {rep + 1}/{config.resync_runs}: {tool.name}")
                _run_once(tool, dests[tool.name], emulator, by_scenario[SCENARIOS[2]][tool.name])
        if hook is not None:
            hook(results, SyncContext(emulator, {t.name: t for t in tools}, dests, work))
    finally:
        if proxy is not None:
            proxy.stop()
            if proxy.refused:
                results.problems.append(f"the CONNECT proxy refused {proxy.refused} request(s).")
        emulator.stop()
    return results


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
