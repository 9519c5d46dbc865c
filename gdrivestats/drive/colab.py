"""ColabDrive: My Drive through Colab's drive.mount, a LocalDrive whose writes reach Drive on flush()."""

from __future__ import annotations

import threading
from pathlib import Path

from gdrivestats.auth import colab
from gdrivestats.drive.local import LocalDrive

_mounts: set[Path] = set()
_mounts_lock = threading.Lock()


class ColabDrive(LocalDrive):
    """My Drive through Colab's mount: a LocalDrive that can push its writes to Drive with ``flush()``."""

    def __init__(self, root: Path | str, mount_point: Path) -> None:
        super().__init__(root)
        self.mount_point = Path(mount_point)
        with _mounts_lock:
            _mounts.add(self.mount_point)

    def __repr__(self) -> str:
        return f"ColabDrive({str(self.root)!r}, mount_point={str(self.mount_point)!r})"

    def flush(self) -> None:
        """Make every write under the mount reach Drive (``drive.flush_and_unmount()``); this unmounts.

        Call it once after the outputs are written; ``connect()`` again to mount anew.
        """
        colab.flush(self.mount_point)
        with _mounts_lock:
            _mounts.discard(self.mount_point)


def flush_mounts() -> bool:
    """Push writes made through any Colab Drive mount to Drive (``flush_and_unmount``); False if none."""
    with _mounts_lock:
        points = sorted(_mounts)
        _mounts.clear()
    if not points:
        return False
    colab.flush(points[0])  # Colab has one Drive mount, and flush_and_unmount() takes no mount point
    return True
