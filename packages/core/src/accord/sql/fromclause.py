"""FROM objects: column collections, tables, aliases, subqueries and joins."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from accord import exc
from accord.sql import operators
from accord.sql.coercions import coerce_where
from accord.sql.elements import ClauseElement, ColumnElement, and_

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from accord.sql.cache_key import KeyContext
    from accord.sql.selectable import Select
    from accord.sql.textual import ColumnClause

__all__ = [
    "Alias",
    "ColumnCollection",
    "FromClause",
    "Join",
    "Subquery",
    "TableClause",
    "alias",
    "join",
    "outerjoin",
    "table",
]


class ColumnCollection:
    """An ordered, keyed collection of columns: ``t.c.name``, ``t.c["name"]``, iteration."""

    __slots__ = ("_all", "_index")

    def __init__(self, columns: Iterable[tuple[str, ColumnElement]] = ()) -> None:
        self._all: list[tuple[str, ColumnElement]] = []
        self._index: dict[str, ColumnElement] = {}
        for key, col in columns:
            self.add(col, key)

    def add(self, column: ColumnElement, key: str | None = None) -> None:
        """Append ``column`` under ``key`` (its own key by default)."""
        key = key if key is not None else column.key
        assert key is not None
        if key in self._index:
            self._all = [(k, c) for k, c in self._all if k != key]
        self._all.append((key, column))
        self._index[key] = column

    def remove(self, column: ColumnElement) -> None:
        """Remove ``column``."""
        self._all = [(k, c) for k, c in self._all if c is not column]
        self._index = dict(self._all)

    def __getattr__(self, key: str) -> Any:
        try:
            return self._index[key]
        except KeyError:
            raise AttributeError(key) from None

    def __getitem__(self, key: str | int) -> Any:
        if isinstance(key, int):
            return self._all[key][1]
        return self._index[key]

    def __contains__(self, key: object) -> bool:
        if isinstance(key, str):
            return key in self._index
        raise exc.ArgumentError("__contains__ requires a string; use contains_column()")

    def contains_column(self, col: ColumnElement) -> bool:
        """True when ``col`` itself is in the collection."""
        return any(c is col for _, c in self._all)

    def get(self, key: str, default: Any = None) -> Any:
        """The column under ``key`` or ``default``."""
        return self._index.get(key, default)

    def keys(self) -> list[str]:
        """Column keys in order."""
        return [k for k, _ in self._all]

    def values(self) -> list[Any]:
        """Columns in order."""
        return [c for _, c in self._all]

    def items(self) -> list[tuple[str, ColumnElement]]:
        """``(key, column)`` pairs in order."""
        return list(self._all)

    def __iter__(self) -> Iterator[Any]:
        return iter([c for _, c in self._all])

    def __len__(self) -> int:
        return len(self._all)

    def __bool__(self) -> bool:
        return bool(self._all)

    def corresponding_column(self, column: ColumnElement) -> ColumnElement | None:
        """The column here that proxies ``column`` (or is it)."""
        for _, c in self._all:
            if c is column:
                return c
        target = column._proxy_set
        for _, c in self._all:
            if c._proxy_set & target:
                return c
        return None

    def __repr__(self) -> str:
        return f"ColumnCollection({', '.join(self.keys())})"


class FromClause(ClauseElement):
    """Anything that can appear in a FROM clause and has columns (``.c``)."""

    __visit_name__ = "fromclause"
    _is_from_clause = True
    is_selectable = True
    named_with_column: ClassVar[bool] = False
    schema: str | None = None

    @property
    def c(self) -> ColumnCollection:
        """The columns of this FROM object."""
        cols = self.__dict__.get("_columns")
        if cols is None:
            cols = self.__dict__["_columns"] = ColumnCollection()
            self._populate_columns(cols)
        return cols

    columns = c

    def _populate_columns(self, cols: ColumnCollection) -> None:
        pass

    @property
    def primary_key(self) -> Any:
        """Primary-key columns."""
        return [c for c in self.c if c.primary_key]

    @property
    def foreign_keys(self) -> set[Any]:
        """ForeignKey objects of the columns."""
        return {fk for c in self.c for fk in c.foreign_keys}

    @property
    def _from_objects(self) -> list[Any]:
        return [self]

    @property
    def _hide_froms(self) -> list[FromClause]:
        return []

    def corresponding_column(self, column: ColumnElement) -> ColumnElement | None:
        """The column of this FROM that corresponds to ``column``."""
        return self.c.corresponding_column(column)

    def select(self) -> Select:
        """``SELECT * columns FROM self``."""
        from accord.sql.selectable import Select

        return Select(self)

    def join(
        self, right: Any, onclause: Any = None, isouter: bool = False, full: bool = False
    ) -> Join:
        """``self JOIN right ON onclause`` (inferred from foreign keys when omitted)."""
        return Join(self, right, onclause, isouter=isouter, full=full)

    def outerjoin(self, right: Any, onclause: Any = None, full: bool = False) -> Join:
        """``self LEFT OUTER JOIN right``."""
        return Join(self, right, onclause, isouter=True, full=full)

    def alias(self, name: str | None = None, flat: bool = False) -> Alias:
        """``self AS name`` (an anonymous name when None)."""
        return Alias(self, name)

    def is_derived_from(self, fromclause: FromClause | None) -> bool:
        """True when this FROM is, or is built on, ``fromclause``."""
        return fromclause is self

    def _deep_tables(self) -> list[FromClause]:
        return [self]

    def _col_key(self, ctx: KeyContext) -> Any:
        return self._gen_cache_key(ctx)


class TableClause(FromClause):
    """A lightweight table: a name and columns, with no MetaData (see ``schema.Table``)."""

    __visit_name__ = "table"
    named_with_column = True
    implicit_returning = True
    fullname: str

    def __init__(self, name: str, *columns: ColumnClause, schema: str | None = None) -> None:
        self.name = name
        self.schema = schema
        self.fullname = f"{schema}.{name}" if schema else name
        self._columns = ColumnCollection()
        for col in columns:
            self.append_column(col)

    def append_column(self, c: ColumnClause) -> None:
        """Add a column to this table."""
        c.table = self
        self._columns.add(c)

    @property
    def description(self) -> str:
        """The table's name."""
        return self.name

    def _gen_cache_key(self, ctx: KeyContext) -> Any:
        # A table is identified by the object itself: two tables with one name in two
        # MetaData collections must not share compiled SQL's result-column objects.
        return ("table", self)

    def insert(self) -> Any:
        """``insert(self)``."""
        from accord.sql.dml import Insert

        return Insert(self)

    def update(self) -> Any:
        """``update(self)``."""
        from accord.sql.dml import Update

        return Update(self)

    def delete(self) -> Any:
        """``delete(self)``."""
        from accord.sql.dml import Delete

        return Delete(self)

    def __repr__(self) -> str:
        return f"TableClause({self.fullname!r})"


def table(name: str, *columns: ColumnClause, schema: str | None = None) -> TableClause:
    """A lightweight table construct."""
    return TableClause(name, *columns, schema=schema)


class Alias(FromClause):
    """A FROM object under another name: ``users AS u``."""

    __visit_name__ = "alias"
    named_with_column = True

    def __init__(self, element: FromClause, name: str | None = None) -> None:
        self.element = element
        self._is_anon = name is None
        self.name = name or "anon"

    @property
    def original(self) -> FromClause:
        """The aliased FROM object (through nested aliases)."""
        el = self.element
        while isinstance(el, Alias):
            el = el.element
        return el

    @property
    def description(self) -> str:
        """The alias name."""
        return self.name

    def _populate_columns(self, cols: ColumnCollection) -> None:
        for key, col in self.element.c.items():
            cols.add(col._make_proxy(self, name=getattr(col, "name", key)), key)

    def is_derived_from(self, fromclause: FromClause | None) -> bool:
        """True for the alias itself and what it aliases."""
        return fromclause is self or self.element.is_derived_from(fromclause)

    @property
    def _from_objects(self) -> list[Any]:
        return [self]

    def _gen_cache_key(self, ctx: KeyContext) -> Any:
        name = ("anon", ctx.anon_id(self)) if self._is_anon else self.name
        return (type(self).__name__, name, self.element._gen_cache_key(ctx))


def alias(selectable: FromClause, name: str | None = None) -> Alias:
    """``selectable AS name``."""
    return selectable.alias(name)


class Subquery(Alias):
    """A SELECT used as a FROM object: ``(SELECT ...) AS name``."""

    __visit_name__ = "subquery"

    def __init__(self, element: Select, name: str | None = None) -> None:
        super().__init__(element, name)  # type: ignore[arg-type]

    def _populate_columns(self, cols: ColumnCollection) -> None:
        for entry in self.element._column_entries():  # type: ignore[attr-defined]
            proxy = entry.element._make_proxy(self, name=entry.name)
            cols.add(proxy, entry.name)

    def select(self) -> Select:
        """``SELECT ... FROM (subquery)``."""
        from accord.sql.selectable import Select

        return Select(self)


class Join(FromClause):
    """``left [LEFT OUTER | FULL OUTER] JOIN right ON onclause``."""

    __visit_name__ = "join"

    def __init__(
        self,
        left: Any,
        right: Any,
        onclause: Any = None,
        isouter: bool = False,
        full: bool = False,
    ) -> None:
        self.left = _coerce_from(left)
        self.right = _coerce_from(right)
        if onclause is None:
            onclause = _join_condition(self.left, self.right)
        self.onclause = coerce_where(onclause).self_group(operators.and_)
        self.isouter = isouter
        self.full = full

    def _populate_columns(self, cols: ColumnCollection) -> None:
        for side in (self.left, self.right):
            for col in side.c:
                tname = getattr(getattr(col, "table", None), "name", None)
                cols.add(col, f"{tname}_{col.key}" if tname else col.key)

    @property
    def _from_objects(self) -> list[Any]:
        return [self, *self.left._from_objects, *self.right._from_objects]

    @property
    def _hide_froms(self) -> list[FromClause]:
        return [*self.left._deep_tables(), *self.right._deep_tables()]

    def _deep_tables(self) -> list[FromClause]:
        return [self, *self.left._deep_tables(), *self.right._deep_tables()]

    def is_derived_from(self, fromclause: FromClause | None) -> bool:
        """True when either side is derived from ``fromclause``."""
        return (
            fromclause is self
            or self.left.is_derived_from(fromclause)
            or self.right.is_derived_from(fromclause)
        )

    def select(self) -> Select:
        """``SELECT`` all columns of both sides ``FROM`` this join."""
        from accord.sql.selectable import Select

        return Select(self.left, self.right).select_from(self)

    def _gen_cache_key(self, ctx: KeyContext) -> Any:
        return (
            "join",
            self.left._gen_cache_key(ctx),
            self.right._gen_cache_key(ctx),
            self.onclause._gen_cache_key(ctx),
            self.isouter,
            self.full,
        )


def join(
    left: Any, right: Any, onclause: Any = None, isouter: bool = False, full: bool = False
) -> Join:
    """``left JOIN right``."""
    return Join(left, right, onclause, isouter=isouter, full=full)


def outerjoin(left: Any, right: Any, onclause: Any = None, full: bool = False) -> Join:
    """``left LEFT OUTER JOIN right``."""
    return Join(left, right, onclause, isouter=True, full=full)


def _coerce_from(obj: Any) -> FromClause:
    ce = getattr(obj, "__clause_element__", None)
    if ce is not None:
        obj = ce()
    if isinstance(obj, FromClause):
        return obj
    if getattr(obj, "_is_select", False) and hasattr(obj, "subquery"):
        return obj.subquery()  # type: ignore[no-any-return]
    # An ORM entity's table, or an ORM column's table.
    table_ = getattr(obj, "__table__", None) or getattr(obj, "local_table", None)
    if isinstance(table_, FromClause):
        return table_
    raise exc.ArgumentError(f"FROM expression expected (a table, join or subquery), got {obj!r}")


def _fks_between(a: FromClause, b: FromClause) -> list[tuple[ColumnElement, ColumnElement]]:
    """Pairs (referenced column in a, referencing column of b)."""
    pairs: list[tuple[ColumnElement, ColumnElement]] = []
    # Column order (not set order) keeps the ON clause deterministic.
    for col in b.c:
        for fk in sorted(col.foreign_keys, key=lambda f: f.target_fullname):
            target = fk.get_referent(a)
            if target is not None:
                pairs.append((target, col))
    return pairs


def _join_condition(a: FromClause, b: FromClause) -> ColumnElement:
    pairs = _fks_between(a, b)
    if not pairs:
        pairs = _fks_between(b, a)
    if not pairs and isinstance(a, Join):
        # join(a, b).join(c): c may relate to either side.
        for side in (a.right, a.left):
            try:
                return _join_condition(side, b)
            except exc.ArgumentError:
                continue
    if not pairs:
        raise exc.ArgumentError(
            f"Can't find any foreign key relationships between "
            f"'{getattr(a, 'description', a)}' and '{getattr(b, 'description', b)}'."
        )
    if len(pairs) > 1 and _distinct_constraints(pairs) > 1:
        raise exc.ArgumentError(
            f"Can't determine join between '{getattr(a, 'description', a)}' and "
            f"'{getattr(b, 'description', b)}'; tables have more than one foreign key "
            "constraint relationship between them. Please specify the 'onclause' of this "
            "join explicitly."
        )
    return and_(*[x == y for x, y in pairs])


def _distinct_constraints(pairs: list[tuple[ColumnElement, ColumnElement]]) -> int:
    seen = set()
    for target, col in pairs:
        for fk in col.foreign_keys:
            if fk.column is target or target._proxy_set & fk.column._proxy_set:
                seen.add(id(fk.constraint))
    return len(seen) or 1
