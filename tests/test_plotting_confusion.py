"""Tests of ffnn.plotting.confusion: the numbers written in the cells."""

from __future__ import annotations

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

from ffnn import plotting  # noqa: E402

Y_TRUE = np.array([0, 0, 0, 1, 1, 2, 2, 2, 2])
Y_PRED = np.array([0, 1, 0, 1, 1, 2, 0, 2, 1])
# by hand: rows true, columns predicted
COUNTS = np.array([[2, 1, 0], [0, 2, 0], [1, 1, 2]])


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def cell_texts(ax) -> np.ndarray:
    """The texts drawn in the cells, as a (K, K) array placed by their (x, y) positions."""
    texts = ax.texts
    k = int(round(np.sqrt(len(texts))))
    cells = np.empty((k, k), dtype=object)
    for text in texts:
        column, row = text.get_position()
        cells[int(row), int(column)] = text.get_text()
    return cells


def test_confusion_matrix_counts_rows_true_columns_predicted():
    ax = plotting.plot_confusion_matrix(Y_TRUE, Y_PRED)
    np.testing.assert_array_equal(cell_texts(ax), COUNTS.astype(str))
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("Predicted label", "True label")
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0", "1", "2"]
    np.testing.assert_array_equal(ax.images[0].get_array(), COUNTS)
    assert ax.get_title() == "Confusion Matrix"


@pytest.mark.parametrize("normalize", ["true", "pred", "all"])
def test_normalized_confusion_matrix_matches_scikit_learn(normalize):
    metrics = pytest.importorskip("sklearn.metrics")
    expected = metrics.confusion_matrix(Y_TRUE, Y_PRED, normalize=normalize)
    ax = plotting.plot_confusion_matrix(Y_TRUE, Y_PRED, normalize=normalize)
    np.testing.assert_allclose(ax.images[0].get_array(), expected)
    np.testing.assert_array_equal(cell_texts(ax), np.vectorize(lambda v: f"{v:.2f}")(expected))


def test_normalized_by_hand_and_empty_rows_give_zero():
    # class 2 never occurs: its row is empty, as scikit-learn's it is all zeros
    ax = plotting.plot_confusion_matrix([0, 1, 1, 1], [0, 1, 2, 2], normalize="true")
    np.testing.assert_array_equal(
        cell_texts(ax),
        [["1.00", "0.00", "0.00"], ["0.00", "0.33", "0.67"], ["0.00", "0.00", "0.00"]],
    )


def test_confusion_matrix_accepts_one_hot_rows_probabilities_and_names():
    one_hot = np.eye(3)[Y_TRUE]
    probabilities = np.eye(3)[Y_PRED] * 0.8 + 0.1
    ax = plotting.plot_confusion_matrix(
        one_hot, probabilities, display_labels=["cat", "dog", "fox"], n_classes=3
    )
    np.testing.assert_array_equal(cell_texts(ax), COUNTS.astype(str))
    assert [t.get_text() for t in ax.get_yticklabels()] == ["cat", "dog", "fox"]


def test_confusion_matrix_with_more_classes_than_seen():
    ax = plotting.plot_confusion_matrix([0, 1], [1, 1], n_classes=4)
    assert cell_texts(ax).shape == (4, 4)


def test_confusion_matrix_draws_on_the_given_axes():
    fig, (left, right) = plt.subplots(1, 2)
    assert plotting.plot_confusion_matrix(Y_TRUE, Y_PRED, ax=right) is right
    assert not left.images


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        (
            {"normalize": "rows"},
            ValueError,
            "normalize must be None, 'true', 'pred' or 'all', got 'rows'",
        ),
        ({"y_pred": Y_PRED[:5]}, ValueError, "same number of samples, got 9 and 5"),
        (
            {"y_pred": np.where(Y_PRED == 1, np.nan, Y_PRED)},
            ValueError,
            "y_pred must hold class labels .* got nan",
        ),
        ({"y_true": ["a"] * 9}, TypeError, "y_true must hold class labels"),
        ({"n_classes": 2}, ValueError, "n_classes must exceed the largest label, 2, got 2"),
        ({"display_labels": ["a", "b"]}, ValueError, "display_labels must be 3 names"),
    ],
)
def test_confusion_matrix_rejects_bad_input(kwargs, error, message):
    arguments = {"y_true": Y_TRUE, "y_pred": Y_PRED, **kwargs}
    with pytest.raises(error, match=message):
        plotting.plot_confusion_matrix(**arguments)
    assert plt.get_fignums() == []
