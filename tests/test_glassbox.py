"""explain_step prints the library's own arrays, and they are the textbook's numbers.

References: a hand computation in plain NumPy (the tutorial's 2-4-1 network, and a 3-class
softmax network), central finite differences of the loss, ``model.forward`` / ``backward`` on
an untouched copy, one ``SGD`` step, and ``ffnn.tutorial``'s own functions.
"""

from __future__ import annotations

import copy
import io

import numpy as np
import pytest

import ffnn
from ffnn import tutorial
from ffnn.datasets import make_blobs, tutorial_blobs
from ffnn.glassbox import StepTrace, explain_step


@pytest.fixture(scope="module")
def blobs() -> tuple[np.ndarray, np.ndarray]:
    return tutorial_blobs()


def quiet(*args, **kwargs) -> StepTrace:
    return explain_step(*args, verbose=False, **kwargs)


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-z))


def numeric_gradients(model, X, targets, loss_fn, epsilon=1e-6) -> dict[str, np.ndarray]:
    """Central differences of loss + penalty for every W{l}, b{l} (float64 models)."""
    work = copy.deepcopy(model)
    dense = [layer for layer in work.layers if isinstance(layer, ffnn.Dense)]
    result = {}
    for index, layer in enumerate(dense, start=1):
        for name, param in (("W", layer.weight), ("b", layer.bias)):
            numeric = np.zeros(param.shape)
            for i in np.ndindex(param.shape):
                original = param.data[i]
                values = []
                for shift in (epsilon, -epsilon):
                    param.data[i] = original + shift
                    logits = work.forward(X, training=True)
                    values.append(loss_fn.forward(logits, targets) + work.penalty())
                param.data[i] = original
                numeric[i] = (values[0] - values[1]) / (2 * epsilon)
            result[f"d{name}{index}"] = numeric
    return result


# -- the tutorial's network, by hand -----------------------------------------------------------
def test_tutorial_network_trace_equals_a_hand_computation(blobs):
    X, y = blobs
    model = tutorial.tutorial_network()
    trace = quiet(model, X, y, loss="binary_cross_entropy", learning_rate=0.1)
    W1, b1, W2, b2 = (trace.parameters[k] for k in ("W1", "b1", "W2", "b2"))
    m = X.shape[0]
    Z1 = X @ W1 + b1
    A1 = np.maximum(0, Z1)
    Z2 = A1 @ W2 + b2
    A2 = sigmoid(Z2)
    loss = -np.mean(y * np.log(A2) + (1 - y) * np.log(1 - A2))
    dZ2 = (A2 - y) / m
    dW2, db2 = A1.T @ dZ2, dZ2.sum(axis=0)
    dA1 = dZ2 @ W2.T
    dZ1 = dA1 * (Z1 > 0)
    dW1, db1 = X.T @ dZ1, dZ1.sum(axis=0)
    expected = {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2}
    for name, value in expected.items():
        np.testing.assert_allclose(trace.forward[name], value, rtol=1e-12, atol=1e-15)
    assert trace.loss == pytest.approx(loss, rel=1e-12)
    backward = {"dZ2": dZ2, "dW2": dW2, "db2": db2, "dA1": dA1, "dZ1": dZ1}
    backward |= {"dW1": dW1, "db1": db1}
    assert list(trace.backward) == list(backward)  # computed last layer first, as printed
    for name, value in backward.items():
        np.testing.assert_allclose(trace.backward[name], value, rtol=1e-10, atol=1e-18)
    np.testing.assert_array_equal(trace.y, y)
    updated = {"W1": W1 - 0.1 * dW1, "b1": b1 - 0.1 * db1, "W2": W2 - 0.1 * dW2}
    for name, value in updated.items():
        np.testing.assert_allclose(trace.updated[name], value, rtol=1e-10, atol=1e-18)


def test_tutorial_network_trace_gives_the_tutorial_functions_numbers(blobs):
    X, y = blobs
    trace = quiet(tutorial.tutorial_network(), X, y, loss="bce")
    parameters = tutorial.initialize_parameters(2, 4, 1)
    y_hat, cache = tutorial.forward_propagation(X, parameters)
    gradients = tutorial.backward_propagation(X, y, cache, parameters)
    assert trace.loss == pytest.approx(tutorial.compute_loss(y, y_hat), rel=1e-12)
    assert trace.loss == pytest.approx(0.693156, abs=5e-7)  # the tutorial's "Iteration 0"
    for name in ("Z1", "A1", "Z2", "A2"):
        np.testing.assert_allclose(trace.forward[name], cache[name], rtol=1e-12, atol=1e-18)
    assert list(trace.gradients) == ["dW1", "db1", "dW2", "db2"]
    for name, value in gradients.items():
        # the tutorial keeps b as (1, n) rows; the library's biases are (n,)
        np.testing.assert_allclose(
            trace.gradients[name],
            value.reshape(-1 if name[1] == "b" else value.shape),
            rtol=1e-10,
            atol=1e-18,
        )
    tutorial.update_parameters(parameters, gradients, 0.1)
    for name, value in parameters.items():
        np.testing.assert_allclose(trace.updated[name].reshape(value.shape), value, rtol=1e-12)


# -- a 3-class softmax network, by hand --------------------------------------------------------
def test_softmax_network_trace_equals_a_hand_computation():
    X, labels = make_blobs(n_samples=30, centers=3, random_state=0)
    model = ffnn.Sequential(
        [ffnn.Dense(2, 5), ffnn.Tanh(), ffnn.Dense(5, 3)], dtype="float64", random_state=1
    )
    trace = quiet(model, X, labels, loss="cross_entropy", learning_rate=0.5)
    W1, b1, W2, b2 = (trace.parameters[k] for k in ("W1", "b1", "W2", "b2"))
    m = X.shape[0]
    Y = np.eye(3)[labels]
    Z1 = X @ W1 + b1
    A1 = np.tanh(Z1)
    Z2 = A1 @ W2 + b2
    A2 = np.exp(Z2) / np.exp(Z2).sum(axis=1, keepdims=True)
    loss = -np.mean(np.sum(Y * np.log(A2), axis=1))
    dZ2 = (A2 - Y) / m
    dA1 = dZ2 @ W2.T
    dZ1 = dA1 * (1 - A1**2)
    expected = {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2}
    for name, value in expected.items():
        np.testing.assert_allclose(trace.forward[name], value, rtol=1e-12, atol=1e-14)
    assert trace.loss == pytest.approx(loss, rel=1e-12)
    np.testing.assert_array_equal(trace.y, Y)
    backward = {"dZ2": dZ2, "dW2": A1.T @ dZ2, "db2": dZ2.sum(axis=0), "dA1": dA1}
    backward |= {"dZ1": dZ1, "dW1": X.T @ dZ1, "db1": dZ1.sum(axis=0)}
    for name, value in backward.items():
        np.testing.assert_allclose(trace.backward[name], value, rtol=1e-10, atol=1e-15)
    np.testing.assert_allclose(trace.updated["W2"], W2 - 0.5 * backward["dW2"], rtol=1e-12)
    assert "A2 = softmax(Z2)" in trace.text
    assert "dZ1 = dA1 * tanh'(Z1),  tanh'(z) = 1 - tanh(z)²" in trace.text


# -- finite differences --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("layers", "loss", "targets"),
    [
        ("tutorial", "binary_cross_entropy", "binary"),
        ("l2", "binary_cross_entropy", "binary"),
        ("deep", "cross_entropy", "labels"),
        ("sigmoid_out", "mse", "values"),
        ("deep", "huber", "values3"),
        ("deep", "mae", "values3"),
    ],
)
def test_trace_gradients_equal_finite_differences(layers, loss, targets):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(12, 2))
    stacks = {
        "tutorial": [ffnn.Dense(2, 4), ffnn.ReLU(), ffnn.Dense(4, 1)],
        "l2": [ffnn.Dense(2, 4, regularizer=ffnn.L2(0.05)), ffnn.Tanh(), ffnn.Dense(4, 1)],
        "deep": [ffnn.Dense(2, 4), ffnn.SiLU(), ffnn.Dense(4, 4), ffnn.Dense(4, 3)],
        "sigmoid_out": [ffnn.Dense(2, 3), ffnn.ELU(), ffnn.Dense(3, 1), ffnn.Sigmoid()],
    }
    model = ffnn.Sequential(stacks[layers], dtype="float64", random_state=3)
    y = {
        "binary": (X[:, 0] > 0).astype(float),
        "labels": rng.integers(0, 3, size=12),
        "values": rng.uniform(size=12),
        "values3": rng.normal(size=(12, 3)),
    }[targets]
    trace = quiet(model, X, y, loss=loss)
    loss_fn = ffnn.losses.get(loss)
    numeric = numeric_gradients(model, X, trace.y, loss_fn)
    assert list(numeric) == list(trace.gradients)
    for name, value in numeric.items():
        np.testing.assert_allclose(trace.gradients[name], value, rtol=1e-5, atol=1e-8)
    if layers == "l2":
        assert trace.penalty == pytest.approx(0.05 * np.sum(trace.parameters["W1"] ** 2))
        assert "dW1 = X.T @ dZ1 + ∂R/∂W1,  R = L2(0.05)" in trace.text


# -- the arrays are the library's ---------------------------------------------------------------
ACTIVATIONS = [
    ffnn.ReLU(),
    ffnn.LeakyReLU(0.1),
    ffnn.ELU(0.5),
    ffnn.GELU(),
    ffnn.GELU(approximate="tanh"),
    ffnn.SiLU(),
    ffnn.Softplus(),
    ffnn.Mish(),
    ffnn.Sigmoid(),
    ffnn.Tanh(),
    ffnn.Identity(),
    ffnn.Softmax(),
]


@pytest.mark.parametrize("activation", ACTIVATIONS, ids=repr)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_trace_equals_model_forward_and_backward(activation, dtype):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(7, 3))
    y = rng.integers(0, 2, size=7)
    layers = [ffnn.Dense(3, 5), copy.deepcopy(activation), ffnn.Dense(5, 1)]
    model = ffnn.Sequential(layers, dtype=dtype, random_state=0)
    reference = copy.deepcopy(model)
    trace = quiet(model, X, y, loss="binary_cross_entropy")
    Xd = X.astype(dtype)
    hidden = reference.layers[1].forward(reference.layers[0].forward(Xd, training=True))
    logits = reference.forward(Xd, training=True)
    loss_fn = ffnn.BinaryCrossEntropy()
    targets = loss_fn.prepare_targets(y, 1, dtype)
    loss = loss_fn.forward(logits, targets)
    reference.backward(loss_fn.backward())
    np.testing.assert_array_equal(trace.forward["A1"], hidden)
    np.testing.assert_array_equal(trace.forward["Z2"], logits)
    assert trace.loss == loss
    grads = [p.grad for p in reference.parameters()]
    for value, expected in zip(trace.gradients.values(), grads, strict=True):
        np.testing.assert_array_equal(value, expected)
    assert trace.forward["A1"].dtype == np.dtype(dtype)
    name = {"GELU": "gelu", "LeakyReLU": "leaky_relu", "SiLU": "silu"}.get(
        type(activation).__name__, type(activation).__name__.lower()
    )
    assert f"A1 = {name}(Z1)" in trace.text


# -- the printout -------------------------------------------------------------------------------
def test_printout_names_every_formula_and_shows_the_numbers(blobs):
    X, y = blobs
    printed = io.StringIO()
    trace = explain_step(
        tutorial.tutorial_network(), X, y, loss="binary_cross_entropy", file=printed, precision=5
    )
    text = printed.getvalue()
    assert text == trace.text + "\n" == str(trace) + "\n"
    for formula in [
        "Z1 = X @ W1 + b1",
        "A1 = relu(Z1),  relu(z) = max(0, z)",
        "Z2 = A1 @ W2 + b2",
        "A2 = σ(Z2) = 1 / (1 + exp(-Z2))",
        "L = -(1/m) Σ [y·log A2 + (1 - y)·log(1 - A2)] = 0.693156",
        "dZ2 = (A2 - y) / m",
        "dW2 = A1.T @ dZ2",
        "db2 = Σ over the rows of dZ2",
        "dA1 = dZ2 @ W2.T",
        "dZ1 = dA1 * relu'(Z1),  relu'(z) = 1 if z > 0 else 0",
        "dW1 = X.T @ dZ1",
        "db1 = Σ over the rows of dZ1",
        "W1 ← W1 - learning_rate · dW1",
        "b2 ← b2 - learning_rate · db2",
        "shape (300, 4)",
        "m = 300 samples",
    ]:
        assert formula in text, formula
    assert "dA0" not in text  # no gradient for the inputs, as in the tutorial
    assert trace.formulas["dW1"] == "dW1 = X.T @ dZ1"
    assert trace.formulas["W1"] == "W1"
    assert trace.formulas["W1 (updated)"] == "W1 ← W1 - learning_rate · dW1"
    assert trace.formulas["L"] == "L = -(1/m) Σ [y·log A2 + (1 - y)·log(1 - A2)]"
    for name, formula in trace.formulas.items():
        assert formula in text, name
    # the numbers printed are the trace's, at the requested precision
    assert f"{trace.parameters['W1'][0, 0]:.5f}" in text
    assert f"{trace.backward['dW2'][2, 0]:.5f}" in text
    assert f"{trace.updated['W1'][1, 2]:.5f}" in text
    # 300 rows: the first and last 3 shown (max_rows=6)
    assert f"{trace.forward['Z1'][-1, 3]:.5f}" in text
    assert f"{trace.forward['Z1'][150, 3]:.5f}" not in text
    assert "..." in text


def test_small_arrays_print_whole_and_verbose_false_prints_nothing(capsys):
    X = np.array([[1.0, 2.0], [3.0, -1.0]])
    model = tutorial.tutorial_network()
    trace = explain_step(model, X, [1, 0], loss="bce", max_rows=2)
    assert capsys.readouterr().out == trace.text + "\n"
    assert "..." in trace.text  # W1 has 4 columns > max_rows
    trace = explain_step(model, X, [1, 0], loss="bce", verbose=False, max_rows=4)
    assert capsys.readouterr().out == ""
    assert "..." not in trace.text


# -- the update -------------------------------------------------------------------------------
def test_model_is_unchanged_unless_update_is_asked(blobs):
    X, y = blobs
    model = tutorial.tutorial_network()
    before = model.get_weights()
    trace = quiet(model, X, y, loss="bce", learning_rate=0.3)
    assert not trace.applied
    for value, expected in zip(model.get_weights(), before, strict=True):
        np.testing.assert_array_equal(value, expected)
    assert "the model is unchanged" in trace.text


def test_update_is_exactly_one_sgd_step(blobs):
    X, y = blobs
    model = tutorial.tutorial_network()
    reference = copy.deepcopy(model)
    trace = quiet(model, X, y, loss="bce", learning_rate=0.3, update=True)
    assert trace.applied and "applied to the model" in trace.text
    loss_fn = ffnn.BinaryCrossEntropy()
    loss_fn.forward(reference.forward(X, training=True), y)
    reference.backward(loss_fn.backward())
    ffnn.SGD(0.3, parameters=reference.parameters()).step()
    for value, expected in zip(model.get_weights(), reference.get_weights(), strict=True):
        np.testing.assert_array_equal(value, expected)
    for value, expected in zip(trace.updated.values(), model.get_weights(), strict=True):
        np.testing.assert_array_equal(value, expected)
    # and the shown-only update gives the same numbers
    shown = quiet(copy.deepcopy(reference), X, y, loss="bce", learning_rate=0.3)
    again = quiet(reference, X, y, loss="bce", learning_rate=0.3, update=True)
    for name in shown.updated:
        np.testing.assert_array_equal(shown.updated[name], again.updated[name])


def test_repeated_update_steps_follow_the_tutorial_training(blobs):
    X, y = blobs
    model = tutorial.tutorial_network()
    for _ in range(3):
        quiet(model, X, y, loss="bce", learning_rate=0.1, update=True)
    parameters = tutorial.initialize_parameters(2, 4, 1)
    for _ in range(3):
        _, cache = tutorial.forward_propagation(X, parameters)
        gradients = tutorial.backward_propagation(X, y, cache, parameters)
        tutorial.update_parameters(parameters, gradients, 0.1)
    np.testing.assert_allclose(model.layers[0].weight.data, parameters["W1"], rtol=1e-12)
    np.testing.assert_allclose(model.layers[2].bias.data, parameters["b2"][0], rtol=1e-10)


def test_the_model_loss_is_used_when_none_is_given(blobs):
    X, y = blobs
    model = tutorial.tutorial_network()
    model.loss = ffnn.BinaryCrossEntropy()
    assert quiet(model, X, y).loss == quiet(model, X, y, loss="bce").loss


# -- user classes, and layers outside the Dense + activation pattern ---------------------------
class Swish(ffnn.Layer):
    """A user's activation with no formula declared: y = x σ(x)."""

    def forward(self, x, training=False):
        self._x = x
        return x * sigmoid(x)

    def backward(self, grad):
        s = sigmoid(self._x)
        return grad * (s + self._x * s * (1 - s))


class DeclaredSwish(Swish):
    formula = "A = swish(Z),  swish(z) = z·σ(z)"
    derivative = "dZ = dA * swish'(Z),  swish'(z) = σ(z)·(1 + z·(1 - σ(z)))"


class Scale(ffnn.Layer):
    """A user's layer with a parameter: y = x ⊙ s, s (n,) learned."""

    formula = "A = Z ⊙ scale"

    def __init__(self, n):
        self.scale = ffnn.layers.Parameter(np.linspace(0.5, 1.5, n), "scale")

    def parameters(self):
        return [self.scale]

    def reset_parameters(self, rng, dtype, default_initializer=None):
        self.scale = ffnn.layers.Parameter(self.scale.data.astype(dtype), "scale")

    def formulas(self):
        return {**super().formulas(), "dscale": "dscale = Σ_rows dA ⊙ Z", "dZ": "dZ = dA ⊙ scale"}

    def forward(self, x, training=False):
        self._x = x
        return x * self.scale.data

    def backward(self, grad):
        self.scale.grad[...] = (grad * self._x).sum(axis=0)
        return grad * self.scale.data


def test_a_user_activation_without_formula_prints_its_arrays_and_says_so():
    X, y = make_blobs(n_samples=12, centers=2, random_state=0)
    model = ffnn.Sequential([ffnn.Dense(2, 3), Swish(), ffnn.Dense(3, 1)], dtype="float64")
    trace = quiet(model, X, y, loss="bce")
    Z1 = X @ trace.parameters["W1"] + trace.parameters["b1"]
    np.testing.assert_allclose(trace.forward["A1"], Z1 * sigmoid(Z1), rtol=1e-12)
    assert "A1 = Swish(Z1)   (no formula declared)" in trace.text
    assert "dZ1 = Swish.backward(dA1)   (no formula declared)" in trace.text
    s = sigmoid(Z1)
    expected = trace.backward["dA1"] * (s + Z1 * s * (1 - s))
    np.testing.assert_allclose(trace.backward["dZ1"], expected, rtol=1e-12)


def test_a_user_activation_with_formulas_gets_them_numbered():
    X, y = make_blobs(n_samples=12, centers=2, random_state=0)
    model = ffnn.Sequential([ffnn.Dense(2, 3), DeclaredSwish(), ffnn.Dense(3, 1)])
    trace = quiet(model, X, y, loss="bce")
    assert trace.formulas["A1"] == "A1 = swish(Z1),  swish(z) = z·σ(z)"
    assert trace.formulas["dZ1"] == "dZ1 = dA1 * swish'(Z1),  swish'(z) = σ(z)·(1 + z·(1 - σ(z)))"
    assert "dZ1 = np.dot(dZ2, W2.T) * swish_derivative(Z1)" in trace.text


def test_a_user_layer_with_a_parameter_gets_its_gradient_and_update():
    X, y = make_blobs(n_samples=10, centers=2, random_state=1)
    model = ffnn.Sequential(
        [ffnn.Dense(2, 3), ffnn.ReLU(), Scale(3), ffnn.Dense(3, 1)], dtype="float64"
    )
    trace = quiet(model, X, y, loss="bce", learning_rate=0.5)
    assert list(trace.parameters) == ["W1", "b1", "scale2", "W3", "b3"]
    A1, s = trace.forward["A1"], trace.parameters["scale2"]
    np.testing.assert_allclose(trace.forward["A2"], A1 * s, rtol=1e-12)
    dA2 = trace.backward["dA2"]  # dZ3 @ W3.T
    np.testing.assert_allclose(trace.backward["dscale2"], (dA2 * A1).sum(axis=0), rtol=1e-12)
    np.testing.assert_allclose(trace.backward["dA1"], dA2 * s, rtol=1e-12)
    np.testing.assert_allclose(trace.updated["scale2"], s - 0.5 * trace.backward["dscale2"])
    assert trace.formulas["A2"] == "A2 = A1 ⊙ scale2"
    assert trace.formulas["dscale2"] == "dscale2 = Σ_rows dA2 ⊙ A1"
    assert trace.formulas["dA1"] == "dA1 = dA2 ⊙ scale2"
    # the finite difference of the loss agrees with the printed gradient of the scale
    loss_fn = ffnn.losses.get("bce")
    targets = loss_fn.prepare_targets(y, 1, np.float64)
    numeric = np.zeros(3)
    for k in range(3):
        work = copy.deepcopy(model)
        for sign in (1, -1):
            work.layers[2].scale.data[k] = s[k] + sign * 1e-6
            numeric[k] += sign * loss_fn(work.forward(X), targets) / 2e-6
    np.testing.assert_allclose(trace.gradients["dscale2"], numeric, rtol=1e-6)


def test_dropout_batchnorm_and_unpaired_activations_are_explained():
    X, y = np.ones((4, 2)) * np.arange(4)[:, None], np.array([0, 1, 0, 1])
    model = ffnn.Sequential(
        [ffnn.ReLU(), ffnn.Dense(2, 3), ffnn.BatchNorm(3), ffnn.Tanh(), ffnn.Dense(3, 1)]
    )
    trace = quiet(model, X, y, loss="bce")
    assert trace.formulas["A1"] == "A1 = relu(X),  relu(z) = max(0, z)"
    assert trace.formulas["A2"].startswith("A2 = γ ⊙ (Z2 - μ)")
    assert trace.formulas["A3"] == "A3 = tanh(A2),  tanh(z) = tanh(z)"
    assert list(trace.parameters) == ["W2", "b2", "weight2", "bias2", "W4", "b4"]


def test_a_subclass_that_changes_forward_loses_its_parents_formula():
    class Doubled(ffnn.ReLU):
        def forward(self, x, training=False):
            return 2 * super().forward(x, training)

    class Renamed(ffnn.ReLU):
        pass

    X, y = np.ones((4, 2)), np.array([0, 1, 0, 1])
    doubled = quiet(ffnn.Sequential([ffnn.Dense(2, 3), Doubled(), ffnn.Dense(3, 1)]), X, y, "bce")
    assert doubled.formulas["A1"] == "A1 = Doubled(Z1)   (no formula declared)"
    renamed = quiet(ffnn.Sequential([ffnn.Dense(2, 3), Renamed(), ffnn.Dense(3, 1)]), X, y, "bce")
    assert renamed.formulas["A1"] == "A1 = relu(Z1),  relu(z) = max(0, z)"


def test_a_loss_without_formulas_is_explained_with_its_arrays():
    class Squared(ffnn.MeanSquaredError):
        def forward(self, logits, y, sample_weight=None):
            diff = logits - y
            return self._reduce(diff * diff, diff, sample_weight, factor=4.0)

    X, y = np.ones((4, 2)), np.array([0.0, 1.0, 0.0, 1.0])
    trace = quiet(tutorial.tutorial_network(), X, y, loss=Squared())
    assert trace.formulas["L"] == "L = Squared(Z2, y)   (no formula declared)"
    Z2 = trace.forward["Z2"]
    np.testing.assert_allclose(trace.backward["dZ2"], 4 * (Z2 - y[:, None]) / 4, rtol=1e-12)


@pytest.mark.parametrize(
    ("arguments", "error", "match"),
    [
        ({"model": "not a model"}, TypeError, "model must be an ffnn Sequential, got str"),
        ({"X": np.ones((4, 3))}, ValueError, "X has 3 features, but the model expects 2"),
        ({"X": np.ones(4)}, ValueError, "X must be a 2-D array"),
        ({"y": [0, 1, 0]}, ValueError, "same number of samples, got 4 and 3"),
        ({"y": [0, 1, 0, 2]}, ValueError, "binary_cross_entropy expects y"),
        ({"loss": "hinge"}, ValueError, "unknown loss 'hinge'"),
        ({"loss": None}, ValueError, "the model has no loss yet"),
        ({"learning_rate": 0}, ValueError, "learning_rate must be a positive"),
        ({"update": 1}, TypeError, "update must be True or False"),
        ({"max_rows": 1}, ValueError, "max_rows must be at least 2, got 1"),
        ({"precision": -1}, ValueError, "precision must be an int >= 0"),
        ({"file": "out.txt"}, TypeError, "file must be a text stream"),
    ],
)
def test_invalid_arguments_are_refused_before_any_work(arguments, error, match):
    model = tutorial.tutorial_network()
    grads_before = [p.grad.copy() for p in model.parameters()]
    call = {"model": model, "X": np.ones((4, 2)), "y": [0, 1, 0, 1], "loss": "bce"}
    call |= arguments
    with pytest.raises(error, match=match):
        explain_step(**call)
    for p, before in zip(model.parameters(), grads_before, strict=True):
        np.testing.assert_array_equal(p.grad, before)


def test_explain_step_is_exported_by_ffnn():
    assert ffnn.explain_step is explain_step
    assert ffnn.StepTrace is StepTrace


def test_mish_declares_its_formulas_in_the_tutorials_notation():
    model = ffnn.Sequential([ffnn.Dense(2, 3), ffnn.Mish(), ffnn.Dense(3, 1)])
    trace = quiet(model, np.ones((4, 2)), [0, 1, 0, 1], loss="bce")
    assert trace.formulas["A1"] == "A1 = mish(Z1),  mish(z) = z·tanh(softplus(z))"
    assert trace.formulas["dZ1"].startswith("dZ1 = dA1 * mish'(Z1),  mish'(z) = tanh(s)")
    assert "mish_derivative(Z1)" in trace.text
