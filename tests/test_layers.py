"""Tests for ffnn.layers: Parameter, the Layer base class, Dense (with its weight regularizer)
and Dropout."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest

from ffnn import initializers, regularizers
from ffnn.activations import Tanh
from ffnn.layers import Dense, Dropout, Layer, Parameter, declares
from ffnn.model import Sequential


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


def test_layer_base_class_defaults_no_buffers_no_penalty_no_config() -> None:
    layer = Layer()
    assert layer.buffers() == {}
    assert layer.penalty() == 0.0
    assert layer.get_config() == {}
    assert repr(layer) == "Layer()"


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


def test_dense_repr_shows_the_regularizer() -> None:
    text = repr(Dense(2, 4, "he_normal", regularizer=regularizers.L2(0.5)))
    assert text == "Dense(n_in=2, n_out=4, initializer=HeNormal(), regularizer=L2(0.5))"


# -- Dense with a weight regularizer -----------------------------------------------------------
@pytest.mark.parametrize(
    "regularizer",
    [regularizers.L2(0.3), regularizers.L1(0.2), regularizers.L1L2(l1=0.1, l2=0.4)],
    ids=repr,
)
def test_dense_penalty_and_gradient_match_finite_differences_of_loss_plus_penalty(
    regularizer: regularizers.Regularizer, rng: np.random.Generator, numeric_gradient
) -> None:
    layer = _dense_float64(3, 4)
    layer.regularizer = regularizer
    layer.weight.data[np.abs(layer.weight.data) < 0.05] = 0.1  # |w| has a kink at 0: keep away
    x = rng.normal(size=(5, 3))
    upstream = rng.normal(size=(5, 4))

    def objective() -> float:  # L = Σ upstream ⊙ y + R(W)
        return float(np.sum(upstream * layer.forward(x))) + layer.penalty()

    expected_w = numeric_gradient(objective, layer.weight.data)
    expected_b = numeric_gradient(objective, layer.bias.data)
    layer.forward(x)
    layer.backward(upstream)
    np.testing.assert_allclose(layer.weight.grad, expected_w, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(layer.bias.grad, expected_b, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(layer.bias.grad, upstream.sum(axis=0), rtol=1e-12)  # no penalty


def test_dense_penalty_is_the_regularizer_of_the_weight_only_by_hand() -> None:
    layer = Dense(2, 2, regularizer=regularizers.L1L2(l1=0.5, l2=2.0), dtype=np.float64)
    layer.weight.data[:] = [[1.0, -2.0], [0.0, 3.0]]
    layer.bias.data[:] = [100.0, -100.0]  # biases are never penalised
    # 0.5 (1 + 2 + 0 + 3) + 2 (1 + 4 + 0 + 9)
    assert layer.penalty() == pytest.approx(3.0 + 28.0, rel=1e-15)
    layer.forward(np.zeros((1, 2)))
    layer.backward(np.zeros((1, 2)))
    # 0.5 sign(w) + 2·2 w
    np.testing.assert_allclose(layer.weight.grad, [[4.5, -8.5], [0.0, 12.5]], rtol=1e-15)
    assert not layer.bias.grad.any()


def test_dense_without_regularizer_has_no_penalty() -> None:
    layer = Dense(3, 2)
    assert layer.regularizer is None
    assert layer.penalty() == 0.0


@pytest.mark.parametrize(
    ("identifier", "expected"),
    [("l2", regularizers.L2(0.01)), ({"name": "l1", "l1": 0.5}, regularizers.L1(0.5))],
    ids=["name", "config"],
)
def test_dense_accepts_a_regularizer_name_or_config(identifier, expected) -> None:
    layer = Dense(2, 2, regularizer=identifier)
    assert repr(layer.regularizer) == repr(expected)


def test_dense_regularizer_gradient_keeps_float32() -> None:
    layer = Dense(3, 2, regularizer="l1_l2", random_state=0)
    out = layer.forward(np.ones((2, 3), dtype=np.float32))
    layer.backward(np.ones_like(out))
    assert layer.weight.grad.dtype == np.float32
    assert isinstance(layer.penalty(), float)


def test_dense_rejects_an_unknown_regularizer() -> None:
    with pytest.raises(ValueError, match="unknown regularizer 'l3'"):
        Dense(2, 2, regularizer="l3")


# -- get_config --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "layer",
    [
        Dense(3, 2),
        Dense(3, 2, "tutorial", dtype=np.float64),
        Dense(
            4, 5, initializers.TutorialNormal(0.5), "ones", regularizer=regularizers.L1L2(0.1, 2)
        ),
        Dense(2, 1, "he_uniform", regularizer="l2"),
        Dropout(0.3),
        Dropout(0.0),
    ],
    ids=repr,
)
def test_layer_config_is_json_and_rebuilds_an_equivalent_layer(layer: Layer) -> None:
    config = json.loads(json.dumps(layer.get_config()))
    rebuilt = type(layer)(**config)
    assert rebuilt.get_config() == layer.get_config()
    assert repr(rebuilt) == repr(layer)
    assert [(p.name, p.shape, p.data.dtype) for p in rebuilt.parameters()] == [
        (p.name, p.shape, p.data.dtype) for p in layer.parameters()
    ]


def test_dense_config_by_hand() -> None:
    layer = Dense(3, 2, "tutorial", regularizer=regularizers.L2(0.5), dtype=np.float64)
    assert layer.get_config() == {
        "n_in": 3,
        "n_out": 2,
        "initializer": {"name": "tutorial", "scale": 0.01},
        "bias_initializer": {"name": "zeros"},
        "regularizer": {"name": "l2", "l2": 0.5},
        "dtype": "float64",
    }


def test_dense_rebuilt_from_its_config_draws_the_same_weights_from_the_same_seed() -> None:
    layer = Dense(
        3, 4, "glorot_normal", {"name": "tutorial", "scale": 0.1}, dtype=np.float64, random_state=3
    )
    rebuilt = Dense(**layer.get_config(), random_state=3)
    np.testing.assert_array_equal(rebuilt.weight.data, layer.weight.data)
    np.testing.assert_array_equal(rebuilt.bias.data, layer.bias.data)


def test_dense_config_of_the_auto_initializer_stays_auto() -> None:
    model = Sequential([Dense(2, 3), Tanh(), Dense(3, 1)], random_state=0)
    assert model.layers[0].get_config()["initializer"] is None  # Sequential still chooses


# -- Dropout -----------------------------------------------------------------------------------
def test_dropout_keeps_units_scaled_by_one_over_one_minus_rate_and_zeros_the_rest() -> None:
    layer = Dropout(0.25, random_state=0)
    x = np.full((8, 50), 3.0)
    out = layer.forward(x, training=True)
    kept = out != 0
    np.testing.assert_allclose(out[kept], 3.0 / 0.75, rtol=1e-15)
    assert 0 < kept.sum() < x.size


def test_dropout_draws_its_mask_from_uniforms_by_hand() -> None:
    layer = Dropout(0.4, random_state=np.random.default_rng(5))
    x = np.arange(1.0, 13.0).reshape(3, 4)
    out = layer.forward(x, training=True)
    keep = np.random.default_rng(5).random((3, 4)) >= 0.4  # P(keep) = P(u >= rate) = 0.6
    np.testing.assert_allclose(out, np.where(keep, x / 0.6, 0.0), rtol=1e-15)


def test_dropout_backward_reuses_the_forward_mask(rng: np.random.Generator) -> None:
    layer = Dropout(0.5, random_state=1)
    x = rng.normal(size=(6, 7))
    out = layer.forward(x, training=True)
    mask = out / x  # 0 or 2 per entry
    upstream = rng.normal(size=(6, 7))
    np.testing.assert_allclose(layer.backward(upstream), upstream * mask, rtol=1e-15)
    np.testing.assert_allclose(layer.backward(upstream), upstream * mask, rtol=1e-15)  # again


def test_dropout_backward_matches_finite_differences_for_a_fixed_mask(rng, numeric_gradient):
    layer = Dropout(0.3, random_state=0)
    x = rng.normal(size=(4, 5))
    upstream = rng.normal(size=(4, 5))
    state = layer._rng.bit_generator.state

    def objective() -> float:
        layer._rng.bit_generator.state = state  # the same mask in every pass
        return float(np.sum(upstream * layer.forward(x, training=True)))

    expected = numeric_gradient(objective, x)
    objective()
    np.testing.assert_allclose(layer.backward(upstream), expected, rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dropout_keeps_about_one_minus_rate_of_a_large_draw(dtype: type) -> None:
    layer = Dropout(0.3, random_state=0)
    x = np.ones((500, 400), dtype=dtype)
    out = layer.forward(x, training=True)
    # 200 000 Bernoulli(0.7) draws: standard deviation of the fraction 0.001
    assert (out != 0).mean() == pytest.approx(0.7, abs=0.005)
    assert out.mean() == pytest.approx(1.0, abs=0.01)  # inverted dropout keeps the mean


def test_dropout_is_the_identity_at_inference_and_draws_nothing(rng) -> None:
    layer = Dropout(0.5, random_state=0)
    before = layer._rng.bit_generator.state
    x = rng.normal(size=(3, 4))
    assert layer.forward(x) is x
    assert layer.forward(x, training=False) is x
    upstream = rng.normal(size=(3, 4))
    assert layer.backward(upstream) is upstream
    assert layer._rng.bit_generator.state == before


def test_dropout_with_rate_zero_is_the_identity_even_when_training(rng) -> None:
    layer = Dropout(0.0, random_state=0)
    before = layer._rng.bit_generator.state
    x = rng.normal(size=(3, 4))
    assert layer.forward(x, training=True) is x
    assert layer._rng.bit_generator.state == before


def test_dropout_backward_after_an_inference_forward_is_the_identity(rng) -> None:
    layer = Dropout(0.5, random_state=0)
    layer.forward(rng.normal(size=(2, 3)), training=True)
    layer.forward(rng.normal(size=(2, 3)), training=False)
    upstream = rng.normal(size=(2, 3))
    np.testing.assert_array_equal(layer.backward(upstream), upstream)


def test_dropout_same_seed_gives_the_same_mask_and_another_seed_another() -> None:
    x = np.ones((10, 10))
    a, b, c = (Dropout(0.5, random_state=s).forward(x, training=True) for s in (7, 7, 8))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_dropout_draws_a_fresh_mask_on_every_forward() -> None:
    layer = Dropout(0.5, random_state=0)
    x = np.ones((10, 10))
    assert not np.array_equal(layer.forward(x, training=True), layer.forward(x, training=True))


def test_dropout_in_a_model_draws_from_the_models_generator() -> None:
    def masks(seed: int) -> np.ndarray:
        model = Sequential(
            [Dense(4, 30), Dropout(0.5, random_state=99), Dense(30, 1)], random_state=seed
        )
        assert model.layers[1]._rng is model.rng
        model.layers[0].forward(np.ones((3, 4), dtype=np.float32))
        return model.layers[1].forward(np.ones((3, 30), dtype=np.float32), training=True)

    np.testing.assert_array_equal(masks(1), masks(1))
    assert not np.array_equal(masks(1), masks(2))


def test_dropout_with_a_legacy_random_state_draws_float64_uniforms() -> None:
    layer = Dropout(0.5, random_state=np.random.RandomState(3))
    x = np.ones((4, 6), dtype=np.float32)
    out = layer.forward(x, training=True)
    keep = np.random.RandomState(3).random_sample((4, 6)) >= 0.5
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, np.where(keep, 2.0, 0.0).astype(np.float32))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dropout_keeps_the_dtype_without_warnings_for_extreme_inputs(dtype: type) -> None:
    layer = Dropout(0.5, random_state=0)
    x = np.array([[-1e4, 1e4, 0.0, 1.0]] * 4, dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = layer.forward(x, training=True)
        grad = layer.backward(np.ones_like(x))
    assert out.dtype == np.dtype(dtype) and grad.dtype == np.dtype(dtype)
    assert np.isfinite(out).all() and np.isfinite(grad).all()


@pytest.mark.parametrize("rate", [-0.1, 1.0, 1.5, float("nan")])
def test_dropout_rejects_a_rate_outside_zero_one_naming_it(rate: float) -> None:
    with pytest.raises(ValueError, match=rf"rate must be a number in \[0, 1\), got {rate}"):
        Dropout(rate)


def test_dropout_rejects_a_rate_that_is_not_a_number() -> None:
    with pytest.raises(TypeError, match="rate must be a number in"):
        Dropout("0.5")  # type: ignore[arg-type]


def test_dropout_backward_before_forward_raises() -> None:
    with pytest.raises(RuntimeError, match="before forward"):
        Dropout(0.5).backward(np.ones((1, 1)))


def test_dropout_has_no_parameters_and_no_initializer_preference() -> None:
    layer = Dropout(0.2)
    assert layer.parameters() == [] and layer.buffers() == {} and layer.penalty() == 0.0
    assert layer.output_size(9) == 9
    assert layer.preferred_initializer is None
    assert repr(layer) == "Dropout(rate=0.2)"


# -- the hooks the outer parts read (ONNX form, glass-box formulas) -----------------------------
def test_a_plain_layer_declares_no_onnx_form_and_no_formula() -> None:
    class Plain(Layer):
        def forward(self, x, training=False):
            return x

    layer = Plain()
    assert layer.to_onnx(object(), "x") is NotImplemented
    assert layer.formulas() == {}
    assert not declares(layer, "to_onnx") and not declares(layer, "formula", "formulas")


def test_declares_follows_the_class_that_defines_forward() -> None:
    class Declared(Layer):
        formula = "A = 3 Z"

        def forward(self, x, training=False):
            return 3 * x

        def to_onnx(self, graph, x):
            return x

    class Same(Declared):  # computes what its parent declared
        pass

    class Changed(Declared):  # computes something else: the parent's hooks do not describe it
        def forward(self, x, training=False):
            return 4 * x

    assert declares(Declared(), "to_onnx") and declares(Declared(), "formula")
    assert declares(Same(), "to_onnx") and Same().formulas() == {"A": "A = 3 Z"}
    assert not declares(Changed(), "to_onnx") and not declares(Changed(), "formula")
    assert declares(Dense(2, 3), "to_onnx") and declares(Dropout(0.1), "formula")
