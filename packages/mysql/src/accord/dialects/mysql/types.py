"""MySQL-specific types and the value conversions the dialect applies to generic ones.

Generic types map to MySQL storage as follows (see ``docs/mysql.md``): ``Boolean`` is
``BOOL`` (TINYINT(1)) read back as ``bool``; ``DateTime`` and ``Time`` keep microseconds
(``DATETIME(6)`` / ``TIME(6)``); ``DateTime(timezone=True)`` is stored as naive UTC and
read back as an aware UTC datetime; ``Uuid`` is ``CHAR(32)`` hex; ``JSON`` goes through
``json.dumps`` / ``json.loads``; ``Numeric`` comes back as ``Decimal``.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable
from typing import Any

from accord.sql import types as sqltypes

__all__ = [
    "DATETIME",
    "DOUBLE",
    "LONGBLOB",
    "LONGTEXT",
    "MEDIUMBLOB",
    "MEDIUMINT",
    "MEDIUMTEXT",
    "TIME",
    "TIMESTAMP",
    "TINYINT",
    "colspecs",
]

Processor = Callable[[Any], Any]
_UTC = _dt.timezone.utc


# ---------------------------------------------------------------------------------------
# MySQL-only types a user can put on a column
# ---------------------------------------------------------------------------------------


class TINYINT(sqltypes.Integer):
    """``TINYINT``: a one-byte integer."""

    __visit_name__ = "tinyint"


class MEDIUMINT(sqltypes.Integer):
    """``MEDIUMINT``: a three-byte integer."""

    __visit_name__ = "mediumint"


class DOUBLE(sqltypes.Float):
    """``DOUBLE``: an eight-byte float."""

    __visit_name__ = "double"


class DATETIME(sqltypes.DateTime):
    """``DATETIME(fsp)``: ``fsp`` digits of fractional seconds (0-6, default 6)."""

    def __init__(self, timezone: bool = False, fsp: int = 6) -> None:
        super().__init__(timezone=timezone)
        self.fsp = fsp


class TIMESTAMP(sqltypes.DateTime):
    """``TIMESTAMP(fsp)``: a UTC-stored instant shown in the session time zone."""

    __visit_name__ = "timestamp"

    def __init__(self, timezone: bool = False, fsp: int = 6) -> None:
        super().__init__(timezone=timezone)
        self.fsp = fsp


class TIME(sqltypes.Time):
    """``TIME(fsp)``: a time of day with ``fsp`` digits of fractional seconds."""

    def __init__(self, timezone: bool = False, fsp: int = 6) -> None:
        super().__init__(timezone=timezone)
        self.fsp = fsp


class MEDIUMTEXT(sqltypes.Text):
    """``MEDIUMTEXT``: text up to 16 MiB."""

    __visit_name__ = "mediumtext"


class LONGTEXT(sqltypes.Text):
    """``LONGTEXT``: text up to 4 GiB."""

    __visit_name__ = "longtext"


class MEDIUMBLOB(sqltypes.LargeBinary):
    """``MEDIUMBLOB``: binary data up to 16 MiB."""

    __visit_name__ = "mediumblob"


class LONGBLOB(sqltypes.LargeBinary):
    """``LONGBLOB``: binary data up to 4 GiB."""

    __visit_name__ = "longblob"


# ---------------------------------------------------------------------------------------
# how the dialect converts generic types' values (its colspecs)
# ---------------------------------------------------------------------------------------


def _to_utc_naive(value: Any) -> Any:
    if isinstance(value, _dt.datetime) and value.tzinfo is not None:
        return value.astimezone(_UTC).replace(tzinfo=None)
    return value


def _as_utc(value: Any) -> Any:
    if isinstance(value, _dt.datetime) and value.tzinfo is None:
        return value.replace(tzinfo=_UTC)
    return value


class _MySQLDateTime(sqltypes.DateTime):
    """DATETIME values; with ``timezone=True`` stored as naive UTC, returned aware (UTC)."""

    def bind_processor(self, dialect: Any) -> Processor | None:
        """Aware datetimes become naive UTC for ``timezone=True`` columns."""
        return _to_utc_naive if self.timezone else None

    def result_processor(self, dialect: Any, coltype: Any) -> Processor | None:
        """Naive values read from ``timezone=True`` columns are marked as UTC."""
        return _as_utc if self.timezone else None


def _timedelta_to_time(value: Any) -> Any:
    # PyMySQL reads TIME as a timedelta (TIME can hold -838:59:59 .. 838:59:59).
    if isinstance(value, _dt.timedelta):
        if value.days < 0 or value >= _dt.timedelta(days=1):
            raise ValueError(f"TIME value {value} is not a time of day")
        seconds = value.seconds
        return _dt.time(seconds // 3600, (seconds // 60) % 60, seconds % 60, value.microseconds)
    return value


class _MySQLTime(sqltypes.Time):
    """TIME values: the driver's timedelta becomes a ``datetime.time``."""

    def result_processor(self, dialect: Any, coltype: Any) -> Processor | None:
        """timedelta -> time of day."""
        return _timedelta_to_time


colspecs: dict[type, type] = {
    sqltypes.DateTime: _MySQLDateTime,
    sqltypes.Time: _MySQLTime,
}
"""Generic type -> the dialect's implementation (see ``TypeEngine.dialect_impl``)."""
