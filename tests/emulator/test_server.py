"""Server plumbing: auth, the log over HTTP, the OAuth hook, HTTPS, seeding, the CLI hooks."""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import types
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from google.auth.exceptions import RefreshError
from googleapiclient.errors import HttpError

from gdrivestats.emulator import Emulator, build_service, discovery_document, start_emulator
from gdrivestats.emulator.cli import configure_parser
from tests.emulator.helpers import make_xlsx


def fetch(url: str, method: str = "GET", headers: dict[str, str] | None = None) -> tuple[int, bytes, Any]:
    request = urllib.request.Request(url, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read(), response.headers
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(), exc.headers


def test_discovery_document_is_rewritten() -> None:
    doc = discovery_document("http://127.0.0.1:9/")
    assert doc["rootUrl"] == doc["mtlsRootUrl"] == "http://127.0.0.1:9/"
    assert doc["batchPath"] == "batch/drive/v3"


def test_missing_token_is_401(emu: Emulator) -> None:
    status, body, headers = fetch(emu.url + "drive/v3/files")
    error = json.loads(body)["error"]
    assert status == 401 and error["code"] == 401
    assert error["errors"][0] == {
        "message": "Login Required.",
        "domain": "global",
        "reason": "required",
        "location": "Authorization",
        "locationType": "header",
    }
    assert error["status"] == "UNAUTHENTICATED" and error["message"].startswith("Request is missing required")
    assert "Bearer" in headers["WWW-Authenticate"]


def test_token_validator_rejects_unknown_tokens(emu: Emulator) -> None:
    emu.state.token_validator = lambda token: token == "good"
    assert fetch(emu.url + "drive/v3/about?fields=user", headers={"Authorization": "Bearer good"})[0] == 200
    status, body, _ = fetch(emu.url + "drive/v3/about?fields=user", headers={"Authorization": "Bearer bad"})
    assert status == 401 and json.loads(body)["error"]["errors"][0]["reason"] == "authError"
    with pytest.raises((HttpError, RefreshError)):
        build_service(emu.url, token="bad").files().list().execute()


def test_log_over_http(emu: Emulator, drive: Any) -> None:
    drive.files().list().execute()
    status, body, _ = fetch(emu.url + "_emulator/log")
    entries = json.loads(body)
    assert status == 200
    assert entries[-1]["kind"] == "list" and entries[-1]["status"] == 200 and entries[-1]["bytes_out"] > 0
    assert emu.log.count(kind="list") == 1
    assert fetch(emu.url + "_emulator/log/clear", method="POST")[0] == 204
    assert emu.log.entries() == []


def test_faults_over_http(emu: Emulator, drive: Any) -> None:
    request = urllib.request.Request(emu.url + "_emulator/faults", data=b"list:count=1:500", method="POST")
    with urllib.request.urlopen(request, timeout=5) as response:
        assert response.status == 204
    with pytest.raises(HttpError) as info:
        drive.files().list().execute()
    assert info.value.status_code == 500


def test_oauth_hook_is_called_before_drive_routes(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[str, str]] = []

    def handle(state: Any, method: str, path: str, query: dict[str, str], headers: Any, body: bytes) -> Any:
        calls.append((method, path))
        if path == "/token":
            state.token_validator = lambda token: token == "issued"
            return 200, {"Content-Type": "application/json"}, b'{"access_token": "issued"}'
        return None

    fake = types.ModuleType("gdrivestats.emulator.oauth")
    fake.handle = handle  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "gdrivestats.emulator.oauth", fake)
    with start_emulator() as emu:
        status, body, _ = fetch(emu.url + "token", method="POST")
        assert status == 200 and json.loads(body) == {"access_token": "issued"}
        assert build_service(emu.url, token="issued").files().list().execute()["files"] == []
        assert fetch(emu.url + "revoke", method="POST")[0] == 404  # hook returned None: not a Drive route
        assert calls == [("POST", "/token"), ("POST", "/revoke")]
        assert emu.log.count(kind="oauth") == 1


def test_seed_folder_tree(tmp_path: Path) -> None:
    (tmp_path / "Reports" / "2024").mkdir(parents=True)
    (tmp_path / "Reports" / "2024" / "q1.csv").write_text("a,b\n1,2\n")
    (tmp_path / "Reports" / "Budget.gsheet.xlsx").write_bytes(make_xlsx([["x"], [1]]))
    (tmp_path / "top.txt").write_text("t")
    with start_emulator(seed=tmp_path) as emu:
        drive = build_service(emu.url)
        files = drive.files().list(fields="files(name,mimeType,parents)", orderBy="name").execute()["files"]
        assert [(f["name"], f["mimeType"]) for f in files] == [
            ("2024", "application/vnd.google-apps.folder"),
            ("Budget", "application/vnd.google-apps.spreadsheet"),
            ("q1.csv", "text/csv"),
            ("Reports", "application/vnd.google-apps.folder"),  # name order ignores case
            ("top.txt", "text/plain"),
        ]
        budget = next(
            f for f in drive.files().list(q="name = 'Budget'", fields="files(id)").execute()["files"]
        )
        assert drive.files().export(fileId=budget["id"], mimeType="text/csv").execute() == b"x\r\n1\r\n"


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")
def test_https(tmp_path: Path) -> None:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
            "-addext", "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    with start_emulator(certfile=cert, keyfile=key) as emu:
        assert emu.url.startswith("https://127.0.0.1:")
        emu.state.add_file(None, "secure.txt", b"s")
        drive = build_service(emu.url, ca_certs=str(cert))
        assert [f["name"] for f in drive.files().list().execute()["files"]] == ["secure.txt"]


def test_cli_parser() -> None:
    parser = argparse.ArgumentParser()
    configure_parser(parser)
    args = parser.parse_args(
        ["--port", "0", "--latency-ms", "5", "--faults", "list:count=1:503", "--seed", "."]
    )
    assert (args.port, args.latency_ms, args.faults, args.seed, args.cert) == (
        0,
        5,
        "list:count=1:503",
        Path("."),
        None,
    )
    assert (args.write_rate, args.listing_lag) == (None, 0.0)
    limited = parser.parse_args(["--write-rate", "2.5", "--listing-lag", "3"])
    assert (limited.write_rate, limited.listing_lag) == (2.5, 3.0)


def test_cli_runs_and_serves(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "gdrivestats.emulator.cli", "--port", "0", "--seed", str(tmp_path)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        url = line.rsplit(" ", 1)[1].strip()
        assert fetch(url + "_emulator/health")[0] == 200
    finally:
        process.terminate()
        process.wait(timeout=5)


def test_stop_closes_the_port() -> None:
    emu = start_emulator()
    url = emu.url
    emu.stop()
    with pytest.raises(OSError):
        urllib.request.urlopen(url + "_emulator/health", timeout=2)
