"""Instrumented collections: lists and sets that tell their relationship about changes.

A collection attribute's value is an ``InstrumentedList`` or ``InstrumentedSet`` (or a
subclass made for an application's own ``list`` / ``set`` subclass).  Each mutating
method reports appended and removed members to the attribute implementation *before*
changing the collection, so history, attribute events, backrefs and cascades see every
change.  A collection not attached to an object (``_accord_adapter`` None) is a plain one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, SupportsIndex

from accord import exc

if TYPE_CHECKING:
    from collections.abc import Iterable

    from accord.orm.related_attributes import CollectionAttributeImpl
    from accord.orm.state import InstanceState

__all__ = [
    "InstrumentedList",
    "InstrumentedSet",
    "collection_adapter",
    "instrumented_class",
]


class _Adapter:
    """Ties a collection to the object and attribute it belongs to."""

    __slots__ = ("impl", "state")

    def __init__(self, impl: CollectionAttributeImpl, state: InstanceState) -> None:
        self.impl = impl
        self.state = state

    def append(self, item: Any, initiator: Any = None) -> Any:
        """Report ``item`` appended; returns the member to store (listeners may swap it)."""
        return self.impl.fire_append_event(self.state, self.state.dict, item, initiator)

    def remove(self, item: Any, initiator: Any = None) -> None:
        """Report ``item`` removed."""
        self.impl.fire_remove_event(self.state, self.state.dict, item, initiator)


def collection_adapter(collection: Any) -> _Adapter | None:
    """The adapter of an attached collection, or None."""
    return getattr(collection, "_accord_adapter", None)


class InstrumentedList(list[Any]):
    """A ``list`` whose changes reach its relationship (history, events, backrefs)."""

    _accord_adapter: _Adapter | None = None

    def _append_event(self, item: Any) -> Any:
        a = self._accord_adapter
        return item if a is None else a.append(item)

    def _remove_event(self, item: Any) -> None:
        a = self._accord_adapter
        if a is not None:
            a.remove(item)

    def append(self, item: Any) -> None:
        """Append ``item``."""
        super().append(self._append_event(item))

    def insert(self, index: SupportsIndex, item: Any) -> None:
        """Insert ``item`` before ``index``."""
        super().insert(index, self._append_event(item))

    def extend(self, items: Iterable[Any]) -> None:
        """Append each of ``items``."""
        for item in list(items):
            self.append(item)

    def __iadd__(self, items: Iterable[Any]) -> InstrumentedList:  # type: ignore[misc]
        self.extend(items)
        return self

    def remove(self, item: Any) -> None:
        """Remove the first ``item`` (ValueError if absent)."""
        if item not in self:
            raise ValueError(f"{item!r} is not in the collection")
        self._remove_event(item)
        super().remove(item)

    def pop(self, index: SupportsIndex = -1) -> Any:
        """Remove and return the member at ``index``."""
        item = self[index]
        self._remove_event(item)
        super().pop(index)
        return item

    def clear(self) -> None:
        """Remove every member."""
        for item in list(self):
            self._remove_event(item)
        super().clear()

    def __setitem__(self, index: Any, value: Any) -> None:
        if isinstance(index, slice):
            old = list(self[index])
            new = list(value)
            for item in old:
                self._remove_event(item)
            new = [self._append_event(item) for item in new]
            super().__setitem__(index, new)
            return
        old_item = self[index]
        if old_item is value:
            return
        self._remove_event(old_item)
        super().__setitem__(index, self._append_event(value))

    def __delitem__(self, index: Any) -> None:
        items = list(self[index]) if isinstance(index, slice) else [self[index]]
        for item in items:
            self._remove_event(item)
        super().__delitem__(index)

    def __imul__(self, n: SupportsIndex) -> InstrumentedList:
        raise exc.InvalidRequestError("A relationship collection can't be multiplied")

    def sort(self, *args: Any, **kw: Any) -> None:
        """Sort in place (no membership change, no events)."""
        super().sort(*args, **kw)

    def __reduce_ex__(self, protocol: Any) -> Any:
        return (list, (list(self),))


class InstrumentedSet(set[Any]):
    """A ``set`` whose changes reach its relationship (history, events, backrefs)."""

    _accord_adapter: _Adapter | None = None

    def _append_event(self, item: Any) -> Any:
        a = self._accord_adapter
        return item if a is None else a.append(item)

    def _remove_event(self, item: Any) -> None:
        a = self._accord_adapter
        if a is not None:
            a.remove(item)

    def add(self, item: Any) -> None:
        """Add ``item`` (no event if it is already a member)."""
        if item not in self:
            super().add(self._append_event(item))

    def append(self, item: Any) -> None:
        """``add()``: lets code written for lists work with a set."""
        self.add(item)

    def discard(self, item: Any) -> None:
        """Remove ``item`` if present."""
        if item in self:
            self._remove_event(item)
            super().discard(item)

    def remove(self, item: Any) -> None:
        """Remove ``item`` (KeyError if absent)."""
        if item not in self:
            raise KeyError(item)
        self.discard(item)

    def pop(self) -> Any:
        """Remove and return an arbitrary member."""
        item = next(iter(self)) if self else super().pop()
        self.discard(item)
        return item

    def clear(self) -> None:
        """Remove every member."""
        for item in list(self):
            self._remove_event(item)
        super().clear()

    def update(self, *others: Iterable[Any]) -> None:
        """Add the members of each of ``others``."""
        for other in others:
            for item in list(other):
                self.add(item)

    def difference_update(self, *others: Iterable[Any]) -> None:
        """Remove the members of each of ``others``."""
        for other in others:
            for item in list(other):
                self.discard(item)

    def intersection_update(self, *others: Iterable[Any]) -> None:
        """Keep only members present in all of ``others``."""
        keep = set(self)
        for other in others:
            keep &= set(other)
        for item in list(self):
            if item not in keep:
                self.discard(item)

    def symmetric_difference_update(self, other: Iterable[Any]) -> None:
        """Members in exactly one of the set and ``other``."""
        for item in set(other):
            if item in self:
                self.discard(item)
            else:
                self.add(item)

    def __ior__(self, other: Any) -> InstrumentedSet:  # type: ignore[misc]
        self.update(other)
        return self

    def __isub__(self, other: Any) -> InstrumentedSet:  # type: ignore[misc]
        self.difference_update(other)
        return self

    def __iand__(self, other: Any) -> InstrumentedSet:  # type: ignore[misc]
        self.intersection_update(other)
        return self

    def __reduce_ex__(self, protocol: Any) -> Any:
        return (set, (set(self),))


_made: dict[type, type] = {list: InstrumentedList, set: InstrumentedSet}


def instrumented_class(cls: Any) -> type:
    """The instrumented collection class for ``collection_class=`` (list, set, subclasses)."""
    if cls in _made:
        return _made[cls]
    if isinstance(cls, type):
        if issubclass(cls, (InstrumentedList, InstrumentedSet)):
            return cls
        for base, instrumented in ((list, InstrumentedList), (set, InstrumentedSet)):
            if issubclass(cls, base):
                made = type(cls.__name__, (instrumented, cls), {"__module__": cls.__module__})
                _made[cls] = made
                return made
    raise exc.ArgumentError(
        f"collection_class {cls!r} is not supported: use list, set or a subclass of either"
    )
