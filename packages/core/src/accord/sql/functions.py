"""SQL functions: the ``func`` namespace, generic functions and the known ones with types."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from accord.sql import operators
from accord.sql import types as sqltypes
from accord.sql.elements import BindParameter, ClauseElement, ClauseList, ColumnElement
from accord.sql.expressions import Over
from accord.sql.textual import literal_column

if TYPE_CHECKING:
    from collections.abc import Iterable

    from accord.sql.cache_key import KeyContext

__all__ = [
    "Function",
    "FunctionElement",
    "func",
    "next_value",
]


class FunctionElement(ColumnElement):
    """A SQL function call ``name(arg, ...)``."""

    __visit_name__ = "function"
    name: str = "function"
    packagenames: tuple[str, ...] = ()
    _has_args = True
    type: sqltypes.TypeEngine = sqltypes.NULLTYPE

    def __init__(self, *clauses: Any, type_: Any = None) -> None:
        # Literal arguments are bound under the function's name (lower(:lower_1)).
        args = [
            c
            if isinstance(c, ClauseElement) or hasattr(c, "__clause_element__") or c is None
            else BindParameter(None, c, unique=True, _name_hint=self.name)
            for c in clauses
        ]
        self.clause_expr = ClauseList(*args, operator=operators.comma_op, group_contents=True)
        if type_ is not None:
            self.type = sqltypes.to_instance(type_)

    @property
    def clauses(self) -> ClauseList:
        """The argument list."""
        return self.clause_expr

    @property
    def key(self) -> str:  # type: ignore[override]
        """The function name."""
        return self.name

    @property
    def _from_objects(self) -> list[Any]:
        return self.clause_expr._from_objects

    def get_children(self) -> Iterable[ClauseElement]:
        """The argument list."""
        return (self.clause_expr,)

    def _copy_internals(self, fn: Any) -> None:
        self.clause_expr = fn(self.clause_expr)

    def over(self, partition_by: Any = None, order_by: Any = None) -> Over:
        """``func(...) OVER (...)``."""
        return Over(self, partition_by=partition_by, order_by=order_by)

    def filter(self, *criterion: Any) -> ColumnElement:
        """Not supported everywhere; kept minimal: returns self when no criterion."""
        if not criterion:
            return self
        raise NotImplementedError("FILTER (WHERE ...) is not supported")

    def select(self) -> Any:
        """``SELECT func(...)``."""
        from accord.sql.selectable import Select

        return Select(self)

    def scalar_subquery(self) -> Any:
        """``(SELECT func(...))``."""
        return self.select().scalar_subquery()

    def alias(self, name: str | None = None) -> Any:
        """A table-valued function in FROM is not supported by this build."""
        raise NotImplementedError("table-valued functions are not supported")

    def _gen_cache_key(self, ctx: KeyContext) -> Any:
        return (
            "function",
            type(self),
            self.packagenames,
            self.name,
            self.type._static_cache_key,
            self.clause_expr._gen_cache_key(ctx),
        )


class Function(FunctionElement):
    """A function called by any name (``func.anything(...)``)."""

    def __init__(
        self, name: str, *clauses: Any, type_: Any = None, packagenames: tuple[str, ...] = ()
    ) -> None:
        self.name = name
        self.packagenames = packagenames
        super().__init__(*clauses, type_=type_)


class GenericFunction(FunctionElement):
    """A known function with a fixed return type; subclasses register by ``name``."""

    _registry: dict[str, type[GenericFunction]] = {}
    _return_type: Any = None
    _type_from_args = False

    def __init_subclass__(cls, **kw: Any) -> None:
        super().__init_subclass__(**kw)
        GenericFunction._registry[cls.__dict__.get("name", cls.__name__).lower()] = cls

    def __init__(self, *clauses: Any, type_: Any = None) -> None:
        super().__init__(*clauses, type_=type_)
        if type_ is None:
            if self._type_from_args and len(self.clause_expr):
                self.type = self.clause_expr.clauses[0].type  # type: ignore[attr-defined]
            elif self._return_type is not None:
                self.type = sqltypes.to_instance(self._return_type)


class _NoArgs(GenericFunction):
    """A function written without parentheses (``CURRENT_TIMESTAMP``)."""

    _has_args = False


class count(GenericFunction):
    """``count(expr)``; ``func.count()`` is ``count(*)``."""

    name = "count"
    _return_type = sqltypes.Integer

    def __init__(self, expression: Any = None, **kw: Any) -> None:
        if expression is None:
            expression = literal_column("*")
        super().__init__(expression, **kw)


class max(GenericFunction):
    """``max(expr)``, typed like its argument."""

    name = "max"
    _type_from_args = True


class min(GenericFunction):
    """``min(expr)``, typed like its argument."""

    name = "min"
    _type_from_args = True


class sum(GenericFunction):
    """``sum(expr)``, typed like its argument."""

    name = "sum"
    _type_from_args = True


class avg(GenericFunction):
    """``avg(expr)``."""

    name = "avg"
    _return_type = sqltypes.Float


class coalesce(GenericFunction):
    """``coalesce(a, b, ...)``, typed like its first argument."""

    name = "coalesce"
    _type_from_args = True


class lower(GenericFunction):
    """``lower(s)``."""

    name = "lower"
    _return_type = sqltypes.String


class upper(GenericFunction):
    """``upper(s)``."""

    name = "upper"
    _return_type = sqltypes.String


class length(GenericFunction):
    """``length(s)``."""

    name = "length"
    _return_type = sqltypes.Integer


class char_length(GenericFunction):
    """``char_length(s)``."""

    name = "char_length"
    _return_type = sqltypes.Integer


class concat(GenericFunction):
    """``concat(a, b, ...)``."""

    name = "concat"
    _return_type = sqltypes.String


class random(GenericFunction):
    """``random()``."""

    name = "random"


class abs(GenericFunction):
    """``abs(x)``, typed like its argument."""

    name = "abs"
    _type_from_args = True


class now(GenericFunction):
    """``now()`` (``CURRENT_TIMESTAMP`` on sqlite)."""

    name = "now"
    _return_type = sqltypes.DateTime


class current_timestamp(_NoArgs):
    """``CURRENT_TIMESTAMP``."""

    name = "current_timestamp"
    _return_type = sqltypes.DateTime


class current_date(_NoArgs):
    """``CURRENT_DATE``."""

    name = "current_date"
    _return_type = sqltypes.Date


class current_time(_NoArgs):
    """``CURRENT_TIME``."""

    name = "current_time"
    _return_type = sqltypes.Time


class localtimestamp(_NoArgs):
    """``LOCALTIMESTAMP``."""

    name = "localtimestamp"
    _return_type = sqltypes.DateTime


class current_user(_NoArgs):
    """``CURRENT_USER``."""

    name = "current_user"
    _return_type = sqltypes.String


class row_number(GenericFunction):
    """``row_number()`` (a window function)."""

    name = "row_number"
    _return_type = sqltypes.Integer


class rank(GenericFunction):
    """``rank()`` (a window function)."""

    name = "rank"
    _return_type = sqltypes.Integer


class dense_rank(GenericFunction):
    """``dense_rank()`` (a window function)."""

    name = "dense_rank"
    _return_type = sqltypes.Integer


class next_value(GenericFunction):
    """The next value of a Sequence (rendered per dialect)."""

    name = "next_value"
    _return_type = sqltypes.Integer
    __visit_name__ = "next_value"

    def __init__(self, seq: Any, **kw: Any) -> None:
        self.sequence = seq
        super().__init__(**kw)

    def _gen_cache_key(self, ctx: KeyContext) -> Any:
        return ("next_value", self.sequence.name, self.sequence.schema)


class _FunctionGenerator:
    """``func.name(...)`` builds a call to any SQL function; dotted names give packages."""

    __slots__ = ("__names",)

    def __init__(self, names: tuple[str, ...] = ()) -> None:
        self.__names = names

    def __getattr__(self, name: str) -> _FunctionGenerator:
        if name.startswith("__"):
            raise AttributeError(name)
        if name.endswith("_"):
            name = name[:-1]
        return _FunctionGenerator((*self.__names, name))

    def __call__(self, *args: Any, **kw: Any) -> FunctionElement:
        names = self.__names
        if not names:
            raise TypeError("func() needs a function name: func.count(), func.lower(), ...")
        if len(names) == 1:
            known = GenericFunction._registry.get(names[0].lower())
            if known is not None:
                return known(*args, **kw)
        return Function(names[-1], *args, packagenames=names[:-1], **kw)


func = _FunctionGenerator()
"""The function namespace: ``func.count(t.c.id)``, ``func.lower(name)``, ``func.my_fn(x)``."""
