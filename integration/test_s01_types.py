"""S1 types: every generic type survives a round trip, read back through a fresh connection."""

from __future__ import annotations

import datetime
import decimal
import enum
import uuid
from typing import TYPE_CHECKING, Any

import pytest

from accord.sql import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Enum,
    Float,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    SmallInteger,
    String,
    Table,
    Text,
    Time,
    Uuid,
    insert,
    select,
)

if TYPE_CHECKING:
    from accord.engine import Engine
    from accord.testing import Backend


class Mood(enum.Enum):
    happy = "happy"
    sad = "sad"


UTC = datetime.timezone.utc

CASES: list[tuple[str, Any, list[Any]]] = [
    ("integer", Integer(), [0, -(2**31), 2**31 - 1]),
    ("big_integer", BigInteger(), [-(2**63), 2**63 - 1]),
    ("small_integer", SmallInteger(), [-32768, 32767]),
    ("string", String(50), ["", "plain", "ünïcødé ✓ 中文", "quote ' and % and \\"]),
    ("text", Text(), ["x" * 20000, "line\nbreak"]),
    ("boolean", Boolean(), [True, False]),
    ("float", Float(), [0.5, -1.25e10]),
    ("numeric", Numeric(12, 4), [decimal.Decimal("12345678.1234"), decimal.Decimal("-0.0001")]),
    ("date", Date(), [datetime.date(1999, 12, 31), datetime.date(2038, 1, 19)]),
    ("datetime", DateTime(), [datetime.datetime(2024, 2, 29, 13, 45, 7, 123456)]),
    ("time", Time(), [datetime.time(23, 59, 58, 250000), datetime.time(0, 0)]),
    ("large_binary", LargeBinary(), [b"", b"\x00\xff\x10binary", bytes(range(256)) * 40]),
    ("json", JSON(), [{"a": [1, 2.5, None, True], "b": {"c": "ü"}}, [1, "two"], "text", 3]),
    ("uuid", Uuid(), [uuid.UUID("12345678-1234-5678-1234-567812345678"), uuid.uuid4()]),
    ("enum", Enum(Mood, name="mood"), [Mood.happy, Mood.sad]),
]


@pytest.mark.parametrize(("label", "type_", "values"), CASES, ids=[c[0] for c in CASES])
def test_value_round_trips_through_a_fresh_connection(
    accord_engine: Engine, label: str, type_: Any, values: list[Any]
) -> None:
    table = Table(
        f"rt_{label}",
        MetaData(),
        Column("id", Integer, primary_key=True, autoincrement=False),
        Column("value", type_, nullable=True),
    )
    table.metadata.create_all(accord_engine)
    rows = [{"id": i, "value": v} for i, v in enumerate([*values, None])]
    with accord_engine.begin() as conn:
        conn.execute(insert(table), rows)
    accord_engine.dispose()  # the read below must not reuse the writing connection
    with accord_engine.connect() as conn:
        got = conn.execute(select(table.c.value).order_by(table.c.id)).scalars().all()
    assert got == [*values, None]
    for expected, actual in zip(values, got, strict=False):
        assert type(actual) is type(expected)


def test_timezone_aware_datetime_keeps_its_instant(
    accord_backend: Backend, accord_engine: Engine
) -> None:
    table = Table(
        "rt_tz",
        MetaData(),
        Column("id", Integer, primary_key=True, autoincrement=False),
        Column("at", DateTime(timezone=True)),
    )
    table.metadata.create_all(accord_engine)
    moment = datetime.datetime(2024, 6, 1, 12, 30, 15, 500000, tzinfo=UTC)
    with accord_engine.begin() as conn:
        conn.execute(insert(table), {"id": 1, "at": moment})
    accord_engine.dispose()
    with accord_engine.connect() as conn:
        got = conn.execute(select(table.c.at)).scalar_one()
    if got.tzinfo is None:
        # Backends without a zoned timestamp type store the instant in UTC.
        got = got.replace(tzinfo=UTC)
    assert got == moment


def test_numeric_keeps_decimal_precision_in_arithmetic(accord_engine: Engine) -> None:
    table = Table(
        "rt_money",
        MetaData(),
        Column("id", Integer, primary_key=True, autoincrement=False),
        Column("amount", Numeric(10, 2)),
    )
    table.metadata.create_all(accord_engine)
    with accord_engine.begin() as conn:
        conn.execute(
            insert(table), [{"id": i, "amount": decimal.Decimal("0.10")} for i in range(3)]
        )
    with accord_engine.connect() as conn:
        total = conn.execute(select(table.c.amount).where(table.c.id == 0)).scalar_one()
    assert total * 3 == decimal.Decimal("0.30")
