"""INSERT, UPDATE and DELETE statements."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from accord import exc
from accord.sql.coercions import coerce_expression, coerce_where
from accord.sql.elements import BindParameter, ClauseElement, ColumnElement, Executable, and_
from accord.sql.fromclause import FromClause, _coerce_from
from accord.sql.selectable import ReturnsRows, _ce, _coerce_select_item

if TYPE_CHECKING:
    from accord.sql.cache_key import KeyContext

__all__ = [
    "Delete",
    "Insert",
    "Update",
    "UpdateBase",
    "ValuesBase",
    "delete",
    "insert",
    "update",
]


class UpdateBase(Executable, ClauseElement):
    """Base of INSERT, UPDATE and DELETE: the target table and RETURNING."""

    is_dml = True
    _returning: tuple[ColumnElement, ...] = ()
    _return_defaults: bool = False
    _return_defaults_columns: tuple[ColumnElement, ...] = ()
    _where_criteria: tuple[ColumnElement, ...] = ()
    _inline: bool = False
    _prefixes: tuple[str, ...] = ()
    # what returning() was given (an ORM entity stays an entity: the Session returns objects)
    _returning_raw: tuple[Any, ...] = ()

    def __init__(self, table: Any) -> None:
        self.table: FromClause = _coerce_from(table)
        # the argument as given: an ORM entity also names columns by its attribute keys
        self._raw_table = table

    def returning(self, *cols: Any) -> Any:
        """Add RETURNING columns (tables expand to their columns)."""
        new = self._generate()
        out: list[ColumnElement] = []
        for c in cols:
            item = _coerce_select_item(c)
            if isinstance(item, FromClause):
                out.extend(item.c)
            else:
                out.append(item)
        new._returning = self._returning + tuple(out)
        new._returning_raw = self._returning_raw + cols
        return new

    def return_defaults(self, *cols: Any) -> Any:
        """Fetch server-generated values (primary key, server defaults) where supported."""
        new = self._generate()
        new._return_defaults = True
        new._return_defaults_columns = self._return_defaults_columns + tuple(
            coerce_expression(_ce(c)) for c in cols
        )
        return new

    def prefix_with(self, *prefixes: str) -> Any:
        """Text placed after the INSERT/UPDATE/DELETE keyword."""
        new = self._generate()
        new._prefixes = self._prefixes + prefixes
        return new

    @property
    def entity_description(self) -> dict[str, Any]:
        """The target table, described."""
        return {"name": getattr(self.table, "name", None), "table": self.table, "entity": None}

    @property
    def _from_objects(self) -> list[Any]:
        return [self.table]

    def _returning_entries(self) -> Any:
        from accord.sql.selectable import _name_columns

        return _name_columns(list(self._returning), "disambiguate_only")

    def _column_entries(self) -> Any:
        return self._returning_entries()

    def _base_key(self, ctx: KeyContext) -> tuple[Any, ...]:
        return (
            type(self).__name__,
            self.table._gen_cache_key(ctx),
            tuple(c._gen_cache_key(ctx) for c in self._returning),
            self._return_defaults,
            tuple(c._gen_cache_key(ctx) for c in self._return_defaults_columns),
            tuple(c._gen_cache_key(ctx) for c in self._where_criteria),
            self._inline,
            self._prefixes,
        )

    def exported_columns(self) -> Any:
        """The RETURNING columns."""
        return list(self._returning)


def _values_key(value: Any, ctx: KeyContext) -> Any:
    return value._gen_cache_key(ctx)


class ValuesBase(UpdateBase):
    """INSERT/UPDATE with a ``values()`` clause."""

    _values: dict[Any, ColumnElement] | None = None
    _multi_values: tuple[list[dict[Any, ColumnElement]], ...] = ()
    _select_names: tuple[Any, ...] | None = None
    _select: Any = None

    def _coerce_key(self, key: Any) -> Any:
        key = _ce(key)
        if isinstance(key, str):
            if key not in self.table.c:
                col = self._attribute_column(key)
                if col is not None:
                    return col
                raise exc.CompileError(
                    f"Unconsumed column names: {key} (table '{getattr(self.table, 'name', '')}' "
                    "has no such column)"
                )
            return self.table.c[key]
        if isinstance(key, ColumnElement):
            return key
        raise exc.ArgumentError(f"Column key expected in values(), got {key!r}")

    def _attribute_column(self, key: str) -> Any:
        """The column an ORM entity's attribute ``key`` stands for (its column may be named
        otherwise), or None."""
        raw = self._raw_table
        if isinstance(raw, FromClause):
            return None
        clause_element = getattr(getattr(raw, key, None), "__clause_element__", None)
        if clause_element is None:
            return None
        col = clause_element()
        return col if self.table.c.contains_column(col) else None

    def _coerce_value(self, col: Any, value: Any, name: str | None = None) -> ColumnElement:
        value = _ce(value)
        if isinstance(value, ClauseElement):
            if isinstance(value, ReturnsRows):
                return value.scalar_subquery()
            return coerce_expression(value)
        return BindParameter(name or col.key, value, type_=col.type, required=False)

    def values(self, *args: Any, **kwargs: Any) -> Any:
        """Values for the statement: ``values(a=1)``, ``values({...})`` or a list of dicts."""
        new = self._generate()
        if (
            args
            and isinstance(args[0], (list, tuple))
            and args[0]
            and isinstance(args[0][0], Mapping)
        ):
            if kwargs or len(args) > 1:
                raise exc.ArgumentError("Can't pass keyword values together with a list of rows")
            if not isinstance(self, Insert):
                raise exc.ArgumentError("Multiple-row values() is only supported by INSERT")
            if self._values:
                raise exc.InvalidRequestError(
                    "This construct already has single-row values; can't add a list of rows"
                )
            start = sum(len(r) for r in self._multi_values)
            rows = []
            for i, row in enumerate(args[0], start):
                coerced: dict[Any, ColumnElement] = {}
                for k, v in row.items():
                    col = self._coerce_key(k)
                    coerced[col] = self._coerce_value(col, v, f"{col.key}_m{i}")
                rows.append(coerced)
            new._multi_values = (*self._multi_values, rows)
            return new
        given: dict[Any, Any] = {}
        for a in args:
            if isinstance(a, Mapping):
                given.update(a)
            elif isinstance(a, (list, tuple)) and isinstance(self, Insert):
                cols = list(self.table.c)
                given.update({c: v for c, v in zip(cols, a, strict=False)})
            else:
                raise exc.ArgumentError(f"values() expects a mapping, got {a!r}")
        given.update(kwargs)
        if self._multi_values:
            raise exc.InvalidRequestError(
                "This construct already has multiple-row values; can't add single values"
            )
        values = dict(self._values or {})
        for k, v in given.items():
            col = self._coerce_key(k)
            values[col] = self._coerce_value(col, v)
        new._values = values
        return new

    def _values_cache_key(self, ctx: KeyContext) -> Any:
        single = (
            tuple((_col_key(c), v._gen_cache_key(ctx)) for c, v in self._values.items())
            if self._values
            else None
        )
        multi = tuple(
            tuple(
                tuple((_col_key(c), v._gen_cache_key(ctx)) for c, v in row.items()) for row in rows
            )
            for rows in self._multi_values
        )
        return single, multi


def _col_key(col: Any) -> Any:
    return getattr(col, "key", col)


_InsertT = TypeVar("_InsertT", bound="Insert")


class Insert(ValuesBase):
    """``INSERT INTO table (...) VALUES (...)``; many rows via ``values([...])`` or executemany."""

    __visit_name__ = "insert"
    is_insert = True
    _post_values_clause: ClauseElement | None = None

    @property
    def post_values_clause(self) -> ClauseElement | None:
        """The dialect clause rendered after VALUES (ON CONFLICT ...), or None."""
        return self._post_values_clause

    def with_post_values_clause(self: _InsertT, clause: ClauseElement | None) -> _InsertT:
        """A copy with ``clause`` (ON CONFLICT ...) after VALUES: the dialect upsert hook."""
        new: _InsertT = self._generate()
        new._post_values_clause = clause
        return new

    @property
    def select(self) -> Any:
        """The SELECT given to ``from_select()``, or None for an INSERT with VALUES."""
        return self._select

    def from_select(
        self, names: Sequence[Any], select: Any, include_defaults: bool = True
    ) -> Insert:
        """``INSERT INTO table (names) SELECT ...``."""
        new: Insert = self._generate()
        new._select_names = tuple(self._coerce_key(n) for n in names)
        new._select = select
        return new

    def inline(self) -> Insert:
        """Don't fetch Python-side defaults' values back (compatibility: a no-op flag)."""
        new: Insert = self._generate()
        new._inline = True
        return new

    def _gen_cache_key(self, ctx: KeyContext) -> Any:
        return (
            *self._base_key(ctx),
            self._values_cache_key(ctx),
            tuple(_col_key(c) for c in self._select_names) if self._select_names else None,
            self._select._gen_cache_key(ctx) if self._select is not None else None,
            type(self).__qualname__,
            post._gen_cache_key(ctx) if (post := self._post_values_clause) is not None else None,
        )


class _WhereMixin:
    def where(self, *whereclause: Any) -> Any:
        """Add WHERE criteria (joined by AND)."""
        new = self._generate()  # type: ignore[attr-defined]
        new._where_criteria = self._where_criteria + tuple(  # type: ignore[attr-defined]
            coerce_where(w) for w in whereclause
        )
        return new

    filter = where

    def filter_by(self, **kwargs: Any) -> Any:
        """WHERE ``column == value`` on the target table."""
        table = self.table  # type: ignore[attr-defined]
        return self.where(*[table.c[k] == v for k, v in kwargs.items()])

    @property
    def whereclause(self) -> ColumnElement | None:
        """The WHERE criteria as one expression, or None."""
        crit = self._where_criteria  # type: ignore[attr-defined]
        return and_(*crit) if crit else None


class Update(_WhereMixin, ValuesBase):
    """``UPDATE table SET ... WHERE ...``."""

    __visit_name__ = "update"
    is_update = True
    _ordered_values: tuple[tuple[Any, ColumnElement], ...] | None = None

    def ordered_values(self, *args: tuple[Any, Any]) -> Update:
        """SET values in this order."""
        new: Update = self._generate()
        pairs = [(self._coerce_key(k), v) for k, v in args]
        new._values = {k: self._coerce_value(k, v) for k, v in pairs}
        new._ordered_values = tuple(new._values.items())
        return new

    def inline(self) -> Update:
        """Compatibility flag (a no-op)."""
        new: Update = self._generate()
        new._inline = True
        return new

    def _gen_cache_key(self, ctx: KeyContext) -> Any:
        return (*self._base_key(ctx), self._values_cache_key(ctx))


class Delete(_WhereMixin, UpdateBase):
    """``DELETE FROM table WHERE ...``."""

    __visit_name__ = "delete"
    is_delete = True

    def _gen_cache_key(self, ctx: KeyContext) -> Any:
        return self._base_key(ctx)


def insert(table: Any) -> Insert:
    """An INSERT into ``table``."""
    return Insert(table)


def update(table: Any) -> Update:
    """An UPDATE of ``table``."""
    return Update(table)


def delete(table: Any) -> Delete:
    """A DELETE from ``table``."""
    return Delete(table)
