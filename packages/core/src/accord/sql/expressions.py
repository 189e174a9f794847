"""Compound column expressions: tuples, IN lists, CASE, CAST, ordering, windows, collation."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from accord import exc
from accord.sql import coercions, operators
from accord.sql import types as sqltypes
from accord.sql.elements import (
    BinaryExpression,
    BindParameter,
    ClauseElement,
    ClauseList,
    ColumnElement,
    Grouping,
    UnaryExpression,
)

if TYPE_CHECKING:
    from accord.sql.cache_key import KeyContext
    from accord.sql.operators import OperatorType

__all__ = [
    "Case",
    "Cast",
    "False_",
    "Null",
    "Over",
    "True_",
    "Tuple",
    "asc",
    "between",
    "case",
    "cast",
    "collate",
    "desc",
    "distinct",
    "false",
    "null",
    "nulls_first",
    "nulls_last",
    "over",
    "true",
    "tuple_",
    "type_coerce",
]


class _custom_op:
    """A user-defined operator from ``ColumnElement.op()``."""

    def __init__(self, opstring: str, precedence: int, is_comparison: bool) -> None:
        self.opstring = opstring
        self.precedence = precedence
        self.is_comparison = is_comparison

    def __call__(self, *args: Any) -> Any:
        raise NotImplementedError

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _custom_op) and other.opstring == self.opstring

    def __hash__(self) -> int:
        return hash(("custom_op", self.opstring))


_LIKE_OPS = frozenset(
    {
        operators.like_op,
        operators.not_like_op,
        operators.ilike_op,
        operators.not_ilike_op,
        operators.startswith_op,
        operators.not_startswith_op,
        operators.endswith_op,
        operators.not_endswith_op,
        operators.contains_op,
        operators.not_contains_op,
    }
)


def _in_impl(expr: ColumnElement, op: OperatorType, other: Any) -> ColumnElement:
    other = coercions._clause_element(other)
    if isinstance(other, ClauseElement):
        if other._is_select:
            right: ColumnElement = _SubqueryInExpression(other)
        elif isinstance(other, BindParameter):
            right = Grouping(other)
        elif isinstance(other, ColumnElement):
            right = other.self_group(op)  # type: ignore[assignment]
        else:
            # A subquery's select() method; Insert.select is a property, not a method.
            sel = getattr(other, "select", None)
            if not callable(sel):
                raise exc.ArgumentError(f"IN expects a list, a select or a subquery: {other!r}")
            right = _SubqueryInExpression(sel())
    else:
        if isinstance(other, (str, bytes)) or not isinstance(other, Iterable):
            raise exc.ArgumentError(
                f"IN expression list, SELECT construct, or bound parameter expected, got {other!r}"
            )
        items: list[ColumnElement] = []
        for value in other:
            if isinstance(expr, Tuple) and isinstance(value, (tuple, list)):
                items.append(expr._bind_tuple(op, value))
            else:
                items.append(expr._bind_for(op, value))
        right = ClauseList(*items, operator=operators.comma_op, group=True)
        right._is_in_list = True
    return BinaryExpression(
        expr.self_group(op),
        right,
        op,
        type_=sqltypes.BOOLEANTYPE,
        negate=operators.NEGATIONS[op],
    )


class Tuple(ClauseList):
    """A parenthesised list of expressions, ``(a, b)``, usable with ``in_``."""

    __visit_name__ = "tuple"

    def __init__(self, *clauses: Any) -> None:
        super().__init__(*clauses, operator=operators.comma_op, group=True)
        self.type = sqltypes.NULLTYPE

    def _bind_tuple(self, op: OperatorType, values: Sequence[Any]) -> ColumnElement:
        items = [c._bind_for(op, v) for c, v in zip(self.clauses, values, strict=True)]  # type: ignore[attr-defined]
        return Tuple(*items)

    def self_group(self, against: OperatorType | None = None) -> ClauseElement:
        """Tuples always render their own parentheses."""
        return self


def tuple_(*clauses: Any) -> Tuple:
    """A SQL tuple ``(a, b, ...)``."""
    return Tuple(*clauses)


def asc(column: Any) -> ColumnElement:
    """``column ASC``."""
    return UnaryExpression(coercions.coerce_column_like(column), modifier=operators.asc_op)


def desc(column: Any) -> ColumnElement:
    """``column DESC``."""
    return UnaryExpression(coercions.coerce_column_like(column), modifier=operators.desc_op)


def nulls_first(column: Any) -> ColumnElement:
    """``column NULLS FIRST``."""
    return UnaryExpression(coercions.coerce_column_like(column), modifier=operators.nulls_first_op)


def nulls_last(column: Any) -> ColumnElement:
    """``column NULLS LAST``."""
    return UnaryExpression(coercions.coerce_column_like(column), modifier=operators.nulls_last_op)


def distinct(expr: Any) -> ColumnElement:
    """``DISTINCT expr``."""
    return coercions.coerce_expression(expr).distinct()  # type: ignore[no-any-return]


def between(expr: Any, lower: Any, upper: Any, symmetric: bool = False) -> ColumnElement:
    """``expr BETWEEN lower AND upper``."""
    return coercions.coerce_expression(expr).between(lower, upper, symmetric=symmetric)  # type: ignore[no-any-return]


class _CollationClause(ColumnElement):
    __visit_name__ = "collation"

    def __init__(self, collation: str) -> None:
        self.collation = collation

    def _gen_cache_key(self, ctx: KeyContext) -> Any:
        return ("collation", self.collation)


def collate(expression: Any, collation: str) -> ColumnElement:
    """``expression COLLATE collation``."""
    expr = coercions.coerce_expression(expression)
    return BinaryExpression(
        expr.self_group(operators.collate),
        _CollationClause(collation),
        operators.collate,
        type_=expr.type,
    )


class Cast(ColumnElement):
    """``CAST(expression AS type)``."""

    __visit_name__ = "cast"

    def __init__(self, expression: Any, type_: Any) -> None:
        self.type = sqltypes.to_instance(type_)
        self.clause = coercions.coerce_expression(expression, self.type)
        self.typeclause = self.type

    def get_children(self) -> Iterable[ClauseElement]:
        """The cast expression."""
        return (self.clause,)

    def _copy_internals(self, fn: Any) -> None:
        self.clause = fn(self.clause)

    @property
    def _from_objects(self) -> list[Any]:
        return self.clause._from_objects

    def _gen_cache_key(self, ctx: KeyContext) -> Any:
        return ("cast", self.type._static_cache_key, self.clause._gen_cache_key(ctx))


def cast(expression: Any, type_: Any) -> Cast:
    """``CAST(expression AS type_)``."""
    return Cast(expression, type_)


class _TypeCoerce(ColumnElement):
    __visit_name__ = "type_coerce"

    def __init__(self, expression: Any, type_: Any) -> None:
        self.type = sqltypes.to_instance(type_)
        self.clause = coercions.coerce_expression(expression, self.type)

    @property
    def _from_objects(self) -> list[Any]:
        return self.clause._from_objects

    def get_children(self) -> Iterable[ClauseElement]:
        """The coerced expression."""
        return (self.clause,)

    def _copy_internals(self, fn: Any) -> None:
        self.clause = fn(self.clause)

    def _gen_cache_key(self, ctx: KeyContext) -> Any:
        return ("type_coerce", self.type._static_cache_key, self.clause._gen_cache_key(ctx))


def type_coerce(expression: Any, type_: Any) -> ColumnElement:
    """``expression`` treated as ``type_`` in Python only (no CAST is rendered)."""
    return _TypeCoerce(expression, type_)


class Case(ColumnElement):
    """``CASE [value] WHEN ... THEN ... [ELSE ...] END``."""

    __visit_name__ = "case"

    def __init__(self, *whens: Any, value: Any = None, else_: Any = None) -> None:
        pairs: list[tuple[Any, Any]]
        if len(whens) == 1 and isinstance(whens[0], Mapping):
            pairs = list(whens[0].items())
        else:
            pairs = [tuple(w) for w in whens]
        if not pairs:
            raise exc.ArgumentError("case() needs at least one WHEN clause")
        self.value = coercions.coerce_expression(value) if value is not None else None
        self.whens: list[tuple[ColumnElement, ColumnElement]] = []
        for cond, result in pairs:
            if self.value is not None:
                c = self.value._bind_for(operators.eq, cond)
            else:
                c = coercions.coerce_where(cond).self_group()  # type: ignore[assignment]
            self.whens.append((c, coercions.coerce_expression(result)))
        self.else_ = coercions.coerce_expression(else_) if else_ is not None else None
        types = [r.type for _, r in self.whens if not r.type._is_null]
        self.type = types[0] if types else sqltypes.NULLTYPE

    @property
    def _from_objects(self) -> list[Any]:
        out: list[Any] = []
        if self.value is not None:
            out.extend(self.value._from_objects)
        for c, r in self.whens:
            out.extend(c._from_objects)
            out.extend(r._from_objects)
        if self.else_ is not None:
            out.extend(self.else_._from_objects)
        return out

    def _copy_internals(self, fn: Any) -> None:
        self.value = fn(self.value) if self.value is not None else None
        self.whens = [(fn(c), fn(r)) for c, r in self.whens]
        self.else_ = fn(self.else_) if self.else_ is not None else None

    def _gen_cache_key(self, ctx: KeyContext) -> Any:
        return (
            "case",
            self.value._gen_cache_key(ctx) if self.value is not None else None,
            tuple((c._gen_cache_key(ctx), r._gen_cache_key(ctx)) for c, r in self.whens),
            self.else_._gen_cache_key(ctx) if self.else_ is not None else None,
        )


def case(*whens: Any, value: Any = None, else_: Any = None) -> Case:
    """A CASE expression: ``case((cond, result), ..., else_=x)`` or ``case({v: r}, value=c)``."""
    return Case(*whens, value=value, else_=else_)


class Over(ColumnElement):
    """A window function call, ``func(...) OVER (PARTITION BY ... ORDER BY ...)``."""

    __visit_name__ = "over"

    def __init__(self, element: Any, partition_by: Any = None, order_by: Any = None) -> None:
        self.element = element
        self.type = element.type

        def as_list(v: Any) -> tuple[ColumnElement, ...] | None:
            if v is None:
                return None
            if not isinstance(v, (list, tuple)):
                v = [v]
            return tuple(coercions.coerce_column_like(x) for x in v)

        self.partition_by = as_list(partition_by)
        self.order_by = as_list(order_by)

    @property
    def _from_objects(self) -> list[Any]:
        out = list(self.element._from_objects)
        for c in (*(self.partition_by or ()), *(self.order_by or ())):
            out.extend(c._from_objects)
        return out

    def get_children(self) -> Iterable[ClauseElement]:
        """The function and the window's expressions."""
        return (self.element, *(self.partition_by or ()), *(self.order_by or ()))

    def _copy_internals(self, fn: Any) -> None:
        self.element = fn(self.element)
        if self.partition_by is not None:
            self.partition_by = tuple(fn(c) for c in self.partition_by)
        if self.order_by is not None:
            self.order_by = tuple(fn(c) for c in self.order_by)

    def _gen_cache_key(self, ctx: KeyContext) -> Any:
        return (
            "over",
            self.element._gen_cache_key(ctx),
            tuple(c._gen_cache_key(ctx) for c in self.partition_by or ()),
            tuple(c._gen_cache_key(ctx) for c in self.order_by or ()),
        )


def over(element: Any, partition_by: Any = None, order_by: Any = None) -> Over:
    """``element OVER (...)``."""
    return Over(element, partition_by=partition_by, order_by=order_by)


class _SubqueryInExpression(ColumnElement):
    """A SELECT on the right of IN, rendered in parentheses."""

    __visit_name__ = "in_select"

    def __init__(self, select: Any) -> None:
        self.element = select

    def _gen_cache_key(self, ctx: KeyContext) -> Any:
        return ("in_select", self.element._gen_cache_key(ctx))


class Null(ColumnElement):
    """The SQL ``NULL`` keyword."""

    __visit_name__ = "null"
    type = sqltypes.NULLTYPE

    def _gen_cache_key(self, ctx: KeyContext) -> Any:
        return ("null",)


class True_(ColumnElement):
    """The SQL ``true`` constant (``1`` where booleans are not native)."""

    __visit_name__ = "true"
    type = sqltypes.BOOLEANTYPE

    def _gen_cache_key(self, ctx: KeyContext) -> Any:
        return ("true",)

    def __invert__(self) -> ColumnElement:
        return False_()


class False_(ColumnElement):
    """The SQL ``false`` constant (``0`` where booleans are not native)."""

    __visit_name__ = "false"
    type = sqltypes.BOOLEANTYPE

    def _gen_cache_key(self, ctx: KeyContext) -> Any:
        return ("false",)

    def __invert__(self) -> ColumnElement:
        return True_()


def null() -> Null:
    """The SQL NULL constant."""
    return Null()


def true() -> True_:
    """The SQL true constant."""
    return True_()


def false() -> False_:
    """The SQL false constant."""
    return False_()
