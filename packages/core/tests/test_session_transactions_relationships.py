"""SAVEPOINT rollback with relationships: collections and cascaded objects are restored."""

from __future__ import annotations

from typing import Any

import pytest

from accord.engine import create_engine
from accord.inspection import inspect
from accord.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship
from accord.sql import ForeignKey, select


class Base(DeclarativeBase):
    pass


class Parent(Base):
    __tablename__ = "parent"

    id: Mapped[int] = mapped_column(primary_key=True)
    children: Mapped[list[Child]] = relationship(
        back_populates="parent", cascade="all, delete-orphan", order_by="Child.id"
    )


class Child(Base):
    __tablename__ = "child"

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("parent.id"))
    parent: Mapped[Parent | None] = relationship(back_populates="children")


@pytest.fixture
def engine() -> Any:
    eng = create_engine("sqlite://")
    Base.metadata.create_all(eng)
    with Session(eng) as s, s.begin():
        s.add(Parent(id=1, children=[Child(id=1)]))
    yield eng
    eng.dispose()


def rows(engine: Any) -> list[tuple[int, int | None]]:
    with engine.connect() as conn:
        return [(r[0], r[1]) for r in conn.execute(select(Child.id, Child.parent_id))]


def test_child_appended_inside_a_savepoint_is_gone_after_its_rollback(engine: Any) -> None:
    with Session(engine) as s:
        parent = s.get(Parent, 1)
        assert [c.id for c in parent.children] == [1]
        savepoint = s.begin_nested()
        new = Child(id=2)
        parent.children.append(new)  # cascaded into the Session
        s.flush()
        savepoint.rollback()
        assert inspect(new).transient
        assert [c.id for c in parent.children] == [1]  # the collection reloads
        s.commit()
    assert rows(engine) == [(1, 1)]


def test_orphan_deleted_inside_a_savepoint_comes_back_after_its_rollback(engine: Any) -> None:
    with Session(engine) as s:
        parent = s.get(Parent, 1)
        old = parent.children[0]
        savepoint = s.begin_nested()
        parent.children.remove(old)  # delete-orphan
        s.flush()
        assert inspect(old).deleted
        savepoint.rollback()
        assert inspect(old).persistent
        assert [c.id for c in parent.children] == [1]
        s.commit()
    assert rows(engine) == [(1, 1)]
