"""The shared base of :class:`ffnn.MLPClassifier` and :class:`ffnn.MLPRegressor`.

:class:`BaseMLP` checks the constructor arguments (:mod:`ffnn.sklearn._params`), builds the
network (``model_``, an :class:`ffnn.Sequential` emitting logits, with scikit-learn's initial
weights), hands it to ffnn's training loop ("sgd", "adam") or to L-BFGS
(:mod:`ffnn.sklearn._training`), and runs inference. The fitted ``coefs_`` and
``intercepts_`` are the network's own arrays, not copies.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from typing import Any

import numpy as np
import scipy.sparse
from sklearn.base import (
    BaseEstimator,
    ClassifierMixin,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
)
from sklearn.utils.validation import check_is_fitted, validate_data

from ffnn import activations
from ffnn._checks import check_dtype
from ffnn.layers import Dense, Dropout, Layer
from ffnn.losses import BinaryCrossEntropy, CrossEntropy, Loss, check_sample_weight
from ffnn.model import Sequential
from ffnn.sklearn._losses import HalfPoissonDeviance, HalfSquaredError, SummedBinaryCrossEntropy
from ffnn.sklearn._params import (
    check_parameters,
    hidden_activations,
    hidden_layer_sizes,
    is_real,
)
from ffnn.sklearn._training import fit_lbfgs, fit_stochastic, forget_batch
from ffnn.training import History, check_trainable

__all__ = ["BaseMLP"]

_OUTPUT_LOSSES: dict[str, type[Loss]] = {
    "softmax": CrossEntropy,
    "logistic": BinaryCrossEntropy,
    "identity": HalfSquaredError,
    "exp": HalfPoissonDeviance,
}
_PREDICT_CHUNK = 4096  # rows of a sparse X densified at a time


def _random_state(random_state: Any) -> np.random.RandomState:
    """scikit-learn's stream: ``RandomState(seed)`` for an int, the instance itself, and for
    ``None`` a fresh unseeded ``RandomState`` (scikit-learn would take NumPy's global one)."""
    if isinstance(random_state, np.random.RandomState):
        return random_state
    return np.random.RandomState(random_state)


# -- the shared estimator ------------------------------------------------------------------------
class BaseMLP(TransformerMixin, ClassNamePrefixFeaturesOutMixin, BaseEstimator):
    """What :class:`MLPClassifier` and :class:`MLPRegressor` share: checks, building the
    network, the entry point of training, inference and the fitted attributes."""

    # fitted state (set by fit; declared for type checkers)
    model_: Sequential
    history_: History
    loss_curve_: list[float]
    loss_: float
    best_loss_: float | None
    validation_scores_: list[float] | None
    best_validation_score_: float | None
    n_iter_: int
    t_: int
    n_outputs_: int
    _optimizer: Any
    _best_weights: list[np.ndarray]
    _no_improvement_count: int

    # -- fitted attributes that live in the network ----------------------------------------
    def _dense_layers(self) -> list[Dense]:
        model = self.__dict__.get("model_")
        if model is None:
            raise AttributeError(f"{type(self).__name__} is not fitted yet")
        return self._dense_of(model)

    @property
    def coefs_(self) -> list[np.ndarray]:
        """The weight matrices, ``coefs_[i]`` of shape ``(units_i, units_{i+1})``: the network's
        own arrays (changes in place reach ``model_``; assigning a list copies it in)."""
        return [layer.weight.data for layer in self._dense_layers()]

    @coefs_.setter
    def coefs_(self, values: Sequence[np.ndarray]) -> None:
        self._assign([layer.weight.data for layer in self._dense_layers()], values, "coefs_")

    @property
    def intercepts_(self) -> list[np.ndarray]:
        """The bias vectors, ``intercepts_[i]`` of shape ``(units_{i+1},)`` (as ``coefs_``)."""
        return [layer.bias.data for layer in self._dense_layers()]

    @intercepts_.setter
    def intercepts_(self, values: Sequence[np.ndarray]) -> None:
        self._assign([layer.bias.data for layer in self._dense_layers()], values, "intercepts_")

    @staticmethod
    def _assign(targets: list[np.ndarray], values: Sequence[np.ndarray], name: str) -> None:
        if len(values) != len(targets):
            raise ValueError(f"{name} needs {len(targets)} arrays, got {len(values)}")
        for i, (target, value) in enumerate(zip(targets, values, strict=True)):
            value = np.asarray(value)
            if value.shape != target.shape:
                raise ValueError(f"{name}[{i}] must have shape {target.shape}, got {value.shape}")
            np.copyto(target, value, casting="same_kind")

    @property
    def _n_features_out(self) -> int:
        """Columns of :meth:`transform`: the last hidden layer's units."""
        return self._dense_layers()[-1].n_in

    # -- checks ----------------------------------------------------------------------------------
    def _is_classifier(self) -> bool:
        return isinstance(self, ClassifierMixin)

    def _check_parameters(self) -> None:
        """Every constructor argument, checked when fitting (scikit-learn's convention)."""
        check_parameters(self)

    # -- fitting ---------------------------------------------------------------------------------
    def _sample_weight(self, sample_weight: Any, n_samples: int, dtype: Any) -> np.ndarray:
        if is_real(sample_weight):  # a number: the same weight for every sample
            sample_weight = np.full(n_samples, sample_weight)
        return check_sample_weight(sample_weight, n_samples, dtype)

    def _fit(self, X: Any, y: Any, sample_weight: Any, incremental: bool) -> Any:
        self._check_parameters()
        hidden = hidden_layer_sizes(self)
        first_pass = "model_" not in self.__dict__ or (not self.warm_start and not incremental)
        if first_pass:
            dtype: Any = (np.float64, np.float32) if self.dtype is None else check_dtype(self.dtype)
        else:
            dtype = self.model_.dtype
        X, y = self._validate_input(X, y, incremental, reset=first_pass, dtype=dtype)
        if scipy.sparse.issparse(X):
            X = X.tocsr()  # rows are gathered batch by batch
        n_samples, n_features = X.shape
        if sample_weight is not None:
            sample_weight = self._sample_weight(sample_weight, n_samples, X.dtype)
        y2d = y.reshape(-1, 1) if y.ndim == 1 else y
        layer_units = [n_features, *hidden, y2d.shape[1]]
        rng = _random_state(self.random_state)
        if first_pass:
            self._initialize(layer_units, X.dtype, rng)
        else:
            self._check_same_network(layer_units)
            self.model_.rng = rng
            for layer in self.model_.layers:
                if isinstance(layer, Dropout):
                    layer.reset_parameters(rng, self.model_.dtype)  # masks from this call's stream
        self.n_outputs_ = y2d.shape[1]
        model = self.model_
        targets = self._loss().prepare_targets(y2d, self.n_outputs_, model.dtype)
        # after scikit-learn's checks, ffnn's: values too large for any finite training
        check_trainable(X, targets, model.dtype)
        train_weight = self._training_weight(sample_weight, targets, incremental)
        try:
            # a diverging run overflows in every layer; it is reported once, below
            with np.errstate(over="ignore", invalid="ignore"):
                if self.solver == "lbfgs":
                    fit_lbfgs(self, X, targets, train_weight)
                else:
                    fit_stochastic(
                        self, X, y, targets, sample_weight, train_weight, rng, incremental
                    )
        finally:
            forget_batch(model)
        if not all(np.isfinite(p.data).all() for p in model.parameters()):
            raise ValueError(
                "Solver produced non-finite parameter weights. The input data may contain "
                "large values and need to be preprocessed."
            )
        return self

    def _training_weight(
        self, sample_weight: np.ndarray | None, targets: np.ndarray, incremental: bool
    ) -> np.ndarray | None:
        """The sample weights the loss sees: the user's, times the class weights (if any)."""
        return sample_weight

    def _initialize(
        self, layer_units: list[int], dtype: np.dtype, rng: np.random.RandomState
    ) -> None:
        """Build ``model_`` and draw scikit-learn's initial weights from ``rng``.

        Layer ``i``'s weights and then its biases are drawn from ``U(-b, b)`` with
        ``b = √(f / (fan_in + fan_out))``, ``f = 2`` after a logistic layer and 6 otherwise
        (Glorot & Bengio, 2010), in scikit-learn's order, so the same seed gives the same
        network. Dropout layers (after each hidden activation) draw their masks from ``rng``.
        """
        self.n_iter_ = 0
        self.t_ = 0
        self.n_outputs_ = layer_units[-1]
        self.n_layers_ = len(layer_units)
        self.out_activation_ = self._output_activation()
        names = hidden_activations(self, len(layer_units) - 2)
        layers: list[Layer] = []
        factors = []
        for i, (fan_in, fan_out) in enumerate(pairwise(layer_units)):
            layers.append(Dense(fan_in, fan_out, initializer="zeros", dtype=dtype))
            # the output layer takes the last hidden layer's factor, as scikit-learn (whose
            # factor is the one activation's)
            name = names[min(i, len(names) - 1)] if names else "relu"
            factors.append(2.0 if name.lower() in ("logistic", "sigmoid") else 6.0)
            if i < len(names):
                layers.append(activations.get(names[i]))
                if self.dropout:
                    layers.append(Dropout(self.dropout))
        model = Sequential(layers, dtype=dtype, random_state=rng)
        for dense, factor in zip(self._dense_of(model), factors, strict=True):
            bound = np.sqrt(factor / (dense.n_in + dense.n_out))
            coef = rng.uniform(-bound, bound, (dense.n_in, dense.n_out))
            intercept = rng.uniform(-bound, bound, dense.n_out)
            np.copyto(dense.weight.data, coef, casting="same_kind")
            np.copyto(dense.bias.data, intercept, casting="same_kind")
        model.loss = _OUTPUT_LOSSES[self.out_activation_]()
        if self.out_activation_ == "logistic" and self.n_outputs_ > 1:
            model.loss = SummedBinaryCrossEntropy()
        self.model_ = model
        self._optimizer = None
        # the weights of the best validation score: kept only when early stopping reads them
        # (a copy of every weight, held for the whole fit)
        self._best_weights = model.get_weights() if self.early_stopping else []
        self.history_ = History({"solver": self.solver, "layer_units": list(layer_units)})
        if self.solver != "lbfgs":
            self.loss_curve_ = []
            self._no_improvement_count = 0
            if self.early_stopping:
                self.validation_scores_ = []
                self.best_validation_score_ = -np.inf
                self.best_loss_ = None
            else:
                self.best_loss_ = np.inf
                self.validation_scores_ = None
                self.best_validation_score_ = None

    @staticmethod
    def _dense_of(model: Sequential) -> list[Dense]:
        return [layer for layer in model.layers if isinstance(layer, Dense)]

    def _check_same_network(self, layer_units: list[int]) -> None:
        fitted = [self._dense_layers()[0].n_in] + [d.n_out for d in self._dense_layers()]
        if fitted != layer_units:
            raise ValueError(
                f"warm_start / partial_fit continue the fitted network with layer sizes "
                f"{fitted}, but the data and hidden_layer_sizes ask for {layer_units}; "
                "set warm_start=False (or call fit) to start a new network"
            )

    def _output_activation(self) -> str:
        raise NotImplementedError

    def _validate_input(
        self, X: Any, y: Any, incremental: bool, reset: bool, dtype: Any
    ) -> tuple[Any, np.ndarray]:
        raise NotImplementedError

    # -- inference -------------------------------------------------------------------------------
    def _checked(self, X: Any) -> Any:
        check_is_fitted(self)
        return validate_data(
            self, X, accept_sparse=["csr", "csc"], reset=False, dtype=self.model_.dtype
        )

    def _run(self, X: Any, layers: Sequence[Layer]) -> np.ndarray:
        """``X`` through ``layers`` in inference mode (a sparse ``X`` a chunk at a time)."""

        def forward(x: np.ndarray) -> np.ndarray:
            if not layers:
                return x.copy()  # never hand back the caller's own array
            for layer in layers:
                x = layer.forward(x, training=False)
            return x

        try:
            if scipy.sparse.issparse(X):
                X = X.tocsr()
                chunks = range(0, X.shape[0], _PREDICT_CHUNK)
                return np.vstack([forward(X[i : i + _PREDICT_CHUNK].toarray()) for i in chunks])
            return forward(X)
        finally:
            forget_batch(self.model_)

    def _logits(self, X: Any) -> np.ndarray:
        """Logits ``(n_samples, n_outputs_)`` for checked ``X``; outputs that overflow are
        refused as ``Sequential.predict`` refuses them (:meth:`Sequential.check_finite_outputs`)."""
        with np.errstate(over="ignore", invalid="ignore"):  # reported below, with the cause
            logits = self._run(X, self.model_.layers)
        return self.model_.check_finite_outputs(logits, X)

    def _loss(self) -> Loss:
        """The network's loss (which also holds the output link)."""
        loss = self.model_.loss
        if loss is None:
            raise RuntimeError(
                f"{type(self).__name__}.model_ has no loss: it was replaced or changed by hand; "
                "fit the estimator again"
            )
        return loss

    def _outputs(self, logits: np.ndarray) -> np.ndarray:
        """The output activation: probabilities or predicted values."""
        return self._loss().link(logits)

    def transform(self, X: Any) -> np.ndarray:
        """The last hidden layer's activations ``(n_samples, hidden_layer_sizes[-1])`` (dropout
        off): the features the output layer reads. Without hidden layers, ``X`` itself.

        A fitted estimator in a :class:`~sklearn.pipeline.Pipeline` before another model
        thus serves as a learned feature extractor; ``fit_transform`` fits, then transforms.
        """
        X = self._checked(X)
        return self._run(X, self.model_.layers[: self._output_index()])

    def _output_index(self) -> int:
        return max(i for i, layer in enumerate(self.model_.layers) if isinstance(layer, Dense))

    def _score_logits(self, logits: np.ndarray, y: np.ndarray, sample_weight: Any) -> float:
        raise NotImplementedError

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        # dtype=None computes in the input's float type; a forced dtype is what comes out
        forced = None
        if self.dtype is not None:
            try:
                forced = check_dtype(self.dtype).name
            except (TypeError, ValueError):
                pass  # fit reports it
        tags.transformer_tags.preserves_dtype = (
            ["float64", "float32"] if forced is None else [forced]
        )
        return tags
