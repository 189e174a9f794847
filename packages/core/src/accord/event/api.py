"""The public functions: listen, listens_for, remove, contains."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from accord import exc

from .base import Dispatch, Events
from .registry import EventKey, _families, _registrars

__all__ = ["contains", "listen", "listens_for", "remove"]

_F = TypeVar("_F", bound=Callable[..., Any])


def _describe(target: Any) -> str:
    if isinstance(target, type):
        return f"class {target.__module__}.{target.__qualname__}"
    return f"{type(target).__name__} object {target!r}"


def _resolve(target: Any, identifier: str) -> tuple[type[Events], Any]:
    """Find the family defining ``identifier`` that accepts ``target``; clear errors if none."""
    if not isinstance(identifier, str):
        raise exc.ArgumentError(f"Event name must be a string, got {identifier!r}")
    for family in _registrars.get(identifier, ()):
        resolved = family._accept_with(target, identifier)
        if resolved is not None:
            return family, resolved
    # Nothing accepted: say whether the event or the target is the problem.
    valid: set[str] = set()
    for family in _families:
        probe = next(iter(family._event_names), None)
        if probe is not None and family._accept_with(target, probe) is not None:
            valid |= family._event_names
    if valid:
        raise exc.InvalidRequestError(
            f"No such event {identifier!r} for target {_describe(target)}; "
            f"valid events are: {', '.join(sorted(valid))}"
        )
    if identifier in _registrars:
        kinds = ", ".join(f.__name__ for f in _registrars[identifier])
        raise exc.InvalidRequestError(
            f"Target {_describe(target)} does not accept event {identifier!r} "
            f"(an event of {kinds}); it has no event dispatch"
        )
    raise exc.InvalidRequestError(
        f"No such event {identifier!r}, and target {_describe(target)} accepts no events"
    )


def listen(target: Any, identifier: str, fn: Callable[..., Any], *args: Any, **kw: Any) -> None:
    """Attach ``fn`` to event ``identifier`` of ``target``.

    Keywords: ``propagate``, ``retval``, ``once``, ``insert`` (run before the target's
    own earlier listeners), ``named`` (receive arguments by keyword), plus any the family accepts.
    """
    if args:
        raise exc.ArgumentError("listen() takes the options as keyword arguments only")
    family, resolved = _resolve(target, identifier)
    family._listen(EventKey(resolved, identifier, fn), **kw)


def listens_for(target: Any, identifier: str, *args: Any, **kw: Any) -> Callable[[_F], _F]:
    """Decorator form of :func:`listen`; returns the function unchanged."""

    def decorate(fn: _F) -> _F:
        listen(target, identifier, fn, *args, **kw)
        return fn

    return decorate


def remove(target: Any, identifier: str, fn: Callable[..., Any]) -> None:
    """Undo one earlier ``listen(target, identifier, fn)``, including any copies it made."""
    family, resolved = _resolve(target, identifier)
    family._remove(EventKey(resolved, identifier, fn))


def contains(target: Any, identifier: str, fn: Callable[..., Any]) -> bool:
    """True if ``fn`` is listening to ``identifier`` directly on ``target``."""
    family, resolved = _resolve(target, identifier)
    d = getattr(resolved, "dispatch", None)
    if not isinstance(d, Dispatch):
        return False
    return family._contains(EventKey(resolved, identifier, fn))
