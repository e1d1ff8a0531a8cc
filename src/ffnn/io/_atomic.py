"""The atomic file writer: a file is replaced whole or not at all.

Model files, ONNX files, pictures and animations are all written through :func:`replace_file`:
the content goes to a hidden temporary file beside the target, which then replaces the target
in one step (``os.replace``, atomic on POSIX and Windows). A crash mid-write leaves the previous
file intact.
"""

from __future__ import annotations

import os
import pathlib
import secrets
from collections.abc import Callable
from typing import BinaryIO

__all__ = ["replace_atomically", "replace_file"]


def replace_file(
    path: str | os.PathLike[str], write: Callable[[pathlib.Path], None]
) -> pathlib.Path:
    """Write a file whole or not at all: ``write(temporary)`` creates and fills a hidden
    temporary file beside ``path``, ``.ffnn-<random>.tmp<suffix of path>`` (writers that pick
    the format from the suffix still can), which then replaces ``path`` in one step
    (``os.replace``). The writer creates the file, so it gets the permissions of any new file
    (umask applied). A failure leaves any previous file at ``path`` untouched and no temporary
    behind; a process killed mid-way may leave the temporary, never a half-written ``path``.
    """
    target = pathlib.Path(path)
    temporary = target.with_name(f".ffnn-{secrets.token_hex(4)}.tmp{target.suffix}")
    try:
        write(temporary)
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)  # gone after os.replace; left by a failed write
    return target


def replace_atomically(path: str | os.PathLike[str], write: Callable[[BinaryIO], None]) -> None:
    """:func:`replace_file` for a writer of a binary stream: ``write(stream)`` fills the
    temporary file, which is flushed to disk (``fsync``) before it replaces ``path``."""

    def fill(temporary: pathlib.Path) -> None:
        with open(temporary, "xb") as stream:  # x: never another process's file
            write(stream)
            stream.flush()
            os.fsync(stream.fileno())

    replace_file(path, fill)
