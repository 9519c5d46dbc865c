"""gdrivestats: statistics, charts and reports from spreadsheets kept in Google Drive."""

from __future__ import annotations

from gdrivestats.errors import (
    AuthError,
    ConfigError,
    DriveError,
    GdriveStatsError,
    NotFound,
    QuotaExceeded,
    RateLimited,
    WorkbookError,
)

__version__ = "0.1.0"

__all__ = [
    "AuthError",
    "ConfigError",
    "DriveError",
    "GdriveStatsError",
    "NotFound",
    "QuotaExceeded",
    "RateLimited",
    "WorkbookError",
    "__version__",
]
