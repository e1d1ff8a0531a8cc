"""Tests for ffnn.losses: values against probability-space formulas, PyTorch and scikit-learn,
gradients against finite differences, sample and class weights, finiteness for extreme logits,
target preparation and the lookup."""

from __future__ import annotations

import json

import numpy as np
import pytest

from ffnn import losses
from ffnn.losses import (
    BinaryCrossEntropy,
    CrossEntropy,
    Huber,
    Loss,
    MeanAbsoluteError,
    MeanSquaredError,
    check_sample_weight,
    class_weight_to_sample_weight,
    softmax,
)


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
def _residuals(rng: np.random.Generator, shape: tuple[int, int]) -> np.ndarray:
    """Differences ``z - y`` at least 0.2 away from 0 and ±1, the kinks of MAE and Huber(1)."""
    near = rng.uniform(0.2, 0.7, shape)
    far = rng.uniform(1.3, 2.5, shape)
    return np.where(rng.random(shape) < 0.5, near, far) * rng.choice([-1.0, 1.0], shape)


CASES = ["bce", "bce_multilabel", "ce", "ce_soft", "mse", "mae", "huber", "huber_delta_2"]


def _case(name: str, rng: np.random.Generator) -> tuple[Loss, np.ndarray, np.ndarray]:
    """A loss, logits (6, k) and targets shaped like them, away from every kink."""
    if name == "bce":
        return BinaryCrossEntropy(), rng.normal(size=(6, 1)), rng.integers(0, 2, (6, 1)) * 1.0
    if name == "bce_multilabel":
        return BinaryCrossEntropy(), rng.normal(size=(6, 3)), rng.integers(0, 2, (6, 3)) * 1.0
    if name == "ce":
        return CrossEntropy(), rng.normal(size=(6, 4)), _one_hot(rng.integers(0, 4, 6), 4)
    if name == "ce_soft":
        return CrossEntropy(), rng.normal(size=(6, 4)), softmax(rng.normal(size=(6, 4)))
    loss = {
        "mse": MeanSquaredError(),
        "mae": MeanAbsoluteError(),
        "huber": Huber(),
        "huber_delta_2": Huber(delta=2.0),
    }[name]
    logits = rng.normal(size=(6, 2))
    residuals = _residuals(rng, (6, 2)) * (2.0 if name == "huber_delta_2" else 1.0)
    return loss, logits, logits - residuals


def _weights(rng: np.random.Generator, n: int) -> np.ndarray:
    weight = rng.uniform(0.2, 3.0, n)
    weight[1] = 0.0  # a sample that does not count
    return weight


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("name", CASES)
def test_loss_gradient_matches_finite_differences(
    name: str, weighted: bool, rng: np.random.Generator, numeric_gradient
) -> None:
    loss, logits, y = _case(name, rng)
    weight = _weights(rng, logits.shape[0]) if weighted else None
    expected = numeric_gradient(lambda: loss.forward(logits, y, weight), logits)
    loss.forward(logits, y, weight)
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


@pytest.mark.parametrize(
    "loss", [BinaryCrossEntropy(), CrossEntropy(), MeanSquaredError(), MeanAbsoluteError(), Huber()]
)
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
        ("mae", MeanAbsoluteError),
        ("mean_absolute_error", MeanAbsoluteError),
        ("huber", Huber),
    ],
)
def test_get_loss_by_name(name: str, kind: type) -> None:
    assert type(losses.get(name)) is kind


def test_get_loss_passes_an_instance_through_and_rejects_unknown_names() -> None:
    loss = CrossEntropy()
    assert losses.get(loss) is loss
    with pytest.raises(ValueError, match="unknown loss 'hinge'.*cross_entropy"):
        losses.get("hinge")


def test_get_builds_a_loss_from_a_config_dict_without_changing_it() -> None:
    config = {"name": "huber", "delta": 2.0}
    loss = losses.get(config)
    assert isinstance(loss, Huber) and loss.delta == 2.0
    assert config == {"name": "huber", "delta": 2.0}


@pytest.mark.parametrize(
    "loss",
    [
        BinaryCrossEntropy(),
        CrossEntropy(),
        MeanSquaredError(),
        MeanAbsoluteError(),
        Huber(),
        Huber(delta=0.25),
    ],
)
def test_get_config_round_trips_through_get_and_json(loss: Loss) -> None:
    config = loss.get_config()
    rebuilt = losses.get(json.loads(json.dumps(config)))
    assert type(rebuilt) is type(loss)
    assert rebuilt.get_config() == config
    assert repr(rebuilt) == repr(loss)


def test_repr_shows_the_arguments() -> None:
    assert repr(Huber(delta=2)) == "Huber(delta=2.0)"
    assert repr(MeanAbsoluteError()) == "MeanAbsoluteError()"


@pytest.mark.parametrize(
    ("identifier", "error", "message"),
    [
        ({"delta": 2.0}, ValueError, "needs a 'name' key"),
        ({"name": "hinge"}, ValueError, "unknown loss 'hinge'"),
        ({"name": "huber", "alpha": 1}, TypeError, r"invalid arguments \{'alpha': 1\}.*'huber'"),
        ({"name": "huber", "delta": -1.0}, ValueError, "delta must be a positive.*-1"),
        (3, ValueError, "unknown loss 3"),
    ],
)
def test_get_rejects_bad_configs_naming_the_problem(identifier, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        losses.get(identifier)


@pytest.mark.parametrize(
    ("delta", "error"), [(0.0, ValueError), (np.inf, ValueError), ("1", TypeError)]
)
def test_huber_rejects_a_delta_that_is_not_positive_and_finite(delta, error: type) -> None:
    with pytest.raises(error, match="delta must be a positive"):
        Huber(delta=delta)


# -- MAE and Huber by hand -------------------------------------------------------------------------
def test_mae_value_and_sign_gradient_by_hand_with_zero_at_the_kink() -> None:
    mae = MeanAbsoluteError()
    assert mae(np.array([[1.0, 2.0], [3.0, -1.0]]), np.array([[0.0, 2.0], [1.0, 1.0]])) == 1.25
    np.testing.assert_array_equal(mae.backward(), [[0.25, 0.0], [0.25, -0.25]])


def test_huber_is_quadratic_inside_delta_and_linear_beyond_by_hand() -> None:
    huber = Huber(delta=1.0)
    # x = 0.5, 2, -3, 1: 0.125, 2 - 0.5, 3 - 0.5, 0.5 (both pieces agree at |x| = δ)
    value = huber(np.array([[0.5, 2.0, -3.0, 1.0]]), np.zeros((1, 4)))
    assert value == pytest.approx((0.125 + 1.5 + 2.5 + 0.5) / 4, rel=1e-15)
    np.testing.assert_array_equal(huber.backward(), [[0.5, 1.0, -1.0, 1.0]] / np.float64(4))
    huber = Huber(delta=2.0)
    assert huber(np.array([[3.0]]), np.zeros((1, 1))) == 2.0 * (3.0 - 1.0)


# -- PyTorch as an independent reference ---------------------------------------------------------
def _torch_terms(loss: Loss, logits_t, y: np.ndarray):
    """The unreduced torch loss: (batch, k), or (batch,) for cross-entropy."""
    torch = pytest.importorskip("torch")
    functional = torch.nn.functional
    y_t = torch.tensor(y)
    if isinstance(loss, BinaryCrossEntropy):
        return functional.binary_cross_entropy_with_logits(logits_t, y_t, reduction="none")
    if isinstance(loss, CrossEntropy):
        hard = ((y == 0) | (y == 1)).all()
        target = torch.tensor(y.argmax(axis=1)) if hard else y_t  # labels or probabilities
        return functional.cross_entropy(logits_t, target, reduction="none")
    if isinstance(loss, MeanSquaredError):
        return functional.mse_loss(logits_t, y_t, reduction="none")
    if isinstance(loss, MeanAbsoluteError):
        return functional.l1_loss(logits_t, y_t, reduction="none")
    assert isinstance(loss, Huber)
    return functional.huber_loss(logits_t, y_t, reduction="none", delta=loss.delta)


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("name", CASES)
def test_loss_value_and_gradient_match_torch(
    name: str, weighted: bool, rng: np.random.Generator
) -> None:
    torch = pytest.importorskip("torch")
    loss, logits, y = _case(name, rng)
    logits = logits * 3.0  # larger logits: saturated probabilities, both Huber pieces
    weight = _weights(rng, logits.shape[0]) if weighted else None
    value = loss(logits, y, weight)
    logits_t = torch.tensor(logits, requires_grad=True)
    terms = _torch_terms(loss, logits_t, y)
    if weight is None:
        expected = terms.mean()
    else:
        per_sample = terms.mean(dim=1) if terms.dim() == 2 else terms
        w_t = torch.tensor(weight)
        expected = (w_t * per_sample).sum() / w_t.sum()
    expected.backward()
    assert value == pytest.approx(expected.item(), rel=1e-12)
    np.testing.assert_allclose(loss.backward(), logits_t.grad.numpy(), rtol=1e-10, atol=1e-17)


def test_losses_match_torch_where_the_naive_formulas_overflow() -> None:
    torch = pytest.importorskip("torch")
    nn = torch.nn
    extreme = np.array([[1e4, -1e4, 0.0]])
    for ours, y, theirs, y_t in [
        (BinaryCrossEntropy(), np.array([[0.0, 1.0, 1.0]]), nn.BCEWithLogitsLoss(), None),
        (CrossEntropy(), np.array([[0.0, 1.0, 0.0]]), nn.CrossEntropyLoss(), torch.tensor([1])),
    ]:
        target = torch.tensor(y) if y_t is None else y_t
        assert ours(extreme, y) == pytest.approx(theirs(torch.tensor(extreme), target).item())


def test_ce_with_class_weights_equals_torch_cross_entropy_with_weight(
    rng: np.random.Generator,
) -> None:
    torch = pytest.importorskip("torch")
    labels = rng.integers(0, 4, size=12)
    logits = rng.normal(scale=2.0, size=(12, 4))
    ce = CrossEntropy()
    targets = ce.prepare_targets(labels, 4, np.float64)
    sample_weight = class_weight_to_sample_weight({0: 0.5, 1: 2.0, 3: 3.0}, targets, ce)
    value = ce(logits, targets, sample_weight)
    logits_t = torch.tensor(logits, requires_grad=True)
    class_weight_t = torch.tensor(
        [0.5, 2.0, 1.0, 3.0], dtype=torch.float64
    )  # class 2 left out: weight 1
    expected = torch.nn.functional.cross_entropy(
        logits_t, torch.tensor(labels), weight=class_weight_t
    )
    expected.backward()
    assert value == pytest.approx(expected.item(), rel=1e-12)
    np.testing.assert_allclose(ce.backward(), logits_t.grad.numpy(), rtol=1e-10, atol=1e-17)


# -- scikit-learn as an independent reference -----------------------------------------------------
@pytest.mark.parametrize("n_classes", [2, 4])
def test_weighted_bce_and_ce_match_sklearn_log_loss(
    n_classes: int, rng: np.random.Generator
) -> None:
    metrics = pytest.importorskip("sklearn.metrics")
    labels = rng.integers(0, n_classes, size=30)
    weight = rng.uniform(0.0, 4.0, size=30)
    if n_classes == 2:
        logits = rng.normal(scale=3.0, size=(30, 1))
        p = _sigmoid(logits[:, 0])
        value = BinaryCrossEntropy()(logits, labels[:, None] * 1.0, weight)
    else:
        logits = rng.normal(scale=3.0, size=(30, n_classes))
        p = softmax(logits)
        value = CrossEntropy()(logits, _one_hot(labels, n_classes), weight)
    expected = metrics.log_loss(labels, p, sample_weight=weight, labels=list(range(n_classes)))
    assert value == pytest.approx(expected, rel=1e-10)


@pytest.mark.parametrize("kind", ["bce", "ce"])
def test_balanced_class_weight_matches_sklearn_compute_class_weight(kind: str) -> None:
    class_weight_module = pytest.importorskip("sklearn.utils.class_weight")
    if kind == "bce":
        loss: Loss = BinaryCrossEntropy()
        labels, n_outputs = np.array([0] * 7 + [1] * 2), 1
    else:  # five outputs, class 3 never seen: it must not divide by zero
        loss, labels, n_outputs = CrossEntropy(), np.array([0] * 6 + [1] * 3 + [2] + [4] * 2), 5
    targets = loss.prepare_targets(labels, n_outputs, np.float64)
    weight = class_weight_to_sample_weight("balanced", targets, loss)
    classes = np.unique(labels)
    per_class = class_weight_module.compute_class_weight("balanced", classes=classes, y=labels)
    expected = per_class[np.searchsorted(classes, labels)]
    np.testing.assert_allclose(weight, expected, rtol=1e-15)
    assert weight.sum() == pytest.approx(labels.size)  # each present class weighs n / n_classes


# -- sample weights --------------------------------------------------------------------------------
@pytest.mark.parametrize("name", CASES)
def test_zero_weight_samples_contribute_nothing(name: str, rng: np.random.Generator) -> None:
    loss, logits, y = _case(name, rng)
    weight = np.array([0.0, 1.5, 0.0, 2.0, 1.0, 0.5])
    keep = weight > 0
    value = loss(logits, y, weight)
    grad = loss.backward().copy()
    assert value == pytest.approx(loss(logits[keep], y[keep], weight[keep]), rel=1e-14)
    np.testing.assert_array_equal(grad[~keep], 0.0)
    np.testing.assert_allclose(grad[keep], loss.backward(), rtol=1e-14)


@pytest.mark.parametrize("name", CASES)
def test_an_integer_weight_counts_like_repeated_samples(
    name: str, rng: np.random.Generator
) -> None:
    loss, logits, y = _case(name, rng)
    weight = np.array([2, 1, 1, 3, 1, 1])  # ints: cast to the logits' dtype
    repeat = np.repeat(np.arange(6), weight)
    value = loss(logits, y, weight)
    grad = loss.backward().copy()
    assert value == pytest.approx(loss(logits[repeat], y[repeat]), rel=1e-14)
    # a repeated sample's gradient is the sum over its copies
    summed = np.zeros_like(logits)
    np.add.at(summed, repeat, loss.backward())
    np.testing.assert_allclose(grad, summed, rtol=1e-13, atol=1e-17)


@pytest.mark.parametrize("name", CASES)
def test_weights_of_one_equal_no_weights_and_scaling_them_changes_nothing(
    name: str, rng: np.random.Generator
) -> None:
    loss, logits, y = _case(name, rng)
    value, grad = loss(logits, y), loss.backward().copy()
    assert loss(logits, y, np.ones(6)) == pytest.approx(value, rel=1e-14)
    np.testing.assert_allclose(loss.backward(), grad, rtol=1e-14)
    weight = _weights(rng, 6)
    value, grad = loss(logits, y, weight), loss.backward().copy()
    assert loss(logits, y, 7.5 * weight) == pytest.approx(value, rel=1e-14)
    np.testing.assert_allclose(loss.backward(), grad, rtol=1e-14)


def test_a_batch_of_zero_weight_samples_has_loss_and_gradient_zero(ce_case) -> None:
    logits, labels = ce_case
    ce = CrossEntropy()
    assert ce(logits, _one_hot(labels, 4), np.zeros(6)) == 0.0
    np.testing.assert_array_equal(ce.backward(), 0.0)


@pytest.mark.parametrize(
    ("weight", "error", "message"),
    [
        (np.ones((6, 1)), ValueError, r"shape \(n_samples,\) = \(6,\), got shape \(6, 1\)"),
        (np.ones(5), ValueError, r"= \(6,\), got shape \(5,\)"),
        (np.array(["a"] * 6), TypeError, "sample_weight must hold real numbers"),
        ([1.0, np.nan, 1.0, 1.0, 1.0, 1.0], ValueError, "sample_weight must be finite"),
        ([1.0, -2.0, 1.0, 1.0, 1.0, 1.0], ValueError, "non-negative, got a minimum of -2"),
    ],
)
def test_loss_forward_checks_the_batch_weights(weight, error: type, message: str, ce_case) -> None:
    logits, labels = ce_case
    with pytest.raises(error, match=message):
        CrossEntropy()(logits, _one_hot(labels, 4), weight)


@pytest.mark.parametrize(
    ("weight", "error", "message"),
    [
        (np.array(["a", "b", "c"]), TypeError, "sample_weight must hold real numbers.*<U1"),
        ([[1.0], [1.0], [1.0]], ValueError, r"shape \(n_samples,\) = \(3,\), got shape \(3, 1\)"),
        ([1.0, 1.0], ValueError, r"shape \(n_samples,\) = \(3,\), got shape \(2,\)"),
        ([1.0, np.inf, 1.0], ValueError, "must be finite"),
        ([1.0, np.nan, 1.0], ValueError, "must be finite"),
        ([1e300, 1.0, 1.0], ValueError, "too large for float32"),
        ([1.0, -0.5, 1.0], ValueError, r"non-negative, got a minimum of -0\.5"),
        ([0.0, 0.0, 0.0], ValueError, "must not be all zero"),
    ],
)
def test_check_sample_weight_names_the_argument_and_the_value(
    weight, error: type, message: str
) -> None:
    with pytest.raises(error, match=message):
        check_sample_weight(weight, 3, np.float32)


def test_check_sample_weight_casts_to_the_dtype_without_needless_copies() -> None:
    weight = check_sample_weight([1, 0, 2], 3, np.float32)
    assert weight.dtype == np.float32
    np.testing.assert_array_equal(weight, [1.0, 0.0, 2.0])
    already = np.array([0.5, 1.0, 2.0])
    assert check_sample_weight(already, 3, np.float64) is already


# -- class weights -----------------------------------------------------------------------------
def test_class_weight_dict_weighs_each_sample_by_its_class_and_absent_classes_by_one() -> None:
    ce = CrossEntropy()
    targets = ce.prepare_targets([0, 2, 1, 2], 3, np.float32)
    weight = class_weight_to_sample_weight({2: 4.0, 0.0: 0.5}, targets, ce)
    assert weight.dtype == np.float32
    np.testing.assert_array_equal(weight, [0.5, 4.0, 1.0, 4.0])
    bce = BinaryCrossEntropy()
    targets = bce.prepare_targets([1, 0, 1], 1, np.float64)
    np.testing.assert_array_equal(class_weight_to_sample_weight({1: 3}, targets, bce), [3, 1, 3])


@pytest.mark.parametrize(
    ("loss", "y", "n_outputs", "class_weight", "error", "message"),
    [
        (CrossEntropy(), [0, 1], 3, {0: 1.0, 3: 2.0, "a": 1.0}, ValueError, r"keys \[3, 'a'\]"),
        (BinaryCrossEntropy(), [0, 1], 1, {2: 1.0}, ValueError, r"keys \[2\].*0\.\.1"),
        (CrossEntropy(), [0, 1], 3, {0: 1.5, 1: 0.5, 2.5: 1}, ValueError, r"keys \[2\.5\]"),
        (CrossEntropy(), [0, 1], 2, {1: -1.0}, ValueError, r"class_weight\[1\] must be a finite"),
        (CrossEntropy(), [0, 1], 2, {1: np.nan}, ValueError, r"class_weight\[1\] must be a finite"),
        (CrossEntropy(), [0, 1], 2, "auto", ValueError, "or 'balanced', got 'auto'"),
        (CrossEntropy(), [0, 1], 2, [1.0, 2.0], TypeError, "or 'balanced', got list"),
        (CrossEntropy(), [0, 1], 2, {0: 0, 1: 0}, ValueError, "every sample the weight 0"),
        (MeanSquaredError(), [0.5, 1.0], 1, "balanced", ValueError, "classification loss"),
        (Huber(), [0.5, 1.0], 1, {0: 1.0}, ValueError, "classification loss"),
        (BinaryCrossEntropy(), [[0, 1], [1, 1]], 2, "balanced", ValueError, "multi-label"),
        (BinaryCrossEntropy(), [0.2, 1.0], 1, "balanced", ValueError, "hard labels"),
        (CrossEntropy(), [[0.5, 0.5], [0, 1]], 2, {0: 2.0}, ValueError, "hard labels"),
    ],
)
def test_class_weight_rejects_what_it_cannot_honour(
    loss: Loss, y, n_outputs: int, class_weight, error: type, message: str
) -> None:
    targets = loss.prepare_targets(y, n_outputs, np.float64)
    with pytest.raises(error, match=message):
        class_weight_to_sample_weight(class_weight, targets, loss)


def test_class_weight_needs_prepared_targets() -> None:
    with pytest.raises(ValueError, match="prepared by loss.prepare_targets"):
        class_weight_to_sample_weight("balanced", np.array([0, 1, 1]), CrossEntropy())


# -- every loss: extreme logits, dtypes -----------------------------------------------------------
ALL_LOSSES = [BinaryCrossEntropy, CrossEntropy, MeanSquaredError, MeanAbsoluteError, Huber]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("logits_kind", ["extreme", "all_equal"])
@pytest.mark.parametrize("loss_class", ALL_LOSSES)
def test_every_loss_is_finite_and_keeps_the_dtype_for_extreme_and_equal_logits(
    loss_class: type[Loss], logits_kind: str, dtype: type
) -> None:
    if logits_kind == "extreme":
        logits = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, -1e4], [1e4] * 3, [-1e4] * 3], dtype)
    else:
        logits = np.repeat(np.array([[0.0], [1e4], [-1e4], [3.0]], dtype), 3, axis=1)
    y = np.eye(3, dtype=dtype)[[1, 0, 2, 1]]
    loss = loss_class()
    for weight in (None, np.array([0.0, 1.0, 2.5, 1.0])):  # float64 weights on purpose
        value = loss(logits, y, weight)
        grad = loss.backward()
        assert np.isfinite(value), (loss, weight)
        assert grad.dtype == np.dtype(dtype)
        assert np.isfinite(grad).all()


@pytest.mark.parametrize("name", CASES)
def test_float32_weighted_loss_stays_float32_and_close_to_float64(
    name: str, rng: np.random.Generator
) -> None:
    loss, logits, y = _case(name, rng)
    weight = _weights(rng, 6)
    value64, grad64 = loss(logits, y, weight), loss.backward().copy()
    logits32, y32 = logits.astype(np.float32), y.astype(np.float32)
    value32 = loss(logits32, y32, weight)
    assert loss.backward().dtype == np.float32
    assert value32 == pytest.approx(value64, rel=1e-5)
    np.testing.assert_allclose(loss.backward(), grad64, rtol=1e-4, atol=1e-6)


# -- multi-label binary cross-entropy ------------------------------------------------------------
def test_multi_label_bce_prepares_bool_rows_and_predicts_one_label_per_output() -> None:
    bce = BinaryCrossEntropy()
    y = bce.prepare_targets(np.array([[True, False, True], [False, False, True]]), 3, np.float32)
    assert y.dtype == np.float32
    np.testing.assert_array_equal(y, [[1, 0, 1], [0, 0, 1]])
    logits = np.array([[2.0, -1.0, 0.5], [-3.0, 0.2, 4.0]], dtype=np.float32)
    np.testing.assert_array_equal(bce.predict(logits), [[1, 0, 1], [0, 1, 1]])
    assert bce.link(logits).shape == (2, 3)


def test_multi_label_bce_refuses_flat_labels() -> None:
    with pytest.raises(ValueError, match=r"shape \(n_samples, 3\).*got shape \(4,\)"):
        BinaryCrossEntropy().prepare_targets([0, 1, 1, 0], 3, np.float64)
