"""The benchmark harness runs end to end in ``--quick`` mode, so it cannot rot; no time is ever asserted."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bench import tlsca
from bench.proxy import ConnectProxy
from bench.syncbench import Tool
from gdrivestats.emulator import Emulator

pytestmark = pytest.mark.slow  # runs the quick benchmark end to end (about 90 s)

REPO = Path(__file__).resolve().parent.parent
FOLDERS = 4  # Config.quick_mode(): 40 files in 4 folders, 5 changed
FILES = 40
CHANGED = 5
RUN_WORKBOOKS = 3  # Config.quick_mode(): the run at scale on 3 workbooks (one of each kind), no larger run
OUTPUTS_PER_WORKBOOK = 4  # summary.xlsx, summary.json, report.html, report.pdf
NEW, RERUN, OLD, NAIVE_RUN = (
    "gdrivestats run",
    "gdrivestats run again, nothing changed",
    "gdrivestats run at 331098d (today's code)",
    "naive Colab loop",
)
SECTIONS = (
    "## Machine and versions",
    "## Targets",
    "## 1. Sync",
    "## 2. Loading a workbook",
    "## 3. The report, stage by stage",
    "## 4. Upload with injected faults",
    "## 5. Peak memory",
    "## 6. Run at scale: sync, analyse, write back",
    "## What limits the missed targets",
    "## Method",
)


@pytest.fixture(scope="module")
def quick(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("bench")
    command = [sys.executable, "-m", "bench", "--quick", "--output", str(tmp / "BENCH.md")]
    command += ["--json", str(tmp / "bench.json"), "--data-dir", str(tmp / "data")]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-4000:]
    results = json.loads((tmp / "bench.json").read_text(encoding="utf-8"))
    results["markdown"] = (tmp / "BENCH.md").read_text(encoding="utf-8")
    results["stdout"] = done.stdout
    return results


def _outcome(results: dict[str, Any], scenario: str, tool: str) -> dict[str, Any]:
    return results["sync"]["outcomes"][scenario][tool]


def _calls(outcome: dict[str, Any], kind: str) -> list[int]:
    return [run["calls"].get(kind, 0) for run in outcome["traffic"]]


def test_markdown_has_every_section_the_context_and_the_command(quick: dict[str, Any]) -> None:
    text = quick["markdown"]
    for heading in SECTIONS:
        assert heading in text
    for name in (
        "python",
        "gdrivestats",
        "pandas",
        "python-calamine",
        "openpyxl",
        "google-api-python-client",
    ):
        assert f"| {name} | `" in text
    assert "| rclone | `" in text and "| cores | `" in text and "| memory | `" in text
    assert "python -m bench --quick" in text
    assert quick["stdout"].strip() == text.strip()  # the table printed is the page written
    assert not quick["failures"]


def test_every_tool_syncs_the_whole_tree_with_one_download_per_file(quick: dict[str, Any]) -> None:
    sync = quick["sync"]
    assert (sync["files"], sync["folders"], sync["changed"]) == (FILES, FOLDERS, CHANGED)
    expected = ["gdrivestats", "naive script", "client-stack floor"]
    if shutil.which("rclone"):
        expected += ["rclone (defaults)", "rclone (tuned)"]
    else:
        assert any("rclone" in p for p in sync["problems"])
    assert sync["tools"] == expected
    for tool in expected:
        first = _outcome(quick, "first sync", tool)
        assert first["error"] is None
        assert (first["files"], first["bytes"]) == (FILES, sync["tree_bytes"])
        assert _calls(first, "media") == [FILES]
        assert [run["media_bytes"] for run in first["traffic"]] == [sync["tree_bytes"]]
        assert first["seconds"]["runs"] and first["seconds"]["min"] > 0
        assert 0 < first["first_request"]["median"] < first["seconds"]["min"]  # out before the run ends


def test_re_syncs_download_nothing_or_exactly_the_changed_files(quick: dict[str, Any]) -> None:
    assert "client-stack floor" not in quick["sync"]["outcomes"]["re-sync, nothing changed"]  # no state
    for tool in [t for t in quick["sync"]["tools"] if t != "client-stack floor"]:
        unchanged = _outcome(quick, "re-sync, nothing changed", tool)
        changed = _outcome(quick, "re-sync, files changed", tool)
        assert _calls(unchanged, "media") == [0]
        assert _calls(changed, "media") == [CHANGED]
        assert changed["files"] == FILES


def test_call_counts_per_tool(quick: dict[str, Any]) -> None:
    naive = _outcome(quick, "first sync", "naive script")
    assert _calls(naive, "list") == [FOLDERS + 2]  # finding the folder, the folder, each subfolder
    floor = _outcome(quick, "first sync", "client-stack floor")
    assert _calls(floor, "list") == [3]  # finding the folder, then one query a level: departments, files
    assert [run["total_calls"] for run in floor["traffic"]] == [3 + FILES]
    gds_unchanged = _outcome(quick, "re-sync, nothing changed", "gdrivestats")
    assert _calls(gds_unchanged, "changes") == [1]  # the changes feed, not a listing
    assert [run["total_calls"] for run in gds_unchanged["traffic"]] == [1]  # same token: no account lookup
    gds_first = _outcome(quick, "first sync", "gdrivestats")
    assert _calls(gds_first, "list")[0] <= 3  # the folder lookup and a few multi-folder queries


def test_loading_report_upload_and_memory_figures(quick: dict[str, Any]) -> None:
    load = quick["load"]
    assert (load["rows"], load["cols"]) == (2_000, 20)
    assert len(load["loads"]) == 4
    for figures in load["loads"].values():
        assert figures["seconds"]["runs"] and figures["peak_mb"]["median"] > figures["baseline_mb"]["min"] / 2
    stages = load["stages"]
    for stage in ("analysis (statistics tables)", "charts: render PNG files", "summary.xlsx", "report.html"):
        assert stage in stages
    assert load["charts"] > 0
    upload = quick["upload"]["cases"]
    assert set(upload) == {"no faults", "10% faults"}
    assert upload["no faults"]["faults"]["max"] == 0
    assert upload["no faults"]["resent_bytes"]["max"] < 1_000  # only the metadata of the session
    assert upload["10% faults"]["requests"]["min"] >= upload["no faults"]["requests"]["min"]


def test_targets_are_all_reported_with_a_verdict(quick: dict[str, Any]) -> None:
    keys = [t["key"] for t in quick["targets"]]
    assert keys == [
        "first-vs-naive",
        "first-vs-rclone",
        "first-request",
        "resync-calls",
        "resync-vs-rclone",
        "resync-downloads",
        "load-vs-pandas",
        "cached-vs-pandas",
        "report-vs-baseline",
        "run-vs-today",
        "run-files",
    ]
    assert all(t["met"] in (True, False, None) for t in quick["targets"])
    by_key = {t["key"]: t for t in quick["targets"]}
    assert by_key["resync-downloads"]["met"] is True
    assert by_key["run-files"]["met"] is True
    assert by_key["report-vs-baseline"]["met"] is None  # the quick workbook is not the 100,000-row one


def _runs(quick: dict[str, Any]) -> dict[str, dict[str, Any]]:
    run = quick["run"]
    assert {o["workbooks"] for o in run["outcomes"]} == {RUN_WORKBOOKS}
    return {o["tool"]: o for o in run["outcomes"]}


def test_run_at_scale_writes_four_files_a_workbook_and_nothing_when_run_again(quick: dict[str, Any]) -> None:
    run = quick["run"]
    assert (run["count"], run["large"], run["latency_ms"], run["write_rate"]) == (RUN_WORKBOOKS, 0, 20, 10)
    assert run["mix"] == {"multi-sheet statistics xlsx": 1, "flat xlsx": 1, "flat csv": 1}
    outcomes = _runs(quick)
    new = outcomes[NEW]
    assert new["error"] is None and new["seconds"] > 0 and new["peak_tree_mb"] > 0
    assert new["files_written"] == new["files_on_drive"] == RUN_WORKBOOKS * OUTPUTS_PER_WORKBOOK
    assert new["files_written"] / new["workbooks"] <= 10
    assert new["output_folders"] == RUN_WORKBOOKS
    assert new["folders_created"] == RUN_WORKBOOKS + 1  # the output folder and one a workbook
    assert new["calls"]["media"] == RUN_WORKBOOKS
    assert new["bytes_written"] > 0
    again = outcomes[RERUN]
    assert again["error"] is None
    assert (again["writes"], again["files_written"], again["calls"].get("media", 0)) == (0, 0, 0)
    assert again["files_on_drive"] == new["files_on_drive"]
    phases = new["phases"]  # the timeline, from the emulator's log
    assert list(phases) == ["first request", "last download", "first upload", "last write", "exit"]
    assert 0 < phases["first request"] <= phases["last download"] < phases["first upload"]
    assert phases["first upload"] <= phases["last write"] <= phases["exit"]
    assert list(again["phases"]) == ["first request", "exit"]  # no download, no write


def test_run_at_scale_measures_todays_code_and_the_naive_loop_on_the_same_workbooks(
    quick: dict[str, Any],
) -> None:
    outcomes = _runs(quick)
    naive = outcomes[NAIVE_RUN]
    assert naive["error"] is None and naive["output_folders"] == RUN_WORKBOOKS
    assert naive["calls"]["media"] == RUN_WORKBOOKS
    assert naive["files_written"] == naive["files_on_drive"] >= RUN_WORKBOOKS + 1  # one a sheet (2-4 sheets)
    if OLD not in outcomes:  # no git history (a shallow clone or an archive): said in the page
        assert any("331098d" in p for p in quick["run"]["problems"])
        return
    old = outcomes[OLD]
    assert old["error"] is None and old["output_folders"] == RUN_WORKBOOKS
    assert old["files_written"] == old["files_on_drive"] > outcomes[NEW]["files_written"]  # a file a chart
    assert "| Workbooks | Tool | Wall time |" in quick["markdown"]


def _ask(port: int, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request)
        return sock.recv(1024)


def test_the_proxy_tunnels_only_connect_to_port_443_and_only_to_its_target() -> None:
    with socket.create_server(("127.0.0.1", 0)) as target, ConnectProxy(target.getsockname()[1]) as proxy:
        assert _ask(proxy.port, b"GET http://example.com/ HTTP/1.1\r\nHost: example.com\r\n\r\n").startswith(
            b"HTTP/1.1 405"
        )
        assert _ask(proxy.port, b"CONNECT example.com:80 HTTP/1.1\r\n\r\n").startswith(b"HTTP/1.1 403")
        with socket.create_connection(("127.0.0.1", proxy.port), timeout=10) as client:
            client.sendall(b"CONNECT www.googleapis.com:443 HTTP/1.1\r\nHost: www.googleapis.com:443\r\n\r\n")
            assert client.recv(1024).startswith(b"HTTP/1.1 200")
            upstream, _ = target.accept()  # the tunnel went to the target port, whatever host was asked
            with upstream:
                client.sendall(b"hello")
                assert upstream.recv(5) == b"hello"
        assert proxy.refused == 2 and proxy.hosts == {"www.googleapis.com"}


def test_the_per_download_cpu_profile_measures_both_fetches_over_the_emulator(
    start_emu: Callable[..., Emulator], tmp_path: Path
) -> None:
    import argparse

    from bench.config import Config
    from bench.data import small_tree
    from bench.measure import Stats
    from bench.run import Run
    from bench.syncbench import (
        SCENARIOS,
        Outcome,
        SyncContext,
        SyncResults,
        gdrivestats_command,
        python_env,
        seed_tree,
    )

    emulator = start_emu(latency_ms=0)
    tree = small_tree(12, 2, tmp_path / "data")
    seed_tree(emulator, tree)
    emulator.latency_ms = 7
    env = python_env({})
    tool = Tool("gdrivestats", lambda dest: [*gdrivestats_command(), "sync"], env)
    run = Run(Config.quick_mode(), argparse.Namespace(profile=True), tmp_path / "work")
    results = SyncResults(files=len(tree), folders=2, tree_bytes=0, latency_ms=7, changed=0)
    results.outcomes = {SCENARIOS[0]: {"gdrivestats": Outcome(cpu=Stats([0.5, 0.6, 0.7]))}}
    context = SyncContext(emulator, {"gdrivestats": tool}, {}, tmp_path)
    profile = run._request_cpu(results, context)
    assert emulator.latency_ms == 7  # put back after the measurement
    assert emulator.log.count("media") == 3 * 2 * (12 + 1)  # 3 passes, both fetches, each warmed up once
    stack, ours, per_connection, whole = profile.lines  # no rclone row: it did not run here
    assert stack.startswith("client stack alone:") and float(stack.split()[3]) > 0
    assert ours.startswith("gdrivestats fetch_into:") and float(ours.split()[2]) > 0
    assert per_connection.split()[5] == "2"  # 12 files on 8 connections: about 2 downloads in a row each
    assert whole.split()[:4] == ["gdrivestats,", "first", "sync:", "50.000"]  # 0.6 s of CPU for 12 files


def test_the_shares_profile_splits_the_first_sync_at_the_floor() -> None:
    from bench.measure import Stats
    from bench.run import Run
    from bench.syncbench import FLOOR, GDRIVESTATS, SCENARIOS, SLOW_FIRST, Outcome, SyncResults
    from bench.targets import RCLONE_TUNED

    def outcome(wall: list[float], first: list[float]) -> Outcome:
        return Outcome(seconds=Stats(wall), first_request=Stats(first))

    results = SyncResults(files=10, folders=2, tree_bytes=0, latency_ms=20, changed=0)
    results.outcomes = {
        SCENARIOS[0]: {
            GDRIVESTATS: outcome([3.3, 3.2, 3.25], [0.2, 0.19, 0.21]),
            FLOOR: outcome([3.1, 3.12, 3.0], [0.15, 0.16, 0.14]),
            RCLONE_TUNED: outcome([3.0, 2.9, 2.95], [0.08, 0.09, 0.07]),
        },
        SLOW_FIRST: {GDRIVESTATS: outcome([3.0], [0.2]), RCLONE_TUNED: outcome([2.9], [0.1])},  # no floor
    }
    lines = Run._shares(results).lines
    assert lines == [
        "first sync:",
        "  rclone (tuned):           2.95 s, first request 80 ms (median)",
        "  client-stack floor:       3.10 s, first request 150 ms (median)",
        "  gdrivestats:              3.25 s, first request 200 ms (median)",
        "  the stack's share:       +0.15 s (client-stack floor − rclone (tuned)), first request +70 ms",
        "  gdrivestats' own share:  +0.15 s (gdrivestats − client-stack floor), first request +50 ms",
    ]


def test_the_first_request_rows_run_what_the_sync_path_runs_before_its_first_call(tmp_path: Path) -> None:
    # The two `python -c <gdrivestats ...>` rows of the first-request profile: both finish without a
    # request (the drive's URL is a port nobody listens on), and the modules row holds every gdrivestats
    # module the command line's path to its first call loads, so the difference between them is its work.
    from bench.measure import python_env
    from bench.run import _OWN_MODULES, _OWN_PATH

    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        url = f"https://127.0.0.1:{unused.getsockname()[1]}"
    env = python_env({"GDRIVESTATS_DRIVE_URL": url, "GDRIVESTATS_ACCESS_TOKEN": "t", "HOME": str(tmp_path)})
    show = "; import sys; print(' '.join(sorted(m for m in sys.modules if m.startswith('gdrivestats'))))"
    loaded = {}
    for name, code in (("modules", _OWN_MODULES), ("path", _OWN_PATH)):
        done = subprocess.run([sys.executable, "-c", code + show], env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        loaded[name] = set(done.stdout.split())
    assert loaded["modules"] == loaded["path"]
    assert {"gdrivestats.cli", "gdrivestats.drive.api", "gdrivestats.mirror.early"} <= loaded["path"]
    assert "gdrivestats.mirror.sync" not in loaded["path"]  # imported after the first calls are out


@pytest.fixture
def tls_tree(start_emu: Callable[..., Emulator], tmp_path: Path) -> tuple[tlsca.TestCA, Emulator]:
    """A throw-away CA and an emulator serving TLS with its certificate, holding 6 files in 2 folders."""
    from bench.data import small_tree
    from bench.syncbench import seed_tree
    from bench.tlsca import make_test_ca

    tls = make_test_ca(tmp_path / "ca")
    emulator = start_emu(latency_ms=0, certfile=tls.server_cert, keyfile=tls.server_key)
    seed_tree(emulator, small_tree(6, 2, tmp_path / "data"))
    return tls, emulator


def test_each_tools_warm_up_asks_the_drive_for_a_missing_folder_and_copies_nothing(
    tls_tree: tuple[tlsca.TestCA, Emulator], tmp_path: Path
) -> None:
    # warm_up runs before every timed run (the machine pages idle code out): each tool must really run,
    # get as far as the drive over TLS, and leave no workbook behind; rclone's through its proxy.
    from bench.syncbench import WARM_FOLDER, make_tools, warm_up, workbooks_in

    tls, emulator = tls_tree
    with ConnectProxy(emulator.port) as proxy:
        tools = make_tools(emulator, tls, tmp_path / "work", proxy if shutil.which("rclone") else None)
        expected = ["gdrivestats", "naive script", "client-stack floor"]
        expected += ["rclone (defaults)", "rclone (tuned)"] if shutil.which("rclone") else []
        assert [t.name for t in tools] == expected
        for tool in tools:
            assert any(WARM_FOLDER in arg for arg in tool.warm), tool.name
            assert not any(WARM_FOLDER in arg for arg in tool.command(tmp_path / "dest")), tool.name
            assert tool.warm_dest is not None and str(tool.warm_dest) in tool.warm
            emulator.log.clear()
            assert warm_up(tool) is None
            assert emulator.log.count("list") >= 1, tool.name  # it looked the folder up
            assert emulator.log.count("media") == 0, tool.name
    assert (tmp_path / "work" / "warm" / "gdrivestats").is_dir()  # gdrivestats made its scratch cache
    assert workbooks_in(tmp_path / "work" / "warm") == (0, 0)


def test_a_timed_run_counts_its_own_calls_only_and_a_failed_warm_up_is_a_warning(
    tls_tree: tuple[tlsca.TestCA, Emulator], tmp_path: Path
) -> None:
    from bench.syncbench import GDRIVESTATS, Outcome, _run_once, make_tools

    tls, emulator = tls_tree
    emulator.latency_ms = 5
    gds = next(t for t in make_tools(emulator, tls, tmp_path / "work", None) if t.name == GDRIVESTATS)
    outcome = Outcome()
    _run_once(gds, tmp_path / "dest", emulator, outcome)  # warmed up first, into its own scratch folder
    assert outcome.error is None and not outcome.warnings
    run = outcome.traffic[0]
    # the warm-up's three calls (about, changes-token, the folder's look-up) are not among them
    assert set(run.calls) == {"media", "list", "about", "changes-token"}
    assert (run.calls["media"], run.calls["about"], run.calls["changes-token"]) == (6, 1, 1)
    assert 1 <= run.calls["list"] <= 3
    assert 0 < outcome.first_request.median < outcome.seconds.median
    broken = Tool("broken", gds.command, gds.env, warm=[str(tmp_path / "no-such-program")])
    again = Outcome()
    _run_once(broken, tmp_path / "dest", emulator, again)  # the run itself goes on (a re-sync here)
    assert [w.startswith("warm-up failed: ") for w in again.warnings] == [True]
    assert again.traffic[0].calls.get("media", 0) == 0 and again.error is None
