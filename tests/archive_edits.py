"""Helpers for the tests that damage model files: rewrite an archive's members in place."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable
from pathlib import Path

Members = dict[str, bytes]


def rewrite(path: str | Path, mutate: Callable[[Members], object]) -> None:
    """Rewrite the archive at ``path`` with ``mutate(members)`` applied to its members."""
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    mutate(members)
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def manifest_edit(edit: Callable[[dict], object]) -> Callable[[Members], None]:
    """A ``mutate`` for :func:`rewrite` that applies ``edit`` to the parsed ``ffnn.json``."""

    def mutate(members: Members) -> None:
        document = json.loads(members["ffnn.json"])
        edit(document)
        members["ffnn.json"] = json.dumps(document).encode()

    return mutate
