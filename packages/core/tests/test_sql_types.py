"""Type processors round-trip Python values (bind then result) on sqlite and generically."""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import uuid
from typing import TYPE_CHECKING, Any

import pytest

from accord.dialects.sqlite.base import SQLiteDialect
from accord.sql import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Enum,
    Float,
    Integer,
    LargeBinary,
    NullType,
    Numeric,
    SmallInteger,
    String,
    Text,
    Time,
    TypeDecorator,
    Uuid,
)
from accord.sql.strdialect import default_dialect

if TYPE_CHECKING:
    from accord.sql.types import TypeEngine


class Sqlite(SQLiteDialect):
    def __init__(self) -> None:
        self.identifier_preparer = self.preparer(self)
        self.type_compiler = self.type_compiler_cls(self)


SQLITE = Sqlite()


class Color(enum.Enum):
    RED = 1
    GREEN = 2


def roundtrip(type_: TypeEngine, value: Any, dialect: Any = SQLITE) -> tuple[Any, Any]:
    bind = type_._cached_bind_processor(dialect)
    stored = bind(value) if bind is not None else value
    result = type_._cached_result_processor(dialect, None)
    back = result(stored) if result is not None else stored
    return stored, back


@pytest.mark.parametrize(
    ("type_", "value", "stored"),
    [
        (DateTime(), dt.datetime(2024, 5, 6, 7, 8, 9, 123), "2024-05-06 07:08:09.000123"),
        (Date(), dt.date(2024, 5, 6), "2024-05-06"),
        (Time(), dt.time(7, 8, 9), "07:08:09.000000"),
        (Numeric(10, 2), decimal.Decimal("12.34"), 12.34),
        (JSON(), {"a": [1, 2, None]}, '{"a": [1, 2, null]}'),
        (
            Uuid(),
            uuid.UUID("12345678123456781234567812345678"),
            "12345678123456781234567812345678",
        ),
        (Boolean(), True, True),
        (Enum(Color), Color.GREEN, "GREEN"),
        (Enum("a", "b"), "b", "b"),
        (String(10), "x", "x"),
        (LargeBinary(), b"\x00\x01", b"\x00\x01"),
    ],
)
def test_sqlite_roundtrip(type_: TypeEngine, value: Any, stored: Any) -> None:
    got_stored, back = roundtrip(type_, value)
    assert got_stored == stored
    assert back == value
    assert type(back) is type(value)


def test_sqlite_results_from_driver_values() -> None:
    to_bool = Boolean()._cached_result_processor(SQLITE, None)
    assert to_bool is not None
    assert to_bool(1) is True
    num = Numeric(10, 2)._cached_result_processor(SQLITE, None)
    assert num is not None
    assert num(1.1) == decimal.Decimal("1.10")
    assert num(3) == decimal.Decimal("3")
    assert Numeric(asdecimal=False)._cached_result_processor(SQLITE, None)(2) == 2.0  # type: ignore[misc]
    u = Uuid(as_uuid=False)._cached_result_processor(SQLITE, None)
    assert u is not None
    assert u("12345678123456781234567812345678") == "12345678-1234-5678-1234-567812345678"
    dtp = DateTime()._cached_result_processor(SQLITE, None)
    assert dtp is not None
    assert dtp("2024-01-02 03:04:05") == dt.datetime(2024, 1, 2, 3, 4, 5)


def test_none_passes_through_processors() -> None:
    for t in (DateTime(), Date(), Time(), Numeric(), Uuid(), Boolean(), Enum(Color)):
        stored, back = roundtrip(t, None)
        assert stored is None
        assert back is None


def test_json_none_is_json_null_unless_none_as_null() -> None:
    assert roundtrip(JSON(), None)[0] == "null"
    assert roundtrip(JSON(none_as_null=True), None)[0] is None


def test_timezone_aware_datetime_roundtrips() -> None:
    value = dt.datetime(2024, 1, 1, 12, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    assert roundtrip(DateTime(timezone=True), value)[1] == value


def test_enum_rejects_unknown_values() -> None:
    proc = Enum(Color)._cached_bind_processor(SQLITE)
    assert proc is not None
    with pytest.raises(LookupError, match="not among the defined enum values"):
        proc("BLUE")
    assert Enum(Color).length == 5


def test_processors_are_none_when_no_conversion_needed() -> None:
    for t in (Integer(), BigInteger(), SmallInteger(), String(), Text(), Float()):
        assert t._cached_bind_processor(SQLITE) is None
        assert t._cached_result_processor(SQLITE, None) is None
    d = default_dialect()
    for t2 in (DateTime(), Date(), Numeric(), Boolean(), Uuid()):
        assert t2._cached_bind_processor(d) is None
        assert t2._cached_result_processor(d, None) is None


def test_dialect_impl_is_cached_and_adapted() -> None:
    t = DateTime(timezone=True)
    impl = t.dialect_impl(SQLITE)
    assert impl is t.dialect_impl(SQLITE)
    assert type(impl) is not DateTime
    assert isinstance(impl, DateTime)
    assert impl.timezone is True
    assert Integer().dialect_impl(SQLITE).__class__ is Integer


class Lowered(TypeDecorator):
    impl = String
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> Any:
        return value.lower() if value is not None else None

    def process_result_value(self, value: Any, dialect: Any) -> Any:
        return value.upper() if value is not None else None


class JSONList(TypeDecorator):
    impl = JSON

    def process_result_value(self, value: Any, dialect: Any) -> Any:
        return list(value) if value is not None else None


def test_type_decorator_chains_with_impl() -> None:
    assert roundtrip(Lowered(20), "AbC") == ("abc", "ABC")
    stored, back = roundtrip(JSONList(), (1, 2))
    assert stored == "[1, 2]"
    assert back == [1, 2]
    assert Lowered(20).compile() == "VARCHAR(20)"


@pytest.mark.parametrize(
    ("type_", "generic", "sqlite"),
    [
        (Integer(), "INTEGER", "INTEGER"),
        (BigInteger(), "BIGINT", "BIGINT"),
        (SmallInteger(), "SMALLINT", "SMALLINT"),
        (String(30), "VARCHAR(30)", "VARCHAR(30)"),
        (String(), "VARCHAR", "VARCHAR"),
        (Text(), "TEXT", "TEXT"),
        (Boolean(), "BOOLEAN", "BOOLEAN"),
        (Float(), "FLOAT", "FLOAT"),
        (Numeric(10, 2), "NUMERIC(10, 2)", "NUMERIC(10, 2)"),
        (Date(), "DATE", "DATE"),
        (DateTime(), "DATETIME", "DATETIME"),
        (Time(), "TIME", "TIME"),
        (LargeBinary(), "BLOB", "BLOB"),
        (JSON(), "JSON", "JSON"),
        (Uuid(), "UUID", "CHAR(32)"),
        (Enum("a", "bbb"), "VARCHAR(3)", "VARCHAR(3)"),
    ],
)
def test_ddl_type_names(type_: TypeEngine, generic: str, sqlite: str) -> None:
    assert type_.compile() == generic
    assert type_.compile(SQLITE) == sqlite


def test_nulltype_has_no_ddl() -> None:
    from accord import exc

    with pytest.raises(exc.CompileError, match="NullType"):
        NullType().compile()


def test_literal_processors() -> None:
    assert String().literal_processor(None)("it's") == "'it''s'"  # type: ignore[misc]
    assert Integer().literal_processor(None)(5) == "5"  # type: ignore[misc]
    assert Boolean().literal_processor(SQLITE)(True) == "1"  # type: ignore[misc]
    assert Date().literal_processor(None)(dt.date(2020, 1, 2)) == "'2020-01-02'"  # type: ignore[misc]


def test_python_types() -> None:
    assert Integer().python_type is int
    assert Numeric().python_type is decimal.Decimal
    assert Enum(Color).python_type is Color
    assert Uuid().python_type is uuid.UUID


def test_values_roundtrip_through_a_real_sqlite_database() -> None:
    from accord.engine import create_engine
    from accord.sql import Column, MetaData, Table, insert, select

    md = MetaData()
    t = Table(
        "everything",
        md,
        Column("id", Integer, primary_key=True),
        Column("dt", DateTime),
        Column("d", Date),
        Column("tm", Time),
        Column("num", Numeric(10, 2)),
        Column("flt", Float),
        Column("js", JSON),
        Column("u", Uuid),
        Column("b", Boolean),
        Column("e", Enum(Color)),
        Column("bin", LargeBinary),
        Column("low", Lowered(10)),
    )
    row = {
        "dt": dt.datetime(2024, 2, 29, 23, 59, 58, 999999),
        "d": dt.date(1999, 12, 31),
        "tm": dt.time(1, 2, 3, 4),
        "num": decimal.Decimal("1234.56"),
        "flt": 2.5,
        "js": {"k": [1, "two", None, {"x": True}]},
        "u": uuid.uuid4(),
        "b": False,
        "e": Color.RED,
        "bin": b"\xff\x00",
        "low": "MiXeD",
    }
    engine = create_engine("sqlite://")
    md.create_all(engine)
    with engine.begin() as conn:
        conn.execute(insert(t), row)
        conn.execute(insert(t), {k: None for k in row} | {"js": None})
        got = conn.execute(select(t).order_by(t.c.id)).all()
        assert conn.execute(select(t.c.id).where(t.c.u == row["u"])).scalar() == 1
        assert conn.execute(select(t.c.id).where(t.c.e == Color.RED)).scalar() == 1
        assert conn.execute(select(t.c.id).where(t.c.dt > dt.datetime(2024, 1, 1))).scalar() == 1
    first = got[0]._mapping
    for key, value in row.items():
        expected = "MIXED" if key == "low" else value
        assert first[key] == expected, key
    second = got[1]._mapping
    assert all(second[k] is None for k in row if k != "js")
    assert second["js"] is None
