"""PostgreSQL ``insert()`` with ``ON CONFLICT DO UPDATE`` / ``DO NOTHING`` (upsert)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from accord import exc
from accord.sql import ClauseElement, and_, literal
from accord.sql import Insert as StandardInsert

if TYPE_CHECKING:
    from accord.sql.cache_key import KeyContext

__all__ = ["Insert", "OnConflictClause", "OnConflictDoNothing", "OnConflictDoUpdate", "insert"]


def _key_of(element: Any, ctx: KeyContext) -> Any:
    if element is None:
        return None
    if isinstance(element, str):
        return element
    return element.gen_cache_key(ctx)


class OnConflictClause(ClauseElement):
    """The conflict target shared by both ON CONFLICT actions."""

    def __init__(
        self,
        constraint: Any = None,
        index_elements: Iterable[Any] | None = None,
        index_where: Any = None,
    ) -> None:
        if constraint is not None and not isinstance(constraint, str):
            # A constraint object: its name is the target, else its columns are.
            name = getattr(constraint, "name", None)
            if name is None:
                if index_elements is not None:
                    raise exc.ArgumentError(
                        "'constraint' and 'index_elements' are mutually exclusive"
                    )
                cols = getattr(constraint, "expressions", None) or getattr(
                    constraint, "columns", None
                )
                if not cols:
                    raise exc.ArgumentError(
                        f"Can't use {constraint!r} as a conflict target: it has no name"
                    )
                index_elements = list(cols)
                options = getattr(constraint, "dialect_kwargs", None) or {}
                index_where = options.get("postgresql_where", index_where)
                constraint = None
            else:
                constraint = name
        if constraint is not None and (index_elements is not None or index_where is not None):
            raise exc.ArgumentError(
                "'constraint' and 'index_elements'/'index_where' are mutually exclusive"
            )
        self.constraint_target: str | None = constraint
        self.index_elements: tuple[Any, ...] | None = (
            tuple(_clause(e) for e in index_elements) if index_elements is not None else None
        )
        self.index_where: Any = index_where

    def _target_key(self, ctx: KeyContext) -> tuple[Any, ...]:
        return (
            type(self).__name__,
            self.constraint_target,
            tuple(_key_of(e, ctx) for e in self.index_elements or ()),
            _key_of(self.index_where, ctx),
        )


def _clause(element: Any) -> Any:
    clause_element = getattr(element, "__clause_element__", None)
    return clause_element() if clause_element is not None else element


class OnConflictDoNothing(OnConflictClause):
    """``ON CONFLICT [target] DO NOTHING``."""

    __visit_name__ = "on_conflict_do_nothing"

    def gen_cache_key(self, ctx: KeyContext) -> Any:
        return self._target_key(ctx)


class OnConflictDoUpdate(OnConflictClause):
    """``ON CONFLICT target DO UPDATE SET ... [WHERE ...]``."""

    __visit_name__ = "on_conflict_do_update"

    def __init__(
        self,
        table: Any,
        constraint: Any = None,
        index_elements: Iterable[Any] | None = None,
        index_where: Any = None,
        set_: Mapping[Any, Any] | None = None,
        where: Any = None,
    ) -> None:
        super().__init__(constraint, index_elements, index_where)
        if self.constraint_target is None and not self.index_elements:
            raise exc.ArgumentError(
                "on_conflict_do_update() needs either 'constraint' or 'index_elements'"
            )
        if not set_ or not isinstance(set_, Mapping):
            raise exc.ArgumentError("on_conflict_do_update() needs a non-empty dict in 'set_'")
        values: list[tuple[Any, Any]] = []
        for key, value in set_.items():
            key = _clause(key)  # an ORM attribute names its column
            name = key if isinstance(key, str) else getattr(key, "key", None)
            if name is None or name not in table.c:
                raise exc.ArgumentError(
                    f"on_conflict_do_update(): {key!r} is not a column of table "
                    f"'{getattr(table, 'name', table)}'"
                )
            col = table.c[name]
            if hasattr(value, "__clause_element__"):
                value = value.__clause_element__()
            if not isinstance(value, ClauseElement):
                value = literal(value, type_=col.type)
            values.append((col, value))
        self.update_values: list[tuple[Any, Any]] = values
        self.update_whereclause: Any = and_(where) if where is not None else None

    def gen_cache_key(self, ctx: KeyContext) -> Any:
        return (
            *self._target_key(ctx),
            tuple((col.key, value.gen_cache_key(ctx)) for col, value in self.update_values),
            _key_of(self.update_whereclause, ctx),
        )


class Insert(StandardInsert):
    """An INSERT that can end in ``ON CONFLICT ...``; build it with ``insert(table)``."""

    @property
    def excluded(self) -> Any:
        """The row proposed for insertion, as ``excluded.<column>`` in DO UPDATE."""
        cached = self.__dict__.get("_excluded")
        if cached is None:
            cached = self.__dict__["_excluded"] = self.table.alias("excluded")
        return cached.c

    def on_conflict_do_update(
        self,
        constraint: Any = None,
        index_elements: Iterable[Any] | None = None,
        index_where: Any = None,
        set_: Mapping[Any, Any] | None = None,
        where: Any = None,
    ) -> Insert:
        """On a unique violation of the target, update the existing row with ``set_``.

        The target is a constraint (name or object) or the columns/expressions of a
        unique index, with ``index_where`` for a partial index. ``where`` limits which
        conflicting rows are updated.
        """
        self._check_no_conflict_clause()
        return self.with_post_values_clause(
            OnConflictDoUpdate(self.table, constraint, index_elements, index_where, set_, where)
        )

    def on_conflict_do_nothing(
        self,
        constraint: Any = None,
        index_elements: Iterable[Any] | None = None,
        index_where: Any = None,
    ) -> Insert:
        """Skip rows that would violate the target (or any unique constraint if none given)."""
        self._check_no_conflict_clause()
        return self.with_post_values_clause(
            OnConflictDoNothing(constraint, index_elements, index_where)
        )

    def _check_no_conflict_clause(self) -> None:
        if self.post_values_clause is not None:
            raise exc.InvalidRequestError(
                "This Insert construct already has an ON CONFLICT clause"
            )


def insert(table: Any) -> Insert:
    """A PostgreSQL ``INSERT`` into ``table`` offering ``on_conflict_do_update/nothing``."""
    return Insert(table)
