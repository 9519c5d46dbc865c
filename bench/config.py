"""The sizes and run counts of a benchmark run: full (for BENCHMARKS.md) or quick (CI, seconds)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Config:
    """Every knob of one run; ``Config.full()`` is what BENCHMARKS.md reports."""

    quick: bool
    # 1. sync
    tree_files: int
    tree_folders: int
    latency_ms: int
    changed_files: int
    first_sync_runs: int  # gdrivestats and tuned rclone (a few seconds each)
    slow_first_sync_runs: int  # the naive script and rclone with its defaults (tens of seconds)
    resync_runs: int
    # 2, 3, 5. loading, report, memory
    big_rows: int
    load_runs: int  # fast loaders
    slow_load_runs: int  # pandas with openpyxl
    report_runs: int
    # 4. upload
    upload_bytes: int
    upload_runs: int
    upload_chunk: int  # 0: the library's default chunk size
    fault_spec: str

    @classmethod
    def full(cls) -> Config:
        return cls(
            quick=False,
            tree_files=1_000,
            tree_folders=50,
            latency_ms=20,
            changed_files=5,
            first_sync_runs=5,
            slow_first_sync_runs=3,
            resync_runs=5,
            big_rows=100_000,
            load_runs=5,
            slow_load_runs=3,
            report_runs=3,
            upload_bytes=50 * 1024 * 1024,
            upload_runs=5,
            upload_chunk=0,
            fault_spec=FAULTS,
        )

    @classmethod
    def quick_mode(cls) -> Config:
        return cls(
            quick=True,
            tree_files=40,
            tree_folders=4,
            latency_ms=20,
            changed_files=5,
            first_sync_runs=1,
            slow_first_sync_runs=1,
            resync_runs=1,
            big_rows=2_000,
            load_runs=1,
            slow_load_runs=1,
            report_runs=1,
            upload_bytes=6 * 1024 * 1024,
            upload_runs=1,
            upload_chunk=1024 * 1024,
            fault_spec=FAULTS,
        )


# 10% of upload requests fail: half of them dropped mid-transfer (connection reset after half the bytes),
# half answered 503. The rules are tried in order, so the second fires on 5.3% of what the first let through.
FAULTS = "upload:rate=0.05:drop,upload:rate=0.0527:503"
