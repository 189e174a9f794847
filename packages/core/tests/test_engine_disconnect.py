"""A dropped DBAPI connection is detected, invalidated, and the next checkout works."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from accord.engine import Engine, create_engine
from accord.exc import DBAPIError, PendingRollbackError

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path


@pytest.fixture(params=["file", "memory"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    url = f"sqlite:///{tmp_path / 'd.db'}" if request.param == "file" else "sqlite://"
    eng = create_engine(url)
    with eng.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (x INTEGER)")
    yield eng
    eng.dispose()


def test_closed_dbapi_connection_is_a_disconnect(engine: Engine) -> None:
    conn = engine.connect()
    conn.exec_driver_sql("SELECT 1")
    conn.commit()
    conn.connection.dbapi_connection.close()  # the database "went away"
    with pytest.raises(DBAPIError) as info:
        conn.exec_driver_sql("SELECT 1")
    assert info.value.connection_invalidated is True
    assert "closed database" in str(info.value)
    assert conn.invalidated
    conn.close()

    # The pool threw the dead connection away: the next checkout works.
    with engine.begin() as fresh:
        fresh.exec_driver_sql("SELECT 1")
    with engine.connect() as fresh:
        # (A memory database is gone with its connection; a file database is not.)
        assert fresh.exec_driver_sql("SELECT 1").scalar() == 1


def test_invalidated_connection_reconnects_after_rollback(engine: Engine) -> None:
    with engine.connect() as conn:
        conn.exec_driver_sql("SELECT 1")
        conn.connection.dbapi_connection.close()
        with pytest.raises(DBAPIError):
            conn.exec_driver_sql("SELECT 1")
        # The transaction that was in progress must be rolled back first.
        with pytest.raises(PendingRollbackError, match="rolled back"):
            conn.exec_driver_sql("SELECT 1")
        conn.rollback()
        assert conn.exec_driver_sql("SELECT 1").scalar() == 1
        assert not conn.invalidated


def test_explicit_invalidate(engine: Engine) -> None:
    with engine.connect() as conn:
        old = conn.connection.dbapi_connection
        conn.invalidate()
        assert conn.invalidated
        assert conn.exec_driver_sql("SELECT 1").scalar() == 1
        assert conn.connection.dbapi_connection is not old


def test_disconnect_invalidates_the_whole_pool(tmp_path: Path) -> None:
    eng = create_engine(f"sqlite:///{tmp_path / 'p.db'}", pool_size=2)
    c1, c2 = eng.connect(), eng.connect()
    dbapi_2 = c2.connection.dbapi_connection
    c2.close()  # an older connection sitting in the pool
    c1.connection.dbapi_connection.close()
    with pytest.raises(DBAPIError):
        c1.exec_driver_sql("SELECT 1")
    c1.close()
    with eng.connect() as c3:
        assert c3.connection.dbapi_connection is not dbapi_2
        assert c3.exec_driver_sql("SELECT 1").scalar() == 1


def test_pre_ping_replaces_a_dead_connection(tmp_path: Path) -> None:
    eng = create_engine(f"sqlite:///{tmp_path / 'pp.db'}", pool_pre_ping=True)
    with eng.connect() as conn:
        dead = conn.connection.dbapi_connection
    dead.close()
    with eng.connect() as conn:
        assert conn.exec_driver_sql("SELECT 1").scalar() == 1
