"""ffnn: feedforward neural networks from scratch on NumPy.

The public names are re-exported here; nothing optional (matplotlib, scikit-learn) is imported.
"""

import typing as _typing

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
from ffnn._version import __version__  # noqa: E402
from ffnn.activations import (
    ELU,
    GELU,
    Identity,
    LeakyReLU,
    Mish,
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
from ffnn.glassbox import StepTrace, explain_step
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
from ffnn.preprocessing import TablePreprocessor
from ffnn.regularizers import L1, L1L2, L2
from ffnn.training import (
    FeatureScaleWarning,
    History,
    TrainingDivergedError,
    TrainingDivergedWarning,
)

# The scikit-learn estimators need the `sklearn` extra; they load on first use, so that
# `import ffnn` never imports scikit-learn or SciPy (type checkers see them directly).
if _typing.TYPE_CHECKING:
    from ffnn.onnx import export_onnx as export_onnx
    from ffnn.sklearn.estimators import MLPClassifier as MLPClassifier
    from ffnn.sklearn.estimators import MLPRegressor as MLPRegressor

_ESTIMATORS = ("MLPClassifier", "MLPRegressor")


def _provide_sklearn(kind: str, name: str) -> str | None:
    """A provider for ffnn.io (the file format never imports the scikit-learn adapter; the
    facade may): a file that names what ffnn.io does not know (the ``"estimator"`` section,
    or a loss or optimizer the adapter registers, such as ``SklearnAdam`` in a checkpoint
    written while an estimator trained) imports ``ffnn.sklearn`` on first need."""
    if kind == "section" and name != "estimator":
        return None
    try:
        import ffnn.sklearn  # noqa: F401  (registers its section, losses and optimizers)
    except ImportError:
        if kind == "section":
            return (
                "it holds a fitted ffnn MLPClassifier or MLPRegressor, which needs "
                "scikit-learn and SciPy to load: pip install 'ffnn[sklearn]'"
            )
        return (
            f"if the file comes from ffnn's scikit-learn estimators, {name} needs "
            "scikit-learn and SciPy to load: pip install 'ffnn[sklearn]'"
        )
    return None


io.add_provider(_provide_sklearn)


def __getattr__(name: str) -> object:
    if name in _ESTIMATORS:
        from ffnn.sklearn import estimators

        return getattr(estimators, name)
    if name == "export_onnx":  # the `onnx` extra; ffnn.onnx imports onnx when called
        from ffnn.onnx import export_onnx

        return export_onnx
    raise AttributeError(f"module 'ffnn' has no attribute {name!r}")


def __dir__() -> list[str]:
    # Public names only, and the module's dunders: submodules that Python sets as attributes when
    # they are imported (ffnn.model, ffnn.cli, ...) stay reachable but are not listed. The
    # estimators are listed but kept out of __all__, so that `from ffnn import *` never imports
    # scikit-learn.
    return sorted({*__all__, *_ESTIMATORS, *(name for name in globals() if name[:2] == "__")})


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
    "FeatureScaleWarning",
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
    "Mish",
    "SiLU",
    "Sigmoid",
    "Softmax",
    "Softplus",
    "StepTrace",
    "TablePreprocessor",
    "Tanh",
    "TrainingDivergedError",
    "TrainingDivergedWarning",
    "__version__",
    "activations",
    "callbacks",
    "check_gradients",
    "datasets",
    "explain_step",
    "export_onnx",
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
