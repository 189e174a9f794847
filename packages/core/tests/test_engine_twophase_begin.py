"""``begin_twophase()`` makes its transaction current before the dialect begins it."""

from __future__ import annotations

import contextlib
from typing import Any

from accord.engine import create_engine
from accord.engine.transaction import TwoPhaseTransaction


def test_dialect_statements_in_do_begin_twophase_do_not_autobegin() -> None:
    engine = create_engine("sqlite://")
    dialect = engine.dialect
    seen: list[Any] = []

    def begin(connection: Any, xid: Any) -> None:
        # What a dialect emitting XA START through exec_driver_sql() does.
        seen.append(connection.get_transaction())
        connection.exec_driver_sql("SELECT 1")
        seen.append(connection.get_transaction())

    def finish(connection: Any, xid: Any, is_prepared: bool = True, recover: bool = False) -> None:
        seen.append(("finish", xid))

    dialect.do_begin_twophase = begin  # type: ignore[method-assign]
    dialect.do_rollback_twophase = finish  # type: ignore[method-assign]
    with engine.connect() as conn:
        tx = conn.begin_twophase("x1")
        assert isinstance(tx, TwoPhaseTransaction)
        assert seen == [tx, tx]
        assert conn.get_transaction() is tx
        tx.rollback()
        assert conn.get_transaction() is None
    engine.dispose()


def test_failed_do_begin_twophase_leaves_no_transaction() -> None:
    engine = create_engine("sqlite://")

    def begin(connection: Any, xid: Any) -> None:
        raise RuntimeError("no XA here")

    engine.dialect.do_begin_twophase = begin  # type: ignore[method-assign]
    with engine.connect() as conn:
        with contextlib.suppress(RuntimeError):
            conn.begin_twophase("x2")
        assert conn.get_transaction() is None
        assert conn.exec_driver_sql("SELECT 1").scalar() == 1
    engine.dispose()
