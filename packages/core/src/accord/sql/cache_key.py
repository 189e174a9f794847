"""Statement-shape cache keys: a hashable key without literal values, plus the binds."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from accord.sql.elements import BindParameter

__all__ = ["CacheKey", "KeyContext", "NoCacheKey"]


class CacheKey(NamedTuple):
    """The shape of a statement (``key``) and its bind parameters in traversal order.

    Two statements with equal keys compile to the same SQL; their ``bindparams`` line up
    position by position, so one compile serves both (see ``Compiled.construct_params``).
    """

    key: tuple[Any, ...]
    bindparams: list[BindParameter]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CacheKey) and self.key == other.key

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    def __hash__(self) -> int:
        return hash(self.key)


class NoCacheKey(Exception):
    """Raised inside key generation when an element cannot be cached (internal)."""


class KeyContext:
    """State threaded through one key generation: the binds seen and anonymous numbering."""

    __slots__ = ("anon", "bindparams")

    def __init__(self) -> None:
        self.bindparams: list[BindParameter] = []
        self.anon: dict[int, int] = {}

    def anon_id(self, obj: object) -> int:
        """A small number naming ``obj`` by order of first appearance in this key."""
        key = id(obj)
        n = self.anon.get(key)
        if n is None:
            n = self.anon[key] = len(self.anon) + 1
        return n
