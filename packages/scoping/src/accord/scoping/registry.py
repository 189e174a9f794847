"""Registries holding one object per scope: by a scope function, per thread, per context."""

from __future__ import annotations

import asyncio
import contextvars
import itertools
import threading
import weakref
from typing import TYPE_CHECKING, Any, Generic, TypeVar

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = [
    "ContextVarRegistry",
    "ScopedRegistry",
    "ThreadLocalRegistry",
]

_T = TypeVar("_T")

_names = itertools.count(1)


class ScopedRegistry(Generic[_T]):
    """One object per scope: ``scopefunc()`` names the scope, ``createfunc()`` makes the object.

    The objects live in a dict keyed by the scope; ``clear()`` discards the current one.
    """

    def __init__(self, createfunc: Callable[[], _T], scopefunc: Callable[[], Any]) -> None:
        self.createfunc = createfunc
        self.scopefunc = scopefunc
        self.registry: dict[Any, _T] = {}

    def __call__(self) -> _T:
        """The current scope's object, made by ``createfunc()`` on first use."""
        key = self.scopefunc()
        try:
            return self.registry[key]
        except KeyError:
            # setdefault: two threads racing on one key (a scopefunc shared between threads)
            # still agree on a single object
            return self.registry.setdefault(key, self.createfunc())

    def has(self) -> bool:
        """True if the current scope has an object."""
        return self.scopefunc() in self.registry

    def set(self, obj: _T) -> None:
        """Make ``obj`` the current scope's object."""
        self.registry[self.scopefunc()] = obj

    def clear(self) -> None:
        """Discard the current scope's object (if any)."""
        self.registry.pop(self.scopefunc(), None)


class ThreadLocalRegistry(ScopedRegistry[_T]):
    """One object per thread, held in a ``threading.local`` (so it goes when its thread ends)."""

    def __init__(self, createfunc: Callable[[], _T]) -> None:
        # the base's dict stays empty: a threading.local frees a finished thread's object
        super().__init__(createfunc, threading.get_ident)
        self._local = threading.local()

    def __call__(self) -> _T:
        """The current thread's object, made by ``createfunc()`` on first use."""
        try:
            value: _T = self._local.value
        except AttributeError:
            value = self._local.value = self.createfunc()
        return value

    def has(self) -> bool:
        """True if the current thread has an object."""
        return hasattr(self._local, "value")

    def set(self, obj: _T) -> None:
        """Make ``obj`` the current thread's object."""
        self._local.value = obj

    def clear(self) -> None:
        """Discard the current thread's object (if any)."""
        if hasattr(self._local, "value"):
            del self._local.value


class _ThreadScope:
    """The scope of a thread when no asyncio task runs; weakly referenced by stored values."""

    __slots__ = ("__weakref__",)


_thread_scopes = threading.local()


def _current_scope() -> object:
    """The running asyncio task, else an object standing for the current thread."""
    try:
        task = asyncio.current_task()
    except RuntimeError:  # no running event loop in this thread
        task = None
    if task is not None:
        return task
    scope: _ThreadScope | None = getattr(_thread_scopes, "scope", None)
    if scope is None:
        scope = _thread_scopes.scope = _ThreadScope()
    return scope


class ContextVarRegistry(ScopedRegistry[_T]):
    """One object per asyncio task and per thread, held in a ``contextvars.ContextVar``.

    Safe in async web frameworks: a task never sees the object of its parent or siblings.
    """

    def __init__(self, createfunc: Callable[[], _T]) -> None:
        super().__init__(createfunc, _current_scope)
        # A task runs in a copy of its creator's context, so the variable's value there is
        # the creator's (owner, object) pair.  The pair is immutable and names its owner by
        # weak reference: a copy reads as empty unless the current task (or thread) is that
        # owner, and set() rebinds the variable in the current context only, never touching
        # what a sibling copied.  A weak reference, because a dead task's id may be reused.
        self._var: contextvars.ContextVar[tuple[weakref.ref[Any], _T] | None] = (
            contextvars.ContextVar(
                f"accord.scoping.ContextVarRegistry.{next(_names)}", default=None
            )
        )

    def _pair(self) -> tuple[weakref.ref[Any], _T] | None:
        pair = self._var.get()
        if pair is not None and pair[0]() is _current_scope():
            return pair
        return None

    def __call__(self) -> _T:
        """The current task's (or thread's) object, made by ``createfunc()`` on first use."""
        pair = self._pair()
        if pair is not None:
            return pair[1]
        obj = self.createfunc()
        self.set(obj)
        return obj

    def has(self) -> bool:
        """True if the current task (or thread) has an object."""
        return self._pair() is not None

    def set(self, obj: _T) -> None:
        """Make ``obj`` the current task's (or thread's) object."""
        self._var.set((weakref.ref(_current_scope()), obj))

    def clear(self) -> None:
        """Discard the current task's (or thread's) object (if any)."""
        if self._var.get() is not None:
            self._var.set(None)
