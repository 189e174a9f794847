"""Mapped properties: ColumnProperty, mapped_column(), deferred(), column_property()."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from accord import exc
from accord.orm.base import SQLOperators, _DeclarativeMapped
from accord.sql import Column, ColumnElement, NullType

if TYPE_CHECKING:
    from accord.orm.attributes import AttributeImpl, InstrumentedAttribute
    from accord.orm.mapper import Mapper

__all__ = [
    "ColumnProperty",
    "MappedColumn",
    "MapperProperty",
    "column_property",
    "deferred",
    "mapped_column",
]

_T = TypeVar("_T")

# "argument not given" for keywords whose None is meaningful
_NOT_GIVEN: Any = type("_NotGiven", (), {"__repr__": lambda self: "<not given>"})()


class MapperProperty:
    """A mapped attribute of a class as the Mapper sees it (base of ColumnProperty)."""

    __slots__ = ()

    is_column_property = False
    is_relationship = False

    if TYPE_CHECKING:
        key: str
        parent: Mapper[Any] | None
        info: dict[Any, Any]

    @property
    def expression(self) -> Any:
        """The SQL expression the attribute stands for in statements."""
        raise NotImplementedError

    def _create_impl(self, class_: type, attr: InstrumentedAttribute[Any]) -> AttributeImpl:
        raise NotImplementedError


class ColumnProperty(_DeclarativeMapped[_T], MapperProperty):
    """An attribute backed by one or more columns, or by a SQL expression (read-only).

    ``deferred=True`` leaves it out of the object's SELECT; it loads on first access
    (together with the other unloaded members of its ``group``).
    """

    __slots__ = (
        "_expression",
        "_is_sql_expression",
        "active_history",
        "columns",
        "deferred",
        "doc",
        "expire_on_flush",
        "group",
        "info",
        "key",
        "parent",
        "raiseload",
    )

    is_column_property = True
    is_relationship = False

    def __init__(
        self,
        column: Any,
        *additional_columns: Any,
        deferred: bool = False,
        group: str | None = None,
        raiseload: bool = False,
        active_history: bool = False,
        expire_on_flush: bool = True,
        info: dict[Any, Any] | None = None,
        doc: str | None = None,
    ) -> None:
        self.columns: list[Any] = [_coerce_column(c) for c in (column, *additional_columns)]
        self.deferred = deferred or raiseload
        self.group = group
        self.raiseload = raiseload
        self.active_history = active_history
        self.expire_on_flush = expire_on_flush
        self.info: dict[Any, Any] = info if info is not None else {}
        self.doc = doc
        self.key = ""
        self.parent: Mapper[Any] | None = None
        # Plain table columns are written by flush; other expressions are only selected.
        self._is_sql_expression = not isinstance(self.columns[0], Column)
        self._expression: Any = self.columns[0]

    @property
    def expression(self) -> Any:
        """The column this attribute stands for, or its SQL expression labelled by the key."""
        return self._expression

    def _set_key(self, key: str) -> None:
        self.key = key
        if self._is_sql_expression:
            # Selected as "<expr> AS <key>"; in WHERE / ORDER BY the compiler renders the
            # expression itself when the label is not in the SELECT list.
            self._expression = self.columns[0].label(key)

    @property
    def columns_to_write(self) -> list[Column]:
        """Table columns flush writes for this attribute (none for a SQL expression)."""
        return [c for c in self.columns if isinstance(c, Column)]

    def _create_impl(self, class_: type, attr: InstrumentedAttribute[Any]) -> AttributeImpl:
        from accord.orm.attributes import ScalarAttributeImpl

        return ScalarAttributeImpl(
            class_, self.key, attr.dispatch, active_history=self.active_history
        )

    def __clause_element__(self) -> Any:
        return self._expression

    def __repr__(self) -> str:
        owner = self.parent.class_.__name__ + "." if self.parent is not None else ""
        return f"<ColumnProperty {owner}{self.key}>"


def _coerce_column(c: Any) -> Any:
    if isinstance(c, MappedColumn):
        return c.column
    ce = getattr(c, "__clause_element__", None)
    if ce is not None and not isinstance(c, ColumnElement):
        c = ce()
    if not isinstance(c, ColumnElement):
        raise exc.ArgumentError(f"Column or SQL expression expected, got {c!r}")
    return c


class MappedColumn(SQLOperators, _DeclarativeMapped[_T]):
    """What ``mapped_column()`` returns: a Column plus ORM options, placed in a class body.

    The Column exists at once (so class-body expressions can use it); declarative fills in
    its name from the attribute, and its type and nullability from the ``Mapped[...]``
    annotation where they were not given.
    """

    __slots__ = (
        "_has_nullable",
        "_has_type",
        "active_history",
        "column",
        "deferred",
        "deferred_group",
        "deferred_raiseload",
        "sort_order",
    )

    def __init__(self, *args: Any, **kw: Any) -> None:
        self.deferred: bool = bool(kw.pop("deferred", False))
        self.deferred_group: str | None = kw.pop("deferred_group", None)
        self.deferred_raiseload: bool = bool(kw.pop("deferred_raiseload", False))
        self.active_history: bool = bool(kw.pop("active_history", False))
        self.sort_order: int = kw.pop("sort_order", 0)
        if self.deferred_group is not None or self.deferred_raiseload:
            self.deferred = True
        nullable = kw.pop("nullable", _NOT_GIVEN)
        self._has_nullable = nullable is not _NOT_GIVEN
        if self._has_nullable:
            kw["nullable"] = nullable
        self.column = Column(*args, **kw)
        self._has_type = not isinstance(self.column.type, NullType)

    def _copy(self) -> MappedColumn[_T]:
        """A copy with a fresh Column (for a column declared on a mixin)."""
        new = MappedColumn.__new__(MappedColumn)
        for name in MappedColumn.__slots__:
            setattr(new, name, getattr(self, name))
        new.column = self.column._copy()
        return new

    def _to_property(self) -> ColumnProperty[_T]:
        return ColumnProperty(
            self.column,
            deferred=self.deferred,
            group=self.deferred_group,
            raiseload=self.deferred_raiseload,
            active_history=self.active_history,
        )

    def __clause_element__(self) -> Any:
        return self.column

    def __repr__(self) -> str:
        return f"<MappedColumn {self.column!r}>"


def mapped_column(
    __name_pos: Any = None,
    __type_pos: Any = None,
    *args: Any,
    name: str | None = None,
    type_: Any = None,
    primary_key: bool = False,
    nullable: Any = _NOT_GIVEN,
    default: Any = None,
    insert_default: Any = None,
    server_default: Any = None,
    onupdate: Any = None,
    server_onupdate: Any = None,
    index: bool | None = None,
    unique: bool | None = None,
    autoincrement: Any = "auto",
    deferred: bool = False,
    deferred_group: str | None = None,
    deferred_raiseload: bool = False,
    active_history: bool = False,
    key: str | None = None,
    comment: str | None = None,
    doc: str | None = None,
    info: dict[Any, Any] | None = None,
    sort_order: int = 0,
    **kw: Any,
) -> MappedColumn[Any]:
    """Declare a mapped column in a declarative class body.

    Positional arguments: an optional column name, an optional type, then schema items
    such as ``ForeignKey(...)``.  Type and nullability come from the ``Mapped[...]``
    annotation when not given (``Optional[X]`` / ``X | None`` means nullable).
    """
    positional: list[Any] = []
    for arg in (__name_pos, __type_pos):
        if arg is not None:
            positional.append(arg)
    positional.extend(args)
    col_kw: dict[str, Any] = {
        "primary_key": primary_key,
        "index": index,
        "unique": unique,
        "autoincrement": autoincrement,
        "comment": comment,
        "doc": doc,
        "info": info if info is not None else {},
        "deferred": deferred,
        "deferred_group": deferred_group,
        "deferred_raiseload": deferred_raiseload,
        "active_history": active_history,
        "sort_order": sort_order,
        **kw,
    }
    if name is not None:
        col_kw["name"] = name
    if type_ is not None:
        col_kw["type_"] = type_
    if key is not None:
        col_kw["key"] = key
    if nullable is not _NOT_GIVEN:
        col_kw["nullable"] = nullable
    for k, v in (
        ("default", default),
        ("insert_default", insert_default),
        ("server_default", server_default),
        ("onupdate", onupdate),
        ("server_onupdate", server_onupdate),
    ):
        if v is not None:
            col_kw[k] = v
    return MappedColumn(*positional, **col_kw)


def column_property(
    column: Any,
    *additional_columns: Any,
    deferred: bool = False,
    group: str | None = None,
    raiseload: bool = False,
    active_history: bool = False,
    expire_on_flush: bool = True,
    info: dict[Any, Any] | None = None,
    doc: str | None = None,
) -> ColumnProperty[Any]:
    """Map a column, or a SQL expression loaded with the object (read-only)."""
    return ColumnProperty(
        column,
        *additional_columns,
        deferred=deferred,
        group=group,
        raiseload=raiseload,
        active_history=active_history,
        expire_on_flush=expire_on_flush,
        info=info,
        doc=doc,
    )


def deferred(
    column: Any,
    *additional_columns: Any,
    group: str | None = None,
    raiseload: bool = False,
    active_history: bool = False,
    expire_on_flush: bool = True,
    info: dict[Any, Any] | None = None,
    doc: str | None = None,
) -> ColumnProperty[Any]:
    """A column property that is not loaded with the object, only on first access."""
    return ColumnProperty(
        column,
        *additional_columns,
        deferred=True,
        group=group,
        raiseload=raiseload,
        active_history=active_history,
        expire_on_flush=expire_on_flush,
        info=info,
        doc=doc,
    )
