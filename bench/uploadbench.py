"""4. Upload a large output with ``ApiDrive.upload``, without and with injected faults; count bytes re-sent.

The emulator's log records the bytes each request delivered (a dropped chunk: the half that arrived), so
bytes re-sent = bytes received over all requests - the file size.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import data
from bench.config import Config
from bench.measure import Stats, python_env, run_worker, traffic
from bench.syncbench import TOKEN
from bench.tlsca import TestCA
from gdrivestats.emulator import start_emulator

UPLOAD_FOLDER = "Uploads"
CASES = ("no faults", "10% faults")


@dataclass
class UploadCase:
    """Runs of one upload case: time, bytes re-sent, requests and faults per run."""

    seconds: Stats = field(default_factory=Stats)
    resent: Stats = field(default_factory=Stats)
    requests: Stats = field(default_factory=Stats)
    faults: Stats = field(default_factory=Stats)
    peak_mb: Stats = field(default_factory=Stats)
    calls: list[dict[str, int]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "seconds": self.seconds.to_dict(),
            "resent_bytes": self.resent.to_dict(),
            "requests": self.requests.to_dict(),
            "faults": self.faults.to_dict(),
            "peak_mb": self.peak_mb.to_dict(),
            "calls": self.calls,
        }


@dataclass
class UploadResults:
    size: int
    fault_spec: str
    latency_ms: int
    chunk: int
    cases: dict[str, UploadCase] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "size": self.size,
            "fault_spec": self.fault_spec,
            "latency_ms": self.latency_ms,
            "chunk": self.chunk,
            "cases": {k: v.to_dict() for k, v in self.cases.items()},
        }


def run_upload(
    config: Config, tls: TestCA, work: Path, data_dir: Path, log: Callable[[str], None]
) -> UploadResults:
    """Upload the same file ``upload_runs`` times per case; each fault run uses its own fault seed."""
    path = data.random_file(config.upload_bytes, data_dir)
    md5 = hashlib.md5(path.read_bytes()).hexdigest()
    results = UploadResults(config.upload_bytes, config.fault_spec, config.latency_ms, config.upload_chunk)
    results.cases = {case: UploadCase() for case in CASES}
    env = python_env({"HTTPLIB2_CA_CERTS": str(tls.ca_cert), "HOME": str(work)})
    emulator = start_emulator(latency_ms=config.latency_ms, certfile=tls.server_cert, keyfile=tls.server_key)
    try:
        emulator.state.add_folder("root", UPLOAD_FOLDER)
        for rep in range(config.upload_runs):
            for case, spec in zip(CASES, (None, f"seed={rep + 1},{config.fault_spec}"), strict=True):
                log(f"upload: {case} {rep + 1}/{config.upload_runs}")
                emulator.set_faults(spec)
                emulator.log.clear()
                args = ["--url", emulator.url, "--token", TOKEN, "--path", str(path)]
                args += ["--folder", UPLOAD_FOLDER, "--name", f"output-{case[:2]}-{rep}.bin"]
                args += ["--chunk", str(config.upload_chunk)]
                result = run_worker("upload", args, env=env)
                emulator.set_faults(None)
                if result["md5"] != md5 or result["size"] != config.upload_bytes:
                    raise RuntimeError(f"upload {case}: Drive holds other content than the file")
                seen = traffic(emulator.log.entries())
                outcome = results.cases[case]
                outcome.seconds.add(result["seconds"])
                outcome.peak_mb.add(result["maxrss_kb"] / 1024)
                outcome.resent.add(seen.bytes_in - config.upload_bytes)
                outcome.requests.add(seen.total_calls)
                outcome.faults.add(seen.faults)
                outcome.calls.append(dict(seen.calls))
                with emulator.state.lock:  # keep the benchmark's own memory flat: drop the file, its session
                    emulator.state.delete(result["id"])
                    emulator.state.uploads.clear()
    finally:
        emulator.stop()
    return results
