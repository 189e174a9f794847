"""Column types: TypeEngine, the generic types, TypeDecorator, and their value processors."""

from __future__ import annotations

import datetime as _dt
import decimal
import enum as _enum
import json
import uuid as _uuid
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

    from accord.sql.operators import OperatorType

__all__ = [
    "BigInteger",
    "Boolean",
    "Date",
    "DateTime",
    "Enum",
    "Float",
    "Integer",
    "JSON",
    "LargeBinary",
    "NULLTYPE",
    "NullType",
    "Numeric",
    "SmallInteger",
    "String",
    "Text",
    "Time",
    "TypeDecorator",
    "TypeEngine",
    "Uuid",
    "to_instance",
]

from accord.sql.type_api import (
    NULLTYPE,
    NullType,
    Processor,
    TypeDecorator,
    TypeEngine,
    _quote_string,
    to_instance,
)


class Integer(TypeEngine):
    """A whole number (``INTEGER``)."""

    __visit_name__ = "integer"
    _is_numeric = True
    _is_integer = True

    @property
    def python_type(self) -> type:
        """Values are ``int``."""
        return int

    def literal_processor(self, dialect: Any) -> Callable[[Any], str] | None:
        """Integers render as their decimal digits."""
        return lambda v: str(int(v))

    def _result_type_for(self, op: OperatorType, other: TypeEngine) -> TypeEngine:
        from accord.sql import operators

        if op is operators.truediv and other._is_numeric and not other._is_integer:
            return other
        if other._is_numeric and not other._is_integer:
            return other
        return self


class SmallInteger(Integer):
    """A small whole number (``SMALLINT``)."""

    __visit_name__ = "small_integer"


class BigInteger(Integer):
    """A large whole number (``BIGINT``)."""

    __visit_name__ = "big_integer"


class Numeric(TypeEngine):
    """A fixed-precision number; ``asdecimal`` returns ``decimal.Decimal`` values."""

    __visit_name__ = "numeric"
    _is_numeric = True
    _default_decimal_return_scale = 10

    def __init__(
        self,
        precision: int | None = None,
        scale: int | None = None,
        decimal_return_scale: int | None = None,
        asdecimal: bool = True,
    ) -> None:
        self.precision = precision
        self.scale = scale
        self.decimal_return_scale = decimal_return_scale
        self.asdecimal = asdecimal

    @property
    def python_type(self) -> type:
        """``Decimal`` when ``asdecimal`` else ``float``."""
        return decimal.Decimal if self.asdecimal else float

    def literal_processor(self, dialect: Any) -> Callable[[Any], str] | None:
        """Numbers render as their string form."""
        return str

    def bind_processor(self, dialect: Any) -> Processor | None:
        """Decimals go to drivers without native decimals as floats."""
        if dialect is not None and not getattr(dialect, "supports_native_decimal", True):
            return _decimal_to_float
        return None

    def result_processor(self, dialect: Any, coltype: Any) -> Processor | None:
        """Convert driver floats to Decimal (or Decimals to float) as configured."""
        native = getattr(dialect, "supports_native_decimal", True)
        if self.asdecimal:
            if native:
                return None
            scale = self.scale if self.scale is not None else self.decimal_return_scale
            return _float_to_decimal(scale)
        if native:
            return _to_float
        return None


def _decimal_to_float(value: Any) -> Any:
    return float(value) if isinstance(value, decimal.Decimal) else value


def _to_float(value: Any) -> Any:
    return float(value) if value is not None else None


def _float_to_decimal(scale: int | None) -> Processor:
    def process(value: Any) -> Any:
        if value is None or isinstance(value, decimal.Decimal):
            return value
        if isinstance(value, float) and scale is not None:
            # Formatting with a fixed scale avoids binary-float noise such as 1.1000000000000001.
            return decimal.Decimal(f"{value:.{scale}f}")
        return decimal.Decimal(str(value))

    return process


class Float(Numeric):
    """A floating-point number (``FLOAT``); ``float`` values unless ``asdecimal``."""

    __visit_name__ = "float"

    def __init__(
        self,
        precision: int | None = None,
        asdecimal: bool = False,
        decimal_return_scale: int | None = None,
    ) -> None:
        self.precision = precision
        self.scale = None
        self.asdecimal = asdecimal
        self.decimal_return_scale = decimal_return_scale

    def result_processor(self, dialect: Any, coltype: Any) -> Processor | None:
        """Floats come back as floats; Decimal only when asked for."""
        if self.asdecimal:
            return _float_to_decimal(self.decimal_return_scale or 10)
        return None

    def bind_processor(self, dialect: Any) -> Processor | None:
        """Floats need no conversion."""
        return None


class String(TypeEngine):
    """A character string with an optional maximum ``length`` (``VARCHAR(n)``)."""

    __visit_name__ = "string"
    _is_string = True

    def __init__(self, length: int | None = None, collation: str | None = None) -> None:
        self.length = length
        self.collation = collation

    @property
    def python_type(self) -> type:
        """Values are ``str``."""
        return str

    def literal_processor(self, dialect: Any) -> Callable[[Any], str] | None:
        """Strings render quoted, with embedded quotes doubled."""
        return _quote_string


class Text(String):
    """An unbounded character string (``TEXT``)."""

    __visit_name__ = "text"


class Boolean(TypeEngine):
    """A true/false value; stored as 0/1 on databases without a native boolean."""

    __visit_name__ = "boolean"

    def __init__(self, create_constraint: bool = False, name: str | None = None) -> None:
        self.create_constraint = create_constraint
        self.name = name

    @property
    def python_type(self) -> type:
        """Values are ``bool``."""
        return bool

    def literal_processor(self, dialect: Any) -> Callable[[Any], str] | None:
        """``true``/``false`` where native, else ``1``/``0``."""
        if dialect is None or getattr(dialect, "supports_native_boolean", True):
            return lambda v: "true" if v else "false"
        return lambda v: "1" if v else "0"

    def bind_processor(self, dialect: Any) -> Processor | None:
        """Booleans become integers where the database has no boolean."""
        if getattr(dialect, "supports_native_boolean", True):
            return None
        return _bool_to_int

    def result_processor(self, dialect: Any, coltype: Any) -> Processor | None:
        """Integers become ``bool`` where the database has no boolean."""
        if getattr(dialect, "supports_native_boolean", True):
            return None
        return _int_to_bool


def _bool_to_int(value: Any) -> Any:
    return None if value is None else int(bool(value))


def _int_to_bool(value: Any) -> Any:
    return None if value is None else bool(value)


class Date(TypeEngine):
    """A calendar date (``datetime.date``)."""

    __visit_name__ = "date"

    @property
    def python_type(self) -> type:
        """Values are ``datetime.date``."""
        return _dt.date

    def literal_processor(self, dialect: Any) -> Callable[[Any], str] | None:
        """Dates render as quoted ISO strings."""
        return lambda v: _quote_string(v.isoformat())


class DateTime(TypeEngine):
    """A date and time; ``timezone=True`` asks for a time-zone-aware column."""

    __visit_name__ = "datetime"

    def __init__(self, timezone: bool = False) -> None:
        self.timezone = timezone

    @property
    def python_type(self) -> type:
        """Values are ``datetime.datetime``."""
        return _dt.datetime

    def literal_processor(self, dialect: Any) -> Callable[[Any], str] | None:
        """Datetimes render as quoted ISO strings."""
        return lambda v: _quote_string(v.isoformat(sep=" "))


class Time(TypeEngine):
    """A time of day (``datetime.time``)."""

    __visit_name__ = "time"

    def __init__(self, timezone: bool = False) -> None:
        self.timezone = timezone

    @property
    def python_type(self) -> type:
        """Values are ``datetime.time``."""
        return _dt.time

    def literal_processor(self, dialect: Any) -> Callable[[Any], str] | None:
        """Times render as quoted ISO strings."""
        return lambda v: _quote_string(v.isoformat())


class LargeBinary(TypeEngine):
    """Binary data (``BLOB``); values are ``bytes``."""

    __visit_name__ = "large_binary"

    def __init__(self, length: int | None = None) -> None:
        self.length = length

    @property
    def python_type(self) -> type:
        """Values are ``bytes``."""
        return bytes

    def bind_processor(self, dialect: Any) -> Processor | None:
        """Binary values pass through to the driver."""
        return None

    def result_processor(self, dialect: Any, coltype: Any) -> Processor | None:
        """memoryview and bytearray results become ``bytes``."""
        return _to_bytes


def _to_bytes(value: Any) -> Any:
    if value is None or isinstance(value, bytes):
        return value
    return bytes(value)


class JSON(TypeEngine):
    """A JSON document, serialized with ``json.dumps`` and parsed with ``json.loads``.

    Python ``None`` is stored as JSON ``null`` unless ``none_as_null=True``.
    """

    __visit_name__ = "json"
    _is_json = True

    def __init__(self, none_as_null: bool = False) -> None:
        self.none_as_null = none_as_null

    @property
    def should_evaluate_none(self) -> bool:  # type: ignore[override]
        """None is a value to store (JSON null) unless ``none_as_null``."""
        return not self.none_as_null

    @property
    def python_type(self) -> type:
        """Values are any JSON-serializable object (reported as ``dict``)."""
        return dict

    def bind_processor(self, dialect: Any) -> Processor | None:
        """Serialize to a JSON string."""
        serializer = _dialect_option(dialect, "json_serializer") or json.dumps
        if self.none_as_null:

            def process(value: Any) -> Any:
                return None if value is None else serializer(value)

            return process
        return serializer

    def result_processor(self, dialect: Any, coltype: Any) -> Processor | None:
        """Parse a JSON string."""
        deserializer = _dialect_option(dialect, "json_deserializer") or json.loads

        def process(value: Any) -> Any:
            if value is None:
                return None
            if isinstance(value, (bytes, str)):
                return deserializer(value)
            return value

        return process

    def literal_processor(self, dialect: Any) -> Callable[[Any], str] | None:
        """JSON renders as a quoted JSON string."""
        return lambda v: _quote_string(json.dumps(v))


class Uuid(TypeEngine):
    """A UUID; ``as_uuid=True`` (default) gives ``uuid.UUID`` objects, else strings."""

    __visit_name__ = "uuid"

    def __init__(self, as_uuid: bool = True, native_uuid: bool = True) -> None:
        self.as_uuid = as_uuid
        self.native_uuid = native_uuid

    @property
    def python_type(self) -> type:
        """``uuid.UUID`` or ``str``."""
        return _uuid.UUID if self.as_uuid else str

    def bind_processor(self, dialect: Any) -> Processor | None:
        """On databases without a UUID type, store the 32-character hex form."""
        if self.native_uuid and getattr(dialect, "supports_native_uuid", False):
            if self.as_uuid:
                return None
            return _str_to_uuid
        return _uuid_to_hex

    def result_processor(self, dialect: Any, coltype: Any) -> Processor | None:
        """Turn stored values into ``uuid.UUID`` (or a hyphenated string)."""
        if self.native_uuid and getattr(dialect, "supports_native_uuid", False):
            return None if self.as_uuid else _uuid_to_str
        return _hex_to_uuid if self.as_uuid else _hex_to_str

    def literal_processor(self, dialect: Any) -> Callable[[Any], str] | None:
        """UUIDs render as quoted strings."""
        if self.native_uuid and getattr(dialect, "supports_native_uuid", False):
            return lambda v: _quote_string(str(v))
        return lambda v: _quote_string(_uuid_to_hex(v))


def _uuid_to_hex(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, _uuid.UUID):
        return value.hex
    return _uuid.UUID(str(value)).hex


def _str_to_uuid(value: Any) -> Any:
    if value is None or isinstance(value, _uuid.UUID):
        return value
    return _uuid.UUID(str(value))


def _uuid_to_str(value: Any) -> Any:
    return None if value is None else str(value)


def _hex_to_uuid(value: Any) -> Any:
    if value is None or isinstance(value, _uuid.UUID):
        return value
    if isinstance(value, bytes) and len(value) == 16:
        return _uuid.UUID(bytes=value)
    return _uuid.UUID(str(value))


def _hex_to_str(value: Any) -> Any:
    if value is None:
        return None
    return str(_hex_to_uuid(value))


class Enum(String):
    """One of a fixed set of values: a Python ``enum.Enum`` class or string arguments.

    With an enum class the database holds member names and Python sees members.
    """

    __visit_name__ = "enum"

    def __init__(
        self,
        *enums: Any,
        name: str | None = None,
        length: int | None = None,
        native_enum: bool = True,
        create_constraint: bool = False,
        validate_strings: bool = False,
        values_callable: Callable[[Any], list[str]] | None = None,
    ) -> None:
        self.enum_class: type[_enum.Enum] | None = None
        if len(enums) == 1 and isinstance(enums[0], type) and issubclass(enums[0], _enum.Enum):
            self.enum_class = enums[0]
            members = list(self.enum_class.__members__.values())
            if values_callable is not None:
                self.enums = tuple(values_callable(self.enum_class))
            else:
                self.enums = tuple(m.name for m in members)
            self._object_lookup: dict[str, Any] = dict(zip(self.enums, members, strict=False))
            self._valid_lookup: dict[Any, str] = {m: v for v, m in self._object_lookup.items()}
            self._valid_lookup.update({v: v for v in self.enums})
        else:
            self.enums = tuple(str(e) for e in enums)
            self._object_lookup = {e: e for e in self.enums}
            self._valid_lookup = {e: e for e in self.enums}
        self.name = name or (self.enum_class.__name__.lower() if self.enum_class else None)
        longest = max((len(e) for e in self.enums), default=0)
        self.length = length if length is not None else longest
        self.collation = None
        self.native_enum = native_enum
        self.create_constraint = create_constraint
        self.validate_strings = validate_strings

    def _cache_key_parts(self) -> tuple[Any, ...]:
        return (type(self), self.enum_class, self.enums, self.length)

    @property
    def python_type(self) -> type:
        """The enum class, or ``str``."""
        return self.enum_class if self.enum_class is not None else str

    def bind_processor(self, dialect: Any) -> Processor | None:
        """Members become their stored string; unknown values raise ``StatementError``."""
        lookup = self._valid_lookup
        validate = self.enum_class is not None or self.validate_strings

        def process(value: Any) -> Any:
            if value is None:
                return None
            try:
                return lookup[value]
            except (KeyError, TypeError):
                if not validate:
                    return value
                raise LookupError(
                    f"{value!r} is not among the defined enum values. "
                    f"Enum name: {self.name}. Possible values: {', '.join(self.enums)}"
                ) from None

        return process

    def result_processor(self, dialect: Any, coltype: Any) -> Processor | None:
        """Stored strings become enum members (enum classes only)."""
        if self.enum_class is None:
            return None
        lookup = self._object_lookup

        def process(value: Any) -> Any:
            if value is None:
                return None
            try:
                return lookup[value]
            except KeyError:
                raise LookupError(
                    f"{value!r} is not among the defined enum values. Enum name: {self.name}"
                ) from None

        return process

    def literal_processor(self, dialect: Any) -> Callable[[Any], str] | None:
        """Members render as their quoted stored string."""
        lookup = self._valid_lookup
        return lambda v: _quote_string(lookup.get(v, v))


BOOLEANTYPE = Boolean()
INTEGERTYPE = Integer()
STRINGTYPE = String()
_FLOAT = Float()
_NUMERIC = Numeric()
_DATETIME = DateTime()
_DATE = Date()
_TIME = Time()
_BINARY = LargeBinary()
_UUID = Uuid()

_PY_TYPES: dict[type, TypeEngine] = {
    int: INTEGERTYPE,
    str: STRINGTYPE,
    bool: BOOLEANTYPE,
    float: _FLOAT,
    decimal.Decimal: _NUMERIC,
    _dt.datetime: _DATETIME,
    _dt.date: _DATE,
    _dt.time: _TIME,
    bytes: _BINARY,
    _uuid.UUID: _UUID,
}


def _type_for_value(value: Any) -> TypeEngine:
    t = _PY_TYPES.get(type(value))
    if t is not None:
        return t
    for py, sqltype in _PY_TYPES.items():
        if isinstance(value, py):
            return sqltype
    if isinstance(value, _enum.Enum):
        return Enum(type(value))
    return NULLTYPE


def _dialect_option(dialect: Any, name: str) -> Any:
    # The public attribute (create_engine(json_serializer=...)); the private spelling
    # of older dialects is still read.
    return getattr(dialect, name, None) or getattr(dialect, "_" + name, None)
