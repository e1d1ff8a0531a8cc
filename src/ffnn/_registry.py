"""Names to classes, for one kind of component: the tables behind every ``get()``.

Each component module owns one :class:`Registry` (``layers.LAYERS``, ``losses.LOSSES``,
``optimizers.OPTIMIZERS``, ...) and fills it beside its classes, with a decorator::

    @LOSSES.register("huber")
    class Huber(Loss): ...

A class is then known under its class name (how model files name it) and under each short name
given (what ``get("huber")`` accepts, in any case). An outer part that adds components (the
scikit-learn adapter, a user's module) registers them the same way; nothing is ever imported by
name.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Generic, TypeVar

T = TypeVar("T", bound=type)

__all__ = ["Registry"]


class Registry(Generic[T]):
    """The classes of one ``kind`` of component (``"loss"``, ``"optimizer"``, ...), by name."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._by_name: dict[str, T] = {}  # short names, lower case: for get()
        self._by_class_name: dict[str, T] = {}  # class names, as written: for files

    def register(self, *names: str) -> Callable[[T], T]:
        """A class decorator: the class joins under its own name and each of ``names``."""

        def add(cls: T) -> T:
            self.add(cls, *names)
            return cls

        return add

    def add(self, cls: T, *names: str) -> None:
        """Register ``cls`` under its class name and each short name in ``names``."""
        for name in names:
            known = self._by_name.get(name.lower())
            if known is not None and known is not cls:
                raise ValueError(
                    f"the {self.kind} name {name!r} is taken by {known.__name__}; "
                    f"{cls.__name__} needs another"
                )
            self._by_name[name.lower()] = cls
        self._by_class_name[cls.__name__] = cls

    def names(self) -> list[str]:
        """The short names ``get()`` accepts, sorted."""
        return sorted(self._by_name)

    def classes(self) -> dict[str, T]:
        """Every registered class by its class name."""
        return dict(self._by_class_name)

    def find(self, name: Any) -> T | None:
        """The class with this short name (any case) or class name; ``None`` if unknown."""
        if not isinstance(name, str):
            return None
        return self._by_name.get(name.lower()) or self._by_class_name.get(name)

    def lookup(self, name: Any) -> T:
        """:meth:`find`, or a ``ValueError`` that lists the names known."""
        cls = self.find(name)
        if cls is None:
            raise ValueError(f"unknown {self.kind} {name!r}; expected one of {self.names()}")
        return cls

    def class_named(self, name: Any, custom_objects: Mapping[str, Any] | None = None) -> T:
        """The class a file names: from ``custom_objects`` first, else a registered class name.

        A name that is neither is refused with a message that says how to pass the class.
        """
        if isinstance(name, str) and custom_objects and name in custom_objects:
            return custom_objects[name]
        if isinstance(name, str) and name in self._by_class_name:
            return self._by_class_name[name]
        raise ValueError(
            f"the {self.kind} class {name!r} is not one ffnn defines; if it is your own, pass it "
            f"when loading: ffnn.load(path, custom_objects={{{name!r}: {name}}})"
        )

    def __contains__(self, cls: object) -> bool:
        return cls in self._by_class_name.values()

    def __repr__(self) -> str:
        return f"Registry({self.kind!r}, {sorted(self._by_class_name)})"
