"""The type system's base: TypeEngine, NullType, TypeDecorator and ``to_instance``."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from accord import exc

if TYPE_CHECKING:
    from accord.sql.operators import OperatorType

__all__ = [
    "NULLTYPE",
    "NullType",
    "Processor",
    "TypeDecorator",
    "TypeEngine",
    "to_instance",
]

Processor = Callable[[Any], Any]


class TypeEngine:
    """Base of every SQL type: DDL name, Python type, and bind/result value conversion."""

    __visit_name__: ClassVar[str] = "type_engine"
    _is_string: ClassVar[bool] = False
    _is_numeric: ClassVar[bool] = False
    _is_integer: ClassVar[bool] = False
    _is_null: ClassVar[bool] = False
    _is_json: ClassVar[bool] = False
    should_evaluate_none: bool = False

    @property
    def python_type(self) -> type:
        """The Python type that values of this SQL type have."""
        raise NotImplementedError(f"{type(self).__name__} has no python_type")

    def bind_processor(self, dialect: Any) -> Processor | None:
        """A callable converting a Python value for the driver, or None when none is needed."""
        return None

    def result_processor(self, dialect: Any, coltype: Any) -> Processor | None:
        """A callable converting a driver value to Python, or None when none is needed."""
        return None

    def literal_processor(self, dialect: Any) -> Callable[[Any], str] | None:
        """A callable rendering a value as a SQL literal, or None when it cannot be."""
        return None

    def compare_values(self, x: Any, y: Any) -> bool:
        """Whether two Python values of this type are equal (used by change tracking)."""
        return bool(x == y)

    def _cache_key_parts(self) -> tuple[Any, ...]:
        # Constructor arguments that affect SQL or processing, hashable.
        parts: list[Any] = [type(self)]
        for k, v in sorted(self.__dict__.items()):
            if k.startswith("_"):
                continue
            try:
                hash(v)
            except TypeError:
                v = repr(v)
            parts.append((k, v))
        return tuple(parts)

    _memo_static_key: tuple[Any, ...] | None = None

    @property
    def _static_cache_key(self) -> tuple[Any, ...]:
        key = self._memo_static_key
        if key is None:
            key = self._memo_static_key = self._cache_key_parts()
        return key

    def dialect_impl(self, dialect: Any) -> TypeEngine:
        """This type adapted to ``dialect`` through its ``colspecs``; cached per dialect class."""
        impls: dict[type, TypeEngine] | None = self.__dict__.get("_impl_cache")
        if impls is None:
            impls = self.__dict__["_impl_cache"] = {}
        key = type(dialect)
        impl = impls.get(key)
        if impl is None:
            impl = impls[key] = self._gen_dialect_impl(dialect)
        return impl

    def _gen_dialect_impl(self, dialect: Any) -> TypeEngine:
        colspecs = getattr(dialect, "colspecs", None) or {}
        for cls in type(self).__mro__:
            target = colspecs.get(cls)
            if target is not None:
                if target is type(self) or isinstance(self, target):
                    return self
                return self.adapt(target)
        return self

    def _cached_bind_processor(self, dialect: Any) -> Processor | None:
        """The dialect implementation's bind processor, memoized per dialect class."""
        memo: dict[Any, Any] = self.__dict__.setdefault("_bind_memo", {})
        key = type(dialect)
        if key in memo:
            return memo[key]  # type: ignore[no-any-return]
        proc = memo[key] = self.dialect_impl(dialect).bind_processor(dialect)
        return proc

    def _cached_result_processor(self, dialect: Any, coltype: Any) -> Processor | None:
        """The dialect implementation's result processor, memoized per dialect class."""
        memo: dict[Any, Any] = self.__dict__.setdefault("_result_memo", {})
        key = (type(dialect), coltype)
        try:
            return memo[key]  # type: ignore[no-any-return]
        except KeyError:
            pass
        except TypeError:  # unhashable coltype: skip the memo
            return self.dialect_impl(dialect).result_processor(dialect, coltype)
        proc = memo[key] = self.dialect_impl(dialect).result_processor(dialect, coltype)
        return proc

    def _cached_literal_processor(self, dialect: Any) -> Callable[[Any], str] | None:
        """The dialect implementation's literal processor."""
        return self.dialect_impl(dialect).literal_processor(dialect)

    def adapt(self, cls: type[TypeEngine], **kw: Any) -> TypeEngine:
        """A new instance of ``cls`` carrying this type's constructor arguments."""
        new = cls.__new__(cls)
        state = {k: v for k, v in self.__dict__.items() if not k.startswith("_memo")}
        for k in ("_impl_cache", "_bind_memo", "_result_memo"):
            state.pop(k, None)
        new.__dict__.update(state)
        new.__dict__.update(kw)
        return new

    def copy(self) -> TypeEngine:
        """A shallow copy of this type."""
        return self.adapt(type(self))

    def compile(self, dialect: Any = None) -> str:
        """The type's DDL name for ``dialect`` (the default string dialect if None)."""
        if dialect is None:
            from accord.sql.strdialect import default_dialect

            dialect = default_dialect()
        return dialect.type_compiler.process(self)  # type: ignore[no-any-return]

    def coerce_compared_value(self, op: OperatorType | None, value: Any) -> TypeEngine:
        """The type given to a literal ``value`` compared with an expression of this type."""
        return self

    def _result_type_for(self, op: OperatorType, other: TypeEngine) -> TypeEngine:
        # The type of ``self op other`` for arithmetic; comparisons are Boolean elsewhere.
        if self._is_null:
            return other
        return self

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.__dict__.items() if not k.startswith("_"))
        return f"{type(self).__name__}({args})"

    def __str__(self) -> str:
        return self.compile()


class NullType(TypeEngine):
    """The type of an expression whose type is not known; passes values through."""

    __visit_name__ = "null"
    _is_null = True

    @property
    def python_type(self) -> type:
        """NullType values can be anything."""
        return object

    def literal_processor(self, dialect: Any) -> Callable[[Any], str] | None:
        """Literals of unknown type render by their Python type."""
        return _render_guess

    def __str__(self) -> str:
        return "NULL"


def _render_guess(value: Any) -> str:
    from accord.sql.types import _type_for_value

    if value is None:
        return "NULL"
    t = _type_for_value(value)
    if t._is_null:
        raise exc.CompileError(f"Don't know how to render literal SQL value: {value!r}")
    proc = t.literal_processor(None)
    if proc is None:
        raise exc.CompileError(f"Don't know how to render literal SQL value: {value!r}")
    return proc(value)


def _quote_string(value: Any) -> str:
    return "'" + str(value).replace("'", "''") + "'"


class TypeDecorator(TypeEngine):
    """Base for user types that wrap an existing type (``impl``) with extra conversion.

    Subclasses set ``impl`` and override ``process_bind_param`` / ``process_result_value``.
    """

    __visit_name__ = "type_decorator"
    impl: Any = None
    cache_ok: bool | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if self.impl is None:
            raise exc.ArgumentError(
                f"TypeDecorator subclass {type(self).__name__} must set the 'impl' attribute"
            )
        impl = self.impl
        self.impl = impl(*args, **kwargs) if isinstance(impl, type) else impl

    def _cache_key_parts(self) -> tuple[Any, ...]:
        return (type(self), self.impl._static_cache_key)

    @property
    def python_type(self) -> type:
        """The wrapped type's Python type."""
        return self.impl.python_type  # type: ignore[no-any-return]

    @property
    def _is_string(self) -> bool:  # type: ignore[override]
        return bool(self.impl._is_string)

    @property
    def _is_numeric(self) -> bool:  # type: ignore[override]
        return bool(self.impl._is_numeric)

    def load_dialect_impl(self, dialect: Any) -> TypeEngine:
        """The type to use on ``dialect``; by default ``impl``."""
        return self.impl  # type: ignore[no-any-return]

    def process_bind_param(self, value: Any, dialect: Any) -> Any:
        """Convert a Python value before the wrapped type's own bind conversion."""
        return value

    def process_result_value(self, value: Any, dialect: Any) -> Any:
        """Convert a value after the wrapped type's own result conversion."""
        return value

    def process_literal_param(self, value: Any, dialect: Any) -> Any:
        """Convert a value before rendering it as a literal."""
        return self.process_bind_param(value, dialect)

    def _gen_dialect_impl(self, dialect: Any) -> TypeEngine:
        return self

    def _inner(self, dialect: Any) -> TypeEngine:
        return self.load_dialect_impl(dialect).dialect_impl(dialect)

    def _overrides(self, name: str) -> bool:
        return getattr(type(self), name) is not getattr(TypeDecorator, name)

    def bind_processor(self, dialect: Any) -> Processor | None:
        """``process_bind_param`` followed by the wrapped type's bind processor."""
        inner = self._inner(dialect).bind_processor(dialect)
        if not self._overrides("process_bind_param"):
            return inner
        fn = self.process_bind_param
        if inner is None:
            return lambda value: fn(value, dialect)
        return lambda value: inner(fn(value, dialect))

    def result_processor(self, dialect: Any, coltype: Any) -> Processor | None:
        """The wrapped type's result processor followed by ``process_result_value``."""
        inner = self._inner(dialect).result_processor(dialect, coltype)
        if not self._overrides("process_result_value"):
            return inner
        fn = self.process_result_value
        if inner is None:
            return lambda value: fn(value, dialect)
        return lambda value: fn(inner(value), dialect)

    def literal_processor(self, dialect: Any) -> Callable[[Any], str] | None:
        """The wrapped type's literal rendering after ``process_literal_param``."""
        inner = self._inner(dialect).literal_processor(dialect)
        if inner is None:
            return None
        fn = self.process_literal_param
        return lambda value: inner(fn(value, dialect))

    def coerce_compared_value(self, op: OperatorType | None, value: Any) -> TypeEngine:
        """Literals compared with this type get this type."""
        return self

    def copy(self) -> TypeDecorator:
        """A shallow copy."""
        new = type(self).__new__(type(self))
        new.__dict__.update(
            {k: v for k, v in self.__dict__.items() if not k.startswith(("_memo", "_impl"))}
        )
        return new


def to_instance(typeobj: Any) -> TypeEngine:
    """``typeobj`` as a TypeEngine instance (classes are instantiated, None is NullType)."""
    if typeobj is None:
        return NULLTYPE
    if isinstance(typeobj, type):
        return typeobj()  # type: ignore[no-any-return]
    if not isinstance(typeobj, TypeEngine):
        raise exc.ArgumentError(f"Expected a SQL type (TypeEngine), got {typeobj!r}")
    return typeobj


NULLTYPE = NullType()
