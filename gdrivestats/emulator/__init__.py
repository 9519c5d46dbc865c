"""A Drive v3 server for tests, demos and users' own tests: ``start_emulator()`` and ``build_service()``."""

from gdrivestats.emulator.client import build_service, discovery_document
from gdrivestats.emulator.faults import FaultSpecError
from gdrivestats.emulator.requestlog import LogEntry, RequestLog
from gdrivestats.emulator.server import Emulator, start_emulator
from gdrivestats.emulator.store import Store

__all__ = [
    "Emulator",
    "FaultSpecError",
    "LogEntry",
    "RequestLog",
    "Store",
    "build_service",
    "discovery_document",
    "start_emulator",
]
