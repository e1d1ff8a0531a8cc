"""Losses computed from the network's raw outputs (logits), each with its gradient.

A network ends in a Dense layer; the loss owns the output link (sigmoid, softmax or identity)
and computes it together with the loss, so that no logit, however large, gives ``log(0)``.
The gradient of "link + loss" with respect to the logits is the fused ``(p - y)``, divided by
the number of terms averaged.

Protocol: ``forward(logits, y, sample_weight=None) -> float`` (the mean loss, keeping what
backward needs), ``backward() -> ∂L/∂logits`` (same shape as the logits), ``link(logits)`` (the
probabilities or predicted values), ``predict(logits)`` (labels or values),
``prepare_targets(y, n_outputs, dtype)`` (checked targets shaped like the logits, once per fit),
``get_config()`` (the dict :func:`get` rebuilds the loss from).

Sample weights ``w (batch,)`` make the loss the weighted average of the per-sample losses,
``L = Σ_i w_i ℓ_i / Σ_i w_i`` with ``ℓ_i`` the mean over sample ``i``'s outputs (as
``np.average`` in scikit-learn's MLP and torch's weighted ``CrossEntropyLoss``); the gradient
of entry ``(i, k)`` becomes ``w_i ∂ℓ_ik/∂z_ik / (Σw · n_outputs)``. Without weights this is the
plain mean over all entries. :func:`class_weight_to_sample_weight` turns class weights into
sample weights; :func:`check_sample_weight` checks user weights once per fit.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping
from typing import Any

import numpy as np

from ffnn._checks import check_array, check_positive_float, describe
from ffnn._registry import Registry
from ffnn.activations import sigmoid, softmax

__all__ = [
    "Loss",
    "BinaryCrossEntropy",
    "CrossEntropy",
    "MeanSquaredError",
    "MeanAbsoluteError",
    "Huber",
    "softmax",
    "weighted_mean",
    "check_sample_weight",
    "class_weight_to_sample_weight",
    "get",
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


class Loss:
    """Base class. ``is_classifier`` tells whether ``predict`` returns labels."""

    is_classifier = False
    name = "loss"

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


@LOSSES.register("binary_cross_entropy", "binary_crossentropy", "bce")
class BinaryCrossEntropy(Loss):
    """Sigmoid + binary cross-entropy, from logits; binary (one output) or multi-label.

    With ``p = σ(z)``:
    ``ℓ = -[y log p + (1 - y) log(1 - p)] = max(z, 0) - z y + log(1 + e^{-|z|})``,
    the right-hand form being finite for every finite ``z``. ``L`` is the mean of ``ℓ`` over
    all ``batch × n_outputs`` entries (as ``torch.nn.BCEWithLogitsLoss``); for one output it
    is the tutorial's ``compute_loss``.

    ``∂L/∂z = (p - y) / (batch · n_outputs)``: the tutorial's ``dZ2 = A2 - y`` with the mean.
    Targets are 0/1 (or probabilities in [0, 1]), ``(batch, 1)`` for two classes or
    ``(batch, n_labels)`` for multi-label; ``predict`` gives 0/1 of the same shape.
    """

    is_classifier = True
    name = "binary_cross_entropy"

    def forward(self, logits: np.ndarray, y: np.ndarray, sample_weight: Any = None) -> float:
        p = sigmoid(logits)  # (batch, n_outputs)
        terms = np.maximum(logits, 0) - logits * y + np.log1p(np.exp(-np.abs(logits)))
        p -= y  # fused gradient (p - y), reusing p's buffer
        return self._reduce(terms, p, sample_weight)

    def link(self, logits: np.ndarray) -> np.ndarray:
        return sigmoid(logits)

    def predict(self, logits: np.ndarray) -> np.ndarray:
        return (self.link(logits) > 0.5).astype(np.int64)

    def prepare_targets(self, y: Any, n_outputs: int, dtype: Any) -> np.ndarray:
        y = super().prepare_targets(y, n_outputs, dtype)
        if y.min() < 0 or y.max() > 1:
            raise ValueError(
                "binary_cross_entropy expects y to hold targets in [0, 1] (class labels 0 "
                f"and 1), got values from {y.min():g} to {y.max():g}; encode the classes as 0/1 "
                "first"
            )
        return y


@LOSSES.register("cross_entropy", "categorical_crossentropy", "sparse_categorical_crossentropy")
class CrossEntropy(Loss):
    """Softmax + categorical cross-entropy, from logits; integer labels or one-hot rows.

    ``ℓ = -Σ_k y_k log softmax(z)_k = logsumexp(z) - Σ_k y_k z_k`` (for rows of ``y`` summing to
    one), computed with the maximum subtracted so it is finite for every finite ``z``.
    ``L`` is the mean over the batch (one term per sample); ``∂L/∂z = (softmax(z) - y) / batch``.
    Targets: labels ``(n,)`` become one-hot rows ``(n, K)``; probability rows are kept.
    """

    is_classifier = True
    name = "cross_entropy"

    def forward(self, logits: np.ndarray, y: np.ndarray, sample_weight: Any = None) -> float:
        shifted = logits - logits.max(axis=1, keepdims=True)  # (batch, K), max entry 0
        exp = np.exp(shifted)
        sum_exp = exp.sum(axis=1, keepdims=True)  # (batch, 1), >= 1
        terms = np.log(sum_exp)[:, 0] - (y * shifted).sum(axis=1)  # (batch,)
        exp /= sum_exp  # softmax probabilities
        exp -= y
        return self._reduce(terms, exp, sample_weight)

    def link(self, logits: np.ndarray) -> np.ndarray:
        return softmax(logits)

    def predict(self, logits: np.ndarray) -> np.ndarray:
        return np.argmax(logits, axis=1)

    def prepare_targets(self, y: Any, n_outputs: int, dtype: Any) -> np.ndarray:
        if n_outputs < 2:
            raise ValueError(
                "cross_entropy needs one output per class (at least 2), the network has "
                f"{n_outputs}; for two classes use binary_cross_entropy with 1 output"
            )
        y = _as_numeric(y)
        if y.ndim == 2 and y.shape[1] == 1:
            y = y[:, 0]
        if y.ndim == 1:
            labels = y
            if labels.dtype.kind == "b":
                # as an index array a bool array would be read as a mask, not as labels 0/1
                labels = labels.astype(np.int64)
            if labels.dtype.kind == "f":
                labels = check_array(labels, "y", ndim=1)
                fractional = np.flatnonzero(labels != np.round(labels))
                if fractional.size:
                    raise ValueError(
                        "cross_entropy expects integer class labels in y, got "
                        f"{labels[fractional[0]]:g} at index {fractional[0]}"
                    )
                labels = labels.astype(np.int64)
            if labels.min() < 0 or labels.max() >= n_outputs:
                raise ValueError(
                    f"cross_entropy expects class labels 0..{n_outputs - 1} for a network with "
                    f"{n_outputs} outputs, got labels from {labels.min()} to {labels.max()}"
                )
            one_hot = np.zeros((labels.shape[0], n_outputs), dtype=dtype)
            one_hot[np.arange(labels.shape[0]), labels] = 1
            return one_hot
        if y.ndim != 2 or y.shape[1] != n_outputs:
            raise ValueError(
                f"y must be class labels (n_samples,) or one-hot rows (n_samples, {n_outputs}), "
                f"got shape {y.shape}"
            )
        y = check_array(y, "y", dtype=dtype)
        bad = np.flatnonzero((y.min(axis=1) < 0) | ~np.isclose(y.sum(axis=1), 1, atol=1e-4))
        if bad.size:
            raise ValueError(
                "one-hot targets must be non-negative rows that sum to 1, got row "
                f"{bad[0]}: {y[bad[0]]}"
            )
        return y


@LOSSES.register("mean_squared_error", "mse")
class MeanSquaredError(Loss):
    """Mean squared error over all entries: ``L = mean((z - y)²)``; ``∂L/∂z = 2 (z - y) / N``.

    ``N = batch · n_outputs``, as ``torch.nn.MSELoss``. The output link is the identity.
    """

    name = "mean_squared_error"

    def forward(self, logits: np.ndarray, y: np.ndarray, sample_weight: Any = None) -> float:
        diff = logits - y
        return self._reduce(diff * diff, diff, sample_weight, factor=2.0)


@LOSSES.register("mean_absolute_error", "mae")
class MeanAbsoluteError(Loss):
    """Mean absolute error over all entries: ``L = mean|z - y|``; ``∂L/∂z = sign(z - y) / N``.

    ``N = batch · n_outputs``, as ``torch.nn.L1Loss``; the gradient at ``z = y`` is 0.
    """

    name = "mean_absolute_error"

    def forward(self, logits: np.ndarray, y: np.ndarray, sample_weight: Any = None) -> float:
        diff = logits - y
        terms = np.abs(diff)
        np.sign(diff, out=diff)
        return self._reduce(terms, diff, sample_weight)


@LOSSES.register("huber")
class Huber(Loss):
    """Huber loss, quadratic near zero and linear beyond ``delta`` (``torch.nn.HuberLoss``).

    With ``x = z - y``: ``ℓ = 0.5 x²`` if ``|x| ≤ δ`` else ``δ (|x| - 0.5 δ)``, mean over all
    ``N = batch · n_outputs`` entries; ``∂L/∂z = clip(x, -δ, δ) / N``.

    Parameters
    ----------
    delta : δ > 0, where the quadratic part turns linear.
    """

    name = "huber"

    def __init__(self, delta: float = 1.0) -> None:
        super().__init__()
        self.delta = check_positive_float(delta, "delta")

    def forward(self, logits: np.ndarray, y: np.ndarray, sample_weight: Any = None) -> float:
        diff = logits - y
        size = np.abs(diff)
        quadratic = np.minimum(size, self.delta)
        size -= quadratic  # the linear part, |x| - min(|x|, δ)
        # 0.5 q² + δ (|x| - q): 0.5 x² inside, 0.5 δ² + δ (|x| - δ) = δ (|x| - 0.5 δ) beyond
        terms = 0.5 * quadratic * quadratic + self.delta * size
        np.clip(diff, -self.delta, self.delta, out=diff)
        return self._reduce(terms, diff, sample_weight)

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "delta": self.delta}


# -- class weights -----------------------------------------------------------------------------
def _class_labels(targets: np.ndarray, loss: Loss) -> tuple[np.ndarray, int]:
    """The class index of each prepared target row, and the number of classes."""
    if not isinstance(loss, BinaryCrossEntropy | CrossEntropy):
        raise ValueError(
            f"class_weight needs a classification loss (binary_cross_entropy or cross_entropy), "
            f"got {loss!r}; pass sample_weight instead"
        )
    if not isinstance(targets, np.ndarray) or targets.ndim != 2:
        raise ValueError(
            "class_weight needs targets prepared by loss.prepare_targets, (n_samples, n_outputs), "
            f"got {type(targets).__name__} of shape {np.shape(targets)}"
        )
    if isinstance(loss, BinaryCrossEntropy) and targets.shape[1] != 1:
        raise ValueError(
            f"class_weight needs one class per sample; multi-label binary_cross_entropy with "
            f"{targets.shape[1]} outputs has none: pass sample_weight instead"
        )
    if not ((targets == 0) | (targets == 1)).all():
        raise ValueError(
            "class_weight needs hard labels (0/1 or one-hot rows), got targets with values "
            "strictly between 0 and 1"
        )
    if isinstance(loss, CrossEntropy):
        return targets.argmax(axis=1), targets.shape[1]
    return targets[:, 0].astype(np.int64), 2


def class_weight_to_sample_weight(
    class_weight: Mapping[Any, float] | str, targets: np.ndarray, loss: Loss
) -> np.ndarray:
    """Per-sample weights ``(n_samples,)`` (in ``targets``' dtype): each sample gets its class's.

    Parameters
    ----------
    class_weight : ``{class_index: weight}`` (classes left out weigh 1) or ``"balanced"``:
        ``n_samples / (n_classes · count_c)``, as scikit-learn's
        ``compute_class_weight("balanced")``, with ``n_classes`` the classes present (a class
        with no sample has no weight to compute).
    targets : ``(n_samples, n_outputs)`` as returned by ``loss.prepare_targets``: one-hot rows
        for cross-entropy, a 0/1 column for binary cross-entropy.
    loss : a :class:`CrossEntropy`, or a :class:`BinaryCrossEntropy` with one output.
        Multi-label and regression losses raise ``ValueError``.
    """
    labels, n_classes = _class_labels(targets, loss)
    counts = np.bincount(labels, minlength=n_classes)  # (n_classes,)
    per_class = np.ones(n_classes)
    if isinstance(class_weight, str):
        if class_weight != "balanced":
            raise ValueError(
                f"class_weight must be a dict {{class_index: weight}} or 'balanced', "
                f"got {class_weight!r}"
            )
        present = counts > 0
        per_class[present] = labels.shape[0] / (present.sum() * counts[present])
    elif isinstance(class_weight, Mapping):
        unknown = [
            key
            for key in class_weight
            if not (
                isinstance(key, numbers.Real)
                and float(key).is_integer()
                and 0 <= float(key) < n_classes
            )
        ]
        if unknown:
            raise ValueError(
                f"class_weight has keys {unknown} that are not class indices "
                f"0..{n_classes - 1} of {loss!r}"
            )
        for key, value in class_weight.items():  # a loop over classes, not samples
            if not isinstance(value, numbers.Real) or not np.isfinite(value) or value < 0:
                raise ValueError(
                    f"class_weight[{key!r}] must be a finite non-negative number, got {value!r}"
                )
            per_class[int(key)] = value
    else:
        raise TypeError(
            "class_weight must be a dict {class_index: weight} or 'balanced', "
            f"got {type(class_weight).__name__}"
        )
    sample_weight = per_class[labels].astype(targets.dtype)  # (n_samples,)
    if not sample_weight.any():
        raise ValueError(f"class_weight {class_weight!r} gives every sample the weight 0")
    return sample_weight


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
