"""S6 through the Session on every backend: SAVEPOINTs, isolation per session, events, joins."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from accord import exc
from accord.event import listen
from accord.orm import DeclarativeBase, Mapped, Session, mapped_column
from accord.sql import String, select

if TYPE_CHECKING:
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
