"""ffnn: feedforward neural networks from scratch on NumPy.

The public names are re-exported here; nothing optional (matplotlib, scikit-learn) is imported.
"""

from ffnn import activations, datasets, initializers, losses, metrics, optimizers, tutorial
from ffnn.activations import Identity, LeakyReLU, ReLU, Sigmoid, Tanh
from ffnn.gradcheck import GradientReport, check_gradients
from ffnn.layers import Dense, Layer, Parameter
from ffnn.losses import BinaryCrossEntropy, CrossEntropy, Loss, MeanSquaredError
from ffnn.model import Sequential
from ffnn.optimizers import SGD, Optimizer
from ffnn.training import History

__version__ = "0.1.0"

__all__ = [
    "BinaryCrossEntropy",
    "CrossEntropy",
    "Dense",
    "GradientReport",
    "History",
    "Identity",
    "Layer",
    "LeakyReLU",
    "Loss",
    "MeanSquaredError",
    "Optimizer",
    "Parameter",
    "ReLU",
    "SGD",
    "Sequential",
    "Sigmoid",
    "Tanh",
    "__version__",
    "activations",
    "check_gradients",
    "datasets",
    "initializers",
    "losses",
    "metrics",
    "optimizers",
    "tutorial",
]
