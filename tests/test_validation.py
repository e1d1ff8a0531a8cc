"""Every public entry point refuses bad input with a ValueError or TypeError whose message names
the argument and shows what was received.

One table, one row per case: the call, the exception type, a piece of the message that names
the argument, and one that shows the value received. The rows run through every public entry
point: the model's methods, every constructor (layers, activations, normalisation, losses,
optimizers, regularizers, schedules, callbacks, initializers), ``check_gradients``, the data
sets, the metrics, ``save`` / ``load`` and the plotting functions' data arguments. No row may end
in a NumPy error three frames deep: the exception must be raised by ffnn's own checks.
"""

from __future__ import annotations

import importlib.util
import math
import sys
import traceback
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import ffnn
from ffnn import (
    ELU,
    GELU,
    L1,
    L1L2,
    L2,
    SGD,
    Adagrad,
    Adam,
    AdamW,
    BatchNorm,
    BinaryCrossEntropy,
    CSVLogger,
    Dense,
    Dropout,
    EarlyStopping,
    Huber,
    LayerNorm,
    LeakyReLU,
    LearningRateScheduler,
    MeanSquaredError,
    ModelCheckpoint,
    ReduceLROnPlateau,
    ReLU,
    RMSprop,
    Sequential,
    activations,
    initializers,
    losses,
    metrics,
    optimizers,
    regularizers,
    schedules,
)
from ffnn.datasets import make_blobs, make_moons

X = np.random.default_rng(0).normal(size=(8, 2))
Y = np.array([0, 1] * 4)


def model(n_outputs: int = 1, *extra: Any) -> Sequential:
    """A small network, 2 features in, ``n_outputs`` logits out."""
    return Sequential([Dense(2, 4), ReLU(), *extra, Dense(4, n_outputs)], random_state=0)


def classifier() -> Sequential:
    """A binary classifier ready to predict (its loss set; training is not needed here)."""
    network = model()
    network.loss = BinaryCrossEntropy()
    return network


def regressor() -> Sequential:
    network = model()
    network.loss = MeanSquaredError()
    return network


def fit(**kwargs: Any) -> Callable[[], Any]:
    """``model().fit(X, Y, loss="bce", **kwargs)``, X and Y replaceable."""

    def call() -> Any:
        arguments = {"X": X, "y": Y, "loss": "bce", "epochs": 1, **kwargs}
        network = arguments.pop("network", None) or model()
        return network.fit(arguments.pop("X"), arguments.pop("y"), **arguments)

    return call


def with_nan(shape: tuple[int, ...], value: float = np.nan) -> np.ndarray:
    array = np.ones(shape)
    array.flat[1] = value
    return array


def replaced_weights(change: Callable[[np.ndarray], Any]) -> Callable[[], None]:
    network = model()
    return lambda: network.set_weights([change(w) for w in network.get_weights()])


HAS_MATPLOTLIB = importlib.util.find_spec("matplotlib") is not None
needs_matplotlib = pytest.mark.skipif(not HAS_MATPLOTLIB, reason="needs matplotlib")


def plotting() -> Any:
    from ffnn import plotting as module

    return module


# (id, call, exception type, names the argument, shows the value received)
CASES: list[Any] = [
    # -- Sequential ------------------------------------------------------------------------
    ("model-layers-not-a-list", lambda: Sequential(Dense(2, 1)), TypeError, "layers", "Dense"),
    ("model-layer-a-name", lambda: Sequential(["relu"]), TypeError, "layers[0]", "'relu'"),
    ("model-layer-a-class", lambda: Sequential([Dense]), TypeError, "layers[0]", "type"),
    ("model-no-dense", lambda: Sequential([ReLU()]), ValueError, "layers", "ReLU()"),
    (
        "model-sizes-mismatch",
        lambda: Sequential([Dense(2, 3), Dense(4, 1)]),
        ValueError,
        "layers[1]",
        "gives 3",
    ),
    (
        "model-dtype-int",
        lambda: Sequential([Dense(2, 1)], dtype="int32"),
        ValueError,
        "dtype",
        "int32",
    ),
    (
        "model-dtype-unknown",
        lambda: Sequential([Dense(2, 1)], dtype="x"),
        TypeError,
        "dtype",
        "'x'",
    ),
    (
        "model-random-state-float",
        lambda: Sequential([Dense(2, 1)], random_state=1.5),
        TypeError,
        "random_state",
        "1.5",
    ),
    (
        "model-random-state-negative",
        lambda: Sequential([Dense(2, 1)], random_state=-1),
        ValueError,
        "random_state",
        "-1",
    ),
    # -- fit: X ----------------------------------------------------------------------------
    ("fit-X-nan", fit(X=with_nan((8, 2))), ValueError, "X contains NaN", "nan"),
    ("fit-X-inf", fit(X=with_nan((8, 2), np.inf)), ValueError, "X contains NaN", "inf"),
    ("fit-X-1d", fit(X=np.ones(8)), ValueError, "X must be a 2-D", "1-D"),
    ("fit-X-3d", fit(X=np.ones((8, 2, 1))), ValueError, "X must be a 2-D", "3-D"),
    ("fit-X-empty", fit(X=np.ones((0, 2)), y=[]), ValueError, "X is empty", "(0, 2)"),
    ("fit-X-feature-count", fit(X=np.ones((8, 3))), ValueError, "X has", "3 features"),
    ("fit-X-strings", fit(X=np.full((8, 2), "a")), TypeError, "X must hold", "<U1"),
    ("fit-X-objects", fit(X=np.full((8, 2), None)), TypeError, "X must hold", "object"),
    ("fit-X-complex", fit(X=np.ones((8, 2)) * 1j), TypeError, "X must hold", "complex128"),
    ("fit-X-none", fit(X=None), TypeError, "X must hold", "None"),
    ("fit-X-dict", fit(X={"a": 1}), TypeError, "X must hold", "dict"),
    (
        "fit-X-dates",
        fit(X=np.zeros((8, 2), dtype="datetime64[D]")),
        TypeError,
        "X must hold",
        "datetime64",
    ),
    ("fit-X-ragged", fit(X=[[1.0, 2.0], [3.0]], y=[0, 1]), ValueError, "X must be", "nested"),
    ("fit-X-too-large-for-float32", fit(X=np.full((8, 2), 1e300)), ValueError, "X", "1e+300"),
    # -- fit: y ----------------------------------------------------------------------------
    ("fit-y-length", fit(y=Y[:3]), ValueError, "X and y", "8 and 3"),
    ("fit-y-nan", fit(y=with_nan((8,)), loss="mse"), ValueError, "y contains NaN", "nan"),
    ("fit-y-inf", fit(y=with_nan((8,), np.inf), loss="mse"), ValueError, "y contains", "inf"),
    ("fit-y-strings", fit(y=np.array(["a", "b"] * 4)), TypeError, "y must hold", "<U1"),
    ("fit-y-none", fit(y=None), TypeError, "y must hold", "None"),
    ("fit-y-complex", fit(y=np.ones(8) * 1j, loss="mse"), TypeError, "y must hold", "complex"),
    ("fit-y-empty", fit(y=[]), ValueError, "y is empty", "(0,)"),
    ("fit-y-shape", fit(y=np.ones((8, 3))), ValueError, "y must have shape", "(8, 3)"),
    ("fit-y-3d", fit(y=np.ones((8, 1, 1)), loss="mse"), ValueError, "y must have", "(8, 1, 1)"),
    (
        "fit-y-too-large-for-float32",
        fit(y=np.full(8, 1e300), loss="mse"),
        ValueError,
        "y holds values too large",
        "1e+300",
    ),
    (
        "fit-bce-label-2",
        fit(y=np.full(8, 2)),
        ValueError,
        "expects y to hold targets in [0, 1]",
        "from 2 to 2",
    ),
    ("fit-bce-label-minus-1", fit(y=np.full(8, -1)), ValueError, "expects y", "from -1 to -1"),
    (
        "fit-ce-label-unseen",
        fit(network=model(3), y=np.array([0, 1, 2, 3] * 2), loss="cross_entropy"),
        ValueError,
        "class labels 0..2",
        "to 3",
    ),
    (
        "fit-ce-label-negative",
        fit(network=model(3), y=np.full(8, -1), loss="cross_entropy"),
        ValueError,
        "class labels 0..2",
        "from -1",
    ),
    (
        "fit-ce-label-fractional",
        fit(network=model(3), y=np.full(8, 1.5), loss="cross_entropy"),
        ValueError,
        "integer class labels in y",
        "1.5",
    ),
    (
        "fit-ce-label-nan",
        fit(network=model(3), y=with_nan((8,)), loss="cross_entropy"),
        ValueError,
        "y contains NaN",
        "nan",
    ),
    (
        "fit-ce-rows-not-one-hot",
        fit(network=model(3), y=np.ones((8, 3)), loss="cross_entropy"),
        ValueError,
        "one-hot targets",
        "row 0: [1. 1. 1.]",
    ),
    (
        "fit-ce-one-output",
        fit(loss="cross_entropy"),
        ValueError,
        "cross_entropy needs one output per class",
        "has 1",
    ),
    # -- fit: settings ---------------------------------------------------------------------
    ("fit-epochs-str", fit(epochs="3"), TypeError, "epochs", "'3'"),
    ("fit-epochs-float", fit(epochs=2.0), TypeError, "epochs", "2.0"),
    ("fit-epochs-bool", fit(epochs=True), TypeError, "epochs", "True"),
    ("fit-epochs-zero", fit(epochs=0), ValueError, "epochs", "0"),
    ("fit-batch-size-float", fit(batch_size=2.5), TypeError, "batch_size", "2.5"),
    ("fit-batch-size-str", fit(batch_size="32"), TypeError, "batch_size", "'32'"),
    ("fit-batch-size-zero", fit(batch_size=0), ValueError, "batch_size", "0"),
    ("fit-batch-size-negative", fit(batch_size=-4), ValueError, "batch_size", "-4"),
    ("fit-shuffle-str", fit(shuffle="yes"), TypeError, "shuffle", "'yes'"),
    ("fit-verbose-str", fit(verbose="loud"), TypeError, "verbose", "'loud'"),
    ("fit-verbose-negative", fit(verbose=-1), ValueError, "verbose", "-1"),
    ("fit-metrics-a-name", fit(metrics="accuracy"), TypeError, "metrics", "'accuracy'"),
    ("fit-metrics-unknown", fit(metrics=["foo"]), ValueError, "metric", "'foo'"),
    ("fit-metrics-not-names", fit(metrics=[3]), TypeError, "metrics", "3"),
    (
        "fit-metric-for-regression",
        fit(loss="mse", metrics=["accuracy"]),
        ValueError,
        "accuracy",
        "MeanSquaredError",
    ),
    ("fit-loss-unknown", fit(loss="foo"), ValueError, "loss", "'foo'"),
    ("fit-loss-int", fit(loss=3), ValueError, "loss", "3"),
    ("fit-loss-missing", fit(loss=None), ValueError, "loss", "no loss"),
    ("fit-optimizer-unknown", fit(optimizer="foo"), ValueError, "optimizer", "'foo'"),
    ("fit-optimizer-int", fit(optimizer=3), TypeError, "optimizer", "3"),
    ("fit-validation-split-big", fit(validation_split=1.5), ValueError, "validation_split", "1.5"),
    (
        "fit-validation-split-negative",
        fit(validation_split=-0.1),
        ValueError,
        "validation_split",
        "-0.1",
    ),
    (
        "fit-validation-split-nan",
        fit(validation_split=math.nan),
        ValueError,
        "validation_split",
        "nan",
    ),
    (
        "fit-validation-split-str",
        fit(validation_split="0.2"),
        TypeError,
        "validation_split",
        "'0.2'",
    ),
    (
        "fit-validation-split-bool",
        fit(validation_split=True),
        TypeError,
        "validation_split",
        "True",
    ),
    (
        "fit-validation-split-takes-all",
        fit(validation_split=0.99),
        ValueError,
        "validation_split=0.99",
        "out of 8",
    ),
    (
        "fit-validation-data-not-a-pair",
        fit(validation_data=X),
        TypeError,
        "validation_data",
        "ndarray",
    ),
    (
        "fit-validation-data-features",
        fit(validation_data=(np.ones((3, 3)), [0, 1, 0])),
        ValueError,
        "validation X",
        "3 features",
    ),
    (
        "fit-validation-data-nan",
        fit(validation_data=(with_nan((3, 2)), [0, 1, 0])),
        ValueError,
        "validation X contains NaN",
        "nan",
    ),
    (
        "fit-validation-data-y-length",
        fit(validation_data=(np.ones((3, 2)), [0, 1])),
        ValueError,
        "validation y",
        "3 and 2",
    ),
    (
        "fit-validation-both",
        fit(validation_split=0.25, validation_data=(X, Y)),
        ValueError,
        "validation_data or validation_split",
        "0.25",
    ),
    (
        "fit-sample-weight-negative",
        fit(sample_weight=-np.ones(8)),
        ValueError,
        "sample_weight",
        "-1",
    ),
    (
        "fit-sample-weight-length",
        fit(sample_weight=np.ones(3)),
        ValueError,
        "sample_weight",
        "(3,)",
    ),
    ("fit-sample-weight-strings", fit(sample_weight=["a"] * 8), TypeError, "sample_weight", "<U1"),
    (
        "fit-sample-weight-nan",
        fit(sample_weight=with_nan((8,))),
        ValueError,
        "sample_weight",
        "NaN",
    ),
    (
        "fit-sample-weight-zero",
        fit(sample_weight=np.zeros(8)),
        ValueError,
        "sample_weight",
        "all zero",
    ),
    (
        "fit-class-weight-unseen-class",
        fit(class_weight={5: 1.0}),
        ValueError,
        "class_weight",
        "[5]",
    ),
    ("fit-class-weight-name-key", fit(class_weight={"a": 1.0}), ValueError, "class_weight", "'a'"),
    (
        "fit-class-weight-negative",
        fit(class_weight={0: -1.0}),
        ValueError,
        "class_weight[0]",
        "-1.0",
    ),
    ("fit-class-weight-str", fit(class_weight={0: "x"}), ValueError, "class_weight[0]", "'x'"),
    ("fit-class-weight-list", fit(class_weight=[1, 2]), TypeError, "class_weight", "list"),
    ("fit-class-weight-unknown", fit(class_weight="bal"), ValueError, "class_weight", "'bal'"),
    (
        "fit-class-weight-all-zero",
        fit(class_weight={0: 0, 1: 0}),
        ValueError,
        "class_weight",
        "{0: 0, 1: 0}",
    ),
    (
        "fit-class-weight-regression",
        fit(loss="mse", class_weight={0: 1.0}),
        ValueError,
        "class_weight",
        "MeanSquaredError",
    ),
    ("fit-initial-epoch-str", fit(initial_epoch="1"), TypeError, "initial_epoch", "'1'"),
    ("fit-initial-epoch-negative", fit(initial_epoch=-1), ValueError, "initial_epoch", "-1"),
    ("fit-initial-epoch-past-epochs", fit(initial_epoch=5), ValueError, "initial_epoch", "5"),
    (
        "fit-on-divergence-unknown",
        fit(on_divergence="ignore"),
        ValueError,
        "on_divergence",
        "'ignore'",
    ),
    ("fit-callbacks-not-callbacks", fit(callbacks=[3]), TypeError, "callbacks", "3"),
    (
        "fit-callbacks-not-a-list",
        fit(callbacks=EarlyStopping()),
        TypeError,
        "callbacks",
        "EarlyStopping",
    ),
    (
        "fit-batchnorm-single-sample",
        fit(network=model(1, BatchNorm(4)), X=X[:1], y=Y[:1]),
        ValueError,
        "BatchNorm",
        "got 1",
    ),
    (
        "fit-scheduled-rate-negative",
        fit(callbacks=[LearningRateScheduler(lambda epoch, rate: -1.0)]),
        ValueError,
        "the scheduled learning rate",
        "-1.0",
    ),
    # -- predict, predict_proba, evaluate, layer_outputs -------------------------------------
    ("predict-without-loss", lambda: model().predict(X), ValueError, "loss", "no loss"),
    (
        "predict-X-nan",
        lambda: classifier().predict(with_nan((2, 2))),
        ValueError,
        "X contains",
        "nan",
    ),
    (
        "predict-X-features",
        lambda: classifier().predict(np.ones((2, 3))),
        ValueError,
        "X has",
        "3 features",
    ),
    (
        "predict-X-1d",
        lambda: classifier().predict(np.ones(2)),
        ValueError,
        "X must be a 2-D",
        "1-D",
    ),
    (
        "predict-X-empty",
        lambda: classifier().predict(np.ones((0, 2))),
        ValueError,
        "X is empty",
        "(0, 2)",
    ),
    (
        "predict-X-strings",
        lambda: classifier().predict([["a", "b"]]),
        TypeError,
        "X must hold",
        "<U1",
    ),
    (
        "predict-X-complex",
        lambda: classifier().predict(np.ones((2, 2)) * 1j),
        TypeError,
        "X must hold",
        "complex",
    ),
    (
        "predict-proba-regression",
        lambda: regressor().predict_proba(X),
        TypeError,
        "predict_proba",
        "MeanSquaredError",
    ),
    (
        "predict-proba-X-inf",
        lambda: classifier().predict_proba(with_nan((2, 2), -np.inf)),
        ValueError,
        "X contains",
        "-inf",
    ),
    (
        "evaluate-y-length",
        lambda: classifier().evaluate(X, Y[:3]),
        ValueError,
        "X and y",
        "8 and 3",
    ),
    (
        "evaluate-y-strings",
        lambda: classifier().evaluate(X, ["a"] * 8),
        TypeError,
        "y must hold",
        "<U1",
    ),
    (
        "evaluate-metrics-a-name",
        lambda: classifier().evaluate(X, Y, metrics="accuracy"),
        TypeError,
        "metrics",
        "'accuracy'",
    ),
    (
        "evaluate-metric-unknown",
        lambda: classifier().evaluate(X, Y, metrics=["foo"]),
        ValueError,
        "metric",
        "'foo'",
    ),
    (
        "evaluate-loss-unknown",
        lambda: classifier().evaluate(X, Y, loss="foo"),
        ValueError,
        "loss",
        "'foo'",
    ),
    (
        "evaluate-sample-weight-length",
        lambda: classifier().evaluate(X, Y, sample_weight=np.ones(2)),
        ValueError,
        "sample_weight",
        "(2,)",
    ),
    (
        "layer-outputs-X-nan",
        lambda: model().layer_outputs(with_nan((2, 2))),
        ValueError,
        "X contains",
        "nan",
    ),
    (
        "layer-outputs-X-features",
        lambda: model().layer_outputs(np.ones((2, 5))),
        ValueError,
        "X has",
        "5 features",
    ),
    ("summary-print-fn", lambda: model().summary(print_fn=3), TypeError, "print_fn", "int"),
    ("astype-int", lambda: model().astype("int32"), ValueError, "dtype", "int32"),
    ("astype-unknown", lambda: model().astype("nonsense"), TypeError, "dtype", "'nonsense'"),
    ("set-weights-not-a-list", lambda: model().set_weights(3), TypeError, "weights", "int"),
    (
        "set-weights-count",
        lambda: model().set_weights([np.ones(2)]),
        ValueError,
        "weights",
        "got 1",
    ),
    (
        "set-weights-shape",
        lambda: model().set_weights([np.ones(2)] * 4),
        ValueError,
        "weights[0]",
        "(2,)",
    ),
    (
        "set-weights-nan",
        replaced_weights(lambda w: np.full_like(w, np.nan)),
        ValueError,
        "weights[0] contains NaN",
        "got nan",
    ),
    (
        "set-weights-strings",
        replaced_weights(lambda w: np.full(w.shape, "a")),
        TypeError,
        "weights[0]",
        "<U1",
    ),
    ("set-weights-complex", replaced_weights(lambda w: w * 1j), TypeError, "weights[0]", "complex"),
    # -- layers, activations, normalisation --------------------------------------------------
    ("dense-n-in-zero", lambda: Dense(0, 1), ValueError, "n_in", "0"),
    ("dense-n-in-float", lambda: Dense(2.0, 1), TypeError, "n_in", "2.0"),
    ("dense-n-out-str", lambda: Dense(2, "3"), TypeError, "n_out", "'3'"),
    ("dense-n-out-bool", lambda: Dense(2, True), TypeError, "n_out", "True"),
    (
        "dense-initializer-unknown",
        lambda: Dense(2, 1, initializer="foo"),
        ValueError,
        "initializer",
        "'foo'",
    ),
    (
        "dense-regularizer-unknown",
        lambda: Dense(2, 1, regularizer="l3"),
        ValueError,
        "regularizer",
        "'l3'",
    ),
    (
        "dense-bias-initializer-fan",
        lambda: Dense(2, 1, bias_initializer="he_normal"),
        ValueError,
        "he_normal",
        "(1,)",
    ),
    ("dense-dtype", lambda: Dense(2, 1, dtype="int8"), ValueError, "dtype", "int8"),
    ("dense-random-state", lambda: Dense(2, 1, random_state="x"), TypeError, "random_state", "'x'"),
    ("dropout-one", lambda: Dropout(1.0), ValueError, "rate", "1.0"),
    ("dropout-negative", lambda: Dropout(-0.1), ValueError, "rate", "-0.1"),
    ("dropout-nan", lambda: Dropout(math.nan), ValueError, "rate", "nan"),
    ("dropout-str", lambda: Dropout("0.5"), TypeError, "rate", "'0.5'"),
    ("dropout-bool", lambda: Dropout(True), TypeError, "rate", "True"),
    ("leaky-relu-negative", lambda: LeakyReLU(-1), ValueError, "negative_slope", "-1"),
    ("leaky-relu-str", lambda: LeakyReLU("a"), TypeError, "negative_slope", "'a'"),
    ("leaky-relu-nan", lambda: LeakyReLU(math.nan), ValueError, "negative_slope", "nan"),
    ("elu-zero", lambda: ELU(0), ValueError, "alpha", "0"),
    ("elu-str", lambda: ELU("a"), TypeError, "alpha", "'a'"),
    ("gelu-unknown", lambda: GELU("fast"), ValueError, "approximate", "'fast'"),
    ("activation-unknown", lambda: activations.get("foo"), ValueError, "activation", "'foo'"),
    ("batchnorm-zero", lambda: BatchNorm(0), ValueError, "n_features", "0"),
    ("batchnorm-momentum", lambda: BatchNorm(3, momentum=2), ValueError, "momentum", "2"),
    ("batchnorm-epsilon-zero", lambda: BatchNorm(3, epsilon=0), ValueError, "epsilon", "0"),
    ("batchnorm-epsilon-str", lambda: BatchNorm(3, epsilon="a"), TypeError, "epsilon", "'a'"),
    ("layernorm-float", lambda: LayerNorm(3.0), TypeError, "n_features", "3.0"),
    ("layernorm-epsilon-negative", lambda: LayerNorm(3, epsilon=-1), ValueError, "epsilon", "-1"),
    (
        "layernorm-size-mismatch",
        lambda: Sequential([Dense(2, 3), LayerNorm(4)]),
        ValueError,
        "LayerNorm(n_features=4",
        "gives 3",
    ),
    # -- losses ----------------------------------------------------------------------------
    ("huber-zero", lambda: Huber(0), ValueError, "delta", "0"),
    ("huber-str", lambda: Huber("a"), TypeError, "delta", "'a'"),
    ("loss-unknown", lambda: losses.get("foo"), ValueError, "loss", "'foo'"),
    ("loss-none", lambda: losses.get(None), ValueError, "loss", "None"),
    (
        "loss-config-without-name",
        lambda: losses.get({"delta": 1}),
        ValueError,
        "name",
        "{'delta': 1}",
    ),
    (
        "loss-config-bad-argument",
        lambda: losses.get({"name": "huber", "foo": 1}),
        TypeError,
        "huber",
        "foo",
    ),
    # -- optimizers --------------------------------------------------------------------------
    ("sgd-rate-zero", lambda: SGD(0), ValueError, "learning_rate", "0"),
    ("sgd-rate-negative", lambda: SGD(-1), ValueError, "learning_rate", "-1"),
    ("sgd-rate-str", lambda: SGD("0.1"), TypeError, "learning_rate", "'0.1'"),
    ("sgd-rate-nan", lambda: SGD(math.nan), ValueError, "learning_rate", "nan"),
    ("sgd-rate-inf", lambda: SGD(math.inf), ValueError, "learning_rate", "inf"),
    ("sgd-rate-bool", lambda: SGD(True), TypeError, "learning_rate", "True"),
    ("sgd-momentum-negative", lambda: SGD(0.1, momentum=-1), ValueError, "momentum", "-1"),
    ("sgd-momentum-str", lambda: SGD(0.1, momentum="a"), TypeError, "momentum", "'a'"),
    (
        "sgd-nesterov-str",
        lambda: SGD(0.1, momentum=0.9, nesterov="yes"),
        TypeError,
        "nesterov",
        "'yes'",
    ),
    (
        "sgd-nesterov-without-momentum",
        lambda: SGD(0.1, nesterov=True),
        ValueError,
        "nesterov",
        "momentum=0.0",
    ),
    (
        "sgd-weight-decay-negative",
        lambda: SGD(0.1, weight_decay=-1),
        ValueError,
        "weight_decay",
        "-1",
    ),
    ("sgd-dampening", lambda: SGD(0.1, dampening=2), ValueError, "dampening", "2"),
    ("sgd-clip-norm-zero", lambda: SGD(0.1, clip_norm=0), ValueError, "clip_norm", "0"),
    ("sgd-clip-value-negative", lambda: SGD(0.1, clip_value=-1), ValueError, "clip_value", "-1"),
    ("sgd-parameters-not-a-list", lambda: SGD(0.1, parameters=3), TypeError, "parameters", "int"),
    (
        "sgd-parameters-arrays",
        lambda: SGD(0.1, parameters=[np.ones(3)]),
        TypeError,
        "parameters",
        "ndarray",
    ),
    ("adam-beta-1", lambda: Adam(beta_1=1.0), ValueError, "beta_1", "1.0"),
    ("adam-beta-2", lambda: Adam(beta_2=-0.1), ValueError, "beta_2", "-0.1"),
    ("adam-epsilon", lambda: Adam(epsilon=0), ValueError, "epsilon", "0"),
    ("adam-amsgrad", lambda: Adam(amsgrad="no"), TypeError, "amsgrad", "'no'"),
    ("adamw-weight-decay", lambda: AdamW(weight_decay=-1), ValueError, "weight_decay", "-1"),
    ("rmsprop-rho", lambda: RMSprop(rho=1), ValueError, "rho", "1"),
    ("rmsprop-centered", lambda: RMSprop(centered=1), TypeError, "centered", "1"),
    ("rmsprop-momentum", lambda: RMSprop(momentum=-1), ValueError, "momentum", "-1"),
    ("adagrad-lr-decay", lambda: Adagrad(lr_decay=-1), ValueError, "lr_decay", "-1"),
    (
        "adagrad-accumulator",
        lambda: Adagrad(initial_accumulator_value=-1),
        ValueError,
        "initial_accumulator_value",
        "-1",
    ),
    ("optimizer-unknown", lambda: optimizers.get("foo"), ValueError, "optimizer", "'foo'"),
    (
        "optimizer-config-bad-argument",
        lambda: optimizers.get({"name": "adam", "foo": 1}),
        TypeError,
        "adam",
        "foo",
    ),
    (
        "optimizer-rate-set-negative",
        lambda: setattr(SGD(0.1), "learning_rate", -1),
        ValueError,
        "learning_rate",
        "-1",
    ),
    # -- regularizers ------------------------------------------------------------------------
    ("l1-negative", lambda: L1(-1), ValueError, "l1", "-1"),
    ("l2-str", lambda: L2("a"), TypeError, "l2", "'a'"),
    ("l1l2-nan", lambda: L1L2(l1=math.nan), ValueError, "l1", "nan"),
    ("regularizer-unknown", lambda: regularizers.get("l3"), ValueError, "regularizer", "'l3'"),
    (
        "regularizer-config-bad-argument",
        lambda: regularizers.get({"name": "l2", "x": 1}),
        TypeError,
        "l2",
        "'x'",
    ),
    # -- schedules ---------------------------------------------------------------------------
    ("step-rate-zero", lambda: schedules.StepDecay(0, 1), ValueError, "initial_learning_rate", "0"),
    ("step-size-zero", lambda: schedules.StepDecay(0.1, 0), ValueError, "step_size", "0"),
    (
        "step-gamma-negative",
        lambda: schedules.StepDecay(0.1, 1, gamma=-1),
        ValueError,
        "gamma",
        "-1",
    ),
    (
        "exponential-gamma-zero",
        lambda: schedules.ExponentialDecay(0.1, 0),
        ValueError,
        "gamma",
        "0",
    ),
    (
        "exponential-gamma-str",
        lambda: schedules.ExponentialDecay(0.1, "a"),
        TypeError,
        "gamma",
        "'a'",
    ),
    ("cosine-epochs-zero", lambda: schedules.CosineDecay(0.1, 0), ValueError, "epochs", "0"),
    (
        "cosine-warmup-negative",
        lambda: schedules.CosineDecay(0.1, 5, warmup_epochs=-1),
        ValueError,
        "warmup_epochs",
        "-1",
    ),
    (
        "cosine-warmup-float",
        lambda: schedules.CosineDecay(0.1, 5, warmup_epochs=1.0),
        TypeError,
        "warmup_epochs",
        "1.0",
    ),
    (
        "cosine-warmup-all",
        lambda: schedules.CosineDecay(0.1, 5, warmup_epochs=5),
        ValueError,
        "warmup_epochs",
        "5",
    ),
    (
        "cosine-minimum-negative",
        lambda: schedules.CosineDecay(0.1, 5, min_learning_rate=-1),
        ValueError,
        "min_learning_rate",
        "-1",
    ),
    (
        "cosine-minimum-str",
        lambda: schedules.CosineDecay(0.1, 5, min_learning_rate="a"),
        TypeError,
        "min_learning_rate",
        "'a'",
    ),
    (
        "cosine-minimum-above",
        lambda: schedules.CosineDecay(0.1, 5, min_learning_rate=1.0),
        ValueError,
        "min_learning_rate",
        "1.0",
    ),
    ("schedule-epoch-negative", lambda: schedules.StepDecay(0.1, 1)(-1), ValueError, "epoch", "-1"),
    ("schedule-epoch-str", lambda: schedules.StepDecay(0.1, 1)("a"), TypeError, "epoch", "'a'"),
    ("schedule-epoch-float", lambda: schedules.StepDecay(0.1, 1)(1.5), TypeError, "epoch", "1.5"),
    # -- callbacks ---------------------------------------------------------------------------
    (
        "early-stopping-patience-negative",
        lambda: EarlyStopping(patience=-1),
        ValueError,
        "patience",
        "-1",
    ),
    (
        "early-stopping-patience-float",
        lambda: EarlyStopping(patience=1.5),
        TypeError,
        "patience",
        "1.5",
    ),
    ("early-stopping-mode", lambda: EarlyStopping(mode="up"), ValueError, "mode", "'up'"),
    (
        "early-stopping-min-delta-negative",
        lambda: EarlyStopping(min_delta=-1),
        ValueError,
        "min_delta",
        "-1",
    ),
    (
        "early-stopping-min-delta-str",
        lambda: EarlyStopping(min_delta="a"),
        TypeError,
        "min_delta",
        "'a'",
    ),
    ("early-stopping-monitor-int", lambda: EarlyStopping(monitor=3), TypeError, "monitor", "3"),
    (
        "early-stopping-start-str",
        lambda: EarlyStopping(start_from_epoch="a"),
        TypeError,
        "start_from_epoch",
        "'a'",
    ),
    (
        "early-stopping-start-negative",
        lambda: EarlyStopping(start_from_epoch=-1),
        ValueError,
        "start_from_epoch",
        "-1",
    ),
    (
        "early-stopping-baseline-str",
        lambda: EarlyStopping(baseline="a"),
        TypeError,
        "baseline",
        "'a'",
    ),
    (
        "early-stopping-restore-str",
        lambda: EarlyStopping(restore_best_weights="yes"),
        TypeError,
        "restore_best_weights",
        "'yes'",
    ),
    (
        "early-stopping-monitors-unlogged",
        fit(callbacks=[EarlyStopping(monitor="val_loss")]),
        ValueError,
        "'val_loss'",
        "records: loss",
    ),
    ("checkpoint-path-int", lambda: ModelCheckpoint(3), TypeError, "filepath", "3"),
    ("checkpoint-mode", lambda: ModelCheckpoint("a.ffnn", mode="x"), ValueError, "mode", "'x'"),
    (
        "checkpoint-best-only-str",
        lambda: ModelCheckpoint("a.ffnn", save_best_only="yes"),
        TypeError,
        "save_best_only",
        "'yes'",
    ),
    ("plateau-factor-one", lambda: ReduceLROnPlateau(factor=1), ValueError, "factor", "1"),
    ("plateau-factor-str", lambda: ReduceLROnPlateau(factor="a"), TypeError, "factor", "'a'"),
    (
        "plateau-patience-negative",
        lambda: ReduceLROnPlateau(patience=-1),
        ValueError,
        "patience",
        "-1",
    ),
    ("plateau-patience-str", lambda: ReduceLROnPlateau(patience="a"), TypeError, "patience", "'a'"),
    (
        "plateau-cooldown-negative",
        lambda: ReduceLROnPlateau(cooldown=-1),
        ValueError,
        "cooldown",
        "-1",
    ),
    ("plateau-min-lr-negative", lambda: ReduceLROnPlateau(min_lr=-1), ValueError, "min_lr", "-1"),
    ("plateau-min-lr-str", lambda: ReduceLROnPlateau(min_lr="a"), TypeError, "min_lr", "'a'"),
    (
        "plateau-min-delta-negative",
        lambda: ReduceLROnPlateau(min_delta=-1),
        ValueError,
        "min_delta",
        "-1",
    ),
    ("scheduler-not-callable", lambda: LearningRateScheduler(3), TypeError, "schedule", "int"),
    ("csv-logger-path-float", lambda: CSVLogger(3.5), TypeError, "filename", "3.5"),
    (
        "csv-logger-separator-int",
        lambda: CSVLogger("log.csv", separator=3),
        TypeError,
        "separator",
        "int",
    ),
    (
        "csv-logger-separator-long",
        lambda: CSVLogger("log.csv", separator=",,"),
        ValueError,
        "separator",
        "',,'",
    ),
    (
        "csv-logger-append-str",
        lambda: CSVLogger("log.csv", append="yes"),
        TypeError,
        "append",
        "'yes'",
    ),
    # -- initializers ------------------------------------------------------------------------
    ("tutorial-scale-zero", lambda: initializers.TutorialNormal(0), ValueError, "scale", "0"),
    ("initializer-unknown", lambda: initializers.get("foo"), ValueError, "initializer", "'foo'"),
    (
        "initializer-config-bad-argument",
        lambda: initializers.get({"name": "tutorial", "x": 1}),
        TypeError,
        "tutorial",
        "'x'",
    ),
    # -- check_gradients ---------------------------------------------------------------------
    (
        "gradcheck-epsilon-zero",
        lambda: ffnn.check_gradients(classifier(), X, Y, epsilon=0),
        ValueError,
        "epsilon",
        "0",
    ),
    (
        "gradcheck-epsilon-str",
        lambda: ffnn.check_gradients(classifier(), X, Y, epsilon="a"),
        TypeError,
        "epsilon",
        "'a'",
    ),
    (
        "gradcheck-checks-zero",
        lambda: ffnn.check_gradients(classifier(), X, Y, max_checks_per_parameter=0),
        ValueError,
        "max_checks_per_parameter",
        "0",
    ),
    (
        "gradcheck-checks-float",
        lambda: ffnn.check_gradients(classifier(), X, Y, max_checks_per_parameter=1.5),
        TypeError,
        "max_checks_per_parameter",
        "1.5",
    ),
    ("gradcheck-model", lambda: ffnn.check_gradients(3, X, Y), TypeError, "model", "int"),
    (
        "gradcheck-X-nan",
        lambda: ffnn.check_gradients(classifier(), with_nan((2, 2)), Y[:2]),
        ValueError,
        "X contains",
        "nan",
    ),
    (
        "gradcheck-y-length",
        lambda: ffnn.check_gradients(classifier(), X[:2], Y[:3]),
        ValueError,
        "X and y",
        "2 and 3",
    ),
    (
        "gradcheck-random-state",
        lambda: ffnn.check_gradients(classifier(), X, Y, random_state="a"),
        TypeError,
        "random_state",
        "'a'",
    ),
    (
        "gradcheck-loss-unknown",
        lambda: ffnn.check_gradients(model(), X, Y, loss="foo"),
        ValueError,
        "loss",
        "'foo'",
    ),
    # -- data sets ---------------------------------------------------------------------------
    ("blobs-samples-zero", lambda: make_blobs(n_samples=0), ValueError, "n_samples", "0"),
    ("blobs-centers-float", lambda: make_blobs(centers=2.5), TypeError, "centers", "2.5"),
    ("blobs-features-negative", lambda: make_blobs(n_features=-1), ValueError, "n_features", "-1"),
    ("blobs-std-zero", lambda: make_blobs(cluster_std=0.0), ValueError, "cluster_std", "0.0"),
    ("blobs-std-str", lambda: make_blobs(cluster_std="a"), TypeError, "cluster_std", "'a'"),
    ("blobs-std-nan", lambda: make_blobs(cluster_std=math.nan), ValueError, "cluster_std", "nan"),
    ("blobs-box-int", lambda: make_blobs(center_box=3), TypeError, "center_box", "3"),
    (
        "blobs-box-nan",
        lambda: make_blobs(center_box=(0, math.nan)),
        ValueError,
        "center_box[1]",
        "nan",
    ),
    (
        "blobs-box-reversed",
        lambda: make_blobs(center_box=(5, -5)),
        ValueError,
        "center_box",
        "(5, -5)",
    ),
    (
        "blobs-random-state-str",
        lambda: make_blobs(random_state="a"),
        TypeError,
        "random_state",
        "'a'",
    ),
    (
        "blobs-random-state-negative",
        lambda: make_blobs(random_state=-1),
        ValueError,
        "random_state",
        "-1",
    ),
    (
        "blobs-random-state-generator",
        lambda: make_blobs(random_state=np.random.default_rng(0)),
        TypeError,
        "random_state",
        "Generator",
    ),
    ("blobs-shuffle-str", lambda: make_blobs(shuffle="no"), TypeError, "shuffle", "'no'"),
    ("moons-samples-float", lambda: make_moons(n_samples=10.5), TypeError, "n_samples", "10.5"),
    ("moons-noise-negative", lambda: make_moons(noise=-1), ValueError, "noise", "-1"),
    ("moons-noise-str", lambda: make_moons(noise="a"), TypeError, "noise", "'a'"),
    ("moons-noise-nan", lambda: make_moons(noise=math.nan), ValueError, "noise", "nan"),
    (
        "moons-random-state-str",
        lambda: make_moons(random_state="a"),
        TypeError,
        "random_state",
        "'a'",
    ),
    # -- metrics -----------------------------------------------------------------------------
    (
        "accuracy-lengths",
        lambda: metrics.accuracy([0, 1], [0, 1, 1]),
        ValueError,
        "y_true and y_pred",
        "(3,)",
    ),
    ("accuracy-empty", lambda: metrics.accuracy([], []), ValueError, "empty", "predictions"),
    ("mae-strings", lambda: metrics.mean_absolute_error(["a"], ["b"]), TypeError, "y_true", "<U1"),
    (
        "mae-nan",
        lambda: metrics.mean_absolute_error([np.nan], [1.0]),
        ValueError,
        "y_true contains",
        "nan",
    ),
    (
        "mse-prediction-inf",
        lambda: metrics.mean_squared_error([1.0], [np.inf]),
        ValueError,
        "y_pred contains",
        "inf",
    ),
    (
        "mse-objects",
        lambda: metrics.mean_squared_error([None], [1.0]),
        TypeError,
        "y_true",
        "object",
    ),
    ("mse-none", lambda: metrics.mean_squared_error(None, [1.0]), TypeError, "y_true", "None"),
    (
        "mse-complex",
        lambda: metrics.mean_squared_error([1j], [1.0]),
        TypeError,
        "y_true",
        "complex",
    ),
    (
        "mse-weights-negative",
        lambda: metrics.mean_squared_error([1.0, 2.0], [1.0, 2.0], sample_weight=[-1, 1]),
        ValueError,
        "sample_weight",
        "-1",
    ),
    ("r2-one-sample", lambda: metrics.r2_score([1.0], [1.0]), ValueError, "r2_score", "got 1"),
    (
        "r2-3d",
        lambda: metrics.r2_score(np.ones((2, 2, 2)), np.ones((2, 2, 2))),
        ValueError,
        "y_true",
        "(2, 2, 2)",
    ),
    (
        "r2-nan",
        lambda: metrics.r2_score([1.0, np.nan], [1.0, 2.0]),
        ValueError,
        "y_true contains",
        "nan",
    ),
    # -- save and load -----------------------------------------------------------------------
    ("save-not-a-model", lambda: ffnn.save(3, "model.ffnn"), TypeError, "model", "int"),
    ("save-path-float", lambda: ffnn.save(model(), 3.5), TypeError, "path", "3.5"),
    (
        "save-include-optimizer-str",
        lambda: ffnn.save(model(), "m.ffnn", include_optimizer="yes"),
        TypeError,
        "include_optimizer",
        "'yes'",
    ),
    ("load-path-float", lambda: ffnn.load(3.5), TypeError, "path", "3.5"),
    ("load-path-none", lambda: ffnn.load(None), TypeError, "path", "None"),
    (
        "load-missing",
        lambda: ffnn.load("missing.ffnn"),
        ValueError,
        "missing.ffnn",
        "no such model file",
    ),
]

# The plotting functions' data arguments: checked before matplotlib draws anything, except the
# predictor's output (the grid is evaluated on an Axes).
PLOTTING_CASES: list[Any] = [
    (
        "plot-dataset-y-strings",
        lambda: plotting().plot_dataset(X, np.array(["a", "b"] * 4)),
        TypeError,
        "y must hold class labels",
        "<U1",
    ),
    (
        "plot-dataset-y-nan",
        lambda: plotting().plot_dataset(X, np.array([0.0, np.nan] * 4)),
        ValueError,
        "y must hold class labels",
        "nan",
    ),
    (
        "plot-dataset-y-negative",
        lambda: plotting().plot_dataset(X, -Y),
        ValueError,
        "y must hold class labels",
        "-1",
    ),
    (
        "plot-dataset-y-3d",
        lambda: plotting().plot_dataset(X, np.zeros((8, 2, 1))),
        ValueError,
        "y must be labels",
        "(8, 2, 1)",
    ),
    (
        "plot-dataset-y-length",
        lambda: plotting().plot_dataset(X, Y[:3]),
        ValueError,
        "X and y",
        "8 and 3",
    ),
    (
        "plot-dataset-y-too-many-classes",
        lambda: plotting().plot_dataset(X, Y * 10**12),
        ValueError,
        "classes",
        "1e+12",
    ),
    (
        "plot-dataset-X-features",
        lambda: plotting().plot_dataset(np.ones((8, 3)), Y),
        ValueError,
        "X has",
        "3",
    ),
    (
        "plot-dataset-X-nan",
        lambda: plotting().plot_dataset(with_nan((8, 2)), Y),
        ValueError,
        "X contains",
        "nan",
    ),
    (
        "plot-loss-curve-strings",
        lambda: plotting().plot_loss_curve(["a", "b"]),
        TypeError,
        "losses",
        "<U1",
    ),
    (
        "plot-loss-curve-none",
        lambda: plotting().plot_loss_curve(None),
        TypeError,
        "losses",
        "NoneType",
    ),
    (
        "plot-boundary-predictor",
        lambda: plotting().plot_decision_boundary(3, X, Y),
        TypeError,
        "predictor",
        "int",
    ),
    (
        "plot-boundary-resolution-float",
        lambda: plotting().plot_decision_boundary(classifier(), X, Y, resolution=2.5),
        TypeError,
        "resolution",
        "2.5",
    ),
    (
        "plot-boundary-resolution-one",
        lambda: plotting().plot_decision_boundary(classifier(), X, Y, resolution=1),
        ValueError,
        "resolution",
        "1",
    ),
    pytest.param(
        "plot-boundary-predictor-nan",
        lambda: plotting().plot_decision_boundary(lambda p: np.full(len(p), np.nan), X, Y),
        ValueError,
        "predictor",
        "NaN",
        marks=needs_matplotlib,
    ),
    pytest.param(
        "plot-boundary-predictor-strings",
        lambda: plotting().plot_decision_boundary(lambda p: np.full(len(p), "a"), X, Y),
        TypeError,
        "predictor",
        "<U1",
        marks=needs_matplotlib,
    ),
]


def _ids(cases: list[Any]) -> list[str]:
    return [case.values[0] if hasattr(case, "values") else case[0] for case in cases]


def _check(call: Callable[[], Any], error: type[Exception], argument: str, received: str) -> None:
    with pytest.raises(error) as caught:
        call()
    message = str(caught.value)
    assert argument in message, f"the message does not name {argument!r}: {message}"
    assert received in message, f"the message does not show {received!r}: {message}"
    # raised by ffnn's own checks, not by NumPy (or Python) deeper down
    origin = Path(traceback.extract_tb(caught.tb)[-1].filename)
    package = origin.parent if origin.parent.name == "ffnn" else origin.parent.parent
    assert package.name == "ffnn", f"raised in {origin}, not by ffnn: {message}"


@pytest.mark.parametrize(("case", "call", "error", "argument", "received"), CASES, ids=_ids(CASES))
def test_bad_input_is_refused_naming_the_argument_and_the_value(
    case: str,
    call: Callable[[], Any],
    error: type[Exception],
    argument: str,
    received: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)  # save/load and the loggers' relative paths land here
    _check(call, error, argument, received)


@pytest.mark.parametrize(
    ("case", "call", "error", "argument", "received"), PLOTTING_CASES, ids=_ids(PLOTTING_CASES)
)
def test_plotting_refuses_bad_data_naming_the_argument_and_the_value(
    case: str,
    call: Callable[[], Any],
    error: type[Exception],
    argument: str,
    received: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MPLBACKEND", "Agg")
    try:
        _check(call, error, argument, received)
    finally:
        if "matplotlib.pyplot" in sys.modules:
            sys.modules["matplotlib.pyplot"].close("all")


def test_the_table_covers_every_public_constructor() -> None:
    """Each public layer, optimizer, loss, regularizer, schedule and callback class (with
    arguments to check) appears in at least one row."""
    source = Path(__file__).read_text(encoding="utf-8")
    classes = [
        "Dense", "Dropout", "LeakyReLU", "ELU", "GELU", "BatchNorm", "LayerNorm", "Huber", "SGD",
        "Adam", "AdamW", "RMSprop", "Adagrad", "L1", "L2", "L1L2", "StepDecay", "ExponentialDecay",
        "CosineDecay", "EarlyStopping", "ModelCheckpoint", "ReduceLROnPlateau",
        "LearningRateScheduler", "CSVLogger", "TutorialNormal",
    ]  # fmt: skip
    missing = [name for name in classes if f"{name}(" not in source.split("CASES: list")[1]]
    assert not missing
    assert len(CASES) + len(PLOTTING_CASES) >= 250


# -- feature scales ------------------------------------------------------------------------------
def _fit_catching(X_fit: Any, y_fit: Any, **kwargs: Any) -> list[Any]:
    """The FeatureScaleWarnings one fit issues (every one recorded, none filtered)."""
    network = Sequential([Dense(X_fit.shape[1], 4), ReLU(), Dense(4, 1)], random_state=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        network.fit(X_fit, y_fit, loss="bce", epochs=3, batch_size=4, **kwargs)
    return [w for w in caught if issubclass(w.category, ffnn.FeatureScaleWarning)]


def test_feature_scale_warning_is_a_user_warning_exported_by_ffnn() -> None:
    assert issubclass(ffnn.FeatureScaleWarning, UserWarning)
    assert "FeatureScaleWarning" in ffnn.__all__


def test_fit_warns_once_when_feature_spreads_differ_a_thousandfold() -> None:
    rng = np.random.default_rng(0)
    X_wild = rng.normal(size=(40, 3)) * [1.0, 5e3, 1.0]
    caught = _fit_catching(X_wild, (X_wild[:, 0] > 0).astype(int), validation_split=0.25)
    assert len(caught) == 1  # once per fit, not per epoch or batch
    message = str(caught[0].message)
    assert "standard deviations differ" in message and "feature 1" in message
    assert "standardise" in message
    assert caught[0].filename == __file__  # it points at the call of fit


def test_fit_warns_when_values_exceed_a_million_even_on_equal_spreads() -> None:
    X_big = np.random.default_rng(1).normal(size=(40, 2)) + [0.0, 3e6]  # an offset, unit spread
    caught = _fit_catching(X_big, np.arange(40) % 2)
    assert len(caught) == 1
    assert "feature(s) 1 (3e+06) hold values above 1e+06" in str(caught[0].message)


@pytest.mark.parametrize(
    "data",
    [
        "tutorial_blobs",
        "moons",
        "standardised",
        "with_constant_and_binary_features",
        "digits",
        "pixels_with_rare_ink_at_the_border",
    ],
)
def test_fit_does_not_warn_on_ordinary_data(data: str) -> None:
    rng = np.random.default_rng(2)
    if data == "tutorial_blobs":
        X_ok, y_ok = ffnn.datasets.tutorial_blobs()
    elif data == "moons":
        X_ok, y_ok = make_moons(200, noise=0.2, random_state=0)
    elif data == "standardised":
        X_ok = rng.normal(size=(100, 6)) * [1, 10, 100, 0.1, 1e3, 1]
        X_ok = (X_ok - X_ok.mean(axis=0)) / X_ok.std(axis=0)
        y_ok = (X_ok[:, 0] > 0).astype(int)
    elif data == "with_constant_and_binary_features":
        X_ok = np.column_stack([rng.normal(size=100) * 3, np.ones(100), rng.integers(0, 2, 100)])
        y_ok = rng.integers(0, 2, 100)
    elif data == "pixels_with_rare_ink_at_the_border":
        # images scaled to [0, 1], as MNIST: centre pixels spread about 0.4, a border pixel is
        # ink (0.004) in one image of 1 000, a spread of 1e-4: 4 000 times smaller, and harmless
        X_ok = rng.uniform(size=(1000, 4))
        X_ok[:, 0] = 0.0
        X_ok[::1000, 0] = 0.004
        y_ok = (X_ok[:, 1] > 0.5).astype(int)
    else:
        sklearn_datasets = pytest.importorskip("sklearn.datasets")
        X_ok, labels = sklearn_datasets.load_digits(return_X_y=True)  # pixels 0..16
        y_ok = (labels > 4).astype(int)
    assert _fit_catching(X_ok, y_ok) == []


def test_an_almost_constant_feature_does_not_hide_a_wide_one() -> None:
    from ffnn.training import feature_scale_problem

    X = np.random.default_rng(3).normal(size=(1000, 3)) * [1.0, 1.0, 5e3]
    X[:, 0] = 0.0
    X[::500, 0] = 1e-3  # almost constant: left out of the comparison
    message = str(feature_scale_problem(X))
    assert "differ" in message and "feature 2" in message and "feature 1:" in message


def test_the_scale_check_reads_a_bounded_sample_of_rows() -> None:
    from ffnn.training import SCALE_SAMPLE_ROWS, feature_scale_problem

    X_many = np.ones((10 * SCALE_SAMPLE_ROWS, 2))
    X_many[:, 0] = np.arange(X_many.shape[0]) % 7
    X_many[1, 1] = 1e9  # row 1 is skipped: every 10th row is read
    assert feature_scale_problem(X_many) is None
    X_many[10, 1] = 1e9
    assert "feature(s) 1 (1e+09)" in str(feature_scale_problem(X_many))


# -- hostile model files (more in tests/test_io.py) ------------------------------------------------
class _Payload:
    """Unpickling this would create ``marker``: the proof that code from a file ran."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> Any:
        return (Path.touch, (self.marker,))


def _saved_and_rewritten(tmp_path: Path, mutate: Callable[[dict[str, bytes]], None]) -> Path:
    from archive_edits import rewrite

    path = tmp_path / "m.ffnn"
    network = model()
    network.loss = BinaryCrossEntropy()
    network.optimizer = None
    ffnn.save(network, path)
    rewrite(path, mutate)
    return path


def _edit_manifest(edit: Callable[[dict[str, Any]], None]) -> Callable[[dict[str, bytes]], None]:
    import json

    def mutate(members: dict[str, bytes]) -> None:
        document = json.loads(members["ffnn.json"])
        edit(document)
        members["ffnn.json"] = json.dumps(document).encode()

    return mutate


def _npy(array: np.ndarray) -> bytes:
    import io

    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=True)
    return buffer.getvalue()


HOSTILE_FILES: list[Any] = [
    (
        "a-manifest-nested-too-deep",
        lambda m: m.update({"ffnn.json": b"[" * 100_000 + b"]" * 100_000}),
        "is not valid JSON",
    ),
    (
        "a-tiny-file-naming-a-huge-layer",
        _edit_manifest(lambda d: d["model"]["layers"][0]["config"].update(n_out=3_000_000_000)),
        "the layers need 9,000,000,005 numbers but the file stores at most",
    ),
    (
        "a-class-name-outside-ffnn",
        _edit_manifest(lambda d: d["model"]["layers"][1].update({"class": "builtins.eval"})),
        "the layer class 'builtins.eval' is not one ffnn defines",
    ),
    (
        "a-loss-name-outside-ffnn",
        _edit_manifest(lambda d: d["model"].update(loss={"name": "os.system"})),
        "the loss class 'os.system' is not one ffnn defines",
    ),
    (
        "an-optimizer-section-that-is-a-list",
        _edit_manifest(lambda d: d.update(optimizer=["adam"])),
        "malformed optimizer section",
    ),
    (
        "a-generator-state-that-is-a-list",
        _edit_manifest(lambda d: d.update(training={"rng": [1, 2]})),
        "generator state must be a JSON object",
    ),
    (
        "a-member-path-outside-the-archive",
        _edit_manifest(lambda d: d["arrays"][0].update(path="../../etc/passwd")),
        "member '../../etc/passwd' is missing",
    ),
    (
        "weights-that-are-nan",
        lambda m: m.update({"arrays/0.npy": _npy(np.full((2, 4), np.nan, dtype=np.float32))}),
        "weights[0] contains NaN",
    ),
]


@pytest.mark.parametrize(("case", "mutate", "message"), HOSTILE_FILES, ids=_ids(HOSTILE_FILES))
def test_a_hostile_model_file_raises_value_error_before_doing_harm(
    case: str, mutate: Callable[[dict[str, bytes]], None], message: str, tmp_path: Path
) -> None:
    path = _saved_and_rewritten(tmp_path, mutate)
    with pytest.raises(ValueError) as caught:
        ffnn.load(path)
    assert message in str(caught.value)
    assert str(path) in str(caught.value)


def test_loading_a_pickle_payload_never_runs_it(tmp_path: Path) -> None:
    marker = tmp_path / "code-ran"
    payload = _npy(np.array([_Payload(marker)], dtype=object))
    pickle_check = np.load(__import__("io").BytesIO(payload), allow_pickle=True)  # the control:
    assert marker.exists() and pickle_check.dtype == object  # unpickling does run it
    marker.unlink()
    for dtype in ("<f4", "|O"):  # the manifest telling the truth about the member, or not

        def mutate(members: dict[str, bytes], dtype: str = dtype) -> None:
            members["arrays/0.npy"] = payload
            _edit_manifest(lambda d: d["arrays"][0].update(dtype=dtype, shape=[1]))(members)

        path = _saved_and_rewritten(tmp_path, mutate)
        with pytest.raises(ValueError):
            ffnn.load(path)
        assert not marker.exists()
