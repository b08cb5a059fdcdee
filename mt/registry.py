"""One plug-in pattern for the whole package: a registry of named implementations.

Aligners, model families, exchange formats, metrics, QA checks and export filters are each
a :class:`Registry`. An implementation registers itself where it is defined, with a decorator
(as CTranslate2's ``@register_loader`` does), so adding one is one file; the CLI derives its
choices and error messages from the registry, so they can never disagree with the code.

Registries fill lazily: ``loader`` imports the modules that register (heavy ones stay
unimported until a name is asked for), which keeps ``mt --help`` fast.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

from mt.errors import UserError

T = TypeVar("T")


class Registry(Generic[T]):
    """Name → implementation, in registration order (which is also the default order)."""

    def __init__(self, kind: str, loader: Callable[[], object] | None = None):
        self.kind = kind
        self._items: dict[str, T] = {}
        self._loader = loader
        self._loaded = loader is None

    def register(self, name: str) -> Callable[[T], T]:
        """Decorator: ``@REGISTRY.register("name")`` on a class or function."""

        def deco(obj: T) -> T:
            self.add(name, obj)
            return obj

        return deco

    def add(self, name: str, obj: T) -> None:
        if name in self._items and self._items[name] is not obj:
            raise ValueError(f"{self.kind} {name!r} registered twice")
        self._items[name] = obj

    def _load(self) -> None:
        if not self._loaded:
            self._loaded = True
            assert self._loader is not None
            self._loader()

    def get(self, name: str) -> T:
        """The implementation called ``name``; an unknown name is one clear user error."""
        self._load()
        try:
            return self._items[name]
        except KeyError:
            raise UserError(f"unknown {self.kind} {name!r} (available: "
                            f"{', '.join(self.names())})") from None  # fmt: skip

    __getitem__ = get

    def find(self, name: str) -> T | None:
        """The implementation called ``name``, or None (for optional lookups)."""
        self._load()
        return self._items.get(name)

    def names(self) -> tuple[str, ...]:
        self._load()
        return tuple(self._items)

    def items(self) -> list[tuple[str, T]]:
        self._load()
        return list(self._items.items())

    def __contains__(self, name: object) -> bool:
        self._load()
        return name in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())

    def __len__(self) -> int:
        return len(self.names())
