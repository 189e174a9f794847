"""S5 cascades on every backend: save-update, delete, delete-orphan, merge, expunge,
refresh-expire, bidirectional relationships, many-to-many delete, passive_deletes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from accord import exc
from accord.event import listen
from accord.inspection import inspect
from accord.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship
from accord.sql import Column, ForeignKey, Integer, String, Table, select

if TYPE_CHECKING:
    from accord.engine import Engine


class _Models:
    """A fresh declarative base per test, so every test creates its own tables."""

    def __init__(self, engine: Engine) -> None:
        class Base(DeclarativeBase):
            pass

        class Order(Base):
            __tablename__ = "s05_order"

            id: Mapped[int] = mapped_column(primary_key=True)
            name: Mapped[str] = mapped_column(String(40), default="o")
            items: Mapped[list[Item]] = relationship(
                back_populates="order", cascade="all, delete-orphan", order_by="Item.id"
            )
            lines: Mapped[list[Line]] = relationship(
                cascade="all, delete-orphan", passive_deletes=True
            )
            tags: Mapped[list[Tag]] = relationship(
                secondary="s05_order_tag", back_populates="orders"
            )

        class Item(Base):
            __tablename__ = "s05_item"

            id: Mapped[int] = mapped_column(primary_key=True)
            name: Mapped[str] = mapped_column(String(40), default="i")
            order_id: Mapped[int | None] = mapped_column(ForeignKey("s05_order.id"))
            order: Mapped[Order | None] = relationship(back_populates="items")

        class Line(Base):
            __tablename__ = "s05_line"

            id: Mapped[int] = mapped_column(primary_key=True)
            order_id: Mapped[int | None] = mapped_column(
                ForeignKey("s05_order.id", ondelete="CASCADE")
            )

        class Tag(Base):
            __tablename__ = "s05_tag"

            id: Mapped[int] = mapped_column(primary_key=True)
            name: Mapped[str] = mapped_column(String(40), default="t")
            orders: Mapped[list[Order]] = relationship(
                secondary="s05_order_tag", back_populates="tags"
            )

        Table(
            "s05_order_tag",
            Base.metadata,
            Column("order_id", Integer, ForeignKey("s05_order.id"), primary_key=True),
            Column("tag_id", Integer, ForeignKey("s05_tag.id"), primary_key=True),
        )
        self.Order, self.Item, self.Line, self.Tag = Order, Item, Line, Tag
        self.order_tag = Base.metadata.tables["s05_order_tag"]
        Base.metadata.create_all(engine)


@pytest.fixture
def m(accord_engine: Engine) -> _Models:
    """The mapped classes, their tables created on the backend."""
    return _Models(accord_engine)


def _rows(engine: Engine, table: Any) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(table).order_by(*table.primary_key))]


def _order(engine: Engine, m: _Models) -> int:
    with Session(engine) as s:
        o = m.Order(items=[m.Item(name="a"), m.Item(name="b")], lines=[m.Line(), m.Line()])
        o.tags = [m.Tag(name="x")]
        s.add(o)
        s.commit()
        oid: int = o.id
        return oid


def test_save_update_reaches_the_whole_graph(accord_engine: Engine, m: _Models) -> None:
    oid = _order(accord_engine, m)
    assert [r[1:] for r in _rows(accord_engine, m.Item.__table__)] == [("a", oid), ("b", oid)]
    assert len(_rows(accord_engine, m.Line.__table__)) == 2
    assert len(_rows(accord_engine, m.order_tag)) == 1


def test_delete_cascade_and_passive_deletes(accord_engine: Engine, m: _Models) -> None:
    oid = _order(accord_engine, m)
    with Session(accord_engine) as s:
        o = s.get(m.Order, oid)
        seen: list[str] = []
        listen(accord_engine, "before_cursor_execute", lambda *a: seen.append(a[2]))
        s.delete(o)
        s.commit()
        assert not any("s05_line" in stmt for stmt in seen)  # left to ON DELETE CASCADE
    assert _rows(accord_engine, m.Order.__table__) == []
    assert _rows(accord_engine, m.Item.__table__) == []
    assert _rows(accord_engine, m.Line.__table__) == []
    assert _rows(accord_engine, m.order_tag) == []
    assert len(_rows(accord_engine, m.Tag.__table__)) == 1


def test_delete_orphan_from_either_side(accord_engine: Engine, m: _Models) -> None:
    oid = _order(accord_engine, m)
    with Session(accord_engine) as s:
        o = s.get(m.Order, oid)
        first, second = o.items
        o.items.remove(first)
        second.order = None
        pending = m.Item(name="p")
        o.items.append(pending)
        o.items.remove(pending)
        s.commit()
        assert inspect(first).was_deleted
        assert inspect(second).was_deleted
        assert inspect(pending).transient
    assert _rows(accord_engine, m.Item.__table__) == []


def test_merge_with_relationships(accord_engine: Engine, m: _Models) -> None:
    oid = _order(accord_engine, m)
    with Session(accord_engine) as s:
        detached = s.get(m.Order, oid)
        detached.items  # noqa: B018
    detached.items[0].name = "changed"
    detached.items.append(m.Item(name="c"))
    with Session(accord_engine) as s:
        merged = s.merge(detached)
        assert [i.name for i in merged.items] == ["changed", "b", "c"]
        s.commit()
    assert [r[1] for r in _rows(accord_engine, m.Item.__table__)] == ["changed", "b", "c"]


def test_expunge_and_refresh_expire(accord_engine: Engine, m: _Models) -> None:
    oid = _order(accord_engine, m)
    with Session(accord_engine) as s:
        o = s.get(m.Order, oid)
        items = list(o.items)
        s.connection().execute(m.Item.__table__.update().values(name="z"))
        s.refresh(o)
        # refresh-expire: the items are expired (not reloaded), as in SQLAlchemy
        assert all("name" in inspect(i).expired_attributes for i in items)
        assert o.items == items  # loaded again after the refresh
        assert [i.name for i in items] == ["z", "z"]
        s.expire(o)
        assert all("name" in inspect(i).expired_attributes for i in items)
        o.items  # noqa: B018
        s.expunge(o)
        assert all(inspect(i).detached for i in [o, *items])
        s.rollback()
    assert [r[1] for r in _rows(accord_engine, m.Item.__table__)] == ["a", "b"]


def test_many_to_many_delete_from_either_side(accord_engine: Engine, m: _Models) -> None:
    oid = _order(accord_engine, m)
    with Session(accord_engine) as s:
        o = s.get(m.Order, oid)
        keep = m.Tag(name="keep")
        o.tags.append(keep)
        s.commit()
        gone = next(t for t in o.tags if t.name == "x")
        s.delete(gone)  # the tag's side: its association rows go, the order stays
        s.commit()
        assert [t.name for t in o.tags] == ["keep"]
        kid = keep.id
    assert _rows(accord_engine, m.order_tag) == [(oid, kid)]
    assert [r[0] for r in _rows(accord_engine, m.Order.__table__)] == [oid]
    assert [r[1] for r in _rows(accord_engine, m.Tag.__table__)] == ["keep"]


def test_moving_an_item_between_parents_with_delete_orphan(
    accord_engine: Engine, m: _Models
) -> None:
    oid = _order(accord_engine, m)
    with Session(accord_engine) as s:
        other = m.Order(name="other")
        s.add(other)
        s.commit()
        o = s.get(m.Order, oid)
        first, second = o.items
        other.items  # noqa: B018  # loaded before the move: nothing flushes in between
        o.items.remove(first)
        other.items.append(first)
        with s.no_autoflush:
            o.items.remove(second)
            s.get(m.Order, other.id).items.append(second)
        s.commit()
        assert inspect(first).persistent
        assert inspect(second).persistent
        lost = m.Order(name="lost")
        s.add(lost)
        s.commit()
        first = other.items[0]
        other.items.remove(first)
        # loading lost.items autoflushes the orphan's DELETE first: relating it raises
        with pytest.raises(exc.InvalidRequestError, match="has been deleted"):
            lost.items.append(first)
        s.commit()
        other_id = other.id
    assert [r[1:] for r in _rows(accord_engine, m.Item.__table__)] == [("b", other_id)]
