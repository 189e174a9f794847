"""``Session`` and ``sessionmaker``: identity map, unit of work, transactions, loading."""

from __future__ import annotations

import gc
import itertools
import threading
import weakref
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from accord import exc
from accord.event import dispatcher
from accord.orm import cascades, loading, session_binds
from accord.orm.base import (
    STATE_ATTR,
    _ConfigureHook,
    instance_state,
    opt_manager_of_class,
    state_str,
)
from accord.orm.bulk_legacy import LegacyBulkMethods
from accord.orm.events import SessionEvents
from accord.orm.identity import IdentityMap
from accord.orm.session_control import _TransactionControl
from accord.orm.session_transaction import (
    JOIN_TRANSACTION_MODES,
    SessionTransaction,
    SessionTransactionState,
)
from accord.orm.state import InstanceState, _sessions
from accord.orm.unitofwork import UOWTransaction, flush_session

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Mapping, Sequence
    from types import TracebackType

__all__ = [
    "Session",
    "close_all_sessions",
    "make_transient",
    "make_transient_to_detached",
    "object_session",
    "sessionmaker",
]

_counter = itertools.count(1)
# every live Session, for close_all_sessions()
_all_sessions: weakref.WeakSet[Session] = weakref.WeakSet()
_EMPTY: Mapping[str, Any] = {}


def _state_of(instance: object) -> InstanceState:
    if _ConfigureHook.pending:
        _ConfigureHook.run()
    manager = opt_manager_of_class(type(instance))
    if manager is None or manager.mapper is None:
        raise exc.UnmappedInstanceError(
            f"Class '{type(instance).__module__}.{type(instance).__qualname__}' is not mapped"
        )
    state: InstanceState = instance_state(instance)
    return state


class Session(_TransactionControl, LegacyBulkMethods):
    """Tracks mapped objects and runs their changes against the database as one unit of work.

    A Session is not thread-safe: use one per thread (or per task).  It is not a cache
    either: ``get()`` looks in the identity map, but every query goes to the database.
    """

    dispatch = dispatcher(SessionEvents)

    def __init__(
        self,
        bind: Any = None,
        *,
        autoflush: bool = True,
        expire_on_commit: bool = True,
        autobegin: bool = True,
        info: dict[Any, Any] | None = None,
        binds: Mapping[Any, Any] | None = None,
        twophase: bool = False,
        join_transaction_mode: str = "conservative_savepoint",
    ) -> None:
        if join_transaction_mode not in JOIN_TRANSACTION_MODES:
            raise exc.ArgumentError(
                f"join_transaction_mode must be one of {', '.join(JOIN_TRANSACTION_MODES)}; "
                f"got {join_transaction_mode!r}"
            )
        self.join_transaction_mode = join_transaction_mode
        self.bind = bind
        self.twophase = twophase
        # class / Table -> Engine or Connection (a mapper key is stored as its class and
        # tables, an unmapped base class or mixin as itself)
        self.binds: dict[Any, Any] = {}
        for key, target in (binds or {}).items():
            session_binds.add_bind(self, key, target)
        self.autoflush = autoflush
        self.expire_on_commit = expire_on_commit
        self.autobegin = autobegin
        self.info: dict[Any, Any] = dict(info or {})
        self.hash_key = next(_counter)
        self.identity_map = IdentityMap()
        self._new: dict[InstanceState, Any] = {}
        self._deleted: dict[InstanceState, Any] = {}
        self._transaction: SessionTransaction | None = None
        self._nested_transaction: SessionTransaction | None = None
        self._flushing = False
        self._no_autoflush = 0
        self._thread: int | None = None
        _sessions[self.hash_key] = self
        _all_sessions.add(self)

    # -- context manager ---------------------------------------------------------------

    def __enter__(self) -> Session:
        return self

    def __exit__(
        self,
        type_: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- transactions ------------------------------------------------------------------

    def close(self) -> None:
        """Roll back, release connections and expunge every object (the Session stays usable)."""
        self._close()

    def reset(self) -> None:
        """Close the Session and return it to its just-made state."""
        self._close()

    @classmethod
    def identity_key(
        cls,
        class_: type | None = None,
        ident: Any = None,
        *,
        instance: object | None = None,
        row: Any = None,
        identity_token: Any = None,
    ) -> Any:
        """An identity key ``(class, primary key tuple, token)`` (as ``identity_key()``)."""
        from accord.orm.identity import identity_key

        return identity_key(
            class_, ident, instance=instance, row=row, identity_token=identity_token
        )

    @classmethod
    def object_session(cls, instance: object) -> Session | None:
        """The Session ``instance`` belongs to, or None (as ``object_session()``)."""
        return object_session(instance)

    @classmethod
    def close_all(cls) -> None:
        """``close()`` every Session in memory (as ``close_all_sessions()``)."""
        close_all_sessions()

    def _close(self) -> None:
        # rows a flush of the open transaction inserted are rolled back with it: their
        # objects go back to transient, not detached with the key of a row that is gone
        inserted: list[InstanceState] = []
        trans = self._transaction
        while trans is not None:
            inserted.extend(trans._new)
            trans = trans._parent
        # objects leave first, then the transactions end (so the lifecycle events come
        # before after_transaction_end, in SQLAlchemy's order)
        if inserted:
            self._inserted_to_transient(inserted)
        self.expunge_all()
        while self._transaction is not None:
            self._transaction.close()

    def _inserted_to_transient(self, states: list[InstanceState]) -> None:
        idmap = self.identity_map
        event = self.dispatch.persistent_to_transient
        for state in states:
            if state.key is None or idmap.fast_get_state(state.key) is not state:
                continue
            idmap.discard(state)
            state.key = None
            state._detach()
            obj = state.obj()
            if obj is not None and event:
                event(self, obj)

    # called back by SessionTransaction ----------------------------------------------------

    def _after_root_commit(self, trans: SessionTransaction) -> None:
        for state in list(trans._deleted):
            self._detach_deleted(state)
        if self.expire_on_commit:
            states = self.identity_map._all_states_unswept()  # _expire_states skips dead
            gc_paused = gc.isenabled() and len(states) > 1000
            if gc_paused:
                gc.disable()
            try:
                _expire_states(states, self.identity_map._modified)
            finally:
                if gc_paused:
                    gc.enable()

    def _mark_deleted(self, state: InstanceState) -> None:
        """The object's row is gone (an ORM DELETE matched it, or ``get()`` found the row of
        an expired object missing): it becomes deleted as after a flushed DELETE —
        detached at commit, persistent again if the transaction rolls back."""
        self._deleted.pop(state, None)
        state._deleted = True
        self.identity_map.discard(state)
        self.identity_map._modified.discard(state)
        trans = self._autobegin_t()
        trans._deleted[state] = None
        obj = state.obj()
        if obj is not None and self.dispatch.persistent_to_deleted:
            self.dispatch.persistent_to_deleted(self, obj)

    def _detach_deleted(self, state: InstanceState) -> None:
        state._detach()
        obj = state.obj()
        if obj is not None and self.dispatch.deleted_to_detached:
            self.dispatch.deleted_to_detached(self, obj)

    # -- adding, deleting, expunging ---------------------------------------------------

    def add(self, instance: object, _warn: bool = True) -> None:
        """Place an object in the Session: transient -> pending, detached -> persistent."""
        state = _state_of(instance)
        self._save_or_update_state(state, instance)
        if state.manager._related_keys:
            cascades.cascade_save(self, state)

    def add_all(self, instances: Iterable[object]) -> None:
        """``add()`` each object."""
        self._autobegin_t()
        new = self._new
        sid = self.hash_key
        plain = not (
            self.dispatch.before_attach
            or self.dispatch.after_attach
            or self.dispatch.transient_to_pending
        )
        for instance in instances:
            try:  # (a subscript of the object's dict: no getattr() or .get() call per object)
                state = instance.__dict__[STATE_ATTR] if plain else None
            except (AttributeError, KeyError):  # no __dict__, or no state made yet
                state = None
            if (
                state is not None
                and state.key is None
                and state.session_id is None
                and (
                    not state.manager._related_keys
                    # no related object set: nothing to cascade to
                    or state.manager._related_keyset.isdisjoint(instance.__dict__)
                )
            ):
                # the common case inlined: a transient object with no listeners to tell
                new[state] = instance
                state.session_id = sid
                if state.modified:
                    state._strong_obj = instance
            else:
                self.add(instance)

    def _save_or_update_state(self, state: InstanceState, instance: object) -> None:
        if state.session_id == self.hash_key and state.session_id in _sessions:
            if state._deleted and state.key is not None:  # its DELETE was flushed
                raise exc.InvalidRequestError(
                    f"Instance {state_str(state)} has been deleted; use make_transient() first"
                )
            # add() of an object only marked for deletion takes the mark back, as
            # SQLAlchemy's does: the next flush leaves its row alone
            self._deleted.pop(state, None)
            return
        other = state.session
        if other is not None and other is not self:
            raise exc.InvalidRequestError(
                f"Object {state_str(state)} is already attached to session {other.hash_key} "
                f"(this is {self.hash_key})"
            )
        self._autobegin_t()
        if state.key is None:
            if state._deleted:
                raise exc.InvalidRequestError(
                    f"Instance {state_str(state)} was deleted; use make_transient() first"
                )
            if self.dispatch.before_attach:  # (a cascade may add many objects)
                self.dispatch.before_attach(self, instance)
            self._new[state] = instance
            state.session_id = self.hash_key
            state.insert_order = len(self._new)
            if state.modified:
                state._strong_obj = instance
            if self.dispatch.after_attach:
                self.dispatch.after_attach(self, instance)
            if self.dispatch.transient_to_pending:
                self.dispatch.transient_to_pending(self, instance)
        else:
            if state._deleted:
                raise exc.InvalidRequestError(
                    f"Instance {state_str(state)} has been deleted; use make_transient() first"
                )
            self.dispatch.before_attach(self, instance)
            existing = self.identity_map.fast_get_state(state.key)
            if existing is not None and existing is not state and existing.obj() is not None:
                raise exc.InvalidRequestError(
                    f"Can't attach instance {state_str(state)}; another instance with key "
                    f"{state.key!r} is already present in this session"
                )
            self.identity_map.replace(state)
            state.session_id = self.hash_key
            self.dispatch.after_attach(self, instance)
            if self.dispatch.detached_to_persistent:
                self.dispatch.detached_to_persistent(self, instance)

    def delete(self, instance: object) -> None:
        """Mark a persistent object for deletion at the next flush."""
        state = _state_of(instance)
        if state.key is None:
            raise exc.InvalidRequestError(f"Instance {state_str(state)} is not persisted")
        if state._deleted and state.session_id == self.hash_key:
            return
        if state.session_id != self.hash_key:
            # attached first (as SQLAlchemy), so that a detached object's related objects
            # can load for the delete cascade
            self._save_or_update_state(state, instance)
        # gathered before the mark: loading them may autoflush, which must not see it yet
        related = cascades.delete_targets(state) if state.manager._related_keys else []
        self._deleted[state] = instance
        if related:
            cascades.cascade_delete(self, related)

    def expunge(self, instance: object) -> None:
        """Remove an object from the Session (pending -> transient, persistent -> detached)."""
        state = _state_of(instance)
        if state.session_id != self.hash_key:
            raise exc.InvalidRequestError(
                f"Instance {state_str(state)} is not present in this Session"
            )
        related = cascades.cascaded(self, state, "expunge")
        self._expunge_state(state, pending=state.key is None)
        for _obj, ostate in related:
            if ostate.session_id == self.hash_key:
                self._expunge_state(ostate, pending=ostate.key is None)

    def _expunge_state(self, state: InstanceState, pending: bool) -> None:
        obj = state.obj()
        if pending:
            self._new.pop(state, None)
            state._detach()
            if obj is not None and self.dispatch.pending_to_transient:
                self.dispatch.pending_to_transient(self, obj)
            return
        self._deleted.pop(state, None)
        self.identity_map.discard(state)
        if state._deleted:
            # its DELETE is flushed: a rollback must not bring an expunged object back
            trans = self._transaction
            while trans is not None:
                trans._deleted.pop(state, None)
                trans = trans._parent
            state._detach()
            if obj is not None and self.dispatch.deleted_to_detached:
                self.dispatch.deleted_to_detached(self, obj)
            return
        state._detach()
        if obj is not None and self.dispatch.persistent_to_detached:
            self.dispatch.persistent_to_detached(self, obj)

    def expunge_all(self) -> None:
        """Remove every object from the Session."""
        dispatch = self.dispatch
        if dispatch.persistent_to_detached:
            states = self.identity_map._all_states_unswept()
            self.identity_map.clear()
            for state in states:
                state._detach()
                obj = state.obj()
                if obj is not None:
                    dispatch.persistent_to_detached(self, obj)
        else:  # no listener: one loop detaches from map and Session (closing 100k objects)
            self.identity_map._clear_detaching_session()
        trans = self._transaction
        while trans is not None:
            for state in trans._deleted:
                state._detach()
            trans._deleted.clear()
            # trans._new stays: as SQLAlchemy, a rollback makes objects whose INSERT it
            # undid transient even once expunged (their key names no row)
            trans = trans._parent
        for state in list(self._new):
            self._expunge_state(state, pending=True)
        self._deleted.clear()

    # -- collections -------------------------------------------------------------------

    @property
    def new(self) -> list[Any]:
        """Pending objects (added, not yet flushed)."""
        return list(self._new.values())

    @property
    def deleted(self) -> list[Any]:
        """Objects marked for deletion at the next flush."""
        return list(self._deleted.values())

    @property
    def dirty(self) -> list[Any]:
        """Persistent objects with attribute changes (as recorded, without comparing values)."""
        out = []
        for state in self.identity_map._modified:
            obj = state.obj()
            if obj is not None and state not in self._deleted:
                out.append(obj)
        return out

    def is_modified(self, instance: object, include_collections: bool = True) -> bool:
        """True if the object has an attribute whose value differs from its loaded value."""
        state = _state_of(instance)
        manager = state.manager
        return any(
            state.get_history(key, 0).has_changes()
            for key in state.committed_state
            # include_collections=False: only what would make an UPDATE of this row
            if include_collections or not manager[key].impl.collection
        )

    def __contains__(self, instance: object) -> bool:
        return self._contains_state(_state_of(instance))

    def _contains_state(self, state: InstanceState) -> bool:
        """Whether the object of ``state`` is pending or persistent in this Session."""
        return state.session_id == self.hash_key and (
            state in self._new or self.identity_map.contains_state(state)
        )

    def __iter__(self) -> Iterator[Any]:
        return iter(list(self._new.values()) + self.identity_map.values())

    # -- flush -------------------------------------------------------------------------

    def flush(self, objects: Sequence[Any] | None = None) -> None:
        """Write pending changes to the database in the current transaction."""
        if self._flushing:
            if self._thread != threading.get_ident():
                raise exc.InvalidRequestError(
                    "This Session is being flushed by another thread; a Session is not "
                    "thread-safe: use one Session per thread"
                )
            raise exc.InvalidRequestError("Session is already flushing")
        if not (self._new or self._deleted or self.identity_map._modified):
            trans = self._transaction
            if trans is not None:
                trans._assert_active()
            return
        self._flushing = True
        self._thread = threading.get_ident()  # lets a second thread's flush be named as such
        try:
            uow = UOWTransaction(self)
            if self.dispatch.before_flush:
                trans = self._transaction
                if trans is not None:
                    trans._assert_active()
                # before the flush's subtransaction begins (as SQLAlchemy orders them): an
                # error raised by the listener rolls nothing back
                self.dispatch.before_flush(self, uow, objects)
                if self._is_clean():
                    return
            # each flush runs in a subtransaction: its failure rolls back the enclosing
            # transaction (or SAVEPOINT), which then refuses use until rollback()
            sub = self._autobegin_t()._begin()
            modified = self.identity_map._modified
            if modified and self._nested_transaction is not None:
                # what the SAVEPOINT's rollback must expire (a root rollback expires all)
                sub._dirty.update(dict.fromkeys(modified))
            try:
                flush_session(self, uow, objects)
            except BaseException as err:
                if sub._state is not SessionTransactionState.CLOSED:
                    sub.rollback(_capture_exception=err)
                raise
            sub.commit()
        finally:
            self._flushing = False

    def _flush_if_needed(self) -> None:
        if self._new or self._deleted or self.identity_map._modified:
            self.flush()

    def _autoflush(self) -> None:
        if self.autoflush and not self._flushing and not self._no_autoflush:
            self._flush_if_needed()

    @property
    @contextmanager
    def no_autoflush(self) -> Iterator[Session]:
        """``with session.no_autoflush:`` — queries inside the block do not flush first."""
        self._no_autoflush += 1
        try:
            yield self
        finally:
            self._no_autoflush -= 1

    # -- expiry ------------------------------------------------------------------------

    def expire(self, instance: object, attribute_names: Iterable[str] | None = None) -> None:
        """Expire an object's attributes (all, or the named ones); they reload on access."""
        state = self._persistent_state(instance)
        if attribute_names is None:
            related = cascades.cascaded(self, state, "refresh-expire")
            state._expire(state.dict, self.identity_map._modified)
            for _obj, ostate in related:
                self._conditional_expire(ostate)
        else:
            state._expire_attributes(state.dict, attribute_names)

    def _conditional_expire(self, state: InstanceState) -> None:
        """A cascade's expiry, as SQLAlchemy's: persistent objects are expired, pending
        ones expunged (they have no row to reload from)."""
        if state.key is not None:
            if state.session_id == self.hash_key:
                state._expire(state.dict, self.identity_map._modified)
        elif state in self._new:
            self._expunge_state(state, pending=True)

    def expire_all(self) -> None:
        """Expire every persistent object in the Session."""
        _expire_states(self.identity_map.all_states(), self.identity_map._modified)

    def refresh(
        self,
        instance: object,
        attribute_names: Iterable[str] | None = None,
        with_for_update: Any = None,
    ) -> None:
        """Expire, then reload the object's attributes (all, or the named ones) now."""
        state = self._persistent_state(instance)
        names = None if attribute_names is None else list(attribute_names)
        if names is None and state.manager._related_keys:
            # as SQLAlchemy: the cascade expires related objects before the autoflush,
            # so their unflushed changes are discarded rather than written
            cascades.expire_for_refresh(self, state)
        if state.modified:
            # refresh expires before it loads: unflushed changes to the refreshed
            # attributes are discarded, so the autoflush below must not write them
            changed = state.committed_state
            state._expire_attributes(
                state.dict, [k for k in changed if names is None or k in names]
            )
        self._autoflush()
        if state.manager._related_keys:
            cascades.refresh(self, state, names, with_for_update)
        else:
            loading.refresh_state(self, state, names, with_for_update)

    def _persistent_state(self, instance: object) -> InstanceState:
        state = _state_of(instance)
        # an object whose DELETE was flushed has left the identity map: not persistent
        if state.session_id != self.hash_key or state.key is None or state._deleted:
            raise exc.InvalidRequestError(
                f"Instance {state_str(state)} is not persistent within this Session"
            )
        return state

    # -- queries -----------------------------------------------------------------------

    def execute(
        self,
        statement: Any,
        params: Any = None,
        *,
        execution_options: Mapping[str, Any] | None = None,
        bind_arguments: Mapping[str, Any] | None = None,
    ) -> Any:
        """Run a statement; ``select()`` of mapped entities returns objects."""
        return loading.execute(
            self, statement, params, execution_options or _EMPTY, bind_arguments
        )

    def scalars(
        self,
        statement: Any,
        params: Any = None,
        *,
        execution_options: Mapping[str, Any] | None = None,
        bind_arguments: Mapping[str, Any] | None = None,
    ) -> Any:
        """``execute(...).scalars()``: the first column (or entity) of each row."""
        return self.execute(
            statement, params, execution_options=execution_options, bind_arguments=bind_arguments
        ).scalars()

    def scalar(
        self,
        statement: Any,
        params: Any = None,
        *,
        execution_options: Mapping[str, Any] | None = None,
        bind_arguments: Mapping[str, Any] | None = None,
    ) -> Any:
        """``execute(...).scalar()``: the first column of the first row, or None."""
        return self.execute(
            statement, params, execution_options=execution_options, bind_arguments=bind_arguments
        ).scalar()

    def get(
        self,
        entity: Any,
        ident: Any,
        *,
        populate_existing: bool = False,
        with_for_update: Any = None,
        identity_token: Any = None,
        execution_options: Mapping[str, Any] | None = None,
        options: Sequence[Any] | None = None,
    ) -> Any:
        """The object with this primary key: from the identity map, else one SELECT; or None.

        ``options`` are loader options for that SELECT (``selectinload(...)``, ``defer(...)``).
        """
        return loading.get(
            self,
            entity,
            ident,
            populate_existing,
            with_for_update,
            identity_token,
            options,
            execution_options,
        )

    def get_one(self, entity: Any, ident: Any, **kw: Any) -> Any:
        """``get()``, raising ``NoResultFound`` instead of returning None."""
        obj = self.get(entity, ident, **kw)
        if obj is None:
            raise exc.NoResultFound("No row was found when one was required")
        return obj

    def query(self, *entities: Any) -> Any:
        """A legacy ``Query`` of the entities: ``session.query(User).filter(...).all()``."""
        from accord.orm.query import Query

        return Query(entities, self)

    def merge(self, instance: object, load: bool = True) -> Any:
        """Copy the state of ``instance`` onto the persistent object with its identity."""
        # as SQLAlchemy: one autoflush before a merge that may load, none while merging,
        # so objects merged earlier in the cascade stay pending until the next flush
        if load:
            self._autoflush()
        with self.no_autoflush:
            return cascades.merge(self, instance, load)

    def __repr__(self) -> str:
        return f"<Session {self.hash_key}>"


def _expire_states(states: Iterable[InstanceState], modified: set[InstanceState]) -> None:
    """Expire every column attribute of many objects (commit, rollback, expire_all)."""
    # per ClassManager: (expirable keys, deferred keys, the expired set when all were loaded,
    # whether expire listeners are registered: then each state takes the full _expire())
    Entry = tuple[tuple[str, ...], frozenset[str], frozenset[str], bool]
    cache: dict[Any, Entry] = {}
    last_manager: Any = None
    entry: Entry = ((), frozenset(), frozenset(), False)
    for state in states:
        obj = state.obj()
        if obj is None:
            continue
        manager = state.manager
        if manager is not last_manager:  # runs of one class: no cache probe per object
            last_manager = manager
            cached = cache.get(manager)
            if cached is None:
                keys = manager._expirable_keys
                cached = cache[manager] = (
                    keys + manager._related_keys,
                    manager.mapper._deferred_keys,
                    frozenset(keys),
                    bool(manager.dispatch.expire),
                )
            entry = cached
        keys, deferred, all_keys, listened = entry
        if listened or state.modified or state.callables or state.expired_attributes:
            state._expire(obj.__dict__, modified)
            continue
        dict_ = obj.__dict__
        # never-loaded deferred attributes stay unloaded rather than expired
        expired = all_keys
        if deferred:
            expired = all_keys - {k for k in deferred if k not in dict_}
        for k in keys:
            dict_.pop(k, None)
        state.expired_attributes = expired
        state.expired = True
        if state._strong_obj is not None:
            state._strong_obj = None


def object_session(instance: object) -> Session | None:
    """The Session an object belongs to, or None."""
    session: Session | None = _state_of(instance).session
    return session


def close_all_sessions() -> None:
    """``close()`` every Session in memory."""
    for session in list(_all_sessions):
        session.close()


def make_transient(instance: object) -> None:
    """Make an object transient: no Session, no identity (its loaded values stay)."""
    state = _state_of(instance)
    session = state.session
    if session is not None:
        session._expunge_state(state, pending=state.key is None)
    state._detach()
    state.key = None
    state._deleted = False
    # expired attributes have nothing to load from any more
    if state.expired_attributes:
        state.expired_attributes = frozenset()
    state.expired = False


def make_transient_to_detached(instance: object) -> None:
    """Give a transient object the identity of its primary key: it becomes detached."""
    state = _state_of(instance)
    if state.session is not None or state.key is not None:
        raise exc.InvalidRequestError("Given object must be transient")
    state.key = state.mapper.identity_key_from_instance(instance)
    if state._deleted:
        state._deleted = False
    # every attribute not present is expired (it loads once the object joins a Session)
    dict_ = state.dict
    missing = [k for k in state.manager._expirable_keys if k not in dict_]
    state._commit_all(dict_)
    if missing:
        state._expire_attributes(dict_, missing)


class sessionmaker:
    """A factory of Sessions with fixed arguments: ``Session = sessionmaker(engine)``."""

    def __init__(
        self,
        bind: Any = None,
        *,
        class_: type[Session] = Session,
        autoflush: bool = True,
        expire_on_commit: bool = True,
        info: dict[Any, Any] | None = None,
        **kw: Any,
    ) -> None:
        kw["bind"] = bind
        kw["autoflush"] = autoflush
        kw["expire_on_commit"] = expire_on_commit
        if info is not None:
            kw["info"] = info
        self.kw = kw
        # a subclass per factory, so event listeners on the factory reach only its Sessions
        self.class_: type[Session] = type(class_.__name__, (class_,), {})
        self._lock = threading.Lock()

    def __call__(self, **local_kw: Any) -> Session:
        """A new Session; keyword arguments override the factory's."""
        kw = dict(self.kw)
        if "info" in kw and "info" in local_kw:
            kw["info"] = {**kw["info"], **local_kw.pop("info")}
        kw.update(local_kw)
        return self.class_(**kw)

    @contextmanager
    def begin(self) -> Iterator[Session]:
        """``with factory.begin() as session:`` — commits at the end, rolls back on error."""
        with self() as session, session.begin():
            yield session

    def configure(self, **new_kw: Any) -> None:
        """Change the arguments of Sessions made from now on."""
        self.kw.update(new_kw)

    def __repr__(self) -> str:
        return f"sessionmaker(class_={self.class_.__name__!r}, {self.kw!r})"


InstanceState._scalar_loader = loading.load_scalar_attributes
