"""Session.close() / reset(): what each object becomes (SPEC S3, S4)."""

from __future__ import annotations

from typing import Any

import pytest

from accord.engine import create_engine
from accord.event import listen
from accord.inspection import inspect
from accord.orm import DeclarativeBase, Mapped, Session, mapped_column
from accord.sql import text


class Base(DeclarativeBase):
    pass


class Note(Base):
    __tablename__ = "note"

    id: Mapped[int] = mapped_column(primary_key=True)
    body: Mapped[str]


@pytest.fixture
def engine() -> Any:
    eng = create_engine("sqlite://")
    Base.metadata.create_all(eng)
    with eng.begin() as conn:
        conn.execute(text("INSERT INTO note (id, body) VALUES (1, 'kept')"))
    return eng


def _events(session: Session) -> list[tuple[str, int | None]]:
    seen: list[tuple[str, int | None]] = []
    for name in ("persistent_to_transient", "persistent_to_detached", "pending_to_transient"):
        listen(session, name, lambda s, obj, n=name: seen.append((n, obj.__dict__.get("id"))))
    return seen


@pytest.mark.parametrize("end", ["close", "reset"])
def test_flushed_insert_becomes_transient_loaded_becomes_detached(engine: Any, end: str) -> None:
    session = Session(engine)
    seen = _events(session)
    loaded = session.get(Note, 1)
    flushed = Note(id=2, body="rolled back")
    session.add(flushed)
    session.flush()
    pending = Note(id=3, body="never flushed")
    session.add(pending)
    assert inspect(flushed).persistent
    assert inspect(pending).pending
    getattr(session, end)()
    assert inspect(flushed).transient
    assert inspect(flushed).key is None
    assert inspect(pending).transient
    assert inspect(loaded).detached
    assert inspect(loaded).key == (Note, (1,), None)
    assert ("persistent_to_transient", 2) in seen
    assert ("persistent_to_detached", 1) in seen
    assert ("persistent_to_detached", 2) not in seen
    with engine.connect() as conn:
        assert conn.execute(text("SELECT id FROM note")).scalars().all() == [1]
    # a transient object can be added again and inserted anew
    session.add(flushed)
    session.commit()
    with engine.connect() as conn:
        assert conn.execute(text("SELECT id FROM note ORDER BY id")).scalars().all() == [1, 2]


def test_committed_insert_becomes_detached(engine: Any) -> None:
    session = Session(engine)
    note = Note(id=2, body="committed")
    session.add(note)
    session.commit()
    session.close()
    assert inspect(note).detached
    assert inspect(note).key == (Note, (2,), None)


def test_insert_flushed_in_a_savepoint_becomes_transient(engine: Any) -> None:
    session = Session(engine)
    session.begin_nested()
    note = Note(id=4, body="in savepoint")
    session.add(note)
    session.flush()
    session.close()
    assert inspect(note).transient
