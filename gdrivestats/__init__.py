"""gdrivestats: statistics, charts and reports from spreadsheets kept in Google Drive.

The public API, for notebooks and scripts::

    import gdrivestats
    drive = gdrivestats.connect()                      # Colab mount, cached sign-in, service account...
    report = gdrivestats.analyze(gdrivestats.sample_path())  # a path, a DataFrame, "drive:Folder/file.xlsx"
    frame = gdrivestats.read("drive:Folder/file.xlsx")  # the cleaned table, like pandas.read_excel
    gdrivestats.sync(drive, "Colab Notebooks", "cache/")
    gdrivestats.run(drive, "Colab Notebooks", "cache/")  # sync + analyse what changed + write back

Names are imported on first use, so ``import gdrivestats`` (and the sync path) does not load pandas or
matplotlib until analysis needs them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from gdrivestats.errors import (
    AuthError,
    ConfigError,
    DriveError,
    ExportTooLarge,
    GdriveStatsError,
    NotFound,
    PermissionDenied,
    QuotaExceeded,
    RateLimited,
    WorkbookError,
)

__version__ = "0.1.0"

# Eager on purpose: ``connect`` shares its name with its module, and the submodule imported later would
# otherwise replace the function on the package. The module is light (it imports the auth chain on use).
from gdrivestats.connect import connect, flush

_LAZY = {
    "sync": "gdrivestats.mirror.sync",
    "analyze": "gdrivestats.pipeline",
    "read": "gdrivestats.reader",
    "sample_path": "gdrivestats.reader",
    "run": "gdrivestats.pipeline",
    "Report": "gdrivestats.report",
    "load_workbook": "gdrivestats.workbook",
    "Drive": "gdrivestats.drive.base",
    "Entry": "gdrivestats.drive.base",
    "LocalDrive": "gdrivestats.drive.local",
    "ApiDrive": "gdrivestats.drive.api",
    "start_emulator": "gdrivestats.emulator",
}

if TYPE_CHECKING:
    from gdrivestats.drive.api import ApiDrive
    from gdrivestats.drive.base import Drive, Entry
    from gdrivestats.drive.local import LocalDrive
    from gdrivestats.emulator import start_emulator
    from gdrivestats.mirror.sync import sync
    from gdrivestats.pipeline import analyze, run
    from gdrivestats.reader import read, sample_path
    from gdrivestats.report import Report
    from gdrivestats.workbook import load_workbook


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'gdrivestats' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY])


__all__ = [
    "ApiDrive",
    "AuthError",
    "ConfigError",
    "Drive",
    "DriveError",
    "Entry",
    "ExportTooLarge",
    "GdriveStatsError",
    "LocalDrive",
    "NotFound",
    "PermissionDenied",
    "QuotaExceeded",
    "RateLimited",
    "Report",
    "WorkbookError",
    "__version__",
    "analyze",
    "connect",
    "flush",
    "load_workbook",
    "read",
    "run",
    "sample_path",
    "start_emulator",
    "sync",
]
