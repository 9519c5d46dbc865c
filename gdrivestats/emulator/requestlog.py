"""The emulator's request log: one entry per HTTP request (and per batch part), thread-safe.

Kinds: list, get, media, export, create, update, copy, upload-chunk (resumable chunks and status queries),
delete, changes, changes-token, batch (the envelope; its parts are logged with ``batch=True``), about,
drives, oauth, other. An entry is added before the response is sent, so a client that reads the log
right after a call sees its entry. ``status`` is 0 for an upload chunk whose connection was dropped.
"""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class LogEntry:
    """What the emulator saw and answered."""

    time: float
    method: str
    path: str
    kind: str
    status: int
    bytes_in: int
    bytes_out: int
    fault: str | None = None
    batch: bool = False  # a part of a batch request
    override: str | None = None  # X-HTTP-Method-Override sent with a POST

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class RequestLog:
    """Append-only list of LogEntry with simple queries."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: list[LogEntry] = []

    def add(self, entry: LogEntry) -> None:
        with self._lock:
            self._entries.append(entry)

    def entries(self, kind: str | None = None) -> list[LogEntry]:
        """A copy of the entries, optionally of one kind."""
        with self._lock:
            return [e for e in self._entries if kind is None or e.kind == kind]

    def count(self, kind: str | None = None, status: int | None = None, method: str | None = None) -> int:
        """How many entries match every given criterion."""
        with self._lock:
            return sum(
                1
                for e in self._entries
                if (kind is None or e.kind == kind)
                and (status is None or e.status == status)
                and (method is None or e.method == method)
            )

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def to_json(self) -> list[dict[str, Any]]:
        return [e.to_dict() for e in self.entries()]
