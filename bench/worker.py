"""One measured task in a fresh process (``python -m bench.worker TASK ...``); prints its result as JSON.

Imports happen before the clock starts. Peak memory is the process's own peak resident set (``VmHWM``, read at
the end; see ``maxrss_kb``): the interpreter and imports included, so the peak after imports is given too.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any


def maxrss_kb() -> int:
    """Peak resident memory of this process's own address space, in KiB.

    Linux: ``VmHWM`` from /proc/self/status. Not ``ru_maxrss``: across fork/vfork + exec Linux carries the
    parent's high-water mark into the child's ``ru_maxrss`` (a worker started by a 900 MiB harness reports
    at least 900 MiB); ``VmHWM`` belongs to the address space exec created. Elsewhere: ``ru_maxrss``.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _load(args: argparse.Namespace) -> dict[str, Any]:
    import pandas as pd

    from gdrivestats.mirror.parsed import load_cached
    from gdrivestats.workbook import load_workbook

    path = Path(args.path)
    if args.tool == "gdrivestats":
        run = lambda: load_workbook(path).sheets[0].data  # noqa: E731
    elif args.tool == "cached":
        run = lambda: load_cached(path, args.cache).sheets[0].data  # noqa: E731
    elif args.tool == "openpyxl":
        import openpyxl  # noqa: F401 - imported before the clock starts

        run = lambda: pd.read_excel(path, engine="openpyxl")  # noqa: E731
    elif args.tool == "calamine":
        import python_calamine  # noqa: F401

        run = lambda: pd.read_excel(path, engine="calamine")  # noqa: E731
    else:
        raise SystemExit(f"unknown loader {args.tool}")
    baseline = maxrss_kb()
    started = time.perf_counter()
    frame = run()
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "rows": len(frame), "cols": len(frame.columns), "baseline_kb": baseline}


def _timed(stages: dict[str, float], name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    """``func``, adding the time of every call to ``stages[name]``."""

    def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return func(*args, **kwargs)
        finally:
            stages[name] = stages.get(name, 0.0) + time.perf_counter() - started

    return timed


def _timed_generator(stages: dict[str, float], name: str, method: Callable[..., Any]) -> Callable[..., Any]:
    """A generator method whose ``next()`` calls (the work of making each item) go to ``stages[name]``."""

    def timed(self: Any, *args: Any, **kwargs: Any) -> Iterator[Any]:
        items = method(self, *args, **kwargs)
        while True:
            started = time.perf_counter()
            item = next(items, _DONE)
            stages[name] = stages.get(name, 0.0) + time.perf_counter() - started
            if item is _DONE:
                return
            yield item

    return timed


_DONE = object()
BUILD, RENDER, XLSX, HTML, PDF = (
    "charts: build matplotlib figures",
    "charts: render PNG files",
    "summary.xlsx",
    "report.html",
    "report.pdf (pages; the charts are the PNGs above)",
)
REST = "the rest of save(): files, summary.json, atomic swap"


def _report(args: argparse.Namespace) -> dict[str, Any]:
    """``build_report(workbook).save(folder)`` as a user calls it, its stages timed from inside.

    The functions ``Report.save`` calls are wrapped with timers (the charts generator, ``figure_png``,
    ``PdfReport``'s methods, ``write_summary_xlsx``, ``html_page``). A name a refactor removed is simply
    not split out: its time shows in the rest of the save, which is the save's time minus the wrapped stages.
    """
    from gdrivestats import plots
    from gdrivestats import report as rp
    from gdrivestats.mirror.parsed import load_cached
    from gdrivestats.report import pdf as pdf_module
    from gdrivestats.report import save as writers

    workbook = load_cached(Path(args.path), args.cache)
    stages: dict[str, float] = {}
    for name, module, attribute in (
        (RENDER, plots, "figure_png"),
        (XLSX, writers, "write_summary_xlsx"),
        (HTML, writers, "html_page"),
    ):
        if callable(getattr(module, attribute, None)):
            setattr(module, attribute, _timed(stages, name, getattr(module, attribute)))
    pdf_class = getattr(pdf_module, "PdfReport", None)
    for method in ("__enter__", "__exit__", "add_sheet", "add_chart"):  # none calls another
        if pdf_class is not None and callable(getattr(pdf_class, method, None)):
            setattr(pdf_class, method, _timed(stages, PDF, getattr(pdf_class, method)))
    if callable(getattr(rp.SheetReport, "iter_charts", None)):
        rp.SheetReport.iter_charts = _timed_generator(stages, BUILD, rp.SheetReport.iter_charts)  # type: ignore[method-assign]
    baseline = maxrss_kb()
    started = time.perf_counter()
    report = rp.build_report(workbook)
    analysis = time.perf_counter() - started
    started = time.perf_counter()
    report.save(args.out, charts=True)  # chart PNGs too, so they can be counted
    save = time.perf_counter() - started
    split = {"analysis (statistics tables)": analysis}
    split.update({name: stages[name] for name in (BUILD, RENDER, PDF, XLSX, HTML) if name in stages})
    split[REST] = save - sum(stages.values())
    charts = len(list(Path(args.out).rglob("*.png")))
    return {"stages": split, "seconds": analysis + save, "charts": charts, "baseline_kb": baseline}


def _profile_load(args: argparse.Namespace) -> dict[str, Any]:
    """pyinstrument around ``load_workbook`` alone (imports done first); the text report goes to --out."""
    from pyinstrument import Profiler

    from gdrivestats.workbook import load_workbook

    profiler = Profiler(interval=0.001)
    baseline = maxrss_kb()
    started = time.perf_counter()
    with profiler:
        load_workbook(Path(args.path))
    seconds = time.perf_counter() - started
    text = profiler.output_text(unicode=True, processor_options={"filter_threshold": 0.02})
    Path(args.out).write_text(text, encoding="utf-8")
    return {"seconds": seconds, "baseline_kb": baseline}


def _upload(args: argparse.Namespace) -> dict[str, Any]:
    from google.oauth2.credentials import Credentials

    from gdrivestats.drive.api import ApiDrive

    options = {"chunk_size": args.chunk} if args.chunk else {}
    drive = ApiDrive(Credentials(args.token), root_url=args.url, **options)
    path = Path(args.path)
    baseline = maxrss_kb()
    started = time.perf_counter()
    entry = drive.upload(path, args.folder, name=args.name)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "size": entry.size, "md5": entry.md5, "id": entry.id, "baseline_kb": baseline}


def _request_cpu(args: argparse.Namespace) -> dict[str, Any]:
    """CPU per small download on one connection, taking turns: the client stack's bare request
    (``AuthorizedHttp.request``) against gdrivestats' ``fetch_into`` (the client library's request, the md5
    check, the deadline and the retry loop). The fastest of ``--rounds`` passes over ``--files`` files."""
    import io

    from google.oauth2.credentials import Credentials
    from google_auth_httplib2 import AuthorizedHttp
    from googleapiclient.http import build_http

    from gdrivestats.drive.api import ApiDrive

    credentials = Credentials(args.token)
    drive = ApiDrive(credentials, root_url=args.url)
    entries = [e for e in drive.list(args.folder, recursive=True) if not e.is_folder][: args.files]
    bare = AuthorizedHttp(credentials, http=build_http())
    root = args.url.rstrip("/") + "/drive/v3/files/"

    def stack(entry: Any) -> None:
        response, content = bare.request(f"{root}{entry.id}?alt=media", "GET")
        if response.status != 200 or len(content) != entry.size:
            raise RuntimeError(f"bare download of {entry.path}: HTTP {response.status}, {len(content)} bytes")

    def ours(entry: Any) -> None:
        if drive.fetch_into(entry, io.BytesIO()) != entry.size:
            raise RuntimeError(f"fetch_into of {entry.path}: wrong size")

    best = {"stack": float("inf"), "gdrivestats": float("inf")}
    for _ in range(args.rounds):
        for name, fetch in (("stack", stack), ("gdrivestats", ours)):
            fetch(entries[0])  # the connection is open before the clock starts
            started = time.thread_time()
            for entry in entries:
                fetch(entry)
            best[name] = min(best[name], (time.thread_time() - started) / len(entries))
    return {
        "files": len(entries),
        "stack_ms": best["stack"] * 1000,
        "gdrivestats_ms": best["gdrivestats"] * 1000,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.worker")
    sub = parser.add_subparsers(dest="task", required=True)
    load = sub.add_parser("load")
    load.add_argument("tool", choices=("gdrivestats", "cached", "openpyxl", "calamine"))
    load.add_argument("path")
    load.add_argument("--cache", default="")
    load.set_defaults(handler=_load)
    report = sub.add_parser("report")
    report.add_argument("path")
    report.add_argument("--cache", required=True)
    report.add_argument("--out", required=True)
    report.set_defaults(handler=_report)
    profile = sub.add_parser("profile-load")
    profile.add_argument("path")
    profile.add_argument("--out", required=True)
    profile.set_defaults(handler=_profile_load)
    upload = sub.add_parser("upload")
    for option in ("--url", "--token", "--path", "--folder", "--name"):
        upload.add_argument(option, required=True)
    upload.add_argument("--chunk", type=int, default=0)
    upload.set_defaults(handler=_upload)
    cpu = sub.add_parser("request-cpu")
    for option in ("--url", "--token", "--folder"):
        cpu.add_argument(option, required=True)
    cpu.add_argument("--files", type=int, default=300)
    cpu.add_argument("--rounds", type=int, default=3)
    cpu.set_defaults(handler=_request_cpu)
    args = parser.parse_args(argv)
    result = args.handler(args)
    result["maxrss_kb"] = maxrss_kb()
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
