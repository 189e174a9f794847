"""``Mapper``: class <-> table; primary key, properties, version counter, identity keys."""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from accord import exc
from accord.event import dispatcher
from accord.orm.attributes import InstrumentedAttribute, QueryableAttribute
from accord.orm.base import (
    NO_VALUE,
    PASSIVE_OFF,
    PASSIVE_RETURN_NO_VALUE,
    _ConfigureHook,
    instance_state,
    opt_manager_of_class,
)
from accord.orm.events import MapperEvents, _apply_base_listeners
from accord.orm.instrumentation import register_class
from accord.orm.properties import ColumnProperty, MappedColumn, MapperProperty
from accord.orm.relationships import RelationshipProperty
from accord.sql import Column, FromClause
from accord.util.inspect_registry import register_inspector, register_self_inspecting

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from accord.orm.instrumentation import ClassManager
    from accord.orm.state import InstanceState

__all__ = [
    "MAPPER_ARGS",
    "Mapper",
    "ReadOnlyProperties",
    "configure_mappers",
]

_O = TypeVar("_O")
_V = TypeVar("_V")

MAPPER_ARGS = frozenset(
    {
        "always_refresh",
        "batch",
        "column_prefix",
        "confirm_deleted_rows",
        "eager_defaults",
        "exclude_properties",
        "include_properties",
        "inherits",
        "passive_deletes",
        "passive_updates",
        "polymorphic_identity",
        "polymorphic_on",
        "primary_key",
        "properties",
        "version_id_col",
        "version_id_generator",
    }
)


# Every live Mapper (for listeners given to unmapped base classes after mapping).
_all_mappers: weakref.WeakSet[Mapper[Any]] = weakref.WeakSet()


def _default_version(current: Any) -> int:
    """The default version counter: 1, 2, 3, ..."""
    return (current or 0) + 1


class ReadOnlyProperties(Mapping[str, _V]):
    """An ordered read-only mapping that also allows attribute access (``mapper.attrs.name``)."""

    __slots__ = ("_data",)

    def __init__(self, data: dict[str, _V]) -> None:
        self._data = data

    def __getitem__(self, key: str) -> _V:
        return self._data[key]

    def __getattr__(self, key: str) -> _V:
        try:
            return self._data[key]
        except KeyError:
            raise AttributeError(key) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def __repr__(self) -> str:
        return f"ReadOnlyProperties({list(self._data)})"


@register_self_inspecting
class Mapper(Generic[_O]):
    """The mapping of one class to one table: ``inspect(User)`` returns it.

    Attributes: ``class_``, ``local_table`` / ``persist_selectable``, ``primary_key``
    (tuple of columns), ``attrs`` / ``column_attrs`` (by key), ``columns`` / ``c`` (column
    by attribute key), ``version_id_col``, ``version_id_generator``, ``eager_defaults``.
    """

    dispatch = dispatcher(MapperEvents)

    is_mapper = True
    inherits: Mapper[Any] | None = None
    single = False
    concrete = False
    non_primary = False
    polymorphic_on: Any = None
    polymorphic_identity: Any = None
    with_polymorphic: Any = None

    def __init__(
        self,
        class_: type[_O],
        local_table: FromClause | None = None,
        properties: Mapping[str, Any] | None = None,
        primary_key: Iterable[Column] | None = None,
        version_id_col: Any = None,
        version_id_generator: Callable[[Any], Any] | bool | None = None,
        eager_defaults: bool | str = "auto",
        include_properties: Iterable[str] | None = None,
        exclude_properties: Iterable[str] | None = None,
        column_prefix: str | None = None,
        confirm_deleted_rows: bool = True,
        always_refresh: bool = False,
        passive_deletes: bool = False,
        passive_updates: bool = True,
        batch: bool = True,
        inherits: Any = None,
        polymorphic_on: Any = None,
        polymorphic_identity: Any = None,
        *,
        registry: Any = None,
    ) -> None:
        if inherits is not None or polymorphic_on is not None or polymorphic_identity is not None:
            raise exc.ArgumentError(
                f"Mapper for {class_.__name__!r}: mapped class inheritance "
                "(inherits / polymorphic_on / polymorphic_identity) is not supported yet"
            )
        if not isinstance(local_table, FromClause):
            raise exc.ArgumentError(
                f"Mapper for {class_.__name__!r} needs a Table (or other FROM clause) to map "
                f"to, got {local_table!r}"
            )
        existing = opt_manager_of_class(class_)
        if existing is not None and existing.mapper is not None:
            raise exc.ArgumentError(
                f"Class {class_.__name__!r} already has a mapper; a class is mapped once"
            )
        self.class_ = class_
        self.local_table = local_table
        self.persist_selectable = local_table
        self.tables = [local_table]
        self.registry = registry
        self.base_mapper: Mapper[Any] = self
        self._identity_class: type = class_
        self.always_refresh = always_refresh
        self.confirm_deleted_rows = confirm_deleted_rows
        self.passive_deletes = passive_deletes
        self.passive_updates = passive_updates
        self.batch = batch
        if eager_defaults not in (True, False, "auto"):
            raise exc.ArgumentError(
                f"eager_defaults must be True, False or 'auto', got {eager_defaults!r}"
            )
        self.eager_defaults = eager_defaults
        self._include = set(include_properties) if include_properties is not None else None
        self._exclude = set(exclude_properties or ())
        self._column_prefix = column_prefix or ""

        self._props: dict[str, MapperProperty] = {}
        self._relationships: dict[str, RelationshipProperty] = {}
        self._columntoproperty: dict[Any, ColumnProperty[Any]] = {}
        self._build_properties(dict(properties or {}))
        self.primary_key: tuple[Column, ...] = self._find_primary_key(primary_key)
        self.version_id_col: Column | None = self._resolve_version_col(version_id_col)
        if self.version_id_col is not None and version_id_generator is None:
            self.version_id_generator: Callable[[Any], Any] | bool = _default_version
        else:
            self.version_id_generator = (
                version_id_generator if version_id_generator is not None else False
            )
        self._setup_lookups()
        self.class_manager: ClassManager = register_class(class_)
        self.class_manager.mapper = self
        _all_mappers.add(self)
        _apply_base_listeners(self)
        d = self.dispatch
        if d.instrument_class:
            d.instrument_class(self, class_)
        self._instrument()
        register_inspector(class_)(_inspect_instance)
        if self._relationships:
            # relationships name classes that may not exist yet: configured on first use
            self.configured = False
            _unconfigured.append(self)
            _ConfigureHook.pending = True
            return
        # A mapper without relationships is configured as it is made, a "series" of one
        # for the configure events.
        if d.before_configured:
            d.before_configured()
        if d.before_mapper_configured:
            d.before_mapper_configured(self, class_)
        self.configured = True
        if d.mapper_configured:
            d.mapper_configured(self, class_)
        if d.after_configured:
            d.after_configured()

    # -- building -----------------------------------------------------------------------

    def _build_properties(self, explicit: dict[str, Any]) -> None:
        for key, value in explicit.items():
            self._add_property(key, self._coerce_property(key, value))
        table = self.local_table
        column: Any
        for column in table.c:
            if column in self._columntoproperty:
                continue
            key = self._column_prefix + (column.key or column.name)
            if self._include is not None and key not in self._include:
                continue
            if key in self._exclude or column.key in self._exclude:
                continue
            if key in self._props:
                # The name is taken by another property: add the column to it only if it is
                # a column property (several columns behind one attribute).
                prop = self._props[key]
                if isinstance(prop, ColumnProperty):
                    prop.columns.append(column)
                    self._columntoproperty[column] = prop
                continue
            self._add_property(key, ColumnProperty(column))

    def _coerce_property(self, key: str, value: Any) -> MapperProperty:
        if isinstance(value, MapperProperty):
            return value
        if isinstance(value, MappedColumn):
            return value._to_property()
        if isinstance(value, (list, tuple)) and value:
            return ColumnProperty(*value)
        if isinstance(value, Column) or hasattr(value, "__clause_element__"):
            return ColumnProperty(value)
        raise exc.ArgumentError(
            f"Mapper for {self.class_.__name__!r}: property {key!r} must be a Column, "
            f"column_property() or deferred(), got {value!r}"
        )

    def _add_property(self, key: str, prop: MapperProperty) -> None:
        if isinstance(prop, RelationshipProperty):
            prop.key = key
            prop.parent = self
            self._relationships[key] = prop
        elif isinstance(prop, ColumnProperty):
            prop._set_key(key)
            prop.parent = self
            for col in prop.columns:
                if isinstance(col, Column):
                    if col.table is not None and col.table is not self.local_table:
                        raise exc.ArgumentError(
                            f"Mapper for {self.class_.__name__!r}: column {col!r} of property "
                            f"{key!r} is not a column of table {self.local_table.name!r}"  # type: ignore[attr-defined]
                        )
                    self._columntoproperty[col] = prop
        self._props[key] = prop

    def _find_primary_key(self, primary_key: Iterable[Column] | None) -> tuple[Column, ...]:
        if primary_key is not None:
            cols = tuple(self._resolve_column(c) for c in primary_key)
        else:
            pk = getattr(self.local_table, "primary_key", None)
            cols = tuple(pk.columns) if pk is not None else ()
        if not cols:
            raise exc.ArgumentError(
                f"Mapper for class {self.class_.__name__!r} could not assemble any primary key "
                f"columns for mapped table {getattr(self.local_table, 'name', '?')!r}: declare "
                "a primary key column (mapped_column(primary_key=True)) or pass "
                "__mapper_args__ = {'primary_key': [...]}"
            )
        for col in cols:
            if col not in self._columntoproperty:
                raise exc.ArgumentError(
                    f"Mapper for {self.class_.__name__!r}: primary key column {col!r} is not "
                    "mapped (excluded?)"
                )
        return cols

    def _resolve_column(self, value: Any) -> Column:
        if isinstance(value, MappedColumn):
            value = value.column
        elif isinstance(value, InstrumentedAttribute):
            value = value.expression
        elif isinstance(value, str):
            value = self.local_table.c[value]
        if not isinstance(value, Column):
            raise exc.ArgumentError(f"Column expected, got {value!r}")
        return value

    def _resolve_version_col(self, value: Any) -> Column | None:
        if value is None:
            return None
        col = self._resolve_column(value)
        if col not in self._columntoproperty:
            raise exc.ArgumentError(
                f"Mapper for {self.class_.__name__!r}: version_id_col {col!r} is not a mapped "
                "column of the table"
            )
        return col

    def _setup_lookups(self) -> None:
        col_props = [p for p in self._props.values() if isinstance(p, ColumnProperty)]
        self._deferred_keys = frozenset(p.key for p in col_props if p.deferred)
        groups: dict[str, set[str]] = {}
        for p in col_props:
            if p.deferred and p.group is not None:
                groups.setdefault(p.group, set()).add(p.key)
        self._deferred_groups = {g: frozenset(keys) for g, keys in groups.items()}
        self._pk_keys = tuple(self._columntoproperty[c].key for c in self.primary_key)
        self._readonly_props = frozenset(p for p in col_props if p._is_sql_expression)
        self.column_attrs: ReadOnlyProperties[ColumnProperty[Any]] = ReadOnlyProperties(
            {p.key: p for p in col_props}
        )
        self.attrs: ReadOnlyProperties[MapperProperty] = ReadOnlyProperties(self._props)
        self._relationships_view = ReadOnlyProperties(self._relationships)
        self.columns: ReadOnlyProperties[Any] = ReadOnlyProperties(
            {p.key: p.columns[0] for p in col_props}
        )
        self.c = self.columns
        table_cols = list(self.local_table.c)
        self._server_default_cols = frozenset(
            c for c in table_cols if getattr(c, "server_default", None) is not None
        )
        self._server_onupdate_default_cols = frozenset(
            c for c in table_cols if getattr(c, "server_onupdate", None) is not None
        )

    def _instrument(self) -> None:
        for key, prop in self._props.items():
            self._instrument_property(key, prop)

    def _instrument_property(self, key: str, prop: MapperProperty) -> None:
        attr_cls = getattr(prop, "attribute_class", InstrumentedAttribute)
        attr: InstrumentedAttribute[Any] = attr_cls(
            self.class_,
            key,
            prop,
            self,
            None,  # type: ignore[arg-type]  # impl set below
        )
        attr.impl = prop._create_impl(self.class_, attr)
        self.class_manager.instrument_attribute(key, attr)

    def _add_late_property(self, key: str, prop: MapperProperty) -> None:
        """Add a property after mapping (a backref made by the other side's relationship)."""
        self._add_property(key, prop)
        self._instrument_property(key, prop)

    @property
    def relationships(self) -> ReadOnlyProperties[RelationshipProperty]:
        """The relationship properties by key (mappers are configured first)."""
        configure_mappers()
        return self._relationships_view

    def cascade_iterator(
        self, type_: str, state: InstanceState, halt_on: Any = None
    ) -> Iterator[tuple[Any, Mapper[Any], InstanceState, dict[str, Any]]]:
        """(object, mapper, state, dict) of each object the cascade ``type_`` reaches from
        ``state`` through loaded relationships ("save-update", "delete", "merge", ...)."""
        from accord.orm.cascades import cascade_iterator

        for obj, ostate in cascade_iterator(state, type_):
            if halt_on is not None and halt_on(ostate):
                continue
            yield obj, ostate.manager.mapper, ostate, ostate.dict

    def _post_configure(self) -> None:
        """Resolve this mapper's relationships and fire its configure events."""
        d = self.dispatch
        if d.before_mapper_configured:
            d.before_mapper_configured(self, self.class_)
        for prop in list(self._relationships.values()):
            prop._configure()
        self.configured = True
        if d.mapper_configured:
            d.mapper_configured(self, self.class_)

    def _deferred_group_of(self, key: str) -> frozenset[str]:
        """``key`` plus the other unloaded members of its deferred group."""
        prop = self._props.get(key)
        group = getattr(prop, "group", None)
        if group is None:
            return frozenset((key,))
        return self._deferred_groups.get(group, frozenset()) | {key}

    def dispose(self) -> None:
        """Unmap the class: remove its instrumentation."""
        _all_mappers.discard(self)
        if self in _unconfigured:
            _unconfigured.remove(self)
        self.class_manager.dispose()

    # -- introspection ------------------------------------------------------------------

    @property
    def mapper(self) -> Mapper[_O]:
        """This mapper (so mappers and mapped classes answer the same way)."""
        return self

    @property
    def entity(self) -> type[_O]:
        """The mapped class."""
        return self.class_

    @property
    def selectable(self) -> FromClause:
        """What a SELECT of this entity reads from."""
        return self.local_table

    @property
    def mapped_table(self) -> FromClause:
        """The table the class is mapped to."""
        return self.local_table

    @property
    def all_orm_descriptors(self) -> ReadOnlyProperties[InstrumentedAttribute[Any]]:
        """The instrumented class attributes, by key."""
        return ReadOnlyProperties(dict(self.class_manager))

    @property
    def iterate_properties(self) -> Iterator[MapperProperty]:
        """Every MapperProperty."""
        return iter(self._props.values())

    @property
    def self_and_descendants(self) -> list[Mapper[Any]]:
        """This mapper and its subclass mappers (none yet)."""
        return [self]

    def iterate_to_root(self) -> Iterator[Mapper[Any]]:
        """This mapper, then each inherited mapper up to the base."""
        yield self

    def isa(self, other: Mapper[Any]) -> bool:
        """True if this mapper is ``other`` or inherits from it."""
        return other is self

    def common_parent(self, other: Mapper[Any]) -> bool:
        """True if both mappers share a base mapper."""
        return self.base_mapper is other.base_mapper

    def has_property(self, key: str) -> bool:
        """True if ``key`` is a mapped attribute."""
        return key in self._props

    def get_property(self, key: str) -> MapperProperty:
        """The MapperProperty named ``key``; InvalidRequestError if there is none."""
        try:
            return self._props[key]
        except KeyError:
            raise exc.InvalidRequestError(f"Mapper {self!r} has no property {key!r}") from None

    def get_property_by_column(self, column: Any) -> ColumnProperty[Any]:
        """The ColumnProperty mapping ``column``."""
        return self._columntoproperty[column]

    def __clause_element__(self) -> FromClause:
        return self.local_table

    def __repr__(self) -> str:
        return f"<Mapper {self.class_.__name__}({getattr(self.local_table, 'name', '?')})>"

    # -- identity -----------------------------------------------------------------------

    def identity_key_from_row(
        self, row: Any, identity_token: Any = None, adapter: Any = None
    ) -> tuple[type, tuple[Any, ...], Any]:
        """The identity key of the row's primary key values (looked up by column)."""
        mapping = getattr(row, "_mapping", row)
        cols = self.primary_key
        if adapter is not None:
            cols = tuple(adapter(c) for c in cols)
        return (self._identity_class, tuple(mapping[c] for c in cols), identity_token)

    def identity_key_from_primary_key(
        self, primary_key: Iterable[Any], identity_token: Any = None
    ) -> tuple[type, tuple[Any, ...], Any]:
        """The identity key of a primary key tuple (values in ``mapper.primary_key`` order)."""
        return (self._identity_class, tuple(primary_key), identity_token)

    def identity_key_from_instance(self, instance: Any) -> tuple[type, tuple[Any, ...], Any]:
        """The identity key from an object's present primary key attribute values."""
        state = instance_state(instance)
        return (
            self._identity_class,
            tuple(self.primary_key_from_instance(instance)),
            state.identity_token,
        )

    def primary_key_from_instance(self, instance: Any) -> list[Any]:
        """The object's primary key values (loading expired ones), in primary key order."""
        state = instance_state(instance)
        dict_ = state.dict
        manager = self.class_manager
        out = []
        for key in self._pk_keys:
            value = manager[key].impl.get(state, dict_, PASSIVE_RETURN_NO_VALUE)
            out.append(None if value is NO_VALUE else value)
        return out

    # -- column-keyed access for flush and loading --------------------------------------

    def _get_state_attr_by_column(
        self, state: InstanceState, dict_: dict[str, Any], column: Any, passive: int = PASSIVE_OFF
    ) -> Any:
        prop = self._columntoproperty[column]
        return state.manager[prop.key].impl.get(state, dict_, passive)

    def _set_state_attr_by_column(
        self, state: InstanceState, dict_: dict[str, Any], column: Any, value: Any
    ) -> None:
        prop = self._columntoproperty[column]
        state.manager[prop.key].impl.set(state, dict_, value)

    def _get_committed_state_attr_by_column(
        self, state: InstanceState, dict_: dict[str, Any], column: Any
    ) -> Any:
        key = self._columntoproperty[column].key
        if key in state.committed_state:
            return state.committed_state[key]
        return dict_.get(key, NO_VALUE)


_unconfigured: list[Mapper[Any]] = []
_configure_lock = threading.RLock()


def configure_mappers() -> None:
    """Configure every mapper whose relationships are not resolved yet.

    Runs by itself on first use (a new object, a query, a Session operation); call it to
    see mapping errors early.  A mapper that fails keeps its error: using its
    relationships raises it again, other mappers are not held up.
    """
    if not _ConfigureHook.pending:
        return
    with _configure_lock:
        if not _unconfigured or _ConfigureHook.running:
            return
        _ConfigureHook.running = True
        try:
            todo = list(_unconfigured)
            d = todo[0].dispatch
            if d.before_configured:
                d.before_configured()
            errors: list[Exception] = []
            for mapper in todo:
                if mapper in _unconfigured:
                    _unconfigured.remove(mapper)
                    try:
                        mapper._post_configure()
                    except Exception as err:
                        # kept out of the queue: using its relationships retries (and
                        # raises again); the other mappers carry on
                        errors.append(err)
            if errors:
                raise errors[0]
            if d.after_configured:
                d.after_configured()
        finally:
            _ConfigureHook.running = False
            _ConfigureHook.pending = bool(_unconfigured)


_ConfigureHook.run = configure_mappers


# A mapped attribute inspects as itself (``inspect(User.name) is User.name``).
register_self_inspecting(QueryableAttribute)


def _inspect_instance(obj: Any) -> Any:
    manager = opt_manager_of_class(type(obj))
    if manager is None or manager.mapper is None:
        return None
    return instance_state(obj)


@register_inspector(type)
def _inspect_class(cls: type) -> Any:
    manager = opt_manager_of_class(cls)
    return manager.mapper if manager is not None else None
