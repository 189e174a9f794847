"""State helpers that need no Session: ``object_state``, ``was_deleted``, mapper lookups."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from accord import exc
from accord.orm.base import instance_state, opt_manager_of_class

if TYPE_CHECKING:
    from accord.orm.state import InstanceState

__all__ = [
    "has_identity",
    "object_state",
    "was_deleted",
]


def object_state(instance: object) -> InstanceState:
    """The ``InstanceState`` of a mapped object; ``UnmappedInstanceError`` otherwise."""
    manager = opt_manager_of_class(type(instance))
    if manager is None or manager.mapper is None:
        raise exc.UnmappedInstanceError(
            f"Class '{type(instance).__module__}.{type(instance).__qualname__}' is not mapped"
        )
    state: Any = instance_state(instance)
    return state  # type: ignore[no-any-return]


def was_deleted(instance: object) -> bool:
    """True if the object was deleted in a flush (it stays True once detached)."""
    return object_state(instance).was_deleted


def has_identity(instance: object) -> bool:
    """True if the object has a database identity (persistent, deleted or detached)."""
    return object_state(instance).has_identity
