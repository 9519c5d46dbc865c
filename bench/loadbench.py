"""2, 3 and 5. Load a big workbook (gdrivestats vs pandas), re-load it from the parse cache, build its report.

Every run is a fresh worker process (``bench.worker``), so each figure comes with that process's peak memory.
Also in section 2: what reading the label indents (``styles.read_indents``) costs on real
statistics-office sheets, timed in this process beside the whole ``load_workbook`` of the same file.
"""

from __future__ import annotations

import json
import logging
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import data
from bench.config import Config
from bench.measure import Stats, run_worker

LOADERS = {
    "gdrivestats load_workbook (fastexcel or calamine + cleaning)": "gdrivestats",
    "pandas.read_excel, default engine (openpyxl)": "openpyxl",
    "pandas.read_excel, engine='calamine'": "calamine",
    "gdrivestats load_cached, unchanged workbook": "cached",
}
GDS_LOAD, PANDAS_DEFAULT, PANDAS_CALAMINE, CACHED = LOADERS

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
"""The real spreadsheets (read in place, never copied), as the tests find them."""
STYLE_FILES = {
    "BLS employed by occupation (indented labels)": "bls_cps_employed_by_occupation.xlsx",
    "UNDP HDI table": "undp_hdr2023_24_hdi_table.xlsx",
    "NBS Nigeria GDP by activity": "nbs_nigeria_gdp_by_activity_quarterly.xlsx",
}


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
class StyleCost:
    """What reading the label indents of one real workbook costs, beside loading it whole."""

    workbook: str
    file: str
    sheets: int = 0
    indented: int = 0  # label cells with an indent format
    styles: Stats = field(default_factory=Stats)  # read_indents, seconds
    cold: Stats = field(default_factory=Stats)  # read_indents first in a fresh process: its own imports too
    openpyxl: Stats = field(default_factory=Stats)  # the same read by openpyxl (read-only), the former route
    load: Stats = field(default_factory=Stats)  # load_workbook (which includes read_indents), seconds

    def to_dict(self) -> dict[str, Any]:
        return {
            "workbook": self.workbook,
            "file": self.file,
            "sheets": self.sheets,
            "indented": self.indented,
            "styles": self.styles.to_dict(),
            "cold": self.cold.to_dict(),
            "openpyxl": self.openpyxl.to_dict(),
            "load": self.load.to_dict(),
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
    styles: list[StyleCost] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "cols": self.cols,
            "file_bytes": self.file_bytes,
            "loads": {k: v.to_dict() for k, v in self.loads.items()},
            "stages": {k: v.to_dict() for k, v in self.stages.items()},
            "report": self.report.to_dict(),
            "charts": self.charts,
            "styles": [s.to_dict() for s in self.styles],
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
    results.styles = run_styles(config.load_runs, log)
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


def run_styles(runs: int, log: Callable[[str], None], folder: Path = SHARED_DATA) -> list[StyleCost]:
    """``read_indents`` and ``load_workbook`` of each of STYLE_FILES, in turns, after one warm-up run each.

    In this process (imports done by the warm-up), and once a turn first thing in a fresh process (with any
    import it makes, as the first file of a run pays it); the files are read in place. Missing files are
    skipped.
    """
    from gdrivestats.workbook import load_workbook
    from gdrivestats.workbook.styles import _indents_by_openpyxl, read_indents

    logging.getLogger("gdrivestats").setLevel(logging.ERROR)
    out = []
    for workbook, name in STYLE_FILES.items():
        path = folder / name
        if not path.is_file():
            log(f"styles: {path} not found, skipped")
            continue
        cost = StyleCost(workbook, name)
        sheets = _sheet_names(path)
        found = read_indents(path, sheets)  # warm-up: openpyxl's imports
        load_workbook(path)
        _indents_by_openpyxl(path, sheets)
        cost.sheets = len(sheets)
        cost.indented = sum(len(rows) for columns in found.values() for rows in columns.values())
        for rep in range(runs):
            log(f"styles: {name} {rep + 1}/{runs}")
            started = time.perf_counter()
            read_indents(path, sheets)
            cost.styles.add(time.perf_counter() - started)
            started = time.perf_counter()
            load_workbook(path)
            cost.load.add(time.perf_counter() - started)
            cost.cold.add(_cold_styles(path, sheets))
            started = time.perf_counter()
            _indents_by_openpyxl(path, sheets)
            cost.openpyxl.add(time.perf_counter() - started)
        out.append(cost)
    return out


_COLD = """
import json, sys, time
from pathlib import Path
from gdrivestats.workbook import load_workbook
from gdrivestats.workbook.styles import read_indents
started = time.perf_counter()
read_indents(Path(sys.argv[1]), json.loads(sys.argv[2]))
print(time.perf_counter() - started)
"""


def _cold_styles(path: Path, sheets: list[str]) -> float:
    """``read_indents`` first in a fresh process (the loader imported): with any import it needs itself."""
    done = subprocess.run(
        [sys.executable, "-c", _COLD, str(path), json.dumps(sheets)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return float(done.stdout.strip().splitlines()[-1])


def _sheet_names(path: Path) -> list[str]:
    """The sheets the loader gives to ``read_indents``: every sheet calamine reads."""
    from gdrivestats.workbook.load import read_excel

    return [raw.name for raw in read_excel(path, None) if raw.skip_reason is None]
