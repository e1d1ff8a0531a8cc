"""The scikit-learn adapter: :class:`MLPClassifier` and :class:`MLPRegressor` (extra ``sklearn``).

Importing this package imports scikit-learn and SciPy; ``import ffnn`` alone never does.
"""

from ffnn.sklearn import _format  # noqa: F401  (registers the model file's "estimator" section)
from ffnn.sklearn.estimators import MLPClassifier, MLPRegressor

__all__ = ["MLPClassifier", "MLPRegressor"]
