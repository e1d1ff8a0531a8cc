"""The two training loops of :mod:`ffnn.sklearn.estimators`: scikit-learn's, run on an ffnn network.

Both work on an estimator whose ``model_`` (a :class:`~ffnn.Sequential` emitting logits, with
its ``loss``) is built, and set the fitted attributes scikit-learn's MLP sets, in its order:

- :func:`fit_stochastic` ("sgd", "adam"): for each epoch, the sample indices shuffled by
  ``sklearn.utils.shuffle`` with the estimator's ``RandomState``, cut by
  ``sklearn.utils.gen_batches``; one step per batch; then the tol / ``n_iter_no_change``
  bookkeeping on the training loss (or the validation score with ``early_stopping``).
- :func:`fit_lbfgs`: ``scipy.optimize.minimize(method="L-BFGS-B")`` on the full-batch loss.

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

import warnings
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import numpy as np
import scipy.optimize
import scipy.sparse
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.utils import shuffle

from ffnn.layers import Dense, Parameter
from ffnn.model import Sequential
from ffnn.sklearn._optimizers import SklearnAdam, SklearnSGD

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


def _weights(model: Sequential) -> list[Parameter]:
    return [layer.weight for layer in model.layers if isinstance(layer, Dense)]


def _penalty(model: Sequential, alpha: float, total_weight: float) -> float:
    """``α Σ ‖W‖² / (2 W)``: scikit-learn's L2 term for a batch of total weight ``W``."""
    if not alpha:
        return 0.0
    squares = sum(float(np.dot(w.data.ravel(), w.data.ravel())) for w in _weights(model))
    return 0.5 * alpha * squares / total_weight


def _loss_and_gradients(
    model: Sequential, xb: Any, yb: np.ndarray, wb: np.ndarray | None, alpha: float
) -> tuple[float, float]:
    """Forward and backward on one batch: ``(loss, total_weight)``; every ``.grad`` filled.

    A batch whose weights are all zero has no loss to average: ``(0.0, 0.0)`` and no
    gradients are computed (the caller skips its step).
    """
    if scipy.sparse.issparse(xb):
        xb = xb.toarray()  # one batch at a time: the layers work on dense arrays
    total = float(xb.shape[0]) if wb is None else float(wb.sum())
    if total == 0:
        return 0.0, 0.0
    assert model.loss is not None
    logits = model.forward(xb, training=True)
    loss = model.loss.forward(logits, yb, wb) + _penalty(model, alpha, total)
    model.backward(model.loss.backward(), input_grad=False)
    if alpha:
        for w in _weights(model):
            w.grad += w.data * (alpha / total)
    return loss, total


def _batches(n_samples: int, batch_size: int) -> Iterator[slice]:
    """``sklearn.utils.gen_batches(n_samples, batch_size)``: consecutive slices, the last one
    shorter (written out: the original validates its arguments on every call, every epoch)."""
    for start in range(0, n_samples, batch_size):
        yield slice(start, min(start + batch_size, n_samples))


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
    train, validation = train_test_split(
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
    return train, validation


def _batch_size(est: BaseMLP, n_samples: int) -> int:
    if est.batch_size == "auto":
        return min(200, n_samples)
    if est.batch_size > n_samples:
        warnings.warn(
            "Got `batch_size` less than 1 or larger than sample size. It is going to be clipped",
            stacklevel=4,
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
    """Run "sgd" or "adam" epochs on ``est.model_``, as scikit-learn's ``_fit_stochastic``.

    ``X (n, n_features)``, dense or CSR; ``y`` the checked targets as given (labels are
    needed for the validation score), ``targets (n, n_outputs)`` the loss's; ``sample_weight``
    the user's weights, ``train_weight`` those times the class weights (training only).
    """
    model = est.model_
    # the update rules are element-wise: one pass over the flat buffer of every parameter
    params = [model.flat_parameter()]
    if not incremental or getattr(est, "_optimizer", None) is None:
        est._optimizer = _new_optimizer(est, params)
    optimizer = est._optimizer
    model.optimizer = optimizer
    if est.early_stopping and incremental:
        raise ValueError("partial_fit does not support early_stopping=True")
    validation = None
    if est.early_stopping:
        train, val = _split(est, X.shape[0], targets, rng)
        w_val = None if sample_weight is None else sample_weight[val]
        validation = (X[val], y[val], targets[val], w_val)
        X, targets = X[train], targets[train]
        train_weight = None if train_weight is None else train_weight[train]
    n_samples = X.shape[0]
    batch_size = _batch_size(est, n_samples)
    sample_idx = np.arange(n_samples, dtype=int)
    callbacks = list(est.callbacks or [])
    for callback in callbacks:
        callback.set_model(model)
        callback.on_train_begin()
    model.stop_training = False
    try:
        est.n_iter_ = 0
        for _ in range(est.max_iter):
            if est.shuffle:
                # shuffle the indices, not the data: batches are gathered from them
                sample_idx = shuffle(sample_idx, random_state=rng)
            epoch = len(est.history_)
            for callback in callbacks:
                callback.on_epoch_begin(epoch)
            accumulated_loss = 0.0
            for position, batch_slice in enumerate(_batches(n_samples, batch_size)):
                index = sample_idx[batch_slice] if est.shuffle else batch_slice
                wb = None if train_weight is None else train_weight[index]
                loss, total = _loss_and_gradients(model, X[index], targets[index], wb, est.alpha)
                if total:
                    optimizer.step()
                accumulated_loss += loss * (batch_slice.stop - batch_slice.start)
                for callback in callbacks:
                    callback.on_batch_end(position, {"loss": loss})

            est.n_iter_ += 1
            est.loss_ = accumulated_loss / n_samples
            est.t_ += n_samples
            est.loss_curve_.append(est.loss_)
            if est.verbose:
                print(f"Iteration {est.n_iter_}, loss = {est.loss_:.8f}")
            logs = {"loss": est.loss_}
            logs.update(_update_no_improvement_count(est, validation))
            optimizer.iteration_ends(est.t_)
            est.history_.record(epoch, logs)
            for callback in callbacks:
                callback.on_epoch_end(epoch, logs)

            if est._no_improvement_count > est.n_iter_no_change:
                # not better than the last n_iter_no_change epochs by tol: stop, or (adaptive
                # SGD) divide the learning rate by 5
                watched = "Validation score" if est.early_stopping else "Training loss"
                message = (
                    f"{watched} did not improve more than tol={est.tol:f} for "
                    f"{est.n_iter_no_change} consecutive epochs."
                )
                if optimizer.trigger_stopping(message, bool(est.verbose)):
                    break
                est._no_improvement_count = 0
            if model.stop_training:
                est.history_.stopped_by = "callback"
                break
            if incremental:
                break
            if est.n_iter_ == est.max_iter:
                warnings.warn(
                    f"Stochastic Optimizer: Maximum iterations ({est.max_iter}) reached and the "
                    "optimization hasn't converged yet.",
                    ConvergenceWarning,
                    stacklevel=4,
                )
    except KeyboardInterrupt:
        est.history_.stopped_by = "interrupt"
        warnings.warn("Training interrupted by user.", stacklevel=4)
    for callback in callbacks:
        callback.on_train_end()
    if est.early_stopping:
        model.set_weights(est._best_weights)  # the weights of the best validation score


def _update_no_improvement_count(
    est: BaseMLP, validation: tuple[Any, np.ndarray, np.ndarray, np.ndarray | None] | None
) -> dict[str, float]:
    """scikit-learn's bookkeeping after an epoch; returns the validation logs (if any).

    With a validation set: its score (accuracy or R²) is recorded, an epoch counts as no
    improvement when the score is below the best + tol, and the best weights are kept.
    Without: the epoch's training loss is compared with the best loss - tol.
    """
    if validation is None:
        assert est.best_loss_ is not None  # set to inf when training starts
        if est.loss_curve_[-1] > est.best_loss_ - est.tol:
            est._no_improvement_count += 1
        else:
            est._no_improvement_count = 0
        if est.loss_curve_[-1] < est.best_loss_:
            est.best_loss_ = est.loss_curve_[-1]
        return {}
    X_val, y_val, targets_val, w_val = validation
    logits = est._logits(X_val)
    score = est._score_logits(logits, y_val, w_val)
    assert est.model_.loss is not None
    total = float(targets_val.shape[0]) if w_val is None else float(w_val.sum())
    val_loss = est.model_.loss.forward(logits, targets_val, w_val)
    val_loss += _penalty(est.model_, est.alpha, total)
    assert est.validation_scores_ is not None and est.best_validation_score_ is not None
    est.validation_scores_.append(score)
    if est.verbose:
        print(f"Validation score: {score:f}")
    if score < est.best_validation_score_ + est.tol:
        est._no_improvement_count += 1
    else:
        est._no_improvement_count = 0
    if score > est.best_validation_score_:
        est.best_validation_score_ = score
        est._best_weights = est.model_.get_weights()
    return {"val_loss": val_loss, "val_score": score}


def fit_lbfgs(est: BaseMLP, X: Any, targets: np.ndarray, train_weight: np.ndarray | None) -> None:
    """Minimise the full-batch loss with SciPy's L-BFGS-B, as scikit-learn's ``_fit_lbfgs``.

    The parameters travel as one float64 vector, every weight matrix first, then every bias
    (scikit-learn's packing); ``max_iter``, ``max_fun`` and ``tol`` (as ``gtol``) bound the
    search. Callbacks see one "epoch" per L-BFGS iteration and may stop it.
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

    def objective(packed: np.ndarray) -> tuple[float, np.ndarray]:
        unpack(packed)
        loss, _ = _loss_and_gradients(model, X, targets, train_weight, est.alpha)
        return loss, np.concatenate([p.grad.ravel() for p in params]).astype(np.float64)

    callbacks = list(est.callbacks or [])
    for callback in callbacks:
        callback.set_model(model)
        callback.on_train_begin()
    model.stop_training = False

    def after_iteration(intermediate_result: scipy.optimize.OptimizeResult) -> None:
        epoch = len(est.history_)
        logs = {"loss": float(intermediate_result.fun)}
        if est.verbose:
            print(f"Iteration {epoch + 1}, loss = {logs['loss']:.8f}")
        est.history_.record(epoch, logs)
        for callback in callbacks:
            callback.on_epoch_end(epoch, logs)
        if model.stop_training:
            est.history_.stopped_by = "callback"
            raise StopIteration

    start = np.concatenate([p.data.ravel() for p in params]).astype(np.float64)
    result = scipy.optimize.minimize(
        objective,
        start,
        method="L-BFGS-B",
        jac=True,
        options={"maxfun": est.max_fun, "maxiter": est.max_iter, "gtol": est.tol},
        callback=after_iteration,
    )
    for callback in callbacks:
        callback.on_train_end()
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
            stacklevel=4,
        )
    est.n_iter_ = min(int(result.nit), est.max_iter)
    est.loss_ = float(result.fun)
    unpack(result.x)
