"""ffnn.save / ffnn.load for the scikit-learn estimators: round trips, continued training,
hostile files (docs/format.md, "The estimator section")."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import warnings

import numpy as np
import pytest
from archive_edits import manifest_edit, rewrite

pytest.importorskip("sklearn")
pytest.importorskip("scipy")

from sklearn.base import clone  # noqa: E402
from sklearn.exceptions import ConvergenceWarning, NotFittedError  # noqa: E402

import ffnn  # noqa: E402
from ffnn.callbacks import Callback  # noqa: E402
from ffnn.io import load, save  # noqa: E402
from ffnn.sklearn.estimators import MLPClassifier, MLPRegressor  # noqa: E402


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


def _data(n: int = 60, d: int = 4, seed: int = 0) -> np.ndarray:
    return np.random.RandomState(seed).randn(n, d)


def _binary():
    X = _data()
    return MLPClassifier((5,), max_iter=5, random_state=0), X, (X[:, 0] > 0).astype(int)


def _bool_labels():
    X = _data()
    return MLPClassifier((5,), solver="sgd", max_iter=5, random_state=1), X, X[:, 1] > 0


def _strings():
    X = _data()
    y = np.array(["cat", "dog", "emu"])[np.argmax(X[:, :3], axis=1)]
    return MLPClassifier((6, 4), max_iter=5, random_state=0), X, y


def _floats_early_stopping():
    X = _data(80)
    y = np.array([-1.0, 0.0, 3.0])[np.argmax(X[:, :3], axis=1)]
    est = MLPClassifier((5,), max_iter=6, early_stopping=True, random_state=0)
    return est, X, y


def _multilabel():
    X = _data()
    return MLPClassifier((5,), max_iter=5, random_state=0), X, (X[:, :3] > 0).astype(int)


def _extras():
    X = _data()
    y = np.array([3, 7, 9])[np.argmax(X[:, :3], axis=1)]
    est = MLPClassifier(
        (6, 5),
        activation=["tanh", "gelu"],
        dropout=0.2,
        class_weight={3: 2.0, 7: 0.5},
        n_iter_no_change=np.inf,
        max_iter=5,
        random_state=np.random.RandomState(3),
    )
    return est, X, y


def _lbfgs():
    X = _data()
    y = np.array(["a", "b"])[(X[:, 0] > 0).astype(int)]
    return MLPClassifier((5,), solver="lbfgs", max_iter=20, random_state=0), X, y


def _regressor():
    X = _data()
    y = np.column_stack([X @ [1.0, -2.0, 0.5, 0.0], X[:, 0] ** 2])
    return MLPRegressor(hidden_layer_sizes=(8,), max_iter=5, random_state=0), X, y


def _poisson_float32():
    X = _data().astype(np.float32)
    y = np.exp(X[:, 0] * 0.3)
    est = MLPRegressor("poisson", (5,), solver="sgd", max_iter=5, random_state=0)
    return est, X, y


def _pandas():
    pd = pytest.importorskip("pandas")
    X = pd.DataFrame(_data(), columns=["alpha", "beta", "gamma", "delta"])
    y = np.where(X["alpha"] > 0, "yes", "no")
    return MLPClassifier((5,), max_iter=5, random_state=0), X, y


CASES = {
    "binary": _binary,
    "bool-labels": _bool_labels,
    "string-labels": _strings,
    "float-labels-early-stopping": _floats_early_stopping,
    "multilabel": _multilabel,
    "dropout-class-weight-activations": _extras,
    "lbfgs": _lbfgs,
    "regressor-multi-output": _regressor,
    "poisson-float32": _poisson_float32,
    "pandas-feature-names": _pandas,
}


def _fitted(case: str):
    est, X, y = CASES[case]()
    return est.fit(X, y), X, y


def _assert_same_arrays(a, b) -> None:
    assert type(a) is type(b)
    assert a.dtype == b.dtype and a.shape == b.shape
    assert np.array_equal(a, b, equal_nan=a.dtype.kind == "f")


def _assert_same_estimator(loaded, est, X, y) -> None:
    assert type(loaded) is type(est)
    for method in ("predict", "predict_proba", "predict_log_proba", "transform"):
        if hasattr(est, method):
            _assert_same_arrays(getattr(loaded, method)(X), getattr(est, method)(X))
    assert loaded.score(X, y) == est.score(X, y)
    for name in ("n_iter_", "t_", "loss_", "n_features_in_", "n_layers_", "n_outputs_"):
        assert getattr(loaded, name) == getattr(est, name), name
    assert loaded.out_activation_ == est.out_activation_
    for name in ("loss_curve_", "validation_scores_", "best_loss_", "best_validation_score_"):
        assert getattr(loaded, name, "absent") == getattr(est, name, "absent"), name
    if hasattr(est, "classes_"):
        _assert_same_arrays(loaded.classes_, est.classes_)
    if hasattr(est, "feature_names_in_"):
        _assert_same_arrays(loaded.feature_names_in_, est.feature_names_in_)
    else:
        assert not hasattr(loaded, "feature_names_in_")
    pairs = zip(loaded.coefs_ + loaded.intercepts_, est.coefs_ + est.intercepts_, strict=True)
    for got, want in pairs:
        _assert_same_arrays(got, want)
    assert loaded.history_.history == est.history_.history
    assert loaded.history_.epoch == est.history_.epoch
    assert loaded.history_.params == est.history_.params
    params, original = loaded.get_params(), est.get_params()
    rs = params.pop("random_state"), original.pop("random_state")
    assert params == original
    if isinstance(rs[1], np.random.RandomState):
        assert rs[0] is not rs[1]
        assert rs[0].randint(2**31) == rs[1].randint(2**31)
    else:
        assert rs[0] == rs[1]


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("include_optimizer", [False, True])
def test_round_trip_is_bit_identical(tmp_path, case, include_optimizer) -> None:
    est, X, y = _fitted(case)
    path = tmp_path / "est.ffnn"
    save(est, path, include_optimizer=include_optimizer)
    loaded = ffnn.load(path)
    _assert_same_estimator(loaded, est, X, y)
    clone(loaded)  # an ordinary estimator: get_params round-trips through the constructor


@pytest.mark.parametrize(
    "case", ["binary", "string-labels", "multilabel", "regressor-multi-output"]
)
def test_partial_fit_after_load_continues_exactly(tmp_path, case) -> None:
    est, X, y = _fitted(case)
    save(est, tmp_path / "est.ffnn", include_optimizer=True)
    loaded = load(tmp_path / "est.ffnn")
    for _ in range(2):
        est.partial_fit(X, y)
        loaded.partial_fit(X, y)
    _assert_same_estimator(loaded, est, X, y)


def test_partial_fit_with_a_random_state_instance_continues_exactly(tmp_path) -> None:
    est, X, y = _fitted("dropout-class-weight-activations")
    save(est, tmp_path / "est.ffnn", include_optimizer=True)
    loaded = load(tmp_path / "est.ffnn")
    est.partial_fit(X, y)
    loaded.partial_fit(X, y)
    _assert_same_estimator(loaded, est, X, y)


def test_without_the_optimizer_partial_fit_starts_a_new_one(tmp_path) -> None:
    est, X, y = _fitted("string-labels")
    save(est, tmp_path / "est.ffnn")
    loaded = load(tmp_path / "est.ffnn")
    assert loaded._optimizer is None
    loaded.partial_fit(X[:10], y[:10])
    assert loaded.n_iter_ == 1 and loaded.t_ == est.t_ + 10
    assert len(loaded.loss_curve_) == len(est.loss_curve_) + 1


@pytest.mark.parametrize("case", ["float-labels-early-stopping", "regressor-multi-output"])
def test_warm_start_fit_after_load_continues_exactly(tmp_path, case) -> None:
    est, X, y = _fitted(case)
    est.set_params(warm_start=True)
    save(est, tmp_path / "est.ffnn")
    loaded = load(tmp_path / "est.ffnn")
    est.fit(X, y)
    loaded.fit(X, y)
    _assert_same_estimator(loaded, est, X, y)


def test_the_network_part_is_an_ordinary_sequential_file(tmp_path) -> None:
    """A reader that ignores the estimator section gets the network (``model_``)."""
    est, X, _ = _fitted("string-labels")
    path = tmp_path / "est.ffnn"
    save(est, path)
    rewrite(path, manifest_edit(lambda d: d.pop("estimator")))
    model = load(path)
    assert isinstance(model, ffnn.Sequential)
    assert np.array_equal(model.forward(X, training=False), est.model_.forward(X, training=False))


def test_an_unfitted_estimator_is_refused(tmp_path) -> None:
    with pytest.raises(NotFittedError, match="fit it first"):
        save(MLPClassifier(), tmp_path / "x.ffnn")
    assert not (tmp_path / "x.ffnn").exists()


def test_parameters_without_a_json_form_are_refused(tmp_path) -> None:
    est, X, y = _fitted("binary")
    est.set_params(callbacks=[Callback()])
    with pytest.raises(TypeError, match="'callbacks' parameter.*set callbacks=None"):
        save(est, tmp_path / "x.ffnn")
    est.set_params(callbacks=None)
    save(est, tmp_path / "x.ffnn")


def test_subclasses_are_refused(tmp_path) -> None:
    class Mine(MLPRegressor):
        pass

    X = _data()
    est = Mine(hidden_layer_sizes=(3,), max_iter=2, random_state=0).fit(X, X[:, 0])
    with pytest.raises(TypeError, match="not the subclass Mine"):
        save(est, tmp_path / "x.ffnn")


_WITHOUT_SKLEARN = """
import sys
sys.modules["sklearn"] = None  # as if scikit-learn were not installed
import ffnn
try:
    ffnn.load(sys.argv[1])
except ValueError as error:
    print(error)
print("imported:", "ffnn.sklearn" in sys.modules)
"""


@pytest.mark.parametrize("include_optimizer", [False, True])
def test_without_scikit_learn_the_file_names_the_extra(tmp_path, include_optimizer) -> None:
    """A fresh process that cannot import scikit-learn: loading an estimator's file, or a
    checkpoint of its network (which names SklearnAdam), says which extra to install."""
    est, _, _ = _fitted("binary")
    if include_optimizer:
        est.model_.save(tmp_path / "est.ffnn", include_optimizer=True)  # names SklearnAdam
    else:
        save(est, tmp_path / "est.ffnn")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    result = subprocess.run(
        [sys.executable, "-c", _WITHOUT_SKLEARN, str(tmp_path / "est.ffnn")],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        timeout=120,
    )
    assert re.search(r"needs scikit-learn.*ffnn\[sklearn\]", result.stdout), result.stdout
    assert "imported: False" in result.stdout
    if include_optimizer:
        assert "SklearnAdam" in result.stdout


def test_a_checkpoint_written_while_an_estimator_trains_loads_in_a_fresh_process(
    tmp_path,
) -> None:
    """The network's checkpoint names SklearnAdam, which ffnn.sklearn registers: load imports
    the adapter on demand (no import of ffnn.sklearn by the user) and resumes the optimizer."""
    est, X, _ = _fitted("binary")
    est.model_.save(tmp_path / "net.ffnn", include_optimizer=True)
    code = (
        "import sys, ffnn\n"
        "m = ffnn.load(sys.argv[1])\n"
        "print(type(m).__name__, type(m.optimizer).__name__, m.optimizer.iterations)\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    result = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "net.ffnn")],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        timeout=120,
    )
    assert result.stdout.split() == ["Sequential", "SklearnAdam", str(est._optimizer.iterations)]


# -- hostile files -------------------------------------------------------------------------------
def _section(edit):
    return manifest_edit(lambda d: edit(d["estimator"]))


def _attrs(**changes):
    return _section(lambda s: s["attributes"].update(changes))


def _classes_member(array, allow_pickle=False):
    def mutate(members):
        buffer = io.BytesIO()
        np.save(buffer, array, allow_pickle=allow_pickle)
        members["estimator/0.npy"] = buffer.getvalue()

    return mutate


def _both(*mutations):
    def mutate(members):
        for mutation in mutations:
            mutation(members)

    return mutate


HOSTILE = [
    (_section(lambda s: s.update({"class": "os.system"})), "unknown estimator class 'os.system'"),
    (_section(lambda s: s.update({"class": "Pipeline"})), "unknown estimator class 'Pipeline'"),
    (manifest_edit(lambda d: d.update(estimator=[1])), "malformed estimator section"),
    (_section(lambda s: s.pop("params")), "no 'params' object"),
    (_section(lambda s: s["params"].update(evil=1)), r"unknown parameters \['evil'\]"),
    (_section(lambda s: s["params"].update(alpha=-1.0)), "'alpha' parameter.*Got -1.0"),
    (_section(lambda s: s["params"].update(activation={"eval": "x"})), "parameter 'activation'"),
    (_section(lambda s: s["params"].update(hidden_layer_sizes=[9])), "layer sizes"),
    (_attrs(n_iter_="many"), "attribute 'n_iter_'.*int"),
    (_attrs(n_iter_=-3), "attribute 'n_iter_'"),
    (_attrs(loss_curve_=[1.0, "x"]), "attribute 'loss_curve_'"),
    (_attrs(loss_={"float": "__import__('os')"}), "attribute 'loss_'"),
    (_attrs(__class__="x"), "unknown attributes"),
    (_section(lambda s: s["attributes"].pop("n_outputs_")), "missing attributes"),
    (_attrs(n_outputs_=2), "layer sizes"),
    (_attrs(out_activation_="exp"), "out_activation_ 'exp'"),
    (_attrs(feature_names_in_=["a"]), "feature_names_in_"),
    (_attrs(history_=5), "history_"),
    (_attrs(label_binarizer={"y_type": "continuous"}), "unknown target type"),
    (_attrs(label_binarizer={"y_type": "binary"}), "need 3 outputs and a logistic link"),
    (_section(lambda s: s["arrays"][0].update(dtype="|O")), "invalid shape or dtype"),
    (_section(lambda s: s["arrays"][0].update(dtype="<V8")), "invalid shape or dtype"),
    (_section(lambda s: s["arrays"][0].update(name="other")), "unknown estimator array 'other'"),
    (_section(lambda s: s["arrays"].pop(0)), "classes_ array is missing"),
    (lambda m: m.pop("estimator/0.npy"), "member 'estimator/0.npy' is missing"),
    (
        _classes_member(np.array([{"evil": 1}, None, 3], dtype=object), allow_pickle=True),
        "is damaged|manifest says",
    ),
    (_classes_member(np.array(["cat", "dog", "emu"], dtype="<U4")), "manifest says"),
    (
        _both(
            _classes_member(np.array([["cat", "dog", "emu"]])),
            _section(lambda s: s["arrays"][0].update(shape=[1, 3])),
        ),
        "one-dimensional",
    ),
]


@pytest.mark.parametrize(("damage", "message"), HOSTILE)
def test_damaged_or_hostile_estimator_sections_raise_value_error(tmp_path, damage, message) -> None:
    est, _, _ = _fitted("string-labels")
    path = tmp_path / "est.ffnn"
    save(est, path)
    rewrite(path, damage)
    with pytest.raises(ValueError, match=message):
        load(path)


def test_a_foreign_optimizer_state_is_refused(tmp_path) -> None:
    est, _, _ = _fitted("binary")
    path = tmp_path / "est.ffnn"
    save(est, path, include_optimizer=True)
    rewrite(path, _section(lambda s: s["params"].update(solver="sgd")))
    with pytest.raises(ValueError, match="SklearnAdam, not for solver='sgd'"):
        load(path)
