"""A Drive v3 server for tests, demos and users' own tests: ``start_emulator()`` and ``build_service()``.

Typical use::

    from gdrivestats.emulator import build_service, start_emulator

    with start_emulator() as emu:
        folder = emu.state.add_folder(None, "Sales")
        emu.state.add_file(folder.id, "q1.csv", b"region,amount\\nnorth,10\\n", "text/csv")
        drive = build_service(emu.url)  # the real google-api-python-client, over HTTP
        drive.files().list(q=f"'{folder.id}' in parents").execute()
        emu.log.count(kind="list")  # -> 1

Where real Drive is less kind, the emulator can be too (all off by default): fault rules
(``emu.set_faults("list:count=1:partial")``; the grammar is in ``faults``: partial and empty multi-parent
answers, lost replies, trickling answers, expired upload sessions, 403 reasons), ``start_emulator(
write_rate=2, listing_lag=5)``, and the ``Store`` knobs and helpers on ``emu.state`` (``listing_lag``,
``write_rate``, ``upload_session_lifetime``, ``token_scopes``, ``block_download``, ``set_capabilities``,
``add_shared_with_me``, ``add_document``, ``bump_version``; see ``Store``).

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
