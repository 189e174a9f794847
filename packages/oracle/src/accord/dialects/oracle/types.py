"""Oracle types (NUMBER, VARCHAR2, CLOB, RAW, BINARY_DOUBLE...) and the generic-type colspecs.

python-oracledb returns ``DATE`` columns as ``datetime``, has no ``TIME`` type and gives
LOBs as locator objects unless asked otherwise; the implementations here turn driver
values into what the generic types promise (``date``, ``time``, ``uuid.UUID``,
``Decimal``) and back.
"""

from __future__ import annotations

import datetime as _dt
import decimal
import uuid as _uuid
from typing import TYPE_CHECKING, Any

from accord.sql import types as sqltypes

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = [
    "BINARY_DOUBLE",
    "BINARY_FLOAT",
    "BLOB",
    "CLOB",
    "DATE",
    "INTERVAL",
    "NCLOB",
    "NUMBER",
    "NVARCHAR2",
    "RAW",
    "TIMESTAMP",
    "VARCHAR2",
    "colspecs",
]


class NUMBER(sqltypes.Numeric):
    """``NUMBER[(p[, s])]``: Decimal values when a scale is given, else int."""

    __visit_name__ = "NUMBER"

    def __init__(
        self, precision: int | None = None, scale: int | None = None, asdecimal: bool | None = None
    ) -> None:
        if asdecimal is None:
            asdecimal = bool(scale)
        super().__init__(precision=precision, scale=scale, asdecimal=asdecimal)


class BINARY_DOUBLE(sqltypes.Float):
    """``BINARY_DOUBLE``: an IEEE 754 double, returned as ``float``."""

    __visit_name__ = "BINARY_DOUBLE"


class BINARY_FLOAT(sqltypes.Float):
    """``BINARY_FLOAT``: an IEEE 754 single, returned as ``float``."""

    __visit_name__ = "BINARY_FLOAT"


class VARCHAR2(sqltypes.String):
    """``VARCHAR2(n CHAR)``: a length is required."""

    __visit_name__ = "VARCHAR2"


class NVARCHAR2(sqltypes.String):
    """``NVARCHAR2(n)`` in the national character set."""

    __visit_name__ = "NVARCHAR2"


class CLOB(sqltypes.Text):
    """``CLOB``: read as ``str`` (accord asks the driver for LOBs as values)."""

    __visit_name__ = "CLOB"


class NCLOB(sqltypes.Text):
    """``NCLOB`` in the national character set."""

    __visit_name__ = "NCLOB"


class BLOB(sqltypes.LargeBinary):
    """``BLOB``: read as ``bytes``."""

    __visit_name__ = "BLOB"


class RAW(sqltypes.LargeBinary):
    """``RAW(n)``: short binary values (at most 2000 bytes, 32767 with extended strings)."""

    __visit_name__ = "RAW"


class DATE(sqltypes.DateTime):
    """Oracle's ``DATE``, which holds a date *and* a time to the second (``datetime``)."""

    __visit_name__ = "DATE"


class TIMESTAMP(sqltypes.DateTime):
    """``TIMESTAMP [WITH TIME ZONE]``."""

    __visit_name__ = "TIMESTAMP"


class INTERVAL(sqltypes.TypeEngine):
    """``INTERVAL DAY(d) TO SECOND(s)``: ``datetime.timedelta`` values."""

    __visit_name__ = "INTERVAL"

    def __init__(self, day_precision: int | None = None, second_precision: int | None = None):
        self.day_precision = day_precision
        self.second_precision = second_precision

    @property
    def python_type(self) -> type:
        """Values are ``datetime.timedelta``."""
        return _dt.timedelta


class _OracleNumeric(sqltypes.Numeric):
    """Numeric: the driver's int/float/Decimal made what ``asdecimal`` asks for."""

    def bind_processor(self, dialect: Any) -> Callable[[Any], Any] | None:
        """Decimals bind natively."""
        return None

    def result_processor(self, dialect: Any, coltype: Any) -> Callable[[Any], Any] | None:
        """Decimal (or float) whatever the driver picked for an unscaled NUMBER."""
        if self.asdecimal:
            return _to_decimal
        return _to_float


def _to_decimal(value: Any) -> Any:
    if value is None or isinstance(value, decimal.Decimal):
        return value
    return decimal.Decimal(str(value))


def _to_float(value: Any) -> Any:
    return None if value is None else float(value)


class _OracleInteger(sqltypes.Integer):
    """Integer: an expression typed NUMBER may come back as Decimal or float."""

    def result_processor(self, dialect: Any, coltype: Any) -> Callable[[Any], Any] | None:
        """``int`` for whatever numeric value the driver returns."""
        return _to_int


def _to_int(value: Any) -> Any:
    if value is None or type(value) is int:
        return value
    return int(value)


class _OracleDate(sqltypes.Date):
    """Date: Oracle's DATE comes back as a ``datetime`` at midnight."""

    def result_processor(self, dialect: Any, coltype: Any) -> Callable[[Any], Any] | None:
        """The date part of the driver's ``datetime``."""
        return _to_date


def _to_date(value: Any) -> Any:
    if isinstance(value, _dt.datetime):
        return value.date()
    return value


class _OracleDateTime(sqltypes.DateTime):
    """DateTime; with ``timezone=True`` values are stored in UTC and come back aware (UTC)."""

    def bind_processor(self, dialect: Any) -> Callable[[Any], Any] | None:
        """Aware datetimes are converted to UTC for a ``TIMESTAMP WITH TIME ZONE`` column."""
        if self.timezone:
            return _aware_to_utc
        return None

    def result_processor(self, dialect: Any, coltype: Any) -> Callable[[Any], Any] | None:
        """Values of a ``timezone=True`` column are given the UTC zone (the session zone)."""
        if self.timezone:
            return _utc_to_aware
        return None


def _aware_to_utc(value: Any) -> Any:
    if isinstance(value, _dt.datetime) and value.tzinfo is not None:
        return value.astimezone(_dt.timezone.utc).replace(tzinfo=None)
    return value


def _utc_to_aware(value: Any) -> Any:
    if isinstance(value, _dt.datetime) and value.tzinfo is None:
        return value.replace(tzinfo=_dt.timezone.utc)
    return value


class _OracleTime(sqltypes.Time):
    """Time, stored as ``INTERVAL DAY(0) TO SECOND(6)`` (Oracle has no TIME type)."""

    def bind_processor(self, dialect: Any) -> Callable[[Any], Any] | None:
        """``time`` -> ``timedelta`` since midnight."""
        return _time_to_interval

    def result_processor(self, dialect: Any, coltype: Any) -> Callable[[Any], Any] | None:
        """``timedelta`` since midnight -> ``time``."""
        return _interval_to_time

    def literal_processor(self, dialect: Any) -> Callable[[Any], str] | None:
        """``INTERVAL '0 hh:mm:ss.ffffff' DAY TO SECOND``."""
        return lambda v: f"INTERVAL '0 {v.strftime('%H:%M:%S.%f')}' DAY TO SECOND"


def _time_to_interval(value: Any) -> Any:
    if isinstance(value, _dt.time):
        return _dt.timedelta(
            hours=value.hour,
            minutes=value.minute,
            seconds=value.second,
            microseconds=value.microsecond,
        )
    return value


def _interval_to_time(value: Any) -> Any:
    if isinstance(value, _dt.timedelta):
        return (_dt.datetime.min + value).time()
    return value


class _OracleUuid(sqltypes.Uuid):
    """Uuid as ``RAW(16)`` (the 16 bytes) or, with ``native_uuid=False``, ``CHAR(32)`` hex."""

    def bind_processor(self, dialect: Any) -> Callable[[Any], Any] | None:
        """The UUID's 16 bytes (hex text for ``native_uuid=False``)."""
        if not self.native_uuid:
            return super().bind_processor(dialect)
        return _uuid_to_bytes

    def result_processor(self, dialect: Any, coltype: Any) -> Callable[[Any], Any] | None:
        """``uuid.UUID`` (or its hyphenated string for ``as_uuid=False``)."""
        if not self.native_uuid:
            return super().result_processor(dialect, coltype)
        return _bytes_to_uuid if self.as_uuid else _bytes_to_str

    def literal_processor(self, dialect: Any) -> Callable[[Any], str] | None:
        """``HEXTORAW('...')`` for RAW(16), a quoted hex string otherwise."""
        if not self.native_uuid:
            return super().literal_processor(dialect)
        return lambda v: f"HEXTORAW('{_uuid_to_bytes(v).hex().upper()}')"


def _uuid_to_bytes(value: Any) -> Any:
    if value is None or isinstance(value, bytes):
        return value
    if isinstance(value, _uuid.UUID):
        return value.bytes
    return _uuid.UUID(str(value)).bytes


def _bytes_to_uuid(value: Any) -> Any:
    if value is None or isinstance(value, _uuid.UUID):
        return value
    if isinstance(value, (bytes, bytearray)):
        return _uuid.UUID(bytes=bytes(value))
    return _uuid.UUID(str(value))


def _bytes_to_str(value: Any) -> Any:
    return None if value is None else str(_bytes_to_uuid(value))


class _OracleLargeBinary(sqltypes.LargeBinary):
    """LargeBinary: a LOB locator left unread is read here."""

    def result_processor(self, dialect: Any, coltype: Any) -> Callable[[Any], Any] | None:
        """``bytes`` from bytes, memoryview or a LOB."""
        return _read_bytes


def _read_bytes(value: Any) -> Any:
    if value is None or isinstance(value, bytes):
        return value
    read = getattr(value, "read", None)
    if read is not None:
        return read()
    return bytes(value)


colspecs: dict[type, type] = {
    sqltypes.Numeric: _OracleNumeric,
    sqltypes.Integer: _OracleInteger,
    sqltypes.Date: _OracleDate,
    sqltypes.DateTime: _OracleDateTime,
    sqltypes.Time: _OracleTime,
    sqltypes.Uuid: _OracleUuid,
    sqltypes.LargeBinary: _OracleLargeBinary,
}
"""Generic type -> Oracle implementation, used through ``dialect_impl``."""
