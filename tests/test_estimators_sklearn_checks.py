"""scikit-learn's own estimator checks, every one, on ffnn.MLPClassifier and ffnn.MLPRegressor.

``parametrize_with_checks`` runs each check of ``sklearn.utils.estimator_checks`` as a test,
with no check marked as an expected failure: the default estimators (and SGD ones) pass them
all (fitting, predicting, pickling, sample weights, sparse and read-only input, dtypes,
feature-name handling, error messages, ...). Skipped cleanly without scikit-learn.
"""

from __future__ import annotations

from typing import Any

import pytest

pytest.importorskip("sklearn")

from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

from ffnn import MLPClassifier, MLPRegressor  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

ESTIMATORS = [
    MLPClassifier(),
    MLPRegressor(),
    # the SGD solver with Nesterov momentum, on a smaller network to keep the file quick
    MLPClassifier(hidden_layer_sizes=(20,), solver="sgd", learning_rate_init=0.05),
    MLPRegressor(hidden_layer_sizes=(20,), solver="sgd"),
]


@parametrize_with_checks(ESTIMATORS)
def test_scikit_learn_estimator_check(estimator: Any, check: Any) -> None:
    check(estimator)
