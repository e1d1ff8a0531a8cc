"""Tests for ffnn.activations: forward against NumPy formulas, backward against finite
differences (float64, inputs kept away from the ReLU kink) and PyTorch autograd, extreme inputs,
dtypes, configs and lookup by name."""

from __future__ import annotations

import json
import math
import warnings
from collections.abc import Callable

import numpy as np
import pytest

from ffnn import _special, activations
from ffnn.activations import (
    ELU,
    GELU,
    Identity,
    LeakyReLU,
    Mish,
    ReLU,
    Sigmoid,
    SiLU,
    Softmax,
    Softplus,
    Tanh,
    sigmoid,
)
from ffnn.layers import Dense, Layer

_erf = np.vectorize(math.erf)  # an independent route to Φ: erf, not the library's erfc


def _softmax_reference(x: np.ndarray) -> np.ndarray:
    e = np.exp(x)
    return e / e.sum(axis=1, keepdims=True)


FACTORIES: dict[str, Callable[[], Layer]] = {
    "relu": ReLU,
    "leaky_relu": LeakyReLU,
    "elu": ELU,
    "gelu": GELU,
    "gelu_tanh": lambda: GELU(approximate="tanh"),
    "silu": SiLU,
    "softplus": Softplus,
    "mish": Mish,
    "sigmoid": Sigmoid,
    "tanh": Tanh,
    "identity": Identity,
    "softmax": Softmax,
}
REFERENCE_FORWARD: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "relu": lambda x: np.where(x > 0, x, 0.0),
    "leaky_relu": lambda x: np.where(x > 0, x, 0.01 * x),
    "elu": lambda x: np.where(x > 0, x, np.exp(x) - 1),
    "gelu": lambda x: 0.5 * x * (1 + _erf(x / np.sqrt(2))),
    "gelu_tanh": lambda x: 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x**3))),
    "silu": lambda x: x / (1 + np.exp(-x)),
    "softplus": lambda x: np.log(1 + np.exp(x)),
    "mish": lambda x: x * np.tanh(np.log(1 + np.exp(x))),
    "sigmoid": lambda x: 1.0 / (1.0 + np.exp(-x)),
    "tanh": lambda x: (np.exp(x) - np.exp(-x)) / (np.exp(x) + np.exp(-x)),
    "identity": lambda x: x,
    "softmax": _softmax_reference,
}
ALL_ACTIVATIONS = sorted(FACTORIES)
ELEMENTWISE = [name for name in ALL_ACTIVATIONS if name != "softmax"]


def _away_from_zero(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """Normal draws with |x| >= 0.1, so ±ε never crosses a kink at 0."""
    x = rng.normal(size=shape)
    return np.where(np.abs(x) < 0.1, np.sign(x) * 0.1 + x, x)


@pytest.mark.parametrize("name", ALL_ACTIVATIONS)
def test_activation_forward_matches_numpy_reference_formula(
    name: str, rng: np.random.Generator
) -> None:
    x = rng.normal(scale=3.0, size=(7, 5))
    out = FACTORIES[name]().forward(x)
    np.testing.assert_allclose(out, REFERENCE_FORWARD[name](x), rtol=1e-12, atol=1e-15)
    assert out.shape == x.shape


@pytest.mark.parametrize("name", ALL_ACTIVATIONS)
def test_activation_backward_matches_finite_differences(
    name: str, rng: np.random.Generator, numeric_gradient
) -> None:
    layer = FACTORIES[name]()
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
        (ELU(0.5), lambda x, y: np.where(x > 0, 1.0, 0.5 * np.exp(x))),
        (
            GELU(),
            lambda x, y: (
                0.5 * (1 + _erf(x / np.sqrt(2))) + x * np.exp(-(x**2) / 2) / np.sqrt(2 * np.pi)
            ),
        ),
        (SiLU(), lambda x, y: 1 / (1 + np.exp(-x)) + x * np.exp(-x) / (1 + np.exp(-x)) ** 2),
        (Softplus(), lambda x, y: 1 / (1 + np.exp(-x))),
    ],
    ids=["relu", "leaky_relu", "sigmoid", "tanh", "identity", "elu", "gelu", "silu", "softplus"],
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
    with pytest.raises(ValueError, match=r"negative_slope must be a number in \[0, 1\)"):
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


# -- extreme inputs and dtypes -------------------------------------------------------------------
EXTREMES = [-1e4, -100.0, -20.0, -1.0, 0.0, 1.0, 20.0, 100.0, 1e4]


@pytest.mark.parametrize("name", ALL_ACTIVATIONS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_activation_is_finite_and_warning_free_for_inputs_up_to_1e4(name: str, dtype: type) -> None:
    layer = FACTORIES[name]()
    x = np.array([EXTREMES, EXTREMES[::-1]], dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # overflow, invalid value, ...: all fail the test
        with np.errstate(all="raise", under="ignore"):  # and so would a silenced NaN or inf
            out = layer.forward(x)
            grad = layer.backward(np.ones_like(out))
    assert out.dtype == np.dtype(dtype) and grad.dtype == np.dtype(dtype)
    assert np.isfinite(out).all() and np.isfinite(grad).all()


# y(-1e4), y(+1e4), y'(-1e4), y'(+1e4): the limits, reached exactly in both dtypes
LIMITS = {
    "relu": (0.0, 1e4, 0.0, 1.0),
    "leaky_relu": (-100.0, 1e4, 0.01, 1.0),
    "elu": (-1.0, 1e4, 0.0, 1.0),
    "gelu": (0.0, 1e4, 0.0, 1.0),
    "gelu_tanh": (0.0, 1e4, 0.0, 1.0),
    "silu": (0.0, 1e4, 0.0, 1.0),
    "softplus": (0.0, 1e4, 0.0, 1.0),
    "sigmoid": (0.0, 1.0, 0.0, 0.0),
    "tanh": (-1.0, 1.0, 0.0, 0.0),
    "identity": (-1e4, 1e4, 1.0, 1.0),
}


@pytest.mark.parametrize("name", sorted(LIMITS))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_activation_reaches_its_limits_at_plus_and_minus_1e4(name: str, dtype: type) -> None:
    layer = FACTORIES[name]()
    out = layer.forward(np.array([[-1e4, 1e4]], dtype=dtype))
    grad = layer.backward(np.ones((1, 2), dtype=dtype))
    low, high, slope_low, slope_high = LIMITS[name]
    np.testing.assert_allclose(out[0], [low, high], rtol=1e-6)
    np.testing.assert_allclose(grad[0], [slope_low, slope_high], rtol=1e-6)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_softmax_rows_of_equal_or_huge_values_stay_finite_and_sum_to_one(dtype: type) -> None:
    x = np.array([[3.0, 3.0, 3.0, 3.0], [1e4, 1e4, 1e4, 1e4], [-1e4, 0.0, 1e4, 1e4]], dtype=dtype)
    layer = Softmax()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = layer.forward(x)
        grad = layer.backward(np.arange(12, dtype=dtype).reshape(3, 4))
    assert out.dtype == np.dtype(dtype) and grad.dtype == np.dtype(dtype)
    np.testing.assert_allclose(out, [[0.25] * 4, [0.25] * 4, [0.0, 0.0, 0.5, 0.5]], rtol=1e-6)
    np.testing.assert_allclose(out.sum(axis=1), 1.0, rtol=1e-6)
    assert np.isfinite(grad).all()


@pytest.mark.parametrize("name", ALL_ACTIVATIONS)
def test_activation_keeps_float32_through_forward_and_backward(name: str) -> None:
    layer = FACTORIES[name]()
    x = np.linspace(-2, 2, 12, dtype=np.float32).reshape(3, 4)
    out = layer.forward(x)
    assert out.dtype == np.float32
    assert layer.backward(np.ones_like(out)).dtype == np.float32


# -- the new activations by hand -----------------------------------------------------------------
def test_softmax_backward_is_the_jacobian_transpose_times_upstream(rng) -> None:
    x, upstream = rng.normal(size=(3, 5)), rng.normal(size=(3, 5))
    layer = Softmax()
    s = layer.forward(x)
    grad = layer.backward(upstream)
    for row in range(3):
        jacobian = np.diag(s[row]) - np.outer(s[row], s[row])  # ∂s_j/∂x_k = s_j (δ_jk - s_k)
        np.testing.assert_allclose(grad[row], jacobian.T @ upstream[row], rtol=1e-12, atol=1e-15)


def test_softmax_function_is_shift_invariant_and_leaves_its_input_alone(rng) -> None:
    x = rng.normal(size=(4, 3))
    before = x.copy()
    np.testing.assert_allclose(activations.softmax(x), activations.softmax(x + 50.0), rtol=1e-13)
    np.testing.assert_array_equal(x, before)


def test_gelu_exact_is_accurate_in_the_left_tail() -> None:
    # Φ(-10) = 7.619853024160527e-24 (Abramowitz & Stegun 26.2); ½(1 + erf) would give 0 here
    out = GELU().forward(np.array([[-10.0]]))
    assert out[0, 0] == pytest.approx(-10 * 7.619853024160527e-24, rel=1e-12)


def test_gelu_tanh_is_accurate_in_the_left_tail() -> None:
    u = math.sqrt(2 / math.pi) * (-10.0 + 0.044715 * (-10.0) ** 3)
    # ½ (1 + tanh u) = e^{2u} / (1 + e^{2u}), which has no cancellation; 1 + tanh(u) is 0 here
    assert 1 + math.tanh(u) == 0.0
    out = GELU("tanh").forward(np.array([[-10.0]]))
    assert out[0, 0] == pytest.approx(-10 * math.exp(2 * u) / (1 + math.exp(2 * u)), rel=1e-12)
    assert out[0, 0] < 0


def test_gelu_tanh_approximation_stays_close_to_the_exact_form(rng) -> None:
    x = rng.normal(scale=3.0, size=(50, 4))
    np.testing.assert_allclose(GELU("tanh").forward(x), GELU().forward(x), atol=1e-3)


def test_erfc_matches_the_standard_library_to_the_last_bits() -> None:
    # the three ranges of Cody's approximation, their borders, both signs, and the far tails
    x = np.concatenate(
        [
            np.linspace(-6.0, 27.0, 20_001),
            [0.0, -0.0, 0.46875, -0.46875, 4.0, -4.0, 1e-300, -1e-300, 26.5, 27.5],
            np.logspace(-8, 1.4, 2_001),
            -np.logspace(-8, 1.4, 2_001),
        ]
    )
    expected = np.array([math.erfc(v) for v in x])
    got = _special.erfc(x)
    assert got.dtype == np.float64 and got.shape == x.shape
    representable = expected > 1e-300  # past that, the last digits are subnormal
    np.testing.assert_allclose(got[representable], expected[representable], rtol=4e-15)
    np.testing.assert_allclose(got[~representable], expected[~representable], rtol=0, atol=1e-310)


def test_erfc_special_values() -> None:
    got = _special.erfc(np.array([np.inf, -np.inf, np.nan, 40.0, -40.0]))
    np.testing.assert_array_equal(got[[0, 1, 3, 4]], [0.0, 2.0, 0.0, 2.0])
    assert np.isnan(got[2])


def test_erfc_matches_scipy_where_installed() -> None:
    special = pytest.importorskip("scipy.special")
    x = np.random.default_rng(0).normal(scale=4.0, size=100_000)
    # SciPy's own routine differs from the standard library's by a few units in the far tail
    np.testing.assert_allclose(_special.erfc(x), special.erfc(x), rtol=5e-14, atol=0)


def test_elu_forward_by_hand() -> None:
    out = ELU(alpha=2.0).forward(np.array([[-1.0, 0.0, 3.0]]))
    np.testing.assert_allclose(out, [[2.0 * (math.exp(-1.0) - 1), 0.0, 3.0]], rtol=1e-15)


def test_softplus_is_log_one_plus_exp_by_hand() -> None:
    out = Softplus().forward(np.array([[0.0, 1.0, -1.0]]))
    np.testing.assert_allclose(out, [[math.log(2), math.log(1 + math.e), math.log1p(1 / math.e)]])


@pytest.mark.parametrize(
    ("factory", "message"),
    [
        (lambda: GELU(approximate="erf"), "approximate must be 'none' or 'tanh', got 'erf'"),
        (lambda: ELU(alpha=0.0), "alpha must be a positive finite number, got 0.0"),
        (lambda: ELU(alpha=float("nan")), "alpha must be a positive finite number, got nan"),
    ],
)
def test_activation_arguments_are_validated(factory: Callable[[], Layer], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        factory()


def test_elu_alpha_must_be_a_number() -> None:
    with pytest.raises(TypeError, match="alpha must be a positive number, got str"):
        ELU(alpha="1")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "layer",
    [ReLU(), LeakyReLU(), ELU(), GELU(), GELU("tanh"), SiLU(), Softplus(), Sigmoid(), Tanh()]
    + [Softmax()],
    ids=repr,
)
def test_activation_backward_before_forward_raises(layer: Layer) -> None:
    with pytest.raises(RuntimeError, match="before forward"):
        layer.backward(np.ones((1, 1)))


@pytest.mark.parametrize("name", ALL_ACTIVATIONS)
def test_activations_have_no_parameters_buffers_or_penalty_and_keep_the_size(name: str) -> None:
    layer = FACTORIES[name]()
    assert layer.parameters() == []
    assert layer.buffers() == {}
    assert layer.penalty() == 0.0
    assert layer.output_size(6) == 6


def test_relu_family_prefers_he_initialisation_and_others_glorot() -> None:
    for he in (ReLU, LeakyReLU, ELU, GELU, SiLU):
        assert he.preferred_initializer == "he_normal", he
    for glorot in (Sigmoid, Tanh, Softplus, Identity, Softmax, Dense):
        assert glorot.preferred_initializer == "glorot_uniform", glorot


# -- configs, reprs and lookup -------------------------------------------------------------------
@pytest.mark.parametrize(
    ("layer", "config", "text"),
    [
        (ReLU(), {}, "ReLU()"),
        (LeakyReLU(0.2), {"negative_slope": 0.2}, "LeakyReLU(negative_slope=0.2)"),
        (ELU(0.5), {"alpha": 0.5}, "ELU(alpha=0.5)"),
        (GELU(), {"approximate": "none"}, "GELU(approximate='none')"),
        (GELU("tanh"), {"approximate": "tanh"}, "GELU(approximate='tanh')"),
        (SiLU(), {}, "SiLU()"),
        (Softplus(), {}, "Softplus()"),
        (Sigmoid(), {}, "Sigmoid()"),
        (Tanh(), {}, "Tanh()"),
        (Identity(), {}, "Identity()"),
        (Softmax(), {}, "Softmax()"),
    ],
    ids=repr,
)
def test_activation_config_round_trips_through_json(layer: Layer, config: dict, text: str) -> None:
    assert layer.get_config() == config
    rebuilt = type(layer)(**json.loads(json.dumps(layer.get_config())))
    assert repr(rebuilt) == repr(layer) == text
    x = np.linspace(-3, 3, 8).reshape(2, 4)
    np.testing.assert_array_equal(rebuilt.forward(x), layer.forward(x))


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("relu", ReLU),
        ("ReLU", ReLU),
        ("leaky_relu", LeakyReLU),
        ("elu", ELU),
        ("gelu", GELU),
        ("silu", SiLU),
        ("swish", SiLU),
        ("softplus", Softplus),
        ("sigmoid", Sigmoid),
        ("logistic", Sigmoid),
        ("tanh", Tanh),
        ("identity", Identity),
        ("linear", Identity),
        ("softmax", Softmax),
    ],
)
def test_get_returns_a_fresh_layer_for_each_name(name: str, kind: type) -> None:
    first, second = activations.get(name), activations.get(name)
    assert type(first) is kind
    assert first is not second  # layers keep state: never share one


def test_get_gelu_is_the_exact_form() -> None:
    assert activations.get("gelu").get_config() == {"approximate": "none"}


def test_get_passes_a_layer_through() -> None:
    layer = LeakyReLU(0.3)
    assert activations.get(layer) is layer


def test_get_unknown_activation_lists_the_known_names() -> None:
    with pytest.raises(ValueError, match="unknown activation 'hardswish'.*mish.*relu.*swish"):
        activations.get("hardswish")


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


# the torch functional form of each new activation (forward and input gradient, float64)
TORCH_FORMS = {
    "elu": lambda F, t: F.elu(t, alpha=1.0),
    "gelu": lambda F, t: F.gelu(t, approximate="none"),
    "gelu_tanh": lambda F, t: F.gelu(t, approximate="tanh"),
    "silu": lambda F, t: F.silu(t),
    "softplus": lambda F, t: F.softplus(t),  # torch is linear above 20: keep |x| below
    "softmax": lambda F, t: F.softmax(t, dim=1),
    "mish": lambda F, t: F.mish(t),
}


@pytest.mark.parametrize("name", sorted(TORCH_FORMS))
def test_new_activation_forward_and_input_gradient_match_torch(name: str, rng) -> None:
    torch = pytest.importorskip("torch")
    x = np.concatenate([rng.normal(scale=3.0, size=(6, 5)), [[-15.0, -8.0, 0.0, 8.0, 15.0]]])
    upstream = rng.normal(size=x.shape)
    layer = FACTORIES[name]()
    out = layer.forward(x)
    grad = layer.backward(upstream)

    x_t = torch.tensor(x, requires_grad=True)
    out_t = TORCH_FORMS[name](torch.nn.functional, x_t)
    (out_t * torch.tensor(upstream)).sum().backward()
    # torch's GELUs compute ½(1 + erf) and ½(1 + tanh), which cancel in the left tail; our
    # ½ erfc and σ(2u) do not, so the two differ there by torch's rounding, about 1e-16
    atol = 1e-15 if name.startswith("gelu") else 0.0
    np.testing.assert_allclose(out, out_t.detach().numpy(), rtol=1e-12, atol=atol)
    np.testing.assert_allclose(grad, x_t.grad.numpy(), rtol=1e-12, atol=atol)


# -- Mish: one class, and every part of the library knows it -------------------------------------
def test_mish_is_found_by_name_and_survives_a_file_round_trip(tmp_path) -> None:
    import ffnn

    assert type(activations.get("mish")) is Mish and repr(Mish()) == "Mish()"
    X = np.random.default_rng(0).normal(size=(9, 3))
    model = ffnn.Sequential([Dense(3, 4), Mish(), Dense(4, 1)], dtype="float64", random_state=0)
    model.loss = ffnn.losses.get("mse")
    ffnn.save(model, tmp_path / "mish.npz")
    loaded = ffnn.load(tmp_path / "mish.npz")
    assert type(loaded.layers[1]) is Mish
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))


def test_mish_matches_torch_nn_mish_module(rng: np.random.Generator) -> None:
    torch = pytest.importorskip("torch")
    x = rng.normal(scale=4.0, size=(8, 3))
    expected = torch.nn.Mish()(torch.tensor(x)).numpy()
    np.testing.assert_allclose(Mish().forward(x), expected, rtol=1e-12)


def test_mish_passes_the_library_gradient_check() -> None:
    import ffnn

    rng = np.random.default_rng(3)
    model = ffnn.Sequential([Dense(3, 5), Mish(), Dense(5, 2)], dtype="float64", random_state=1)
    result = ffnn.check_gradients(
        model, rng.normal(size=(6, 3)), rng.integers(0, 2, 6), "cross_entropy"
    )
    assert result.max_relative_error < 1e-6
