"""Tests for ffnn.gradcheck: backprop agrees with central differences for every activation and
loss, a wrong backward is caught, and the check leaves the model alone."""

from __future__ import annotations

import numpy as np
import pytest

from ffnn import activations, losses
from ffnn.gradcheck import GradientReport, ParameterCheck, check_gradients
from ffnn.layers import Dense
from ffnn.model import Sequential

ACTIVATIONS = ["relu", "leaky_relu", "sigmoid", "tanh", "identity"]


def _targets(loss: str, n_samples: int, rng: np.random.Generator) -> tuple[int, np.ndarray]:
    """(n_outputs, targets) for a loss."""
    if loss == "bce":
        return 1, rng.integers(0, 2, n_samples)
    if loss == "bce_multilabel":
        return 3, rng.integers(0, 2, (n_samples, 3))
    if loss == "cross_entropy":
        return 4, rng.integers(0, 4, n_samples)
    return 2, rng.normal(size=(n_samples, 2))


def _network(activation: str, n_out: int, dtype: type = np.float64) -> Sequential:
    return Sequential(
        [Dense(3, 5), activations.get(activation), Dense(5, n_out)],
        dtype=dtype,
        random_state=0,
    )


class _ScaledGradDense(Dense):
    """A Dense whose weight gradient is off by a factor: the bug a gradient check must catch."""

    factor = 1.5

    def backward(self, grad: np.ndarray) -> np.ndarray:
        grad_input = super().backward(grad)
        self.weight.grad *= self.factor
        return grad_input


@pytest.mark.parametrize("loss", ["bce", "bce_multilabel", "cross_entropy", "mse"])
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_backprop_matches_finite_differences_for_each_activation_and_loss(
    activation: str, loss: str, rng: np.random.Generator
) -> None:
    n_out, y = _targets(loss, 6, rng)
    model = _network(activation, n_out)
    X = rng.normal(size=(6, 3))
    report = check_gradients(model, X, y, loss="bce" if loss.startswith("bce") else loss)
    assert report.max_relative_error < 1e-7, str(report)
    assert report.passed(1e-7)
    assert [row.checked for row in report.parameters] == [15, 5, 5 * n_out, n_out]


def test_report_names_every_parameter_and_prints_a_table(rng: np.random.Generator) -> None:
    model = Sequential(
        [Dense(2, 4), activations.Tanh(), Dense(4, 3), activations.Sigmoid(), Dense(3, 1)],
        dtype=np.float64,
        random_state=0,
    )
    X, y = rng.normal(size=(4, 2)), np.array([0, 1, 1, 0])
    report = check_gradients(model, X, y, loss="bce")
    names = [row.name for row in report.parameters]
    assert names == [
        "layers[0].weight",
        "layers[0].bias",
        "layers[2].weight",
        "layers[2].bias",
        "layers[4].weight",
        "layers[4].bias",
    ]
    assert [row.shape for row in report.parameters] == [(2, 4), (4,), (4, 3), (3,), (3, 1), (1,)]
    text = str(report)
    for name in names:
        assert name in text
    assert "max relative error" in text
    assert report.loss == pytest.approx(model.evaluate(X, y, loss="bce"), rel=1e-14)


def test_a_backward_wrong_by_a_factor_is_detected(rng: np.random.Generator) -> None:
    model = Sequential(
        [_ScaledGradDense(3, 4), activations.Tanh(), Dense(4, 1)],
        dtype=np.float64,
        random_state=0,
    )
    report = check_gradients(model, rng.normal(size=(5, 3)), rng.integers(0, 2, 5), loss="bce")
    by_name = {row.name: row for row in report.parameters}
    # ‖1.5g - g‖ / (‖1.5g‖ + ‖g‖) = 0.5 / 2.5
    assert by_name["layers[0].weight"].relative_error == pytest.approx(0.2, rel=1e-5)
    assert by_name["layers[0].bias"].relative_error < 1e-7
    assert by_name["layers[2].weight"].relative_error < 1e-7
    assert report.max_relative_error == pytest.approx(0.2, rel=1e-5)
    assert not report.passed()


def test_max_checks_per_parameter_limits_the_entries_checked(rng: np.random.Generator) -> None:
    model = Sequential([Dense(4, 6), activations.Tanh(), Dense(6, 2)], random_state=0)
    X, y = rng.normal(size=(3, 4)), rng.normal(size=(3, 2))
    report = check_gradients(model, X, y, loss="mse", max_checks_per_parameter=5)
    assert [row.checked for row in report.parameters] == [5, 5, 5, 2]
    assert report.max_relative_error < 1e-7


def test_max_checks_picks_the_same_entries_for_the_same_random_state(rng) -> None:
    model = Sequential([_ScaledGradDense(4, 6), activations.Tanh(), Dense(6, 2)], random_state=0)
    model.layers[0].factor = np.linspace(1, 3, 24).reshape(4, 6)  # entry-dependent error
    X, y = rng.normal(size=(3, 4)), rng.normal(size=(3, 2))

    def first_error(seed: int) -> float:
        report = check_gradients(model, X, y, "mse", max_checks_per_parameter=3, random_state=seed)
        return report.parameters[0].relative_error

    assert first_error(1) == first_error(1)
    assert first_error(1) != first_error(2)


def test_check_gradients_does_not_modify_the_model(rng: np.random.Generator) -> None:
    model = Sequential([Dense(3, 4), activations.ReLU(), Dense(4, 2)], random_state=0)
    X, y = rng.normal(size=(5, 3)), rng.integers(0, 2, 5)
    model.fit(X, y, loss="cross_entropy", epochs=1)
    weights = [p.data.copy() for p in model.parameters()]
    grads = [p.grad.copy() for p in model.parameters()]
    rng_state = model.rng.bit_generator.state
    check_gradients(model, X, y)
    assert model.dtype == np.float32
    for p, w, g in zip(model.parameters(), weights, grads, strict=True):
        assert p.data.dtype == np.float32
        np.testing.assert_array_equal(p.data, w)
        np.testing.assert_array_equal(p.grad, g)
    assert model.rng.bit_generator.state == rng_state


def test_check_gradients_of_a_float32_model_is_done_in_float64(rng) -> None:
    model = _network("tanh", 3, dtype=np.float32)
    report = check_gradients(model, rng.normal(size=(4, 3)), rng.integers(0, 3, 4), "cross_entropy")
    assert report.max_relative_error < 1e-7  # in float32 a step of 1e-6 would drown in rounding


def test_check_gradients_uses_the_models_loss_or_asks_for_one(rng) -> None:
    model = _network("tanh", 1)
    X, y = rng.normal(size=(4, 3)), np.array([0, 1, 1, 0])
    with pytest.raises(ValueError, match="no loss yet"):
        check_gradients(model, X, y)
    model.loss = losses.get("bce")
    assert check_gradients(model, X, y).max_relative_error < 1e-7


def test_check_gradients_validates_its_inputs(rng: np.random.Generator) -> None:
    model = _network("tanh", 1)
    with pytest.raises(ValueError, match="X has 2 features, but the model expects 3"):
        check_gradients(model, np.zeros((4, 2)), np.zeros(4), loss="bce")
    with pytest.raises(ValueError, match="same number of samples, got 4 and 3"):
        check_gradients(model, np.zeros((4, 3)), np.zeros(3), loss="bce")


def test_gradient_report_summaries_by_hand() -> None:
    report = GradientReport(
        [ParameterCheck("a", (2,), 2, 1e-9, 1e-8), ParameterCheck("b", (3,), 3, 1e-6, 1e-4)]
    )
    assert report.max_relative_error == 1e-4 and report.max_abs_error == 1e-6
    assert report.passed(1e-3) and not report.passed(1e-5)
    assert GradientReport().max_relative_error == 0.0
