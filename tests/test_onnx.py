"""ffnn.onnx: every exported graph, run by onnxruntime, against ffnn's own forward pass.

The comparisons use float32 inputs with a few rows at ±50 and a batch size the export never saw
(the batch dimension is symbolic); "within 1e-5" means ``|onnx - ffnn| <= 1e-5 (1 + |ffnn|)``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings
from typing import Any

import numpy as np
import pytest

import ffnn
from ffnn.layers import Layer
from ffnn.losses import Loss
from ffnn.onnx import export_onnx, to_onnx

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

NEWEST = onnx.defs.onnx_opset_version()
OPSETS = [13, 17] + ([20] if NEWEST >= 20 else [])
ACTIVATIONS = [
    ffnn.ReLU(),
    ffnn.LeakyReLU(0.1),
    ffnn.ELU(0.7),
    ffnn.GELU(),
    ffnn.GELU("tanh"),
    ffnn.SiLU(),
    ffnn.Softplus(),
    ffnn.Mish(),
    ffnn.Tanh(),
    ffnn.Sigmoid(),
    ffnn.Identity(),
    ffnn.Softmax(),
]


def inputs(n_features: int, n_samples: int = 29, seed: int = 0) -> np.ndarray:
    """Standard normal rows, except the first three (uniform in [-50, 50]) and the next two
    (all +50, all -50); float32."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_samples, n_features))
    X[:3] = rng.uniform(-50, 50, size=(3, n_features))
    X[3], X[4] = 50, -50
    return X.astype(np.float32)


def run(model: bytes | str | os.PathLike[str] | Any, X: np.ndarray) -> dict[str, np.ndarray]:
    """Every output of an ONNX model (a ModelProto, its bytes or a path) for ``X``, by name."""
    if hasattr(model, "SerializeToString"):
        model = model.SerializeToString()
    source = model if isinstance(model, bytes) else os.fspath(model)
    session = ort.InferenceSession(source, providers=["CPUExecutionProvider"])
    names = [output.name for output in session.get_outputs()]
    return dict(zip(names, session.run(None, {"input": X}), strict=True))


def assert_close(actual: np.ndarray, expected: np.ndarray, tol: float = 1e-5) -> None:
    assert actual.shape == expected.shape
    np.testing.assert_allclose(actual, expected, rtol=tol, atol=tol)


def ops(proto: Any) -> set[str]:
    return {node.op_type for node in proto.graph.node}


# -- layers ------------------------------------------------------------------------------------
@pytest.mark.parametrize("opset", OPSETS)
@pytest.mark.parametrize("activation", ACTIVATIONS, ids=repr)
def test_every_activation_runs_in_onnxruntime_as_in_ffnn(activation: Layer, opset: int) -> None:
    model = ffnn.Sequential(
        [ffnn.Dense(4, 8), activation, ffnn.Dropout(0.3), ffnn.Dense(8, 3)], random_state=1
    )
    proto = to_onnx(model, opset=opset)
    X = inputs(4)
    outputs = run(proto, X)
    assert list(outputs) == ["logits"]  # no loss: the network's output alone
    assert_close(outputs["logits"], model.forward(X))
    assert_close(run(proto, X[:1])["logits"], model.forward(X[:1]))
    assert proto.opset_import[0].version == opset
    assert "Dropout" not in ops(proto)


def test_gelu_is_the_gelu_operator_from_opset_20_and_spelled_out_below() -> None:
    model = ffnn.Sequential([ffnn.Dense(2, 3), ffnn.GELU(), ffnn.Dense(3, 1)])
    assert "Erf" in ops(to_onnx(model, opset=17))
    if NEWEST >= 20:
        assert "Gelu" in ops(to_onnx(model, opset=20))


@pytest.mark.parametrize(
    "activation", [a for a in ACTIVATIONS if repr(a) != "GELU(approximate='none')"], ids=repr
)
def test_a_float64_export_matches_a_float64_model_to_rounding(activation: Layer) -> None:
    layers = [ffnn.Dense(4, 8), ffnn.BatchNorm(8), activation, ffnn.Dense(8, 6)]
    model = ffnn.Sequential([*layers, ffnn.LayerNorm(6), ffnn.Dense(6, 2)], dtype="float64")
    X = inputs(4).astype(np.float64)
    assert_close(run(to_onnx(model, dtype="float64"), X)["logits"], model.forward(X), tol=1e-12)


def test_a_float64_export_of_the_exact_gelu_is_refused_with_the_reason() -> None:
    model = ffnn.Sequential([ffnn.Dense(2, 3), ffnn.GELU(), ffnn.Dense(3, 1)], dtype="float64")
    with pytest.raises(ValueError, match=r"layers\[1\] \(GELU\(approximate='none'\)\).*Erf"):
        to_onnx(model, dtype="float64")


def test_mish_is_the_mish_operator_from_opset_18_and_spelled_out_below() -> None:
    model = ffnn.Sequential([ffnn.Dense(4, 8), ffnn.Mish(), ffnn.Dense(8, 2)], random_state=3)
    X = inputs(4)
    assert "Mish" not in ops(to_onnx(model, opset=17))
    proto = to_onnx(model, opset=18)
    assert "Mish" in ops(proto)
    assert_close(run(proto, X)["logits"], model.forward(X))


# -- a user's own layers, through the to_onnx hook -----------------------------------------------
class Swish(Layer):
    """A user's activation, x σ(βx), with its ONNX form."""

    def __init__(self, beta: float = 1.0) -> None:
        self.beta = beta

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        return x * ffnn.activations.sigmoid(self.beta * x)

    def to_onnx(self, graph: Any, x: str) -> str:
        scaled = graph.node("Mul", [x, graph.constant("beta", self.beta)])
        return graph.node("Mul", [x, graph.node("Sigmoid", [scaled])])


class Scale(Layer):
    """A user's layer with a parameter: a learned scale per feature."""

    def __init__(self, n: int) -> None:
        self.scale = ffnn.layers.Parameter(np.linspace(0.5, 2.0, n, dtype=np.float32), "scale")

    def parameters(self) -> list[Any]:
        return [self.scale]

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        return x * self.scale.data

    def to_onnx(self, graph: Any, x: str) -> str:
        return graph.node("Mul", [x, graph.constant("scale", self.scale.data)])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_user_layers_with_the_hook_export_and_run_as_in_ffnn(dtype: str) -> None:
    model = ffnn.Sequential(
        [ffnn.Dense(4, 6), Swish(1.5), Scale(6), Swish(), Scale(6), ffnn.Dense(6, 2)],
        dtype=dtype,
        random_state=2,
    )
    model.loss = ffnn.CrossEntropy()
    X = inputs(4).astype(dtype)
    proto = to_onnx(model, dtype=dtype)
    outputs = run(proto, X)
    tol = 1e-5 if dtype == "float32" else 1e-12
    assert_close(outputs["logits"], model.forward(X), tol=tol)
    np.testing.assert_array_equal(outputs["label"], model.predict(X))
    # each layer's names are scoped by its position: two Scales, two weights
    names = {t.name for t in proto.graph.initializer}
    assert {"layers.2.scale", "layers.4.scale", "layers.1.beta"} <= names


def test_a_hook_that_returns_no_name_is_refused_naming_the_layer() -> None:
    class Broken(Swish):
        def to_onnx(self, graph: Any, x: str) -> Any:
            graph.node("Relu", [x])

    model = ffnn.Sequential([ffnn.Dense(2, 3), Broken(), ffnn.Dense(3, 1)])
    with pytest.raises(ValueError, match=r"layers\[1\] \(Broken\): Broken.to_onnx must return"):
        to_onnx(model)


def test_a_float64_model_is_exported_with_float32_weights_by_default() -> None:
    model = ffnn.Sequential([ffnn.Dense(4, 8), ffnn.Tanh(), ffnn.Dense(8, 2)], dtype="float64")
    proto = to_onnx(model)
    assert {t.data_type for t in proto.graph.initializer} == {onnx.TensorProto.FLOAT}
    assert proto.graph.input[0].type.tensor_type.elem_type == onnx.TensorProto.FLOAT
    X = inputs(4)
    assert_close(run(proto, X)["logits"], model.forward(X.astype(np.float64)).astype(np.float32))


@pytest.mark.parametrize("opset", OPSETS)
def test_batch_and_layer_norm_after_training_use_the_running_statistics(opset: int) -> None:
    X = inputs(4, n_samples=96, seed=1)[5:]
    y = np.digitize(X[:, 0] + X[:, 1], [-0.5, 0.5])
    model = ffnn.Sequential(
        [ffnn.Dense(4, 8), ffnn.BatchNorm(8), ffnn.ReLU(), ffnn.Dense(8, 6), ffnn.LayerNorm(6)]
        + [ffnn.GELU(), ffnn.Dense(6, 3)],
        random_state=0,
    )
    model.fit(X, y, loss="cross_entropy", optimizer=ffnn.Adam(0.05), epochs=3, batch_size=16)
    norm = model.layers[1]
    assert np.abs(norm.running_mean).min() > 1e-3 and np.abs(norm.running_var - 1).min() > 1e-3
    proto = to_onnx(model, opset=opset)
    assert "BatchNormalization" in ops(proto)
    assert ("LayerNormalization" in ops(proto)) == (opset >= 17)
    X_test = inputs(4, n_samples=37, seed=2)
    outputs = run(proto, X_test)
    assert list(outputs) == ["logits", "probabilities", "label"]
    assert_close(outputs["logits"], model.forward(X_test))
    assert_close(outputs["probabilities"], model.predict_proba(X_test))
    np.testing.assert_array_equal(outputs["label"], model.predict(X_test))


# -- heads -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("loss", "n_outputs", "expected"),
    [
        ("binary_cross_entropy", 1, ["logits", "probabilities", "label"]),
        ("binary_cross_entropy", 3, ["logits", "probabilities", "label"]),  # multi-label
        ("cross_entropy", 4, ["logits", "probabilities", "label"]),
        ("mse", 1, ["predictions"]),
        ("huber", 2, ["predictions"]),
    ],
)
def test_the_head_follows_the_loss(loss: str, n_outputs: int, expected: list[str]) -> None:
    model = ffnn.Sequential(
        [ffnn.Dense(5, 8), ffnn.ELU(), ffnn.Dense(8, n_outputs)], random_state=2
    )
    model.loss = ffnn.losses.get(loss)
    X = inputs(5, n_samples=31)
    outputs = run(to_onnx(model), X)
    assert list(outputs) == expected
    if "probabilities" in outputs:
        assert_close(outputs["logits"], model.forward(X))
        assert_close(outputs["probabilities"], model.predict_proba(X))
        assert outputs["label"].dtype == np.int64
        np.testing.assert_array_equal(outputs["label"], model.predict(X))
    else:
        assert_close(outputs["predictions"], model.predict(X))


def test_outputs_picks_the_outputs_and_names_what_is_possible() -> None:
    model = ffnn.Sequential([ffnn.Dense(3, 4), ffnn.ReLU(), ffnn.Dense(4, 2)], random_state=0)
    model.loss = ffnn.CrossEntropy()
    X = inputs(3)
    outputs = run(to_onnx(model, outputs=["label", "probabilities"]), X)
    assert list(outputs) == ["label", "probabilities"]
    assert_close(outputs["probabilities"], model.predict_proba(X))
    with pytest.raises(ValueError, match=r"can give the outputs \['logits', 'probabilities'"):
        to_onnx(model, outputs=["predictions"])
    with pytest.raises(ValueError, match="outputs must be 'auto' or distinct names"):
        to_onnx(model, outputs=["logits", "scores"])
    model.loss = None
    with pytest.raises(ValueError, match=r"not \['probabilities'\]"):
        to_onnx(model, outputs="probabilities")


def test_a_loss_of_ones_own_needs_outputs_logits() -> None:
    class Squared(Loss):
        is_classifier = True
        name = "squared"

    model = ffnn.Sequential([ffnn.Dense(3, 1)], random_state=0)
    model.loss = Squared()
    with pytest.raises(ValueError, match=r"Squared\(\) has no known output link.*'logits'"):
        to_onnx(model)
    assert list(run(to_onnx(model, outputs=["logits"]), inputs(3))) == ["logits"]


# -- errors, file, metadata --------------------------------------------------------------------
class MyLayer(Layer):
    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        return 2 * x


class DoubledReLU(ffnn.ReLU):
    """Inherits ReLU.to_onnx but computes something else: its parent's form must not be used."""

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        return 2 * super().forward(x, training)


@pytest.mark.parametrize(
    "layer", [MyLayer(), DoubledReLU()], ids=lambda layer: type(layer).__name__
)
def test_a_layer_with_no_onnx_form_is_named_with_the_hook_to_write(
    layer: Layer, tmp_path: Any
) -> None:
    model = ffnn.Sequential([ffnn.Dense(3, 4), ffnn.ReLU(), layer, ffnn.Dense(4, 1)])
    name = type(layer).__name__
    match = rf"layers\[2\] \({name}\) has no ONNX form: define {name}\.to_onnx\(self, graph, x\)"
    with pytest.raises(ValueError, match=match):
        export_onnx(model, tmp_path / "model.onnx")
    assert not list(tmp_path.iterdir())


def test_a_subclass_that_keeps_its_parents_forward_keeps_its_onnx_form() -> None:
    class MyReLU(ffnn.ReLU):
        pass

    model = ffnn.Sequential([ffnn.Dense(3, 4), MyReLU(), ffnn.Dense(4, 1)], random_state=0)
    x = inputs(3)
    assert_close(run(to_onnx(model), x)["logits"], model.forward(x))


def test_the_file_is_valid_onnx_and_says_what_made_it(tmp_path: Any) -> None:
    model = ffnn.Sequential([ffnn.Dense(3, 4), ffnn.BatchNorm(4), ffnn.SiLU(), ffnn.Dense(4, 1)])
    model.loss = ffnn.BinaryCrossEntropy()
    path = tmp_path / "model.onnx"
    assert ffnn.export_onnx(model, path) is None
    proto = onnx.load(path)
    onnx.checker.check_model(proto, full_check=True)
    (graph_input,) = proto.graph.input
    dims = graph_input.type.tensor_type.shape.dim
    assert graph_input.name == "input" and dims[0].dim_param == "batch" and dims[1].dim_value == 3
    assert proto.producer_name == "ffnn" and proto.producer_version == ffnn.__version__
    metadata = {prop.key: prop.value for prop in proto.metadata_props}
    assert metadata["ffnn_version"] == ffnn.__version__
    assert [layer["class"] for layer in json.loads(metadata["layers"])] == [
        "Dense",
        "BatchNorm",
        "SiLU",
        "Dense",
    ]
    assert json.loads(metadata["loss"]) == {"name": "binary_cross_entropy"}
    assert "BatchNorm(n_features=4" in proto.doc_string
    X = inputs(3)
    assert_close(run(path, X)["probabilities"], model.predict_proba(X))


def test_a_failed_write_leaves_the_old_file_whole(tmp_path: Any, monkeypatch: Any) -> None:
    path = tmp_path / "model.onnx"
    export_onnx(ffnn.Sequential([ffnn.Dense(3, 1)], random_state=0), path)
    before = path.read_bytes()

    def no_space(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", no_space)
    with pytest.raises(OSError, match="No space left"):
        export_onnx(ffnn.Sequential([ffnn.Dense(3, 8), ffnn.Dense(8, 1)]), path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["model.onnx"]  # no temporary file left


def test_arguments_are_checked() -> None:
    model = ffnn.Sequential([ffnn.Dense(3, 1)])
    with pytest.raises(ValueError, match=rf"opset must be from 13 to {NEWEST}.*got 12"):
        to_onnx(model, opset=12)
    with pytest.raises(TypeError, match="opset must be an int or None, got str"):
        to_onnx(model, opset="17")
    with pytest.raises(ValueError, match="dtype must be float32 or float64, got float16"):
        to_onnx(model, dtype="float16")
    with pytest.raises(TypeError, match="expects an ffnn Sequential .* got list"):
        to_onnx([ffnn.Dense(3, 1)])


def test_importing_ffnn_does_not_import_onnx() -> None:
    code = (
        "import sys, ffnn; export = ffnn.export_onnx; "
        "assert 'onnx' not in sys.modules and 'onnxruntime' not in sys.modules, 'imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_without_onnx_the_error_says_what_to_install(monkeypatch: Any) -> None:
    monkeypatch.setitem(sys.modules, "onnx", None)  # import onnx now raises ImportError
    with pytest.raises(ImportError, match=r"pip install 'ffnn\[onnx\]'"):
        to_onnx(ffnn.Sequential([ffnn.Dense(3, 1)]))


# -- the scikit-learn estimators ---------------------------------------------------------------
@pytest.fixture(scope="module")
def estimators() -> Any:
    pytest.importorskip("sklearn")
    try:
        from ffnn.sklearn.estimators import MLPClassifier, MLPRegressor
    except ImportError as error:  # pragma: no cover - depends on the installed extras
        pytest.skip(f"ffnn.MLPClassifier is not available: {error}")
    return MLPClassifier, MLPRegressor


def fitted(estimator: Any, X: np.ndarray, y: np.ndarray) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning: a few epochs are enough here
        return estimator.fit(X, y)


CLASSIFIER_TARGETS = {
    "binary": lambda X: np.where(X[:, 0] > 0, 3, 7),
    "binary strings": lambda X: np.where(X[:, 0] > 0, "yes", "no"),
    "multi-class": lambda X: np.digitize(X[:, 1], [-0.5, 0.5]) * 10,
    "multi-class strings": lambda X: np.array(["a", "bb", "c"])[np.digitize(X[:, 1], [-0.5, 0.5])],
    "multi-class floats": lambda X: np.digitize(X[:, 1], [-0.5, 0.5]) * 2.0,  # 0.0, 2.0, 4.0
    "multi-label": lambda X: (X[:, :3] > 0).astype(int),
    "one class": lambda X: np.full(len(X), 7),
}


@pytest.mark.parametrize("target", CLASSIFIER_TARGETS)
def test_a_classifier_gives_predict_proba_and_predict(estimators: Any, target: str) -> None:
    MLPClassifier, _ = estimators
    X = np.random.default_rng(0).normal(size=(80, 5))
    classifier = fitted(
        MLPClassifier((8, 6), activation="tanh", max_iter=30, random_state=0),
        X,
        CLASSIFIER_TARGETS[target](X),
    )
    X_test = inputs(5, n_samples=33, seed=3)
    outputs = run(to_onnx(classifier), X_test)
    assert list(outputs) == ["logits", "probabilities", "label"]
    assert_close(outputs["probabilities"], classifier.predict_proba(X_test))
    np.testing.assert_array_equal(outputs["label"], classifier.predict(X_test))
    X64 = X_test.astype(np.float64)
    exact = run(to_onnx(classifier, dtype="float64"), X64)
    assert_close(exact["probabilities"], classifier.predict_proba(X64), tol=1e-12)


@pytest.mark.parametrize("loss", ["squared_error", "poisson"])
@pytest.mark.parametrize("n_outputs", [1, 2])
def test_a_regressor_gives_predict(estimators: Any, loss: str, n_outputs: int) -> None:
    _, MLPRegressor = estimators
    X = np.random.default_rng(0).normal(size=(80, 5))
    y = np.exp(X[:, :n_outputs] / 2)
    regressor = fitted(
        MLPRegressor(loss, (8,), max_iter=30, dropout=0.2, random_state=0),
        X,
        y[:, 0] if n_outputs == 1 else y,
    )
    X_test = inputs(5, n_samples=33, seed=4) / 10  # exp(logits) stays moderate for Poisson
    outputs = run(to_onnx(regressor), X_test)
    assert list(outputs) == ["predictions"]
    assert_close(outputs["predictions"], regressor.predict(X_test))


def test_an_unfitted_estimator_is_refused(estimators: Any) -> None:
    MLPClassifier, _ = estimators
    with pytest.raises(ValueError, match="this MLPClassifier is not fitted"):
        to_onnx(MLPClassifier())


def test_classes_onnx_cannot_hold_give_no_label_output_and_a_warning() -> None:
    class Fitted:  # what export_onnx reads of a fitted classifier
        model_ = ffnn.Sequential([ffnn.Dense(3, 3)], random_state=0)
        out_activation_ = "softmax"
        classes_ = np.array([1, "b", 2.5], dtype=object)

    with pytest.warns(UserWarning, match="no 'label' output: classes_ of dtype object"):
        proto = to_onnx(Fitted())
    assert [output.name for output in proto.graph.output] == ["logits", "probabilities"]
    with pytest.raises(ValueError, match=r"not \['label'\] \(classes_ of dtype object"):
        to_onnx(Fitted(), outputs=["label"])


def test_an_estimator_file_records_its_classes_and_feature_names_and_bool_labels(
    estimators: Any,
) -> None:
    pandas = pytest.importorskip("pandas")
    MLPClassifier, _ = estimators
    X = pandas.DataFrame(np.random.default_rng(0).normal(size=(40, 2)), columns=["age", "fare"])
    classifier = fitted(MLPClassifier((4,), max_iter=5, random_state=0), X, X["age"] > 0)
    metadata = {prop.key: prop.value for prop in to_onnx(classifier).metadata_props}
    assert json.loads(metadata["classes"]) == [False, True]
    assert json.loads(metadata["feature_names"]) == ["age", "fare"]
    assert metadata["source"] == "MLPClassifier"
    label = run(to_onnx(classifier, dtype="float64"), X.to_numpy())["label"]
    assert label.dtype == bool
    np.testing.assert_array_equal(label, classifier.predict(X))
