"""Fake ``google.colab.drive``: ``mount`` copies a "cloud" folder into ``<mountpoint>/MyDrive``; writes
reach the cloud only when ``flush_and_unmount`` copies them back (as on Colab, where writes reach Drive
later).

The cloud folder is ``$FAKE_COLAB_CLOUD`` (a test's temporary folder).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from google.colab import CALLS

_mounted: list[Path] = []


def _cloud() -> Path:
    cloud = os.environ.get("FAKE_COLAB_CLOUD")
    if not cloud:
        raise RuntimeError("set FAKE_COLAB_CLOUD to the folder that plays My Drive")
    return Path(cloud)


def mount(
    mountpoint: str, force_remount: bool = False, timeout_ms: int = 120000, readonly: bool = False
) -> None:
    """Record the call and make ``<mountpoint>/MyDrive`` a copy of the cloud folder."""
    CALLS.append(("mount", {"mountpoint": mountpoint, "force_remount": force_remount, "readonly": readonly}))
    point = Path(mountpoint)
    if point in _mounted and not force_remount:
        print(f"Drive already mounted at {mountpoint}; to attempt to forcibly remount, call drive.mount(...)")
        return
    my_drive = point / "MyDrive"
    if my_drive.exists():
        shutil.rmtree(my_drive)
    shutil.copytree(_cloud(), my_drive)
    _mounted.append(point)
    print(f"Mounted at {mountpoint}")


def flush_and_unmount(timeout_ms: int = 24 * 60 * 60 * 1000) -> None:
    """Record the call, copy what was written under the mount back to the cloud, and unmount."""
    CALLS.append(("flush_and_unmount", {"timeout_ms": timeout_ms}))
    if not _mounted:
        raise ValueError("Drive not mounted, so nothing to flush and unmount.")
    point = _mounted.pop()
    shutil.copytree(point / "MyDrive", _cloud(), dirs_exist_ok=True)
    shutil.rmtree(point / "MyDrive")
    print("All changes made in this colab session should now be visible in Drive.")


def reset() -> None:
    """Forget mounts (between tests)."""
    _mounted.clear()
