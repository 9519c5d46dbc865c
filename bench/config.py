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
    # 6. run at scale
    run_count: int  # workbooks every tool analyses (the new run, today's code, the naive loop)
    run_large: int  # workbooks only the new run analyses as well (0: none)
    run_latency_ms: int
    run_write_rate: float  # writes a second before 403 userRateLimitExceeded (Drive: about 3)

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
            run_count=12,
            # The 200 workbooks: about 1,000 writes, some 6 min at Drive's 3 writes a second.
            run_large=200,
            run_latency_ms=100,
            run_write_rate=3.0,
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
            run_count=3,
            run_large=0,
            run_latency_ms=20,
            run_write_rate=10.0,
        )


# 10% of upload requests fail: half of them dropped mid-transfer (connection reset after half the bytes),
# half answered 503. The rules are tried in order, so the second fires on 5.3% of what the first let through.
FAULTS = "upload:rate=0.05:drop,upload:rate=0.0527:503"
