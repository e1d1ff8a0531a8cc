"""The data the loop trains on: :class:`TrainingData`, inputs, targets and weights together."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ffnn._checks import check_array, check_n_features, check_same_length
from ffnn.losses import Loss, check_sample_weight, class_weight_to_sample_weight
from ffnn.training.scaling import check_trainable

if TYPE_CHECKING:
    from ffnn.model import Sequential

__all__ = ["TrainingData", "validation_arguments"]


class TrainingData:
    """Inputs ``X (n, n_features)``, targets ``(n, n_outputs)`` as the loss reads them, and
    sample weights ``(n,)`` or ``None``, ready for the loop (no further checks there).

    ``X`` needs only ``shape`` and row indexing ``X[index]`` giving a dense ``(B, n_features)``
    array: an adapter may wrap another storage (the scikit-learn adapter wraps sparse rows).
    """

    def __init__(self, X: Any, targets: np.ndarray, weights: np.ndarray | None = None) -> None:
        self.X = X
        self.targets = targets
        self.weights = weights

    @classmethod
    def checked(
        cls,
        model: Sequential,
        loss_fn: Loss,
        X: Any,
        y: Any,
        sample_weight: Any,
        prefix: str = "",
    ) -> TrainingData:
        """Check ``X``, ``y`` and ``sample_weight`` against ``model`` and cast them once to its
        dtype; ``prefix`` names the data set in errors (``"validation "``). Values too large
        for any finite training in that dtype are refused
        (:func:`~ffnn.training.scaling.check_trainable`)."""
        X = check_array(X, prefix + "X", dtype=model.dtype)
        check_n_features(X, model.n_features_in, prefix + "X")
        targets = loss_fn.prepare_targets(y, model.n_outputs, model.dtype)
        check_same_length(X, targets, prefix + "X", prefix + "y")
        check_trainable(X, targets, model.dtype, prefix)
        weights = None
        if sample_weight is not None:
            weights = check_sample_weight(sample_weight, X.shape[0], model.dtype)
        return cls(X, targets, weights)

    def apply_class_weight(self, class_weight: Any, loss_fn: Loss, dtype: Any) -> None:
        """Multiply the class weights (a dict or ``"balanced"``) into the sample weights."""
        per_class = class_weight_to_sample_weight(class_weight, self.targets, loss_fn)
        weights = per_class if self.weights is None else self.weights * per_class
        # the product can vanish (zero class weights on the only weighted samples)
        self.weights = check_sample_weight(weights, self.X.shape[0], dtype)

    def subset(self, index: np.ndarray) -> TrainingData:
        weights = None if self.weights is None else self.weights[index]
        return TrainingData(self.X[index], self.targets[index], weights)

    def __len__(self) -> int:
        return int(self.X.shape[0])


def validation_arguments(validation_data: Any) -> tuple[Any, Any, Any]:
    """``(X_val, y_val, sample_weight_val or None)`` from ``fit``'s ``validation_data``."""
    if not isinstance(validation_data, tuple | list) or len(validation_data) not in (2, 3):
        raise TypeError(
            "validation_data must be a tuple (X_val, y_val) or (X_val, y_val, sample_weight_val), "
            f"got {type(validation_data).__name__}"
        )
    X_val, y_val, *rest = validation_data
    return X_val, y_val, rest[0] if rest else None
