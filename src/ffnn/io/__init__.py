"""Saving and loading models: one zip file, JSON plus ``.npy`` arrays, no pickle.

Layout of a ``.ffnn`` file (specified in ``docs/format.md``):

- ``ffnn.json``: ``{"format": "ffnn-model", "format_version": 1, "ffnn_version": ...,
  "model": {"class": "Sequential", "dtype": ..., "layers": [{"class": ..., "config": {...}}],
  "loss": {"class": ..., "config": {...}} | null}, "arrays": [{"name", "path", "shape",
  "dtype"}], "optimizer": {"name", "config", "iterations", "binding", "slots"} | null,
  "metadata": {...}, "training": {"epochs_trained", "rng"}}``
- ``arrays/<n>.npy``: every parameter and buffer, in ``Sequential.get_weights`` order; then the
  optimizer's state arrays when it was saved.
- A section of an outer part, at most one: a key of ``ffnn.json`` and ``<key>/<n>.npy`` (a
  fitted ``MLPClassifier`` / ``MLPRegressor`` adds ``"estimator"``, written by
  ``ffnn.sklearn``); ``load`` then returns that object, and a reader that ignores the section
  gets the network.

The modules, one concept each: :mod:`~ffnn.io._atomic` (the atomic writer every file of ffnn
goes through), :mod:`~ffnn.io._archive` (the zip, read with bounds: members decompressed in
chunks up to their expected size, ``.npy`` headers parsed and checked before the data, every
low-level error of the zip layer as one ``ValueError``), :mod:`~ffnn.io._manifest` (every field
of ``ffnn.json`` checked; the architecture's bound on the arrays), :mod:`~ffnn.io._rng`
(generator states), :mod:`~ffnn.io._classes` (classes by name through the registries and
``custom_objects``; what save refuses), :mod:`~ffnn.io._sections` (the registry of sections
and the providers), :mod:`~ffnn.io._format` (``save`` and ``load``).

Saving writes a temporary file in the target's folder, flushes it to disk and renames it over
the target, so a crash mid-save leaves the previous file intact. Loading reads only JSON and
``.npy`` data (never a pickle); it never runs code from the file nor imports a name it holds.
Whatever the bytes, it gives a model that predicts finite numbers or a ``ValueError`` naming
the file and the problem (not a zip, missing members, unknown classes, wrong shapes, a newer
format version, oversized members, fields of the wrong type, non-finite numbers), with memory
bounded by the architecture the manifest declares (docs/threats.md, "A model file").
"""

from __future__ import annotations

from ffnn import model as _model
from ffnn.io._archive import FORMAT, FORMAT_VERSION, MANIFEST
from ffnn.io._atomic import replace_atomically, replace_file
from ffnn.io._format import load, save
from ffnn.io._sections import (
    SECTIONS,
    ArrayReader,
    Provider,
    Section,
    SectionParts,
    add_provider,
    register_section,
)

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "MANIFEST",
    "SECTIONS",
    "ArrayReader",
    "Provider",
    "Section",
    "SectionParts",
    "add_provider",
    "load",
    "register_section",
    "replace_atomically",
    "replace_file",
    "save",
]

_model.PLUGINS["save"] = save  # model.save(path) and ModelCheckpoint write with this
