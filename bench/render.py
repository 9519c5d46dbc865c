"""Markdown for the console and for BENCHMARKS.md: one table per section, the targets, the run's context."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from bench.loadbench import PANDAS_DEFAULT, LoadResults
from bench.measure import Stats
from bench.profiling import Profile
from bench.runbench import FOLDER as RUN_FOLDER
from bench.runbench import NEW, OLD, PHASES, RERUN, RunResults
from bench.syncbench import GDRIVESTATS, SCENARIOS, SyncResults
from bench.targets import Target
from bench.uploadbench import UploadResults


def table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def seconds(stats: Stats, digits: int = 2) -> str:
    """``1.23 s (1.20–1.31)``: the median, then min–max."""
    if not stats.runs:
        return "n/a"
    if stats.runs == 1:
        return f"{stats.median:.{digits}f} s"
    return f"{stats.median:.{digits}f} s ({stats.min:.{digits}f}–{stats.max:.{digits}f})"


def megabytes(stats: Stats) -> str:
    if not stats.runs:
        return "n/a"
    if stats.runs == 1 or stats.max - stats.min < 1:
        return f"{stats.median:.0f} MiB"
    return f"{stats.median:.0f} MiB ({stats.min:.0f}–{stats.max:.0f})"


def human_bytes(n: float) -> str:
    if math.isnan(n):
        return "n/a"
    for unit in ("B", "KB", "MB", "GB"):
        if abs(n) < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n} B"


def ratio(peer: float, ours: float) -> str:
    """How many times longer the peer took than gdrivestats (``>1``: gdrivestats is faster)."""
    if not ours or math.isnan(peer) or math.isnan(ours):
        return "n/a"
    return f"{peer / ours:.2f}×"


def sync_section(sync: SyncResults) -> str:
    intro = (
        f"{sync.files:,} small workbooks (xlsx and csv, {human_bytes(sync.tree_bytes)} in all) in "
        f"{sync.folders} folders; the emulator adds {sync.latency_ms} ms to every request and serves TLS. "
        "Wall time includes process start. *Peer ÷ gdrivestats* is the peer's median over gdrivestats' "
        "median in the same scenario (above 1: gdrivestats is faster). API calls are the emulator's log "
        "(kind: count) of the last run; *calls* gives the median (min–max) over runs. *First request* is "
        "the median time from launch to the first request's arrival at the emulator (for rclone, through "
        "its CONNECT proxy)."
    )
    rows = []
    for scenario in SCENARIOS:
        label = scenario.replace("files changed", f"{sync.changed} files changed")
        ours = sync.get(scenario, GDRIVESTATS)
        base = ours.seconds.median if ours and ours.seconds.runs else float("nan")
        for tool in sync.tools:
            outcome = sync.get(scenario, tool)
            if outcome is None:
                continue
            last = outcome.traffic[-1] if outcome.traffic else None
            calls = outcome.calls
            calls_text = f"{calls.median:.0f}" + (
                f" ({calls.min:.0f}–{calls.max:.0f})" if calls.min != calls.max else ""
            )
            rows.append(
                [
                    label,
                    tool,
                    seconds(outcome.seconds) if not outcome.error else f"failed: {outcome.error}",
                    f"{outcome.first_request.median * 1000:.0f} ms" if outcome.first_request.runs else "",
                    outcome.seconds.runs,
                    calls_text,
                    last.describe() if last else "",
                    human_bytes(last.media_bytes) if last else "",
                    human_bytes(last.bytes_out) if last else "",
                    "—" if tool == GDRIVESTATS else ratio(outcome.seconds.median, base),
                    f"{outcome.files:,}",
                ]
            )
    header = [
        "Scenario",
        "Tool",
        "Wall time, median (min–max)",
        "First request",
        "Runs",
        "Calls",
        "API calls by kind",
        "File bytes down",
        "All bytes down",
        "Peer ÷ gdrivestats",
        "Files in dest",
    ]
    printed = [
        f"{tool} printed: `{line}`"
        for scenario in SCENARIOS
        for tool in sync.tools
        if (outcome := sync.get(scenario, tool)) is not None
        for line in sorted(outcome.warnings)[:3]
    ]
    problems = "".join(f"\n\n> {p}" for p in [*sync.problems, *dict.fromkeys(printed)])
    return f"{intro}\n\n{table(header, rows)}{problems}"


def load_section(load: LoadResults) -> str:
    intro = (
        f"A generated {load.rows:,}-row × {load.cols}-column xlsx ({human_bytes(load.file_bytes)}: "
        "ids, text, dates, floats, ints). Each run is a fresh process; the clock starts after the imports. "
        "gdrivestats' loader includes its cleaning (header detection, types, roles); a big flat sheet like "
        "this one is read by fastexcel as typed columns (`workbook/flat.py`), other sheets by "
        "python-calamine; the cached re-load is `load_cached` of the unchanged file (md5 of the file + "
        "Parquet read)."
    )
    pandas = load.loads[PANDAS_DEFAULT].seconds.median
    rows = [
        [
            name,
            seconds(m.seconds, 3),
            m.seconds.runs,
            ratio(pandas, m.seconds.median) if name != PANDAS_DEFAULT else "1× (baseline)",
            megabytes(m.peak_mb),
        ]
        for name, m in load.loads.items()
    ]
    header = ["Loader", "Time, median (min–max)", "Runs", "Speed-up vs pandas default", "Peak RSS"]
    return f"{intro}\n\n{table(header, rows)}" + style_table(load)


def style_table(load: LoadResults) -> str:
    """What reading the label indents costs on real statistics-office sheets, if measured."""
    if not load.styles:
        return ""
    intro = (
        "Reading the cell formats that carry a table's outline (`styles.read_indents`: the indent of the "
        "label cells of the first 3 columns, from the sheet's XML and xl/styles.xml; openpyxl only if that "
        "fails; xlsx files of at most 3 MB) on real statistics-office workbooks from `../shared/data`, read "
        "in place; in the benchmark's own process after a warm-up run, `read_indents` and the whole "
        "`load_workbook` of the file (which includes it) taking turns, and once a turn as the first call of "
        "a fresh process (*cold*: with any import it makes); beside them, the same read by openpyxl in "
        "read-only mode (the former route, after its import)."
    )
    rows = [
        [
            f"{s.workbook} (`{s.file}`)",
            s.sheets,
            f"{s.indented:,}",
            ms(s.styles),
            ms(s.cold),
            ms(s.openpyxl),
            ms(s.load),
            f"{100 * s.styles.median / s.load.median:.0f}%" if s.load.median else "—",
        ]
        for s in load.styles
    ]
    header = [
        "Workbook",
        "Sheets",
        "Indented label cells",
        "read_indents, median (min–max)",
        "read_indents cold",
        "openpyxl (former route)",
        "load_workbook, median (min–max)",
        "Share of the load",
    ]
    return f"\n\n{intro}\n\n{table(header, rows)}"


def ms(stats: Stats) -> str:
    """Milliseconds: median (min–max)."""
    return f"{1000 * stats.median:.0f} ms ({1000 * stats.min:.0f}–{1000 * stats.max:.0f})"


def report_section(load: LoadResults) -> str:
    intro = (
        f"The full report of that workbook ({load.charts} charts): `build_report(wb).save(folder)` as a user "
        "calls it, in a fresh process (the workbook comes from the parse cache first, not timed). The stages "
        "are timed from inside by wrapping the functions `save()` calls (the charts generator, "
        "`plots.figure_png`, `PdfReport`'s methods, `write_summary_xlsx`, `html_page`); the rest of "
        "`save()` is its time minus them. The charts are written as PNG files too (`charts=True`), as "
        "the 9.1 s of today's code did; `gdrivestats run` renders the same PNGs but keeps them inside "
        "report.pdf."
    )
    total = sum(s.median for s in load.stages.values()) or float("nan")
    slowest = max(load.stages, key=lambda k: load.stages[k].median) if load.stages else ""
    rows = [
        [f"**{name}**" if name == slowest else name, seconds(s), s.runs, f"{100 * s.median / total:.0f}%"]
        for name, s in load.stages.items()
    ]
    rows.append(
        ["build_report + save, in all", seconds(load.report.seconds), load.report.seconds.runs, "100%"]
    )
    return f"{intro}\n\n{table(['Stage', 'Time, median (min–max)', 'Runs', 'Share'], rows)}"


def upload_section(upload: UploadResults) -> str:
    chunk = (
        f"{upload.chunk // 1024} KiB chunks" if upload.chunk else "the library's default chunk size (8 MiB)"
    )
    intro = (
        f"`ApiDrive.upload` of a {human_bytes(upload.size)} file (resumable, {chunk}), "
        f"{upload.latency_ms} ms latency, in a fresh process. Faults: `{upload.fault_spec}` with another "
        "fault seed each run. Bytes re-sent = request bytes the emulator received − the file size."
    )
    rows = []
    for case, c in upload.cases.items():
        rows.append(
            [
                case,
                seconds(c.seconds),
                c.seconds.runs,
                f"{c.requests.median:.0f} ({c.requests.min:.0f}–{c.requests.max:.0f})",
                f"{c.faults.median:.0f} ({c.faults.min:.0f}–{c.faults.max:.0f})",
                f"{human_bytes(c.resent.median)} ({human_bytes(c.resent.min)}–{human_bytes(c.resent.max)})",
                megabytes(c.peak_mb),
            ]
        )
    header = [
        "Case",
        "Time, median (min–max)",
        "Runs",
        "Requests",
        "Faults injected",
        "Bytes re-sent",
        "Peak RSS",
    ]
    return f"{intro}\n\n{table(header, rows)}"


def memory_section(load: LoadResults) -> str:
    intro = (
        "Peak resident memory of each run's process: `VmHWM` from `/proc/self/status`, read by the worker at "
        "its end. Not `getrusage(...).ru_maxrss`: on Linux a child started with fork/vfork + exec inherits "
        "the parent's high-water mark in `ru_maxrss` (identical upload workers reported 111, 271, 471, 671 "
        "and 871 MiB as the benchmark's own process grew), so neither `RUSAGE_SELF` in the child nor "
        "`RUSAGE_CHILDREN` in the parent isolates the task. The peak includes the interpreter and the "
        "imports, so the peak right after the imports is given too; the difference is the task's own."
    )
    rows = [
        [
            name,
            megabytes(m.peak_mb),
            megabytes(m.baseline_mb),
            f"{m.peak_mb.median - m.baseline_mb.median:.0f} MiB",
        ]
        for name, m in [
            *load.loads.items(),
            ("`build_report(wb).save()` (after imports: + the workbook from the cache)", load.report),
        ]
        if m.seconds.runs
    ]
    return f"{intro}\n\n{table(['Task', 'Peak RSS', 'After imports', 'Task itself'], rows)}"


ISSUE_WORKBOOKS = 200  # the scale issue 12 asks for


def run_section(run: RunResults) -> str:
    mix = ", ".join(f"{n} {kind}" for kind, n in run.mix.items())
    largest = max(run.folder_bytes) if run.folder_bytes else 0
    scales = sorted(run.folder_bytes)
    intro = (
        f"One Drive folder of workbooks ({largest} of them: {mix}; each statistics workbook has 2–4 sheets "
        "with a title row, a unit row, a header of years, 20–60 areas and a Total row), on a fresh emulator "
        f"for each row: {run.latency_ms} ms added to every request and at most {run.write_rate:g} writes a "
        "second (beyond: 403 userRateLimitExceeded, as Drive's per-user limit). Every tool does the whole "
        "job: download, analyse, write the outputs back. *gdrivestats run* is the CLI as a user runs it "
        f"(`gdrivestats run {RUN_FOLDER} --cache DIR`); *today's code* is the same command from commit "
        f"{run.commit} (`git archive`, same interpreter and libraries); the *naive Colab loop* "
        "(`bench/naiverun.py`) downloads each workbook, `describe()`s every sheet with pandas and uploads "
        "each description as a CSV, one request at a time (it writes far less than a report). "
        f"Today's code and the naive loop are run on the first {run.count} workbooks only; "
        + (
            f"the new run does {', '.join(str(n) for n in scales)} workbooks, then runs again on the "
            f"{scales[-1]} with nothing changed. "
            if scales
            else ""
        )
        + "One run each (not a median). *Files written* are accepted uploads (the emulator's log: creates "
        "and updates through /upload); *writes* every accepted write request (folders included); *bytes "
        "written* the request bytes of those writes. Memory: the summed resident memory of the tool's "
        "process tree (the CLI and its analysis workers), sampled every 0.25 s (pages shared after fork "
        "count once per process). *Load* is the machine's 1-minute load average when the run started."
    )
    rows = []
    for o in run.outcomes:
        base = run.get(NEW, o.workbooks)
        rows.append(
            [
                o.workbooks,
                o.tool,
                f"{o.seconds:.1f} s" if not o.error else f"failed: {o.error}",
                f"{o.per_workbook(o.seconds):.2f} s",
                f"{o.files_written:,} ({o.per_workbook(o.files_written):.1f})",
                f"{o.writes:,} ({o.per_workbook(o.writes):.1f})",
                f"{o.rate_limited:,}",
                f"{human_bytes(o.bytes_written)} ({human_bytes(o.per_workbook(o.bytes_written))})",
                f"{o.files_on_drive:,} in {o.output_folders:,} folders",
                f"{o.total_calls:,}",
                f"{o.peak_tree_mb:.0f} MiB",
                f"{o.load_before:.1f}",
                "—" if o.tool in (NEW, RERUN) or base is None else ratio(o.seconds, base.seconds),
            ]
        )
    header = [
        "Workbooks",
        "Tool",
        "Wall time",
        "Per workbook",
        "Files written (per workbook)",
        "Writes (per workbook)",
        "403 rate-limited",
        "Bytes written (per workbook)",
        "Output folder on Drive",
        "API calls",
        "Peak memory (tree)",
        "Load",
        "Peer ÷ gdrivestats run",
    ]
    notes = list(run.problems)
    old = run.get(OLD, run.count)
    if old is not None and not old.error:
        notes.append(
            f"Today's code writes {old.per_workbook(old.files_written):.1f} files a workbook (a PNG per "
            f"chart beside the report); at its {old.per_workbook(old.seconds):.1f} s a workbook the issue's "
            f"{ISSUE_WORKBOOKS} would take about {old.per_workbook(old.seconds) * ISSUE_WORKBOOKS / 60:.0f} "
            "min (an extrapolation, not a measurement)."
        )
    largest_new = run.get(NEW, max(scales)) if scales else None
    if largest_new is not None and not largest_new.error and largest_new.workbooks < ISSUE_WORKBOOKS:
        minutes = largest_new.per_workbook(largest_new.seconds) * ISSUE_WORKBOOKS / 60
        notes.append(
            f"The issue's {ISSUE_WORKBOOKS} workbooks were not run (not in the time of one full benchmark "
            f"on this machine); at the {largest_new.workbooks}-workbook run's "
            f"{largest_new.per_workbook(largest_new.seconds):.1f} s a workbook they would take about "
            f"{minutes:.0f} min (an extrapolation, not a measurement)."
        )
    problems = "".join(f"\n\n> {p}" for p in notes)
    phases = [
        [o.workbooks, o.tool, *(f"{o.phases[p]:.1f} s" if p in o.phases else "—" for p in PHASES)]
        for o in run.outcomes
        if not o.error
    ]
    timeline = (
        "Where the time goes: seconds after the process started at which the emulator saw the tool's first "
        "request, its last download, its first upload and its last write, and when the process exited."
    )
    return (
        f"{intro}\n\n{table(header, rows)}{problems}\n\n{timeline}\n\n"
        f"{table(['Workbooks', 'Tool', *PHASES], phases)}"
    )


def targets_section(targets: Sequence[Target]) -> str:
    rows = [[t.claim, t.measured, t.verdict] for t in targets]
    return table(["Target", "Measured", "Verdict"], rows)


def profiles_section(profiles: Sequence[Profile], notes: dict[str, str], targets: Sequence[Target]) -> str:
    parts = []
    for target in targets:
        if target.met is False and target.key in notes:
            parts.append(f"**{target.claim}** — missed. {notes[target.key]}")
    for profile in profiles:
        body = "\n".join(profile.lines)
        parts.append(f"**Profile: {profile.title}** (`{profile.command}`):\n\n```\n{body}\n```")
    return "\n\n".join(parts) if parts else "Every target was met; nothing was profiled."
