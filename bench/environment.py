"""Where and with what a run happened: the machine (cores, memory, load) and every measured version."""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import sys
from importlib import metadata
from pathlib import Path

from bench import rclone

PACKAGES = (
    "gdrivestats",
    "pandas",
    "python-calamine",
    "fastexcel",
    "openpyxl",
    "google-api-python-client",
    "httplib2",
    "matplotlib",
    "pyarrow",
    "numpy",
)


def _meminfo_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024 / 1024
    except OSError:
        return None
    return None


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


DAMON = Path("/sys/kernel/mm/damon/admin/kdamonds")


def idle_pageout(root: Path = DAMON) -> str:
    """The kernel's page-out of memory left idle (DAMON schemes with the ``pageout`` action), if running.

    Such a scheme takes a program's code out of memory between its runs, so that a run after a pause
    starts by reading it back: the benchmark warms each tool up before each timed run for that reason.
    """
    found = []
    for kdamond in sorted(root.glob("[0-9]*")):
        state = _read(kdamond / "state")
        if not state and (kdamond / "state").exists():  # root only
            found.append(f"unknown: {kdamond / 'state'} is not readable (run as root to see)")
            continue
        if state != "on":
            continue
        for context in sorted((kdamond / "contexts").glob("[0-9]*")):
            aggregation_us = int(_read(context / "monitoring_attrs" / "intervals" / "aggr_us") or 0)
            for scheme in sorted((context / "schemes").glob("[0-9]*")):
                if _read(scheme / "action") != "pageout":
                    continue
                age = int(_read(scheme / "access_pattern" / "age" / "min") or 0)
                found.append(f"pages idle for {age * aggregation_us / 1e6:g} s and more (DAMON)")
    return "; ".join(found) or "none found"


def _read(path: Path) -> str:
    try:
        return path.read_text().strip()
    except OSError:
        return ""


def machine() -> dict[str, str]:
    """Cores, memory, CPU model, OS, the kernel's page-out of idle memory and the load average when asked."""
    memory = _meminfo_gib()
    load = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    return {
        "cores": str(os.cpu_count()),
        "memory": f"{memory:.1f} GiB" if memory else "unknown",
        "cpu": _cpu_model(),
        "os": platform.platform(),
        "kernel page-out of idle memory": idle_pageout(),
        "load average (1, 5, 15 min)": load,
    }


def versions() -> dict[str, str]:
    """Python, the measured packages and rclone."""
    found = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    found["gdrivestats installed as"] = install_mode()
    binary = rclone.find_rclone()
    found["rclone"] = rclone.rclone_version(binary) if binary else "not installed"
    return found


def install_mode(name: str = "gdrivestats", path: list[str] | None = None) -> str:
    """How ``name`` is installed: a wheel, or editable through a path in a .pth file or through
    setuptools' import hook (whose imports cost every Python process of the venv tens of ms at start).

    The installed copy is the one an installer recorded (its INSTALLER file): an editable install puts the
    source tree on sys.path, and the ``*.egg-info`` that setuptools leaves there is found first but is no
    installation (it would read as a wheel)."""
    found = list(metadata.distributions(name=name, path=path if path is not None else sys.path))
    if not found:
        return "not installed"
    installed = [dist for dist in found if dist.read_text("INSTALLER") is not None] or found
    return install_mode_of(installed[0])


def install_mode_of(dist: metadata.Distribution) -> str:
    """``install_mode`` of one distribution, from its direct_url.json (PEP 610) and its files."""
    try:
        editable = json.loads(dist.read_text("direct_url.json") or "{}").get("dir_info", {}).get("editable")
    except (ValueError, AttributeError):
        editable = None
    if not editable:
        return "wheel"
    hooked = any(Path(str(f)).name.endswith("_finder.py") for f in dist.files or ())
    return "editable, setuptools' import hook" if hooked else "editable, a path in a .pth file"


def now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
