"""``InstanceState``: per-object bookkeeping (identity, committed snapshot, expiry, lifecycle)."""

from __future__ import annotations

import weakref
from collections.abc import Iterator, Mapping
from collections.abc import Set as AbstractSet
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar

from accord import exc
from accord.orm.base import (
    ATTR_EMPTY,
    NO_VALUE,
    PASSIVE_NO_INITIALIZE,
    PASSIVE_NO_RESULT,
    PASSIVE_OFF,
    SQL_OK,
    ObjectState,
    manager_of_class,
    state_str,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from accord.orm.attributes import AttributeImpl, History
    from accord.orm.identity import IdentityMap
    from accord.orm.instrumentation import ClassManager
    from accord.orm.mapper import Mapper

__all__ = [
    "AttributeState",
    "AttributeStateCollection",
    "InstanceState",
]

# InstanceState has a property named "dict"; annotations inside it use this alias.
_StrDict = dict[str, Any]
_AnyDict = dict[Any, Any]

# session_id -> Session.  A Session registers itself here (weakly); an object is "attached"
# when its state's session_id names a live Session in this registry.
_sessions: weakref.WeakValueDictionary[int, Any] = weakref.WeakValueDictionary()


class InstanceState:
    """Everything accord tracks about one mapped object; ``inspect(obj)`` returns it.

    Loaded attribute values live in the object's ``__dict__``; the state holds the values
    they replaced (``committed_state``, taken on the first change of each attribute), the
    keys expired since the last load, the identity key and the owning session's id.
    """

    # Hot fields are slots, set by __init__.  Fields most objects never change live in the
    # instance __dict__ and read a class-level default until set, so constructing a state
    # (once per loaded row) stores only seven values.
    __slots__ = (
        "__dict__",
        "__weakref__",
        "_instance_dict",
        "committed_state",
        "key",
        "manager",
        "modified",
        "obj",
        "session_id",
    )

    # Shared immutable defaults: assign a new set/dict instead of mutating these (the
    # _expire* methods and _set_callable do).
    expired_attributes: AbstractSet[str] = frozenset()
    callables: Mapping[str, Callable[[InstanceState, int], Any]] = MappingProxyType({})
    expired = False
    _deleted = False
    _strong_obj: object | None = None
    _info: _AnyDict | None = None
    # relationship property -> whether a parent holds the object (delete-orphan bookkeeping)
    _parents: _AnyDict | None = None
    # collection key -> (added, removed) by the other side while the collection was unloaded
    _pending_coll: _AnyDict | None = None
    insert_order: int | None = None
    load_options: tuple[Any, ...] = ()
    runid: int | None = None

    # The hook a Session installs to load expired or deferred column attributes:
    # ``loader(state, keys, passive)`` stores the values in ``state.dict`` (and commits them)
    # and returns ATTR_WAS_SET, or PASSIVE_NO_RESULT; it raises DetachedInstanceError /
    # ObjectDeletedError as appropriate.  ``None`` until the session module sets it.
    _scalar_loader: ClassVar[Callable[[InstanceState, frozenset[str], int], Any] | None] = None

    def __init__(
        self,
        obj: object,
        manager: ClassManager,
        key: tuple[type, tuple[Any, ...], Any] | None = None,
        session_id: int | None = None,
        instance_dict: weakref.ref[IdentityMap] | None = None,
    ) -> None:
        # key / session_id / instance_dict: loading builds a persistent state in one call
        self.manager = manager
        # no callback: the identity map sweeps dead states in bulk (see IdentityMap)
        self.obj: Callable[[], Any] = weakref.ref(obj)
        self.committed_state: _StrDict = {}
        self.key = key
        self.session_id = session_id
        self.modified = False
        self._instance_dict = instance_dict

    # -- pickling: an unpickled object keeps its identity, values and pending changes,
    # but no session (it comes back detached, or transient if it had no identity).

    def __getstate__(self) -> _AnyDict:
        data = {
            "instance": self.obj(),
            "class_": self.manager.class_,
            "committed_state": self.committed_state,
            "expired_attributes": set(self.expired_attributes),
            "key": self.key,
            "modified": self.modified,
            "expired": self.expired,
            "deleted": self._deleted,
            "info": self._info,
        }
        if self.manager.dispatch.pickle:
            self.manager.dispatch.pickle(self, data)
        return data

    def __setstate__(self, data: _AnyDict) -> None:
        self.manager = manager_of_class(data["class_"])
        inst = data["instance"]
        self.obj = weakref.ref(inst)
        self.committed_state = data["committed_state"]
        self.key = data["key"]
        self.session_id = None
        self.modified = data["modified"]
        self._instance_dict = None
        if data["expired_attributes"]:
            self.expired_attributes = data["expired_attributes"]
        if data["expired"]:
            self.expired = True
        if data["deleted"]:
            self._deleted = True
        if data["info"]:
            self._info = data["info"]
        if self.manager.dispatch.unpickle:
            self.manager.dispatch.unpickle(self, data)

    @property
    def class_(self) -> type:
        """The mapped class of the object."""
        return self.manager.class_

    def _set_callable(self, key: str, fn: Callable[[InstanceState, int], Any]) -> None:
        """Install a per-object loader for attribute ``key`` (``fn(state, passive)``)."""
        callables = dict(self.callables)
        callables[key] = fn
        self.callables = callables

    def __repr__(self) -> str:
        return f"<InstanceState {state_str(self)} {self.status.value}>"

    # -- what it is ------------------------------------------------------------------

    @property
    def mapper(self) -> Mapper[Any]:
        """The Mapper of the object's class."""
        return self.manager.mapper

    @property
    def object(self) -> Any:
        """The object, or None once it has been garbage collected."""
        return self.obj()

    @property
    def dict(self) -> _StrDict:
        """The object's ``__dict__`` (loaded values); empty once the object is gone."""
        o = self.obj()
        return o.__dict__ if o is not None else {}

    @property
    def info(self) -> _AnyDict:
        """A dictionary for the application's own per-object data."""
        if self._info is None:
            self._info = {}
        return self._info

    @property
    def identity(self) -> tuple[Any, ...] | None:
        """The primary key tuple of a persistent or detached object, else None."""
        return None if self.key is None else self.key[1]

    @property
    def identity_key(self) -> tuple[type, tuple[Any, ...], Any] | None:
        """The identity key ``(class, primary key tuple, identity_token)`` or None."""
        return self.key

    @property
    def identity_token(self) -> Any:
        """The identity token of the key (shard id etc.), or None."""
        return None if self.key is None else self.key[2]

    @property
    def has_identity(self) -> bool:
        """True once the object has a database identity (persistent, deleted, detached)."""
        return self.key is not None

    @property
    def session(self) -> Any:
        """The Session the object belongs to, or None."""
        sid = self.session_id
        return _sessions.get(sid) if sid is not None else None

    @property
    def _attached(self) -> bool:
        return self.session_id is not None and self.session_id in _sessions

    # -- the five states -------------------------------------------------------------

    @property
    def transient(self) -> bool:
        """No identity and no Session."""
        return self.key is None and not self._attached

    @property
    def pending(self) -> bool:
        """Added to a Session but not flushed."""
        return self.key is None and self._attached

    @property
    def persistent(self) -> bool:
        """In a Session with an identity, not deleted."""
        return self.key is not None and self._attached and not self._deleted

    @property
    def deleted(self) -> bool:
        """Deleted in a flush, still in the Session until the transaction ends."""
        return self.key is not None and self._attached and self._deleted

    @property
    def detached(self) -> bool:
        """Has an identity but no Session."""
        return self.key is not None and not self._attached

    @property
    def was_deleted(self) -> bool:
        """True if the object was deleted in a flush (stays True once detached)."""
        return self._deleted

    @property
    def status(self) -> ObjectState:
        """Which of the five states the object is in, as an ``ObjectState``."""
        if self.key is None:
            return ObjectState.PENDING if self._attached else ObjectState.TRANSIENT
        if not self._attached:
            return ObjectState.DETACHED
        return ObjectState.DELETED if self._deleted else ObjectState.PERSISTENT

    # -- attributes ------------------------------------------------------------------

    @property
    def attrs(self) -> AttributeStateCollection:
        """Per-attribute views: ``state.attrs.name.history``, ``state.attrs["name"].value``."""
        return AttributeStateCollection(self)

    @property
    def unloaded(self) -> set[str]:
        """Mapped attribute keys with no loaded value (expired, deferred or never set)."""
        d = self.dict
        committed = self.committed_state
        return {k for k in self.manager if k not in d and k not in committed}

    @property
    def unloaded_expirable(self) -> set[str]:
        """Unloaded keys that a load may fill in."""
        return self.unloaded

    @property
    def unmodified(self) -> set[str]:
        """Mapped attribute keys with no pending change."""
        return {k for k in self.manager if k not in self.committed_state}

    def unmodified_intersection(self, keys: Iterable[str]) -> set[str]:
        """The keys among ``keys`` that are mapped and have no pending change."""
        return {k for k in keys if k in self.manager and k not in self.committed_state}

    def get_history(self, key: str, passive: int = PASSIVE_OFF) -> History:
        """The History of attribute ``key``."""
        return self.manager[key].impl.get_history(self, self.dict, passive)

    def get_impl(self, key: str) -> AttributeImpl:
        """The AttributeImpl of attribute ``key``."""
        return self.manager[key].impl

    # -- seams for the Session and the unit of work ----------------------------------

    def _modified_event(self, dict_: _StrDict, attr: AttributeImpl | None, previous: Any) -> None:
        """Record the committed value of ``attr`` (first change only) and mark modified.

        The first change of an object in an identity map puts it in the map's
        ``_modified`` set and makes the state hold the object strongly, so a modified object
        is not garbage collected before it is flushed.
        """
        if attr is not None:
            self.committed_state.setdefault(attr.key, previous)
        if self.modified:
            return
        self.modified = True
        idm = self._instance_dict() if self._instance_dict is not None else None
        had_modified = True
        if idm is not None:
            had_modified = bool(idm._modified)
            idm._modified.add(self)
        if idm is not None or self.session_id is not None:
            obj = self.obj()
            if obj is None:
                raise exc.InvalidRequestError(
                    f"Can't record a change on a {self.class_.__name__} object that has "
                    "been garbage collected"
                )
            self._strong_obj = obj
        if not had_modified and self.session_id is not None:
            # autobegin, as SQLAlchemy: changing an object of the Session begins its
            # transaction, so a later rollback() expires the object (discarding the change)
            session = _sessions.get(self.session_id)
            if session is not None and session._transaction is None:
                session._autobegin_t()

    def _commit(self, dict_: _StrDict, keys: Iterable[str]) -> None:
        """Treat ``keys`` as freshly loaded: forget their committed values and expiry."""
        keys = tuple(keys)
        committed = self.committed_state
        for key in keys:
            committed.pop(key, None)
        if self.expired_attributes:
            self.expired_attributes = {
                k for k in self.expired_attributes if k not in keys or k not in dict_
            }
        if self.callables:
            self.callables = {k: v for k, v in self.callables.items() if k not in keys}
        if self.expired:
            self.expired = False

    def _commit_all(self, dict_: _StrDict, instance_dict: IdentityMap | None = None) -> None:
        """After a flush or load: every present value is the committed value; not modified."""
        if self.committed_state:
            self.committed_state = {}
        if self.expired_attributes:
            self.expired_attributes = {k for k in self.expired_attributes if k not in dict_}
        if self.callables:
            self.callables = {k: v for k, v in self.callables.items() if k not in dict_}
        if self.modified:
            idm = instance_dict
            if idm is None and self._instance_dict is not None:
                idm = self._instance_dict()
            if idm is not None:
                idm._modified.discard(self)
        self.modified = False
        if self.expired:
            self.expired = False
        if self._strong_obj is not None:
            self._strong_obj = None

    @classmethod
    def _commit_all_states(
        cls, iter_: Iterable[tuple[InstanceState, _StrDict]], instance_dict: Any = None
    ) -> None:
        """``_commit_all`` for many (state, dict) pairs."""
        for state, dict_ in iter_:
            state._commit_all(dict_, instance_dict)

    def _expire(self, dict_: _StrDict, modified_set: set[InstanceState]) -> None:
        """Expire every column attribute: values are dropped and reload on next access.

        Deferred attributes that were never loaded stay unloaded (not expired).
        """
        self.expired = True
        if self.modified:
            modified_set.discard(self)
            self.committed_state = {}
            self.modified = False
        self._strong_obj = None
        deferred = self.manager.mapper._deferred_keys
        expired = set(self.expired_attributes)
        for key in self.manager._expirable_keys:
            if key in dict_:
                del dict_[key]
                expired.add(key)
            elif key not in deferred:
                expired.add(key)
        for key in self.manager._related_keys:  # relationships load again on access
            dict_.pop(key, None)
        if self._pending_coll is not None:
            self._pending_coll = None
        self.expired_attributes = expired
        if self.callables:
            self.callables = MappingProxyType({})
        if self.manager.dispatch.expire:
            self.manager.dispatch.expire(self, None)

    def _expire_attributes(self, dict_: _StrDict, attribute_names: Iterable[str]) -> None:
        """Expire only the named attributes (their pending changes are discarded)."""
        committed = self.committed_state
        names = set(attribute_names)
        for key in names:
            dict_.pop(key, None)
            committed.pop(key, None)
        related = self.manager._related_keys
        if related:  # relationships are not loaded by the column loader: just dropped
            names = {n for n in names if n not in related}
        self.expired_attributes = set(self.expired_attributes) | names
        if self.callables:
            self.callables = {k: v for k, v in self.callables.items() if k not in names}
        if self.manager.dispatch.expire:
            self.manager.dispatch.expire(self, names)
        if self.modified and not committed:
            idm = self._instance_dict() if self._instance_dict is not None else None
            if idm is not None:
                idm._modified.discard(self)
            self.modified = False
            self._strong_obj = None

    def _load_missing(self, key: str, passive: int) -> Any:
        """Load attribute ``key`` (missing from the dict) through the Session's loader hook.

        Transient and pending objects have nothing to load (``ATTR_EMPTY``).  When the key
        is expired, every expired non-deferred attribute loads with it in one query.
        """
        if self.key is None:
            if key in self.expired_attributes and self.session_id is None:
                # expired, then made transient by a rollback of its INSERT: the value is
                # unknown, not None (make_transient() forgets expired attributes instead)
                raise exc.DetachedInstanceError(
                    f"Instance {state_str(self)} is not bound to a Session; attribute "
                    f"{key!r} cannot be loaded"
                )
            return ATTR_EMPTY
        if not passive & SQL_OK:
            return PASSIVE_NO_RESULT
        if self.callables:
            fn = self.callables.get(key)
            if fn is not None:
                return fn(self, passive)
        loader = InstanceState._scalar_loader
        if loader is None:
            raise exc.DetachedInstanceError(
                f"Instance {state_str(self)} is not bound to a Session; attribute "
                f"{key!r} cannot be loaded"
            )
        mapper = self.manager.mapper
        # Keys with a value in the dict (set by the application since they expired) keep it.
        dict_ = self.dict
        if key in self.expired_attributes:
            deferred = mapper._deferred_keys
            keys = {k for k in self.expired_attributes if k not in deferred and k not in dict_}
            keys.add(key)
        else:
            keys = {k for k in mapper._deferred_group_of(key) if k not in dict_}
            keys.add(key)
        return loader(self, frozenset(keys), passive)

    def _detach(self) -> None:
        """Forget the Session (it has already removed the object from its collections)."""
        self.session_id = None
        if self._strong_obj is not None:  # (assigning the class default makes a __dict__)
            self._strong_obj = None


class AttributeState:
    """One attribute of one object: its value, loaded value and history."""

    __slots__ = ("key", "state")

    def __init__(self, state: InstanceState, key: str) -> None:
        self.state = state
        self.key = key

    @property
    def loaded_value(self) -> Any:
        """The value in the object's dict, ``NO_VALUE`` if not loaded; never loads."""
        return self.state.dict.get(self.key, NO_VALUE)

    @property
    def value(self) -> Any:
        """The value, loading it if needed (as ``getattr`` on the object)."""
        return self.state.manager[self.key].__get__(self.state.obj(), self.state.class_)

    @property
    def history(self) -> History:
        """The History without loading anything."""
        return self.state.get_history(self.key, PASSIVE_NO_INITIALIZE)

    def load_history(self) -> History:
        """The History, loading the committed value first if it is not loaded."""
        return self.state.get_history(self.key, PASSIVE_OFF)

    def __repr__(self) -> str:
        return f"<AttributeState {self.state.class_.__name__}.{self.key}>"


class AttributeStateCollection(Mapping[str, AttributeState]):
    """``state.attrs``: AttributeState by key, by item or attribute access."""

    __slots__ = ("_state",)

    def __init__(self, state: InstanceState) -> None:
        self._state = state

    def __getitem__(self, key: str) -> AttributeState:
        if key not in self._state.manager:
            raise KeyError(key)
        return AttributeState(self._state, key)

    def __getattr__(self, key: str) -> AttributeState:
        try:
            return self[key]
        except KeyError:
            raise AttributeError(key) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._state.manager)

    def __len__(self) -> int:
        return len(self._state.manager)
