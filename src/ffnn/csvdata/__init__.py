"""Tabular data for the command line: CSV files in, arrays out, predictions back to CSV.

Three concepts, one module each:

- :mod:`ffnn.csvdata.dialect`: how a file is written (its delimiter, ``,`` ``;`` tab or ``|``,
  and its decimal mark), detected from a bounded sample or given (``--delimiter``,
  ``--decimal``).
- :mod:`ffnn.csvdata.table`: reading and writing CSV files. :class:`Table` holds the cells as
  text, column by column, and parses the numeric ones; :func:`read_csv` (and
  :func:`read_csv_bytes`, for a file's content held in memory), :func:`write_csv`,
  :func:`format_numbers`.
- :mod:`ffnn.csvdata.preprocessor`: :class:`Preprocessor` turns chosen columns into a
  network's inputs and targets (the input columns through a fitted :class:`ffnn.TablePreprocessor`,
  class labels as indices 0..K-1, regression targets standardised) and outputs back into labels
  and values; its settings travel in the model file as ``model.metadata``. :func:`infer_task`
  picks classification or regression from the target column.
- :mod:`ffnn.csvdata.rawinputs`: the table's raw columns through the
  :class:`ffnn.TablePreprocessor`, with one note per column of cells taken as missing; the rows
  whose target is missing, left out.

Every problem with a file or a column raises :class:`DataError`, a ``ValueError`` whose message
names the file, the column and the line.
"""

from ffnn.csvdata.dialect import Dialect
from ffnn.csvdata.preprocessor import MAX_INFERRED_CLASSES, TASKS, Preprocessor, infer_task
from ffnn.csvdata.table import (
    DataError,
    Table,
    format_numbers,
    read_csv,
    read_csv_bytes,
    write_csv,
)

__all__ = [
    "DataError",
    "Dialect",
    "Table",
    "read_csv",
    "read_csv_bytes",
    "write_csv",
    "format_numbers",
    "infer_task",
    "Preprocessor",
    "MAX_INFERRED_CLASSES",
    "TASKS",
]
