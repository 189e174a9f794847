"""ORM building blocks: sentinels, passive loading flags, object states, ``Mapped[T]``."""

from __future__ import annotations

import enum
import gc
import operator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Generic, TypeVar, overload

from accord import exc

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from accord.orm.attributes import InstrumentedAttribute
    from accord.orm.instrumentation import ClassManager
    from accord.orm.mapper import Mapper
    from accord.orm.state import InstanceState
    from accord.orm.writeonly import WriteOnlyCollection

__all__ = [
    "ATTR_EMPTY",
    "ATTR_WAS_SET",
    "CALLABLES_OK",
    "INIT_OK",
    "LOAD_AGAINST_COMMITTED",
    "LoaderCallableStatus",
    "Mapped",
    "NEVER_SET",
    "NON_PERSISTENT_OK",
    "NO_AUTOFLUSH",
    "NO_CHANGE",
    "NO_RAISE",
    "NO_VALUE",
    "ObjectState",
    "PASSIVE_CLASS_MISMATCH",
    "PASSIVE_NO_FETCH",
    "PASSIVE_NO_INITIALIZE",
    "PASSIVE_NO_RESULT",
    "PASSIVE_OFF",
    "PASSIVE_ONLY_PERSISTENT",
    "PASSIVE_RETURN_NO_VALUE",
    "PassiveFlag",
    "RELATED_OBJECT_OK",
    "SQLOperators",
    "SQL_OK",
    "WriteOnlyMapped",
    "class_mapper",
    "instance_dict",
    "instance_state",
    "manager_of_class",
    "object_mapper",
    "opt_manager_of_class",
    "state_str",
]

# Where an instance keeps its InstanceState (in its __dict__) and a class its ClassManager.
STATE_ATTR = "_accord_state"
MANAGER_ATTR = "_accord_class_manager"


class LoaderCallableStatus(enum.Enum):
    """Sentinel values passed between attribute impls, loaders and history."""

    PASSIVE_NO_RESULT = 0
    """A value could not be produced without doing what the passive flags forbid."""
    PASSIVE_CLASS_MISMATCH = 1
    """An identity-map lookup found an object of another class."""
    ATTR_WAS_SET = 2
    """A loader stored the value in the instance dict itself."""
    ATTR_EMPTY = 3
    """The attribute has no value and none could be loaded."""
    NO_VALUE = 4
    """No value present (never set, deleted or not loaded)."""


PASSIVE_NO_RESULT = LoaderCallableStatus.PASSIVE_NO_RESULT
PASSIVE_CLASS_MISMATCH = LoaderCallableStatus.PASSIVE_CLASS_MISMATCH
ATTR_WAS_SET = LoaderCallableStatus.ATTR_WAS_SET
ATTR_EMPTY = LoaderCallableStatus.ATTR_EMPTY
NO_VALUE = LoaderCallableStatus.NO_VALUE
# As in SQLAlchemy 2.0, "never set" and "no value" are one symbol.
NEVER_SET = NO_VALUE
NO_CHANGE = 0  # the PassiveFlag with no permission bit set


class PassiveFlag(enum.IntFlag):
    """What an attribute read may do to produce a value (bits combine)."""

    NO_CHANGE = 0
    CALLABLES_OK = 1
    """Loader callables may run."""
    SQL_OK = 2
    """Loaders may emit SQL."""
    RELATED_OBJECT_OK = 4
    """Related objects may be fetched."""
    INIT_OK = 8
    """A missing value may be initialised (None for scalars, an empty collection)."""
    NON_PERSISTENT_OK = 16
    """Loaders may run for objects that are not persistent."""
    LOAD_AGAINST_COMMITTED = 32
    """Load using committed, not pending, values of foreign keys."""
    NO_AUTOFLUSH = 64
    """Loading must not autoflush."""
    NO_RAISE = 128
    """A ``raise`` loader returns no result instead of raising."""
    DEFERRED_HISTORY_LOAD = 256
    """History may load a deferred attribute."""
    INCLUDE_PENDING_MUTATIONS = 512
    """Collection history includes pending mutations."""

    PASSIVE_OFF = 1 | 2 | 4 | 8 | 16
    """Do everything needed to produce the value."""
    PASSIVE_RETURN_NO_VALUE = PASSIVE_OFF ^ INIT_OK
    """Load if needed, but return ``NO_VALUE`` rather than initialising."""
    PASSIVE_NO_INITIALIZE = PASSIVE_RETURN_NO_VALUE ^ CALLABLES_OK
    """Only what is already in the instance dict."""
    PASSIVE_NO_FETCH = PASSIVE_OFF ^ SQL_OK
    """Everything except SQL."""
    PASSIVE_NO_FETCH_RELATED = PASSIVE_OFF ^ RELATED_OBJECT_OK
    """Everything except fetching related objects."""
    PASSIVE_ONLY_PERSISTENT = PASSIVE_OFF ^ NON_PERSISTENT_OK
    """Load only for persistent objects."""


CALLABLES_OK = PassiveFlag.CALLABLES_OK
SQL_OK = PassiveFlag.SQL_OK
RELATED_OBJECT_OK = PassiveFlag.RELATED_OBJECT_OK
INIT_OK = PassiveFlag.INIT_OK
NON_PERSISTENT_OK = PassiveFlag.NON_PERSISTENT_OK
LOAD_AGAINST_COMMITTED = PassiveFlag.LOAD_AGAINST_COMMITTED
NO_AUTOFLUSH = PassiveFlag.NO_AUTOFLUSH
NO_RAISE = PassiveFlag.NO_RAISE
PASSIVE_OFF = PassiveFlag.PASSIVE_OFF
PASSIVE_RETURN_NO_VALUE = PassiveFlag.PASSIVE_RETURN_NO_VALUE
PASSIVE_NO_INITIALIZE = PassiveFlag.PASSIVE_NO_INITIALIZE
PASSIVE_NO_FETCH = PassiveFlag.PASSIVE_NO_FETCH
PASSIVE_ONLY_PERSISTENT = PassiveFlag.PASSIVE_ONLY_PERSISTENT


class ObjectState(enum.Enum):
    """The five states of a mapped object relative to a Session."""

    TRANSIENT = "transient"
    """Not in a Session, no database identity."""
    PENDING = "pending"
    """Added to a Session, not flushed yet."""
    PERSISTENT = "persistent"
    """In a Session, with a database identity."""
    DELETED = "deleted"
    """Deleted in a flush; the transaction has not ended yet."""
    DETACHED = "detached"
    """Has a database identity, but belongs to no Session."""


# The hot accessors: an attribute fetch that is a plain __dict__ hit once the state exists
# (a class-level descriptor creates it on first use, see instrumentation.py).
instance_state: Any = operator.attrgetter(STATE_ATTR)
"""The ``InstanceState`` of a mapped object (``AttributeError`` for unmapped objects)."""
instance_dict: Any = operator.attrgetter("__dict__")
"""The ``__dict__`` of an object, where loaded attribute values live."""


def opt_manager_of_class(cls: type) -> ClassManager | None:
    """The ClassManager of a mapped class, or None (subclasses are not mapped by inheritance)."""
    return cls.__dict__.get(MANAGER_ATTR)


def manager_of_class(cls: type) -> ClassManager:
    """The ClassManager of a mapped class; ``UnmappedClassError`` otherwise."""
    manager = cls.__dict__.get(MANAGER_ATTR) if isinstance(cls, type) else None
    if manager is None:
        raise exc.UnmappedClassError(f"Class {_class_name(cls)} is not mapped")
    return manager  # type: ignore[no-any-return]


def class_mapper(class_: type, configure: bool = True) -> Mapper[Any]:
    """The Mapper of a mapped class; ``UnmappedClassError`` otherwise."""
    return manager_of_class(class_).mapper


def object_mapper(instance: object) -> Mapper[Any]:
    """The Mapper of a mapped object; ``UnmappedInstanceError`` otherwise."""
    manager = opt_manager_of_class(type(instance))
    if manager is None:
        raise exc.UnmappedInstanceError(f"Class {_class_name(type(instance))} is not mapped")
    return manager.mapper


def _class_name(cls: Any) -> str:
    if isinstance(cls, type):
        return f"'{cls.__module__}.{cls.__qualname__}'"
    return repr(cls)


def state_str(state: InstanceState) -> str:
    """A short description of an object for messages: ``<User at 0x...>``."""
    obj = state.obj()
    if obj is None:
        return f"<{state.class_.__name__} (collected)>"
    return f"<{state.class_.__name__} at {id(obj):#x}>"


_T = TypeVar("_T")


class SQLOperators:
    """Python operators building SQL from ``__clause_element__()`` (attributes, mapped columns)."""

    __slots__ = ()

    def __clause_element__(self) -> Any:
        raise NotImplementedError

    # Python operators build SQL through the column; the column's reflected operators
    # handle `5 + User.x` once int declines.
    def __eq__(self, other: Any) -> Any:
        return self.__clause_element__() == other

    def __ne__(self, other: Any) -> Any:
        return self.__clause_element__() != other

    def __lt__(self, other: Any) -> Any:
        return self.__clause_element__() < other

    def __le__(self, other: Any) -> Any:
        return self.__clause_element__() <= other

    def __gt__(self, other: Any) -> Any:
        return self.__clause_element__() > other

    def __ge__(self, other: Any) -> Any:
        return self.__clause_element__() >= other

    def __add__(self, other: Any) -> Any:
        return self.__clause_element__() + other

    def __radd__(self, other: Any) -> Any:
        return other + self.__clause_element__()

    def __sub__(self, other: Any) -> Any:
        return self.__clause_element__() - other

    def __rsub__(self, other: Any) -> Any:
        return other - self.__clause_element__()

    def __mul__(self, other: Any) -> Any:
        return self.__clause_element__() * other

    def __rmul__(self, other: Any) -> Any:
        return other * self.__clause_element__()

    def __truediv__(self, other: Any) -> Any:
        return self.__clause_element__() / other

    def __rtruediv__(self, other: Any) -> Any:
        return other / self.__clause_element__()

    def __mod__(self, other: Any) -> Any:
        return self.__clause_element__() % other

    def __and__(self, other: Any) -> Any:
        return self.__clause_element__() & other

    def __or__(self, other: Any) -> Any:
        return self.__clause_element__() | other

    def __invert__(self) -> Any:
        return ~self.__clause_element__()

    def __neg__(self) -> Any:
        return -self.__clause_element__()

    __hash__ = object.__hash__  # still usable as dict keys and in sets


class Mapped(Generic[_T]):
    """Annotation for a mapped attribute: ``name: Mapped[str]``.

    At runtime the class attribute becomes an ``InstrumentedAttribute``; for a type checker,
    ``User.name`` is an ``InstrumentedAttribute[str]`` and ``user.name`` is a ``str``.
    """

    __slots__ = ()

    if TYPE_CHECKING:

        @overload
        def __get__(self, instance: None, owner: Any) -> InstrumentedAttribute[_T]: ...

        @overload
        def __get__(self, instance: object, owner: Any) -> _T: ...

        def __get__(self, instance: object | None, owner: Any) -> InstrumentedAttribute[_T] | _T:
            """Class access gives the attribute, instance access its value."""

        def __set__(self, instance: Any, value: _T) -> None:
            """Set the value on an instance."""

        def __delete__(self, instance: Any) -> None:
            """Delete the value on an instance."""


class WriteOnlyMapped(Mapped[_T]):
    """Annotation of a write-only relationship: ``kids: WriteOnlyMapped["Kid"]``.

    The annotation alone makes the relationship ``lazy="write_only"``; the instance value
    is a ``WriteOnlyCollection`` of ``Kid``.
    """

    __slots__ = ()

    if TYPE_CHECKING:

        @overload  # type: ignore[override]
        def __get__(self, instance: None, owner: Any) -> InstrumentedAttribute[_T]: ...

        @overload
        def __get__(self, instance: object, owner: Any) -> WriteOnlyCollection: ...

        def __get__(
            self, instance: object | None, owner: Any
        ) -> InstrumentedAttribute[_T] | WriteOnlyCollection:
            """Class access gives the attribute, instance access the collection."""

        def __set__(self, instance: Any, value: Iterable[_T]) -> None:  # type: ignore[override]
            """Replace the collection's members (of a pending object)."""


class _DeclarativeMapped(Mapped[_T]):
    """Base of the objects placed in a class body (``mapped_column()``, ``deferred()``)."""

    __slots__ = ()


class _ConfigureHook:
    """Whether some mapper has relationships left to configure, and the function doing it.

    Set by ``mapper``; read where a mapped class is first used (a new object's state, a
    Session operation), so that check is one class attribute test.
    """

    pending = False
    running = False
    run: Any = None


def _check_configure() -> None:
    """Configure pending mappers (see ``mapper.configure_mappers``) if there are any."""
    if _ConfigureHook.pending:
        _ConfigureHook.run()


# Below this many objects a batch runs with the collector as it is.
_GC_BATCH_MIN = 2000


@contextmanager
def _gc_batch(n: int) -> Iterator[None]:
    """Pause the cyclic GC while a batch builds ``n`` long-lived objects, then file them old.

    Loading or flushing 100,000 objects allocates several tracked containers per object
    (the object, its ``__dict__``, its state, the state's weakref, the identity key).  With
    the collector running, collection passes would traverse them again and again while
    the batch builds them; merely pausing it still leaves them all in the youngest
    generation, and the first allocation after the batch pays one pass over all of them
    (about a sixth of a 100,000-object load).  They are not garbage, so after the batch
    ``gc.freeze()`` + ``gc.unfreeze()`` moves every young object straight into the oldest
    generation (two list splices, no traversal), where full collections still find any
    cycle among them.  Skipped when the application has frozen objects itself (unfreezing
    would undo that) or the collector was already off.
    """
    if n < _GC_BATCH_MIN or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        _promote_young()
        gc.enable()


def _promote_young() -> None:
    """Move every young tracked object into the oldest GC generation, without a pass."""
    if gc.get_freeze_count() == 0:  # the application's own frozen objects stay frozen
        gc.freeze()
        gc.unfreeze()
