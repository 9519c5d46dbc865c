"""The one place that does I/O end to end: fetch workbooks, analyse them, and write the outputs."""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import pandas as pd

from gdrivestats._crash import crashpoint
from gdrivestats.drive.base import Drive, join_path, norm_path
from gdrivestats.errors import ConfigError, GdriveStatsError
from gdrivestats.formats import SPREADSHEET_MIME, WORKBOOK_EXTENSIONS, WORKBOOK_PATTERNS, is_workbook_name
from gdrivestats.mirror import DEFAULT_OUT_FOLDER, Mirror, SyncResult
from gdrivestats.workbook import Workbook, load_workbook, sheet_from_frame

log = logging.getLogger(__name__)

DRIVE_PREFIX = "drive:"


def sample_path() -> Path:
    """The bundled sample workbook: countries of the world (see gdrivestats/data/SOURCE.md)."""
    return Path(str(resources.files("gdrivestats") / "data" / "countries.xlsx"))


def analyze(
    source: str | Path | pd.DataFrame | Workbook, top: int = 10, sheet: str | None = None
):  # -> Report (annotated below once report is imported lazily)
    """Analyse one workbook (a path, ``drive:PATH``, a DataFrame or a loaded Workbook) and return its Report.

    The Report holds the tables as DataFrames and the charts as matplotlib Figures, displays itself in a
    notebook cell, and writes summary.xlsx, charts/*.png, report.html and summary.json with ``.save(folder)``.
    """
    from gdrivestats.report import build_report

    return build_report(_as_workbook(source, sheet), top=top)


def _as_workbook(source: str | Path | pd.DataFrame | Workbook, sheet: str | None) -> Workbook:
    if isinstance(source, Workbook):
        return source
    if isinstance(source, pd.DataFrame):
        frame_sheet = sheet_from_frame(source, name=sheet or "data")
        return Workbook(name="data", source="DataFrame", sheets=[frame_sheet])
    text = str(source)
    if text.startswith(DRIVE_PREFIX):
        return _load_from_drive(text[len(DRIVE_PREFIX) :], sheet)
    return load_workbook(Path(source), sheet=sheet)


def _load_from_drive(drive_path: str, sheet: str | None) -> Workbook:
    """Download one workbook from Drive (read-only access) into a temporary folder and load it."""
    from gdrivestats.connect import connect

    drive = connect(write=False)
    entry = drive.stat(drive_path)
    if entry.is_folder:
        raise ConfigError(f"drive:{drive_path} is a folder; name a workbook inside it")
    with tempfile.TemporaryDirectory(prefix="gdrivestats-") as tmp:
        local = drive.download(entry, Path(tmp) / _local_download_name(entry.name, entry.mime_type))
        workbook = load_workbook(local, sheet=sheet)
    workbook.source = f"drive:{drive_path}"
    return workbook


def _local_download_name(name: str, mime_type: str | None) -> str:
    """A plain file name for a downloaded Drive file; native Google Sheets arrive as xlsx."""
    stem = Path(name.replace("/", "_")).name or "workbook"
    if mime_type == SPREADSHEET_MIME and not stem.lower().endswith(".xlsx"):
        stem += ".xlsx"
    return stem


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


def expand_sources(sources: Iterable[str]) -> tuple[list[str], list[str]]:
    """Files and drive paths to analyse (folders expanded to their workbooks), and failures found doing it."""
    found: list[str] = []
    failures: list[str] = []
    for source in sources:
        if source.startswith(DRIVE_PREFIX):
            found.append(source)
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


def _is_workbook_file(path: Path) -> bool:
    return is_workbook_name(path.name)


def _is_hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts)


def analyze_sources(
    sources: Sequence[str], out: Path, top: int = 10, sheet: str | None = None, progress: bool = True
) -> Outcome:
    """Analyse every source; with one workbook write into ``out``, with several into ``out/<name>/``.

    A bad source is reported in the outcome and the others still run.
    """
    from tqdm.auto import tqdm

    files, failures = expand_sources(sources)
    outcome = Outcome(failures=failures)
    if not files:
        return outcome
    single = len(files) == 1 and not failures
    names = _output_names(files)
    bar = tqdm(files, desc="Analysing", unit="workbook", disable=not progress or len(files) < 2)
    for source in bar:
        target = out if single else out / names[source]
        try:
            report = analyze(source, top=top, sheet=sheet)
            report.save(target)
        except GdriveStatsError as exc:
            message = str(exc)
            named = message.startswith((source, source.removeprefix(DRIVE_PREFIX)))
            outcome.failures.append(message if named else f"{source}: {message}")
            continue
        except (OSError, ValueError) as exc:  # e.g. an output folder that cannot be written
            outcome.failures.append(f"{source}: {type(exc).__name__}: {exc}")
            log.debug("analysis of %s failed", source, exc_info=True)
            continue
        outcome.written.append((_display_name(source), target))
    return outcome


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

    @property
    def ok(self) -> bool:
        """True when the sync and every workbook succeeded."""
        return self.sync.ok and not self.failures

    def summary(self) -> str:
        """The final lines of a run."""
        lines = [self.sync.summary()]
        lines.append(
            f"Analysed {len(self.analysed)} changed workbook(s), {len(self.failures)} failed;"
            f" uploaded {self.uploaded} output file(s) to {self.out_folder or '/'}"
            f" ({self.unchanged_outputs} already up to date)."
        )
        lines += [f"  failed: {f}" for f in [*self.sync.failed, *self.failures]]
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
) -> RunResult:
    """Sync ``folder``, analyse every workbook whose content changed since it was last analysed, and upload
    its outputs (summary.xlsx, charts, report.html, summary.json) into ``<out_folder>/<workbook>/``.

    ``out_folder`` defaults to ``gdrivestats`` inside the synced folder, which the sync itself ignores.
    Idempotent: with nothing changed it analyses and uploads nothing; after a change it updates that
    workbook's outputs in place. One failing workbook is reported and the others still run.
    """
    from gdrivestats.report import build_report

    folder = norm_path(folder)
    out = norm_path(out_folder) if out_folder is not None else join_path(folder, DEFAULT_OUT_FOLDER)
    inside = folder == "" or out.startswith(folder + "/")
    exclude = (out[len(folder) + 1 :] if folder else out) if inside else None
    with Mirror(cache) as mirror:
        synced = mirror.sync(
            drive, folder, patterns=patterns, workers=workers, exclude=exclude, progress=progress
        )
        result = RunResult(sync=synced, out_folder=out)
        names = mirror.output_folders()
        for record in mirror.needs_analysis():
            try:
                workbook = mirror.workbook(record)
                workbook.source = f"drive:{join_path(folder, record.drive_path)}"
                with tempfile.TemporaryDirectory(prefix="gdrivestats-out-") as tmp:
                    build_report(workbook, top=top).save(Path(tmp) / "out")
                    done = mirror.write_back(
                        drive, record, Path(tmp) / "out", join_path(out, names[record.id])
                    )
            except GdriveStatsError as exc:
                result.failures.append(f"{record.drive_path}: {exc}")
                continue
            crashpoint("before-mark-analysed")
            mirror.mark_analysed(record)
            result.analysed.append(record.drive_path)
            result.uploaded += len(done.uploaded)
            result.unchanged_outputs += len(done.skipped)
    log.info("%s", result.summary())
    return result
