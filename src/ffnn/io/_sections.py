"""Sections: how an outer part of ffnn stores its own object in a model file.

A model file always holds a :class:`~ffnn.Sequential` (``"model"``, ``"arrays"``,
``"optimizer"``). A part above the file format that wraps a network (the scikit-learn
estimators) adds a section beside it: one key of the manifest, its own ``.npy`` members under
``<key>/``, and a reader that gives its object back around the loaded network. The part
registers a :class:`Section` when it is imported (``ffnn.sklearn`` registers ``"estimator"``);
the file format imports no such part.

A file may need a part that is not imported yet: an estimator's section, or a class that part
registers (``SklearnAdam`` in a checkpoint written while an estimator trained). Before it gives
up on a name, :func:`ffnn.load` asks the *providers* added with :func:`add_provider`: each may
import the part that defines the name (the facade, ``import ffnn``, adds one for the
scikit-learn adapter) or return a note for the error message (the extra to install).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from ffnn.model import Sequential
    from ffnn.optimizers import Optimizer

__all__ = [
    "MODEL_KEYS",
    "SECTIONS",
    "ArrayReader",
    "Provider",
    "Section",
    "SectionParts",
    "add_provider",
    "find_section",
    "provide",
    "register_section",
    "section_of",
]

#: ``read_array(entry, allowed)``: the array of a section's entry ``{"name", "path", "shape",
#: "dtype"}``, read with the file's size checks; ``allowed(dtype)`` says which dtypes to accept.
ArrayReader = Callable[[Any, Callable[[Any], bool]], np.ndarray]
#: ``provide(kind, name)``, ``kind`` being ``"section"`` or a registry's kind (``"layer"``,
#: ``"loss"``, ``"optimizer"``, ...): import what defines ``name`` if this provider knows it,
#: and return ``None``, or a note for the error message when it cannot (a missing extra).
Provider = Callable[[str, str], "str | None"]


@dataclass
class SectionParts:
    """What a section's :meth:`Section.write` hands the file format.

    ``model`` is written as the file's network and ``optimizer`` as its optimizer; ``body`` is
    the section's JSON; ``arrays`` its ``(entry, array)`` pairs, each entry a dict with at least
    ``"name"`` (the format adds ``"path"``, ``"shape"`` and ``"dtype"`` and stores the entries
    as ``body["arrays"]``).
    """

    model: Sequential
    optimizer: Optimizer | None
    body: dict[str, Any]
    arrays: list[tuple[dict[str, Any], np.ndarray]] = field(default_factory=list)


class Section:
    """One section of a model file; a subclass sets ``key`` and writes the three hooks."""

    #: The manifest key of the section, also the folder of its arrays.
    key = ""

    def owns(self, obj: Any) -> bool:
        """Whether ``save(obj)`` is this section's to write (raise to refuse ``obj``)."""
        raise NotImplementedError

    def write(self, obj: Any) -> SectionParts:
        """The network, optimizer, JSON body and arrays to write for ``obj``."""
        raise NotImplementedError

    def read(self, body: dict[str, Any], read_array: ArrayReader, model: Sequential) -> Any:
        """The object of a file whose section is ``body``, around its loaded ``model``; a
        ``ValueError`` / ``TypeError`` / ``KeyError`` raised here is reported with the path."""
        raise NotImplementedError


#: The registered sections by manifest key.
SECTIONS: dict[str, Section] = {}
_PROVIDERS: list[Provider] = []


def register_section(section: Section) -> Section:
    """Add ``section`` (a part does this when it is imported); a key can be taken once."""
    known = SECTIONS.get(section.key)
    if known is not None and type(known) is not type(section):
        raise ValueError(
            f"the model-file section {section.key!r} is taken by {type(known).__name__}"
        )
    if not section.key or section.key in MODEL_KEYS:
        raise ValueError(
            f"a section needs a key other than {sorted(MODEL_KEYS)}, got {section.key!r}"
        )
    SECTIONS[section.key] = section
    return section


def add_provider(provider: Provider) -> None:
    """Ask ``provider`` for every section or class a file names that nothing registered."""
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)


def provide(kind: str, name: str) -> str:
    """Ask the providers for ``name``; their notes, to append to an error message."""
    notes = [note for provider in _PROVIDERS if (note := provider(kind, name))]
    return "".join(f"; {note}" for note in notes)


def section_of(obj: Any) -> Section | None:
    """The section that stores ``obj``, or ``None`` (a plain :class:`~ffnn.Sequential`)."""
    for section in SECTIONS.values():
        if section.owns(obj):
            return section
    return None


def find_section(key: str, path: str) -> Section:
    """The reader of a file's ``key`` section: registered, or provided on demand."""
    if key not in SECTIONS:
        notes = provide("section", key)
        if key not in SECTIONS:
            raise ValueError(
                f"{path}: the file holds a {key!r} section that no imported part of ffnn "
                f"reads{notes}"
            )
    return SECTIONS[key]


#: The manifest keys of the Sequential model itself: no section may take them.
MODEL_KEYS = frozenset(
    {
        "format",
        "format_version",
        "ffnn_version",
        "model",
        "arrays",
        "optimizer",
        "metadata",
        "training",
    }
)
