"""Cascades: save-update, delete, delete-orphan, merge, expunge, refresh-expire, all."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from accord import exc
from accord.engine import create_engine
from accord.inspection import inspect
from accord.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship
from accord.sql import Column, ForeignKey, Table, select

if TYPE_CHECKING:
    from pathlib import Path


class Base(DeclarativeBase):
    pass


class Order(Base):
    __tablename__ = "orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(default="o")
    items: Mapped[list[Item]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="Item.id"
    )
    notes: Mapped[list[Note]] = relationship(cascade="save-update")
    labels: Mapped[list[Label]] = relationship(secondary="order_label", back_populates="orders")


class Item(Base):
    __tablename__ = "items"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(default="i")
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"))
    order: Mapped[Order | None] = relationship(back_populates="items")


class Note(Base):
    __tablename__ = "notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"))


order_label = Table(
    "order_label",
    Base.metadata,
    Column("order_id", ForeignKey("orders.id"), primary_key=True),
    Column("label_id", ForeignKey("labels.id"), primary_key=True),
)


class Label(Base):
    __tablename__ = "labels"

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(default="l")
    orders: Mapped[list[Order]] = relationship(secondary=order_label, back_populates="labels")


@pytest.fixture
def engine(tmp_path: Path) -> Any:
    eng = create_engine(f"sqlite:///{tmp_path / 'c.sqlite'}")
    Base.metadata.create_all(eng)
    yield eng
    eng.dispose()


def _rows(engine: Any, table: Any) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(table).order_by(*table.primary_key))]


def _saved(engine: Any) -> tuple[int, list[int]]:
    with Session(engine) as s:
        o = Order(items=[Item(name="a"), Item(name="b")], notes=[Note()])
        s.add(o)
        s.commit()
        return o.id, [i.id for i in o.items]


def test_save_update_on_add_and_on_assignment(engine: Any) -> None:
    with Session(engine) as s:
        o = Order(items=[Item()])
        s.add(o)
        assert inspect(o.items[0]).pending
        later = Item()
        o.items.append(later)
        assert later in s.new
        note = Note()
        o.notes.append(note)
        assert note in s.new
        s.commit()
    assert len(_rows(engine, Item.__table__)) == 2
    assert _rows(engine, Note.__table__) == [(1, 1)]


def test_backref_assignment_does_not_cascade_into_the_session(engine: Any) -> None:
    oid, _ = _saved(engine)
    with Session(engine) as s:
        o = s.get(Order, oid)
        item = Item(order=o)  # the many-to-one side: the item is not added by the backref
        assert item in o.items
        assert item not in s
        s.add(item)
        assert item in s.new
        s.commit()
    assert len(_rows(engine, Item.__table__)) == 3


def test_delete_cascade(engine: Any) -> None:
    oid, item_ids = _saved(engine)
    with Session(engine) as s:
        o = s.get(Order, oid)
        s.delete(o)
        assert {i.id for i in s.deleted if isinstance(i, Item)} == set(item_ids)
        items = list(o.items)
        s.flush()
        assert all(inspect(i).deleted for i in items)
        s.commit()
        assert all(inspect(i).detached and inspect(i).was_deleted for i in items)
    assert _rows(engine, Order.__table__) == []
    assert _rows(engine, Item.__table__) == []
    assert _rows(engine, Note.__table__) == [(1, None)]  # save-update only: de-associated


def test_delete_orphan_persistent_and_pending(engine: Any) -> None:
    oid, item_ids = _saved(engine)
    with Session(engine) as s:
        o = s.get(Order, oid)
        first = o.items[0]
        o.items.remove(first)
        fresh = Item(name="new")
        o.items.append(fresh)
        assert inspect(fresh).pending
        o.items.remove(fresh)  # a pending orphan is expunged at once
        assert inspect(fresh).transient
        s.commit()
        assert inspect(first).was_deleted
    assert [r[0] for r in _rows(engine, Item.__table__)] == item_ids[1:]


def test_delete_orphan_through_the_many_to_one_side(engine: Any) -> None:
    oid, item_ids = _saved(engine)
    with Session(engine) as s:
        o = s.get(Order, oid)
        item = o.items[1]
        item.order = None  # the backref removes it from o.items: an orphan
        s.commit()
    assert [r[0] for r in _rows(engine, Item.__table__)] == item_ids[:1]


def test_merge_cascades_through_relationships(engine: Any) -> None:
    oid, _ = _saved(engine)
    with Session(engine) as s:
        o = s.get(Order, oid)
        o.items  # noqa: B018  # loaded, so merge reaches them
    o.name = "renamed"
    o.items[0].name = "changed"
    o.items.append(Item(name="added"))
    with Session(engine) as s:
        merged = s.merge(o)
        assert merged is not o
        assert merged in s
        assert [i.name for i in merged.items] == ["changed", "b", "added"]
        assert all(i in s for i in merged.items)
        s.commit()
    assert _rows(engine, Order.__table__) == [(oid, "renamed")]
    assert [r[1] for r in _rows(engine, Item.__table__)] == ["changed", "b", "added"]


def test_merge_load_false(engine: Any) -> None:
    oid, item_ids = _saved(engine)
    with Session(engine) as s:
        o = s.get(Order, oid)
        o.items  # noqa: B018
    with Session(engine) as s:
        merged = s.merge(o, load=False)
        assert inspect(merged).persistent
        assert [i.id for i in merged.items] == item_ids
        assert not s.dirty
        assert inspect(merged).attrs["items"].history.unchanged == merged.items


def test_expunge_cascade(engine: Any) -> None:
    oid, _ = _saved(engine)
    with Session(engine) as s:
        o = s.get(Order, oid)
        items = list(o.items)
        notes = list(o.notes)
        s.expunge(o)
        assert inspect(o).detached
        assert all(inspect(i).detached for i in items)
        assert all(inspect(n).persistent for n in notes)  # no expunge cascade there


def test_refresh_expire_cascade(engine: Any) -> None:
    oid, _ = _saved(engine)
    with Session(engine) as s:
        o = s.get(Order, oid)
        item = o.items[0]
        note = o.notes[0]
        s.expire(o)
        assert "name" in inspect(item).expired_attributes
        assert not inspect(note).expired_attributes  # save-update only: not expired
        assert item.name == "a"
        o.items  # noqa: B018
        s.connection().execute(Item.__table__.update().values(name="changed"))
        s.refresh(o)
        # as SQLAlchemy: refresh() expires the cascaded objects, it does not reload them
        assert "name" in inspect(item).expired_attributes
        assert inspect(item).persistent
        assert item.name == "changed"


def test_many_to_many_delete_removes_association_rows_only(engine: Any) -> None:
    with Session(engine) as s:
        a, b = Label(), Label()
        o = Order(labels=[a, b])
        s.add(o)
        s.commit()
        s.delete(a)
        s.commit()
        assert o.labels == [b]
    assert _rows(engine, order_label) == [(1, 2)]
    assert _rows(engine, Order.__table__) == [(1, "o")]


def test_deleted_object_left_in_a_collection_is_gone_after_commit(engine: Any) -> None:
    oid, item_ids = _saved(engine)
    with Session(engine) as s:
        o = s.get(Order, oid)
        first = o.items[0]
        s.delete(first)
        s.commit()
        assert [i.id for i in o.items] == item_ids[1:]


def test_save_update_refuses_an_object_of_another_session(engine: Any) -> None:
    oid, _ = _saved(engine)
    with Session(engine) as s1, Session(engine) as s2:
        o = s1.get(Order, oid)
        other = Item()
        s2.add(other)
        with pytest.raises(exc.InvalidRequestError, match="already attached"):
            o.items.append(other)


def test_moving_to_a_parent_with_an_unloaded_collection_keeps_the_item(engine: Any) -> None:
    oid, item_ids = _saved(engine)
    with Session(engine) as s:
        other = Order(name="other")
        s.add(other)
        s.commit()
        o = s.get(Order, oid)
        item = o.items[0]
        other = s.get(Order, other.id)  # its items are not loaded
        item.order = other
        s.commit()
        assert [i.id for i in other.items] == [item_ids[0]]
        gone = other.items[0]
        gone.order = None  # taken out of an unloaded... now loaded collection: an orphan
        s.commit()
    assert [r[0] for r in _rows(engine, Item.__table__)] == item_ids[1:]


def test_backref_to_an_unloaded_collection_is_undone_by_rollback(engine: Any) -> None:
    oid, item_ids = _saved(engine)
    with Session(engine) as s:
        o = s.get(Order, oid)
        item = Item(order=o)  # o.items is not loaded: the append is queued
        assert o in s.dirty
        s.rollback()
        assert [i.id for i in o.items] == item_ids
        assert item not in o.items


def test_pickled_object_graph_is_tracked_again_once_added(engine: Any) -> None:
    import pickle

    oid, item_ids = _saved(engine)
    with Session(engine) as s:
        o = s.get(Order, oid)
        o.items  # noqa: B018
    copy = pickle.loads(pickle.dumps(o))
    assert [i.id for i in copy.items] == item_ids
    with Session(engine) as s:
        s.add(copy)
        assert all(i in s for i in copy.items)
        copy.items.append(Item(name="after"))
        copy.items[0].name = "renamed"
        s.commit()
    assert [r[1:] for r in _rows(engine, Item.__table__)] == [
        ("renamed", oid),
        ("b", oid),
        ("after", oid),
    ]


def test_lifecycle_events_of_cascaded_objects_in_order(engine: Any) -> None:
    from accord.event import listen

    seen: list[tuple[str, str]] = []
    with Session(engine) as s:
        listen(s, "transient_to_pending", lambda sess, obj: seen.append(("pending", _name(obj))))
        listen(s, "persistent_to_deleted", lambda sess, obj: seen.append(("deleted", _name(obj))))
        o = Order(name="o", items=[Item(name="a"), Item(name="b")])
        s.add(o)
        s.commit()
        s.delete(o)
        s.commit()
    assert seen[:3] == [("pending", "o"), ("pending", "a"), ("pending", "b")]
    assert sorted(seen[3:]) == [("deleted", "a"), ("deleted", "b"), ("deleted", "o")]


def _name(obj: Any) -> str:
    return str(inspect(obj).dict.get("name"))


def test_moving_an_item_between_loaded_parents_keeps_it(engine: Any) -> None:
    oid, item_ids = _saved(engine)
    with Session(engine) as s:
        other = Order(name="other")
        s.add(other)
        s.commit()
        o = s.get(Order, oid)
        item = o.items[0]
        assert other.items == []  # loaded before the move
        o.items.remove(item)
        other.items.append(item)  # no longer an orphan when the flush looks
        s.commit()
        assert inspect(item).persistent
        with s.no_autoflush:  # the other collection loads here without flushing the orphan
            moved = other.items[0]
            other.items.remove(moved)
            s.get(Order, oid).items.append(moved)
        s.commit()
        assert inspect(moved).persistent
    assert [r[0] for r in _rows(engine, Item.__table__)] == item_ids
    assert {r[2] for r in _rows(engine, Item.__table__)} == {oid}


def test_relating_an_object_whose_delete_was_flushed_raises(engine: Any) -> None:
    oid, item_ids = _saved(engine)
    with Session(engine) as s:
        other = Order(name="other")
        s.add(other)
        s.commit()
        o = s.get(Order, oid)
        item = o.items[0]
        o.items.remove(item)
        # loading other.items autoflushes first: the orphan's DELETE is sent
        with pytest.raises(exc.InvalidRequestError, match=r"has been deleted.*Order\.items"):
            other.items.append(item)
        assert inspect(item).deleted
        assert other.items == []
        with pytest.raises(exc.InvalidRequestError, match="has been deleted"):
            s.add(item)
        s.commit()
    assert [r[0] for r in _rows(engine, Item.__table__)] == item_ids[1:]


def test_merge_without_the_merge_cascade_leaves_related_objects_alone(engine: Any) -> None:
    oid, _ = _saved(engine)
    with Session(engine) as s:
        o = s.get(Order, oid)
        o.notes, o.items  # noqa: B018
    o.notes.append(Note())  # Order.notes cascades save-update only
    o.items.append(Item(name="merged"))
    with Session(engine) as s:
        merged = s.merge(o)
        assert [i.name for i in merged.items] == ["a", "b", "merged"]
        assert [n.id for n in merged.notes] == [1]  # as loaded: the new note was not merged
        s.commit()
    assert len(_rows(engine, Note.__table__)) == 1
    assert [r[1] for r in _rows(engine, Item.__table__)] == ["a", "b", "merged"]


def test_delete_cascade_along_a_many_to_one(tmp_path: Path) -> None:
    class B(DeclarativeBase):
        pass

    class Invoice(B):
        __tablename__ = "invoice"
        id: Mapped[int] = mapped_column(primary_key=True)

    class Stub(B):
        __tablename__ = "stub"
        id: Mapped[int] = mapped_column(primary_key=True)
        invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoice.id"))
        invoice: Mapped[Invoice | None] = relationship(cascade="all")

    eng = create_engine(f"sqlite:///{tmp_path / 'm2o.sqlite'}")
    B.metadata.create_all(eng)
    with Session(eng) as s:
        s.add(Stub(invoice=Invoice()))  # save-update along the many-to-one too
        s.commit()
        stub = s.get(Stub, 1)
        s.delete(stub)
        assert {type(x).__name__ for x in s.deleted} == {"Stub", "Invoice"}
        s.commit()  # the stub's row goes first: it refers to the invoice
    assert _rows(eng, Stub.__table__) == []
    assert _rows(eng, Invoice.__table__) == []
    eng.dispose()
