"""A Drive v3 server for tests, demos and users' own tests: ``start_emulator()`` and ``build_service()``.

Typical use::

    from gdrivestats.emulator import build_service, start_emulator

    with start_emulator() as emu:
        folder = emu.state.add_folder(None, "Sales")
        emu.state.add_file(folder.id, "q1.csv", b"region,amount\\nnorth,10\\n", "text/csv")
        drive = build_service(emu.url)  # the real google-api-python-client, over HTTP
        drive.files().list(q=f"'{folder.id}' in parents").execute()
        emu.log.count(kind="list")  # -> 1

Modules: ``server`` (HTTP, dispatch, auth, faults, latency, log, TLS), ``drive_api`` (routing and files.*),
``listing`` (files.list), ``other_api`` (changes, about, drives), ``store`` (state), ``query`` (the q
language), ``fields`` (partial responses), ``validate`` (discovery checks), ``uploads`` (multipart and
resumable), ``batch``, ``faults`` (the fault SPEC grammar), ``requestlog``, ``resources`` (JSON shapes),
``sheets`` (xlsx to csv), ``seed`` (``--seed DIR``), ``client`` (``build_service``), ``cli``.
"""

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
