"""The ``ffnn`` command line: ``demo``, ``train``, ``predict``, ``evaluate``, ``info``,
``export-onnx`` and ``playground``.

``main(argv)`` parses the arguments and runs one command; it returns the exit status instead of
exiting, so tests and other programs can call it in-process: 0 done, 1 training diverged, 2 bad
arguments or bad input (a missing file or column, a file that is not a model, a number out of
range, a network too large for memory, ...: one line on stderr, never a traceback), 130
interrupted. The console script ``ffnn`` and ``python -m ffnn`` both call it.

``main`` is the one place where an exception becomes that line: every type that bad input can
raise (:data:`BAD_INPUT`: ``ValueError``, ``TypeError``, ``OSError``, ``MemoryError``,
``ArithmeticError``, ``csv.Error``, ...), described by :func:`describe`. Any other type is a bug
in ffnn and keeps its traceback. The commands run with NumPy's floating-point warnings off:
they check their numbers and say in that one line what is not finite.

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
import csv
import os
import sys
import zipfile

import numpy as np

from ffnn._version import __version__
from ffnn.cli import demo, modelfile, playground, predict, train
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
COMMAND_GROUPS = (demo, train, predict, modelfile, playground)


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
        with np.errstate(all="ignore"):  # the commands check their numbers and say what is wrong
            status: int = args.run(args)
    except KeyboardInterrupt:
        print(f"ffnn {args.command}: interrupted", file=sys.stderr)
        return INTERRUPTED
    except BrokenPipeError:  # `ffnn predict ... | head`: the reader has gone, as SIGPIPE would
        _silence_stdout()
        return BROKEN_PIPE
    except BAD_INPUT as error:
        return fail(args, describe(error))
    return status


#: what bad input (a file, a cell, an argument, the machine's limits) raises, reported in one
#: line with exit status 2. Any other exception is a bug, and keeps its traceback.
BAD_INPUT = (
    UsageError,  # the commands' own refusals
    ValueError,  # DataError, ffnn.load's refusals, argument checks; UnicodeError too
    TypeError,  # a value of the wrong type, from a file's metadata
    OSError,  # the file system: missing, unreadable, unwritable, full
    MemoryError,  # an allocation the machine refused
    ArithmeticError,  # FloatingPointError: outputs that overflow; OverflowError
    csv.Error,
    zipfile.BadZipFile,
)


def describe(error: BaseException) -> str:
    """One line for ``error``: its message, with what only its type says added."""
    if isinstance(error, UsageError | DataError):
        return str(error)
    if isinstance(error, MemoryError):
        return f"out of memory{': ' + str(error) if str(error) else ''} (the input is too large)"
    if isinstance(error, OSError) and error.strerror:
        where = f"{error.filename}: " if error.filename else ""
        return f"{where}{error.strerror}"
    return f"{error}" if str(error) else type(error).__name__


def _silence_stdout() -> None:
    """Point stdout at the null device, so that the flush at exit does not fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (AttributeError, OSError, ValueError):  # an in-process stream without a descriptor
        pass
