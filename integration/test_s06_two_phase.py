"""S6 two-phase commit: prepare/commit, prepare/rollback, recovery of in-doubt transactions."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from accord.sql import Column, Integer, MetaData, Table, insert, select

if TYPE_CHECKING:
    from accord.engine import Engine
    from accord.testing import Backend

pytestmark = pytest.mark.requires("two_phase")


@pytest.fixture
def ledger(accord_engine: Engine) -> Table:
    """A one-column table."""
    table = Table("tpc_ledger", MetaData(), Column("id", Integer, primary_key=True))
    table.create(accord_engine)
    return table


def _ids(engine: Engine, table: Table) -> list[int]:
    with engine.connect() as conn:
        return list(conn.execute(select(table.c.id).order_by(table.c.id)).scalars())


def test_prepare_then_commit_makes_rows_durable(
    accord_backend: Backend, accord_engine: Engine, ledger: Table
) -> None:
    with accord_engine.connect() as conn:
        transaction = conn.begin_twophase(accord_backend.new_xid())
        conn.execute(insert(ledger), [{"id": 1}, {"id": 2}])
        transaction.prepare()
        assert _ids(accord_engine, ledger) == []  # prepared is not yet committed
        transaction.commit()
    assert _ids(accord_engine, ledger) == [1, 2]


def test_prepare_then_rollback_discards_rows(
    accord_backend: Backend, accord_engine: Engine, ledger: Table
) -> None:
    with accord_engine.connect() as conn:
        transaction = conn.begin_twophase(accord_backend.new_xid())
        conn.execute(insert(ledger), {"id": 1})
        transaction.prepare()
        transaction.rollback()
    assert _ids(accord_engine, ledger) == []


def test_recovered_transaction_can_be_committed_from_another_connection(
    accord_backend: Backend, accord_engine: Engine, ledger: Table
) -> None:
    xid = accord_backend.new_xid()
    conn = accord_engine.connect()
    transaction = conn.begin_twophase(xid)
    conn.execute(insert(ledger), {"id": 7})
    transaction.prepare()
    # The coordinator "crashes" here: its connection is gone, the branch is in doubt.
    conn.invalidate()
    conn.close()
    with accord_engine.connect() as other:
        assert xid in [str(x) for x in other.recover_twophase()]
        other.rollback()
        other.commit_prepared(xid, recover=True)
    assert _ids(accord_engine, ledger) == [7]
    with accord_engine.connect() as other:
        assert xid not in [str(x) for x in other.recover_twophase()]


def test_failure_between_prepare_and_commit_leaves_nothing_committed(
    accord_backend: Backend, accord_engine: Engine, ledger: Table
) -> None:
    xid = accord_backend.new_xid()
    conn = accord_engine.connect()
    transaction = conn.begin_twophase(xid)
    conn.execute(insert(ledger), [{"id": 1}, {"id": 2}])
    transaction.prepare()
    conn.invalidate()  # lost before the commit decision
    conn.close()
    assert _ids(accord_engine, ledger) == []
    with accord_engine.connect() as other:
        assert xid in [str(x) for x in other.recover_twophase()]
        other.rollback()
        other.rollback_prepared(xid, recover=True)
    assert _ids(accord_engine, ledger) == []
    with accord_engine.connect() as other:
        assert xid not in [str(x) for x in other.recover_twophase()]
