"""The registry behind ``inspect()``: type -> inspector, filled in by the layers that define them.

It lives in ``accord.util`` (the lowest layer) so that ``accord.orm`` can register its
inspectors without importing ``accord.inspection``, which sits above it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from accord import exc

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["inspect", "register_inspector", "register_self_inspecting"]

_T = TypeVar("_T", bound=type)

# type -> callable turning an instance of it into its inspector; ``None`` means the
# object is its own inspector (e.g. a Mapper or a Table).
_registry: dict[type, Callable[[Any], Any] | None] = {}


def register_inspector(*types: type) -> Callable[[Callable[[Any], Any]], Callable[[Any], Any]]:
    """Decorate a function as the inspector of ``types`` (and their subclasses)."""

    def decorate(fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
        for type_ in types:
            _registry[type_] = fn
        return fn

    return decorate


def register_self_inspecting(type_: _T) -> _T:
    """Mark a class whose instances are their own inspectors; usable as a class decorator."""
    _registry[type_] = None
    return type_


def inspect(subject: Any, raiseerr: bool = True) -> Any:
    """Return the inspector for ``subject`` (e.g. an ``InstanceState`` for a mapped object).

    With ``raiseerr=False`` an object with no inspector gives ``None`` instead of
    :class:`accord.exc.NoInspectionAvailable`.
    """
    type_ = type(subject)
    for cls in type_.__mro__:
        if cls in _registry:
            fn = _registry[cls]
            found = subject if fn is None else fn(subject)
            if found is not None:
                return found
            break
    if raiseerr:
        raise exc.NoInspectionAvailable(
            f"No inspection system is available for object of type {type_.__name__!r}"
        )
    return None
