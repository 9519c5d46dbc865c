"""One Drive interface, two backends: LocalDrive (a folder or Colab's mount) and ApiDrive (Drive v3)."""

from gdrivestats.drive.base import Change, Drive, Entry
from gdrivestats.drive.local import LocalDrive

__all__ = ["ApiDrive", "Change", "Drive", "Entry", "LocalDrive"]


def __getattr__(name: str) -> object:
    if name == "ApiDrive":  # imported on use: it loads the Google client libraries
        from gdrivestats.drive.api import ApiDrive

        return ApiDrive
    raise AttributeError(f"module 'gdrivestats.drive' has no attribute {name!r}")
