"""Tests for ffnn.model.Sequential: construction checks, default initialisation, the two passes,
inference for each loss, dtypes, copies, reproducibility and the summary."""

from __future__ import annotations

import numpy as np
import pytest

from ffnn import initializers
from ffnn.activations import Identity, LeakyReLU, ReLU, Sigmoid, Tanh
from ffnn.layers import Dense, Parameter
from ffnn.losses import BinaryCrossEntropy, CrossEntropy, MeanSquaredError, softmax
from ffnn.model import Sequential


def _net(n_in: int = 2, hidden: int = 4, n_out: int = 1, **kwargs) -> Sequential:
    return Sequential([Dense(n_in, hidden), Tanh(), Dense(hidden, n_out)], **kwargs)


def _weights(model: Sequential) -> list[np.ndarray]:
    return [p.data.copy() for p in model.parameters()]


# -- construction ------------------------------------------------------------------------------
def test_sequential_rejects_consecutive_dense_sizes_that_do_not_match() -> None:
    with pytest.raises(ValueError, match=r"layers\[2\].*expects 3 inputs.*gives 4"):
        Sequential([Dense(2, 4), ReLU(), Dense(3, 1)])


def test_sequential_rejects_an_object_that_is_not_a_layer() -> None:
    with pytest.raises(TypeError, match=r"layers\[1\] must be an ffnn Layer, got str"):
        Sequential([Dense(2, 4), "relu", Dense(4, 1)])  # type: ignore[list-item]


def test_sequential_needs_a_dense_layer() -> None:
    with pytest.raises(ValueError, match="at least one Dense layer"):
        Sequential([ReLU()])


@pytest.mark.parametrize(("dtype", "error"), [(np.int32, ValueError), ("float16", ValueError)])
def test_sequential_rejects_a_dtype_other_than_float32_or_float64(dtype, error) -> None:
    with pytest.raises(error, match="dtype must be float32 or float64"):
        _net(dtype=dtype)


def test_sequential_knows_its_input_and_output_sizes() -> None:
    model = Sequential([Dense(5, 8), ReLU(), Dense(8, 3), Sigmoid()])
    assert (model.n_features_in, model.n_outputs) == (5, 3)
    assert model.count_params() == 5 * 8 + 8 + 8 * 3 + 3


def test_parameters_are_listed_layer_by_layer() -> None:
    first, second = Dense(2, 4), Dense(4, 1)
    model = Sequential([first, Tanh(), second])
    assert model.parameters() == [first.weight, first.bias, second.weight, second.bias]
    assert all(isinstance(p, Parameter) for p in model.parameters())


# -- default initialisation ----------------------------------------------------------------------
def test_default_initializer_is_he_before_relu_and_glorot_otherwise() -> None:
    model = Sequential(
        [Dense(3, 5), ReLU(), Dense(5, 4), LeakyReLU(), Dense(4, 6), Tanh(), Dense(6, 2)],
        dtype=np.float64,
        random_state=0,
    )
    rng = np.random.default_rng(0)  # the same stream, drawn layer by layer (biases draw nothing)
    expected = [
        initializers.HeNormal()((3, 5), rng, np.float64),
        initializers.HeNormal()((5, 4), rng, np.float64),
        initializers.GlorotUniform()((4, 6), rng, np.float64),
        initializers.GlorotUniform()((6, 2), rng, np.float64),
    ]
    dense = [layer for layer in model.layers if isinstance(layer, Dense)]
    for layer, weights in zip(dense, expected, strict=True):
        np.testing.assert_array_equal(layer.weight.data, weights)
        assert not layer.bias.data.any()


def test_default_initializer_statistics_on_wide_layers() -> None:
    model = Sequential([Dense(500, 400), ReLU(), Dense(400, 300)], random_state=1)
    he, glorot = model.layers[0].weight.data, model.layers[2].weight.data
    assert he.std() == pytest.approx(np.sqrt(2 / 500), rel=0.02)
    limit = np.sqrt(6 / (400 + 300))
    assert np.abs(glorot).max() <= limit
    assert glorot.std() == pytest.approx(limit / np.sqrt(3), rel=0.02)


def test_explicit_initializer_wins_over_the_default() -> None:
    model = Sequential(
        [Dense(2, 4, "tutorial"), Sigmoid(), Dense(4, 1, "tutorial")],
        dtype=np.float64,
        random_state=np.random.RandomState(42),
    )
    reference = np.random.RandomState(42)
    np.testing.assert_array_equal(model.layers[0].weight.data, reference.randn(2, 4) * 0.01)
    np.testing.assert_array_equal(model.layers[2].weight.data, reference.randn(4, 1) * 0.01)


# -- reproducibility ---------------------------------------------------------------------------
def test_same_random_state_gives_identical_weights_and_other_seeds_differ() -> None:
    a, b, c = _net(random_state=3), _net(random_state=3), _net(random_state=4)
    for x, y in zip(_weights(a), _weights(b), strict=True):
        np.testing.assert_array_equal(x, y)
    assert not np.array_equal(_weights(a)[0], _weights(c)[0])


def test_same_random_state_gives_identical_training(three_blobs) -> None:
    X, y = three_blobs
    runs = []
    for seed in (7, 7, 8):
        model = _net(n_out=3, random_state=seed)
        history = model.fit(X, y, loss="cross_entropy", epochs=3, batch_size=16)
        runs.append((history["loss"], _weights(model)))
    assert runs[0][0] == runs[1][0]
    for x, y_ in zip(runs[0][1], runs[1][1], strict=True):
        np.testing.assert_array_equal(x, y_)
    assert runs[0][0] != runs[2][0]


def test_a_generator_is_used_as_it_is() -> None:
    generator = np.random.default_rng(9)
    model = _net(random_state=generator)
    assert model.rng is generator
    np.testing.assert_array_equal(_weights(model)[0], _weights(_net(random_state=9))[0])


# -- the two passes ----------------------------------------------------------------------------
def test_forward_and_backward_chain_the_layers_by_hand(rng: np.random.Generator) -> None:
    model = _net(3, 5, 2, dtype=np.float64, random_state=0)
    first, second = model.layers[0], model.layers[2]
    x = rng.normal(size=(4, 3))
    hidden = np.tanh(x @ first.weight.data + first.bias.data)
    np.testing.assert_allclose(model.forward(x), hidden @ second.weight.data, rtol=1e-12)
    upstream = rng.normal(size=(4, 2))
    grad_x = model.backward(upstream)
    grad_hidden = (upstream @ second.weight.data.T) * (1 - hidden**2)
    np.testing.assert_allclose(second.weight.grad, hidden.T @ upstream, rtol=1e-12)
    np.testing.assert_allclose(first.weight.grad, x.T @ grad_hidden, rtol=1e-12)
    np.testing.assert_allclose(grad_x, grad_hidden @ first.weight.data.T, rtol=1e-12)


def test_zero_grad_clears_every_parameter(rng: np.random.Generator) -> None:
    model = _net(random_state=0)
    model.forward(rng.normal(size=(3, 2)).astype(np.float32))
    model.backward(np.ones((3, 1), dtype=np.float32))
    assert any(p.grad.any() for p in model.parameters())
    model.zero_grad()
    assert not any(p.grad.any() for p in model.parameters())


# -- inference for each loss -------------------------------------------------------------------
def _fitted(loss, n_out: int, X: np.ndarray, y: np.ndarray) -> Sequential:
    model = _net(2, 6, n_out, dtype=np.float64, random_state=0)
    model.fit(X, y, loss=loss, epochs=2, batch_size=8)
    return model


def test_binary_bce_predicts_flat_labels_and_a_probability_column(three_blobs) -> None:
    X, labels = three_blobs
    y = (labels == 1).astype(int)
    model = _fitted("binary_cross_entropy", 1, X, y)
    proba = model.predict_proba(X)
    assert proba.shape == (150, 1)
    np.testing.assert_allclose(proba, 1 / (1 + np.exp(-model.forward(X))), rtol=1e-12)
    predicted = model.predict(X)
    assert predicted.shape == (150,)
    np.testing.assert_array_equal(predicted, (proba[:, 0] > 0.5).astype(int))
    assert isinstance(model.evaluate(X, y), float)


def test_multi_label_bce_predicts_one_label_per_output(three_blobs) -> None:
    X, labels = three_blobs
    y = np.stack([labels == 0, labels == 1, labels != 2], axis=1).astype(float)
    model = _fitted("bce", 3, X, y)
    proba = model.predict_proba(X)
    assert proba.shape == (150, 3)
    assert ((proba > 0) & (proba < 1)).all()
    predicted = model.predict(X)
    assert predicted.shape == (150, 3)
    np.testing.assert_array_equal(predicted, (proba > 0.5).astype(int))


def test_cross_entropy_predicts_class_indices_and_softmax_rows(three_blobs) -> None:
    X, y = three_blobs
    model = _fitted("cross_entropy", 3, X, y)
    proba = model.predict_proba(X)
    assert proba.shape == (150, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-12)
    np.testing.assert_allclose(proba, softmax(model.forward(X)), rtol=1e-12)
    predicted = model.predict(X)
    assert predicted.shape == (150,)
    np.testing.assert_array_equal(predicted, proba.argmax(axis=1))


@pytest.mark.parametrize("n_out", [1, 2])
def test_mse_predicts_the_raw_outputs(three_blobs, n_out: int) -> None:
    X, _ = three_blobs
    y = np.column_stack([X.sum(axis=1), X[:, 0]])[:, :n_out]
    model = _fitted("mse", n_out, X, y[:, 0] if n_out == 1 else y)
    predicted = model.predict(X)
    assert predicted.shape == ((150,) if n_out == 1 else (150, 2))
    np.testing.assert_array_equal(predicted.reshape(150, n_out), model.forward(X))


def test_predict_proba_with_a_regression_loss_raises_type_error() -> None:
    model = _net(random_state=0)
    model.loss = MeanSquaredError()
    with pytest.raises(TypeError, match="predict_proba needs a classification loss"):
        model.predict_proba(np.zeros((3, 2)))


def test_predict_before_any_loss_is_known_says_to_fit_first() -> None:
    with pytest.raises(ValueError, match="no loss yet: fit it first"):
        _net().predict(np.zeros((3, 2)))


def test_predict_with_the_wrong_number_of_features_says_both_counts() -> None:
    model = _net(random_state=0)
    model.loss = BinaryCrossEntropy()
    with pytest.raises(ValueError, match="X has 3 features, but the model expects 2"):
        model.predict(np.zeros((4, 3)))


def test_predict_rejects_nan_naming_x() -> None:
    model = _net(random_state=0)
    model.loss = BinaryCrossEntropy()
    with pytest.raises(ValueError, match=r"X contains NaN or infinity \(first at index \(1, 0\)\)"):
        model.predict([[0.0, 1.0], [np.nan, 2.0]])


@pytest.mark.parametrize(
    ("loss", "n_out", "targets"),
    [
        (BinaryCrossEntropy(), 1, np.array([0, 1, 1, 0])),
        (CrossEntropy(), 3, np.array([0, 2, 1, 2])),
        (MeanSquaredError(), 1, np.array([0.5, -1.0, 2.0, 0.0])),
    ],
    ids=["bce", "ce", "mse"],
)
def test_evaluate_is_the_loss_of_the_forward_pass(loss, n_out, targets, rng) -> None:
    model = _net(2, 4, n_out, dtype=np.float64, random_state=0)
    X = rng.normal(size=(4, 2))
    expected = type(loss)()(model.forward(X), loss.prepare_targets(targets, n_out, np.float64))
    assert model.evaluate(X, targets, loss=loss) == pytest.approx(expected, rel=1e-14)


def test_evaluate_with_metrics_returns_loss_and_accuracy_by_hand() -> None:
    model = Sequential([Dense(1, 1, dtype=np.float64)], dtype=np.float64)
    model.layers[0].weight.data[:] = 1.0  # logits = x
    X = np.array([[-2.0], [-1.0], [1.0], [2.0]])
    result = model.evaluate(X, [0, 1, 1, 1], loss="bce", metrics=["accuracy"])
    assert isinstance(result, dict) and set(result) == {"loss", "accuracy"}
    assert result["accuracy"] == 0.75  # x = -1 is predicted 0, labelled 1
    expected_loss = np.mean(np.log1p(np.exp([-2.0, 1.0, -1.0, -2.0])))
    assert result["loss"] == pytest.approx(expected_loss, rel=1e-14)


def test_evaluate_rejects_a_different_number_of_targets() -> None:
    with pytest.raises(ValueError, match="same number of samples, got 3 and 2"):
        _net(random_state=0).evaluate(np.zeros((3, 2)), [0, 1], loss="bce")


# -- dtypes and copies -------------------------------------------------------------------------
def test_float32_model_stays_float32_through_forward_backward_and_fit(three_blobs) -> None:
    X, y = three_blobs  # float64 data
    model = Sequential([Dense(2, 5), LeakyReLU(), Dense(5, 3)], random_state=0)
    assert model.dtype == np.float32
    history = model.fit(X, y, loss="cross_entropy", epochs=2, batch_size=32)
    assert all(isinstance(value, float) for value in history["loss"])
    for p in model.parameters():
        assert p.data.dtype == np.float32 and p.grad.dtype == np.float32
    logits = model.forward(X[:4].astype(np.float32), training=True)
    assert logits.dtype == np.float32
    assert model.backward(np.ones_like(logits)).dtype == np.float32
    assert model.predict_proba(X).dtype == np.float32


def test_astype_float64_is_an_independent_copy() -> None:
    model = _net(random_state=0)
    clone = model.astype(np.float64)
    assert clone is not model
    assert clone.dtype == np.float64 and model.dtype == np.float32
    for original, copied in zip(model.parameters(), clone.parameters(), strict=True):
        assert copied.data.dtype == np.float64 and copied.grad.dtype == np.float64
        assert original.data.dtype == np.float32
        np.testing.assert_array_equal(copied.data, original.data.astype(np.float64))
    before = _weights(model)
    for p in clone.parameters():
        p.data += 1.0
    for old, p in zip(before, model.parameters(), strict=True):
        np.testing.assert_array_equal(p.data, old)


def test_astype_computes_in_the_new_dtype(rng: np.random.Generator) -> None:
    clone = _net(random_state=0).astype("float64")
    assert clone.forward(rng.normal(size=(2, 2))).dtype == np.float64


# -- inspection --------------------------------------------------------------------------------
def test_summary_shows_each_layers_parameter_count_and_the_total() -> None:
    lines: list[str] = []
    model = Sequential([Dense(2, 4), ReLU(), Dense(4, 1)])
    model.summary(print_fn=lines.append)
    text = "\n".join(lines)
    assert "Total params: 17 (float32)" in text  # (2·4 + 4) + (4·1 + 1)
    rows = [line for line in text.splitlines() if line.startswith(("0:", "1:", "2:"))]
    assert [row.split()[-1] for row in rows] == ["12", "0", "5"]
    assert "(None, 4)" in rows[0] and "(None, 1)" in rows[2]


def test_summary_prints_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    Sequential([Dense(10, 100), Identity(), Dense(100, 2)]).summary()
    out = capsys.readouterr().out
    assert "1,100" in out and "202" in out and "Total params: 1,302" in out


def test_repr_lists_the_layers_and_dtype() -> None:
    text = repr(_net())
    assert "Dense(n_in=2, n_out=4" in text and "Tanh()" in text and "float32" in text


def test_layer_outputs_are_each_layers_activations_in_inference_mode() -> None:
    from ffnn import BatchNorm, Dropout

    rng = np.random.default_rng(0)
    X = rng.normal(size=(6, 3))
    model = Sequential(
        [Dense(3, 4), BatchNorm(4), ReLU(), Dropout(0.5), Dense(4, 2)],
        dtype=np.float64,
        random_state=0,
    )
    outputs = model.layer_outputs(X)
    assert [o.shape for o in outputs] == [(6, 4), (6, 4), (6, 4), (6, 4), (6, 2)]
    hidden = X @ model.layers[0].weight.data + model.layers[0].bias.data
    np.testing.assert_allclose(outputs[0], hidden)
    bn = model.layers[1]
    normalised = (hidden - bn.running_mean) / np.sqrt(bn.running_var + bn.epsilon)
    np.testing.assert_allclose(outputs[1], normalised * bn.weight.data + bn.bias.data)
    np.testing.assert_array_equal(outputs[2], np.maximum(outputs[1], 0))
    np.testing.assert_array_equal(outputs[3], outputs[2])  # dropout is off at inference
    np.testing.assert_allclose(outputs[4], model.forward(X))
    with pytest.raises(ValueError, match="X has 2 features, but the model expects 3"):
        model.layer_outputs(X[:, :2])


def test_get_and_set_weights_round_trip_parameters_and_buffers() -> None:
    from ffnn import BatchNorm

    model = Sequential([Dense(3, 4), BatchNorm(4), ReLU(), Dense(4, 1)], random_state=0)
    saved = model.get_weights()
    assert len(saved) == len(model.parameters()) + 2  # + running mean and variance
    model.fit(np.random.default_rng(1).normal(size=(20, 3)), np.zeros(20), loss="mse", epochs=2)
    assert not np.array_equal(model.get_weights()[0], saved[0])
    model.set_weights(saved)
    for now, before in zip(model.get_weights(), saved, strict=True):
        np.testing.assert_array_equal(now, before)
    with pytest.raises(ValueError, match="expected 8 arrays, got 7"):
        model.set_weights(saved[:7])
    with pytest.raises(ValueError, match=r"weights\[0\] must have shape \(3, 4\)"):
        model.set_weights([np.zeros((4, 3)), *saved[1:]])


def test_every_parameter_is_a_view_of_one_flat_buffer() -> None:
    model = Sequential([Dense(3, 4), ReLU(), Dense(4, 2)], random_state=0)
    flat = model.flat_parameter()
    assert flat.size == model.count_params() == 3 * 4 + 4 + 4 * 2 + 2
    for p in model.parameters():
        assert np.shares_memory(p.data, flat.data) and np.shares_memory(p.grad, flat.grad)
    flat.data[:] = 1.0
    assert (model.layers[0].weight.data == 1.0).all()
    model.layers[2].bias.data = np.array([5.0, 6.0], dtype=np.float32)  # replaced by the user
    rebuilt = model.flat_parameter()
    assert rebuilt is not flat and rebuilt.data[-2:].tolist() == [5.0, 6.0]
    assert np.shares_memory(model.layers[2].bias.data, rebuilt.data)


def test_pickle_and_deepcopy_keep_the_parameters_views_of_the_flat_buffer() -> None:
    import copy
    import pickle

    from ffnn import Adam

    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(16, 3)), rng.integers(0, 2, 16)
    model = Sequential([Dense(3, 4), ReLU(), Dense(4, 1)], random_state=0)
    model.fit(X, y, loss="bce", optimizer=Adam(0.01), epochs=2, batch_size=None)
    for clone in (pickle.loads(pickle.dumps(model)), copy.deepcopy(model)):
        flat = clone.flat_parameter()
        assert clone.optimizer is not None and clone.optimizer.parameters[0] is flat
        assert all(np.shares_memory(p.data, flat.data) for p in clone.parameters())
        clone.fit(X, y, epochs=2, batch_size=None)  # continues with the same Adam state
    model.fit(X, y, epochs=2, batch_size=None)
    for a, b in zip(model.get_weights(), clone.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
