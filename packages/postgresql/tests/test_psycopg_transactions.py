"""Against a real server: savepoints, isolation, two-phase commit, disconnects, streaming."""

from __future__ import annotations

import uuid

import pytest

from accord import exc
from accord.engine import create_engine
from accord.sql import Column, Integer, MetaData, String, Table, func, insert, select


@pytest.fixture
def items(engine, metadata: MetaData) -> Table:
    t = Table(
        "items",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("name", String(50)),
    )
    metadata.create_all(engine)
    return t


def count(engine, table: Table) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar())


# -- savepoints -----------------------------------------------------------------------------


def test_savepoint_rollback_keeps_outer_work(engine, items):
    with engine.connect() as conn:
        conn.execute(insert(items), {"name": "outer"})
        sp = conn.begin_nested()
        conn.execute(insert(items), {"name": "inner"})
        sp.rollback()
        conn.execute(insert(items), {"name": "after"})
        conn.commit()
    with engine.connect() as conn:
        names = conn.execute(select(items.c.name).order_by(items.c.id)).scalars().all()
    assert names == ["outer", "after"]


def test_savepoint_release_keeps_inner_work(engine, items):
    with engine.begin() as conn:
        with conn.begin_nested():
            conn.execute(insert(items), {"name": "inner"})
        with conn.begin_nested():
            conn.execute(insert(items), {"name": "nested-2"})
    assert count(engine, items) == 2


def test_savepoint_recovers_from_failed_statement(engine, items):
    with engine.connect() as conn:
        conn.execute(insert(items), {"id": 1, "name": "a"})
        sp = conn.begin_nested()
        with pytest.raises(exc.IntegrityError):
            conn.execute(insert(items), {"id": 1, "name": "dup"})
        sp.rollback()
        conn.execute(insert(items), {"id": 2, "name": "b"})
        conn.commit()
    assert count(engine, items) == 2


def test_rollback_discards_uncommitted_work(engine, items):
    with engine.connect() as conn:
        conn.execute(insert(items), {"name": "x"})
        conn.rollback()
    assert count(engine, items) == 0


# -- isolation ------------------------------------------------------------------------------


def test_default_isolation_level_is_read_committed(engine):
    with engine.connect() as conn:
        assert conn.default_isolation_level == "READ COMMITTED"
        assert conn.get_isolation_level() == "READ COMMITTED"


@pytest.mark.parametrize("level", ["SERIALIZABLE", "REPEATABLE READ", "READ UNCOMMITTED"])
def test_execution_options_isolation_level_applies_to_transaction(engine, level):
    with engine.connect() as conn:
        conn.execution_options(isolation_level=level)
        assert conn.get_isolation_level() == level
        server = conn.exec_driver_sql("SHOW transaction_isolation").scalar()
        assert server.upper() == level
    # Returned to the pool: the next checkout has the default again.
    with engine.connect() as conn:
        assert conn.get_isolation_level() == "READ COMMITTED"


def test_engine_isolation_level_applies_to_new_connections(pg_url):
    eng = create_engine(pg_url, isolation_level="REPEATABLE READ")
    try:
        with eng.connect() as conn:
            assert conn.exec_driver_sql("SHOW transaction_isolation").scalar() == (
                "repeatable read"
            )
    finally:
        eng.dispose()


def test_autocommit_isolation_commits_each_statement(engine, items):
    with engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT")
        assert conn.get_isolation_level() == "AUTOCOMMIT"
        conn.execute(insert(items), {"name": "auto"})
        conn.rollback()  # nothing to roll back: the insert is already committed
    assert count(engine, items) == 1
    with engine.connect() as conn:
        assert conn.get_isolation_level() == "READ COMMITTED"


def test_autocommit_engine_option_runs_statements_outside_transactions(engine, items):
    auto = engine.execution_options(isolation_level="AUTOCOMMIT")
    with auto.connect() as conn:
        conn.execute(insert(items), {"name": "x"})
        # VACUUM can't run inside a transaction block.
        conn.exec_driver_sql("VACUUM items")
    assert count(engine, items) == 1


def test_changing_isolation_inside_transaction_is_an_error(engine, items):
    with engine.connect() as conn:
        conn.execute(select(items.c.id))
        with pytest.raises(exc.InvalidRequestError):
            conn.execution_options(isolation_level="SERIALIZABLE")


# -- two-phase ------------------------------------------------------------------------------


def test_twophase_prepare_then_commit(engine, items):
    with engine.connect() as conn:
        tx = conn.begin_twophase(f"accord-test-{uuid.uuid4().hex}")
        conn.execute(insert(items), {"name": "2pc"})
        tx.prepare()
        tx.commit()
    assert count(engine, items) == 1


def test_twophase_prepare_then_rollback(engine, items):
    with engine.connect() as conn:
        tx = conn.begin_twophase(f"accord-test-{uuid.uuid4().hex}")
        conn.execute(insert(items), {"name": "2pc"})
        tx.prepare()
        tx.rollback()
    assert count(engine, items) == 0


def test_twophase_commit_without_prepare_commits(engine, items):
    with engine.connect() as conn:
        tx = conn.begin_twophase()
        conn.execute(insert(items), {"name": "one-phase"})
        tx.commit()
    assert count(engine, items) == 1


def test_twophase_close_without_commit_rolls_back(engine, items):
    with engine.connect() as conn:
        conn.begin_twophase()
        conn.execute(insert(items), {"name": "lost"})
    assert count(engine, items) == 0
    with engine.connect() as conn:  # the pooled connection is usable again
        conn.execute(insert(items), {"name": "ok"})
        conn.commit()
    assert count(engine, items) == 1


def test_recover_twophase_lists_prepared_xid_and_commits_it(engine, items):
    xid = f"accord-test-recover-commit-{uuid.uuid4().hex}"
    with engine.connect() as conn:
        tx = conn.begin_twophase(xid)
        conn.execute(insert(items), {"name": "prepared"})
        tx.prepare()
        # The connection goes away with the transaction still prepared on the server.
        conn.invalidate()
    assert count(engine, items) == 0
    with engine.connect() as conn:
        assert xid in conn.recover_twophase()
        conn.commit_prepared(xid, recover=True)
        assert xid not in conn.recover_twophase()
    assert count(engine, items) == 1


def test_recover_twophase_then_rollback_prepared(engine, items):
    xid = f"accord-test-recover-rollback-{uuid.uuid4().hex}"
    with engine.connect() as conn:
        tx = conn.begin_twophase(xid)
        conn.execute(insert(items), {"name": "prepared"})
        tx.prepare()
        conn.invalidate()
    with engine.connect() as conn:
        conn.execute(select(items.c.id)).all()  # a transaction in progress is fine too
        assert xid in conn.recover_twophase()
        conn.rollback_prepared(xid, recover=True)
        assert xid not in conn.recover_twophase()
    assert count(engine, items) == 0


def test_twophase_with_xa_triple(engine, items):
    with engine.connect() as conn:
        tx = conn.begin_twophase((42, uuid.uuid4().hex, "branch"))
        conn.execute(insert(items), {"name": "xa"})
        tx.prepare()
        tx.commit()
    assert count(engine, items) == 1


# -- disconnects ----------------------------------------------------------------------------


@pytest.fixture
def terminate(raw_connection):
    """Kill a backend by pid from a connection outside the engine's pool."""

    def kill(pid: int) -> None:
        raw_connection.execute("SELECT pg_terminate_backend(%s)", (pid,))

    return kill


def test_terminated_backend_raises_invalidated_error_then_recovers(engine, items, terminate):
    with engine.connect() as conn:
        pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar()
        conn.commit()
        terminate(pid)
        with pytest.raises(exc.DBAPIError) as info:
            conn.execute(select(items.c.id))
        assert info.value.connection_invalidated is True
        assert conn.invalidated
        conn.rollback()
        # The next transaction works on a fresh connection.
        conn.execute(insert(items), {"name": "after"})
        new_pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar()
        conn.commit()
    assert new_pid != pid
    assert count(engine, items) == 1


def test_terminated_backend_invalidates_pooled_connections(engine, items, terminate):
    with engine.connect() as conn:
        pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar()
    terminate(pid)
    with engine.connect() as conn:
        with pytest.raises(exc.DBAPIError) as info:
            conn.execute(select(items.c.id))
        assert info.value.connection_invalidated
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(items)).scalar() == 0


def test_pre_ping_replaces_terminated_connection(pg_url, items, terminate):
    eng = create_engine(pg_url, pool_pre_ping=True)
    try:
        with eng.connect() as conn:
            pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar()
        terminate(pid)
        with eng.connect() as conn:
            assert conn.exec_driver_sql("SELECT pg_backend_pid()").scalar() != pid
            # The ping left no transaction open: the isolation level can still change.
            conn.rollback()
            conn.execution_options(isolation_level="SERIALIZABLE")
    finally:
        eng.dispose()


# -- streaming ------------------------------------------------------------------------------


def test_stream_results_uses_server_side_cursor(engine, items):
    with engine.begin() as conn:
        conn.execute(insert(items), [{"name": f"n{i}"} for i in range(250)])
    with engine.connect() as conn:
        result = conn.execution_options(stream_results=True).execute(
            select(items.c.id).order_by(items.c.id)
        )
        first = result.fetchmany(10)
        cursors = conn.exec_driver_sql("SELECT name FROM pg_cursors").scalars().all()
        assert any(name.startswith("accord_c") for name in cursors)
        rest = result.all()
    assert [r.id for r in first + rest] == list(range(1, 251))


def test_cursor_events_see_the_server_side_cursor(engine, items):
    from accord import event

    seen = []

    @event.listens_for(engine, "before_cursor_execute")
    def before(conn, cursor, statement, parameters, context, executemany):
        seen.append(("before", cursor, context.cursor))

    @event.listens_for(engine, "after_cursor_execute")
    def after(conn, cursor, statement, parameters, context, executemany):
        seen.append(("after", cursor, context.cursor))

    with engine.connect() as conn:
        result = conn.execution_options(stream_results=True).execute(select(items.c.id))
        result.all()
    (_, before_cursor, before_ctx), (_, after_cursor, after_ctx) = seen
    assert before_cursor is after_cursor is before_ctx is after_ctx
    assert before_cursor.name.startswith("accord_c")


def test_yield_per_streams_in_partitions(engine, items):
    with engine.begin() as conn:
        conn.execute(insert(items), [{"name": f"n{i}"} for i in range(95)])
    with engine.connect() as conn:
        result = conn.execution_options(yield_per=20).execute(
            select(items.c.id).order_by(items.c.id)
        )
        sizes = [len(p) for p in result.yield_per(20).partitions()]
    assert sizes == [20, 20, 20, 20, 15]


def test_stream_results_in_autocommit_mode(engine, items):
    with engine.begin() as conn:
        conn.execute(insert(items), [{"name": f"n{i}"} for i in range(5)])
    with engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT", stream_results=True)
        ids = conn.execute(select(items.c.id).order_by(items.c.id)).scalars().all()
    assert ids == [1, 2, 3, 4, 5]


def test_stream_results_ignored_for_dml(engine, items):
    with engine.connect() as conn:
        conn.execution_options(stream_results=True)
        result = conn.execute(insert(items).returning(items.c.id), {"name": "x"})
        assert result.scalar() == 1
        conn.commit()
