"""``gdrivestats auth login|status|logout``: sign in with a browser, show the credentials in use, sign out."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path

from gdrivestats.auth import oauth, token_cache
from gdrivestats.auth import scopes as scopes_mod
from gdrivestats.auth.chain import BROWSER_SIGN_IN, CACHED_TOKEN, AuthRequest, Resolved, resolve

ACCOUNT_PERMISSIONS_URL = "https://myaccount.google.com/permissions"


def configure_parser(parser: argparse.ArgumentParser) -> None:
    """Add ``login``, ``status`` and ``logout`` to the ``auth`` command's parser."""
    sub = parser.add_subparsers(dest="auth_command", metavar="ACTION", required=True)
    login = sub.add_parser(
        "login",
        help="sign in to Google in a browser and cache the token",
        description=(
            "Sign in to Google with the installed-app flow and cache the token (mode 0600) in the user "
            "config directory or $GDRIVESTATS_TOKEN. On a machine without a browser use --no-browser "
            "(and --port with ssh -L PORT:127.0.0.1:PORT from your laptop)."
        ),
    )
    login.add_argument(
        "--credentials",
        type=Path,
        metavar="FILE",
        help="OAuth client-secrets JSON of a 'Desktop app' client "
        f"(default: ${oauth.ENV_CLIENT_SECRETS} or ./{oauth.DEFAULT_CLIENT_SECRETS})",
    )
    login.add_argument(
        "--write",
        action="store_true",
        help="also allow writing reports back to Drive (scope drive instead of drive.readonly)",
    )
    login.add_argument(
        "--no-browser", action="store_true", help="do not open a browser: print the address to open elsewhere"
    )
    login.add_argument(
        "--port",
        type=int,
        default=0,
        metavar="N",
        help="loopback port for the browser to return to (default: any free port; fix it to forward it)",
    )
    sub.add_parser("status", help="show which Google credentials would be used, for whom, and until when")
    sub.add_parser("logout", help="remove the cached sign-in and revoke it (best effort)")


def run(
    args: argparse.Namespace,
    *,
    open_browser: oauth.BrowserOpener | None = None,
    print_url: oauth.Printer | None = None,
) -> int:
    """Run ``auth login|status|logout``; returns the exit status (errors are raised as AuthError)."""
    if args.auth_command == "login":
        return login(args, open_browser=open_browser, print_url=print_url)
    if args.auth_command == "status":
        return status()
    if args.auth_command == "logout":
        return logout()
    raise ValueError(f"unknown auth action {args.auth_command!r}")


def login(
    args: argparse.Namespace,
    *,
    open_browser: oauth.BrowserOpener | None = None,
    print_url: oauth.Printer | None = None,
) -> int:
    """Run the browser sign-in now (even when a token is cached) and cache the new token."""
    path, named = oauth.client_secrets_path(getattr(args, "credentials", None))
    token_path = token_cache.default_token_path()
    cached_client = (
        None if named or path.exists() else oauth.client_config_from_cache(token_cache.load(token_path))
    )
    config = cached_client or oauth.load_client_config(path)  # e.g. `login --write` after a read-only login
    wanted = scopes_mod.required_scopes(bool(getattr(args, "write", False)))
    opener = oauth.no_browser if getattr(args, "no_browser", False) else open_browser
    credentials = oauth.sign_in(
        config, wanted, open_browser=opener, print_url=print_url, port=int(getattr(args, "port", 0) or 0)
    )
    oauth.save_credentials(token_path, credentials, auth_uri=config["installed"]["auth_uri"])
    who = oauth.identity(credentials)
    access = ", ".join(scopes_mod.short_name(s) for s in oauth.granted_scopes(credentials))
    print(f"Signed in{f' as {who}' if who else ''} (access: {access}); the sign-in is saved in {token_path}")
    return 0


def status() -> int:
    """Print the method, identity, scopes and token expiry of the credentials ``connect()`` would use."""
    found = resolve(AuthRequest(interactive=False, mount=False))
    for label, value in describe(found):
        print(f"{label + ':':<10} {value}")
    return 0


def describe(found: Resolved) -> list[tuple[str, str]]:
    """Label/value lines about resolved credentials, with no secret in them."""
    lines = [("Method", found.description)]
    credentials = found.credentials
    if credentials is None:
        lines.append(("Identity", "the Google account Colab signs in with"))
        return lines
    lines.append(("Identity", oauth.identity(credentials) or "unknown"))
    granted = found.scopes or oauth.granted_scopes(credentials)
    lines.append(("Scopes", ", ".join(scopes_mod.short_name(s) for s in granted) or "unknown"))
    lines.append(("Token", _expiry_text(getattr(credentials, "expiry", None))))
    if found.method in (CACHED_TOKEN, BROWSER_SIGN_IN):
        has_refresh = bool(getattr(credentials, "refresh_token", None))
        lines.append(("Refresh", "yes (renewed automatically)" if has_refresh else "no"))
    return lines


def _expiry_text(expiry: datetime | None) -> str:
    if expiry is None:
        return "no expiry known"
    when = expiry.replace(tzinfo=UTC) if expiry.tzinfo is None else expiry
    left = (when - datetime.now(UTC)).total_seconds()
    stamp = when.strftime("%Y-%m-%d %H:%M:%S UTC")
    if left <= 0:
        return f"expired at {stamp} (renewed on next use)"
    return f"valid until {stamp} ({int(left // 60)} min left)"


def logout() -> int:
    """Revoke the cached sign-in at its server (best effort) and delete the cache file."""
    path = token_cache.default_token_path()
    info = token_cache.load(path)
    if info is None:
        existed = token_cache.delete(path)  # an unreadable file is still removed
        print(f"Removed the unreadable sign-in cache {path}." if existed else f"Not signed in (no {path}).")
        return 0
    revoked = oauth.revoke(info)
    token_cache.delete(path)
    if revoked:
        print(f"Signed out: revoked the sign-in and removed {path}.")
    else:
        print(
            f"Removed {path}, but could not revoke the sign-in at Google; to cut its access, remove "
            f"gdrivestats at {ACCOUNT_PERMISSIONS_URL}"
        )
    return 0
