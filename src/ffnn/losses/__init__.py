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

Modules: :mod:`~ffnn.losses._base` (the protocol, sample weights, :func:`get`),
:mod:`~ffnn.losses.classification`, :mod:`~ffnn.losses.regression`,
:mod:`~ffnn.losses.class_weights`. Every name is importable from ``ffnn.losses``.
"""

from __future__ import annotations

from ffnn.activations import softmax
from ffnn.losses._base import (
    LOSSES,
    Loss,
    LossFormulas,
    check_sample_weight,
    get,
    weighted_mean,
)
from ffnn.losses.class_weights import class_weight_to_sample_weight
from ffnn.losses.classification import BinaryCrossEntropy, CrossEntropy
from ffnn.losses.regression import Huber, MeanAbsoluteError, MeanSquaredError

__all__ = [
    "LOSSES",
    "Loss",
    "LossFormulas",
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
