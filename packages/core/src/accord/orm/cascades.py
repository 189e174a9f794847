"""Session cascades along relationships: which related objects an operation reaches.

``cascade_iterator(state, name)`` walks the relationships whose ``cascade`` includes
``name`` (``save-update``, ``delete``, ``expunge``, ``refresh-expire``, ``merge``),
transitively, each object once; the Session applies its operation to each.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from accord.orm.base import PASSIVE_NO_INITIALIZE, instance_state

if TYPE_CHECKING:
    from collections.abc import Iterator

    from accord.orm.session import Session
    from accord.orm.state import InstanceState

__all__ = [
    "cascade_iterator",
    "cascade_save_from_event",
]

_ATTR = {
    "save-update": "save_update",
    "delete": "delete",
    "expunge": "expunge",
    "refresh-expire": "refresh_expire",
    "merge": "merge",
}


def cascade_iterator(
    state: InstanceState, name: str, passive: int = PASSIVE_NO_INITIALIZE
) -> Iterator[tuple[Any, InstanceState]]:
    """Every (object, state) reached from ``state`` through ``name`` cascades (not itself).

    Related values are read as ``passive`` allows: by default only what is loaded.
    """
    from accord.orm.related_attributes import related_objects

    flag = _ATTR[name]
    seen = {id(state)}
    stack = [state]
    while stack:
        current = stack.pop()
        mapper = current.manager.mapper
        for prop in mapper._relationships.values():
            if not getattr(prop.cascade, flag) or not prop._configured:
                continue
            for obj in related_objects(prop, current, passive):
                if obj is None:
                    continue
                ostate = instance_state(obj)
                if id(ostate) in seen:
                    continue
                seen.add(id(ostate))
                yield obj, ostate
                stack.append(ostate)


def cascade_save_from_event(session: Session, state: InstanceState, obj: Any) -> None:
    """An object became related to one in ``session``: add it (and what it cascades to)."""
    session._save_or_update_state(state, obj)
    for other, ostate in cascade_iterator(state, "save-update"):
        if ostate.session_id != session.hash_key:
            session._save_or_update_state(ostate, other)
