"""scikit-learn drop-ins: :class:`MLPClassifier` and :class:`MLPRegressor` on ffnn networks.

``from ffnn import MLPClassifier`` in place of ``from sklearn.neural_network import
MLPClassifier`` is the whole migration: the same constructor parameters and defaults, fitted
attributes, methods, warnings and errors as scikit-learn 1.9, and, from the same
``random_state``, the same initial weights, batches and steps, so that ``loss_curve_`` and
``coefs_`` agree with scikit-learn's to rounding. The network is an :class:`ffnn.Sequential`
(``model_``, emitting logits) trained with scikit-learn's update rules
(:mod:`ffnn.sklearn._optimizers`) and losses (:mod:`ffnn.sklearn._losses`); "sgd" and "adam"
run ffnn's one training loop with scikit-learn's batches and penalty
(:mod:`ffnn.sklearn._strategies`) and convergence rules (:mod:`ffnn.sklearn._convergence`),
"lbfgs" runs SciPy (:mod:`ffnn.sklearn._training`). :mod:`ffnn.sklearn._base` holds what the
two estimators share and :mod:`ffnn.sklearn._params` checks their arguments.

Beyond scikit-learn, off by default so that defaults behave the same:

- ``dropout``: a rate for the hidden layers (inverted dropout after each hidden activation);
- ``class_weight`` (classifier): ``{label: weight}`` or ``"balanced"``;
- ``activation`` may be a list, one name per hidden layer, and any ffnn activation name
  (``"gelu"``, ``"elu"``, ...) besides scikit-learn's four;
- ``callbacks``: ffnn callbacks (:class:`~ffnn.EarlyStopping`, :class:`~ffnn.CSVLogger`, ...),
  which see ``model_`` and the logs ``loss``, ``val_loss``, ``val_score``;
- ``dtype``: ``None`` computes in float32 for float32 input and float64 otherwise, as
  scikit-learn; ``"float32"`` or ``"float64"`` forces one;
- ``history_`` (an :class:`ffnn.History`: training loss, and with ``early_stopping`` the
  validation loss and score, per epoch), ``transform(X)`` (the last hidden layer's activations,
  so the estimator is also a transformer) and ``model_`` (the trained ``Sequential``).

Needs scikit-learn >= 1.6 and SciPy (``pip install 'ffnn[sklearn]'``); ``import ffnn`` does
not import them: ``ffnn.MLPClassifier`` loads this module on first use.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

try:
    import scipy.optimize  # noqa: F401  (the "lbfgs" solver)
    from sklearn.base import ClassifierMixin, RegressorMixin
    from sklearn.metrics import accuracy_score, r2_score
    from sklearn.preprocessing import LabelBinarizer
    from sklearn.utils.metaestimators import available_if
    from sklearn.utils.multiclass import type_of_target, unique_labels
    from sklearn.utils.validation import column_or_1d, validate_data
except ImportError as error:  # pragma: no cover - exercised without the extra
    raise ImportError(
        "ffnn.MLPClassifier and ffnn.MLPRegressor need scikit-learn (>= 1.6) and SciPy: "
        "pip install 'ffnn[sklearn]'"
    ) from error

from ffnn.activations import sigmoid
from ffnn.losses import check_sample_weight, class_weight_to_sample_weight
from ffnn.sklearn._base import BaseMLP
from ffnn.sklearn._docstrings import classifier_docstring, regressor_docstring
from ffnn.sklearn._params import InvalidParameterError, invalid

__all__ = ["InvalidParameterError", "MLPClassifier", "MLPRegressor"]


def _stochastic_solver(estimator: MLPClassifier) -> bool:
    if estimator.solver not in ("sgd", "adam"):
        raise AttributeError(
            "partial_fit is only available for stochastic optimizers. "
            f"{estimator.solver} is not stochastic."
        )
    return True


class MLPClassifier(ClassifierMixin, BaseMLP):
    """Multi-layer perceptron classifier: scikit-learn's ``MLPClassifier`` on an ffnn network.

    Minimises the log loss, ``-Σ_i w_i Σ_k y_ik log p_ik / Σ_i w_i`` plus the L2 penalty, with
    a softmax output for several classes and a logistic one for two classes and for
    multi-label targets (a 0/1 indicator matrix ``(n_samples, n_labels)``).
    """

    loss = "log_loss"  # scikit-learn keeps this name on the classifier too

    def __init__(
        self,
        hidden_layer_sizes: Any = (100,),
        activation: Any = "relu",
        *,
        solver: str = "adam",
        alpha: float = 0.0001,
        batch_size: Any = "auto",
        learning_rate: str = "constant",
        learning_rate_init: float = 0.001,
        power_t: float = 0.5,
        max_iter: int = 200,
        shuffle: bool = True,
        random_state: Any = None,
        tol: float = 1e-4,
        verbose: Any = False,
        warm_start: bool = False,
        momentum: float = 0.9,
        nesterovs_momentum: bool = True,
        early_stopping: bool = False,
        validation_fraction: float = 0.1,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-8,
        n_iter_no_change: Any = 10,
        max_fun: int = 15000,
        dropout: float = 0.0,
        class_weight: Any = None,
        callbacks: Any = None,
        dtype: Any = None,
    ) -> None:
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun
        self.dropout = dropout
        self.class_weight = class_weight
        self.callbacks = callbacks
        self.dtype = dtype

    # -- fitting -----------------------------------------------------------------------------
    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> MLPClassifier:
        """Fit to ``X (n_samples, n_features)`` (dense or sparse) and labels ``y
        (n_samples,)`` or a multi-label indicator ``(n_samples, n_labels)``; ``sample_weight
        (n_samples,)`` weighs each sample's loss. Returns ``self``."""
        return self._fit(X, y, sample_weight, incremental=False)

    @available_if(_stochastic_solver)
    def partial_fit(
        self, X: Any, y: Any, sample_weight: Any = None, classes: Any = None
    ) -> MLPClassifier:
        """One epoch over ``(X, y)``, continuing the fitted network ("sgd" and "adam").

        ``classes`` (every label the stream will hold) is required on the first call. Calls
        on consecutive blocks of a large array (a ``numpy.memmap``) train out of core.
        """
        if self._first_partial_fit(classes):
            self._label_binarizer = LabelBinarizer()
            if type_of_target(y).startswith("multilabel"):
                self._label_binarizer.fit(y)
            else:
                self._label_binarizer.fit(classes)
        return self._fit(X, y, sample_weight, incremental=True)

    def _first_partial_fit(self, classes: Any) -> bool:
        fitted = getattr(self, "classes_", None)
        if fitted is None and classes is None:
            raise ValueError("classes must be passed on the first call to partial_fit.")
        if classes is None:
            return False
        if fitted is not None:
            if not np.array_equal(fitted, unique_labels(classes)):
                raise ValueError(
                    f"`classes={classes!r}` is not the same as on last call to partial_fit, "
                    f"was: {fitted!r}"
                )
            return False
        self.classes_ = unique_labels(classes)
        return True

    def _check_parameters(self) -> None:
        super()._check_parameters()
        weights = self.class_weight
        if not (weights is None or weights == "balanced" or isinstance(weights, Mapping)):
            raise invalid(self, "class_weight", "None, 'balanced' or a dict {label: weight}")

    def _validate_input(
        self, X: Any, y: Any, incremental: bool, reset: bool, dtype: Any
    ) -> tuple[Any, np.ndarray]:
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse=["csr", "csc"],
            multi_output=True,
            dtype=dtype,
            reset=reset,
        )
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        if "classes_" not in self.__dict__ or (not self.warm_start and not incremental):
            self._label_binarizer = LabelBinarizer()
            self._label_binarizer.fit(y)
            self.classes_ = self._label_binarizer.classes_
        else:
            classes = unique_labels(y)
            if self.warm_start:
                if set(classes) != set(self.classes_):
                    raise ValueError(
                        "warm_start can only be used where `y` has the same classes as in the "
                        f"previous call to fit. Previously got {self.classes_}, `y` has "
                        f"{classes}"
                    )
            elif len(np.setdiff1d(classes, self.classes_, assume_unique=True)):
                raise ValueError(
                    f"`y` has classes not in `self.classes_`. `self.classes_` has "
                    f"{self.classes_}. 'y' has {classes}."
                )
        # bool, so that float32 data are not upcast
        return X, self._label_binarizer.transform(y).astype(bool)

    def _output_activation(self) -> str:
        return "softmax" if self._label_binarizer.y_type_ == "multiclass" else "logistic"

    def _training_weight(
        self, sample_weight: np.ndarray | None, targets: np.ndarray, incremental: bool
    ) -> np.ndarray | None:
        """Sample weights times class weights: ``w_i · c_{y_i}``, with ``c`` from
        ``class_weight`` (``"balanced"``: ``n / (n_classes · count_c)``)."""
        if self.class_weight is None:
            return sample_weight
        if isinstance(self.class_weight, str):
            if incremental:
                raise ValueError(
                    "class_weight='balanced' needs the class counts of the whole data, which "
                    "partial_fit never sees; pass a dict, e.g. from "
                    "sklearn.utils.class_weight.compute_class_weight"
                )
            by_index: Any = self.class_weight
        else:
            position = {label: i for i, label in enumerate(self.classes_)}
            unknown = [label for label in self.class_weight if label not in position]
            if unknown:
                raise ValueError(
                    f"class_weight has labels {unknown} that are not among the classes "
                    f"{list(self.classes_)}"
                )
            by_index = {position[label]: w for label, w in self.class_weight.items()}
        per_sample = class_weight_to_sample_weight(by_index, targets, self._loss())
        weights = per_sample if sample_weight is None else sample_weight * per_sample
        return check_sample_weight(weights, targets.shape[0], targets.dtype)

    # -- inference ---------------------------------------------------------------------------
    def _labels(self, logits: np.ndarray) -> np.ndarray:
        probabilities = self._outputs(logits)
        if self.n_outputs_ == 1:
            probabilities = probabilities.ravel()
        return self._label_binarizer.inverse_transform(probabilities)

    def predict(self, X: Any) -> np.ndarray:
        """Labels ``(n_samples,)``, or an indicator ``(n_samples, n_labels)`` (multi-label)."""
        return self._labels(self._logits(self._checked(X)))

    def predict_proba(self, X: Any) -> np.ndarray:
        """Probabilities ``(n_samples, n_classes)`` in the order of ``classes_``: softmax, or
        ``[σ(-z), σ(z)]`` for two classes (computed from the logit ``z``, not as ``1 - p``),
        or ``σ(z)`` per label (multi-label)."""
        logits = self._logits(self._checked(X))
        if self.n_outputs_ == 1:
            z = logits[:, 0]
            return np.column_stack([sigmoid(-z), sigmoid(z)])
        return self._outputs(logits)

    def predict_log_proba(self, X: Any) -> np.ndarray:
        """``log(predict_proba(X))`` (``-inf`` where a probability underflows to 0)."""
        probabilities = self.predict_proba(X)
        with np.errstate(divide="ignore"):
            return np.log(probabilities, out=probabilities)

    def _score_logits(self, logits: np.ndarray, y: np.ndarray, sample_weight: Any) -> float:
        """Accuracy on a validation set (``y`` binarized as in training)."""
        labels = self._label_binarizer.inverse_transform(y)
        return float(accuracy_score(labels, self._labels(logits), sample_weight=sample_weight))

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags


class MLPRegressor(RegressorMixin, BaseMLP):
    """Multi-layer perceptron regressor: scikit-learn's ``MLPRegressor`` on an ffnn network.

    ``loss="squared_error"``: half the mean squared error, ``½ mean_k Σ_i w_i (z_ik - y_ik)² /
    Σ_i w_i``, identity output. ``loss="poisson"``: half the Poisson deviance with a log link,
    ``μ = eᶻ``, for targets ``y >= 0``. One or several outputs.
    """

    def __init__(
        self,
        loss: str = "squared_error",
        hidden_layer_sizes: Any = (100,),
        activation: Any = "relu",
        *,
        solver: str = "adam",
        alpha: float = 0.0001,
        batch_size: Any = "auto",
        learning_rate: str = "constant",
        learning_rate_init: float = 0.001,
        power_t: float = 0.5,
        max_iter: int = 200,
        shuffle: bool = True,
        random_state: Any = None,
        tol: float = 1e-4,
        verbose: Any = False,
        warm_start: bool = False,
        momentum: float = 0.9,
        nesterovs_momentum: bool = True,
        early_stopping: bool = False,
        validation_fraction: float = 0.1,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-8,
        n_iter_no_change: Any = 10,
        max_fun: int = 15000,
        dropout: float = 0.0,
        callbacks: Any = None,
        dtype: Any = None,
    ) -> None:
        self.loss = loss
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun
        self.dropout = dropout
        self.callbacks = callbacks
        self.dtype = dtype

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> MLPRegressor:
        """Fit to ``X (n_samples, n_features)`` (dense or sparse) and targets ``y (n_samples,)``
        or ``(n_samples, n_outputs)``; ``sample_weight (n_samples,)``. Returns ``self``."""
        return self._fit(X, y, sample_weight, incremental=False)

    def partial_fit(self, X: Any, y: Any, sample_weight: Any = None) -> MLPRegressor:
        """One epoch over ``(X, y)``, continuing the fitted network; calls on consecutive
        blocks of a large array (a ``numpy.memmap``) train out of core. (As in scikit-learn,
        the regressor offers it for "lbfgs" too, which then runs a full L-BFGS fit.)"""
        return self._fit(X, y, sample_weight, incremental=True)

    def _check_parameters(self) -> None:
        super()._check_parameters()
        if self.loss not in ("squared_error", "poisson"):
            raise invalid(self, "loss", "a str among {'poisson', 'squared_error'}")

    def _validate_input(
        self, X: Any, y: Any, incremental: bool, reset: bool, dtype: Any
    ) -> tuple[Any, np.ndarray]:
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse=["csr", "csc"],
            multi_output=True,
            y_numeric=True,
            dtype=dtype,
            reset=reset,
        )
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        return X, y

    def _output_activation(self) -> str:
        return "exp" if self.loss == "poisson" else "identity"

    def _values(self, logits: np.ndarray) -> np.ndarray:
        values = self._outputs(logits)
        return values.ravel() if values.shape[1] == 1 else values

    def predict(self, X: Any) -> np.ndarray:
        """Predicted values ``(n_samples,)``, or ``(n_samples, n_outputs)``."""
        return self._values(self._logits(self._checked(X)))

    def _score_logits(self, logits: np.ndarray, y: np.ndarray, sample_weight: Any) -> float:
        """R² on a validation set (NaN when a prediction is not finite)."""
        predictions = self._values(logits)
        if not np.isfinite(predictions).all():
            return float("nan")
        return float(r2_score(y, predictions, sample_weight=sample_weight))

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags


MLPClassifier.__doc__ = classifier_docstring(MLPClassifier.__doc__)
MLPRegressor.__doc__ = regressor_docstring(MLPRegressor.__doc__)
