"""The scikit-learn adapter: :class:`MLPClassifier` and :class:`MLPRegressor` (extra ``sklearn``).

Importing this package imports scikit-learn and SciPy; ``import ffnn`` alone never does.
"""

# The estimators first: without scikit-learn, importing them names the extra to install.
from ffnn.sklearn.estimators import MLPClassifier, MLPRegressor  # isort: skip

# The model file's "estimator" section, registered with ffnn.io.
from ffnn.sklearn import _format  # noqa: F401, I001

__all__ = ["MLPClassifier", "MLPRegressor"]
