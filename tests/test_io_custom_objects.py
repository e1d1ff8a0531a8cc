"""ffnn.save / ffnn.load with the user's own classes (custom_objects, Keras' convention), what
save refuses up front, the loss's old form, and the registry of model-file sections."""

from __future__ import annotations

import json
import zipfile
from typing import Any

import numpy as np
import pytest
from archive_edits import manifest_edit, rewrite

import ffnn
from ffnn import io as ffnn_io
from ffnn.initializers import Initializer
from ffnn.io import Section, SectionParts, load, save
from ffnn.layers import Layer, Parameter
from ffnn.losses import Loss
from ffnn.optimizers import Optimizer


# -- the user's own classes, defined at the top of the user's module ------------------------
class Swish(Layer):
    """``x · σ(βx)``: a layer without parameters, with one argument."""

    def __init__(self, beta: float = 1.0) -> None:
        self.beta = beta

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        self._x = x
        self._s = 1.0 / (1.0 + np.exp(-self.beta * x))
        return x * self._s

    def backward(self, grad: np.ndarray) -> np.ndarray:
        s = self._s
        return grad * (s + self.beta * self._x * s * (1.0 - s))

    def get_config(self) -> dict[str, Any]:
        return {"beta": self.beta}


class Scale(Layer):
    """``y = x · a`` with a trained vector ``a`` (n_features,): a layer with a parameter."""

    def __init__(self, n_features: int) -> None:
        self.n_features = n_features
        self.scale = Parameter(np.ones(n_features), "scale")

    def reset_parameters(self, rng: Any, dtype: Any, default_initializer: Any = None) -> None:
        self.scale = Parameter(
            1.0 + 0.1 * rng.standard_normal(self.n_features).astype(dtype), "scale"
        )

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        self._x = x
        return x * self.scale.data

    def backward(self, grad: np.ndarray) -> np.ndarray:
        self.scale.grad[...] = (grad * self._x).sum(axis=0)
        return grad * self.scale.data

    def parameters(self) -> list[Parameter]:
        return [self.scale]

    def get_config(self) -> dict[str, Any]:
        return {"n_features": self.n_features}


class LogCosh(Loss):
    """``L = mean log cosh(z - y)``, ``∂L/∂z = tanh(z - y) / n``."""

    def __init__(self, scale: float = 1.0) -> None:
        super().__init__()
        self.scale = scale

    def forward(self, logits: np.ndarray, y: np.ndarray, sample_weight: Any = None) -> float:
        diff = self.scale * (logits - y)
        return self._reduce(np.log(np.cosh(diff)), np.tanh(diff) * self.scale, sample_weight)

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "scale": self.scale}


class HeavyBall(Optimizer):
    """Momentum ``v ← βv + g``, ``θ ← θ - ηv``, with one state slot, ``velocity``."""

    _hyperparameters = ("beta",)

    def __init__(
        self,
        learning_rate: float = 0.05,
        beta: float = 0.9,
        *,
        parameters: Any = None,
        clip_norm: float | None = None,
        clip_value: float | None = None,
    ) -> None:
        self.beta = beta
        super().__init__(
            learning_rate, parameters=parameters, clip_norm=clip_norm, clip_value=clip_value
        )

    def _state_names(self) -> tuple[str, ...]:
        return ("velocity",)

    def _update(self, data: np.ndarray, grad: np.ndarray, state: Any, work: Any) -> None:
        velocity = state["velocity"]
        velocity *= self.beta
        velocity += grad
        np.multiply(velocity, self.learning_rate, out=work[0])
        data -= work[0]


class ConstantHalf(Initializer):
    """An initializer of the user's: every entry 0.5."""

    name = "constant_half"

    def __call__(self, shape: tuple[int, ...], rng: Any, dtype: Any) -> np.ndarray:
        return np.full(shape, 0.5, dtype=dtype)


CUSTOM = {"Swish": Swish, "Scale": Scale, "LogCosh": LogCosh, "HeavyBall": HeavyBall}


def _data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 3))
    return X, (X @ np.array([[1.0], [-2.0], [0.5]])) + 0.1


def _model() -> ffnn.Sequential:
    layers = [ffnn.Dense(3, 8), Swish(1.5), Scale(8), ffnn.Dense(8, 1)]
    return ffnn.Sequential(layers, dtype="float64", random_state=3)


def _plain() -> ffnn.Sequential:
    return ffnn.Sequential([ffnn.Dense(3, 4), ffnn.Tanh(), ffnn.Dense(4, 1)], random_state=1)


def _fit(model: ffnn.Sequential, epochs: int, **kwargs: Any) -> Any:
    X, y = _data()
    return model.fit(X, y, loss=LogCosh(2.0), batch_size=16, epochs=epochs, **kwargs)


# -- custom_objects ---------------------------------------------------------------------------
def test_custom_layers_loss_and_optimizer_round_trip_with_custom_objects(tmp_path) -> None:
    model = _model()
    _fit(model, 3, optimizer=HeavyBall(0.02))
    save(model, tmp_path / "m.ffnn", include_optimizer=True)
    loaded = load(tmp_path / "m.ffnn", custom_objects=CUSTOM)
    X, _ = _data()
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    assert [type(layer) for layer in loaded.layers] == [ffnn.Dense, Swish, Scale, ffnn.Dense]
    assert loaded.layers[1].beta == 1.5 and loaded.layers[2].n_features == 8
    assert type(loaded.loss) is LogCosh and loaded.loss.scale == 2.0
    assert type(loaded.optimizer) is HeavyBall and loaded.optimizer.beta == 0.9
    for a, b in zip(
        loaded.optimizer.state["velocity"], model.optimizer.state["velocity"], strict=True
    ):
        np.testing.assert_array_equal(a, b)
    manifest = json.loads(zipfile.ZipFile(tmp_path / "m.ffnn").read("ffnn.json"))
    assert manifest["model"]["loss"] == {"class": "LogCosh", "config": {"scale": 2.0}}
    assert manifest["optimizer"]["slots"] == {"velocity": 1}  # fit binds the flat parameter


def test_a_resumed_checkpoint_with_a_custom_optimizer_continues_exactly(tmp_path) -> None:
    """fit 6 epochs == fit 2, save, load with custom_objects, fit 4 more: bit for bit."""
    straight = _model()
    full = _fit(straight, 6, optimizer=HeavyBall(0.02))

    first = _model()
    _fit(first, 2, optimizer=HeavyBall(0.02))
    first.save(tmp_path / "half.ffnn", include_optimizer=True)
    resumed = load(tmp_path / "half.ffnn", custom_objects=CUSTOM)
    assert resumed.optimizer.iterations == 2 * 4
    rest = _fit(resumed, 6, initial_epoch=resumed.epochs_trained)
    assert rest["loss"] == full["loss"][2:]
    for a, b in zip(resumed.get_weights(), straight.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(
    ("missing", "what"),
    [
        ("Swish", "layer 1"),
        ("Scale", "layer 2"),
        ("LogCosh", "the loss"),
        ("HeavyBall", "the optimizer"),
    ],
)
def test_a_class_neither_built_in_nor_given_is_refused_naming_it(tmp_path, missing, what) -> None:
    model = _model()
    _fit(model, 1, optimizer=HeavyBall(0.02))
    save(model, tmp_path / "m.ffnn", include_optimizer=True)
    given = {name: cls for name, cls in CUSTOM.items() if name != missing}
    with pytest.raises(ValueError) as caught:
        load(tmp_path / "m.ffnn", custom_objects=given)
    message = str(caught.value)
    assert str(tmp_path / "m.ffnn") in message and what in message
    assert f"custom_objects={{'{missing}': {missing}}}" in message


def test_custom_objects_must_map_names_to_classes_of_the_right_kind(tmp_path) -> None:
    model = _model()
    save(model, tmp_path / "m.ffnn")
    with pytest.raises(TypeError, match="dict of class names to classes"):
        load(tmp_path / "m.ffnn", custom_objects=[Swish])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="map class names"):
        load(tmp_path / "m.ffnn", custom_objects={"Swish": Swish(1.0)})  # type: ignore[dict-item]
    with pytest.raises(TypeError, match=r"custom_objects\['Swish'\] must be a subclass of .*Layer"):
        load(tmp_path / "m.ffnn", custom_objects={**CUSTOM, "Swish": LogCosh})


def test_a_name_in_custom_objects_may_map_to_a_renamed_class(tmp_path) -> None:
    class_ = type("Momentum", (HeavyBall,), {"__module__": __name__, "__qualname__": "Momentum"})
    model = _model()
    _fit(model, 1, optimizer=HeavyBall(0.02))
    save(model, tmp_path / "m.ffnn", include_optimizer=True)
    loaded = load(tmp_path / "m.ffnn", custom_objects={**CUSTOM, "HeavyBall": class_})
    assert type(loaded.optimizer) is class_ and loaded.optimizer.iterations == 4


def test_an_initializer_of_the_user_s_inside_a_layer_config_comes_from_custom_objects(
    tmp_path,
) -> None:
    model = ffnn.Sequential([ffnn.Dense(3, 2, initializer=ConstantHalf())], random_state=0)
    save(model, tmp_path / "m.ffnn")
    with pytest.raises(ValueError, match="'constant_half' is your own initializer.*custom_objects"):
        load(tmp_path / "m.ffnn")
    loaded = load(tmp_path / "m.ffnn", custom_objects={"ConstantHalf": ConstantHalf})
    assert type(loaded.layers[0].initializer) is ConstantHalf
    np.testing.assert_array_equal(loaded.get_weights()[0], np.full((3, 2), 0.5, np.float32))


def test_the_file_format_never_imports_the_scikit_learn_adapter() -> None:
    """ffnn.io reads no part above it: no import of ffnn.sklearn, not even in a function or
    as a string (the facade provides the adapter when a file needs it)."""
    import ast
    from pathlib import Path

    folder = Path(ffnn_io.__file__).parent
    for module in sorted(folder.glob("*.py")):
        tree = ast.parse(module.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [f"{node.module}.{alias.name}" for alias in node.names]
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                names = [node.value] if node.value.startswith("ffnn.") else []
            else:
                continue
            for name in names:
                assert not name.startswith(("ffnn.sklearn", "sklearn")), (module.name, name)


def test_a_loss_written_in_the_first_form_still_loads(tmp_path) -> None:
    """Files written before losses were saved by class name: ``{"name": "huber", ...}``."""
    model = _plain()
    model.loss = ffnn.Huber(delta=2.5)
    save(model, tmp_path / "m.ffnn")
    manifest = json.loads(zipfile.ZipFile(tmp_path / "m.ffnn").read("ffnn.json"))
    assert manifest["model"]["loss"] == {"class": "Huber", "config": {"delta": 2.5}}
    old = {"name": "huber", "delta": 2.5}
    rewrite(tmp_path / "m.ffnn", manifest_edit(lambda d: d["model"].update(loss=old)))
    loaded = load(tmp_path / "m.ffnn")
    assert type(loaded.loss) is ffnn.Huber and loaded.loss.delta == 2.5


# -- what save refuses, before anything is written --------------------------------------------
class ArrayConfig(Swish):
    def get_config(self) -> dict[str, Any]:
        return {"beta": np.float32(self.beta) * np.ones(2)}


class ForgetfulConfig(Scale):
    def get_config(self) -> dict[str, Any]:
        return {"size": self.n_features}


class DoublingConfig(Swish):
    def __init__(self, beta: float = 1.0) -> None:
        super().__init__(2.0 * beta)  # get_config gives the stored beta, not the argument


class Dense(Swish):  # the name of a built-in layer
    pass


def _local_class() -> type[Layer]:
    class Local(Swish):
        pass

    return Local


@pytest.mark.parametrize(
    ("layer", "error", "message"),
    [
        (ArrayConfig(1.0), TypeError, r"layer 1 \(ArrayConfig\).*JSON values"),
        (ForgetfulConfig(8), ValueError, r"ForgetfulConfig\(\*\*get_config\(\)\) raises TypeError"),
        (DoublingConfig(0.5), ValueError, r"has the config \{'beta': 2.0\}.*another object"),
        (Dense(1.0), TypeError, r"has the name of ffnn's ffnn.layers.Dense"),
        (_local_class()(1.0), TypeError, "defined inside a function"),
    ],
    ids=["not-json", "does-not-rebuild", "rebuilds-another", "built-in-name", "local-class"],
)
def test_save_refuses_a_layer_load_could_not_give_back(tmp_path, layer, error, message) -> None:
    good = _model()
    save(good, tmp_path / "m.ffnn")
    before = (tmp_path / "m.ffnn").read_bytes()
    bad = ffnn.Sequential([ffnn.Dense(3, 8), layer, ffnn.Dense(8, 1)], random_state=0)
    with pytest.raises(error, match=message):
        save(bad, tmp_path / "m.ffnn")
    assert (tmp_path / "m.ffnn").read_bytes() == before  # the old file stays
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.ffnn"]  # and no temporary


class NoRebuildLoss(LogCosh):
    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "scale": self.scale, "extra": 1}


class ConfiglessOptimizer(HeavyBall):
    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "beta": {1, 2}}


def test_save_refuses_a_loss_or_optimizer_load_could_not_give_back(tmp_path) -> None:
    model = _model()
    model.loss = NoRebuildLoss()
    with pytest.raises(ValueError, match=r"the loss \(NoRebuildLoss\).*raises TypeError"):
        save(model, tmp_path / "m.ffnn")
    model.loss = LogCosh()
    model.optimizer = ConfiglessOptimizer(0.1, parameters=model.parameters())
    save(model, tmp_path / "m.ffnn")  # without the optimizer, it is not written
    with pytest.raises(TypeError, match=r"the optimizer \(ConfiglessOptimizer\).*JSON values"):
        save(model, tmp_path / "m2.ffnn", include_optimizer=True)
    assert not (tmp_path / "m2.ffnn").exists()


@pytest.mark.parametrize(
    ("metadata", "message"),
    [
        ("a string", "must be a dict of JSON values.*got str"),
        ({"bad": np.zeros(2)}, "must hold JSON values"),
        ({"pair": (1, 2)}, "would load as"),
        ({1: "one"}, "would load as"),
        ({"x": float("nan")}, "must hold JSON values"),
    ],
)
def test_save_refuses_metadata_load_could_not_give_back(tmp_path, metadata, message) -> None:
    model = _model()
    model.metadata = metadata
    with pytest.raises(TypeError, match=message):
        save(model, tmp_path / "m.ffnn")
    assert not (tmp_path / "m.ffnn").exists()


# -- sections: an outer part's own object in a model file --------------------------------------
class Annotated:
    """A network with a note and a lookup table: what a part above the format might save."""

    def __init__(self, model: ffnn.Sequential, note: str, table: np.ndarray) -> None:
        self.model, self.note, self.table = model, note, table


class AnnotatedSection(Section):
    key = "annotated"

    def owns(self, obj: Any) -> bool:
        return isinstance(obj, Annotated)

    def write(self, obj: Any) -> SectionParts:
        return SectionParts(obj.model, None, {"note": obj.note}, [({"name": "table"}, obj.table)])

    def read(self, body: dict[str, Any], read_array: Any, model: ffnn.Sequential) -> Annotated:
        if not isinstance(body.get("note"), str):
            raise ValueError("the note must be a string")
        (entry,) = body["arrays"]
        return Annotated(model, body["note"], read_array(entry, {"<f8"}.__contains__))


@pytest.fixture
def sections(monkeypatch):
    monkeypatch.setattr(ffnn_io._sections, "SECTIONS", {**ffnn_io.SECTIONS})
    monkeypatch.setattr(ffnn_io._sections, "_PROVIDERS", [])
    return ffnn_io._sections


def test_a_registered_section_round_trips_its_object(tmp_path, sections) -> None:
    ffnn_io.register_section(AnnotatedSection())
    obj = Annotated(_plain(), "made by a test", np.arange(4.0))
    save(obj, tmp_path / "a.ffnn")
    members = zipfile.ZipFile(tmp_path / "a.ffnn").namelist()
    assert "annotated/0.npy" in members
    loaded = load(tmp_path / "a.ffnn")
    assert isinstance(loaded, Annotated) and loaded.note == "made by a test"
    np.testing.assert_array_equal(loaded.table, obj.table)
    np.testing.assert_array_equal(loaded.model.get_weights()[0], obj.model.get_weights()[0])
    rewrite(tmp_path / "a.ffnn", manifest_edit(lambda d: d["annotated"].update(note=3)))
    with pytest.raises(ValueError, match=r"a.ffnn: the note must be a string"):
        load(tmp_path / "a.ffnn")


def test_a_section_no_part_reads_is_refused_and_providers_are_asked(tmp_path, sections) -> None:
    ffnn_io.register_section(AnnotatedSection())
    save(Annotated(_plain(), "x", np.zeros(2)), tmp_path / "a.ffnn")
    del sections.SECTIONS["annotated"]
    asked = []

    def provider(kind: str, name: str) -> str | None:
        asked.append((kind, name))
        return "install the annotations extra"

    ffnn_io.add_provider(provider)
    with pytest.raises(ValueError, match="'annotated' section.*install the annotations extra"):
        load(tmp_path / "a.ffnn")
    assert asked == [("section", "annotated")]

    def registering_provider(kind: str, name: str) -> None:
        ffnn_io.register_section(AnnotatedSection())  # as an import of the part would

    sections._PROVIDERS[:] = [registering_provider]
    assert isinstance(load(tmp_path / "a.ffnn"), Annotated)


def test_providers_are_asked_for_a_class_nothing_defines(tmp_path, sections) -> None:
    save(_model(), tmp_path / "m.ffnn")
    asked = []
    ffnn_io.add_provider(lambda kind, name: asked.append((kind, name)))
    with pytest.raises(
        ValueError, match="layer 1: the layer class 'Swish' is not one ffnn defines"
    ):
        load(tmp_path / "m.ffnn")
    assert asked == [("layer", "Swish")]


def test_sections_cannot_take_the_model_s_keys(sections) -> None:
    class Bad(AnnotatedSection):
        key = "model"

    with pytest.raises(ValueError, match="a section needs a key other than"):
        ffnn_io.register_section(Bad())
