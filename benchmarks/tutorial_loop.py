"""The tutorial's script in plain NumPy: the 1.0x reference of the "tiny" workload.

Written as the tutorial writes it, with no ffnn code and none of ffnn.tutorial's guards: one
function per step, parameters in a dict, ``np.random.seed(42)`` before drawing the weights, the
loss computed on every iteration and recorded every 100. Only the ``print`` is left out, since
every contender of the workload runs silently.
"""

from __future__ import annotations

import numpy as np

Parameters = dict[str, np.ndarray]


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-z))


def relu(z: np.ndarray) -> np.ndarray:
    return np.maximum(0, z)


def relu_derivative(z: np.ndarray) -> np.ndarray:
    return (z > 0).astype(float)


def initialize_parameters(input_size: int, hidden_size: int, output_size: int) -> Parameters:
    np.random.seed(42)  # noqa: NPY002 - the tutorial seeds the global generator
    W1 = np.random.randn(input_size, hidden_size) * 0.01  # noqa: NPY002
    b1 = np.zeros((1, hidden_size))
    W2 = np.random.randn(hidden_size, output_size) * 0.01  # noqa: NPY002
    b2 = np.zeros((1, output_size))
    return {"W1": W1, "b1": b1, "W2": W2, "b2": b2}


def forward_propagation(X: np.ndarray, parameters: Parameters) -> tuple[np.ndarray, Parameters]:
    Z1 = np.dot(X, parameters["W1"]) + parameters["b1"]  # (m, hidden)
    A1 = relu(Z1)
    Z2 = np.dot(A1, parameters["W2"]) + parameters["b2"]  # (m, 1)
    A2 = sigmoid(Z2)
    return A2, {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2}


def compute_loss(y: np.ndarray, y_hat: np.ndarray) -> float:
    m = y.shape[0]
    return float(-(1 / m) * np.sum(y * np.log(y_hat) + (1 - y) * np.log(1 - y_hat)))


def backward_propagation(
    X: np.ndarray, y: np.ndarray, cache: Parameters, parameters: Parameters
) -> Parameters:
    m = X.shape[0]
    dZ2 = cache["A2"] - y  # (m, 1)
    dW2 = (1 / m) * np.dot(cache["A1"].T, dZ2)
    db2 = (1 / m) * np.sum(dZ2, axis=0, keepdims=True)
    dZ1 = np.dot(dZ2, parameters["W2"].T) * relu_derivative(cache["Z1"])  # (m, hidden)
    dW1 = (1 / m) * np.dot(X.T, dZ1)
    db1 = (1 / m) * np.sum(dZ1, axis=0, keepdims=True)
    return {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}


def update_parameters(
    parameters: Parameters, gradients: Parameters, learning_rate: float
) -> Parameters:
    for name in ("W1", "b1", "W2", "b2"):
        parameters[name] -= learning_rate * gradients["d" + name]
    return parameters


def train(
    X: np.ndarray,
    y: np.ndarray,
    hidden_size: int = 4,
    learning_rate: float = 0.1,
    num_iterations: int = 10000,
) -> tuple[Parameters, list[float]]:
    """Full-batch gradient descent; the parameters and the losses recorded every 100 steps."""
    parameters = initialize_parameters(X.shape[1], hidden_size, y.shape[1])
    losses = []
    for i in range(num_iterations):
        y_hat, cache = forward_propagation(X, parameters)
        loss = compute_loss(y, y_hat)
        gradients = backward_propagation(X, y, cache, parameters)
        parameters = update_parameters(parameters, gradients, learning_rate)
        if i % 100 == 0:
            losses.append(loss)
    return parameters, losses


def predict_proba(X: np.ndarray, parameters: Parameters) -> np.ndarray:
    """σ of the network's output, ``(m, 1)``."""
    return forward_propagation(X, parameters)[0]
