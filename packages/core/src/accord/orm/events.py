"""ORM event families; for now ``AttributeEvents`` (set, init_scalar, append, remove, modified)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from accord.event import Events

if TYPE_CHECKING:
    from collections.abc import Callable

    from accord.event import EventKey

__all__ = [
    "AttributeEvents",
]


def _set_passthrough(target: Any, value: Any, oldvalue: Any, initiator: Any) -> Any:
    return value


def _init_scalar_passthrough(target: Any, value: Any, dict_: Any) -> Any:
    return value


def _append_passthrough(target: Any, value: Any, initiator: Any) -> Any:
    return value


class AttributeEvents(Events):
    """Events of one mapped attribute: ``listen(User.name, "set", fn)``.

    Listeners receive the mapped object (or its ``InstanceState`` with ``raw=True``).
    ``retval=True`` listeners of ``set``, ``init_scalar`` and ``append`` return the value to
    use instead of the one given.  ``active_history=True`` makes a set load the old value
    first when it is not loaded, so that ``oldvalue`` is meaningful.  Nothing is dispatched,
    and no per-attribute cost is paid, while an attribute has no listener.
    """

    _retval_events = {
        "set": _set_passthrough,
        "init_scalar": _init_scalar_passthrough,
        "append": _append_passthrough,
    }

    def set(self, target: Any, value: Any, oldvalue: Any, initiator: Any) -> None:
        """A scalar attribute is assigned; ``oldvalue`` is ``NO_VALUE`` if none was loaded."""

    def init_scalar(self, target: Any, value: Any, dict_: dict[str, Any]) -> None:
        """A scalar attribute with no value is read; ``value`` (None) is what it will return.

        A listener may store a value in ``dict_`` to make it persistent on the object.
        """

    def append(self, target: Any, value: Any, initiator: Any) -> None:
        """An item is appended to a collection attribute."""

    def remove(self, target: Any, value: Any, initiator: Any) -> None:
        """An item is removed from a collection, or a scalar attribute is deleted."""

    def modified(self, target: Any, initiator: Any) -> None:
        """``flag_modified()`` was called for the attribute."""

    @classmethod
    def _accept_with(cls, target: Any, identifier: str) -> Any | None:
        from accord.orm.attributes import QueryableAttribute

        if isinstance(target, QueryableAttribute):
            return target
        return None

    @classmethod
    def _listen(
        cls,
        event_key: EventKey,
        *,
        raw: bool = False,
        active_history: bool = False,
        **kw: Any,
    ) -> None:
        target = event_key.target
        if active_history:
            target.impl.active_history = True
        if kw.get("propagate"):
            # Mapped-class inheritance is not built yet; nothing to propagate to.
            pass
        if not raw:
            event_key = event_key.with_wrapper(_object_wrapper(event_key.call))
        super()._listen(event_key, **kw)


def _object_wrapper(fn: Callable[..., Any]) -> Callable[..., Any]:
    # Impls dispatch with the InstanceState (cheap for them); most listeners want the object.
    def with_object(state: Any, *args: Any) -> Any:
        return fn(state.obj(), *args)

    with_object.__wrapped__ = fn  # type: ignore[attr-defined]  # for introspection
    return with_object
