"""Events: attach listeners to classes and objects, and dispatch to them cheaply.

How it works (for authors of event families and of the code that fires events)
-----------------------------------------------------------------------------

**A family** is a subclass of :class:`Events`.  Each public method names one event; its
signature (after ``self``) is the argument list listeners receive, its docstring says what
they mean.  Defining the subclass registers its event names globally.  Optional class
attributes:

* ``_retval_events = {"before_execute": passthrough, ...}`` -- events whose listeners'
  return values are used.  ``passthrough(*args)`` returns what a listener registered
  *without* ``retval=True`` hands on unchanged (e.g. ``(clauseelement, multiparams,
  params)``); the base ``_listen`` wraps such listeners with it.  So call sites of a
  retval event always iterate and take the return value::

      for fn in conn.dispatch.before_cursor_execute:
          statement, parameters = fn(conn, cursor, statement, parameters, ctx, many)

* ``_subclasses_inherit = True`` -- a listener on a class reaches its subclasses (and
  their instances) even without ``propagate=True``.  Default ``False``: only
  ``propagate=True`` listeners reach subclasses.  Instances always see every listener of
  their own class.

Hooks (classmethods): ``_accept_with(target, identifier)`` returns the object whose
``.dispatch`` should receive the listener (e.g. an Engine for pool events resolves to
``engine.pool``; a ``sessionmaker`` to its session class), or ``None`` to decline;
``_listen(event_key, *, propagate, retval, once, insert, named, **kw)`` may wrap the
callable (``event_key.with_wrapper(fn2)``), redirect it
(``event_key.with_dispatch_target(obj)``) or fan it out, and finally calls
``event_key.base_listen(propagate=..., retval=..., once=..., insert=...)`` once per
destination; everything one ``listen()`` produced shares a token, and ``remove()``
undoes all of it.

**A target class** declares ``dispatch = dispatcher(SomeEvents)`` as a class attribute:

* ``Class.dispatch`` is the class-level :class:`Dispatch` (one per class; a subclass's
  is joined to its base's).
* ``obj.dispatch`` is created on first access with the class-level dispatch as parent
  and cached in ``obj.__dict__`` (the class needs a ``__dict__``); it sees the class's
  listeners, including ones added later, followed by the object's own.
* ``d._join()`` returns a new child dispatch of ``d``: a Connection does
  ``self.dispatch = engine.dispatch._join()`` so that it sees the Engine class's
  listeners, then the Engine's, then its own, in that order.  A join costs one small
  object; nothing per event until a listener is added to the child.
* ``d._update(other, only_propagate=True)`` copies ``other``'s own (propagating)
  listeners onto ``d`` -- for a copy of a target, e.g. a recreated pool (use
  ``only_propagate=False``) or a subclass mapper.

**Firing.** ``target.dispatch.<event>`` is a :class:`ListenerCollection`: a ``list``
subclass of the functions to call, in order.  It is *falsy when empty*, and the emptiness
test is the C-level one of ``list`` -- so hot paths write::

    if self.dispatch.before_execute:      # an attribute lookup plus a list truth test
        for fn in self.dispatch.before_execute:
            ...

It is iterable (listener functions in order) and callable (``d.commit(conn)`` calls
every listener with those arguments).  When nothing listens on an object, its
collections *are* its parent's (no copy is made), so objects without listeners cost no
memory per event.  Collections are never mutated in place: listen/remove build new ones
(under a lock), so a call site iterating a collection is unaffected by concurrent
changes.  An unknown event name on a dispatch raises ``AttributeError``.

**Listening.** :func:`listen` (``propagate=``, ``retval=``, ``once=``, ``insert=``,
``named=``) finds the family defining the event name that accepts the target; an unknown
event raises :class:`accord.exc.InvalidRequestError` naming the event and the events the
target supports, an unsupported target raises it naming the target.  ``once=True``
listeners run on the first firing only (thread-safe); later firings of a retval event
pass the arguments through.  Dispatches hold no reference to their targets, and class-
level dispatches are held in a weak dictionary, so listening never keeps a target alive
(a listener function that references its target does, as with any closure).
"""

from __future__ import annotations

from .api import contains, listen, listens_for, remove
from .base import Dispatch, Events, ListenerCollection, dispatcher
from .registry import EventKey

__all__ = [
    "Dispatch",
    "EventKey",
    "Events",
    "ListenerCollection",
    "contains",
    "dispatcher",
    "listen",
    "listens_for",
    "remove",
]
