"""Command line for the emulator: ``gdrivestats emulator --port P [--seed DIR] ...`` (wired by cli.py)."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from gdrivestats.emulator.faults import FaultSpecError
from gdrivestats.emulator.server import make_server

logger = logging.getLogger(__name__)


def configure_parser(parser: argparse.ArgumentParser) -> None:
    """Add the emulator's options to ``parser``."""
    parser.add_argument("--port", type=int, default=8765, help="port on 127.0.0.1 (0 picks a free one)")
    parser.add_argument("--seed", type=Path, default=None, help="local folder loaded as My Drive")
    parser.add_argument("--latency-ms", type=int, default=0, help="delay added to every Drive request")
    parser.add_argument(
        "--faults", default=None, help="fault SPEC, e.g. 'list:rate=0.2:503,media:count=3:drop'"
    )
    parser.add_argument("--cert", type=Path, default=None, help="TLS certificate (PEM); serves HTTPS")
    parser.add_argument("--key", type=Path, default=None, help="TLS private key (PEM)")
    parser.add_argument(
        "--write-rate",
        type=float,
        default=None,
        help="writes a second allowed (Drive's per-user limit; beyond: 403 userRateLimitExceeded)",
    )
    parser.add_argument(
        "--listing-lag", type=float, default=0.0, help="seconds new items stay out of files.list answers"
    )


def run(args: argparse.Namespace) -> int:
    """Serve until interrupted; returns the exit code."""
    if (args.cert is None) != (args.key is None):
        print("error: --cert and --key go together", file=sys.stderr)
        return 2
    try:
        server = make_server(
            args.seed,
            args.latency_ms,
            args.faults,
            args.port,
            args.cert,
            args.key,
            write_rate=getattr(args, "write_rate", None),
            listing_lag=getattr(args, "listing_lag", 0.0),
        )
    except FaultSpecError as exc:
        print(f"error: bad --faults: {exc}", file=sys.stderr)
        return 2
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    scheme = "https" if args.cert else "http"
    print(f"Drive v3 emulator listening on {scheme}://127.0.0.1:{server.server_address[1]}/", flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


def main(argv: list[str] | None = None) -> int:
    """Standalone entry: ``python -m gdrivestats.emulator.cli``."""
    from gdrivestats.cli import Parser

    parser = Parser(prog="gdrivestats emulator", description="Drive v3 emulator")
    configure_parser(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
