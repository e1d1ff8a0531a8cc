"""Losses computed from the network's raw outputs (logits), each with its gradient.

A network ends in a Dense layer; the loss owns the output link (sigmoid, softmax or identity)
and computes it together with the loss, so that no logit, however large, gives ``log(0)``.
The gradient of "link + loss" with respect to the logits is the fused ``(p - y)``, divided by
the number of terms averaged.

Protocol: ``forward(logits, y) -> float`` (the mean loss, keeping what backward needs),
``backward() -> ∂L/∂logits`` (same shape as the logits), ``link(logits)`` (the probabilities or
predicted values), ``predict(logits)`` (labels or values), ``prepare_targets(y, n_outputs, dtype)``
(checked targets shaped like the logits).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ffnn.activations import sigmoid

__all__ = ["Loss", "BinaryCrossEntropy", "CrossEntropy", "MeanSquaredError", "softmax", "get"]


def softmax(z: np.ndarray) -> np.ndarray:
    """Row-wise ``softmax(z)_k = exp(z_k - max z) / Σ_j exp(z_j - max z)``; ``(batch, K)``."""
    shifted = z - z.max(axis=1, keepdims=True)
    np.exp(shifted, out=shifted)
    shifted /= shifted.sum(axis=1, keepdims=True)
    return shifted


class Loss:
    """Base class. ``is_classifier`` tells whether ``predict`` returns labels."""

    is_classifier = False
    name = "loss"

    def __init__(self) -> None:
        self._grad: np.ndarray | None = None

    def forward(self, logits: np.ndarray, y: np.ndarray) -> float:
        raise NotImplementedError

    def __call__(self, logits: np.ndarray, y: np.ndarray) -> float:
        return self.forward(logits, y)

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
        y = y.astype(dtype, copy=False)
        if not np.isfinite(y).all():
            raise ValueError("y contains NaN or infinity")
        return y

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


def _as_numeric(y: Any) -> np.ndarray:
    if hasattr(y, "to_numpy") and not isinstance(y, np.ndarray):
        y = y.to_numpy()
    y = np.asarray(y)
    if y.dtype.kind not in "biuf":
        raise TypeError(f"y must hold numbers, got an array of dtype {y.dtype}")
    if y.size == 0:
        raise ValueError(f"y is empty: shape {y.shape}")
    return y


class BinaryCrossEntropy(Loss):
    """Sigmoid + binary cross-entropy, from logits; binary (one output) or multi-label.

    With ``p = σ(z)``:
    ``ℓ = -[y log p + (1 - y) log(1 - p)] = max(z, 0) - z y + log(1 + e^{-|z|})``,
    the right-hand form being finite for every finite ``z``. ``L`` is the mean of ``ℓ`` over
    all ``batch × n_outputs`` entries (as ``torch.nn.BCEWithLogitsLoss``); for one output it
    is the tutorial's ``compute_loss``.

    ``∂L/∂z = (p - y) / (batch · n_outputs)``: the tutorial's ``dZ2 = A2 - y`` with the mean.
    Targets are 0/1 (or probabilities in [0, 1]).
    """

    is_classifier = True
    name = "binary_cross_entropy"

    def forward(self, logits: np.ndarray, y: np.ndarray) -> float:
        p = sigmoid(logits)  # (batch, n_outputs)
        terms = np.maximum(logits, 0) - logits * y + np.log1p(np.exp(-np.abs(logits)))
        loss = float(terms.mean())
        p -= y  # fused gradient (p - y), reusing p's buffer
        p /= logits.size
        self._grad = p
        return loss

    def link(self, logits: np.ndarray) -> np.ndarray:
        return sigmoid(logits)

    def predict(self, logits: np.ndarray) -> np.ndarray:
        return (self.link(logits) > 0.5).astype(np.int64)

    def prepare_targets(self, y: Any, n_outputs: int, dtype: Any) -> np.ndarray:
        y = super().prepare_targets(y, n_outputs, dtype)
        if y.min() < 0 or y.max() > 1:
            raise ValueError(
                "binary_cross_entropy expects targets in [0, 1] (class labels 0 and 1), got "
                f"values from {y.min():g} to {y.max():g}; encode the classes as 0/1 first"
            )
        return y


class CrossEntropy(Loss):
    """Softmax + categorical cross-entropy, from logits; integer labels or one-hot rows.

    ``ℓ = -Σ_k y_k log softmax(z)_k = logsumexp(z) - Σ_k y_k z_k`` (for rows of ``y`` summing to
    one), computed with the maximum subtracted so it is finite for every finite ``z``.
    ``L`` is the mean over the batch; ``∂L/∂z = (softmax(z) - y) / batch``.
    """

    is_classifier = True
    name = "cross_entropy"

    def forward(self, logits: np.ndarray, y: np.ndarray) -> float:
        shifted = logits - logits.max(axis=1, keepdims=True)  # (batch, K), max entry 0
        exp = np.exp(shifted)
        sum_exp = exp.sum(axis=1, keepdims=True)  # (batch, 1), >= 1
        log_sum_exp = np.log(sum_exp)
        loss = float((log_sum_exp[:, 0] - (y * shifted).sum(axis=1)).mean())
        exp /= sum_exp  # softmax probabilities
        exp -= y
        exp /= logits.shape[0]
        self._grad = exp
        return loss

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
                if not np.isfinite(labels).all() or (labels != np.round(labels)).any():
                    raise ValueError("cross_entropy expects integer class labels in y")
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
        y = y.astype(dtype, copy=False)
        if not np.isfinite(y).all() or y.min() < 0 or not np.allclose(y.sum(axis=1), 1, atol=1e-4):
            raise ValueError("one-hot targets must be non-negative rows that sum to 1")
        return y


class MeanSquaredError(Loss):
    """Mean squared error over all entries: ``L = mean((z - y)²)``; ``∂L/∂z = 2 (z - y) / N``.

    ``N = batch · n_outputs``, as ``torch.nn.MSELoss``. The output link is the identity.
    """

    name = "mean_squared_error"

    def forward(self, logits: np.ndarray, y: np.ndarray) -> float:
        diff = logits - y
        loss = float(np.mean(diff * diff))
        diff *= 2 / logits.size
        self._grad = diff
        return loss


_BY_NAME: dict[str, type[Loss]] = {
    "binary_cross_entropy": BinaryCrossEntropy,
    "binary_crossentropy": BinaryCrossEntropy,
    "bce": BinaryCrossEntropy,
    "cross_entropy": CrossEntropy,
    "categorical_crossentropy": CrossEntropy,
    "sparse_categorical_crossentropy": CrossEntropy,
    "mean_squared_error": MeanSquaredError,
    "mse": MeanSquaredError,
}


def get(identifier: str | Loss) -> Loss:
    """A loss from its name (``"binary_cross_entropy"``, ``"cross_entropy"``, ``"mse"``, ...)
    or the instance itself."""
    if isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, str) and identifier.lower() in _BY_NAME:
        return _BY_NAME[identifier.lower()]()
    raise ValueError(f"unknown loss {identifier!r}; expected a Loss or one of {sorted(_BY_NAME)}")
