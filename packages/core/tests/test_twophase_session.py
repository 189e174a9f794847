"""Session(twophase=True) on sqlite: refused clearly, before anything is written.

The two-phase protocol itself (prepare on every database, then commit; failures before
and after prepare; recovery) runs against PostgreSQL and MariaDB in
integration/test_s06_two_phase.py.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, Any

import pytest

from accord import exc
from accord.engine import create_engine
from accord.event import listen
from accord.inspection import inspect
from accord.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker
from accord.sql import select

if TYPE_CHECKING:
    from pathlib import Path


class Base(DeclarativeBase):
    pass


class Item(Base):
    __tablename__ = "item"

    id: Mapped[int] = mapped_column(primary_key=True)


@pytest.fixture
def path(tmp_path: Path) -> str:
    return str(tmp_path / "tpc.sqlite")


@pytest.fixture
def engine(path: str) -> Any:
    eng = create_engine(f"sqlite:///{path}")
    Base.metadata.create_all(eng)
    yield eng
    eng.dispose()


def committed_ids(path: str) -> list[int]:
    """Ids another connection sees."""
    with sqlite3.connect(path) as raw:
        return [r[0] for r in raw.execute("SELECT id FROM item ORDER BY id")]


def test_twophase_on_sqlite_is_refused_before_anything_is_written(engine: Any, path: str) -> None:
    with Session(engine, twophase=True) as s:
        s.add(Item(id=1))
        with pytest.raises(exc.InvalidRequestError, match="sqlite dialect does not support"):
            s.commit()
        with pytest.raises(exc.PendingRollbackError):
            s.flush()
        s.rollback()
        with pytest.raises(exc.InvalidRequestError, match="sqlite dialect does not support"):
            s.connection()
    assert committed_ids(path) == []


def test_twophase_from_a_sessionmaker(engine: Any) -> None:
    factory = sessionmaker(engine, twophase=True)
    with factory() as s:
        assert s.twophase
        with pytest.raises(exc.InvalidRequestError, match="two-phase"):
            s.connection()


def test_prepare_needs_twophase_and_the_root(engine: Any) -> None:
    with (
        Session(engine) as s,
        pytest.raises(exc.InvalidRequestError, match="'twophase' mode not enabled"),
    ):
        s.prepare()
    with Session(engine, twophase=True) as s:
        nested = s.begin_nested()
        with pytest.raises(exc.InvalidRequestError, match="not the root transaction"):
            nested.prepare()


def test_twophase_cannot_join_a_connection_already_in_a_transaction(engine: Any) -> None:
    with engine.connect() as conn:
        conn.begin()
        s = Session(conn, twophase=True)
        with pytest.raises(exc.InvalidRequestError, match="already in a transaction"):
            s.connection()
        s.close()


# -- the Session's two-phase protocol, on sqlite files with emulated two-phase hooks -------
#
# sqlite has no PREPARE: these tests give two sqlite engines stand-in hooks (BEGIN for
# begin, a ledger entry for prepare, COMMIT / ROLLBACK for the second phase) so that the
# Session's side of the protocol -- which connection is prepared, committed or rolled back,
# in which order, and what the databases hold afterwards -- is checked without a server.
# The same protocol against PostgreSQL PREPARE TRANSACTION and MariaDB XA is in
# integration/test_s06_two_phase.py.


class EmulatedTwoPhase:
    """Two-phase hooks for a sqlite engine, recording each call as (hook, engine name)."""

    def __init__(self, log: list[tuple[str, str]]) -> None:
        self.log = log
        self.prepared: dict[str, list[Any]] = {}  # engine name -> xids prepared, not ended

    def install(self, name: str, engine: Any, monkeypatch: pytest.MonkeyPatch) -> None:
        """Make ``engine`` claim two-phase support, with the emulated hooks."""
        dialect = engine.dialect
        prepared = self.prepared.setdefault(name, [])
        log = self.log

        def begin(conn: Any, xid: Any) -> None:
            log.append(("begin", name))
            dialect.do_begin(conn.connection.dbapi_connection)

        def prepare(conn: Any, xid: Any) -> None:
            log.append(("prepare", name))
            prepared.append(xid)

        def commit(conn: Any, xid: Any, is_prepared: bool = True, recover: bool = False) -> None:
            log.append(("commit" if is_prepared else "commit unprepared", name))
            dialect.do_commit(conn.connection.dbapi_connection)
            if xid in prepared:
                prepared.remove(xid)

        def rollback(conn: Any, xid: Any, is_prepared: bool = True, recover: bool = False) -> None:
            log.append(("rollback prepared" if is_prepared else "rollback", name))
            dialect.do_rollback(conn.connection.dbapi_connection)
            if xid in prepared:
                prepared.remove(xid)

        monkeypatch.setattr(dialect, "supports_two_phase", True)
        monkeypatch.setattr(dialect, "do_begin_twophase", begin)
        monkeypatch.setattr(dialect, "do_prepare_twophase", prepare)
        monkeypatch.setattr(dialect, "do_commit_twophase", commit)
        monkeypatch.setattr(dialect, "do_rollback_twophase", rollback)
        monkeypatch.setattr(dialect, "do_recover_twophase", lambda conn: list(prepared))


class Other(Base):
    __tablename__ = "other"

    id: Mapped[int] = mapped_column(primary_key=True)


@pytest.fixture
def pair(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Engines "a" (Item) and "b" (Other) with emulated two-phase hooks, and their log."""
    log: list[tuple[str, str]] = []
    tpc = EmulatedTwoPhase(log)
    engines = {}
    for name in ("a", "b"):
        eng = create_engine(f"sqlite:///{tmp_path / f'{name}.sqlite'}")
        Base.metadata.create_all(eng)
        tpc.install(name, eng, monkeypatch)
        engines[name] = eng
    yield engines, tpc, log
    for eng in engines.values():
        eng.dispose()


def ids_in(engine: Any, table: str) -> list[int]:
    """Ids another connection sees in ``table`` of ``engine``'s file."""
    with sqlite3.connect(engine.url.database) as raw:
        return [r[0] for r in raw.execute(f"SELECT id FROM {table} ORDER BY id")]


def two_db_session(engines: dict[str, Any]) -> Session:
    """A two-phase Session writing Item to "a" and Other to "b"."""
    return Session(binds={Item: engines["a"], Other: engines["b"]}, twophase=True)


def test_commit_prepares_every_connection_then_commits_each(pair: Any) -> None:
    engines, _tpc, log = pair
    with two_db_session(engines) as s:
        s.add(Item(id=1))
        s.flush()  # "a" joins first
        s.add(Other(id=10))
        s.commit()
        assert not s.in_transaction()
    assert log == [
        ("begin", "a"),
        ("begin", "b"),
        ("prepare", "a"),
        ("prepare", "b"),
        ("commit", "a"),
        ("commit", "b"),
    ]
    assert ids_in(engines["a"], "item") == [1]
    assert ids_in(engines["b"], "other") == [10]


def _refuse(conn: Any, xid: Any) -> None:
    raise RuntimeError("b refuses to prepare")


def test_failed_prepare_rolls_back_every_connection(pair: Any) -> None:
    engines, tpc, log = pair
    listen(engines["b"], "prepare_twophase", _refuse)
    with two_db_session(engines) as s:
        item, other = Item(id=1), Other(id=10)
        s.add(item)
        s.flush()
        s.add(other)
        with pytest.raises(RuntimeError, match="refuses to prepare"):
            s.commit()
        assert not s.in_transaction()  # the whole transaction ended
        assert inspect(item).transient
        assert inspect(other).transient
    # "a" was prepared and is rolled back as a prepared branch; "b" never got prepared
    assert log == [
        ("begin", "a"),
        ("begin", "b"),
        ("prepare", "a"),
        ("rollback prepared", "a"),
        ("rollback", "b"),
    ]
    assert tpc.prepared == {"a": [], "b": []}  # nothing left in doubt
    assert ids_in(engines["a"], "item") == []
    assert ids_in(engines["b"], "other") == []


def test_failure_between_prepare_and_commit_commits_nothing_and_leaves_it_in_doubt(
    pair: Any,
) -> None:
    engines, tpc, log = pair

    def lost(conn: Any, xid: Any, is_prepared: bool) -> None:
        raise RuntimeError("coordinator lost before the first COMMIT PREPARED")

    listen(engines["a"], "commit_twophase", lost)
    with two_db_session(engines) as s:
        s.add(Item(id=1))
        s.flush()
        s.add(Other(id=10))
        with pytest.raises(RuntimeError, match="coordinator lost"):
            s.commit()
        with pytest.raises(exc.PendingRollbackError, match="during commit"):
            s.flush()
        s.rollback()
    assert log == [
        ("begin", "a"),
        ("begin", "b"),
        ("prepare", "a"),
        ("prepare", "b"),
        ("rollback prepared", "b"),  # the branch after the failed one is rolled back
    ]
    # "a" is still prepared as far as its server knows: in doubt, for recovery to settle
    assert len(tpc.prepared["a"]) == 1
    assert tpc.prepared["b"] == []
    with engines["a"].connect() as conn:
        assert conn.recover_twophase() == tpc.prepared["a"]
    assert ids_in(engines["a"], "item") == []
    assert ids_in(engines["b"], "other") == []


def test_failure_at_the_second_commit_keeps_the_first_and_leaves_the_second_in_doubt(
    pair: Any,
) -> None:
    engines, tpc, log = pair

    def lost(conn: Any, xid: Any, is_prepared: bool) -> None:
        raise RuntimeError("b lost after a committed")

    listen(engines["b"], "commit_twophase", lost)
    with two_db_session(engines) as s:
        s.add(Item(id=1))
        s.flush()
        s.add(Other(id=10))
        with pytest.raises(RuntimeError, match="b lost"):
            s.commit()
        s.rollback()
    assert log[-2:] == [("prepare", "b"), ("commit", "a")]
    assert ids_in(engines["a"], "item") == [1]  # committed before the failure
    assert len(tpc.prepared["b"]) == 1  # in doubt: recovery must commit it too


def test_session_prepare_then_commit_or_rollback(pair: Any) -> None:
    engines, _tpc, log = pair
    with two_db_session(engines) as s:
        s.add_all([Item(id=1), Other(id=10)])
        s.prepare()
        assert log[-2:] == [("prepare", "a"), ("prepare", "b")]
        assert ids_in(engines["a"], "item") == []
        with pytest.raises(exc.InvalidRequestError, match="'prepared' state"):
            s.execute(select(Item))
        s.commit()
        assert log[-2:] == [("commit", "a"), ("commit", "b")]
        s.add_all([Item(id=2), Other(id=11)])
        s.prepare()
        s.rollback()
        assert log[-2:] == [("rollback prepared", "a"), ("rollback prepared", "b")]
    assert ids_in(engines["a"], "item") == [1]
    assert ids_in(engines["b"], "other") == [10]


def test_twophase_transaction_events_in_order(pair: Any) -> None:
    engines, _tpc, log = pair
    s = two_db_session(engines)
    for name in ("after_begin", "before_commit", "after_commit", "after_transaction_end"):
        listen(
            s,
            name,
            lambda *args, name=name: log.append(
                (name, args[2].engine.url.database.rsplit("/", 1)[-1])
                if name == "after_begin"
                else (name, "")
            ),
        )
    s.add_all([Item(id=1), Other(id=10)])
    s.commit()
    s.close()
    assert [e for e in log if e[0] not in ("begin",)] == [
        ("before_commit", ""),
        ("after_begin", "a.sqlite"),  # the commit's flush checks out both connections
        ("after_begin", "b.sqlite"),
        ("after_transaction_end", ""),  # the flush's subtransaction
        ("prepare", "a"),
        ("prepare", "b"),
        ("commit", "a"),
        ("commit", "b"),
        ("after_commit", ""),
        ("after_transaction_end", ""),
    ]
