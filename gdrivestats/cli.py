"""The command line: parses arguments, calls the pipeline, maps errors to one clear line and an exit code."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from gdrivestats import __version__
from gdrivestats.errors import AuthError, ConfigError, GdriveStatsError

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_FAILED = 1  # the job ran, but something in it failed (a bad workbook, a Drive error)
EXIT_CONFIG = 2  # arguments, configuration or credentials are wrong

# Subcommands implemented in their own modules: name -> (module, help). Each module offers
# configure_parser(parser) and run(args) -> int, and is imported only when its command runs.
_PLUGINS: dict[str, tuple[str, str]] = {
    "emulator": ("gdrivestats.emulator.cli", "run a local Drive v3 emulator (for tests and demos)"),
    "auth": ("gdrivestats.auth.cli", "sign in, show or remove the cached Google credentials"),
}


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The whole command line, with one subparser a command.

    A plugin command's own options are set up only when ``command`` is that command (or None, for the full
    help), so that ``gdrivestats sync`` does not import the emulator or the auth flow just to parse arguments.
    """
    parser = argparse.ArgumentParser(
        prog="gdrivestats",
        description="Statistics, charts and reports from spreadsheets, local or in Google Drive.",
    )
    parser.add_argument("--version", action="version", version=f"gdrivestats {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-v", "--verbose", action="store_true", help="debug logging and full tracebacks")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    analyze = sub.add_parser(
        "analyze",
        parents=[common],
        help="analyse workbooks: statistics, charts, summary.xlsx, report.html, summary.json",
        description=(
            "Analyse one or more workbooks (files, folders of workbooks, or drive:PATH in Google Drive). "
            "With one workbook the outputs go straight into --out; with several, each gets a subfolder."
        ),
    )
    analyze.add_argument("sources", nargs="*", metavar="SOURCE", help="a workbook, a folder, or drive:PATH")
    analyze.add_argument("--sample", action="store_true", help="analyse the bundled countries sample")
    analyze.add_argument("--out", type=Path, required=True, metavar="DIR", help="output folder")
    analyze.add_argument("--top", type=_positive_int, default=10, metavar="N", help="top/bottom N (10)")
    analyze.add_argument("--sheet", metavar="NAME", help="analyse only this sheet")
    analyze.set_defaults(handler=_run_analyze)

    _add_sync_parsers(sub, common)
    demo = sub.add_parser(
        "demo",
        parents=[common],
        help="the whole job against a local Drive emulator: sync, analyse, write back, run again",
    )
    demo.add_argument(
        "--out", type=Path, default=Path("gdrivestats-demo"), metavar="DIR", help="(gdrivestats-demo)"
    )
    demo.set_defaults(handler=_run_demo)

    for name, (module, help_text) in _PLUGINS.items():
        plugin = sub.add_parser(name, parents=[common], help=help_text)
        plugin.set_defaults(handler=_plugin_runner(name, module))
        if command in (None, name):
            _configure_plugin(module, plugin)
    return parser


def _add_sync_parsers(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    source = argparse.ArgumentParser(add_help=False)
    source.add_argument("folder", nargs="?", metavar="DRIVE_FOLDER", help="a folder path in My Drive")
    source.add_argument("--cache", type=Path, metavar="DIR", help="local mirror (default: user cache folder)")
    source.add_argument("--local", type=Path, metavar="DIR", help="use a local folder as the drive (offline)")
    source.add_argument("--pattern", action="append", dest="patterns", metavar="GLOB", help="files to mirror")
    source.add_argument("--workers", type=_positive_int, metavar="N", help="concurrent transfers (8)")

    sync = sub.add_parser("sync", parents=[common, source], help="mirror a Drive folder into a local cache")
    sync.add_argument("--dry-run", action="store_true", help="print the plan, change nothing")
    sync.add_argument("--full", action="store_true", help="list the whole folder instead of the changes feed")
    sync.set_defaults(handler=_run_sync)

    run = sub.add_parser(
        "run",
        parents=[common, source],
        help="sync, analyse the workbooks that changed, and write the outputs back to Drive",
    )
    run.add_argument(
        "--out-folder", metavar="DRIVE_FOLDER", help="(default: gdrivestats/ in the synced folder)"
    )
    run.add_argument("--top", type=_positive_int, metavar="N", help="top/bottom N (10)")
    run.add_argument(
        "--schedule-safe",
        action="store_true",
        help="for cron: a lock per cache, timestamped logs; exit 0 ok, 1 failures, 2 config/auth, 3 locked",
    )
    run.add_argument("--config", type=Path, metavar="FILE", help="TOML settings (see the README)")
    run.add_argument("--log-file", type=Path, metavar="FILE", help="also append the log to FILE")
    run.set_defaults(handler=_run_run)


def _settings(args: argparse.Namespace):  # -> Settings
    from gdrivestats.config import load_settings

    overrides = {
        "folder": args.folder,
        "cache": args.cache,
        "local": args.local,
        "patterns": args.patterns,
        "workers": args.workers,
        "out_folder": getattr(args, "out_folder", None),
        "top": getattr(args, "top", None),
        "log_file": getattr(args, "log_file", None),
    }
    return load_settings(getattr(args, "config", None), overrides=overrides)


def _run_sync(args: argparse.Namespace) -> int:
    from gdrivestats.mirror.sync import sync
    from gdrivestats.schedule import open_drive

    settings = _settings(args)
    drive = open_drive(settings, write=False)
    result = sync(
        drive,
        settings.folder,
        settings.cache_dir,
        patterns=settings.patterns,
        workers=settings.workers,
        dry_run=args.dry_run,
        full=args.full,
    )
    if args.dry_run:
        print(result.plan.describe())
    else:
        print(result.summary())
    for failure in result.failed:
        print(f"gdrivestats: error: {failure}", file=sys.stderr)
    return EXIT_OK if result.ok else EXIT_FAILED


def _run_run(args: argparse.Namespace) -> int:
    from gdrivestats import schedule

    settings = _settings(args)
    if args.schedule_safe:
        schedule.configure_logging(settings.log_file, verbose=args.verbose)
        return schedule.run_scheduled(settings, verbose=args.verbose)
    result = schedule.run_with(settings, schedule.open_drive(settings, write=True), progress=True)
    print(result.summary())
    return EXIT_OK if result.ok else EXIT_FAILED


def _run_demo(args: argparse.Namespace) -> int:
    from gdrivestats.demo import run_demo

    return run_demo(args.out)


def _configure_plugin(module: str, parser: argparse.ArgumentParser) -> None:
    try:
        mod = importlib.import_module(module)
    except ImportError:  # the command's module is not part of this build
        return
    mod.configure_parser(parser)


def _plugin_runner(name: str, module: str) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        try:
            mod = importlib.import_module(module)
        except ImportError as exc:
            raise ConfigError(f"the '{name}' command is not available in this installation") from exc
        return int(mod.run(args))

    return run


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a number of at least 1, got {value}")
    return value


def _run_analyze(args: argparse.Namespace) -> int:
    from gdrivestats import pipeline

    if not args.sources and not args.sample:
        raise ConfigError("give at least one SOURCE (a workbook, a folder or drive:PATH), or --sample")
    sources = list(args.sources)
    if args.sample:
        sources.insert(0, str(pipeline.sample_path()))
    outcome = pipeline.analyze_sources(sources, args.out, top=args.top, sheet=args.sheet)
    for failure in outcome.failures:
        print(f"gdrivestats: error: {failure}", file=sys.stderr)
    print(outcome.summary())
    return EXIT_OK if not outcome.failures else EXIT_FAILED


def _configure_logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s" if verbose else "gdrivestats: %(message)s",
    )
    from gdrivestats.auth.redact import install_log_filter

    install_log_filter()  # tokens, codes and secrets never reach a log line, even with --verbose
    if verbose:  # the HTTP stack is too chatty even for --verbose
        for noisy in ("googleapiclient.discovery_cache", "urllib3", "matplotlib", "PIL"):
            logging.getLogger(noisy).setLevel(logging.WARNING)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    words = list(sys.argv[1:] if argv is None else argv)
    command = next((w for w in words if not w.startswith("-")), None)
    args = build_parser(command).parse_args(words)
    verbose = bool(getattr(args, "verbose", False))
    _configure_logging(verbose)
    try:
        return int(args.handler(args))
    except KeyboardInterrupt:
        print("gdrivestats: interrupted", file=sys.stderr)
        return 130
    except (ConfigError, AuthError) as exc:
        return _fail(exc, verbose, EXIT_CONFIG)
    except GdriveStatsError as exc:
        return _fail(exc, verbose, EXIT_FAILED)
    except Exception as exc:  # the last guard: one line, the traceback only with --verbose
        if verbose:
            raise
        print(
            f"gdrivestats: unexpected error: {type(exc).__name__}: {exc} (run with --verbose for details)",
            file=sys.stderr,
        )
        return EXIT_FAILED


def _fail(exc: BaseException, verbose: bool, code: int) -> int:
    if verbose:
        log.exception("failed")
    print(f"gdrivestats: error: {exc}", file=sys.stderr)
    return code
