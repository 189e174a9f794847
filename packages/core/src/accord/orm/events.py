"""ORM event families: attribute, mapper, instance and session events."""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any

from accord import exc
from accord.event import Dispatch, Events, dispatcher
from accord.orm.base import instance_state, opt_manager_of_class

if TYPE_CHECKING:
    from collections.abc import Callable

    from accord.event import EventKey

__all__ = [
    "AttributeEvents",
    "InstanceEvents",
    "MapperEvents",
    "SessionEvents",
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
        # propagate= is accepted; with no mapped-class inheritance yet it reaches nothing.
        if not raw:
            event_key = event_key.with_wrapper(_object_wrapper(event_key.call))
        super()._listen(event_key, **kw)


def _object_wrapper(fn: Callable[..., Any]) -> Callable[..., Any]:
    # Impls dispatch with the InstanceState (cheap for them); most listeners want the object.
    def with_object(state: Any, *args: Any) -> Any:
        return fn(state.obj(), *args)

    with_object.__wrapped__ = fn  # type: ignore[attr-defined]  # for introspection
    return with_object


def _state_wrapper(fn: Callable[..., Any], position: int) -> Callable[..., Any]:
    # Persistence events are fired with the object; raw=True listeners want its state.
    def with_state(*args: Any) -> Any:
        args_l = list(args)
        args_l[position] = instance_state(args_l[position])
        return fn(*args_l)

    with_state.__wrapped__ = fn  # type: ignore[attr-defined]  # for introspection
    return with_state


def _class_target(holders: weakref.WeakKeyDictionary[type, Any], kind: type, cls: type) -> Any:
    """The stand-in target collecting listeners given to an unmapped base class."""
    if isinstance(getattr(cls, "dispatch", None), Dispatch):
        return None  # some other accord class with events of its own (Engine, Pool...)
    holder = holders.get(cls)
    if holder is None:
        holder = holders[cls] = kind(cls)
    return holder


class MapperEvents(Events):
    """Events of a mapper: ``listen(User, "before_insert", fn)``.

    Targets: a mapped class or its Mapper; the ``Mapper`` class (every mapper); an unmapped
    base class or mixin (every mapped subclass, present and future).  The persistence
    events (``before_insert`` ... ``after_delete``) are fired by the unit of work with the
    object (its ``InstanceState`` for ``raw=True`` listeners).
    """

    def instrument_class(self, mapper: Any, class_: type) -> None:
        """A class is about to be instrumented (before its attributes are installed)."""

    def before_mapper_configured(self, mapper: Any, class_: type) -> None:
        """A mapper is about to be configured."""

    def mapper_configured(self, mapper: Any, class_: type) -> None:
        """A mapper has been configured."""

    def before_configured(self) -> None:
        """Mappers are about to be configured."""

    def after_configured(self) -> None:
        """Mappers have been configured."""

    def before_insert(self, mapper: Any, connection: Any, target: Any) -> None:
        """An object is about to be INSERTed by a flush."""

    def after_insert(self, mapper: Any, connection: Any, target: Any) -> None:
        """An object was INSERTed by a flush."""

    def before_update(self, mapper: Any, connection: Any, target: Any) -> None:
        """A modified object is about to be UPDATEd by a flush (it may end up unchanged)."""

    def after_update(self, mapper: Any, connection: Any, target: Any) -> None:
        """An object was UPDATEd by a flush."""

    def before_delete(self, mapper: Any, connection: Any, target: Any) -> None:
        """An object's row is about to be DELETEd by a flush."""

    def after_delete(self, mapper: Any, connection: Any, target: Any) -> None:
        """An object's row was DELETEd by a flush."""

    @classmethod
    def _accept_with(cls, target: Any, identifier: str) -> Any | None:
        from accord.orm.mapper import Mapper

        if isinstance(target, Mapper) or target is Mapper:
            return target
        if isinstance(target, type):
            manager = opt_manager_of_class(target)
            if manager is not None and manager.mapper is not None:
                return manager.mapper
            return _class_target(_mapper_holders, _MapperEventsHolder, target)
        return None

    @classmethod
    def _listen(cls, event_key: EventKey, *, raw: bool = False, **kw: Any) -> None:
        if raw and event_key.identifier in _PERSISTENCE_EVENTS:
            event_key = event_key.with_wrapper(_state_wrapper(event_key.call, 2))
        target = event_key.target
        super()._listen(event_key, **kw)
        if isinstance(target, _MapperEventsHolder):
            from accord.orm.mapper import _all_mappers

            for mapper in list(_all_mappers):
                if issubclass(mapper.class_, target.cls):
                    super()._listen(event_key.with_dispatch_target(mapper), **kw)


_PERSISTENCE_EVENTS = frozenset(
    {
        "before_insert",
        "after_insert",
        "before_update",
        "after_update",
        "before_delete",
        "after_delete",
    }
)


class InstanceEvents(Events):
    """Events of the objects of a mapped class: ``listen(User, "load", fn)``.

    Targets: a mapped class, its Mapper, or an unmapped base class / mixin (every mapped
    subclass).  Listeners receive the object (its ``InstanceState`` with ``raw=True``).
    ``init`` / ``init_failure`` wrap the class's ``__init__`` only once a listener exists;
    ``load``, ``refresh`` and ``refresh_flush`` are fired by loading and flush.
    """

    def init(self, target: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        """The constructor is about to run; ``kwargs`` may be modified in place."""

    def init_failure(self, target: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        """The constructor raised (the exception propagates afterwards)."""

    def load(self, target: Any, context: Any) -> None:
        """An object was built from a row (not called again for identity-map hits)."""

    def refresh(self, target: Any, context: Any, attrs: Any) -> None:
        """Attributes of an object were refreshed from a row (``attrs``: keys or None)."""

    def refresh_flush(self, target: Any, flush_context: Any, attrs: Any) -> None:
        """Server-generated values were fetched into an object during a flush."""

    def expire(self, target: Any, attrs: Any) -> None:
        """Attributes were expired (``attrs`` is None when all were)."""

    def pickle(self, target: Any, state_dict: dict[Any, Any]) -> None:
        """The object's state is being pickled into ``state_dict``."""

    def unpickle(self, target: Any, state_dict: dict[Any, Any]) -> None:
        """The object's state was restored from ``state_dict``."""

    @classmethod
    def _accept_with(cls, target: Any, identifier: str) -> Any | None:
        from accord.orm.instrumentation import ClassManager
        from accord.orm.mapper import Mapper

        if isinstance(target, ClassManager):
            return target
        if isinstance(target, Mapper):
            return target.class_manager
        if isinstance(target, type):
            manager = opt_manager_of_class(target)
            if manager is not None and manager.mapper is not None:
                return manager
            return _class_target(_instance_holders, _InstanceEventsHolder, target)
        return None

    @classmethod
    def _listen(cls, event_key: EventKey, *, raw: bool = False, **kw: Any) -> None:
        from accord.orm.instrumentation import ClassManager

        if not raw:
            event_key = event_key.with_wrapper(_object_wrapper(event_key.call))
        target = event_key.target
        super()._listen(event_key, **kw)
        managers = []
        if isinstance(target, ClassManager):
            managers.append(target)
        elif isinstance(target, _InstanceEventsHolder):
            from accord.orm.mapper import _all_mappers

            for mapper in list(_all_mappers):
                if issubclass(mapper.class_, target.cls):
                    super()._listen(event_key.with_dispatch_target(mapper.class_manager), **kw)
                    managers.append(mapper.class_manager)
        if event_key.identifier in ("init", "init_failure"):
            for manager in managers:
                manager._install_init_hook()


class _MapperEventsHolder:
    """Mapper-event listeners of an unmapped base class, copied onto subclass mappers."""

    dispatch = dispatcher(MapperEvents)

    def __init__(self, cls: type) -> None:
        self.cls = cls


class _InstanceEventsHolder:
    """Instance-event listeners of an unmapped base class, copied onto subclass managers."""

    dispatch = dispatcher(InstanceEvents)

    def __init__(self, cls: type) -> None:
        self.cls = cls


_mapper_holders: weakref.WeakKeyDictionary[type, _MapperEventsHolder] = weakref.WeakKeyDictionary()
_instance_holders: weakref.WeakKeyDictionary[type, _InstanceEventsHolder] = (
    weakref.WeakKeyDictionary()
)


def _apply_base_listeners(mapper: Any) -> None:
    """Copy listeners given to unmapped base classes onto a new mapper and its manager."""
    manager = mapper.class_manager
    for base in mapper.class_.__mro__[1:]:
        holder = _mapper_holders.get(base)
        if holder is not None:
            mapper.dispatch._update(holder.dispatch, only_propagate=False)
        iholder = _instance_holders.get(base)
        if iholder is not None:
            manager.dispatch._update(iholder.dispatch, only_propagate=False)
    if manager.dispatch.init or manager.dispatch.init_failure:
        manager._install_init_hook()


class SessionEvents(Events):
    """Events of Sessions: ``listen(session, "before_flush", fn)``.

    Targets: a Session (that session), the ``Session`` class or a subclass (every session
    of it), or a ``sessionmaker`` (the sessions it makes).  Lifecycle events receive the
    session and the object.
    """

    _subclasses_inherit = True

    def do_orm_execute(self, orm_execute_state: Any) -> Any:
        """``Session.execute()`` was called; a listener may change it or return a Result."""

    def before_flush(self, session: Any, flush_context: Any, instances: Any) -> None:
        """A flush is starting; objects may still be added, changed or deleted."""

    def after_flush(self, session: Any, flush_context: Any) -> None:
        """The flush's SQL has run; object states are not yet updated."""

    def after_flush_postexec(self, session: Any, flush_context: Any) -> None:
        """The flush is complete and object states are updated."""

    def after_transaction_create(self, session: Any, transaction: Any) -> None:
        """A SessionTransaction (root, SAVEPOINT or a flush's subtransaction) was created."""

    def after_transaction_end(self, session: Any, transaction: Any) -> None:
        """A SessionTransaction ended (committed, rolled back or closed)."""

    def after_begin(self, session: Any, transaction: Any, connection: Any) -> None:
        """A transaction began on a Connection for the session."""

    def before_commit(self, session: Any) -> None:
        """A commit (root or SAVEPOINT) is about to happen, before its flush."""

    def after_commit(self, session: Any) -> None:
        """A commit happened."""

    def after_rollback(self, session: Any) -> None:
        """A real database rollback happened (root or SAVEPOINT; also a failed flush's)."""

    def after_soft_rollback(self, session: Any, previous_transaction: Any) -> None:
        """``rollback()`` of a SessionTransaction finished (whether or not SQL ran)."""

    def before_attach(self, session: Any, instance: Any) -> None:
        """An object is about to be attached to the session."""

    def after_attach(self, session: Any, instance: Any) -> None:
        """An object was attached to the session."""

    def transient_to_pending(self, session: Any, instance: Any) -> None:
        """A transient object was added: it is pending."""

    def pending_to_transient(self, session: Any, instance: Any) -> None:
        """A pending object was expunged or rolled back: it is transient."""

    def pending_to_persistent(self, session: Any, instance: Any) -> None:
        """A pending object was inserted by a flush: it is persistent."""

    def loaded_as_persistent(self, session: Any, instance: Any) -> None:
        """An object was loaded from a row into the session."""

    def persistent_to_transient(self, session: Any, instance: Any) -> None:
        """An object inserted in a rolled-back transaction is transient again."""

    def persistent_to_deleted(self, session: Any, instance: Any) -> None:
        """A flush deleted a persistent object's row: it is deleted."""

    def deleted_to_detached(self, session: Any, instance: Any) -> None:
        """The transaction deleting an object committed: it is detached."""

    def persistent_to_detached(self, session: Any, instance: Any) -> None:
        """A persistent object was expunged (or the session closed): it is detached."""

    def detached_to_persistent(self, session: Any, instance: Any) -> None:
        """A detached object was added back: it is persistent."""

    def deleted_to_persistent(self, session: Any, instance: Any) -> None:
        """A deletion was rolled back: the object is persistent again."""

    @classmethod
    def _accept_with(cls, target: Any, identifier: str) -> Any | None:
        from accord.orm.session import Session, sessionmaker

        if isinstance(target, sessionmaker):
            return target.class_
        factory = getattr(target, "session_factory", None)
        if factory is not None and not isinstance(target, type):
            # a scoped_session (accord-scoping, which core does not import): its listeners
            # go to every Session its factory makes, found through the public attribute
            if isinstance(factory, sessionmaker):
                return factory.class_
            if isinstance(factory, type) and issubclass(factory, Session):
                return factory
            raise exc.ArgumentError(
                "Session event listen on a scoped_session requires that its "
                "session_factory is a sessionmaker or a Session class"
            )
        return super()._accept_with(target, identifier)
