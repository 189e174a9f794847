"""Session behaviour checked against SQLAlchemy 2.0's documented behaviour, one case a test."""

from __future__ import annotations

import gc
from typing import Any

import pytest

from accord.engine import create_engine
from accord.event import listen
from accord.inspection import inspect
from accord.orm import DeclarativeBase, Mapped, Session, mapped_column
from accord.sql import String


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    fullname: Mapped[str | None] = mapped_column(String(50))


@pytest.fixture
def engine() -> Any:
    eng = create_engine("sqlite://")
    Base.metadata.create_all(eng)
    return eng


def _statements(engine: Any) -> list[str]:
    seen: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *rest: Any) -> None:
        seen.append(statement.split()[0].upper())

    listen(engine, "before_cursor_execute", record)
    return seen


def test_flushed_unmodified_object_is_held_weakly_before_commit(engine: Any) -> None:
    # the open transaction remembers what it inserted, but not by a strong reference:
    # a batch flushed inside one long transaction can be garbage collected
    with Session(engine) as s:
        s.add(User(id=1, name="a"))
        s.flush()
        gc.collect()
        assert len(s.identity_map) == 0
        s.add(User(id=2, name="b"))
        s.flush()
        s.delete(s.get(User, 2))
        s.flush()
        gc.collect()
        s.rollback()  # the collected deleted object is not brought back
        assert len(s.identity_map) == 0
        assert s.get(User, 1) is None
        assert s.get(User, 2) is None


def test_refresh_discards_unflushed_changes_instead_of_flushing_them(engine: Any) -> None:
    with Session(engine) as s:
        s.add(User(id=1, name="a", fullname="x"))
        s.commit()
        u = s.get(User, 1)
        assert u is not None
        seen = _statements(engine)
        u.name = "changed"
        s.refresh(u)
        assert (u.name, seen) == ("a", ["SELECT"])
        assert not inspect(u).modified
        u.name = "r"
        u.fullname = "q"
        s.refresh(u, ["name"])  # only the refreshed attribute's change is dropped
        assert (u.name, u.fullname) == ("a", "q")
        assert seen == ["SELECT", "UPDATE", "SELECT"]
        assert not inspect(u).modified
