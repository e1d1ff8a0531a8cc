"""scikit-learn drop-ins: :class:`MLPClassifier` and :class:`MLPRegressor` on ffnn networks.

``from ffnn import MLPClassifier`` in place of ``from sklearn.neural_network import
MLPClassifier`` is the whole migration: the same constructor parameters and defaults, fitted
attributes, methods, warnings and errors as scikit-learn 1.9, and, from the same
``random_state``, the same initial weights, batches and steps, so that ``loss_curve_`` and
``coefs_`` agree with scikit-learn's to rounding. The network is an :class:`ffnn.Sequential`
(``model_``, emitting logits) trained with scikit-learn's update rules
(:mod:`ffnn.sklearn._optimizers`), losses (:mod:`ffnn.sklearn._losses`) and loop
(:mod:`ffnn.sklearn._training`); :mod:`ffnn.sklearn._base` holds what the two estimators share and
:mod:`ffnn.sklearn._params` checks their arguments.

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
from ffnn.sklearn._params import InvalidParameterError, invalid

__all__ = ["InvalidParameterError", "MLPClassifier", "MLPRegressor"]

_PARAMETERS = """
    Parameters
    ----------
    hidden_layer_sizes : int or sequence of ints, default=(100,)
        Units of each hidden layer; ``()`` for none (a linear model with the output link).
    activation : str or list of str, default="relu"
        Hidden activation: "identity", "logistic", "tanh", "relu" (scikit-learn's) or any
        ffnn activation name ("gelu", "elu", "leaky_relu", "silu", "softplus", ...); a list
        gives one per hidden layer.
    solver : {"lbfgs", "sgd", "adam"}, default="adam"
        "lbfgs": SciPy's L-BFGS-B on the full batch; "sgd" and "adam": mini-batch steps.
    alpha : float >= 0, default=1e-4
        L2 strength; the penalty ``α Σ‖W‖² / (2 Σw)`` of a batch (biases are not penalised).
    batch_size : int or "auto", default="auto"
        Mini-batch size, ``min(200, n_samples)`` for "auto"; clipped to ``n_samples``.
    learning_rate : {"constant", "invscaling", "adaptive"}, default="constant"
        SGD's schedule: "invscaling" ``η = η₀ / (t + 1)^power_t`` (t samples seen),
        "adaptive" divides η by 5 each time ``n_iter_no_change`` epochs bring no improvement.
    learning_rate_init : float > 0, default=1e-3
        η₀, for "sgd" and "adam".
    power_t : float >= 0, default=0.5
        The exponent of "invscaling".
    max_iter : int >= 1, default=200
        Epochs ("sgd", "adam") or L-BFGS iterations; a ``ConvergenceWarning`` when reached.
    shuffle : bool, default=True
        Reshuffle the samples every epoch ("sgd", "adam").
    random_state : None, int or numpy.random.RandomState, default=None
        The one source of randomness: initial weights, the early-stopping split, the batch
        order and dropout masks. An int gives scikit-learn's stream exactly.
    tol : float >= 0, default=1e-4
        An epoch improves when the loss drops (or the validation score rises) by more than
        ``tol``; ``n_iter_no_change`` epochs without improvement stop training. For "lbfgs",
        the projected-gradient tolerance.
    verbose : bool or int, default=False
        Print the loss of every epoch.
    warm_start : bool, default=False
        Continue from the fitted network instead of starting afresh.
    momentum : float in [0, 1], default=0.9
        SGD momentum ``μ`` in ``u ← μu - ηg``.
    nesterovs_momentum : bool, default=True
        SGD steps by ``μu - ηg`` with the new ``u`` (Nesterov).
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the data (stratified for a single-output
        classifier), stop when its score stops improving, and keep the best weights.
    validation_fraction : float in [0, 1), default=0.1
        The held-out share with ``early_stopping``.
    beta_1, beta_2 : float in [0, 1), default=0.9, 0.999
        Adam's decay rates of the first and second moments.
    epsilon : float > 0, default=1e-8
        Adam's ``ε`` in ``m / (√v + ε)``.
    n_iter_no_change : int >= 1 or inf, default=10
        Epochs without improvement before stopping (or, "adaptive", dividing η).
    max_fun : int >= 1, default=15000
        Most loss evaluations for "lbfgs".
    dropout : float in [0, 1), default=0.0
        ffnn: dropout rate after each hidden activation while training ("sgd", "adam").
    callbacks : list of ffnn.callbacks.Callback, default=None
        ffnn: called at the start and end of training, of each epoch (with the logs
        ``loss``, and ``val_loss`` and ``val_score`` with early stopping) and of each batch;
        ``model_.stop_training = True`` stops. For "lbfgs" an epoch is an L-BFGS iteration.
    dtype : None, "float32" or "float64", default=None
        ffnn: the float type of the network; ``None`` follows the input (float32 stays
        float32, anything else computes in float64), as scikit-learn.
"""

_ATTRIBUTES = """
    Attributes
    ----------
    classes_ : ndarray
        The class labels, sorted (classifier only).
    loss_ : float
        The last epoch's mean training loss (penalty included).
    best_loss_ : float or None
        The lowest ``loss_`` ("sgd", "adam"; None with early stopping).
    loss_curve_ : list of float
        ``loss_`` of every epoch ("sgd", "adam").
    validation_scores_, best_validation_score_ : list of float, float, or None
        With early stopping, the validation score of every epoch and the best one.
    t_ : int
        Training samples seen by the solver.
    coefs_, intercepts_ : list of ndarray
        ``coefs_[i]`` ``(units_i, units_{i+1})`` and ``intercepts_[i]`` ``(units_{i+1},)``:
        the network's own arrays (not copies).
    n_features_in_ : int
        Features seen in ``fit``; ``feature_names_in_`` when X had string column names.
    n_iter_ : int
        Epochs (or L-BFGS iterations) run by the last ``fit``.
    n_layers_, n_outputs_ : int
        Layers counting input and output; outputs of the network.
    out_activation_ : str
        The output link.
    model_ : ffnn.Sequential
        ffnn: the trained network (logits out; its ``loss`` supplies the link).
    history_ : ffnn.History
        ffnn: per epoch, ``history_["loss"]``, and with early stopping ``"val_loss"`` and
        ``"val_score"``; for "lbfgs", the loss after each iteration.
"""


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


MLPClassifier.__doc__ = (MLPClassifier.__doc__ or "") + _PARAMETERS + "\n" + _ATTRIBUTES
MLPRegressor.__doc__ = (
    (MLPRegressor.__doc__ or "")
    + """
    Parameters
    ----------
    loss : {"squared_error", "poisson"}, default="squared_error"
        The loss and output link (identity, or exp for Poisson)."""
    + _PARAMETERS.replace("\n    Parameters\n    ----------", "", 1)
    + "\n"
    + _ATTRIBUTES
)
