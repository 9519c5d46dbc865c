"""rclone against the emulator: a config with a static token, the proxy and CA environment, the commands."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

REMOTE = "emu"
TOKEN = {
    "access_token": "test-token",
    "token_type": "Bearer",
    "refresh_token": "x",
    "expiry": "2099-01-01T00:00:00Z",
}
# rclone's own defaults (transfers 4, checkers 8, pacer 100 ms / burst 100), then the tuned variant.
DEFAULTS = "rclone (defaults)"
TUNED = "rclone (tuned)"
PROFILES: dict[str, tuple[str, ...]] = {
    DEFAULTS: (),
    TUNED: (
        "--transfers",
        "8",
        "--checkers",
        "16",
        "--drive-pacer-min-sleep",
        "1ms",
        "--drive-pacer-burst",
        "1000",
    ),
}


@dataclass(frozen=True)
class Rclone:
    """How to run rclone against the emulator: the binary, its config file and its environment."""

    binary: str
    config: Path
    env: dict[str, str]

    def copy_command(self, folder: str, dest: Path, extra: tuple[str, ...]) -> list[str]:
        """``rclone copy --fast-list emu:<folder> <dest>`` with the given extra flags."""
        return [
            self.binary,
            "copy",
            "--fast-list",
            "--config",
            str(self.config),
            *self.common_flags(),
            *extra,
            f"{REMOTE}:{folder}",
            str(dest),
        ]

    def common_flags(self) -> list[str]:
        return ["--ca-cert", self.env["BENCH_CA_CERT"], "--low-level-retries", "3", "--retries", "1"]


def find_rclone() -> str | None:
    """The rclone binary on PATH, or None."""
    return shutil.which("rclone")


def rclone_version(binary: str) -> str:
    """``rclone version``'s first line, e.g. ``rclone v1.60.1-DEV``."""
    out = subprocess.run([binary, "version"], capture_output=True, text=True, timeout=30, check=False)
    return (out.stdout.splitlines() or ["unknown"])[0].strip()


def write_config(path: Path, root_folder_id: str | None = None) -> Path:
    """An rclone.conf with one remote ``[emu]`` of type drive and a static access token."""
    lines = [
        f"[{REMOTE}]",
        "type = drive",
        "scope = drive",
        f"token = {json.dumps(TOKEN)}",
    ]
    if root_folder_id:
        lines.append(f"root_folder_id = {root_folder_id}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    path.chmod(0o600)
    return path


def make_rclone(
    binary: str, folder: Path, proxy_url: str, ca_cert: Path, root_folder_id: str | None
) -> Rclone:
    """An Rclone whose traffic goes through ``proxy_url`` and trusts only the test CA."""
    env = clean_env()
    env.update(
        {
            "HTTPS_PROXY": proxy_url,
            "https_proxy": proxy_url,
            "HOME": str(folder),
            "XDG_CACHE_HOME": str(folder / "cache"),
            "BENCH_CA_CERT": str(ca_cert),
        }
    )
    return Rclone(binary, write_config(folder / "rclone.conf", root_folder_id), env)


def clean_env() -> dict[str, str]:
    """This process's environment without proxy settings or rclone's own configuration variables."""
    drop = {"http_proxy", "https_proxy", "all_proxy", "no_proxy", "httplib2_ca_certs"}
    return {
        k: v
        for k, v in os.environ.items()
        if k.lower() not in drop and not k.startswith("RCLONE_") and not k.startswith("GDRIVESTATS_")
    }
