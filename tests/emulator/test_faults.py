"""Fault injection: the SPEC grammar, and what the real client sees and recovers from."""

from __future__ import annotations

import http.client
import io
import time
from typing import Any

import httplib2
import pytest
from googleapiclient.errors import HttpError
from googleapiclient.http import MediaIoBaseDownload, MediaIoBaseUpload

from gdrivestats.emulator import Emulator, FaultSpecError, start_emulator
from gdrivestats.emulator.faults import FaultInjector, parse_spec
from tests.emulator.helpers import fast_retries


def test_spec_grammar() -> None:
    seed, rules = parse_spec(
        "seed=7, list:rate=0.2:503, media:count=3:drop, upload:count=1:lose-last-chunk,"
        " *:rate=0.1:429:retry-after=3"
    )
    assert seed == 7
    assert [(r.kind, r.rate, r.remaining, r.fault.action) for r in rules] == [
        ("list", 0.2, None, "503"),
        ("media", None, 3, "drop"),
        ("upload", None, 1, "lose-last-chunk"),
        ("*", 0.1, None, "429"),
    ]
    assert rules[3].fault.retry_after == 3
    assert parse_spec("get:always:delay=20")[1][0].fault.delay_ms == 20
    for bad in (
        "list:503",
        "nope:count=1:503",
        "list:rate=2:503",
        "list:count=x:503",
        "list:count=1:418",
        "seed=x",
    ):
        with pytest.raises(FaultSpecError):
            parse_spec(bad)


def test_rate_rules_are_reproducible() -> None:
    def run() -> list[bool]:
        injector = FaultInjector("seed=3,list:rate=0.5:503")
        return [injector.pick({"list"}) is not None for _ in range(40)]

    first = run()
    assert first == run()
    assert 5 < sum(first) < 35


def test_count_rules_are_spent() -> None:
    injector = FaultInjector("get:count=2:500")
    assert [injector.pick({"get"}) is not None for _ in range(4)] == [True, True, False, False]
    assert injector.pick({"list"}) is None


def test_client_retries_through_503_and_429(emu: Emulator, drive: Any) -> None:
    emu.state.add_file(None, "a", b"")
    emu.set_faults("list:count=2:503,get:count=1:429:retry-after=7")
    listing = fast_retries(drive.files().list()).execute(num_retries=3)
    assert [f["name"] for f in listing["files"]] == ["a"]
    assert [e.status for e in emu.log.entries(kind="list")] == [503, 503, 200]
    root = fast_retries(drive.files().get(fileId="root", fields="id")).execute(num_retries=2)
    assert root == {"id": emu.state.root_id}
    assert [e.status for e in emu.log.entries(kind="get")] == [429, 200]


def test_error_shapes_of_injected_faults(emu: Emulator, drive: Any) -> None:
    emu.set_faults("*:count=1:429:retry-after=7")
    request = drive.files().list()
    response, _ = request.http.request(request.uri)
    assert response.status == 429 and response["retry-after"] == "7"
    for action, status, reason in (
        ("rateLimitExceeded", 403, "rateLimitExceeded"),
        ("403", 403, "userRateLimitExceeded"),
        ("500", 500, "backendError"),
        ("503", 503, "backendError"),
    ):
        emu.set_faults(f"list:count=1:{action}")
        with pytest.raises(HttpError) as info:
            drive.files().list().execute()
        assert info.value.status_code == status
        assert info.value.error_details[0]["reason"] == reason  # type: ignore[index]


def test_rate_limit_403_is_retried_but_quota_is_final(emu: Emulator, drive: Any) -> None:
    emu.set_faults("list:count=1:userRateLimitExceeded")
    fast_retries(drive.files().list()).execute(num_retries=2)
    assert [e.status for e in emu.log.entries(kind="list")] == [403, 200]
    emu.set_faults("create:count=1:storageQuotaExceeded")
    with pytest.raises(HttpError) as info:
        fast_retries(drive.files().create(body={"name": "x"})).execute(num_retries=3)
    assert info.value.error_details[0]["reason"] == "storageQuotaExceeded"  # type: ignore[index]
    assert emu.log.count(kind="create") == 1


def test_real_storage_quota(emu: Emulator, drive: Any) -> None:
    emu.state.quota_limit = 10
    with pytest.raises(HttpError) as info:
        drive.files().create(
            body={"name": "big"}, media_body=MediaIoBaseUpload(io.BytesIO(b"x" * 11), "a/b")
        ).execute()
    assert info.value.status_code == 403
    assert info.value.error_details[0]["reason"] == "storageQuotaExceeded"  # type: ignore[index]


def test_dropped_download_is_seen_and_resumed(emu: Emulator, drive: Any) -> None:
    data = bytes(range(256)) * 4096  # 1 MiB
    record = emu.state.add_file(None, "d.bin", data)
    emu.set_faults("media:count=1:drop")
    out = io.BytesIO()
    downloader = MediaIoBaseDownload(out, drive.files().get_media(fileId=record.id), chunksize=256 * 1024)
    done, errors = False, 0
    while not done:
        try:
            _, done = downloader.next_chunk()
        except (OSError, http.client.HTTPException, httplib2.HttpLib2Error):
            errors += 1
    # httplib2 may reuse the reset connection once more before reconnecting, as it would against Google.
    assert 1 <= errors <= 2 and out.getvalue() == data
    assert emu.log.entries(kind="media")[0].fault == "drop"


def test_latency() -> None:
    with start_emulator(latency_ms=150) as emu:
        from gdrivestats.emulator import build_service

        drive = build_service(emu.url)
        drive.files().list().execute()  # warm up the connection
        began = time.monotonic()
        drive.files().list().execute()
        assert time.monotonic() - began >= 0.15


def test_empty_answer_for_multi_parent_query(emu: Emulator, drive: Any) -> None:
    a, b = emu.state.add_folder(None, "a"), emu.state.add_folder(None, "b")
    emu.state.add_file(a.id, "in-a", b"")
    emu.set_faults("list:count=1:empty")
    q = f"'{a.id}' in parents or '{b.id}' in parents"
    assert drive.files().list(q=q).execute()["files"] == []
    assert [f["name"] for f in drive.files().list(q=q).execute()["files"]] == ["in-a"]
