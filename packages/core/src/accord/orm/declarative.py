"""Declarative mapping: DeclarativeBase, registry, map_imperatively, types from annotations."""

from __future__ import annotations

import datetime
import decimal
import enum
import sys
import types
import typing
import uuid
import weakref
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from accord import exc
from accord.orm.base import Mapped, WriteOnlyMapped, _check_configure
from accord.orm.mapper import MAPPER_ARGS, Mapper
from accord.orm.properties import ColumnProperty, MappedColumn
from accord.orm.relationships import RelationshipProperty
from accord.sql import (
    Boolean,
    Column,
    Date,
    DateTime,
    Enum,
    Float,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Table,
    Time,
    TypeEngine,
    Uuid,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from accord.sql import FromClause

__all__ = [
    "DeclarativeBase",
    "declarative_base",
    "declared_attr",
    "registry",
]

_T = TypeVar("_T")
_C = TypeVar("_C", bound=type)

# Python type -> SQL type used when neither mapped_column(type) nor type_annotation_map says.
_DEFAULT_TYPE_MAP: dict[Any, Any] = {
    int: Integer,
    float: Float,
    bool: Boolean,
    str: String,
    bytes: LargeBinary,
    datetime.datetime: DateTime,
    datetime.date: Date,
    datetime.time: Time,
    decimal.Decimal: Numeric,
    uuid.UUID: Uuid,
}


def _declarative_constructor(self: Any, **kwargs: Any) -> None:
    """Set each keyword as an attribute; a name the class does not have is a TypeError."""
    cls_ = type(self)
    for key, value in kwargs.items():
        if not hasattr(cls_, key):
            _check_configure()  # a backref= attribute exists once the mappers are configured
            if not hasattr(cls_, key):
                raise TypeError(f"{key!r} is an invalid keyword argument for {cls_.__name__}")
        setattr(self, key, value)


_declarative_constructor.__name__ = "__init__"


class declared_attr(Generic[_T]):
    """Mark a class-body function whose result is computed per mapped class (mixins)."""

    def __init__(self, fn: Callable[[Any], _T]) -> None:
        self.fget = fn
        self.__doc__ = fn.__doc__

    def __get__(self, obj: Any, cls: Any = None) -> _T:
        return self.fget(cls if cls is not None else type(obj))

    @classmethod
    def directive(cls, fn: Callable[[Any], _T]) -> declared_attr[_T]:
        """The same, for ``__tablename__`` / ``__table_args__`` / ``__mapper_args__``."""
        return cls(fn)


class registry:  # lower case: SQLAlchemy's public name
    """A set of mapped classes sharing one MetaData and one ``type_annotation_map``."""

    def __init__(
        self,
        *,
        metadata: MetaData | None = None,
        type_annotation_map: Mapping[Any, Any] | None = None,
        constructor: Callable[..., None] = _declarative_constructor,
    ) -> None:
        self.metadata = metadata if metadata is not None else MetaData()
        self.type_annotation_map: dict[Any, TypeEngine] = {}
        if type_annotation_map:
            self.update_type_annotation_map(type_annotation_map)
        self.constructor = constructor
        self._mappers: weakref.WeakSet[Mapper[Any]] = weakref.WeakSet()
        self._class_registry: weakref.WeakValueDictionary[str, type] = (
            weakref.WeakValueDictionary()
        )

    def update_type_annotation_map(self, type_annotation_map: Mapping[Any, Any]) -> None:
        """Add Python type -> SQL type entries used for ``Mapped[...]`` annotations."""
        for py_type, sql_type in type_annotation_map.items():
            self.type_annotation_map[py_type] = _type_instance(sql_type)

    @property
    def mappers(self) -> frozenset[Mapper[Any]]:
        """Every Mapper of this registry."""
        return frozenset(self._mappers)

    def _add(self, mapper: Mapper[Any]) -> None:
        self._mappers.add(mapper)
        self._class_registry[mapper.class_.__name__] = mapper.class_

    def map_imperatively(
        self, class_: type[_T], local_table: FromClause | None = None, **kw: Any
    ) -> Mapper[_T]:
        """Map a plain class to a Table: ``reg.map_imperatively(User, user_table)``."""
        mapper = Mapper(class_, local_table, registry=self, **kw)
        self._add(mapper)
        return mapper

    def map_declaratively(self, cls: type[_T]) -> Mapper[_T]:
        """Map a class written in declarative style (``__tablename__`` and mapped columns)."""
        return _DeclarativeScan(self, cls).map()

    def mapped(self, cls: _C) -> _C:
        """Class decorator: map ``cls`` declaratively with this registry."""
        self.map_declaratively(cls)
        return cls

    def configure(self, cascade: bool = False) -> None:
        """Configure every mapper with relationships left to resolve (``configure_mappers``)."""
        from accord.orm.mapper import configure_mappers

        configure_mappers()

    def dispose(self) -> None:
        """Unmap every class of this registry."""
        for mapper in list(self._mappers):
            mapper.dispose()
        self._mappers.clear()

    def generate_base(self, name: str = "Base") -> type:
        """A declarative base class bound to this registry (legacy style)."""
        reg = self

        def init_subclass(cls: Any, **kw: Any) -> None:
            if not cls.__dict__.get("__abstract__", False):
                reg.map_declaratively(cls)

        return type(
            name,
            (),
            {
                "registry": reg,
                "metadata": reg.metadata,
                "__init__": reg.constructor,
                "__init_subclass__": classmethod(init_subclass),  # type: ignore[arg-type]
                "__doc__": "Declarative base class.",
            },
        )

    def _resolve_type(self, python_type: Any) -> TypeEngine | None:
        """The SQL type for a Python type from an annotation, or None."""
        tmap = self.type_annotation_map
        found = tmap.get(python_type)
        if found is not None:
            return found
        origin = typing.get_origin(python_type)
        if origin is typing.Annotated:
            return self._resolve_type(typing.get_args(python_type)[0])
        if origin is typing.Literal:
            values = typing.get_args(python_type)
            if all(isinstance(v, str) for v in values):
                base = tmap.get(typing.Literal) or tmap.get(enum.Enum)
                return Enum(*values, name=getattr(base, "name", None))
            return None
        if not isinstance(python_type, type):
            return None
        for klass in python_type.__mro__:
            found = tmap.get(klass)
            if found is not None:
                if klass is enum.Enum and python_type is not enum.Enum:
                    return Enum(python_type, name=getattr(found, "name", None) or None)
                return found
        if issubclass(python_type, enum.Enum):
            return Enum(python_type)
        for klass in python_type.__mro__:
            default = _DEFAULT_TYPE_MAP.get(klass)
            if default is not None:
                return _type_instance(default)
        return None

    def __repr__(self) -> str:
        return f"<registry {len(self._mappers)} mappers>"


def _type_instance(t: Any) -> TypeEngine:
    if isinstance(t, TypeEngine):
        return t
    if isinstance(t, type) and issubclass(t, TypeEngine):
        return t()
    raise exc.ArgumentError(f"SQL type (TypeEngine class or instance) expected, got {t!r}")


# ---------------------------------------------------------------------------------------
# DeclarativeBase
# ---------------------------------------------------------------------------------------


class DeclarativeBase:
    """Base for declarative classes: ``class Base(DeclarativeBase): pass``.

    A direct subclass becomes a base with its own ``registry`` and ``metadata`` (take them
    from class attributes ``registry``, ``metadata`` and ``type_annotation_map`` if
    given).  Its subclasses with ``__tablename__`` (or ``__table__``) are mapped as they
    are defined; ``__abstract__ = True`` classes and plain mixins are not.
    """

    registry: ClassVar[registry]
    metadata: ClassVar[MetaData]
    type_annotation_map: ClassVar[dict[Any, Any]]
    __mapper__: ClassVar[Mapper[Any]]
    __table__: ClassVar[FromClause]
    __tablename__: Any
    __mapper_args__: Any
    __table_args__: Any

    if TYPE_CHECKING:

        def __init__(self, **kw: Any) -> None:
            """Set mapped attributes from keywords."""

    def __init_subclass__(cls, **kw: Any) -> None:
        if DeclarativeBase in cls.__bases__:
            _setup_base(cls)
        elif not cls.__dict__.get("__abstract__", False):
            cls.registry.map_declaratively(cls)
        super().__init_subclass__(**kw)


def _setup_base(cls: type) -> None:
    reg = cls.__dict__.get("registry")
    metadata = cls.__dict__.get("metadata")
    tmap = cls.__dict__.get("type_annotation_map")
    if reg is not None:
        if not isinstance(reg, registry):
            raise exc.ArgumentError(f"{cls.__name__}.registry must be a registry, got {reg!r}")
        if metadata is not None and metadata is not reg.metadata:
            raise exc.ArgumentError(
                f"{cls.__name__} declares both 'registry' and a different 'metadata'; "
                "give the MetaData to the registry"
            )
        if tmap:
            reg.update_type_annotation_map(tmap)
    else:
        reg = registry(metadata=metadata, type_annotation_map=tmap)
    cls.registry = reg  # type: ignore[attr-defined]
    cls.metadata = reg.metadata  # type: ignore[attr-defined]
    if "__init__" not in cls.__dict__:
        cls.__init__ = reg.constructor  # type: ignore[misc]


def declarative_base(
    *,
    metadata: MetaData | None = None,
    type_annotation_map: Mapping[Any, Any] | None = None,
    name: str = "Base",
) -> Any:
    """A declarative base class (the pre-2.0 style; ``DeclarativeBase`` is preferred)."""
    return registry(metadata=metadata, type_annotation_map=type_annotation_map).generate_base(name)


# ---------------------------------------------------------------------------------------
# the declarative scan
# ---------------------------------------------------------------------------------------

_SKIP_NAMES = frozenset(
    {
        "__tablename__",
        "__table__",
        "__table_args__",
        "__mapper_args__",
        "__abstract__",
        "__allow_unmapped__",
        "__mapper__",
        "registry",
        "metadata",
        "type_annotation_map",
    }
)


class _Collected:
    __slots__ = ("annotation", "key", "order", "prop", "sort_order")

    def __init__(self, key: str, prop: Any, annotation: Any, order: int, sort_order: int) -> None:
        self.key = key
        self.prop = prop
        self.annotation = annotation
        self.order = order
        self.sort_order = sort_order


class _DeclarativeScan:
    """Reads one declarative class: its attributes, annotations and dunder settings."""

    def __init__(self, reg: registry, cls: type) -> None:
        self.registry = reg
        self.cls = cls

    def map(self) -> Mapper[Any]:
        cls = self.cls
        for base in cls.__mro__[1:]:
            if "_accord_class_manager" in base.__dict__:
                raise exc.InvalidRequestError(
                    f"Class {cls.__name__!r} inherits from mapped class {base.__name__!r}: "
                    "mapped class inheritance is not supported yet"
                )
        table = cls.__dict__.get("__table__")
        tablename = getattr(cls, "__tablename__", None)
        if table is None and tablename is None:
            raise exc.InvalidRequestError(
                f"Class {cls.__name__!r} has no __table__ or __tablename__; set one, or "
                "mark the class __abstract__ = True"
            )
        collected = self._collect()
        if table is None:
            table = self._make_table(str(tablename), collected)
        elif any(isinstance(c.prop, (MappedColumn, Column)) for c in collected):
            raise exc.ArgumentError(
                f"Class {cls.__name__!r} sets __table__ and also declares columns; "
                "put the columns in the Table"
            )
        properties: dict[str, Any] = {}
        for c in collected:
            prop = c.prop
            if isinstance(prop, MappedColumn):
                prop = prop._to_property()
            elif isinstance(prop, Column):
                prop = ColumnProperty(prop)
            properties[c.key] = prop
        mapper_args = dict(getattr(cls, "__mapper_args__", None) or {})
        unknown = set(mapper_args) - MAPPER_ARGS
        if unknown:
            raise exc.ArgumentError(
                f"Unknown __mapper_args__ for {cls.__name__!r}: {', '.join(sorted(unknown))}"
            )
        properties.update(mapper_args.pop("properties", None) or {})
        cls.__table__ = table  # type: ignore[attr-defined]
        mapper: Mapper[Any] = self.registry.map_imperatively(
            cls, table, properties=properties, **mapper_args
        )
        cls.__mapper__ = mapper  # type: ignore[attr-defined]
        return mapper

    # -- collecting attributes ---------------------------------------------------------

    def _collect(self) -> list[_Collected]:
        cls = self.cls
        allow_unmapped = bool(getattr(cls, "__allow_unmapped__", False))
        seen: set[str] = set()
        out: list[_Collected] = []
        order = 0
        for klass in cls.__mro__:
            if klass is object or klass is DeclarativeBase or klass is Generic:
                continue
            if DeclarativeBase in klass.__bases__ and klass is not cls:
                continue  # the declarative base itself holds no columns
            annotations = _own_annotations(klass)
            for name in _names_in_order(klass.__dict__, annotations):
                if name in seen or name in _SKIP_NAMES or name.startswith("__"):
                    continue
                value = klass.__dict__.get(name)
                raw_ann = annotations.get(name)
                if isinstance(value, declared_attr):
                    value = value.fget(cls)
                if isinstance(value, RelationshipProperty):
                    # the annotation may name classes not defined yet: read, not evaluated
                    if raw_ann is not None and value._annotation is None:
                        value._annotation = _relationship_annotation(raw_ann, klass)
                        if _is_write_only(raw_ann):
                            # WriteOnlyMapped["B"]: a write-only collection of B
                            value._annotation = (value._annotation[0], list)
                            value.lazy = "write_only"
                    seen.add(name)
                    out.append(_Collected(name, value, None, order, 0))
                    order += 1
                    continue
                ann = self._resolve_annotation(klass, name, raw_ann) if raw_ann else None
                inner, is_mapped = _unwrap_mapped(ann)
                if ann is not None and typing.get_origin(ann) is ClassVar:
                    continue
                if value is None and name not in klass.__dict__:
                    if not is_mapped:
                        continue  # a plain annotation, not a mapped attribute
                    template = _annotated_template(inner)
                    value = template._copy() if template is not None else MappedColumn()
                elif isinstance(value, MappedColumn):
                    if klass is not cls:
                        value = value._copy()
                    if ann is not None and not is_mapped and not allow_unmapped:
                        raise exc.ArgumentError(
                            f"Type annotation for {cls.__name__}.{name} can't be used with "
                            "mapped_column(): annotate it as Mapped[...] (or set "
                            "__allow_unmapped__ = True)"
                        )
                elif isinstance(value, Column):
                    if klass is not cls:
                        value = value._copy()
                elif isinstance(value, ColumnProperty):
                    pass
                else:
                    continue
                seen.add(name)
                sort_order = value.sort_order if isinstance(value, MappedColumn) else 0
                out.append(
                    _Collected(name, value, inner if is_mapped else None, order, sort_order)
                )
                order += 1
        out.sort(key=lambda c: (c.sort_order, c.order))
        for c in out:
            self._complete(c)
        return out

    def _resolve_annotation(self, klass: type, name: str, ann: Any) -> Any:
        if not isinstance(ann, str):
            return ann
        module = sys.modules.get(klass.__module__)
        globalns = dict(module.__dict__) if module is not None else {}
        localns = dict(klass.__dict__)
        localns.setdefault(self.cls.__name__, self.cls)
        localns.setdefault("Mapped", Mapped)
        try:
            return eval(ann, globalns, localns)  # annotations are code by definition
        except Exception as err:
            if not ann.replace(" ", "").startswith("Mapped["):
                return None  # a non-mapped annotation we need not understand
            raise exc.ArgumentError(
                f"Could not resolve the annotation {ann!r} of {self.cls.__name__}.{name}: {err}"
            ) from None

    def _complete(self, c: _Collected) -> None:
        """Fill in a column's name, type and nullability from the key and annotation."""
        prop = c.prop
        if isinstance(prop, MappedColumn):
            column = prop.column
            inner = c.annotation
            if inner is not None:
                py_type, optional = _strip_optional(inner)
                if not prop._has_type:
                    template = _annotated_template(py_type)
                    sql_type = self.registry._resolve_type(py_type)
                    if sql_type is None and template is not None and template._has_type:
                        sql_type = template.column.type
                    if sql_type is None:
                        raise exc.ArgumentError(
                            f"Could not find a SQL type for Python type {py_type!r} of "
                            f"{self.cls.__name__}.{c.key}: pass one to mapped_column() or "
                            "add it to the type_annotation_map"
                        )
                    column.type = sql_type
                    prop._has_type = True
                if not prop._has_nullable and not column.primary_key:
                    column.nullable = optional
            elif not prop._has_type:
                raise exc.ArgumentError(
                    f"{self.cls.__name__}.{c.key}: mapped_column() needs a SQL type or a "
                    "Mapped[...] annotation to derive one from"
                )
            _name_column(column, c.key)
        elif isinstance(prop, Column):
            _name_column(prop, c.key)
        elif isinstance(prop, ColumnProperty):
            for col in prop.columns:
                if isinstance(col, Column) and col.table is None:
                    _name_column(col, c.key)

    def _make_table(self, tablename: str, collected: list[_Collected]) -> Table:
        cls = self.cls
        columns: list[Column] = []
        for c in collected:
            prop = c.prop
            if isinstance(prop, MappedColumn):
                columns.append(prop.column)
            elif isinstance(prop, Column):
                columns.append(prop)
            elif isinstance(prop, ColumnProperty):
                columns.extend(
                    col for col in prop.columns if isinstance(col, Column) and col.table is None
                )
        args: tuple[Any, ...] = ()
        kwargs: dict[str, Any] = {}
        table_args = getattr(cls, "__table_args__", None)
        if isinstance(table_args, dict):
            kwargs = dict(table_args)
        elif isinstance(table_args, tuple):
            if table_args and isinstance(table_args[-1], dict):
                args, kwargs = table_args[:-1], dict(table_args[-1])
            else:
                args = table_args
        elif table_args is not None:
            raise exc.ArgumentError(
                f"{cls.__name__}.__table_args__ must be a dict or a tuple, got {table_args!r}"
            )
        metadata = getattr(cls, "metadata", None) or self.registry.metadata
        return Table(tablename, metadata, *columns, *args, **kwargs)


def _own_annotations(klass: type) -> dict[str, Any]:
    # Only the class's own annotations (never inherited ones); not evaluated here.
    ann = klass.__dict__.get("__annotations__")  # noqa: RUF063 -- raw strings wanted
    return dict(ann) if isinstance(ann, dict) else {}


def _names_in_order(namespace: Mapping[str, Any], annotations: Mapping[str, Any]) -> list[str]:
    """Class-body names in definition order, annotation-only names in their place."""
    ann_names = list(annotations)
    ann_pos = {n: i for i, n in enumerate(ann_names)}
    out: list[str] = []
    emitted = 0  # how many annotation names have been placed
    for name in namespace:
        if name in ann_pos:
            for pending in ann_names[emitted : ann_pos[name] + 1]:
                if pending not in out:
                    out.append(pending)
            emitted = max(emitted, ann_pos[name] + 1)
        elif name not in out:
            out.append(name)
    for pending in ann_names[emitted:]:
        if pending not in out:
            out.append(pending)
    return out


def _unwrap_mapped(ann: Any) -> tuple[Any, bool]:
    """``Mapped[X]`` -> (X, True); anything else -> (ann, False)."""
    if ann is None:
        return None, False
    origin = typing.get_origin(ann)
    if isinstance(origin, type) and issubclass(origin, Mapped):
        args = typing.get_args(ann)
        return (args[0] if args else None), True
    if ann is Mapped:
        return None, True
    return ann, False


def _strip_optional(py_type: Any) -> tuple[Any, bool]:
    """``Optional[X]`` / ``X | None`` -> (X, True); ``X`` -> (X, False)."""
    origin = typing.get_origin(py_type)
    if origin is typing.Union or origin is types.UnionType:
        args = [a for a in typing.get_args(py_type) if a is not type(None)]
        optional = len(args) < len(typing.get_args(py_type))
        if len(args) == 1:
            return args[0], optional
        return typing.Union[tuple(args)], optional  # noqa: UP007 -- built at runtime
    if origin is typing.Annotated:
        inner, optional = _strip_optional(typing.get_args(py_type)[0])
        if optional:
            params = (inner, *py_type.__metadata__)
            return typing.Annotated[params], True
    return py_type, False


def _annotated_template(py_type: Any) -> MappedColumn[Any] | None:
    """A ``mapped_column()`` given inside ``Annotated[X, mapped_column(...)]``, if any."""
    if py_type is None:
        return None
    py_type, _ = _strip_optional(py_type)
    if typing.get_origin(py_type) is typing.Annotated:
        for meta in py_type.__metadata__:
            if isinstance(meta, MappedColumn):
                return meta
    return None


def _name_column(column: Column, key: str) -> None:
    if not column.name:
        column.name = key
    if not column.key:
        column.key = column.name


_COLLECTIONS: dict[str, Any] = {"list": list, "List": list, "set": set, "Set": set}


def _relationship_annotation(ann: Any, klass: type) -> tuple[Any, Any]:
    """``Mapped[X]`` of a relationship -> (target, collection class or None).

    ``X`` is ``"B"``, ``B``, ``Optional["B"]``, ``B | None``, ``list["B"]`` or ``set["B"]``
    (also written as one string); the target stays a class name to resolve at configure
    time when it is a string.
    """
    if isinstance(ann, str):
        text = ann.strip()
        for prefix in ("Mapped[", "WriteOnlyMapped["):
            if text.startswith(prefix) and text.endswith("]"):
                text = text[len(prefix) : -1].strip()
        return _parse_relationship_text(text)
    inner, is_mapped = _unwrap_mapped(ann)
    if not is_mapped:
        inner = ann
    return _relationship_type(inner)


def _is_write_only(ann: Any) -> bool:
    """Whether a relationship's annotation is ``WriteOnlyMapped[...]``."""
    if isinstance(ann, str):
        return ann.replace(" ", "").startswith("WriteOnlyMapped[")
    return typing.get_origin(ann) is WriteOnlyMapped or ann is WriteOnlyMapped


def _parse_relationship_text(text: str) -> tuple[Any, Any]:
    text = text.strip()
    for prefix in ("Optional[", "typing.Optional["):
        if text.startswith(prefix) and text.endswith("]"):
            return _parse_relationship_text(text[len(prefix) : -1])
    if "|" in text and "[" not in text:
        parts = [p.strip() for p in text.split("|") if p.strip() != "None"]
        if len(parts) == 1:
            return _parse_relationship_text(parts[0])
    for name, coll in _COLLECTIONS.items():
        for prefix in (f"{name}[", f"typing.{name}["):
            if text.startswith(prefix) and text.endswith("]"):
                target, _ = _parse_relationship_text(text[len(prefix) : -1])
                return target, coll
    return text.strip("'\""), None


def _relationship_type(tp: Any) -> tuple[Any, Any]:
    if isinstance(tp, str):
        return _parse_relationship_text(tp)
    if isinstance(tp, typing.ForwardRef):
        return _parse_relationship_text(tp.__forward_arg__)
    stripped, _optional = _strip_optional(tp)
    if stripped is not tp:
        return _relationship_type(stripped)
    origin = typing.get_origin(tp)
    if origin in (list, set):
        args = typing.get_args(tp)
        target, _ = _relationship_type(args[0]) if args else (None, None)
        return target, origin
    return tp, None
