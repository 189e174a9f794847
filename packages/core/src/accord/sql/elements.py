"""The element base and core column expressions: binds, AND/OR, binary, unary, labels."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from accord import exc
from accord.sql import operators
from accord.sql import types as sqltypes
from accord.sql.cache_key import CacheKey, KeyContext, NoCacheKey
from accord.sql.operators import ColumnOperators

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

    from accord.sql.compiler import Compiled
    from accord.sql.operators import OperatorType

__all__ = [
    "BinaryExpression",
    "BindParameter",
    "BooleanClauseList",
    "ClauseElement",
    "ClauseList",
    "ColumnElement",
    "Executable",
    "Grouping",
    "Label",
    "UnaryExpression",
    "and_",
    "bindparam",
    "literal",
    "not_",
    "or_",
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

    def __init_subclass__(cls, **kw: Any) -> None:
        super().__init_subclass__(**kw)
        # gen_cache_key (public, dialects) and _gen_cache_key (core's key walk) name the same
        # function on every class, so super().gen_cache_key() reaches the parent's key.
        d = cls.__dict__
        if "gen_cache_key" in d and "_gen_cache_key" not in d:
            cls._gen_cache_key = d["gen_cache_key"]
        elif "_gen_cache_key" in d and "gen_cache_key" not in d:
            cls.gen_cache_key = d["_gen_cache_key"]  # type: ignore[method-assign]

    def _compiler_dispatch(self, compiler: Any, **kw: Any) -> str:
        return getattr(compiler, "visit_" + self.__visit_name__)(self, **kw)  # type: ignore[no-any-return]

    # -- copying (generative methods copy, never mutate) --------------------------------

    def generate(self) -> Any:
        """A shallow copy for a generative method to change and return (memos dropped)."""
        new = self.__class__.__new__(self.__class__)
        new.__dict__ = {k: v for k, v in self.__dict__.items() if not k.startswith("_memo")}
        return new

    _generate = generate

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

    def gen_cache_key(self, ctx: KeyContext) -> Any:
        """This element's hashable cache-key part (no literal values); subclasses extend it."""
        raise NoCacheKey(type(self).__name__)

    _gen_cache_key = gen_cache_key

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
                # A dialect passed positionally is accepted as well as an Engine/Connection.
                dialect = bind if hasattr(bind, "statement_compiler") else bind.dialect
            else:
                from accord.sql.strdialect import default_dialect

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
        return coercions._replace_binds(self, values)

    def __bool__(self) -> bool:
        raise TypeError("Boolean value of this clause is not defined")

    def __repr__(self) -> str:
        return f"<{type(self).__module__}.{type(self).__name__} object at {id(self):#x}>"


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


# ---------------------------------------------------------------------------------------
# column expressions
# ---------------------------------------------------------------------------------------


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
        special = _UNARY_OPS.get(op)
        if special is not None:
            return special(self, *other)  # type: ignore[no-any-return]
        if op in (operators.in_op, operators.not_in_op):
            return expressions._in_impl(self, op, other[0])
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
            right: ColumnElement = expressions.Null()
        elif op in (operators.is_, operators.is_not) and isinstance(value, bool):
            right = expressions.True_() if value else expressions.False_()
        else:
            if op in expressions._LIKE_OPS and kw.get("autoescape"):
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
        if op is operators.and_:
            return and_(other, self)
        if op is operators.or_:
            return or_(other, self)
        left = self._bind_for(op, other)
        if op is operators.add and (self.type._is_string or left.type._is_string):
            op = operators.concat_op
        return left._binary(op, self)

    def _bind_for(self, op: OperatorType | None, value: Any) -> ColumnElement:
        if isinstance(value, ClauseElement) or hasattr(value, "__clause_element__"):
            expr = coercions.coerce_expression(value)
            if isinstance(expr, BindParameter) and expr.type._is_null and not self.type._is_null:
                # bindparam("x") compared with a typed column takes the column's type.
                typed: BindParameter = expr._generate()
                typed.type = self.type.coerce_compared_value(op, expr.value)
                return typed
            return expr
        if value is None:
            return expressions.Null()
        t = self.type
        if t._is_null:
            bind_type = sqltypes._type_for_value(value)
        else:
            bind_type = t.coerce_compared_value(op, value)
        return BindParameter(None, value, type_=bind_type, unique=True, _compared_to=self)

    def label(self, name: str | None) -> Label:
        """``self AS name``; a None name gives an anonymous label."""
        return Label(name, self, self.type)

    def cast(self, type_: Any) -> expressions.Cast:
        """``CAST(self AS type_)``."""
        return expressions.Cast(self, type_)

    def op(self, opstring: str, precedence: int = 0, is_comparison: bool = False) -> Any:
        """A callable producing ``self <opstring> other`` for a custom operator."""
        custom = expressions._custom_op(opstring, precedence, is_comparison)

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

    def _make_proxy(self, selectable: Any, name: str | None = None) -> textual.ColumnClause:
        col = textual.ColumnClause(
            name or self.key or "anon", type_=self.type, _selectable=selectable
        )
        col._proxied = self  # type: ignore[attr-defined]  # proxies record their origin
        col.primary_key = self.primary_key
        col.foreign_keys = self.foreign_keys
        return col


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
            self.clauses = tuple(
                coercions.coerce_expression(c).self_group(operator) for c in clauses
            )
        else:
            self.clauses = tuple(coercions.coerce_expression(c) for c in clauses)

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
            el = coercions.coerce_where(c)
            # and_(x) inside and_() flattens; TRUE in AND and FALSE in OR are no-ops.
            if isinstance(el, BooleanClauseList) and el.operator is op:
                flat.extend(el.clauses)  # type: ignore[arg-type]  # clauses are columns here
            elif (op is operators.and_ and isinstance(el, expressions.True_)) or (
                op is operators.or_ and isinstance(el, expressions.False_)
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
    el = coercions.coerce_where(clause)
    if isinstance(el, BinaryExpression) and el.negate is not None:
        return el._negated()
    if isinstance(el, (expressions.True_, expressions.False_)):
        return ~el
    if isinstance(el, UnaryExpression) and el.operator is operators.inv:
        return el.element  # type: ignore[return-value]
    return UnaryExpression(
        el.self_group(operators.inv), operator=operators.inv, type_=sqltypes.BOOLEANTYPE
    )


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


class _WrapsOneElement(ColumnElement):
    """Base of expressions around one inner ``element`` (unary operators, parentheses, labels)."""

    element: ClauseElement

    def get_children(self) -> Iterable[ClauseElement]:
        """The wrapped element."""
        return (self.element,)

    def _copy_internals(self, fn: Any) -> None:
        self.element = fn(self.element)

    @property
    def _from_objects(self) -> list[Any]:
        return self.element._from_objects


class UnaryExpression(_WrapsOneElement):
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


class Grouping(_WrapsOneElement):
    """Parentheses around an element."""

    __visit_name__ = "grouping"

    def __init__(self, element: ClauseElement) -> None:
        self.element = element
        self.type = getattr(element, "type", sqltypes.NULLTYPE)

    @property
    def key(self) -> str | None:  # type: ignore[override]
        """The grouped element's key."""
        return getattr(self.element, "key", None)

    def __bool__(self) -> bool:
        return bool(self.element)

    def _gen_cache_key(self, ctx: KeyContext) -> Any:
        return ("grouping", self.element._gen_cache_key(ctx))


class Label(_WrapsOneElement):
    """``element AS name``; a None name is made unique (``anon_1``) at compile time."""

    __visit_name__ = "label"

    def __init__(self, name: str | None, element: Any, type_: Any = None) -> None:
        self.element = coercions.coerce_expression(element).self_group(operators._as_label)
        self._is_anon_label = name is None
        self.name = name or "anon"
        self.key = self.name
        self._label_name = self.name
        self.type = sqltypes.to_instance(
            type_ if type_ is not None else getattr(self.element, "type", None)
        )

    @property
    def _proxy_set(self) -> frozenset[ColumnElement]:
        inner: frozenset[ColumnElement] = getattr(self.element, "_proxy_set", frozenset())
        return frozenset([self]) | inner

    def _gen_cache_key(self, ctx: KeyContext) -> Any:
        name = ("anon", ctx.anon_id(self)) if self._is_anon_label else self.name
        return ("label", name, self.element._gen_cache_key(ctx))


def _unary_modifier(op: OperatorType) -> Any:
    def build(expr: ColumnElement) -> ColumnElement:
        return UnaryExpression(expr, modifier=op)

    return build


# Operators that wrap a single expression (ColumnOperators sends them through operate()).
_UNARY_OPS: dict[Any, Any] = {
    operators.neg: lambda e: UnaryExpression(e, operator=operators.neg, type_=e.type),
    operators.inv: lambda e: not_(e),
    operators.asc_op: _unary_modifier(operators.asc_op),
    operators.desc_op: _unary_modifier(operators.desc_op),
    operators.nulls_first_op: _unary_modifier(operators.nulls_first_op),
    operators.nulls_last_op: _unary_modifier(operators.nulls_last_op),
    operators.distinct_op: lambda e: UnaryExpression(
        e, operator=operators.distinct_op, type_=e.type
    ),
    operators.and_: lambda e, other: and_(e, other),
    operators.or_: lambda e, other: or_(e, other),
    operators.collate: lambda e, name: expressions.collate(e, name),
}


# Sibling modules built on this one. Imported last, as modules, so that whichever module is
# imported first, every name they take from here already exists.
from accord.sql import coercions, expressions, textual  # noqa: E402


def __getattr__(name: str) -> Any:
    # Names that moved to sibling modules stay importable from here, where SQLAlchemy
    # users (and dialect authors) look for them: each sibling's __all__ says which.
    for module in (textual, expressions, coercions):
        if name in module.__all__:
            return getattr(module, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
