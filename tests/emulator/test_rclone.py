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
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from gdrivestats.emulator import Emulator, start_emulator
from tests.emulator.helpers import LoopbackConnectProxy, make_xlsx

pytestmark = [
    pytest.mark.skipif(
        shutil.which("rclone") is None or shutil.which("openssl") is None, reason="needs rclone and openssl"
    ),
    pytest.mark.slow,  # rclone processes against the emulator over TLS, end to end
]


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


def test_rclone_sync_operations(tls_emulator: tuple[Emulator, dict[str, str]], tmp_path: Path) -> None:
    """copy up (20 MB, resumable), check, moveto and move renames in place, shared-drive copy up and down,
    export of a Sheet as ods, dedupe, and copy down byte-identical."""
    emu, env = tls_emulator
    src = tmp_path / "up"
    src.mkdir()
    big = os.urandom(20 * 1024 * 1024)
    (src / "big.bin").write_bytes(big)
    (src / "small.csv").write_bytes(b"a,b\n1,2\n")
    rclone(env, "copy", str(src), "emu:data")
    uploads = [e for e in emu.log.entries(kind="upload-chunk") if e.status in (200, 201, 308)]
    assert len(uploads) >= 3  # 20 MB in rclone's 8 MiB chunks: a resumable upload
    rclone(env, "check", str(src), "emu:data")  # sizes and md5s match

    rclone(env, "moveto", "emu:data/small.csv", "emu:data/renamed.csv")  # addParents=P&removeParents=P
    rclone(env, "mkdir", "emu:data/dir")
    rclone(env, "copyto", str(src / "small.csv"), "emu:data/dir/inner.csv")
    rclone(env, "move", "emu:data/dir", "emu:data/dir2")  # a server-side directory rename
    assert sorted(rclone(env, "lsf", "-R", "emu:data").split()) == [
        "big.bin",
        "dir2/",
        "dir2/inner.csv",
        "renamed.csv",
    ]

    team = emu.state.add_shared_drive("Team")
    team_env = {
        **env,
        "RCLONE_CONFIG_TEAM_TYPE": "drive",
        "RCLONE_CONFIG_TEAM_SCOPE": "drive",
        "RCLONE_CONFIG_TEAM_TOKEN": env["RCLONE_CONFIG_EMU_TOKEN"],
        "RCLONE_CONFIG_TEAM_TEAM_DRIVE": team.id,
    }
    rclone(team_env, "copy", str(src / "small.csv"), "team:shared")
    assert [r.drive_id for r in emu.state.files.values() if r.name == "small.csv"] == [team.id]
    rclone(team_env, "copy", "team:shared", str(tmp_path / "from-team"))
    assert (tmp_path / "from-team" / "small.csv").read_bytes() == b"a,b\n1,2\n"

    folder = next(r for r in emu.state.files.values() if r.name == "data")
    emu.state.add_spreadsheet(folder.id, "Sheet", make_xlsx([["x", "y"], [1, 2]]))
    emu.state.add_file(folder.id, "twin.txt", b"same")
    emu.state.add_file(folder.id, "twin.txt", b"same")
    rclone(env, "dedupe", "--dedupe-mode", "newest", "emu:data")
    assert (
        sum(1 for r in emu.state.files.values() if r.name == "twin.txt" and not emu.state.is_trashed(r)) == 1
    )

    down = tmp_path / "down"
    rclone(env, "copy", "emu:data", str(down), "--drive-export-formats", "ods")
    assert (down / "big.bin").read_bytes() == big
    with zipfile.ZipFile(down / "Sheet.ods") as book:
        assert book.read("mimetype") == b"application/vnd.oasis.opendocument.spreadsheet"
    assert (down / "dir2" / "inner.csv").read_bytes() == b"a,b\n1,2\n"
