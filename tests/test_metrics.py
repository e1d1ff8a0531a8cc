"""Tests for ffnn.metrics: accuracy, MAE, MSE and R² on labels and values (against scikit-learn,
with sample weights), and the per-batch metrics from logits."""

from __future__ import annotations

import numpy as np
import pytest

from ffnn.losses import BinaryCrossEntropy, CrossEntropy, Huber, MeanSquaredError
from ffnn.metrics import (
    accuracy,
    get_batch_metric,
    mean_absolute_error,
    mean_squared_error,
    r2_score,
)


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
    # one output as a column and as a flat vector compare element by element, not (n, n)
    assert mean_absolute_error([1.0, 2.0], [[1.5], [2.0]]) == 0.25
    with pytest.raises(ValueError, match="same shape"):
        mean_absolute_error([1.0, 2.0], [[1.0, 1.0], [2.0, 2.0]])


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


# -- sample weights and the new metrics against scikit-learn -------------------------------------
@pytest.mark.parametrize("shape", [(40,), (40, 3)], ids=["single_output", "multi_output"])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("name", ["mean_absolute_error", "mean_squared_error", "r2_score"])
def test_regression_metrics_match_sklearn(
    name: str, weighted: bool, shape: tuple[int, ...], rng: np.random.Generator
) -> None:
    sk_metrics = pytest.importorskip("sklearn.metrics")
    y_true = rng.normal(size=shape)
    y_pred = y_true + rng.normal(scale=0.5, size=shape)
    weight = rng.uniform(0.0, 3.0, size=shape[0]) if weighted else None
    ours = {
        "mean_absolute_error": mean_absolute_error,
        "mean_squared_error": mean_squared_error,
        "r2_score": r2_score,
    }[name]
    expected = getattr(sk_metrics, name)(y_true, y_pred, sample_weight=weight)
    assert ours(y_true, y_pred, sample_weight=weight) == pytest.approx(expected, rel=1e-13)


def test_weighted_accuracy_matches_sklearn(rng: np.random.Generator) -> None:
    sk_metrics = pytest.importorskip("sklearn.metrics")
    y_true, y_pred = rng.integers(0, 3, 50), rng.integers(0, 3, 50)
    weight = rng.uniform(0.0, 2.0, 50)
    expected = sk_metrics.accuracy_score(y_true, y_pred, sample_weight=weight)
    assert accuracy(y_true, y_pred, sample_weight=weight) == pytest.approx(expected, rel=1e-14)


def test_accuracy_with_weights_by_hand() -> None:
    # right, wrong, right with weights 1, 3, 0: 1 / 4
    assert accuracy([0, 1, 2], [0, 2, 2], sample_weight=[1, 3, 0]) == 0.25


def test_r2_score_by_hand_and_for_constant_targets_as_sklearn() -> None:
    # residuals 0, 0, 1 (squared 1); spread about the mean 2: 2 -> 1 - 1/2
    assert r2_score([1.0, 2.0, 3.0], [1.0, 2.0, 2.0]) == 0.5
    assert r2_score([2.0, 2.0, 2.0], [2.0, 2.0, 2.0]) == 1.0  # constant, predicted exactly
    assert r2_score([2.0, 2.0, 2.0], [2.0, 2.0, 2.5]) == 0.0  # constant, predicted wrongly
    # one output of each kind, averaged uniformly
    assert (
        r2_score([[1.0, 2.0], [2.0, 2.0], [3.0, 2.0]], [[1.0, 2.0], [2.0, 2.0], [2.0, 3.0]])
        == (0.5 + 0.0) / 2
    )


def test_r2_score_for_constant_targets_matches_sklearn() -> None:
    sk_metrics = pytest.importorskip("sklearn.metrics")
    y_true = np.array([[2.0, 1.0], [2.0, 1.0], [2.0, 3.0]])
    for y_pred in (y_true, y_true + [[0.0, 0.5], [0.0, 0.0], [0.1, 0.0]]):
        assert r2_score(y_true, y_pred) == pytest.approx(sk_metrics.r2_score(y_true, y_pred))


def test_r2_score_needs_two_samples() -> None:
    with pytest.raises(ValueError, match="at least 2 samples, got 1"):
        r2_score([1.0], [2.0])


@pytest.mark.parametrize("metric", [accuracy, mean_absolute_error, mean_squared_error, r2_score])
def test_metrics_check_the_sample_weight(metric) -> None:
    with pytest.raises(ValueError, match=r"sample_weight must have shape \(n_samples,\) = \(3,\)"):
        metric([0, 1, 1], [0, 1, 0], sample_weight=[1.0, 1.0])
    with pytest.raises(ValueError, match="sample_weight must be non-negative"):
        metric([0, 1, 1], [0, 1, 0], sample_weight=[1.0, -1.0, 1.0])
    with pytest.raises(ValueError, match="same shape"):
        metric([0, 1, 1], [0, 1], sample_weight=None)


def test_mean_squared_error_by_hand() -> None:
    assert mean_squared_error([[1.0, 2.0], [3.0, 4.0]], [[0.0, 2.0], [5.0, 4.0]]) == 1.25


# -- batch metrics with sample weights -------------------------------------------------------
def test_batch_mse_uses_the_link_of_the_loss() -> None:
    mse, bce = MeanSquaredError(), BinaryCrossEntropy()
    logits = np.array([[1.0], [-2.0]])
    assert get_batch_metric("mse", mse)(mse, logits, np.zeros((2, 1))) == 2.5
    value = get_batch_metric("mse", bce)(bce, np.zeros((2, 1)), np.array([[0.0], [1.0]]))
    assert value == 0.25


@pytest.mark.parametrize("name", ["mae", "mse"])
def test_weighted_batch_metrics_equal_the_label_metrics(
    name: str, rng: np.random.Generator
) -> None:
    loss = Huber()
    logits, targets = rng.normal(size=(8, 2)), rng.normal(size=(8, 2))
    weight = rng.uniform(0.0, 2.0, 8)
    reference = {"mae": mean_absolute_error, "mse": mean_squared_error}[name]
    value = get_batch_metric(name, loss)(loss, logits, targets, weight)
    assert value == pytest.approx(reference(targets, logits, sample_weight=weight), rel=1e-14)


def test_weighted_batch_accuracy_for_cross_entropy_and_multi_label_bce_by_hand() -> None:
    ce = CrossEntropy()
    logits = np.array([[2.0, 1.0, 0.0], [0.0, 3.0, 1.0], [0.0, 0.0, 5.0]])
    targets = np.eye(3)[[0, 2, 2]]  # right, wrong, right
    weight = np.array([1.0, 2.0, 1.0])
    assert get_batch_metric("accuracy", ce)(ce, logits, targets, weight) == 0.5
    bce = BinaryCrossEntropy()
    logits = np.array([[1.0, -1.0], [-2.0, -3.0]], dtype=np.float32)  # [[1, 0], [0, 0]]
    targets = np.array([[1.0, 1.0], [0.0, 0.0]], dtype=np.float32)  # rows: 1/2, 2/2 right
    weight32 = np.array([3.0, 1.0], dtype=np.float32)
    value = get_batch_metric("accuracy", bce)(bce, logits, targets, weight32)
    assert value == pytest.approx((3 * 0.5 + 1 * 1.0) / 4)


def test_batch_metrics_of_a_zero_weight_batch_are_zero() -> None:
    mse = MeanSquaredError()
    metric = get_batch_metric("mae", mse)
    assert metric(mse, np.ones((2, 1)), np.zeros((2, 1)), np.zeros(2)) == 0.0
