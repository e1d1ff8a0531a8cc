"""How an epoch's samples are cut into batches, and how a validation set is drawn.

The loop asks a batch plan for one epoch's batches at a time: ``plan.epoch(n_samples,
batch_size, rng, merge_singleton)`` yields an index (an index array or a ``slice``) per batch,
and the data are gathered with ``X[index]`` (never shuffled themselves). The default,
:class:`ShuffledBatches`, permutes the indices with the model's ``rng`` (:func:`iterate_batches`);
an adapter passes its own plan (scikit-learn's ``RandomState`` shuffle lives in
:mod:`ffnn.sklearn`).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterator
from typing import Any

import numpy as np

__all__ = ["BatchPlan", "ShuffledBatches", "iterate_batches", "split_validation"]

Index = np.ndarray | slice


def iterate_batches(
    n_samples: int, batch_size: int, rng: Any, shuffle: bool, merge_singleton: bool = False
) -> Iterator[Index]:
    """Index the samples of one epoch batch by batch.

    A single batch covering every sample is the whole data in its own order (``slice``: no
    copy, and the same summation order as the tutorial's full-batch loop; shuffling it would
    change only rounding). Otherwise the samples are permuted by ``rng`` when ``shuffle``, and
    each batch is an index array into the data (the data itself is never shuffled).
    ``merge_singleton`` folds a last batch of one sample into the one before it (batch
    normalisation cannot compute a variance from one sample).
    """
    if batch_size >= n_samples:
        yield slice(None)
        return
    order = rng.permutation(n_samples) if shuffle else np.arange(n_samples)
    stops = list(range(batch_size, n_samples, batch_size)) + [n_samples]
    if merge_singleton and len(stops) > 1 and stops[-1] - stops[-2] == 1:
        del stops[-2]
    start = 0
    for stop in stops:
        yield order[start:stop]
        start = stop


def split_validation(n_samples: int, fraction: float, rng: Any) -> tuple[np.ndarray, np.ndarray]:
    """Indices ``(train, validation)``: ``ceil(fraction · n)`` samples drawn at random by ``rng``.

    Keras takes the last samples instead; drawing them keeps sorted data from giving a
    validation set of one class. Both index arrays are sorted, so the data keeps its order.
    """
    if not isinstance(fraction, numbers.Real) or isinstance(fraction, bool):
        raise TypeError(
            f"validation_split must be a number in (0, 1), got {type(fraction).__name__} "
            f"{fraction!r}"
        )
    if not 0 < fraction < 1:
        raise ValueError(f"validation_split must be a number in (0, 1), got {fraction!r}")
    n_val = math.ceil(fraction * n_samples)
    if n_val >= n_samples:
        raise ValueError(
            f"validation_split={fraction} leaves no training samples out of {n_samples}"
        )
    order = rng.permutation(n_samples)
    return np.sort(order[n_val:]), np.sort(order[:n_val])


class BatchPlan:
    """How the loop draws the batches of an epoch; subclass and override :meth:`epoch`."""

    def epoch(
        self, n_samples: int, batch_size: int, rng: Any, merge_singleton: bool
    ) -> Iterator[Index]:
        """The indices of each batch of one epoch over ``n_samples`` samples. ``rng`` is the
        model's generator; ``merge_singleton``: fold a last batch of one sample into the one
        before (batch normalisation needs two samples)."""
        raise NotImplementedError

    def count(self, n_samples: int, batch_size: int, merge_singleton: bool) -> int:
        """Batches per epoch (for the progress bar): those of an unshuffled epoch."""
        return sum(1 for _ in iterate_batches(n_samples, batch_size, None, False, merge_singleton))


class ShuffledBatches(BatchPlan):
    """ffnn's default: a new permutation from the model's ``rng`` each epoch when ``shuffle``
    (:func:`iterate_batches`); a full batch is the data in its own order."""

    def __init__(self, shuffle: bool = True) -> None:
        self.shuffle = shuffle

    def epoch(
        self, n_samples: int, batch_size: int, rng: Any, merge_singleton: bool
    ) -> Iterator[Index]:
        return iterate_batches(n_samples, batch_size, rng, self.shuffle, merge_singleton)

    def __repr__(self) -> str:
        return f"ShuffledBatches(shuffle={self.shuffle})"
