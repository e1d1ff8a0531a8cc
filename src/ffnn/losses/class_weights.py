"""Class weights turned into per-sample weights (``class_weight={0: 1.0, 1: 5.0}`` or
``"balanced"``), for the classification losses."""

from __future__ import annotations

import numbers
from collections.abc import Mapping
from typing import Any

import numpy as np

from ffnn.losses._base import Loss
from ffnn.losses.classification import BinaryCrossEntropy, CrossEntropy

__all__ = ["class_weight_to_sample_weight"]


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
