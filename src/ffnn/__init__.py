"""ffnn: feedforward neural networks from scratch on NumPy.

The public names are re-exported here; nothing optional (matplotlib, scikit-learn) is imported.
"""

from ffnn import (
    activations,
    callbacks,
    datasets,
    initializers,
    io,
    losses,
    metrics,
    optimizers,
    regularizers,
    schedules,
    tutorial,
)
from ffnn.activations import (
    ELU,
    GELU,
    Identity,
    LeakyReLU,
    ReLU,
    Sigmoid,
    SiLU,
    Softmax,
    Softplus,
    Tanh,
)
from ffnn.callbacks import (
    Callback,
    CSVLogger,
    EarlyStopping,
    LearningRateScheduler,
    ModelCheckpoint,
    ReduceLROnPlateau,
)
from ffnn.gradcheck import GradientReport, check_gradients
from ffnn.io import load, save
from ffnn.layers import Dense, Dropout, Layer, Parameter
from ffnn.losses import (
    BinaryCrossEntropy,
    CrossEntropy,
    Huber,
    Loss,
    MeanAbsoluteError,
    MeanSquaredError,
)
from ffnn.model import Sequential
from ffnn.normalization import BatchNorm, LayerNorm
from ffnn.optimizers import SGD, Adagrad, Adam, AdamW, Optimizer, RMSprop
from ffnn.regularizers import L1, L1L2, L2
from ffnn.training import History, TrainingDivergedError, TrainingDivergedWarning

__version__ = "0.1.0"

__all__ = [
    "Adagrad",
    "Adam",
    "AdamW",
    "BatchNorm",
    "BinaryCrossEntropy",
    "CSVLogger",
    "Callback",
    "CrossEntropy",
    "Dense",
    "Dropout",
    "ELU",
    "EarlyStopping",
    "GELU",
    "GradientReport",
    "History",
    "Huber",
    "Identity",
    "L1",
    "L1L2",
    "L2",
    "Layer",
    "LayerNorm",
    "LeakyReLU",
    "LearningRateScheduler",
    "Loss",
    "ModelCheckpoint",
    "MeanAbsoluteError",
    "MeanSquaredError",
    "Optimizer",
    "Parameter",
    "RMSprop",
    "ReduceLROnPlateau",
    "ReLU",
    "SGD",
    "Sequential",
    "SiLU",
    "Sigmoid",
    "Softmax",
    "Softplus",
    "Tanh",
    "TrainingDivergedError",
    "TrainingDivergedWarning",
    "__version__",
    "activations",
    "callbacks",
    "check_gradients",
    "datasets",
    "initializers",
    "io",
    "load",
    "losses",
    "metrics",
    "optimizers",
    "regularizers",
    "save",
    "schedules",
    "tutorial",
]
