"""Column expressions: the element base, binds, operators on columns, text(), case, cast."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from accord import exc
from accord.sql import operators
from accord.sql import types as sqltypes
from accord.sql.cache_key import CacheKey, KeyContext, NoCacheKey

if TYPE_CHECKING:
    from accord.sql.compiler import Compiled
    from accord.sql.operators import OperatorType

__all__ = [
    "BinaryExpression",
    "BindParameter",
    "BooleanClauseList",
    "Case",
    "Cast",
    "ClauseElement",
    "ClauseList",
    "ColumnClause",
    "ColumnElement",
    "ColumnOperators",
    "Executable",
    "False_",
    "Grouping",
    "Label",
    "Null",
    "Over",
    "TextClause",
    "True_",
    "Tuple",
    "UnaryExpression",
    "and_",
    "asc",
    "between",
    "bindparam",
    "case",
    "cast",
    "collate",
    "column",
    "desc",
    "distinct",
    "false",
    "literal",
    "literal_column",
    "not_",
    "null",
    "nulls_first",
    "nulls_last",
    "or_",
    "over",
    "text",
    "true",
    "tuple_",
    "type_coerce",
]


class ClauseElement:
    """Base of every SQL construct: compiles, has a cache key, knows its FROM objects."""

    __visit_name__: ClassVar[str] = "clause"
    is_clause_element: ClassVar[bool] = True
    is_selectable: ClassVar[bool] = False
    is_dml: ClassVar[bool] = False
    _is_column_element: ClassVar[bool] = False
    _is_from_clause: ClassVar[bool] = False
    _is_text: ClassVar[bool] = False
    _is_select: ClassVar[bool] = False

    def _compiler_dispatch(self, compiler: Any, **kw: Any) -> str:
        return getattr(compiler, "visit_" + self.__visit_name__)(self, **kw)  # type: ignore[no-any-return]

    # -- copying (generative methods copy, never mutate) --------------------------------

    def _generate(self) -> Any:
        new = self.__class__.__new__(self.__class__)
        new.__dict__ = {k: v for k, v in self.__dict__.items() if not k.startswith("_memo")}
        return new

    # -- structure ----------------------------------------------------------------------

    @property
    def _from_objects(self) -> list[Any]:
        return []

    def self_group(self, against: OperatorType | None = None) -> ClauseElement:
        """This element, parenthesised if it would bind looser than ``against``."""
        return self

    def get_children(self) -> Iterable[ClauseElement]:
        """Direct sub-elements (for traversal)."""
        return ()

    # -- cache key ----------------------------------------------------------------------

    def _gen_cache_key(self, ctx: KeyContext) -> Any:
        raise NoCacheKey(type(self).__name__)

    def _generate_cache_key(self) -> CacheKey | None:
        """The statement-shape key of this element, or None when it cannot be cached."""
        memo = self.__dict__.get("_memo_cache_key")
        if memo is not None:
            return memo  # type: ignore[no-any-return]
        ctx = KeyContext()
        try:
            key = self._gen_cache_key(ctx)
        except NoCacheKey:
            return None
        result = CacheKey(key if isinstance(key, tuple) else (key,), ctx.bindparams)
        self.__dict__["_memo_cache_key"] = result
        return result

    # -- compiling ------------------------------------------------------------------------

    def compile(self, bind: Any = None, dialect: Any = None, **kw: Any) -> Compiled:
        """Compile to SQL for ``dialect`` (or ``bind.dialect``; else the string dialect)."""
        if dialect is None:
            if bind is not None:
                dialect = bind.dialect
            else:
                from accord.sql.compiler import default_dialect

                dialect = default_dialect()
        return self._compiler(dialect, **kw)

    def _compiler(self, dialect: Any, **kw: Any) -> Compiled:
        return dialect.statement_compiler(dialect, self, **kw)  # type: ignore[no-any-return]

    def __str__(self) -> str:
        return self.compile().string

    def _execute_on_connection(
        self, connection: Any, distilled_params: Any, execution_options: Any
    ) -> Any:
        raise exc.ObjectNotExecutableError(self)

    def params(self, *optionaldict: Mapping[str, Any], **kwargs: Any) -> Any:
        """A copy with bind parameter values replaced, by bind key."""
        values: dict[str, Any] = {}
        for d in optionaldict:
            values.update(d)
        values.update(kwargs)
        return _replace_binds(self, values)

    def __bool__(self) -> bool:
        raise TypeError("Boolean value of this clause is not defined")

    def __repr__(self) -> str:
        return f"<{type(self).__module__}.{type(self).__name__} object at {id(self):#x}>"


def _replace_binds(element: Any, values: Mapping[str, Any]) -> Any:
    # Rebuild only along the paths that lead to a bind being replaced.
    if isinstance(element, BindParameter):
        if element.key in values:
            return element._with_value(values[element.key])
        return element
    if not isinstance(element, ClauseElement) or not hasattr(element, "_copy_internals"):
        return element
    new = element._generate()
    new._copy_internals(lambda e: _replace_binds(e, values))
    return new


class Executable:
    """Mixin for statements that can be executed; holds execution options."""

    _execution_options: Mapping[str, Any] = {}
    supports_execution: ClassVar[bool] = True
    is_select: ClassVar[bool] = False
    is_insert: ClassVar[bool] = False
    is_update: ClassVar[bool] = False
    is_delete: ClassVar[bool] = False

    def execution_options(self, **kw: Any) -> Any:
        """A copy with these execution options added."""
        new = self._generate()  # type: ignore[attr-defined]
        new._execution_options = {**self._execution_options, **kw}
        return new

    def get_execution_options(self) -> dict[str, Any]:
        """The execution options set on this statement."""
        return dict(self._execution_options)

    def _execute_on_connection(
        self, connection: Any, distilled_params: Any, execution_options: Any
    ) -> Any:
        return connection._execute_clauseelement(self, distilled_params, execution_options)


# ---------------------------------------------------------------------------------------
# coercion
# ---------------------------------------------------------------------------------------


def _clause_element(value: Any) -> Any:
    ce = getattr(value, "__clause_element__", None)
    if (
        ce is not None
        and not isinstance(value, type)
        or (isinstance(value, type) and ce is not None)
    ):
        return ce()
    return value


def coerce_expression(value: Any, type_: sqltypes.TypeEngine | None = None) -> ColumnElement:
    """``value`` as a column expression: elements pass, other values become binds."""
    if isinstance(value, ClauseElement):
        if isinstance(value, ColumnElement):
            return value
        if value._is_select:
            return value.scalar_subquery()  # type: ignore[attr-defined,no-any-return]
        if isinstance(value, TextClause):
            return _TextExpression(value)
        raise exc.ArgumentError(f"SQL expression element expected, got {value!r}")
    if hasattr(value, "__clause_element__"):
        return coerce_expression(value.__clause_element__(), type_)
    if value is None:
        return Null()
    return BindParameter(None, value, type_=type_, unique=True)


def coerce_where(value: Any) -> ColumnElement:
    """``value`` as a WHERE/ON criterion (booleans and strings are refused)."""
    if isinstance(value, str):
        raise exc.ArgumentError(
            f"SQL expression for WHERE/HAVING role expected, got {value!r}; "
            "use text() for textual SQL"
        )
    if isinstance(value, bool):
        return True_() if value else False_()
    return coerce_expression(value)


def coerce_column_like(value: Any) -> ColumnElement:
    """An ORDER BY / GROUP BY / select-list entry (strings name labels or columns)."""
    if isinstance(value, str):
        return _TextExpression(TextClause(value))
    return coerce_expression(value)


# ---------------------------------------------------------------------------------------
# column expressions
# ---------------------------------------------------------------------------------------


class ColumnOperators:
    """Python operators and methods that build SQL expressions from a column expression."""

    def operate(self, op: OperatorType, *other: Any, **kw: Any) -> ColumnElement:
        """Apply ``op`` to this expression and ``other``."""
        raise NotImplementedError

    def reverse_operate(self, op: OperatorType, other: Any, **kw: Any) -> ColumnElement:
        """Apply ``op`` with this expression on the right."""
        raise NotImplementedError

    def __eq__(self, other: Any) -> ColumnElement:  # type: ignore[override]
        return self.operate(operators.eq, other)

    def __ne__(self, other: Any) -> ColumnElement:  # type: ignore[override]
        return self.operate(operators.ne, other)

    def __lt__(self, other: Any) -> ColumnElement:
        return self.operate(operators.lt, other)

    def __le__(self, other: Any) -> ColumnElement:
        return self.operate(operators.le, other)

    def __gt__(self, other: Any) -> ColumnElement:
        return self.operate(operators.gt, other)

    def __ge__(self, other: Any) -> ColumnElement:
        return self.operate(operators.ge, other)

    def __add__(self, other: Any) -> ColumnElement:
        return self.operate(operators.add, other)

    def __radd__(self, other: Any) -> ColumnElement:
        return self.reverse_operate(operators.add, other)

    def __sub__(self, other: Any) -> ColumnElement:
        return self.operate(operators.sub, other)

    def __rsub__(self, other: Any) -> ColumnElement:
        return self.reverse_operate(operators.sub, other)

    def __mul__(self, other: Any) -> ColumnElement:
        return self.operate(operators.mul, other)

    def __rmul__(self, other: Any) -> ColumnElement:
        return self.reverse_operate(operators.mul, other)

    def __truediv__(self, other: Any) -> ColumnElement:
        return self.operate(operators.truediv, other)

    def __rtruediv__(self, other: Any) -> ColumnElement:
        return self.reverse_operate(operators.truediv, other)

    def __mod__(self, other: Any) -> ColumnElement:
        return self.operate(operators.mod, other)

    def __rmod__(self, other: Any) -> ColumnElement:
        return self.reverse_operate(operators.mod, other)

    def __and__(self, other: Any) -> ColumnElement:
        return and_(self, other)

    def __rand__(self, other: Any) -> ColumnElement:
        return and_(other, self)

    def __or__(self, other: Any) -> ColumnElement:
        return or_(self, other)

    def __ror__(self, other: Any) -> ColumnElement:
        return or_(other, self)

    def __invert__(self) -> ColumnElement:
        return not_(self)

    def __neg__(self) -> ColumnElement:
        return self.operate(operators.neg)

    def like(self, other: Any, escape: str | None = None) -> ColumnElement:
        """``self LIKE other`` (with an optional ESCAPE character)."""
        return self.operate(operators.like_op, other, escape=escape)

    def not_like(self, other: Any, escape: str | None = None) -> ColumnElement:
        """``self NOT LIKE other``."""
        return self.operate(operators.not_like_op, other, escape=escape)

    def ilike(self, other: Any, escape: str | None = None) -> ColumnElement:
        """Case-insensitive LIKE (``lower(self) LIKE lower(other)`` where not native)."""
        return self.operate(operators.ilike_op, other, escape=escape)

    def not_ilike(self, other: Any, escape: str | None = None) -> ColumnElement:
        """Case-insensitive NOT LIKE."""
        return self.operate(operators.not_ilike_op, other, escape=escape)

    def in_(self, other: Any) -> ColumnElement:
        """``self IN (...)`` for a list of values, a select, or a subquery."""
        return self.operate(operators.in_op, other)

    def not_in(self, other: Any) -> ColumnElement:
        """``self NOT IN (...)``."""
        return self.operate(operators.not_in_op, other)

    def between(self, cleft: Any, cright: Any, symmetric: bool = False) -> ColumnElement:
        """``self BETWEEN cleft AND cright``."""
        return self.operate(operators.between_op, cleft, cright, symmetric=symmetric)

    def is_(self, other: Any) -> ColumnElement:
        """``self IS other`` (typically ``None``)."""
        return self.operate(operators.is_, other)

    def is_not(self, other: Any) -> ColumnElement:
        """``self IS NOT other``."""
        return self.operate(operators.is_not, other)

    def startswith(
        self, other: Any, escape: str | None = None, autoescape: bool = False
    ) -> ColumnElement:
        """``self LIKE other || '%'``."""
        return self.operate(operators.startswith_op, other, escape=escape, autoescape=autoescape)

    def endswith(
        self, other: Any, escape: str | None = None, autoescape: bool = False
    ) -> ColumnElement:
        """``self LIKE '%' || other``."""
        return self.operate(operators.endswith_op, other, escape=escape, autoescape=autoescape)

    def contains(
        self, other: Any, escape: str | None = None, autoescape: bool = False
    ) -> ColumnElement:
        """``self LIKE '%' || other || '%'``."""
        return self.operate(operators.contains_op, other, escape=escape, autoescape=autoescape)

    def concat(self, other: Any) -> ColumnElement:
        """String concatenation, ``self || other``."""
        return self.operate(operators.concat_op, other)

    def asc(self) -> ColumnElement:
        """``self ASC`` for ORDER BY."""
        return UnaryExpression(self, modifier=operators.asc_op)  # type: ignore[arg-type]

    def desc(self) -> ColumnElement:
        """``self DESC`` for ORDER BY."""
        return UnaryExpression(self, modifier=operators.desc_op)  # type: ignore[arg-type]

    def nulls_first(self) -> ColumnElement:
        """``... NULLS FIRST`` for ORDER BY."""
        return UnaryExpression(self, modifier=operators.nulls_first_op)  # type: ignore[arg-type]

    def nulls_last(self) -> ColumnElement:
        """``... NULLS LAST`` for ORDER BY."""
        return UnaryExpression(self, modifier=operators.nulls_last_op)  # type: ignore[arg-type]

    def distinct(self) -> ColumnElement:
        """``DISTINCT self``."""
        return UnaryExpression(
            self,  # type: ignore[arg-type]
            operator=operators.distinct_op,
            type_=getattr(self, "type", None),
        )

    def collate(self, collation: str) -> ColumnElement:
        """``self COLLATE collation``."""
        return collate(self, collation)


class ColumnElement(ColumnOperators, ClauseElement):
    """An expression usable as a column: has a ``type`` and supports SQL operators."""

    __visit_name__ = "column_element"
    _is_column_element = True
    type: sqltypes.TypeEngine = sqltypes.NULLTYPE
    key: str | None = None
    primary_key: bool = False
    foreign_keys: frozenset[Any] = frozenset()
    _label_name: str | None = None

    __hash__ = ClauseElement.__hash__

    def operate(self, op: OperatorType, *other: Any, **kw: Any) -> ColumnElement:
        """Build ``self op other`` as a SQL expression."""
        if op is operators.neg:
            return UnaryExpression(self, operator=operators.neg, type_=self.type)
        if op in (operators.in_op, operators.not_in_op):
            return _in_impl(self, op, other[0])
        if op in (operators.between_op, operators.not_between_op):
            lo = self._bind_for(op, other[0])
            hi = self._bind_for(op, other[1])
            return BinaryExpression(
                self.self_group(op),
                ClauseList(lo, hi, operator=operators.and_, group=False),
                op,
                type_=sqltypes.BOOLEANTYPE,
                negate=operators.NEGATIONS[op],
                modifiers={"symmetric": kw.get("symmetric", False)},
            )
        value = other[0]
        if op in (operators.eq, operators.ne) and value is None:
            op = operators.is_ if op is operators.eq else operators.is_not
        if op in (operators.is_, operators.is_not) and value is None:
            right: ColumnElement = Null()
        elif op in (operators.is_, operators.is_not) and isinstance(value, bool):
            right = True_() if value else False_()
        else:
            if op in _LIKE_OPS and kw.get("autoescape"):
                if not isinstance(value, str):
                    raise exc.ArgumentError("autoescape requires a literal string value")
                value = value.replace("/", "//").replace("%", "/%").replace("_", "/_")
                kw["escape"] = "/"
            right = self._bind_for(op, value)
        if op is operators.add and (self.type._is_string or right.type._is_string):
            op = operators.concat_op
        return self._binary(op, right, kw.get("escape"))

    def _binary(
        self, op: OperatorType, right: ColumnElement, escape: str | None = None
    ) -> BinaryExpression:
        if operators.is_comparison(op):
            result_type: sqltypes.TypeEngine = sqltypes.BOOLEANTYPE
        elif op is operators.concat_op:
            result_type = self.type if self.type._is_string else right.type
        else:
            result_type = self.type._result_type_for(op, right.type)
        modifiers = {"escape": escape} if escape is not None else None
        return BinaryExpression(
            self.self_group(op),
            right.self_group(op),
            op,
            type_=result_type,
            negate=operators.NEGATIONS.get(op),
            modifiers=modifiers,
            orig=(self, right),
        )

    def reverse_operate(self, op: OperatorType, other: Any, **kw: Any) -> ColumnElement:
        """Build ``other op self``."""
        left = self._bind_for(op, other)
        if op is operators.add and (self.type._is_string or left.type._is_string):
            op = operators.concat_op
        return left._binary(op, self)

    def _bind_for(self, op: OperatorType | None, value: Any) -> ColumnElement:
        if isinstance(value, ClauseElement) or hasattr(value, "__clause_element__"):
            expr = coerce_expression(value)
            if isinstance(expr, BindParameter) and expr.type._is_null and not self.type._is_null:
                # bindparam("x") compared with a typed column takes the column's type.
                typed: BindParameter = expr._generate()
                typed.type = self.type.coerce_compared_value(op, expr.value)
                return typed
            return expr
        if value is None:
            return Null()
        t = self.type
        if t._is_null:
            bind_type = sqltypes._type_for_value(value)
        else:
            bind_type = t.coerce_compared_value(op, value)
        return BindParameter(None, value, type_=bind_type, unique=True, _compared_to=self)

    def label(self, name: str | None) -> Label:
        """``self AS name``; a None name gives an anonymous label."""
        return Label(name, self, self.type)

    def cast(self, type_: Any) -> Cast:
        """``CAST(self AS type_)``."""
        return Cast(self, type_)

    def op(self, opstring: str, precedence: int = 0, is_comparison: bool = False) -> Any:
        """A callable producing ``self <opstring> other`` for a custom operator."""
        custom = _custom_op(opstring, precedence, is_comparison)

        def produce(other: Any) -> ColumnElement:
            right = self._bind_for(None, other)
            return BinaryExpression(
                self.self_group(custom),
                right.self_group(custom),
                custom,
                type_=sqltypes.BOOLEANTYPE if is_comparison else self.type,
            )

        return produce

    @property
    def _proxy_set(self) -> frozenset[ColumnElement]:
        proxied = self.__dict__.get("_proxied")
        if proxied is None:
            return frozenset([self])
        return frozenset([self]) | proxied._proxy_set  # type: ignore[no-any-return]

    def shares_lineage(self, other: ColumnElement) -> bool:
        """True when ``self`` and ``other`` are proxies of a common column."""
        return bool(self._proxy_set & other._proxy_set)

    @property
    def expression(self) -> ColumnElement:
        """This expression itself."""
        return self

    @property
    def comparator(self) -> ColumnElement:
        """This expression (comparisons are built by the element itself)."""
        return self

    @property
    def _anon_name_label(self) -> str:
        return "anon"

    def _make_proxy(self, selectable: Any, name: str | None = None) -> ColumnClause:
        col = ColumnClause(name or self.key or "anon", type_=self.type, _selectable=selectable)
        col._proxied = self
        col.primary_key = self.primary_key
        col.foreign_keys = self.foreign_keys
        return col


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
    other = _clause_element(other)
    if isinstance(other, ClauseElement):
        if other._is_select:
            right: ColumnElement = _SubqueryInExpression(other)
        elif isinstance(other, BindParameter):
            right = Grouping(other)
        elif isinstance(other, ColumnElement):
            right = other.self_group(op)  # type: ignore[assignment]
        else:
            sel = getattr(other, "select", None)
            if sel is None:
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


class BindParameter(ColumnElement):
    """A value sent separately from the SQL text (``:name`` / ``?``).

    Anonymous binds (``unique=True``) get a name like ``id_1`` at compile time.
    """

    __visit_name__ = "bindparam"

    def __init__(
        self,
        key: str | None,
        value: Any = ...,
        type_: Any = None,
        unique: bool = False,
        required: Any = ...,
        callable_: Any = None,
        isoutparam: bool = False,
        literal_execute: bool = False,
        _compared_to: ColumnElement | None = None,
        _name_hint: str | None = None,
    ) -> None:
        if required is ...:
            required = value is ... and callable_ is None
        if value is ...:
            value = None
        if key is None:
            base = _compared_to.key if _compared_to is not None else _name_hint
            base = base or "param"
            self._orig_key = base
            self.key = base
            unique = True
        else:
            self._orig_key = key
            self.key = key
        self._is_anon = unique
        self.unique = unique
        self.value = value
        self.callable = callable_
        self.required = bool(required)
        self.isoutparam = isoutparam
        self.literal_execute = literal_execute
        if type_ is None:
            self.type = sqltypes._type_for_value(value)
        else:
            self.type = sqltypes.to_instance(type_)

    @property
    def effective_value(self) -> Any:
        """The value, calling ``callable_`` if one was given."""
        if self.callable is not None:
            return self.callable()
        return self.value

    def _with_value(self, value: Any, maintain_key: bool = True) -> BindParameter:
        new: BindParameter = self._generate()
        new.value = value
        new.callable = None
        new.required = False
        return new

    def _gen_cache_key(self, ctx: KeyContext) -> Any:
        ctx.bindparams.append(self)
        # Anonymous binds are numbered by position; named ones keep their name.
        return (
            "bind",
            None if self._is_anon else self.key,
            self._orig_key if self._is_anon else None,
            self.type._static_cache_key,
            self.literal_execute,
        )

    def __repr__(self) -> str:
        return f"BindParameter({self.key!r}, {self.value!r}, type_={self.type!r})"


def bindparam(
    key: str | None,
    value: Any = ...,
    type_: Any = None,
    unique: bool = False,
    required: Any = ...,
    callable_: Any = None,
    literal_execute: bool = False,
) -> BindParameter:
    """A named bind parameter; its value may be given now or at execution."""
    return BindParameter(
        key,
        value,
        type_=type_,
        unique=unique,
        required=required,
        callable_=callable_,
        literal_execute=literal_execute,
    )


def literal(value: Any, type_: Any = None, literal_execute: bool = False) -> BindParameter:
    """A Python value as a bound literal expression (``:param_1``)."""
    return BindParameter(None, value, type_=type_, unique=True, literal_execute=literal_execute)


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


class ClauseList(ColumnElement):
    """Several elements joined by an operator (a comma by default)."""

    __visit_name__ = "clauselist"
    _is_in_list = False

    def __init__(
        self,
        *clauses: Any,
        operator: OperatorType = operators.comma_op,
        group: bool = True,
        group_contents: bool = True,
    ) -> None:
        self.operator = operator
        self.group = group
        if group_contents:
            self.clauses = tuple(coerce_expression(c).self_group(operator) for c in clauses)
        else:
            self.clauses = tuple(coerce_expression(c) for c in clauses)

    def __iter__(self) -> Any:
        return iter(self.clauses)

    def __len__(self) -> int:
        return len(self.clauses)

    def get_children(self) -> Iterable[ClauseElement]:
        """The joined elements."""
        return self.clauses

    def _copy_internals(self, fn: Any) -> None:
        self.clauses = tuple(fn(c) for c in self.clauses)

    @property
    def _from_objects(self) -> list[Any]:
        return [f for c in self.clauses for f in c._from_objects]

    def self_group(self, against: OperatorType | None = None) -> ClauseElement:
        """Parenthesise when grouped and under another operator."""
        if self.group and operators.is_precedent(self.operator, against):
            return Grouping(self)
        return self

    def _gen_cache_key(self, ctx: KeyContext) -> Any:
        return (
            "clauselist",
            self.operator,
            self._is_in_list,
            tuple(c._gen_cache_key(ctx) for c in self.clauses),
        )


class BooleanClauseList(ClauseList):
    """Criteria joined by AND or OR."""

    __visit_name__ = "boolean_clauselist"
    type = sqltypes.BOOLEANTYPE

    @classmethod
    def _construct(cls, op: OperatorType, clauses: Sequence[Any]) -> ColumnElement:
        flat: list[ColumnElement] = []
        for c in clauses:
            if c is None:
                continue
            el = coerce_where(c)
            # and_(x) inside and_() flattens; TRUE in AND and FALSE in OR are no-ops.
            if isinstance(el, BooleanClauseList) and el.operator is op:
                flat.extend(el.clauses)
            elif (op is operators.and_ and isinstance(el, True_)) or (
                op is operators.or_ and isinstance(el, False_)
            ):
                continue
            else:
                flat.append(el)
        if len(flat) == 1:
            return flat[0].self_group(op)  # type: ignore[return-value]
        new = cls.__new__(cls)
        new.operator = op
        new.group = True
        new.clauses = tuple(c.self_group(op) for c in flat)
        return new

    def __invert__(self) -> ColumnElement:
        return not_(self)

    def _gen_cache_key(self, ctx: KeyContext) -> Any:
        return ("bool", self.operator, tuple(c._gen_cache_key(ctx) for c in self.clauses))


def and_(*clauses: Any) -> ColumnElement:
    """Criteria joined by AND (nested ANDs flatten; ``and_()`` alone renders nothing)."""
    return BooleanClauseList._construct(operators.and_, clauses)


def or_(*clauses: Any) -> ColumnElement:
    """Criteria joined by OR."""
    return BooleanClauseList._construct(operators.or_, clauses)


def not_(clause: Any) -> ColumnElement:
    """``NOT clause`` (comparisons are negated in place: ``=`` becomes ``!=``)."""
    el = coerce_where(clause)
    if isinstance(el, BinaryExpression) and el.negate is not None:
        return el._negated()
    if isinstance(el, (True_, False_)):
        return ~el
    if isinstance(el, UnaryExpression) and el.operator is operators.inv:
        return el.element  # type: ignore[return-value]
    return UnaryExpression(el.self_group(operators.inv), operator=operators.inv,
                           type_=sqltypes.BOOLEANTYPE)  # fmt: skip


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


class BinaryExpression(ColumnElement):
    """``left <operator> right``."""

    __visit_name__ = "binary"

    def __init__(
        self,
        left: ClauseElement,
        right: ClauseElement,
        operator: Any,
        type_: Any = None,
        negate: OperatorType | None = None,
        modifiers: Mapping[str, Any] | None = None,
        orig: tuple[Any, Any] | None = None,
    ) -> None:
        self.left = left
        self.right = right
        self.operator = operator
        self.type = sqltypes.to_instance(type_)
        self.negate = negate
        self.modifiers = modifiers or {}
        # For == and != the truth value compares the operands' identities, so columns
        # work as dict keys and in ``in`` tests.
        self._orig = (id(orig[0]), id(orig[1])) if orig is not None else (id(left), id(right))

    def __bool__(self) -> bool:
        if self.operator is operators.eq:
            return self._orig[0] == self._orig[1]
        if self.operator is operators.ne:
            return self._orig[0] != self._orig[1]
        raise TypeError("Boolean value of this clause is not defined")

    def get_children(self) -> Iterable[ClauseElement]:
        """Left and right operands."""
        return (self.left, self.right)

    def _copy_internals(self, fn: Any) -> None:
        self.left = fn(self.left)
        self.right = fn(self.right)

    @property
    def _from_objects(self) -> list[Any]:
        return self.left._from_objects + self.right._from_objects

    def self_group(self, against: OperatorType | None = None) -> ClauseElement:
        """Parenthesise when the operator binds looser than ``against``."""
        if operators.is_precedent(self.operator, against):
            return Grouping(self)
        return self

    def _negated(self) -> ColumnElement:
        assert self.negate is not None
        new: BinaryExpression = self._generate()
        new.operator, new.negate = self.negate, self.operator
        return new

    def _gen_cache_key(self, ctx: KeyContext) -> Any:
        mods = tuple(sorted(self.modifiers.items())) if self.modifiers else ()
        return (
            "binary",
            self.operator,
            self.left._gen_cache_key(ctx),
            self.right._gen_cache_key(ctx),
            mods,
            self.type._static_cache_key if self.operator is not operators.eq else None,
        )


class UnaryExpression(ColumnElement):
    """A prefix ``operator`` (NOT, -, DISTINCT, EXISTS) or suffix ``modifier`` (ASC, DESC)."""

    __visit_name__ = "unary"

    def __init__(
        self,
        element: ClauseElement,
        operator: OperatorType | None = None,
        modifier: OperatorType | None = None,
        type_: Any = None,
    ) -> None:
        self.element = element
        self.operator = operator
        self.modifier = modifier
        if type_ is None:
            type_ = getattr(element, "type", None)
        self.type = sqltypes.to_instance(type_)

    def get_children(self) -> Iterable[ClauseElement]:
        """The operand."""
        return (self.element,)

    def _copy_internals(self, fn: Any) -> None:
        self.element = fn(self.element)

    @property
    def _from_objects(self) -> list[Any]:
        return self.element._from_objects

    @property
    def key(self) -> str | None:  # type: ignore[override]
        """The operand's key (so ``col.desc()`` keeps naming ``col``)."""
        return getattr(self.element, "key", None)

    def self_group(self, against: OperatorType | None = None) -> ClauseElement:
        """Parenthesise a prefix operator when it binds looser than ``against``."""
        if self.operator is not None and operators.is_precedent(self.operator, against):
            return Grouping(self)
        return self

    def _gen_cache_key(self, ctx: KeyContext) -> Any:
        return ("unary", self.operator, self.modifier, self.element._gen_cache_key(ctx))


def asc(column: Any) -> ColumnElement:
    """``column ASC``."""
    return UnaryExpression(coerce_column_like(column), modifier=operators.asc_op)


def desc(column: Any) -> ColumnElement:
    """``column DESC``."""
    return UnaryExpression(coerce_column_like(column), modifier=operators.desc_op)


def nulls_first(column: Any) -> ColumnElement:
    """``column NULLS FIRST``."""
    return UnaryExpression(coerce_column_like(column), modifier=operators.nulls_first_op)


def nulls_last(column: Any) -> ColumnElement:
    """``column NULLS LAST``."""
    return UnaryExpression(coerce_column_like(column), modifier=operators.nulls_last_op)


def distinct(expr: Any) -> ColumnElement:
    """``DISTINCT expr``."""
    return coerce_expression(expr).distinct()


def between(expr: Any, lower: Any, upper: Any, symmetric: bool = False) -> ColumnElement:
    """``expr BETWEEN lower AND upper``."""
    return coerce_expression(expr).between(lower, upper, symmetric=symmetric)


class _CollationClause(ColumnElement):
    __visit_name__ = "collation"

    def __init__(self, collation: str) -> None:
        self.collation = collation

    def _gen_cache_key(self, ctx: KeyContext) -> Any:
        return ("collation", self.collation)


def collate(expression: Any, collation: str) -> ColumnElement:
    """``expression COLLATE collation``."""
    expr = coerce_expression(expression)
    return BinaryExpression(
        expr.self_group(operators.collate),
        _CollationClause(collation),
        operators.collate,
        type_=expr.type,
    )


class Grouping(ColumnElement):
    """Parentheses around an element."""

    __visit_name__ = "grouping"

    def __init__(self, element: ClauseElement) -> None:
        self.element = element
        self.type = getattr(element, "type", sqltypes.NULLTYPE)

    def get_children(self) -> Iterable[ClauseElement]:
        """The grouped element."""
        return (self.element,)

    def _copy_internals(self, fn: Any) -> None:
        self.element = fn(self.element)

    @property
    def _from_objects(self) -> list[Any]:
        return self.element._from_objects

    @property
    def key(self) -> str | None:  # type: ignore[override]
        """The grouped element's key."""
        return getattr(self.element, "key", None)

    def __bool__(self) -> bool:
        return bool(self.element)

    def _gen_cache_key(self, ctx: KeyContext) -> Any:
        return ("grouping", self.element._gen_cache_key(ctx))


class Label(ColumnElement):
    """``element AS name``; a None name is made unique (``anon_1``) at compile time."""

    __visit_name__ = "label"

    def __init__(self, name: str | None, element: Any, type_: Any = None) -> None:
        self.element = coerce_expression(element).self_group(operators._as_label)
        self._is_anon_label = name is None
        self.name = name or "anon"
        self.key = self.name
        self._label_name = self.name
        self.type = sqltypes.to_instance(
            type_ if type_ is not None else getattr(self.element, "type", None)
        )

    def get_children(self) -> Iterable[ClauseElement]:
        """The labelled expression."""
        return (self.element,)

    def _copy_internals(self, fn: Any) -> None:
        self.element = fn(self.element)

    @property
    def _from_objects(self) -> list[Any]:
        return self.element._from_objects

    @property
    def _proxy_set(self) -> frozenset[ColumnElement]:
        inner = getattr(self.element, "_proxy_set", frozenset())
        return frozenset([self]) | inner

    def _gen_cache_key(self, ctx: KeyContext) -> Any:
        name = ("anon", ctx.anon_id(self)) if self._is_anon_label else self.name
        return ("label", name, self.element._gen_cache_key(ctx))


class Cast(ColumnElement):
    """``CAST(expression AS type)``."""

    __visit_name__ = "cast"

    def __init__(self, expression: Any, type_: Any) -> None:
        self.type = sqltypes.to_instance(type_)
        self.clause = coerce_expression(expression, self.type)
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
        self.clause = coerce_expression(expression, self.type)

    @property
    def _from_objects(self) -> list[Any]:
        return self.clause._from_objects

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
            pairs = [tuple(w) for w in whens]  # type: ignore[misc]
        if not pairs:
            raise exc.ArgumentError("case() needs at least one WHEN clause")
        self.value = coerce_expression(value) if value is not None else None
        self.whens: list[tuple[ColumnElement, ColumnElement]] = []
        for cond, result in pairs:
            if self.value is not None:
                c = self.value._bind_for(operators.eq, cond)
            else:
                c = coerce_where(cond).self_group()  # type: ignore[assignment]
            self.whens.append((c, coerce_expression(result)))
        self.else_ = coerce_expression(else_) if else_ is not None else None
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
            return tuple(coerce_column_like(x) for x in v)

        self.partition_by = as_list(partition_by)
        self.order_by = as_list(order_by)

    @property
    def _from_objects(self) -> list[Any]:
        return list(self.element._from_objects)

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
                binds[name] = BindParameter(name, required=False)
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
            new._bindparams[key] = BindParameter(key, value, type_=existing.type
                                                 if not existing.type._is_null else None)  # fmt: skip
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


class _SubqueryInExpression(ColumnElement):
    """A SELECT on the right of IN, rendered in parentheses."""

    __visit_name__ = "in_select"

    def __init__(self, select: Any) -> None:
        self.element = select

    def _gen_cache_key(self, ctx: KeyContext) -> Any:
        return ("in_select", self.element._gen_cache_key(ctx))
