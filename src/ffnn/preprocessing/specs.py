"""Checking column specs read back from a file: :func:`check_specs`.

A fitted :class:`~ffnn.preprocessing.TablePreprocessor` writes one spec per column
(:mod:`ffnn.preprocessing.kinds`); a config loaded from a model file may have been written by
anyone, so every key, type and range is checked here before a spec is used, and each problem is
one ``ValueError`` (or ``TypeError``) naming the column.
"""

from __future__ import annotations

from typing import Any

from ffnn.preprocessing.cells import MAX_MAGNITUDE
from ffnn.preprocessing.dates import DATE_FORMATS, DATE_PARTS, check_periods
from ffnn.preprocessing.kinds import Spec, date_outputs

__all__ = ["MAX_SPEC_VALUES", "check_specs"]


#: the keys each kind's spec holds besides name, kind, usage and outputs
_KEYS = {
    "numeric": ("median", "mean", "std", "indicator"),
    "boolean": ("fill", "indicator"),
    "date": ("origin", "parts", "indicator"),  # and "format" (absent: ISO), "periods" (absent: [])
    "category": ("categories", "missing", "frequencies"),
    "empty": (),
    "constant": (),
    "id": (),
}


#: the most values a category spec may list (its one-hot categories, or its frequencies) in a
#: config read back: far above any fitted column's, far below what would exhaust memory
MAX_SPEC_VALUES = 1_000_000
#: the largest magnitude of a statistic (a mean, a median, a date origin in days)
MAX_STATISTIC = MAX_MAGNITUDE


def check_specs(specs: Any) -> None:
    """Raise ``ValueError`` (or ``TypeError`` for a value of the wrong type) unless ``specs`` is
    a list of column specs as :func:`fit_column` writes them: a config read from a file is
    checked before it is used, so that :func:`encode_column` gives finite values of the width
    ``outputs`` says, whatever the file holds.

    Every value is checked: names and usages are text, a kind is one of :data:`_KEYS` with
    exactly its keys, statistics are finite numbers (standard deviations positive, magnitudes
    within :data:`MAX_STATISTIC`), flags are booleans, a category list holds distinct texts (at
    most :data:`MAX_SPEC_VALUES`), frequencies are shares in [0, 1], a date format is one of
    ``DATE_FORMATS`` (absent in specs saved before formats: ISO), date periods pass
    :func:`check_periods` (absent in specs saved before periods: none), and ``outputs`` are the
    names the kind's encoding produces, in order. Column names are distinct.
    """
    if not isinstance(specs, list):
        raise TypeError(f"expected a list of column specs, got {type(specs).__name__}")
    if len(specs) > MAX_SPEC_VALUES:
        raise ValueError(f"expected at most {MAX_SPEC_VALUES:,} column specs, got {len(specs):,}")
    names: set[str] = set()
    for index, spec in enumerate(specs):
        kind = spec.get("kind") if isinstance(spec, dict) else None
        if not isinstance(kind, str) or kind not in _KEYS:
            got = repr(kind)[:60] if isinstance(spec, dict) else type(spec).__name__
            raise ValueError(f"column spec {index}: expected a kind in {list(_KEYS)}, got {got}")
        required = {"name", "kind", "usage", "outputs", *_KEYS[kind]}
        if kind == "category" and spec.get("frequencies") is not None:
            required.add("frequency")
        if kind == "date":  # specs saved before formats are ISO, before periods have none
            required.update(key for key in ("format", "periods") if key in spec)
        absent = sorted(required - set(spec))
        if absent:
            raise ValueError(f"column spec {index} ({kind}) lacks {absent}")
        extra = sorted(str(key)[:40] for key in set(spec) - required)
        if extra:
            raise ValueError(f"column spec {index} ({kind}) has unknown keys {extra}")
        where = f"column spec {index} ({kind})"
        for key in ("name", "usage"):
            if not isinstance(spec[key], str):
                raise TypeError(f"{where}: {key} must be text, got {type(spec[key]).__name__}")
        if spec["name"] in names:
            raise ValueError(f"{where}: the column {spec['name'][:40]!r} is named twice")
        names.add(spec["name"])
        _check_spec(spec, kind, where)
        outputs = spec["outputs"]
        if not isinstance(outputs, list) or outputs != _expected_outputs(spec, kind):
            raise ValueError(
                f"{where}: outputs must be the names its encoding gives, "
                f"{_expected_outputs(spec, kind)[:5]}..., got {repr(outputs)[:80]}"
            )


def _check_number(value: Any, where: str, *, positive: bool = False) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{where} must be a number, got {type(value).__name__}")
    if not abs(value) <= MAX_STATISTIC:  # False for NaN; no float() of a 400-digit integer
        raise ValueError(
            f"{where} must be a finite number within ±{MAX_STATISTIC:.4g}, got {repr(value)[:40]}"
        )
    if positive and not value > 0:
        raise ValueError(f"{where} must be positive, got {value}")


def _check_flag(value: Any, where: str) -> None:
    if not isinstance(value, bool):
        raise TypeError(f"{where} must be true or false, got {type(value).__name__}")


def _check_statistics(stats: Any, where: str) -> None:
    if not isinstance(stats, dict) or set(stats) != {"median", "mean", "std"}:
        raise ValueError(f"{where} must be an object of median, mean and std")
    _check_number(stats["median"], f"{where}.median")
    _check_number(stats["mean"], f"{where}.mean")
    _check_number(stats["std"], f"{where}.std", positive=True)


def _check_spec(spec: Spec, kind: str, where: str) -> None:
    """The statistics and flags of one spec, by its kind."""
    if kind in ("numeric", "boolean", "date"):
        _check_flag(spec["indicator"], f"{where}: indicator")
    if kind == "numeric":
        _check_statistics({k: spec[k] for k in ("median", "mean", "std")}, where)
    elif kind == "boolean":
        if spec["fill"] not in (0, 1) or isinstance(spec["fill"], bool):
            raise ValueError(f"{where}: fill must be 0 or 1, got {repr(spec['fill'])[:40]}")
    elif kind == "date":
        form = spec.get("format", "iso")
        if not isinstance(form, str) or form not in DATE_FORMATS:
            raise ValueError(
                f"{where}: format must be one of {DATE_FORMATS}, got {repr(form)[:40]}"
            )
        _check_number(spec["origin"], f"{where}: origin")
        parts = spec["parts"]
        if not isinstance(parts, dict) or not set(parts) <= set(DATE_PARTS):
            raise ValueError(f"{where}: parts must be an object whose keys are in {DATE_PARTS}")
        for part, stats in parts.items():
            _check_statistics(stats, f"{where}: parts.{part}")
        check_periods(spec.get("periods", []), where)
    elif kind == "category":
        _check_flag(spec["missing"], f"{where}: missing")
        categories, frequencies = spec["categories"], spec["frequencies"]
        if not isinstance(categories, list) or not all(isinstance(c, str) for c in categories):
            raise TypeError(f"{where}: categories must be a list of texts")
        if len(categories) > MAX_SPEC_VALUES or len(set(categories)) != len(categories):
            raise ValueError(
                f"{where}: categories must be at most {MAX_SPEC_VALUES:,} distinct texts, got "
                f"{len(categories):,} ({len(set(categories)):,} distinct)"
            )
        if frequencies is not None:
            if not isinstance(frequencies, dict) or len(frequencies) > MAX_SPEC_VALUES:
                raise ValueError(
                    f"{where}: frequencies must be null or an object of at most "
                    f"{MAX_SPEC_VALUES:,} values"
                )
            for share in frequencies.values():
                _check_number(share, f"{where}: a frequency")
                if not 0 <= share <= 1:
                    raise ValueError(f"{where}: a frequency must be a share in [0, 1], got {share}")
            _check_statistics(spec["frequency"], f"{where}: frequency")


def _expected_outputs(spec: Spec, kind: str) -> list[str]:
    """The output names a (checked) spec's encoding gives, as :func:`fit_column` names them."""
    name = spec["name"]
    if kind in ("numeric", "boolean"):
        outputs = [name]
    elif kind == "date":
        outputs = date_outputs(name, spec["parts"], spec.get("periods", []))
    elif kind == "category":
        outputs = [f"{name}={value}" for value in spec["categories"]] + [f"{name}=other"]
        outputs += [f"{name}=missing"] if spec["missing"] else []
        outputs += [f"{name}_frequency"] if spec["frequencies"] is not None else []
        return outputs
    else:
        return []
    return outputs + ([f"{name}_missing"] if spec["indicator"] else [])
