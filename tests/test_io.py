"""The model file: round trips, atomic writes, and refusal of damaged or hostile files."""

from __future__ import annotations

import io
import json
import re
import struct
import tracemalloc
import zipfile

import numpy as np
import pytest
from archive_edits import manifest_edit, rewrite

import ffnn
from ffnn.io import load, save


def _trained(tmp_path=None) -> tuple[ffnn.Sequential, np.ndarray]:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    y = (X.sum(axis=1) > 0).astype(int)
    model = ffnn.Sequential(
        [
            ffnn.Dense(3, 5, regularizer=ffnn.regularizers.L2(1e-3)),
            ffnn.LeakyReLU(0.1),
            ffnn.Dense(5, 2),
        ],
        random_state=1,
    )
    model.fit(X, y, loss="cross_entropy", optimizer=ffnn.Adam(learning_rate=0.01), epochs=3)
    return model, X


def test_round_trip_gives_bit_identical_predictions(tmp_path) -> None:
    model, X = _trained()
    path = tmp_path / "model.ffnn"
    save(model, path)
    loaded = load(path)
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))
    assert loaded.dtype == model.dtype
    assert repr(loaded) == repr(model)
    assert type(loaded.loss) is type(model.loss)
    assert loaded.optimizer is None  # not asked for


def test_optimizer_state_round_trips_so_training_continues_identically(tmp_path) -> None:
    model, X = _trained()
    y = (X.sum(axis=1) > 0).astype(int)
    save(model, tmp_path / "m.ffnn", include_optimizer=True)
    resumed = load(tmp_path / "m.ffnn")
    assert type(resumed.optimizer) is type(model.optimizer)
    model.fit(X, y, epochs=2, batch_size=None, optimizer=model.optimizer)
    resumed.fit(X, y, epochs=2, batch_size=None, optimizer=resumed.optimizer)
    for a, b in zip(model.get_weights(), resumed.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_the_file_is_a_zip_of_json_and_npy_readable_without_ffnn(tmp_path) -> None:
    model, _ = _trained()
    save(model, tmp_path / "m.ffnn")
    with zipfile.ZipFile(tmp_path / "m.ffnn") as archive:
        document = json.loads(archive.read("ffnn.json"))
        assert document["format"] == "ffnn-model" and document["format_version"] == 1
        first = document["arrays"][0]
        array = np.load(io.BytesIO(archive.read(first["path"])), allow_pickle=False)
    assert first["name"] == "layers.0.weight"
    np.testing.assert_array_equal(array, model.layers[0].weight.data)
    assert [layer["class"] for layer in document["model"]["layers"]] == [
        "Dense",
        "LeakyReLU",
        "Dense",
    ]


def test_a_failed_save_leaves_the_previous_file_and_no_temporary(tmp_path, monkeypatch) -> None:
    model, X = _trained()
    path = tmp_path / "m.ffnn"
    save(model, path)
    before = path.read_bytes()

    def explode(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(np, "save", explode)
    with pytest.raises(OSError, match="disk full"):
        save(model, path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["m.ffnn"]


def _pickled_array(members):
    buffer = io.BytesIO()
    np.save(buffer, np.array([{"evil": 1}, None], dtype=object), allow_pickle=True)
    members["arrays/0.npy"] = buffer.getvalue()


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda m: m.pop("ffnn.json"), "member 'ffnn.json' is missing"),
        (lambda m: m.update({"ffnn.json": b"{not json"}), "is not valid JSON"),
        (manifest_edit(lambda d: d.update(format="other")), "not an ffnn model file"),
        (manifest_edit(lambda d: d.update(format_version=99)), "format version 99.*upgrade"),
        (
            manifest_edit(lambda d: d["model"]["layers"][1].update({"class": "os.system"})),
            "layer 1: the layer class 'os.system' is not one ffnn defines",
        ),
        (
            manifest_edit(lambda d: d["model"]["layers"][0]["config"].update(n_out=9)),
            "the layers need 48 numbers but the file stores at most 32",
        ),
        (manifest_edit(lambda d: d["arrays"][0].update(dtype="|O")), "invalid shape or dtype"),
        (lambda m: m.pop("arrays/1.npy"), "member 'arrays/1.npy' is missing"),
        (lambda m: m.update({"arrays/0.npy": b"\x93NUMPY garbage"}), "is damaged"),
        (_pickled_array, "is damaged|manifest says"),
        (lambda m: m.update({"arrays/0.npy": b"\x00" * 10_000_000}), "more than the"),
    ],
)
def test_damaged_or_hostile_files_raise_a_clear_value_error(tmp_path, damage, message) -> None:
    model, _ = _trained()
    path = tmp_path / "m.ffnn"
    save(model, path)
    rewrite(path, damage)
    with pytest.raises(ValueError, match=message):
        load(path)


def test_truncated_foreign_and_missing_files_raise_value_error(tmp_path) -> None:
    model, _ = _trained()
    path = tmp_path / "m.ffnn"
    save(model, path)
    data = path.read_bytes()
    for cut in (10, len(data) // 2, len(data) - 30):
        (tmp_path / "cut.ffnn").write_bytes(data[:cut])
        with pytest.raises(ValueError):
            load(tmp_path / "cut.ffnn")
    (tmp_path / "text.ffnn").write_text("hello")
    with pytest.raises(ValueError, match="not a zip archive"):
        load(tmp_path / "text.ffnn")
    with pytest.raises(ValueError, match="no such model file"):
        load(tmp_path / "absent.ffnn")
    with pytest.raises(ValueError, match=f"{re.escape(str(tmp_path))}: is a folder"):
        load(tmp_path)


def test_save_refuses_what_is_not_a_model(tmp_path) -> None:
    with pytest.raises(TypeError, match="expects an ffnn Sequential"):
        save({"W1": np.zeros(2)}, tmp_path / "x.ffnn")  # type: ignore[arg-type]


def _resume_data():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(90, 4))
    return X, (X[:, 0] - X[:, 1] > 0).astype(int) + (X[:, 2] > 0.5)


def _resume_model(random_state) -> ffnn.Sequential:
    return ffnn.Sequential(
        [ffnn.Dense(4, 12), ffnn.ReLU(), ffnn.Dropout(0.3), ffnn.Dense(12, 3)],
        random_state=random_state,
    )


@pytest.mark.parametrize("random_state", [5, np.random.RandomState(5)], ids=["Generator", "legacy"])
def test_training_resumed_from_a_checkpoint_continues_exactly(tmp_path, random_state) -> None:
    """Weights, Adam's moments, the epoch and the generator (shuffling, dropout masks) all
    come back: epochs 4-7 after a reload equal epochs 4-7 of an uninterrupted run, bit for bit."""
    import copy

    X, y = _resume_data()
    schedule = ffnn.LearningRateScheduler(ffnn.schedules.StepDecay(0.02, step_size=3, gamma=0.5))
    settings = dict(loss="cross_entropy", batch_size=16, validation_data=(X[:20], y[:20]))

    straight = _resume_model(copy.deepcopy(random_state))
    checkpoint = ffnn.ModelCheckpoint(tmp_path / "epoch-{epoch}.ffnn", save_best_only=False)
    full = straight.fit(
        X, y, optimizer=ffnn.Adam(0.02), epochs=8, callbacks=[schedule, checkpoint], **settings
    )

    resumed = ffnn.load(tmp_path / "epoch-4.ffnn")
    assert resumed.epochs_trained == 4 and resumed.optimizer.iterations == 4 * 6
    rest = resumed.fit(
        X, y, epochs=8, initial_epoch=resumed.epochs_trained, callbacks=[schedule], **settings
    )
    assert rest.epoch == [4, 5, 6, 7]
    assert rest["loss"] == full["loss"][4:] and rest["val_loss"] == full["val_loss"][4:]
    for a, b in zip(resumed.get_weights(), straight.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_metadata_and_epochs_trained_travel_with_the_model(tmp_path) -> None:
    model, _ = _trained()
    model.metadata = {"features": ["a", "b", "c"], "classes": ["cat", "dog"], "scale": [1.5]}
    save(model, tmp_path / "m.ffnn")
    loaded = load(tmp_path / "m.ffnn")
    assert loaded.metadata == model.metadata and loaded.epochs_trained == 3
    model.metadata = {"bad": np.zeros(2)}
    with pytest.raises(TypeError, match="metadata must hold JSON values"):
        save(model, tmp_path / "m.ffnn")
    assert load(tmp_path / "m.ffnn").metadata["classes"] == ["cat", "dog"]  # left intact


def test_a_saved_file_gets_the_permissions_of_any_new_file_and_no_temporary_stays(
    tmp_path,
) -> None:
    import os
    import stat

    model, _ = _trained()
    mask = os.umask(0o027)  # a restrictive umask, so that the test tells it from a fixed mode
    try:
        save(model, tmp_path / "m.ffnn")
        save(model, tmp_path / "m.ffnn")  # replacing
    finally:
        os.umask(mask)
    assert stat.S_IMODE((tmp_path / "m.ffnn").stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["m.ffnn"]


_SAVER = """
import sys, numpy as np, ffnn
model = ffnn.Sequential([ffnn.Dense(300, 400), ffnn.ReLU(), ffnn.Dense(400, 300)])
path = sys.argv[1]
k = 0
while True:
    k += 1
    model.flat_parameter().data[:] = k  # every weight equals the save's number
    print(k, flush=True)
    ffnn.save(model, path)
"""


def test_a_process_killed_mid_save_leaves_a_loadable_file(tmp_path) -> None:
    """A child saves a 240 000-weight model over and over; it is killed 12 times, each time
    right after it announced a save; the file always loads, whole, from one single save."""
    import subprocess
    import sys

    path = tmp_path / "m.ffnn"
    seen = set()
    for round_ in range(12):
        child = subprocess.Popen(
            [sys.executable, "-c", _SAVER, str(path)], stdout=subprocess.PIPE, text=True
        )
        assert child.stdout is not None
        for _ in range(2 + round_ % 3):  # let it finish a save or two, then kill mid-save
            child.stdout.readline()
        child.kill()
        child.wait()
        loaded = load(path)
        values = np.unique(loaded.flat_parameter().data)
        assert values.size == 1  # one save's weights, never a mix
        seen.add(int(values[0]))
    assert len(seen) >= 2


# -- hostile files: bounded memory, one kind of error (docs/threats.md, "A model file") ---------
def _peak_of_load(path) -> tuple[int, BaseException | None]:
    """Peak bytes traced while loading ``path``, and the error it raised (None if it loaded)."""
    tracemalloc.start()
    try:
        load(path)
        error = None
    except ValueError as raised:
        error = raised
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak, error


def _big_declared(document: dict) -> None:
    document["arrays"][0]["shape"] = [10**9, 10**9]


def _more_than_the_layers_use(document: dict) -> None:
    document["arrays"][0]["shape"] = [100_000, 10_000]  # 8 GB for a network of 32 numbers


def _huge_layers(document: dict) -> None:
    document["model"]["layers"] = [
        {"class": "Dense", "config": {"n_in": 100_000, "n_out": 100_000}}
    ]
    document["arrays"] = [
        {"name": "w", "path": "arrays/0.npy", "shape": [100_000, 100_000], "dtype": "<f4"},
        {"name": "b", "path": "arrays/1.npy", "shape": [100_000], "dtype": "<f4"},
    ]


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (_big_declared, "declares 1e\\+18 values"),
        (_more_than_the_layers_use, "more bytes than the layers use"),
        (_huge_layers, "manifest says <f4\\[100000, 100000\\]"),
    ],
    ids=["1e9x1e9 array", "8 GB array", "40 GB Dense"],
)
def test_a_manifest_declaring_huge_arrays_is_refused_in_little_memory(
    tmp_path, edit, message
) -> None:
    model, _ = _trained()
    path = tmp_path / "m.ffnn"
    save(model, path)
    rewrite(path, manifest_edit(edit))
    peak, error = _peak_of_load(path)
    assert error is not None and str(error).startswith(str(path))
    assert re.search(message, str(error)), error
    assert peak < 2 * 2**20, peak


def test_an_npy_header_declaring_a_huge_shape_is_refused_in_little_memory(tmp_path) -> None:
    model, _ = _trained()
    path = tmp_path / "m.ffnn"
    save(model, path)
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        header, {"descr": "<f4", "fortran_order": False, "shape": (10**9, 10**9)}
    )
    rewrite(path, lambda m: m.update({"arrays/0.npy": header.getvalue() + b"\0" * 64}))
    peak, error = _peak_of_load(path)
    assert error is not None and "manifest says" in str(error)
    assert peak < 2 * 2**20, peak


def _set_declared_size(path, member: str, size: int) -> None:
    """Write ``size`` as ``member``'s uncompressed size in the zip's central directory."""
    data = bytearray(path.read_bytes())
    at = next(
        i
        for i in range(len(data))
        if data.startswith(b"PK\x01\x02", i)
        and data[i + 46 : i + 46 + len(member)] == member.encode()
    )
    data[at + 24 : at + 28] = struct.pack("<I", size)
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("size", [2**32 - 1, 10])
def test_a_zip_directory_lying_about_a_members_size_is_refused_in_little_memory(
    tmp_path, size
) -> None:
    model, _ = _trained()
    path = tmp_path / "m.ffnn"
    save(model, path)
    _set_declared_size(path, "arrays/0.npy", size)
    peak, error = _peak_of_load(path)
    assert error is not None and str(error).startswith(str(path)), error
    assert peak < 2 * 2**20, peak


def test_a_deflate_bomb_the_manifest_does_not_list_is_never_read(tmp_path) -> None:
    model, _ = _trained()
    path = tmp_path / "m.ffnn"
    save(model, path)
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        with archive.open("arrays/bomb.npy", "w", force_zip64=True) as stream:
            for _ in range(256):  # 256 MiB of zeros, about 256 KiB compressed
                stream.write(bytes(2**20))
    peak, error = _peak_of_load(path)
    assert error is None
    assert peak < 2 * 2**20, peak


def test_a_large_model_loads_with_a_peak_a_small_multiple_of_its_weights(tmp_path) -> None:
    model = ffnn.Sequential([ffnn.Dense(1000, 1000), ffnn.ReLU(), ffnn.Dense(1000, 1)])
    path = tmp_path / "m.ffnn"
    save(model, path)
    weights = sum(w.nbytes for w in model.get_weights())  # about 4 MB of float32
    tracemalloc.start()
    with zipfile.ZipFile(path) as archive:
        document = ffnn.io._archive.read_manifest(archive, str(path))
        arrays = [ffnn.io._archive.read_array(archive, e, str(path)) for e in document["arrays"]]
    _, read_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del arrays
    peak, error = _peak_of_load(path)
    assert error is None
    # reading the arrays: their bytes and little more; the whole load: building the layers
    # draws their initial weights in float64 (8 bytes a number, and the generator's
    # temporaries) before the stored ones are copied in
    assert read_peak < 1.8 * weights, (read_peak, weights)
    assert peak < 10 * weights, (peak, weights)


@pytest.mark.parametrize(
    ("method", "message"),
    [(zipfile.ZIP_BZIP2, "compression method 12"), (zipfile.ZIP_LZMA, "compression method 14")],
)
def test_members_compressed_other_than_stored_or_deflate_are_refused(tmp_path, method, message):
    model, _ = _trained()
    path = tmp_path / "m.ffnn"
    save(model, path)
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data, compress_type=method if name != "ffnn.json" else 0)
    with pytest.raises(ValueError, match=f"{re.escape(str(path))}: .*{message}"):
        load(path)


def test_an_encrypted_member_is_refused(tmp_path) -> None:
    model, _ = _trained()
    path = tmp_path / "m.ffnn"
    save(model, path)
    data = bytearray(path.read_bytes())
    for signature, flags in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.index(signature)  # the first member: ffnn.json
        data[at + flags] |= 0x1
    path.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="encrypted"):
        load(path)


def _weight_member(value: float):
    """A ``mutate`` for :func:`rewrite` that stores ``value`` in the first column of the first
    weight (written past ``set_weights``, which refuses non-finite numbers)."""

    def mutate(members) -> None:
        weight = np.load(io.BytesIO(members["arrays/0.npy"]))
        weight[:, 0] = value
        buffer = io.BytesIO()
        np.save(buffer, weight)
        members["arrays/0.npy"] = buffer.getvalue()

    return mutate


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (np.nan, "weights\\[0\\] contains NaN"),
        (np.inf, "contains NaN or infinity"),
        (3e38, "predicts non-finite"),
    ],
)
def test_weights_stored_non_finite_or_overflowing_are_refused(tmp_path, value, message) -> None:
    model, _ = _trained()
    path = tmp_path / "m.ffnn"
    save(model, path)
    rewrite(path, _weight_member(value))
    with pytest.raises(ValueError, match=f"{re.escape(str(path))}: .*{message}"):
        load(path)


def test_optimizer_state_stored_non_finite_is_refused(tmp_path) -> None:
    model, _ = _trained()
    path = tmp_path / "m.ffnn"
    save(model, path, include_optimizer=True)

    def mutate(members) -> None:
        document = json.loads(members["ffnn.json"])
        entry = next(e for e in document["arrays"] if e["name"].startswith("optimizer."))
        slot = np.load(io.BytesIO(members[entry["path"]]))
        slot.flat[0] = np.nan
        buffer = io.BytesIO()
        np.save(buffer, slot)
        members[entry["path"]] = buffer.getvalue()

    rewrite(path, mutate)
    with pytest.raises(ValueError, match=f"{re.escape(str(path))}: array 'optimizer.*non-finite"):
        load(path)


@pytest.mark.parametrize("text", ["NaN", "Infinity", "-Infinity", "1e999", "[" * 100 + "]" * 100])
def test_manifest_numbers_out_of_range_and_deep_nesting_are_refused(tmp_path, text) -> None:
    model, _ = _trained()
    path = tmp_path / "m.ffnn"
    save(model, path)

    def edit(members) -> None:
        document = json.loads(members["ffnn.json"])
        document["metadata"] = {"x": "HOLE"}
        members["ffnn.json"] = json.dumps(document).replace('"HOLE"', text).encode()

    rewrite(path, edit)
    with pytest.raises(ValueError, match=f"{re.escape(str(path))}: ffnn.json"):
        load(path)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d["training"].update(rng={"kind": "Generator", "state": 3}), "generator"),
        (lambda d: d["training"].update(rng=[1, 2]), "generator state must be"),
        (lambda d: d["training"].update(epochs_trained=-1), "epochs_trained"),
        (lambda d: d["optimizer"].update(slots={"m": "x"}), "optimizer slots"),
        (lambda d: d["optimizer"].update(slots={"m": 1}), "arrays listed"),
        (lambda d: d["optimizer"].update(binding=3), "binding"),
        (lambda d: d["optimizer"].update(iterations=1.5), "iterations"),
        (lambda d: d["model"].update(layers={"a": 1}), "layers must be a list"),
        (lambda d: d["model"]["layers"].__setitem__(0, 7), "layer 0 must be an object"),
        (lambda d: d["model"].update(dtype="float16"), "dtype"),
        (lambda d: d["model"].update(loss=[1]), "loss must be a JSON object"),
        (lambda d: d["arrays"].append(d["arrays"][0]), "arrays listed"),
        (lambda d: d.update(metadata=[1]), "metadata must be"),
    ],
)
def test_wrongly_typed_manifest_fields_are_refused_naming_the_file(tmp_path, edit, message):
    model, _ = _trained()
    path = tmp_path / "m.ffnn"
    save(model, path, include_optimizer=True)
    rewrite(path, manifest_edit(edit))
    with pytest.raises(ValueError, match=f"{re.escape(str(path))}: .*{message}"):
        load(path)


def test_a_file_truncated_while_it_is_read_gives_a_clear_value_error(tmp_path, monkeypatch):
    model = ffnn.Sequential([ffnn.Dense(300, 300)])  # larger than the reader's buffer
    path = tmp_path / "m.ffnn"
    save(model, path)
    read_manifest = ffnn.io._format.read_manifest

    def read_then_truncate(archive, name):
        document = read_manifest(archive, name)
        with open(path, "r+b") as stream:  # another process cuts the file short
            stream.truncate(200)
        return document

    monkeypatch.setattr(ffnn.io._format, "read_manifest", read_then_truncate)
    with pytest.raises(ValueError, match=f"{re.escape(str(path))}: damaged ffnn model file"):
        load(path)
