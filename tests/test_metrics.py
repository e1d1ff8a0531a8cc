"""Tests for ffnn.metrics: accuracy and MAE on labels, and the per-batch metrics from logits."""

from __future__ import annotations

import numpy as np
import pytest

from ffnn.losses import BinaryCrossEntropy, CrossEntropy, MeanSquaredError
from ffnn.metrics import accuracy, get_batch_metric, mean_absolute_error


def test_accuracy_is_the_fraction_of_equal_labels_by_hand() -> None:
    assert accuracy([0, 1, 2, 2], [0, 2, 2, 1]) == 0.5


def test_accuracy_treats_a_column_and_a_flat_vector_alike_without_broadcasting() -> None:
    column, flat = np.array([[1], [0], [0]]), np.array([1, 0, 1])
    # element by element 2/3; broadcasting (3, 1) against (3,) would give 4/9
    assert accuracy(column, flat) == pytest.approx(2 / 3)
    assert accuracy(flat, column) == pytest.approx(2 / 3)
    assert accuracy(column, column) == 1.0


def test_accuracy_rejects_different_lengths_and_empty_input() -> None:
    with pytest.raises(ValueError, match=r"same shape, got \(3,\) and \(2,\)"):
        accuracy([0, 1, 1], [0, 1])
    with pytest.raises(ValueError, match="empty"):
        accuracy([], [])


def test_accuracy_matches_sklearn(rng: np.random.Generator) -> None:
    sk_metrics = pytest.importorskip("sklearn.metrics")
    y_true, y_pred = rng.integers(0, 3, 50), rng.integers(0, 3, 50)
    assert accuracy(y_true, y_pred) == pytest.approx(sk_metrics.accuracy_score(y_true, y_pred))


def test_mean_absolute_error_by_hand_and_shape_check() -> None:
    assert mean_absolute_error([[1.0, 2.0], [3.0, 4.0]], [[0.0, 2.0], [5.0, 4.0]]) == 0.75
    with pytest.raises(ValueError, match="same shape"):
        mean_absolute_error([1.0, 2.0], [[1.0], [2.0]])


def test_mean_absolute_error_matches_sklearn(rng: np.random.Generator) -> None:
    sk_metrics = pytest.importorskip("sklearn.metrics")
    a, b = rng.normal(size=30), rng.normal(size=30)
    expected = sk_metrics.mean_absolute_error(a, b)
    assert mean_absolute_error(a, b) == pytest.approx(expected, rel=1e-14)


def test_batch_accuracy_for_cross_entropy_compares_argmaxes() -> None:
    logits = np.array([[2.0, 1.0, 0.0], [0.0, 3.0, 1.0], [0.0, 0.0, 5.0]])
    targets = np.eye(3)[[0, 2, 2]]
    loss = CrossEntropy()
    assert get_batch_metric("accuracy", loss)(loss, logits, targets) == pytest.approx(2 / 3)


def test_batch_accuracy_for_multi_label_bce_scores_every_entry() -> None:
    logits = np.array([[1.0, -1.0], [-2.0, -3.0]])  # predicts [[1, 0], [0, 0]]
    targets = np.array([[1.0, 1.0], [0.0, 0.0]])
    loss = BinaryCrossEntropy()
    assert get_batch_metric("accuracy", loss)(loss, logits, targets) == 0.75


def test_batch_mae_uses_the_link_of_the_loss() -> None:
    mse, bce = MeanSquaredError(), BinaryCrossEntropy()
    logits = np.array([[1.0], [-1.0]])
    assert get_batch_metric("mae", mse)(mse, logits, np.array([[0.0], [0.0]])) == 1.0
    value = get_batch_metric("mae", bce)(bce, np.zeros((2, 1)), np.array([[0.0], [1.0]]))
    assert value == 0.5  # |σ(0) - y| = 0.5 for both


def test_get_batch_metric_rejects_unknown_names_and_accuracy_for_regression() -> None:
    with pytest.raises(ValueError, match=r"unknown metric 'r2'; expected one of \['accuracy'"):
        get_batch_metric("r2", MeanSquaredError())
    with pytest.raises(ValueError, match="needs a classification loss"):
        get_batch_metric("accuracy", MeanSquaredError())
