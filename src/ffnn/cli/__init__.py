"""The ``ffnn`` command line: ``demo``, ``train``, ``predict``, ``evaluate``, ``info`` and
``export-onnx``.

``main(argv)`` parses the arguments and runs one command; it returns the exit status instead of
exiting, so tests and other programs can call it in-process: 0 done, 1 training diverged, 2 bad
arguments or bad input (a missing file or column, a file that is not a model, ...: one line on
stderr, never a traceback), 130 interrupted. The console script ``ffnn`` and
``python -m ffnn`` both call it.

One module per command group, each with ``add_parser(commands)``, which declares its commands'
arguments and sets ``run`` to a function ``run_<command>(args) -> int`` that does the work,
raising :class:`UsageError` or :class:`~ffnn.csvdata.DataError` for what ``main`` reports as one
line. A new command is a new module here and one line in :data:`COMMAND_GROUPS`. What the
commands share (argument types, loading a model, exit codes) is in ``_common``; CSV files are
read and written by :mod:`ffnn.csvdata`, which also holds the preprocessing stored in model
files.
"""

from __future__ import annotations

import argparse
import os
import sys

from ffnn._version import __version__
from ffnn.cli import demo, modelfile, predict, train
from ffnn.cli._common import BROKEN_PIPE, INTERRUPTED, Parser, UsageError, fail
from ffnn.cli.demo import run_demo
from ffnn.cli.modelfile import folded_model, run_export_onnx, run_info
from ffnn.cli.predict import run_evaluate, run_predict
from ffnn.cli.train import run_train
from ffnn.csvdata import DataError

__all__ = [
    "main",
    "build_parser",
    "run_demo",
    "run_train",
    "run_predict",
    "run_evaluate",
    "run_info",
    "run_export_onnx",
    "folded_model",
    "UsageError",
]

#: the command groups, in the order ``ffnn --help`` lists their commands
COMMAND_GROUPS = (demo, train, predict, modelfile)


def build_parser() -> argparse.ArgumentParser:
    """The ``ffnn`` parser with one subparser per command."""
    parser = Parser(
        prog="ffnn",
        description="Feedforward neural networks from scratch on NumPy.",
    )
    parser.add_argument("--version", action="version", version=f"ffnn {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    for group in COMMAND_GROUPS:
        group.add_parser(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run ``ffnn`` with ``argv`` (default: ``sys.argv[1:]``); returns the exit status."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:  # --help, --version, bad arguments: argparse's status
        return stop.code if isinstance(stop.code, int) else 0
    if args.command is None:
        parser.print_help()
        return 0
    try:
        status: int = args.run(args)
    except (UsageError, DataError) as error:
        return fail(args, str(error))
    except KeyboardInterrupt:
        print(f"ffnn {args.command}: interrupted", file=sys.stderr)
        return INTERRUPTED
    except BrokenPipeError:  # `ffnn predict ... | head`: the reader has gone, as SIGPIPE would
        _silence_stdout()
        return BROKEN_PIPE
    return status


def _silence_stdout() -> None:
    """Point stdout at the null device, so that the flush at exit does not fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (AttributeError, OSError, ValueError):  # an in-process stream without a descriptor
        pass
