"""The issue's targets, checked against one run's results: each met, missed, or not measured (and why)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bench.loadbench import CACHED, GDS_LOAD, PANDAS_DEFAULT, LoadResults
from bench.syncbench import GDRIVESTATS, NAIVE, SCENARIOS, SyncResults

FIRST, UNCHANGED, CHANGED = SCENARIOS
RCLONE_TUNED = "rclone (tuned)"
RCLONE_DEFAULT = "rclone (defaults)"


@dataclass(frozen=True)
class Target:
    """One claim: what it asks, what was measured, and whether it holds (None: could not be measured)."""

    key: str
    claim: str
    measured: str
    met: bool | None

    @property
    def verdict(self) -> str:
        return {True: "met", False: "**missed**", None: "not measured"}[self.met]

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "claim": self.claim, "measured": self.measured, "met": self.met}


def _median(sync: SyncResults, scenario: str, tool: str) -> float | None:
    outcome = sync.get(scenario, tool)
    if outcome is None or outcome.error or not outcome.seconds.runs:
        return None
    return outcome.seconds.median


def sync_targets(sync: SyncResults) -> list[Target]:
    """First sync vs naive and tuned rclone; re-sync call counts and speed; exact downloads after changes."""
    targets = []
    gds = _median(sync, FIRST, GDRIVESTATS)
    naive = _median(sync, FIRST, NAIVE)
    if gds is None or naive is None:
        targets.append(Target("first-vs-naive", "first sync ≥ 6× faster than the naive script", "n/a", None))
    else:
        ratio = naive / gds
        text = f"{ratio:.1f}× ({gds:.2f} s vs {naive:.2f} s)"
        targets.append(
            Target("first-vs-naive", "first sync ≥ 6× faster than the naive script", text, ratio >= 6)
        )
    tuned = _median(sync, FIRST, RCLONE_TUNED)
    claim = "first sync no slower than tuned rclone"
    if gds is None or tuned is None:
        targets.append(Target("first-vs-rclone", claim, "rclone not measured", None))
    else:
        text = f"{tuned / gds:.2f}× ({gds:.2f} s vs {tuned:.2f} s)"
        targets.append(Target("first-vs-rclone", claim, text, gds <= tuned))
    unchanged = sync.get(UNCHANGED, GDRIVESTATS)
    claim = "re-sync, nothing changed: at most 2 API calls"
    if unchanged is None or not unchanged.traffic:
        targets.append(Target("resync-calls", claim, "n/a", None))
    else:
        worst = int(unchanged.calls.max)
        text = f"{worst} call(s): {unchanged.traffic[-1].describe() or 'none'}"
        targets.append(Target("resync-calls", claim, text, worst <= 2))
    targets.append(_resync_speed(sync))
    changed = sync.get(CHANGED, GDRIVESTATS)
    claim = f"re-sync, {sync.changed} changed: exactly {sync.changed} downloads"
    if changed is None or not changed.traffic:
        targets.append(Target("resync-downloads", claim, "n/a", None))
    else:
        media = [int(v) for v in changed.kind_calls("media").values]
        ok = all(m == sync.changed for m in media) and not changed.error
        targets.append(Target("resync-downloads", claim, f"downloads per run: {media}", ok))
    return targets


def _resync_speed(sync: SyncResults) -> Target:
    claim = "re-sync, nothing changed: faster end to end than rclone's re-sync (process start included)"
    gds = _median(sync, UNCHANGED, GDRIVESTATS)
    peers = {t: _median(sync, UNCHANGED, t) for t in (RCLONE_DEFAULT, RCLONE_TUNED)}
    measured = {t: v for t, v in peers.items() if v is not None}
    if gds is None or not measured:
        return Target("resync-vs-rclone", claim, "rclone not measured", None)
    best_tool, best = min(measured.items(), key=lambda kv: kv[1])
    text = f"{gds:.2f} s vs {best:.2f} s ({best_tool}, the faster rclone)"
    return Target("resync-vs-rclone", claim, text, gds < best)


def load_targets(load: LoadResults) -> list[Target]:
    """Loading ≥ 10× faster than pandas' default engine; the cached re-load ≥ 100× faster."""
    pandas = load.loads[PANDAS_DEFAULT].seconds.median
    gds = load.loads[GDS_LOAD].seconds.median
    cached = load.loads[CACHED].seconds.median
    return [
        Target(
            "load-vs-pandas",
            "loading ≥ 10× faster than pandas.read_excel's default engine",
            f"{pandas / gds:.1f}× ({gds:.2f} s vs {pandas:.2f} s)",
            pandas / gds >= 10,
        ),
        Target(
            "cached-vs-pandas",
            "cached re-load ≥ 100× faster (than pandas' default engine)",
            f"{pandas / cached:.0f}× ({cached:.3f} s vs {pandas:.2f} s); "
            f"{gds / cached:.0f}× faster than an uncached gdrivestats load",
            pandas / cached >= 100,
        ),
    ]
