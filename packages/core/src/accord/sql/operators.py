"""Operator functions used in SQL expressions, with their precedence and rendering."""

from __future__ import annotations

import operator as _op
from collections.abc import Callable
from typing import Any

__all__ = [
    "ColumnOperators",
    "add",
    "and_",
    "asc_op",
    "between_op",
    "collate",
    "comma_op",
    "concat_op",
    "contains_op",
    "desc_op",
    "distinct_op",
    "div",
    "endswith_op",
    "eq",
    "exists",
    "ge",
    "gt",
    "ilike_op",
    "in_op",
    "inv",
    "is_",
    "is_associative",
    "is_commutative",
    "is_comparison",
    "is_not",
    "is_precedent",
    "le",
    "like_op",
    "lt",
    "mod",
    "mul",
    "ne",
    "neg",
    "not_between_op",
    "not_contains_op",
    "not_endswith_op",
    "not_ilike_op",
    "not_in_op",
    "not_like_op",
    "not_startswith_op",
    "nulls_first_op",
    "nulls_last_op",
    "or_",
    "startswith_op",
    "sub",
    "truediv",
]

OperatorType = Callable[..., Any]

# The Python-level operator functions double as the identity of the SQL operator: the
# compiler looks them up in its rendering table, so every operator is one plain function.
eq = _op.eq
ne = _op.ne
lt = _op.lt
le = _op.le
gt = _op.gt
ge = _op.ge
add = _op.add
sub = _op.sub
mul = _op.mul
truediv = _op.truediv
mod = _op.mod
neg = _op.neg
inv = _op.inv
div = truediv
and_ = _op.and_
or_ = _op.or_


def _named(name: str) -> OperatorType:
    def op(a: Any, b: Any = None, *rest: Any) -> Any:
        raise NotImplementedError(f"the {name} operator only exists inside SQL expressions")

    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"The SQL ``{name}`` operator (a marker; it only exists inside expressions)."
    return op


like_op = _named("like_op")
not_like_op = _named("not_like_op")
ilike_op = _named("ilike_op")
not_ilike_op = _named("not_ilike_op")
in_op = _named("in_op")
not_in_op = _named("not_in_op")
between_op = _named("between_op")
not_between_op = _named("not_between_op")
is_ = _named("is_")
is_not = _named("is_not")
startswith_op = _named("startswith_op")
not_startswith_op = _named("not_startswith_op")
endswith_op = _named("endswith_op")
not_endswith_op = _named("not_endswith_op")
contains_op = _named("contains_op")
not_contains_op = _named("not_contains_op")
concat_op = _named("concat_op")
asc_op = _named("asc_op")
desc_op = _named("desc_op")
nulls_first_op = _named("nulls_first_op")
nulls_last_op = _named("nulls_last_op")
distinct_op = _named("distinct_op")
exists = _named("exists")
comma_op = _named("comma_op")
collate = _named("collate")
_as_label = _named("as_label")
_asbool = _named("asbool")
_smallest = _named("smallest")
_largest = _named("largest")

# Higher binds tighter; the compiler parenthesises an operand whose operator binds looser
# than the operator it sits under.
_PRECEDENCE: dict[OperatorType, int] = {
    neg: 16,
    inv: 16,
    collate: 16,
    mul: 8,
    truediv: 8,
    mod: 8,
    add: 7,
    sub: 7,
    concat_op: 6,
    eq: 5,
    ne: 5,
    lt: 5,
    le: 5,
    gt: 5,
    ge: 5,
    is_: 5,
    is_not: 5,
    like_op: 5,
    not_like_op: 5,
    ilike_op: 5,
    not_ilike_op: 5,
    in_op: 5,
    not_in_op: 5,
    between_op: 5,
    not_between_op: 5,
    startswith_op: 5,
    not_startswith_op: 5,
    endswith_op: 5,
    not_endswith_op: 5,
    contains_op: 5,
    not_contains_op: 5,
    distinct_op: 5,
    exists: 5,
    and_: 3,
    or_: 2,
    comma_op: -1,
    asc_op: -1,
    desc_op: -1,
    nulls_first_op: -1,
    nulls_last_op: -1,
    _as_label: -1,
    _asbool: -10,
    _smallest: -100,
    _largest: 100,
}

_ASSOCIATIVE = frozenset({and_, or_, add, mul, concat_op})
_COMMUTATIVE = frozenset({eq, ne, add, mul, and_, or_})
_COMPARISON = frozenset(
    {
        eq,
        ne,
        lt,
        le,
        gt,
        ge,
        is_,
        is_not,
        like_op,
        not_like_op,
        ilike_op,
        not_ilike_op,
        in_op,
        not_in_op,
        between_op,
        not_between_op,
        startswith_op,
        not_startswith_op,
        endswith_op,
        not_endswith_op,
        contains_op,
        not_contains_op,
    }
)

# The operator that ``~expr`` turns each comparison into.
NEGATIONS: dict[OperatorType, OperatorType] = {
    eq: ne,
    ne: eq,
    lt: ge,
    ge: lt,
    gt: le,
    le: gt,
    is_: is_not,
    is_not: is_,
    like_op: not_like_op,
    not_like_op: like_op,
    ilike_op: not_ilike_op,
    not_ilike_op: ilike_op,
    in_op: not_in_op,
    not_in_op: in_op,
    between_op: not_between_op,
    not_between_op: between_op,
    startswith_op: not_startswith_op,
    not_startswith_op: startswith_op,
    endswith_op: not_endswith_op,
    not_endswith_op: endswith_op,
    contains_op: not_contains_op,
    not_contains_op: contains_op,
}


def precedence(op: OperatorType | None) -> int:
    """The binding strength of ``op`` (unknown operators bind tightest)."""
    return _PRECEDENCE.get(op, 15) if op is not None else 15


def is_precedent(op: OperatorType, against: OperatorType | None) -> bool:
    """True when an ``op`` expression under ``against`` needs parentheses."""
    if against is None:
        return False
    if op is against and op in _ASSOCIATIVE:
        return False
    return precedence(op) <= precedence(against)


def is_associative(op: OperatorType) -> bool:
    """True when ``(a op b) op c`` equals ``a op (b op c)``."""
    return op in _ASSOCIATIVE


def is_commutative(op: OperatorType) -> bool:
    """True when ``a op b`` equals ``b op a``."""
    return op in _COMMUTATIVE


def is_comparison(op: OperatorType) -> bool:
    """True for operators that produce a boolean."""
    return op in _COMPARISON


class ColumnOperators:
    """Python operators and methods that build SQL expressions from a column expression."""

    def operate(self, op: OperatorType, *other: Any, **kw: Any) -> Any:
        """Apply ``op`` to this expression and ``other``."""
        raise NotImplementedError

    def reverse_operate(self, op: OperatorType, other: Any, **kw: Any) -> Any:
        """Apply ``op`` with this expression on the right."""
        raise NotImplementedError

    def __eq__(self, other: Any) -> Any:
        return self.operate(eq, other)

    def __ne__(self, other: Any) -> Any:
        return self.operate(ne, other)

    def __lt__(self, other: Any) -> Any:
        return self.operate(lt, other)

    def __le__(self, other: Any) -> Any:
        return self.operate(le, other)

    def __gt__(self, other: Any) -> Any:
        return self.operate(gt, other)

    def __ge__(self, other: Any) -> Any:
        return self.operate(ge, other)

    def __add__(self, other: Any) -> Any:
        return self.operate(add, other)

    def __radd__(self, other: Any) -> Any:
        return self.reverse_operate(add, other)

    def __sub__(self, other: Any) -> Any:
        return self.operate(sub, other)

    def __rsub__(self, other: Any) -> Any:
        return self.reverse_operate(sub, other)

    def __mul__(self, other: Any) -> Any:
        return self.operate(mul, other)

    def __rmul__(self, other: Any) -> Any:
        return self.reverse_operate(mul, other)

    def __truediv__(self, other: Any) -> Any:
        return self.operate(truediv, other)

    def __rtruediv__(self, other: Any) -> Any:
        return self.reverse_operate(truediv, other)

    def __mod__(self, other: Any) -> Any:
        return self.operate(mod, other)

    def __rmod__(self, other: Any) -> Any:
        return self.reverse_operate(mod, other)

    def __and__(self, other: Any) -> Any:
        return self.operate(and_, other)

    def __rand__(self, other: Any) -> Any:
        return self.reverse_operate(and_, other)

    def __or__(self, other: Any) -> Any:
        return self.operate(or_, other)

    def __ror__(self, other: Any) -> Any:
        return self.reverse_operate(or_, other)

    def __invert__(self) -> Any:
        return self.operate(inv)

    def __neg__(self) -> Any:
        return self.operate(neg)

    def like(self, other: Any, escape: str | None = None) -> Any:
        """``self LIKE other`` (with an optional ESCAPE character)."""
        return self.operate(like_op, other, escape=escape)

    def not_like(self, other: Any, escape: str | None = None) -> Any:
        """``self NOT LIKE other``."""
        return self.operate(not_like_op, other, escape=escape)

    def ilike(self, other: Any, escape: str | None = None) -> Any:
        """Case-insensitive LIKE (``lower(self) LIKE lower(other)`` where not native)."""
        return self.operate(ilike_op, other, escape=escape)

    def not_ilike(self, other: Any, escape: str | None = None) -> Any:
        """Case-insensitive NOT LIKE."""
        return self.operate(not_ilike_op, other, escape=escape)

    def in_(self, other: Any) -> Any:
        """``self IN (...)`` for a list of values, a select, or a subquery."""
        return self.operate(in_op, other)

    def not_in(self, other: Any) -> Any:
        """``self NOT IN (...)``."""
        return self.operate(not_in_op, other)

    def between(self, cleft: Any, cright: Any, symmetric: bool = False) -> Any:
        """``self BETWEEN cleft AND cright``."""
        return self.operate(between_op, cleft, cright, symmetric=symmetric)

    def is_(self, other: Any) -> Any:
        """``self IS other`` (typically ``None``)."""
        return self.operate(is_, other)

    def is_not(self, other: Any) -> Any:
        """``self IS NOT other``."""
        return self.operate(is_not, other)

    def startswith(self, other: Any, escape: str | None = None, autoescape: bool = False) -> Any:
        """``self LIKE other || '%'``."""
        return self.operate(startswith_op, other, escape=escape, autoescape=autoescape)

    def endswith(self, other: Any, escape: str | None = None, autoescape: bool = False) -> Any:
        """``self LIKE '%' || other``."""
        return self.operate(endswith_op, other, escape=escape, autoescape=autoescape)

    def contains(self, other: Any, escape: str | None = None, autoescape: bool = False) -> Any:
        """``self LIKE '%' || other || '%'``."""
        return self.operate(contains_op, other, escape=escape, autoescape=autoescape)

    def concat(self, other: Any) -> Any:
        """String concatenation, ``self || other``."""
        return self.operate(concat_op, other)

    def asc(self) -> Any:
        """``self ASC`` for ORDER BY."""
        return self.operate(asc_op)

    def desc(self) -> Any:
        """``self DESC`` for ORDER BY."""
        return self.operate(desc_op)

    def nulls_first(self) -> Any:
        """``... NULLS FIRST`` for ORDER BY."""
        return self.operate(nulls_first_op)

    def nulls_last(self) -> Any:
        """``... NULLS LAST`` for ORDER BY."""
        return self.operate(nulls_last_op)

    def distinct(self) -> Any:
        """``DISTINCT self``."""
        return self.operate(distinct_op)

    def collate(self, collation: str) -> Any:
        """``self COLLATE collation``."""
        return self.operate(collate, collation)


OPERATORS: dict[Any, str] = {
    eq: " = ",
    ne: " != ",
    lt: " < ",
    le: " <= ",
    gt: " > ",
    ge: " >= ",
    add: " + ",
    sub: " - ",
    mul: " * ",
    truediv: " / ",
    mod: " % ",
    and_: " AND ",
    or_: " OR ",
    like_op: " LIKE ",
    not_like_op: " NOT LIKE ",
    in_op: " IN ",
    not_in_op: " NOT IN ",
    is_: " IS ",
    is_not: " IS NOT ",
    concat_op: " || ",
    collate: " COLLATE ",
    between_op: " BETWEEN ",
    not_between_op: " NOT BETWEEN ",
    comma_op: ", ",
}


UNARY_PREFIX: dict[Any, str] = {
    inv: "NOT ",
    neg: "-",
    distinct_op: "DISTINCT ",
    exists: "EXISTS ",
}


UNARY_SUFFIX: dict[Any, str] = {
    asc_op: " ASC",
    desc_op: " DESC",
    nulls_first_op: " NULLS FIRST",
    nulls_last_op: " NULLS LAST",
}


NO_PAREN_FUNCTIONS = {
    "current_timestamp": "CURRENT_TIMESTAMP",
    "current_date": "CURRENT_DATE",
    "current_time": "CURRENT_TIME",
    "localtimestamp": "LOCALTIMESTAMP",
    "localtime": "LOCALTIME",
    "current_user": "CURRENT_USER",
    "session_user": "SESSION_USER",
    "user": "USER",
}


_SPECIAL_BINARY: dict[Any, str] = {
    startswith_op: "_like_variant",
    not_startswith_op: "_like_variant",
    endswith_op: "_like_variant",
    not_endswith_op: "_like_variant",
    contains_op: "_like_variant",
    not_contains_op: "_like_variant",
    ilike_op: "visit_ilike_op_binary",
    not_ilike_op: "visit_not_ilike_op_binary",
}
