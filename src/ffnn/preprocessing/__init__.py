"""Raw tabular data to a float matrix: :class:`TablePreprocessor` (an outer part; NumPy only).

``cells`` reads the input (DataFrame, dict, rows, Table, array) into canonical cells, ``kinds``
decides and encodes each column, ``table`` holds the scikit-learn compatible transformer.
"""

from ffnn.preprocessing.table import PreprocessingWarning, TablePreprocessor

__all__ = ["PreprocessingWarning", "TablePreprocessor"]
