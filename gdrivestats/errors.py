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

    #: As on DownloadBlocked: Drive's reason, and no retry until the file changes.
    reason = "exportSizeLimitExceeded"
    retry_after: float | None = None


class DownloadBlocked(DriveError):
    """Drive refuses to hand over one file's content, for a reason that is not a missing permission.

    ``reason`` is Drive's (``downloadQuotaExceeded``, ``cannotDownloadAbusiveFile``, ``cannotDownloadFile``
    when the owner disabled downloads, ``fileNotDownloadable``, ``exportSizeLimitExceeded``);
    ``retry_after`` is how many seconds to wait before trying that file again (None: it will not pass by
    itself until someone changes the file). Other files are not affected: record this one and go on.
    """

    def __init__(self, message: str, reason: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.reason = reason
        self.retry_after = retry_after


class AlreadyExists(DriveError):
    """Drive answered 409: an item with the id given to a create already exists (the create happened)."""


class CacheLocked(GdriveStatsError):
    """Another run holds the lock on this cache folder (exit status 3): two runs never work on one cache."""


class DiskFull(GdriveStatsError, OSError):
    """The disk holding the cache or the outputs is full: nothing more can be written there."""


def disk_full(exc: BaseException, where: object) -> DiskFull | None:
    """A DiskFull saying so in plain words when ``exc`` is a full disk (ENOSPC, EDQUOT, SQLite's "disk is
    full" or "disk I/O error"), else None."""
    import errno
    import sqlite3

    full = isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT)
    full = full or (
        isinstance(exc, sqlite3.OperationalError) and ("full" in str(exc) or "disk I/O" in str(exc))
    )
    if not full:
        return None
    return DiskFull(
        f"{where}: the disk is full; free some space (or use a cache on another disk) and run again"
    )
