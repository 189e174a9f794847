"""Session cascades along relationships: which related objects an operation reaches.

``cascade_iterator(state, name)`` walks the relationships whose ``cascade`` includes
``name`` (``save-update``, ``delete``, ``expunge``, ``refresh-expire``, ``merge``),
transitively, each object once; the Session applies its operation to each.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING, Any

from accord import exc
from accord.orm.base import NO_VALUE, PASSIVE_NO_INITIALIZE, PASSIVE_OFF, instance_state

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from accord.orm.session import Session
    from accord.orm.state import InstanceState

__all__ = [
    "cascade_delete",
    "cascade_iterator",
    "cascade_save",
    "cascade_save_from_event",
    "cascaded",
    "delete_targets",
    "merge",
    "refresh",
]

_ATTR = {
    "save-update": "save_update",
    "delete": "delete",
    "expunge": "expunge",
    "refresh-expire": "refresh_expire",
    "merge": "merge",
}


def cascade_iterator(
    state: InstanceState,
    name: str,
    passive: int = PASSIVE_NO_INITIALIZE,
    halt_on: Callable[[InstanceState], bool] | None = None,
) -> Iterator[tuple[Any, InstanceState]]:
    """Every (object, state) reached from ``state`` through ``name`` cascades (not itself).

    Related values are read as ``passive`` allows: by default only what is loaded.  An
    object for which ``halt_on(state)`` is true is neither yielded nor walked through.
    """
    from accord.orm.related_attributes import related_objects

    flag = _ATTR[name]
    seen = {id(state)}
    queue = deque([state])  # breadth first: objects come out in the order they are held
    while queue:
        current = queue.popleft()
        mapper = current.manager.mapper
        for prop in mapper._relationships.values():
            if not getattr(prop.cascade, flag) or not prop._configured:
                continue
            p = passive
            if flag == "delete" and prop.passive_deletes:
                p = PASSIVE_NO_INITIALIZE  # the database deletes what is not loaded
            members = related_objects(prop, current, p)
            if flag == "save_update":
                members += _removed_members(prop, current)
            for obj in members:
                if obj is None:
                    continue
                ostate = instance_state(obj)
                if id(ostate) in seen:
                    continue
                seen.add(id(ostate))
                if halt_on is not None and halt_on(ostate):
                    continue
                yield obj, ostate
                queue.append(ostate)


def _removed_members(prop: Any, state: InstanceState) -> list[Any]:
    """Objects taken out of the relationship since it was loaded (not yet flushed).

    As SQLAlchemy, the save-update cascade follows this pending history too, so that
    the flush can update the foreign keys of the objects it de-associates.
    """
    if prop.lazy in ("write_only", "dynamic"):
        return []
    from accord.orm.related_attributes import _NOTHING

    original = state.committed_state.get(prop.key, NO_VALUE)
    if any(original is nothing for nothing in _NOTHING):
        return []
    current = state.dict.get(prop.key)
    if not prop.uselist:
        return [] if original is current else [original]
    kept = {id(x) for x in current or ()}
    return [x for x in original if id(x) not in kept]


def cascade_save(session: Session, state: InstanceState) -> None:
    """``add()``: objects reached by ``save-update`` cascades join the Session too.

    The walk stops at objects already in the Session (adding many objects of one graph
    stays linear).
    """
    sid = session.hash_key
    _rewrap_collections(state)
    for obj, ostate in cascade_iterator(
        state, "save-update", halt_on=lambda s: s.session_id == sid
    ):
        _rewrap_collections(ostate)
        session._save_or_update_state(ostate, obj)


def _rewrap_collections(state: InstanceState) -> None:
    """Collections of an unpickled object are plain lists / sets: instrument them again."""
    dict_ = state.dict
    manager = state.manager
    for key in manager._related_keys:
        value = dict_.get(key)
        if type(value) is list or type(value) is set:
            impl = manager[key].impl
            if impl.collection and hasattr(impl, "_new_collection"):
                dict_[key] = impl._new_collection(state, value)


# mapped ``lazy=`` strategies that load with the parent: refresh() loads them again
_EAGER = frozenset({"selectin", "joined", "immediate", "subquery"})
# strategies whose attribute access does not load (or raises): refresh() leaves them
_NOT_ON_ACCESS = frozenset({"raise", "raise_on_sql", "noload", "write_only"})


def refresh(session: Session, state: InstanceState, names: Any, with_for_update: Any) -> None:
    """``refresh()`` of an object with relationships, as SQLAlchemy 2.0 does it: objects
    reached by ``refresh-expire`` cascades were expired (not reloaded) by
    ``expire_for_refresh`` before the autoflush; relationships
    named in ``names``, or mapped with an eager ``lazy=`` when no names are given, load
    again now; the others load again on access."""
    from accord.orm import loading

    related_keys = state.manager._related_keys
    for key in related_keys:
        if names is None or key in names:
            state.dict.pop(key, None)
            state.committed_state.pop(key, None)
    column_names = None if names is None else [n for n in names if n not in related_keys]
    if column_names is None or column_names:
        loading.refresh_state(session, state, column_names, with_for_update)
    relationships = state.manager.mapper._relationships
    obj = state.obj()
    for key in related_keys:
        lazy = relationships[key].lazy
        if lazy in _NOT_ON_ACCESS:
            continue
        if (key in names) if names is not None else (lazy in _EAGER):
            getattr(obj, key)


def expire_for_refresh(session: Session, state: InstanceState) -> None:
    """Expire the objects ``refresh()`` of ``state`` reaches by ``refresh-expire``."""
    for _obj, ostate in cascaded(session, state, "refresh-expire"):
        session._conditional_expire(ostate)


def cascade_save_from_event(session: Session, state: InstanceState, obj: Any) -> None:
    """An object became related to one in ``session``: add it (and what it cascades to)."""
    session._save_or_update_state(state, obj)
    cascade_save(session, state)


def cascaded(session: Session, state: InstanceState, name: str) -> list[tuple[Any, InstanceState]]:
    """Objects of ``session`` reached from ``state`` through loaded ``name`` cascades."""
    if not state.manager._related_keys:
        return []
    sid = session.hash_key
    return [(o, s) for o, s in cascade_iterator(state, name) if s.session_id == sid]


def delete_targets(state: InstanceState) -> list[tuple[Any, InstanceState]]:
    """What a ``delete`` cascade from ``state`` reaches (loading relationships as needed)."""
    return list(cascade_iterator(state, "delete", PASSIVE_OFF))


def cascade_delete(session: Session, related: list[tuple[Any, InstanceState]]) -> None:
    """``delete`` cascade: related persistent objects are deleted, pending ones expunged."""
    for obj, ostate in related:
        if ostate.key is None:
            if ostate.session_id == session.hash_key:
                session._expunge_state(ostate, pending=True)
            continue
        if ostate.session_id != session.hash_key:
            session._save_or_update_state(ostate, obj)
        session._deleted[ostate] = obj


def merge(
    session: Session, instance: object, load: bool, memo: dict[int, Any] | None = None
) -> Any:
    """``Session.merge``: copy the object's loaded state onto the session's object with its
    identity (loaded, or new), and the same for objects reached by ``merge`` cascades."""
    from accord.orm.session import _state_of

    if memo is None:
        memo = {}
    state = _state_of(instance)
    if id(state) in memo:
        return memo[id(state)]
    mapper = state.manager.mapper
    dict_ = state.dict
    if state.session_id == session.hash_key:
        memo[id(state)] = instance
        _merge_related(session, state, state, load, memo, same=True)
        return instance
    if state.key is not None:  # an expired detached object has no key values in its dict
        pk = tuple(state.key[1])
    else:
        pk = tuple(dict_.get(k) for k in mapper._pk_keys)
    target = None
    key = None
    if None not in pk:
        key = mapper.identity_key_from_primary_key(pk, state.identity_token)
        target = session.identity_map.get(key)
        if target is None and load:
            target = session.get(mapper.class_, pk)
    new_target = target is None
    if target is None:
        if not load and key is not None and state.modified:
            raise exc.InvalidRequestError(
                "merge() with load=False does not accept objects with pending changes"
            )
        target = mapper.class_manager.new_instance()
    memo[id(state)] = target
    tstate = instance_state(target)
    tdict = target.__dict__
    if new_target and not load and key is not None:
        for k in mapper.column_attrs:
            if k in dict_:
                tdict[k] = dict_[k]
        tstate.key = key
        session.add(target)
    else:
        if new_target:
            session.add(target)
        for prop in mapper.column_attrs.values():
            if prop.key in dict_ and not prop._is_sql_expression:
                if load:
                    setattr(target, prop.key, dict_[prop.key])
                else:
                    tdict[prop.key] = dict_[prop.key]
    _merge_related(session, state, tstate, load, memo, same=False)
    return target


def _merge_related(
    session: Session,
    state: InstanceState,
    tstate: InstanceState,
    load: bool,
    memo: dict[int, Any],
    same: bool,
) -> None:
    dict_ = state.dict
    target = tstate.obj()
    for prop in state.manager.mapper._relationships.values():
        if not prop.cascade.merge or not prop._configured or prop.key not in dict_:
            continue
        if prop.lazy == "write_only":
            continue
        value = dict_[prop.key]
        if prop.uselist:
            merged = [merge(session, v, load, memo) for v in value]
            if same:
                continue
            if load:
                setattr(target, prop.key, merged)
            else:
                tstate.manager[prop.key].impl.set_committed_value(tstate, tstate.dict, merged)
        else:
            merged_one = None if value in (None, NO_VALUE) else merge(session, value, load, memo)
            if same:
                continue
            if load:
                setattr(target, prop.key, merged_one)
            else:
                tstate.manager[prop.key].impl.set_committed_value(tstate, tstate.dict, merged_one)
