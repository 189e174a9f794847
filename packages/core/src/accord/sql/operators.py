"""Operator functions used in SQL expressions, with their precedence and rendering."""

from __future__ import annotations

import operator as _op
from collections.abc import Callable
from typing import Any

__all__ = [
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
    return _PRECEDENCE.get(op, 15) if op is not None else 15  # type: ignore[arg-type]


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
