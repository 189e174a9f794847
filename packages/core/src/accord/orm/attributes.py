"""Instrumented attributes: descriptors, attribute impls with history, and the S10 helpers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Generic, NamedTuple, TypeVar

from accord import exc
from accord.event import dispatcher
from accord.orm.base import (
    ATTR_EMPTY,
    ATTR_WAS_SET,
    CALLABLES_OK,
    INIT_OK,
    NO_VALUE,
    PASSIVE_NO_RESULT,
    PASSIVE_OFF,
    PASSIVE_RETURN_NO_VALUE,
    Mapped,
    SQLOperators,
    instance_dict,
    instance_state,
    opt_manager_of_class,
)
from accord.orm.events import AttributeEvents

if TYPE_CHECKING:
    from collections.abc import Sequence

    from accord.event import Dispatch
    from accord.orm.mapper import Mapper
    from accord.orm.properties import MapperProperty
    from accord.orm.state import InstanceState

__all__ = [
    "AttributeEventToken",
    "AttributeImpl",
    "HISTORY_BLANK",
    "History",
    "InstrumentedAttribute",
    "QueryableAttribute",
    "ScalarAttributeImpl",
    "del_attribute",
    "flag_dirty",
    "flag_modified",
    "get_attribute",
    "get_history",
    "get_state_history",
    "init_collection",
    "is_instrumented",
    "set_attribute",
    "set_committed_value",
]

_T = TypeVar("_T")


class History(NamedTuple):
    """An attribute's pending change: values ``added``, ``unchanged`` and ``deleted``.

    Each is a sequence (empty when nothing is in it).  For a scalar, ``added`` holds the
    new value, ``deleted`` the committed one it replaced, ``unchanged`` the committed value
    when it was not changed.
    """

    added: Sequence[Any]
    unchanged: Sequence[Any]
    deleted: Sequence[Any]

    def __bool__(self) -> bool:
        return not self.empty()

    def empty(self) -> bool:
        """True when there is no value at all: nothing added, unchanged or deleted."""
        return not self.added and not self.deleted and not self.unchanged

    def has_changes(self) -> bool:
        """True when something was added or deleted."""
        return bool(self.added or self.deleted)

    def sum(self) -> list[Any]:
        """Added, unchanged and deleted values in one list."""
        return [*self.added, *self.unchanged, *self.deleted]

    def non_deleted(self) -> list[Any]:
        """Added and unchanged values: what the attribute holds now."""
        return [*self.added, *self.unchanged]

    def non_added(self) -> list[Any]:
        """Unchanged and deleted values: what the database holds."""
        return [*self.unchanged, *self.deleted]


HISTORY_BLANK = History((), (), ())


def _is_equal(a: Any, b: Any) -> bool:
    # A SQL expression's == builds an expression; only a real True counts as equal.
    if a is b:
        return True
    try:
        return (a == b) is True
    except Exception:  # values whose comparison fails are treated as changed
        return False


def _scalar_history(impl: AttributeImpl, state: InstanceState, current: Any) -> History:
    """History of a scalar whose present value is ``current`` (``NO_VALUE`` if none)."""
    committed = state.committed_state
    if impl.key not in committed:
        # Never changed since loaded / committed: whatever is there is unchanged.
        return HISTORY_BLANK if current is NO_VALUE else History((), [current], ())
    original = committed[impl.key]
    if current is not NO_VALUE and original is not NO_VALUE and impl.is_equal(current, original):
        return History((), [current], ())
    deleted: Sequence[Any] = () if original is NO_VALUE else [original]
    if current is NO_VALUE:
        if original is NO_VALUE:
            # A value was set and deleted again with nothing committed: report the delete as
            # a None, which is what the row will hold.
            return History([None], (), ())
        return History((), (), deleted)
    return History([current], (), deleted)


class AttributeEventToken:
    """The ``initiator`` passed to attribute event listeners: which attribute, which op."""

    __slots__ = ("impl", "op", "parent_token")

    def __init__(self, impl: AttributeImpl, op: str) -> None:
        self.impl = impl
        self.op = op
        self.parent_token = impl

    @property
    def key(self) -> str:
        """The attribute key."""
        return self.impl.key

    def __repr__(self) -> str:
        return f"<AttributeEventToken {self.impl.key!r} {self.op}>"


class AttributeImpl:
    """How one attribute of one class stores, loads and tracks its value."""

    __slots__ = (
        "_init_token",
        "_modified_token",
        "_remove_token",
        "_set_token",
        "accepts_scalar_loader",
        "active_history",
        "class_",
        "dispatch",
        "is_equal",
        "key",
    )

    collection = False
    uses_objects = False
    supports_population = True

    def __init__(
        self,
        class_: type,
        key: str,
        dispatch: Dispatch,
        *,
        active_history: bool = False,
        accepts_scalar_loader: bool = True,
    ) -> None:
        self.class_ = class_
        self.key = key
        # The attribute's own Dispatch: `if self.dispatch.set:` is the whole cost of events
        # while nobody listens.
        self.dispatch = dispatch
        self.active_history = active_history
        self.accepts_scalar_loader = accepts_scalar_loader
        self.is_equal = _is_equal
        self._set_token = AttributeEventToken(self, "set")
        self._remove_token = AttributeEventToken(self, "remove")
        self._init_token = AttributeEventToken(self, "init")
        self._modified_token = AttributeEventToken(self, "modified")

    def __repr__(self) -> str:
        return f"{self.class_.__name__}.{self.key}"

    # -- reading ---------------------------------------------------------------------

    def get(self, state: InstanceState, dict_: dict[str, Any], passive: int = PASSIVE_OFF) -> Any:
        """The value, loading or initialising it as ``passive`` allows."""
        key = self.key
        if key in dict_:
            return dict_[key]
        # A value deleted by the application (its committed value is recorded) must not be
        # reloaded over the pending delete; only a never-loaded or expired one loads.
        if state.committed_state.get(key, NO_VALUE) is NO_VALUE:
            if not passive & CALLABLES_OK:
                return PASSIVE_NO_RESULT
            loaded = (
                state._load_missing(key, passive) if self.accepts_scalar_loader else ATTR_EMPTY
            )
            if loaded is PASSIVE_NO_RESULT:
                return PASSIVE_NO_RESULT
            if key in dict_:
                return dict_[key]
            if loaded is not ATTR_EMPTY and loaded is not ATTR_WAS_SET:
                return loaded
        if not passive & INIT_OK:
            return NO_VALUE
        return self.initialize(state, dict_)

    def initialize(self, state: InstanceState, dict_: dict[str, Any]) -> Any:
        """The value of an attribute that has none (None; ``init_scalar`` may change it)."""
        value = None
        if self.dispatch.init_scalar:
            for fn in self.dispatch.init_scalar:
                value = fn(state, value, dict_)
        return value

    def get_history(
        self, state: InstanceState, dict_: dict[str, Any], passive: int = PASSIVE_OFF
    ) -> History:
        """The attribute's History; loads an unloaded value only if ``passive`` allows."""
        key = self.key
        if key in dict_:
            return _scalar_history(self, state, dict_[key])
        if key in state.committed_state:
            return _scalar_history(self, state, NO_VALUE)
        current = self.get(state, dict_, passive & ~INIT_OK)
        if current is PASSIVE_NO_RESULT or current is NO_VALUE:
            return HISTORY_BLANK
        return _scalar_history(self, state, current)

    # -- writing ---------------------------------------------------------------------

    def set(
        self,
        state: InstanceState,
        dict_: dict[str, Any],
        value: Any,
        initiator: AttributeEventToken | None = None,
    ) -> None:
        """Assign ``value``, recording the committed value on the first change."""
        key = self.key
        if self.active_history:
            old = self.get(state, dict_, PASSIVE_RETURN_NO_VALUE)
            if old is PASSIVE_NO_RESULT:
                old = NO_VALUE
        else:
            old = dict_.get(key, NO_VALUE)
        if self.dispatch.set:
            token = initiator or self._set_token
            for fn in self.dispatch.set:
                value = fn(state, value, old, token)
        if key not in state.committed_state:
            state._modified_event(dict_, self, old)
        dict_[key] = value

    def delete(self, state: InstanceState, dict_: dict[str, Any]) -> None:
        """Remove the value (the row will hold NULL); AttributeError if there is none."""
        key = self.key
        if self.active_history:
            old = self.get(state, dict_, PASSIVE_RETURN_NO_VALUE)
            if old is PASSIVE_NO_RESULT:
                old = NO_VALUE
        else:
            old = dict_.get(key, NO_VALUE)
        if key not in dict_ and not state.expired and key not in state.expired_attributes:
            raise AttributeError(f"{self} object does not have a value")
        if self.dispatch.remove:
            self.dispatch.remove(state, old, self._remove_token)
        if key not in state.committed_state:
            state._modified_event(dict_, self, old)
        dict_.pop(key, None)

    def set_committed_value(self, state: InstanceState, dict_: dict[str, Any], value: Any) -> Any:
        """Store ``value`` as the loaded, unchanged value (no history, no events)."""
        dict_[self.key] = value
        state._commit(dict_, (self.key,))
        return value


class ScalarAttributeImpl(AttributeImpl):
    """A plain column-valued attribute."""

    __slots__ = ()


class QueryableAttribute(SQLOperators, Mapped[_T], Generic[_T]):
    """A class-level mapped attribute that is also a SQL column expression.

    ``User.name == "x"``, ``User.id.in_([1, 2])`` and ``select(User.name)`` delegate to the
    mapped column (``__clause_element__()``); method names the attribute lacks are looked
    up on the column.
    """

    __slots__ = ("__dict__", "class_", "impl", "key", "parent", "prop")

    dispatch = dispatcher(AttributeEvents)

    def __init__(
        self,
        class_: type,
        key: str,
        prop: MapperProperty,
        parent: Mapper[Any],
        impl: AttributeImpl,
    ) -> None:
        self.class_ = class_
        self.key = key
        self.prop = prop
        self.parent = parent
        self.impl = impl

    @property
    def expression(self) -> Any:
        """The SQL expression this attribute stands for in statements."""
        return self.prop.expression

    @property
    def info(self) -> dict[str, Any]:
        """The property's ``info`` dictionary."""
        return self.prop.info

    def __clause_element__(self) -> Any:
        return self.prop.expression

    def __getattr__(self, name: str) -> Any:
        # Only reached for names the attribute itself does not have.
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return getattr(self.prop.expression, name)
        except AttributeError:
            raise AttributeError(
                f"Neither {type(self).__name__!r} object nor the SQL expression of "
                f"{self.class_.__name__}.{self.key} has an attribute {name!r}"
            ) from None

    __hash__ = object.__hash__  # attributes are dict keys (mappers, events)

    def __bool__(self) -> bool:
        raise TypeError("Boolean value of a mapped attribute is not defined")

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.class_.__name__}.{self.key}>"

    def __str__(self) -> str:
        return f"{self.class_.__name__}.{self.key}"

    # Defined last: inside the class body this name shadows the builtin decorator.
    @property
    def property(self) -> MapperProperty:
        """The MapperProperty behind this attribute (e.g. a ColumnProperty)."""
        return self.prop


class InstrumentedAttribute(QueryableAttribute[_T]):
    """The descriptor installed on a mapped class for each mapped attribute."""

    __slots__ = ()

    def __get__(self, instance: object | None, owner: Any = None) -> Any:
        if instance is None:
            return self
        dict_ = instance.__dict__
        try:
            return dict_[self.key]
        except KeyError:
            return self.impl.get(instance_state(instance), dict_)

    def __set__(self, instance: object, value: Any) -> None:
        impl = self.impl
        if impl.active_history or impl.dispatch.set:
            impl.set(instance_state(instance), instance.__dict__, value)
            return
        # The common case, inlined: no listeners, no old value to load.
        dict_ = instance.__dict__
        state = instance_state(instance)
        key = self.key
        if key not in state.committed_state:
            state._modified_event(dict_, impl, dict_.get(key, NO_VALUE))
        dict_[key] = value

    def __delete__(self, instance: object) -> None:
        self.impl.delete(instance_state(instance), instance.__dict__)


# ---------------------------------------------------------------------------------------
# S10 helpers working on any mapped object
# ---------------------------------------------------------------------------------------


def _impl(state: InstanceState, key: str) -> AttributeImpl:
    try:
        return state.manager[key].impl
    except KeyError:
        raise exc.InvalidRequestError(
            f"{state.class_.__name__!r} has no mapped attribute {key!r}"
        ) from None


def _state_and_dict(instance: object) -> tuple[InstanceState, dict[str, Any]]:
    try:
        return instance_state(instance), instance_dict(instance)
    except AttributeError:
        raise exc.UnmappedInstanceError(
            f"Class '{type(instance).__module__}.{type(instance).__qualname__}' is not mapped"
        ) from None


def get_history(obj: object, key: str, passive: int = PASSIVE_OFF) -> History:
    """The ``History`` of attribute ``key`` of a mapped object.

    With ``passive=PASSIVE_NO_INITIALIZE`` an unloaded value is not loaded.
    """
    state, _ = _state_and_dict(obj)
    return get_state_history(state, key, passive)


def get_state_history(state: InstanceState, key: str, passive: int = PASSIVE_OFF) -> History:
    """``get_history`` for an ``InstanceState``."""
    return _impl(state, key).get_history(state, state.dict, passive)


def set_committed_value(instance: object, key: str, value: Any) -> None:
    """Set an attribute as if loaded from the database: no history, no events."""
    state, dict_ = _state_and_dict(instance)
    _impl(state, key).set_committed_value(state, dict_, value)


def set_attribute(
    instance: object, key: str, value: Any, initiator: AttributeEventToken | None = None
) -> None:
    """Set an attribute with history and events, as ``setattr`` on the object does."""
    state, dict_ = _state_and_dict(instance)
    _impl(state, key).set(state, dict_, value, initiator)


def get_attribute(instance: object, key: str) -> Any:
    """Read an attribute, loading it if needed, as ``getattr`` does."""
    state, dict_ = _state_and_dict(instance)
    return _impl(state, key).get(state, dict_)


def del_attribute(instance: object, key: str) -> None:
    """Delete an attribute with history and events, as ``del`` on the object does."""
    state, dict_ = _state_and_dict(instance)
    _impl(state, key).delete(state, dict_)


def flag_modified(instance: object, key: str) -> None:
    """Mark an attribute changed (e.g. a mutated JSON value) so a flush writes it.

    The value must be loaded; ``InvalidRequestError`` otherwise.
    """
    state, dict_ = _state_and_dict(instance)
    impl = _impl(state, key)
    if key not in dict_:
        raise exc.InvalidRequestError(
            f"Can't flag attribute {key!r} modified: it is not loaded on this object"
        )
    if impl.dispatch.modified:
        impl.dispatch.modified(state, impl._modified_token)
    # The committed value is unknown now, so the whole present value counts as added.
    state.committed_state[key] = NO_VALUE
    state._modified_event(dict_, impl, NO_VALUE)


def flag_dirty(instance: object) -> None:
    """Mark an object modified without changing an attribute (it will take part in flush)."""
    state, dict_ = _state_and_dict(instance)
    state._modified_event(dict_, None, NO_VALUE)


def init_collection(obj: object, key: str) -> Any:
    """Give a collection attribute a new empty collection (no events, no history); returns it.

    For code that fills an unloaded collection itself (``set_committed_value`` does both).
    """
    from accord.orm.base import _check_configure

    _check_configure()
    state, dict_ = _state_and_dict(obj)
    impl = _impl(state, key)
    if not impl.collection:
        raise exc.InvalidRequestError(f"Attribute {impl} is not a collection")
    dict_.pop(key, None)
    return impl.initialize(state, dict_)


def is_instrumented(instance: object, key: str) -> bool:
    """True if ``key`` is a mapped (instrumented) attribute of the object's class."""
    manager = opt_manager_of_class(type(instance))
    return manager is not None and key in manager
