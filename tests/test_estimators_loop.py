"""The estimators' "sgd" and "adam" solvers train through ffnn's one loop (ffnn.training.train):
the same callbacks, Ctrl-C and divergence as Sequential.fit, and scikit-learn's strategies
(ffnn.sklearn._strategies) plugged into Sequential.fit reproduce scikit-learn's loss curve."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest

pytest.importorskip("sklearn")
pytest.importorskip("scipy")

import scipy.sparse  # noqa: E402
from sklearn import neural_network  # noqa: E402
from sklearn.datasets import make_classification  # noqa: E402
from sklearn.utils import gen_batches, shuffle  # noqa: E402

import ffnn  # noqa: E402
from ffnn import MLPClassifier, MLPRegressor  # noqa: E402
from ffnn.activations import ReLU  # noqa: E402
from ffnn.layers import Dense  # noqa: E402
from ffnn.losses import CrossEntropy  # noqa: E402
from ffnn.model import Sequential  # noqa: E402
from ffnn.sklearn._optimizers import SklearnAdam  # noqa: E402
from ffnn.sklearn._strategies import SklearnBatches, SklearnL2  # noqa: E402
from ffnn.training import epoch as epoch_module  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def multiclass(n: int = 240) -> tuple[np.ndarray, np.ndarray]:
    X, y = make_classification(
        n_samples=n, n_features=8, n_informative=5, n_classes=3, random_state=0
    )
    return X, y


class Events(ffnn.Callback):
    """Writes down every hook the loop calls, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.events: list[tuple[Any, ...]] = []

    def on_train_begin(self, logs: dict[str, float] | None = None) -> None:
        self.events.append(("train_begin",))

    def on_epoch_begin(self, epoch: int, logs: dict[str, float] | None = None) -> None:
        self.events.append(("epoch_begin", epoch))

    def on_batch_end(self, batch: int, logs: dict[str, float] | None = None) -> None:
        self.events.append(("batch_end", batch, sorted(logs or {})))

    def on_epoch_end(self, epoch: int, logs: dict[str, float] | None = None) -> None:
        self.events.append(("epoch_end", epoch, sorted(logs or {})))

    def on_train_end(self, logs: dict[str, float] | None = None) -> None:
        self.events.append(("train_end",))


def _network(X: np.ndarray, n_hidden: int, n_classes: int) -> Sequential:
    return Sequential(
        [Dense(X.shape[1], n_hidden), ReLU(), Dense(n_hidden, n_classes)],
        dtype=np.float64,
        random_state=0,
    )


@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_estimators_and_sequential_fit_run_the_same_epoch_runner_and_hooks(
    solver: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    X, y = multiclass()
    epochs_run: list[int] = []
    original = epoch_module.EpochRunner.epoch

    def counted(self: Any, epoch: int) -> Any:
        epochs_run.append(epoch)
        return original(self, epoch)

    monkeypatch.setattr(epoch_module.EpochRunner, "epoch", counted)
    estimator_events = Events()
    MLPClassifier(
        hidden_layer_sizes=(8,), solver=solver, batch_size=100, max_iter=3, random_state=0,
        callbacks=[estimator_events],
    ).fit(X, y)  # fmt: skip
    assert epochs_run == [0, 1, 2]
    sequential_events = Events()
    _network(X, 8, 3).fit(
        X, y, loss="cross_entropy", epochs=3, batch_size=100, callbacks=[sequential_events]
    )
    assert epochs_run == [0, 1, 2, 0, 1, 2]
    # 240 samples in batches of 100: three batches per epoch, the same hooks in the same order
    assert estimator_events.events == sequential_events.events
    assert estimator_events.events[:6] == [
        ("train_begin",),
        ("epoch_begin", 0),
        ("batch_end", 0, ["loss"]),
        ("batch_end", 1, ["loss"]),
        ("batch_end", 2, ["loss"]),
        ("epoch_end", 0, ["loss"]),
    ]


class PressCtrlC(ffnn.Callback):
    """Raises KeyboardInterrupt at the second batch of the second epoch."""

    def __init__(self) -> None:
        super().__init__()
        self.epoch = -1

    def on_epoch_begin(self, epoch: int, logs: dict[str, float] | None = None) -> None:
        self.epoch = epoch

    def on_batch_end(self, batch: int, logs: dict[str, float] | None = None) -> None:
        if self.epoch == 1 and batch == 1:
            raise KeyboardInterrupt


def test_ctrl_c_behaves_the_same_in_sequential_fit_and_in_the_estimators(
    capsys: pytest.CaptureFixture[str],
) -> None:
    X, y = multiclass()
    history = _network(X, 8, 3).fit(
        X, y, loss="cross_entropy", epochs=5, batch_size=100, callbacks=[PressCtrlC()]
    )
    sequential_err = capsys.readouterr().err
    estimator = MLPClassifier(
        hidden_layer_sizes=(8,), batch_size=100, max_iter=5, random_state=0,
        callbacks=[PressCtrlC()],
    )  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no warning: the loop's line on stderr instead
        estimator.fit(X, y)
    estimator_err = capsys.readouterr().err
    message = (
        "Training interrupted (Ctrl-C) in epoch 2; the model keeps its weights of that moment "
        "and the history holds 1 finished epoch(s)."
    )
    assert sequential_err.strip() == estimator_err.strip() == message
    assert history.stopped_by == estimator.history_.stopped_by == "interrupt"
    assert len(history) == len(estimator.history_) == 1 == estimator.n_iter_
    assert all(np.isfinite(w).all() for w in estimator.coefs_)
    assert estimator.predict(X).shape == y.shape


def test_a_diverging_estimator_keeps_the_last_finite_weights() -> None:
    X, y = multiclass()
    y = y * 1e8
    estimator = MLPRegressor(solver="sgd", learning_rate_init=10.0, max_iter=20, random_state=0)
    with pytest.raises(ValueError, match="non-finite parameter weights.*diverged in epoch"):
        estimator.fit(X, y)
    assert estimator.history_.stopped_by == "divergence"
    assert all(np.isfinite(p).all() for p in estimator.coefs_ + estimator.intercepts_)
    assert np.isfinite(estimator.predict(X)).all()


def test_sklearn_strategies_in_sequential_fit_reproduce_scikit_learns_loss_curve() -> None:
    X, y = multiclass()
    settings = dict(hidden_layer_sizes=(10,), alpha=0.01, batch_size=64, random_state=3)
    reference = neural_network.MLPClassifier(max_iter=1, warm_start=True, **settings).fit(X, y)
    network = _network(X, 10, 3)
    for dense, coef, intercept in zip(
        [network.layers[0], network.layers[2]],
        reference.coefs_,
        reference.intercepts_,
        strict=True,
    ):
        dense.weight.data[...] = coef
        dense.bias.data[...] = intercept
    # scikit-learn continues from these weights with a new Adam and a new RandomState(3)
    reference.set_params(max_iter=6).fit(X, y)
    history = network.fit(
        X,
        y,
        loss="cross_entropy",
        optimizer=SklearnAdam(1e-3, 0.9, 0.999, 1e-8),
        epochs=6,
        batch_size=64,
        batches=SklearnBatches(np.random.RandomState(3)),
        objective=SklearnL2(0.01),
    )
    np.testing.assert_allclose(history["loss"], reference.loss_curve_[1:], rtol=1e-10, atol=0)
    for dense, coef in zip([network.layers[0], network.layers[2]], reference.coefs_, strict=True):
        np.testing.assert_allclose(dense.weight.data, coef, rtol=1e-9, atol=1e-13)
    # ffnn's own defaults draw other batches and another penalty: another curve
    other = _network(X, 10, 3).fit(X, y, loss="cross_entropy", epochs=6, batch_size=64)
    assert not np.allclose(other["loss"], history["loss"])


def test_sklearn_batches_are_sklearn_shuffles_cut_by_gen_batches() -> None:
    plan = SklearnBatches(np.random.RandomState(7))
    reference_rng = np.random.RandomState(7)
    order = np.arange(23)
    for _ in range(3):
        order = shuffle(order, random_state=reference_rng)
        expected = [order[s] for s in gen_batches(23, 5)]
        got = list(plan.epoch(23, 5, None, merge_singleton=False))
        assert len(got) == len(expected) == plan.count(23, 5, False) == 5
        for mine, theirs in zip(got, expected, strict=True):
            np.testing.assert_array_equal(mine, theirs)
    unshuffled = SklearnBatches(np.random.RandomState(0), shuffle=False)
    assert list(unshuffled.epoch(7, 3, None, False)) == [slice(0, 3), slice(3, 6), slice(6, 7)]
    assert list(unshuffled.epoch(7, 3, None, True)) == [slice(0, 3), slice(3, 7)]
    with pytest.raises(TypeError, match="RandomState, got Generator"):
        SklearnBatches(np.random.default_rng(0))  # type: ignore[arg-type]


def test_sklearn_l2_is_alpha_norm_over_twice_the_batch_weight_and_its_gradient() -> None:
    network = _network(np.zeros((1, 3)), 4, 2)
    weights = [network.layers[0].weight, network.layers[2].weight]
    penalty = SklearnL2(0.3)
    penalty.bind(network)
    squares = sum(float((w.data**2).sum()) for w in weights)
    assert penalty.total(1.5, 6.0) == pytest.approx(1.5 + 0.3 * squares / 12.0, rel=1e-14)
    for w in weights:
        w.grad[...] = 1.0
    network.layers[0].bias.grad[...] = 1.0
    penalty.add_gradients(6.0)
    for w in weights:
        np.testing.assert_allclose(w.grad, 1.0 + 0.05 * w.data, rtol=1e-14)
    np.testing.assert_array_equal(network.layers[0].bias.grad, 1.0)  # biases are not penalised
    assert SklearnL2.average_by_count and SklearnL2.skip_weightless


def test_a_batch_of_zero_weight_takes_no_step_with_the_sklearn_objective() -> None:
    X, y = multiclass(40)
    weight = np.ones(40)
    weight[:20] = 0.0  # the first batch (no shuffling) weighs nothing
    steps: list[int] = []

    class CountSteps(SklearnAdam):
        def step(self) -> None:
            steps.append(1)
            super().step()

    network = _network(X, 4, 3)
    history = network.fit(
        X, y, loss="cross_entropy", optimizer=CountSteps(1e-3, 0.9, 0.999, 1e-8), epochs=1,
        batch_size=20, sample_weight=weight,
        batches=SklearnBatches(np.random.RandomState(0), shuffle=False), objective=SklearnL2(0.0),
    )  # fmt: skip
    assert len(steps) == 1
    # the epoch's loss: (0 · 20 + L₂ · 20) / 40, L₂ the second batch's loss before its step
    logits = _network(X, 4, 3).forward(X[20:], training=True)  # the same initial weights
    expected = CrossEntropy().forward(logits, np.eye(3)[y[20:]]) * 20 / 40
    assert history["loss"][0] == pytest.approx(expected, rel=1e-12)


def test_partial_fit_calls_add_their_epochs_to_one_history() -> None:
    X, y = multiclass()
    estimator = MLPClassifier(hidden_layer_sizes=(8,), random_state=0)
    for _ in range(3):
        estimator.partial_fit(X, y, classes=[0, 1, 2])
    assert estimator.history_.epoch == [0, 1, 2] and estimator.n_iter_ == 1
    assert estimator.history_["loss"] == estimator.loss_curve_
    assert estimator.model_.epochs_trained == 3


def test_fit_refuses_a_batch_plan_or_objective_of_another_type() -> None:
    X, y = multiclass(40)
    network = _network(X, 4, 3)
    with pytest.raises(TypeError, match="batches must be a BatchPlan, got list"):
        network.fit(X, y, loss="cross_entropy", batches=[slice(None)])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="objective must be an Objective, got float"):
        network.fit(X, y, loss="cross_entropy", objective=0.1)  # type: ignore[arg-type]


# -- no estimator is left non-finite ------------------------------------------------------------
def regression_data(n: int = 120) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, 4))
    return X, X @ np.array([1.0, -2.0, 3.0, 0.5]) + 0.1 * rng.normal(size=n)


def _finite(estimator: Any) -> bool:
    return all(np.isfinite(p).all() for p in estimator.coefs_ + estimator.intercepts_)


@pytest.mark.parametrize("solver", ["sgd", "adam", "lbfgs"])
def test_the_issues_diverging_regressor_keeps_finite_weights_and_predictions(solver: str) -> None:
    # MLPRegressor(solver="sgd", learning_rate_init=1e6) raised, yet coefs_ held NaN
    X, y = regression_data()
    estimator = MLPRegressor(solver=solver, learning_rate_init=1e6, max_iter=20, random_state=0)
    try:
        estimator.fit(X, y)
    except ValueError as error:
        assert solver == "sgd"  # adam's steps are bounded by η; lbfgs ignores the rate
        assert "non-finite parameter weights" in str(error) and "were restored" in str(error)
    assert _finite(estimator)
    assert np.isfinite(estimator.predict(X)).all()


@pytest.mark.parametrize("solver", ["sgd", "adam", "lbfgs"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_targets_or_features_too_large_to_train_on_are_refused_by_every_solver(
    solver: str, dtype: str
) -> None:
    X, y = regression_data()
    huge = 1e300 if dtype == "float64" else 1e30
    estimator = MLPRegressor(solver=solver, max_iter=5, random_state=0, dtype=dtype)
    with pytest.raises(ValueError, match=r"y holds values up to .* \(column 0\); a " + dtype):
        estimator.fit(X, y * huge)  # trained to loss_ = inf with only a warning
    assert "model_" not in estimator.__dict__ or _finite(estimator)
    X_dense = np.where(np.abs(X) > 1.5, X, 0.0)
    X_dense[5, 2] = -huge
    X_sparse = scipy.sparse.csr_matrix(X_dense)
    classifier = MLPClassifier(solver=solver, max_iter=5, random_state=0, dtype=dtype)
    with pytest.raises(ValueError, match=r"X holds values up to .* \(column 2\).*StandardScaler"):
        classifier.fit(X_sparse, y > 0)


def test_partial_fit_and_warm_start_that_diverge_keep_the_previous_weights() -> None:
    X, y = regression_data()
    streamed = MLPRegressor(solver="sgd", random_state=0)
    streamed.partial_fit(X, y)
    streamed.partial_fit(X, y)
    before = [w.copy() for w in streamed.coefs_ + streamed.intercepts_]
    streamed._optimizer.learning_rate = 1e200  # weights of 1e200: outputs overflow float64
    with pytest.raises(ValueError, match="non-finite.*the weights after epoch 2 were restored"):
        streamed.partial_fit(X, y)
    for now, then in zip(streamed.coefs_ + streamed.intercepts_, before, strict=True):
        np.testing.assert_array_equal(now, then)
    streamed._optimizer.learning_rate = 0.001  # its state was reset: streaming goes on
    streamed.partial_fit(X, y)
    assert _finite(streamed) and np.isfinite(streamed.predict(X)).all()

    warm = MLPRegressor(solver="adam", warm_start=True, max_iter=5, random_state=0).fit(X, y)
    before = [w.copy() for w in warm.coefs_ + warm.intercepts_]
    warm.set_params(solver="sgd", learning_rate_init=1e200)
    # one batch an epoch: the step of epoch 6 shows in epoch 7's loss
    with pytest.raises(ValueError, match="diverged in epoch 7.*the weights after epoch 5 were"):
        warm.fit(X, y)
    assert warm.history_.stopped_by == "divergence" and len(warm.history_) == 6
    for now, then in zip(warm.coefs_ + warm.intercepts_, before, strict=True):
        np.testing.assert_array_equal(now, then)
    assert np.isfinite(warm.predict(X)).all()


class BreakThenCtrlC(ffnn.Callback):
    """A learning rate of 1e30 for the step after batch ``at``, then Ctrl-C right after it;
    ``broken``: the step did make the weights non-finite, or the outputs on ``X`` beyond 1e30
    (or non-finite)."""

    def __init__(self, X: np.ndarray, at: int) -> None:
        super().__init__()
        self.X, self.at, self.calls, self.rate = X, at, 0, 0.0
        self.broken = False

    def on_batch_end(self, batch: int, logs: dict[str, float] | None = None) -> None:
        self.calls += 1
        optimizer = self.model.optimizer
        if self.calls == self.at:
            self.rate, optimizer.learning_rate = optimizer.learning_rate, 1e30
        elif self.calls == self.at + 1:
            optimizer.learning_rate = self.rate
            with np.errstate(over="ignore", invalid="ignore"):
                flat = self.model.flat_parameter().data
                outputs = self.model.forward(self.X.astype(self.model.dtype), training=False)
                self.broken = not (np.isfinite(flat).all() and np.abs(outputs).max() < 1e30)
            raise KeyboardInterrupt


@pytest.mark.parametrize("solver", ["sgd", "adam"])
@pytest.mark.parametrize("kind", ["classifier", "regressor"])
def test_ctrl_c_right_after_a_diverging_step_leaves_the_estimators_finite(
    capsys: pytest.CaptureFixture[str], solver: str, kind: str
) -> None:
    if kind == "classifier":
        X, y = multiclass()
        estimator: Any = MLPClassifier
    else:
        X, y = regression_data(240)
        estimator = MLPRegressor
    ctrl_c = BreakThenCtrlC(X, at=4)  # 3 batches an epoch: in epoch 2
    estimator = estimator(
        hidden_layer_sizes=(8,), solver=solver, batch_size=100, max_iter=5, random_state=0,
        dtype="float32", callbacks=[ctrl_c],
    )  # fmt: skip
    with pytest.warns(ffnn.TrainingDivergedWarning, match="the last good weights"):
        estimator.fit(X, y)
    assert ctrl_c.broken
    assert estimator.history_.stopped_by == "interrupt" and estimator.n_iter_ == 1
    err = capsys.readouterr().err
    assert "after a step that made the weights or the network's outputs non-finite" in err
    assert "the weights after epoch 1 were restored (the last good weights" in err
    assert _finite(estimator)
    assert np.isfinite(estimator.predict(X)).all()
    if kind == "classifier":
        assert np.isfinite(estimator.predict_proba(X)).all()


def test_estimators_refuse_to_predict_from_outputs_that_overflow() -> None:
    X, y = multiclass()
    estimator = MLPClassifier(hidden_layer_sizes=(4,), max_iter=2, dtype="float32")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        estimator.fit(X, y)
    estimator.coefs_ = [np.full_like(c, 1e30) for c in estimator.coefs_]
    for predict in (estimator.predict, estimator.predict_proba):
        with pytest.raises(FloatingPointError, match="outputs overflow float32 for X .first in"):
            predict(X)
