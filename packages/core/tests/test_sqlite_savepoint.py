"""SAVEPOINT on sqlite3: a rolled-back savepoint keeps the outer transaction's rows."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from accord.engine import Engine, create_engine

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path


@pytest.fixture(params=["memory", "file"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    url = "sqlite://" if request.param == "memory" else f"sqlite:///{tmp_path / 'sp.db'}"
    eng = create_engine(url)
    with eng.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (x INTEGER)")
    yield eng
    eng.dispose()


def _values(engine: Engine) -> list[int]:
    with engine.connect() as conn:
        return list(conn.exec_driver_sql("SELECT x FROM t ORDER BY x").scalars())


def test_savepoint_rollback_keeps_outer_rows(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO t VALUES (1)")
        sp = conn.begin_nested()
        conn.exec_driver_sql("INSERT INTO t VALUES (2)")
        sp.rollback()
        conn.exec_driver_sql("INSERT INTO t VALUES (3)")
    assert _values(engine) == [1, 3]


def test_savepoint_release_keeps_rows(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO t VALUES (1)")
        with conn.begin_nested():
            conn.exec_driver_sql("INSERT INTO t VALUES (2)")
    assert _values(engine) == [1, 2]


def test_savepoint_context_manager_rolls_back_on_error(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO t VALUES (1)")

        def fail() -> None:
            with conn.begin_nested():
                conn.exec_driver_sql("INSERT INTO t VALUES (2)")
                raise KeyError("boom")

        with pytest.raises(KeyError, match="boom"):
            fail()
        assert conn.in_transaction()
    assert _values(engine) == [1]


def test_nested_savepoints(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO t VALUES (1)")
        with conn.begin_nested():
            conn.exec_driver_sql("INSERT INTO t VALUES (2)")
            inner = conn.begin_nested()
            conn.exec_driver_sql("INSERT INTO t VALUES (3)")
            inner.rollback()
            conn.exec_driver_sql("INSERT INTO t VALUES (4)")
    assert _values(engine) == [1, 2, 4]


def test_outer_rollback_discards_released_savepoint(engine: Engine) -> None:
    with engine.connect() as conn:
        conn.begin()
        with conn.begin_nested():
            conn.exec_driver_sql("INSERT INTO t VALUES (1)")
        conn.rollback()
    assert _values(engine) == []


def test_savepoint_after_integrity_error_recovers(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE UNIQUE INDEX ux ON t (x)")
        conn.exec_driver_sql("INSERT INTO t VALUES (1)")
        with pytest.raises(Exception, match="UNIQUE"), conn.begin_nested():
            conn.exec_driver_sql("INSERT INTO t VALUES (1)")
        conn.exec_driver_sql("INSERT INTO t VALUES (2)")
    assert _values(engine) == [1, 2]
