"""scikit-learn's MLP losses as ffnn losses, for :mod:`ffnn.sklearn.estimators`.

scikit-learn pairs each output activation with its canonical loss, so that ``∂L/∂z = p - y``
for every pair (``z`` the logits, ``p`` the output). Its losses are weighted means over the
samples ``i`` (weights ``w_i``, ``W = Σ_i w_i``) of a per-sample term; where ffnn averages
over the ``K`` outputs too, scikit-learn sums over them (or halves a mean), so:

============================  =====================  ======================================
estimator                     ffnn loss              ``L`` (and ``∂L/∂z_ik``)
============================  =====================  ======================================
classifier, several classes   :class:`CrossEntropy`  ``Σ_i w_i (-Σ_k y_ik log p_ik) / W``
                                                      (``w_i (p_ik - y_ik) / W``)
classifier, two classes       :class:`BinaryCross-   ``Σ_i w_i ℓ_i / W``, ``ℓ`` the binary
                              Entropy`               log loss (``w_i (p_i - y_i) / W``)
classifier, multi-label       :class:`SummedBinary-  ``Σ_k Σ_i w_i ℓ_ik / W``
                              CrossEntropy`          (``w_i (p_ik - y_ik) / W``)
regressor, ``squared_error``  :class:`HalfSquared-   ``½ mean_k Σ_i w_i (z_ik - y_ik)² / W``
                              Error`                 (``w_i (z_ik - y_ik) / W``)
regressor, ``poisson``        :class:`HalfPoisson-   ``Σ_k Σ_i w_i (y log(y/μ) - y + μ) / W``,
                              Deviance`              ``μ = eᶻ`` (``w_i (μ_ik - y_ik) / W``)
============================  =====================  ======================================

The first two are ffnn's own losses, which already have these forms. scikit-learn's squared
error reports ``½ mean_k`` but steps along the gradient of ``½ Σ_k`` (its ``p - y`` is not
divided by ``K``); :class:`HalfSquaredError` keeps both, as the estimators must follow
scikit-learn's steps. Losses are computed from the logits (scikit-learn clips probabilities
at machine ε before the log, so the two differ when a prediction is that sure and wrong).

``get_config`` of the first two new forms names the ffnn loss with the same link (binary
cross-entropy, mean squared error), so that a model saved by :func:`ffnn.save` (or
:class:`~ffnn.ModelCheckpoint`) loads with the same predictions; its loss values are then
ffnn's means. The Poisson deviance has no ffnn counterpart: it is saved under its own name,
registered with :data:`ffnn.losses.LOSSES` when this module is imported (as
:mod:`ffnn.sklearn.estimators` does).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.special import xlogy

from ffnn.losses import LOSSES, BinaryCrossEntropy, Loss, MeanSquaredError

__all__ = ["HalfPoissonDeviance", "HalfSquaredError", "SummedBinaryCrossEntropy"]


@LOSSES.register("summed_binary_cross_entropy")
class SummedBinaryCrossEntropy(BinaryCrossEntropy):
    """Multi-label log loss summed over the ``K`` labels (scikit-learn's ``binary_log_loss``):
    ``K`` times :class:`~ffnn.losses.BinaryCrossEntropy`, gradient ``w_i (p - y) / W``."""

    name = "summed_binary_cross_entropy"

    def forward(self, logits: np.ndarray, y: np.ndarray, sample_weight: Any = None) -> float:
        n_labels = logits.shape[1]
        mean = super().forward(logits, y, sample_weight)
        self.backward()[...] *= n_labels
        return n_labels * mean

    def get_config(self) -> dict[str, Any]:
        return BinaryCrossEntropy().get_config()


@LOSSES.register("half_squared_error")
class HalfSquaredError(MeanSquaredError):
    """``L = ½ mean_k Σ_i w_i (z_ik - y_ik)² / W``, stepping along ``w_i (z_ik - y_ik) / W``
    (scikit-learn's ``squared_loss`` and its ``p - y``); identity link."""

    name = "half_squared_error"

    def forward(self, logits: np.ndarray, y: np.ndarray, sample_weight: Any = None) -> float:
        diff = logits - y  # (batch, K)
        terms = diff * diff
        terms *= 0.5
        return self._reduce(terms, diff, sample_weight, factor=logits.shape[1])

    def get_config(self) -> dict[str, Any]:
        return MeanSquaredError().get_config()


@LOSSES.register("half_poisson_deviance")
class HalfPoissonDeviance(Loss):
    """Half the Poisson deviance with a log link (scikit-learn's ``poisson_loss``).

    ``μ = eᶻ``; ``ℓ = y log(y/μ) - y + μ = y log y - y z - y + eᶻ`` (the right-hand form has
    no ``y/μ`` to overflow; ``0 log 0 = 0``), summed over the outputs:
    ``L = Σ_k Σ_i w_i ℓ_ik / W`` and ``∂L/∂z_ik = w_i (μ_ik - y_ik) / W``. Targets ``y ≥ 0``.
    """

    name = "half_poisson_deviance"
    link_name = "exp"  # the mean is exp(logits): the ONNX head says so

    def forward(self, logits: np.ndarray, y: np.ndarray, sample_weight: Any = None) -> float:
        n_outputs = logits.shape[1]
        with np.errstate(over="ignore"):  # a diverging run is reported by the estimator
            mu = np.exp(logits)  # (batch, K)
        terms = xlogy(y, y) - y * logits - y + mu  # (batch, K)
        mu -= y  # fused gradient μ - y
        return n_outputs * self._reduce(terms, mu, sample_weight, factor=n_outputs)

    def link(self, logits: np.ndarray) -> np.ndarray:
        with np.errstate(over="ignore"):
            return np.exp(logits)

    def prepare_targets(self, y: Any, n_outputs: int, dtype: Any) -> np.ndarray:
        targets = super().prepare_targets(y, n_outputs, dtype)
        if targets.min() < 0:
            raise ValueError(
                f"loss='poisson' needs targets y >= 0, got a minimum of {targets.min():g}"
            )
        return targets
