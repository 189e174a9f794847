"""Engine, connection and pool events fired through a real sqlite engine."""

from __future__ import annotations

import gc
import weakref
from typing import Any

import pytest

from accord import event, exc
from accord.engine import Connection, Engine, create_engine
from accord.engine.pool import Pool


@pytest.fixture
def engine() -> Any:
    eng = create_engine("sqlite://")
    yield eng
    eng.dispose()


def record_all(target: Any, log: list[str], *names: str) -> None:
    for name in names:
        event.listen(target, name, lambda *a, _n=name: log.append(_n))


def test_execute_events_fire_in_order(engine: Engine) -> None:
    log: list[str] = []
    record_all(
        engine,
        log,
        "before_execute",
        "before_cursor_execute",
        "after_cursor_execute",
        "after_execute",
    )
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT 1").scalar() == 1
    assert log == [
        "before_execute",
        "before_cursor_execute",
        "after_cursor_execute",
        "after_execute",
    ]


def test_transaction_events(engine: Engine) -> None:
    log: list[str] = []
    record_all(engine, log, "begin", "commit", "rollback", "savepoint", "release_savepoint")
    event.listen(engine, "rollback_savepoint", lambda *a: log.append("rollback_savepoint"))
    with engine.connect() as conn:
        conn.exec_driver_sql("CREATE TABLE t (x INTEGER)")
        conn.commit()
        conn.exec_driver_sql("INSERT INTO t VALUES (1)")
        sp = conn.begin_nested()
        conn.exec_driver_sql("INSERT INTO t VALUES (2)")
        sp.rollback()
        sp = conn.begin_nested()
        sp.commit()
        conn.rollback()
    assert log == [
        "begin",
        "commit",
        "begin",
        "savepoint",
        "rollback_savepoint",
        "savepoint",
        "release_savepoint",
        "rollback",
    ]


def test_retval_listeners_replace_statement(engine: Engine) -> None:
    seen: list[str] = []

    def rewrite(conn: Any, cursor: Any, statement: str, params: Any, ctx: Any, many: bool) -> Any:
        return statement.replace("SELECT 1", "SELECT 2"), params

    event.listen(engine, "before_cursor_execute", rewrite, retval=True)
    event.listen(engine, "before_cursor_execute", lambda c, cur, s, *a: seen.append(s))
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT 1").scalar() == 2
    assert seen == ["SELECT 2"]


def test_retval_true_refused_for_other_engine_events(engine: Engine) -> None:
    with pytest.raises(exc.ArgumentError, match="retval"):
        event.listen(engine, "commit", lambda conn: None, retval=True)


def test_connection_listener_is_local_to_that_connection(engine: Engine) -> None:
    log: list[str] = []
    # one after the other: the in-memory database's StaticPool shares a single connection
    with engine.connect() as conn1:
        event.listen(conn1, "before_execute", lambda *a: log.append("conn1"))
        conn1.exec_driver_sql("SELECT 1")
    with engine.connect() as conn2:
        conn2.exec_driver_sql("SELECT 1")
    assert log == ["conn1"]
    assert not engine.dispatch.before_execute


def test_engine_class_listener_reaches_every_engine(engine: Engine) -> None:
    log: list[str] = []

    def on_engine_connect(conn: Any) -> None:
        log.append("connected")

    event.listen(Engine, "engine_connect", on_engine_connect)
    try:
        with engine.connect():
            pass
        with create_engine("sqlite://").connect():
            pass
    finally:
        event.remove(Engine, "engine_connect", on_engine_connect)
    assert log == ["connected", "connected"]
    with engine.connect():
        pass
    assert log == ["connected", "connected"]


def test_connection_class_listener_means_engine_class(engine: Engine) -> None:
    log: list[str] = []

    def fn(*a: Any) -> None:
        log.append("x")

    event.listen(Connection, "before_execute", fn)
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
        assert event.contains(Engine, "before_execute", fn)
    finally:
        event.remove(Connection, "before_execute", fn)
    assert log == ["x"]


def test_pool_event_on_engine_reaches_its_pool(engine: Engine) -> None:
    log: list[str] = []
    record_all(engine, log, "checkout", "checkin")
    with engine.connect() as conn:
        conn.exec_driver_sql("SELECT 1")
    assert log == ["checkout", "checkin"]
    assert event.contains(engine.pool, "checkout", engine.pool.dispatch.checkout.records[0].fn)
    # the listeners survive dispose(), which recreates the pool
    engine.dispose()
    log.clear()
    with engine.connect():
        pass
    assert log == ["checkout", "checkin"]


def test_pool_event_on_engine_class_means_pool_class() -> None:
    log: list[str] = []

    def on_checkout(*a: Any) -> None:
        log.append("checkout")

    event.listen(Engine, "checkout", on_checkout)
    try:
        assert event.contains(Pool, "checkout", on_checkout)
        with create_engine("sqlite://").connect():
            pass
    finally:
        event.remove(Engine, "checkout", on_checkout)
    assert log == ["checkout"]


def test_unknown_engine_event_lists_valid_ones(engine: Engine) -> None:
    with pytest.raises(exc.InvalidRequestError) as info:
        event.listen(engine, "before_exectue", lambda *a: None)
    msg = str(info.value)
    assert "before_exectue" in msg
    assert "before_execute" in msg
    assert "checkout" in msg  # pool events are valid on an engine too


def test_handle_error_sees_the_failure(engine: Engine) -> None:
    seen: list[Any] = []
    event.listen(engine, "handle_error", lambda ctx: seen.append(ctx))
    with engine.connect() as conn, pytest.raises(exc.DBAPIError):
        conn.exec_driver_sql("SELECT * FROM no_such_table")
    assert len(seen) == 1


def test_once_listener_on_engine(engine: Engine) -> None:
    log: list[str] = []
    event.listen(engine, "before_execute", lambda *a: log.append("once"), once=True)
    with engine.connect() as conn:
        conn.exec_driver_sql("SELECT 1")
        assert conn.exec_driver_sql("SELECT 2").scalar() == 2  # passes arguments through
    assert log == ["once"]


def test_connection_without_own_listeners_shares_engine_collections(engine: Engine) -> None:
    event.listen(engine, "before_execute", lambda *a: None)
    with engine.connect() as conn:
        # no per-connection copy: the hot-path check reads the engine's collection
        assert conn.dispatch.before_execute is engine.dispatch.before_execute
        assert not conn.dispatch.commit


def test_listened_engine_can_be_garbage_collected() -> None:
    eng = create_engine("sqlite://")
    event.listen(eng, "before_execute", lambda *a: None)
    event.listen(eng, "checkout", lambda *a: None)
    with eng.connect() as conn:
        conn.exec_driver_sql("SELECT 1")
    eng.dispose()
    ref = weakref.ref(eng)
    del eng, conn
    gc.collect()
    assert ref() is None


def test_dialect_event_on_engine_reaches_its_dialect(engine: Engine) -> None:
    seen: list[str] = []

    def do_execute(cursor: Any, statement: str, parameters: Any, context: Any) -> bool:
        seen.append(statement)
        cursor.execute(statement, parameters)
        return True  # we ran it: the dialect must not run it again

    event.listen(engine, "do_execute", do_execute)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT ?", (5,)).scalar() == 5
    assert seen == ["SELECT ?"]
    assert event.contains(engine.dialect, "do_execute", do_execute)
