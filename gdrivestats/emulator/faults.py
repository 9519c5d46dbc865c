"""Fault injection: parse a SPEC and decide, per request, which fault (if any) to inject.

SPEC grammar (whitespace ignored)::

    SPEC    := ITEM ("," ITEM)*
    ITEM    := "seed=" INT                 seed for the rate rules' random numbers (default 0)
             | RULE
    RULE    := KIND ":" TRIGGER ":" ACTION (":" OPTION)*
    KIND    := "*" | list | get | media | export | create | update | copy | upload | upload-chunk | delete
             | changes | changes-token | batch | about | drives | permissions
    TRIGGER := "rate=" FLOAT               each matching request fails with this probability (0..1)
             | "count=" INT                the next INT matching requests fail, then the rule is spent
             | "always"
    ACTION  := 429 | 500 | 502 | 503 | 504  that status with Google's JSON error (429 carries Retry-After)
             | 403 | userRateLimitExceeded 403, reason userRateLimitExceeded (domain usageLimits)
             | rateLimitExceeded           403, reason rateLimitExceeded
             | storageQuotaExceeded        403, reason storageQuotaExceeded (the client does not retry it)
             | drop                        responses: send the headers and half the body, then reset the
                                           connection; upload chunks: read half the chunk, keep the whole
                                           256 KiB blocks of it, then reset the connection
             | no-reply                    the request is carried out, then the connection is closed
                                           before any byte of the answer (httplib2 then silently sends
                                           the same request again, a create included)
             | lose-last-chunk             the final chunk of a resumable upload is read but not kept: the
                                           server answers 308 with the Range it had before that chunk
             | downloadQuotaExceeded       403 downloadQuotaExceeded (for media and export requests)
             | cannotDownloadAbusiveFile   403 cannotDownloadAbusiveFile
             | dailyLimitExceeded          403 dailyLimitExceeded (domain usageLimits; final)
             | teamDriveFileLimitExceeded  403 teamDriveFileLimitExceeded (final)
             | empty                       files.list answers 200 with no files and no nextPageToken, as
                                           Drive sometimes does for a query naming several parents; only
                                           such queries match (a rule never fires on a one-parent query)
             | partial                     files.list of a query naming several parents leaves out every
                                           child of one of them (the first named one that has children),
                                           as Drive has been seen to (rclone issues 3114, 9810); only
                                           multi-parent queries match
             | expire-session              upload chunks: the resumable session is forgotten before the
                                           chunk is read, so it answers 404 as an expired session does
             | "delay=" MS                 answer normally after MS milliseconds
             | "drip=" MS                  send the headers, then the body one byte every MS milliseconds
                                           (a server that trickles: only a total deadline gives up on it)
    OPTION  := "retry-after=" SECONDS      Retry-After for 429/503 (default 1)

``upload`` matches resumable chunk PUTs and create/update calls that carry media; ``*`` matches every
Drive request (never ``/_emulator/`` or OAuth). Rules are tried in order; the first that fires wins.
Inside a batch, each part is matched on its own kind and may get a status fault.

A lost reply (the work is done, the answer never arrives) is ``create:count=1:drop``: the file exists, the
client sees a reset connection and must not create it twice.

Example: ``seed=7,list:rate=0.2:503,media:count=3:drop,upload:count=1:lose-last-chunk,*:rate=0.1:429``.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass

STATUS_ACTIONS = {"429", "500", "502", "503", "504"}
REASON_ACTIONS = {
    "403": "userRateLimitExceeded",
    "userRateLimitExceeded": "userRateLimitExceeded",
    "rateLimitExceeded": "rateLimitExceeded",
    "storageQuotaExceeded": "storageQuotaExceeded",
    "downloadQuotaExceeded": "downloadQuotaExceeded",
    "cannotDownloadAbusiveFile": "cannotDownloadAbusiveFile",
    "dailyLimitExceeded": "dailyLimitExceeded",
    "teamDriveFileLimitExceeded": "teamDriveFileLimitExceeded",
}
OTHER_ACTIONS = {"drop", "no-reply", "lose-last-chunk", "empty", "partial", "expire-session"}
_CONNECTION_ACTIONS = {"drop", "no-reply", "lose-last-chunk", "drip"}
_MULTI_PARENT_ACTIONS = {"empty", "partial"}
KINDS = {
    "*",
    "list",
    "get",
    "media",
    "export",
    "create",
    "update",
    "copy",
    "upload",
    "upload-chunk",
    "delete",
    "changes",
    "changes-token",
    "batch",
    "about",
    "drives",
    "permissions",
}


class FaultSpecError(ValueError):
    """The fault SPEC does not follow the grammar."""


@dataclass(frozen=True)
class Fault:
    """One fault to inject into one request."""

    action: str  # a status ("503"), a reason, "drop", "lose-last-chunk", "empty", "partial", "delay", "drip"
    retry_after: int = 1
    delay_ms: int = 0

    @property
    def reason(self) -> str | None:
        """The error reason of a 403 action."""
        return REASON_ACTIONS.get(self.action)

    @property
    def status(self) -> int | None:
        if self.action in STATUS_ACTIONS:
            return int(self.action)
        if self.action in REASON_ACTIONS:
            return 403
        return None


@dataclass
class _Rule:
    kind: str
    rate: float | None
    remaining: int | None  # None: unlimited
    fault: Fault


def _parse_rule(text: str) -> _Rule:
    parts = text.split(":")
    if len(parts) < 3:
        raise FaultSpecError(f"fault rule {text!r} needs KIND:TRIGGER:ACTION")
    kind, trigger, action, *options = parts
    if kind not in KINDS:
        raise FaultSpecError(f"unknown request kind {kind!r} in {text!r}")
    rate: float | None = None
    remaining: int | None = None
    try:
        if trigger.startswith("rate="):
            rate = float(trigger[5:])
            if not 0 <= rate <= 1:
                raise FaultSpecError(f"rate must be between 0 and 1 in {text!r}")
        elif trigger.startswith("count="):
            remaining = int(trigger[6:])
        elif trigger != "always":
            raise FaultSpecError(f"unknown trigger {trigger!r} in {text!r}")
        delay_ms = 0
        if action.startswith("delay="):
            delay_ms = int(action[6:])
            action = "delay"
        elif action.startswith("drip="):
            delay_ms = int(action[5:])
            action = "drip"
        elif action not in STATUS_ACTIONS | REASON_ACTIONS.keys() | OTHER_ACTIONS:
            raise FaultSpecError(f"unknown action {action!r} in {text!r}")
        retry_after = 1
        for option in options:
            if option.startswith("retry-after="):
                retry_after = int(option[12:])
            else:
                raise FaultSpecError(f"unknown option {option!r} in {text!r}")
    except ValueError as exc:
        if isinstance(exc, FaultSpecError):
            raise
        raise FaultSpecError(f"bad number in {text!r}") from exc
    return _Rule(kind, rate, remaining, Fault(action, retry_after, delay_ms))


def parse_spec(spec: str | None) -> tuple[int, list[_Rule]]:
    """Parse a SPEC into (seed, rules)."""
    seed = 0
    rules: list[_Rule] = []
    for raw in (spec or "").replace(" ", "").split(","):
        if not raw:
            continue
        if raw.startswith("seed="):
            try:
                seed = int(raw[5:])
            except ValueError as exc:
                raise FaultSpecError(f"bad seed in {raw!r}") from exc
        else:
            rules.append(_parse_rule(raw))
    return seed, rules


class FaultInjector:
    """Holds the active rules; ``pick`` is called once per request and is thread-safe."""

    def __init__(self, spec: str | None = None) -> None:
        self._lock = threading.Lock()
        self.spec = ""
        self._rules: list[_Rule] = []
        self._rng = random.Random(0)
        self.set_spec(spec)

    def set_spec(self, spec: str | None) -> None:
        """Replace all rules (and reseed); an empty or None spec disables faults."""
        seed, rules = parse_spec(spec)
        with self._lock:
            self.spec = spec or ""
            self._rules = rules
            self._rng = random.Random(seed)

    def pick(
        self, kinds: set[str], final_chunk: bool = False, streaming: bool = True, multi_parent: bool = False
    ) -> Fault | None:
        """The fault for a request of these kinds, or None. ``streaming`` is False inside a batch;
        ``multi_parent`` is True for a files.list whose query names several parents."""
        with self._lock:
            for rule in self._rules:
                if rule.kind != "*" and rule.kind not in kinds:
                    continue
                if rule.fault.action in _MULTI_PARENT_ACTIONS and not multi_parent:
                    continue
                if rule.fault.action == "lose-last-chunk" and not final_chunk:
                    continue
                if not streaming and rule.fault.action in _CONNECTION_ACTIONS:
                    continue
                if rule.remaining is not None:
                    if rule.remaining <= 0:
                        continue
                    rule.remaining -= 1
                    return rule.fault
                if rule.rate is not None and self._rng.random() >= rule.rate:
                    continue
                return rule.fault
            return None
