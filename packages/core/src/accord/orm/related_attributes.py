"""Attribute implementations of relationships: one related object, or a collection.

Values are objects.  History is kept like a column's (the committed value taken on the
first change: the object, or a list copy of the collection's members).  Every change
fires the attribute events (``set`` / ``append`` / ``remove``; ``retval=True`` listeners
may swap the value), then keeps the other side of a bidirectional relationship in step
(one hop: a change that came *from* the other side is not sent back), cascades new
objects into the parent's Session (``save-update``), and records for ``delete-orphan``
whether an object still has a parent.
"""

from __future__ import annotations

import operator
from typing import TYPE_CHECKING, Any

from accord import exc
from accord.orm.attributes import (
    HISTORY_BLANK,
    AttributeEventToken,
    AttributeImpl,
    History,
    InstrumentedAttribute,
    _scalar_history,
)
from accord.orm.base import (
    ATTR_EMPTY,
    CALLABLES_OK,
    INIT_OK,
    NO_AUTOFLUSH,
    NO_VALUE,
    PASSIVE_NO_FETCH,
    PASSIVE_NO_RESULT,
    PASSIVE_OFF,
    instance_state,
    state_str,
)
from accord.orm.collections import InstrumentedList, _Adapter, instrumented_class
from accord.orm.relationships import ONETOMANY

if TYPE_CHECKING:
    from accord.event import Dispatch
    from accord.orm.relationships import RelationshipProperty
    from accord.orm.state import InstanceState

__all__ = [
    "CollectionAttributeImpl",
    "RelationshipAttribute",
    "ScalarObjectAttributeImpl",
    "UnconfiguredImpl",
    "has_parent",
    "link_backrefs",
    "make_impl",
    "related_objects",
]

_NOTHING = (None, NO_VALUE, PASSIVE_NO_RESULT, ATTR_EMPTY)


class RelationshipAttribute(InstrumentedAttribute[Any]):
    """The class-level descriptor of a relationship: every assignment goes through the impl."""

    __slots__ = ()

    def __set__(self, instance: object, value: Any) -> None:
        self.impl.set(instance_state(instance), instance.__dict__, value)

    # SQL along the relationship (relationship_query.RelationshipComparator does it)
    def _comparator(self) -> Any:
        from accord.orm.relationship_query import RelationshipComparator

        return RelationshipComparator(self.prop)  # type: ignore[arg-type]

    def _join_steps(self, target: Any = None) -> Any:
        return self._comparator()._join_steps(target)

    def any(self, criterion: Any = None, **kwargs: Any) -> Any:
        """``EXISTS`` a related row matching ``criterion`` (collections)."""
        return self._comparator().any(criterion, **kwargs)

    def has(self, criterion: Any = None, **kwargs: Any) -> Any:
        """``EXISTS`` the related row matching ``criterion`` (scalar relationships)."""
        return self._comparator().has(criterion, **kwargs)

    def contains(self, other: Any, **kwargs: Any) -> Any:
        """Parents whose collection holds ``other``."""
        return self._comparator().contains(other)

    def of_type(self, entity: Any) -> Any:
        """The relationship towards an aliased form of its target."""
        return self._comparator().of_type(entity)

    def __eq__(self, other: Any) -> Any:
        return self._comparator() == other

    def __ne__(self, other: Any) -> Any:
        return self._comparator() != other

    __hash__ = InstrumentedAttribute.__hash__


def _configure() -> None:
    from accord.orm.mapper import configure_mappers

    configure_mappers()


class UnconfiguredImpl(AttributeImpl):
    """Stands in until ``configure_mappers()`` installs the real impl; any use configures."""

    __slots__ = ()

    uses_objects = True

    def __init__(self, class_: type, key: str, dispatch: Dispatch) -> None:
        super().__init__(class_, key, dispatch, accepts_scalar_loader=False)

    def _real(self, state: InstanceState) -> AttributeImpl:
        _configure()
        impl = state.manager[self.key].impl
        if isinstance(impl, UnconfiguredImpl):
            # its mapper failed to configure earlier: try again (raising the error again)
            state.manager.mapper._post_configure()
            impl = state.manager[self.key].impl
        return impl

    def get(self, state: InstanceState, dict_: dict[str, Any], passive: int = PASSIVE_OFF) -> Any:
        """Configure, then read."""
        return self._real(state).get(state, dict_, passive)

    def set(
        self, state: InstanceState, dict_: dict[str, Any], value: Any, initiator: Any = None
    ) -> None:
        """Configure, then assign."""
        self._real(state).set(state, dict_, value, initiator)

    def delete(self, state: InstanceState, dict_: dict[str, Any]) -> None:
        """Configure, then delete."""
        self._real(state).delete(state, dict_)

    def get_history(
        self, state: InstanceState, dict_: dict[str, Any], passive: int = PASSIVE_OFF
    ) -> History:
        """Configure, then report history."""
        return self._real(state).get_history(state, dict_, passive)

    def set_committed_value(self, state: InstanceState, dict_: dict[str, Any], value: Any) -> Any:
        """Configure, then store as loaded."""
        return self._real(state).set_committed_value(state, dict_, value)

    def initialize(self, state: InstanceState, dict_: dict[str, Any]) -> Any:
        """Configure, then initialise."""
        return self._real(state).initialize(state, dict_)


def _state_dict(obj: Any) -> tuple[InstanceState, dict[str, Any]]:
    return instance_state(obj), obj.__dict__


class _RelatedImpl(AttributeImpl):
    """What scalar and collection relationship impls share: loading, type checks, backrefs."""

    __slots__ = ("_append_token", "prop")

    uses_objects = True

    def __init__(self, prop: RelationshipProperty, class_: type, dispatch: Dispatch) -> None:
        super().__init__(class_, prop.key, dispatch, accepts_scalar_loader=False)
        self.prop = prop
        self.is_equal = operator.is_  # type: ignore[assignment]  # objects: identity
        self._append_token = AttributeEventToken(self, "append")

    def _check(self, value: Any) -> None:
        target = self.prop.mapper.class_
        if value is not None and not isinstance(value, target):
            raise exc.InvalidRequestError(
                f"Relationship {self.prop} accepts {target.__name__} objects; got an object of "
                f"class {type(value).__name__!r} (parent class {self.class_.__name__})"
            )

    def _load(self, state: InstanceState, passive: int) -> Any:
        from accord.orm.lazy import lazy_load

        return lazy_load(self.prop, state, passive)

    def get(self, state: InstanceState, dict_: dict[str, Any], passive: int = PASSIVE_OFF) -> Any:
        """The related object(s), lazily loaded for a persistent object."""
        key = self.key
        if key in dict_:
            return dict_[key]
        if key not in state.committed_state and state.key is not None:
            if not passive & CALLABLES_OK:
                return PASSIVE_NO_RESULT
            value = self._load(state, passive)
            if value is PASSIVE_NO_RESULT:
                return PASSIVE_NO_RESULT
            if key in dict_:
                return dict_[key]
            if value is not ATTR_EMPTY:
                return self.set_committed_value(state, dict_, value)
        if not passive & INIT_OK:
            return NO_VALUE
        return self.initialize(state, dict_)

    def _reverse_impls(self) -> list[_RelatedImpl]:
        out = []
        for rp in self.prop._reverse_property:
            attr = rp._attr
            if attr is not None and isinstance(attr.impl, _RelatedImpl):
                out.append(attr.impl)
        return out

    def _after_add(
        self, state: InstanceState, child: Any, initiator: AttributeEventToken | None
    ) -> None:
        """``child`` became related to ``state``: backref, save-update cascade, parent flag."""
        prop = self.prop
        cstate, cdict = _state_dict(child)
        if prop.cascade.delete_orphan or prop.direction is ONETOMANY:
            _set_parent(cstate, prop, True)
        if prop.single_parent:
            _set_parent(cstate, (prop, "owner"), state)  # type: ignore[arg-type]
        from_reverse = initiator is not None and initiator.impl is not self
        if not from_reverse:
            token = self._append_token if self.collection else self._set_token
            for rimpl in self._reverse_impls():
                rimpl.backref_add(cstate, cdict, state.obj(), token)
            if prop.cascade.save_update:
                session = state.session
                if session is not None and cstate.session_id != session.hash_key:
                    from accord.orm.cascades import cascade_save_from_event

                    cascade_save_from_event(session, cstate, child)

    def _check_not_deleted(self, state: InstanceState, child: Any, initiator: Any) -> None:
        """An object whose DELETE was flushed can't be related again through save-update."""
        if child is None or state.session_id is None or not self.prop.cascade.save_update:
            return
        if initiator is not None and initiator.impl is not self:
            return  # a backref's change: the side the application changed was checked
        cstate = instance_state(child)
        # checked up front (also once the DELETE was committed: detached), as SQLAlchemy's
        # cascade does, before a backref can expunge ``state`` as a pending orphan
        same_or_no_session = cstate.session_id in (state.session_id, None)
        if cstate._deleted and cstate.key is not None and same_or_no_session:
            raise exc.InvalidRequestError(
                f"Instance {state_str(cstate)} has been deleted (its DELETE was flushed, "
                f"perhaps by an autoflush) and can't be added to {self.prop}; use "
                "make_transient() first, or make the change inside session.no_autoflush"
            )

    def _check_single_parent(self, state: InstanceState, child: Any) -> None:
        """``single_parent=True``: an object held by another parent can't be added."""
        if not self.prop.single_parent or child is None:
            return
        parents = instance_state(child)._parents
        owner = parents.get((self.prop, "owner")) if parents else None
        if owner is None or owner is state or owner.obj() is None:
            return
        held = owner.dict.get(self.key)
        if held is child or (self.collection and held and any(x is child for x in held)):
            raise exc.InvalidRequestError(
                f"Instance {state_str(instance_state(child))} is already associated with an "
                f"instance of {owner.class_.__name__} via its {self.prop} attribute, and is "
                "only allowed a single parent (single_parent=True)"
            )

    def _after_remove(
        self, state: InstanceState, child: Any, initiator: AttributeEventToken | None
    ) -> None:
        """``child`` is no longer related to ``state``: backref, orphan bookkeeping."""
        prop = self.prop
        cstate, cdict = _state_dict(child)
        if prop.cascade.delete_orphan or prop.direction is ONETOMANY:
            _set_parent(cstate, prop, False)
        if prop.cascade.delete_orphan:
            session = state.session
            if cstate.key is None and session is not None and cstate in session._new:
                session.expunge(child)  # a pending orphan never reaches the database
        if initiator is None or initiator.impl is self:
            token = self._remove_token
            for rimpl in self._reverse_impls():
                rimpl.backref_remove(cstate, cdict, state.obj(), token)

    # called from the other side of a bidirectional relationship
    def backref_add(
        self, state: InstanceState, dict_: dict[str, Any], value: Any, initiator: Any
    ) -> None:
        """Make ``value`` related to ``state`` because the other side said so."""
        raise NotImplementedError

    def backref_remove(
        self, state: InstanceState, dict_: dict[str, Any], value: Any, initiator: Any
    ) -> None:
        """Make ``value`` unrelated to ``state`` because the other side said so."""
        raise NotImplementedError


def _set_parent(state: InstanceState, prop: RelationshipProperty, value: bool) -> None:
    parents = state._parents
    if parents is None:
        parents = state._parents = {}
    parents[prop] = value


def has_parent(state: InstanceState, prop: RelationshipProperty, optimistic: bool) -> bool:
    """Whether ``state`` is attached to a parent through ``prop`` (``optimistic`` if unknown)."""
    parents = state._parents
    if parents is None or prop not in parents:
        return optimistic
    return bool(parents[prop])


class ScalarObjectAttributeImpl(_RelatedImpl):
    """Many-to-one or one-to-one: the value is one related object or None."""

    __slots__ = ()

    def _old_value(self, state: InstanceState, dict_: dict[str, Any]) -> Any:
        key = self.key
        if key in dict_:
            return dict_[key]
        if state.key is None or key in state.committed_state:
            return NO_VALUE
        from accord.orm.relationships import MANYTOONE

        # many-to-one: whatever the identity map has, no SQL; one-to-one: the old child's
        # foreign key must be cleared, so it is loaded
        passive = PASSIVE_NO_FETCH if self.prop.direction is MANYTOONE else PASSIVE_OFF
        passive |= NO_AUTOFLUSH  # an assignment must not flush half-made changes
        old = self.get(state, dict_, passive ^ INIT_OK)
        return NO_VALUE if old is PASSIVE_NO_RESULT else old

    def set(
        self,
        state: InstanceState,
        dict_: dict[str, Any],
        value: Any,
        initiator: AttributeEventToken | None = None,
    ) -> None:
        """Relate ``value`` (or None), recording the old object on the first change."""
        self._check(value)
        self._check_single_parent(state, value)
        self._check_not_deleted(state, value, initiator)
        old = self._old_value(state, dict_)
        if self.dispatch.set:
            token = initiator or self._set_token
            for fn in self.dispatch.set:
                value = fn(state, value, old, token)
            self._check(value)
        if self.key not in state.committed_state:
            state._modified_event(dict_, self, old)
        dict_[self.key] = value
        if old is value:
            return
        if old not in _NOTHING:
            self._after_remove(state, old, initiator)
        if value is not None:
            self._after_add(state, value, initiator)

    def delete(self, state: InstanceState, dict_: dict[str, Any]) -> None:
        """``del obj.rel``: the relationship is emptied (the foreign key becomes NULL)."""
        old = self._old_value(state, dict_)
        if self.dispatch.remove:
            self.dispatch.remove(state, old, self._remove_token)
        if self.key not in state.committed_state:
            state._modified_event(dict_, self, old)
        dict_[self.key] = None
        if old not in _NOTHING:
            self._after_remove(state, old, None)

    def get_history(
        self, state: InstanceState, dict_: dict[str, Any], passive: int = PASSIVE_OFF
    ) -> History:
        """History of the related object (objects compared by identity)."""
        key = self.key
        if key in dict_:
            return _scalar_history(self, state, dict_[key])
        current = self.get(state, dict_, passive & ~INIT_OK)
        if current is PASSIVE_NO_RESULT or current is NO_VALUE:
            return HISTORY_BLANK
        return _scalar_history(self, state, current)

    def backref_add(
        self, state: InstanceState, dict_: dict[str, Any], value: Any, initiator: Any
    ) -> None:
        """The other side added ``value``: point at it."""
        if dict_.get(self.key, NO_VALUE) is not value:
            self.set(state, dict_, value, initiator)

    def backref_remove(
        self, state: InstanceState, dict_: dict[str, Any], value: Any, initiator: Any
    ) -> None:
        """The other side removed ``value``: stop pointing at it if we still do."""
        current = self.get(state, dict_, PASSIVE_NO_FETCH ^ INIT_OK)
        if current is value:
            self.set(state, dict_, None, initiator)


class CollectionAttributeImpl(_RelatedImpl):
    """One-to-many or many-to-many: the value is an instrumented list or set."""

    __slots__ = ("_coll_cls",)

    collection = True

    def __init__(self, prop: RelationshipProperty, class_: type, dispatch: Dispatch) -> None:
        super().__init__(prop, class_, dispatch)
        self._coll_cls = instrumented_class(prop.collection_class)

    def _new_collection(self, state: InstanceState, items: Any = ()) -> Any:
        coll = self._coll_cls()
        if items:
            if isinstance(coll, InstrumentedList):
                list.extend(coll, items)
            else:
                set.update(coll, items)
        coll._accord_adapter = _Adapter(self, state)
        return coll

    def initialize(self, state: InstanceState, dict_: dict[str, Any]) -> Any:
        """An empty collection, stored (no change recorded)."""
        coll = self._new_collection(state)
        dict_[self.key] = coll
        return coll

    def set_committed_value(self, state: InstanceState, dict_: dict[str, Any], value: Any) -> Any:
        """Store loaded members as the unchanged collection (then queued backref changes)."""
        coll = self._new_collection(state, list(value or ()))
        dict_[self.key] = coll
        state._commit(dict_, (self.key,))
        queued = state._pending_coll.pop(self.key, None) if state._pending_coll else None
        if queued:
            added, removed = queued
            for item in added:
                if not any(x is item for x in coll):
                    self._record(state, dict_)
                    self._add_quiet(coll, item)
            for item in removed:
                if any(x is item for x in coll):
                    self._record(state, dict_)
                    self._remove_quiet(coll, item)
        return coll

    @staticmethod
    def _add_quiet(coll: Any, item: Any) -> None:
        if isinstance(coll, InstrumentedList):
            list.append(coll, item)
        else:
            set.add(coll, item)

    @staticmethod
    def _remove_quiet(coll: Any, item: Any) -> None:
        if isinstance(coll, InstrumentedList):
            for i, x in enumerate(coll):
                if x is item:
                    list.__delitem__(coll, i)
                    return
        else:
            set.discard(coll, item)

    def _queue(self, state: InstanceState, item: Any, add: bool) -> None:
        """Remember a backref change of an unloaded collection, applied when it loads."""
        prop = self.prop
        if prop.cascade.delete_orphan or prop.direction is ONETOMANY:
            _set_parent(instance_state(item), prop, add)
        if state._pending_coll is None:
            state._pending_coll = {}
        added, removed = state._pending_coll.setdefault(self.key, ([], []))
        mine, other = (added, removed) if add else (removed, added)
        if any(x is item for x in other):
            other[:] = [x for x in other if x is not item]
        elif not any(x is item for x in mine):
            mine.append(item)
        # the parent takes part in the next flush (and a rollback's expiry drops the queue)
        state._modified_event(state.dict, None, NO_VALUE)

    def _record(self, state: InstanceState, dict_: dict[str, Any]) -> None:
        if self.key not in state.committed_state:
            current = dict_.get(self.key, NO_VALUE)
            state._modified_event(dict_, self, NO_VALUE if current is NO_VALUE else list(current))

    def fire_append_event(
        self, state: InstanceState, dict_: dict[str, Any], item: Any, initiator: Any
    ) -> Any:
        """``item`` is being added: history, events, backref; returns the member to store."""
        self._check(item)
        self._check_single_parent(state, item)
        self._check_not_deleted(state, item, initiator)
        self._record(state, dict_)
        if self.dispatch.append:
            token = initiator or self._append_token
            for fn in self.dispatch.append:
                item = fn(state, item, token)
            self._check(item)
        self._after_add(state, item, initiator)
        return item

    def fire_remove_event(
        self, state: InstanceState, dict_: dict[str, Any], item: Any, initiator: Any
    ) -> None:
        """``item`` is being removed: history, events, backref, orphan bookkeeping."""
        self._record(state, dict_)
        if self.dispatch.remove:
            self.dispatch.remove(state, item, initiator or self._remove_token)
        self._after_remove(state, item, initiator)

    def set(
        self,
        state: InstanceState,
        dict_: dict[str, Any],
        value: Any,
        initiator: AttributeEventToken | None = None,
    ) -> None:
        """Replace the whole collection: removed members and added members fire events."""
        try:
            if value is None or isinstance(value, (str, bytes, dict)):
                raise TypeError
            new_items = list(value)
        except TypeError:
            raise exc.InvalidRequestError(
                f"Collection relationship {self.prop} can't be set to {value!r}; assign a "
                "list or set of objects"
            ) from None
        old = self.get(state, dict_, PASSIVE_OFF)
        self._record(state, dict_)
        new_ids = {id(x) for x in new_items}
        old_ids = {id(x) for x in old}
        removed = [item for item in old if id(item) not in new_ids]
        coll = self._new_collection(state)
        for item in new_items:
            if id(item) not in old_ids:
                item = self.fire_append_event(state, dict_, item, initiator)
            if isinstance(coll, InstrumentedList):
                list.append(coll, item)
            else:
                set.add(coll, item)
        old._accord_adapter = None
        dict_[self.key] = coll
        # as SQLAlchemy's bulk replace: the members that joined fire append first, then
        # the ones that left fire remove, with the new collection already in place
        for item in removed:
            self.fire_remove_event(state, dict_, item, initiator)

    def delete(self, state: InstanceState, dict_: dict[str, Any]) -> None:
        """``del obj.coll``: every member is removed."""
        self.set(state, dict_, [])

    def get_history(
        self, state: InstanceState, dict_: dict[str, Any], passive: int = PASSIVE_OFF
    ) -> History:
        """Members added, unchanged and removed since loaded (compared by identity)."""
        key = self.key
        current = dict_.get(key, NO_VALUE)
        if current is NO_VALUE:
            current = self.get(state, dict_, passive & ~INIT_OK)
            if current is PASSIVE_NO_RESULT or current is NO_VALUE:
                return HISTORY_BLANK
        if key not in state.committed_state:
            return History((), list(current), ())
        original = state.committed_state[key]
        if original is NO_VALUE:
            return History(list(current), (), ())
        orig_ids = {id(x) for x in original}
        cur_ids = {id(x) for x in current}
        return History(
            [x for x in current if id(x) not in orig_ids],
            [x for x in current if id(x) in orig_ids],
            [x for x in original if id(x) not in cur_ids],
        )

    def _loaded(self, state: InstanceState, dict_: dict[str, Any]) -> Any:
        """The collection if it can be had without SQL (pending objects get an empty one)."""
        coll = self.get(state, dict_, PASSIVE_NO_FETCH)
        return None if coll in _NOTHING else coll

    def append(
        self, state: InstanceState, dict_: dict[str, Any], value: Any, initiator: Any = None
    ) -> None:
        """Append ``value`` with events (loading the collection if needed)."""
        coll = self.get(state, dict_, PASSIVE_OFF)
        item = self.fire_append_event(state, dict_, value, initiator)
        if isinstance(coll, InstrumentedList):
            list.append(coll, item)
        else:
            set.add(coll, item)

    def remove(
        self, state: InstanceState, dict_: dict[str, Any], value: Any, initiator: Any = None
    ) -> None:
        """Remove ``value`` with events (loading the collection if needed)."""
        coll = self.get(state, dict_, PASSIVE_OFF)
        self.fire_remove_event(state, dict_, value, initiator)
        if isinstance(coll, InstrumentedList):
            list.remove(coll, value)
        else:
            set.discard(coll, value)

    def backref_add(
        self, state: InstanceState, dict_: dict[str, Any], value: Any, initiator: Any
    ) -> None:
        """The other side points at us now: append, unless the collection is not loaded."""
        coll = self._loaded(state, dict_)
        if coll is None:
            if state.key is not None:
                self._queue(state, value, add=True)
            return
        if any(x is value for x in coll):
            return
        item = self.fire_append_event(state, dict_, value, initiator)
        self._add_quiet(coll, item)

    def backref_remove(
        self, state: InstanceState, dict_: dict[str, Any], value: Any, initiator: Any
    ) -> None:
        """The other side stopped pointing at us: remove, if loaded and present."""
        coll = self._loaded(state, dict_)
        if coll is None:
            if state.key is not None:
                self._queue(state, value, add=False)
            return
        if not any(x is value for x in coll):
            return
        self.fire_remove_event(state, dict_, value, initiator)
        self._remove_quiet(coll, value)


def make_impl(prop: RelationshipProperty, class_: type, attr: Any) -> AttributeImpl:
    """The impl for a configured relationship."""
    if prop.lazy == "write_only":
        from accord.orm.writeonly import WriteOnlyAttributeImpl

        return WriteOnlyAttributeImpl(prop, class_, attr.dispatch)
    if prop.uselist:
        return CollectionAttributeImpl(prop, class_, attr.dispatch)
    return ScalarObjectAttributeImpl(prop, class_, attr.dispatch)


def link_backrefs(prop: RelationshipProperty, other: RelationshipProperty) -> None:
    """Both sides are known to each other (reverse impls are looked up on use)."""


def related_objects(prop: RelationshipProperty, state: InstanceState, passive: int) -> list[Any]:
    """The objects ``state`` holds through ``prop`` (loading them only if ``passive`` lets)."""
    impl = state.manager[prop.key].impl
    dict_ = state.dict
    if prop.lazy == "write_only":
        from accord.orm.writeonly import write_only_members

        return write_only_members(impl, state, dict_)
    value = impl.get(state, dict_, passive)
    if value in _NOTHING:
        return []
    if prop.uselist:
        return list(value)
    return [value]
