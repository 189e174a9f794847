"""Relationship, cascade and persistence behaviours checked against SQLAlchemy 2.0's.

Each test pins one behaviour that a differential comparison with the reference found
to differ; it runs on accord alone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from accord.engine import create_engine
from accord.event import listen, remove
from accord.exc import InvalidRequestError
from accord.inspection import inspect
from accord.orm import (
    DeclarativeBase,
    Mapped,
    Session,
    WriteOnlyCollection,
    WriteOnlyMapped,
    mapped_column,
    relationship,
)
from accord.sql import ForeignKey, delete

if TYPE_CHECKING:
    from pathlib import Path


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(default="u")
    addresses: Mapped[list[Address]] = relationship(
        back_populates="user", cascade="all", order_by="Address.id"
    )


class Address(Base):
    __tablename__ = "addresses"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(default="e")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    user: Mapped[User | None] = relationship(back_populates="addresses")


class Trip(Base):
    __tablename__ = "trips"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket: Mapped[Ticket | None] = relationship(back_populates="trip")


class Ticket(Base):
    __tablename__ = "tickets"

    id: Mapped[int] = mapped_column(primary_key=True)
    trip_id: Mapped[int | None] = mapped_column(ForeignKey("trips.id"), unique=True)
    trip: Mapped[Trip | None] = relationship(back_populates="ticket")


class Basket(Base):
    __tablename__ = "baskets"

    id: Mapped[int] = mapped_column(primary_key=True)
    fruits: Mapped[list[Fruit]] = relationship(
        back_populates="basket", cascade="all, delete-orphan"
    )


class Fruit(Base):
    __tablename__ = "fruits"

    id: Mapped[int] = mapped_column(primary_key=True)
    basket_id: Mapped[int | None] = mapped_column(ForeignKey("baskets.id"))
    basket: Mapped[Basket | None] = relationship(back_populates="fruits")


@pytest.fixture
def engine(tmp_path: Path) -> Any:
    eng = create_engine(f"sqlite:///{tmp_path / 'ref.db'}")
    Base.metadata.create_all(eng)
    return eng


def _dml_log(engine: Any) -> list[str]:
    seen: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.split()[0].upper() in ("INSERT", "UPDATE", "DELETE"):
            seen.append(" ".join(statement.split()[:3]))

    listen(engine, "before_cursor_execute", record)
    return seen


def test_merge_does_not_autoflush_while_cascading(engine: Any) -> None:
    with Session(engine) as s:
        s.add(User(id=1, addresses=[Address(id=1)]))
        s.commit()
    detached = User(id=1, name="new", addresses=[Address(id=1), Address(id=2)])
    with Session(engine) as s:
        merged = s.merge(detached)
        # the new child is still pending and the changed ones only dirty: merge loads
        # with autoflush off (one autoflush happens before it starts)
        assert [inspect(a).pending for a in merged.addresses] == [False, True]
        assert {type(o).__name__ for o in s.new} == {"Address"}
        assert merged in s.dirty
        s.commit()


def test_merge_of_transient_graph_leaves_all_pending(engine: Any) -> None:
    address = Address(id=5, user=User(id=3))
    with Session(engine) as s:
        merged = s.merge(address)
        assert inspect(merged).pending
        assert inspect(merged.user).pending
        assert len(s.new) == 2


def test_updates_of_a_table_go_before_its_inserts(engine: Any) -> None:
    with Session(engine) as s:
        trip = Trip(id=1, ticket=Ticket(id=1))
        s.add(trip)
        s.commit()
        seen = _dml_log(engine)
        # the old ticket's unique trip_id is set to NULL before the new ticket takes it
        trip.ticket = Ticket(id=2)
        s.commit()
        assert seen == ["UPDATE tickets SET", "INSERT INTO tickets"]
        assert s.get(Ticket, 1).trip_id is None  # type: ignore[union-attr]
        assert s.get(Ticket, 2).trip_id == 1  # type: ignore[union-attr]


def _count_selects(engine: Any) -> list[str]:
    seen: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append(statement)

    listen(engine, "before_cursor_execute", record)
    return seen


def test_refresh_expires_cascaded_objects_without_loading_them(engine: Any) -> None:
    with Session(engine) as s:
        s.add(User(id=1, addresses=[Address(id=1, email="a")]))
        s.commit()
        user = s.get(User, 1)
        address = user.addresses[0]  # type: ignore[union-attr]
        address.email = "pending change"
        s.commit()
        assert user.addresses == [address]  # type: ignore[union-attr]  # loaded again
        address.email  # noqa: B018
        selects = _count_selects(engine)
        s.refresh(user)
        assert len(selects) == 1  # the user's row only
        assert "email" in inspect(address).expired_attributes
        assert address.email == "pending change"  # committed above, loads on access


def test_refresh_loads_named_relationship(engine: Any) -> None:
    with Session(engine) as s:
        s.add(User(id=1, addresses=[Address(id=1)]))
        s.commit()
        user = s.get(User, 1)
        s.refresh(user, ["addresses"])
        assert "addresses" not in inspect(user).unloaded
        s.refresh(user, ["name"])
        assert "addresses" not in inspect(user).unloaded
        s.refresh(user)  # a lazy="select" relationship is dropped, loads on access
        assert "addresses" in inspect(user).unloaded


class Shelf(Base):
    __tablename__ = "shelves"

    id: Mapped[int] = mapped_column(primary_key=True)
    books: Mapped[list[Book]] = relationship(lazy="selectin")


class Book(Base):
    __tablename__ = "books"

    id: Mapped[int] = mapped_column(primary_key=True)
    shelf_id: Mapped[int | None] = mapped_column(ForeignKey("shelves.id"))


def test_refresh_reloads_eager_relationship(engine: Any) -> None:
    with Session(engine) as s:
        s.add(Shelf(id=1, books=[Book(id=1)]))
        s.commit()
        shelf = s.get(Shelf, 1)
        s.connection().execute(Book.__table__.insert().values(id=2, shelf_id=1))
        s.refresh(shelf)
        assert "books" not in inspect(shelf).unloaded
        assert [b.id for b in shelf.books] == [1, 2]  # type: ignore[union-attr]


class Feed(Base):
    __tablename__ = "feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    entries: WriteOnlyMapped[Entry] = relationship(order_by="Entry.id")
    later: WriteOnlyMapped["Entry"] = relationship(viewonly=True)  # noqa: UP037 -- string form


class Entry(Base):
    __tablename__ = "entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    feed_id: Mapped[int | None] = mapped_column(ForeignKey("feeds.id"))


def test_write_only_mapped_annotation_makes_a_write_only_collection(engine: Any) -> None:
    assert Feed.entries.property.lazy == "write_only"
    assert Feed.later.property.lazy == "write_only"
    with Session(engine) as s:
        feed = Feed(id=1)
        assert isinstance(feed.entries, WriteOnlyCollection)
        feed.entries.add_all([Entry(id=1), Entry(id=2)])
        s.add(feed)
        s.commit()
        assert [e.id for e in s.scalars(feed.entries.select())] == [1, 2]


def test_collection_assignment_fires_appends_before_removes() -> None:
    seen: list[tuple[str, Any]] = []

    def on_append(target: Any, value: Any, initiator: Any) -> None:
        seen.append(("append", value.email))

    def on_remove(target: Any, value: Any, initiator: Any) -> None:
        seen.append(("remove", value.email))

    listen(User.addresses, "append", on_append)
    listen(User.addresses, "remove", on_remove)
    try:
        old, kept = Address(email="old"), Address(email="kept")
        user = User(addresses=[old, kept])
        del seen[:]
        user.addresses = [kept, Address(email="new")]
    finally:
        remove(User.addresses, "append", on_append)
        remove(User.addresses, "remove", on_remove)
    # SQLAlchemy's bulk replace: joined members fire append, then leaving ones fire remove
    assert seen == [("append", "new"), ("remove", "old")]
    assert old.user is None
    assert [a.email for a in user.addresses] == ["kept", "new"]


def test_many_to_one_to_a_flushed_deleted_object_is_not_written(engine: Any) -> None:
    # as SQLAlchemy: the target's DELETE was flushed, so it is no longer in the Session;
    # the flush warns and leaves the foreign key alone instead of writing the gone key
    with Session(engine) as s:
        u = User(id=1)
        s.add(u)
        s.commit()
        s.delete(u)
        s.flush()
        a = Address(id=1)
        u.addresses.append(a)  # the backref sets a.user; a joins through the cascade
        s.add(a)
        with pytest.warns(UserWarning, match="not in session, add operation along"):
            s.flush()
        assert s.execute(Address.__table__.select()).all() == [(1, "e", None)]


def test_backref_change_queued_on_unloaded_collection_survives_expiring_the_child(
    engine: Any,
) -> None:
    with Session(engine) as s:
        a, u = Address(id=1), User(id=1)
        s.add_all([a, u])
        s.commit()
        a.user = u  # u.addresses is not loaded: the append is queued on u
        s.expire(a)  # drops a's own change, not u's queued one
        s.commit()
        assert s.get(Address, 1).user_id == 1  # type: ignore[union-attr]


def test_collection_member_deleted_by_orm_delete_is_not_updated(engine: Any) -> None:
    with Session(engine) as s:
        u, a = User(id=1, addresses=[]), Address(id=1, email="x")
        s.add_all([u, a])
        s.flush()
        s.execute(delete(Address).where(Address.email == "x"))
        a.user = u  # the backref appends a to the loaded u.addresses
        s.flush()  # was an UPDATE of the deleted row: StaleDataError
        assert s.execute(Address.__table__.select()).all() == []


def test_refresh_expires_cascaded_objects_before_its_autoflush(engine: Any) -> None:
    with Session(engine) as s:
        u, a = User(id=1, addresses=[]), Address(id=1)
        s.add_all([u, a])
        s.flush()
        u.addresses.append(a)
        s.refresh(u)  # the cascade expires a first: its unflushed user_id is discarded
        assert s.execute(Address.__table__.select()).all() == [(1, "e", None)]
        assert a.user_id is None


def test_relating_a_committed_deleted_object_raises_before_orphan_expunge(engine: Any) -> None:
    with Session(engine) as s:
        gone = Basket(id=1)
        s.add(gone)
        s.commit()
        s.delete(gone)
        s.commit()  # detached, its row deleted
        fruit = Fruit(id=1)
        s.add(Basket(id=2, fruits=[fruit]))
        # leaving the pending basket would expunge the fruit (delete-orphan): the check
        # comes first, as SQLAlchemy's save-update cascade
        with pytest.raises(InvalidRequestError, match="has been deleted"):
            fruit.basket = gone


def test_rows_of_a_table_are_inserted_in_the_order_they_were_added(engine: Any) -> None:
    # as SQLAlchemy: column sets differ (user_id given or not) but the order is kept
    with Session(engine) as s:
        u = User(id=1, addresses=[Address(email="a")])
        s.add(u)
        s.add(Address(email="b"))
        u.addresses.append(Address(email="c"))  # joins the Session after "b"
        s.flush()
        rows = s.execute(Address.__table__.select().order_by(Address.id)).all()
        assert [r.email for r in rows] == ["a", "b", "c"]


def test_delete_of_a_detached_object_loads_its_cascade_after_attaching(engine: Any) -> None:
    with Session(engine) as s:
        s.add(User(id=1, addresses=[Address(id=1)]))
        s.commit()
        u = s.get(User, 1)
        s.expunge_all()  # u.addresses is not loaded
        s.delete(u)  # was DetachedInstanceError: the cascade loaded before attaching
        s.commit()
        assert s.execute(Address.__table__.select()).all() == []


@pytest.mark.parametrize("method", ["expire", "refresh"])
def test_expire_cascade_expunges_pending_related_objects(engine: Any, method: str) -> None:
    # as SQLAlchemy: a pending object has no row to reload from, so the refresh-expire
    # cascade expunges it (before refresh()'s autoflush could insert it)
    with Session(engine) as s:
        u = User(id=1)
        s.add(u)
        s.flush()
        a = Address(id=1)
        u.addresses.append(a)
        assert inspect(a).pending
        getattr(s, method)(u)
        assert inspect(a).transient
        s.commit()
        assert s.execute(Address.__table__.select()).all() == []
