"""Learning-rate schedules: closed forms by hand and against torch.optim.lr_scheduler."""

from __future__ import annotations

import math

import numpy as np
import pytest

from ffnn.schedules import CosineDecay, ExponentialDecay, StepDecay


def test_step_decay_multiplies_by_gamma_every_step_size_epochs() -> None:
    schedule = StepDecay(0.1, step_size=3, gamma=0.5)
    assert [schedule(e) for e in range(7)] == pytest.approx(
        [0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025]
    )


def test_exponential_decay_is_initial_times_gamma_to_the_epoch() -> None:
    schedule = ExponentialDecay(0.2, gamma=0.9)
    assert schedule(0) == 0.2
    assert schedule(5) == pytest.approx(0.2 * 0.9**5)


def test_cosine_decay_warms_up_linearly_then_follows_half_a_cosine() -> None:
    schedule = CosineDecay(1.0, epochs=12, warmup_epochs=2, min_learning_rate=0.1)
    assert schedule(0) == pytest.approx(0.5)
    assert schedule(1) == pytest.approx(1.0)
    assert schedule(2) == pytest.approx(1.0)  # t = 0: the top of the cosine
    assert schedule(7) == pytest.approx(0.1 + 0.9 * (1 + math.cos(math.pi * 0.5)) / 2)
    assert schedule(12) == pytest.approx(0.1)
    assert schedule(40) == pytest.approx(0.1)  # past the end it stays at the minimum


def test_schedules_ignore_the_current_rate_keras_style() -> None:
    schedule = StepDecay(0.1, step_size=1, gamma=0.1)
    assert schedule(2, 123.0) == pytest.approx(0.001)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: StepDecay(0.0, step_size=2), "initial_learning_rate must be a positive"),
        (lambda: StepDecay(0.1, step_size=0), "step_size must be a positive int"),
        (lambda: ExponentialDecay(0.1, gamma=-1.0), "gamma must be a positive"),
        (lambda: CosineDecay(0.1, epochs=5, warmup_epochs=5), "warmup_epochs must be an int"),
        (lambda: CosineDecay(0.1, epochs=5, min_learning_rate=1.0), "min_learning_rate must"),
        (lambda: StepDecay(0.1, step_size=2)(-1), "epoch must be >= 0"),
    ],
)
def test_schedules_reject_bad_arguments(make, message) -> None:
    with pytest.raises(ValueError, match=message):
        make()


def _torch_rates(scheduler_factory, epochs: int, lr: float) -> list[float]:
    torch = pytest.importorskip("torch")
    parameter = torch.nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.SGD([parameter], lr=lr)
    scheduler = scheduler_factory(torch, optimizer)
    rates = []
    for _ in range(epochs):
        rates.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    return rates


def test_step_and_exponential_decay_match_torch_schedulers() -> None:
    step = _torch_rates(lambda t, o: t.optim.lr_scheduler.StepLR(o, 4, gamma=0.3), 15, 0.2)
    np.testing.assert_allclose([StepDecay(0.2, 4, 0.3)(e) for e in range(15)], step, rtol=1e-12)
    expo = _torch_rates(lambda t, o: t.optim.lr_scheduler.ExponentialLR(o, gamma=0.8), 15, 0.2)
    np.testing.assert_allclose([ExponentialDecay(0.2, 0.8)(e) for e in range(15)], expo, rtol=1e-9)


def test_cosine_decay_without_warmup_matches_torch_cosine_annealing() -> None:
    rates = _torch_rates(
        lambda t, o: t.optim.lr_scheduler.CosineAnnealingLR(o, T_max=10, eta_min=0.01), 11, 0.5
    )
    ours = [CosineDecay(0.5, epochs=10, min_learning_rate=0.01)(e) for e in range(11)]
    np.testing.assert_allclose(ours, rates, rtol=1e-9)
