"""The tutorial's network as plain functions: the bridge from a first script to the library.

A 2-4-1 network (ReLU hidden layer, sigmoid output) trained with binary cross-entropy and
full-batch gradient descent, written as the tutorial writes it: parameters in a dict, one
function per step, weights stored ``(n_in, n_out)`` so that a layer is ``Z = X @ W + b``.

Driven as the tutorial drives them, these functions give the tutorial's numbers: the same
100 recorded losses and the same accuracy. Two guards are added where the tutorial would
print ``nan`` or warn: the sigmoid ignores overflow in ``exp`` (the result, 0 or 1, is right),
and the loss clips probabilities to ``[tiny, 1 - eps]`` before the logarithm. Neither touches a
value that the tutorial's own data produces, so its numbers are unchanged.

Where each function lives in the library:

=======================  ==============================================================
``sigmoid``              :class:`ffnn.activations.Sigmoid` (and the sigmoid link of
                         :class:`ffnn.losses.BinaryCrossEntropy`)
``relu``                 :class:`ffnn.activations.ReLU`
``initialize_parameters`` :class:`ffnn.initializers.TutorialNormal`
``forward_propagation``  :meth:`ffnn.Sequential.forward`
``compute_loss``         :class:`ffnn.losses.BinaryCrossEntropy` (from logits)
``backward_propagation`` :meth:`ffnn.Sequential.backward`
``update_parameters``    :class:`ffnn.optimizers.SGD`
``train``                :meth:`ffnn.Sequential.fit`
``predict``              :meth:`ffnn.Sequential.predict`
=======================  ==============================================================
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from ffnn.model import Sequential

__all__ = [
    "sigmoid",
    "sigmoid_derivative",
    "relu",
    "relu_derivative",
    "initialize_parameters",
    "forward_propagation",
    "compute_loss",
    "backward_propagation",
    "update_parameters",
    "train",
    "predict",
    "tutorial_network",
]

Parameters = dict[str, np.ndarray]


def sigmoid(z: np.ndarray) -> np.ndarray:
    """Logistic function ``σ(z) = 1 / (1 + exp(-z))``, element-wise; any shape.

    ``exp(-z)`` overflows to ``inf`` for ``z < -709`` (float64); ``1 / inf`` is the right
    answer, 0, so the overflow warning is silenced.
    """
    with np.errstate(over="ignore"):
        return 1 / (1 + np.exp(-z))


def sigmoid_derivative(z: np.ndarray) -> np.ndarray:
    """Derivative of the sigmoid, ``σ'(z) = σ(z) (1 - σ(z))``, element-wise; any shape."""
    s = sigmoid(z)
    return s * (1 - s)


def relu(z: np.ndarray) -> np.ndarray:
    """Rectified linear unit ``max(0, z)``, element-wise; any shape."""
    return np.maximum(0, z)


def relu_derivative(z: np.ndarray) -> np.ndarray:
    """Derivative of ReLU: 1 where ``z > 0``, else 0 (0 at the kink), as floats; any shape."""
    return (z > 0).astype(float)


def initialize_parameters(
    input_size: int, hidden_size: int, output_size: int, seed: int = 42
) -> Parameters:
    """Small random weights and zero biases, drawn as the tutorial draws them.

    Seeds NumPy's legacy global generator (``np.random.seed(seed)``), then draws
    ``W1 = randn(input_size, hidden_size) * 0.01`` and
    ``W2 = randn(hidden_size, output_size) * 0.01`` in that order; ``b1`` and ``b2`` are zeros.

    Returns
    -------
    dict with ``W1 (input_size, hidden_size)``, ``b1 (1, hidden_size)``,
    ``W2 (hidden_size, output_size)``, ``b2 (1, output_size)``, all float64.
    """
    # The tutorial seeds the global generator; doing the same keeps its exact numbers.
    np.random.seed(seed)  # noqa: NPY002
    W1 = np.random.randn(input_size, hidden_size) * 0.01  # noqa: NPY002
    b1 = np.zeros((1, hidden_size))
    W2 = np.random.randn(hidden_size, output_size) * 0.01  # noqa: NPY002
    b2 = np.zeros((1, output_size))
    return {"W1": W1, "b1": b1, "W2": W2, "b2": b2}


def forward_propagation(X: np.ndarray, parameters: Parameters) -> tuple[np.ndarray, Parameters]:
    """One forward pass through the 2-layer network.

    ``Z1 = X W1 + b1``, ``A1 = relu(Z1)``, ``Z2 = A1 W2 + b2``, ``A2 = σ(Z2)``.

    Parameters
    ----------
    X : (m, input_size)
    parameters : the dict from :func:`initialize_parameters`.

    Returns
    -------
    A2 : (m, output_size), the predicted probabilities.
    cache : dict of ``Z1, A1 (m, hidden_size)`` and ``Z2, A2 (m, output_size)``, for the
        backward pass.
    """
    Z1 = np.dot(X, parameters["W1"]) + parameters["b1"]  # (m, hidden)
    A1 = relu(Z1)
    Z2 = np.dot(A1, parameters["W2"]) + parameters["b2"]  # (m, output)
    A2 = sigmoid(Z2)
    return A2, {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2}


def compute_loss(y: np.ndarray, y_hat: np.ndarray) -> float:
    """Mean binary cross-entropy on probabilities.

    ``L = -(1/m) Σ [y log ŷ + (1 - y) log(1 - ŷ)]``

    ``ŷ`` is clipped to ``[tiny, 1 - eps]`` first: an exact 0 or 1 would give ``log(0)`` and a
    ``nan`` (``0 · -inf``). The clip never binds on probabilities inside that range.

    Parameters
    ----------
    y : (m, output_size) labels in {0, 1}
    y_hat : (m, output_size) probabilities
    """
    m = y.shape[0]
    finfo = np.finfo(np.result_type(y_hat, np.float32))
    y_hat = np.clip(y_hat, finfo.tiny, 1 - finfo.eps)
    return float(-(1 / m) * np.sum(y * np.log(y_hat) + (1 - y) * np.log(1 - y_hat)))


def backward_propagation(
    X: np.ndarray, y: np.ndarray, cache: Parameters, parameters: Parameters
) -> Parameters:
    """Gradients of the mean binary cross-entropy with respect to every parameter.

    ``dZ2 = A2 - y`` (sigmoid and cross-entropy together: ``∂L/∂Z2 = σ(Z2) - y``, per sample),
    ``dW2 = A1ᵀ dZ2 / m``, ``db2 = Σ dZ2 / m``, ``dZ1 = dZ2 W2ᵀ ⊙ [Z1 > 0]``,
    ``dW1 = Xᵀ dZ1 / m``, ``db1 = Σ dZ1 / m``.

    Returns
    -------
    dict of ``dW1, db1, dW2, db2``, each shaped like its parameter.
    """
    m = X.shape[0]
    W2 = parameters["W2"]
    A1 = cache["A1"]
    dZ2 = cache["A2"] - y  # (m, output)
    dW2 = (1 / m) * np.dot(A1.T, dZ2)  # (hidden, output)
    db2 = (1 / m) * np.sum(dZ2, axis=0, keepdims=True)  # (1, output)
    dZ1 = np.dot(dZ2, W2.T) * relu_derivative(cache["Z1"])  # (m, hidden)
    dW1 = (1 / m) * np.dot(X.T, dZ1)  # (input, hidden)
    db1 = (1 / m) * np.sum(dZ1, axis=0, keepdims=True)  # (1, hidden)
    return {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}


def update_parameters(
    parameters: Parameters, gradients: Parameters, learning_rate: float = 0.01
) -> Parameters:
    """One gradient-descent step in place: ``θ ← θ - learning_rate · dθ`` for W1, b1, W2, b2."""
    for name in ("W1", "b1", "W2", "b2"):
        parameters[name] -= learning_rate * gradients["d" + name]
    return parameters


def train(
    X: np.ndarray,
    y: np.ndarray,
    hidden_size: int = 4,
    learning_rate: float = 0.1,
    num_iterations: int = 10000,
    *,
    seed: int = 42,
    plot: bool = True,
    verbose: bool = True,
    losses: list[float] | None = None,
) -> Parameters:
    """Full-batch gradient descent, as the tutorial trains.

    Each iteration runs forward, backward and update; every 100 iterations the loss (of that
    iteration's forward pass, before its update) is recorded and printed as
    ``Iteration i, Loss: x.xxxxxx``. At the end the recorded losses are plotted as the
    "Training Loss Curve" when matplotlib is installed; the window is shown only on an
    interactive backend, so a machine without a display neither blocks nor fails.

    Parameters
    ----------
    X : (m, input_size)
    y : (m, output_size) labels in {0, 1}
    seed : seed of :func:`initialize_parameters` (the tutorial's is 42).
    plot : draw the loss curve at the end.
    verbose : print the loss lines.
    losses : if a list is given, the recorded losses are appended to it at full precision.

    Returns
    -------
    The trained parameters (see :func:`initialize_parameters`).
    """
    input_size = X.shape[1]
    output_size = y.shape[1]
    parameters = initialize_parameters(input_size, hidden_size, output_size, seed=seed)
    recorded: list[float] = [] if losses is None else losses
    for i in range(num_iterations):
        y_hat, cache = forward_propagation(X, parameters)
        gradients = backward_propagation(X, y, cache, parameters)
        parameters = update_parameters(parameters, gradients, learning_rate)
        if i % 100 == 0:
            # The tutorial computes the loss every iteration and keeps one in 100; computing
            # only the kept ones gives the same numbers (training never reads the loss).
            loss = compute_loss(y, y_hat)
            recorded.append(loss)
            if verbose:
                print(f"Iteration {i}, Loss: {loss:.6f}")
    if plot:
        _show_loss_curve(recorded)
    return parameters


def _show_loss_curve(losses: list[float]) -> None:
    """Plot the recorded losses as the tutorial does; silently skipped without matplotlib."""
    from ffnn.plotting import plot_loss_curve, show_if_interactive

    try:
        plot_loss_curve(losses)
    except ImportError:
        return
    show_if_interactive()


def predict(X: np.ndarray, parameters: Parameters) -> np.ndarray:
    """Class labels: 1 where the predicted probability exceeds 0.5, else 0.

    Returns
    -------
    (m, output_size) array of ints.
    """
    y_hat, _ = forward_propagation(X, parameters)
    return (y_hat > 0.5).astype(int)


def tutorial_network(
    input_size: int = 2, hidden_size: int = 4, output_size: int = 1, seed: int = 42
) -> Sequential:
    """The tutorial's network as a :class:`ffnn.Sequential`, float64, initialised as the tutorial.

    ``Dense(input_size, hidden_size) → ReLU → Dense(hidden_size, output_size)``; the output is a
    logit, to be trained with ``loss="binary_cross_entropy"`` (the sigmoid lives in the loss).
    The weights come from ``np.random.RandomState(seed)`` with the tutorial's ``randn · 0.01``
    in the tutorial's order, so they equal :func:`initialize_parameters`'s.
    """
    from ffnn.activations import ReLU
    from ffnn.layers import Dense
    from ffnn.model import Sequential

    return Sequential(
        [
            Dense(input_size, hidden_size, initializer="tutorial"),
            ReLU(),
            Dense(hidden_size, output_size, initializer="tutorial"),
        ],
        dtype=np.float64,
        random_state=np.random.RandomState(seed),  # noqa: NPY002
    )
