"""The command line: parses arguments, calls the pipeline, maps errors to one clear line and an exit code.

Global options (``-v``/``-vv``/``-q``, ``--config``, ``--log-file``) go before or after the command; a
mistyped command gets a "did you mean"; settings come from flags, ``GDRIVESTATS_*`` variables and the TOML
file for every command (see :mod:`gdrivestats.config`).
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import importlib
import logging
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gdrivestats import __version__
from gdrivestats.errors import AuthError, CacheLocked, ConfigError, GdriveStatsError
from gdrivestats.exit_codes import ExitCode

if TYPE_CHECKING:
    from gdrivestats.config import Settings

log = logging.getLogger(__name__)

PROG = "gdrivestats"

# Subcommands implemented in their own modules: name -> (module, help). Each module offers
# configure_parser(parser) and run(args) -> int, and is imported only when its command runs.
_PLUGINS: dict[str, tuple[str, str]] = {
    "emulator": ("gdrivestats.emulator.cli", "run a local Drive v3 emulator (for tests and demos)"),
    "auth": ("gdrivestats.auth.cli", "sign in, show or remove the cached Google credentials"),
}
_ALIASES = {"analyse": "analyze"}
_COMMANDS = ("analyze", "sync", "run", "demo", *_PLUGINS, "completion")
_GLOBAL_WITH_VALUE = ("--config", "--log-file")
_SHELLS = ("bash", "zsh", "tcsh")

_EPILOG = f"""\
examples:
  {PROG} analyze sales.xlsx --out out/    a workbook, folder or drive:PATH
  {PROG} analyze --sample --out out/      the bundled sample, offline
  {PROG} sync "Colab Notebooks" --dry-run what a sync would download
  {PROG} run "Colab Notebooks"            sync, analyse, write back
  {PROG} demo                             all of it, on a local emulator

Drive locations: drive:PATH, drive:id:ID/..., drive:shared:NAME/..., or a
Drive or Sheets share URL (https://drive.google.com/..., docs.google.com/...).
Settings: flags, then GDRIVESTATS_<SETTING> variables, then the --config file.
Exit status: 0 ok, 1 something failed, 2 usage, configuration or sign-in
error, 3 another run holds the lock, 130 interrupted.
Shell completion: eval "$({PROG} completion bash)" (or zsh)."""


_GLOBAL_NOTE = "global options (here or before the command): -v, -vv, -q, --config FILE, --log-file FILE"
_GLOBAL_FLAGS = ("-h", "--help", "-V", "--version", "-v", "--verbose", "-q", "--quiet", *_GLOBAL_WITH_VALUE)
_SHORT_GLOBALS = {"h", "V", "v", "q"}  # the short ones, which may come in a cluster: -vv, -vq, -vh


class Parser(argparse.ArgumentParser):
    """Every parser of the command line: long options only in full (``--conf`` is not ``--config``).

    An abbreviation accepted today would mean another option, or nothing, once an option that shares its
    start is added, silently changing what a scheduled job's command line does; the subcommands' parsers
    are of this class too (``add_subparsers`` makes them of the parser's own type)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)


def _global_options(parser: argparse.ArgumentParser, top: bool) -> None:
    """-v/-q/--config/--log-file; on a command's parser they default to "not given" and add to the top's.

    A command's help lists them in one line (its epilog) instead of in every usage line.
    """
    group: Any = parser.add_argument_group("global options (before or after the command)") if top else parser
    suffix = "" if top else "_sub"
    quiet_default: Any = 0 if top else argparse.SUPPRESS

    def helped(text: str) -> str:
        return text if top else argparse.SUPPRESS

    group.add_argument(
        "-v",
        "--verbose",
        action="count",
        dest="verbose" + suffix,
        default=quiet_default,
        help=helped("more output: -v debug log and tracebacks, -vv also the HTTP libraries"),
    )
    group.add_argument(
        "-q",
        "--quiet",
        action="count",
        dest="quiet" + suffix,
        default=quiet_default,
        help=helped("errors only: no progress, no warnings"),
    )
    group.add_argument(
        "--config",
        type=Path,
        metavar="FILE",
        dest="config" + suffix,
        default=None if top else argparse.SUPPRESS,
        help=helped("TOML settings file (default: $GDRIVESTATS_CONFIG)"),
    )
    group.add_argument(
        "--log-file",
        type=Path,
        metavar="FILE",
        dest="log_file" + suffix,
        default=None if top else argparse.SUPPRESS,
        help=helped("also append the log, with timestamps, to FILE"),
    )


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The whole command line, with one subparser a command.

    Only the running ``command`` gets a parser (all of them for None, the full help): ``gdrivestats sync``
    neither builds the other commands' options nor imports the emulator or the auth flow just to parse its
    arguments (each parser costs a few gettext look-ups, a tenth of a millisecond apiece, before the first
    request). A word that is no command gets every command's name and help line, for argparse to list.
    """
    parser = Parser(
        prog=PROG,
        description="Statistics, charts and reports from spreadsheets, local or in Google Drive.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("-V", "--version", action="version", version=f"{PROG} {__version__}")
    _global_options(parser, top=True)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")

    command = _ALIASES.get(command or "", command)
    known = command in _COMMANDS

    def add(name: str, **kwargs: Any) -> Any:
        if command not in (None, name):  # another command runs: nothing of this one is parsed
            if not known:  # no command at all: its name and help line, for argparse's "invalid choice"
                sub.add_parser(name, help=kwargs.get("help"), aliases=kwargs.get("aliases", []))
            return _NotParsed()
        kwargs.setdefault("epilog", _GLOBAL_NOTE)
        command_parser = sub.add_parser(name, **kwargs)
        _global_options(command_parser, top=False)
        return command_parser

    _add_analyze(add)
    _add_sync_parsers(add)
    demo = add(
        "demo",
        help="the whole job against a local Drive emulator: sync, analyse, write back, run again",
        description="Run the whole job offline against a local Drive emulator and copy the outputs to --out.",
    )
    demo.add_argument(
        "--out",
        type=Path,
        default=Path("gdrivestats-demo"),
        metavar="DIR",
        help="where the outputs are copied (default: gdrivestats-demo)",
    )
    demo.set_defaults(handler=_run_demo)

    for name, (module, help_text) in _PLUGINS.items():
        plugin = add(name, help=help_text, description=help_text[0].upper() + help_text[1:] + ".")
        plugin.set_defaults(handler=_plugin_runner(name, module))
        if command in (None, name):
            _configure_plugin(module, plugin)

    completion = add(
        "completion",
        help="print a shell completion script (bash, zsh, tcsh)",
        description=(
            "Print a completion script for your shell. bash: activate it with\n"
            f'  eval "$({PROG} completion bash)"\n'
            "(add that line to ~/.bashrc to keep it). zsh: save it on your $fpath, e.g.\n"
            f'  {PROG} completion zsh > "${{fpath[1]}}/_{PROG}"'
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    completion.add_argument("shell", choices=_SHELLS, help="the shell to complete for")
    completion.set_defaults(handler=_run_completion)
    return parser


class _NotParsed:
    """The parser of a command that is not the one running: what is added to it is never parsed."""

    def add_argument(self, *args: Any, **kwargs: Any) -> None:
        """Nothing: the option belongs to another command."""

    def set_defaults(self, **kwargs: Any) -> None:
        """Nothing: the defaults belong to another command."""


def _add_analyze(add: Callable[..., Any]) -> None:
    analyze = add(
        "analyze",
        aliases=["analyse"],
        help="analyse workbooks: statistics, charts, summary.xlsx, report.pdf, report.html, summary.json",
        description=(
            "Analyse one or more workbooks: files, folders of workbooks, or Drive locations (drive:PATH, "
            "drive:id:ID, a share URL; a Drive folder is analysed like a local one). With one workbook the "
            "outputs go straight into --out; with several, each gets a subfolder. A bad source gets one "
            "error line and the others are still analysed (exit status 1)."
        ),
    )
    analyze.add_argument(
        "sources", nargs="*", metavar="SOURCE", help="a workbook, a folder, drive:PATH or a URL"
    )
    analyze.add_argument("--sample", action="store_true", help="analyse the bundled countries sample")
    analyze.add_argument("--out", type=Path, metavar="DIR", help="output folder (setting 'out')")
    analyze.add_argument("--top", type=_positive_int, metavar="N", help="top/bottom N (default: 10)")
    analyze.add_argument("--sheet", metavar="NAME", help="analyse only this sheet")
    analyze.add_argument(
        "--charts", action="store_true", default=None, help="also write every chart as a PNG in charts/"
    )
    analyze.set_defaults(handler=_run_analyze)


def _add_sync_parsers(add: Callable[..., Any]) -> None:
    sync = add(
        "sync",
        help="mirror a Drive folder into a local cache",
        description=(
            "Mirror a Drive folder (workbooks and Google Sheets) into a local cache, incrementally: the "
            "first run lists the folder, later runs read Drive's changes feed and move only what changed."
        ),
    )
    _add_source_options(sync)
    sync.add_argument("--dry-run", action="store_true", help="print the plan, write nothing")
    sync.add_argument("--full", action="store_true", help="list the whole folder instead of the changes feed")
    sync.set_defaults(handler=_run_sync)

    run = add(
        "run",
        help="sync, analyse the workbooks that changed, and write the outputs back to Drive",
        description=(
            "Sync a Drive folder, analyse every workbook whose content changed since it was last analysed, "
            "and upload its outputs into OUT_FOLDER/<workbook>/ on Drive."
        ),
    )
    _add_source_options(run)
    run.add_argument(
        "--out-folder",
        metavar="DRIVE_FOLDER",
        help="where the outputs go (default: gdrivestats/ in the folder)",
    )
    run.add_argument("--top", type=_positive_int, metavar="N", help="top/bottom N (default: 10)")
    run.add_argument(
        "--dry-run", action="store_true", help="say what would be analysed and written; change nothing"
    )
    run.add_argument(
        "--charts", action="store_true", default=None, help="also upload every chart as a PNG in charts/"
    )
    run.add_argument(
        "--summary-as",
        choices=("xlsx", "sheet"),
        help="the summary on Drive: summary.xlsx (default) or a native Google Sheet",
    )
    run.add_argument(
        "--schedule-safe",
        action="store_true",
        help="for cron: a lock per cache, timestamped logs; exit 0 ok, 1 failures, 2 config/auth, 3 locked",
    )
    run.set_defaults(handler=_run_run)


def _add_source_options(source: Any) -> None:
    """What ``sync`` and ``run`` share: the Drive folder and the local mirror."""
    source.add_argument(
        "folder",
        nargs="?",
        metavar="DRIVE_FOLDER",
        help='a Drive folder: "Colab Notebooks", drive:PATH, drive:id:ID, drive:shared:NAME/... or its URL',
    )
    source.add_argument("--all", action="store_true", help="all of My Drive (instead of one folder)")
    source.add_argument("--cache", type=Path, metavar="DIR", help="local mirror (default: user cache folder)")
    source.add_argument("--local", type=Path, metavar="DIR", help="use a local folder as the drive (offline)")
    source.add_argument(
        "--pattern",
        action="append",
        dest="patterns",
        metavar="GLOB",
        help="files to mirror, repeatable (default: every workbook type)",
    )
    source.add_argument(
        "--workers", type=_positive_int, metavar="N", help="concurrent transfers (default: 8)"
    )


# ---- settings -----------------------------------------------------------------------------------------


_FLAG_NAMES = {"folder": "DRIVE_FOLDER", "patterns": "--pattern"}


def _settings(args: argparse.Namespace, **overrides: Any) -> Settings:
    """Settings for this command: its flags over GDRIVESTATS_* over the --config file."""
    from gdrivestats.config import CONFIG_ENV, load_settings

    config = args.config or (Path(os.environ[CONFIG_ENV]) if os.environ.get(CONFIG_ENV) else None)
    overrides.setdefault("log_file", args.log_file)
    flags = {name: _FLAG_NAMES.get(name, "--" + name.replace("_", "-")) for name in overrides}
    return load_settings(config, overrides=overrides, flags=flags)


def _source_settings(args: argparse.Namespace, **more: Any) -> Settings:
    settings = _settings(
        args,
        folder=args.folder,
        cache=args.cache,
        local=args.local,
        patterns=args.patterns,
        workers=args.workers,
        **more,
    )
    if args.all:
        if args.folder:
            raise ConfigError(f"give a DRIVE_FOLDER or --all, not both (got {args.folder!r})")
        settings.folder = ""
    elif not settings.folder:
        raise ConfigError(
            f'name the Drive folder, as in: {PROG} {args.command} "Colab Notebooks" (or drive:PATH, '
            "a folder's URL, the 'folder' setting, GDRIVESTATS_FOLDER), or --all for all of My Drive"
        )
    return settings


def _log_to_settings_file(args: argparse.Namespace, settings: Settings) -> None:
    """Log to the config file's ``log_file`` or GDRIVESTATS_LOG_FILE too (--log-file is set up already)."""
    if settings.log_file is not None and settings.log_file != args.log_file:
        from gdrivestats._logging import setup_logging

        setup_logging(args.verbosity, settings.log_file)


def _progress(args: argparse.Namespace) -> bool:
    """Progress bars only on a terminal, and not with -q (never into a log file or cron mail)."""
    return args.verbosity >= 0 and sys.stderr.isatty()


# ---- commands -----------------------------------------------------------------------------------------


def _run_analyze(args: argparse.Namespace) -> int:
    from gdrivestats import pipeline
    from gdrivestats.interrupts import remove_stale_temporaries

    settings = _settings(args, top=args.top, out=args.out, sheet=args.sheet, charts=args.charts)
    _log_to_settings_file(args, settings)
    if not args.sources and not args.sample:
        raise ConfigError("give at least one SOURCE (a workbook, a folder or drive:PATH), or --sample")
    if settings.out is None:
        raise ConfigError(
            "give the output folder: --out DIR (or GDRIVESTATS_OUT, or 'out' in the config file)"
        )
    sources = list(args.sources)
    if args.sample:
        sources.insert(0, str(pipeline.sample_path()))
    remove_stale_temporaries([settings.out.parent])
    outcome = pipeline.analyze_sources(
        sources,
        settings.out,
        top=settings.top,
        sheet=settings.sheet,
        progress=_progress(args),
        charts=settings.charts,
    )
    for failure in outcome.failures:
        log.error("error: %s", _printable(failure))  # "gdrivestats: error: …" on stderr, and in a log file
    if args.verbosity >= 0:  # -q: only the error lines
        print(_printable(outcome.summary()))
    return ExitCode.OK if not outcome.failures else ExitCode.FAILED


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off while a command loads what it needs (as it was, after).

    An import makes no garbage, yet every collection walks the objects made since the last one, on
    whichever thread allocates: a sync's first calls, sent while the main thread imports the sync's
    modules, were paying for the main thread's imports. Only for that short stretch of a command's start,
    never around its work.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _run_sync(args: argparse.Namespace) -> int:
    from gdrivestats.schedule import open_drive

    with _collector_paused():
        settings = _source_settings(args)
        _log_to_settings_file(args, settings)
        drive = open_drive(settings, write=False)
        if not args.dry_run:
            from gdrivestats.mirror.early import start_first_calls

            # On the wire before the sync's own modules are even imported (see mirror.early).
            first_calls = start_first_calls(drive, settings.folder, settings.cache_dir, full=args.full)
            if first_calls is not None:
                first_calls.head_start()
            from gdrivestats.interrupts import remove_stale_temporaries
            from gdrivestats.mirror.sync import sync
    if args.dry_run:
        return _dry_run_sync(drive, settings, args)
    remove_stale_temporaries([settings.cache_dir.parent])
    result = sync(
        drive,
        settings.folder,
        settings.cache_dir,
        patterns=settings.patterns,
        workers=settings.workers,
        full=args.full,
        progress=_progress(args),
        first_calls=first_calls,
    )
    if args.verbosity >= 0:
        print(_printable(result.summary()))
    for failure in result.failed:
        log.error("error: %s", _printable(failure))  # "gdrivestats: error: …" on stderr, and in a log file
    return ExitCode.OK if result.ok else ExitCode.FAILED


def _dry_run_sync(drive: Any, settings: Settings, args: argparse.Namespace) -> int:
    """Print what a sync would do; nothing is written, not even the cache folder or its state."""
    from gdrivestats.mirror.sync import sync

    cache = settings.cache_dir
    result = sync(
        drive,
        settings.folder,
        cache,
        patterns=settings.patterns,
        workers=settings.workers,
        dry_run=True,
        full=args.full,
        progress=False,
    )
    print(_printable(result.plan.describe()))
    print(f"(dry run: nothing was written; cache: {cache})")
    return ExitCode.OK


def _run_run(args: argparse.Namespace) -> int:
    from gdrivestats import schedule
    from gdrivestats._logging import setup_logging
    from gdrivestats.interrupts import remove_stale_temporaries

    settings = _source_settings(
        args, out_folder=args.out_folder, top=args.top, charts=args.charts, summary_as=args.summary_as
    )
    if args.dry_run:
        if args.schedule_safe:
            raise ConfigError("--dry-run and --schedule-safe do not go together; drop one")
        drive = schedule.open_drive(settings, write=False)
        print(_printable(schedule.run_with(settings, drive, progress=False, dry_run=True).summary()))
        return ExitCode.OK
    remove_stale_temporaries([settings.cache_dir.parent])
    if args.schedule_safe:
        setup_logging(args.verbosity, settings.log_file, timestamps=True, default=logging.INFO)
        return schedule.run_scheduled(settings, verbose=args.verbosity > 0)
    _log_to_settings_file(args, settings)
    result = schedule.run_with(settings, schedule.open_drive(settings, write=True), progress=_progress(args))
    if args.verbosity >= 0:
        print(_printable(result.summary()))
    return ExitCode.OK if result.ok else ExitCode.FAILED


def _run_demo(args: argparse.Namespace) -> int:
    from gdrivestats.demo import run_demo

    return run_demo(args.out)


def _run_completion(args: argparse.Namespace) -> int:
    try:
        import shtab
    except ImportError as exc:
        raise ConfigError("shell completion needs shtab: pip install shtab") from exc
    print(shtab.complete(build_parser(None), shell=args.shell))
    return ExitCode.OK


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


def _printable(text: str) -> str:
    """Text with control characters (from file or sheet names) made visible, safe for a terminal."""
    return "".join(c if c.isprintable() or c in "\n\t" else repr(c)[1:-1] for c in text)


# ---- main ---------------------------------------------------------------------------------------------


def _split_at_command(words: Sequence[str]) -> tuple[list[str], str | None]:
    """The options before the command word (a global option's value left out), as typed, and that word
    (None when there is none, or when ``--`` comes first)."""
    options: list[str] = []
    skip = False
    for word in words:
        if skip:
            skip = False
            continue
        if word == "--":
            return options, None
        if not word.startswith("-"):
            return options, word
        options.append(word)
        skip = word in _GLOBAL_WITH_VALUE
    return options, None


def _command_word(words: Sequence[str]) -> str | None:
    """The first word that is not an option or a global option's value."""
    return _split_at_command(words)[1]


def _is_global(word: str) -> bool:
    """A global option, in full (``--config=FILE`` too) or as a cluster of short ones (``-vv``, ``-vh``)."""
    if word.split("=", 1)[0] in _GLOBAL_FLAGS:
        return True
    return not word.startswith("--") and len(word) > 1 and set(word[1:]) <= _SHORT_GLOBALS


def _unknown_global(words: Sequence[str]) -> str | None:
    """The first option before the command that is none of the global ones (``--conf``, ``--verbos``):
    its value would otherwise be taken for the command."""
    return next((word for word in _split_at_command(words)[0] if not _is_global(word)), None)


def _help_before_command(words: Sequence[str]) -> bool:
    """``-h`` or ``--help`` before the command: the top-level help, which lists every command."""
    return any(
        word == "--help" or (not word.startswith("--") and "h" in word[1:])
        for word in _split_at_command(words)[0]
    )


def _usage_error(what: str, word: str, known: Sequence[str], listed: Sequence[str]) -> int:
    """One line for a mistyped command or global option, with the closest known one and the list."""
    import difflib

    close = difflib.get_close_matches(word.split("=", 1)[0], known, n=1, cutoff=0.6)
    hint = f"; did you mean '{_ALIASES.get(close[0], close[0])}'?" if close else ""
    print(f"usage: {PROG} [-h] [-V] [-v] [-q] [--config FILE] COMMAND ...", file=sys.stderr)
    print(
        f"{PROG}: error: unknown {what} '{_printable(word)}'{hint} ({what}s: {', '.join(listed)})",
        file=sys.stderr,
    )
    return ExitCode.CONFIG


def parse(words: Sequence[str]) -> argparse.Namespace:
    """Parse a command line (exits 2 on a usage error); sets ``verbosity``, ``config`` and ``log_file``."""
    command = _command_word(words)
    parser = build_parser(None if _help_before_command(words) else command)
    args, extras = parser.parse_known_args(list(words))
    if extras:  # global options after a plugin's own sub-action ("auth login -v")
        late = Parser(prog=PROG, add_help=False)
        _global_options(late, top=False)
        more, rest = late.parse_known_args(extras)
        if rest:
            parser.error(f"unrecognized arguments: {' '.join(rest)}")
        for key, value in vars(more).items():
            current = getattr(args, key, None)
            setattr(args, key, (current or 0) + value if isinstance(value, int) else value)
    args.verbosity = (
        args.verbose + getattr(args, "verbose_sub", 0) - args.quiet - getattr(args, "quiet_sub", 0)
    )
    args.config = getattr(args, "config_sub", None) or args.config
    args.log_file = getattr(args, "log_file_sub", None) or args.log_file
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    from gdrivestats._logging import setup_logging
    from gdrivestats.interrupts import Terminated, sigterm_as_exit

    words = list(sys.argv[1:] if argv is None else argv)
    command = _command_word(words)
    if command is None and not any(w in ("-h", "--help", "-V", "--version") for w in words):
        build_parser(None).print_help()
        return ExitCode.OK
    if command == "help":  # "gdrivestats help sync" is "gdrivestats sync --help"
        rest = words[words.index("help") + 1 :]
        topic = next((w for w in rest if not w.startswith("-")), None)
        words = [topic, "--help"] if topic else ["--help"]
        command = topic
    unknown = _unknown_global(words)
    if unknown is not None:
        listed = [flag for flag in _GLOBAL_FLAGS if flag.startswith("--")]
        return _usage_error("option", unknown, [*_GLOBAL_FLAGS], listed)
    if command is not None and command not in _COMMANDS and command not in _ALIASES:
        return _usage_error("command", command, [*_COMMANDS, *_ALIASES, "help"], _COMMANDS)
    args = parse(words)
    verbose = args.verbosity > 0
    setup_logging(args.verbosity, args.log_file if not getattr(args, "schedule_safe", False) else None)
    try:
        with sigterm_as_exit():
            return int(args.handler(args))
    except KeyboardInterrupt as exc:  # Ctrl-C or SIGTERM: clean-ups have run on the way out
        terminated = isinstance(exc, Terminated)
        print(f"{PROG}: {'terminated' if terminated else 'interrupted'}", file=sys.stderr)
        return ExitCode.TERMINATED if terminated else ExitCode.INTERRUPTED
    except BrokenPipeError:  # "gdrivestats ... | head": the reader left; say nothing more
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return ExitCode.FAILED
    except CacheLocked as exc:
        return _fail(exc, verbose, ExitCode.LOCKED)
    except (ConfigError, AuthError) as exc:
        return _fail(exc, verbose, ExitCode.CONFIG)
    except GdriveStatsError as exc:
        return _fail(exc, verbose, ExitCode.FAILED)
    except Exception as exc:  # the last guard: one line, the traceback only with --verbose
        if verbose:
            raise
        print(
            f"{PROG}: unexpected error: {type(exc).__name__}: {exc} (run with --verbose for details)",
            file=sys.stderr,
        )
        return ExitCode.FAILED


def entry() -> None:
    """The ``gdrivestats`` console script and ``python -m gdrivestats``: ``main``, then exit with its status.

    The process ends here, so nothing it made needs collecting: ``gc.freeze()`` spares Python's final
    collection a walk over every object left (some 30 ms after a sync of a thousand files). Only here, not
    in ``main``, which tests and scripts call in a process that goes on.
    """
    try:
        code = main()
    finally:  # usage errors and --help leave main by SystemExit: the process ends all the same
        gc.freeze()
    sys.exit(code)


def _fail(exc: BaseException, verbose: bool, code: int) -> int:
    if verbose:
        log.exception("failed")
    print(f"{PROG}: error: {_printable(str(exc))}", file=sys.stderr)
    return code
