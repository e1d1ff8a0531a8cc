"""Tests for ffnn.optimizers: the SGD update by hand, binding, zero_grad and validation."""

from __future__ import annotations

import numpy as np
import pytest

from ffnn import optimizers
from ffnn.layers import Dense, Parameter
from ffnn.optimizers import SGD, Optimizer


def _params(rng: np.random.Generator) -> list[Parameter]:
    params = [Parameter(rng.normal(size=(3, 2)), "weight"), Parameter(rng.normal(size=2), "bias")]
    for p in params:
        p.grad[...] = rng.normal(size=p.shape)
    return params


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
    SGD(0.1, [param]).step()
    np.testing.assert_allclose(param.data, [0.95, -1.6], rtol=1e-15)


def test_sgd_several_steps_follow_the_gradient_of_a_quadratic() -> None:
    # L = ½ θ², g = θ: each step multiplies θ by (1 - η)
    param = Parameter(np.array([2.0]))
    opt = SGD(0.25, [param])
    for _ in range(3):
        param.grad[:] = param.data
        opt.step()
    np.testing.assert_allclose(param.data, [2.0 * 0.75**3], rtol=1e-15)
    assert opt.iterations == 3


def test_sgd_keeps_float32_parameters_float32() -> None:
    param = Parameter(np.ones(3, dtype=np.float32))
    param.grad[:] = 1
    SGD(0.1, [param]).step()
    assert param.data.dtype == np.float32
    np.testing.assert_allclose(param.data, 0.9, rtol=1e-6)


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


def test_bind_rejects_objects_that_are_not_parameters() -> None:
    with pytest.raises(TypeError, match="expected ffnn Parameter objects, got ndarray"):
        SGD(0.1).bind([np.zeros(3)])


def test_zero_grad_clears_every_bound_gradient(rng: np.random.Generator) -> None:
    params = _params(rng)
    SGD(0.1, params).zero_grad()
    for p in params:
        assert not p.grad.any()


def test_step_without_parameters_raises_and_says_how_to_bind() -> None:
    with pytest.raises(RuntimeError, match="no parameters.*bind"):
        SGD(0.1).step()


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


def test_get_sgd_by_name_has_the_default_learning_rate() -> None:
    opt = optimizers.get("SGD")
    assert type(opt) is SGD and opt.learning_rate == 0.01


def test_get_optimizer_passes_an_instance_through_and_rejects_unknown_names() -> None:
    opt = SGD(0.2)
    assert optimizers.get(opt) is opt
    with pytest.raises(ValueError, match="unknown optimizer 'adam'.*sgd"):
        optimizers.get("adam")


def test_optimizer_base_class_requires_an_update_rule(rng: np.random.Generator) -> None:
    with pytest.raises(NotImplementedError):
        Optimizer(0.1, _params(rng)).step()


def test_sgd_matches_torch_optim_sgd_for_several_steps(rng: np.random.Generator) -> None:
    torch = pytest.importorskip("torch")
    start = rng.normal(size=(3, 2))
    grads = [rng.normal(size=(3, 2)) for _ in range(4)]
    ours = Parameter(start.copy())
    opt = SGD(0.05, [ours])
    theirs = torch.tensor(start.copy(), requires_grad=True)
    torch_opt = torch.optim.SGD([theirs], lr=0.05)
    for g in grads:
        ours.grad[...] = g
        opt.step()
        theirs.grad = torch.tensor(g)
        torch_opt.step()
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-14)
