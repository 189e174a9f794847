"""Round trips of every S1 type on a real MySQL/MariaDB server, read back on a new connection."""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import uuid
from typing import TYPE_CHECKING, Any

import pytest

from accord.dialects.mysql import DATETIME, TIME
from accord.sql import Column, MetaData, Table, insert, select
from accord.sql import types as T

if TYPE_CHECKING:
    from accord.engine import Engine


class Color(enum.Enum):
    red = 1
    green = 2


md = MetaData()
everything = Table(
    "everything",
    md,
    Column("id", T.Integer, primary_key=True),
    Column("i", T.Integer),
    Column("bi", T.BigInteger),
    Column("si", T.SmallInteger),
    Column("s", T.String(40)),
    Column("tx", T.Text),
    Column("b", T.Boolean),
    Column("f", T.Float),
    Column("n", T.Numeric(20, 6)),
    Column("d", T.Date),
    Column("dt", T.DateTime),
    Column("tz", T.DateTime(timezone=True)),
    Column("tm", T.Time),
    Column("lb", T.LargeBinary),
    Column("j", T.JSON),
    Column("u", T.Uuid),
    Column("us", T.Uuid(as_uuid=False)),
    Column("e", T.Enum(Color)),
    Column("es", T.Enum("small", "large")),
)

VALUES: dict[str, Any] = {
    "i": -2147483648,
    "bi": 2**62,
    "si": -32768,
    "s": "naïve ☃ 'quoted' 100% \\ back",
    "tx": "x" * 5000,
    "b": True,
    "f": 0.1,
    "n": decimal.Decimal("12345678901234.123456"),
    "d": dt.date(1999, 12, 31),
    "dt": dt.datetime(2024, 2, 29, 23, 59, 58, 123456),
    "tz": dt.datetime(2024, 6, 1, 12, 0, 0, 654321, tzinfo=dt.timezone(dt.timedelta(hours=-5))),
    "tm": dt.time(23, 59, 59, 999999),
    "lb": bytes(range(256)),
    "j": {"a": [1, 2.5, None, True], "b": {"c": "ü"}},
    "u": uuid.UUID("12345678-1234-5678-1234-567812345678"),
    "us": "87654321-4321-8765-4321-876543218765",
    "e": Color.green,
    "es": "large",
}


@pytest.fixture
def table(engine: Engine) -> Table:
    md.create_all(engine)
    return everything


def test_every_type_round_trips_through_a_new_connection(
    engine: Engine, table: Table, make_engine: Any
) -> None:
    with engine.begin() as conn:
        pk = conn.execute(insert(table), VALUES).inserted_primary_key[0]  # type: ignore[index]
    reader = make_engine()
    with reader.connect() as conn:
        row = conn.execute(select(table).where(table.c.id == pk)).one()
    got = row._asdict()
    for key, value in VALUES.items():
        if key == "tz":
            assert got[key] == value
            assert got[key].tzinfo is not None
        else:
            assert got[key] == value, key
            assert type(got[key]) is type(value), key


def test_nulls_round_trip_as_none(engine: Engine, table: Table) -> None:
    with engine.begin() as conn:
        conn.execute(insert(table), {"s": None, "j": None, "b": None, "tm": None})
    with engine.connect() as conn:
        row = conn.execute(select(table.c.s, table.c.j, table.c.b, table.c.tm)).one()
    assert tuple(row) == (None, None, None, None)


def test_boolean_false_and_tinyint_storage(engine: Engine, table: Table) -> None:
    with engine.begin() as conn:
        conn.execute(insert(table), [{"b": False}, {"b": True}])
    with engine.connect() as conn:
        assert conn.execute(select(table.c.b).order_by(table.c.id)).scalars().all() == [
            False,
            True,
        ]
        stored = conn.exec_driver_sql("SELECT b FROM everything ORDER BY id").fetchall()
        assert [r[0] for r in stored] == [0, 1]


def test_timezone_aware_datetime_is_stored_as_naive_utc(engine: Engine, table: Table) -> None:
    with engine.begin() as conn:
        conn.execute(insert(table), {"tz": VALUES["tz"]})
    with engine.connect() as conn:
        raw = conn.exec_driver_sql("SELECT tz FROM everything").scalar()
    assert raw == dt.datetime(2024, 6, 1, 17, 0, 0, 654321)


def test_uuid_is_stored_as_hex(engine: Engine, table: Table) -> None:
    with engine.begin() as conn:
        conn.execute(insert(table), {"u": VALUES["u"]})
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT u FROM everything").scalar() == VALUES["u"].hex


def test_decimal_filter_by_bound_value(engine: Engine, table: Table) -> None:
    with engine.begin() as conn:
        conn.execute(insert(table), [{"n": decimal.Decimal("1.5")}, {"n": decimal.Decimal("2.5")}])
    with engine.connect() as conn:
        got = conn.execute(select(table.c.n).where(table.c.n > decimal.Decimal("2"))).scalar()
    assert got == decimal.Decimal("2.500000")


def test_whole_second_columns_truncate_fractions(engine: Engine) -> None:
    t = Table(
        "whole",
        MetaData(),
        Column("id", T.Integer, primary_key=True),
        Column("a", DATETIME(fsp=0)),
        Column("b", TIME(fsp=0)),
    )
    t.metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(insert(t), {"a": dt.datetime(2020, 1, 1, 1, 1, 1), "b": dt.time(1, 2, 3)})
    with engine.connect() as conn:
        assert tuple(conn.execute(select(t.c.a, t.c.b)).one()) == (
            dt.datetime(2020, 1, 1, 1, 1, 1),
            dt.time(1, 2, 3),
        )
