"""The emulator's OAuth 2.0 endpoints: authorization (PKCE), token (code, refresh, JWT), revoke, userinfo.

Enough of Google's authorization server for gdrivestats' sign-in, cache refresh and service-account code to
run end to end offline. The dispatcher calls :func:`handle` before the Drive routes; it answers the OAuth
paths and returns None for everything else. Its state (codes, PKCE challenges, tokens, the revoked set)
lives in an :class:`OAuthState` attached to the emulator's state on first use (:func:`state_of`); tokens it
issues are checked by the emulator's ``token_validator`` so Drive calls with them work, and stop working
once revoked or expired. Tokens it did not issue are left to the previous validator (or accepted, unless
``strict``).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import logging
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

log = logging.getLogger(__name__)

Response = tuple[int, dict[str, str], bytes]

AUTH_PATHS = frozenset({"/o/oauth2/auth", "/o/oauth2/v2/auth"})
TOKEN_PATHS = frozenset({"/token", "/o/oauth2/token", "/oauth2/v4/token"})
REVOKE_PATHS = frozenset({"/revoke", "/o/oauth2/revoke"})
USERINFO_PATHS = frozenset({"/oauth2/v3/userinfo", "/oauth2/v2/userinfo", "/oauth2/v1/userinfo", "/userinfo"})
TOKENINFO_PATHS = frozenset({"/oauth2/v3/tokeninfo", "/oauth2/v1/tokeninfo", "/tokeninfo"})
ALL_PATHS = AUTH_PATHS | TOKEN_PATHS | REVOKE_PATHS | USERINFO_PATHS | TOKENINFO_PATHS

GRANT_CODE = "authorization_code"
GRANT_REFRESH = "refresh_token"
GRANT_JWT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "[::1]"})
CODE_LIFETIME = 600.0
DEFAULT_USER = "emulator-user@example.com"


@dataclass
class _Code:
    client_id: str
    redirect_uri: str
    scope: str
    challenge: str | None
    method: str
    expires: float


@dataclass
class _Grant:
    """A refresh token and what it stands for."""

    client_id: str
    scope: str
    subject: str
    revoked: bool = False


@dataclass
class _Access:
    scope: str
    subject: str
    expires: float
    refresh_token: str | None
    client_id: str | None
    revoked: bool = False


@dataclass
class OAuthState:
    """Everything the OAuth endpoints remember; every method takes the lock (handler threads share it).

    Knobs tests may set: ``revoked_mode`` (every refresh answers ``invalid_grant``), ``deny`` (the user
    refuses consent), ``strict`` (reject Drive calls with tokens this server did not issue),
    ``access_token_lifetime``, ``grant_scope`` (grant this instead of what was asked: partial consent),
    ``clients`` (client_id -> secret; empty: any client), ``trusted_keys`` (service-account email -> public
    key PEM: its JWT signatures are verified; once any key is registered, a JWT from an issuer without one
    is refused with ``invalid_grant``, as Google refuses a key it does not know), ``user_email``.
    """

    user_email: str = DEFAULT_USER
    revoked_mode: bool = False
    deny: bool = False
    strict: bool = False
    require_pkce: bool = False
    access_token_lifetime: int = 3600
    grant_scope: str | None = None
    clients: dict[str, str] = field(default_factory=dict)
    trusted_keys: dict[str, str] = field(default_factory=dict)
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False)
    _codes: dict[str, _Code] = field(default_factory=dict, repr=False)
    _grants: dict[str, _Grant] = field(default_factory=dict, repr=False)
    _access: dict[str, _Access] = field(default_factory=dict, repr=False)
    counts: dict[str, int] = field(default_factory=dict)
    """How many times each grant type succeeded (``authorization_code``, ``refresh_token``, jwt-bearer)."""
    subjects: list[str] = field(default_factory=list)
    """Who each issued access token acts for, in order (service accounts: ``sub`` or ``iss``)."""

    # ----- tokens -----

    def issue_access(self, scope: str, subject: str, refresh_token: str | None, client_id: str | None) -> str:
        """A new access token (``ya29.emu-...``) registered for Drive calls."""
        token = "ya29.emu-" + secrets.token_urlsafe(32)
        with self.lock:
            expires = time.time() + self.access_token_lifetime
            self._access[token] = _Access(scope, subject, expires, refresh_token, client_id)
            self.subjects.append(subject)
        return token

    def issue_refresh(self, client_id: str, scope: str, subject: str) -> str:
        """A new refresh token (``1//emu-...``)."""
        token = "1//emu-" + secrets.token_urlsafe(32)
        with self.lock:
            self._grants[token] = _Grant(client_id, scope, subject)
        return token

    def check_access_token(self, token: str) -> bool | None:
        """True: issued here and live; False: issued here but revoked or expired; None: not issued here."""
        with self.lock:
            access = self._access.get(token)
            if access is None:
                return None
            grant = self._grants.get(access.refresh_token) if access.refresh_token else None
            revoked = access.revoked or (grant is not None and grant.revoked)
            return not revoked and access.expires > time.time()

    def access_info(self, token: str) -> _Access | None:
        """What an access token stands for, when it is live."""
        with self.lock:
            return self._access.get(token) if self.check_access_token(token) else None

    def revoke(self, token: str) -> bool:
        """Revoke an access or refresh token (a refresh token takes its access tokens with it); False when
        the token is unknown or already revoked (Google answers those with ``invalid_token``)."""
        with self.lock:
            found = self._grants.get(token) or self._access.get(token)
            if found is None or found.revoked:
                return False
            found.revoked = True
            return True

    def revoke_everything(self) -> None:
        """Revoke every token issued so far (the user removed the app's access); new sign-ins still work."""
        with self.lock:
            for grant in self._grants.values():
                grant.revoked = True
            for access in self._access.values():
                access.revoked = True

    def expire_access_tokens(self) -> None:
        """Make every issued access token expired (the next Drive call gets 401 and the client refreshes)."""
        with self.lock:
            for access in self._access.values():
                access.expires = 0.0

    def issued_tokens(self) -> list[str]:
        """Every access and refresh token issued so far (for tests that check logs for leaks)."""
        with self.lock:
            return [*self._access, *self._grants]

    def _count(self, grant_type: str) -> None:
        with self.lock:
            self.counts[grant_type] = self.counts.get(grant_type, 0) + 1


_attach_lock = threading.Lock()
_STATE_KEY = "gdrivestats.emulator.oauth"


def state_of(server_state: Any) -> OAuthState:
    """The OAuthState of an emulator (created, and its token validator installed, on first use)."""
    existing = _find(server_state)
    if existing is not None:
        return existing
    with _attach_lock:
        existing = _find(server_state)
        if existing is not None:
            return existing
        state = OAuthState(user_email=getattr(server_state, "user_email", DEFAULT_USER) or DEFAULT_USER)
        holder = getattr(server_state, "oauth_state", None)
        if isinstance(holder, dict):
            holder[_STATE_KEY] = state
        else:
            server_state.oauth = state
        _install_validator(server_state, state)
        return state


def _find(server_state: Any) -> OAuthState | None:
    holder = getattr(server_state, "oauth_state", None)
    found = holder.get(_STATE_KEY) if isinstance(holder, dict) else getattr(server_state, "oauth", None)
    return found if isinstance(found, OAuthState) else None


def _install_validator(server_state: Any, state: OAuthState) -> None:
    previous: Callable[[str], bool] | None = getattr(server_state, "token_validator", None)

    def validate(token: str) -> bool:
        verdict = state.check_access_token(token)
        if verdict is not None:
            return verdict
        if previous is not None:
            return previous(token)
        return not state.strict

    server_state.token_validator = validate

    def scopes(token: str) -> str | None:
        access = state.access_info(token)
        return access.scope if access is not None else None

    # Drive calls with a token issued here are held to its granted scopes (403 insufficientPermissions).
    server_state.scope_lookup = scopes


# ----- the dispatcher's entry point -----


def handle(
    server_state: Any, method: str, path: str, query: Mapping[str, Any], headers: Any, body: bytes
) -> Response | None:
    """Answer an OAuth request, or None when ``path`` is not an OAuth endpoint."""
    path = urlsplit(path).path.rstrip("/") or "/"
    if path not in ALL_PATHS:
        return None
    state = state_of(server_state)
    params = {**_flat(query), **(_form(headers, body) if method.upper() == "POST" else {})}
    if path in AUTH_PATHS:
        return _authorize(state, params) if method.upper() in ("GET", "POST") else _method_not_allowed()
    if path in TOKEN_PATHS:
        return _token(state, params, headers) if method.upper() == "POST" else _method_not_allowed()
    if path in REVOKE_PATHS:
        return _revoke(state, params)
    if path in USERINFO_PATHS:
        return _userinfo(state, headers, params)
    return _tokeninfo(state, params)


def _flat(query: Mapping[str, Any]) -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in (query or {}).items():
        if isinstance(value, list | tuple):
            if value:
                flat[key] = str(value[0])
        elif value is not None:
            flat[key] = str(value)
    return flat


def _form(headers: Any, body: bytes) -> dict[str, str]:
    if not body:
        return {}
    text = body.decode("utf-8", "replace")
    if "json" in (_header(headers, "Content-Type") or "").lower():
        try:
            data = json.loads(text)
        except ValueError:
            return {}
        return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}
    return dict(parse_qsl(text, keep_blank_values=True))


def _header(headers: Any, name: str) -> str | None:
    if headers is None:
        return None
    value = headers.get(name) if hasattr(headers, "get") else None
    if value is not None:
        return str(value)
    items = headers.items() if hasattr(headers, "items") else headers
    for key, val in items:
        if str(key).lower() == name.lower():
            return str(val)
    return None


def _json(status: int, payload: Mapping[str, Any]) -> Response:
    body = json.dumps(payload).encode("utf-8")
    return (
        status,
        {
            "Content-Type": "application/json; charset=utf-8",
            "Cache-Control": "no-store",
            "Pragma": "no-cache",
        },
        body,
    )


def _error(status: int, error: str, description: str) -> Response:
    return _json(status, {"error": error, "error_description": description})


def _text(status: int, text: str) -> Response:
    return status, {"Content-Type": "text/plain; charset=utf-8"}, text.encode("utf-8")


def _method_not_allowed() -> Response:
    return _text(405, "Method not allowed")


# ----- authorization -----


def _authorize(state: OAuthState, params: dict[str, str]) -> Response:
    client_id = params.get("client_id", "")
    redirect_uri = params.get("redirect_uri", "")
    if not client_id:
        return _text(400, "Error 400: invalid_request. Missing required parameter: client_id")
    if state.clients and client_id not in state.clients:
        return _text(401, "Error 401: invalid_client. The OAuth client was not found.")
    if not _is_loopback(redirect_uri):
        return _text(
            400, "Error 400: redirect_uri_mismatch. Only loopback http redirect URIs are allowed here."
        )
    if params.get("response_type", "code") != "code":
        return _redirect(redirect_uri, {"error": "unsupported_response_type", "state": params.get("state")})
    challenge = params.get("code_challenge")
    method = params.get("code_challenge_method", "plain" if challenge else "")
    if challenge and method not in ("S256", "plain"):
        return _redirect(redirect_uri, {"error": "invalid_request", "state": params.get("state")})
    if state.require_pkce and not challenge:
        return _redirect(redirect_uri, {"error": "invalid_request", "state": params.get("state")})
    if state.deny:
        return _redirect(redirect_uri, {"error": "access_denied", "state": params.get("state")})
    scope = state.grant_scope or params.get("scope", "")
    code = "4/emu-" + secrets.token_urlsafe(24)
    with state.lock:
        state._codes[code] = _Code(
            client_id, redirect_uri, scope, challenge, method, time.time() + CODE_LIFETIME
        )
    log.debug("oauth: issued an authorization code for client %s", client_id)
    return _redirect(redirect_uri, {"state": params.get("state"), "code": code, "scope": scope})


def _is_loopback(uri: str) -> bool:
    parts = urlsplit(uri)
    return parts.scheme == "http" and (parts.hostname or "") in LOOPBACK_HOSTS


def _redirect(redirect_uri: str, params: Mapping[str, str | None]) -> Response:
    query = urlencode({k: v for k, v in params.items() if v is not None})
    location = redirect_uri + ("&" if "?" in redirect_uri else "?") + query
    return (
        302,
        {"Location": location, "Content-Type": "text/plain; charset=utf-8", "Content-Length": "0"},
        b"",
    )


# ----- token -----


def _token(state: OAuthState, params: dict[str, str], headers: Any) -> Response:
    grant_type = params.get("grant_type", "")
    if grant_type == GRANT_JWT:
        return _jwt_grant(state, params)
    client_id, client_secret = _client_credentials(params, headers)
    if not client_id:
        return _error(401, "invalid_client", "The OAuth client was not found.")
    if state.clients and state.clients.get(client_id) != client_secret:
        return _error(401, "invalid_client", "Unauthorized")
    if grant_type == GRANT_CODE:
        return _code_grant(state, params, client_id)
    if grant_type == GRANT_REFRESH:
        return _refresh_grant(state, params, client_id)
    return _error(400, "unsupported_grant_type", f"Invalid grant_type: {grant_type}")


def _client_credentials(params: dict[str, str], headers: Any) -> tuple[str, str]:
    """client_id and secret from an HTTP Basic header (requests-oauthlib) or the form (google-auth)."""
    auth = _header(headers, "Authorization") or ""
    if auth.lower().startswith("basic "):
        try:
            decoded = base64.b64decode(auth[6:].strip()).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            decoded = ""
        user, _, password = decoded.partition(":")
        from urllib.parse import unquote_plus

        return unquote_plus(user), unquote_plus(password)
    return params.get("client_id", ""), params.get("client_secret", "")


def _code_grant(state: OAuthState, params: dict[str, str], client_id: str) -> Response:
    code = params.get("code", "")
    with state.lock:
        issued = state._codes.pop(code, None)  # one use only
    if issued is None or issued.expires < time.time():
        return _error(400, "invalid_grant", "Malformed auth code.")
    if issued.client_id != client_id:
        return _error(400, "invalid_grant", "The code was issued to another client.")
    if params.get("redirect_uri") != issued.redirect_uri:
        return _error(400, "redirect_uri_mismatch", "Bad Request")
    if issued.challenge is not None and not _pkce_ok(issued, params.get("code_verifier")):
        return _error(400, "invalid_grant", "Invalid code verifier.")
    refresh = state.issue_refresh(client_id, issued.scope, state.user_email)
    access = state.issue_access(issued.scope, state.user_email, refresh, client_id)
    state._count(GRANT_CODE)
    log.debug("oauth: exchanged an authorization code for tokens (client %s)", client_id)
    return _json(
        200,
        {
            "access_token": access,
            "expires_in": state.access_token_lifetime,
            "refresh_token": refresh,
            "scope": issued.scope,
            "token_type": "Bearer",
        },
    )


def _pkce_ok(issued: _Code, verifier: str | None) -> bool:
    if not verifier or not 43 <= len(verifier) <= 128:
        return False
    if issued.method == "plain":
        return secrets.compare_digest(verifier, issued.challenge or "")
    digest = hashlib.sha256(verifier.encode("ascii", "replace")).digest()
    expected = base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")
    return secrets.compare_digest(expected, issued.challenge or "")


def _refresh_grant(state: OAuthState, params: dict[str, str], client_id: str) -> Response:
    refresh = params.get("refresh_token", "")
    with state.lock:
        grant = state._grants.get(refresh)
        revoked_mode = state.revoked_mode
    if revoked_mode or grant is None or grant.revoked:
        return _error(400, "invalid_grant", "Token has been expired or revoked.")
    if grant.client_id != client_id:
        return _error(400, "unauthorized_client", "Unauthorized")
    scope = grant.scope
    asked = params.get("scope")
    if asked:
        if not set(asked.split()) <= set(grant.scope.split()):
            return _error(400, "invalid_scope", "The requested scope exceeds the granted scope.")
        scope = asked
    access = state.issue_access(scope, grant.subject, refresh, client_id)
    state._count(GRANT_REFRESH)
    log.debug("oauth: refreshed an access token (client %s)", client_id)
    return _json(
        200,
        {
            "access_token": access,
            "expires_in": state.access_token_lifetime,
            "scope": scope,
            "token_type": "Bearer",
        },
    )


def _jwt_grant(state: OAuthState, params: dict[str, str]) -> Response:
    """The service-account grant: a signed JWT; its audience (Google's URL) is not checked."""
    try:
        header, claims, signed, signature = _parse_jwt(params.get("assertion", ""))
    except ValueError as exc:
        return _error(400, "invalid_grant", f"Invalid JWT: {exc}")
    issuer = str(claims.get("iss", ""))
    if header.get("alg") != "RS256" or not issuer or not signature:
        return _error(400, "invalid_grant", "Invalid JWT: RS256 signature and iss are required.")
    now = time.time()
    if float(claims.get("exp", 0)) < now - 60 or float(claims.get("iat", now)) > now + 300:
        return _error(
            400,
            "invalid_grant",
            "Invalid JWT: Token must be a short-lived token and in a reasonable timeframe.",
        )
    with state.lock:
        public_pem = state.trusted_keys.get(issuer)
        revoked_mode = state.revoked_mode
    with state.lock:
        keys_registered = bool(state.trusted_keys)
    if public_pem is None and keys_registered:
        return _error(400, "invalid_grant", "Invalid JWT Signature.")
    if public_pem is not None and not _signature_ok(public_pem, signed, signature):
        return _error(400, "invalid_grant", "Invalid JWT Signature.")
    if revoked_mode:
        return _error(400, "invalid_grant", "Invalid JWT Signature.")
    scope = str(claims.get("scope", ""))
    if not scope:
        return _error(400, "invalid_scope", "Invalid OAuth scope or ID token audience provided.")
    subject = str(claims.get("sub") or issuer)
    access = state.issue_access(scope, subject, None, None)
    state._count(GRANT_JWT)
    log.debug("oauth: issued a service-account token for %s", subject)
    return _json(
        200, {"access_token": access, "expires_in": state.access_token_lifetime, "token_type": "Bearer"}
    )


def _b64(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def _parse_jwt(assertion: str) -> tuple[dict[str, Any], dict[str, Any], bytes, bytes]:
    parts = assertion.split(".")
    if len(parts) != 3:
        raise ValueError("not three segments")
    try:
        header = json.loads(_b64(parts[0]))
        claims = json.loads(_b64(parts[1]))
        signature = _b64(parts[2])
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise ValueError("segments are not base64url JSON") from None
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise ValueError("header and claims must be JSON objects")
    return header, claims, f"{parts[0]}.{parts[1]}".encode("ascii"), signature


def _signature_ok(public_pem: str, signed: bytes, signature: bytes) -> bool:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    key = serialization.load_pem_public_key(public_pem.encode("ascii"))
    if not isinstance(key, rsa.RSAPublicKey):
        return False
    try:
        key.verify(signature, signed, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        return False
    return True


# ----- revoke, userinfo, tokeninfo -----


def _revoke(state: OAuthState, params: dict[str, str]) -> Response:
    token = params.get("token", "")
    if not token or not state.revoke(token):
        return _error(400, "invalid_token", "Token expired or revoked")
    log.debug("oauth: revoked a token")
    return _json(200, {})


def _bearer(headers: Any, params: dict[str, str]) -> str:
    auth = _header(headers, "Authorization") or ""
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    return params.get("access_token", "")


def _userinfo(state: OAuthState, headers: Any, params: dict[str, str]) -> Response:
    access = state.access_info(_bearer(headers, params))
    if access is None:
        return _error(401, "invalid_request", "Invalid Credentials")
    return _json(200, {"sub": _sub(access.subject), "email": access.subject, "email_verified": True})


def _tokeninfo(state: OAuthState, params: dict[str, str]) -> Response:
    access = state.access_info(params.get("access_token", ""))
    if access is None:
        return _error(400, "invalid_token", "Invalid Value")
    return _json(
        200,
        {
            "azp": access.client_id or "",
            "aud": access.client_id or "",
            "sub": _sub(access.subject),
            "scope": access.scope,
            "exp": str(int(access.expires)),
            "expires_in": str(max(0, int(access.expires - time.time()))),
            "email": access.subject,
            "email_verified": "true",
        },
    )


def _sub(email: str) -> str:
    return str(int.from_bytes(hashlib.sha256(email.encode("utf-8")).digest()[:8], "big"))
