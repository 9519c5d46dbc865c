"""Helpers of the auth tests (imported by them and by tests/auth/conftest.py): the emulator's OAuth client,
client secrets, a headless "browser", a printer that keeps messages and service-account keys."""

from __future__ import annotations

import json
import threading
import urllib.request
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from gdrivestats.emulator import Emulator

CLIENT_ID = "1234-test.apps.googleusercontent.com"
CLIENT_SECRET = "GOCSPX-test-client-secret-0123456789"


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


class Messages(list[str]):
    """A printer for tests: keeps every message shown to the person signing in."""

    def __call__(self, message: str) -> None:
        self.append(message)

    @property
    def text(self) -> str:
        return "\n".join(self)


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
