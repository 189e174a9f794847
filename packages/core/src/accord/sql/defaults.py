"""Column defaults: Python-side (ColumnDefault), server-side (DefaultClause, FetchedValue,
Identity, Computed) and Sequence."""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, Any

from accord import exc
from accord.sql.coercions import coerce_expression
from accord.sql.elements import ClauseElement, ColumnElement
from accord.sql.textual import TextClause

if TYPE_CHECKING:
    from collections.abc import Callable

    from accord.sql.schema import Column, MetaData

__all__ = [
    "ColumnDefault",
    "Computed",
    "DefaultClause",
    "DefaultGenerator",
    "FetchedValue",
    "Identity",
    "SchemaItem",
    "Sequence",
]


class SchemaItem:
    """Base of schema objects that attach to a Table or Column."""

    info: dict[str, Any]

    def _set_parent(self, parent: Any) -> None:
        raise NotImplementedError


class DefaultGenerator(SchemaItem):
    """Base of column defaults, Python-side and server-side."""

    is_sequence = False
    is_server_default = False
    is_scalar = False
    is_callable = False
    is_clause_element = False
    is_identity = False
    is_computed = False
    for_update = False
    column: Column | None = None

    def _set_parent(self, parent: Any) -> None:
        self.column = parent
        if self.for_update:
            if self.is_server_default:
                parent.server_onupdate = self
            else:
                parent.onupdate = self
        elif self.is_server_default:
            parent.server_default = self
        else:
            parent.default = self


class ColumnDefault(DefaultGenerator):
    """A Python-side default (``Column(default=...)``): a scalar, callable or SQL expression.

    Callables are normalised to take one argument, the execution context.
    """

    def __init__(self, arg: Any, for_update: bool = False) -> None:
        self.for_update = for_update
        if isinstance(arg, FetchedValue):
            raise exc.ArgumentError("ColumnDefault may not be a server-side default")
        if (
            callable(arg)
            and not isinstance(arg, ClauseElement)
            and not hasattr(arg, "__clause_element__")
        ):
            self.arg: Any = _wrap_callable(arg)
            self.is_callable = True
        elif isinstance(arg, ClauseElement) or hasattr(arg, "__clause_element__"):
            self.arg = arg.__clause_element__() if hasattr(arg, "__clause_element__") else arg
            self.is_clause_element = True
        else:
            self.arg = arg
            self.is_scalar = True

    def __repr__(self) -> str:
        return f"ColumnDefault({self.arg!r})"


def _wrap_callable(fn: Callable[..., Any]) -> Callable[[Any], Any]:
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return lambda ctx: fn(ctx)
    positional = [
        p
        for p in sig.parameters.values()
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.default is p.empty
    ]
    takes_varargs = any(p.kind is p.VAR_POSITIONAL for p in sig.parameters.values())
    if positional or takes_varargs:
        if len(positional) > 1:
            raise exc.ArgumentError(
                f"A column default callable takes zero or one argument (the execution "
                f"context); {fn!r} takes {len(positional)}"
            )
        return fn
    return lambda ctx: fn()


class FetchedValue(DefaultGenerator):
    """Marks a column whose value the database generates (a trigger, a server default)."""

    is_server_default = True
    reflected = False
    has_argument = False

    def __init__(self, for_update: bool = False) -> None:
        self.for_update = for_update

    def __repr__(self) -> str:
        return "FetchedValue()"


class DefaultClause(FetchedValue):
    """A DDL-level ``DEFAULT`` (``server_default=``): a string or SQL expression."""

    has_argument = True

    def __init__(self, arg: Any, for_update: bool = False) -> None:
        if not isinstance(arg, (str, ClauseElement, TextClause)) and not hasattr(
            arg, "__clause_element__"
        ):
            raise exc.ArgumentError(
                f"server_default must be a string, text() or SQL expression; got {arg!r}"
            )
        super().__init__(for_update)
        self.arg = arg.__clause_element__() if hasattr(arg, "__clause_element__") else arg

    def __repr__(self) -> str:
        return f"DefaultClause({self.arg!r})"


class Sequence(DefaultGenerator):
    """A database sequence (``CREATE SEQUENCE``) used as a column's default."""

    is_sequence = True

    def __init__(
        self,
        name: str,
        start: int | None = None,
        increment: int | None = None,
        minvalue: int | None = None,
        maxvalue: int | None = None,
        cycle: bool | None = None,
        schema: str | None = None,
        optional: bool = False,
        cache: int | None = None,
        metadata: MetaData | None = None,
    ) -> None:
        self.name = name
        self.start = start
        self.increment = increment
        self.minvalue = minvalue
        self.maxvalue = maxvalue
        self.cycle = cycle
        self.schema = schema
        self.optional = optional
        self.cache = cache
        self.metadata = metadata
        if metadata is not None:
            metadata._sequences[self.name] = self

    def _set_parent(self, parent: Any) -> None:
        super()._set_parent(parent)
        table = getattr(parent, "table", None)
        if table is not None and table.metadata is not None:
            self._attach_metadata(table.metadata)

    def _attach_metadata(self, metadata: MetaData) -> None:
        if self.metadata is None:
            self.metadata = metadata
        metadata._sequences[self.name] = self

    def next_value(self) -> ColumnElement:
        """The expression giving this sequence's next value."""
        from accord.sql.functions import next_value

        return next_value(self)

    def __repr__(self) -> str:
        return f"Sequence({self.name!r})"


class Identity(FetchedValue):
    """``GENERATED {ALWAYS | BY DEFAULT} AS IDENTITY``: a database-generated key."""

    is_identity = True

    def __init__(
        self,
        always: bool = False,
        on_null: bool | None = None,
        start: int | None = None,
        increment: int | None = None,
        minvalue: int | None = None,
        maxvalue: int | None = None,
        cycle: bool | None = None,
        cache: int | None = None,
        order: bool | None = None,
    ) -> None:
        super().__init__()
        self.always = always
        self.on_null = on_null
        self.start = start
        self.increment = increment
        self.minvalue = minvalue
        self.maxvalue = maxvalue
        self.cycle = cycle
        self.cache = cache
        self.order = order

    def _set_parent(self, parent: Any) -> None:
        self.column = parent
        parent.identity = self
        if parent.server_default is None:
            parent.server_default = self

    def __repr__(self) -> str:
        return f"Identity(always={self.always})"


class Computed(FetchedValue):
    """``GENERATED ALWAYS AS (sqltext) [STORED | VIRTUAL]``: a computed column."""

    is_computed = True

    def __init__(self, sqltext: Any, persisted: bool | None = None) -> None:
        super().__init__()
        self.sqltext = (
            TextClause(sqltext) if isinstance(sqltext, str) else coerce_expression(sqltext)
        )
        self.persisted = persisted

    def _set_parent(self, parent: Any) -> None:
        self.column = parent
        parent.computed = self
        parent.server_default = self
        parent.server_onupdate = self

    def __repr__(self) -> str:
        return f"Computed({self.sqltext!r})"
