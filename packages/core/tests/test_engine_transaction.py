"""Connection transactions: begin, nesting rules, context managers and two-phase errors."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from accord import event
from accord.engine import (
    Engine,
    NestedTransaction,
    RootTransaction,
    TwoPhaseTransaction,
    create_engine,
)
from accord.exc import InvalidRequestError, ResourceClosedError

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    eng = create_engine(f"sqlite:///{tmp_path / 'tx.db'}")
    with eng.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (x INTEGER)")
    yield eng
    eng.dispose()


def _values(engine: Engine) -> list[int]:
    with engine.connect() as conn:
        return list(conn.exec_driver_sql("SELECT x FROM t ORDER BY x").scalars())


def test_begin_returns_root_transaction(engine: Engine) -> None:
    with engine.connect() as conn:
        trans = conn.begin()
        assert isinstance(trans, RootTransaction)
        assert conn.get_transaction() is trans
        assert trans.is_active
        conn.exec_driver_sql("INSERT INTO t VALUES (1)")
        trans.commit()
        assert not trans.is_active
        assert conn.get_transaction() is None
    assert _values(engine) == [1]


def test_begin_twice_is_an_error(engine: Engine) -> None:
    with engine.connect() as conn:
        conn.begin()
        with pytest.raises(InvalidRequestError, match="already begun"):
            conn.begin()


def test_begin_after_autobegin_is_an_error(engine: Engine) -> None:
    with engine.connect() as conn:
        conn.exec_driver_sql("SELECT 1")
        with pytest.raises(InvalidRequestError, match="autobegin"):
            conn.begin()


def test_transaction_context_manager_commits(engine: Engine) -> None:
    with engine.connect() as conn, conn.begin():
        conn.exec_driver_sql("INSERT INTO t VALUES (1)")
    assert _values(engine) == [1]


def test_transaction_context_manager_rolls_back_on_error(engine: Engine) -> None:
    with engine.connect() as conn:

        def fail() -> None:
            with conn.begin():
                conn.exec_driver_sql("INSERT INTO t VALUES (1)")
                raise ValueError("no")

        with pytest.raises(ValueError, match="no"):
            fail()
        assert not conn.in_transaction()
    assert _values(engine) == []


def test_commit_of_ended_transaction_is_an_error(engine: Engine) -> None:
    with engine.connect() as conn:
        trans = conn.begin()
        trans.rollback()
        with pytest.raises(InvalidRequestError, match="inactive"):
            trans.commit()
        trans.rollback()  # a no-op once inactive


def test_nested_transactions_and_flags(engine: Engine) -> None:
    with engine.connect() as conn:
        outer = conn.begin()
        sp = conn.begin_nested()
        assert isinstance(sp, NestedTransaction)
        assert conn.in_nested_transaction()
        assert conn.get_nested_transaction() is sp
        sp.commit()
        assert not conn.in_nested_transaction()
        assert conn.in_transaction()
        outer.commit()


def test_begin_nested_autobegins_the_root(engine: Engine) -> None:
    with engine.connect() as conn:
        sp = conn.begin_nested()
        assert conn.in_transaction()
        conn.exec_driver_sql("INSERT INTO t VALUES (1)")
        sp.commit()
        conn.commit()
    assert _values(engine) == [1]


def test_root_rollback_deactivates_savepoints(engine: Engine) -> None:
    with engine.connect() as conn:
        outer = conn.begin()
        sp1 = conn.begin_nested()
        sp2 = conn.begin_nested()
        outer.rollback()
        assert not sp1.is_active
        assert not sp2.is_active
        assert not conn.in_transaction()
        with pytest.raises(InvalidRequestError):
            sp2.commit()


def test_outer_savepoint_rollback_ends_inner_ones(engine: Engine) -> None:
    with engine.connect() as conn:
        conn.begin()
        conn.exec_driver_sql("INSERT INTO t VALUES (1)")
        sp1 = conn.begin_nested()
        conn.exec_driver_sql("INSERT INTO t VALUES (2)")
        sp2 = conn.begin_nested()
        conn.exec_driver_sql("INSERT INTO t VALUES (3)")
        sp1.rollback()
        assert not sp2.is_active
        assert conn.get_nested_transaction() is None
        conn.commit()
    assert _values(engine) == [1]


def test_commit_of_root_releases_open_savepoint(engine: Engine) -> None:
    with engine.connect() as conn:
        conn.begin()
        sp = conn.begin_nested()
        conn.exec_driver_sql("INSERT INTO t VALUES (1)")
        conn.commit()
        assert not conn.in_transaction()
        assert not sp.is_active
        assert conn.get_nested_transaction() is None
    assert _values(engine) == [1]


def test_close_rolls_back_open_transaction(engine: Engine) -> None:
    conn = engine.connect()
    trans = conn.begin()
    conn.exec_driver_sql("INSERT INTO t VALUES (1)")
    conn.close()
    assert not trans.is_active
    assert _values(engine) == []
    with pytest.raises(ResourceClosedError):
        conn.begin()


def test_savepoint_events(engine: Engine) -> None:
    seen: list[Any] = []
    event.listen(engine, "savepoint", lambda conn, name: seen.append(("sp", name)))
    event.listen(engine, "rollback_savepoint", lambda conn, name, ctx: seen.append(("rb", name)))
    event.listen(engine, "release_savepoint", lambda conn, name, ctx: seen.append(("rel", name)))
    with engine.connect() as conn:
        sp = conn.begin_nested()
        sp.rollback()
        sp2 = conn.begin_nested()
        sp2.commit()
    assert [s[0] for s in seen] == ["sp", "rb", "sp", "rel"]
    assert seen[0][1] == sp.name


def test_two_phase_not_supported_on_sqlite(engine: Engine) -> None:
    with engine.connect() as conn, pytest.raises(NotImplementedError, match="two-phase"):
        conn.begin_twophase()


def test_two_phase_requires_no_transaction(engine: Engine) -> None:
    with engine.connect() as conn:
        conn.begin()
        with pytest.raises(InvalidRequestError, match="two-phase"):
            conn.begin_twophase()


class _RecordingTPC:
    """A stand-in for a dialect's two-phase hooks (sqlite has none)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []

    def install(self, engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
        d = engine.dialect
        monkeypatch.setattr(d, "do_begin_twophase", lambda c, xid: self.calls.append(("b", xid)))
        monkeypatch.setattr(d, "do_prepare_twophase", lambda c, xid: self.calls.append(("p", xid)))
        monkeypatch.setattr(
            d,
            "do_commit_twophase",
            lambda c, xid, is_prepared=True, recover=False: self.calls.append(("c", is_prepared)),
        )
        monkeypatch.setattr(
            d,
            "do_rollback_twophase",
            lambda c, xid, is_prepared=True, recover=False: self.calls.append(("r", is_prepared)),
        )
        monkeypatch.setattr(d, "do_recover_twophase", lambda c: ["x1"])


def test_two_phase_prepare_commit_sequence(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    tpc = _RecordingTPC()
    tpc.install(engine, monkeypatch)
    with engine.connect() as conn:
        trans = conn.begin_twophase("xid-1")
        assert isinstance(trans, TwoPhaseTransaction)
        assert trans.xid == "xid-1"
        trans.prepare()
        trans.commit()
        assert not conn.in_transaction()
        assert conn.recover_twophase() == ["x1"]
        with conn.begin_twophase() as t2:
            assert t2.xid
        conn.begin_twophase().rollback()
    assert tpc.calls[:3] == [("b", "xid-1"), ("p", "xid-1"), ("c", True)]
    assert tpc.calls[4] == ("c", False)
    assert tpc.calls[-1] == ("r", False)


def test_prepare_of_inactive_two_phase_is_an_error(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    _RecordingTPC().install(engine, monkeypatch)
    with engine.connect() as conn:
        trans = conn.begin_twophase()
        trans.rollback()
        with pytest.raises(InvalidRequestError, match="not active"):
            trans.prepare()


def test_close_after_the_database_went_away(engine: Engine) -> None:
    conn = engine.connect()
    conn.begin()
    conn.connection.dbapi_connection.close()
    with pytest.raises(Exception, match="closed database"):
        conn.close()
    assert conn.closed
    with engine.connect() as fresh:
        assert fresh.exec_driver_sql("SELECT 1").scalar() == 1
