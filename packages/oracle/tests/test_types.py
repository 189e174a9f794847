"""Oracle bind and result conversions of the S1 types (no database)."""

from __future__ import annotations

import datetime
import decimal
import uuid
from typing import TYPE_CHECKING, Any

import pytest

from accord.sql import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    Integer,
    LargeBinary,
    Numeric,
    Time,
    Uuid,
)

if TYPE_CHECKING:
    from accord.dialects.oracle import OracleDialect_oracledb


def bind(type_: Any, value: Any, dialect: OracleDialect_oracledb) -> Any:
    proc = type_.dialect_impl(dialect).bind_processor(dialect)
    return proc(value) if proc is not None else value


def result(type_: Any, value: Any, dialect: OracleDialect_oracledb) -> Any:
    proc = type_.dialect_impl(dialect).result_processor(dialect, None)
    return proc(value) if proc is not None and value is not None else value


def test_uuid_binds_as_16_bytes_and_reads_back(dialect: OracleDialect_oracledb) -> None:
    u = uuid.UUID("12345678-1234-5678-1234-567812345678")
    assert bind(Uuid(), u, dialect) == u.bytes
    assert bind(Uuid(), str(u), dialect) == u.bytes
    assert result(Uuid(), u.bytes, dialect) == u
    assert result(Uuid(as_uuid=False), u.bytes, dialect) == str(u)


def test_uuid_without_native_form_uses_hex_text(dialect: OracleDialect_oracledb) -> None:
    u = uuid.uuid4()
    assert bind(Uuid(native_uuid=False), u, dialect) == u.hex
    assert result(Uuid(native_uuid=False), u.hex, dialect) == u


def test_time_round_trips_through_interval(dialect: OracleDialect_oracledb) -> None:
    t = datetime.time(13, 45, 7, 250)
    interval = bind(Time(), t, dialect)
    assert interval == datetime.timedelta(hours=13, minutes=45, seconds=7, microseconds=250)
    assert result(Time(), interval, dialect) == t


def test_date_comes_back_as_date(dialect: OracleDialect_oracledb) -> None:
    assert result(Date(), datetime.datetime(2024, 2, 29), dialect) == datetime.date(2024, 2, 29)


def test_aware_datetime_is_stored_in_utc_and_read_back_aware(
    dialect: OracleDialect_oracledb,
) -> None:
    tz = datetime.timezone(datetime.timedelta(hours=2))
    aware = datetime.datetime(2024, 1, 1, 12, 0, tzinfo=tz)
    stored = bind(DateTime(timezone=True), aware, dialect)
    assert stored == datetime.datetime(2024, 1, 1, 10, 0)
    back = result(DateTime(timezone=True), stored, dialect)
    assert back == aware
    assert back.tzinfo is datetime.timezone.utc


def test_naive_datetime_is_unchanged(dialect: OracleDialect_oracledb) -> None:
    naive = datetime.datetime(2024, 1, 1, 12, 0, 0, 123456)
    assert bind(DateTime(), naive, dialect) == naive
    assert result(DateTime(), naive, dialect) == naive


def test_boolean_is_stored_as_number(dialect: OracleDialect_oracledb) -> None:
    assert bind(Boolean(), True, dialect) == 1
    assert bind(Boolean(), False, dialect) == 0
    assert result(Boolean(), 1, dialect) is True
    assert result(Boolean(), 0, dialect) is False


@pytest.mark.parametrize("value", [decimal.Decimal("1.50"), 1.5, 2])
def test_numeric_results_are_decimal(dialect: OracleDialect_oracledb, value: Any) -> None:
    out = result(Numeric(10, 2), value, dialect)
    assert isinstance(out, decimal.Decimal)
    assert out == decimal.Decimal(str(value))


def test_numeric_asdecimal_false_gives_float(dialect: OracleDialect_oracledb) -> None:
    assert result(Numeric(10, 2, asdecimal=False), decimal.Decimal("1.25"), dialect) == 1.25
    assert result(Float(), 1.25, dialect) == 1.25


def test_integer_results_are_int(dialect: OracleDialect_oracledb) -> None:
    assert result(Integer(), decimal.Decimal("3"), dialect) == 3
    assert type(result(BigInteger(), 3.0, dialect)) is int


def test_json_serialises_to_text_and_parses_back(dialect: OracleDialect_oracledb) -> None:
    doc = {"a": [1, 2], "b": None}
    text = bind(JSON(), doc, dialect)
    assert isinstance(text, str)
    assert result(JSON(), text, dialect) == doc


class _Lob:
    def read(self) -> bytes:
        return b"\x00\x01"


def test_large_binary_reads_bytes_from_lob_or_buffer(dialect: OracleDialect_oracledb) -> None:
    assert result(LargeBinary(), _Lob(), dialect) == b"\x00\x01"
    assert result(LargeBinary(), memoryview(b"ab"), dialect) == b"ab"
    assert result(LargeBinary(), b"xy", dialect) == b"xy"


def test_literal_rendering_of_uuid_and_time(dialect: OracleDialect_oracledb) -> None:
    u = uuid.UUID(int=1)
    assert Uuid().dialect_impl(dialect).literal_processor(dialect)(u) == (  # type: ignore[misc]
        "HEXTORAW('00000000000000000000000000000001')"
    )
    assert Time().dialect_impl(dialect).literal_processor(dialect)(datetime.time(1, 2, 3)) == (  # type: ignore[misc]
        "INTERVAL '0 01:02:03.000000' DAY TO SECOND"
    )
