"""How ``ffnn train`` holds out validation rows and reports early stopping.

The validation split of a classifier is stratified, as scikit-learn's early stopping does it;
the run ends with one line saying where it stopped and which epoch's weights it keeps.
"""

from __future__ import annotations

import numpy as np

from ffnn.callbacks import EarlyStopping
from ffnn.cli._common import UsageError
from ffnn.training import History, split_validation

__all__ = ["early_stopping_line", "validation_rows"]


def validation_rows(
    n_rows: int, labels: np.ndarray | None, fraction: float, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Row indices ``(train, validation)``, both sorted, drawn from ``seed``.

    A regression (``labels`` ``None``) holds out ``ceil(fraction · n)`` rows at random, as
    :func:`ffnn.training.split_validation` does. A classifier's split is stratified, as
    scikit-learn's early stopping does it: ``round(fraction · n_k)`` rows of each class ``k``
    (at least one for a class of two rows or more, never all of a class), so the validation
    loss sees every class in its share; where that holds out nothing (every class has one row),
    the rows are drawn as for a regression. :class:`UsageError` if no row is left to train on.
    """
    rng = np.random.default_rng(seed)
    val = np.arange(0) if labels is None else _stratified(labels, fraction, rng)
    if val.size:
        return np.setdiff1d(np.arange(n_rows), val), val
    try:
        return split_validation(n_rows, fraction, rng)
    except ValueError as error:
        raise UsageError(f"--validation-split: {error}") from None


def _stratified(labels: np.ndarray, fraction: float, rng: np.random.Generator) -> np.ndarray:
    """The validation rows of a stratified split, sorted (empty if none can be held out)."""
    held: list[np.ndarray] = []
    for label in np.unique(labels):
        rows = np.flatnonzero(labels == label)
        n_val = min(max(round(fraction * rows.size), 1 if rows.size >= 2 else 0), rows.size - 1)
        held.append(rng.permutation(rows)[:n_val])
    return np.sort(np.concatenate(held))


def early_stopping_line(
    stopper: EarlyStopping, history: History, max_epochs: int, penalised: bool = False
) -> str:
    """``Early stopping: stopped at epoch 37 of 200 (val_loss no better for 10 epochs); best
    val_loss 0.0812 at epoch 27, whose weights are kept.`` (or ``ran all 200 epochs; ...``).

    ``penalised``: the monitored loss holds the L2 term (as ``fit``'s losses do), which the
    scores printed after it leave out; the line then says so, so that the two numbers are not
    taken for one."""
    monitor = stopper.monitor
    if history.stopped_by == "callback":
        how = (
            f"stopped at epoch {len(history)} of {max_epochs} ({monitor} no better for "
            f"{stopper.patience} epochs)"
        )
    else:
        how = f"ran all {len(history)} epochs"
    return (
        f"Early stopping: {how}; best {monitor} {stopper.best:.4g} at epoch "
        f"{stopper.best_epoch + 1}, whose weights are kept"
        + (
            f" ({monitor} here includes the L2 penalty; the scores below do not)."
            if penalised
            else "."
        )
    )
