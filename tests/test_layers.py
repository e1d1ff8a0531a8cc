"""Tests for ffnn.layers: Parameter, the Layer base class and Dense."""

from __future__ import annotations

import numpy as np
import pytest

from ffnn import initializers
from ffnn.layers import Dense, Layer, Parameter


def _dense_float64(n_in: int, n_out: int, seed: int = 0) -> Dense:
    """A float64 Dense with random weights and a non-zero bias."""
    layer = Dense(n_in, n_out, "glorot_normal", dtype=np.float64, random_state=seed)
    layer.bias.data[:] = np.random.default_rng(seed + 1).normal(size=n_out)
    return layer


# -- Parameter -------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_parameter_grad_has_the_shape_and_dtype_of_its_data(dtype: type) -> None:
    param = Parameter(np.ones((3, 2), dtype=dtype), "weight")
    assert param.grad.shape == (3, 2)
    assert param.grad.dtype == np.dtype(dtype)
    assert not param.grad.any()
    assert param.shape == (3, 2)
    assert param.size == 6


def test_parameter_zero_grad_clears_in_place() -> None:
    param = Parameter(np.ones(4))
    buffer = param.grad
    param.grad[:] = 3.0
    param.zero_grad()
    assert param.grad is buffer
    np.testing.assert_array_equal(param.grad, np.zeros(4))


def test_parameter_repr_names_the_shape_and_dtype() -> None:
    text = repr(Parameter(np.zeros((2, 5), dtype=np.float32), "bias"))
    assert "bias" in text and "(2, 5)" in text and "float32" in text


# -- Layer base class ------------------------------------------------------------------------
def test_layer_base_class_requires_forward_and_backward() -> None:
    layer = Layer()
    with pytest.raises(NotImplementedError):
        layer.forward(np.zeros((1, 1)))
    with pytest.raises(NotImplementedError):
        layer.backward(np.zeros((1, 1)))
    assert layer.parameters() == []
    assert layer.output_size(7) == 7


# -- Dense forward -----------------------------------------------------------------------------
def test_dense_forward_is_x_times_weight_plus_bias_by_hand() -> None:
    layer = Dense(2, 3, dtype=np.float64)
    layer.weight.data[:] = [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]
    layer.bias.data[:] = [0.5, -1.0, 0.0]
    x = np.array([[1.0, 2.0], [-1.0, 0.5]])
    # row 0: [1+8+0.5, 2+10-1, 3+12+0]; row 1: [-1+2+0.5, -2+2.5-1, -3+3+0]
    expected = np.array([[9.5, 11.0, 15.0], [1.5, -0.5, 0.0]])
    np.testing.assert_array_equal(layer.forward(x), expected)
    np.testing.assert_array_equal(layer(x), expected)


def test_dense_forward_does_not_modify_its_input() -> None:
    layer = _dense_float64(3, 2)
    x = np.arange(6.0).reshape(2, 3)
    before = x.copy()
    layer.forward(x)
    np.testing.assert_array_equal(x, before)


def test_dense_output_size_is_n_out() -> None:
    assert Dense(5, 3).output_size(5) == 3


# -- Dense backward ----------------------------------------------------------------------------
def test_dense_backward_matches_the_analytic_formulas(rng: np.random.Generator) -> None:
    layer = _dense_float64(4, 3)
    x = rng.normal(size=(5, 4))
    upstream = rng.normal(size=(5, 3))
    layer.forward(x)
    grad_input = layer.backward(upstream)
    np.testing.assert_allclose(layer.weight.grad, x.T @ upstream, rtol=1e-12)
    np.testing.assert_allclose(layer.bias.grad, upstream.sum(axis=0), rtol=1e-12)
    np.testing.assert_allclose(grad_input, upstream @ layer.weight.data.T, rtol=1e-12)
    assert grad_input.shape == x.shape


def test_dense_backward_matches_finite_differences(rng: np.random.Generator, numeric_gradient):
    layer = _dense_float64(3, 4)
    x = rng.normal(size=(6, 3))
    upstream = rng.normal(size=(6, 4))

    def objective() -> float:  # L = Σ upstream ⊙ y, so ∂L/∂y = upstream
        return float(np.sum(upstream * layer.forward(x)))

    expected_w = numeric_gradient(objective, layer.weight.data)
    expected_b = numeric_gradient(objective, layer.bias.data)
    expected_x = numeric_gradient(objective, x)
    layer.forward(x)
    grad_input = layer.backward(upstream)
    np.testing.assert_allclose(layer.weight.grad, expected_w, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(layer.bias.grad, expected_b, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(grad_input, expected_x, rtol=1e-7, atol=1e-9)


def test_dense_backward_overwrites_gradients_instead_of_accumulating(
    rng: np.random.Generator,
) -> None:
    layer = _dense_float64(3, 2)
    x = rng.normal(size=(4, 3))
    first, second = rng.normal(size=(4, 2)), rng.normal(size=(4, 2))
    layer.forward(x)
    layer.backward(first)
    layer.backward(first)
    np.testing.assert_allclose(layer.weight.grad, x.T @ first, rtol=1e-12)
    np.testing.assert_allclose(layer.bias.grad, first.sum(axis=0), rtol=1e-12)
    layer.backward(second)
    np.testing.assert_allclose(layer.weight.grad, x.T @ second, rtol=1e-12)
    np.testing.assert_allclose(layer.bias.grad, second.sum(axis=0), rtol=1e-12)


def test_dense_backward_uses_the_input_of_the_latest_forward(rng: np.random.Generator) -> None:
    layer = _dense_float64(3, 2)
    upstream = rng.normal(size=(2, 2))
    layer.forward(rng.normal(size=(2, 3)))
    x = rng.normal(size=(2, 3))
    layer.forward(x)
    layer.backward(upstream)
    np.testing.assert_allclose(layer.weight.grad, x.T @ upstream, rtol=1e-12)


def test_dense_backward_before_forward_raises() -> None:
    with pytest.raises(RuntimeError, match="before forward"):
        Dense(2, 2).backward(np.zeros((1, 2)))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dense_keeps_its_dtype_through_forward_and_backward(dtype: type) -> None:
    layer = Dense(3, 2, dtype=dtype, random_state=0)
    x = np.ones((4, 3), dtype=dtype)
    out = layer.forward(x)
    grad_input = layer.backward(np.ones_like(out))
    for array in (layer.weight.data, layer.bias.data, layer.weight.grad, out, grad_input):
        assert array.dtype == np.dtype(dtype)


# -- Dense construction ------------------------------------------------------------------------
def test_dense_parameters_are_weight_then_bias_with_documented_shapes() -> None:
    layer = Dense(4, 3)
    weight, bias = layer.parameters()
    assert weight is layer.weight and bias is layer.bias
    assert (weight.name, weight.shape) == ("weight", (4, 3))
    assert (bias.name, bias.shape) == ("bias", (3,))
    assert weight.data.dtype == np.float32  # the library default
    assert not bias.data.any()  # zeros by default


def test_dense_on_its_own_draws_glorot_uniform_from_its_random_state() -> None:
    layer = Dense(3, 5, dtype=np.float64, random_state=7)
    expected = initializers.GlorotUniform()((3, 5), np.random.default_rng(7), np.float64)
    np.testing.assert_array_equal(layer.weight.data, expected)


def test_dense_same_random_state_gives_same_weights_and_different_differs() -> None:
    a, b, c = (Dense(3, 4, random_state=s) for s in (5, 5, 6))
    np.testing.assert_array_equal(a.weight.data, b.weight.data)
    assert not np.array_equal(a.weight.data, c.weight.data)


def test_dense_uses_the_initializer_it_is_given() -> None:
    layer = Dense(2, 3, "tutorial", dtype=np.float64, random_state=np.random.RandomState(42))
    expected = np.random.RandomState(42).randn(2, 3) * 0.01
    np.testing.assert_array_equal(layer.weight.data, expected)


@pytest.mark.parametrize(
    ("n_in", "n_out", "error"),
    [(0, 3, ValueError), (3, -1, ValueError), (2.5, 3, TypeError), (2, True, TypeError)],
)
def test_dense_rejects_sizes_that_are_not_positive_ints(n_in, n_out, error) -> None:
    with pytest.raises(error, match="n_in|n_out"):
        Dense(n_in, n_out)


def test_dense_rejects_an_unknown_initializer_name() -> None:
    with pytest.raises(ValueError, match="unknown initializer 'nope'"):
        Dense(2, 2, initializer="nope")


def test_dense_repr_shows_sizes() -> None:
    assert repr(Dense(2, 4)) == "Dense(n_in=2, n_out=4, initializer=auto)"
