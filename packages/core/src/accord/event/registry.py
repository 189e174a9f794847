"""Listener bookkeeping: listener records, listen tokens, event keys and once/named wrappers."""

from __future__ import annotations

import threading
import weakref
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

    from .base import Dispatch, Events

__all__ = ["EventKey", "ListenToken", "Listener"]

# One lock guards every mutation of listener state (listen, remove, cache rebuilds).
# Reads on hot paths never take it: collections are rebuilt and swapped, never mutated.
_lock = threading.RLock()

# event name -> the families that define it, in definition order; filled by
# ``Events.__init_subclass__`` and consulted by ``listen()`` to find who accepts a target.
_registrars: dict[str, list[type[Events]]] = {}

# every family ever defined, for error messages listing what a target does support
_families: list[type[Events]] = []


class ListenToken:
    """Everything one ``listen()`` call added, so that ``remove()`` can undo exactly it.

    A family may fan one listen out to several dispatches (a pool event given an
    Engine, a mapper event with ``propagate=True`` reaching subclass mappers), and
    ``Dispatch._update`` copies propagating listeners onto new targets; all those
    records share one token.  Dispatches are held weakly.
    """

    __slots__ = ("__weakref__", "entries")

    def __init__(self) -> None:
        self.entries: list[tuple[weakref.ref[Dispatch], str, Listener]] = []

    def add(self, dispatch: Dispatch, identifier: str, record: Listener) -> None:
        """Remember that ``record`` was added to ``dispatch`` under ``identifier``."""
        self.entries.append((weakref.ref(dispatch), identifier, record))


class Listener:
    """One attached listener: the user's function, what is actually called, and flags."""

    __slots__ = ("call", "fn", "once", "propagate", "retval", "token")

    def __init__(
        self,
        fn: Callable[..., Any],
        call: Callable[..., Any],
        *,
        propagate: bool,
        retval: bool,
        once: bool,
        token: ListenToken,
    ) -> None:
        self.fn = fn
        self.call = call
        self.propagate = propagate
        self.retval = retval
        self.once = once
        self.token = token

    def copy_for(self, dispatch: Dispatch, identifier: str) -> Listener:
        """A record for the same listen on another dispatch (used by ``_update``)."""
        rec = Listener(
            self.fn,
            self.call,
            propagate=self.propagate,
            retval=self.retval,
            once=self.once,
            token=self.token,
        )
        self.token.add(dispatch, identifier, rec)
        return rec

    def __repr__(self) -> str:
        return f"<Listener {self.fn!r} propagate={self.propagate} once={self.once}>"


class EventKey:
    """A request to attach ``fn`` to event ``identifier`` of a resolved ``target``.

    ``target`` is what the family's ``_accept_with`` returned; its ``.dispatch`` is where
    the listener lands.  A family's ``_listen`` may replace the called function with
    :meth:`with_wrapper` or redirect with :meth:`with_dispatch_target`; derived keys keep
    the original ``fn`` and the same token, so ``remove(target, identifier, fn)`` works.
    """

    __slots__ = ("call", "fn", "identifier", "target", "token")

    def __init__(
        self,
        target: Any,
        identifier: str,
        fn: Callable[..., Any],
        call: Callable[..., Any] | None = None,
        token: ListenToken | None = None,
    ) -> None:
        self.target = target
        self.identifier = identifier
        self.fn = fn
        self.call = fn if call is None else call
        self.token = ListenToken() if token is None else token

    def with_wrapper(self, call: Callable[..., Any]) -> EventKey:
        """The same key, calling ``call`` instead of the current callable."""
        return EventKey(self.target, self.identifier, self.fn, call, self.token)

    def with_dispatch_target(self, target: Any) -> EventKey:
        """The same key, attaching to ``target.dispatch`` instead."""
        return EventKey(target, self.identifier, self.fn, self.call, self.token)

    def base_listen(
        self,
        *,
        propagate: bool = False,
        retval: bool = False,
        once: bool = False,
        insert: bool = False,
    ) -> Listener:
        """Attach the listener to ``self.target.dispatch``; returns the new record."""
        dispatch: Dispatch = self.target.dispatch
        call = self.call
        if once:
            call = once_wrapper(call, dispatch._events._retval_events.get(self.identifier))
        rec = Listener(
            self.fn, call, propagate=propagate, retval=retval, once=once, token=self.token
        )
        with _lock:
            self.token.add(dispatch, self.identifier, rec)
            dispatch._add(self.identifier, rec, insert=insert)
        return rec

    def __repr__(self) -> str:
        return f"<EventKey {self.identifier!r} {self.fn!r} on {self.target!r}>"


def once_wrapper(
    fn: Callable[..., Any], passthrough: Callable[..., Any] | None
) -> Callable[..., Any]:
    """Wrap ``fn`` so that it runs on the first call only, even when threads race.

    Later calls return ``passthrough(*args)`` (the arguments a retval event hands on
    unchanged) or ``None``.
    """
    # A lock that is acquired once and never released: a non-blocking acquire is an
    # atomic test-and-set, so exactly one caller ever wins, without a Python-level race.
    gate = threading.Lock()

    def once(*args: Any, **kw: Any) -> Any:
        if gate.acquire(blocking=False):
            return fn(*args, **kw)
        if passthrough is not None:
            return passthrough(*args, **kw)
        return None

    once.__wrapped__ = fn  # type: ignore[attr-defined]  # for introspection/debugging
    return once


def retval_wrapper(fn: Callable[..., Any], passthrough: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a listener registered without ``retval=True`` to return its arguments unchanged."""

    def hand_on(*args: Any, **kw: Any) -> Any:
        fn(*args, **kw)
        return passthrough(*args, **kw)

    hand_on.__wrapped__ = fn  # type: ignore[attr-defined]  # for introspection/debugging
    return hand_on


def named_wrapper(fn: Callable[..., Any], argnames: tuple[str, ...]) -> Callable[..., Any]:
    """Wrap a ``named=True`` listener so it receives the event's arguments by keyword."""

    def by_name(*args: Any, **kw: Any) -> Any:
        kw.update(zip(argnames, args, strict=False))
        return fn(**kw)

    by_name.__wrapped__ = fn  # type: ignore[attr-defined]  # for introspection/debugging
    return by_name
