"""S4 object states on every backend: expiry, refresh, rows deleted by another connection."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from accord import exc
from accord.inspection import inspect
from accord.orm import DeclarativeBase, Mapped, Session, make_transient, mapped_column
from accord.sql import String, delete, select, update

if TYPE_CHECKING:
    from accord.engine import Engine


class _Models:
    """A fresh declarative base per test, so every test creates its own tables."""

    def __init__(self, engine: Engine) -> None:
        class Base(DeclarativeBase):
            pass

        class Book(Base):
            __tablename__ = "s04_book"

            id: Mapped[int] = mapped_column(primary_key=True)
            title: Mapped[str] = mapped_column(String(60))
            pages: Mapped[int | None]

        self.Base = Base
        self.Book = Book
        Base.metadata.create_all(engine)


@pytest.fixture
def book(accord_engine: Engine) -> type:
    """The mapped ``Book`` class, its table created on the backend."""
    return _Models(accord_engine).Book


def test_states_through_a_lifetime(accord_engine: Engine, book: type) -> None:
    with Session(accord_engine) as session:
        b = book(title="Dune")
        assert inspect(b).transient
        session.add(b)
        assert inspect(b).pending
        session.flush()
        assert inspect(b).persistent
        assert inspect(b).identity == (b.id,)
        session.commit()
        session.delete(b)
        session.flush()
        assert inspect(b).deleted
        session.rollback()
        assert inspect(b).persistent
        session.expunge(b)
        assert inspect(b).detached
        session.add(b)
        assert inspect(b).persistent
        make_transient(b)
        assert inspect(b).transient


def test_expire_reloads_from_the_database(accord_engine: Engine, book: type) -> None:
    with Session(accord_engine, expire_on_commit=False) as session:
        b = book(title="Dune", pages=400)
        session.add(b)
        session.commit()
        with accord_engine.begin() as conn:
            conn.execute(update(book.__table__).values(title="Emma", pages=9))
        session.commit()  # a new transaction sees the other connection's write
        assert b.title == "Dune"  # still the loaded value
        session.expire(b, ["title"])
        assert b.title == "Emma"
        assert b.pages == 400
        session.refresh(b)
        assert b.pages == 9


def test_expire_all_discards_unflushed_changes(accord_engine: Engine, book: type) -> None:
    with Session(accord_engine, expire_on_commit=False) as session:
        b = book(title="Dune")
        session.add(b)
        session.commit()
        b.title = "not saved"
        session.expire_all()
        assert b.title == "Dune"
        assert not session.dirty


def test_refresh_of_a_row_deleted_elsewhere_raises(accord_engine: Engine, book: type) -> None:
    with Session(accord_engine, expire_on_commit=False) as session:
        b = book(title="Dune")
        session.add(b)
        session.commit()
        with accord_engine.begin() as conn:
            conn.execute(delete(book.__table__))
        with pytest.raises(exc.ObjectDeletedError):
            session.refresh(b)


def test_expired_access_to_a_row_deleted_elsewhere_raises(
    accord_engine: Engine, book: type
) -> None:
    with Session(accord_engine) as session:
        b = book(title="Dune")
        session.add(b)
        session.commit()  # expires b
        with accord_engine.begin() as conn:
            conn.execute(delete(book.__table__))
        with pytest.raises(exc.ObjectDeletedError):
            _ = b.title


def test_detached_object_cannot_load(accord_engine: Engine, book: type) -> None:
    with Session(accord_engine) as session:
        b = book(title="Dune")
        session.add(b)
        session.commit()
    with pytest.raises(exc.DetachedInstanceError):
        _ = b.title


def test_rolled_back_insert_becomes_transient_and_can_be_added_again(
    accord_engine: Engine, book: type
) -> None:
    with Session(accord_engine) as session:
        b = book(title="Dune")
        session.add(b)
        session.flush()
        session.rollback()
        assert inspect(b).transient
        session.add(b)
        session.commit()
        key = b.id
    with accord_engine.connect() as conn:
        assert conn.execute(select(book.title).where(book.id == key)).scalar_one() == "Dune"
