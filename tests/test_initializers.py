"""Tests for ffnn.initializers: shapes, dtypes, distributions on a large draw, the tutorial's
stream, reproducibility, configs and lookup by name or config."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from ffnn import initializers
from ffnn.initializers import (
    GlorotNormal,
    GlorotUniform,
    HeNormal,
    HeUniform,
    Initializer,
    Ones,
    TutorialNormal,
    Zeros,
)

ALL = [
    TutorialNormal(),
    Zeros(),
    Ones(),
    GlorotUniform(),
    GlorotNormal(),
    HeUniform(),
    HeNormal(),
]
CONSTANT = (Zeros, Ones)
SHAPE = (400, 600)  # 240 000 draws: sample std within ~0.3 % of the true one


@pytest.mark.parametrize("initializer", ALL, ids=repr)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_initializer_returns_the_requested_shape_and_dtype(
    initializer: Initializer, dtype: type
) -> None:
    out = initializer((3, 5), np.random.default_rng(0), dtype)
    assert out.shape == (3, 5)
    assert out.dtype == np.dtype(dtype)


@pytest.mark.parametrize(
    ("initializer", "limit"),
    [(GlorotUniform(), math.sqrt(6 / (400 + 600))), (HeUniform(), math.sqrt(6 / 400))],
    ids=repr,
)
def test_uniform_initializers_stay_within_their_limit_and_fill_it(
    initializer: Initializer, limit: float
) -> None:
    w = initializer(SHAPE, np.random.default_rng(0), np.float64)
    assert np.abs(w).max() <= limit
    assert np.abs(w).max() > 0.999 * limit
    assert w.std() == pytest.approx(limit / math.sqrt(3), rel=0.01)  # std of U(-a, a)
    assert abs(w.mean()) < 0.01 * limit


@pytest.mark.parametrize(
    ("initializer", "std"),
    [
        (GlorotNormal(), math.sqrt(2 / (400 + 600))),
        (HeNormal(), math.sqrt(2 / 400)),
        (TutorialNormal(), 0.01),
        (TutorialNormal(scale=0.5), 0.5),
    ],
    ids=repr,
)
def test_normal_initializers_have_the_documented_standard_deviation(
    initializer: Initializer, std: float
) -> None:
    w = initializer(SHAPE, np.random.default_rng(0), np.float64)
    assert w.std() == pytest.approx(std, rel=0.01)
    assert abs(w.mean()) < 0.01 * std
    # untruncated: some draws lie beyond 3σ (about 650 of 240 000 expected)
    assert (np.abs(w) > 3 * std).sum() > 300


def test_glorot_uses_fan_in_plus_fan_out_and_he_fan_in_only() -> None:
    for shape in [(1000, 10), (10, 1000)]:
        glorot = GlorotNormal()(shape, np.random.default_rng(3), np.float64)
        assert glorot.std() == pytest.approx(math.sqrt(2 / 1010), rel=0.03)
    he_tall = HeNormal()((1000, 10), np.random.default_rng(5), np.float64)
    he_wide = HeNormal()((10, 1000), np.random.default_rng(6), np.float64)
    assert he_tall.std() == pytest.approx(math.sqrt(2 / 1000), rel=0.03)
    assert he_wide.std() == pytest.approx(math.sqrt(2 / 10), rel=0.03)


@pytest.mark.parametrize(("initializer", "value"), [(Zeros(), 0.0), (Ones(), 1.0)], ids=repr)
@pytest.mark.parametrize("shape", [(4, 3), (5,)])
def test_constant_initializers_fill_any_shape_and_draw_nothing(
    initializer: Initializer, value: float, shape: tuple[int, ...]
) -> None:
    rng = np.random.default_rng(0)
    before = rng.bit_generator.state
    out = initializer(shape, rng, np.float32)
    np.testing.assert_array_equal(out, np.full(shape, value, dtype=np.float32))
    assert out.dtype == np.float32
    assert rng.bit_generator.state == before


def test_tutorial_normal_with_random_state_42_is_the_tutorials_randn_times_001() -> None:
    rng = np.random.RandomState(42)
    w1 = TutorialNormal()((2, 4), rng, np.float64)
    w2 = TutorialNormal()((4, 1), rng, np.float64)
    reference = np.random.RandomState(42)
    np.testing.assert_array_equal(w1, reference.randn(2, 4) * 0.01)
    np.testing.assert_array_equal(w2, reference.randn(4, 1) * 0.01)


@pytest.mark.parametrize("initializer", ALL, ids=repr)
def test_same_seed_gives_same_values_and_another_seed_others(initializer: Initializer) -> None:
    a = initializer((6, 7), np.random.default_rng(11), np.float64)
    b = initializer((6, 7), np.random.default_rng(11), np.float64)
    c = initializer((6, 7), np.random.default_rng(12), np.float64)
    np.testing.assert_array_equal(a, b)
    if not isinstance(initializer, CONSTANT):
        assert not np.array_equal(a, c)


@pytest.mark.parametrize("initializer", ALL, ids=repr)
def test_float32_values_are_the_float64_values_rounded(initializer: Initializer) -> None:
    single = initializer((5, 4), np.random.default_rng(2), np.float32)
    double = initializer((5, 4), np.random.default_rng(2), np.float64)
    np.testing.assert_array_equal(single, double.astype(np.float32))


@pytest.mark.parametrize(
    "initializer", [GlorotUniform(), GlorotNormal(), HeUniform(), HeNormal()], ids=repr
)
def test_fan_based_initializers_reject_a_shape_that_is_not_2d(initializer: Initializer) -> None:
    for shape in [(5,), (2, 3, 4)]:
        with pytest.raises(ValueError, match=r"weight shape \(n_in, n_out\), got shape \("):
            initializer(shape, np.random.default_rng(0), np.float64)
    with pytest.raises(ValueError, match=rf"^{initializer.name} .*1-D biases with 'zeros'"):
        initializer((5,), np.random.default_rng(0), np.float64)


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("tutorial", TutorialNormal),
        ("zeros", Zeros),
        ("ones", Ones),
        ("glorot_uniform", GlorotUniform),
        ("xavier_uniform", GlorotUniform),
        ("glorot_normal", GlorotNormal),
        ("xavier_normal", GlorotNormal),
        ("he_uniform", HeUniform),
        ("kaiming_uniform", HeUniform),
        ("he_normal", HeNormal),
        ("Kaiming_Normal", HeNormal),
    ],
)
def test_get_initializer_by_name(name: str, kind: type) -> None:
    assert type(initializers.get(name)) is kind


def test_get_initializer_passes_an_instance_through() -> None:
    init = TutorialNormal(scale=0.1)
    assert initializers.get(init) is init


def test_get_unknown_initializer_lists_the_known_names() -> None:
    with pytest.raises(ValueError, match="unknown initializer 'orthogonal'.*he_normal"):
        initializers.get("orthogonal")


def test_initializer_base_class_is_abstract() -> None:
    with pytest.raises(NotImplementedError):
        Initializer()((2, 2), np.random.default_rng(0), np.float64)


@pytest.mark.parametrize("initializer", ALL, ids=repr)
def test_initializer_works_with_a_legacy_random_state_and_never_the_global_one(
    initializer: Initializer,
) -> None:
    global_before = np.random.get_state()[1].copy()  # noqa: NPY002 - the global stream
    a = initializer((4, 3), np.random.RandomState(8), np.float64)
    b = initializer((4, 3), np.random.RandomState(8), np.float64)
    np.testing.assert_array_equal(a, b)
    c = initializer((4, 3), np.random.default_rng(8), np.float64)
    assert a.shape == c.shape == (4, 3)
    np.testing.assert_array_equal(np.random.get_state()[1], global_before)  # noqa: NPY002


# -- configs ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("initializer", "config"),
    [
        (TutorialNormal(), {"name": "tutorial", "scale": 0.01}),
        (TutorialNormal(scale=0.5), {"name": "tutorial", "scale": 0.5}),
        (Zeros(), {"name": "zeros"}),
        (Ones(), {"name": "ones"}),
        (GlorotUniform(), {"name": "glorot_uniform"}),
        (GlorotNormal(), {"name": "glorot_normal"}),
        (HeUniform(), {"name": "he_uniform"}),
        (HeNormal(), {"name": "he_normal"}),
    ],
    ids=repr,
)
def test_initializer_config_round_trips_through_json_and_get(
    initializer: Initializer, config: dict
) -> None:
    assert initializer.get_config() == config
    rebuilt = initializers.get(json.loads(json.dumps(config)))
    assert type(rebuilt) is type(initializer)
    assert rebuilt.get_config() == config
    assert repr(rebuilt) == repr(initializer)
    np.testing.assert_array_equal(
        rebuilt((3, 4), np.random.default_rng(1), np.float64),
        initializer((3, 4), np.random.default_rng(1), np.float64),
    )


def test_get_accepts_an_alias_in_a_config_without_changing_it() -> None:
    config = {"name": "Kaiming_Normal"}
    assert type(initializers.get(config)) is HeNormal
    assert config == {"name": "Kaiming_Normal"}


@pytest.mark.parametrize(
    ("config", "error", "message"),
    [
        ({"name": "orthogonal"}, ValueError, "unknown initializer config"),
        ({"scale": 0.1}, ValueError, "whose 'name' is one of"),
        ({"name": "he_normal", "scale": 0.1}, TypeError, "bad arguments for initializer"),
        ({"name": "tutorial", "scale": -1.0}, ValueError, "scale must be a positive"),
    ],
)
def test_get_rejects_a_bad_config(config: dict, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        initializers.get(config)
