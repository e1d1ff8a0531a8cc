"""Tests for ffnn.normalization: BatchNorm and LayerNorm against hand formulas, finite
differences (float64) and PyTorch (BatchNorm1d, LayerNorm), running statistics, extreme inputs,
dtypes and configs."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest

from ffnn.activations import ReLU
from ffnn.layers import Dense, Layer
from ffnn.model import Sequential
from ffnn.normalization import BatchNorm, LayerNorm


def _with_random_affine(layer: BatchNorm | LayerNorm, seed: int = 0) -> BatchNorm | LayerNorm:
    """γ and β away from their initial 1 and 0, so that backward must use them."""
    generator = np.random.default_rng(seed)
    layer.weight.data[:] = generator.uniform(0.5, 2.0, size=layer.n_features)
    layer.bias.data[:] = generator.normal(size=layer.n_features)
    return layer


def _batch(rng: np.random.Generator, shape: tuple[int, int] = (6, 4)) -> np.ndarray:
    """Features with different means and spreads."""
    return rng.normal(size=shape) * np.linspace(0.5, 3.0, shape[1]) + np.arange(shape[1])


# -- BatchNorm forward -------------------------------------------------------------------------
def test_batchnorm_training_forward_normalises_each_feature_over_the_batch(rng) -> None:
    layer = _with_random_affine(BatchNorm(4, dtype=np.float64))
    x = _batch(rng)
    out = layer.forward(x, training=True)
    mean, var = x.mean(axis=0), x.var(axis=0)  # biased, as in the paper and torch
    x_hat = (x - mean) / np.sqrt(var + 1e-5)
    np.testing.assert_allclose(out, layer.weight.data * x_hat + layer.bias.data, rtol=1e-12)


def test_batchnorm_by_hand_on_two_samples() -> None:
    layer = BatchNorm(1, epsilon=1e-12, dtype=np.float64)
    out = layer.forward(np.array([[1.0], [3.0]]), training=True)
    # mean 2, biased variance 1: x̂ = ±1
    np.testing.assert_allclose(out, [[-1.0], [1.0]], rtol=1e-9)
    # running: 0.9·0 + 0.1·2 and 0.9·1 + 0.1·(unbiased variance 2)
    np.testing.assert_allclose(layer.running_mean, [0.2], rtol=1e-15)
    np.testing.assert_allclose(layer.running_var, [1.1], rtol=1e-15)


def test_batchnorm_running_statistics_follow_the_momentum_rule(rng) -> None:
    layer = BatchNorm(4, momentum=0.3, dtype=np.float64)
    mean, var = np.zeros(4), np.ones(4)
    for _ in range(5):
        x = _batch(rng, (7, 4))
        layer.forward(x, training=True)
        mean = 0.7 * mean + 0.3 * x.mean(axis=0)
        var = 0.7 * var + 0.3 * x.var(axis=0, ddof=1)
    np.testing.assert_allclose(layer.running_mean, mean, rtol=1e-13)
    np.testing.assert_allclose(layer.running_var, var, rtol=1e-13)


def test_batchnorm_inference_uses_the_running_statistics_and_changes_nothing(rng) -> None:
    layer = _with_random_affine(BatchNorm(4, dtype=np.float64))
    layer.running_mean[:] = [1.0, -1.0, 0.5, 2.0]
    layer.running_var[:] = [4.0, 0.25, 1.0, 9.0]
    x = _batch(rng)
    out = layer.forward(x)
    x_hat = (x - layer.running_mean) / np.sqrt(layer.running_var + 1e-5)
    np.testing.assert_allclose(out, layer.weight.data * x_hat + layer.bias.data, rtol=1e-13)
    np.testing.assert_array_equal(layer.running_mean, [1.0, -1.0, 0.5, 2.0])
    # one sample is enough at inference
    assert layer.forward(x[:1]).shape == (1, 4)


def test_batchnorm_buffers_are_the_running_arrays_updated_in_place(rng) -> None:
    layer = BatchNorm(4, dtype=np.float64)
    buffers = layer.buffers()
    assert list(buffers) == ["running_mean", "running_var"]
    layer.forward(_batch(rng), training=True)
    assert buffers["running_mean"] is layer.running_mean
    assert buffers["running_var"] is layer.running_var
    assert buffers["running_mean"].any()


def test_batchnorm_inference_reads_values_written_into_its_buffers(rng) -> None:
    layer = BatchNorm(4, dtype=np.float64)
    buffers = layer.buffers()
    buffers["running_mean"][...] = 3.0  # how a model's set_weights restores a snapshot
    buffers["running_var"][...] = 4.0
    out = layer.forward(np.full((2, 4), 5.0))
    np.testing.assert_allclose(out, (5.0 - 3.0) / np.sqrt(4.0 + 1e-5), rtol=1e-14)


def test_batchnorm_training_needs_two_samples() -> None:
    with pytest.raises(
        ValueError,
        match="at least 2 samples per batch in training mode to estimate a variance, got 1",
    ):
        BatchNorm(3).forward(np.ones((1, 3), dtype=np.float32), training=True)


# -- BatchNorm backward ------------------------------------------------------------------------
@pytest.mark.parametrize("training", [True, False], ids=["training", "inference"])
def test_batchnorm_backward_matches_finite_differences(training: bool, rng, numeric_gradient):
    layer = _with_random_affine(BatchNorm(4, dtype=np.float64))
    layer.running_mean[:] = rng.normal(size=4)
    layer.running_var[:] = rng.uniform(0.5, 2.0, size=4)
    x = _batch(rng, (5, 4))
    upstream = rng.normal(size=(5, 4))
    saved = {name: array.copy() for name, array in layer.buffers().items()}

    def objective() -> float:
        for name, array in layer.buffers().items():
            array[...] = saved[name]  # training updates them; keep every pass identical
        return float(np.sum(upstream * layer.forward(x, training=training)))

    expected_x = numeric_gradient(objective, x)
    expected_w = numeric_gradient(objective, layer.weight.data)
    expected_b = numeric_gradient(objective, layer.bias.data)
    objective()
    grad_input = layer.backward(upstream)
    np.testing.assert_allclose(grad_input, expected_x, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(layer.weight.grad, expected_w, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(layer.bias.grad, expected_b, rtol=1e-7, atol=1e-9)


def test_batchnorm_input_gradient_sums_to_zero_over_the_batch(rng) -> None:
    # the output is invariant to adding a constant to a feature: Σ_batch ∂L/∂x = 0
    layer = _with_random_affine(BatchNorm(3, dtype=np.float64))
    layer.forward(_batch(rng, (8, 3)), training=True)
    grad_input = layer.backward(rng.normal(size=(8, 3)))
    np.testing.assert_allclose(grad_input.sum(axis=0), 0.0, atol=1e-13)


def test_batchnorm_backward_before_forward_raises() -> None:
    with pytest.raises(RuntimeError, match="before forward"):
        BatchNorm(2).backward(np.ones((2, 2), dtype=np.float32))


# -- BatchNorm against torch ---------------------------------------------------------------------
def test_batchnorm_matches_torch_batchnorm1d_over_several_steps(rng) -> None:
    torch = pytest.importorskip("torch")
    layer = _with_random_affine(BatchNorm(5, momentum=0.1, dtype=np.float64))
    reference = torch.nn.BatchNorm1d(5, momentum=0.1, eps=1e-5, dtype=torch.float64)
    with torch.no_grad():
        reference.weight.copy_(torch.tensor(layer.weight.data))
        reference.bias.copy_(torch.tensor(layer.bias.data))
    reference.train()
    for step in range(4):
        x = _batch(rng, (6 + step, 5))
        upstream = rng.normal(size=x.shape)
        out = layer.forward(x, training=True)
        grad_input = layer.backward(upstream)

        x_t = torch.tensor(x, requires_grad=True)
        reference.zero_grad()
        out_t = reference(x_t)
        (out_t * torch.tensor(upstream)).sum().backward()

        np.testing.assert_allclose(out, out_t.detach().numpy(), rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(grad_input, x_t.grad.numpy(), rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(layer.weight.grad, reference.weight.grad.numpy(), rtol=1e-10)
        np.testing.assert_allclose(layer.bias.grad, reference.bias.grad.numpy(), rtol=1e-10)
        np.testing.assert_allclose(layer.running_mean, reference.running_mean.numpy(), rtol=1e-10)
        np.testing.assert_allclose(layer.running_var, reference.running_var.numpy(), rtol=1e-10)

    reference.eval()
    x = _batch(rng, (3, 5))
    upstream = rng.normal(size=x.shape)
    out = layer.forward(x)
    grad_input = layer.backward(upstream)
    x_t = torch.tensor(x, requires_grad=True)
    out_t = reference(x_t)
    (out_t * torch.tensor(upstream)).sum().backward()
    np.testing.assert_allclose(out, out_t.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(grad_input, x_t.grad.numpy(), rtol=1e-10, atol=1e-12)


# -- LayerNorm -----------------------------------------------------------------------------------
def test_layernorm_normalises_each_sample_over_its_features(rng) -> None:
    layer = _with_random_affine(LayerNorm(4, dtype=np.float64))
    x = _batch(rng)
    mean, var = x.mean(axis=1, keepdims=True), x.var(axis=1, keepdims=True)
    x_hat = (x - mean) / np.sqrt(var + 1e-5)
    expected = layer.weight.data * x_hat + layer.bias.data
    np.testing.assert_allclose(layer.forward(x), expected, rtol=1e-12)
    np.testing.assert_allclose(layer.forward(x, training=True), expected, rtol=1e-12)


def test_layernorm_by_hand_on_one_sample() -> None:
    out = LayerNorm(2, epsilon=1e-12, dtype=np.float64).forward(np.array([[1.0, 3.0]]))
    np.testing.assert_allclose(out, [[-1.0, 1.0]], rtol=1e-9)


def test_layernorm_backward_matches_finite_differences(rng, numeric_gradient) -> None:
    layer = _with_random_affine(LayerNorm(5, dtype=np.float64))
    x = _batch(rng, (3, 5))
    upstream = rng.normal(size=(3, 5))

    def objective() -> float:
        return float(np.sum(upstream * layer.forward(x)))

    expected_x = numeric_gradient(objective, x)
    expected_w = numeric_gradient(objective, layer.weight.data)
    expected_b = numeric_gradient(objective, layer.bias.data)
    objective()
    np.testing.assert_allclose(layer.backward(upstream), expected_x, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(layer.weight.grad, expected_w, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(layer.bias.grad, expected_b, rtol=1e-7, atol=1e-9)


def test_layernorm_matches_torch_layernorm(rng) -> None:
    torch = pytest.importorskip("torch")
    layer = _with_random_affine(LayerNorm(6, dtype=np.float64))
    reference = torch.nn.LayerNorm(6, eps=1e-5, dtype=torch.float64)
    with torch.no_grad():
        reference.weight.copy_(torch.tensor(layer.weight.data))
        reference.bias.copy_(torch.tensor(layer.bias.data))
    x = _batch(rng, (5, 6))
    upstream = rng.normal(size=x.shape)
    out = layer.forward(x, training=True)
    grad_input = layer.backward(upstream)

    x_t = torch.tensor(x, requires_grad=True)
    out_t = reference(x_t)
    (out_t * torch.tensor(upstream)).sum().backward()
    np.testing.assert_allclose(out, out_t.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(grad_input, x_t.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(layer.weight.grad, reference.weight.grad.numpy(), rtol=1e-10)
    np.testing.assert_allclose(layer.bias.grad, reference.bias.grad.numpy(), rtol=1e-10)


def test_layernorm_has_no_buffers() -> None:
    assert LayerNorm(3).buffers() == {}


# -- both: extreme inputs, dtypes, construction --------------------------------------------------
@pytest.mark.parametrize("kind", [BatchNorm, LayerNorm])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("training", [True, False], ids=["training", "inference"])
def test_normalisation_is_finite_without_warnings_for_extreme_and_constant_inputs(
    kind: type, dtype: type, training: bool
) -> None:
    layer = kind(4, dtype=dtype)
    inputs = [
        np.array([[-1e4, 1e4, 0.0, 1.0], [1e4, -1e4, 1.0, 0.0]], dtype=dtype),
        np.full((3, 4), 7.0, dtype=dtype),  # all equal: zero variance, x̂ = 0
        np.full((3, 4), 1e4, dtype=dtype),
    ]
    for x in inputs:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            with np.errstate(all="raise", under="ignore"):
                out = layer.forward(x, training=training)
                grad = layer.backward(np.ones_like(x))
        assert out.dtype == np.dtype(dtype) and grad.dtype == np.dtype(dtype)
        assert np.isfinite(out).all() and np.isfinite(grad).all()
        for array in (*[p.grad for p in layer.parameters()], *layer.buffers().values()):
            assert array.dtype == np.dtype(dtype) and np.isfinite(array).all()


@pytest.mark.parametrize("kind", [BatchNorm, LayerNorm])
def test_normalisation_of_constant_rows_gives_beta(kind: type) -> None:
    layer = _with_random_affine(kind(3, dtype=np.float64))
    out = layer.forward(np.full((4, 3), 2.5), training=True)
    np.testing.assert_allclose(out, np.broadcast_to(layer.bias.data, (4, 3)), rtol=1e-15)


@pytest.mark.parametrize("kind", [BatchNorm, LayerNorm])
def test_normalisation_starts_with_gamma_one_and_beta_zero(kind: type) -> None:
    layer = kind(3)
    weight, bias = layer.parameters()
    assert (weight.name, bias.name) == ("weight", "bias")
    np.testing.assert_array_equal(weight.data, np.ones(3, dtype=np.float32))
    np.testing.assert_array_equal(bias.data, np.zeros(3, dtype=np.float32))
    assert weight.data.dtype == np.float32 and layer.penalty() == 0.0


def test_a_float64_model_rebuilds_gamma_beta_and_running_statistics_in_float64() -> None:
    model = Sequential(
        [Dense(3, 4), BatchNorm(4), ReLU(), Dense(4, 4), LayerNorm(4), Dense(4, 1)],
        dtype=np.float64,
        random_state=0,
    )
    for layer in (model.layers[1], model.layers[4]):
        for array in (*[p.data for p in layer.parameters()], *layer.buffers().values()):
            assert array.dtype == np.float64
    assert model.n_outputs == 1


def test_a_model_checks_the_feature_count_of_a_normalisation_layer() -> None:
    with pytest.raises(ValueError, match=r"BatchNorm\(n_features=5.*normalises 5 features.*4"):
        Sequential([Dense(3, 4), BatchNorm(5), Dense(5, 1)])


@pytest.mark.parametrize("kind", [BatchNorm, LayerNorm])
def test_normalisation_rejects_inputs_of_the_wrong_shape(kind: type) -> None:
    with pytest.raises(ValueError, match=r"expects inputs \(batch, 3\), got shape \(2, 4\)"):
        kind(3).forward(np.ones((2, 4), dtype=np.float32), training=True)


@pytest.mark.parametrize(
    ("factory", "error", "message"),
    [
        (lambda: BatchNorm(0), ValueError, "n_features must be a positive int, got 0"),
        (lambda: LayerNorm(2.5), TypeError, "n_features must be a positive int"),
        (
            lambda: BatchNorm(3, momentum=1.5),
            ValueError,
            r"momentum must be a number in \[0, 1\], got 1.5",
        ),
        (lambda: BatchNorm(3, momentum="0.1"), TypeError, "momentum must be a number"),
        (lambda: BatchNorm(3, epsilon=0.0), ValueError, "epsilon must be a positive finite number"),
        (
            lambda: LayerNorm(3, epsilon=-1e-5),
            ValueError,
            "epsilon must be a positive finite number",
        ),
        (lambda: LayerNorm(3, dtype=np.int64), ValueError, "dtype must be float32 or float64"),
    ],
)
def test_normalisation_arguments_are_validated(factory, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        factory()


@pytest.mark.parametrize(
    ("layer", "config", "text"),
    [
        (
            BatchNorm(4),
            {"n_features": 4, "epsilon": 1e-5, "dtype": "float32", "momentum": 0.1},
            "BatchNorm(n_features=4, momentum=0.1, epsilon=1e-05)",
        ),
        (
            BatchNorm(2, momentum=0.01, epsilon=1e-3, dtype=np.float64),
            {"n_features": 2, "epsilon": 1e-3, "dtype": "float64", "momentum": 0.01},
            "BatchNorm(n_features=2, momentum=0.01, epsilon=0.001)",
        ),
        (
            LayerNorm(3, epsilon=1e-6),
            {"n_features": 3, "epsilon": 1e-6, "dtype": "float32"},
            "LayerNorm(n_features=3, epsilon=1e-06)",
        ),
    ],
    ids=repr,
)
def test_normalisation_config_round_trips_through_json(layer: Layer, config: dict, text: str):
    assert layer.get_config() == config
    rebuilt = type(layer)(**json.loads(json.dumps(config)))
    assert rebuilt.get_config() == config
    assert repr(rebuilt) == repr(layer) == text


def test_normalisation_layers_leave_the_initializer_to_the_activation() -> None:
    assert BatchNorm.preferred_initializer is None
    assert LayerNorm.preferred_initializer is None


@pytest.mark.parametrize("cls", [BatchNorm, LayerNorm])
def test_the_old_name_eps_is_read_with_a_deprecation_warning(cls):
    """Model files written before the rename say "eps" in the layer's config."""
    with pytest.warns(DeprecationWarning, match="renamed epsilon"):
        layer = cls(3, eps=1e-3)
    assert layer.epsilon == 1e-3
    assert layer.get_config()["epsilon"] == 1e-3 and "eps" not in layer.get_config()
    assert cls(**layer.get_config()).epsilon == 1e-3
