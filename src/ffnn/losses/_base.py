"""The loss protocol: the :class:`Loss` base class, its registry and :func:`get`, and the
sample-weight arithmetic every loss shares (see :mod:`ffnn.losses`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

import numpy as np

from ffnn._checks import check_array, describe
from ffnn._registry import Registry

__all__ = [
    "LOSSES",
    "Loss",
    "LossFormulas",
    "check_sample_weight",
    "get",
    "weighted_mean",
]


# -- sample weights ----------------------------------------------------------------------------
def _weight_and_total(sample_weight: Any, n_samples: int, dtype: Any) -> tuple[np.ndarray, Any]:
    """``sample_weight`` as a ``(n_samples,)`` array in ``dtype`` and its sum; checks the
    shape, finiteness and sign, but allows a zero sum (a batch of zero-weight samples)."""
    if hasattr(sample_weight, "to_numpy") and not isinstance(sample_weight, np.ndarray):
        sample_weight = sample_weight.to_numpy()
    weight = np.asarray(sample_weight)
    if weight.dtype.kind not in "biuf":
        raise TypeError(
            f"sample_weight must hold real numbers, got an array of dtype {weight.dtype}"
        )
    if weight.shape != (n_samples,):
        raise ValueError(
            f"sample_weight must have shape (n_samples,) = ({n_samples},), got shape {weight.shape}"
        )
    with np.errstate(over="ignore", invalid="ignore"):  # reported below, with a message
        weight = weight.astype(dtype, copy=False)
        total = weight.sum()
    if not np.isfinite(total):
        raise ValueError(
            "sample_weight must be finite, got NaN, infinity or values too large for "
            f"{weight.dtype}"
        )
    if weight.min() < 0:
        raise ValueError(f"sample_weight must be non-negative, got a minimum of {weight.min():g}")
    return weight, total


def check_sample_weight(sample_weight: Any, n_samples: int, dtype: Any) -> np.ndarray:
    """Per-sample weights checked and cast once per fit: ``(n_samples,)`` in ``dtype``.

    They must be finite, non-negative and not all zero. No copy is made when ``sample_weight``
    already is such an array. Raises ``TypeError`` for non-numbers, ``ValueError`` otherwise.
    """
    weight, total = _weight_and_total(sample_weight, n_samples, np.dtype(dtype))
    if total <= 0:
        raise ValueError("sample_weight must not be all zero: the weighted mean needs Σw > 0")
    return weight


def _mean_over_samples(values: np.ndarray, weight: np.ndarray, total: Any) -> float:
    """``Σ_i w_i mean_k values_ik / Σ_i w_i``; 0 for a zero total (nothing counts)."""
    if total == 0:
        return 0.0
    per_sample = values.mean(axis=1) if values.ndim == 2 else values  # (batch,)
    return float(np.dot(weight, per_sample) / total)


def weighted_mean(values: np.ndarray, sample_weight: Any = None) -> float:
    """Mean of ``values`` ``(batch,)`` or ``(batch, k)``; with ``sample_weight`` ``(batch,)``,
    ``Σ_i w_i mean_k values_ik / Σ_i w_i`` (0 when every weight is zero)."""
    if sample_weight is None:
        return float(values.mean())
    dtype = values.dtype if values.dtype.kind == "f" else np.dtype(np.float64)
    weight, total = _weight_and_total(sample_weight, values.shape[0], dtype)
    return _mean_over_samples(values, weight, total)


# -- the losses --------------------------------------------------------------------------------
#: Every loss by short name (for :func:`get`) and class name (for model files).
LOSSES: Registry[type[Loss]] = Registry("loss")


class LossFormulas(NamedTuple):
    """What :func:`ffnn.explain_step` prints for a loss (see :meth:`Loss.formulas`)."""

    link: str | None  # the output link, e.g. "A2 = σ(Z2)"; None: the identity, nothing printed
    loss: str  # "L = ..."
    loss_note: str  # a comment under the loss ("" for none)
    gradient: str  # "dZ2 = ..."
    gradient_note: str  # a comment under the gradient ("" for none)


class Loss:
    """Base class. ``is_classifier`` tells whether ``predict`` returns labels."""

    is_classifier = False
    name = "loss"
    #: The output link :meth:`link` computes, by name, for the outer parts that rebuild it
    #: (ONNX export): ``"sigmoid"``, ``"softmax"``, ``"identity"`` or ``"exp"``. ``None``: not
    #: declared (a regression loss that keeps the identity :meth:`link` counts as
    #: ``"identity"``).
    link_name: str | None = None

    def __init__(self) -> None:
        self._grad: np.ndarray | None = None

    def forward(self, logits: np.ndarray, y: np.ndarray, sample_weight: Any = None) -> float:
        """The (weighted) mean loss of a batch: logits and targets ``(batch, n_outputs)``,
        ``sample_weight`` ``(batch,)`` or ``None``."""
        raise NotImplementedError

    def __call__(self, logits: np.ndarray, y: np.ndarray, sample_weight: Any = None) -> float:
        return self.forward(logits, y, sample_weight)

    def _reduce(
        self, terms: np.ndarray, grad: np.ndarray, sample_weight: Any, factor: float = 1.0
    ) -> float:
        """Average ``terms`` (``(batch, n_outputs)``, or ``(batch,)`` with one term per sample)
        into ``L`` and scale ``grad`` in place to ``∂L/∂z``, where ``factor · grad`` is
        ``∂term/∂z`` (``(batch, n_outputs)``); keep it for :meth:`backward`."""
        self._grad = grad
        if sample_weight is None:
            if factor == 1.0:
                grad /= terms.size
            else:
                grad *= factor / terms.size
            return float(np.add.reduce(terms, axis=None)) / terms.size  # the mean, unwrapped
        batch = terms.shape[0]
        weight, total = _weight_and_total(sample_weight, batch, grad.dtype)
        if total == 0:  # a batch of zero-weight samples contributes nothing
            grad[...] = 0
            return 0.0
        grad *= (weight * (factor / (total * (terms.size // batch))))[:, None]  # w_i / (Σw·n)
        return _mean_over_samples(terms, weight, total)

    def backward(self) -> np.ndarray:
        """``∂L/∂logits`` of the last ``forward``, shaped like the logits."""
        if self._grad is None:
            raise RuntimeError(f"{type(self).__name__}.backward called before forward")
        return self._grad

    def link(self, logits: np.ndarray) -> np.ndarray:
        return logits

    def predict(self, logits: np.ndarray) -> np.ndarray:
        return self.link(logits)

    def prepare_targets(self, y: Any, n_outputs: int, dtype: Any) -> np.ndarray:
        """Check ``y`` and shape it like the logits, ``(n_samples, n_outputs)``, in ``dtype``."""
        y = _as_numeric(y)
        if y.ndim == 1 and n_outputs == 1:
            y = y.reshape(-1, 1)
        if y.ndim != 2 or y.shape[1] != n_outputs:
            raise ValueError(
                f"y must have shape (n_samples, {n_outputs})"
                + (" or (n_samples,)" if n_outputs == 1 else "")
                + f" for a network with {n_outputs} output(s), got shape {y.shape}"
            )
        return check_array(y, "y", dtype=dtype)

    def formulas(self, out: str, prob: str, n: str) -> LossFormulas | None:
        """The glass box's formulas (:func:`ffnn.explain_step`) for a loss whose input is named
        ``out`` (``"Z2"``), its link's output ``prob`` (``"A2"``) and whose mean runs over ``n``
        terms (``"m"``); ``None`` (the default): not declared, and ``explain_step`` prints the
        arrays marked "(no formula declared)"."""
        return None

    def get_config(self) -> dict[str, Any]:
        """``{"name": ..., **arguments}``: what :func:`get` rebuilds this loss from."""
        return {"name": self.name}

    def __repr__(self) -> str:
        arguments = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items() if k != "name")
        return f"{type(self).__name__}({arguments})"


def _as_numeric(y: Any) -> np.ndarray:
    if hasattr(y, "to_numpy") and not isinstance(y, np.ndarray):
        y = y.to_numpy()
    try:
        array = np.asarray(y)
    except ValueError as error:  # rows of different lengths
        raise ValueError(f"y must be a rectangular array, got a ragged one ({error})") from None
    if array.dtype.kind not in "biuf":
        raise TypeError(f"y must hold numbers, got {describe(y, array)}")
    if array.size == 0:
        raise ValueError(f"y is empty: shape {array.shape}")
    return array


# -- lookup ------------------------------------------------------------------------------------
def get(identifier: str | Mapping[str, Any] | Loss) -> Loss:
    """A loss from its name (``"binary_cross_entropy"``, ``"cross_entropy"``, ``"mse"``, ...),
    a config dict (``{"name": "huber", "delta": 2.0}``, as :meth:`Loss.get_config` returns) or
    the instance itself."""
    if isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, Mapping):
        if "name" not in identifier:
            raise ValueError(f"a loss config needs a 'name' key, got {dict(identifier)!r}")
        arguments = {k: v for k, v in identifier.items() if k != "name"}
        name = identifier["name"]
    else:
        name, arguments = identifier, {}
    cls = LOSSES.find(name)
    if cls is None:
        raise ValueError(
            f"unknown loss {name!r}; expected a Loss, a config dict or one of {LOSSES.names()}"
        )
    try:
        return cls(**arguments)
    except TypeError as error:
        raise TypeError(f"invalid arguments {arguments!r} for loss {name!r}: {error}") from error
