"""Tests for ffnn.datasets: make_blobs draws scikit-learn's numbers, and the tutorial's data."""

from __future__ import annotations

import numpy as np
import pytest

from ffnn.datasets import make_blobs, tutorial_blobs

CASES = [
    # (n_samples, centers, n_features, cluster_std, random_state)
    (300, 2, 2, 1.5, 42),  # the tutorial's
    (100, 3, 2, 1.0, 0),
    (101, 4, 5, 0.7, 7),  # uneven class sizes
    (7, 3, 1, 2.0, 123),
    (50, 1, 3, 0.3, 2**31 - 1),
]


@pytest.mark.parametrize(("n_samples", "centers", "n_features", "cluster_std", "seed"), CASES)
def test_make_blobs_equals_sklearn_make_blobs_exactly(
    n_samples: int, centers: int, n_features: int, cluster_std: float, seed: int
) -> None:
    sk_datasets = pytest.importorskip("sklearn.datasets")
    kwargs = {
        "n_samples": n_samples,
        "centers": centers,
        "n_features": n_features,
        "cluster_std": cluster_std,
        "random_state": seed,
    }
    X, y = make_blobs(**kwargs)
    X_sk, y_sk = sk_datasets.make_blobs(**kwargs)
    np.testing.assert_array_equal(X, X_sk)
    np.testing.assert_array_equal(y, y_sk)


@pytest.mark.parametrize("shuffle", [True, False])
def test_make_blobs_equals_sklearn_with_a_center_box_and_shuffle_flag(shuffle: bool) -> None:
    sk_datasets = pytest.importorskip("sklearn.datasets")
    kwargs = {"n_samples": 40, "centers": 3, "center_box": (0.0, 1.0), "random_state": 3}
    X, y = make_blobs(shuffle=shuffle, **kwargs)
    X_sk, y_sk = sk_datasets.make_blobs(shuffle=shuffle, **kwargs)
    np.testing.assert_array_equal(X, X_sk)
    np.testing.assert_array_equal(y, y_sk)


def test_tutorial_blobs_is_the_tutorials_data_with_y_as_a_column() -> None:
    X, y = tutorial_blobs()
    assert X.shape == (300, 2) and y.shape == (300, 1)
    X_flat, y_flat = make_blobs(n_samples=300, centers=2, cluster_std=1.5, random_state=42)
    np.testing.assert_array_equal(X, X_flat)
    np.testing.assert_array_equal(y[:, 0], y_flat)
    sk_datasets = pytest.importorskip("sklearn.datasets")
    X_sk, y_sk = sk_datasets.make_blobs(n_samples=300, centers=2, cluster_std=1.5, random_state=42)
    np.testing.assert_array_equal(X, X_sk)
    np.testing.assert_array_equal(y, y_sk.reshape(-1, 1))


def test_make_blobs_class_sizes_differ_by_at_most_one_first_classes_larger() -> None:
    _, y = make_blobs(n_samples=11, centers=4, random_state=0)
    np.testing.assert_array_equal(np.bincount(y), [3, 3, 3, 2])
    assert y.dtype == np.int64


def test_make_blobs_without_shuffle_lists_the_classes_in_order() -> None:
    X, y = make_blobs(n_samples=9, centers=3, shuffle=False, random_state=0)
    np.testing.assert_array_equal(y, [0, 0, 0, 1, 1, 1, 2, 2, 2])
    assert X.dtype == np.float64 and X.shape == (9, 2)


def test_make_blobs_points_scatter_around_centres_in_the_box_with_cluster_std() -> None:
    X, y = make_blobs(n_samples=30000, centers=3, n_features=2, cluster_std=0.5, random_state=1)
    for label in range(3):
        points = X[y == label]
        centre = points.mean(axis=0)
        assert (np.abs(centre) < 10.5).all()
        np.testing.assert_allclose(points.std(axis=0), 0.5, rtol=0.03)


def test_make_blobs_same_seed_same_data_other_seed_other_data() -> None:
    a, b, c = (make_blobs(n_samples=20, random_state=s)[0] for s in (4, 4, 5))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"n_samples": 0}, ValueError, "n_samples must be a positive int"),
        ({"centers": 2.5}, TypeError, "centers must be a positive int"),
        ({"n_features": -1}, ValueError, "n_features must be a positive int"),
        ({"cluster_std": 0.0}, ValueError, "cluster_std must be positive"),
    ],
)
def test_make_blobs_rejects_bad_arguments(kwargs, error, message) -> None:
    with pytest.raises(error, match=message):
        make_blobs(**kwargs)


@pytest.mark.parametrize(
    ("n_samples", "noise", "shuffle", "seed"),
    [(100, None, True, 0), (301, 0.2, True, 5), (7, 0.1, False, 1), (2, None, True, 3)],
)
def test_make_moons_equals_scikit_learns(n_samples, noise, shuffle, seed) -> None:
    datasets = pytest.importorskip("sklearn.datasets")
    from ffnn.datasets import make_moons

    X, y = make_moons(n_samples, shuffle=shuffle, noise=noise, random_state=seed)
    X_ref, y_ref = datasets.make_moons(n_samples, shuffle=shuffle, noise=noise, random_state=seed)
    np.testing.assert_array_equal(X, X_ref)
    np.testing.assert_array_equal(y, y_ref)


def test_make_moons_without_noise_lies_on_the_two_half_circles() -> None:
    from ffnn.datasets import make_moons

    X, y = make_moons(50, shuffle=False)
    outer, inner = X[y == 0], X[y == 1]
    np.testing.assert_allclose(np.hypot(*outer.T), 1.0)
    np.testing.assert_allclose(np.hypot(inner[:, 0] - 1, inner[:, 1] - 0.5), 1.0)
    assert (outer[:, 1] >= 0).all() and (inner[:, 1] <= 0.5).all()
    with pytest.raises(ValueError, match="noise must be >= 0"):
        make_moons(10, noise=-1.0)
