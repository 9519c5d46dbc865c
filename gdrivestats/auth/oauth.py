"""User sign-in: the installed-app OAuth flow (local redirect server, PKCE) and the cached, refreshed token.

The flow is google_auth_oauthlib's ``InstalledAppFlow`` (PKCE S256, ``auth_uri``/``token_uri`` from the
client-secrets file) with gdrivestats' own redirect catcher instead of ``run_local_server``: it binds
loopback on a free (or given) port, ignores stray requests such as ``/favicon.ico``, times out cleanly,
never logs the code, and takes an injectable browser opener and printer so tests and headless machines never
open a browser. There is no out-of-band copy-the-code flow: Google blocked it in 2022.
"""

from __future__ import annotations

import json
import logging
import os
import platform
import socketserver
import sys
import time
import webbrowser
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from gdrivestats.auth import scopes as scopes_mod
from gdrivestats.auth import token_cache
from gdrivestats.auth.redact import install_log_filter, redact, remember_secret
from gdrivestats.errors import AuthError

if TYPE_CHECKING:
    from google.oauth2.credentials import Credentials

log = logging.getLogger(__name__)

ENV_CLIENT_SECRETS = "GDRIVESTATS_CREDENTIALS"
DEFAULT_CLIENT_SECRETS = "credentials.json"
GOOGLE_TOKEN_URI = "https://oauth2.googleapis.com/token"
SIGN_IN_TIMEOUT_SECONDS = 300.0
CLIENT_SECRETS_HELP = (
    "create an OAuth client of type 'Desktop app' in the Google Cloud console (APIs & Services > "
    "Credentials), "
    "download its JSON, and pass it with --credentials FILE or GDRIVESTATS_CREDENTIALS"
)

BrowserOpener = Callable[[str], bool]
"""Opens a URL in a browser; returns False when there is no browser to open it in."""
Printer = Callable[[str], None]
"""Shows a message to the person signing in."""


class SignInExpired(AuthError):
    """The cached sign-in was revoked or has expired (``invalid_grant``): the user has to sign in again."""


def print_to_stderr(message: str) -> None:
    """The default printer: messages for the person signing in go to stderr, keeping stdout for results."""
    print(message, file=sys.stderr, flush=True)


def default_browser_opener(url: str) -> bool:
    """Open ``url`` in the desktop's browser; False on a machine with no display or no browser."""
    if not _has_display():
        return False
    try:
        browser = webbrowser.get()
    except webbrowser.Error:
        return False
    if (
        type(browser).__name__ == "GenericBrowser"
    ):  # a console browser (lynx, w3m) would take over the terminal
        return False
    try:
        return bool(browser.open(url, new=1, autoraise=True))
    except Exception:  # a broken browser launcher must not end the sign-in: the URL is printed instead
        log.debug("opening a browser failed", exc_info=True)
        return False


def no_browser(url: str) -> bool:
    """A browser opener for headless machines and ``--no-browser``: never opens anything."""
    return False


def _has_display() -> bool:
    if os.environ.get("BROWSER"):
        return True
    if sys.platform in ("darwin", "win32"):
        return not os.environ.get("SSH_CONNECTION")
    if "microsoft" in platform.release().lower():  # WSL opens the Windows browser
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


# --- client secrets ---


def client_secrets_path(explicit: str | os.PathLike[str] | None = None) -> tuple[Path, bool]:
    """The client-secrets file to use, and whether the user named it (argument or environment)."""
    if explicit is not None:
        return Path(explicit).expanduser(), True
    from_env = os.environ.get(ENV_CLIENT_SECRETS)
    if from_env:
        return Path(from_env).expanduser(), True
    return Path(DEFAULT_CLIENT_SECRETS), False


def load_client_config(path: Path) -> dict[str, Any]:
    """Read and check a client-secrets JSON (a Desktop app client); AuthError says what is wrong."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise AuthError(f"no OAuth client-secrets file at {path}: {CLIENT_SECRETS_HELP}") from None
    except (OSError, ValueError) as exc:
        raise AuthError(f"cannot read the OAuth client-secrets file {path}: {type(exc).__name__}") from None
    if not isinstance(data, dict):
        raise AuthError(f"{path} is not an OAuth client-secrets file: {CLIENT_SECRETS_HELP}")
    if "installed" not in data:
        kind = "a 'Web application' client" if "web" in data else "not an OAuth client-secrets file"
        raise AuthError(f"{path} is {kind}; gdrivestats needs a 'Desktop app' client: {CLIENT_SECRETS_HELP}")
    client = data["installed"]
    missing = [k for k in ("client_id", "client_secret", "auth_uri", "token_uri") if not client.get(k)]
    if missing:
        raise AuthError(f"{path} lacks {', '.join(missing)}: {CLIENT_SECRETS_HELP}")
    if str(client["client_id"]).startswith("YOUR_CLIENT_ID"):
        raise AuthError(f"{path} is still the example file: {CLIENT_SECRETS_HELP}")
    remember_secret(client["client_secret"])
    return {"installed": dict(client)}


# --- the installed-app flow ---


@dataclass
class _Redirect:
    path: str | None = None


def _make_handler(result: _Redirect) -> type[socketserver.BaseRequestHandler]:
    from http.server import BaseHTTPRequestHandler

    class RedirectCatcher(BaseHTTPRequestHandler):
        """Answers the browser's return to the loopback redirect URI and keeps its path for the flow."""

        timeout = 10  # a browser's speculative connection that never sends a request must not block

        def do_GET(self) -> None:
            params = parse_qs(urlsplit(self.path).query)
            if "code" not in params and "error" not in params:
                self._reply(404, "Not the Google sign-in redirect.")
                return
            if result.path is None:
                result.path = self.path
            if "error" in params:
                self._reply(200, "Sign-in was not completed. You can close this window.")
            else:
                self._reply(200, "Signed in to gdrivestats. You can close this window.")

        def _reply(self, status: int, text: str) -> None:
            body = text.encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            log.debug("sign-in redirect server: %s", redact(format % args))

    return RedirectCatcher


class _LoopbackServer(socketserver.TCPServer):
    allow_reuse_address = False


def sign_in(
    client_config: dict[str, Any],
    scopes: Sequence[str],
    *,
    open_browser: BrowserOpener | None = None,
    print_url: Printer | None = None,
    host: str = "localhost",
    port: int = 0,
    timeout: float = SIGN_IN_TIMEOUT_SECONDS,
) -> Credentials:
    """Run the installed-app flow and return the user's credentials (not yet cached).

    A loopback server listens on ``port`` (0: a free one); the browser is opened with ``open_browser``
    (default: the desktop's browser when there is a display) and the address is shown with ``print_url``.
    """
    from google_auth_oauthlib.flow import InstalledAppFlow

    install_log_filter()
    opener = open_browser if open_browser is not None else default_browser_opener
    show = print_url if print_url is not None else print_to_stderr
    flow = InstalledAppFlow.from_client_config(client_config, scopes=list(scopes))
    result = _Redirect()
    try:
        server = _LoopbackServer(("127.0.0.1", port), _make_handler(result))
    except OSError as exc:
        raise AuthError(
            f"cannot listen on 127.0.0.1:{port} for the sign-in redirect: {exc.strerror}"
        ) from exc
    with server:
        bound_port = server.server_address[1]
        flow.redirect_uri = f"http://{host}:{bound_port}/"
        auth_url, _state = flow.authorization_url(prompt="consent")
        opened = _try_open(opener, auth_url)
        _announce(show, auth_url, opened=opened, redirect=flow.redirect_uri, port=bound_port, scopes=scopes)
        _wait_for_redirect(server, result, timeout)
    assert result.path is not None
    credentials = _exchange_code(flow, f"https://{host}:{bound_port}{result.path}", scopes)
    _check_granted(credentials, scopes)
    show("Signed in to Google.")
    return credentials


def _try_open(opener: BrowserOpener, url: str) -> bool:
    try:
        return bool(opener(url))
    except Exception:  # an opener failing is no reason to stop: the address is printed
        log.debug("the browser opener failed", exc_info=True)
        return False


def _announce(
    show: Printer, url: str, *, opened: bool, redirect: str, port: int, scopes: Sequence[str]
) -> None:
    access = ", ".join(scopes_mod.short_name(s) for s in scopes)
    if opened:
        show(
            f"Your browser was opened to sign in to Google (access: {access}). "
            f"If it did not open, visit:\n\n  {url}\n"
        )
        return
    show(
        f"Open this address in a browser to sign in to Google (access: {access}):\n\n  {url}\n\n"
        f"Waiting for the browser to come back to {redirect} (Ctrl-C to cancel).\n"
        f"No browser on this machine? On your laptop run  ssh -L {port}:127.0.0.1:{port} <this host>  "
        "and open the address there."
    )


def _wait_for_redirect(server: socketserver.TCPServer, result: _Redirect, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while result.path is None:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise AuthError(f"timed out after {timeout:.0f} s waiting for the Google sign-in in the browser")
        server.timeout = min(remaining, 1.0)
        server.handle_request()


def _exchange_code(flow: Any, authorization_response: str, needed: Sequence[str]) -> Credentials:
    """Trade the code for tokens; every failure becomes one AuthError line without the code in it."""
    import oauthlib.oauth2.rfc6749.errors as oauth_errors
    import requests

    try:
        flow.fetch_token(authorization_response=authorization_response)
    except oauth_errors.MismatchingStateError:
        raise AuthError(
            "the browser came back from a different sign-in (state mismatch); try again"
        ) from None
    except oauth_errors.InsecureTransportError:
        raise AuthError(
            "the token endpoint is plain http://; only a local test server may be "
            "(with OAUTHLIB_INSECURE_TRANSPORT=1)"
        ) from None
    except oauth_errors.OAuth2Error as exc:
        detail = f": {exc.description}" if exc.description else ""
        raise AuthError(redact(f"Google sign-in failed ({exc.error}{detail})")) from None
    except requests.RequestException as exc:
        raise AuthError(redact(f"cannot reach the Google token endpoint: {type(exc).__name__}")) from None
    except Warning as exc:  # oauthlib: the scopes granted differ from those asked for
        new_scope = list(getattr(exc, "new_scope", None) or [])
        if not scopes_mod.covers(new_scope, needed) or not getattr(exc, "token", None):
            granted = ", ".join(scopes_mod.short_name(s) for s in new_scope) or "none"
            raise AuthError(
                f"Google granted different access than asked for (granted: {granted}); sign in again and "
                "allow access to Google Drive"
            ) from None
        flow.oauth2session.token = exc.token  # type: ignore[attr-defined]  # more than asked for (scopes granted earlier): fine
    credentials: Credentials = flow.credentials
    remember_secret(credentials.token)
    remember_secret(credentials.refresh_token)
    return credentials


def _check_granted(credentials: Credentials, needed: Sequence[str]) -> None:
    granted = granted_scopes(credentials)
    if not scopes_mod.covers(granted, needed):
        names = ", ".join(scopes_mod.short_name(s) for s in needed)
        raise AuthError(
            f"the sign-in did not grant the access gdrivestats needs ({names}); sign in again and allow it"
        )


def granted_scopes(credentials: Any) -> list[str]:
    """The scopes a credentials object was granted (or asked for, when the server did not say)."""
    granted = getattr(credentials, "granted_scopes", None) or getattr(credentials, "scopes", None) or []
    return granted.split() if isinstance(granted, str) else list(granted)


# --- the cache ---


def cache_payload(credentials: Credentials, auth_uri: str | None = None) -> dict[str, Any]:
    """What is written to the token cache: Google's authorized_user JSON with the granted scopes, and the
    client's ``auth_uri`` so a revoked sign-in can be renewed without the client-secrets file."""
    data: dict[str, Any] = json.loads(credentials.to_json())
    data["type"] = "authorized_user"
    data["scopes"] = granted_scopes(credentials)
    if auth_uri:
        data["auth_uri"] = auth_uri
    if not data.get("account"):
        data.pop("account", None)
    return data


def save_credentials(path: Path, credentials: Credentials, auth_uri: str | None = None) -> None:
    """Cache the credentials at ``path`` (0600, atomic)."""
    token_cache.save(path, cache_payload(credentials, auth_uri))


def client_config_from_cache(info: dict[str, Any] | None) -> dict[str, Any] | None:
    """The OAuth client a cached sign-in was made with, in client-secrets form (None if incomplete)."""
    if not info:
        return None
    client = {k: info.get(k) for k in ("client_id", "client_secret", "auth_uri", "token_uri")}
    if not all(isinstance(v, str) and v for v in client.values()):
        return None
    remember_secret(client["client_secret"])
    return {"installed": {**client, "redirect_uris": ["http://localhost"]}}


def credentials_from_info(info: dict[str, Any]) -> Credentials:
    """Credentials from a cached authorized_user dict, refreshing at the file's own ``token_uri``.

    ``Credentials.from_authorized_user_info`` always puts Google's token URI in; ``with_token_uri`` restores
    the one in the file (an emulator's, in tests), and the expiry is carried over by hand because the copy
    ``with_token_uri`` makes forgets it (an expired token would otherwise look valid forever).
    """
    from google.oauth2.credentials import Credentials

    try:
        credentials = Credentials.from_authorized_user_info(info)
    except ValueError as exc:
        raise AuthError(redact(f"the cached sign-in is incomplete ({exc}); sign in again")) from None
    token_uri = info.get("token_uri") or GOOGLE_TOKEN_URI
    if token_uri != credentials.token_uri:
        expiry = credentials.expiry
        credentials = credentials.with_token_uri(token_uri)
        credentials.expiry = expiry  # the copy with_token_uri makes drops the expiry (google-auth 2.62)
    remember_secret(credentials.token)
    remember_secret(credentials.refresh_token)
    remember_secret(credentials.client_secret)
    return credentials


def refresh(credentials: Any) -> None:
    """Get a fresh access token; SignInExpired for ``invalid_grant``, AuthError for anything else."""
    import google.auth.exceptions
    import google.auth.transport.requests

    install_log_filter()
    try:
        credentials.refresh(google.auth.transport.requests.Request())
    except google.auth.exceptions.RefreshError as exc:
        message = redact(f"Google refused the credentials ({_first_line(exc)})")
        raise (SignInExpired(message) if is_invalid_grant(exc) else AuthError(message)) from None
    except google.auth.exceptions.TransportError as exc:
        raise AuthError(redact(f"cannot reach Google's token endpoint ({_first_line(exc)})")) from None
    remember_secret(getattr(credentials, "token", None))


def is_invalid_grant(exc: BaseException) -> bool:
    """Whether a RefreshError means the grant itself is gone (revoked, expired, password changed)."""
    for arg in exc.args:
        if isinstance(arg, dict) and arg.get("error") == "invalid_grant":
            return True
        if isinstance(arg, str) and arg.startswith("invalid_grant"):
            return True
    return False


def _first_line(exc: BaseException) -> str:
    text = str(exc.args[0]) if exc.args else type(exc).__name__
    return text.splitlines()[0] if text else type(exc).__name__


# --- identity and revocation (auth status / logout) ---


def api_root_for(credentials: Any) -> str:
    """Where to ask who the credentials belong to: the token server's origin when it is not Google's (an
    emulator serves both), else ``$GDRIVESTATS_DRIVE_URL``, else Google's API root."""
    token_uri = str(getattr(credentials, "token_uri", None) or getattr(credentials, "_token_uri", None) or "")
    parts = urlsplit(token_uri)
    if parts.scheme and parts.hostname not in (
        "oauth2.googleapis.com",
        "accounts.google.com",
        "www.googleapis.com",
    ):
        return f"{parts.scheme}://{parts.netloc}/"
    root = os.environ.get("GDRIVESTATS_DRIVE_URL") or "https://www.googleapis.com/"
    return root if root.endswith("/") else root + "/"


def identity(credentials: Any, timeout: float = 10.0) -> str | None:
    """The signed-in account's email when it can be found (id_token, Drive ``about``, userinfo), else None."""
    email = getattr(credentials, "service_account_email", None)
    if email:
        subject = getattr(credentials, "_subject", None)
        return f"{subject} (via service account {email})" if subject else str(email)
    id_token = getattr(credentials, "id_token", None)
    if id_token:
        from google.auth import jwt

        try:
            claims = jwt.decode(id_token, verify=False)
        except ValueError:
            claims = {}
        if claims.get("email"):
            return str(claims["email"])
    return _identity_from_api(credentials, timeout)


def _identity_from_api(credentials: Any, timeout: float) -> str | None:
    from google.auth.transport.requests import AuthorizedSession

    root = api_root_for(credentials)
    session = AuthorizedSession(credentials)
    lookups = (
        (
            "drive/v3/about?fields=user(emailAddress,displayName)",
            lambda d: (d.get("user") or {}).get("emailAddress"),
        ),
        ("oauth2/v3/userinfo", lambda d: d.get("email")),
    )
    try:
        for path, pick in lookups:
            try:
                response = session.get(root + path, timeout=timeout)
            except Exception as exc:  # best effort: no network, a refused token
                log.debug("identity lookup %s failed: %s", path, redact(type(exc).__name__))
                continue
            if response.status_code == 200:
                try:
                    found = pick(response.json())
                except ValueError:
                    found = None
                if found:
                    return str(found)
    finally:
        session.close()
    return None


def revoke_url(token_uri: str) -> str:
    """The revocation endpoint beside a token endpoint (``.../token`` -> ``.../revoke``)."""
    parts = urlsplit(token_uri or GOOGLE_TOKEN_URI)
    path = parts.path[: -len("token")] + "revoke" if parts.path.endswith("/token") else "/revoke"
    return f"{parts.scheme}://{parts.netloc}{path}"


def revoke(info: dict[str, Any], timeout: float = 10.0) -> bool:
    """Revoke a cached grant at its server (the refresh token, else the access token); True when it worked."""
    import requests

    token = info.get("refresh_token") or info.get("token")
    if not token:
        return False
    url = revoke_url(str(info.get("token_uri") or GOOGLE_TOKEN_URI))
    try:
        response = requests.post(
            url,
            data={"token": token},
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            timeout=timeout,
        )
    except requests.RequestException as exc:
        log.info("revoking the sign-in at %s failed: %s", url, redact(type(exc).__name__))
        return False
    if response.status_code != 200:
        log.info("revoking the sign-in at %s failed: HTTP %s", url, response.status_code)
    return response.status_code == 200
