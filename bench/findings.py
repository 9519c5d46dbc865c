"""BENCHMARKS.md: the run's context, the targets, the section tables, and what limits each missed target."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bench import render

if TYPE_CHECKING:
    from bench.run import Run

# What the profiles of earlier runs showed about each target when it was missed; printed only for a target
# this run missed, next to this run's own profile.
NOTES = {
    "first-vs-naive": (
        "The naive script is bound by latency (one request at a time); gdrivestats by the emulator and by "
        "CPU: its 8 download threads share one GIL; the py-spy profile below shows where that CPU goes."
    ),
    "first-vs-rclone": (
        "Both tools are bound by the emulator (Python, serving TLS from the benchmark's own process on the "
        "same 2 cores) and their connections (9 for gdrivestats and the floor: the listing's and 8 "
        "downloads'). The first profile below puts a reference point between them: the client-stack floor "
        "(`bench/floorsync.py`), the least a Python program on gdrivestats' client stack does to copy the "
        "folder, with no retries, checks, state or fsync. It is a reference, not a proof: the three tools' "
        "ranges overlap, and the floor's share includes google-api-python-client's imports, which are "
        "gdrivestats' design choice, not a law. What gdrivestats spends beyond it has two parts. Before the "
        "first request: its command line, settings, sign-in chain and drive modules, and the first calls' "
        "threads and TLS connections (the next profiles). From the first download to the last: the work "
        "that makes a sync safe to interrupt and run again, per file (a temporary file, the md5 check, the "
        "fsync on another thread, the rename into place, the state's records); the CPU a file of each tool "
        "is under the CPU per download profile, beside the client stack's own request and gdrivestats' "
        "fetch on one quiet connection. Taken off: the discovery document, google-auth's credential "
        "modules, pyparsing and google-api-core's version checks on the read path, a timer thread per "
        "download, one transaction per landed file, tqdm without a terminal, indented JSON answers "
        "(prettyPrint=false), the wait for Drive to say who is signed in before a first listing, Python's "
        "final garbage collection at exit, the sync's own imports and state before the first calls (they "
        "now go out first), three TLS handshakes (the listing and two downloads reuse the first calls' "
        "connections), the options of every command but the one running, a Path object per file "
        "handled, a ranged downloader around each file that fits in one chunk (one request), Python's "
        "cyclic collector while a sync loads its modules (each collection ran on whichever thread "
        "allocated, the first calls' among them), and the main thread's imports during the first calls' "
        "TLS handshakes (it gives them 5 ms first)."
    ),
    "first-request": (
        "The profile below measures the floor: the interpreter alone, then the interpreter with the HTTP, "
        "TLS and logging modules, httplib2, google-auth's transport and the client library's request module "
        "(with gdrivestats' stand-ins, run from their file), and the client-stack floor's own first request "
        "in the same sync runs. "
        "google-api-core's version check (googleapis/python-api-core#878) is no longer imported: its "
        "package loads only when something asks for more than the constant the client library wants. "
        "gdrivestats' own share is the rest: its command line, settings, sign-in chain and drive modules "
        "and the first calls' threads and TLS connections (the first calls leave on their own threads, "
        "5 ms ahead of the main thread, which then imports the mirror modules and the cache lock and loads "
        "the state; Python's cyclic collector is off from the settings to those imports). "
        "The two `<gdrivestats ...>` rows split that share as processes that start and exit (exit included, "
        "as in every row): the interpreter with gdrivestats' modules, then with its command line's work "
        "as well; from there to its first request are the first calls' threads, their TLS handshakes and "
        "the main thread's imports they share the interpreter with. "
        "Where the floor's first request is itself later than 0.1 s, and the imports alone take longer, "
        "what is left is outside gdrivestats' code: every Python program that sends its requests through "
        "google-api-python-client pays it before its first byte (the email parser http.client needs, TLS, "
        "certifi's importlib.resources, the client library's inspect). A first request within 0.1 s there "
        "would need the first calls sent before the client libraries are imported (with the standard "
        "library's HTTP client), which gdrivestats does not do: every Drive call goes through "
        "google-api-python-client. The rows are measured from an editable install that puts the project "
        "on the path with a .pth file (pyproject.toml's package-dir), as a wheel install does: setuptools' "
        "import hook for flat layouts costs every Python process of the venv about 25 ms more at start "
        "(the versions table says how gdrivestats was installed)."
    ),
    "resync-vs-rclone": (
        "With nothing to download, the run is mostly process start: the interpreter and the imports (see "
        "the pyinstrument tree below), then one `changes.list` call. Taken off: the discovery document and "
        "its Resource classes (reads are built with the client library's own JsonModel and HttpRequest), "
        "google-auth's credential modules for an access token (with their JWT and crypto imports), "
        "httplib2's auth module with pyparsing (loaded only when a 401 asks for it), the sign-in modules, "
        "three reads of the state's files and the local-path computation when nothing changed. Still "
        "imported at start: filelock (the cache lock), logging.handlers, ctypes and uuid (`_fs`), tomllib "
        "(the settings), the HTTP and TLS modules."
    ),
    "load-vs-pandas": (
        "A large flat sheet is read by fastexcel (Arrow columns, no Python object per cell), whose own "
        "parse is about two thirds of the load (its options do not shorten it: even n_rows=10 parses the "
        "whole sheet); the rest is the structure detection and cleaning of the sheet (header, totals, "
        "outline, duplicates), now on typed columns where fastexcel typed them; see the tree below."
    ),
    "resync-calls": "The calls the re-sync makes beyond `changes.list` are listed in the table above.",
    "resync-downloads": "The downloads per run are listed in the table above.",
    "cached-vs-pandas": "The cached re-load is the md5 of the workbook plus reading its Parquet files.",
    "run-vs-today": (
        "The timeline under the run table splits each run: process start to the first request "
        "(interpreter, imports, credentials), the sync (to the last download), the first analysis (to the "
        "first upload) and the write-back (to the last write). At Drive's write limit a run cannot take "
        "less than its writes ÷ the write rate: the write counts above give that floor for both runs. "
        "Today's code writes a PNG per chart as well. The new run writes 5 times a workbook (4 files and "
        "their folder); the folders are made while the first workbooks are analysed, the analysis "
        "overlaps the write-back and the pacer settles at the server's limit, so from the end of the sync "
        "it is bound by the write limit."
    ),
    "run-files": "The files written per workbook, by tool, are in the run table above.",
    "report-vs-baseline": (
        "The report stages of that workbook are in section 3: the charts (built, rendered to PNG and "
        "placed in report.pdf) are most of the time."
    ),
}

METHOD = """\
- **One machine, one run.** Every peer is measured in the same run as gdrivestats, against the same emulator
  and the same files; within each repetition the tools take turns, so drift in the machine's load hits all of
  them. Figures are medians with (min–max); a ratio compares medians of the same run.
- **Warm starts.** Just before each timed run, the tool runs once untimed against a folder that does not
  exist (`syncbench.warm_up`): this machine's kernel pages out code left idle for a minute (see *kernel
  page-out* in the machine table), and the slow peers' runs last that long, so without it a tool's next
  run started by reading its own modules back from disk, by chance. Every run is then timed as one shortly
  after another run of the same program (code in memory; a re-sync's own files, such as gdrivestats' state,
  may still be read from disk); the warm-up's calls are kept out of the run's figures, and `os.sync()`
  writes back the last run's files before the next run starts.
- **The emulator** (`gdrivestats.emulator`, Python, in the benchmark's process) serves TLS with a certificate
  from a throw-away CA the benchmark creates, and sleeps `latency` ms before answering each request. Its own
  CPU per request (a few ms) is part of every tool's time alike; it caps how fast any tool can download.
- **gdrivestats** runs as `gdrivestats sync Reports --cache DIR` with `GDRIVESTATS_DRIVE_URL` and
  `GDRIVESTATS_ACCESS_TOKEN`, defaults otherwise (8 workers), trusting the test CA through
  `HTTPLIB2_CA_CERTS`; its modules are byte-compiled first (`compileall`), as installing it does, since
  an editable install under `PYTHONDONTWRITEBYTECODE` would compile them again in every timed run.
- **At 100 ms a request** the first sync and the no-change re-sync run again on a smaller tree of their
  own (200 workbooks in 10 folders), for gdrivestats, both rclones and the floor (rclone's default first
  sync and the naive script would take minutes a run there; rclone's defaults start from tuned rclone's
  copy).
- **The naive script** (`bench/naive.py`) is what a Colab user writes: one `files.list` per folder, one
  sequential `MediaIoBaseDownload` per file, skipping files whose local md5 matches (so its re-sync is fair).
- **The client-stack floor** (`bench/floorsync.py`, first syncs only: it keeps no state to re-sync from) is
  the least a Python program on gdrivestats' client stack does to copy the folder: the same imports (with
  gdrivestats' stand-ins for the modules a read never uses), a bearer token, one `AuthorizedHttp` per thread
  on 8 threads, the listing paged breadth-first with files fetched as their page arrives; no retries,
  checksums, state, fsync or temporary files. Slower than it is gdrivestats' own code; it slower than
  rclone is the interpreter and the client libraries.
- **rclone** has Google's URLs built in; it reaches the emulator through a local CONNECT proxy
  (`bench/proxy.py`, `HTTPS_PROXY`, only CONNECT to port 443, only ever to the emulator's port), trusting the
  test CA with `--ca-cert`, with a static token in a temporary `--config`. *Defaults* is
  `rclone copy --fast-list`; *tuned* adds `--transfers 8 --checkers 16 --drive-pacer-min-sleep 1ms
  --drive-pacer-burst 1000` and `root_folder_id` in its config (as rclone's log suggests, saving one call).
- **The run at scale** gives each tool a fresh emulator (HTTPS, `latency` ms a request, Drive's per-user
  write limit as a token bucket) holding the same folder; today's code is commit 331098d taken with
  `git archive` (the repository is only read) and run with the same interpreter. One run each: at 3 writes
  a second the old code's run takes minutes, so the rows are single runs with the machine's load beside them.
- **Not a test.** No test asserts a time; `tests/test_bench.py` runs `--quick` and checks the tables'
  structure and call counts so the harness cannot rot.
"""


def observations(run: Run) -> list[str]:
    """Plain facts worth a line that no target covers: the slowest report stage, what faults cost."""
    lines = []
    if run.load is not None and run.load.stages:
        stages = run.load.stages
        total = sum(s.median for s in stages.values())
        name, slowest = max(stages.items(), key=lambda kv: kv[1].median)
        lines.append(
            f"The slowest report stage is *{name}*: {slowest.median:.2f} s of {total:.2f} s "
            f"({100 * slowest.median / total:.0f}%) for {run.load.charts} charts."
        )
    if run.upload is not None:
        clean, faulty = (run.upload.cases[c] for c in ("no faults", "10% faults"))
        if clean.seconds.runs and faulty.seconds.runs:
            lines.append(
                f"Uploading with faults took {faulty.seconds.median / clean.seconds.median:.2f}× the "
                f"fault-free median (worst run {faulty.seconds.max:.2f} s); at most "
                f"{render.human_bytes(faulty.resent.max)} of {render.human_bytes(run.upload.size)} was sent "
                "twice: a dropped chunk costs only the bytes after its last whole 256 KiB block, a 503 on a "
                "chunk costs the whole chunk (the server read it, then refused it)."
            )
    return lines


def _kv_table(values: dict[str, str]) -> str:
    return render.table(["", ""], [[k, f"`{v}`" if k != "cpu" else v] for k, v in values.items()])


def document(run: Run, context: dict[str, Any]) -> str:
    """The whole Markdown page for one run."""
    mode = "quick (CI sizes, one run each: not for comparison)" if run.config.quick else "full"
    parts = [
        "# Benchmarks",
        "",
        f"Generated by `{context['command']}` on {context['date']} "
        f"({mode}; {context.get('seconds', '?')} s). "
        "Do not edit by hand: run the command again. `--quick` runs small sizes (the CI test uses it).",
        "",
    ]
    if context.get("partial"):
        parts += [
            f"**Partial page**, written while the run went on ({context['partial']}): the run was stopped "
            "or is still going; the sections below are complete, the others are missing.",
            "",
        ]
    parts += [
        "Requirements: the dev install (`pip install -e .[dev]`), `rclone` on PATH (Debian: "
        "`apt-get install rclone`) for its rows, git with this repository's history for today's code's rows "
        "in section 6, and `py-spy` (`pip install py-spy`) to profile missed "
        "targets. All traffic stays on 127.0.0.1.",
        "",
        "## Machine and versions",
        "",
        _kv_table(context["machine"]),
        "",
        _kv_table(context["versions"]),
        "",
    ]
    if run.failures:
        parts += ["## Failures", "", *[f"- {f}" for f in run.failures], ""]
    parts += [
        "## Targets",
        "",
        render.targets_section(run.targets) if run.targets else "No target measured.",
        "",
    ]
    if run.sync is not None:
        parts += ["## 1. Sync", "", render.sync_section(run.sync), ""]
    if run.load is not None:
        parts += ["## 2. Loading a workbook", "", render.load_section(run.load), ""]
        parts += ["## 3. The report, stage by stage", "", render.report_section(run.load), ""]
    if run.upload is not None:
        parts += ["## 4. Upload with injected faults", "", render.upload_section(run.upload), ""]
    if run.load is not None:
        parts += ["## 5. Peak memory", "", render.memory_section(run.load), ""]
    if run.runs is not None:
        parts += ["## 6. Run at scale: sync, analyse, write back", "", render.run_section(run.runs), ""]
    facts = observations(run)
    if facts:
        parts += ["## Observations", "", *[f"- {line}" for line in facts], ""]
    parts += [
        "## What limits the missed targets",
        "",
        render.profiles_section(run.profiles, NOTES, run.targets),
        "",
    ]
    if run.notes:
        parts += [*[f"> {n}" for n in run.notes], ""]
    parts += ["## Method", "", METHOD]
    return "\n".join(parts)
