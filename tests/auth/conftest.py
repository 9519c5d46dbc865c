"""Fixtures for the auth tests: a clean environment, the emulator with OAuth, client secrets, a headless
"browser", service-account keys and the fake ``google.colab``. Nothing here talks past loopback."""

from __future__ import annotations

import ipaddress
import json
import socket
import sys
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from gdrivestats.auth import colab, oauth
from gdrivestats.emulator import Emulator
from gdrivestats.emulator.oauth import OAuthState, state_of

FAKE_COLAB = Path(__file__).resolve().parent.parent / "fake_colab"
CLIENT_ID = "1234-test.apps.googleusercontent.com"
CLIENT_SECRET = "GOCSPX-test-client-secret-0123456789"

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


def write_client_secrets(path: Path, emulator: Emulator) -> Path:
    config = {
        "installed": {
            "client_id": CLIENT_ID,
            "project_id": "gdrivestats-test",
            "auth_uri": emulator.url + "o/oauth2/auth",
            "token_uri": emulator.url + "token",
            "auth_provider_x509_cert_url": emulator.url + "oauth2/v1/certs",
            "client_secret": CLIENT_SECRET,
            "redirect_uris": ["http://localhost"],
        }
    }
    path.write_text(json.dumps(config), encoding="utf-8")
    return path


@pytest.fixture
def client_secrets(tmp_path: Path, emulator: Emulator, insecure_transport: None) -> Path:
    return write_client_secrets(tmp_path / "client_secrets.json", emulator)


class HeadlessBrowser:
    """A browser opener for tests: visits the authorization URL with urllib in a thread, follows the
    emulator's redirect to the flow's loopback server, and keeps what it saw."""

    def __init__(self) -> None:
        self.urls: list[str] = []
        self.landed: list[str] = []
        self.pages: list[str] = []
        self.errors: list[BaseException] = []
        self._threads: list[threading.Thread] = []

    def __call__(self, url: str) -> bool:
        self.urls.append(url)
        thread = threading.Thread(target=self._visit, args=(url,), daemon=True)
        thread.start()
        self._threads.append(thread)
        return True

    def _visit(self, url: str) -> None:
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(url, timeout=30) as response:
                self.landed.append(response.geturl())
                self.pages.append(response.read().decode("utf-8"))
        except BaseException as exc:
            self.errors.append(exc)

    def join(self) -> None:
        for thread in self._threads:
            thread.join(timeout=30)
        assert not self.errors, self.errors

    @property
    def codes(self) -> list[str]:
        """The authorization codes the browser carried back (to check they never leak)."""
        return [parse_qs(urlsplit(u).query).get("code", [""])[0] for u in self.landed]

    def asked_scopes(self) -> list[str]:
        return parse_qs(urlsplit(self.urls[-1]).query)["scope"][0].split()


@pytest.fixture
def browser() -> HeadlessBrowser:
    return HeadlessBrowser()


class Messages(list[str]):
    """A printer for tests: keeps every message shown to the person signing in."""

    def __call__(self, message: str) -> None:
        self.append(message)

    @property
    def text(self) -> str:
        return "\n".join(self)


@pytest.fixture
def messages() -> Messages:
    return Messages()


def make_service_account_key(
    path: Path, emulator: Emulator, email: str = "robot@proj.iam.gserviceaccount.com"
) -> str:
    """Write a service-account key file with a fresh RSA key whose token_uri is the emulator; returns the
    public key PEM."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode("ascii")
    public_pem = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode("ascii")
    )
    info = {
        "type": "service_account",
        "project_id": "proj",
        "private_key_id": "0123456789abcdef0123456789abcdef01234567",
        "private_key": private_pem,
        "client_email": email,
        "client_id": "112233445566778899",
        "auth_uri": emulator.url + "o/oauth2/auth",
        "token_uri": emulator.url + "token",
        "auth_provider_x509_cert_url": emulator.url + "oauth2/v1/certs",
        "client_x509_cert_url": emulator.url + "robot/v1/metadata/x509/robot",
        "universe_domain": "googleapis.com",
    }
    path.write_text(json.dumps(info), encoding="utf-8")
    return public_pem


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
