"""ffnn.TablePreprocessor: each column kind by hand, inputs, state, scikit-learn, a real table."""

from __future__ import annotations

import datetime
import json
import pickle
import subprocess
import sys
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

import ffnn
from ffnn.csvdata import read_csv
from ffnn.preprocessing import PreprocessingWarning, TablePreprocessor


def z(values: list[float]) -> np.ndarray:
    """Standardised by the mean and (population) standard deviation of the values."""
    array = np.array(values, dtype=np.float64)
    return (array - array.mean()) / array.std()


def test_numeric_text_with_missing_cells_is_filled_standardised_and_indicated() -> None:
    pre = TablePreprocessor().fit({"a": ["1", "NA", "3", " 5 "]})
    s = np.sqrt(8 / 3)  # the values present are 1, 3, 5: mean 3, median 3
    expected = np.array([[-2 / s, 0], [0, 1], [0, 0], [2 / s, 0]])
    np.testing.assert_allclose(pre.transform({"a": ["1", "NA", "3", " 5 "]}), expected)
    assert list(pre.get_feature_names_out()) == ["a", "a_missing"]
    # missing spellings, and None / NaN, at transform time: the median, flagged
    out = pre.transform({"a": ["", "?", None, float("nan"), "nan"]})
    np.testing.assert_array_equal(out, [[0.0, 1.0]] * 5)


def test_numeric_without_missing_cells_gets_no_indicator() -> None:
    pre = TablePreprocessor().fit({"a": [1.0, 2.0, 3.0]})
    s = np.sqrt(2 / 3)  # fitted on 1, 2, 3: mean 2, median 2
    expected = np.array([[-1 / s], [0], [1 / s], [0]])
    np.testing.assert_allclose(pre.transform({"a": [1, 2, 3, None]}), expected)


def test_text_in_a_numeric_column_at_transform_is_missing_and_counted() -> None:
    pre = TablePreprocessor().fit({"a": ["1", "", "3"]})
    with pytest.warns(PreprocessingWarning, match=r"'a': 2 cell\(s\) cannot be read as numeric"):
        out = pre.transform({"a": ["abc", "3", "1e999"]})
    np.testing.assert_array_equal(out, [[0, 1], [1, 0], [0, 1]])


def test_few_categories_are_one_hot_rare_and_unseen_go_to_other() -> None:
    pre = TablePreprocessor(min_frequency=2).fit({"c": ["a", "a", "b", "z"]})
    assert list(pre.get_feature_names_out()) == ["c=a", "c=other"]
    out = pre.transform({"c": ["a", "b", "new", None]})
    # no missing cells at fit, so a missing one is all zeros
    np.testing.assert_array_equal(out, [[1, 0], [0, 1], [0, 1], [0, 0]])


def test_missing_category_cells_get_their_own_column() -> None:
    pre = TablePreprocessor(min_frequency=1).fit({"c": ["x", "y", "NA", "x"]})
    assert list(pre.get_feature_names_out()) == ["c=x", "c=y", "c=other", "c=missing"]
    out = pre.transform({"c": ["y", None, "w"]})
    np.testing.assert_array_equal(out, [[0, 1, 0, 0], [0, 0, 0, 1], [0, 0, 1, 0]])


def test_many_categories_get_top_k_one_hot_and_a_standardised_frequency() -> None:
    cells = ["a", "a", "a", "b", "b", "c", "d", None]
    pre = TablePreprocessor(max_categories=2, min_frequency=1).fit({"c": cells})
    names = ["c=a", "c=b", "c=other", "c=missing", "c_frequency"]
    assert list(pre.get_feature_names_out()) == names
    shares = [3 / 8, 3 / 8, 3 / 8, 2 / 8, 2 / 8, 1 / 8, 1 / 8, 0.0]  # missing: 0
    mean, std = np.mean(shares), np.std(shares)
    out = pre.transform({"c": ["a", "d", "unseen", None]})
    expected = np.array(
        [
            [1, 0, 0, 0, (3 / 8 - mean) / std],
            [0, 0, 1, 0, (1 / 8 - mean) / std],
            [0, 0, 1, 0, (0 - mean) / std],
            [0, 0, 0, 1, (0 - mean) / std],
        ]
    )
    np.testing.assert_allclose(out, expected)
    assert "frequency, one-hot of the top 2 of 4 values" in pre.describe()


def test_booleans_become_one_0_1_column() -> None:
    pre = TablePreprocessor().fit({"b": ["yes", "No", "YES", None], "n": [0, 1, 1, 0]})
    assert [s["kind"] for s in pre.columns_] == ["boolean", "boolean"]
    with pytest.warns(PreprocessingWarning, match=r"'b': 1 cell\(s\) cannot be read as boolean"):
        out = pre.transform({"b": ["yes", "no", None, "maybe"], "n": ["1", "0", "0", "1"]})
    # the fill for a missing or unreadable cell is the most common value (yes: 1), flagged
    np.testing.assert_array_equal(out, [[1, 0, 1], [0, 0, 0], [1, 1, 0], [1, 1, 1]])


def test_dates_become_days_and_parts_that_vary_standardised() -> None:
    cells = ["2024-01-01", "2024-01-02", "2024-01-08T12:00:00"]
    pre = TablePreprocessor().fit({"d": cells})
    # one year and one month only: those parts are left out; Monday is 0
    assert list(pre.get_feature_names_out()) == ["d_days", "d_weekday"]
    expected = np.stack([z([0, 1, 7.5]), z([0, 1, 0])], axis=1)
    np.testing.assert_allclose(pre.transform({"d": cells}), expected)
    assert TablePreprocessor(dates="drop").fit({"d": cells}).get_feature_names_out().size == 0


def test_id_like_constant_and_empty_columns_are_left_out_with_a_note() -> None:
    n = 25
    table = {
        "user": [f"u{i}" for i in range(n)],
        "row": list(range(1, n + 1)),
        "const": ["k"] * n,
        "empty": ["NA"] * n,
        "x": [float(i % 4) for i in range(n)],
    }
    pre = TablePreprocessor().fit(table)
    assert [s["kind"] for s in pre.columns_] == ["id", "id", "constant", "empty", "numeric"]
    assert list(pre.get_feature_names_out()) == ["x"]
    assert pre.describe() == (
        "column  kind      used as\n"
        "user    id        left out: ID-like, a distinct value on almost every row\n"
        "row     id        left out: ID-like, a distinct value on almost every row\n"
        "const   constant  left out: one value only ('k')\n"
        "empty   empty     left out: every cell is missing\n"
        "x       numeric   standardised"
    )
    # columns left out need not be there at transform time
    assert pre.transform({"x": [0.0, 3.0]}).shape == (2, 1)


def test_a_real_valued_column_of_distinct_values_is_numeric_not_an_id() -> None:
    values = [0.5 + i * 1.37 for i in range(30)]
    assert TablePreprocessor().fit({"v": values}).columns_[0]["kind"] == "numeric"


def test_a_missing_column_at_transform_is_an_error_naming_it() -> None:
    pre = TablePreprocessor().fit({"a": [1, 2, 3], "b": ["x", "y", "x"]})
    with pytest.raises(ValueError, match=r"column\(s\) \['b'\] missing"):
        pre.transform({"a": [1, 2]})
    with pytest.raises(ValueError, match="expected 2 columns, as at fit, got 1"):
        pre.transform(np.array([[1.0], [2.0]]))
    with pytest.raises(ValueError, match="not fitted yet"):
        TablePreprocessor().transform({"a": [1]})
    with pytest.raises(ValueError, match="got str with 0 dimension"):
        pre.fit("a,b")


@pytest.mark.parametrize(
    "params",
    [{"max_categories": 0}, {"min_frequency": 1.5}, {"id_threshold": 0}, {"dates": "x"}],
)
def test_bad_parameters_are_refused_at_fit(params: dict) -> None:
    with pytest.raises(ValueError, match=next(iter(params))):
        TablePreprocessor(**params).fit({"a": [1, 2]})


ROWS = [
    {"num": "1.5", "cat": "red", "flag": "yes", "day": "2024-05-01"},
    {"num": "NA", "cat": "blue", "flag": "no", "day": "2024-05-03"},
    {"num": "4", "cat": "red", "flag": "", "day": ""},
    {"num": "2", "cat": "green", "flag": "yes", "day": "2024-06-10"},
]
COLUMNS = {name: [row[name] for row in ROWS] for name in ROWS[0]}


def test_dataframe_dict_rows_table_and_array_inputs_give_identical_results(
    tmp_path: Path,
) -> None:
    path = tmp_path / "raw.csv"
    path.write_text("num,cat,flag,day\n" + "\n".join(",".join(r.values()) for r in ROWS) + "\n")
    inputs = [COLUMNS, ROWS, read_csv(path), np.array([list(r.values()) for r in ROWS], object)]
    pd = pytest.importorskip("pandas")
    inputs.append(pd.DataFrame(COLUMNS))
    outputs = [TablePreprocessor(min_frequency=1).fit_transform(X) for X in inputs]
    for out in outputs[1:]:
        np.testing.assert_array_equal(out, outputs[0])
    assert outputs[0].shape == (4, 14) and np.isfinite(outputs[0]).all()
    frame = TablePreprocessor().fit(pd.DataFrame(COLUMNS))
    assert list(frame.feature_names_in_) == ["num", "cat", "flag", "day"]
    assert not hasattr(TablePreprocessor().fit(inputs[3]), "feature_names_in_")


def test_pandas_missing_values_and_dtypes_are_read() -> None:
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(
        {
            "i": pd.array([1, None, 3], dtype="Int64"),
            "b": [True, False, True],
            "t": pd.to_datetime(["2024-01-01", None, "2024-01-03"]),
            "c": pd.Categorical(["u", None, "v"]),
        }
    )
    pre = TablePreprocessor(min_frequency=1).fit(frame)
    assert [s["kind"] for s in pre.columns_] == ["numeric", "boolean", "date", "category"]
    assert np.isfinite(pre.transform(frame)).all()


def test_the_config_round_trips_through_json_exactly() -> None:
    pre = TablePreprocessor(min_frequency=1, max_categories=2, dtype="float32").fit(COLUMNS)
    text = json.dumps(pre.to_config())
    again = TablePreprocessor.from_config(json.loads(text))
    raw = {**COLUMNS, "cat": ["red", "purple", None, "blue"], "num": ["x", "3", "", "2.25"]}
    with pytest.warns(PreprocessingWarning):
        first, second = pre.transform(raw), again.transform(raw)
    assert first.dtype == np.float32 and first.tobytes() == second.tobytes()
    assert again.describe() == pre.describe() and again.get_params() == pre.get_params()
    unpickled = pickle.loads(pickle.dumps(pre))
    assert unpickled.transform(COLUMNS).tobytes() == pre.transform(COLUMNS).tobytes()
    with pytest.raises(ValueError, match="expected a config of format"):
        TablePreprocessor.from_config({"format": "other"})


def test_a_config_that_is_not_one_is_refused_naming_what_is_wrong() -> None:
    config = TablePreprocessor().fit({"a": [1.0, 2.0, 3.0]}).to_config()
    del config["columns"][0]["median"]
    with pytest.raises(ValueError, match=r"column spec 0 \(numeric\) lacks \['median'\]"):
        TablePreprocessor.from_config(config)
    config["columns"] = [{"kind": "pickle"}]
    with pytest.raises(ValueError, match="column spec 0: expected a kind in"):
        TablePreprocessor.from_config(config)


def test_repeated_column_names_are_refused_and_all_left_out_keeps_the_rows() -> None:
    with pytest.raises(ValueError, match=r"column name\(s\) \['x0'\] appear more than once"):
        TablePreprocessor().fit(_frame_with_repeated_names())
    pre = TablePreprocessor().fit({"k": ["same"] * 3})
    assert pre.transform({"k": ["a", "b"]}).shape == (2, 0)


def _frame_with_repeated_names():  # type: ignore[no-untyped-def]
    pd = pytest.importorskip("pandas")
    return pd.DataFrame([[1, 2], [3, 4]], columns=["x0", "x0"])


def test_get_params_and_set_params_follow_the_estimator_contract() -> None:
    pre = TablePreprocessor(max_categories=7)
    assert pre.get_params()["max_categories"] == 7
    assert pre.set_params(min_frequency=3) is pre and pre.min_frequency == 3
    assert repr(pre) == "TablePreprocessor(max_categories=7, min_frequency=3)"
    assert TablePreprocessor().get_params()["max_categories"] == 200
    assert TablePreprocessor().get_params()["min_frequency"] == 2
    with pytest.raises(ValueError, match="no parameter 'bogus'"):
        pre.set_params(bogus=1)


def test_import_ffnn_imports_neither_pandas_nor_sklearn() -> None:
    code = "import sys, ffnn; ffnn.TablePreprocessor\n"
    code += "print('pandas' in sys.modules, 'sklearn' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["False", "False"]


def penguins():  # type: ignore[no-untyped-def]
    pd = pytest.importorskip("pandas")
    pytest.importorskip("palmerpenguins")
    frame = pd.read_csv(resources.files("palmerpenguins") / "data" / "penguins.csv")
    return frame.drop(columns="species"), frame["species"]


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_sklearn_clone_and_a_pipeline_with_mlpclassifier_on_raw_penguins() -> None:
    pytest.importorskip("sklearn")
    from sklearn.base import clone
    from sklearn.model_selection import GridSearchCV, train_test_split
    from sklearn.pipeline import make_pipeline

    X, y = penguins()
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.3, random_state=0, stratify=y
    )
    pre = TablePreprocessor(min_frequency=3)
    copy = clone(pre)
    assert copy is not pre and copy.get_params() == pre.get_params()
    mlp = ffnn.MLPClassifier(hidden_layer_sizes=(32,), max_iter=300, random_state=0)
    pipe = make_pipeline(pre, mlp).fit(X_train, y_train)
    assert pre.columns_[0]["name"] == "island"  # a Pipeline fits its steps in place
    accuracy = pipe.score(X_test, y_test)
    assert accuracy > 0.95, accuracy  # measured: 0.990 on this split
    search = GridSearchCV(
        make_pipeline(TablePreprocessor(), clone(mlp).set_params(max_iter=50)),
        {"tablepreprocessor__max_categories": [1, 20]},
        cv=2,
    )
    search.fit(X_train, y_train)
    assert search.best_params_["tablepreprocessor__max_categories"] in (1, 20)
    fitted = search.best_estimator_.named_steps["tablepreprocessor"]
    assert "island" in fitted.describe()


def test_it_works_inside_a_column_transformer() -> None:
    pytest.importorskip("sklearn")
    from sklearn.compose import ColumnTransformer

    X, _ = penguins()
    mixer = ColumnTransformer(
        [("raw", TablePreprocessor(), ["island", "sex", "bill_length_mm"])], remainder="drop"
    )
    out = mixer.fit_transform(X)
    names = list(mixer.get_feature_names_out())
    assert names[:2] == ["raw__island=Biscoe", "raw__island=Dream"] and out.shape == (344, 10)
    assert np.isfinite(out).all()


# -- dates in the formats of real files ------------------------------------------------------
MONTH_NAMES = (
    "January February March April May June July August September October November December"
)
FORMATS = {  # format: how a datetime.date is written in it
    "iso": lambda d: d.isoformat(),
    "ymd/": lambda d: f"{d.year:04d}/{d.month}/{d.day:02d}",
    "dmy/": lambda d: f"{d.day:02d}/{d.month}/{d.year:04d}",
    "mdy/": lambda d: f"{d.month}/{d.day}/{d.year:04d}",
    "mon d yyyy": lambda d: f"{MONTH_NAMES.split()[d.month - 1][:3]} {d.day} {d.year:04d}",
    "d mon yyyy": lambda d: f"{d.day} {MONTH_NAMES.split()[d.month - 1].upper()}, {d.year:04d}",
}


def _days(n: int, seed: int) -> list[datetime.date]:
    rng = np.random.default_rng(seed)
    start = datetime.date(1, 1, 1)
    return [start + datetime.timedelta(days=int(k)) for k in rng.integers(0, 3_652_059, size=n)]


@pytest.mark.parametrize("form", list(FORMATS))
def test_each_date_format_is_recognised_and_read_as_python_datetime_reads_it(form: str) -> None:
    """Seeded dates of years 1 to 9999 (the 13th and later days make d/m and m/d settle):
    days since 1970-01-01, year, month and weekday equal datetime's, before standardising."""
    days = _days(300, seed=3) + [datetime.date(2000, 1, 13), datetime.date(2024, 2, 29)]
    cells = [FORMATS[form](d) for d in days]
    spec = TablePreprocessor().fit({"d": cells}).columns_[0]
    assert (spec["kind"], spec["format"]) == ("date", form)
    assert list(spec["parts"]) == ["days", "year", "month", "weekday"] and not spec["indicator"]
    epoch = datetime.date(1970, 1, 1)
    expected = np.array(
        [[(d - epoch).days, d.year, d.month, d.weekday()] for d in days], dtype=np.float64
    )
    expected[:, 0] -= expected[:, 0].min()  # days since the origin, the earliest date
    stats = spec["parts"]
    for j, part in enumerate(["days", "year", "month", "weekday"]):
        mean, std = expected[:, j].mean(), expected[:, j].std()
        assert (stats[part]["mean"], stats[part]["std"]) == pytest.approx((mean, std), rel=1e-12)
    encoded = TablePreprocessor().fit({"d": cells}).transform({"d": cells})
    standardised = (expected - expected.mean(0)) / expected.std(0)
    np.testing.assert_allclose(encoded[:, :4], standardised, atol=1e-9)
    absolute = np.array([(d - epoch).days for d in days], dtype=np.float64)
    assert encoded.shape[1] == 4 + 2 * len(spec["periods"]) and spec["periods"]
    for k, period in enumerate(spec["periods"]):
        angle = 2 * np.pi * absolute / period
        np.testing.assert_allclose(encoded[:, 4 + 2 * k], np.sin(angle), atol=1e-12)
        np.testing.assert_allclose(encoded[:, 5 + 2 * k], np.cos(angle), atol=1e-12)


def test_month_names_are_case_blind_full_or_short_with_an_optional_comma() -> None:
    from ffnn.preprocessing.dates import date_parts

    expected = date_parts("2000-01-31")
    for cell in ["Jan 31 2000", "january 31, 2000", "JAN 31 2000", "January 31 2000"]:
        assert date_parts(cell, "mon d yyyy") == expected, cell
    for cell in ["31 Jan 2000", "31 jAnUaRy, 2000"]:
        assert date_parts(cell, "d mon yyyy") == expected, cell
    assert date_parts("9 Sept 2001", "d mon yyyy") == date_parts("2001-09-09")
    for cell in ["Jab 31 2000", "Feb 30 2000", "Jan 31 00", "Jan  31 2000", "Janu 31 2000"]:
        assert date_parts(cell, "mon d yyyy") is None, cell
    assert date_parts("2023/2/29", "ymd/") is None and date_parts(20000131.0, "ymd/") is None


def test_a_daily_series_with_a_distinct_date_on_every_row_is_a_date_not_an_id() -> None:
    days = [datetime.date(2012, 1, 1) + datetime.timedelta(days=k) for k in range(500)]
    table = {
        "iso": [d.isoformat() for d in days],
        "seattle": [d.strftime("%Y/%m/%d") for d in days],
        "stocks": [FORMATS["mon d yyyy"](d) for d in days],
        "row": [str(k) for k in range(500)],
    }
    pre = TablePreprocessor().fit(table)
    assert [(s["kind"], s.get("format")) for s in pre.columns_] == [
        ("date", "iso"),
        ("date", "ymd/"),
        ("date", "mon d yyyy"),
        ("id", None),
    ]


def test_a_few_cells_that_are_no_dates_are_missing_counted_at_fit_and_transform() -> None:
    cells = [f"2012/01/{d:02d}" for d in range(1, 31)] * 2 + ["soon"]  # 60 of 61 read
    pre = TablePreprocessor().fit({"d": cells})
    spec = pre.columns_[0]
    assert spec["kind"] == "date" and spec["indicator"]
    assert "1 cell(s) not such dates taken as missing" in spec["usage"]
    with pytest.warns(PreprocessingWarning, match="2 cell"):
        out = pre.transform({"d": ["2012-01-05", "2012/01/05", "5 Jan 2012"]})  # ymd/ only
    assert out[:, -1].tolist() == [1.0, 0.0, 1.0]
    assert TablePreprocessor().fit({"d": cells[:50] + ["x"] * 10})._fitted()[0]["kind"] == (
        "category"  # 50 of 60 read: below NUMERIC_SHARE
    )


def test_day_and_month_first_are_settled_by_the_column_or_it_stays_text() -> None:
    settled = ["13/01/2020", "01/02/2020", "05/06/2020"] * 10
    assert TablePreprocessor().fit({"d": settled}).columns_[0]["format"] == "dmy/"
    month_first = ["01/13/2020", "02/01/2020", "06/05/2020"] * 10
    assert TablePreprocessor().fit({"d": month_first}).columns_[0]["format"] == "mdy/"
    ambiguous = ["01/02/2020", "03/04/2020", "12/11/2020"] * 10
    spec = TablePreprocessor().fit({"d": ambiguous}).columns_[0]
    assert spec["kind"] == "category"
    assert "day first and month first alike" in spec["usage"]


def test_a_daily_series_gets_sin_and_cos_of_the_year_the_week_and_halvings_of_its_span() -> None:
    """Hand computation: 800 days from 2012-01-01 (a Sunday); the periods are the year, the week
    and 6 halvings of the 799-day span (all at least 4 days: the dates are a day apart)."""
    days = [datetime.date(2012, 1, 1) + datetime.timedelta(days=k) for k in range(800)]
    pre = TablePreprocessor().fit({"d": [d.isoformat() for d in days] + [None]})
    spec = pre.columns_[0]
    assert spec["periods"] == [365.25, 7.0, 799.0, 399.5, 199.75, 99.875, 49.9375, 24.96875]
    names = list(pre.get_feature_names_out())
    assert names[4:8] == ["d_sin365.25", "d_cos365.25", "d_sin7", "d_cos7"]
    assert names[-3:] == ["d_sin24.9688", "d_cos24.9688", "d_missing"]
    assert "sin/cos of periods 365.25, 7, 799, 399.5" in pre.describe()
    rows = ["2012-01-01", "2013-07-04", "1969-12-31", None]
    out = pre.transform({"d": rows})
    since = np.array([15340.0, 15890.0, -1.0])  # days since 1970-01-01
    for k, period in enumerate(spec["periods"]):
        np.testing.assert_allclose(out[:3, 4 + 2 * k], np.sin(2 * np.pi * since / period))
        np.testing.assert_allclose(out[:3, 5 + 2 * k], np.cos(2 * np.pi * since / period))
    # the week: 1970-01-01 was a Thursday, so Sunday 2012-01-01 is 3 days past a multiple of 7
    assert out[0, 6] == pytest.approx(np.sin(2 * np.pi * 3 / 7), abs=1e-9)
    assert np.all(out[3, 4:-1] == 0) and out[3, -1] == 1  # missing: 0 and flagged


def test_times_of_day_add_the_day_and_sparse_dates_drop_the_short_periods() -> None:
    hours = [datetime.datetime(2013, 1, 1) + datetime.timedelta(hours=3 * k) for k in range(400)]
    spec = TablePreprocessor().fit({"t": [f"{h:%Y-%m-%d %H:%M:%S}" for h in hours]}).columns_[0]
    assert spec["periods"][:3] == [365.25, 7.0, 1.0]  # 50 days: year, week, the day
    monthly = [f"{m:02d}/01/{y}" for y in range(2000, 2010) for m in range(1, 13)] + ["12/13/2009"]
    spec = TablePreprocessor().fit({"m": monthly}).columns_[0]
    # a month apart: no week; the span's halvings down to 4 months (4 x the median gap)
    assert spec["periods"][0] == 365.25 and min(spec["periods"]) >= 4 * 30
    assert 7.0 not in spec["periods"]


def test_an_old_date_spec_without_periods_keeps_its_encoding_and_hostile_periods_are_refused():
    days = [datetime.date(2012, 1, 1) + datetime.timedelta(days=k) for k in range(100)]
    cells = [d.isoformat() for d in days] + [None]
    pre = TablePreprocessor().fit({"d": cells})
    config = json.loads(json.dumps(pre.to_config()))
    spec = config["columns"][0]
    assert spec["periods"] == [365.25, 7.0, 99.0, 49.5, 24.75, 12.375, 6.1875]
    del spec["periods"]  # as saved before periods: days, year, month, weekday and the flag
    with pytest.raises(ValueError, match="outputs must be the names its encoding gives"):
        TablePreprocessor.from_config(config)
    spec["outputs"] = [
        name for name in spec["outputs"] if "_sin" not in name and "_cos" not in name
    ]
    old = TablePreprocessor.from_config(config)
    assert list(old.get_feature_names_out()) == ["d_days", "d_month", "d_weekday", "d_missing"]
    rows = {"d": ["2012-02-03", None, "2013-01-01"]}
    new = pre.transform(rows)
    np.testing.assert_array_equal(old.transform(rows), new[:, [0, 1, 2, -1]])
    hostile = [7, "7", [0], [-1.0], ["7"], [True], [float("nan")], [1e300], [1e-9], [7, 7.0]]
    for periods in [*hostile, [float(k + 1) for k in range(17)]]:
        spec["periods"] = periods
        with pytest.raises((ValueError, TypeError), match=r"column spec 0 \(date\)"):
            TablePreprocessor.from_config(config)


def test_an_old_date_spec_without_a_format_loads_as_iso_and_hostile_formats_are_refused() -> None:
    cells = ["2024-01-01", "2024-01-02", "2024-01-08T12:00:00", None]
    pre = TablePreprocessor().fit({"d": cells})
    config = json.loads(json.dumps(pre.to_config()))
    assert config["columns"][0]["format"] == "iso"
    del config["columns"][0]["format"]  # as saved before formats
    old = TablePreprocessor.from_config(config)
    rows = {"d": ["2024-01-03", "2024/01/03", None]}
    with pytest.warns(PreprocessingWarning):
        assert old.transform(rows).tobytes() == pre.transform(rows).tobytes()
    for hostile in ["%Y%m%d", "ISO", 7, None, ["iso"], "ymd/" * 100]:
        config["columns"][0]["format"] = hostile
        with pytest.raises(ValueError, match=r"column spec 0 \(date\): format must be one of"):
            TablePreprocessor.from_config(config)
