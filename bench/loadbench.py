"""2, 3 and 5. Load a big workbook (gdrivestats vs pandas), re-load it from the parse cache, build its report.

Every run is a fresh worker process (``bench.worker``), so each figure comes with that process's peak memory.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import data
from bench.config import Config
from bench.measure import Stats, run_worker

LOADERS = {
    "gdrivestats load_workbook (calamine + cleaning)": "gdrivestats",
    "pandas.read_excel, default engine (openpyxl)": "openpyxl",
    "pandas.read_excel, engine='calamine'": "calamine",
    "gdrivestats load_cached, unchanged workbook": "cached",
}
GDS_LOAD, PANDAS_DEFAULT, PANDAS_CALAMINE, CACHED = LOADERS


@dataclass
class Measured:
    """Seconds and peak memory (MiB) of several runs of one task."""

    seconds: Stats = field(default_factory=Stats)
    peak_mb: Stats = field(default_factory=Stats)
    baseline_mb: Stats = field(default_factory=Stats)
    extra: dict[str, Any] = field(default_factory=dict)

    def add(self, result: dict[str, Any]) -> None:
        self.seconds.add(result["seconds"])
        self.peak_mb.add(result["maxrss_kb"] / 1024)
        self.baseline_mb.add(result["baseline_kb"] / 1024)

    def to_dict(self) -> dict[str, Any]:
        return {
            "seconds": self.seconds.to_dict(),
            "peak_mb": self.peak_mb.to_dict(),
            "baseline_mb": self.baseline_mb.to_dict(),
            **self.extra,
        }


@dataclass
class LoadResults:
    """Loading (by loader), report stages (by stage) and the end-to-end report save."""

    rows: int
    cols: int
    file_bytes: int
    loads: dict[str, Measured] = field(default_factory=dict)
    stages: dict[str, Stats] = field(default_factory=dict)
    report: Measured = field(default_factory=Measured)
    charts: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "cols": self.cols,
            "file_bytes": self.file_bytes,
            "loads": {k: v.to_dict() for k, v in self.loads.items()},
            "stages": {k: v.to_dict() for k, v in self.stages.items()},
            "report": self.report.to_dict(),
            "charts": self.charts,
        }


def run_loading(config: Config, work: Path, data_dir: Path, log: Callable[[str], None]) -> LoadResults:
    """Time each loader (tools take turns within a repetition), then the report and its stages."""
    path = data.big_workbook(config.big_rows, data_dir)
    results = LoadResults(rows=config.big_rows, cols=len(data.BIG_COLUMNS), file_bytes=path.stat().st_size)
    cache = work / "parse-cache"
    shutil.rmtree(cache, ignore_errors=True)
    log("load: priming the parse cache")
    run_worker("load", ["cached", str(path), "--cache", str(cache)])
    results.loads = {name: Measured() for name in LOADERS}
    for rep in range(max(config.load_runs, config.slow_load_runs)):
        for name, tool in LOADERS.items():
            runs = config.slow_load_runs if tool == "openpyxl" else config.load_runs
            if rep >= runs:
                continue
            log(f"load: {name} {rep + 1}/{runs}")
            result = run_worker("load", [tool, str(path), "--cache", str(cache)])
            if (result["rows"], result["cols"]) != (config.big_rows, len(data.BIG_COLUMNS)):
                raise RuntimeError(f"{name} read {result['rows']}x{result['cols']}, not the whole sheet")
            results.loads[name].add(result)
    for rep in range(config.report_runs):
        log(f"report: build_report(wb).save(folder), stages timed {rep + 1}/{config.report_runs}")
        out = work / "report-stages"
        shutil.rmtree(out, ignore_errors=True)
        result = run_worker("report", [str(path), "--cache", str(cache), "--out", str(out)])
        results.report.add(result)
        results.charts = result["charts"]
        for stage, seconds in result["stages"].items():
            results.stages.setdefault(stage, Stats()).add(seconds)
    return results
