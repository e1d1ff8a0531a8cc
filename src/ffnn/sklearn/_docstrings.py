"""The parameter and attribute sections of the docstrings of :class:`~ffnn.MLPClassifier` and
:class:`~ffnn.MLPRegressor` (shared text, as scikit-learn's own)."""

from __future__ import annotations

__all__ = ["classifier_docstring", "regressor_docstring"]

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


def classifier_docstring(summary: str | None) -> str:
    """The classifier's docstring: its summary, then the parameters and attributes."""
    return (summary or "") + _PARAMETERS + "\n" + _ATTRIBUTES


def regressor_docstring(summary: str | None) -> str:
    """The regressor's docstring: its summary, ``loss`` first, then the shared sections."""
    return (
        (summary or "")
        + """
    Parameters
    ----------
    loss : {"squared_error", "poisson"}, default="squared_error"
        The loss and output link (identity, or exp for Poisson)."""
        + _PARAMETERS.replace("\n    Parameters\n    ----------", "", 1)
        + "\n"
        + _ATTRIBUTES
    )
