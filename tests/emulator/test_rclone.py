"""rclone (an independent Go client with its own resumable uploader) against the emulator over TLS.

rclone has Google's URLs built in, so it reaches the emulator through a CONNECT proxy that only ever
tunnels to the emulator's loopback port, trusting the emulator's self-signed certificate. Skipped when
rclone or openssl is not installed.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from gdrivestats.emulator import Emulator, start_emulator
from tests.emulator.helpers import LoopbackConnectProxy

pytestmark = pytest.mark.skipif(
    shutil.which("rclone") is None or shutil.which("openssl") is None, reason="needs rclone and openssl"
)


@pytest.fixture
def tls_emulator(tmp_path: Path) -> Iterator[tuple[Emulator, dict[str, str]]]:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-keyout", str(key), "-out", str(cert), "-subj", "/CN=www.googleapis.com",
            "-addext", "subjectAltName=DNS:www.googleapis.com,IP:127.0.0.1",
            "-addext", "basicConstraints=critical,CA:TRUE",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    with start_emulator(certfile=cert, keyfile=key) as emu:
        proxy = LoopbackConnectProxy(emu.port)
        token = {"access_token": "tok", "token_type": "Bearer", "expiry": "2099-01-01T00:00:00Z"}
        env = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": str(tmp_path),
            "HTTPS_PROXY": f"http://127.0.0.1:{proxy.port}",
            "SSL_CERT_FILE": str(cert),
            "RCLONE_CONFIG": str(tmp_path / "rclone.conf"),
            "RCLONE_CONFIG_EMU_TYPE": "drive",
            "RCLONE_CONFIG_EMU_SCOPE": "drive",
            "RCLONE_CONFIG_EMU_TOKEN": json.dumps(token),
        }
        try:
            yield emu, env
        finally:
            proxy.close()


def rclone(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        ["rclone", *args, "--low-level-retries", "10", "--drive-pacer-min-sleep", "1ms"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_rclone_round_trip_with_faults(tls_emulator: tuple[Emulator, dict[str, str]], tmp_path: Path) -> None:
    emu, env = tls_emulator
    src = tmp_path / "src"
    (src / "sub").mkdir(parents=True)
    (src / "a.txt").write_bytes(b"hello\n")
    big = os.urandom(9 * 1024 * 1024 + 7)  # above rclone's 8 MiB cutoff: a resumable upload
    (src / "sub" / "big.bin").write_bytes(big)
    # Each fault costs rclone a pacer sleep of a second or two, so one of each kind is enough.
    emu.set_faults("upload-chunk:count=1:drop,upload:count=1:lose-last-chunk,list:count=1:503")
    rclone(env, "copy", str(src), "emu:bench", "--drive-chunk-size", "8M")
    emu.set_faults("media:count=1:drop")
    rclone(env, "copy", "emu:bench", str(tmp_path / "dst"))
    assert (tmp_path / "dst" / "sub" / "big.bin").read_bytes() == big
    assert (tmp_path / "dst" / "a.txt").read_bytes() == b"hello\n"
    listing = json.loads(rclone(env, "lsjson", "-R", "--hash", "emu:bench"))
    md5 = {item["Path"]: item["Hashes"]["md5"] for item in listing if not item["IsDir"]}
    assert md5 == {"a.txt": hashlib.md5(b"hello\n").hexdigest(), "sub/big.bin": hashlib.md5(big).hexdigest()}
    emu.set_faults(None)
    rclone(env, "moveto", "emu:bench/a.txt", "emu:bench/sub/moved.txt")
    rclone(env, "deletefile", "emu:bench/sub/big.bin")
    assert rclone(env, "lsf", "-R", "emu:bench").split() == ["sub/", "sub/moved.txt"]
    faults = {e.fault for e in emu.log.entries() if e.fault}
    assert {"drop", "lose-last-chunk", "503"} <= faults
