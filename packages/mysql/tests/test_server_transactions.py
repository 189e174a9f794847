"""Savepoints, isolation levels, XA two-phase commit and disconnect recovery on a server."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from accord import exc
from accord.sql import Column, MetaData, Table, func, insert, select
from accord.sql import types as T

if TYPE_CHECKING:
    from accord.engine import Engine

md = MetaData()
items = Table(
    "items",
    md,
    Column("id", T.Integer, primary_key=True),
    Column("name", T.String(30)),
)


@pytest.fixture
def table(engine: Engine) -> Table:
    md.create_all(engine)
    return items


def names(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return list(conn.execute(select(items.c.name).order_by(items.c.id)).scalars())


def test_savepoint_rollback_keeps_outer_work(engine: Engine, table: Table) -> None:
    with engine.connect() as conn:
        conn.execute(insert(table), {"name": "outer"})
        sp = conn.begin_nested()
        conn.execute(insert(table), {"name": "inner"})
        sp.rollback()
        with conn.begin_nested():
            conn.execute(insert(table), {"name": "kept"})
        conn.commit()
    assert names(engine) == ["outer", "kept"]


def test_nested_savepoints_roll_back_innermost_only(engine: Engine, table: Table) -> None:
    with engine.begin() as conn:
        conn.execute(insert(table), {"name": "a"})
        outer = conn.begin_nested()
        conn.execute(insert(table), {"name": "b"})
        inner = conn.begin_nested()
        conn.execute(insert(table), {"name": "c"})
        inner.rollback()
        outer.commit()
    assert names(engine) == ["a", "b"]


def test_rollback_discards_everything(engine: Engine, table: Table) -> None:
    with engine.connect() as conn:
        conn.execute(insert(table), {"name": "gone"})
        conn.rollback()
    assert names(engine) == []


@pytest.mark.parametrize(
    "level", ["READ COMMITTED", "READ UNCOMMITTED", "REPEATABLE READ", "SERIALIZABLE"]
)
def test_isolation_levels_are_set_and_reported(engine: Engine, level: str) -> None:
    with engine.connect() as conn:
        conn.execution_options(isolation_level=level)
        assert conn.get_isolation_level() == level
    with engine.connect() as conn:
        assert conn.get_isolation_level() == engine.dialect.default_isolation_level


def test_engine_wide_isolation_level(make_engine: Any) -> None:
    eng = make_engine(isolation_level="READ COMMITTED")
    with eng.connect() as conn:
        assert conn.get_isolation_level() == "READ COMMITTED"


def test_autocommit_makes_each_statement_durable(
    engine: Engine, table: Table, make_engine: Any
) -> None:
    auto = make_engine(isolation_level="AUTOCOMMIT")
    with auto.connect() as conn:
        assert conn.get_isolation_level() == "AUTOCOMMIT"
        conn.execute(insert(table), {"name": "auto"})
        # Seen by another connection without any commit on this one.
        assert names(engine) == ["auto"]
        conn.rollback()
    assert names(engine) == ["auto"]


def test_autocommit_per_connection_is_reset_on_return(engine: Engine, table: Table) -> None:
    with engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT")
        conn.execute(insert(table), {"name": "x"})
        assert conn.connection.dbapi_connection.get_autocommit()
    with engine.connect() as conn:
        assert not conn.connection.dbapi_connection.get_autocommit()
        assert conn.get_isolation_level() != "AUTOCOMMIT"


def test_two_phase_commit_after_prepare(engine: Engine, table: Table, xid: str) -> None:
    with engine.connect() as conn:
        tx = conn.begin_twophase(xid)
        conn.execute(insert(table), {"name": "xa"})
        tx.prepare()
        tx.commit()
    assert names(engine) == ["xa"]


def test_two_phase_one_phase_commit_and_rollback(engine: Engine, table: Table, xid: str) -> None:
    with engine.connect() as conn:
        tx = conn.begin_twophase(xid + "a")
        conn.execute(insert(table), {"name": "one"})
        tx.commit()
        tx = conn.begin_twophase(xid + "b")
        conn.execute(insert(table), {"name": "never"})
        tx.rollback()
        tx = conn.begin_twophase(xid + "c")
        conn.execute(insert(table), {"name": "prepared then undone"})
        tx.prepare()
        tx.rollback()
    assert names(engine) == ["one"]


def test_prepared_xid_is_recovered_and_committed_elsewhere(
    engine: Engine, table: Table, make_engine: Any, xid: str
) -> None:
    first = make_engine()
    conn = first.connect()
    tx = conn.begin_twophase(xid)
    conn.execute(insert(table), {"name": "recovered"})
    tx.prepare()
    # The preparing session goes away; the prepared branch survives it.
    conn.invalidate()
    conn.close()
    with engine.connect() as other:
        assert xid in other.recover_twophase()
        other.commit_prepared(xid, recover=True)
    with engine.connect() as other:
        assert xid not in other.recover_twophase()
    assert names(engine) == ["recovered"]


def test_recovered_xid_can_be_rolled_back(
    engine: Engine, table: Table, make_engine: Any, xid: str
) -> None:
    conn = make_engine().connect()
    tx = conn.begin_twophase(xid)
    conn.execute(insert(table), {"name": "nope"})
    tx.prepare()
    conn.invalidate()
    conn.close()
    with engine.connect() as other:
        other.rollback_prepared(xid, recover=True)
        assert xid not in other.recover_twophase()
    assert names(engine) == []


def _kill(engine: Engine, thread_id: int) -> None:
    with engine.connect() as killer:
        killer.exec_driver_sql(f"KILL {int(thread_id)}")


def test_killed_connection_is_invalidated_and_next_transaction_works(
    engine: Engine, table: Table, make_engine: Any
) -> None:
    victim_engine = make_engine()
    with victim_engine.connect() as conn:
        thread_id = conn.exec_driver_sql("SELECT CONNECTION_ID()").scalar()
        conn.commit()
        _kill(engine, thread_id)
        with pytest.raises(exc.DBAPIError) as info:
            conn.execute(select(func.count()).select_from(table))
        assert info.value.connection_invalidated
        assert conn.invalidated
        conn.rollback()
        # The same Connection reconnects for its next transaction.
        conn.execute(insert(table), {"name": "after"})
        conn.commit()
    with victim_engine.begin() as conn:
        conn.execute(insert(table), {"name": "again"})
    assert names(engine) == ["after", "again"]


def test_pre_ping_replaces_a_killed_pooled_connection(
    engine: Engine, table: Table, make_engine: Any
) -> None:
    pinged = make_engine(pool_pre_ping=True)
    with pinged.connect() as conn:
        thread_id = conn.exec_driver_sql("SELECT CONNECTION_ID()").scalar()
    _kill(engine, thread_id)
    with pinged.connect() as conn:
        assert conn.exec_driver_sql("SELECT CONNECTION_ID()").scalar() != thread_id


def test_do_ping_reports_a_dead_connection(engine: Engine) -> None:
    raw = engine.raw_connection()
    try:
        dbapi_conn = raw.dbapi_connection
        assert engine.dialect.do_ping(dbapi_conn)
        _kill(engine, dbapi_conn.thread_id())
        with pytest.raises(engine.dialect.dbapi.Error) as info:
            engine.dialect.do_ping(dbapi_conn)
        assert engine.dialect.is_disconnect(info.value, dbapi_conn, None)
    finally:
        raw.invalidate()
