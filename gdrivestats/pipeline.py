"""The one place that does I/O end to end: fetch workbooks, analyse them, and write the outputs."""

from __future__ import annotations

import logging
import queue
import shutil
import tempfile
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from gdrivestats._crash import crashpoint
from gdrivestats._fs import TMP_PREFIX
from gdrivestats.drive.base import Drive, join_path
from gdrivestats.errors import ConfigError, DriveError, GdriveStatsError
from gdrivestats.formats import WORKBOOK_EXTENSIONS, WORKBOOK_PATTERNS, is_workbook_name
from gdrivestats.isolation import Done, Limits, Task, analyse_all
from gdrivestats.location import DRIVE_PREFIX, drive_path, is_drive_location, parse_location
from gdrivestats.mirror import DEFAULT_OUT_FOLDER, Mirror, SyncResult
from gdrivestats.mirror.state import FileRecord
from gdrivestats.mirror.writeback import FolderMaker
from gdrivestats.names import printable
from gdrivestats.reader import DriveSource, list_workbooks, open_workbook, sample_path
from gdrivestats.workbook import Workbook

log = logging.getLogger(__name__)

__all__ = ["Outcome", "RunResult", "analyze", "analyze_sources", "expand_sources", "run", "sample_path"]


def analyze(
    source: str | Path | pd.DataFrame | Workbook, top: int = 10, sheet: str | None = None
):  # -> Report (annotated below once report is imported lazily)
    """Analyse one workbook (a path, a Drive location or URL, a DataFrame, a Workbook); return its Report.

    The Report holds the tables as DataFrames and the charts as matplotlib Figures, displays itself in a
    notebook cell, and writes summary.xlsx, charts/*.png, report.html and summary.json with ``.save(folder)``.
    """
    from gdrivestats.report import build_report

    return build_report(_as_workbook(source, sheet), top=top)


def _as_workbook(source: str | Path | pd.DataFrame | Workbook, sheet: str | None) -> Workbook:
    """Paths, Drive locations (``drive:…``, share URLs), DataFrames: see ``gdrivestats.reader``."""
    return open_workbook(source, sheet=sheet)


@dataclass
class Outcome:
    """What a multi-source run did: the outputs written, and one line for each source that failed."""

    written: list[tuple[str, Path]] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """A short account for the end of a run."""
        lines = [f"Analysed {len(self.written)} workbook(s), {len(self.failures)} failed."]
        lines += [f"  {name} -> {folder}" for name, folder in self.written]
        return "\n".join(lines)


def expand_sources(sources: Iterable[str], drive: Drive | None = None) -> tuple[list[str], list[str]]:
    """Files and drive paths to analyse (folders expanded to their workbooks), and failures found doing it.

    Drive locations (``drive:…`` and share URLs) are looked up once, through ``drive`` or one read-only
    ``connect()``; a Drive folder is expanded to its workbooks like a local one.
    """
    found: list[str] = []
    failures: list[str] = []
    for source in sources:
        if is_drive_location(source):
            if drive is None:
                drive = _connect_read_only()
            _expand_drive(drive, source, found, failures)
            continue
        path = Path(source)
        if path.is_dir():
            inside = sorted(
                p for p in path.rglob("*") if p.is_file() and _is_workbook_file(p) and not _is_hidden(p, path)
            )
            if not inside:
                kinds = ", ".join(sorted(WORKBOOK_EXTENSIONS))
                failures.append(f"{path}: no workbooks in this folder (looked for {kinds})")
            found += [str(p) for p in inside]
        elif not path.exists():
            failures.append(f"{path}: no such file or folder")
        else:
            found.append(str(path))
    return found, failures


def _connect_read_only() -> Drive:
    from gdrivestats.connect import connect

    return connect(write=False)


def _expand_drive(drive: Drive, source: str, found: list[str], failures: list[str]) -> None:
    """Add the workbook (or a folder's workbooks) a Drive location names, or one failure line."""
    try:
        location = parse_location(source)
        entry = drive.stat(location.path)
        inside = list_workbooks(drive, entry) if entry.is_folder else [DriveSource(drive, entry)]
    except (ConfigError, DriveError) as exc:
        message = str(exc)
        named = message.startswith((source, source.removeprefix(DRIVE_PREFIX)))
        failures.append(message if named else f"{source}: {message}")
        log.debug("looking up %s failed", source, exc_info=True)  # the traceback --verbose promises
        return
    if not inside:
        failures.append(f"{source}: no workbooks in this Drive folder")
    found += inside


def _is_workbook_file(path: Path) -> bool:
    return is_workbook_name(path.name)


def _is_hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts)


def analyze_sources(
    sources: Sequence[str],
    out: Path,
    top: int = 10,
    sheet: str | None = None,
    progress: bool = True,
    charts: bool = False,
    limits: Limits | None = None,
) -> Outcome:
    """Analyse every source; with one workbook write into ``out``, with several into ``out/<name>/`` and
    an ``index.html`` linking them.

    Local files are analysed in worker processes, each within ``limits``: a bad source (corrupt, huge,
    hanging) is one line in the outcome and the others still run. ``charts`` also writes the chart PNGs.
    """
    from tqdm.auto import tqdm

    files, failures = expand_sources(sources)
    outcome = Outcome(failures=failures)
    if not files:
        return outcome
    single = len(files) == 1 and not failures
    names = _output_names(files)
    bar = tqdm(total=len(files), desc="Analysing", unit="workbook", disable=not progress or len(files) < 2)
    made_out = not out.exists()
    try:
        local = [f for f in files if not is_drive_location(f)]
        tasks = [
            Task(
                key=f,
                source=Path(f),
                out=out if single else out / names[f],
                label=f,
                top=top,
                sheet=sheet,
                charts=charts,
            )
            for f in local
        ]
        saved: list[str] = []
        for done in analyse_all(tasks, limits=limits):
            bar.update(1)
            if _record_outcome(outcome, done.task.key, done.task.out, done.error):
                saved.append(done.task.key)
        for source in (f for f in files if is_drive_location(f)):
            bar.update(1)
            target = out if single else out / names[source]
            if _analyze_in_process(source, target, outcome, top, sheet, charts):
                saved.append(source)
        if not single and saved:
            from gdrivestats.report.save import write_index_of_saved

            write_index_of_saved(out, [names[f] for f in files if f in saved])
    finally:  # an interrupted or failed run leaves no empty output folder behind
        bar.close()
        if made_out and out.is_dir() and not any(out.iterdir()):
            out.rmdir()
    outcome.written.sort(key=lambda item: str(item[1]))
    return outcome


def _record_outcome(outcome: Outcome, source: str, target: Path, error: str | None) -> bool:
    """Note a source's outputs or its one-line failure; True when its outputs were written."""
    if error is None:
        outcome.written.append((_display_name(source), target))
        return True
    named = error.startswith((source, source.removeprefix(DRIVE_PREFIX)))
    outcome.failures.append(error if named else f"{source}: {error}")
    return False


def _analyze_in_process(
    source: str, target: Path, outcome: Outcome, top: int, sheet: str | None, charts: bool
) -> bool:
    """A Drive source: downloaded and analysed here (reading is still bounded by the workbook limits)."""
    try:
        analyze(source, top=top, sheet=sheet).save(target, charts=charts)
    except GdriveStatsError as exc:
        log.debug("analysis of %s failed", source, exc_info=True)  # the traceback --verbose promises
        return _record_outcome(outcome, source, target, str(exc))
    except (OSError, ValueError) as exc:  # e.g. an output folder that cannot be written
        log.debug("analysis of %s failed", source, exc_info=True)
        return _record_outcome(outcome, source, target, f"{type(exc).__name__}: {exc}")
    return _record_outcome(outcome, source, target, None)


def _display_name(source: str) -> str:
    return source if source.startswith(DRIVE_PREFIX) else Path(source).name


def _output_names(files: Sequence[str]) -> dict[str, str]:
    """A distinct output folder name for each source: its stem, with the extension where stems clash."""
    from gdrivestats.report import output_names  # safe and distinct, case-insensitively

    stems = [Path(f.removeprefix(DRIVE_PREFIX)).stem for f in files]
    bases = [
        stem if stems.count(stem) == 1 else f"{stem}-{Path(source).suffix.lstrip('.').lower()}"
        for source, stem in zip(files, stems, strict=True)
    ]
    return dict(zip(files, output_names(bases), strict=True))


# ---- run: sync, analyse what changed, write back --------------------------------------------------------


@dataclass
class RunResult:
    """What ``run`` did: the sync, the workbooks analysed and written back, and what failed."""

    sync: SyncResult
    out_folder: str
    analysed: list[str] = field(default_factory=list)
    uploaded: int = 0
    unchanged_outputs: int = 0
    failures: list[str] = field(default_factory=list)
    trashed: list[str] = field(default_factory=list)
    planned: list[str] | None = None  # a dry run: the workbooks it would analyse and write back
    link: str | None = None  # the output folder on Drive, for a person to open

    @property
    def ok(self) -> bool:
        """True when the sync and every workbook succeeded."""
        return self.sync.ok and not self.failures

    def summary(self) -> str:
        """The final lines of a run."""
        if self.planned is not None:
            lines = [self.sync.plan.describe()]
            lines.append(
                f"Would analyse {len(self.planned)} workbook(s) and write their outputs to"
                f" {printable(self.out_folder or '/')}; nothing was changed."
            )
            lines += [f"  analyse {printable(p)}" for p in self.planned]
            return "\n".join(lines)
        lines = [self.sync.summary()]
        lines.append(
            f"Analysed {len(self.analysed)} changed workbook(s), {len(self.failures)} failed;"
            f" uploaded {self.uploaded} output file(s) to {self.out_folder or '/'}"
            f" ({self.unchanged_outputs} already up to date)."
        )
        lines += [f"  failed: {f}" for f in [*self.sync.failed, *self.failures]]
        lines += [f"  moved to Drive's trash (workbook renamed or deleted): {t}" for t in self.trashed]
        if self.link and (self.analysed or self.uploaded):
            lines.append(f"Outputs: {self.link}")
        return "\n".join(lines)


def run(
    drive: Drive,
    folder: str,
    cache: Path | str,
    out_folder: str | None = None,
    top: int = 10,
    workers: int = 8,
    patterns: Sequence[str] = WORKBOOK_PATTERNS,
    progress: bool = True,
    lock_timeout: float = 0.0,
    analysis_workers: int | None = None,
    limits: Limits | None = None,
    dry_run: bool = False,
    summary_as: str = "xlsx",
    charts: bool = False,
) -> RunResult:
    """Sync ``folder``, analyse every workbook whose content changed since it was last analysed, and upload
    its outputs (summary.xlsx, charts, report.html, summary.json) into ``<out_folder>/<workbook>/``.

    ``out_folder`` defaults to ``gdrivestats`` inside the synced folder, which the sync itself ignores.
    Idempotent: with nothing changed it analyses and uploads nothing; after a change it updates that
    workbook's outputs in place. One failing workbook is reported and the others still run. The cache is
    locked for the whole run (CacheLocked when another run holds it for more than ``lock_timeout`` s).
    Workbooks are analysed in worker processes (``analysis_workers``, default: sized to the CPUs and
    memory), each within ``limits``, while the outputs of finished ones are uploaded. ``dry_run`` says
    what would be analysed and written and changes nothing, locally or on Drive. ``summary_as="sheet"``
    writes the summary as a native Google Sheet (Drive converts the xlsx) instead of summary.xlsx;
    ``charts`` uploads every chart as a PNG too.
    """
    if summary_as not in ("xlsx", "sheet"):
        raise ConfigError(f"summary_as must be 'xlsx' or 'sheet', not {summary_as!r}")
    as_sheets = ("summary.xlsx",) if summary_as == "sheet" else ()
    folder = drive_path(folder)  # drive:PATH, a share URL, id:…, shared:… or a plain path
    out = drive_path(out_folder) if out_folder is not None else join_path(folder, DEFAULT_OUT_FOLDER)
    inside = folder == "" or out.startswith(folder + "/")
    exclude = (out[len(folder) + 1 :] if folder else out) if inside else None
    if dry_run:
        return _plan_run(drive, folder, Path(cache), out, patterns, exclude)
    with Mirror(cache) as mirror, mirror.locked(lock_timeout):
        synced = mirror.sync(
            drive, folder, patterns=patterns, workers=workers, exclude=exclude, progress=progress
        )
        result = RunResult(sync=synced, out_folder=out)
        if mirror.use_outputs(out, f"summary={summary_as} charts={charts} top={top}"):
            log.info("the out-folder or the output settings changed: every workbook is written again")
        names = mirror.output_folders()
        # First, so a workbook deleted and uploaded again under its old name writes into a fresh folder.
        _trash_stale_outputs(drive, mirror, out, result)
        records = {r.id: r for r in mirror.needs_analysis()}
        with tempfile.TemporaryDirectory(prefix=f"{TMP_PREFIX}out-", dir=mirror.root) as tmp:
            tasks = [
                Task(
                    key=r.id,
                    source=mirror.path_of(r),
                    out=Path(tmp) / r.id,
                    label=f"drive:{join_path(folder, r.drive_path)}",
                    top=top,
                    parsed_cache=mirror.parsed_folder,
                    charts=charts,
                )
                for r in records.values()
            ]
            # Drive allows a user only a few writes a second: the folders are made while the first
            # workbooks are analysed, not in front of their uploads.
            bars = _bars(len(tasks), progress)
            try:
                with mirror.folders_ahead(drive, list(records.values()), out, names) as folders:
                    for done in _analysed_meanwhile(tasks, analysis_workers, limits, bars[0]):
                        _write_back_one(
                            drive,
                            mirror,
                            records[done.task.key],
                            done,
                            out,
                            names,
                            folders,
                            as_sheets,
                            result,
                        )
                        bars[1].update(1)
                        bars[1].set_postfix(
                            uploaded=result.uploaded, failed=len(result.failures), refresh=False
                        )
            finally:
                for bar in bars:
                    bar.close()
        result.analysed.sort()
        if result.analysed:
            result.link = _folder_link(drive, out)
        if result.analysed or result.trashed:
            mirror.prune_parsed()
    log.info("%s", result.summary())
    return result


def _trash_stale_outputs(drive: Drive, mirror: Mirror, out: str, result: RunResult) -> None:
    """Move the outputs of workbooks renamed, moved or deleted on Drive to Drive's trash (recoverable)."""
    for workbook_id, name in mirror.stale_outputs().items():
        folder = join_path(out, name)
        try:
            if drive.exists(folder):
                drive.remove(folder, recursive=True)
                log.info(
                    "%s: its workbook was renamed, moved or deleted; moved to the trash", printable(folder)
                )
                result.trashed.append(folder)
        except GdriveStatsError as exc:
            result.failures.append(f"{printable(folder)}: could not move old outputs to the trash: {exc}")
            continue
        mirror.forget_stale(workbook_id)


def _analysed_meanwhile(
    tasks: Sequence[Task], workers: int | None, limits: Limits | None, bar: Any
) -> Iterator[Done]:
    """Each task's result as its analysis finishes, from worker processes driven by a thread of their own,
    so the workers go on with the next workbooks while the caller writes back the finished ones.

    The caller's thread stays the only one that touches the state; leaving early (an error, Ctrl-C,
    SIGTERM) stops the analysis: the workbooks being written get a short grace, then their workers stop.
    """
    results: queue.Queue[Done | BaseException | None] = queue.Queue()
    stop = threading.Event()

    def analyse() -> None:
        try:
            for done in analyse_all(tasks, workers=workers, limits=limits, stop=stop):
                bar.update(1)
                results.put(done)
        except BaseException as exc:  # handed to the caller's thread, which raises it
            results.put(exc)
        finally:
            results.put(None)

    thread = threading.Thread(target=analyse, name="gdrivestats-analysis", daemon=True)
    thread.start()
    try:
        while (item := results.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        thread.join()


def _write_back_one(
    drive: Drive,
    mirror: Mirror,
    record: FileRecord,
    done: Done,
    out: str,
    names: dict[str, str],
    folders: FolderMaker,
    as_sheets: Sequence[str],
    result: RunResult,
) -> None:
    """Upload one analysed workbook's outputs, then (only then) mark it analysed; or note its failure."""
    folder = folders.folder(record.id)  # made ahead (or None): the write-back finds it by its recorded id
    if done.error is not None:
        result.failures.append(f"{printable(record.drive_path)}: {done.error}")
        if folder is not None and folders.made_new(record.id, folder):
            mirror.discard_output_folder(drive, record, folder)
        return
    try:
        target = join_path(out, names[record.id])
        uploaded = mirror.write_back(drive, record, done.task.out, target, out, as_sheets)
    except GdriveStatsError as exc:
        result.failures.append(f"{printable(record.drive_path)}: {exc}")
        return
    finally:
        shutil.rmtree(done.task.out, ignore_errors=True)
    crashpoint("before-mark-analysed")
    mirror.mark_analysed(record)
    result.analysed.append(record.drive_path)
    result.uploaded += len(uploaded.uploaded)
    result.unchanged_outputs += len(uploaded.skipped)


def _bars(total: int, progress: bool) -> tuple[Any, Any]:
    """Progress bars over the workbooks: analysed, and written back; silent when ``progress`` is off."""
    from tqdm.auto import tqdm

    off = not progress or total == 0
    return (
        tqdm(total=total, desc="analyse", unit="workbook", disable=off, position=0),
        tqdm(total=total, desc="upload", unit="workbook", disable=off, position=1),
    )


def _folder_link(drive: Drive, folder: str) -> str | None:
    """The address of the output folder for a person to open, or None if Drive cannot say."""
    try:
        return drive.folder_link(folder)
    except GdriveStatsError:
        return None


def _plan_run(
    drive: Drive, folder: str, cache: Path, out: str, patterns: Sequence[str], exclude: str | None
) -> RunResult:
    """What ``run`` would do: the sync plan and the workbooks it would analyse; nothing is written."""
    from gdrivestats.mirror.layout import STATE_FILE
    from gdrivestats.mirror.state import SyncState
    from gdrivestats.mirror.sync import sync

    synced = sync(drive, folder, cache, patterns=patterns, exclude=exclude, dry_run=True, progress=False)
    plan = synced.plan
    would = {d.entry.path for d in plan.downloads}
    if (cache / STATE_FILE).is_file() and not synced.full_listing:
        with SyncState(cache, readonly=True) as state:
            stale = {r.id: r.drive_path for r in state.files().values() if r.content_key != r.analysed_md5}
        would |= {path for fid, path in stale.items() if fid in plan.view.files}
    return RunResult(sync=synced, out_folder=out, planned=sorted(would))
