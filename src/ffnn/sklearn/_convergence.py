"""scikit-learn's convergence rules, as a callback of the one training loop.

After every epoch :class:`SklearnConvergence` does scikit-learn's bookkeeping, in its order:
``n_iter_``, ``loss_``, ``t_`` and ``loss_curve_``; ``verbose`` prints
``Iteration i, loss = ...``; with early stopping the validation score (accuracy or R²) is
recorded (``Validation score: ...``) and the weights of the best one kept; then the optimizer
hears of the epoch's end (``"invscaling"``). An epoch brings no improvement when the training
loss is above ``best_loss_ - tol`` (or the validation score below the best + ``tol``); after
more than ``n_iter_no_change`` such epochs the optimizer stops training (``"adaptive"`` SGD
first divides its learning rate by 5). At the end of training the best weights are put back
(early stopping), and a ``ConvergenceWarning`` says when ``max_iter`` epochs ran without
converging.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from ffnn._checks import user_stacklevel
from ffnn.callbacks import Callback
from ffnn.sklearn._strategies import SklearnL2

if TYPE_CHECKING:
    from ffnn.sklearn._base import BaseMLP

__all__ = ["SklearnConvergence", "Validation"]

#: A validation set: ``X_val``, the labels or values ``y_val`` as given, their loss targets
#: and sample weights (or ``None``).
Validation = tuple[Any, np.ndarray, np.ndarray, "np.ndarray | None"]


class SklearnConvergence(Callback):
    """scikit-learn's ``tol`` / ``n_iter_no_change`` rules, early stopping and progress lines
    for the estimator ``est`` training on ``n_samples`` samples (see the module docstring).

    It must come first among the loop's callbacks: it adds ``val_loss`` and ``val_score`` to
    the epoch's logs, which the user's callbacks and the history then see.
    """

    def __init__(
        self,
        est: BaseMLP,
        n_samples: int,
        objective: SklearnL2,
        validation: Validation | None,
        incremental: bool,
    ) -> None:
        super().__init__()
        self.est, self.n_samples, self.objective = est, n_samples, objective
        self.validation, self.incremental = validation, incremental
        self.converged = False

    def on_train_begin(self, logs: dict[str, float] | None = None) -> None:
        self.est.n_iter_ = 0
        self.converged = False

    def on_epoch_end(self, epoch: int, logs: dict[str, float] | None = None) -> None:
        if logs is None:
            raise ValueError("SklearnConvergence needs the epoch's logs (with 'loss')")
        est = self.est
        est.n_iter_ += 1
        est.loss_ = logs["loss"]
        est.t_ += self.n_samples
        est.loss_curve_.append(est.loss_)
        if est.verbose:
            print(f"Iteration {est.n_iter_}, loss = {est.loss_:.8f}")
        if self.validation is None:
            improved = self._training_loss_improved(est.loss_)
        else:
            improved = self._validation_improved(self.validation, logs)
        est._no_improvement_count = 0 if improved else est._no_improvement_count + 1
        optimizer = est._optimizer
        optimizer.iteration_ends(est.t_)
        if est._no_improvement_count > est.n_iter_no_change:
            # not better than the last n_iter_no_change epochs by tol: stop, or (adaptive SGD)
            # divide the learning rate by 5
            watched = "Validation score" if self.validation is not None else "Training loss"
            message = (
                f"{watched} did not improve more than tol={est.tol:f} for "
                f"{est.n_iter_no_change} consecutive epochs."
            )
            if optimizer.trigger_stopping(message, bool(est.verbose)):
                self.converged = True
                self._model().stop_training = True
            else:
                est._no_improvement_count = 0

    def _training_loss_improved(self, loss: float) -> bool:
        est = self.est
        best = np.inf if est.best_loss_ is None else est.best_loss_
        improved = not loss > best - est.tol
        if loss < best:
            est.best_loss_ = loss
        return improved

    def _validation_improved(self, validation: Validation, logs: dict[str, float]) -> bool:
        """Score the validation set, add ``val_loss`` and ``val_score`` to ``logs``, keep the
        best weights; whether the score beat the best by ``tol``."""
        est = self.est
        X_val, y_val, targets_val, w_val = validation
        logits = est._run(X_val, est.model_.layers)  # may overflow: the score says so
        score = est._score_logits(logits, y_val, w_val)
        total = float(targets_val.shape[0]) if w_val is None else float(w_val.sum())
        val_loss = est._loss().forward(logits, targets_val, w_val)
        logs["val_loss"] = self.objective.total(val_loss, total)
        logs["val_score"] = score
        if est.validation_scores_ is None:
            est.validation_scores_ = []
        est.validation_scores_.append(score)
        if est.verbose:
            print(f"Validation score: {score:f}")
        best = -np.inf if est.best_validation_score_ is None else est.best_validation_score_
        improved = not score < best + est.tol
        # weights whose validation loss overflows are never kept as the best (their score may
        # still be finite): the weights put back at the end must be good ones
        if score > best and np.isfinite(logs["val_loss"]):
            est.best_validation_score_ = score
            est._best_weights = est.model_.get_weights()
        return improved

    def on_train_end(self, logs: dict[str, float] | None = None) -> None:
        est = self.est
        if self.validation is not None:
            est.model_.set_weights(est._best_weights)  # the weights of the best score
        stopped = self.converged or self._model().stop_training or self.incremental
        if not stopped and est.n_iter_ == est.max_iter:
            warnings.warn(
                f"Stochastic Optimizer: Maximum iterations ({est.max_iter}) reached and the "
                "optimization hasn't converged yet.",
                ConvergenceWarning,
                stacklevel=user_stacklevel(),
            )
