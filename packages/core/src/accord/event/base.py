"""The Events base class, the ``dispatcher`` descriptor and per-target Dispatch objects."""

from __future__ import annotations

import inspect
import weakref
from collections.abc import Callable, Iterable, Mapping
from typing import Any, ClassVar, overload

from accord import exc

from .registry import (
    EventKey,
    Listener,
    _families,
    _lock,
    _registrars,
    named_wrapper,
    retval_wrapper,
)

__all__ = ["Dispatch", "Events", "ListenerCollection", "dispatcher"]


class ListenerCollection(list[Callable[..., Any]]):
    """The listeners of one event on one target: falsy when empty, iterable, callable.

    It *is* a list of the functions to call, in order, so ``if d.event:`` is the C-level
    emptiness test of a list.  Collections are never mutated after they are built; a
    listen or remove builds new ones, so iterating while listeners change is safe.
    """

    __slots__ = ("name", "records")

    def __init__(self, name: str, records: Iterable[Listener] = ()) -> None:
        recs = list(records)
        super().__init__(r.call for r in recs)
        self.name = name
        self.records = recs

    def __call__(self, *args: Any, **kw: Any) -> None:
        """Invoke every listener with the same arguments, in order."""
        for fn in self:
            fn(*args, **kw)

    def __repr__(self) -> str:
        return f"<ListenerCollection {self.name!r} {list.__repr__(self)}>"

    # lists compare by content; two targets' collections must not be confused
    __eq__ = object.__eq__
    __ne__ = object.__ne__
    __hash__ = object.__hash__  # type: ignore[assignment]


class Dispatch:
    """The listener collections of one event family for one target.

    A dispatch may have a parent (a class's dispatch for an instance, the base class's for
    a subclass, an Engine's for a Connection); ``dispatch.<event>`` is the parent's
    listeners followed by this dispatch's own.  Collections are built lazily on first
    access and cached as plain instance attributes; when nothing was added here the
    parent's collection object is shared, costing nothing per target.
    """

    def __init__(
        self,
        events: type[Events],
        parent: Dispatch | None = None,
        *,
        propagate_only: bool = False,
    ) -> None:
        self._events = events
        self._parent = parent
        # a subclass whose family does not inherit class listeners sees only propagate=True
        self._propagate_only = propagate_only
        self._own: dict[str, list[Listener]] = {}
        self._children: weakref.WeakSet[Dispatch] | None = None
        if parent is not None:
            with _lock:
                if parent._children is None:
                    parent._children = weakref.WeakSet()
                parent._children.add(self)
                if not propagate_only:
                    # with no listeners of its own yet, each collection is the parent's:
                    # take the ones already built in one step (a Session is made per
                    # request and fires a dozen events) instead of one __getattr__ each.
                    # Registered as a child first, so a later change still reaches here.
                    self.__dict__.update(
                        {k: v for k, v in parent.__dict__.items() if type(v) is ListenerCollection}
                    )

    def __getattr__(self, name: str) -> ListenerCollection:
        # Only reached when the collection is not cached in __dict__ yet.
        if name.startswith("_") or name not in self._events._event_names:
            raise AttributeError(
                f"{self._events.__name__} has no event {name!r}; "
                f"valid events are: {', '.join(sorted(self._events._event_names))}"
            )
        with _lock:
            coll = self.__dict__.get(name)
            if coll is None:
                coll = self._build(name)
                self.__dict__[name] = coll
            return coll

    def _build(self, name: str) -> ListenerCollection:
        own = self._own.get(name)
        if self._parent is None:
            return ListenerCollection(name, own or ())
        inherited: ListenerCollection = getattr(self._parent, name)
        if not own and not self._propagate_only:
            return inherited
        records = [r for r in inherited.records if r.propagate or not self._propagate_only]
        records.extend(own or ())
        return ListenerCollection(name, records)

    def _invalidate(self, name: str) -> None:
        """Drop the cached collection here and in every descendant (rebuilt on next use)."""
        self.__dict__.pop(name, None)
        if self._children:
            for child in list(self._children):
                child._invalidate(name)

    def _add(self, name: str, record: Listener, *, insert: bool = False) -> None:
        with _lock:
            own = self._own.setdefault(name, [])
            if insert:
                own.insert(0, record)
            else:
                own.append(record)
            self._invalidate(name)

    def _discard(self, name: str, record: Listener) -> bool:
        with _lock:
            own = self._own.get(name)
            if not own:
                return False
            for i, rec in enumerate(own):
                if rec is record:
                    del own[i]
                    self._invalidate(name)
                    return True
            return False

    def _own_records(self, name: str) -> list[Listener]:
        return list(self._own.get(name, ()))

    def _join(self) -> Dispatch:
        """A new child dispatch seeing this one's listeners plus its own (for a Connection)."""
        return Dispatch(self._events, self)

    def _update(self, other: Dispatch, *, only_propagate: bool = True) -> None:
        """Copy ``other``'s own listeners (only propagating ones by default) onto this one.

        ``remove()`` of the original listen removes the copies too.
        """
        with _lock:
            for name, records in list(other._own.items()):
                for rec in records:
                    if only_propagate and not rec.propagate:
                        continue
                    self._add(name, rec.copy_for(self, name))

    def _clear(self) -> None:
        """Remove every listener attached directly to this dispatch."""
        with _lock:
            names = list(self._own)
            self._own.clear()
            for name in names:
                self._invalidate(name)

    def _has_listeners(self) -> bool:
        """True when any event of this family has a listener here (own or inherited)."""
        return any(getattr(self, name) for name in self._events._event_names)

    def __repr__(self) -> str:
        return f"<Dispatch {self._events.__name__} at 0x{id(self):x}>"


class dispatcher:
    """Class-attribute descriptor giving a class (and its instances) a Dispatch of a family.

    ``SomeClass.dispatch`` is the class-level dispatch (one per class, subclasses joined to
    their base); ``obj.dispatch`` is created on first access, joined to its class's, and
    cached in ``obj.__dict__`` so later accesses are a plain attribute lookup.
    """

    def __init__(self, events: type[Events]) -> None:
        self.events = events
        self.name = "dispatch"
        self.owner: type | None = None
        self._by_class: weakref.WeakKeyDictionary[type, Dispatch] = weakref.WeakKeyDictionary()

    def __set_name__(self, owner: type, name: str) -> None:
        self.owner = owner
        self.name = name

    @overload
    def __get__(self, obj: None, owner: type) -> Dispatch: ...
    @overload
    def __get__(self, obj: object, owner: type | None = None) -> Dispatch: ...

    def __get__(self, obj: object | None, owner: type | None = None) -> Dispatch:
        if obj is None:
            assert owner is not None
            return self.for_class(owner)
        try:
            slot = obj.__dict__
        except AttributeError:
            raise TypeError(
                f"{type(obj).__name__} uses __slots__ without __dict__; "
                f"an instance-level dispatch needs somewhere to live"
            ) from None
        # Only the first access gets here; the lock makes two racing threads agree on one
        # dispatch, so a listener added through either is not lost.
        with _lock:
            d = slot.get(self.name)
            if not isinstance(d, Dispatch):
                d = slot[self.name] = Dispatch(self.events, self.for_class(type(obj)))
            return d

    def for_class(self, cls: type) -> Dispatch:
        """The class-level dispatch of ``cls`` (created on first use)."""
        d = self._by_class.get(cls)
        if d is not None:
            return d
        with _lock:
            d = self._by_class.get(cls)
            if d is None:
                parent = None
                if self.owner is not None and cls is not self.owner:
                    for base in cls.__mro__[1:]:
                        if isinstance(base, type) and issubclass(base, self.owner):
                            parent = self.for_class(base)
                            break
                d = Dispatch(
                    self.events,
                    parent,
                    propagate_only=parent is not None and not self.events._subclasses_inherit,
                )
                self._by_class[cls] = d
            return d


def _event_names_of(cls: type) -> frozenset[str]:
    names: set[str] = set()
    for klass in cls.__mro__:
        if klass is Events or not (isinstance(klass, type) and issubclass(klass, Events)):
            continue
        names.update(
            n for n, v in vars(klass).items() if not n.startswith("_") and inspect.isfunction(v)
        )
    return frozenset(names)


class Events:
    """Base of an event family: each public method names one event and documents its arguments.

    Class attributes a family may set: ``_retval_events`` (event name -> function of the
    event's arguments returning what a listener without ``retval=True`` hands on) and
    ``_subclasses_inherit`` (whether class-level listeners reach subclasses without
    ``propagate=True``).  Hooks: ``_accept_with`` and ``_listen`` (classmethods).
    """

    _event_names: ClassVar[frozenset[str]] = frozenset()
    _retval_events: ClassVar[Mapping[str, Callable[..., Any]]] = {}
    _subclasses_inherit: ClassVar[bool] = False

    def __init_subclass__(cls, **kw: Any) -> None:
        super().__init_subclass__(**kw)
        cls._event_names = _event_names_of(cls)
        with _lock:
            _families.append(cls)
            for name in sorted(cls._event_names):
                fams = _registrars.setdefault(name, [])
                if cls not in fams:
                    fams.append(cls)

    @classmethod
    def _accept_with(cls, target: Any, identifier: str) -> Any | None:
        """Resolve ``target`` to the object whose ``.dispatch`` takes the listener, or None.

        The default accepts any class or object whose ``dispatch`` belongs to this family.
        """
        d = getattr(target, "dispatch", None)
        if isinstance(d, Dispatch) and issubclass(d._events, cls):
            return target
        return None

    @classmethod
    def _listen(
        cls,
        event_key: EventKey,
        *,
        propagate: bool = False,
        retval: bool = False,
        once: bool = False,
        insert: bool = False,
        named: bool = False,
        **kw: Any,
    ) -> None:
        """Attach a listener; families override to wrap or fan out, then call ``super()``."""
        if kw:
            raise exc.ArgumentError(
                f"Unknown listen() arguments for event {event_key.identifier!r}: "
                f"{', '.join(sorted(kw))}"
            )
        if named:
            event_key = event_key.with_wrapper(
                named_wrapper(event_key.call, cls._argnames(event_key.identifier))
            )
        passthrough = cls._retval_events.get(event_key.identifier)
        if passthrough is not None and not retval:
            event_key = event_key.with_wrapper(retval_wrapper(event_key.call, passthrough))
        event_key.base_listen(propagate=propagate, retval=retval, once=once, insert=insert)

    @classmethod
    def _remove(cls, event_key: EventKey) -> None:
        """Undo the listen that attached ``event_key.fn`` (every record it produced)."""
        dispatch: Dispatch = event_key.target.dispatch
        with _lock:
            for rec in dispatch._own_records(event_key.identifier):
                if rec.fn == event_key.fn:
                    for ref, name, r in rec.token.entries:
                        d = ref()
                        if d is not None:
                            d._discard(name, r)
                    rec.token.entries.clear()
                    return
        raise exc.InvalidRequestError(
            f"No listener {event_key.fn!r} found for event {event_key.identifier!r} "
            f"on {event_key.target!r}"
        )

    @classmethod
    def _contains(cls, event_key: EventKey) -> bool:
        """True if ``event_key.fn`` is attached directly to the target for the event."""
        dispatch: Dispatch = event_key.target.dispatch
        return any(rec.fn == event_key.fn for rec in dispatch._own_records(event_key.identifier))

    @classmethod
    def _argnames(cls, identifier: str) -> tuple[str, ...]:
        """The argument names of an event, from its method's signature."""
        meth = getattr(cls, identifier)
        params = list(inspect.signature(meth).parameters.values())
        # the event methods are written as instance methods; drop ``self``
        if params and params[0].name == "self":
            params = params[1:]
        return tuple(p.name for p in params if p.kind is not p.VAR_KEYWORD)
