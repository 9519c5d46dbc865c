"""Profiles for missed targets: pyinstrument's call tree (main thread), py-spy's GIL samples (all threads)."""

from __future__ import annotations

import re
import shutil
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.measure import Stats, run_timed

_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_NOISE = re.compile(r"\(/[^()]*?/(?:site-packages|python3\.\d+|main)/")


@dataclass(frozen=True)
class Profile:
    """What was profiled, how, and the lines to show."""

    title: str
    command: str
    lines: list[str]

    def to_dict(self) -> dict[str, object]:
        return {"title": self.title, "command": self.command, "lines": self.lines}


def pyinstrument(title: str, target: Sequence[str], env: dict[str, str], out: Path, top: int = 45) -> Profile:
    """``python -m pyinstrument <target>`` (``-m module args`` or ``-c code``): the tree's first lines."""
    options = ["--no-color", "--unicode", "-i", "0.001", "-p", "processor_options.filter_threshold=0.01"]
    run_timed([sys.executable, "-m", "pyinstrument", *options, "-o", str(out), *target], env=env, timeout=900)
    return Profile(
        title, "pyinstrument " + " ".join(target), tree_lines(out.read_text(encoding="utf-8"), top)
    )


def tree_lines(text: str, top: int = 45) -> list[str]:
    """pyinstrument's text report without its banner: the duration line, then the call tree."""
    lines = [line.rstrip() for line in _ANSI.sub("", text).splitlines()]
    duration = next((line for line in lines if "Duration:" in line), "")
    duration = duration[duration.find("Duration:") :].strip()
    start = next((i + 1 for i, line in enumerate(lines) if line.startswith(("Program:", "Profile at"))), 0)
    tree = [
        line for line in lines[start:] if line.strip() and not line.startswith(("To view", "    pyinstr"))
    ]
    return ([duration] if duration else []) + tree[:top]


def find_py_spy() -> str | None:
    """py-spy next to this interpreter or on PATH (``pip install py-spy``), else None."""
    local = Path(sys.executable).with_name("py-spy")
    return str(local) if local.is_file() else shutil.which("py-spy")


def py_spy_gil(
    title: str, command: Sequence[str], env: dict[str, str], out: Path, top: int = 25
) -> Profile | None:
    """Sample every thread while it holds the GIL (``py-spy record --gil``): where the CPU goes.

    The lines are functions by inclusive share of the GIL-holding samples (a function counted once per
    sample however deep it recurs), then the top functions by self time.
    """
    binary = find_py_spy()
    if binary is None:
        return None
    run_timed([binary, "record", "-r", "250", "--gil", "-f", "raw", "-o", str(out), "--", *command], env=env)
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for line in out.read_text(encoding="utf-8").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = [_NOISE.sub("(", f) for f in stack.split(";")[1:]]
        total += int(count)
        for frame in set(frames):
            inclusive[frame] += int(count)
        if frames:
            own[frames[-1]] += int(count)
    if not total:
        return None
    skip = ("threading.py", "<frozen", "concurrent/futures", "runpy", "gdrivestats/__main__")
    ranked = [(f, n) for f, n in inclusive.most_common() if not any(part in f for part in skip)]
    lines = [
        f"{total} samples with the GIL held (250 Hz); inclusive share (threading and import frames left out):"
    ]
    lines += [f"{100 * n / total:5.1f}%  {f}" for f, n in ranked[:top]]
    lines += ["", "self time:"] + [f"{100 * n / total:5.1f}%  {f}" for f, n in own.most_common(10)]
    shown = " ".join([Path(command[0]).name, *command[1:4]])
    return Profile(title, f"py-spy record --gil -- {shown} ...", lines)


def startup_seconds(command: Sequence[str], env: dict[str, str], runs: int) -> Stats:
    """Wall time of a command that does nothing but start (``gdrivestats --version``)."""
    stats = Stats()
    for _ in range(runs):
        stats.add(run_timed(list(command), env=env).seconds)
    return stats
