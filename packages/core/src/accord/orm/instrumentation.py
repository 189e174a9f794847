"""``ClassManager``: installs attribute descriptors on a mapped class and creates states."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from accord import exc
from accord.event import dispatcher
from accord.orm.base import MANAGER_ATTR, STATE_ATTR, _ConfigureHook, opt_manager_of_class
from accord.orm.events import InstanceEvents
from accord.orm.state import InstanceState

if TYPE_CHECKING:
    from accord.orm.attributes import InstrumentedAttribute
    from accord.orm.mapper import Mapper

__all__ = [
    "ClassManager",
    "register_class",
    "unregister_class",
]


class _StateFactory:
    """Class attribute under ``STATE_ATTR``: creates an object's state on first access.

    It is a non-data descriptor, so once the state is in the instance ``__dict__`` the
    lookup ``obj._accord_state`` is a plain dict hit and this code never runs again.  No
    ``__init__`` wrapping is needed, and objects made with ``cls.__new__`` work too.
    """

    __slots__ = ("manager",)

    def __init__(self, manager: ClassManager) -> None:
        self.manager = manager

    def __get__(self, obj: object | None, owner: type | None = None) -> Any:
        if obj is None:
            return self
        if _ConfigureHook.pending:  # the first object of a class with relationships
            _ConfigureHook.run()
        # setdefault is atomic: two threads racing here agree on one state
        return obj.__dict__.setdefault(STATE_ATTR, InstanceState(obj, self.manager))


class _ClassClauseElement:
    """``Mapped.__clause_element__`` on the class only: lets ``select(Cls)`` find the table.

    Instances do not see it (AttributeError), so a mapped object is never mistaken for a
    SQL expression.
    """

    __slots__ = ("manager",)

    def __init__(self, manager: ClassManager) -> None:
        self.manager = manager

    def __get__(self, obj: object | None, owner: type | None = None) -> Any:
        if obj is not None:
            raise AttributeError("__clause_element__")
        return self.manager.mapper.__clause_element__


class ClassManager(dict[str, "InstrumentedAttribute[Any]"]):
    """Attribute key -> InstrumentedAttribute for one mapped class, plus its Mapper."""

    dispatch = dispatcher(InstanceEvents)

    def __init__(self, class_: type) -> None:
        super().__init__()
        self._init_hooked = False
        self.class_ = class_
        self.mapper: Mapper[Any] = None  # type: ignore[assignment]  # set by Mapper
        self._expirable_keys: tuple[str, ...] = ()
        # relationship keys: expiry drops their values (they load again on access)
        self._related_keys: tuple[str, ...] = ()
        self._related_keyset: frozenset[str] = frozenset()
        self._originals: dict[str, Any] = {}

    def __hash__(self) -> int:  # type: ignore[override]
        return id(self)

    def __eq__(self, other: object) -> bool:
        return other is self

    def __repr__(self) -> str:
        return f"<ClassManager of {self.class_.__name__} {list(self)}>"

    @property
    def is_mapped(self) -> bool:
        """True once a Mapper owns this manager."""
        return self.mapper is not None

    def _install(self) -> None:
        cls = self.class_
        for name in (STATE_ATTR, "__clause_element__"):
            if name in cls.__dict__:
                self._originals[name] = cls.__dict__[name]
        setattr(cls, MANAGER_ATTR, self)
        setattr(cls, STATE_ATTR, _StateFactory(self))
        if "__clause_element__" not in cls.__dict__:
            setattr(cls, "__clause_element__", _ClassClauseElement(self))  # noqa: B010

    def instrument_attribute(self, key: str, attr: InstrumentedAttribute[Any]) -> None:
        """Install ``attr`` as the class attribute ``key``."""
        if key in self.class_.__dict__ and key not in self:
            self._originals[key] = self.class_.__dict__[key]
        self[key] = attr
        setattr(self.class_, key, attr)
        self._refresh_keys()

    def uninstrument_attribute(self, key: str) -> None:
        """Remove the descriptor for ``key`` (restoring what the class body had)."""
        self.pop(key, None)
        if key in self.class_.__dict__:
            delattr(self.class_, key)
        if key in self._originals:
            setattr(self.class_, key, self._originals.pop(key))
        self._refresh_keys()

    def _refresh_keys(self) -> None:
        self._expirable_keys = tuple(k for k, a in self.items() if a.impl.accepts_scalar_loader)
        self._related_keys = tuple(k for k, a in self.items() if a.impl.uses_objects)
        self._related_keyset = frozenset(self._related_keys)

    def _install_init_hook(self) -> None:
        """Wrap the class's ``__init__`` to fire ``init`` / ``init_failure`` (once)."""
        if self._init_hooked:
            return
        cls: Any = self.class_  # Any: the class's own __init__ signature is unknown here
        if "__init__" in cls.__dict__:
            self._originals["__init__"] = cls.__dict__["__init__"]
        original = cls.__init__
        dispatch = self.dispatch

        @functools.wraps(original)
        def __init__(obj: Any, *args: Any, **kwargs: Any) -> None:
            state = getattr(obj, STATE_ATTR)
            if dispatch.init:
                dispatch.init(state, args, kwargs)
            try:
                original(obj, *args, **kwargs)
            except BaseException:
                if dispatch.init_failure:
                    dispatch.init_failure(state, args, kwargs)
                raise

        cls.__init__ = __init__
        self._init_hooked = True

    def new_instance(self) -> Any:
        """A new object of the class without calling ``__init__``, with its state made."""
        cls: Any = self.class_
        obj = cls.__new__(cls)
        obj.__dict__[STATE_ATTR] = InstanceState(obj, self)
        return obj

    def has_state(self, obj: object) -> bool:
        """True if ``obj`` already has its InstanceState."""
        return STATE_ATTR in obj.__dict__

    def state_getter(self) -> Any:
        """A callable returning an object's state (creating it when missing)."""
        return lambda obj: getattr(obj, STATE_ATTR)

    def dispose(self) -> None:
        """Undo the instrumentation of the class."""
        cls = self.class_
        for key in list(self):
            self.uninstrument_attribute(key)
        if self._init_hooked and "__init__" not in self._originals:
            delattr(cls, "__init__")
        self._init_hooked = False
        for name in (MANAGER_ATTR, STATE_ATTR, "__clause_element__"):
            if name in cls.__dict__ and not (
                name == "__clause_element__" and name in self._originals
            ):
                delattr(cls, name)
        for name, value in self._originals.items():
            setattr(cls, name, value)
        self._originals.clear()


def register_class(class_: type) -> ClassManager:
    """Create (or return) the ClassManager of ``class_`` and install its hooks."""
    manager = opt_manager_of_class(class_)
    if manager is not None:
        return manager
    if not isinstance(class_, type):
        raise exc.ArgumentError(f"Class expected, got {class_!r}")
    if getattr(class_, "__slots__", None) is not None and "__dict__" not in dir(class_):
        raise exc.ArgumentError(
            f"Class {class_.__name__!r} uses __slots__ without __dict__; a mapped class "
            "keeps attribute values in its instances' __dict__"
        )
    manager = ClassManager(class_)
    manager._install()
    return manager


def unregister_class(class_: type) -> None:
    """Remove the instrumentation of ``class_``."""
    manager = opt_manager_of_class(class_)
    if manager is not None:
        manager.dispose()
