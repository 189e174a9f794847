"""``lazy="write_only"``: a collection that is never loaded, only added to and queried.

The attribute's value is a ``WriteOnlyCollection``: ``add()`` / ``add_all()`` /
``remove()`` queue changes that the next flush writes; ``select()`` is a SELECT of the
related rows to run with ``session.scalars()``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from accord import exc
from accord.orm.attributes import History
from accord.orm.base import NO_VALUE, PASSIVE_OFF
from accord.orm.related_attributes import _RelatedImpl

if TYPE_CHECKING:
    from collections.abc import Iterable

    from accord.orm.state import InstanceState

__all__ = [
    "WriteOnlyAttributeImpl",
    "WriteOnlyCollection",
    "write_only_members",
]


class WriteOnlyCollection:
    """The value of a ``lazy="write_only"`` relationship: pending adds/removes and ``select()``."""

    def __init__(self, impl: WriteOnlyAttributeImpl, state: InstanceState) -> None:
        self._impl = impl
        self._state = state
        self._added: list[Any] = []
        self._removed: list[Any] = []

    def add(self, item: Any) -> None:
        """Queue ``item`` to be related at the next flush."""
        self._impl.append(self._state, self._state.dict, item, None)

    def add_all(self, items: Iterable[Any]) -> None:
        """``add()`` each item."""
        for item in items:
            self.add(item)

    def remove(self, item: Any) -> None:
        """Queue ``item`` to be unrelated at the next flush."""
        self._impl.remove(self._state, self._state.dict, item, None)

    def select(self) -> Any:
        """``SELECT`` of the related objects (run it with ``session.scalars()``)."""
        from accord.orm.relationship_join import load_criterion
        from accord.sql import select

        prop = self._impl.prop
        crit, params = load_criterion(prop, [self._state])
        stmt = select(prop.mapper.class_)
        if crit is None:
            from accord.sql import false

            return stmt.where(false())
        if params:
            from accord.sql.visitors import replacement_traverse

            def fill(e: Any) -> Any:
                key = getattr(e, "key", None)
                if type(e).__name__ == "BindParameter" and key in params:
                    from accord.sql import bindparam

                    return bindparam(key, params[key], type_=e.type)
                return None

            crit = replacement_traverse(crit, fill)
        stmt = stmt.where(crit)
        if prop.order_by:
            stmt = stmt.order_by(*prop.order_by)
        return stmt

    def __iter__(self) -> Any:
        raise TypeError(
            f"WriteOnlyCollection {self._impl.prop} can't be iterated; run its select() "
            "with session.scalars()"
        )

    def __repr__(self) -> str:
        return f"<WriteOnlyCollection {self._impl.prop}>"


class WriteOnlyAttributeImpl(_RelatedImpl):
    """Impl of a write-only collection: history is the queued adds and removes."""

    __slots__ = ()

    collection = True

    def get(self, state: InstanceState, dict_: dict[str, Any], passive: int = PASSIVE_OFF) -> Any:
        """The WriteOnlyCollection (made on first access; nothing is loaded)."""
        coll = dict_.get(self.key)
        if coll is None:
            coll = dict_[self.key] = WriteOnlyCollection(self, state)
        return coll

    def set(
        self, state: InstanceState, dict_: dict[str, Any], value: Any, initiator: Any = None
    ) -> None:
        """Only allowed on a transient/pending object: adds each item."""
        if state.key is not None:
            raise exc.InvalidRequestError(
                f"Write-only collection {self.prop} can't be assigned on a persistent object; "
                "use add() / remove()"
            )
        coll = self.get(state, dict_)
        for item in value:
            coll.add(item)

    def delete(self, state: InstanceState, dict_: dict[str, Any]) -> None:
        """Not supported."""
        raise exc.InvalidRequestError(f"Write-only collection {self.prop} can't be deleted")

    def set_committed_value(self, state: InstanceState, dict_: dict[str, Any], value: Any) -> Any:
        """Not loadable: nothing is stored."""
        return self.get(state, dict_)

    def append(
        self, state: InstanceState, dict_: dict[str, Any], value: Any, initiator: Any
    ) -> None:
        """Queue ``value`` as added."""
        self._check(value)
        coll = self.get(state, dict_)
        if self.dispatch.append:
            for fn in self.dispatch.append:
                value = fn(state, value, initiator or self._append_token)
        if any(x is value for x in coll._removed):
            coll._removed = [x for x in coll._removed if x is not value]
        elif not any(x is value for x in coll._added):
            coll._added.append(value)
        state._modified_event(dict_, self, NO_VALUE)
        self._after_add(state, value, initiator)

    def remove(
        self, state: InstanceState, dict_: dict[str, Any], value: Any, initiator: Any
    ) -> None:
        """Queue ``value`` as removed."""
        coll = self.get(state, dict_)
        if self.dispatch.remove:
            self.dispatch.remove(state, value, initiator or self._remove_token)
        if any(x is value for x in coll._added):
            coll._added = [x for x in coll._added if x is not value]
        else:
            coll._removed.append(value)
        state._modified_event(dict_, self, NO_VALUE)
        self._after_remove(state, value, initiator)

    def backref_add(
        self, state: InstanceState, dict_: dict[str, Any], value: Any, initiator: Any
    ) -> None:
        """The other side points at us: queue it (the flush writes the foreign key anyway)."""
        self.append(state, dict_, value, initiator)

    def backref_remove(
        self, state: InstanceState, dict_: dict[str, Any], value: Any, initiator: Any
    ) -> None:
        """The other side stopped pointing at us."""
        self.remove(state, dict_, value, initiator)

    def get_history(
        self, state: InstanceState, dict_: dict[str, Any], passive: int = PASSIVE_OFF
    ) -> History:
        """The queued adds and removes."""
        coll = dict_.get(self.key)
        if coll is None:
            return History((), (), ())
        return History(list(coll._added), (), list(coll._removed))

    def _reset(self, dict_: dict[str, Any]) -> None:
        coll = dict_.get(self.key)
        if coll is not None:
            coll._added = []
            coll._removed = []


def write_only_members(impl: Any, state: InstanceState, dict_: dict[str, Any]) -> list[Any]:
    """The members a cascade reaches through a write-only collection: the queued adds."""
    coll = dict_.get(impl.key)
    return list(coll._added) if coll is not None else []
