"""S6 through the Session on every backend: SAVEPOINTs, isolation per session, events, joins."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

import pytest

from accord import exc
from accord.event import listen
from accord.orm import (
    DeclarativeBase,
    Mapped,
    Session,
    SessionTransactionOrigin,
    mapped_column,
    sessionmaker,
)
from accord.sql import String, select

if TYPE_CHECKING:
    from collections.abc import Callable

    from accord.engine import Connection, Engine


class Base(DeclarativeBase):
    pass


class Gadget(Base):
    __tablename__ = "s06t_gadget"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(40), unique=True)


@pytest.fixture
def tables(accord_engine: Engine) -> None:
    """The module's table on the backend."""
    Base.metadata.create_all(accord_engine)


def committed(engine: Engine) -> list[tuple[int, str]]:
    """Rows another connection sees."""
    with engine.connect() as conn:
        rows = conn.execute(select(Gadget.id, Gadget.name).order_by(Gadget.id)).all()
        return [(r[0], r[1]) for r in rows]


def seed(engine: Engine, *names: str) -> None:
    with Session(engine) as s, s.begin():
        s.add_all(Gadget(id=i, name=n) for i, n in enumerate(names, 1))


@pytest.mark.usefixtures("tables")
def test_failed_flush_leaves_nothing_and_needs_rollback(accord_engine: Engine) -> None:
    seed(accord_engine, "taken")
    with Session(accord_engine) as s:
        s.add_all([Gadget(id=2, name="ok"), Gadget(id=3, name="taken")])
        with pytest.raises(exc.IntegrityError):
            s.commit()
        with pytest.raises(exc.PendingRollbackError, match="during flush"):
            s.execute(select(Gadget))
        s.rollback()
        assert s.scalars(select(Gadget.name)).all() == ["taken"]
    assert committed(accord_engine) == [(1, "taken")]


@pytest.mark.requires("savepoints")
@pytest.mark.usefixtures("tables")
def test_transaction_events_in_order(accord_engine: Engine) -> None:
    log: list[str] = []
    s = Session(accord_engine)
    for name in ("after_begin", "after_commit", "after_rollback", "after_soft_rollback"):

        def record(session: Any, *args: Any, name: str = name) -> None:
            trans = args[0] if args and hasattr(args[0], "origin") else None
            log.append(name if trans is None else f"{name} {trans.origin.name}")

        listen(s, name, record)
    s.connection()
    sp = s.begin_nested()
    s.add(Gadget(id=1, name="x"))
    s.flush()
    sp.rollback()
    s.commit()
    s.close()
    assert log == [
        "after_begin AUTOBEGIN",
        "after_begin BEGIN_NESTED",
        "after_rollback",
        "after_soft_rollback BEGIN_NESTED",
        "after_commit",
    ]


@pytest.mark.usefixtures("tables")
def test_accord_session_fixture_lets_code_commit_and_roll_back(
    accord_session: Session, accord_engine: Engine
) -> None:
    s = accord_session
    s.add(Gadget(id=1, name="one"))
    s.commit()
    s.add(Gadget(id=2, name="one"))
    with pytest.raises(exc.IntegrityError):
        s.commit()
    s.rollback()
    s.add(Gadget(id=3, name="three"))
    s.commit()
    assert s.scalars(select(Gadget.name).order_by(Gadget.id)).all() == ["one", "three"]


@pytest.mark.usefixtures("tables")
def test_recipe_outer_rollback_discards_what_the_session_committed(
    accord_connection_in_transaction: Connection, accord_engine: Engine
) -> None:
    conn = accord_connection_in_transaction
    mode = "create_savepoint" if conn.dialect.supports_savepoints else "rollback_only"
    with Session(bind=conn, join_transaction_mode=mode) as s:
        s.add(Gadget(id=1, name="never committed"))
        s.commit()
        assert conn.in_transaction()
    conn.rollback()
    assert committed(accord_engine) == []


# mode -> whether the outer transaction is still active after session.commit(), after
# session.close() with work flushed, after session.rollback()
_JOIN_MODES = {
    "conservative_savepoint": (True, True, False),
    "create_savepoint": (True, True, True),
    "rollback_only": (True, True, False),
    "control_fully": (False, False, False),
}


@pytest.mark.requires("savepoints")
@pytest.mark.usefixtures("tables")
@pytest.mark.parametrize("mode", sorted(_JOIN_MODES))
def test_join_transaction_modes_against_the_outer_transaction(
    accord_engine: Engine, mode: str
) -> None:
    active_after_commit, active_after_close, active_after_rollback = _JOIN_MODES[mode]
    with accord_engine.connect() as conn:
        outer = conn.begin()
        s = Session(conn, join_transaction_mode=mode)
        s.add(Gadget(id=1, name="committed by the session"))
        s.commit()
        assert outer.is_active is active_after_commit
        if not outer.is_active:
            outer = conn.begin()
        s.add(Gadget(id=2, name="flushed, then closed"))
        s.flush()
        s.close()
        assert outer.is_active is active_after_close
        if not outer.is_active:
            outer = conn.begin()
        s.add(Gadget(id=3, name="rolled back"))
        s.flush()
        s.rollback()
        assert outer.is_active is active_after_rollback
        if outer.is_active:
            outer.rollback()
    expected = [(1, "committed by the session")] if mode == "control_fully" else []
    assert committed(accord_engine) == expected


@pytest.mark.parametrize("mode", sorted(_JOIN_MODES))
@pytest.mark.requires("savepoints")
@pytest.mark.usefixtures("tables")
def test_join_transaction_modes_on_a_connection_inside_a_savepoint(
    accord_engine: Engine, mode: str
) -> None:
    # the Connection's own transaction is a SAVEPOINT: "conservative_savepoint" makes a
    # SAVEPOINT of its own, "rollback_only" / "control_fully" act on the given SAVEPOINT
    with accord_engine.connect() as conn:
        outer = conn.begin()
        conn.execute(Gadget.__table__.insert(), {"id": 1, "name": "outer"})
        given = conn.begin_nested()
        s = Session(conn, join_transaction_mode=mode)
        s.add(Gadget(id=2, name="committed by the session"))
        s.commit()
        assert given.is_active is (mode != "control_fully")  # only control_fully releases it
        if not given.is_active:
            given = conn.begin_nested()
        s.add(Gadget(id=3, name="rolled back by the session"))
        s.flush()
        s.rollback()
        # a SAVEPOINT of the Session's own ("create_savepoint", "conservative_savepoint")
        # leaves the given one alone; the other modes roll the given one back
        own_savepoint = mode in ("create_savepoint", "conservative_savepoint")
        assert given.is_active is own_savepoint
        assert outer.is_active  # the root transaction is never the Session's to end
        s.close()
        names = conn.execute(select(Gadget.name).order_by(Gadget.id)).scalars().all()
        # rollback_only rolled the given SAVEPOINT back with the Session's commit inside it
        expected = ["outer"] if mode == "rollback_only" else ["outer", "committed by the session"]
        assert names == expected
        outer.commit()
    assert [name for _id, name in committed(accord_engine)] == expected


# -- the SessionTransaction tree, explicit begin, autobegin=False ------------------------


@pytest.mark.requires("savepoints")
@pytest.mark.usefixtures("tables")
def test_transaction_tree(accord_engine: Engine) -> None:
    with Session(accord_engine) as s:
        assert (s.in_transaction(), s.get_transaction()) == (False, None)
        s.execute(select(Gadget))
        root = s.get_transaction()
        assert root is not None
        assert (root.origin, root.parent, root.nested, root.session) == (
            SessionTransactionOrigin.AUTOBEGIN,
            None,
            False,
            s,
        )
        sp1 = s.begin_nested()
        sp2 = s.begin_nested()
        assert (sp1.origin, sp1.parent, sp1.nested) == (
            SessionTransactionOrigin.BEGIN_NESTED,
            root,
            True,
        )
        assert sp2.parent is sp1
        assert s.get_transaction() is root
        assert s.get_nested_transaction() is sp2
        assert s.in_nested_transaction()
        conn = s.connection()
        assert conn.in_nested_transaction()  # the SAVEPOINTs are on the database connection
        s.add(Gadget(id=1, name="in sp2"))
        sp2.commit()  # RELEASE: its work now belongs to sp1
        assert not sp2.is_active
        assert s.get_nested_transaction() is sp1
        sp1.rollback()
        assert not sp1.is_active
        assert (s.in_nested_transaction(), s.get_nested_transaction()) == (False, None)
        assert not conn.in_nested_transaction()
        assert root.is_active
        s.add(Gadget(id=2, name="in root"))
        s.commit()
        assert not root.is_active
        assert not s.in_transaction()
    assert committed(accord_engine) == [(2, "in root")]


@pytest.mark.usefixtures("tables")
def test_explicit_begin_and_autobegin_false(accord_engine: Engine) -> None:
    with Session(accord_engine) as s:
        with s.begin() as t:
            assert t.origin is SessionTransactionOrigin.BEGIN
            s.add(Gadget(id=1, name="begin block"))
        assert not s.in_transaction()
        s.add(Gadget(id=2, name="autobegun"))
        with pytest.raises(exc.InvalidRequestError, match="already begun"):
            s.begin()
        s.rollback()
    with Session(accord_engine, autobegin=False) as s:
        with pytest.raises(exc.InvalidRequestError, match="Autobegin is disabled"):
            s.execute(select(Gadget))
        s.begin()
        s.add(Gadget(id=3, name="after begin()"))
        s.commit()
        with pytest.raises(exc.InvalidRequestError, match="Autobegin is disabled"):
            s.add(Gadget(id=4, name="refused"))
    with contextlib.suppress(_Abort), Session(accord_engine) as s, s.begin():
        s.add(Gadget(id=5, name="rolled back by the block"))
        raise _Abort
    assert committed(accord_engine) == [(1, "begin block"), (3, "after begin()")]


# -- Session-level and connection-level control: the same pattern, the same rows ---------


def _conn_commit_as_you_go(engine: Engine) -> None:
    with engine.connect() as conn:
        conn.execute(Gadget.__table__.insert(), {"id": 1, "name": "a"})
        conn.commit()
        conn.execute(Gadget.__table__.insert(), {"id": 2, "name": "b"})
        conn.rollback()
        conn.execute(Gadget.__table__.insert(), {"id": 3, "name": "c"})
        conn.commit()


def _session_commit_as_you_go(engine: Engine) -> None:
    with Session(engine) as s:
        s.add(Gadget(id=1, name="a"))
        s.commit()
        s.add(Gadget(id=2, name="b"))
        s.rollback()
        s.add(Gadget(id=3, name="c"))
        s.commit()


class _Abort(Exception):
    """Raised inside a block to make it roll back."""


def _conn_begin_once(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(Gadget.__table__.insert(), {"id": 1, "name": "a"})
    with contextlib.suppress(_Abort), engine.begin() as conn:
        conn.execute(Gadget.__table__.insert(), {"id": 2, "name": "b"})
        raise _Abort


def _session_begin_once(engine: Engine) -> None:
    factory = sessionmaker(engine)
    with factory.begin() as s:
        s.add(Gadget(id=1, name="a"))
    with contextlib.suppress(_Abort), factory.begin() as s:
        s.add(Gadget(id=2, name="b"))
        raise _Abort


def _conn_nested(engine: Engine) -> None:
    with engine.connect() as conn, conn.begin():
        conn.execute(Gadget.__table__.insert(), {"id": 1, "name": "a"})
        savepoint = conn.begin_nested()
        conn.execute(Gadget.__table__.insert(), {"id": 2, "name": "b"})
        savepoint.rollback()
        with conn.begin_nested():
            conn.execute(Gadget.__table__.insert(), {"id": 3, "name": "c"})


def _session_nested(engine: Engine) -> None:
    with Session(engine) as s, s.begin():
        s.add(Gadget(id=1, name="a"))
        savepoint = s.begin_nested()
        s.add(Gadget(id=2, name="b"))
        savepoint.rollback()
        with s.begin_nested():
            s.add(Gadget(id=3, name="c"))


_PATTERNS: dict[str, tuple[Callable[[Engine], None], Callable[[Engine], None], list[int]]] = {
    "commit as you go": (_conn_commit_as_you_go, _session_commit_as_you_go, [1, 3]),
    "begin once": (_conn_begin_once, _session_begin_once, [1]),
    "nested": (_conn_nested, _session_nested, [1, 3]),
}


@pytest.mark.parametrize(
    "pattern",
    [
        "commit as you go",
        "begin once",
        pytest.param("nested", marks=pytest.mark.requires("savepoints")),
    ],
)
@pytest.mark.parametrize("level", ["connection", "session"])
@pytest.mark.usefixtures("tables")
def test_session_level_and_connection_level_patterns_commit_the_same(
    accord_engine: Engine, pattern: str, level: str
) -> None:
    on_connection, on_session, expected = _PATTERNS[pattern]
    (on_connection if level == "connection" else on_session)(accord_engine)
    assert [i for i, _name in committed(accord_engine)] == expected


# -- transaction events: every event, in order ------------------------------------------

_EVENTS = (
    "after_transaction_create",
    "after_transaction_end",
    "after_begin",
    "before_commit",
    "after_commit",
    "after_rollback",
    "after_soft_rollback",
)


def _record_all(session: Session) -> list[Any]:
    """Every transaction event of ``session``: a name, or (name, the transaction's origin)."""
    log: list[Any] = []
    for name in _EVENTS:

        def record(*args: Any, name: str = name) -> None:
            trans = args[1] if len(args) > 1 and hasattr(args[1], "origin") else None
            log.append(name if trans is None else (name, trans.origin.name))

        listen(session, name, record)
    return log


@pytest.mark.usefixtures("tables")
def test_events_of_begin_flush_commit(accord_engine: Engine) -> None:
    s = Session(accord_engine)
    log = _record_all(s)
    with s.begin():
        s.add(Gadget(id=1, name="x"))
    s.close()
    assert log == [
        ("after_transaction_create", "BEGIN"),
        "before_commit",
        ("after_transaction_create", "SUBTRANSACTION"),
        ("after_begin", "BEGIN"),
        ("after_transaction_end", "SUBTRANSACTION"),
        "after_commit",
        ("after_transaction_end", "BEGIN"),
    ]
    assert committed(accord_engine) == [(1, "x")]


@pytest.mark.requires("savepoints")
@pytest.mark.usefixtures("tables")
def test_events_of_savepoints_released_and_rolled_back(accord_engine: Engine) -> None:
    s = Session(accord_engine)
    log = _record_all(s)
    s.begin()
    s.connection()
    with s.begin_nested():
        s.add(Gadget(id=1, name="released"))
    assert log == [
        ("after_transaction_create", "BEGIN"),
        ("after_begin", "BEGIN"),
        ("after_transaction_create", "BEGIN_NESTED"),
        "before_commit",
        ("after_transaction_create", "SUBTRANSACTION"),
        ("after_begin", "BEGIN_NESTED"),  # the SAVEPOINT, when the flush first needs it
        ("after_transaction_end", "SUBTRANSACTION"),
        "after_commit",
        ("after_transaction_end", "BEGIN_NESTED"),
    ]
    del log[:]
    savepoint = s.begin_nested()
    s.add(Gadget(id=2, name="rolled back"))
    s.flush()
    del log[:]
    savepoint.rollback()
    assert log == [
        "after_rollback",
        ("after_transaction_end", "BEGIN_NESTED"),
        ("after_soft_rollback", "BEGIN_NESTED"),
    ]
    del log[:]
    s.begin_nested()
    s.rollback()  # from inside a SAVEPOINT (never used, so never emitted): both levels
    assert log == [
        ("after_transaction_create", "BEGIN_NESTED"),
        "after_rollback",
        ("after_transaction_end", "BEGIN_NESTED"),
        ("after_soft_rollback", "BEGIN_NESTED"),
        "after_rollback",
        ("after_transaction_end", "BEGIN"),
        ("after_soft_rollback", "BEGIN"),
    ]
    s.close()
    assert committed(accord_engine) == []


@pytest.mark.usefixtures("tables")
def test_events_of_a_failed_flush_and_the_rollback_after_it(accord_engine: Engine) -> None:
    seed(accord_engine, "taken")
    s = Session(accord_engine)
    log = _record_all(s)
    s.add(Gadget(id=2, name="taken"))
    with pytest.raises(exc.IntegrityError):
        s.flush()
    assert log == [
        ("after_transaction_create", "AUTOBEGIN"),
        ("after_transaction_create", "SUBTRANSACTION"),
        ("after_begin", "AUTOBEGIN"),
        "after_rollback",  # the database rolled back when the flush failed
        ("after_transaction_end", "SUBTRANSACTION"),
        ("after_soft_rollback", "SUBTRANSACTION"),
    ]
    del log[:]
    s.rollback()
    assert log == [
        ("after_transaction_end", "AUTOBEGIN"),
        ("after_soft_rollback", "AUTOBEGIN"),
    ]
    s.close()


@pytest.mark.requires("savepoints")
@pytest.mark.usefixtures("tables")
def test_events_of_a_failed_flush_inside_a_savepoint(accord_engine: Engine) -> None:
    seed(accord_engine, "taken")
    s = Session(accord_engine)
    s.connection()
    log = _record_all(s)
    with pytest.raises(exc.IntegrityError), s.begin_nested():
        s.add(Gadget(id=2, name="taken"))
    assert log == [
        ("after_transaction_create", "BEGIN_NESTED"),
        "before_commit",
        ("after_transaction_create", "SUBTRANSACTION"),
        ("after_begin", "BEGIN_NESTED"),
        "after_rollback",  # ROLLBACK TO SAVEPOINT
        ("after_transaction_end", "SUBTRANSACTION"),
        ("after_soft_rollback", "SUBTRANSACTION"),
        ("after_transaction_end", "BEGIN_NESTED"),
        ("after_soft_rollback", "BEGIN_NESTED"),
    ]
    assert s.is_active  # the root transaction goes on (PostgreSQL too)
    s.add(Gadget(id=3, name="after"))
    s.commit()
    s.close()
    assert committed(accord_engine) == [(1, "taken"), (3, "after")]
