"""What the ``ffnn`` commands share: the parser class, argument types, exit codes, one-line
errors, loading a model file, and the scores ``train`` and ``evaluate`` print.

A command reports a problem with its arguments, its files or its environment by raising
:class:`UsageError` (or :class:`~ffnn.csvdata.DataError` for a CSV file or a model's metadata);
:func:`ffnn.cli.main` prints it as one line and exits with :data:`USAGE_ERROR`.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import NoReturn

import numpy as np

from ffnn import csvdata, metrics
from ffnn.csvdata import Preprocessor
from ffnn.csvdata.dialect import check_dialect
from ffnn.io import load
from ffnn.model import Sequential

USAGE_ERROR = 2  # argparse's exit status for bad arguments
DIVERGED = 1  # training diverged: nothing saved
INTERRUPTED = 130  # Ctrl-C, as a shell reports SIGINT
BROKEN_PIPE = 141  # the reader of standard output has gone, as a shell reports SIGPIPE

STANDARDISATION_NOTE = (
    "The input columns go through ffnn.TablePreprocessor: numbers standardised, text one-hot "
    "encoded, yes/no as 0/1, dates expanded, IDs and constant columns left out, missing cells "
    "filled and flagged; its decisions are stored in the model file and applied by predict "
    "and evaluate."
)


class UsageError(Exception):
    """A problem with the command's arguments or environment, reported as one line (exit 2)."""


class NonFiniteScores(UsageError):
    """A score is NaN or infinite: the model's outputs overflow on these rows."""


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line on stderr: what is wrong, where to look."""

    def error(self, message: str) -> NoReturn:
        self.exit(USAGE_ERROR, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def fail(args: argparse.Namespace, message: str) -> int:
    """Report a usage problem found after parsing, as argparse reports its own: one line."""
    print(f"ffnn {args.command}: error: {' '.join(message.split())}", file=sys.stderr)
    return USAGE_ERROR


# -- argument types: each turns one word of the command line into a value or refuses it -----
def delimiter(text: str) -> str:
    try:
        return check_dialect(text, None)[0] or ","
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def decimal(text: str) -> str:
    try:
        return check_dialect(None, text)[1] or "."
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def add_dialect_options(parser: argparse.ArgumentParser) -> None:
    """``--delimiter`` and ``--decimal``, for a command that reads a CSV file."""
    parser.add_argument(
        "--delimiter",
        type=delimiter,
        metavar="CHAR",
        help="the CSV delimiter: ',' ';' tab '|' (default: detected from the file)",
    )
    parser.add_argument(
        "--decimal",
        type=decimal,
        metavar="CHAR",
        help="the decimal separator: '.' or ',' (default: detected; ',' only after ';' or tab)",
    )


def read_table(args: argparse.Namespace) -> csvdata.Table:
    """``args.data`` read with the command's ``--delimiter`` and ``--decimal``."""
    return csvdata.read_csv(args.data, delimiter=args.delimiter, decimal=args.decimal)


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value}")
    return value


def non_negative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer >= 0, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected an integer >= 0, got {value}")
    return value


def positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}") from None
    if not np.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive finite number, got {text}")
    return value


def non_negative_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number >= 0, got {text!r}") from None
    if not np.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"expected a finite number >= 0, got {text}")
    return value


def fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number in [0, 1), got {text!r}") from None
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(f"expected a number in [0, 1), got {text}")
    return value


# -- the machine -----------------------------------------------------------------------------
#: copies of every parameter training may hold at once: the weights, their gradients, two
#: optimizer slots (Adam's moments), the last finite weights (kept against divergence) and the
#: best ones (early stopping)
PARAMETER_COPIES = 6


def memory_limit() -> int | None:
    """The bytes this process may use: the machine's memory, or the address-space limit
    (``ulimit -v``) where it is lower; ``None`` where neither is known."""
    limits = []
    try:
        limits.append(os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
    except (AttributeError, ValueError, OSError):  # not a POSIX system
        pass
    try:
        import resource  # POSIX only
    except ImportError:
        resource = None  # type: ignore[assignment]
    if resource is not None:
        soft, _ = resource.getrlimit(resource.RLIMIT_AS)
        if soft != resource.RLIM_INFINITY:
            limits.append(soft)
    return min(limits) if limits else None


def check_memory(sizes: Sequence[int], n_rows: int, *, itemsize: int, option: str) -> None:
    """Refuse, before allocating anything, a network that cannot fit in memory.

    The estimate is a lower bound: ``itemsize`` bytes times :data:`PARAMETER_COPIES` copies of
    every parameter, plus the activations of the largest forward pass (``n_rows`` rows), each
    layer keeping its output and the input its backward needs. ``sizes`` are the widths
    ``[n_features, *hidden, n_outputs]``; ``option`` is the one to give smaller values to.
    Python integers: a size of 10**30 is refused, not overflowed.
    """
    n_params = sum((n_in + 1) * n_out for n_in, n_out in zip(sizes, sizes[1:], strict=False))
    needed = itemsize * (PARAMETER_COPIES * n_params + 2 * n_rows * sum(sizes[1:]))
    limit = memory_limit()
    if limit is not None and needed > limit:
        raise UsageError(
            f"a network of {n_params:,} parameters ({' -> '.join(map(str, sizes))}) run on "
            f"{n_rows:,} rows needs at least {needed / 2**30:,.1f} GiB of memory, more than the "
            f"{limit / 2**30:,.1f} GiB this process may use: make {option} smaller"
        )


# -- files and optional parts ---------------------------------------------------------------
def check_writable(path: Path, option: str) -> None:
    """Fail before any work if ``path`` cannot be written (an existing file may be replaced)."""
    folder = path.parent
    if path.is_dir():
        raise UsageError(f"{option} {path} is a folder; give a file name")
    if not folder.is_dir():
        raise UsageError(f"{option} {path}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise UsageError(f"{option} {path}: the folder {folder} is not writable")


def load_model(path: Path) -> Sequential:
    """The :class:`Sequential` in the model file ``path``; :class:`UsageError` otherwise."""
    try:
        model = load(path)
    except ValueError as error:  # not a model, damaged, too new: the message names it
        raise UsageError(str(error)) from None
    except OSError as error:
        raise UsageError(f"cannot read {path}: {error.strerror or error}") from None
    if not isinstance(model, Sequential):
        raise UsageError(
            f"{path} holds a {type(model).__name__}; these commands read Sequential models"
        )
    return model


def plotting_module() -> ModuleType | None:
    """:mod:`ffnn.plotting` with matplotlib loaded, or None when matplotlib is missing."""
    from ffnn import plotting

    try:
        plotting._pyplot()
    except ImportError:
        return None
    return plotting


# -- scores ---------------------------------------------------------------------------------
def scores(
    model: Sequential,
    prep: Preprocessor,
    X: np.ndarray,
    y: np.ndarray,
    lines: Sequence[int] | None = None,
) -> dict[str, float]:
    """What ``evaluate`` prints, in inference mode, without penalties.

    Classification: ``loss`` (the model's cross-entropy) and ``accuracy``; regression: ``mse``,
    ``mae`` and ``r2`` in the target's own units. ``X`` ``(n, n_features)`` is standardised,
    ``y`` ``(n,)`` as :meth:`Preprocessor.targets` gives it; ``lines``, the rows' lines in the
    CSV file, for messages. Never NaN: :class:`NonFiniteScores` says why a score is not finite.
    """
    loss = model.loss
    if loss is None:  # Preprocessor.from_model and run_train see to it
        raise UsageError("the model has no loss, so it cannot be scored: fit it first")
    with np.errstate(all="ignore"):  # overflow is reported by check_outputs, in one line
        logits = model.forward(np.asarray(X, dtype=model.dtype))  # (n, n_outputs)
        predicted = loss.predict(logits)
        predicted = predicted[:, 0] if predicted.ndim == 2 else predicted  # (n,)
        if prep.task == "classification":
            check_outputs(logits, lines)
            targets = loss.prepare_targets(y, model.n_outputs, model.dtype)
            result = {
                "loss": float(loss.forward(logits, targets)),
                "accuracy": metrics.accuracy(y, predicted),
            }
        else:
            values = prep.unscale_target(predicted)  # (n,)
            check_outputs(np.column_stack([logits, values]), lines)
            result = {
                "mse": metrics.mean_squared_error(y, values),
                "mae": metrics.mean_absolute_error(y, values),
            }
            if len(y) >= 2:
                result["r2"] = metrics.r2_score(y, values)
    bad = [name for name, value in result.items() if not np.isfinite(value)]
    if bad:
        raise NonFiniteScores(
            f"the {' and '.join(bad)} would be {' and '.join(str(result[n]) for n in bad)}: the "
            "errors are too large to add up (targets far outside the range the model predicts)"
        )
    return result


def check_outputs(outputs: np.ndarray, lines: Sequence[int] | None = None) -> None:
    """:class:`NonFiniteScores` if a row of ``outputs`` ``(n, k)`` is NaN or infinite, naming
    the first (by its line in the CSV file, given ``lines``, else its row number)."""
    finite = np.isfinite(outputs).all(axis=1)  # (n,)
    if finite.all():
        return
    rows = np.flatnonzero(~finite)
    first = f"line {lines[rows[0]]}" if lines is not None else f"row {rows[0] + 1}"
    raise NonFiniteScores(
        f"the model's outputs overflow {outputs.dtype} for {rows.size} of {len(outputs)} rows "
        f"(first: {first}): the inputs are far outside the range the model was trained on, or "
        "the model is damaged"
    )


def print_scores(values: dict[str, float], prefix: str = "") -> None:
    """One ``name: value`` line per score."""
    for name, value in values.items():
        print(f"{prefix}{name}: {value:.6g}")
