"""Tests for ffnn.losses: values against probability-space formulas and scikit-learn, gradients
against finite differences, finiteness for extreme logits, and target preparation."""

from __future__ import annotations

import numpy as np
import pytest

from ffnn import losses
from ffnn.losses import BinaryCrossEntropy, CrossEntropy, Loss, MeanSquaredError, softmax


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def _one_hot(labels: np.ndarray, n_classes: int) -> np.ndarray:
    return np.eye(n_classes)[labels]


@pytest.fixture
def bce_case(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Moderate logits (6, 3) and 0/1 multi-label targets."""
    return rng.normal(scale=2.0, size=(6, 3)), rng.integers(0, 2, size=(6, 3)).astype(float)


@pytest.fixture
def ce_case(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Moderate logits (6, 4), labels and their one-hot rows."""
    labels = np.array([0, 1, 2, 3, 1, 2])
    return rng.normal(scale=2.0, size=(6, 4)), labels


# -- values against direct formulas ----------------------------------------------------------
def test_bce_value_matches_the_probability_space_formula(bce_case) -> None:
    logits, y = bce_case
    p = _sigmoid(logits)
    expected = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    assert BinaryCrossEntropy()(logits, y) == pytest.approx(expected, rel=1e-12)


def test_ce_value_matches_the_probability_space_formula(ce_case) -> None:
    logits, labels = ce_case
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    expected = -np.mean(np.log(p[np.arange(6), labels]))
    assert CrossEntropy()(logits, _one_hot(labels, 4)) == pytest.approx(expected, rel=1e-12)


def test_mse_value_is_the_mean_over_all_entries_by_hand() -> None:
    logits = np.array([[1.0, 2.0], [3.0, -1.0]])
    y = np.array([[0.0, 2.0], [1.0, 1.0]])
    # squared errors 1, 0, 4, 4 -> mean 9/4
    assert MeanSquaredError()(logits, y) == 2.25


def test_bce_single_output_is_the_tutorials_compute_loss_by_hand() -> None:
    logits = np.array([[0.0], [np.log(3.0)]])  # p = 0.5 and 0.75
    y = np.array([[1.0], [0.0]])
    expected = -(np.log(0.5) + np.log(0.25)) / 2
    assert BinaryCrossEntropy()(logits, y) == pytest.approx(expected, rel=1e-14)


def test_bce_value_matches_sklearn_log_loss(rng: np.random.Generator) -> None:
    metrics = pytest.importorskip("sklearn.metrics")
    logits = rng.normal(scale=3.0, size=(20, 1))
    y = rng.integers(0, 2, size=(20, 1)).astype(float)
    expected = metrics.log_loss(y[:, 0], _sigmoid(logits[:, 0]), labels=[0, 1])
    assert BinaryCrossEntropy()(logits, y) == pytest.approx(expected, rel=1e-10)


def test_ce_value_matches_sklearn_log_loss(rng: np.random.Generator) -> None:
    metrics = pytest.importorskip("sklearn.metrics")
    logits = rng.normal(scale=3.0, size=(20, 4))
    labels = rng.integers(0, 4, size=20)
    expected = metrics.log_loss(labels, softmax(logits), labels=[0, 1, 2, 3])
    assert CrossEntropy()(logits, _one_hot(labels, 4)) == pytest.approx(expected, rel=1e-10)


# -- gradients -----------------------------------------------------------------------------------
def _cases(rng: np.random.Generator) -> list[tuple[Loss, np.ndarray, np.ndarray]]:
    return [
        (BinaryCrossEntropy(), rng.normal(size=(5, 1)), rng.integers(0, 2, (5, 1)).astype(float)),
        (BinaryCrossEntropy(), rng.normal(size=(5, 3)), rng.integers(0, 2, (5, 3)).astype(float)),
        (CrossEntropy(), rng.normal(size=(5, 4)), _one_hot(rng.integers(0, 4, 5), 4)),
        (MeanSquaredError(), rng.normal(size=(5, 2)), rng.normal(size=(5, 2))),
    ]


@pytest.mark.parametrize("case", range(4), ids=["bce", "bce_multilabel", "ce", "mse"])
def test_loss_gradient_matches_finite_differences(
    case: int, rng: np.random.Generator, numeric_gradient
) -> None:
    loss, logits, y = _cases(rng)[case]
    expected = numeric_gradient(lambda: loss.forward(logits, y), logits)
    loss.forward(logits, y)
    grad = loss.backward()
    assert grad.shape == logits.shape
    np.testing.assert_allclose(grad, expected, rtol=1e-6, atol=1e-10)


def test_bce_and_ce_gradients_are_the_fused_p_minus_y_over_the_count(bce_case, ce_case) -> None:
    logits, y = bce_case
    bce = BinaryCrossEntropy()
    bce(logits, y)
    np.testing.assert_allclose(bce.backward(), (_sigmoid(logits) - y) / y.size, rtol=1e-12)

    logits, labels = ce_case
    ce = CrossEntropy()
    ce(logits, _one_hot(labels, 4))
    expected = (softmax(logits) - _one_hot(labels, 4)) / logits.shape[0]
    np.testing.assert_allclose(ce.backward(), expected, rtol=1e-12, atol=1e-15)


def test_mse_gradient_is_two_times_the_error_over_the_count_by_hand() -> None:
    mse = MeanSquaredError()
    mse(np.array([[1.0, 2.0], [3.0, -1.0]]), np.array([[0.0, 2.0], [1.0, 1.0]]))
    np.testing.assert_array_equal(mse.backward(), [[0.5, 0.0], [1.0, -1.0]])


def test_loss_forward_does_not_modify_logits_or_targets(ce_case) -> None:
    logits, labels = ce_case
    y = _one_hot(labels, 4)
    for loss, target in [(CrossEntropy(), y), (BinaryCrossEntropy(), y), (MeanSquaredError(), y)]:
        before_logits, before_y = logits.copy(), target.copy()
        loss(logits, target)
        np.testing.assert_array_equal(logits, before_logits)
        np.testing.assert_array_equal(target, before_y)


@pytest.mark.parametrize("loss", [BinaryCrossEntropy(), CrossEntropy(), MeanSquaredError()])
def test_loss_backward_before_forward_raises(loss: Loss) -> None:
    with pytest.raises(RuntimeError, match="before forward"):
        loss.backward()


# -- extreme logits ----------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_bce_from_logits_is_finite_for_logits_of_1e4(dtype: type) -> None:
    bce = BinaryCrossEntropy()
    logits = np.array([[1e4], [-1e4], [1e4], [-1e4]], dtype=dtype)
    y = np.array([[0.0], [1.0], [1.0], [0.0]], dtype=dtype)
    # wrong with certainty costs |z| each, right costs 0: mean (1e4 + 1e4 + 0 + 0) / 4
    assert bce(logits, y) == 5e3
    grad = bce.backward()
    assert grad.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(grad, np.array([[1.0], [-1.0], [0.0], [0.0]]) / 4)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_ce_from_logits_is_finite_for_logits_of_1e4(dtype: type) -> None:
    ce = CrossEntropy()
    logits = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, -1e4]], dtype=dtype)
    y = np.array([[0.0, 1.0, 0.0], [0.0, 1.0, 0.0]], dtype=dtype)
    # row 0: logsumexp = 1e4, target logit -1e4 -> 2e4; row 1: exactly right -> 0
    assert ce(logits, y) == 1e4
    grad = ce.backward()
    assert grad.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(grad, np.array([[1.0, -1.0, 0.0], [0.0, 0.0, 0.0]]) / 2)


@pytest.mark.parametrize("value", [0.0, 1e4, -1e4])
def test_ce_for_all_equal_logits_is_log_k_with_uniform_probabilities(value: float) -> None:
    ce = CrossEntropy()
    logits = np.full((2, 4), value)
    y = _one_hot(np.array([1, 3]), 4)
    assert ce(logits, y) == pytest.approx(np.log(4), rel=1e-15)
    np.testing.assert_allclose(ce.backward(), (0.25 - y) / 2, rtol=1e-15)
    np.testing.assert_allclose(softmax(logits), 0.25, rtol=1e-15)


def test_bce_for_all_zero_logits_is_log_2() -> None:
    bce = BinaryCrossEntropy()
    y = np.array([[0.0, 1.0], [1.0, 1.0]])
    assert bce(np.zeros((2, 2)), y) == pytest.approx(np.log(2), rel=1e-15)
    np.testing.assert_allclose(bce.backward(), (0.5 - y) / 4, rtol=1e-15)


def test_softmax_is_shift_invariant_and_rows_sum_to_one(rng: np.random.Generator) -> None:
    z = rng.normal(size=(5, 3))
    reference = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(softmax(z), reference, rtol=1e-13)
    np.testing.assert_allclose(softmax(z + 1e4), reference, rtol=1e-10)
    np.testing.assert_allclose(softmax(z).sum(axis=1), 1.0, rtol=1e-15)


# -- link and predict --------------------------------------------------------------------------
def test_bce_predict_thresholds_the_probability_at_one_half() -> None:
    bce = BinaryCrossEntropy()
    logits = np.array([[-3.0, 0.0, 0.1]])
    np.testing.assert_allclose(bce.link(logits), _sigmoid(logits), rtol=1e-15)
    np.testing.assert_array_equal(bce.predict(logits), [[0, 0, 1]])


def test_ce_predict_is_the_argmax_and_link_the_softmax(ce_case) -> None:
    logits, _ = ce_case
    ce = CrossEntropy()
    np.testing.assert_array_equal(ce.predict(logits), logits.argmax(axis=1))
    np.testing.assert_allclose(ce.link(logits), softmax(logits), rtol=1e-15)


def test_mse_link_and_predict_are_the_identity(rng: np.random.Generator) -> None:
    logits = rng.normal(size=(3, 2))
    np.testing.assert_array_equal(MeanSquaredError().predict(logits), logits)


def test_classifier_flags() -> None:
    assert BinaryCrossEntropy.is_classifier and CrossEntropy.is_classifier
    assert not MeanSquaredError.is_classifier


# -- prepare_targets -----------------------------------------------------------------------------
@pytest.mark.parametrize("y", [[0, 1, 1], [[0], [1], [1]], [0.0, 1.0, 1.0], [False, True, True]])
def test_bce_prepare_targets_accepts_flat_and_column_labels(y) -> None:
    prepared = BinaryCrossEntropy().prepare_targets(y, 1, np.float32)
    assert prepared.dtype == np.float32
    np.testing.assert_array_equal(prepared, [[0.0], [1.0], [1.0]])


def test_bce_prepare_targets_accepts_multi_label_rows() -> None:
    y = np.array([[0, 1, 1], [1, 0, 0]])
    np.testing.assert_array_equal(BinaryCrossEntropy().prepare_targets(y, 3, np.float64), y)


@pytest.mark.parametrize("y", [[0, 1, 2], [-1, 0, 1]])
def test_bce_prepare_targets_rejects_labels_outside_zero_one(y) -> None:
    with pytest.raises(ValueError, match=r"targets in \[0, 1\].*0/1"):
        BinaryCrossEntropy().prepare_targets(y, 1, np.float64)


@pytest.mark.parametrize(
    ("y", "n_outputs"), [([[0, 1], [1, 0]], 1), ([0, 1, 1], 2), (np.zeros((2, 2, 1)), 1)]
)
def test_prepare_targets_rejects_a_shape_unlike_the_outputs(y, n_outputs: int) -> None:
    with pytest.raises(ValueError, match=rf"y must have shape \(n_samples, {n_outputs}\)"):
        MeanSquaredError().prepare_targets(y, n_outputs, np.float64)


@pytest.mark.parametrize("loss", [BinaryCrossEntropy(), CrossEntropy(), MeanSquaredError()])
def test_prepare_targets_rejects_strings_with_type_error(loss: Loss) -> None:
    with pytest.raises(TypeError, match="y must hold numbers"):
        loss.prepare_targets(np.array(["a", "b"]), 2, np.float64)


@pytest.mark.parametrize("loss", [BinaryCrossEntropy(), CrossEntropy(), MeanSquaredError()])
def test_prepare_targets_rejects_empty_targets(loss: Loss) -> None:
    with pytest.raises(ValueError, match="y is empty"):
        loss.prepare_targets(np.array([]), 2, np.float64)


def test_mse_prepare_targets_rejects_nan() -> None:
    with pytest.raises(ValueError, match="NaN or infinity"):
        MeanSquaredError().prepare_targets([1.0, np.nan], 1, np.float64)


@pytest.mark.parametrize("y", [[2, 0, 1], [[2], [0], [1]], [2.0, 0.0, 1.0], np.eye(3)[[2, 0, 1]]])
def test_ce_prepare_targets_accepts_labels_columns_and_one_hot_rows(y) -> None:
    prepared = CrossEntropy().prepare_targets(y, 3, np.float32)
    assert prepared.dtype == np.float32
    np.testing.assert_array_equal(prepared, np.eye(3)[[2, 0, 1]])


def test_ce_prepare_targets_reads_bool_labels_as_classes_zero_and_one() -> None:
    prepared = CrossEntropy().prepare_targets(np.array([True, False, True]), 2, np.float64)
    np.testing.assert_array_equal(prepared, [[0, 1], [1, 0], [0, 1]])
    # as many samples as classes: a bool array must not be taken for an index mask
    prepared = CrossEntropy().prepare_targets(np.array([True, False]), 2, np.float64)
    np.testing.assert_array_equal(prepared, [[0, 1], [1, 0]])


@pytest.mark.parametrize(("y", "message"), [([0, 3], "labels 0..2"), ([-1, 0], "labels 0..2")])
def test_ce_prepare_targets_rejects_labels_out_of_range(y, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        CrossEntropy().prepare_targets(y, 3, np.float64)


def test_ce_prepare_targets_rejects_fractional_labels() -> None:
    with pytest.raises(ValueError, match="integer class labels"):
        CrossEntropy().prepare_targets([0.5, 1.0], 3, np.float64)


def test_ce_prepare_targets_rejects_rows_that_do_not_sum_to_one() -> None:
    with pytest.raises(ValueError, match="sum to 1"):
        CrossEntropy().prepare_targets([[1, 1, 0], [0, 0, 1]], 3, np.float64)


def test_ce_prepare_targets_rejects_a_wrong_number_of_columns() -> None:
    with pytest.raises(ValueError, match=r"one-hot rows \(n_samples, 3\)"):
        CrossEntropy().prepare_targets(np.eye(4), 3, np.float64)


def test_ce_prepare_targets_needs_at_least_two_outputs() -> None:
    with pytest.raises(ValueError, match="at least 2.*binary_cross_entropy"):
        CrossEntropy().prepare_targets([0, 1], 1, np.float64)


# -- lookup --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("binary_cross_entropy", BinaryCrossEntropy),
        ("bce", BinaryCrossEntropy),
        ("cross_entropy", CrossEntropy),
        ("sparse_categorical_crossentropy", CrossEntropy),
        ("MSE", MeanSquaredError),
    ],
)
def test_get_loss_by_name(name: str, kind: type) -> None:
    assert type(losses.get(name)) is kind


def test_get_loss_passes_an_instance_through_and_rejects_unknown_names() -> None:
    loss = CrossEntropy()
    assert losses.get(loss) is loss
    with pytest.raises(ValueError, match="unknown loss 'hinge'.*cross_entropy"):
        losses.get("hinge")


# -- PyTorch as an independent reference ---------------------------------------------------------
def test_losses_and_gradients_match_torch(rng: np.random.Generator) -> None:
    torch = pytest.importorskip("torch")
    nn = torch.nn
    logits = rng.normal(scale=3.0, size=(6, 3))
    labels = rng.integers(0, 3, size=6)
    multi = rng.integers(0, 2, size=(6, 3)).astype(float)
    values = rng.normal(size=(6, 3))
    cases = [
        (BinaryCrossEntropy(), multi, nn.BCEWithLogitsLoss(), torch.tensor(multi)),
        (CrossEntropy(), _one_hot(labels, 3), nn.CrossEntropyLoss(), torch.tensor(labels)),
        (MeanSquaredError(), values, nn.MSELoss(), torch.tensor(values)),
    ]
    for ours, y, theirs, y_t in cases:
        value = ours(logits, y)
        logits_t = torch.tensor(logits, requires_grad=True)
        value_t = theirs(logits_t, y_t)
        value_t.backward()
        assert value == pytest.approx(value_t.item(), rel=1e-12), repr(ours)
        np.testing.assert_allclose(ours.backward(), logits_t.grad.numpy(), rtol=1e-10)
    # and where the naive formulas overflow
    extreme = np.array([[1e4, -1e4, 0.0]])
    for ours, y, theirs, y_t in [
        (BinaryCrossEntropy(), np.array([[0.0, 1.0, 1.0]]), nn.BCEWithLogitsLoss(), None),
        (CrossEntropy(), np.array([[0.0, 1.0, 0.0]]), nn.CrossEntropyLoss(), torch.tensor([1])),
    ]:
        target = torch.tensor(y) if y_t is None else y_t
        assert ours(extreme, y) == pytest.approx(theirs(torch.tensor(extreme), target).item())
