"""Keeps secrets out of logs and messages: a logging filter and a text scrubber for tokens, codes and secrets.

The HTTP and OAuth libraries under gdrivestats log request bodies, headers and token responses at DEBUG
(``requests_oauthlib`` logs the whole token response; ``google_auth_oauthlib`` logs the redirect with the
authorization code at INFO). ``install_log_filter()`` attaches :class:`RedactingFilter` to those loggers, and
gdrivestats never formats a secret itself.
"""

from __future__ import annotations

import functools
import logging
import re
import threading
from collections.abc import Mapping
from typing import Any

MASK = "[REDACTED]"

# Names whose values are secrets, in query strings, form bodies, JSON and Python reprs.
_SECRET_KEYS = (
    "access_token|accessToken|refresh_token|id_token|client_secret|code_verifier|code|assertion|"
    "rapt_token|token|password|private_key|private_key_id|session_state"
)
_KEY_VALUE = (
    rf"""(?P<key>["']?\b(?:{_SECRET_KEYS})\b["']?)(?P<sep>\s*[=:]\s*)(?P<quote>["']?)"""
    r"""(?!\[REDACTED\])(?P<value>(?:-----BEGIN[^"']*?-----END [A-Z ]+-----)|[^"'&\s,;}\]]+)"""
)
_AUTH_HEADER = r"\b(?P<scheme>Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+"
# Shapes of Google's own tokens, in case one appears without a name in front of it.
_TOKEN_SHAPES = r"\bya29\.[A-Za-z0-9._-]+|\b1//[A-Za-z0-9._-]{10,}|\bGOCSPX-[A-Za-z0-9_-]+"


@functools.cache
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """The three patterns above, compiled on the first text to redact (2 ms a start that logs nothing)."""
    return re.compile(_KEY_VALUE), re.compile(_AUTH_HEADER, re.IGNORECASE), re.compile(_TOKEN_SHAPES)


_known: set[str] = set()
_known_lock = threading.Lock()
_MIN_KNOWN_LENGTH = 6

# Loggers of the libraries that handle tokens, and gdrivestats' own.
WATCHED_LOGGER_PREFIXES = (
    "gdrivestats",
    "google",
    "google_auth_oauthlib",
    "google_auth_httplib2",
    "googleapiclient",
    "requests_oauthlib",
    "oauthlib",
    "requests",
    "urllib3",
    "httplib2",
)


def remember_secret(value: str | None) -> None:
    """Mask this exact value wherever it appears from now on (tokens, client secrets)."""
    if value and len(value) >= _MIN_KNOWN_LENGTH:
        with _known_lock:
            _known.add(value)


def redact(text: str) -> str:
    """The text with every secret this module knows about or recognises replaced by ``[REDACTED]``."""
    if not text:
        return text
    with _known_lock:
        known = sorted(_known, key=len, reverse=True)
    for value in known:
        if value in text:
            text = text.replace(value, MASK)
    key_value, auth_header, token_shapes = _patterns()
    text = key_value.sub(_mask_value, text)
    text = auth_header.sub(lambda m: f"{m['scheme']} {MASK}", text)
    return token_shapes.sub(MASK, text)


_SECRET_FIELDS = frozenset(
    {"authorization", "access_token", "accesstoken", "refresh_token", "id_token", "client_secret", "code"}
    | {"code_verifier", "assertion", "token", "private_key", "password", "rapt_token"}
)
_STANDARD_ATTRS = frozenset(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}


def scrub(value: Any) -> Any:
    """A copy of a structure (dicts, lists, strings) with secret fields and secret-looking text masked."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, Mapping):
        return {k: MASK if str(k).lower() in _SECRET_FIELDS else scrub(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [scrub(v) for v in value]
    return value


def _mask_value(match: re.Match[str]) -> str:
    if match["key"].strip("\"'") == "code" and match["value"].isdigit():  # an HTTP or error code
        return match[0]
    return f"{match['key']}{match['sep']}{match['quote']}{MASK}"


class RedactingFilter(logging.Filter):
    """Rewrites a record's message, traceback text and structured extras (google-auth's ``httpRequest``)
    with secrets masked; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: leave it to the handler to report
            return True
        cleaned = redact(message)
        if cleaned != message or record.args:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        for name, value in list(record.__dict__.items()):
            if name not in _STANDARD_ATTRS and isinstance(value, Mapping | list | str):
                setattr(record, name, scrub(value))
        return True


_FILTER = RedactingFilter()
_install_lock = threading.Lock()


def install_log_filter() -> None:
    """Attach the redacting filter to every existing logger of the watched libraries (idempotent).

    A logger's filters only see records created by that logger, so the filter goes on each one; call this
    after the libraries are imported (``connect()`` and the sign-in do).
    """
    with _install_lock:
        names = set(WATCHED_LOGGER_PREFIXES)
        names.update(
            name
            for name in list(logging.root.manager.loggerDict)
            if any(name == p or name.startswith(p + ".") for p in WATCHED_LOGGER_PREFIXES)
        )
        for name in names:
            logger = logging.getLogger(name)
            if _FILTER not in logger.filters:
                logger.addFilter(_FILTER)
