"""Engine and Connection: connect, autobegin, execution options, isolation, events, echo."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import pytest

from accord import event
from accord.engine import Connection, Engine, create_engine
from accord.exc import (
    ArgumentError,
    IntegrityError,
    InvalidRequestError,
    ObjectNotExecutableError,
    ResourceClosedError,
)

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    eng = create_engine(f"sqlite:///{tmp_path / 'conn.db'}")
    with eng.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (id INTEGER PRIMARY KEY, x TEXT)")
    yield eng
    eng.dispose()


def _count(conn: Connection) -> int:
    return int(conn.exec_driver_sql("SELECT count(*) FROM t").scalar_one())


def test_execute_autobegins_and_commit_as_you_go(engine: Engine) -> None:
    with engine.connect() as conn:
        assert not conn.in_transaction()
        conn.exec_driver_sql("INSERT INTO t (x) VALUES ('a')")
        assert conn.in_transaction()
        conn.commit()
        assert not conn.in_transaction()
        conn.exec_driver_sql("INSERT INTO t (x) VALUES ('b')")
    # 'b' was never committed: closing rolled it back.
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT x FROM t").scalars().all() == ["a"]


def test_rollback_discards(engine: Engine) -> None:
    with engine.connect() as conn:
        conn.exec_driver_sql("INSERT INTO t (x) VALUES ('a')")
        conn.rollback()
        assert _count(conn) == 0


def test_engine_begin_commits_or_rolls_back(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO t (x) VALUES ('a')")

    def fail() -> None:
        with engine.begin() as conn:
            conn.exec_driver_sql("INSERT INTO t (x) VALUES ('b')")
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        fail()
    with engine.connect() as conn:
        assert _count(conn) == 1


def test_file_database_is_shared_by_connections(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO t (x) VALUES ('a')")
    with engine.connect() as conn:
        assert _count(conn) == 1


def test_memory_database_is_shared_within_an_engine() -> None:
    eng = create_engine("sqlite://")
    with eng.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE m (x INTEGER)")
        conn.exec_driver_sql("INSERT INTO m VALUES (1)")
    with eng.connect() as conn:
        assert conn.exec_driver_sql("SELECT x FROM m").scalar() == 1
    other = create_engine("sqlite:///:memory:")
    with other.connect() as conn, pytest.raises(Exception, match="no such table"):
        conn.exec_driver_sql("SELECT x FROM m")


def test_closed_connection_raises(engine: Engine) -> None:
    conn = engine.connect()
    conn.close()
    assert conn.closed
    with pytest.raises(ResourceClosedError, match="closed"):
        conn.exec_driver_sql("SELECT 1")
    conn.close()  # closing twice is harmless


def test_execute_rejects_non_statements(engine: Engine) -> None:
    with engine.connect() as conn, pytest.raises(ObjectNotExecutableError):
        conn.execute("SELECT 1")


def test_exec_driver_sql_positional_parameters(engine: Engine) -> None:
    with engine.connect() as conn:
        conn.exec_driver_sql("INSERT INTO t (x) VALUES (?)", ("a",))
        conn.exec_driver_sql("INSERT INTO t (x) VALUES (?)", [("b",), ("c",)])
        assert _count(conn) == 3


def test_integrity_error_is_wrapped_with_statement_and_params(engine: Engine) -> None:
    with engine.connect() as conn:
        conn.exec_driver_sql("INSERT INTO t (id, x) VALUES (1, 'a')")
        with pytest.raises(IntegrityError) as info:
            conn.exec_driver_sql("INSERT INTO t (id, x) VALUES (:id, :x)", {"id": 1, "x": "z"})
    err = info.value
    assert err.statement == "INSERT INTO t (id, x) VALUES (:id, :x)"
    assert err.params == {"id": 1, "x": "z"}
    assert type(err.orig).__name__ == "IntegrityError"
    assert "UNIQUE" in str(err)


def test_hide_parameters_hides_them_in_errors(tmp_path: Path) -> None:
    eng = create_engine(f"sqlite:///{tmp_path / 'h.db'}", hide_parameters=True)
    with eng.connect() as conn, pytest.raises(Exception, match="no such table") as info:
        conn.exec_driver_sql("SELECT * FROM missing WHERE x = :x", {"x": "secret-value"})
    assert "secret-value" not in str(info.value)
    assert "hidden" in str(info.value)


def test_foreign_keys_are_enforced_by_default(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TABLE c (id INTEGER PRIMARY KEY, t_id INTEGER REFERENCES t(id))"
        )
    with engine.connect() as conn, pytest.raises(IntegrityError, match="FOREIGN KEY"):
        conn.exec_driver_sql("INSERT INTO c (t_id) VALUES (42)")


def test_foreign_keys_can_be_turned_off(tmp_path: Path) -> None:
    eng = create_engine(f"sqlite:///{tmp_path / 'fk.db'}?foreign_keys=off")
    with eng.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE p (id INTEGER PRIMARY KEY)")
        conn.exec_driver_sql(
            "CREATE TABLE c (id INTEGER PRIMARY KEY, p_id INTEGER REFERENCES p(id))"
        )
        conn.exec_driver_sql("INSERT INTO c (p_id) VALUES (42)")
    eng2 = create_engine(f"sqlite:///{tmp_path / 'fk.db'}", connect_args={"foreign_keys": False})
    with eng2.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 0


def test_read_only_uri_mode(tmp_path: Path) -> None:
    path = tmp_path / "ro.db"
    rw = create_engine(f"sqlite:///{path}")
    with rw.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE r (x INTEGER)")
    ro = create_engine(f"sqlite:///{path}?mode=ro")
    with ro.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM r").scalar() == 0
        with pytest.raises(Exception, match="readonly"):
            conn.exec_driver_sql("INSERT INTO r VALUES (1)")


def test_isolation_levels(engine: Engine) -> None:
    with engine.connect() as conn:
        assert conn.default_isolation_level == "SERIALIZABLE"
        assert conn.get_isolation_level() == "SERIALIZABLE"
        conn.execution_options(isolation_level="READ UNCOMMITTED")
        assert conn.get_isolation_level() == "READ UNCOMMITTED"
    with engine.connect() as conn:
        # The level was reset when the connection went back to the pool.
        assert conn.get_isolation_level() == "SERIALIZABLE"


def test_autocommit_isolation_level_commits_each_statement(engine: Engine) -> None:
    with engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT")
        assert conn.get_isolation_level() == "AUTOCOMMIT"
        conn.exec_driver_sql("INSERT INTO t (x) VALUES ('a')")
        conn.rollback()  # nothing to roll back: the insert is already committed
    with engine.connect() as conn:
        assert _count(conn) == 1


def test_engine_wide_isolation_level(tmp_path: Path) -> None:
    eng = create_engine(f"sqlite:///{tmp_path / 'i.db'}", isolation_level="READ UNCOMMITTED")
    with eng.connect() as conn:
        assert conn.get_isolation_level() == "READ UNCOMMITTED"
    auto = eng.execution_options(isolation_level="AUTOCOMMIT")
    with auto.connect() as conn:
        assert conn.get_isolation_level() == "AUTOCOMMIT"


def test_invalid_isolation_level(engine: Engine) -> None:
    with pytest.raises(ArgumentError, match="SNAPSHOT"):
        create_engine("sqlite://", isolation_level="SNAPSHOT")
    with engine.connect() as conn, pytest.raises(ArgumentError, match="valid levels"):
        conn.execution_options(isolation_level="SNAPSHOT")


def test_isolation_level_cannot_change_inside_transaction(engine: Engine) -> None:
    with engine.connect() as conn:
        conn.exec_driver_sql("SELECT 1")
        with pytest.raises(InvalidRequestError, match="isolation_level"):
            conn.execution_options(isolation_level="AUTOCOMMIT")


def test_execution_options_are_merged(engine: Engine) -> None:
    opt_engine = engine.execution_options(foo="bar")
    assert opt_engine.get_execution_options()["foo"] == "bar"
    assert "foo" not in engine.get_execution_options()
    assert opt_engine.pool is engine.pool
    with opt_engine.connect() as conn:
        assert conn.execution_options(baz=1) is conn
        assert conn.get_execution_options() == {"foo": "bar", "baz": 1}


def test_connection_info_and_proxy(engine: Engine) -> None:
    with engine.connect() as conn:
        conn.info["k"] = 1
        assert conn.connection.info["k"] == 1
        assert conn.connection.dbapi_connection is not None


def test_engine_repr_and_properties(engine: Engine) -> None:
    assert repr(engine).startswith("Engine(sqlite:///")
    assert engine.name == "sqlite"
    assert engine.driver == "pysqlite"
    assert engine.dialect.paramstyle == "named"


def test_has_table(engine: Engine) -> None:
    with engine.connect() as conn:
        assert engine.dialect.has_table(conn, "t")
        assert not engine.dialect.has_table(conn, "nope")


def test_events_fire_around_execution_and_transactions(engine: Engine) -> None:
    seen: list[Any] = []

    @event.listens_for(engine, "before_cursor_execute")
    def before(conn: Any, cursor: Any, statement: str, params: Any, ctx: Any, many: bool) -> None:
        seen.append(("before", statement))

    @event.listens_for(engine, "after_cursor_execute")
    def after(conn: Any, cursor: Any, statement: str, params: Any, ctx: Any, many: bool) -> None:
        seen.append(("after", statement))

    for name in ("begin", "commit", "rollback", "engine_connect"):
        event.listen(engine, name, lambda conn, name=name: seen.append(name))

    with engine.connect() as conn:
        conn.exec_driver_sql("SELECT 1")
        conn.commit()
        conn.exec_driver_sql("SELECT 2")
        conn.rollback()
    assert seen == [
        "engine_connect",
        "begin",
        ("before", "SELECT 1"),
        ("after", "SELECT 1"),
        "commit",
        "begin",
        ("before", "SELECT 2"),
        ("after", "SELECT 2"),
        "rollback",
    ]


def test_before_cursor_execute_retval_rewrites_sql(engine: Engine) -> None:
    def rewrite(conn: Any, cursor: Any, statement: str, params: Any, ctx: Any, many: bool) -> Any:
        return statement.replace("1", "2"), params

    event.listen(engine, "before_cursor_execute", rewrite, retval=True)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT 1").scalar() == 2


def test_connection_level_listener_sees_only_that_connection(engine: Engine) -> None:
    seen: list[str] = []
    with engine.connect() as c1, engine.connect() as c2:
        event.listen(c1, "before_execute", lambda *a: seen.append("c1"))
        c1.exec_driver_sql("SELECT 1")
        c2.exec_driver_sql("SELECT 1")
    assert seen == ["c1"]


def test_handle_error_listener_sees_the_error(engine: Engine) -> None:
    seen: list[Any] = []
    event.listen(engine, "handle_error", lambda ctx: seen.append(ctx.original_exception))
    with engine.connect() as conn, pytest.raises(Exception, match="no such table"):
        conn.exec_driver_sql("SELECT * FROM nope")
    assert type(seen[0]).__name__ == "OperationalError"


def test_echo_logs_sql_and_parameters(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    eng = create_engine(f"sqlite:///{tmp_path / 'e.db'}", echo=True)
    with caplog.at_level(logging.INFO, logger="accord.engine"), eng.connect() as conn:
        conn.exec_driver_sql("SELECT :v", {"v": "visible"})
    text = caplog.text
    assert "SELECT :v" in text
    assert "visible" in text
    assert "BEGIN" in text


def test_echo_with_hide_parameters(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    eng = create_engine(f"sqlite:///{tmp_path / 'e.db'}", echo=True, hide_parameters=True)
    with caplog.at_level(logging.INFO, logger="accord.engine"), eng.connect() as conn:
        conn.exec_driver_sql("SELECT :v", {"v": "invisible"})
    assert "SELECT :v" in caplog.text
    assert "invisible" not in caplog.text


def test_no_logging_without_echo(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    eng = create_engine(f"sqlite:///{tmp_path / 'e.db'}")
    with caplog.at_level(logging.WARNING, logger="accord.engine"), eng.connect() as conn:
        conn.exec_driver_sql("SELECT 1")
    assert "SELECT 1" not in caplog.text


def test_unknown_create_engine_argument(engine: Engine) -> None:
    with pytest.raises(ArgumentError, match="'pool_szie'"):
        create_engine("sqlite://", pool_szie=5)


def test_queue_pool_arguments_reach_the_pool(tmp_path: Path) -> None:
    eng = create_engine(f"sqlite:///{tmp_path / 'p.db'}", pool_size=2, max_overflow=0)
    assert eng.pool.size() == 2
    c1, c2 = eng.connect(), eng.connect()
    assert eng.pool.checkedout() == 2
    c1.close()
    c2.close()


def test_creator_is_used(tmp_path: Path) -> None:
    import sqlite3

    made: list[Any] = []

    def creator() -> Any:
        conn = sqlite3.connect(str(tmp_path / "c.db"), isolation_level=None)
        made.append(conn)
        return conn

    eng = create_engine("sqlite://", creator=creator)
    with eng.connect() as conn:
        assert conn.exec_driver_sql("SELECT 1").scalar() == 1
    assert made


def test_dispose_replaces_the_pool(engine: Engine) -> None:
    old = engine.pool
    disposed: list[Any] = []
    event.listen(engine, "engine_disposed", disposed.append)
    engine.dispose()
    assert engine.pool is not old
    assert disposed == [engine]
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT 1").scalar() == 1


def test_pool_arguments_the_pool_cannot_take_are_argument_errors() -> None:
    # A memory database uses a StaticPool, which has no size.
    with pytest.raises(ArgumentError, match=r"StaticPool.*pool_size"):
        create_engine("sqlite://", pool_size=5)


def test_poolclass_is_used(tmp_path: Path) -> None:
    from accord.engine.pool import NullPool

    eng = create_engine(f"sqlite:///{tmp_path / 'n.db'}", poolclass=NullPool)
    assert isinstance(eng.pool, NullPool)
    with eng.connect() as conn:
        assert conn.exec_driver_sql("SELECT 1").scalar() == 1


def test_relative_and_absolute_sqlite_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    rel = create_engine("sqlite:///relative.db")
    with rel.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE r (x INTEGER)")
    assert (tmp_path / "relative.db").exists()
    absolute = create_engine(f"sqlite:///{tmp_path / 'relative.db'}")
    assert str(absolute.url).startswith("sqlite:////")
    with absolute.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM r").scalar() == 0


def test_memory_database_with_uri_options_stays_shared() -> None:
    eng = create_engine("sqlite:///:memory:?cache=shared")
    with eng.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE m (x INTEGER)")
    with eng.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM m").scalar() == 0


def test_echo_debug_logs_rows(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    eng = create_engine(f"sqlite:///{tmp_path / 'e.db'}", echo="debug")
    with caplog.at_level(logging.INFO, logger="accord.engine"), eng.connect() as conn:
        assert conn.exec_driver_sql("SELECT 41 + 1 AS answer").scalar() == 42
    assert "('answer',)" in caplog.text
    assert "Row (42,)" in caplog.text


def test_engine_is_shared_by_threads(engine: Engine) -> None:
    import threading

    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for i in range(20):
                with engine.begin() as conn:
                    conn.exec_driver_sql("INSERT INTO t (x) VALUES (:x)", {"x": f"{n}-{i}"})
        except BaseException as e:  # reported below, in the main thread
            errors.append(e)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert errors == []
    with engine.connect() as conn:
        assert _count(conn) == 80


def test_update_execution_options_in_place(engine: Engine) -> None:
    seen: list[Any] = []
    event.listen(engine, "set_engine_execution_options", lambda eng, opts: seen.append(opts))
    engine.update_execution_options(foo=1)
    assert engine.get_execution_options()["foo"] == 1
    assert seen == [{"foo": 1}]
    assert engine.engine is engine
    with engine.connect() as conn:
        assert conn.get_execution_options()["foo"] == 1
        assert conn.engine is engine


def test_listeners_added_after_connecting_are_seen(engine: Engine) -> None:
    seen: list[str] = []
    with engine.connect() as conn:
        conn.exec_driver_sql("SELECT 1")
        event.listen(engine, "before_execute", lambda *a: seen.append("engine"))
        conn.exec_driver_sql("SELECT 1")
        event.listen(conn, "before_execute", lambda *a: seen.append("conn"))
        conn.exec_driver_sql("SELECT 1")
        with engine.connect() as other:
            other.exec_driver_sql("SELECT 1")
    assert seen == ["engine", "engine", "conn", "engine"]
