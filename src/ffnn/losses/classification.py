"""Classification losses from logits: sigmoid + binary cross-entropy, softmax + cross-entropy,
each computed with its link so that no logit gives ``log(0)``."""

from __future__ import annotations

from typing import Any

import numpy as np

from ffnn._checks import check_array
from ffnn.activations import sigmoid, softmax
from ffnn.losses._base import LOSSES, Loss, LossFormulas, _as_numeric

__all__ = ["BinaryCrossEntropy", "CrossEntropy"]


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
    link_name = "sigmoid"

    def forward(self, logits: np.ndarray, y: np.ndarray, sample_weight: Any = None) -> float:
        p = sigmoid(logits)  # (batch, n_outputs)
        terms = np.maximum(logits, 0) - logits * y + np.log1p(np.exp(-np.abs(logits)))
        p -= y  # fused gradient (p - y), reusing p's buffer
        return self._reduce(terms, p, sample_weight)

    def formulas(self, out: str, prob: str, n: str) -> LossFormulas:
        return LossFormulas(
            f"{prob} = σ({out}) = 1 / (1 + exp(-{out}))   (inside the loss)",
            f"L = -(1/{n}) Σ [y·log {prob} + (1 - y)·log(1 - {prob})]",
            f"computed from {out}: mean of max({out}, 0) - {out}·y + log(1 + exp(-|{out}|)),\n"
            "the same number without ever taking log(0)",
            f"d{out} = ({prob} - y) / {n}",
            "sigmoid and cross-entropy differentiated together: the tutorial's dZ2 = A2 - y,\n"
            f"with the 1/{n} it puts in dW2 and db2 taken here once",
        )

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
    link_name = "softmax"

    def forward(self, logits: np.ndarray, y: np.ndarray, sample_weight: Any = None) -> float:
        shifted = logits - logits.max(axis=1, keepdims=True)  # (batch, K), max entry 0
        exp = np.exp(shifted)
        sum_exp = exp.sum(axis=1, keepdims=True)  # (batch, 1), >= 1
        terms = np.log(sum_exp)[:, 0] - (y * shifted).sum(axis=1)  # (batch,)
        exp /= sum_exp  # softmax probabilities
        exp -= y
        return self._reduce(terms, exp, sample_weight)

    def formulas(self, out: str, prob: str, n: str) -> LossFormulas:
        return LossFormulas(
            f"{prob} = softmax({out}), row by row: exp(z_k) / Σ_j exp(z_j)   (inside the loss)",
            f"L = -(1/{n}) Σ_i Σ_k y_ik·log {prob}_ik   (y one-hot)",
            f"computed from {out}: mean of log Σ_j exp(z_j) - Σ_k y_k·z_k (log-sum-exp)",
            f"d{out} = ({prob} - y) / {n}",
            f"softmax and cross-entropy differentiated together; the 1/{n} of the mean taken here",
        )

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
