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


def build_parser() -> argparse.ArgumentParser:
    """The whole command line, with one subparser a command."""
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

    for name, (module, help_text) in _PLUGINS.items():
        plugin = sub.add_parser(name, parents=[common], help=help_text)
        plugin.set_defaults(handler=_plugin_runner(name, module))
        _configure_plugin(module, plugin)
    return parser


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
    if verbose:  # the HTTP stack is too chatty even for --verbose
        for noisy in ("googleapiclient.discovery_cache", "urllib3", "matplotlib", "PIL"):
            logging.getLogger(noisy).setLevel(logging.WARNING)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
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
