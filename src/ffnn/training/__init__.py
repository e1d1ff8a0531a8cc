"""Training: the one loop (:func:`fit`, :func:`train`) and what it is made of.

- :mod:`~ffnn.training.loop`: ``fit`` (checks the arguments) and ``train`` (the epochs);
- :mod:`~ffnn.training.epoch`: one epoch, batch by batch, and the divergence guard;
- :mod:`~ffnn.training.batching`: batch plans (:class:`ShuffledBatches`), ``iterate_batches``,
  ``split_validation``;
- :mod:`~ffnn.training.objective`: what is minimised beside the loss (:class:`LayerPenalties`);
- :mod:`~ffnn.training.data`: :class:`TrainingData`, checked inputs, targets and weights;
- :mod:`~ffnn.training.history`: :class:`History` and the divergence error and warning;
- :mod:`~ffnn.training.scaling`: the feature-scale diagnostic and the refusal of values too
  large to train on.

Importing this package plugs :func:`fit` into :meth:`ffnn.Sequential.fit`.
"""

from ffnn import model as _model
from ffnn.training.batching import BatchPlan, ShuffledBatches, iterate_batches, split_validation
from ffnn.training.data import TrainingData
from ffnn.training.history import History, TrainingDivergedError, TrainingDivergedWarning
from ffnn.training.loop import fit, train
from ffnn.training.objective import LayerPenalties, Objective
from ffnn.training.scaling import (
    MAX_MAGNITUDE,
    MAX_RANGE_IN_SPREADS,
    MAX_SCALE_RATIO,
    SCALE_SAMPLE_ROWS,
    FeatureScaleWarning,
    check_trainable,
    feature_scale_problem,
    trainable_bound,
)

__all__ = [
    "MAX_MAGNITUDE",
    "MAX_RANGE_IN_SPREADS",
    "MAX_SCALE_RATIO",
    "SCALE_SAMPLE_ROWS",
    "BatchPlan",
    "FeatureScaleWarning",
    "History",
    "LayerPenalties",
    "Objective",
    "ShuffledBatches",
    "TrainingData",
    "TrainingDivergedError",
    "TrainingDivergedWarning",
    "check_trainable",
    "feature_scale_problem",
    "fit",
    "iterate_batches",
    "split_validation",
    "train",
    "trainable_bound",
]

_model.PLUGINS["fit"] = fit  # model.fit(X, y, ...) is this loop
