"""One Drive interface, two backends: LocalDrive (a folder or Colab's mount) and ApiDrive (Drive v3)."""

from typing import TYPE_CHECKING

from gdrivestats.drive.base import Change, Drive, Entry

if TYPE_CHECKING:
    from gdrivestats.drive.api import ApiDrive
    from gdrivestats.drive.local import LocalDrive

__all__ = ["ApiDrive", "Change", "Drive", "Entry", "LocalDrive"]


def __getattr__(name: str) -> object:
    if name == "ApiDrive":  # imported on use: it loads the Google client libraries
        from gdrivestats.drive.api import ApiDrive

        return ApiDrive
    if name == "LocalDrive":  # imported on use: a sync through the API never needs it
        from gdrivestats.drive.local import LocalDrive

        return LocalDrive
    raise AttributeError(f"module 'gdrivestats.drive' has no attribute {name!r}")
