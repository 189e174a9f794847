"""PostgreSQL types (JSONB, UUID, TIMESTAMP, BYTEA...) and the dialect's generic-type colspecs.

psycopg 3 adapts most Python values natively (Decimal, UUID, datetime with and without
a time zone, bytes, bool, json/jsonb loading), so the implementations here mostly
*remove* processing the generic types would add, keeping the hot paths free of
per-value Python calls.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from accord.sql import types as sqltypes

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = [
    "BYTEA",
    "DOUBLE_PRECISION",
    "JSON",
    "JSONB",
    "REAL",
    "TIMESTAMP",
    "TIMESTAMPTZ",
    "UUID",
    "colspecs",
]


class JSON(sqltypes.JSON):
    """A ``json`` column; psycopg already parses results, so only binds are serialized."""

    __visit_name__ = "json"

    def bind_processor(self, dialect: Any) -> Callable[[Any], Any] | None:
        """Serialize to JSON text; the server casts the untyped parameter to the column type."""
        serializer = getattr(dialect, "json_serializer", None) or json.dumps
        if self.none_as_null:

            def process(value: Any) -> Any:
                return None if value is None else serializer(value)

            return process
        return serializer

    def result_processor(self, dialect: Any, coltype: Any) -> Callable[[Any], Any] | None:
        """None: psycopg's json/jsonb loaders return Python objects already."""
        return None


class JSONB(JSON):
    """A ``jsonb`` column (binary JSON, indexable)."""

    __visit_name__ = "jsonb"


class UUID(sqltypes.Uuid):
    """A native ``uuid`` column (``uuid.UUID`` values unless ``as_uuid=False``)."""

    __visit_name__ = "uuid"

    def __init__(self, as_uuid: bool = True) -> None:
        super().__init__(as_uuid=as_uuid, native_uuid=True)


class TIMESTAMP(sqltypes.DateTime):
    """``TIMESTAMP [WITH TIME ZONE]`` with an optional fractional-seconds ``precision``."""

    __visit_name__ = "TIMESTAMP"

    def __init__(self, timezone: bool = False, precision: int | None = None) -> None:
        super().__init__(timezone=timezone)
        self.precision = precision


class TIMESTAMPTZ(TIMESTAMP):
    """``TIMESTAMP WITH TIME ZONE``: aware datetimes in, aware datetimes out."""

    __visit_name__ = "TIMESTAMPTZ"

    def __init__(self, precision: int | None = None) -> None:
        super().__init__(timezone=True, precision=precision)


class BYTEA(sqltypes.LargeBinary):
    """``BYTEA``; psycopg returns ``bytes``."""

    __visit_name__ = "BYTEA"

    def result_processor(self, dialect: Any, coltype: Any) -> Callable[[Any], Any] | None:
        """None: psycopg loads bytea as ``bytes`` already."""
        return None


class _PGLargeBinary(sqltypes.LargeBinary):
    """Generic ``LargeBinary``: psycopg gives ``bytes`` already, no conversion needed."""

    def result_processor(self, dialect: Any, coltype: Any) -> Callable[[Any], Any] | None:
        """None: no per-value work."""
        return None


class DOUBLE_PRECISION(sqltypes.Float):
    """``DOUBLE PRECISION`` (8-byte float)."""

    __visit_name__ = "DOUBLE_PRECISION"


class REAL(sqltypes.Float):
    """``REAL`` (4-byte float)."""

    __visit_name__ = "REAL"


colspecs: dict[type, type] = {
    sqltypes.JSON: JSON,
    sqltypes.LargeBinary: _PGLargeBinary,
}
"""Generic type -> PostgreSQL implementation (only where behaviour differs)."""
