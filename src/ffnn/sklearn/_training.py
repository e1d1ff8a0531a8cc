"""The two ways :mod:`ffnn.sklearn.estimators` train: scikit-learn's, run on an ffnn network.

Both work on an estimator whose ``model_`` (a :class:`~ffnn.Sequential` emitting logits, with
its ``loss``) is built, and set the fitted attributes scikit-learn's MLP sets, in its order:

- :func:`fit_stochastic` ("sgd", "adam"): ffnn's one training loop
  (:func:`ffnn.training.train`, as ``Sequential.fit``), given scikit-learn's batch plan and
  objective (:mod:`ffnn.sklearn._strategies`) and its convergence rules as a callback
  (:mod:`ffnn.sklearn._convergence`), before the user's callbacks.
- :func:`fit_lbfgs`: ``scipy.optimize.minimize(method="L-BFGS-B")`` on the full-batch loss
  (with the same :class:`~ffnn.sklearn._strategies.SklearnL2` penalty).

One step on a batch ``xb (B, n_features)``, ``yb (B, n_outputs)``, weights ``wb (B,)``, with
``W = Σ wb`` (``B`` without weights) and the L2 strength ``α``:

1. ``logits = model.forward(xb, training=True)``;
   ``L = loss(logits, yb, wb) + α Σ_layers ‖W_l‖² / (2 W)`` (scikit-learn's penalty, divided by
   the batch's weight, so the last, smaller batch of an epoch is penalised more);
2. ``model.backward(∂L/∂logits)``; then ``∂L/∂W_l += (α / W) W_l`` (biases are not penalised);
3. ``optimizer.step()`` (:mod:`ffnn.sklearn._optimizers`).

The epoch's ``loss_`` is ``Σ_batches L_b · B_b / n`` (batch sizes, not weights, as scikit-learn).
"""

from __future__ import annotations

import sys
import warnings
from typing import TYPE_CHECKING, Any

import numpy as np
import scipy.optimize
import scipy.sparse
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

from ffnn._checks import user_stacklevel
from ffnn.layers import Dense, Parameter
from ffnn.model import Sequential
from ffnn.sklearn._convergence import SklearnConvergence
from ffnn.sklearn._optimizers import SklearnAdam, SklearnSGD
from ffnn.sklearn._strategies import DenseRows, SklearnBatches, SklearnL2
from ffnn.training import TrainingData, TrainingDivergedError, train

if TYPE_CHECKING:
    from ffnn.sklearn._base import BaseMLP

__all__ = ["fit_lbfgs", "fit_stochastic", "forget_batch"]


def forget_batch(model: Sequential) -> None:
    """Drop the arrays the layers and the loss keep from the last forward pass (inputs,
    activations, masks, gradients), so that a fitted estimator holds, pickles and ships only
    its weights, never a batch or the data last predicted."""
    for layer in model.layers:
        for name in ("_x", "_saved", "_mask"):
            if getattr(layer, name, None) is not None:
                setattr(layer, name, None)
    if model.loss is not None and getattr(model.loss, "_grad", None) is not None:
        model.loss._grad = None


def _new_optimizer(est: BaseMLP, params: list[Parameter]) -> SklearnSGD | SklearnAdam:
    if est.solver == "sgd":
        return SklearnSGD(
            est.learning_rate_init,
            est.learning_rate,
            est.momentum,
            est.nesterovs_momentum,
            est.power_t,
            parameters=params,
        )
    return SklearnAdam(
        est.learning_rate_init, est.beta_1, est.beta_2, est.epsilon, parameters=params
    )


def _split(
    est: BaseMLP, n_samples: int, targets: np.ndarray, rng: np.random.RandomState
) -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's early-stopping split, as indices ``(train, validation)``: stratified
    for a single-output classifier (the same draws as splitting the arrays themselves)."""
    stratify = targets if est._is_classifier() and est.n_outputs_ == 1 else None
    train_index, validation = train_test_split(
        np.arange(n_samples),
        random_state=rng,
        test_size=est.validation_fraction,
        stratify=stratify,
    )
    if validation.shape[0] < 2:
        raise ValueError(
            "The validation set is too small. Increase 'validation_fraction' or the size of "
            "your dataset."
        )
    return train_index, validation


def _batch_size(est: BaseMLP, n_samples: int) -> int:
    if est.batch_size == "auto":
        return min(200, n_samples)
    if est.batch_size > n_samples:
        warnings.warn(
            "Got `batch_size` less than 1 or larger than sample size. It is going to be clipped",
            stacklevel=user_stacklevel(),
        )
    return int(np.clip(est.batch_size, 1, n_samples))


def fit_stochastic(
    est: BaseMLP,
    X: Any,
    y: np.ndarray,
    targets: np.ndarray,
    sample_weight: np.ndarray | None,
    train_weight: np.ndarray | None,
    rng: np.random.RandomState,
    incremental: bool,
) -> None:
    """Run "sgd" or "adam" epochs on ``est.model_`` through ffnn's one loop, as scikit-learn's
    ``_fit_stochastic``: ``max_iter`` epochs (one for ``partial_fit``) at most.

    ``X (n, n_features)``, dense or CSR; ``y`` the checked targets as given (labels are
    needed for the validation score), ``targets (n, n_outputs)`` the loss's; ``sample_weight``
    the user's weights, ``train_weight`` those times the class weights (training only).

    Ctrl-C ends training as in ``Sequential.fit`` (a line on stderr; ``history_.stopped_by``
    is ``"interrupt"``). A diverging run raises scikit-learn's ``ValueError`` with the loop's
    explanation, and leaves the last finite weights the loop restored.
    """
    model = est.model_
    if est.early_stopping and incremental:
        raise ValueError("partial_fit does not support early_stopping=True")
    # the update rules are element-wise: one pass over the flat buffer of every parameter
    if not incremental or getattr(est, "_optimizer", None) is None:
        est._optimizer = _new_optimizer(est, [model.flat_parameter()])
    validation = None
    if est.early_stopping:
        train_index, val = _split(est, X.shape[0], targets, rng)
        w_val = None if sample_weight is None else sample_weight[val]
        validation = (X[val], y[val], targets[val], w_val)
        X, targets = X[train_index], targets[train_index]
        train_weight = None if train_weight is None else train_weight[train_index]
    n_samples = X.shape[0]
    rows = DenseRows(X) if scipy.sparse.issparse(X) else X
    objective = SklearnL2(est.alpha)
    convergence = SklearnConvergence(est, n_samples, objective, validation, incremental)
    start = len(est.history_)
    try:
        history = train(
            model,
            TrainingData(rows, targets, train_weight),
            loss_fn=est._loss(),
            optimizer=est._optimizer,
            epochs=start + (1 if incremental else est.max_iter),
            initial_epoch=start,
            batch_size=_batch_size(est, n_samples),
            batches=SklearnBatches(rng, est.shuffle),
            objective=objective,
            callbacks=[convergence, *(est.callbacks or [])],
        )
    except TrainingDivergedError as error:
        est.history_.extend(error.history)
        kept = (
            " With early_stopping, the weights of the best validation score were kept instead."
            if validation is not None
            else ""
        )
        raise ValueError(
            "Solver produced non-finite parameter weights. The input data may contain large "
            f"values and need to be preprocessed. ({error}{kept})"
        ) from error
    est.history_.extend(history)


def fit_lbfgs(est: BaseMLP, X: Any, targets: np.ndarray, train_weight: np.ndarray | None) -> None:
    """Minimise the full-batch loss with SciPy's L-BFGS-B, as scikit-learn's ``_fit_lbfgs``.

    The parameters travel as one float64 vector, every weight matrix first, then every bias
    (scikit-learn's packing); ``max_iter``, ``max_fun`` and ``tol`` (as ``gtol``) bound the
    search. Callbacks see one "epoch" per L-BFGS iteration and may stop it.

    It ends with finite weights: Ctrl-C restores the last iterate L-BFGS accepted (the
    starting weights before the first) and ends as the loop does (``stopped_by ==
    "interrupt"``); if SciPy ends on a non-finite loss or parameters, the same weights are
    restored and scikit-learn's ``ValueError`` ("Solver produced non-finite parameter
    weights") says so.
    """
    model = est.model_
    if scipy.sparse.issparse(X):
        X = X.toarray()
    dense = [layer for layer in model.layers if isinstance(layer, Dense)]
    params = [d.weight for d in dense] + [d.bias for d in dense]
    bounds = np.cumsum([0] + [p.size for p in params])

    def unpack(packed: np.ndarray) -> None:
        for p, start, stop in zip(params, bounds[:-1], bounds[1:], strict=True):
            np.copyto(p.data, packed[start:stop].reshape(p.shape), casting="same_kind")

    penalty = SklearnL2(est.alpha)
    penalty.bind(model)
    total = float(X.shape[0]) if train_weight is None else float(train_weight.sum())
    loss_fn = est._loss()

    def objective(packed: np.ndarray) -> tuple[float, np.ndarray]:
        """The full-batch loss and its gradient, packed, at the parameters ``packed``."""
        unpack(packed)
        logits = model.forward(X, training=True)
        loss = penalty.total(loss_fn.forward(logits, targets, train_weight), total)
        model.backward(loss_fn.backward(), input_grad=False)
        penalty.add_gradients(total)
        return loss, np.concatenate([p.grad.ravel() for p in params]).astype(np.float64)

    callbacks = list(est.callbacks or [])
    for callback in callbacks:
        callback.set_model(model)
        callback.on_train_begin()
    model.stop_training = False
    start = np.concatenate([p.data.ravel() for p in params]).astype(np.float64)
    # the last iterate L-BFGS accepted with finite parameters and loss (one vector, beside the
    # ten pairs L-BFGS keeps): what comes back after Ctrl-C or a non-finite end
    good = start.copy()
    good_at: dict[str, float] = {}  # the iteration (from 1) and loss of `good`, once one ended

    def after_iteration(intermediate_result: scipy.optimize.OptimizeResult) -> None:
        epoch = len(est.history_)
        logs = {"loss": float(intermediate_result.fun)}
        if np.isfinite(logs["loss"]) and np.isfinite(intermediate_result.x).all():
            np.copyto(good, intermediate_result.x)
            good_at.update(iteration=epoch - first + 1, loss=logs["loss"])
        if est.verbose:
            print(f"Iteration {epoch + 1}, loss = {logs['loss']:.8f}")
        est.history_.record(epoch, logs)
        for callback in callbacks:
            callback.on_epoch_end(epoch, logs)
        if model.stop_training:
            est.history_.stopped_by = "callback"
            raise StopIteration

    first = len(est.history_)
    try:
        result = scipy.optimize.minimize(
            objective,
            start,
            method="L-BFGS-B",
            jac=True,
            options={"maxfun": est.max_fun, "maxiter": est.max_iter, "gtol": est.tol},
            callback=after_iteration,
        )
    except KeyboardInterrupt:
        est.loss_ = good_at["loss"] if good_at else objective(good)[0]
        unpack(good)
        _interrupted(est, callbacks, len(est.history_) - first, int(good_at.get("iteration", 0)))
        return
    for callback in callbacks:
        callback.on_train_end()
    if not (np.isfinite(result.fun) and np.isfinite(result.x).all()):
        unpack(good)
        restored = (
            f"the weights of iteration {int(good_at['iteration'])} were restored"
            if good_at
            else "the starting weights were restored"
        )
        raise ValueError(
            "Solver produced non-finite parameter weights. The input data may contain large "
            f"values and need to be preprocessed. (L-BFGS-B ended with a non-finite loss or "
            f"parameters after {result.nit} iteration(s); {restored}. Scale the inputs, e.g. "
            "with sklearn.preprocessing.StandardScaler.)"
        )
    if not result.success and not model.stop_training:
        message = result.message
        if isinstance(message, bytes):
            message = message.decode("latin1")
        warnings.warn(
            f"lbfgs failed to converge after {result.nit} iteration(s) (status={result.status}):"
            f"\n{message}.\n\nIncrease the number of iterations to improve the convergence "
            f"(max_iter={est.max_iter}), or scale the data (e.g. with "
            "sklearn.preprocessing.StandardScaler).",
            ConvergenceWarning,
            stacklevel=user_stacklevel(),
        )
    est.n_iter_ = min(int(result.nit), est.max_iter)
    est.loss_ = float(result.fun)
    unpack(result.x)


def _interrupted(est: BaseMLP, callbacks: list[Any], iterations: int, restored: int) -> None:
    """Ctrl-C during L-BFGS, after ``iterations`` finished ones: as in the loop, a line on
    stderr and ``stopped_by == "interrupt"``. The caller has restored the last accepted
    iterate, that of iteration ``restored`` (0: the starting weights): a line search may have
    been trying any parameters, finite or not, when Ctrl-C came."""
    est.history_.stopped_by = "interrupt"
    est.n_iter_ = min(iterations, est.max_iter)
    for callback in callbacks:
        callback.on_train_end()
    which = f"those of iteration {restored}" if restored else "the starting ones"
    print(
        f"Training interrupted (Ctrl-C) during L-BFGS after {iterations} iteration(s); the last "
        f"good weights ({which}) were restored.",
        file=sys.stderr,
    )
