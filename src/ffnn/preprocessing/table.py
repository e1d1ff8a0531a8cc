"""``TablePreprocessor``: raw tables (text, missing cells, IDs, dates) to a finite float matrix.

A scikit-learn compatible transformer by duck typing (scikit-learn is never imported): its
``__init__`` stores the arguments, ``get_params``/``set_params`` expose them, fitted attributes
end in ``_``, so ``clone``, ``Pipeline`` and ``GridSearchCV`` work with it. Its fitted state is
plain JSON values (:meth:`TablePreprocessor.to_config`), so a model file can hold it without
pickle and load it back exactly. The kinds and their encodings are in
:mod:`ffnn.preprocessing.kinds`.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from ffnn.preprocessing.cells import Cell, columns_of
from ffnn.preprocessing.kinds import Spec, encode_column, fit_column
from ffnn.preprocessing.specs import check_specs

__all__ = ["TablePreprocessor", "PreprocessingWarning"]

_PARAMS = ("max_categories", "min_frequency", "id_threshold", "dates", "dtype")
_CONFIG_FORMAT = "ffnn.TablePreprocessor/1"


class PreprocessingWarning(UserWarning):
    """Cells at transform time that cannot be read as their column's fitted kind (taken as
    missing)."""


class TablePreprocessor:
    """Turns a raw table into a float matrix: one decision per column, fitted once.

    Parameters
    ----------
    max_categories : one-hot at most this many values of a text column; a column with more
        distinct values also gets a frequency column (see :mod:`ffnn.preprocessing.kinds`).
    min_frequency : a value seen fewer times than this at fit goes to the ``other`` column.
    id_threshold : a column whose distinct values reach this share of its rows is ID-like.
    dates : ``"expand"`` (days since the fitted origin, year, month, day of week) or ``"drop"``.
    dtype : ``"float64"`` or ``"float32"``, the output's type.

    ``transform(X)`` returns ``(n_rows, n_features_out)`` finite values of ``dtype``. Missing
    cells and unseen categories are handled; a cell of another kind than fitted (text in a
    numeric column) is taken as missing and counted in a :class:`PreprocessingWarning`. Named
    input (DataFrame, dict, Table) is matched by column name: a column the fit used that is
    absent is a ``ValueError`` naming it, extra columns are ignored; an array is matched by
    position and must have ``n_features_in_`` columns.
    """

    def __init__(
        self,
        *,
        max_categories: int = 200,
        min_frequency: int = 2,
        id_threshold: float = 0.95,
        dates: str = "expand",
        dtype: str = "float64",
    ) -> None:
        self.max_categories = max_categories
        self.min_frequency = min_frequency
        self.id_threshold = id_threshold
        self.dates = dates
        self.dtype = dtype

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        return {name: getattr(self, name) for name in _PARAMS}

    def set_params(self, **params: Any) -> TablePreprocessor:
        for name, value in params.items():
            if name not in _PARAMS:
                raise ValueError(
                    f"TablePreprocessor has no parameter {name!r}; it has {list(_PARAMS)}"
                )
            setattr(self, name, value)
        return self

    def __repr__(self) -> str:
        defaults = TablePreprocessor().get_params()
        changed = {k: v for k, v in self.get_params().items() if v != defaults[k]}
        return f"TablePreprocessor({', '.join(f'{k}={v!r}' for k, v in changed.items())})"

    def _checked_params(self) -> dict[str, Any]:
        params = self.get_params()
        for name in ("max_categories", "min_frequency"):
            value = params[name]
            if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
                raise ValueError(f"{name} must be an integer of at least 1, got {value!r}")
        threshold = params["id_threshold"]
        if isinstance(threshold, bool) or not isinstance(threshold, int | float):
            raise ValueError(f"id_threshold must be a number in (0, 1], got {threshold!r}")
        if not 0 < threshold <= 1:
            raise ValueError(f"id_threshold must be a number in (0, 1], got {threshold!r}")
        if params["dates"] not in ("expand", "drop"):
            raise ValueError(f'dates must be "expand" or "drop", got {params["dates"]!r}')
        if params["dtype"] not in ("float64", "float32"):
            raise ValueError(f'dtype must be "float64" or "float32", got {params["dtype"]!r}')
        return params

    def fit(self, X: Any, y: Any = None) -> TablePreprocessor:
        """Decide each column's kind and fit its statistics on ``X`` (``y`` is ignored)."""
        params = self._checked_params()
        names, columns, named = columns_of(X)
        if not names or not columns[0]:
            raise ValueError(f"cannot fit on a table of {len(names)} column(s) and no rows")
        self.n_features_in_ = len(names)
        if named:
            self.feature_names_in_ = np.asarray(names, dtype=object)
        elif hasattr(self, "feature_names_in_"):
            del self.feature_names_in_
        self.columns_: list[Spec] = [
            fit_column(name, cells, params) for name, cells in zip(names, columns, strict=True)
        ]
        return self

    def fit_transform(self, X: Any, y: Any = None) -> np.ndarray:
        return self.fit(X, y).transform(X)

    def _fitted(self) -> list[Spec]:
        if not hasattr(self, "columns_"):
            raise ValueError("this TablePreprocessor is not fitted yet: call fit(X) first")
        return self.columns_

    def transform(self, X: Any) -> np.ndarray:
        """``(n_rows, n_features_out)`` finite values of ``dtype``, each column as fitted."""
        specs = self._fitted()
        names, columns, named = columns_of(X)
        if named and hasattr(self, "feature_names_in_"):
            by_name = dict(zip(names, columns, strict=True))
            absent = [s["name"] for s in specs if s["outputs"] and s["name"] not in by_name]
            if absent:
                raise ValueError(
                    f"column(s) {absent} missing: the preprocessor was fitted with them; "
                    f"the input has {names}"
                )
            chosen: list[list[Cell] | None] = [by_name.get(s["name"]) for s in specs]
        else:
            if len(columns) != self.n_features_in_:
                raise ValueError(
                    f"expected {self.n_features_in_} columns, as at fit, got {len(columns)}"
                )
            chosen = list(columns)
        n_rows = len(columns[0]) if columns else 0
        blocks = [np.zeros((n_rows, 0))]
        for spec, cells in zip(specs, chosen, strict=True):
            if not spec["outputs"] or cells is None:
                continue
            values, unread = encode_column(spec, cells)
            if unread:
                warnings.warn(
                    f"column {spec['name']!r}: {unread} cell(s) cannot be read as "
                    f"{spec['kind']}, its kind at fit; they are taken as missing",
                    PreprocessingWarning,
                    stacklevel=2,
                )
            blocks.append(values)
        dtype = np.dtype(self.dtype)
        limit = float(np.finfo(dtype).max)
        return np.clip(np.concatenate(blocks, axis=1), -limit, limit).astype(dtype)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """The output columns' names: ``age``, ``age_missing``, ``island=Biscoe``, ..."""
        return np.asarray([name for s in self._fitted() for name in s["outputs"]], dtype=object)

    def describe(self) -> str:
        """A table of every input column: its kind and how it is used."""
        rows = [("column", "kind", "used as")]
        rows += [(s["name"], s["kind"], s["usage"]) for s in self._fitted()]
        width = [max(len(row[j]) for row in rows) for j in range(2)]
        lines = [f"{a:<{width[0]}}  {b:<{width[1]}}  {c}" for a, b, c in rows]
        return "\n".join(line.rstrip() for line in lines)

    def to_config(self) -> dict[str, Any]:
        """Parameters and fitted state as JSON values (``json.dumps`` takes it as it is)."""
        config: dict[str, Any] = {"format": _CONFIG_FORMAT, "params": self.get_params()}
        if hasattr(self, "columns_"):
            config["n_features_in"] = self.n_features_in_
            config["named"] = hasattr(self, "feature_names_in_")
            config["columns"] = self.columns_
        return config

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> TablePreprocessor:
        """The preprocessor :meth:`to_config` described, fitted if it was.

        Every value is checked, since a config may come from a file of unknown origin: a
        ``ValueError`` (``TypeError`` for a value of the wrong type) says what is wrong, so that
        :meth:`transform` of the result gives finite numbers of the width the config states.
        """
        if not isinstance(config, dict) or config.get("format") != _CONFIG_FORMAT:
            got = config.get("format") if isinstance(config, dict) else type(config).__name__
            raise ValueError(f"expected a config of format {_CONFIG_FORMAT!r}, got {got!r}"[:200])
        known = {"format", "params", "n_features_in", "named", "columns"}
        unknown = sorted(str(key)[:40] for key in set(config) - known)
        if unknown:
            raise ValueError(f"the config has unknown keys {unknown}; expected {sorted(known)}")
        params = config.get("params")
        if not isinstance(params, dict) or not set(params) <= set(_PARAMS):
            raise ValueError(f"the config's params must be an object of some of {list(_PARAMS)}")
        preprocessor = cls(**params)
        preprocessor._checked_params()
        fitted = [key for key in ("n_features_in", "named", "columns") if key in config]
        if fitted and len(fitted) < 3:
            raise ValueError("a fitted config holds n_features_in, named and columns together")
        if fitted:
            columns, n_in, named = config["columns"], config["n_features_in"], config["named"]
            check_specs(columns)
            if isinstance(n_in, bool) or not isinstance(n_in, int):
                raise TypeError(f"n_features_in must be an integer, got {type(n_in).__name__}")
            if n_in != len(columns) or not columns:
                raise ValueError(
                    f"n_features_in ({n_in}) must be the number of column specs ({len(columns)}), "
                    "at least 1"
                )
            if not isinstance(named, bool):
                raise TypeError(f"named must be true or false, got {type(named).__name__}")
            preprocessor.columns_ = columns
            preprocessor.n_features_in_ = n_in
            if named:
                names = [spec["name"] for spec in columns]
                preprocessor.feature_names_in_ = np.asarray(names, dtype=object)
        return preprocessor
