"""Raw columns of a :class:`~ffnn.csvdata.table.Table` to a network's inputs, through
:class:`ffnn.TablePreprocessor`; and the rows whose target is missing, left out.

``ffnn train`` fits a :class:`~ffnn.preprocessing.TablePreprocessor` on the input columns (text,
missing cells, IDs, dates: one decision per column, printed by ``describe()``) and stores its
``to_config()`` in the model file; ``predict`` and ``evaluate`` rebuild it with ``from_config``
and apply exactly the same. A cell of another kind than fitted (text in a numeric column) is
taken as missing and reported in one line through ``note``, not as a Python warning.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence

import numpy as np

from ffnn.csvdata.table import DataError, Table, quote_names, shorten
from ffnn.preprocessing import PreprocessingWarning, TablePreprocessor
from ffnn.preprocessing.cells import canonical

__all__ = ["drop_missing_targets", "fit_inputs", "transform_inputs"]

#: how many line numbers the note on skipped rows lists
SHOWN_LINES = 5

Note = Callable[[str], None]


def drop_missing_targets(table: Table, target: str) -> tuple[Table, list[int]]:
    """``(table without the rows whose cell in ``target`` is missing, their lines)``.

    A cell is missing as :mod:`ffnn.preprocessing.cells` has it: empty, or ``NA``, ``nan``,
    ``?`` and the other :data:`~ffnn.preprocessing.cells.MISSING_TEXT`. An absent ``target``
    column is a :class:`DataError` listing the columns; a column with no target at all, too.
    """
    cells = table.column(target)
    keep = [i for i, cell in enumerate(cells) if canonical(cell) is not None]
    if len(keep) == table.n_rows:
        return table, []
    if not keep:
        raise DataError(f"{table.path}: column {shorten(target)} has no value on any row")
    kept = set(keep)
    skipped = [line for i, line in enumerate(table.lines) if i not in kept]
    columns = [[column[i] for i in keep] for column in table.cells]
    lines = [table.lines[i] for i in keep]
    return Table(table.path, table.columns, columns, lines, table.dialect), skipped


def skipped_note(target: str, skipped: Sequence[int], n_rows: int) -> str:
    """One line: how many rows were skipped for a missing target, and the first lines."""
    shown = ", ".join(map(str, skipped[:SHOWN_LINES]))
    more = ", ..." if len(skipped) > SHOWN_LINES else ""
    return (
        f"Skipped {len(skipped)} of {n_rows} rows whose target {shorten(target)} is missing "
        f"(line{'s' if len(skipped) > 1 else ''} {shown}{more})"
    )


def _columns(table: Table, names: Sequence[str]) -> dict[str, list[str]]:
    return {name: table.column(name) for name in names}


def fit_inputs(
    table: Table, names: Sequence[str], note: Note
) -> tuple[TablePreprocessor, np.ndarray]:
    """A :class:`TablePreprocessor` fitted on columns ``names`` of ``table``, and its output
    ``(n_rows, n_outputs)`` float64; :class:`DataError` if every column is left out."""
    preprocessor = TablePreprocessor()
    try:
        preprocessor.fit(_columns(table, names))
    except ValueError as error:
        raise DataError(f"{table.path}: {error}") from None
    if not len(preprocessor.get_feature_names_out()):
        raise DataError(
            f"{table.path}: no input column is usable (each is empty, constant or ID-like: "
            f"{quote_names(list(names))}); see the table above, or name others with --features"
        )
    return preprocessor, transform_inputs(preprocessor, table, note)


def transform_inputs(preprocessor: TablePreprocessor, table: Table, note: Note) -> np.ndarray:
    """``preprocessor.transform`` of ``table``'s columns, float64 ``(n_rows, n_outputs)``.

    A column the preprocessor needs and ``table`` lacks is a :class:`DataError` naming it; cells
    that cannot be read as their column's fitted kind are taken as missing, one ``note`` per
    column.
    """
    names = [str(name) for name in getattr(preprocessor, "feature_names_in_", [])]
    needed = [s["name"] for s in preprocessor.columns_ if s["outputs"]]
    absent = [name for name in needed if name not in table.positions]
    if absent:
        raise DataError(
            f"{table.path} lacks the input column(s) {quote_names(absent)} the model was "
            f"trained with ({quote_names(names)}); the file has {quote_names(table.columns)}"
        )
    present = {name: table.column(name) for name in needed}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", PreprocessingWarning)
        try:
            X = preprocessor.transform(present)
        except ValueError as error:
            raise DataError(f"{table.path}: {error}") from None
    for warning in caught:
        if issubclass(warning.category, PreprocessingWarning):
            note(f"Note: {table.path}: {warning.message}")
        else:  # another warning: let it through as it came
            warnings.warn_explicit(
                warning.message, warning.category, warning.filename, warning.lineno
            )
    return np.asarray(X, dtype=np.float64)
