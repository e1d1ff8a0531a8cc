"""Whole-network gradient checks over random architectures: ``ffnn.check_gradients`` (backprop
against central differences, float64) for every activation, Dropout, BatchNorm, LayerNorm, L1
and L2 penalties and every loss in ``ffnn.losses``, in random combinations.

Each architecture is drawn from a seeded generator. A draw where central differences are not
accurate is redrawn: one too close to a kink (a ReLU input, an L1 weight or an absolute-error
residual within 1e-4 of 0, a Huber residual within 1e-4 of δ), or one where a normalisation
layer sees a group of values with almost no spread (variance below 1e-3, e.g. a sample whose
inputs were all dropped: there ``1 / √(σ² + ε)`` curves too sharply for a step of 1e-6).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

import ffnn
from ffnn import activations, losses, regularizers
from ffnn.layers import Dense, Dropout, Layer
from ffnn.model import Sequential
from ffnn.normalization import BatchNorm, LayerNorm

N_ARCHITECTURES = 30
TOLERANCE = 1e-6
ABSOLUTE_FLOOR = 1e-8
KINK_MARGIN = 1e-4
MIN_VARIANCE = 1e-3
ACTIVATIONS = [
    "relu",
    "leaky_relu",
    "elu",
    "gelu",
    "gelu_tanh",
    "silu",
    "softplus",
    "sigmoid",
    "tanh",
    "identity",
    "softmax",
]
# the checks below include the penalty only where the loss a model trains on does
WITH_PENALTIES = hasattr(Sequential, "penalty")


def _all_losses() -> list[losses.Loss]:
    """One instance (default arguments) of every loss class ffnn.losses exports."""
    found = []
    for name in losses.__all__:
        obj = getattr(losses, name)
        if isinstance(obj, type) and issubclass(obj, losses.Loss) and obj is not losses.Loss:
            found.append(obj())
    return found


LOSSES = _all_losses()


@dataclass
class Case:
    """One random network, its data and a description for failure messages."""

    model: Sequential
    X: np.ndarray
    y: np.ndarray
    loss: losses.Loss
    description: str
    null_parameters: list[str]  # gradients that are exactly zero by construction


def _activation(name: str) -> Layer:
    return activations.GELU("tanh") if name == "gelu_tanh" else activations.get(name)


def _targets(loss: losses.Loss, n_samples: int, n_out: int, rng: np.random.Generator) -> Any:
    if isinstance(loss, losses.CrossEntropy):
        return rng.integers(0, n_out, n_samples)
    if loss.is_classifier:  # binary or multi-label: a 0/1 target per output
        return rng.integers(0, 2, (n_samples, n_out))
    return rng.normal(size=(n_samples, n_out))


def _draw_case(
    rng: np.random.Generator, loss: losses.Loss, seed: int, activation_names: Iterator[str]
) -> Case:
    """Depth 1-4 Dense layers, widths 2-7, a random activation after each hidden Dense, and
    optionally a normalisation before it, dropout after it and a penalty on its weights.
    The activations come in turn from ``activation_names``, so that every one is checked."""
    n_in = int(rng.integers(2, 6))
    n_samples = int(rng.integers(3, 13))
    n_out = (
        int(rng.integers(2, 5))
        if isinstance(loss, losses.CrossEntropy)
        else int(rng.integers(1, 4))
    )
    depth = int(rng.integers(1, 5))
    layers: list[Layer] = []
    parts: list[str] = []
    size = n_in

    def penalty() -> regularizers.Regularizer | None:
        if not WITH_PENALTIES:
            return None
        choice = rng.integers(0, 4)
        strength = float(rng.uniform(0.01, 0.2))
        return [None, regularizers.L1(strength), regularizers.L2(strength), None][choice]

    for _ in range(depth - 1):
        width = int(rng.integers(2, 8))
        layers.append(Dense(size, width, regularizer=penalty()))
        size = width
        norm = rng.integers(0, 3)
        if norm == 1:
            layers.append(BatchNorm(size))
        elif norm == 2 and size >= 3:
            # (not on 2 features: their x̂ is ±1 whatever the input, which kills the gradient)
            layers.append(LayerNorm(size))
        name = next(activation_names)
        layers.append(_activation(name))
        if rng.random() < 0.3:
            layers.append(Dropout(float(rng.choice([0.1, 0.3, 0.5]))))
    layers.append(Dense(size, n_out, regularizer=penalty()))
    for layer in layers:
        parts.append(repr(layer))
    null_parameters = _biases_removed_by_batchnorm(layers)
    model = Sequential(layers, dtype=np.float64, random_state=seed)
    X = rng.normal(size=(n_samples, n_in))
    y = _targets(loss, n_samples, n_out, rng)
    description = f"seed={seed} loss={loss!r} n_samples={n_samples}: " + " -> ".join(parts)
    return Case(model, X, y, loss, description, null_parameters)


def _biases_removed_by_batchnorm(layers: list[Layer]) -> list[str]:
    """Biases (of Dense, BatchNorm, LayerNorm) that reach a BatchNorm through affine layers
    only: they shift every sample of a feature alike, the batch mean takes the shift away, and
    their gradient is 0."""
    names = []
    for position, layer in enumerate(layers):
        if not isinstance(layer, BatchNorm):
            continue
        before = position - 1
        while before >= 0 and isinstance(layers[before], Dense | activations.Identity):
            if isinstance(layers[before], Dense):
                names.append(f"layers[{before}].bias")
            before -= 1
        if before >= 0 and isinstance(layers[before], BatchNorm | LayerNorm):
            names.append(f"layers[{before}].bias")  # β is added after the normalisation
    return names


def _is_smooth_enough(case: Case) -> bool:
    """Whether the checked pass stays clear of kinks and of near-constant normalisation groups."""
    model, distances = case.model, [np.inf]
    state = model.rng.bit_generator.state
    x = case.X
    for layer in model.layers:
        if isinstance(layer, activations.ReLU | activations.LeakyReLU):
            distances.append(float(np.abs(x).min()))
        if isinstance(layer, Dense) and isinstance(layer.regularizer, regularizers.L1L2):
            if layer.regularizer.l1:
                distances.append(float(np.abs(layer.weight.data).min()))
        if isinstance(layer, BatchNorm | LayerNorm):
            axis = 0 if isinstance(layer, BatchNorm) else 1
            if x.var(axis=axis).min() < MIN_VARIANCE:
                return False
        x = layer.forward(x, training=True)
    model.rng.bit_generator.state = state  # check_gradients replays these very draws
    targets = case.loss.prepare_targets(case.y, model.n_outputs, np.float64)
    residual = np.abs(x - targets)
    if isinstance(case.loss, losses.MeanAbsoluteError):
        distances.append(float(residual.min()))
    delta = getattr(case.loss, "delta", None)
    if delta is not None:
        distances.append(float(np.abs(residual - delta).min()))
    return min(distances) > KINK_MARGIN


def _cases() -> list[Case]:
    rng = np.random.default_rng(20240601)
    activation_names = itertools.cycle(rng.permutation(ACTIVATIONS).tolist())
    cases = []
    for index in range(N_ARCHITECTURES):
        loss = LOSSES[index % len(LOSSES)]
        while True:
            case = _draw_case(rng, loss, int(rng.integers(2**31)), activation_names)
            if _is_smooth_enough(case):
                break
        cases.append(case)
    return cases


CASES = _cases()


def _backprop_gradient_norms(case: Case) -> dict[str, float]:
    """‖∂L/∂θ‖ by backprop for every parameter, in the pass check_gradients checks."""
    model = case.model
    state = model.rng.bit_generator.state
    targets = case.loss.prepare_targets(case.y, model.n_outputs, np.float64)
    case.loss.forward(model.forward(case.X, training=True), targets)
    model.backward(case.loss.backward())
    model.rng.bit_generator.state = state
    return {
        f"layers[{position}].{param.name}": float(np.linalg.norm(param.grad))
        for position, layer in enumerate(model.layers)
        for param in layer.parameters()
    }


@pytest.mark.parametrize("case", CASES, ids=[f"arch{i}" for i in range(len(CASES))])
def test_random_architecture_passes_the_gradient_check(case: Case) -> None:
    report = ffnn.check_gradients(case.model, case.X, case.y, loss=case.loss)
    for row in report.parameters:
        # Relative error, except for gradients so small that the finite difference is mostly
        # rounding noise (|L| · 1e-16 / ε ≈ 1e-10; at most 2e-9 over 900 architectures): those
        # are judged by their absolute error. That covers a bias BatchNorm takes away, and a
        # batch-constant upstream gradient (MAE's sign(r) can give one) that BatchNorm removes.
        passed = row.relative_error < TOLERANCE or row.max_abs_error < ABSOLUTE_FLOOR
        assert passed, f"{case.description}\n{report}"


@pytest.mark.parametrize("case", CASES, ids=[f"arch{i}" for i in range(len(CASES))])
def test_biases_that_batchnorm_takes_away_get_no_gradient(case: Case) -> None:
    norms = _backprop_gradient_norms(case)
    for name in case.null_parameters:
        assert norms[name] < 1e-12, f"{name} should have no gradient\n{case.description}"


def test_the_random_architectures_cover_every_building_block() -> None:
    kinds = {type(layer) for case in CASES for layer in case.model.layers}
    for kind in (Dense, Dropout, BatchNorm, LayerNorm):
        assert kind in kinds, kind
    names = {
        "gelu_tanh" if getattr(layer, "approximate", "") == "tanh" else type(layer).__name__
        for case in CASES
        for layer in case.model.layers
    }
    expected = {type(_activation(name)).__name__ for name in ACTIVATIONS} | {"gelu_tanh"}
    assert expected <= names, expected - names
    assert {type(case.loss) for case in CASES} == {type(loss) for loss in LOSSES}
    if WITH_PENALTIES:
        penalties = {
            type(layer.regularizer)
            for case in CASES
            for layer in case.model.layers
            if isinstance(layer, Dense)
        }
        assert {regularizers.L1, regularizers.L2} <= penalties
