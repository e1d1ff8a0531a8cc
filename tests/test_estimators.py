"""ffnn.MLPClassifier and ffnn.MLPRegressor against scikit-learn's own, step for step.

The reference is scikit-learn's ``sklearn.neural_network`` (skipped cleanly without it): the
same constructor, the same initial weights (also checked by hand), the same trajectories
(``loss_curve_`` and final ``coefs_`` to 1e-10 relative in float64; measured: ~1e-15), and the
same behaviour inside scikit-learn's tools. Then the extras scikit-learn does not have, and
training out of core from a memory map with the memory measured by tracemalloc.
"""

from __future__ import annotations

import inspect
import pickle
import subprocess
import sys
import tracemalloc
import warnings
from typing import Any

import numpy as np
import pytest

pytest.importorskip("sklearn")
pytest.importorskip("scipy")

import joblib  # noqa: E402  (installed with scikit-learn)
import scipy.sparse  # noqa: E402
from sklearn import neural_network  # noqa: E402
from sklearn.base import clone  # noqa: E402
from sklearn.datasets import (  # noqa: E402
    make_classification,
    make_multilabel_classification,
    make_regression,
)
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.model_selection import GridSearchCV, cross_val_score  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from sklearn.utils.class_weight import compute_sample_weight  # noqa: E402

import ffnn  # noqa: E402
from ffnn import MLPClassifier, MLPRegressor  # noqa: E402
from ffnn.sklearn.estimators import InvalidParameterError  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

RTOL = 1e-10  # float64 trajectories: scikit-learn's within this (measured ~1e-15)


# -- data ------------------------------------------------------------------------------------
def multiclass(n: int = 240) -> tuple[np.ndarray, np.ndarray]:
    X, y = make_classification(
        n_samples=n, n_features=8, n_informative=5, n_classes=3, random_state=0
    )
    return X, y


def binary(n: int = 200) -> tuple[np.ndarray, np.ndarray]:
    X, y = make_classification(n_samples=n, n_features=6, random_state=1)
    return X, y


def multilabel() -> tuple[np.ndarray, np.ndarray]:
    X, y = make_multilabel_classification(n_samples=150, n_features=6, n_classes=3, random_state=0)
    return X.astype(float), y


def regression(n_targets: int = 1) -> tuple[np.ndarray, np.ndarray]:
    X, y = make_regression(
        n_samples=200, n_features=5, n_targets=n_targets, noise=1.0, random_state=0
    )
    return X, y / 100


def all_parameters(model: Any) -> list[np.ndarray]:
    return list(model.coefs_) + list(model.intercepts_)


def assert_same_trajectory(ours: Any, theirs: Any) -> None:
    """Same epochs, same loss curve and weights to RTOL, same bookkeeping."""
    assert ours.n_iter_ == theirs.n_iter_
    assert ours.t_ == theirs.t_
    np.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=RTOL, atol=0)
    np.testing.assert_allclose(ours.loss_, theirs.loss_, rtol=RTOL)
    for mine, reference in zip(all_parameters(ours), all_parameters(theirs), strict=True):
        np.testing.assert_allclose(mine, reference, rtol=RTOL, atol=1e-13)
    if theirs.best_loss_ is None:
        assert ours.best_loss_ is None
    else:
        np.testing.assert_allclose(ours.best_loss_, theirs.best_loss_, rtol=RTOL)
    assert (ours.validation_scores_ is None) == (theirs.validation_scores_ is None)
    if theirs.validation_scores_ is not None:
        np.testing.assert_allclose(ours.validation_scores_, theirs.validation_scores_)
        assert ours.best_validation_score_ == pytest.approx(theirs.best_validation_score_)


# -- the interface -----------------------------------------------------------------------------
def test_import_ffnn_does_not_import_scikit_learn_or_scipy() -> None:
    code = (
        "import sys, ffnn\n"
        "assert 'sklearn' not in sys.modules and 'scipy' not in sys.modules, 'imported'\n"
        "assert 'MLPClassifier' in dir(ffnn)\n"
        "ffnn.MLPClassifier\n"
        "assert 'sklearn' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


def test_without_scikit_learn_the_estimators_name_the_extra_to_install() -> None:
    code = (
        "import sys\n"
        "sys.modules['sklearn'] = None  # as if it were not installed\n"
        "import ffnn\n"
        "try:\n"
        "    ffnn.MLPRegressor\n"
        "except ImportError as error:\n"
        "    assert \"pip install 'ffnn[sklearn]'\" in str(error), error\n"
        "else:\n"
        "    raise AssertionError('no ImportError')\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        (MLPClassifier, neural_network.MLPClassifier),
        (MLPRegressor, neural_network.MLPRegressor),
    ],
)
def test_constructor_takes_scikit_learns_parameters_in_order_with_its_defaults(
    ours: type, theirs: type
) -> None:
    mine = list(inspect.signature(ours).parameters.values())
    reference = list(inspect.signature(theirs).parameters.values())
    for position, parameter in enumerate(reference):
        assert mine[position].name == parameter.name
        assert mine[position].kind == parameter.kind, parameter.name
        assert mine[position].default == parameter.default, parameter.name
    extras = {p.name: p.default for p in mine[len(reference) :]}
    assert all(p.kind == inspect.Parameter.KEYWORD_ONLY for p in mine[len(reference) :])
    assert extras == {"dropout": 0.0, "callbacks": None, "dtype": None} | (
        {"class_weight": None} if ours is MLPClassifier else {}
    )


@pytest.mark.parametrize(
    ("ours", "theirs", "data"),
    [
        (MLPClassifier, neural_network.MLPClassifier, multiclass),
        (MLPRegressor, neural_network.MLPRegressor, regression),
    ],
)
@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
def test_fitted_attributes_are_scikit_learns(
    ours: type, theirs: type, data: Any, solver: str
) -> None:
    X, y = data()
    mine = ours(hidden_layer_sizes=(5,), max_iter=5, solver=solver, random_state=0).fit(X, y)
    reference = theirs(hidden_layer_sizes=(5,), max_iter=5, solver=solver, random_state=0)
    reference.fit(X, y)

    def public_fitted(model: Any) -> set[str]:
        return {
            name
            for name in dir(model)
            if name.endswith("_") and not name.startswith("_") and hasattr(model, name)
        }

    assert public_fitted(reference) <= public_fitted(mine)
    assert public_fitted(mine) - public_fitted(reference) == {"model_", "history_"}
    for name in ("n_layers_", "n_outputs_", "out_activation_", "n_features_in_", "n_iter_"):
        assert getattr(mine, name) == getattr(reference, name), name


def test_initial_weights_are_scikit_learns_glorot_uniform_draws() -> None:
    """By hand: layer by layer, W then b from RandomState(seed).uniform(-b, b), with
    b = sqrt(6 / (fan_in + fan_out)) (2 instead of 6 for logistic layers)."""
    X, y = multiclass()
    for activation, factor in [("relu", 6.0), ("logistic", 2.0)]:
        # learning rate 1e-300: the one step taken changes no weight by even one ulp
        model = MLPClassifier(
            hidden_layer_sizes=(7, 4),
            activation=activation,
            solver="sgd",
            learning_rate_init=1e-300,
            max_iter=1,
            random_state=42,
        ).fit(X, y)
        rng = np.random.RandomState(42)
        for units, W, b in zip(
            [(8, 7), (7, 4), (4, 3)], model.coefs_, model.intercepts_, strict=True
        ):
            bound = np.sqrt(factor / sum(units))
            np.testing.assert_array_equal(W, rng.uniform(-bound, bound, units))
            np.testing.assert_array_equal(b, rng.uniform(-bound, bound, units[1]))
        reference = sklearn_twin(model).fit(X, y)
        for mine, theirs in zip(all_parameters(model), all_parameters(reference), strict=True):
            np.testing.assert_array_equal(mine, theirs)


def sklearn_twin(model: Any) -> Any:
    """scikit-learn's estimator with the same (non-ffnn) parameters."""
    params = {
        k: v
        for k, v in model.get_params().items()
        if k not in ("dropout", "callbacks", "dtype", "class_weight")
    }
    kind = (
        neural_network.MLPClassifier
        if isinstance(model, MLPClassifier)
        else neural_network.MLPRegressor
    )
    return kind(**params)


# -- trajectories --------------------------------------------------------------------------------
TRAJECTORIES = {
    "adam": dict(solver="adam", learning_rate_init=0.01),
    "sgd-nesterov": dict(solver="sgd", learning_rate_init=0.05),
    "sgd-momentum-invscaling": dict(
        solver="sgd", nesterovs_momentum=False, learning_rate="invscaling", learning_rate_init=0.5
    ),
    # tol so large that no epoch improves: η is divided by 5 every 3 epochs until it is tiny
    "sgd-adaptive": dict(
        solver="sgd", learning_rate="adaptive", learning_rate_init=0.1, tol=0.5, n_iter_no_change=2
    ),
    "sgd-plain-unshuffled": dict(solver="sgd", momentum=0.0, batch_size=32, shuffle=False),
    "adam-tol-stop": dict(solver="adam", learning_rate_init=0.02, tol=1e-2, n_iter_no_change=3),
    "adam-early-stopping": dict(solver="adam", early_stopping=True, learning_rate_init=0.01),
    "sgd-early-stopping-tanh": dict(
        solver="sgd", early_stopping=True, activation="tanh", validation_fraction=0.2
    ),
    "adam-logistic-batch-50": dict(solver="adam", activation="logistic", batch_size=50),
    "adam-identity-alpha": dict(solver="adam", activation="identity", alpha=0.1),
}


@pytest.mark.parametrize("settings", TRAJECTORIES.values(), ids=TRAJECTORIES.keys())
def test_classifier_follows_scikit_learns_trajectory(settings: dict[str, Any]) -> None:
    X, y = multiclass()
    model = MLPClassifier(hidden_layer_sizes=(12, 6), max_iter=40, random_state=3, **settings)
    reference = sklearn_twin(model)
    model.fit(X, y)
    reference.fit(X, y)
    assert_same_trajectory(model, reference)
    np.testing.assert_array_equal(model.predict(X), reference.predict(X))
    np.testing.assert_allclose(model.predict_proba(X), reference.predict_proba(X), rtol=1e-9)


@pytest.mark.parametrize(
    ("data", "settings"),
    [
        (binary, dict(solver="adam")),
        (binary, dict(solver="sgd", early_stopping=True)),
        (multilabel, dict(solver="adam")),
        (multilabel, dict(solver="sgd", learning_rate_init=0.01)),
    ],
    ids=["binary-adam", "binary-sgd-early-stopping", "multilabel-adam", "multilabel-sgd"],
)
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "sample-weight"])
def test_binary_and_multilabel_classifiers_follow_scikit_learn(
    data: Any, settings: dict[str, Any], weighted: bool
) -> None:
    X, y = data()
    weight = np.random.RandomState(5).uniform(0, 2, X.shape[0]) if weighted else None
    model = MLPClassifier(hidden_layer_sizes=(10,), max_iter=25, random_state=0, **settings)
    reference = sklearn_twin(model)
    model.fit(X, y, sample_weight=weight)
    reference.fit(X, y, sample_weight=weight)
    assert_same_trajectory(model, reference)
    np.testing.assert_array_equal(model.predict(X), reference.predict(X))


@pytest.mark.parametrize(
    "settings",
    [
        dict(solver="adam"),
        dict(solver="sgd", learning_rate_init=0.01),
        dict(solver="adam", early_stopping=True),
        dict(loss="poisson", solver="adam"),
        dict(loss="poisson", solver="sgd", learning_rate_init=0.001),
    ],
    ids=["adam", "sgd", "adam-early-stopping", "poisson-adam", "poisson-sgd"],
)
@pytest.mark.parametrize("n_targets", [1, 2])
def test_regressor_follows_scikit_learns_trajectory(
    settings: dict[str, Any], n_targets: int
) -> None:
    X, y = regression(n_targets)
    if settings.get("loss") == "poisson":
        y = np.exp(y)  # counts-like, positive
    weight = np.random.RandomState(1).uniform(0.5, 1.5, X.shape[0])
    model = MLPRegressor(hidden_layer_sizes=(8,), max_iter=30, random_state=2, **settings)
    reference = sklearn_twin(model)
    model.fit(X, y, sample_weight=weight)
    reference.fit(X, y, sample_weight=weight)
    assert_same_trajectory(model, reference)
    np.testing.assert_allclose(model.predict(X), reference.predict(X), rtol=1e-9)


def test_sparse_input_follows_the_dense_trajectory_and_scikit_learns() -> None:
    X, y = multiclass()
    X[np.abs(X) < 1] = 0
    sparse = scipy.sparse.csr_matrix(X)
    model = MLPClassifier(hidden_layer_sizes=(6,), max_iter=15, random_state=0)
    on_sparse = clone(model).fit(sparse, y)
    assert_same_trajectory(on_sparse, sklearn_twin(model).fit(sparse, y))
    assert_same_trajectory(on_sparse, clone(model).fit(X, y))
    np.testing.assert_allclose(on_sparse.predict_proba(sparse), on_sparse.predict_proba(X))
    np.testing.assert_allclose(on_sparse.transform(sparse.tocsc()), on_sparse.transform(X))


def test_partial_fit_and_warm_start_follow_scikit_learn() -> None:
    X, y = multiclass()
    model = MLPClassifier(hidden_layer_sizes=(9,), random_state=4, solver="sgd")
    reference = sklearn_twin(model)
    for start in range(0, 240, 60):
        block = slice(start, start + 60)
        model.partial_fit(X[block], y[block], classes=[0, 1, 2])
        reference.partial_fit(X[block], y[block], classes=[0, 1, 2])
    assert_same_trajectory(model, reference)

    model = MLPRegressor(hidden_layer_sizes=(9,), random_state=4, max_iter=5, warm_start=True)
    reference = sklearn_twin(model)
    Xr, yr = regression()
    for _ in range(3):
        model.fit(Xr, yr)
        reference.fit(Xr, yr)
    assert_same_trajectory(model, reference)
    assert len(model.loss_curve_) == len(model.history_) == 15


@pytest.mark.parametrize(
    ("ours", "data"), [(MLPClassifier, multiclass), (MLPRegressor, regression)]
)
def test_lbfgs_agrees_with_scikit_learn(ours: type, data: Any) -> None:
    X, y = data()
    model = ours(hidden_layer_sizes=(6,), solver="lbfgs", max_iter=60, random_state=0)
    reference = sklearn_twin(model)
    model.fit(X, y)
    reference.fit(X, y)
    assert model.n_iter_ == reference.n_iter_
    assert model.loss_ == pytest.approx(reference.loss_, rel=1e-6)
    for mine, theirs in zip(all_parameters(model), all_parameters(reference), strict=True):
        np.testing.assert_allclose(mine, theirs, rtol=1e-5, atol=1e-7)
    assert len(model.history_) == model.n_iter_
    assert not hasattr(model, "loss_curve_")  # as scikit-learn: stochastic solvers only


def test_float32_input_trains_in_float32_unless_dtype_says_otherwise() -> None:
    X, y = multiclass()
    X32 = X.astype(np.float32)
    model = MLPClassifier(hidden_layer_sizes=(5,), max_iter=5, random_state=0).fit(X32, y)
    assert all(a.dtype == np.float32 for a in all_parameters(model))
    assert model.predict_proba(X32).dtype == np.float32
    assert model.transform(X).dtype == np.float32
    forced = MLPClassifier(hidden_layer_sizes=(5,), max_iter=5, random_state=0, dtype="float64")
    forced.fit(X32, y)
    assert forced.coefs_[0].dtype == np.float64
    reference = MLPClassifier(hidden_layer_sizes=(5,), max_iter=5, random_state=0)
    assert_same_trajectory(forced, clone(reference).fit(X32.astype(np.float64), y))
    reference.fit(X, y)
    # float32 stays close to float64
    np.testing.assert_allclose(model.loss_curve_, reference.loss_curve_, rtol=1e-4)
    ints = MLPClassifier(hidden_layer_sizes=(5,), max_iter=2, random_state=0)
    assert ints.fit(np.round(X * 10).astype(np.int64), y).coefs_[0].dtype == np.float64


# -- warnings and errors -------------------------------------------------------------------------
def test_convergence_warnings_where_scikit_learn_gives_them() -> None:
    X, y = multiclass()
    with pytest.warns(ConvergenceWarning, match=r"Maximum iterations \(3\) reached"):
        MLPClassifier(hidden_layer_sizes=(4,), max_iter=3, random_state=0).fit(X, y)
    with pytest.warns(ConvergenceWarning, match="lbfgs failed to converge"):
        MLPClassifier(hidden_layer_sizes=(4,), solver="lbfgs", max_iter=2).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        MLPClassifier(hidden_layer_sizes=(4,), max_iter=3).partial_fit(X, y, classes=[0, 1, 2])
    with pytest.warns(UserWarning, match="batch_size"):
        MLPClassifier(hidden_layer_sizes=(4,), max_iter=1, batch_size=1000).fit(X, y)


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (dict(alpha=-1.0), r"The 'alpha' parameter of MLPClassifier must be .*\[0, inf\).*-1.0"),
        (dict(solver="newton"), r"'solver' parameter .* among .*Got 'newton'"),
        (dict(batch_size=0), r"'batch_size' parameter .*Got 0"),
        (dict(max_iter=2.5), r"'max_iter' parameter .*int.*Got 2.5"),
        (dict(hidden_layer_sizes="10"), r"'hidden_layer_sizes' parameter"),
        (dict(hidden_layer_sizes=(3, 0)), r"hidden_layer_sizes must be > 0, got \[3, 0\]"),
        (dict(activation="softmax"), r"'activation' parameter .*Got 'softmax'"),
        (dict(activation=["relu", "tanh"]), r"'activation' parameter .*list of 1"),
        (dict(dtype="int32"), r"'dtype' parameter .*float32"),
        (dict(dropout=1.0), r"'dropout' parameter .*\[0, 1\).*Got 1.0"),
        (dict(dropout=0.5, solver="lbfgs"), r"dropout=0.5 needs a stochastic solver"),
        (dict(callbacks=[print]), r"'callbacks' parameter"),
        (dict(class_weight="some"), r"'class_weight' parameter .*balanced"),
        (dict(random_state=-1), r"'random_state' parameter"),
    ],
)
def test_bad_parameters_raise_naming_the_parameter_and_the_value(
    settings: dict[str, Any], message: str
) -> None:
    X, y = multiclass(30)
    with pytest.raises(ValueError, match=message) as error:
        MLPClassifier(**({"hidden_layer_sizes": (3,)} | settings)).fit(X, y)
    if error.type is InvalidParameterError:
        assert issubclass(error.type, TypeError)  # as scikit-learn's InvalidParameterError


def test_errors_where_scikit_learn_raises() -> None:
    X, y = multiclass(60)
    lbfgs = MLPClassifier(solver="lbfgs")
    assert not hasattr(lbfgs, "partial_fit")
    with pytest.raises(AttributeError, match="has no attribute 'partial_fit'") as error:
        lbfgs.partial_fit(X, y, classes=[0, 1, 2])
    assert "only available for stochastic optimizers" in str(error.value.__cause__)
    with pytest.raises(ValueError, match="classes must be passed on the first call"):
        MLPClassifier().partial_fit(X, y)
    with pytest.raises(ValueError, match="partial_fit does not support early_stopping"):
        MLPClassifier(early_stopping=True).partial_fit(X, y, classes=[0, 1, 2])
    fitted = MLPClassifier(hidden_layer_sizes=(3,), max_iter=2, warm_start=True).fit(X, y)
    with pytest.raises(ValueError, match="warm_start can only be used where `y` has the same"):
        fitted.fit(X, np.where(y == 2, 7, y))
    with pytest.raises(ValueError, match="X has 7 features, but MLPClassifier is expecting 8"):
        fitted.predict(X[:, :7])
    with pytest.raises(ValueError, match="Unknown label type"):
        MLPClassifier().fit(X, X[:, 0])
    with pytest.raises(ValueError, match="The validation set is too small"):
        MLPClassifier(early_stopping=True, validation_fraction=0.01).fit(X[:20], y[:20])
    with pytest.raises(ValueError, match=r"sample_weight must not be all zero"):
        MLPClassifier().fit(X, y, sample_weight=np.zeros(60))
    with pytest.raises(ValueError, match=r"loss='poisson' needs targets y >= 0"):
        MLPRegressor(loss="poisson").fit(X, X[:, 0])
    with pytest.raises(ValueError, match=r"continue the fitted network with layer sizes"):
        fitted.set_params(hidden_layer_sizes=(4,)).fit(X, y)
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        MLPRegressor().predict(X)


# -- what scikit-learn does not have ---------------------------------------------------------------
def test_dropout_is_reproducible_changes_training_and_is_off_at_inference() -> None:
    X, y = multiclass()
    kwargs = dict(hidden_layer_sizes=(16,), max_iter=10, random_state=0)
    plain = MLPClassifier(**kwargs).fit(X, y)
    assert_same_trajectory(MLPClassifier(dropout=0.0, **kwargs).fit(X, y), plain)
    first = MLPClassifier(dropout=0.3, **kwargs).fit(X, y)
    second = MLPClassifier(dropout=0.3, **kwargs).fit(X, y)
    assert_same_trajectory(first, second)
    assert first.loss_curve_ != plain.loss_curve_
    layers = [type(layer).__name__ for layer in first.model_.layers]
    assert layers == ["Dense", "ReLU", "Dropout", "Dense"]
    # at inference the network is the one without its Dropout layers (a hand forward pass)
    x = X
    for layer in first.model_.layers:
        if not isinstance(layer, ffnn.Dropout):
            x = layer.forward(x, training=False)
    shifted = np.exp(x - x.max(axis=1, keepdims=True))
    np.testing.assert_allclose(
        first.predict_proba(X), shifted / shifted.sum(axis=1, keepdims=True), rtol=1e-12
    )
    # while training, the masks change the outputs
    assert not np.allclose(first.model_.forward(X, training=True), x)


def test_class_weight_is_sample_weight_per_class() -> None:
    X, y = binary()
    kwargs = dict(hidden_layer_sizes=(5,), max_iter=10, random_state=0)
    by_class = MLPClassifier(class_weight={0: 3.0}, **kwargs).fit(X, y)
    by_sample = MLPClassifier(**kwargs).fit(X, y, sample_weight=np.where(y == 0, 3.0, 1.0))
    assert_same_trajectory(by_class, by_sample)
    labels = np.array(["no", "yes"])[y]
    balanced = MLPClassifier(class_weight="balanced", **kwargs).fit(X[:150], labels[:150])
    reference = MLPClassifier(**kwargs).fit(
        X[:150], labels[:150], sample_weight=compute_sample_weight("balanced", labels[:150])
    )
    assert_same_trajectory(balanced, reference)
    with pytest.raises(ValueError, match=r"class_weight has labels \['maybe'\]"):
        MLPClassifier(class_weight={"maybe": 2.0}, **kwargs).fit(X, labels)
    with pytest.raises(ValueError, match="class_weight='balanced' needs the class counts"):
        MLPClassifier(class_weight="balanced").partial_fit(X, y, classes=[0, 1])


def test_per_layer_activations_build_those_layers_and_init_factors() -> None:
    X, y = regression()
    model = MLPRegressor(
        hidden_layer_sizes=(6, 5, 4), activation=["tanh", "gelu", "logistic"], max_iter=3
    ).fit(X, y)
    assert [type(layer).__name__ for layer in model.model_.layers] == [
        "Dense", "Tanh", "Dense", "GELU", "Dense", "Sigmoid", "Dense"
    ]  # fmt: skip
    # all the same: scikit-learn's network exactly
    same = MLPRegressor(hidden_layer_sizes=(6, 5), activation=["tanh", "tanh"], max_iter=8)
    single = MLPRegressor(hidden_layer_sizes=(6, 5), activation="tanh", max_iter=8)
    assert_same_trajectory(
        same.set_params(random_state=1).fit(X, y), single.set_params(random_state=1).fit(X, y)
    )


def test_history_records_training_and_validation_loss_per_epoch() -> None:
    X, y = multiclass()
    model = MLPClassifier(hidden_layer_sizes=(8,), max_iter=12, early_stopping=True, random_state=0)
    model.fit(X, y)
    assert model.history_["loss"] == model.loss_curve_
    assert model.history_["val_score"] == model.validation_scores_
    assert len(model.history_["val_loss"]) == model.n_iter_
    assert all(np.isfinite(model.history_["val_loss"]))
    assert model.history_.epoch == list(range(model.n_iter_))


def test_callbacks_see_each_epoch_and_can_stop_training() -> None:
    X, y = multiclass()
    seen: list[tuple[int, dict[str, float]]] = []

    class Recorder(ffnn.Callback):
        def on_epoch_end(self, epoch: int, logs: dict[str, float] | None = None) -> None:
            seen.append((epoch, dict(logs or {})))
            if epoch == 4:
                self._model().stop_training = True

    model = MLPClassifier(hidden_layer_sizes=(8,), max_iter=50, callbacks=[Recorder()])
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)  # stopped before max_iter
        model.fit(X, y)
    assert model.n_iter_ == 5 and [epoch for epoch, _ in seen] == [0, 1, 2, 3, 4]
    assert [logs["loss"] for _, logs in seen] == model.loss_curve_
    assert model.history_.stopped_by == "callback"
    # an ffnn callback that changes the learning rate acts on scikit-learn's Adam
    scheduler = ffnn.LearningRateScheduler(lambda epoch, rate: 0.5 * rate)
    scheduled = MLPClassifier(hidden_layer_sizes=(8,), max_iter=3, callbacks=[scheduler])
    scheduled.fit(X, y)
    assert scheduled.model_.optimizer is not None
    assert scheduled.model_.optimizer.learning_rate == pytest.approx(0.001 / 8)
    lbfgs = MLPClassifier(hidden_layer_sizes=(8,), solver="lbfgs", callbacks=[Recorder()])
    seen.clear()
    lbfgs.fit(X, y)
    assert lbfgs.n_iter_ == 5 and len(seen) == 5


def test_transform_gives_the_last_hidden_layers_activations() -> None:
    X, y = multiclass()
    model = MLPClassifier(hidden_layer_sizes=(7, 4), max_iter=5, random_state=0).fit(X, y)
    hidden = np.maximum(X @ model.coefs_[0] + model.intercepts_[0], 0)
    hidden = np.maximum(hidden @ model.coefs_[1] + model.intercepts_[1], 0)
    np.testing.assert_allclose(model.transform(X), hidden, rtol=1e-12)
    assert list(model.get_feature_names_out()) == [f"mlpclassifier{i}" for i in range(4)]
    linear = MLPRegressor(hidden_layer_sizes=(), max_iter=3).fit(*regression())
    assert linear.transform(X[:, :5]).shape == (240, 5)
    features = make_pipeline(StandardScaler(), model).fit_transform(X, y)
    assert features.shape == (240, 4)


def test_model_is_the_ffnn_network_and_coefs_are_its_arrays() -> None:
    X, y = multiclass()
    model = MLPClassifier(hidden_layer_sizes=(5,), max_iter=3, random_state=0).fit(X, y)
    assert isinstance(model.model_, ffnn.Sequential)
    assert model.coefs_[0] is model.model_.layers[0].weight.data
    np.testing.assert_allclose(model.model_.predict_proba(X), model.predict_proba(X))
    model.coefs_ = [np.zeros_like(c) for c in model.coefs_]  # assignment copies in
    assert not model.model_.layers[0].weight.data.any()


def test_the_network_saves_and_loads_with_ffnn(tmp_path: Any) -> None:
    X, y = multilabel()
    model = MLPClassifier(hidden_layer_sizes=(5,), max_iter=5, random_state=0).fit(X, y)
    ffnn.save(model.model_, tmp_path / "net.ffnn")
    loaded = ffnn.load(tmp_path / "net.ffnn")
    np.testing.assert_allclose(loaded.predict_proba(X), model.predict_proba(X), rtol=1e-12)
    Xr, yr = regression()
    poisson = MLPRegressor(loss="poisson", hidden_layer_sizes=(5,), max_iter=5).fit(Xr, np.exp(yr))
    ffnn.save(poisson.model_, tmp_path / "poisson.ffnn")
    loaded = ffnn.load(tmp_path / "poisson.ffnn")
    np.testing.assert_allclose(loaded.predict(Xr), poisson.predict(Xr), rtol=1e-12)


@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_a_model_checkpoint_keeps_scikit_learns_optimizer_state(solver: str, tmp_path: Any) -> None:
    X, y = multiclass()
    checkpoint = ffnn.ModelCheckpoint(str(tmp_path / "last.ffnn"), monitor="loss")
    model = MLPClassifier(
        hidden_layer_sizes=(5,),
        solver=solver,
        learning_rate="invscaling",
        max_iter=4,
        callbacks=[checkpoint],
        random_state=0,
    ).fit(X, y)
    loaded = ffnn.load(tmp_path / "last.ffnn")
    assert loaded.optimizer is not None and model.model_.optimizer is not None
    assert loaded.optimizer.get_config() == model.model_.optimizer.get_config()
    assert loaded.optimizer.iterations == model.model_.optimizer.iterations
    for key, arrays in model.model_.optimizer.state.items():
        for saved, live in zip(loaded.optimizer.state[key], arrays, strict=True):
            np.testing.assert_array_equal(saved, live)


# -- a good citizen of scikit-learn -------------------------------------------------------------
def test_pipeline_grid_search_cross_validation_and_clone() -> None:
    X, y = multiclass()
    pipeline = make_pipeline(
        StandardScaler(),
        MLPClassifier(
            hidden_layer_sizes=(8,), learning_rate_init=0.01, max_iter=60, random_state=0
        ),
    )
    search = GridSearchCV(
        pipeline, {"mlpclassifier__alpha": [1e-4, 1e-1], "mlpclassifier__dropout": [0.0, 0.2]}, cv=3
    )
    search.fit(X, y)
    assert set(search.best_params_) == {"mlpclassifier__alpha", "mlpclassifier__dropout"}
    assert search.score(X, y) > 0.7
    scores = cross_val_score(MLPRegressor(max_iter=50, random_state=0), *regression(), cv=3)
    assert scores.shape == (3,) and np.all(scores > 0.5)
    original = MLPClassifier(hidden_layer_sizes=(4,), max_iter=3, callbacks=[ffnn.EarlyStopping()])
    copy = clone(original)
    assert copy.get_params()["hidden_layer_sizes"] == (4,)
    assert copy.callbacks[0] is not original.callbacks[0]


@pytest.mark.parametrize("how", ["pickle", "joblib"])
def test_pickle_and_joblib_round_trips_predict_the_same(how: str, tmp_path: Any) -> None:
    X, y = multiclass()
    model = MLPClassifier(hidden_layer_sizes=(6,), max_iter=5, random_state=0).fit(X, y)
    if how == "pickle":
        loaded = pickle.loads(pickle.dumps(model))
    else:
        joblib.dump(model, tmp_path / "model.joblib")
        loaded = joblib.load(tmp_path / "model.joblib")
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))
    loaded.partial_fit(X, y)  # and it trains on
    model.partial_fit(X, y)
    np.testing.assert_array_equal(loaded.coefs_[0], model.coefs_[0])
    assert len(pickle.dumps(model)) < 20_000  # weights only: no batch, no data kept


def test_pandas_feature_names_are_kept_and_checked() -> None:
    pd = pytest.importorskip("pandas")
    X, y = multiclass()
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(8)])
    model = MLPClassifier(hidden_layer_sizes=(4,), max_iter=3).fit(frame, pd.Series(y))
    assert list(model.feature_names_in_) == list(frame.columns)
    with pytest.warns(UserWarning, match="X does not have valid feature names"):
        model.predict(X)
    with pytest.raises(ValueError, match="feature names should match"):
        model.predict(frame.rename(columns={"f0": "other"}))


def test_read_only_memmap_inputs_work(tmp_path: Any) -> None:
    X, y = multiclass()
    path = tmp_path / "data.joblib"
    joblib.dump((X, y), path)
    X_ro, y_ro = joblib.load(path, mmap_mode="r")
    assert not X_ro.flags.writeable
    model = MLPClassifier(hidden_layer_sizes=(4,), max_iter=3, random_state=0)
    np.testing.assert_array_equal(
        clone(model).fit(X_ro, y_ro).predict_proba(X_ro), model.fit(X, y).predict_proba(X)
    )


# -- out of core --------------------------------------------------------------------------------
def test_partial_fit_streams_a_memmap_larger_than_the_memory_it_may_use(tmp_path: Any) -> None:
    """200 MiB on disk, streamed in 1 MiB blocks under an 8 MiB tracemalloc budget (measured
    peak: 0.7 MiB; the blocks are views of the map, only batches are copied), gives the very
    model an in-memory run over the same blocks gives."""
    n_features, block_rows = 16, 8192  # a block: 8192 × 16 float64 = 1 MiB
    n_blocks = 200
    budget = 8 * 2**20
    n_rows = n_blocks * block_rows
    X_file = np.memmap(tmp_path / "X.f8", dtype=np.float64, mode="w+", shape=(n_rows, n_features))
    y_file = np.memmap(tmp_path / "y.i1", dtype=np.int8, mode="w+", shape=(n_rows,))
    rng = np.random.RandomState(0)
    direction = rng.standard_normal(n_features)
    for start in range(0, n_rows, block_rows):
        block = rng.standard_normal((block_rows, n_features))
        X_file[start : start + block_rows] = block
        y_file[start : start + block_rows] = block @ direction > 0
    X_file.flush()
    y_file.flush()
    del X_file, y_file
    X = np.memmap(tmp_path / "X.f8", dtype=np.float64, mode="r", shape=(n_rows, n_features))
    y = np.memmap(tmp_path / "y.i1", dtype=np.int8, mode="r", shape=(n_rows,))
    assert X.nbytes >= 10 * budget

    def stream(X: np.ndarray, y: np.ndarray) -> MLPClassifier:
        model = MLPClassifier(hidden_layer_sizes=(8,), batch_size=1024, random_state=0)
        for start in range(0, n_rows, block_rows):
            block = slice(start, start + block_rows)
            model.partial_fit(X[block], y[block], classes=[0, 1])
        return model

    tracemalloc.start()
    try:
        out_of_core = stream(X, y)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < budget, f"peak {peak / 2**20:.1f} MiB"
    in_memory = stream(np.array(X), np.array(y))
    assert out_of_core.loss_curve_ == in_memory.loss_curve_
    for a, b in zip(all_parameters(out_of_core), all_parameters(in_memory), strict=True):
        np.testing.assert_array_equal(a, b)
    assert out_of_core.t_ == n_rows and out_of_core.score(X[:20000], y[:20000]) > 0.95


def test_verbose_prints_what_scikit_learn_prints(capsys: pytest.CaptureFixture[str]) -> None:
    X, y = multiclass()
    settings = dict(
        hidden_layer_sizes=(6,),
        solver="sgd",
        learning_rate="adaptive",
        tol=0.5,
        n_iter_no_change=2,
        early_stopping=True,
        max_iter=12,
        random_state=0,
        verbose=True,
    )
    MLPClassifier(**settings).fit(X, y)
    ours = capsys.readouterr().out
    neural_network.MLPClassifier(**settings).fit(X, y)
    assert ours == capsys.readouterr().out
    assert "Setting learning rate to 0.000200" in ours


def test_a_diverging_run_raises_once_without_floating_point_warnings() -> None:
    X, y = regression()
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with pytest.raises(ValueError, match="Solver produced non-finite parameter weights"):
            MLPRegressor(solver="sgd", learning_rate_init=10.0, max_iter=20).fit(X, y * 1e8)


# -- lbfgs ends with finite weights ------------------------------------------------------------
class _CtrlCAfterIteration(ffnn.Callback):
    def __init__(self, iteration: int) -> None:
        super().__init__()
        self.iteration = iteration

    def on_epoch_end(self, epoch: int, logs: dict[str, float] | None = None) -> None:
        if epoch + 1 == self.iteration:
            raise KeyboardInterrupt


def test_ctrl_c_inside_lbfgs_keeps_its_last_accepted_iterate(
    capsys: pytest.CaptureFixture[str],
) -> None:
    X, y = regression()
    settings = {"solver": "lbfgs", "hidden_layer_sizes": (8,), "random_state": 0}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        three = MLPRegressor(max_iter=3, **settings).fit(X, y)
    interrupted = MLPRegressor(max_iter=50, callbacks=[_CtrlCAfterIteration(3)], **settings)
    interrupted.fit(X, y)
    assert interrupted.history_.stopped_by == "interrupt" and interrupted.n_iter_ == 3
    assert interrupted.loss_ == pytest.approx(interrupted.history_["loss"][-1])
    for ours, stopped in zip(interrupted.coefs_, three.coefs_, strict=True):
        np.testing.assert_allclose(ours, stopped, rtol=1e-12)  # iteration 3's parameters
    assert "interrupted (Ctrl-C) during L-BFGS after 3 iteration(s); the last good weights " \
        "(those of iteration 3) were restored" in capsys.readouterr().err  # fmt: skip
    assert np.isfinite(interrupted.predict(X)).all()


@pytest.mark.parametrize("iterations", [0, 2])
def test_lbfgs_ending_non_finite_restores_the_last_finite_iterate_and_raises(
    monkeypatch: pytest.MonkeyPatch, iterations: int
) -> None:
    """SciPy's answer replaced by one whose parameters and loss are NaN, after ``iterations``
    accepted (finite) iterates handed to the callback."""
    import scipy.optimize

    accepted: list[np.ndarray] = []

    def minimize(fun: Any, x0: np.ndarray, callback: Any, **options: Any) -> Any:
        for step in range(iterations):
            x = x0 * (0.5 + step)
            accepted.append(x)
            callback(intermediate_result=scipy.optimize.OptimizeResult(x=x, fun=fun(x)[0]))
        nan = np.full_like(x0, np.nan)
        fun(nan)  # the network is left holding NaN, as after a wild line search
        return scipy.optimize.OptimizeResult(
            x=nan, fun=np.nan, success=False, nit=iterations, status=2, message="ABNORMAL"
        )

    X, y = regression()
    estimator = MLPRegressor(solver="lbfgs", hidden_layer_sizes=(4,), random_state=0)
    monkeypatch.setattr(scipy.optimize, "minimize", minimize)
    restored = f"the weights of iteration {iterations}" if iterations else "the starting weights"
    with pytest.raises(
        ValueError, match=rf"^Solver produced non-finite parameter weights.*{restored} were"
    ):
        estimator.fit(X, y)
    packed = np.concatenate([p.ravel() for p in estimator.coefs_ + estimator.intercepts_])
    if iterations:
        np.testing.assert_array_equal(packed, accepted[-1])
    assert np.isfinite(packed).all() and np.isfinite(estimator.predict(X)).all()
