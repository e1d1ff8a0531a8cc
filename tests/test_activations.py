"""Tests for ffnn.activations: forward against NumPy formulas, backward against finite
differences (float64, inputs kept away from the ReLU kink), extreme inputs, lookup by name."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from ffnn import activations
from ffnn.activations import Identity, LeakyReLU, ReLU, Sigmoid, Tanh, sigmoid
from ffnn.layers import Dense, Layer

REFERENCE_FORWARD = {
    "relu": lambda x: np.where(x > 0, x, 0.0),
    "leaky_relu": lambda x: np.where(x > 0, x, 0.01 * x),
    "sigmoid": lambda x: 1.0 / (1.0 + np.exp(-x)),
    "tanh": lambda x: (np.exp(x) - np.exp(-x)) / (np.exp(x) + np.exp(-x)),
    "identity": lambda x: x,
}
ALL_ACTIVATIONS = sorted(REFERENCE_FORWARD)


def _away_from_zero(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """Normal draws with |x| >= 0.1, so ±ε never crosses a kink at 0."""
    x = rng.normal(size=shape)
    return np.where(np.abs(x) < 0.1, np.sign(x) * 0.1 + x, x)


@pytest.mark.parametrize("name", ALL_ACTIVATIONS)
def test_activation_forward_matches_numpy_reference_formula(
    name: str, rng: np.random.Generator
) -> None:
    x = rng.normal(scale=3.0, size=(7, 5))
    out = activations.get(name).forward(x)
    np.testing.assert_allclose(out, REFERENCE_FORWARD[name](x), rtol=1e-12, atol=1e-15)
    assert out.shape == x.shape


@pytest.mark.parametrize("name", ALL_ACTIVATIONS)
def test_activation_backward_matches_finite_differences(
    name: str, rng: np.random.Generator, numeric_gradient
) -> None:
    layer = activations.get(name)
    x = _away_from_zero(rng, (4, 3))
    upstream = rng.normal(size=(4, 3))

    def objective() -> float:
        return float(np.sum(upstream * layer.forward(x)))

    expected = numeric_gradient(objective, x)
    layer.forward(x)
    np.testing.assert_allclose(layer.backward(upstream), expected, rtol=1e-7, atol=1e-10)


@pytest.mark.parametrize(
    ("layer", "derivative"),
    [
        (ReLU(), lambda x, y: (x > 0).astype(float)),
        (LeakyReLU(0.2), lambda x, y: np.where(x > 0, 1.0, 0.2)),
        (Sigmoid(), lambda x, y: y * (1 - y)),
        (Tanh(), lambda x, y: 1 - y**2),
        (Identity(), lambda x, y: np.ones_like(x)),
    ],
    ids=["relu", "leaky_relu", "sigmoid", "tanh", "identity"],
)
def test_activation_backward_is_upstream_times_the_documented_derivative(
    layer: Layer, derivative, rng: np.random.Generator
) -> None:
    x = rng.normal(size=(5, 4))
    upstream = rng.normal(size=(5, 4))
    y = layer.forward(x)
    np.testing.assert_allclose(layer.backward(upstream), upstream * derivative(x, y), rtol=1e-12)


def test_relu_gradient_is_zero_at_the_kink() -> None:
    layer = ReLU()
    layer.forward(np.array([[0.0, -1.0, 2.0]]))
    np.testing.assert_array_equal(layer.backward(np.ones((1, 3))), [[0.0, 0.0, 1.0]])


def test_leaky_relu_forward_uses_its_negative_slope_by_hand() -> None:
    out = LeakyReLU(0.1).forward(np.array([[-2.0, 0.0, 3.0]]))
    np.testing.assert_allclose(out, [[-0.2, 0.0, 3.0]], rtol=1e-15)


@pytest.mark.parametrize("slope", [-0.1, 1.0, 2.0])
def test_leaky_relu_rejects_a_slope_outside_zero_one(slope: float) -> None:
    with pytest.raises(ValueError, match=r"negative_slope must be in \[0, 1\)"):
        LeakyReLU(slope)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sigmoid_is_finite_and_warning_free_at_logits_of_1e4(dtype: type) -> None:
    z = np.array([[-1e4, -100.0, 0.0, 100.0, 1e4]], dtype=dtype)
    layer = Sigmoid()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any RuntimeWarning (overflow) fails the test
        out = layer.forward(z)
        grad = layer.backward(np.ones_like(z))
        plain = sigmoid(z)
    assert out.dtype == np.dtype(dtype) and grad.dtype == np.dtype(dtype)
    assert np.isfinite(out).all() and np.isfinite(grad).all()
    np.testing.assert_array_equal(out[0, [0, 2, 4]], [0.0, 0.5, 1.0])
    np.testing.assert_array_equal(plain, out)
    assert grad[0, 0] == 0.0 and grad[0, 4] == 0.0


def test_sigmoid_function_matches_its_definition_in_float64(rng: np.random.Generator) -> None:
    z = rng.normal(scale=10.0, size=100)
    np.testing.assert_allclose(sigmoid(z), 1.0 / (1.0 + np.exp(-z)), rtol=1e-14)


@pytest.mark.parametrize("name", ALL_ACTIVATIONS)
def test_activation_keeps_float32_through_forward_and_backward(name: str) -> None:
    layer = activations.get(name)
    x = np.linspace(-2, 2, 12, dtype=np.float32).reshape(3, 4)
    out = layer.forward(x)
    assert out.dtype == np.float32
    assert layer.backward(np.ones_like(out)).dtype == np.float32


@pytest.mark.parametrize("layer", [ReLU(), LeakyReLU(), Sigmoid(), Tanh()], ids=repr)
def test_activation_backward_before_forward_raises(layer: Layer) -> None:
    with pytest.raises(RuntimeError, match="before forward"):
        layer.backward(np.ones((1, 1)))


@pytest.mark.parametrize("name", ALL_ACTIVATIONS)
def test_activations_have_no_parameters_and_keep_the_size(name: str) -> None:
    layer = activations.get(name)
    assert layer.parameters() == []
    assert layer.output_size(6) == 6


def test_relu_family_prefers_he_initialisation_and_others_glorot() -> None:
    assert ReLU.preferred_initializer == LeakyReLU.preferred_initializer == "he_normal"
    for layer in (Sigmoid, Tanh, Identity, Dense):
        assert layer.preferred_initializer == "glorot_uniform"


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("relu", ReLU),
        ("ReLU", ReLU),
        ("leaky_relu", LeakyReLU),
        ("sigmoid", Sigmoid),
        ("logistic", Sigmoid),
        ("tanh", Tanh),
        ("identity", Identity),
        ("linear", Identity),
    ],
)
def test_get_returns_a_fresh_layer_for_each_name(name: str, kind: type) -> None:
    first, second = activations.get(name), activations.get(name)
    assert type(first) is kind
    assert first is not second  # layers keep state: never share one


def test_get_passes_a_layer_through() -> None:
    layer = LeakyReLU(0.3)
    assert activations.get(layer) is layer


def test_get_unknown_activation_lists_the_known_names() -> None:
    with pytest.raises(ValueError, match="unknown activation 'swish'.*relu"):
        activations.get("swish")


def test_dense_and_activation_gradients_match_torch_autograd(rng: np.random.Generator) -> None:
    torch = pytest.importorskip("torch")
    x = _away_from_zero(rng, (5, 3))
    upstream = rng.normal(size=(5, 4))
    for name, torch_fn in [
        ("relu", torch.relu),
        ("leaky_relu", lambda t: torch.nn.functional.leaky_relu(t, 0.01)),
        ("sigmoid", torch.sigmoid),
        ("tanh", torch.tanh),
        ("identity", lambda t: t),
    ]:
        dense = Dense(3, 4, "glorot_normal", dtype=np.float64, random_state=1)
        dense.bias.data[:] = rng.normal(size=4)
        act = activations.get(name)
        out = act.forward(dense.forward(x))
        grad_x = dense.backward(act.backward(upstream))

        x_t = torch.tensor(x, requires_grad=True)
        w_t = torch.tensor(dense.weight.data, requires_grad=True)
        b_t = torch.tensor(dense.bias.data, requires_grad=True)
        out_t = torch_fn(x_t @ w_t + b_t)
        (out_t * torch.tensor(upstream)).sum().backward()

        np.testing.assert_allclose(out, out_t.detach().numpy(), rtol=1e-12, err_msg=name)
        np.testing.assert_allclose(dense.weight.grad, w_t.grad.numpy(), rtol=1e-10, err_msg=name)
        np.testing.assert_allclose(dense.bias.grad, b_t.grad.numpy(), rtol=1e-10, err_msg=name)
        np.testing.assert_allclose(grad_x, x_t.grad.numpy(), rtol=1e-10, err_msg=name)
