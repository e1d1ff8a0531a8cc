"""``ffnn playground``: the local page where ffnn's own network learns while you watch.

It starts the playground's server on a loopback address and a free port (or ``--port``),
prints the address with its token, opens it in the browser (unless ``--no-browser``) and
serves until Ctrl-C, which ends it with one line and exit status 0.
"""

from __future__ import annotations

import argparse
import signal
import sys
import webbrowser
from typing import Any

from ffnn.cli._common import UsageError, non_negative_int
from ffnn.playground.server import PlaygroundServer

__all__ = ["add_parser", "run_playground"]


def add_parser(commands: Any) -> None:
    """``playground``: its arguments, and ``run_playground`` to run it."""
    playground = commands.add_parser(
        "playground",
        help="watch a network learn in your browser (a local page)",
        description=(
            "Start the playground: a local page where you choose data (or upload a CSV file), "
            "build a network, and watch ffnn train it; export the run as a Python script. The "
            "server listens on 127.0.0.1 only, and the address carries a random token."
        ),
    )
    playground.add_argument(
        "--port", type=non_negative_int, default=0, metavar="N", help="port (default: a free one)"
    )
    playground.add_argument(
        "--host",
        default="127.0.0.1",
        metavar="ADDRESS",
        help="a loopback address to listen on (default 127.0.0.1)",
    )
    playground.add_argument(
        "--no-browser", action="store_true", help="only print the address; open no browser"
    )
    playground.set_defaults(run=run_playground)


def run_playground(args: argparse.Namespace) -> int:
    try:
        server = PlaygroundServer(args.host, args.port)
    except ValueError as error:
        raise UsageError(str(error)) from None
    print(f"ffnn playground: {server.url}", flush=True)
    print("(Ctrl-C stops it)", flush=True)
    if not args.no_browser:
        webbrowser.open(server.url)
    # Ctrl-C stops it even where the shell started it with SIGINT ignored (a background job),
    # and so does SIGTERM: both end in the one line below
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("ffnn playground: stopped", file=sys.stderr)
    finally:
        server.shutdown()
    return 0


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt
