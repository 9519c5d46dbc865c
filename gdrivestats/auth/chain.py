"""Credential discovery as a chain of small checkers, google-auth style: the first that applies wins.

Order: explicit arguments, ``GDRIVESTATS_ACCESS_TOKEN``, Colab, ``GOOGLE_APPLICATION_CREDENTIALS``, the cached
sign-in, the browser sign-in. Each checker returns None (and notes why) when it does not apply; when none
does, one AuthError lists what was tried and what to do. Auth only produces credentials or a local folder:
turning them into a Drive backend is ``gdrivestats.connect``'s job.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, NamedTuple

from gdrivestats.auth import colab, service_account
from gdrivestats.auth import scopes as scopes_mod
from gdrivestats.auth.redact import install_log_filter, remember_secret
from gdrivestats.errors import AuthError, ConfigError

if TYPE_CHECKING:
    from gdrivestats.auth import oauth

log = logging.getLogger(__name__)


def _oauth() -> ModuleType:
    """The sign-in module, imported when a checker needs it (an access token never does)."""
    from gdrivestats.auth import oauth

    return oauth


def _token_cache() -> ModuleType:
    from gdrivestats.auth import token_cache

    return token_cache


ENV_ACCESS_TOKEN = "GDRIVESTATS_ACCESS_TOKEN"

# How a Resolved was found (Resolved.method).
LOCAL_FOLDER = "local folder"
CREDENTIALS_ARGUMENT = "credentials argument"
ACCESS_TOKEN = "access token"
COLAB_MOUNT = "Colab Drive mount"
COLAB_API = "Colab user credentials"
SERVICE_ACCOUNT = "service account"
APPLICATION_CREDENTIALS = "GOOGLE_APPLICATION_CREDENTIALS"
CACHED_TOKEN = "cached sign-in"
BROWSER_SIGN_IN = "browser sign-in"


class AuthRequest(NamedTuple):
    """What the caller asked for; every field is optional and the environment fills in the rest.

    This and ``Resolved`` are named tuples, not dataclasses: the chain runs before every Drive run's first
    request, and dataclasses cost several times as much to define."""

    local: Path | None = None
    credentials: Any = None
    service_account_file: Path | None = None
    client_secrets: Path | None = None
    subject: str | None = None
    write: bool = False
    api: bool = False
    interactive: bool | None = None
    mount_point: Path | None = None
    token_path: Path | None = None
    open_browser: oauth.BrowserOpener | None = None
    print_url: oauth.Printer | None = None
    port: int = 0
    mount: bool = True
    """False: report the Colab mount that would be made without making it (``auth status``)."""

    @property
    def scopes(self) -> list[str]:
        """The narrowest scopes for this job."""
        return scopes_mod.required_scopes(self.write)

    @property
    def is_interactive(self) -> bool:
        """Whether a person can sign in now: the argument, else a terminal or a notebook and no ``CI``."""
        return self.interactive if self.interactive is not None else is_interactive()

    @property
    def cache_path(self) -> Path:
        """The token cache file for this request."""
        return Path(self.token_path).expanduser() if self.token_path else _token_cache().default_token_path()

    def show(self, message: str) -> None:
        """Tell the person signing in something (through the injected printer)."""
        (self.print_url if self.print_url is not None else _oauth().print_to_stderr)(message)


class Resolved(NamedTuple):
    """What the chain found: credentials for the API, or a local folder (a Colab mount is one)."""

    method: str
    description: str
    credentials: Any = None
    local_root: Path | None = None
    mount_point: Path | None = None
    token_path: Path | None = None
    scopes: Sequence[str] = ()


class Trail:
    """What each checker tried and why it did not apply, for the final error."""

    def __init__(self) -> None:
        self.steps: list[tuple[str, str]] = []

    def note(self, step: str, why: str) -> None:
        """Record that ``step`` did not apply, and why."""
        log.debug("credentials: %s does not apply: %s", step, why)
        self.steps.append((step, why))


Checker = Callable[[AuthRequest, Trail], "Resolved | None"]


def is_interactive() -> bool:
    """A person is probably there: stdin is a terminal or this is a notebook kernel, and ``CI`` is not set."""
    if os.environ.get("CI"):
        return False
    if "ipykernel" in sys.modules:
        return True
    try:
        return bool(sys.stdin and sys.stdin.isatty())
    except (AttributeError, ValueError):
        return False


# --- 1. explicit arguments ---


def from_arguments(request: AuthRequest, trail: Trail) -> Resolved | None:
    """A local folder, credentials, a service-account key or a client-secrets file the caller passed."""
    given = [
        name
        for name, value in (
            ("a local folder", request.local),
            ("credentials", request.credentials),
            ("service_account_file", request.service_account_file),
            ("client_secrets", request.client_secrets),
        )
        if value is not None
    ]
    if len(given) > 1:
        raise ConfigError(f"give only one of: {', '.join(given)}")
    if not given:
        trail.note("arguments", "none given")
        return None
    if request.local is not None:
        folder = Path(request.local).expanduser()
        if not folder.is_dir():
            raise ConfigError(f"{folder} is not a folder")
        return Resolved(LOCAL_FOLDER, f"local folder {folder}", local_root=folder)
    if request.credentials is not None:
        return Resolved(
            CREDENTIALS_ARGUMENT,
            "credentials passed by the caller",
            credentials=request.credentials,
            scopes=_oauth().granted_scopes(request.credentials),
        )
    if request.service_account_file is not None:
        return _service_account(request, Path(request.service_account_file), SERVICE_ACCOUNT)
    client_path, _ = _oauth().client_secrets_path(request.client_secrets)
    config = _oauth().load_client_config(client_path)
    found = _cached(request, trail, client_id=config["installed"]["client_id"]) or _browser(
        request, trail, config
    )
    if found is None:  # the caller named this client: do not wander off to other credentials
        raise AuthError(_nothing_found(trail))
    return found


# --- 2. an access token from the environment ---


def from_access_token(request: AuthRequest, trail: Trail) -> Resolved | None:
    """``GDRIVESTATS_ACCESS_TOKEN``: a bearer token used as it is (emulators, CI); it is never refreshed."""
    token = os.environ.get(ENV_ACCESS_TOKEN)
    if not token:
        trail.note(ENV_ACCESS_TOKEN, "not set")
        return None
    from gdrivestats.auth.access_token import AccessToken

    remember_secret(token)
    return Resolved(
        ACCESS_TOKEN, f"access token from {ENV_ACCESS_TOKEN}", credentials=AccessToken(token.strip())
    )


# --- 3. Colab ---


def from_colab(request: AuthRequest, trail: Trail) -> Resolved | None:
    """In Colab: mount My Drive (a local folder), or with ``api=True`` the notebook user's API credentials."""
    if not colab.in_colab():
        trail.note("Colab", "not running in Colab")
        return None
    if request.api:
        credentials = colab.api_credentials(request.scopes)
        return Resolved(
            COLAB_API, "the Colab notebook's user", credentials=credentials, scopes=request.scopes
        )
    point = Path(request.mount_point) if request.mount_point is not None else colab.DEFAULT_MOUNT_POINT
    if not request.mount:
        root = point / colab.MY_DRIVE
        return Resolved(
            COLAB_MOUNT, f"Colab Drive mount at {point} (not mounted yet)", local_root=root, mount_point=point
        )
    root = colab.mount(point)
    return Resolved(COLAB_MOUNT, f"Colab Drive mount at {point}", local_root=root, mount_point=point)


# --- 4. GOOGLE_APPLICATION_CREDENTIALS ---


def from_application_credentials(request: AuthRequest, trail: Trail) -> Resolved | None:
    """``GOOGLE_APPLICATION_CREDENTIALS``: a service-account key (impersonating ``subject``, if given)."""
    path = os.environ.get(service_account.ENV_APPLICATION_CREDENTIALS)
    if not path:
        trail.note(service_account.ENV_APPLICATION_CREDENTIALS, "not set")
        return None
    return _service_account(request, Path(path), APPLICATION_CREDENTIALS)


def _service_account(request: AuthRequest, path: Path, method: str) -> Resolved:
    subject = service_account.subject_from_env(request.subject)
    credentials = service_account.from_key_file(path, request.scopes, subject=subject)
    try:
        _oauth().refresh(credentials)  # fail now, with a clear line, rather than on the first Drive call
    except AuthError as exc:
        hint = ""
        if subject:
            hint = (
                f"; acting as {subject} needs domain-wide delegation of this scope (Workspace admin console)"
            )
        raise AuthError(f"{path}: the service account was refused: {exc}{hint}") from None
    describe = (
        service_account.describe(credentials) if hasattr(credentials, "service_account_email") else "user"
    )
    return Resolved(method, f"{describe} ({path})", credentials=credentials, scopes=request.scopes)


# --- 5. the cached sign-in ---


def from_cache(request: AuthRequest, trail: Trail) -> Resolved | None:
    """The token cached by an earlier sign-in, refreshed when expired and re-saved."""
    return _cached(request, trail)


def _cached(request: AuthRequest, trail: Trail, client_id: str | None = None) -> Resolved | None:
    path = request.cache_path
    info = _token_cache().load(path)
    if info is None:
        trail.note(CACHED_TOKEN, f"none at {path}")
        return None
    if client_id is not None and info.get("client_id") != client_id:
        trail.note(CACHED_TOKEN, f"{path} was made with another OAuth client")
        return None
    granted = info.get("scopes")
    if not scopes_mod.covers(granted, request.scopes):
        have = ", ".join(scopes_mod.short_name(s) for s in (granted or [])) or "no Drive access"
        need = ", ".join(scopes_mod.short_name(s) for s in request.scopes)
        login = "gdrivestats auth login" + (" --write" if request.write else "")
        trail.note(CACHED_TOKEN, f"{path} allows {have}, this needs {need}: run `{login}`")
        if request.is_interactive:
            request.show(
                f"The saved Google sign-in allows {have}; this needs {need}, so you will be asked again."
            )
        return None
    try:
        credentials = _oauth().credentials_from_info(info)
    except AuthError as exc:
        log.warning("ignoring the cached Google sign-in %s: %s", path, exc)
        trail.note(CACHED_TOKEN, f"{path} is unusable ({exc})")
        return None
    if not credentials.valid:
        try:
            _oauth().refresh(credentials)
        except _oauth().SignInExpired:
            revoked = True
        else:
            revoked = False
        if revoked:  # handled outside the except block: the error must not chain the library's traceback
            _expired(request, trail, path)
            return None
        _oauth().save_credentials(path, credentials, auth_uri=info.get("auth_uri"))
    return Resolved(
        CACHED_TOKEN, f"cached sign-in {path}", credentials, token_path=path, scopes=list(granted or [])
    )


def _expired(request: AuthRequest, trail: Trail, path: Path) -> None:
    if not request.is_interactive:
        raise _oauth().SignInExpired(
            f"the saved Google sign-in ({path}) was revoked or has expired; run `gdrivestats auth login` "
            "where you can use a browser, or give unattended jobs a service account "
            "(GOOGLE_APPLICATION_CREDENTIALS)"
        )
    log.warning("the saved Google sign-in (%s) was revoked or has expired; signing in again", path)
    request.show("Your saved Google sign-in was revoked or has expired; please sign in again.")
    trail.note(CACHED_TOKEN, f"{path} was revoked or has expired")
    return None


# --- 6. the browser sign-in ---


def from_browser_sign_in(request: AuthRequest, trail: Trail) -> Resolved | None:
    """The installed-app flow with ``$GDRIVESTATS_CREDENTIALS`` or ``credentials.json``; interactive only."""
    if not request.is_interactive:
        trail.note(
            BROWSER_SIGN_IN, "not attempted: nobody to sign in (interactive=False, no terminal, or CI set)"
        )
        return None
    path, named = _oauth().client_secrets_path(request.client_secrets)
    if named or path.exists():
        return _browser(request, trail, _oauth().load_client_config(path))
    cached_client = _oauth().client_config_from_cache(_token_cache().load(request.cache_path))
    if cached_client is not None:  # renewing a revoked or too narrow sign-in with the client it was made with
        return _browser(request, trail, cached_client)
    trail.note(
        BROWSER_SIGN_IN, f"no OAuth client-secrets file ({path}; or set {_oauth().ENV_CLIENT_SECRETS})"
    )
    return None


def _browser(request: AuthRequest, trail: Trail, config: dict[str, Any]) -> Resolved | None:
    if not request.is_interactive:
        trail.note(
            BROWSER_SIGN_IN, "not attempted: nobody to sign in (interactive=False, no terminal, or CI set)"
        )
        return None
    credentials = _oauth().sign_in(
        config,
        request.scopes,
        open_browser=request.open_browser,
        print_url=request.print_url,
        port=request.port,
    )
    path = request.cache_path
    _oauth().save_credentials(path, credentials, auth_uri=config["installed"]["auth_uri"])
    request.show(f"Saved the sign-in to {path}.")
    return Resolved(
        BROWSER_SIGN_IN,
        f"browser sign-in, saved to {path}",
        credentials,
        token_path=path,
        scopes=_oauth().granted_scopes(credentials),
    )


CHAIN: tuple[Checker, ...] = (
    from_arguments,
    from_access_token,
    from_colab,
    from_application_credentials,
    from_cache,
    from_browser_sign_in,
)


def resolve(request: AuthRequest | None = None, chain: tuple[Checker, ...] = CHAIN) -> Resolved:
    """The first way in that applies; AuthError listing what was tried when none does."""
    request = request or AuthRequest()
    install_log_filter()
    trail = Trail()
    for checker in chain:
        found = checker(request, trail)
        if found is not None:
            log.info("using %s", found.description)
            return found
    raise AuthError(_nothing_found(trail))


def _nothing_found(trail: Trail) -> str:
    tried = "\n".join(f"  - {step}: {why}" for step, why in trail.steps)
    return (
        "no way to reach Google Drive was found. Tried:\n"
        f"{tried}\n"
        "To fix it: sign in once with `gdrivestats auth login --credentials CLIENT_SECRETS.json` (add "
        "--write to write reports back); for unattended jobs set GOOGLE_APPLICATION_CREDENTIALS to a "
        "service-account key; "
        'or analyse a local folder with connect("path/to/folder").'
    )
