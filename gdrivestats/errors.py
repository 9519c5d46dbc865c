"""The one error hierarchy of gdrivestats: every failure a user can act on is a GdriveStatsError."""

from __future__ import annotations


class GdriveStatsError(Exception):
    """Base of every error gdrivestats raises on purpose; its message is one line a user can act on."""


class ConfigError(GdriveStatsError, ValueError):
    """Settings, arguments or a configuration file are wrong."""


class AuthError(GdriveStatsError):
    """No usable credentials, or the credentials were refused."""


class WorkbookError(GdriveStatsError, ValueError):
    """A workbook cannot be read or holds nothing to analyse."""

    def __init__(self, message: str, path: str | None = None) -> None:
        self.path = path
        super().__init__(f"{path}: {message}" if path else message)


class DriveError(GdriveStatsError):
    """A Drive operation failed."""


class NotFound(DriveError, FileNotFoundError):
    """A Drive path or id does not exist."""


class RateLimited(DriveError):
    """Drive kept refusing for rate limits after every retry."""


class QuotaExceeded(DriveError):
    """Drive storage or a daily quota is exhausted; retrying will not help."""


class PermissionDenied(DriveError, PermissionError):
    """The credentials may not do this to this file."""


class ExportTooLarge(DriveError):
    """A native Google file is over Drive's export size limit."""
