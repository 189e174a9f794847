"""sqlite ``INSERT ... ON CONFLICT`` (upsert): ``insert()`` with on_conflict_do_update/nothing."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from accord import exc
from accord.sql import coercions
from accord.sql.dml import Insert as StandardInsert
from accord.sql.elements import ClauseElement, ColumnElement
from accord.sql.fromclause import ColumnCollection
from accord.sql.textual import ColumnClause

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from accord.sql.cache_key import KeyContext

__all__ = [
    "Insert",
    "OnConflictDoNothing",
    "OnConflictDoUpdate",
    "insert",
]


class _ExcludedColumn(ColumnClause):
    """``excluded.<name>``: the value the INSERT proposed, inside DO UPDATE."""

    __visit_name__ = "excluded_column"

    def gen_cache_key(self, ctx: KeyContext) -> Any:
        return ("excluded", self.name)


class Insert(StandardInsert):
    """sqlite INSERT with ``on_conflict_do_update()`` / ``on_conflict_do_nothing()``."""

    @property
    def excluded(self) -> ColumnCollection:
        """The proposed row's columns (``excluded.name``), for use in ``set_`` and ``where``."""
        cols = self.__dict__.get("_memo_excluded")
        if cols is None:
            cols = ColumnCollection(
                (c.key, _ExcludedColumn(c.name, type_=c.type)) for c in self.table.c
            )
            self.__dict__["_memo_excluded"] = cols
        return cols

    def on_conflict_do_update(
        self,
        index_elements: Iterable[Any] | None = None,
        index_where: Any = None,
        set_: Mapping[Any, Any] | None = None,
        where: Any = None,
    ) -> Insert:
        """``ON CONFLICT (index_elements) DO UPDATE SET ... [WHERE where]``."""
        clause = OnConflictDoUpdate(index_elements, index_where, set_, where)
        return self.with_post_values_clause(clause)

    def on_conflict_do_nothing(
        self, index_elements: Iterable[Any] | None = None, index_where: Any = None
    ) -> Insert:
        """``ON CONFLICT [(index_elements)] DO NOTHING``."""
        clause = OnConflictDoNothing(index_elements, index_where)
        return self.with_post_values_clause(clause)


class _OnConflictClause(ClauseElement):
    def __init__(self, index_elements: Iterable[Any] | None, index_where: Any) -> None:
        self.index_elements: list[Any] = []
        for e in index_elements or ():
            ce = getattr(e, "__clause_element__", None)
            self.index_elements.append(ce() if ce is not None else e)
        self.index_where = coercions.coerce_where(index_where) if index_where is not None else None

    def target_key(self, ctx: KeyContext) -> tuple[Any, ...]:
        """The cache-key part of the conflict target."""
        return (
            tuple(e if isinstance(e, str) else e.gen_cache_key(ctx) for e in self.index_elements),
            self.index_where.gen_cache_key(ctx) if self.index_where is not None else None,
        )


class OnConflictDoNothing(_OnConflictClause):
    """``ON CONFLICT ... DO NOTHING``."""

    __visit_name__ = "on_conflict_do_nothing"

    def gen_cache_key(self, ctx: KeyContext) -> Any:
        return ("do_nothing", *self.target_key(ctx))


class OnConflictDoUpdate(_OnConflictClause):
    """``ON CONFLICT (...) DO UPDATE SET ... [WHERE ...]``."""

    __visit_name__ = "on_conflict_do_update"

    def __init__(
        self,
        index_elements: Iterable[Any] | None,
        index_where: Any,
        set_: Mapping[Any, Any] | None,
        where: Any,
    ) -> None:
        super().__init__(index_elements, index_where)
        if not self.index_elements:
            raise exc.ArgumentError("on_conflict_do_update() requires index_elements")
        if not set_:
            raise exc.ArgumentError("on_conflict_do_update() requires a non-empty set_")
        self.update_values: list[tuple[Any, ColumnElement]] = []
        for key, value in set_.items():
            ce = getattr(key, "__clause_element__", None)
            key = ce() if ce is not None else key
            name = key if isinstance(key, str) else key.key
            self.update_values.append((name, coercions.coerce_expression(value)))
        self.update_whereclause = coercions.coerce_where(where) if where is not None else None

    def gen_cache_key(self, ctx: KeyContext) -> Any:
        return (
            "do_update",
            *self.target_key(ctx),
            tuple((k, v.gen_cache_key(ctx)) for k, v in self.update_values),
            self.update_whereclause.gen_cache_key(ctx)
            if self.update_whereclause is not None
            else None,
        )


def insert(table: Any) -> Insert:
    """A sqlite INSERT that supports ``ON CONFLICT`` clauses."""
    return Insert(table)
