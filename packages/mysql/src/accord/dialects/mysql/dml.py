"""MySQL's ``insert()`` with ``on_duplicate_key_update()`` and the ``inserted`` namespace."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from accord import exc
from accord.sql import coercions, dml
from accord.sql.elements import ClauseElement, ColumnElement

if TYPE_CHECKING:
    from accord.sql.cache_key import KeyContext

__all__ = [
    "Insert",
    "InsertedColumn",
    "InsertedColumns",
    "OnDuplicateClause",
    "insert",
]


class InsertedColumn(ColumnElement):
    """The value a column would have had in the row being inserted: ``VALUES(col)``."""

    __visit_name__ = "mysql_inserted_column"

    def __init__(self, column: Any) -> None:
        self.column = column
        self.key = column.key
        self.type = column.type

    def gen_cache_key(self, ctx: KeyContext) -> Any:
        return ("mysql_inserted", self.column.gen_cache_key(ctx))


class InsertedColumns:
    """``stmt.inserted.<name>`` / ``stmt.inserted["name"]``: the row being inserted."""

    def __init__(self, table: Any) -> None:
        self._table = table

    def __getattr__(self, key: str) -> InsertedColumn:
        if key.startswith("__"):
            raise AttributeError(key)
        return self[key]

    def __getitem__(self, key: str) -> InsertedColumn:
        try:
            column = self._table.c[key]
        except KeyError:
            raise AttributeError(
                f"Table '{getattr(self._table, 'name', '')}' has no column {key!r}"
            ) from None
        return InsertedColumn(column)

    def __contains__(self, key: str) -> bool:
        return key in self._table.c

    def __iter__(self) -> Iterator[InsertedColumn]:
        return (InsertedColumn(c) for c in self._table.c)


class OnDuplicateClause(ClauseElement):
    """``ON DUPLICATE KEY UPDATE col = value, ...`` attached to an INSERT."""

    __visit_name__ = "on_duplicate_key_update"

    def __init__(self, table: Any, update: list[tuple[Any, Any]]) -> None:
        if not update:
            raise exc.ArgumentError("on_duplicate_key_update() needs at least one column")
        pairs: list[tuple[Any, ColumnElement]] = []
        for key, value in update:
            column = _column_of(table, key)
            pairs.append((column, coercions.coerce_expression(value, column.type)))
        self.update = pairs

    def gen_cache_key(self, ctx: KeyContext) -> Any:
        return (
            "on_duplicate",
            tuple((c.key, v.gen_cache_key(ctx)) for c, v in self.update),
        )


def _column_of(table: Any, key: Any) -> Any:
    if isinstance(key, str):
        if key not in table.c:
            raise exc.ArgumentError(
                f"on_duplicate_key_update(): table '{getattr(table, 'name', '')}' has no "
                f"column {key!r}"
            )
        return table.c[key]
    column = getattr(key, "__clause_element__", lambda: key)()
    if getattr(column, "table", None) is not table:
        raise exc.ArgumentError(
            f"on_duplicate_key_update(): {column!r} is not a column of the inserted table"
        )
    return column


class Insert(dml.Insert):
    """An INSERT that can also say what to update when a unique key already exists."""

    @property
    def inserted(self) -> InsertedColumns:
        """The row this INSERT proposes, for use in ``on_duplicate_key_update()`` values."""
        return InsertedColumns(self.table)

    def on_duplicate_key_update(self, *args: Any, **kwargs: Any) -> Insert:
        """Add ``ON DUPLICATE KEY UPDATE``.

        Accepts keyword arguments (``n=stmt.inserted.n``), one dict, or one list of
        ``(column, value)`` tuples (the order of the SET list is kept). Keys are column
        names or columns; values are Python values (bound) or SQL expressions.
        """
        if args and kwargs:
            raise exc.ArgumentError(
                "on_duplicate_key_update() takes keyword arguments or one positional "
                "argument, not both"
            )
        if len(args) > 1:
            raise exc.ArgumentError("on_duplicate_key_update() takes one positional argument")
        if self.post_values_clause is not None:
            raise exc.InvalidRequestError(
                "This Insert already has an ON DUPLICATE KEY UPDATE clause"
            )
        if args:
            given = args[0]
            if isinstance(given, Mapping):
                pairs = list(given.items())
            elif isinstance(given, (list, tuple)) and all(
                isinstance(p, tuple) and len(p) == 2 for p in given
            ):
                pairs = list(given)
            else:
                raise exc.ArgumentError(
                    "on_duplicate_key_update() expects a dict or a list of (column, value) "
                    f"tuples, got {given!r}"
                )
        else:
            pairs = list(kwargs.items())
        return self.with_post_values_clause(OnDuplicateClause(self.table, pairs))


def insert(table: Any) -> Insert:
    """A MySQL INSERT into ``table`` (supports ``on_duplicate_key_update()``)."""
    return Insert(table)
