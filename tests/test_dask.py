"""Scaling out: scikit-learn's searches over ffnn estimators on a Dask cluster.

A ``LocalCluster`` of two worker processes (one thread each), everything bound to 127.0.0.1
(the scheduler's web server on a free loopback port), is started by a fixture and stopped after
the module. Inside
``joblib.parallel_config(backend="dask")`` GridSearchCV and cross_val_score send their fits to
the workers, and must give the serial run's results exactly. Every Dask call runs under a
deadline: a worker that cannot import ffnn makes a computation wait forever rather than fail.
Skipped cleanly without ``distributed`` (the ``dask`` extra) or scikit-learn.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import signal
import threading
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

pytest.importorskip("sklearn")
distributed = pytest.importorskip("distributed")

import joblib  # noqa: E402
from sklearn.datasets import make_classification, make_regression  # noqa: E402
from sklearn.model_selection import GridSearchCV, cross_val_score  # noqa: E402

import ffnn  # noqa: E402
from ffnn import MLPClassifier, MLPRegressor  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

STARTUP_SECONDS = 120  # two fresh Python processes importing NumPy, scikit-learn and ffnn
TEST_SECONDS = 120


@contextlib.contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Raise ``TimeoutError`` in the main thread after ``seconds`` (SIGALRM, POSIX)."""
    if (
        not hasattr(signal, "setitimer")
        or threading.current_thread() is not threading.main_thread()
    ):
        pytest.skip("the Dask tests need SIGALRM in the main thread for their deadline")

    def expire(signum: int, frame: Any) -> None:
        raise TimeoutError(
            f"the Dask computation took more than {seconds} s: is ffnn installed on every "
            "worker (same environment)?"
        )

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    """A two-process cluster on 127.0.0.1 only; ffnn checked on every worker."""
    with deadline(STARTUP_SECONDS):
        cluster = distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            # a free loopback port for the scheduler's web server (None would take 8787)
            dashboard_address="127.0.0.1:0",
        )
        dask_client = distributed.Client(cluster)
    try:
        with deadline(STARTUP_SECONDS):
            dask_client.wait_for_workers(2)
            where = dask_client.run(lambda: importlib.import_module("ffnn").__name__)
        assert sorted(where.values()) == ["ffnn", "ffnn"]
        assert all(address.startswith("tcp://127.0.0.1:") for address in where)
        yield dask_client
    finally:
        with deadline(60):
            dask_client.close()
            cluster.close()


def classification() -> tuple[np.ndarray, np.ndarray]:
    return make_classification(
        n_samples=180, n_features=6, n_informative=4, n_classes=3, random_state=0
    )


def test_grid_search_on_dask_gives_the_serial_results(client: Any) -> None:
    X, y = classification()
    search = GridSearchCV(
        MLPClassifier(learning_rate_init=0.01, max_iter=40, random_state=0),
        {"hidden_layer_sizes": [(8,), (16,)], "alpha": [1e-4, 1e-1], "dropout": [0.0, 0.2]},
        cv=3,
    )
    with deadline(TEST_SECONDS):
        serial = GridSearchCV(**search.get_params(deep=False)).fit(X, y)
        with (
            distributed.get_task_stream(client) as tasks,
            joblib.parallel_config(backend="dask", n_jobs=-1),
        ):
            search.fit(X, y)
    workers = {task["worker"] for task in tasks.data}
    assert len(workers) == 2, f"the fits ran on {workers}"
    for key in ("mean_test_score", "std_test_score", "rank_test_score"):
        np.testing.assert_array_equal(search.cv_results_[key], serial.cv_results_[key])
    assert search.best_params_ == serial.best_params_
    np.testing.assert_array_equal(
        search.best_estimator_.coefs_[0], serial.best_estimator_.coefs_[0]
    )


def test_cross_val_score_on_dask_gives_the_serial_results(client: Any) -> None:
    X, y = make_regression(n_samples=150, n_features=5, noise=1.0, random_state=0)
    model = MLPRegressor(hidden_layer_sizes=(16,), learning_rate_init=0.01, random_state=0)
    with deadline(TEST_SECONDS):
        serial = cross_val_score(model, X, y / 100, cv=5)
        with joblib.parallel_config(backend="dask", n_jobs=-1):
            distributed_scores = cross_val_score(model, X, y / 100, cv=5)
    np.testing.assert_array_equal(distributed_scores, serial)


def test_fitted_models_predict_the_same_on_a_worker(client: Any) -> None:
    """A fitted estimator and a fitted Sequential travel to a fresh worker process (pickled,
    with their registered losses and optimizers) and predict there what they predict here."""
    X, y = classification()
    estimator = MLPClassifier(hidden_layer_sizes=(8,), max_iter=30, random_state=0).fit(X, y)
    network = ffnn.Sequential(
        [ffnn.Dense(6, 8), ffnn.Tanh(), ffnn.Dense(8, 3)], dtype=np.float64, random_state=0
    )
    network.fit(X, y, loss="cross_entropy", optimizer=ffnn.Adam(learning_rate=0.01), epochs=3)
    with deadline(TEST_SECONDS):
        labels = client.submit(estimator.predict, X, pure=False).result()
        probabilities = client.submit(estimator.predict_proba, X, pure=False).result()
        network_labels = client.submit(network.predict, X, pure=False).result()
        network_probabilities = client.submit(network.predict_proba, X, pure=False).result()
        where = client.submit(lambda: os.getpid(), pure=False).result()
    assert where != os.getpid()
    np.testing.assert_array_equal(labels, estimator.predict(X))
    np.testing.assert_allclose(probabilities, estimator.predict_proba(X), rtol=1e-12, atol=0)
    np.testing.assert_array_equal(network_labels, network.predict(X))
    np.testing.assert_allclose(network_probabilities, network.predict_proba(X), rtol=1e-12, atol=0)
