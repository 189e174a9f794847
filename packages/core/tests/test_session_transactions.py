"""Session transactions on sqlite: the SessionTransaction tree, SAVEPOINTs, errors, isolation."""

from __future__ import annotations

import contextlib
import sqlite3
from typing import TYPE_CHECKING, Any

import pytest

from accord import exc
from accord.engine import create_engine
from accord.inspection import inspect
from accord.orm import (
    DeclarativeBase,
    Mapped,
    Session,
    SessionTransaction,
    SessionTransactionOrigin,
    mapped_column,
)
from accord.sql import select

if TYPE_CHECKING:
    from pathlib import Path

AUTOBEGIN = SessionTransactionOrigin.AUTOBEGIN
BEGIN = SessionTransactionOrigin.BEGIN
BEGIN_NESTED = SessionTransactionOrigin.BEGIN_NESTED


class Base(DeclarativeBase):
    pass


class Item(Base):
    __tablename__ = "item"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(unique=True)


class Other(Base):
    """A second table, bound to a second database in the two-engine tests."""

    __tablename__ = "other_sp"

    id: Mapped[int] = mapped_column(primary_key=True)


@pytest.fixture
def path(tmp_path: Path) -> str:
    return str(tmp_path / "tx.sqlite")


@pytest.fixture
def engine(path: str) -> Any:
    eng = create_engine(f"sqlite:///{path}")
    Base.metadata.create_all(eng)
    yield eng
    eng.dispose()


def committed(path: str) -> list[tuple[int, str]]:
    """Rows as another connection sees them (only committed data)."""
    with sqlite3.connect(path) as raw:
        return [tuple(r) for r in raw.execute("SELECT id, name FROM item ORDER BY id")]


def seed(engine: Any, *names: str) -> None:
    with Session(engine) as s, s.begin():
        s.add_all(Item(id=i, name=n) for i, n in enumerate(names, 1))


# -- the tree --------------------------------------------------------------------------


def test_autobegun_root_and_nested_levels_form_a_tree(engine: Any) -> None:
    with Session(engine) as s:
        assert not s.in_transaction()
        assert s.get_transaction() is None
        s.execute(select(Item))
        root = s.get_transaction()
        assert isinstance(root, SessionTransaction)
        assert (root.origin, root.parent, root.nested, root.session) == (AUTOBEGIN, None, False, s)
        assert root.is_active
        assert s.in_transaction()
        assert not s.in_nested_transaction()
        sp1 = s.begin_nested()
        sp2 = s.begin_nested()
        assert (sp1.origin, sp1.parent, sp1.nested) == (BEGIN_NESTED, root, True)
        assert sp2.parent is sp1
        assert sp1.session is s
        assert sp2.session is s
        assert sp1.is_active
        assert sp2.is_active
        assert s.get_transaction() is root
        assert s.get_nested_transaction() is sp2
        assert s.in_nested_transaction()
        sp2.commit()
        assert s.get_nested_transaction() is sp1
        assert not sp2.is_active
        sp1.rollback()
        assert not sp1.is_active
        assert s.get_nested_transaction() is None
        assert s.get_transaction() is root
        s.commit()
        assert not root.is_active
        assert s.get_transaction() is None
        assert not s.in_transaction()


def test_explicit_begin_has_origin_begin_and_ends_with_its_block(engine: Any) -> None:
    with Session(engine) as s:
        with s.begin() as t:
            assert t.origin is BEGIN
            assert s.get_transaction() is t
            s.add(Item(id=1, name="a"))
        assert not s.in_transaction()
    assert committed(engine.url.database) == [(1, "a")]


def test_begin_nested_without_a_transaction_begins_the_root_too(engine: Any) -> None:
    with Session(engine, autobegin=False) as s:
        sp = s.begin_nested()
        root = s.get_transaction()
        assert root is not None
        assert root.origin is BEGIN
        assert sp.parent is root


def test_each_flush_runs_in_a_subtransaction_of_the_current_level(engine: Any) -> None:
    from accord.event import listen

    made: list[tuple[SessionTransactionOrigin, Any]] = []
    with Session(engine) as s:
        listen(s, "after_transaction_create", lambda _s, t: made.append((t.origin, t.parent)))
        s.add(Item(id=1, name="a"))
        s.flush()
        root = s.get_transaction()
        sp = s.begin_nested()
        s.add(Item(id=2, name="b"))
        s.flush()
    origins = [(o, p) for o, p in made]
    assert origins == [
        (AUTOBEGIN, None),
        (SessionTransactionOrigin.SUBTRANSACTION, root),
        (BEGIN_NESTED, root),
        (SessionTransactionOrigin.SUBTRANSACTION, sp),
    ]


# -- errors ----------------------------------------------------------------------------


def test_begin_when_a_transaction_exists_is_an_error(engine: Any) -> None:
    with Session(engine) as s:
        s.add(Item(id=1, name="a"))  # autobegins
        with pytest.raises(exc.InvalidRequestError, match="already begun"):
            s.begin()
        s.rollback()
        s.begin()
        with pytest.raises(exc.InvalidRequestError, match="already begun"):
            s.begin()


def test_autobegin_false_needs_begin(engine: Any) -> None:
    with Session(engine, autobegin=False) as s:
        with pytest.raises(exc.InvalidRequestError, match="Autobegin is disabled"):
            s.execute(select(Item))
        with s.begin():
            s.add(Item(id=1, name="a"))
        with pytest.raises(exc.InvalidRequestError, match="Autobegin is disabled"):
            s.add(Item(id=2, name="b"))
    assert committed(engine.url.database) == [(1, "a")]


def test_commit_or_use_of_an_ended_transaction_is_an_error(engine: Any) -> None:
    with Session(engine) as s:
        t = s.begin()
        s.commit()
        with pytest.raises(exc.ResourceClosedError, match="transaction is closed"):
            t.commit()
        with pytest.raises(exc.ResourceClosedError, match="transaction is closed"):
            t.connection(engine)
        t.rollback()  # a no-op once closed, as close() is
        t.close()


def test_failed_flush_makes_the_session_refuse_work_until_rollback(engine: Any) -> None:
    seed(engine, "taken")
    with Session(engine) as s:
        s.add(Item(id=2, name="taken"))
        with pytest.raises(exc.IntegrityError):
            s.flush()
        assert not s.is_active
        for attempt in (s.flush, s.commit, lambda: s.execute(select(Item))):
            s.add(Item(id=3, name="other"))
            with pytest.raises(exc.PendingRollbackError, match="UNIQUE constraint failed"):
                attempt()
        s.rollback()
        assert s.is_active
        assert s.scalars(select(Item.name)).all() == ["taken"]
    assert committed(engine.url.database) == [(1, "taken")]


def test_execution_options_after_the_first_statement_are_an_error(engine: Any) -> None:
    with Session(engine) as s:
        s.execute(select(Item))
        with pytest.raises(exc.InvalidRequestError, match="before the transaction's first"):
            s.connection(execution_options={"isolation_level": "READ UNCOMMITTED"})


# -- commit, rollback, SAVEPOINT -------------------------------------------------------


def test_commit_from_inside_savepoints_commits_everything(engine: Any) -> None:
    with Session(engine) as s:
        s.add(Item(id=1, name="outer"))
        s.begin_nested()
        s.add(Item(id=2, name="inner"))
        s.begin_nested()
        s.add(Item(id=3, name="innermost"))
        s.commit()
        assert not s.in_transaction()
    assert committed(engine.url.database) == [(1, "outer"), (2, "inner"), (3, "innermost")]


def test_rollback_from_inside_a_savepoint_rolls_back_everything(engine: Any) -> None:
    with Session(engine) as s:
        outer = Item(id=1, name="outer")
        s.add(outer)
        s.begin_nested()
        inner = Item(id=2, name="inner")
        s.add(inner)
        s.flush()
        s.rollback()
        assert inspect(outer).transient
        assert inspect(inner).transient
        assert not s.in_transaction()
    assert committed(engine.url.database) == []


def test_savepoint_rollback_restores_exactly_what_changed_inside_it(engine: Any) -> None:
    seed(engine, "mod", "gone", "kept", "before")
    with Session(engine) as s:
        mod, gone, kept, before = s.scalars(select(Item).order_by(Item.id)).all()
        before.name = "before-changed"  # flushed by begin_nested(): the root's work
        sp = s.begin_nested()
        mod.name = "mod-changed"
        s.delete(gone)
        flushed_new = Item(id=5, name="flushed-new")
        s.add(flushed_new)
        s.flush()
        pending = Item(id=6, name="pending")
        s.add(pending)
        sp.rollback()
        # new objects, flushed or not, are transient again
        assert inspect(flushed_new).transient
        assert inspect(pending).transient
        # the deleted object is persistent again
        assert inspect(gone).persistent
        assert gone in s
        # objects changed inside the SAVEPOINT are expired and reload the old value
        assert "name" in inspect(mod).expired_attributes
        assert mod.name == "mod"
        # objects untouched inside it keep their loaded values (no reload)
        for obj in (kept, before):
            assert not inspect(obj).expired_attributes
            assert "name" in obj.__dict__
        assert before.name == "before-changed"
        s.commit()
    assert committed(engine.url.database) == [
        (1, "mod"),
        (2, "gone"),
        (3, "kept"),
        (4, "before-changed"),
    ]


def test_unflushed_change_at_savepoint_rollback_is_expired(engine: Any) -> None:
    seed(engine, "a")
    with Session(engine, autoflush=False) as s:
        a = s.get(Item, 1)
        sp = s.begin_nested()
        a.name = "changed, never flushed"
        sp.rollback()
        assert a.name == "a"


def test_inner_savepoint_rollback_keeps_the_outer_savepoints_work(engine: Any) -> None:
    with Session(engine) as s:
        s.begin_nested()
        a = Item(id=1, name="a")
        s.add(a)
        inner = s.begin_nested()
        b = Item(id=2, name="b")
        s.add(b)
        s.flush()
        inner.rollback()
        assert inspect(a).persistent
        assert inspect(b).transient
        s.commit()
    assert committed(engine.url.database) == [(1, "a")]


def test_released_savepoint_objects_are_undone_by_the_root_rollback(engine: Any) -> None:
    seed(engine, "old")
    with Session(engine) as s:
        old = s.get(Item, 1)
        with s.begin_nested():
            new = Item(id=2, name="new")
            s.add(new)
            s.delete(old)
        assert inspect(new).persistent
        assert inspect(old).deleted
        s.rollback()
        assert inspect(new).transient
        assert inspect(old).persistent
        assert old.name == "old"
    assert committed(engine.url.database) == [(1, "old")]


def test_failed_flush_in_a_savepoint_block_keeps_the_outer_transaction(engine: Any) -> None:
    seed(engine, "taken")
    with Session(engine) as s:
        s.add(Item(id=2, name="fine"))
        with pytest.raises(exc.IntegrityError), s.begin_nested():
            s.add(Item(id=3, name="taken"))
        assert s.is_active
        assert s.get_nested_transaction() is None
        s.add(Item(id=4, name="also fine"))
        s.commit()
    assert committed(engine.url.database) == [(1, "taken"), (2, "fine"), (4, "also fine")]


def test_savepoint_begins_on_connections_made_while_it_is_open(tmp_path: Path) -> None:
    a = create_engine(f"sqlite:///{tmp_path / 'a.sqlite'}")
    b = create_engine(f"sqlite:///{tmp_path / 'b.sqlite'}")
    for e in (a, b):
        Base.metadata.create_all(e)
    try:
        with Session(a) as s:
            s.execute(select(Item))
            sp = s.begin_nested()
            conn_b = s.connection(bind_arguments={"bind": b})
            assert conn_b.in_nested_transaction()
            s.add(Item(id=1, name="rolled back"))
            s.flush()
            sp.rollback()
            assert not conn_b.in_nested_transaction()
            assert conn_b.in_transaction()
            assert s.scalars(select(Item)).all() == []
    finally:
        a.dispose()
        b.dispose()


def test_savepoint_begins_on_each_connection_when_first_used(tmp_path: Path) -> None:
    a = create_engine(f"sqlite:///{tmp_path / 'a.sqlite'}")
    b = create_engine(f"sqlite:///{tmp_path / 'b.sqlite'}")
    for e in (a, b):
        Base.metadata.create_all(e)
    try:
        with Session(binds={Item: a, Other: b}) as s:
            s.add_all([Item(id=1, name="outer"), Other(id=1)])
            s.flush()  # both connections now take part in the transaction
            conns = [s.connection(bind_arguments={"mapper": cls}) for cls in (Item, Other)]
            assert not any(c.in_nested_transaction() for c in conns)
            sp = s.begin_nested()
            assert not any(c.in_nested_transaction() for c in conns)  # not used yet
            inner = [Item(id=2, name="inner"), Other(id=2)]
            s.add_all(inner)
            s.flush()
            assert all(c.in_nested_transaction() for c in conns)  # SAVEPOINT on each
            sp.rollback()
            assert not any(c.in_nested_transaction() for c in conns)
            assert all(inspect(o).transient for o in inner)
            assert s.scalars(select(Item.id)).all() == [1]
            assert s.scalars(select(Other.id)).all() == [1]
            s.commit()
        for e, table in ((a, "item"), (b, "other_sp")):
            with sqlite3.connect(e.url.database) as raw:
                assert [r[0] for r in raw.execute(f"SELECT id FROM {table}")] == [1]
    finally:
        a.dispose()
        b.dispose()


# -- Session-level and connection-level control ----------------------------------------
#
# Each pattern written once against a Connection and once against a Session leaves the
# same committed rows (SQLAlchemy's "Session-level vs. Engine level transaction control").


class _Abort(Exception):
    """Raised inside a block to make it roll back."""


def _conn_commit_as_you_go(engine: Any) -> None:
    with engine.connect() as conn:
        conn.execute(Item.__table__.insert(), {"id": 1, "name": "a"})
        conn.commit()
        conn.execute(Item.__table__.insert(), {"id": 2, "name": "b"})
        conn.rollback()
        conn.execute(Item.__table__.insert(), {"id": 3, "name": "c"})
        conn.commit()


def _session_commit_as_you_go(engine: Any) -> None:
    with Session(engine) as s:
        s.add(Item(id=1, name="a"))
        s.commit()
        s.add(Item(id=2, name="b"))
        s.rollback()
        s.add(Item(id=3, name="c"))
        s.commit()


def _conn_begin_once(engine: Any) -> None:
    with engine.begin() as conn:
        conn.execute(Item.__table__.insert(), {"id": 1, "name": "a"})
    with contextlib.suppress(_Abort), engine.begin() as conn:
        conn.execute(Item.__table__.insert(), {"id": 2, "name": "b"})
        raise _Abort


def _session_begin_once(engine: Any) -> None:
    from accord.orm import sessionmaker

    factory = sessionmaker(engine)
    with factory.begin() as s:
        s.add(Item(id=1, name="a"))
    with contextlib.suppress(_Abort), factory.begin() as s:
        s.add(Item(id=2, name="b"))
        raise _Abort


def _conn_nested(engine: Any) -> None:
    with engine.connect() as conn, conn.begin():
        conn.execute(Item.__table__.insert(), {"id": 1, "name": "a"})
        savepoint = conn.begin_nested()
        conn.execute(Item.__table__.insert(), {"id": 2, "name": "b"})
        savepoint.rollback()
        with conn.begin_nested():
            conn.execute(Item.__table__.insert(), {"id": 3, "name": "c"})


def _session_nested(engine: Any) -> None:
    with Session(engine) as s, s.begin():
        s.add(Item(id=1, name="a"))
        savepoint = s.begin_nested()
        s.add(Item(id=2, name="b"))
        savepoint.rollback()
        with s.begin_nested():
            s.add(Item(id=3, name="c"))


_PATTERNS = {
    "commit as you go": (_conn_commit_as_you_go, _session_commit_as_you_go, [1, 3]),
    "begin once": (_conn_begin_once, _session_begin_once, [1]),
    "nested": (_conn_nested, _session_nested, [1, 3]),
}


@pytest.mark.parametrize("pattern", sorted(_PATTERNS))
@pytest.mark.parametrize("level", ["connection", "session"])
def test_session_level_and_connection_level_patterns_commit_the_same(
    engine: Any, pattern: str, level: str
) -> None:
    on_connection, on_session, expected = _PATTERNS[pattern]
    (on_connection if level == "connection" else on_session)(engine)
    assert [i for i, _name in committed(engine.url.database)] == expected


# -- connections and isolation ---------------------------------------------------------


def test_session_connection_is_the_transactions_connection(engine: Any) -> None:
    with Session(engine) as s:
        conn = s.connection()
        assert conn is s.connection()
        assert conn.in_transaction()
        s.add(Item(id=1, name="a"))
        s.flush()
        assert committed(engine.url.database) == []
        s.commit()
        assert conn.closed  # the Session checked it out and gave it back
    assert committed(engine.url.database) == [(1, "a")]


def test_session_on_a_plain_connection_begins_and_commits_it_but_keeps_it_open(
    engine: Any,
) -> None:
    with engine.connect() as conn:
        s = Session(conn)
        s.add(Item(id=1, name="a"))
        s.commit()
        assert not conn.closed
        assert not conn.in_transaction()
        s.add(Item(id=2, name="b"))
        s.close()  # rolls back the Session's own transaction, leaves the connection open
        assert not conn.closed
    assert committed(engine.url.database) == [(1, "a")]


def test_isolation_level_per_session_bind(engine: Any) -> None:
    serial = engine.execution_options(isolation_level="READ UNCOMMITTED")
    with Session(bind=serial) as s:
        assert s.connection().get_isolation_level() == "READ UNCOMMITTED"
    with Session(engine) as s:
        assert s.connection().get_isolation_level() == "SERIALIZABLE"


def test_isolation_level_per_engine_and_per_class_bind(engine: Any, path: str) -> None:
    uncommitted = create_engine(f"sqlite:///{path}", isolation_level="READ UNCOMMITTED")
    try:
        with Session(uncommitted) as s:
            assert s.connection().get_isolation_level() == "READ UNCOMMITTED"
        with Session(binds={Item: uncommitted}) as s:
            assert (
                s.connection(bind_arguments={"mapper": Item}).get_isolation_level()
                == "READ UNCOMMITTED"
            )
            s.add(Item(id=1, name="through the READ UNCOMMITTED bind"))
            s.commit()
    finally:
        uncommitted.dispose()
    assert committed(path) == [(1, "through the READ UNCOMMITTED bind")]


def test_isolation_level_per_session_transaction(engine: Any) -> None:
    with Session(engine) as s:
        conn = s.connection(execution_options={"isolation_level": "READ UNCOMMITTED"})
        assert conn.get_isolation_level() == "READ UNCOMMITTED"
        s.add(Item(id=1, name="a"))
        s.commit()
        # the next transaction gets a fresh connection at the engine's level
        assert s.connection().get_isolation_level() == "SERIALIZABLE"
    assert committed(engine.url.database) == [(1, "a")]


def test_commit_flushes_again_what_an_after_flush_hook_adds(engine: Any) -> None:
    from accord.event import listen

    with Session(engine) as s:
        added: list[Item] = []

        def add_once(session: Session, flush_context: Any) -> None:
            if not added:
                added.append(Item(id=99, name="from the hook"))
                session.add(added[0])

        listen(s, "after_flush", add_once)
        s.add(Item(id=1, name="a"))
        s.commit()
    assert committed(engine.url.database) == [(1, "a"), (99, "from the hook")]


def test_commit_gives_up_on_a_hook_that_adds_forever(engine: Any) -> None:
    from accord.event import listen

    counter = iter(range(1000, 2000))
    with Session(engine) as s:
        listen(
            s,
            "after_flush",
            lambda session, ctx: session.add(Item(id=next(counter), name=str(next(counter)))),
        )
        s.add(Item(id=1, name="a"))
        with pytest.raises(exc.FlushError, match="Over 100 subsequent flushes"):
            s.commit()
        s.rollback()
    assert committed(engine.url.database) == []


def test_a_failing_rollback_still_ends_the_transaction(engine: Any) -> None:
    from accord.event import listen, remove

    def broken(conn: Any) -> None:
        raise RuntimeError("rollback failed")

    with Session(engine) as s:
        s.add(Item(id=1, name="a"))
        s.flush()
        conn = s.connection()
        listen(engine, "rollback", broken)
        try:
            with pytest.raises(RuntimeError, match="rollback failed"):
                s.rollback()
        finally:
            remove(engine, "rollback", broken)
        assert not s.in_transaction()
        assert conn.closed  # the connection went back to the pool all the same
        s.add(Item(id=2, name="b"))
        s.commit()
    assert committed(engine.url.database) == [(2, "b")]


def test_transaction_connection_takes_a_bind_a_mapped_class_or_nothing(engine: Any) -> None:
    with Session(engine) as s:
        t = s.begin()
        conn = t.connection()
        assert t.connection(Item) is conn
        assert t.connection(engine) is conn
        assert s.connection() is conn
