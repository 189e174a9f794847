"""Named columns and literal SQL: ColumnClause, column(), literal_column(), text()."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from accord import exc
from accord.sql import operators
from accord.sql import types as sqltypes
from accord.sql.elements import (
    BindParameter,
    ClauseElement,
    ColumnElement,
    Executable,
    Grouping,
)

if TYPE_CHECKING:
    from accord.sql.cache_key import KeyContext
    from accord.sql.operators import OperatorType

__all__ = [
    "ColumnClause",
    "TextClause",
    "column",
    "literal_column",
    "text",
]


class ColumnClause(ColumnElement):
    """A named column, optionally of a table or other FROM object; ``is_literal`` for raw SQL."""

    __visit_name__ = "column"

    def __init__(
        self,
        text: str,
        type_: Any = None,
        is_literal: bool = False,
        _selectable: Any = None,
    ) -> None:
        self.name = text
        self.key = text
        self.type = sqltypes.to_instance(type_)
        self.is_literal = is_literal
        self.table = _selectable

    @property
    def _from_objects(self) -> list[Any]:
        return [self.table] if self.table is not None else []

    def _gen_cache_key(self, ctx: KeyContext) -> Any:
        table = self.table
        if table is None:
            return ("colclause", self.name, self.is_literal, self.type._static_cache_key)
        return ("column", table._gen_cache_key(ctx), self.name)

    def __repr__(self) -> str:
        table = getattr(self.table, "name", None)
        return f"ColumnClause({table + '.' if table else ''}{self.name})"


def column(text: str, type_: Any = None) -> ColumnClause:
    """A free-standing column by name (quoted as an identifier when needed)."""
    return ColumnClause(text, type_=type_)


def literal_column(text: str, type_: Any = None) -> ColumnClause:
    """A column expression rendered exactly as ``text``."""
    return ColumnClause(text, type_=type_, is_literal=True)


_BIND_RE = re.compile(r"(?<![:\w\x5c]):(\w+)(?!:)", re.UNICODE)


class TextClause(Executable, ClauseElement):
    """Literal SQL text with ``:name`` bind parameters (``\\:`` escapes a colon)."""

    __visit_name__ = "textclause"
    _is_text = True
    _is_textual = True

    def __init__(self, text: str) -> None:
        self.text = text
        binds: dict[str, BindParameter] = {}
        for name in _BIND_RE.findall(text):
            if name not in binds:
                binds[name] = BindParameter(name)
        self._bindparams = binds
        self.type = sqltypes.NULLTYPE

    def bindparams(self, *binds: BindParameter, **names_to_values: Any) -> TextClause:
        """A copy with values (or typed BindParameter objects) for the ``:name`` params."""
        new: TextClause = self._generate()
        new._bindparams = dict(self._bindparams)
        for bind in binds:
            if bind.key not in new._bindparams:
                raise exc.ArgumentError(
                    f"This text() construct doesn't define a bound parameter named {bind.key!r}"
                )
            new._bindparams[bind.key] = bind
        for key, value in names_to_values.items():
            existing = new._bindparams.get(key)
            if existing is None:
                raise exc.ArgumentError(
                    f"This text() construct doesn't define a bound parameter named {key!r}"
                )
            new._bindparams[key] = BindParameter(
                key, value, type_=existing.type if not existing.type._is_null else None
            )
        return new

    def columns(self, *cols: Any, **types: Any) -> Any:
        """A textual SELECT with these result columns (``ColumnClause`` or name=type)."""
        from accord.sql.selectable import TextualSelect

        columns = [c if isinstance(c, ColumnElement) else ColumnClause(c) for c in cols]
        columns.extend(ColumnClause(k, type_=v) for k, v in types.items())
        return TextualSelect(self, columns)

    def self_group(self, against: OperatorType | None = None) -> ClauseElement:
        """Text under an operator is parenthesised."""
        if against is operators.in_op:
            return Grouping(self)
        return self

    def _gen_cache_key(self, ctx: KeyContext) -> Any:
        return (
            "text",
            self.text,
            tuple(b._gen_cache_key(ctx) for b in self._bindparams.values()),
        )


class _TextExpression(ColumnElement):
    """text() used where a column expression is expected."""

    __visit_name__ = "text_expression"

    def __init__(self, clause: TextClause) -> None:
        self.clause = clause
        self.type = sqltypes.NULLTYPE

    def _gen_cache_key(self, ctx: KeyContext) -> Any:
        return ("textexpr", self.clause._gen_cache_key(ctx))


def text(text: str) -> TextClause:
    """Textual SQL; ``:name`` marks a bind parameter."""
    return TextClause(text)
