"""Tests of accord.engine.pool: limits under threads, timeouts, pre-ping, recycle, invalidation."""

from __future__ import annotations

import gc
import logging
import sqlite3
import threading
import time
from typing import Any

import pytest

from accord import event, exc
from accord.engine.pool import (
    AssertionPool,
    NullPool,
    Pool,
    PoolProxiedConnection,
    QueuePool,
    StaticPool,
)


class FakeDBAPIError(Exception):
    pass


class FakeCursor:
    def __init__(self, conn: FakeConnection) -> None:
        self.conn = conn

    def execute(self, sql: str, params: Any = ()) -> None:
        if not self.conn.alive:
            raise FakeDBAPIError("server closed the connection unexpectedly")
        self.conn.executed.append(sql)

    def close(self) -> None:
        pass


class FakeConnection:
    def __init__(self, factory: FakeFactory) -> None:
        self.factory = factory
        self.alive = True
        self.closed = False
        self.rollbacks = 0
        self.commits = 0
        self.fail_rollback = False
        self.executed: list[str] = []

    def cursor(self) -> FakeCursor:
        if self.closed:
            raise FakeDBAPIError("connection is closed")
        return FakeCursor(self)

    def rollback(self) -> None:
        if self.fail_rollback or not self.alive:
            raise FakeDBAPIError("rollback failed")
        self.rollbacks += 1

    def commit(self) -> None:
        self.commits += 1

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            with self.factory.lock:
                self.factory.open -= 1


class FakeFactory:
    """A creator that counts connections made and currently open."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.made: list[FakeConnection] = []
        self.open = 0
        self.max_open = 0

    def __call__(self) -> FakeConnection:
        conn = FakeConnection(self)
        with self.lock:
            self.made.append(conn)
            self.open += 1
            self.max_open = max(self.max_open, self.open)
        return conn


class FakeDialect:
    """Records the driver hooks the pool calls."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.ping_error: BaseException | None = None

    def do_rollback(self, conn: Any) -> None:
        self.calls.append("do_rollback")
        conn.rollback()

    def do_commit(self, conn: Any) -> None:
        self.calls.append("do_commit")
        conn.commit()

    def do_close(self, conn: Any) -> None:
        self.calls.append("do_close")
        conn.close()

    def do_ping(self, conn: Any) -> bool:
        self.calls.append("do_ping")
        if self.ping_error is not None:
            raise self.ping_error
        return bool(conn.alive)

    def is_disconnect(self, e: BaseException, conn: Any, cursor: Any) -> bool:
        return "closed the connection" in str(e)

    def get_driver_connection(self, conn: Any) -> Any:
        return ("driver", conn)


def sqlite_creator() -> sqlite3.Connection:
    return sqlite3.connect(":memory:", check_same_thread=False)


# -- QueuePool limits -----------------------------------------------------------------------


def test_queuepool_16_threads_never_exceed_size_plus_overflow() -> None:
    factory = FakeFactory()
    pool = QueuePool(factory, pool_size=4, max_overflow=4, timeout=10)
    lock = threading.Lock()
    current = 0
    peak = 0
    errors: list[BaseException] = []
    barrier = threading.Barrier(16)

    def worker() -> None:
        nonlocal current, peak
        try:
            barrier.wait()
            for _ in range(200):
                conn = pool.connect()
                with lock:
                    current += 1
                    peak = max(peak, current)
                assert conn.dbapi_connection is not None
                assert not conn.dbapi_connection.closed
                time.sleep(0)
                with lock:
                    current -= 1
                conn.close()
        except BaseException as e:  # surfaced below
            errors.append(e)

    threads = [threading.Thread(target=worker) for _ in range(16)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert errors == []
    assert 1 <= peak <= 8
    assert factory.max_open <= 8
    assert pool.checkedout() == 0
    assert pool.checkedin() <= 4
    assert factory.open == pool.checkedin()
    pool.dispose()
    assert factory.open == 0


def test_queuepool_timeout_error_names_limits() -> None:
    pool = QueuePool(FakeFactory(), pool_size=1, max_overflow=1, timeout=0.1)
    held = [pool.connect(), pool.connect()]
    start = time.monotonic()
    with pytest.raises(exc.TimeoutError) as info:
        pool.connect()
    assert time.monotonic() - start >= 0.09
    msg = str(info.value)
    assert "size 1" in msg
    assert "overflow 1" in msg
    assert "timeout 0.10" in msg
    for c in held:
        c.close()
    assert pool.checkedout() == 0


def test_queuepool_waiter_gets_returned_connection() -> None:
    pool = QueuePool(FakeFactory(), pool_size=1, max_overflow=0, timeout=5)
    first = pool.connect()
    got: list[PoolProxiedConnection] = []
    th = threading.Thread(target=lambda: got.append(pool.connect()))
    th.start()
    time.sleep(0.05)
    first.close()
    th.join(5)
    assert len(got) == 1
    got[0].close()


def test_queuepool_status_and_counters() -> None:
    pool = QueuePool(FakeFactory(), pool_size=2, max_overflow=1)
    assert pool.size() == 2
    a, b, c = pool.connect(), pool.connect(), pool.connect()
    assert pool.checkedout() == 3
    assert pool.overflow() == 1
    a.close()
    b.close()
    c.close()  # pool already holds pool_size: the overflow connection is closed
    assert pool.checkedin() == 2
    assert pool.overflow() == 0
    assert "Pool size: 2" in pool.status()
    assert "Current Checked out connections: 0" in pool.status()


def test_failed_connect_frees_the_slot() -> None:
    calls = 0

    def flaky() -> FakeConnection:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise FakeDBAPIError("cannot connect")
        return FakeFactory()()

    pool = QueuePool(flaky, pool_size=1, max_overflow=0, timeout=0.1)
    with pytest.raises(FakeDBAPIError):
        pool.connect()
    conn = pool.connect()  # would time out if the failed attempt had kept the slot
    conn.close()


# -- pre-ping, recycle, invalidation --------------------------------------------------------


def test_pre_ping_replaces_dead_connection() -> None:
    factory = FakeFactory()
    pool = QueuePool(factory, pool_size=2, pre_ping=True)
    conn = pool.connect()
    first = conn.dbapi_connection
    conn.close()
    first.alive = False
    conn = pool.connect()
    assert conn.dbapi_connection is not first
    assert first.closed
    assert conn.dbapi_connection.alive
    conn.close()
    assert len(factory.made) == 2


def test_pre_ping_failure_invalidates_older_connections() -> None:
    factory = FakeFactory()
    pool = QueuePool(factory, pool_size=2, pre_ping=True)
    a, b = pool.connect(), pool.connect()
    dead, other = a.dbapi_connection, b.dbapi_connection
    a.close()
    b.close()
    dead.alive = False
    c = pool.connect()  # gets `dead` first (FIFO), ping fails, replaced
    assert c.dbapi_connection not in (dead, other)
    d = pool.connect()  # `other` is older than the failure: replaced without a ping failing
    assert d.dbapi_connection is not other
    assert other.closed
    c.close()
    d.close()


def test_pre_ping_uses_dialect_and_reraises_non_disconnect_errors() -> None:
    dialect = FakeDialect()
    pool = QueuePool(FakeFactory(), pool_size=1, pre_ping=True, dialect=dialect)
    pool.connect().close()
    assert "do_ping" not in dialect.calls  # a brand-new connection is not pinged
    pool.connect().close()
    assert "do_ping" in dialect.calls
    dialect.ping_error = ValueError("not a disconnect")
    with pytest.raises(ValueError, match="not a disconnect"):
        pool.connect()
    assert pool.checkedout() == 0


def test_recycle_replaces_old_connection() -> None:
    factory = FakeFactory()
    pool = QueuePool(factory, pool_size=1, recycle=3600)
    conn = pool.connect()
    first = conn.dbapi_connection
    conn.close()
    conn = pool.connect()
    assert conn.dbapi_connection is first  # young enough
    conn._record.starttime -= 7200  # type: ignore[union-attr]  # age it
    conn.close()
    conn = pool.connect()
    assert conn.dbapi_connection is not first
    assert first.closed
    conn.close()


def test_invalidate_closes_connection_and_returns_slot() -> None:
    factory = FakeFactory()
    pool = QueuePool(factory, pool_size=1, max_overflow=0, timeout=0.1)
    seen: list[Any] = []
    event.listen(pool, "invalidate", lambda c, rec, e: seen.append((c, e)))
    conn = pool.connect()
    dbapi = conn.dbapi_connection
    err = RuntimeError("boom")
    conn.invalidate(err)
    assert not conn.is_valid
    assert dbapi.closed
    assert seen == [(dbapi, err)]
    assert pool.checkedout() == 0
    conn.close()  # closing an invalidated proxy is harmless
    again = pool.connect()
    assert again.dbapi_connection is not dbapi
    again.close()


def test_disconnect_error_invalidates_whole_pool() -> None:
    factory = FakeFactory()
    pool = QueuePool(factory, pool_size=3)
    a, b, c = pool.connect(), pool.connect(), pool.connect()
    old_b, old_c = b.dbapi_connection, c.dbapi_connection
    b.close()
    c.close()
    a.invalidate(exc.DisconnectionError("server gone"))
    x, y = pool.connect(), pool.connect()
    assert {x.dbapi_connection, y.dbapi_connection}.isdisjoint({old_b, old_c})
    assert old_b.closed
    assert old_c.closed
    x.close()
    y.close()


def test_dialect_is_disconnect_drives_pool_invalidation() -> None:
    pool = QueuePool(FakeFactory(), pool_size=2, dialect=FakeDialect())
    a, b = pool.connect(), pool.connect()
    old_b = b.dbapi_connection
    b.close()
    a.invalidate(FakeDBAPIError("server closed the connection unexpectedly"))
    fresh = pool.connect()
    assert fresh.dbapi_connection is not old_b
    fresh.close()


def test_non_disconnect_invalidate_leaves_other_connections() -> None:
    pool = QueuePool(FakeFactory(), pool_size=2)
    a, b = pool.connect(), pool.connect()
    old_b = b.dbapi_connection
    b.close()
    a.invalidate(RuntimeError("just this one"))
    again = pool.connect()
    assert again.dbapi_connection is old_b
    again.close()


def test_pool_level_invalidate_helper() -> None:
    pool = QueuePool(FakeFactory(), pool_size=2)
    a, b = pool.connect(), pool.connect()
    old_b = b.dbapi_connection
    b.close()
    pool._invalidate(a, RuntimeError("x"))
    assert not a.is_valid
    fresh = pool.connect()
    assert fresh.dbapi_connection is not old_b
    fresh.close()


def test_soft_invalidate_keeps_connection_until_returned() -> None:
    pool = QueuePool(FakeFactory(), pool_size=1)
    seen: list[str] = []
    event.listen(pool, "soft_invalidate", lambda *a: seen.append("soft"))
    conn = pool.connect()
    dbapi = conn.dbapi_connection
    conn.invalidate(soft=True)
    assert conn.is_valid
    assert not dbapi.closed
    conn.cursor().execute("still usable")
    conn.close()
    assert seen == ["soft"]
    conn = pool.connect()
    assert conn.dbapi_connection is not dbapi
    assert dbapi.closed
    conn.close()


def test_checkout_listener_disconnection_error_retries() -> None:
    factory = FakeFactory()
    pool = QueuePool(factory, pool_size=1)
    attempts: list[Any] = []

    def checkout(dbapi: Any, rec: Any, proxy: Any) -> None:
        attempts.append(dbapi)
        if len(attempts) < 3:
            raise exc.DisconnectionError("not this one")

    event.listen(pool, "checkout", checkout)
    conn = pool.connect()
    assert len(attempts) == 3
    assert conn.dbapi_connection is attempts[-1]
    assert attempts[0].closed
    assert attempts[1].closed
    conn.close()


def test_checkout_listener_giving_up_after_three_attempts() -> None:
    pool = QueuePool(FakeFactory(), pool_size=1, max_overflow=0, timeout=0.1)

    def checkout(dbapi: Any, rec: Any, proxy: Any) -> None:
        raise exc.DisconnectionError("never")

    event.listen(pool, "checkout", checkout)
    with pytest.raises(exc.DisconnectionError, match="3 attempts"):
        pool.connect()
    event.remove(pool, "checkout", checkout)
    pool.connect().close()  # the slot was given back


def test_checkout_listener_other_error_returns_connection() -> None:
    pool = QueuePool(FakeFactory(), pool_size=1, max_overflow=0, timeout=0.1)

    def checkout(dbapi: Any, rec: Any, proxy: Any) -> None:
        raise KeyError("listener bug")

    event.listen(pool, "checkout", checkout)
    with pytest.raises(KeyError):
        pool.connect()
    event.remove(pool, "checkout", checkout)
    pool.connect().close()


# -- reset on return ------------------------------------------------------------------------


def test_reset_on_return_rolls_back() -> None:
    pool = QueuePool(sqlite_creator, pool_size=1, max_overflow=0)
    conn = pool.connect()
    conn.execute("CREATE TABLE t (x INTEGER)")
    conn.commit()
    conn.execute("INSERT INTO t VALUES (1)")
    conn.close()
    conn = pool.connect()
    assert conn.execute("SELECT count(*) FROM t").fetchone() == (0,)
    conn.close()


def test_reset_on_return_false_keeps_transaction() -> None:
    pool = QueuePool(sqlite_creator, pool_size=1, max_overflow=0, reset_on_return=False)
    conn = pool.connect()
    conn.execute("CREATE TABLE t (x INTEGER)")
    conn.commit()
    conn.execute("INSERT INTO t VALUES (1)")
    conn.close()
    conn = pool.connect()
    assert conn.execute("SELECT count(*) FROM t").fetchone() == (1,)
    conn.close()


def test_reset_uses_dialect_hooks_and_commit_mode() -> None:
    dialect = FakeDialect()
    pool = QueuePool(FakeFactory(), pool_size=1, dialect=dialect, reset_on_return="commit")
    conn = pool.connect()
    dbapi = conn.dbapi_connection
    assert conn.driver_connection == ("driver", dbapi)
    conn.close()
    assert dialect.calls == ["do_commit"]
    assert dbapi.commits == 1
    pool.dispose()
    assert dialect.calls == ["do_commit", "do_close"]


def test_reset_skipped_when_caller_already_rolled_back() -> None:
    factory = FakeFactory()
    pool = QueuePool(factory, pool_size=1)
    states: list[Any] = []
    event.listen(pool, "reset", lambda c, rec, state: states.append(state))
    conn = pool.connect()
    conn._checkin(transaction_reset=True)
    assert factory.made[0].rollbacks == 0
    assert states[0].transaction_was_reset is True


def test_connection_whose_reset_fails_is_discarded() -> None:
    factory = FakeFactory()
    pool = QueuePool(factory, pool_size=1)
    conn = pool.connect()
    dbapi = conn.dbapi_connection
    dbapi.fail_rollback = True
    conn.close()
    assert dbapi.closed
    conn = pool.connect()
    assert conn.dbapi_connection is not dbapi
    conn.close()


def test_invalid_reset_on_return_value() -> None:
    with pytest.raises(exc.ArgumentError, match="reset_on_return"):
        QueuePool(FakeFactory(), reset_on_return="sometimes")


# -- events -----------------------------------------------------------------------------------


def test_pool_events_in_order() -> None:
    factory = FakeFactory()
    pool = QueuePool(factory, pool_size=1)
    log: list[str] = []
    for name in (
        "connect",
        "first_connect",
        "checkout",
        "checkin",
        "reset",
        "close",
        "invalidate",
    ):
        event.listen(pool, name, lambda *a, _n=name: log.append(_n))
    pool.connect().close()
    assert log == ["first_connect", "connect", "checkout", "reset", "checkin"]
    log.clear()
    pool.connect().close()
    assert log == ["checkout", "reset", "checkin"]
    log.clear()
    conn = pool.connect()
    conn.invalidate()
    assert log == ["checkout", "invalidate", "close", "checkin"]
    log.clear()
    pool.connect().close()
    assert log == ["connect", "checkout", "reset", "checkin"]  # no second first_connect
    log.clear()
    pool.dispose()
    assert log == ["close"]


def test_class_level_pool_listener_and_recreate_keeps_listeners() -> None:
    seen: list[str] = []

    def on_connect(dbapi: Any, rec: Any) -> None:
        seen.append("cls")

    event.listen(QueuePool, "connect", on_connect)
    try:
        pool = QueuePool(FakeFactory(), pool_size=1)
        event.listen(pool, "connect", lambda *a: seen.append("inst"))
        pool.connect().close()
        assert seen == ["cls", "inst"]
        seen.clear()
        new = pool.recreate()
        assert new.size() == 1
        new.connect().close()
        assert seen == ["cls", "inst"]
    finally:
        event.remove(QueuePool, "connect", on_connect)


def test_listen_on_pool_base_class_reaches_every_pool() -> None:
    seen: list[str] = []

    def on_checkout(*a: Any) -> None:
        seen.append("x")

    event.listen(Pool, "checkout", on_checkout)
    try:
        NullPool(FakeFactory()).connect().close()
        StaticPool(FakeFactory()).connect().close()
        assert seen == ["x", "x"]
    finally:
        event.remove(Pool, "checkout", on_checkout)


def test_events_constructor_argument() -> None:
    seen: list[str] = []
    pool = QueuePool(FakeFactory(), events=[(lambda *a: seen.append("c"), "connect")])
    pool.connect().close()
    assert seen == ["c"]


# -- proxies, info, detach, gc --------------------------------------------------------------


def test_info_and_record_info() -> None:
    pool = QueuePool(FakeFactory(), pool_size=1)
    conn = pool.connect()
    conn.info["a"] = 1
    assert conn.record_info is not None
    conn.record_info["b"] = 2
    conn.close()
    conn = pool.connect()
    assert conn.info == {"a": 1}
    conn.invalidate()
    conn = pool.connect()  # new DBAPI connection in the same slot
    assert conn.info == {}
    assert conn.record_info == {"b": 2}
    conn.close()


def test_detach_frees_slot_and_close_really_closes() -> None:
    factory = FakeFactory()
    pool = QueuePool(factory, pool_size=1, max_overflow=0, timeout=0.1)
    seen: list[str] = []
    event.listen(pool, "detach", lambda *a: seen.append("detach"))
    event.listen(pool, "close_detached", lambda *a: seen.append("close_detached"))
    conn = pool.connect()
    conn.info["k"] = "v"
    dbapi = conn.dbapi_connection
    conn.detach()
    assert conn.is_detached
    assert conn.record_info is None
    assert conn.info == {"k": "v"}
    other = pool.connect()  # the slot is free again
    assert other.dbapi_connection is not dbapi
    other.close()
    conn.close()
    assert dbapi.closed
    assert seen == ["detach", "close_detached"]


def test_unclosed_proxy_is_returned_when_collected(caplog: pytest.LogCaptureFixture) -> None:
    pool = QueuePool(FakeFactory(), pool_size=1, max_overflow=0, timeout=0.1)
    conn = pool.connect()
    assert pool.checkedout() == 1
    with caplog.at_level(logging.WARNING, logger="accord.pool"):
        del conn
        gc.collect()
    assert pool.checkedout() == 0
    assert "never closed" in caplog.text
    pool.connect().close()


def test_proxy_delegates_and_refuses_after_close() -> None:
    pool = QueuePool(sqlite_creator, pool_size=1)
    conn = pool.connect()
    assert conn.execute("SELECT 1").fetchone() == (1,)
    cur = conn.cursor()
    cur.execute("SELECT 2")
    assert cur.fetchone() == (2,)
    conn.close()
    assert not conn.is_valid
    with pytest.raises(exc.InvalidRequestError, match="closed"):
        conn.cursor()


def test_creator_taking_the_record() -> None:
    records: list[Any] = []

    def creator(record: Any) -> FakeConnection:
        records.append(record)
        return FakeFactory()()

    pool = QueuePool(creator, pool_size=1)
    conn = pool.connect()
    assert records
    assert records[0].dbapi_connection is conn.dbapi_connection
    conn.close()


# -- other pools ----------------------------------------------------------------------------


def test_static_pool_shares_one_connection() -> None:
    pool = StaticPool(sqlite_creator)
    a = pool.connect()
    b = pool.connect()
    assert a.dbapi_connection is b.dbapi_connection
    a.execute("CREATE TABLE t (x INTEGER)")
    a.execute("INSERT INTO t VALUES (1)")
    a.commit()
    a.close()
    b.close()
    c = pool.connect()
    assert c.execute("SELECT x FROM t").fetchall() == [(1,)]  # same in-memory database
    c.close()
    assert pool.status() == "StaticPool"
    pool.dispose()
    d = pool.connect()
    with pytest.raises(sqlite3.OperationalError):
        d.execute("SELECT x FROM t")  # disposed: a new, empty database
    d.close()


def test_null_pool_opens_and_closes_per_checkout() -> None:
    factory = FakeFactory()
    pool = NullPool(factory)
    a = pool.connect()
    b = pool.connect()
    assert a.dbapi_connection is not b.dbapi_connection
    first = a.dbapi_connection
    a.close()
    assert first.closed
    b.close()
    assert factory.open == 0
    assert pool.status() == "NullPool"
    assert isinstance(pool.recreate(), NullPool)


def test_assertion_pool_refuses_second_checkout() -> None:
    pool = AssertionPool(FakeFactory())
    conn = pool.connect()
    with pytest.raises(AssertionError, match="already checked out"):
        pool.connect()
    conn.close()
    pool.connect().close()


def test_unlimited_overflow_and_zero_pool_size() -> None:
    factory = FakeFactory()
    pool = QueuePool(factory, pool_size=0, max_overflow=-1)
    conns = [pool.connect() for _ in range(20)]
    assert pool.checkedout() == 20
    for c in conns:
        c.close()
    assert pool.checkedin() == 20  # pool_size=0: every connection is kept
    assert factory.open == 20
    pool.dispose()
    assert factory.open == 0
    assert pool.checkedout() == 0


def test_echo_logs_pool_activity(capsys: pytest.CaptureFixture[str]) -> None:
    logger = logging.getLogger("accord.pool")
    before_level, before_handlers = logger.level, list(logger.handlers)
    try:
        pool = QueuePool(FakeFactory(), pool_size=1, echo="debug")
        pool.connect().close()
        pool.dispose()
        out = capsys.readouterr().out
        assert "Created new connection" in out
        assert "Pool disposed" in out
    finally:
        logger.setLevel(before_level)
        logger.handlers[:] = before_handlers
