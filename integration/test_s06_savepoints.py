"""S6 SAVEPOINT: rolling back a nested transaction keeps the outer work (Connection, Session)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from accord import exc
from accord.exc import IntegrityError
from accord.inspection import inspect
from accord.orm import DeclarativeBase, Mapped, Session, mapped_column
from accord.sql import Column, Integer, MetaData, String, Table, insert, select

if TYPE_CHECKING:
    from accord.engine import Engine

pytestmark = pytest.mark.requires("savepoints")


@pytest.fixture
def note(accord_engine: Engine) -> Table:
    """A table with a unique text column."""
    table = Table(
        "sp_note",
        MetaData(),
        Column("id", Integer, primary_key=True, autoincrement=False),
        Column("body", String(40), unique=True),
    )
    table.create(accord_engine)
    return table


def _bodies(engine: Engine, table: Table) -> list[str]:
    with engine.connect() as conn:
        return list(conn.execute(select(table.c.body).order_by(table.c.id)).scalars())


def test_savepoint_rollback_keeps_outer_work(accord_engine: Engine, note: Table) -> None:
    with accord_engine.begin() as conn:
        conn.execute(insert(note), {"id": 1, "body": "outer"})
        savepoint = conn.begin_nested()
        conn.execute(insert(note), {"id": 2, "body": "inner"})
        savepoint.rollback()
        conn.execute(insert(note), {"id": 3, "body": "after"})
    assert _bodies(accord_engine, note) == ["outer", "after"]


def test_released_savepoint_commits_with_the_outer_transaction(
    accord_engine: Engine, note: Table
) -> None:
    with accord_engine.begin() as conn:
        with conn.begin_nested():
            conn.execute(insert(note), {"id": 1, "body": "inner"})
        conn.execute(insert(note), {"id": 2, "body": "outer"})
    assert _bodies(accord_engine, note) == ["inner", "outer"]


def test_error_inside_savepoint_leaves_outer_transaction_usable(
    accord_engine: Engine, note: Table
) -> None:
    with accord_engine.begin() as conn:
        conn.execute(insert(note), {"id": 1, "body": "same"})
        # PostgreSQL aborts the whole transaction on an error unless a savepoint catches it.
        with pytest.raises(IntegrityError), conn.begin_nested():
            conn.execute(insert(note), {"id": 2, "body": "same"})
        conn.execute(insert(note), {"id": 3, "body": "other"})
    assert _bodies(accord_engine, note) == ["same", "other"]


def test_nested_savepoints_roll_back_to_the_right_one(accord_engine: Engine, note: Table) -> None:
    with accord_engine.begin() as conn:
        conn.execute(insert(note), {"id": 1, "body": "a"})
        outer = conn.begin_nested()
        conn.execute(insert(note), {"id": 2, "body": "b"})
        inner = conn.begin_nested()
        conn.execute(insert(note), {"id": 3, "body": "c"})
        inner.rollback()
        outer.commit()
    assert _bodies(accord_engine, note) == ["a", "b"]


def test_outer_rollback_discards_released_savepoints(accord_engine: Engine, note: Table) -> None:
    with accord_engine.connect() as conn:
        conn.begin()
        with conn.begin_nested():
            conn.execute(insert(note), {"id": 1, "body": "gone"})
        conn.rollback()
    assert _bodies(accord_engine, note) == []


# -- through the Session --------------------------------------------------------------


class _Base(DeclarativeBase):
    pass


class Gadget(_Base):
    __tablename__ = "s06s_gadget"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(40), unique=True)


@pytest.fixture
def tables(accord_engine: Engine) -> None:
    """The Session tests' table on the backend."""
    _Base.metadata.create_all(accord_engine)


def committed(engine: Engine) -> list[tuple[int, str]]:
    """Rows another connection sees."""
    with engine.connect() as conn:
        rows = conn.execute(select(Gadget.id, Gadget.name).order_by(Gadget.id)).all()
        return [(r[0], r[1]) for r in rows]


def seed(engine: Engine, *names: str) -> None:
    with Session(engine) as s, s.begin():
        s.add_all(Gadget(id=i, name=n) for i, n in enumerate(names, 1))


@pytest.mark.usefixtures("tables")
def test_savepoint_rollback_restores_exactly_the_objects_changed_inside_it(
    accord_engine: Engine,
) -> None:
    seed(accord_engine, "mod", "gone", "kept", "before", "marked")
    with Session(accord_engine) as s:
        mod, gone, kept, before, marked = s.scalars(select(Gadget).order_by(Gadget.id)).all()
        before.name = "before-changed"  # flushed by begin_nested(): the root's work
        sp = s.begin_nested()
        mod.name = "mod-changed"
        s.delete(gone)
        new = Gadget(id=6, name="new")
        s.add(new)
        s.flush()
        pending = Gadget(id=7, name="pending")  # added, never flushed
        s.add(pending)
        s.delete(marked)  # marked for deletion, never flushed
        sp.rollback()
        assert inspect(new).transient
        assert inspect(pending).transient
        assert inspect(gone).persistent
        assert inspect(marked).persistent
        assert s.deleted == []
        assert "name" in inspect(mod).expired_attributes
        for untouched in (kept, before):
            assert not inspect(untouched).expired_attributes
            assert "name" in untouched.__dict__
        assert before.name == "before-changed"
        assert mod.name == "mod"  # reloaded from the database after ROLLBACK TO SAVEPOINT
        s.add(Gadget(id=8, name="after"))
        s.commit()
    assert committed(accord_engine) == [
        (1, "mod"),
        (2, "gone"),
        (3, "kept"),
        (4, "before-changed"),
        (5, "marked"),
        (8, "after"),
    ]


@pytest.mark.usefixtures("tables")
def test_released_savepoint_objects_are_undone_by_the_root_rollback(
    accord_engine: Engine,
) -> None:
    seed(accord_engine, "old")
    with Session(accord_engine) as s:
        old = s.get(Gadget, 1)
        with s.begin_nested():
            new = Gadget(id=2, name="new")
            s.add(new)
            s.delete(old)
        assert inspect(new).persistent
        assert inspect(old).deleted
        s.rollback()
        assert inspect(new).transient
        assert inspect(old).persistent
        assert old.name == "old"
    assert committed(accord_engine) == [(1, "old")]


@pytest.mark.usefixtures("tables")
def test_integrity_error_in_a_savepoint_keeps_the_outer_transaction(
    accord_engine: Engine,
) -> None:
    seed(accord_engine, "taken")
    with Session(accord_engine) as s:
        s.add(Gadget(id=2, name="fine"))
        for i in range(3, 6):
            # PostgreSQL would abort the whole transaction without the SAVEPOINT
            with pytest.raises(exc.IntegrityError), s.begin_nested():
                s.add(Gadget(id=i, name="taken"))
        s.add(Gadget(id=9, name="also fine"))
        s.commit()
    assert committed(accord_engine) == [(1, "taken"), (2, "fine"), (9, "also fine")]
