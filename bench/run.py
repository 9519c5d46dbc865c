"""The benchmark command: run every section, print the tables, rewrite BENCHMARKS.md (``python -m bench``)."""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # ``python bench/run.py``
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import environment, findings, render
from bench.config import Config
from bench.loadbench import LoadResults, run_loading
from bench.measure import REPO, run_worker
from bench.profiling import Profile, py_spy_gil, pyinstrument, startup_seconds, tree_lines
from bench.runbench import RunResults, run_at_scale
from bench.syncbench import (
    FLOOR,
    FOLDER,
    GDRIVESTATS,
    SCENARIOS,
    SLOW_FIRST,
    TOKEN,
    SyncContext,
    SyncResults,
    Tool,
    run_sync,
)
from bench.targets import RCLONE_TUNED, Target, load_targets, report_target, run_targets, sync_targets
from bench.tlsca import make_test_ca
from bench.uploadbench import UploadResults, run_upload

SECTIONS = ("sync", "load", "upload", "run")
DEFAULT_OUTPUT = REPO / "BENCHMARKS.md"


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes, one run each (CI); writes no file")
    parser.add_argument("--output", type=Path, help=f"Markdown to write (full run default: {DEFAULT_OUTPUT})")
    parser.add_argument("--json", type=Path, help="also write every figure as JSON")
    parser.add_argument("--only", action="append", choices=SECTIONS, help="run only these sections")
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=Path(tempfile.gettempdir()) / "gdrivestats-bench-data",
        help="where generated inputs are kept between runs",
    )
    parser.add_argument(
        "--run-large",
        type=int,
        metavar="N",
        help="workbooks for the new run's larger scale in section 6 (full default: 200, the issue's scale)",
    )
    profile = parser.add_mutually_exclusive_group()
    profile.add_argument(
        "--profile",
        dest="profile",
        action="store_true",
        default=None,
        help="profile missed targets (default: in full runs)",
    )
    profile.add_argument("--no-profile", dest="profile", action="store_false")
    return parser.parse_args(argv)


# What any Python program needs before it can send a Drive request the way gdrivestats does (through
# google-api-python-client): the standard library's HTTP, TLS and logging modules, httplib2, google-auth's
# httplib2 transport and the client library's request module, with gdrivestats' stand-ins for the modules
# they import but a read never uses (gdrivestats/drive/_deferred.py run from its file, as bench/floorsync.py
# does: importing it as a module would import gdrivestats' own packages first).
_DEFERRED_FILE = REPO / "gdrivestats" / "drive" / "_deferred.py"
_CLIENT_STACK = (
    "import importlib.util as u; s = u.spec_from_file_location('_stand_ins', "
    f"{str(_DEFERRED_FILE)!r}); s.loader.exec_module(u.module_from_spec(s)); "
    "import http.client, ssl, logging, httplib2, google_auth_httplib2, googleapiclient.http"
)
_STACK_NAMES = "http.client, ssl, logging, httplib2, google_auth_httplib2, googleapiclient.http"
# The modules `gdrivestats sync` imports before its first call (the client stack among them), then that and
# the command line's work up to the call: arguments parsed, logging set up, settings read, the drive opened.
_OWN_MODULES = (
    "import gdrivestats.cli, gdrivestats._logging, gdrivestats.interrupts, gdrivestats.schedule, "
    "gdrivestats.config, gdrivestats.location, gdrivestats.auth.chain, gdrivestats.auth.access_token, "
    "gdrivestats.drive.api, gdrivestats.mirror.early"
)
_OWN_PATH = (
    "import gdrivestats.cli as c, gdrivestats.interrupts; from gdrivestats._logging import setup_logging; "
    "a = c.parse(['sync', 'Reports', '--cache', 'cache']); setup_logging(a.verbosity, None); "
    "from gdrivestats.schedule import open_drive; open_drive(c._source_settings(a), write=False); "
    "import gdrivestats.mirror.early"
)


class Run:
    """One benchmark run: its settings, results, profiles and failures."""

    def __init__(self, config: Config, args: argparse.Namespace, work: Path) -> None:
        self.config = config
        self.args = args
        self.work = work
        self.profile = (not config.quick) if args.profile is None else bool(args.profile)
        self.sync: SyncResults | None = None
        self.load: LoadResults | None = None
        self.upload: UploadResults | None = None
        self.runs: RunResults | None = None
        self.targets: list[Target] = []
        self.profiles: list[Profile] = []
        self.failures: list[str] = []
        self.notes: list[str] = []
        self.done: list[str] = []  # sections finished (or failed)
        self.checkpoint: Callable[[], None] | None = None  # called after each section but the last
        self.started = time.monotonic()

    def log(self, message: str) -> None:
        print(f"[{time.monotonic() - self.started:6.1f}s] {message}", file=sys.stderr, flush=True)

    def section(self, name: str, action: Callable[[], None]) -> None:
        if self.args.only and name not in self.args.only:
            return
        try:
            action()
        except Exception as exc:  # reported in the table and the exit status; the other sections go on
            self.log(traceback.format_exc())
            lines = [line for line in str(exc).splitlines() if line.strip()] or [""]
            self.failures.append(f"section {name} failed: {type(exc).__name__}: {lines[0]} … {lines[-1]}")
        self.done.append(name)
        if self.checkpoint is not None and len(self.done) < len(SECTIONS):
            self.checkpoint()

    # ---- profiles of missed targets ---------------------------------------------------------------------

    def guarded(self, what: str, action: Callable[[], None]) -> None:
        """Run a profile; its failure (a profiler that cannot attach, say) is a note, never a lost section."""
        try:
            action()
        except Exception as exc:
            self.log(traceback.format_exc())
            self.notes.append(f"{what} could not be profiled: {type(exc).__name__}: {str(exc)[:200]}")

    def profile_sync(self, results: SyncResults, context: SyncContext) -> None:
        self.guarded("the sync", lambda: self._profile_sync(results, context))

    def _profile_sync(self, results: SyncResults, context: SyncContext) -> None:
        if not self.profile:
            return
        missed = {t.key for t in sync_targets(results) if t.met is False}
        tool = context.tools[GDRIVESTATS]
        if missed & {"first-vs-naive", "first-vs-rclone"}:
            self.log("profile: first sync (py-spy, GIL samples of every thread)")
            dest = self.work / "profile-first"
            shutil.rmtree(dest, ignore_errors=True)
            found = py_spy_gil(
                "gdrivestats first sync", tool.command(dest), tool.env, self.work / "first.raw"
            )
            if found is None:
                self.notes.append(
                    "py-spy is not installed (pip install py-spy): the first sync was not profiled."
                )
            else:
                self.profiles.append(found)
        if missed & {"first-vs-rclone", "first-request"}:
            self.profiles.append(self._shares(results))
            self.log("profile: what the first request waits for (interpreter, libraries, gdrivestats)")
            self.profiles.append(self._first_request_floor(results, tool))
        if "first-vs-rclone" in missed:
            self.log("profile: CPU per download, the client stack's own request against gdrivestats' fetch")
            self.profiles.append(self._request_cpu(results, context))
        if missed & {"resync-vs-rclone", "resync-calls"}:
            self.log("profile: re-sync with nothing changed (pyinstrument)")
            args = ["sync", FOLDER, "--cache", str(context.dests[GDRIVESTATS])]
            self.profiles.append(
                pyinstrument(
                    "gdrivestats re-sync, nothing changed (main thread)",
                    ["-m", "gdrivestats", *args],
                    tool.env,
                    self.work / "resync.txt",
                )
            )
            runs = 3 if self.config.quick else 5
            start = startup_seconds(
                [*tool.command(context.dests[GDRIVESTATS])[:1], "--version"], tool.env, runs
            )
            bare = startup_seconds([sys.executable, "-c", "pass"], tool.env, runs)
            self.profiles.append(
                Profile(
                    "process start",
                    "gdrivestats --version; python -c pass",
                    [
                        f"gdrivestats --version: {render.seconds(start, 3)} (interpreter + CLI parser)",
                        f"python -c pass:        {render.seconds(bare, 3)} (interpreter alone)",
                    ],
                )
            )

    @staticmethod
    def _shares(results: SyncResults) -> Profile:
        """The first sync split in two: tuned rclone to the client-stack floor (the interpreter and the
        client libraries), and the floor to gdrivestats (its own code), in wall time and first request."""
        lines = []
        for scenario in (SCENARIOS[0], SLOW_FIRST):
            found = {name: results.get(scenario, name) for name in (RCLONE_TUNED, FLOOR, GDRIVESTATS)}
            if any(o is None or o.error or not o.seconds.runs for o in found.values()):
                continue
            wall = {name: o.seconds.median for name, o in found.items() if o is not None}
            first = {
                name: o.first_request.median * 1000
                for name, o in found.items()
                if o is not None and o.first_request.runs
            }
            lines.append(f"{scenario}:")
            for name in found:
                extra = f", first request {first[name]:.0f} ms" if name in first else ""
                lines.append(f"  {name + ':':24s}{wall[name]:6.2f} s{extra} (median)")
            for label, low, high in (
                ("the stack's share", RCLONE_TUNED, FLOOR),
                ("gdrivestats' own share", FLOOR, GDRIVESTATS),
            ):
                both = {low, high} <= set(first)
                extra = f", first request {first[high] - first[low]:+.0f} ms" if both else ""
                lines.append(f"  {label + ':':24s}{wall[high] - wall[low]:+6.2f} s ({high} − {low}){extra}")
        if not lines:
            lines = ["not measured: the floor, tuned rclone or gdrivestats has no first sync in this run"]
        return Profile(
            "first sync: tuned rclone, the client-stack floor, gdrivestats",
            "the sync table (bench/floorsync.py: the same client stack, no retries, checks, state or fsync)",
            lines,
        )

    def _first_request_floor(self, results: SyncResults, tool: Tool) -> Profile:
        """How long Python takes before any program of ours could send a request with this client stack:
        the interpreter alone, then the standard-library and client-library modules a first request
        needs, next to gdrivestats' own first request and tuned rclone's (from the sync table)."""
        runs = 3 if self.config.quick else 9
        bare = startup_seconds([sys.executable, "-c", "pass"], tool.env, runs)
        stack = startup_seconds([sys.executable, "-c", _CLIENT_STACK], tool.env, runs)
        of = f"median of {runs}, fastest {{:.0f}}"
        modules = startup_seconds([sys.executable, "-c", _OWN_MODULES], tool.env, runs)
        path = startup_seconds([sys.executable, "-c", _OWN_PATH], tool.env, runs)
        lines = [
            f"{'python -c pass:':34s}{bare.median * 1000:5.0f} ms ({of.format(bare.min * 1000)}: "
            "the interpreter alone)",
            f"{'python -c <imports>:':34s}{stack.median * 1000:5.0f} ms ({of.format(stack.min * 1000)}: "
            f"it and {_STACK_NAMES}, with gdrivestats' stand-ins)",
            f"{'python -c <gdrivestats modules>:':34s}{modules.median * 1000:5.0f} ms "
            f"({of.format(modules.min * 1000)}: the interpreter and every module `gdrivestats sync` imports "
            "before its first call, the client stack's among them)",
            f"{'python -c <gdrivestats up to it>:':34s}{path.median * 1000:5.0f} ms "
            f"({of.format(path.min * 1000)}: those, then its arguments parsed, logging set up, settings "
            "read and the drive opened; no thread, connection or request yet)",
        ]
        for name in (GDRIVESTATS, FLOOR, RCLONE_TUNED):
            outcome = results.get(SCENARIOS[0], name)
            if outcome is not None and outcome.first_request.runs:
                label = f"{name}, first request:"
                lines.append(f"{label:34s}{outcome.first_request.median * 1000:5.0f} ms (median, first sync)")
        return Profile("first request: what comes before it", "python -c ...; the sync table", lines)

    def _request_cpu(self, results: SyncResults, context: SyncContext) -> Profile:
        """CPU per download on one connection: the client stack's bare request against gdrivestats' fetch
        (``bench.worker request-cpu``), and what each costs the first sync's span, per connection."""
        tool = context.tools[GDRIVESTATS]
        latency = context.emulator.latency_ms
        context.emulator.latency_ms = 0  # CPU, not waiting: the answers come at once
        try:
            args = ["--url", context.emulator.url, "--token", TOKEN, "--folder", FOLDER]
            args += ["--rounds", "3" if self.config.quick else "5"]
            found = run_worker("request-cpu", args, tool.env)
        finally:
            context.emulator.latency_ms = latency
        stack, ours = found["stack_ms"], found["gdrivestats_ms"]
        workers = 8  # the sync's default, as in the first-sync runs
        rounds = results.files / workers
        fastest = f"fastest of passes over {found['files']} files, one connection"
        return Profile(
            "first sync: CPU per download",
            "python -m bench.worker request-cpu",
            [
                f"{'client stack alone:':28s}{stack:6.3f} ms CPU a download "
                f"(google-auth-httplib2's AuthorizedHttp.request; {fastest})",
                f"{'gdrivestats fetch_into:':28s}{ours:6.3f} ms (the client library's HttpRequest, one "
                "request for a file that fits in a chunk, the md5, the deadline, the retry loop)",
                f"{'per connection, in a row:':28s}{rounds:6.0f} downloads: {rounds * stack:.0f} ms of the "
                f"span is the client stack's own CPU, {rounds * (ours - stack):.0f} ms gdrivestats' layers "
                "(before the threads wait for one another)",
                *self._sync_cpu_lines(results),
            ],
        )

    @staticmethod
    def _sync_cpu_lines(results: SyncResults) -> list[str]:
        """CPU a file of each tool's whole process in the first sync (median of its runs)."""
        lines = []
        for name in (GDRIVESTATS, FLOOR, RCLONE_TUNED):
            outcome = results.get(SCENARIOS[0], name)
            if outcome is not None and outcome.cpu.runs and results.files:
                per_file = outcome.cpu.median / results.files * 1000
                label = f"{name}, first sync:"
                lines.append(f"{label:28s}{per_file:6.3f} ms CPU a file, all threads (median of runs)")
        return lines

    def profile_load(self, results: LoadResults, path: Path) -> None:
        if not self.profile or load_targets(results)[0].met is not False:  # loading vs pandas' default
            return
        self.log("profile: load_workbook (pyinstrument)")
        out = self.work / "load.txt"
        run_worker("profile-load", [str(path), "--out", str(out)])
        lines = tree_lines(out.read_text(encoding="utf-8"))
        self.profiles.append(
            Profile("gdrivestats load_workbook", "pyinstrument around load_workbook()", lines)
        )

    # ---- the sections -----------------------------------------------------------------------------------

    def run_all(self) -> None:
        tls = make_test_ca(self.work / "tls")
        data_dir = self.args.data_dir
        data_dir.mkdir(parents=True, exist_ok=True)

        def sync() -> None:
            self.sync = run_sync(self.config, tls, self.work / "sync", data_dir, self.log, self.profile_sync)
            self.targets += sync_targets(self.sync)

        def load() -> None:
            self.load = run_loading(self.config, self.work / "load", data_dir, self.log)
            self.targets += [*load_targets(self.load), report_target(self.load)]
            big = data_dir / f"big-{self.config.big_rows}x20.xlsx"
            self.guarded("loading", lambda: self.profile_load(self.load, big) if self.load else None)

        def upload() -> None:
            self.upload = run_upload(self.config, tls, self.work / "upload", data_dir, self.log)

        def runs() -> None:
            self.runs = run_at_scale(self.config, tls, self.work / "run", data_dir, self.log)
            self.targets += run_targets(self.runs)

        self.section("sync", sync)
        self.section("load", load)
        self.section("upload", upload)
        self.section("run", runs)

    # ---- output -----------------------------------------------------------------------------------------

    def to_dict(self, context: dict[str, Any]) -> dict[str, Any]:
        return {
            **context,
            "quick": self.config.quick,
            "sync": self.sync.to_dict() if self.sync else None,
            "load": self.load.to_dict() if self.load else None,
            "upload": self.upload.to_dict() if self.upload else None,
            "run": self.runs.to_dict() if self.runs else None,
            "targets": [t.to_dict() for t in self.targets],
            "profiles": [p.to_dict() for p in self.profiles],
            "failures": self.failures,
            "notes": self.notes,
        }

    def markdown(self, context: dict[str, Any]) -> str:
        return findings.document(self, context)


def _write_partial(run: Run, context: dict[str, Any], output: Path) -> None:
    """The page so far, marked partial, so a full run stopped before its end still leaves its figures."""
    left = [s for s in SECTIONS if s not in run.done and (not run.args.only or s in run.args.only)]
    partial = {
        **context,
        "seconds": round(time.monotonic() - run.started, 1),
        "partial": f"sections done: {', '.join(run.done)}; still running: {', '.join(left)}",
    }
    output.write_text(run.markdown(partial), encoding="utf-8")
    run.log(f"wrote {output} (partial: {partial['partial']})")


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    config = Config.quick_mode() if args.quick else Config.full()
    if args.run_large is not None:
        config = dataclasses.replace(config, run_large=args.run_large)
    command = "python -m bench" + "".join(f" {a}" for a in (sys.argv[1:] if argv is None else argv))
    work = Path(tempfile.mkdtemp(prefix="gdrivestats-bench-"))
    run = Run(config, args, work)
    context: dict[str, Any] = {
        "date": environment.now(),
        "command": command,
        "machine": environment.machine(),
        "versions": environment.versions(),
    }
    output = args.output
    if output is None and not args.quick and not args.only:
        output = DEFAULT_OUTPUT
    if output is not None and not args.quick:
        run.checkpoint = lambda: _write_partial(run, context, output)
    try:
        run.run_all()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    context["machine"]["load average at the end"] = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    context["seconds"] = round(time.monotonic() - run.started, 1)
    text = run.markdown(context)
    print(text)
    if output is not None:
        output.write_text(text, encoding="utf-8")
        run.log(f"wrote {output}")
    if args.json is not None:
        args.json.write_text(json.dumps(run.to_dict(context), indent=2, default=str), encoding="utf-8")
    return 1 if run.failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
