"""Round trips on a real Oracle server (skipped unless ACCORD_TEST_ORACLE_URL is set)."""

from __future__ import annotations

import datetime
import decimal
import enum
import os
import uuid
from typing import TYPE_CHECKING, Any

import pytest

from accord import exc
from accord.sql import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Enum,
    Float,
    Identity,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    Sequence,
    SmallInteger,
    String,
    Table,
    Text,
    Time,
    Uuid,
    insert,
    literal,
    select,
    text,
    update,
)

if TYPE_CHECKING:
    from collections.abc import Iterator

    from accord.engine import Engine

WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")


class Color(enum.Enum):
    red = 1
    green = 2


@pytest.fixture
def meta(oracle_engine: Engine) -> Iterator[MetaData]:
    """A MetaData whose tables are dropped after the test."""
    metadata = MetaData()
    yield metadata
    metadata.drop_all(oracle_engine, checkfirst=True)


def _name(base: str) -> str:
    return f"acc_{base}_{WORKER}"[:30]


def test_every_s1_type_round_trips(oracle_engine: Engine, meta: MetaData) -> None:
    t = Table(
        _name("types"),
        meta,
        Column("id", Integer, primary_key=True),
        Column("i", Integer),
        Column("bi", BigInteger),
        Column("si", SmallInteger),
        Column("s", String(40)),
        Column("tx", Text),
        Column("b", Boolean),
        Column("f", Float),
        Column("n", Numeric(12, 4)),
        Column("d", Date),
        Column("dt", DateTime),
        Column("dtz", DateTime(timezone=True)),
        Column("tm", Time),
        Column("lb", LargeBinary),
        Column("js", JSON),
        Column("u", Uuid),
        Column("u32", Uuid(native_uuid=False)),
        Column("e", Enum(Color)),
    )
    meta.create_all(oracle_engine)
    row: dict[str, Any] = {
        "i": 2**31 - 1,
        "bi": 2**62,
        "si": 7,
        "s": "héllo",
        "tx": "x" * 40000,
        "b": True,
        "f": 1.5e-3,
        "n": decimal.Decimal("1234.5678"),
        "d": datetime.date(2024, 2, 29),
        "dt": datetime.datetime(2024, 2, 29, 13, 14, 15, 123456),
        "dtz": datetime.datetime(2024, 2, 29, 13, 14, 15, tzinfo=datetime.timezone.utc),
        "tm": datetime.time(23, 59, 58, 500),
        "lb": bytes(range(256)) * 200,
        "js": {"a": [1, 2, None], "b": "c"},
        "u": uuid.uuid4(),
        "u32": uuid.uuid4(),
        "e": Color.green,
    }
    with oracle_engine.begin() as conn:
        pk = conn.execute(insert(t).values(**row)).inserted_primary_key
        assert pk is not None
        got = dict(conn.execute(select(t).where(t.c.id == pk[0])).one()._mapping)
    got.pop("id")
    assert got == row


def test_returning_into_gives_identity_keys(oracle_engine: Engine, meta: MetaData) -> None:
    t = Table(
        _name("ret"),
        meta,
        Column("id", Integer, Identity(), primary_key=True),
        Column("name", String(20)),
    )
    meta.create_all(oracle_engine)
    with oracle_engine.begin() as conn:
        first = conn.execute(insert(t).values(name="a")).inserted_primary_key[0]  # type: ignore[index]
        rows = conn.execute(
            insert(t).returning(t.c.id, t.c.name), [{"name": "b"}, {"name": "c"}]
        ).all()
        assert [r.name for r in rows] == ["b", "c"]
        assert len({first, *(r.id for r in rows)}) == 3
        changed = conn.execute(
            update(t).where(t.c.name != "a").values(name="z").returning(t.c.id)
        ).all()
        assert sorted(r.id for r in changed) == sorted(r.id for r in rows)


def test_sequence_default_key(oracle_engine: Engine, meta: MetaData) -> None:
    seq = Sequence(_name("seq"), metadata=meta)
    t = Table(
        _name("seqt"), meta, Column("id", Integer, seq, primary_key=True), Column("x", Integer)
    )
    meta.create_all(oracle_engine)
    with oracle_engine.begin() as conn:
        a = conn.execute(insert(t).values(x=1)).inserted_primary_key[0]  # type: ignore[index]
        b = conn.execute(insert(t).values(x=2)).inserted_primary_key[0]  # type: ignore[index]
    assert b > a


def test_empty_string_is_stored_as_null(oracle_engine: Engine, meta: MetaData) -> None:
    t = Table(
        _name("empty"), meta, Column("id", Integer, primary_key=True), Column("s", String(5))
    )
    meta.create_all(oracle_engine)
    with oracle_engine.begin() as conn:
        conn.execute(insert(t).values(id=1, s=""))
        assert conn.execute(select(t.c.s)).scalar() is None


def test_boolean_expression_in_select_list_without_from(oracle_engine: Engine) -> None:
    with oracle_engine.connect() as conn:
        assert conn.execute(select(literal(1) == 1)).scalar() is True
        assert conn.execute(select(literal(1) > 2)).scalar() is False


def test_limit_offset_and_for_update(oracle_engine: Engine, meta: MetaData) -> None:
    t = Table(_name("page"), meta, Column("id", Integer, primary_key=True))
    meta.create_all(oracle_engine)
    with oracle_engine.begin() as conn:
        conn.execute(insert(t), [{"id": i} for i in range(1, 11)])
        page = conn.execute(select(t.c.id).order_by(t.c.id).limit(3).offset(4)).scalars()
        assert page.all() == [5, 6, 7]
        locked = conn.execute(select(t.c.id).where(t.c.id == 1).with_for_update(nowait=True))
        assert locked.scalars().all() == [1]


def test_savepoint_rolls_back_inner_work(oracle_engine: Engine, meta: MetaData) -> None:
    t = Table(_name("sp"), meta, Column("id", Integer, primary_key=True))
    meta.create_all(oracle_engine)
    with oracle_engine.begin() as conn:
        conn.execute(insert(t).values(id=1))
        nested = conn.begin_nested()
        conn.execute(insert(t).values(id=2))
        nested.rollback()
        with conn.begin_nested():
            conn.execute(insert(t).values(id=3))
    with oracle_engine.connect() as conn:
        assert conn.execute(select(t.c.id).order_by(t.c.id)).scalars().all() == [1, 3]


def test_two_phase_commit(oracle_engine: Engine, meta: MetaData) -> None:
    t = Table(_name("tpc"), meta, Column("id", Integer, primary_key=True))
    meta.create_all(oracle_engine)
    with oracle_engine.connect() as conn:
        tx = conn.begin_twophase()
        conn.execute(insert(t).values(id=1))
        try:
            tx.prepare()
        except exc.DBAPIError as err:  # the user lacks the XA privileges
            tx.rollback()
            pytest.skip(f"two-phase not permitted for this user: {err.orig}")
        tx.commit()
    with oracle_engine.connect() as conn:
        assert conn.execute(select(t.c.id)).scalars().all() == [1]


def test_isolation_level_serializable(oracle_engine: Engine) -> None:
    with oracle_engine.connect() as conn:
        conn = conn.execution_options(isolation_level="SERIALIZABLE")
        assert conn.get_isolation_level() == "SERIALIZABLE"
        assert conn.execute(text("SELECT 1 FROM DUAL")).scalar() == 1


def test_disconnect_is_detected_and_next_transaction_works(oracle_engine: Engine) -> None:
    with oracle_engine.connect() as victim:
        sid, serial = victim.execute(
            text(
                "SELECT SYS_CONTEXT('USERENV', 'SID'), serial# FROM v$session "
                "WHERE sid = SYS_CONTEXT('USERENV', 'SID')"
            )
        ).one()
        with oracle_engine.connect() as admin:
            try:
                admin.exec_driver_sql(f"ALTER SYSTEM KILL SESSION '{sid},{serial}' IMMEDIATE")
            except exc.DBAPIError as err:
                pytest.skip(f"can't kill a session with this user: {err.orig}")
        with pytest.raises(exc.DBAPIError) as info:
            victim.execute(text("SELECT 1 FROM DUAL"))
        assert info.value.connection_invalidated
    with oracle_engine.begin() as conn:
        assert conn.execute(text("SELECT 1 FROM DUAL")).scalar() == 1
