"""What scikit-learn's MLP does differently from ffnn's loop, as objects the loop takes.

- :class:`SklearnBatches`, the batch plan: each epoch the index array is shuffled by
  ``sklearn.utils.shuffle(idx, random_state=rng)`` (the previous epoch's order shuffled again,
  with the estimator's ``RandomState``), then cut into consecutive ``gen_batches`` slices;
- :class:`SklearnL2`, the objective: for a batch of total weight ``W`` (``B`` without sample
  weights) the loss gets ``α Σ_l ‖W_l‖² / (2 W)`` and each weight matrix's gradient
  ``(α / W) W_l`` (biases are not penalised; the last, smaller batch is penalised more); the
  epoch's loss is ``Σ_b L_b B_b / n`` (batch sizes, not weights), and a batch whose weights sum
  to 0 takes no step;
- :class:`DenseRows`, sparse data seen by the loop as dense rows, one batch at a time.

The convergence rules (``tol``, ``n_iter_no_change``, early stopping) are a callback:
:mod:`ffnn.sklearn._convergence`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
from sklearn.utils import shuffle as sklearn_shuffle

from ffnn.layers import Dense, Parameter
from ffnn.model import Sequential
from ffnn.training import BatchPlan, Objective

__all__ = ["DenseRows", "SklearnBatches", "SklearnL2"]


class SklearnBatches(BatchPlan):
    """scikit-learn's batches: its ``RandomState`` shuffle of the indices, then consecutive
    slices of ``batch_size`` (the last one shorter).

    Parameters
    ----------
    random_state : the ``numpy.random.RandomState`` scikit-learn draws from (the estimator's);
        the model's own ``rng`` is not read.
    shuffle : reshuffle every epoch (scikit-learn shuffles even a single full batch, so the
        stream of random numbers is the same whatever the batch size).
    """

    def __init__(self, random_state: np.random.RandomState, shuffle: bool = True) -> None:
        if not isinstance(random_state, np.random.RandomState):
            raise TypeError(
                "SklearnBatches needs a numpy.random.RandomState, got "
                f"{type(random_state).__name__}"
            )
        self.random_state = random_state
        self.shuffle = shuffle
        self._order: np.ndarray | None = None

    def epoch(
        self, n_samples: int, batch_size: int, rng: Any, merge_singleton: bool
    ) -> Iterator[np.ndarray | slice]:
        if not self.shuffle:
            yield from _slices(n_samples, batch_size, merge_singleton)
            return
        if self._order is None or self._order.shape[0] != n_samples:
            self._order = np.arange(n_samples, dtype=int)
        # shuffle the indices, not the data: batches are gathered from them
        self._order = sklearn_shuffle(self._order, random_state=self.random_state)
        for batch in _slices(n_samples, batch_size, merge_singleton):
            yield self._order[batch]

    def count(self, n_samples: int, batch_size: int, merge_singleton: bool) -> int:
        return sum(1 for _ in _slices(n_samples, batch_size, merge_singleton))

    def __repr__(self) -> str:
        return f"SklearnBatches(shuffle={self.shuffle})"


def _slices(n_samples: int, batch_size: int, merge_singleton: bool) -> list[slice]:
    """``sklearn.utils.gen_batches(n_samples, batch_size)``: consecutive slices, the last one
    shorter (written out: the original validates its arguments on every call, every epoch);
    ``merge_singleton`` folds a last slice of one sample into the one before."""
    slices = [
        slice(start, min(start + batch_size, n_samples))
        for start in range(0, n_samples, batch_size)
    ]
    if merge_singleton and len(slices) > 1 and slices[-1].stop - slices[-1].start == 1:
        slices[-2:] = [slice(slices[-2].start, n_samples)]
    return slices


class SklearnL2(Objective):
    """scikit-learn's objective: ``L + α Σ_l ‖W_l‖² / (2 W)`` for a batch of total weight
    ``W``, gradient ``∂/∂W_l = (α / W) W_l`` (the weight matrices of the :class:`Dense`
    layers; biases are not penalised). The epoch's loss weighs batches by their size, and a
    batch of total weight 0 takes no step."""

    average_by_count = True
    skip_weightless = True

    def __init__(self, alpha: float) -> None:
        self.alpha = float(alpha)
        self.weights: list[Parameter] = []

    def bind(self, model: Sequential) -> None:
        self.weights = [layer.weight for layer in model.layers if isinstance(layer, Dense)]

    def total(self, loss: float, batch_weight: float) -> float:
        if not self.alpha:
            return loss + 0.0
        squares = sum(float(np.dot(w.data.ravel(), w.data.ravel())) for w in self.weights)
        return loss + 0.5 * self.alpha * squares / batch_weight

    def add_gradients(self, batch_weight: float) -> None:
        if self.alpha:
            for w in self.weights:
                w.grad += w.data * (self.alpha / batch_weight)

    def __repr__(self) -> str:
        return f"SklearnL2(alpha={self.alpha!r})"


class DenseRows:
    """A sparse matrix ``(n, n_features)`` seen as rows of a dense one: ``rows[index]`` is the
    dense ``(B, n_features)`` array of those rows (the layers work on dense arrays)."""

    def __init__(self, matrix: Any) -> None:
        self.matrix = matrix.tocsr()
        self.shape = self.matrix.shape

    def __getitem__(self, index: Any) -> np.ndarray:
        return np.asarray(self.matrix[index].toarray())
