"""Tests for ffnn.optimizers: update rules by hand and side by side with torch.optim, gradient
clipping, learning-rate changes, checkpoints (state_dict), dtypes, validation and get()."""

from __future__ import annotations

import json
import tracemalloc
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from ffnn import optimizers
from ffnn.layers import Dense, Parameter
from ffnn.optimizers import (
    SGD,
    Adagrad,
    Adam,
    AdamW,
    Optimizer,
    RMSprop,
    clip_grad_norm,
    clip_grad_value,
)

SHAPES = [(4, 3), (3,), (2, 3, 2)]

# (ffnn class, ffnn arguments, torch.optim class name, torch arguments)
TORCH_CASES: list[tuple[type[Optimizer], dict[str, Any], str, dict[str, Any]]] = [
    (SGD, {"learning_rate": 0.1}, "SGD", {"lr": 0.1}),
    (SGD, {"learning_rate": 0.05, "momentum": 0.9}, "SGD", {"lr": 0.05, "momentum": 0.9}),
    (
        SGD,
        {"learning_rate": 0.05, "momentum": 0.8, "dampening": 0.3, "weight_decay": 0.01},
        "SGD",
        {"lr": 0.05, "momentum": 0.8, "dampening": 0.3, "weight_decay": 0.01},
    ),
    (
        SGD,
        {"learning_rate": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 1e-3},
        "SGD",
        {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 1e-3},
    ),
    (SGD, {"learning_rate": 0.1, "weight_decay": 0.1}, "SGD", {"lr": 0.1, "weight_decay": 0.1}),
    (Adam, {"learning_rate": 0.01}, "Adam", {"lr": 0.01}),
    (
        Adam,
        {"learning_rate": 0.02, "beta_1": 0.5, "beta_2": 0.9, "epsilon": 1e-6},
        "Adam",
        {"lr": 0.02, "betas": (0.5, 0.9), "eps": 1e-6},
    ),
    (
        Adam,
        {"learning_rate": 0.01, "weight_decay": 0.1, "amsgrad": True},
        "Adam",
        {"lr": 0.01, "weight_decay": 0.1, "amsgrad": True},
    ),
    (AdamW, {"learning_rate": 0.01}, "AdamW", {"lr": 0.01}),
    (
        AdamW,
        {"learning_rate": 0.01, "weight_decay": 0.1, "amsgrad": True},
        "AdamW",
        {"lr": 0.01, "weight_decay": 0.1, "amsgrad": True},
    ),
    (RMSprop, {"learning_rate": 0.01}, "RMSprop", {"lr": 0.01}),
    (
        RMSprop,
        {"learning_rate": 0.01, "rho": 0.9, "momentum": 0.9},
        "RMSprop",
        {"lr": 0.01, "alpha": 0.9, "momentum": 0.9},
    ),
    (
        RMSprop,
        {"learning_rate": 0.01, "centered": True, "weight_decay": 0.01},
        "RMSprop",
        {"lr": 0.01, "centered": True, "weight_decay": 0.01},
    ),
    (
        RMSprop,
        {"learning_rate": 0.01, "rho": 0.8, "momentum": 0.5, "centered": True, "epsilon": 1e-6},
        "RMSprop",
        {"lr": 0.01, "alpha": 0.8, "momentum": 0.5, "centered": True, "eps": 1e-6},
    ),
    (Adagrad, {"learning_rate": 0.1}, "Adagrad", {"lr": 0.1}),
    (
        Adagrad,
        {
            "learning_rate": 0.1,
            "lr_decay": 0.05,
            "initial_accumulator_value": 0.1,
            "weight_decay": 0.01,
            "epsilon": 1e-8,
        },
        "Adagrad",
        {
            "lr": 0.1,
            "lr_decay": 0.05,
            "initial_accumulator_value": 0.1,
            "weight_decay": 0.01,
            "eps": 1e-8,
        },
    ),
    # clipping: value, norm, and both (value first, as documented)
    (
        SGD,
        {"learning_rate": 0.1, "momentum": 0.9, "clip_value": 0.5},
        "SGD",
        {"lr": 0.1, "momentum": 0.9},
    ),
    (Adam, {"learning_rate": 0.01, "clip_norm": 1.0}, "Adam", {"lr": 0.01}),
    (
        RMSprop,
        {"learning_rate": 0.01, "clip_value": 0.5, "clip_norm": 1.0},
        "RMSprop",
        {"lr": 0.01},
    ),
    (Adagrad, {"learning_rate": 0.1, "clip_norm": 2.0}, "Adagrad", {"lr": 0.1}),
    (AdamW, {"learning_rate": 0.01, "clip_value": 0.3}, "AdamW", {"lr": 0.01}),
]

# our state names -> torch's
TORCH_STATE_NAMES = {
    "momentum_buffer": "momentum_buffer",
    "m": "exp_avg",
    "v": "exp_avg_sq",
    "v_max": "max_exp_avg_sq",
    "square_average": "square_avg",
    "gradient_average": "grad_avg",
    "sum": "sum",
}

# every optimizer with every state it can keep, for the tests that need no torch
ALL_STATES: list[Callable[[], Optimizer]] = [
    lambda: SGD(0.1),
    lambda: SGD(0.05, momentum=0.9, nesterov=True, weight_decay=0.01),
    lambda: SGD(0.05, momentum=0.9, dampening=0.2, clip_norm=1.0),
    lambda: Adam(0.01, weight_decay=0.01, amsgrad=True, clip_value=0.5),
    lambda: AdamW(0.01, amsgrad=True, clip_norm=1.0, clip_value=0.5),
    lambda: RMSprop(0.01, momentum=0.9, centered=True, weight_decay=0.01),
    lambda: RMSprop(0.01),
    lambda: Adagrad(0.1, lr_decay=0.01, initial_accumulator_value=0.1, weight_decay=0.01),
]
ALL_STATE_IDS = [
    "sgd",
    "sgd-nesterov-decay",
    "sgd-dampening-clip-norm",
    "adam-amsgrad-decay-clip-value",
    "adamw-amsgrad-clip-both",
    "rmsprop-centered-momentum-decay",
    "rmsprop",
    "adagrad-lr-decay-accumulator-decay",
]


def _params(rng: np.random.Generator) -> list[Parameter]:
    params = [Parameter(rng.normal(size=(3, 2)), "weight"), Parameter(rng.normal(size=2), "bias")]
    for p in params:
        p.grad[...] = rng.normal(size=p.shape)
    return params


def _quadratic_gradients(thetas: list[np.ndarray], rng: np.random.Generator) -> list[np.ndarray]:
    """∇ of Σ ½ c θ² - noise·θ: a real loss (the gradient depends on θ) with fresh noise."""
    return [
        np.linspace(0.5, 2.0, theta.size).reshape(theta.shape) * theta
        - rng.normal(size=theta.shape)
        for theta in thetas
    ]


def _run(make: Callable[[], Optimizer], steps: int, seed: int = 0) -> list[Parameter]:
    rng = np.random.default_rng(seed)
    params = [Parameter(rng.normal(size=shape)) for shape in SHAPES]
    opt = make().bind(params)
    for _ in range(steps):
        for p, g in zip(params, _quadratic_gradients([p.data for p in params], rng), strict=True):
            p.grad[...] = g
        opt.step()
    return params


# ---------------------------------------------------------------- side by side with torch.optim


def _torch_disagreement(
    cls: type[Optimizer], ours_kwargs: dict[str, Any], torch_name: str, torch_kwargs: dict
) -> float:
    """Run both for 12 steps (halving the learning rate after 6); the largest relative
    difference of the parameters and of the optimizer states."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(7)
    starts = [rng.normal(size=shape) for shape in SHAPES]
    ours = [Parameter(s.copy()) for s in starts]
    theirs = [torch.tensor(s.copy(), requires_grad=True) for s in starts]
    opt = cls(**ours_kwargs, parameters=ours)
    torch_opt = getattr(torch.optim, torch_name)(theirs, foreach=False, **torch_kwargs)
    clip_value, clip_norm = ours_kwargs.get("clip_value"), ours_kwargs.get("clip_norm")
    for step in range(12):
        if step == 6:
            opt.learning_rate /= 2
            torch_opt.param_groups[0]["lr"] /= 2
        noise_rng = np.random.default_rng(step)
        for p, g in zip(ours, _quadratic_gradients([p.data for p in ours], noise_rng), strict=True):
            p.grad[...] = g
        noise_rng = np.random.default_rng(step)
        thetas = [t.detach().numpy() for t in theirs]
        for t, g in zip(theirs, _quadratic_gradients(thetas, noise_rng), strict=True):
            t.grad = torch.tensor(g)
        if clip_value is not None:
            torch.nn.utils.clip_grad_value_(theirs, clip_value)
        if clip_norm is not None:
            torch.nn.utils.clip_grad_norm_(theirs, clip_norm)
        opt.step()
        torch_opt.step()
    worst = 0.0
    pairs = [(p.data, t.detach().numpy()) for p, t in zip(ours, theirs, strict=True)]
    for name, arrays in opt.state.items():
        torch_state = [torch_opt.state[t][TORCH_STATE_NAMES[name]].numpy() for t in theirs]
        pairs += list(zip(arrays, torch_state, strict=True))
    for a, b in pairs:
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)
        worst = max(worst, float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-12))))
    return worst


@pytest.mark.parametrize(
    ("cls", "ours_kwargs", "torch_name", "torch_kwargs"),
    TORCH_CASES,
    ids=[f"{c[0].__name__}-{'-'.join(c[1])}" for c in TORCH_CASES],
)
def test_optimizer_matches_torch_optim_for_12_steps_with_a_learning_rate_change(
    cls: type[Optimizer], ours_kwargs: dict, torch_name: str, torch_kwargs: dict
) -> None:
    _torch_disagreement(cls, ours_kwargs, torch_name, torch_kwargs)


def test_defaults_are_torch_optims_defaults() -> None:
    torch = pytest.importorskip("torch")
    param = [torch.zeros(1, requires_grad=True)]
    sgd = torch.optim.SGD(param).defaults
    # except SGD's learning rate: ffnn keeps 0.01 (its default before PyTorch chose one, 1e-3)
    assert SGD().get_config() == {
        "learning_rate": 0.01,
        "momentum": sgd["momentum"],
        "dampening": sgd["dampening"],
        "weight_decay": sgd["weight_decay"],
        "nesterov": sgd["nesterov"],
        "clip_norm": None,
        "clip_value": None,
    }
    for ours, theirs in [(Adam(), torch.optim.Adam), (AdamW(), torch.optim.AdamW)]:
        defaults = theirs(param).defaults
        assert (ours.learning_rate, (ours.beta_1, ours.beta_2)) == (
            defaults["lr"],
            defaults["betas"],
        )
        assert (ours.epsilon, ours.weight_decay, ours.amsgrad) == (
            defaults["eps"],
            defaults["weight_decay"],
            defaults["amsgrad"],
        )
    rms, defaults = RMSprop(), torch.optim.RMSprop(param).defaults
    assert (rms.learning_rate, rms.rho, rms.epsilon, rms.weight_decay) == (
        defaults["lr"],
        defaults["alpha"],
        defaults["eps"],
        defaults["weight_decay"],
    )
    assert (rms.momentum, rms.centered) == (defaults["momentum"], defaults["centered"])
    ada, defaults = Adagrad(), torch.optim.Adagrad(param).defaults
    assert (ada.learning_rate, ada.lr_decay, ada.weight_decay, ada.epsilon) == (
        defaults["lr"],
        defaults["lr_decay"],
        defaults["weight_decay"],
        defaults["eps"],
    )
    assert ada.initial_accumulator_value == defaults["initial_accumulator_value"]


def test_gradient_clipping_matches_torch_nn_utils(rng: np.random.Generator) -> None:
    torch = pytest.importorskip("torch")
    grads = [rng.normal(size=shape) * 3 for shape in SHAPES]
    params = [Parameter(np.zeros(shape)) for shape in SHAPES]
    tensors = [torch.zeros(shape, dtype=torch.float64) for shape in SHAPES]
    for p, t, g in zip(params, tensors, grads, strict=True):
        p.grad[...] = g
        t.grad = torch.tensor(g)
    clip_grad_value(params, 2.0)
    torch.nn.utils.clip_grad_value_(tensors, 2.0)
    norm = clip_grad_norm(params, 1.5)
    torch_norm = torch.nn.utils.clip_grad_norm_(tensors, 1.5)
    assert norm == pytest.approx(float(torch_norm), rel=1e-14)
    for p, t in zip(params, tensors, strict=True):
        np.testing.assert_allclose(p.grad, t.grad.numpy(), rtol=1e-14)


# ------------------------------------------------------------------------------- SGD by hand


def test_sgd_step_is_theta_minus_learning_rate_times_grad(rng: np.random.Generator) -> None:
    params = _params(rng)
    before = [p.data.copy() for p in params]
    buffers = [p.data for p in params]
    SGD(learning_rate=0.3, parameters=params).step()
    for p, old, buffer in zip(params, before, buffers, strict=True):
        np.testing.assert_array_equal(p.data, old - 0.3 * p.grad)
        assert p.data is buffer  # updated in place


def test_sgd_step_by_hand_numbers() -> None:
    param = Parameter(np.array([1.0, -2.0]))
    param.grad[:] = [0.5, -4.0]
    SGD(0.1, parameters=[param]).step()
    np.testing.assert_allclose(param.data, [0.95, -1.6], rtol=1e-15)


def test_sgd_several_steps_follow_the_gradient_of_a_quadratic() -> None:
    # L = ½ θ², g = θ: each step multiplies θ by (1 - η)
    param = Parameter(np.array([2.0]))
    opt = SGD(0.25, parameters=[param])
    for _ in range(3):
        param.grad[:] = param.data
        opt.step()
    np.testing.assert_allclose(param.data, [2.0 * 0.75**3], rtol=1e-15)
    assert opt.iterations == 3


def test_sgd_momentum_buffer_starts_at_the_first_gradient_then_accumulates() -> None:
    # b₁ = g₁, b₂ = μ b₁ + (1 - τ) g₂; θ₂ = θ₀ - η b₁ - η b₂
    param = Parameter(np.array([1.0]))
    opt = SGD(0.1, momentum=0.9, dampening=0.5, parameters=[param])
    for g in (2.0, -1.0):
        param.grad[:] = g
        opt.step()
    b1, b2 = 2.0, 0.9 * 2.0 + 0.5 * -1.0
    np.testing.assert_allclose(param.data, [1.0 - 0.1 * b1 - 0.1 * b2], rtol=1e-15)
    np.testing.assert_allclose(opt.state["momentum_buffer"][0], [b2], rtol=1e-15)


def test_sgd_nesterov_steps_along_gradient_plus_momentum_times_buffer() -> None:
    param = Parameter(np.array([0.0]))
    opt = SGD(0.1, momentum=0.5, nesterov=True, parameters=[param])
    param.grad[:] = 1.0
    opt.step()  # b = 1, step along 1 + 0.5·1
    np.testing.assert_allclose(param.data, [-0.15], rtol=1e-15)
    opt.step()  # b = 1.5, step along 1 + 0.75
    np.testing.assert_allclose(param.data, [-0.15 - 0.175], rtol=1e-15)


def test_weight_decay_leaves_the_gradient_untouched() -> None:
    param = Parameter(np.array([2.0]))
    param.grad[:] = 1.0
    SGD(0.1, weight_decay=0.5, parameters=[param]).step()
    np.testing.assert_allclose(param.data, [2.0 - 0.1 * (1.0 + 0.5 * 2.0)], rtol=1e-15)
    assert param.grad[0] == 1.0


# ------------------------------------------------------------------- adaptive methods by hand


def test_adam_first_step_is_about_minus_learning_rate_times_sign_of_gradient() -> None:
    param = Parameter(np.array([1.0, 1.0, 1.0]))
    param.grad[:] = [3.0, -0.02, 1e-3]
    Adam(0.01, parameters=[param]).step()
    # m̂ = g, v̂ = g²: Δθ = -η g / (|g| + ε)
    expected = 1.0 - 0.01 * param.grad / (np.abs(param.grad) + 1e-8)
    np.testing.assert_allclose(param.data, expected, rtol=1e-15)
    np.testing.assert_allclose(param.data, 1.0 - 0.01 * np.sign(param.grad), atol=1e-6)


def test_adam_second_step_by_hand() -> None:
    param = Parameter(np.array([0.0]))
    opt = Adam(0.1, beta_1=0.5, beta_2=0.75, epsilon=1e-3, parameters=[param])
    for g in (1.0, 3.0):
        param.grad[:] = g
        opt.step()
    m, v = 0.5 * 0.5 * 1.0 + 0.5 * 3.0, 0.75 * 0.25 * 1.0 + 0.25 * 9.0
    m_hat, v_hat = m / (1 - 0.5**2), v / (1 - 0.75**2)
    expected = -0.1 * 1.0 / (1.0 + 1e-3) - 0.1 * m_hat / (np.sqrt(v_hat) + 1e-3)
    np.testing.assert_allclose(param.data, [expected], rtol=1e-14)


def test_adam_amsgrad_divides_by_the_largest_second_moment_seen() -> None:
    param = Parameter(np.array([0.0]))
    opt = Adam(0.1, amsgrad=True, parameters=[param])
    param.grad[:] = 10.0
    opt.step()
    param.grad[:] = 0.0
    opt.step()
    assert opt.state["v_max"][0][0] == pytest.approx(0.001 * 100.0)
    assert opt.state["v"][0][0] < opt.state["v_max"][0][0]


def test_adamw_decays_the_weights_before_the_adam_step() -> None:
    param = Parameter(np.array([2.0, -2.0]))
    param.grad[:] = [1.0, 1.0]
    AdamW(0.1, weight_decay=0.5, parameters=[param]).step()
    # θ(1 - ηλ) - η g / (|g| + ε), the decay kept out of m and v
    expected = np.array([2.0, -2.0]) * (1 - 0.05) - 0.1 / (1.0 + 1e-8)
    np.testing.assert_allclose(param.data, expected, rtol=1e-15)


def test_rmsprop_first_step_by_hand() -> None:
    param = Parameter(np.array([1.0, 1.0]))
    param.grad[:] = [2.0, -0.5]
    RMSprop(0.01, rho=0.9, parameters=[param]).step()
    # v = (1 - ρ) g², Δθ = -η g / (√v + ε) ≈ -η sign(g) / √(1 - ρ)
    expected = 1.0 - 0.01 * param.grad / (np.sqrt(0.1 * param.grad**2) + 1e-8)
    np.testing.assert_allclose(param.data, expected, rtol=1e-15)


def test_rmsprop_centered_with_a_constant_gradient_never_takes_the_root_of_a_negative() -> None:
    param = Parameter(np.full(64, 1.0))
    opt = RMSprop(1e-12, rho=0.5, centered=True, parameters=[param])
    param.grad[:] = np.linspace(0.1, 7.0, 64)  # v - ḡ² → 0 and may round below it
    with np.errstate(invalid="raise"):
        for _ in range(60):
            opt.step()
    assert np.isfinite(param.data).all()


def test_adagrad_steps_by_hand_with_learning_rate_decay() -> None:
    param = Parameter(np.array([0.0]))
    opt = Adagrad(1.0, lr_decay=0.5, initial_accumulator_value=1.0, parameters=[param])
    for g in (2.0, 1.0):
        param.grad[:] = g
        opt.step()
    # s: 1 + 4 = 5, then 6; η_t: 1, then 1 / 1.5
    expected = -2.0 / (np.sqrt(5.0) + 1e-10) - (1 / 1.5) * 1.0 / (np.sqrt(6.0) + 1e-10)
    np.testing.assert_allclose(param.data, [expected], rtol=1e-15)


# --------------------------------------------------------------------------------- clipping


def test_clip_grad_norm_rescales_all_gradients_together_in_place() -> None:
    a, b = Parameter(np.zeros(1)), Parameter(np.zeros(1))
    a.grad[:], b.grad[:] = 3.0, 4.0
    grads = [a.grad, b.grad]
    assert clip_grad_norm([a, b], 1.0) == 5.0
    scale = 1.0 / (5.0 + 1e-6)
    np.testing.assert_allclose([a.grad[0], b.grad[0]], [3 * scale, 4 * scale], rtol=1e-15)
    assert a.grad is grads[0] and b.grad is grads[1]


def test_clip_grad_norm_leaves_small_gradients_bit_for_bit() -> None:
    param = Parameter(np.zeros(2))
    param.grad[:] = [0.3, 0.4]
    assert clip_grad_norm([param], 1.0) == pytest.approx(0.5)
    np.testing.assert_array_equal(param.grad, [0.3, 0.4])


def test_clip_value_is_applied_before_clip_norm_and_the_clipped_gradient_is_kept() -> None:
    # value first: [3, 4] → [1, 1], norm √2 → [1, 1] / (√2 + 1e-6); norm first would give
    # [0.6, 0.8], which the value clip leaves alone
    param = Parameter(np.zeros(2))
    param.grad[:] = [3.0, 4.0]
    SGD(1.0, clip_norm=1.0, clip_value=1.0, parameters=[param]).step()
    clipped = 1.0 / (np.sqrt(2.0) + 1e-6)
    np.testing.assert_allclose(param.grad, [clipped, clipped], rtol=1e-15)
    np.testing.assert_allclose(param.data, [-clipped, -clipped], rtol=1e-15)


# ----------------------------------------------------------------- learning-rate changes, bind


@pytest.mark.parametrize("make", ALL_STATES, ids=ALL_STATE_IDS)
def test_a_learning_rate_change_scales_the_next_step(make: Callable[[], Optimizer]) -> None:
    # with the same state and gradient, every update rule here is linear in η
    grads = np.random.default_rng(2).normal(size=(3, 4, 3))
    moves = []
    for factor in (1.0, 0.25):
        param = Parameter(np.random.default_rng(1).normal(size=(4, 3)))
        opt = make().bind([param])
        for step, g in enumerate(grads):
            if step == 2:
                before = param.data.copy()
                opt.learning_rate *= factor
            param.grad[...] = g
            opt.step()
        moves.append(param.data - before)
    np.testing.assert_allclose(moves[1], 0.25 * moves[0], rtol=1e-12, atol=1e-15)


def test_learning_rate_is_validated_when_changed() -> None:
    opt = Adam()
    opt.learning_rate = np.float32(0.5)
    assert type(opt.learning_rate) is float and opt.learning_rate == 0.5
    with pytest.raises(ValueError, match="learning_rate must be a positive finite number, got 0"):
        opt.learning_rate = 0


def test_bind_attaches_parameters_and_resets_the_iteration_count(rng) -> None:
    opt = SGD(0.1)
    assert opt.parameters == []
    params = _params(rng)
    assert opt.bind(params) is opt
    assert opt.parameters == params
    opt.step()
    assert opt.iterations == 1
    opt.bind(Dense(2, 2).parameters())
    assert opt.iterations == 0


def test_bind_resets_the_state(rng: np.random.Generator) -> None:
    params = _params(rng)
    opt = Adam(parameters=params)
    opt.step()
    assert opt.state["m"][0].any()
    opt.bind(params)
    assert not any(a.any() for arrays in opt.state.values() for a in arrays)


def test_bind_rejects_objects_that_are_not_parameters() -> None:
    with pytest.raises(TypeError, match="expected ffnn Parameter objects, got ndarray"):
        SGD(0.1).bind([np.zeros(3)])


def test_bind_rejects_a_parameter_given_twice(rng: np.random.Generator) -> None:
    param = _params(rng)[0]
    with pytest.raises(ValueError, match="more than once"):
        SGD(0.1).bind([param, param])


def test_zero_grad_clears_every_bound_gradient(rng: np.random.Generator) -> None:
    params = _params(rng)
    SGD(0.1, parameters=params).zero_grad()
    for p in params:
        assert not p.grad.any()


def test_step_without_parameters_raises_and_says_how_to_bind() -> None:
    with pytest.raises(RuntimeError, match="no parameters.*bind"):
        SGD(0.1).step()


def test_optimizer_base_class_requires_an_update_rule(rng: np.random.Generator) -> None:
    with pytest.raises(NotImplementedError):
        Optimizer(0.1, parameters=_params(rng)).step()


# ----------------------------------------------------------------------- checkpoints, dtypes


@pytest.mark.parametrize("make", ALL_STATES, ids=ALL_STATE_IDS)
def test_state_dict_resume_equals_an_uninterrupted_run_bit_for_bit(
    make: Callable[[], Optimizer],
) -> None:
    uninterrupted = _run(make, steps=10)

    rng = np.random.default_rng(0)
    params = [Parameter(rng.normal(size=shape)) for shape in SHAPES]
    opt = make().bind(params)
    for _ in range(5):
        for p, g in zip(params, _quadratic_gradients([p.data for p in params], rng), strict=True):
            p.grad[...] = g
        opt.step()
    saved = opt.state_dict()
    json.dumps({key: value for key, value in saved.items() if key != "state"})
    for arrays in opt.state.values():  # the snapshot is a copy, not a view of live state
        arrays[0] += 1.0

    resumed_params = [Parameter(p.data.copy()) for p in params]
    resumed = optimizers.get(saved).bind(resumed_params)
    resumed.load_state_dict(saved)
    assert resumed.iterations == 5
    for _ in range(5):
        thetas = [p.data for p in resumed_params]
        for p, g in zip(resumed_params, _quadratic_gradients(thetas, rng), strict=True):
            p.grad[...] = g
        resumed.step()
    for a, b in zip(resumed_params, uninterrupted, strict=True):
        np.testing.assert_array_equal(a.data, b.data)


def test_load_state_dict_restores_the_current_learning_rate_and_settings(rng) -> None:
    source = Adam(0.01, amsgrad=True, parameters=_params(rng))
    source.step()
    source.learning_rate = 0.003
    target = Adam(parameters=_params(rng))
    target.load_state_dict(source.state_dict())
    assert target.get_config() == source.get_config()
    assert target.iterations == 1
    for name in ("m", "v", "v_max"):
        for a, b in zip(target.state[name], source.state[name], strict=True):
            np.testing.assert_array_equal(a, b)
            assert not np.shares_memory(a, b)


def test_load_state_dict_rejects_mismatches_and_changes_nothing(rng) -> None:
    params = _params(rng)
    source = Adam(parameters=params)
    source.step()
    saved = source.state_dict()
    target = Adam(0.5, parameters=_params(rng))
    with pytest.raises(ValueError, match="for optimizer 'Adam', not 'SGD'"):
        SGD(parameters=params).load_state_dict(saved)
    with pytest.raises(ValueError, match="holds 2 arrays but the optimizer has 0 parameters"):
        Adam().load_state_dict(saved)
    bad_shape = {**saved, "state": {**saved["state"], "v": [np.zeros(5), np.zeros(2)]}}
    with pytest.raises(ValueError, match=r"'v'\[0\] has shape \(5,\)"):
        target.load_state_dict(bad_shape)
    with pytest.raises(ValueError, match="do not match"):
        target.load_state_dict({**saved, "config": saved["config"] | {"amsgrad": True}})
    with pytest.raises(ValueError, match="iterations must be >= 0"):
        target.load_state_dict({**saved, "iterations": -1})
    assert target.learning_rate == 0.5 and target.iterations == 0
    assert not target.state["m"][0].any()


@pytest.mark.parametrize("make", ALL_STATES, ids=ALL_STATE_IDS)
def test_float32_parameters_and_state_stay_float32(make: Callable[[], Optimizer]) -> None:
    rng = np.random.default_rng(0)
    params = [Parameter(rng.normal(size=shape).astype(np.float32)) for shape in SHAPES]
    opt = make().bind(params)
    for _ in range(3):
        for p in params:
            p.grad[...] = rng.normal(size=p.shape)
        opt.step()
    for p in params:
        assert p.data.dtype == np.float32 and p.grad.dtype == np.float32
        assert np.isfinite(p.data).all()
    assert all(a.dtype == np.float32 for arrays in opt.state.values() for a in arrays)


def test_sgd_keeps_float32_parameters_float32() -> None:
    param = Parameter(np.ones(3, dtype=np.float32))
    param.grad[:] = 1
    SGD(0.1, parameters=[param]).step()
    assert param.data.dtype == np.float32
    np.testing.assert_allclose(param.data, 0.9, rtol=1e-6)


@pytest.mark.parametrize("make", ALL_STATES, ids=ALL_STATE_IDS)
def test_a_step_allocates_no_parameter_sized_array(make: Callable[[], Optimizer]) -> None:
    param = Parameter(np.random.default_rng(0).normal(size=(200, 250)))
    param.grad[...] = 0.5
    opt = make().bind([param])
    opt.step()
    tracemalloc.start()
    try:
        opt.step()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < param.data.nbytes / 10


# -------------------------------------------------------------------------------- validation


@pytest.mark.parametrize("learning_rate", [0, -0.1, float("nan"), float("inf")])
def test_sgd_rejects_a_learning_rate_that_is_not_positive_and_finite(learning_rate) -> None:
    with pytest.raises(ValueError, match="learning_rate must be a positive finite number"):
        SGD(learning_rate)


@pytest.mark.parametrize("learning_rate", ["0.1", None, True])
def test_sgd_rejects_a_learning_rate_that_is_not_a_number(learning_rate) -> None:
    with pytest.raises(TypeError, match="learning_rate must be a positive number"):
        SGD(learning_rate)


def test_sgd_accepts_numpy_scalars_and_ints() -> None:
    assert SGD(np.float32(0.5)).learning_rate == 0.5
    assert SGD(1).learning_rate == 1.0


@pytest.mark.parametrize(
    ("cls", "kwargs", "error", "message"),
    [
        (SGD, {"momentum": -0.1}, ValueError, r"momentum must be a finite number >= 0, got -0.1"),
        (SGD, {"dampening": 1.5}, ValueError, r"dampening must be a number in \[0, 1\], got 1.5"),
        (SGD, {"weight_decay": -1}, ValueError, "weight_decay must be a finite number >= 0"),
        (SGD, {"nesterov": 1}, TypeError, "nesterov must be True or False, got int 1"),
        (SGD, {"nesterov": True}, ValueError, "nesterov=True requires momentum > 0.*momentum=0"),
        (
            SGD,
            {"nesterov": True, "momentum": 0.9, "dampening": 0.1},
            ValueError,
            "requires momentum > 0 and dampening == 0.*dampening=0.1",
        ),
        (Adam, {"beta_1": 1.0}, ValueError, r"beta_1 must be a number in \[0, 1\), got 1.0"),
        (Adam, {"beta_2": -0.1}, ValueError, r"beta_2 must be a number in \[0, 1\), got -0.1"),
        (Adam, {"beta_2": "0.9"}, TypeError, r"beta_2 must be a number in \[0, 1\), got str"),
        (Adam, {"epsilon": 0}, ValueError, "epsilon must be a positive finite number, got 0"),
        (Adam, {"amsgrad": "yes"}, TypeError, "amsgrad must be True or False, got str 'yes'"),
        (AdamW, {"weight_decay": float("nan")}, ValueError, "weight_decay must be a finite"),
        (RMSprop, {"rho": 1}, ValueError, r"rho must be a number in \[0, 1\), got 1"),
        (RMSprop, {"momentum": None}, TypeError, "momentum must be a finite number >= 0, got"),
        (RMSprop, {"centered": None}, TypeError, "centered must be True or False"),
        (Adagrad, {"lr_decay": -1}, ValueError, "lr_decay must be a finite number >= 0, got -1"),
        (
            Adagrad,
            {"initial_accumulator_value": -0.1},
            ValueError,
            "initial_accumulator_value must be a finite number >= 0, got -0.1",
        ),
        (Adagrad, {"epsilon": -1e-10}, ValueError, "epsilon must be a positive finite number"),
        (Adam, {"clip_norm": 0}, ValueError, "clip_norm must be a positive finite number, got 0"),
        (SGD, {"clip_value": -1.0}, ValueError, "clip_value must be a positive finite number"),
        (SGD, {"clip_value": "1"}, TypeError, "clip_value must be a positive number, got str"),
    ],
)
def test_constructor_arguments_are_validated_with_name_and_value(
    cls: type[Optimizer], kwargs: dict, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        cls(**kwargs)


# ----------------------------------------------------------------------- get(), config, repr


@pytest.mark.parametrize(
    ("name", "cls", "learning_rate"),
    [
        ("sgd", SGD, 0.01),
        ("SGD", SGD, 0.01),
        ("adam", Adam, 1e-3),
        ("AdamW", AdamW, 1e-3),
        ("rmsprop", RMSprop, 1e-2),
        ("adagrad", Adagrad, 1e-2),
    ],
)
def test_get_by_name_gives_the_default_optimizer(name, cls, learning_rate) -> None:
    opt = optimizers.get(name)
    assert type(opt) is cls and opt.learning_rate == learning_rate
    assert opt.get_config() == cls().get_config()


def test_get_builds_from_a_config_in_either_form() -> None:
    flat = optimizers.get({"name": "adam", "learning_rate": 0.1, "amsgrad": True})
    nested = optimizers.get({"name": "Adam", "config": {"learning_rate": 0.1, "amsgrad": True}})
    assert type(flat) is type(nested) is Adam
    assert flat.get_config() == nested.get_config() == Adam(0.1, amsgrad=True).get_config()
    copy = optimizers.get(AdamW(0.2, clip_norm=1.0).state_dict())
    assert type(copy) is AdamW and copy.get_config()["clip_norm"] == 1.0


def test_get_config_round_trips_through_the_constructor() -> None:
    for make in ALL_STATES:
        opt = make()
        assert type(opt)(**opt.get_config()).get_config() == opt.get_config()


def test_get_optimizer_passes_an_instance_through_and_rejects_unknown_names() -> None:
    opt = SGD(0.2)
    assert optimizers.get(opt) is opt
    with pytest.raises(ValueError, match="unknown optimizer 'adamax'.*'adagrad', 'adam'"):
        optimizers.get("adamax")
    with pytest.raises(ValueError, match="needs a 'name'"):
        optimizers.get({"learning_rate": 0.1})
    with pytest.raises(TypeError, match="got int 3"):
        optimizers.get(3)  # type: ignore[arg-type]


def test_repr_shows_the_settings() -> None:
    assert repr(SGD(0.1, momentum=0.9)) == (
        "SGD(learning_rate=0.1, momentum=0.9, dampening=0.0, weight_decay=0.0, "
        "nesterov=False, clip_norm=None, clip_value=None)"
    )
