"""Fixtures for the auth tests: a clean environment, the emulator with OAuth, client secrets, a headless
"browser", service-account keys and the fake ``google.colab``. Nothing here talks past loopback."""

from __future__ import annotations

import ipaddress
import socket
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gdrivestats.auth import colab, oauth
from gdrivestats.emulator import Emulator
from gdrivestats.emulator.oauth import OAuthState, state_of
from tests.auth.support import HeadlessBrowser, Messages, write_client_secrets

FAKE_COLAB = Path(__file__).resolve().parent.parent / "fake_colab"

_ENV = (
    "GDRIVESTATS_ACCESS_TOKEN",
    "GDRIVESTATS_TOKEN",
    "GDRIVESTATS_CREDENTIALS",
    "GDRIVESTATS_SUBJECT",
    "GDRIVESTATS_DRIVE_URL",
    "GOOGLE_APPLICATION_CREDENTIALS",
    "COLAB_RELEASE_TAG",
    "CI",
    "OAUTHLIB_INSECURE_TRANSPORT",
    "BROWSER",
    "DISPLAY",
    "WAYLAND_DISPLAY",
    "FAKE_COLAB_CLOUD",
    "FAKE_COLAB_TOKEN",
)


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No real credentials, config, browser or Colab; the working directory is an empty folder."""
    for name in _ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("CLOUDSDK_CONFIG", str(tmp_path / "gcloud"))
    monkeypatch.setattr(colab, "COLAB_HOSTNAME_FILE", tmp_path / "no-such-colab-hostname")

    def no_real_browser(url: str) -> bool:
        raise AssertionError("a test tried to open a real browser")

    monkeypatch.setattr(oauth, "default_browser_opener", no_real_browser)
    # google.auth.default() asks a gcloud subprocess for the project id: never run it in tests.
    monkeypatch.setattr("google.auth._cloud_sdk.get_project_id", lambda: None)
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    return cwd


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail any connection that is not to the loopback interface."""
    original = socket.socket.connect

    def connect(self: socket.socket, address: Any) -> Any:
        if self.family in (socket.AF_INET, socket.AF_INET6):
            host = address[0]
            if host != "localhost" and not ipaddress.ip_address(host).is_loopback:
                raise AssertionError(f"a test tried to connect to {host}")
        return original(self, address)

    monkeypatch.setattr(socket.socket, "connect", connect)


@pytest.fixture
def emulator(emu: Emulator) -> Emulator:
    """The auth tests' name for the root conftest's emulator."""
    return emu


@pytest.fixture
def oauth_state(emulator: Emulator) -> OAuthState:
    return state_of(emulator.state)


@pytest.fixture
def insecure_transport(monkeypatch: pytest.MonkeyPatch) -> None:
    """oauthlib refuses http:// token endpoints unless told this is a test."""
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")


@pytest.fixture
def client_secrets(tmp_path: Path, emulator: Emulator, insecure_transport: None) -> Path:
    return write_client_secrets(tmp_path / "client_secrets.json", emulator)


@pytest.fixture
def browser() -> HeadlessBrowser:
    return HeadlessBrowser()


@pytest.fixture
def messages() -> Messages:
    return Messages()


@pytest.fixture
def fake_colab(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The fake google.colab on sys.path, with a "cloud" folder playing My Drive; yields the cloud folder."""
    cloud = tmp_path / "cloud"
    (cloud / "Sales").mkdir(parents=True)
    (cloud / "Sales" / "q1.csv").write_text("region,amount\nnorth,10\nsouth,20\n", encoding="utf-8")
    monkeypatch.setenv("FAKE_COLAB_CLOUD", str(cloud))
    monkeypatch.syspath_prepend(str(FAKE_COLAB))
    _forget_colab_modules()
    try:
        yield cloud
    finally:
        drive = sys.modules.get("google.colab.drive")
        if drive is not None:
            drive.reset()
        package = sys.modules.get("google.colab")
        if package is not None:
            package.CALLS.clear()
        _forget_colab_modules()


def _forget_colab_modules() -> None:
    for name in [m for m in sys.modules if m == "google.colab" or m.startswith("google.colab.")]:
        del sys.modules[name]
    google = sys.modules.get("google")
    if google is not None and hasattr(google, "colab"):
        delattr(google, "colab")
