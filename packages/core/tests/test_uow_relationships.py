"""Flushing relationship changes: foreign keys, row order, association rows, post_update."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from accord import exc
from accord.engine import create_engine
from accord.event import listen
from accord.inspection import inspect
from accord.orm import DeclarativeBase, Mapped, Session, backref, mapped_column, relationship
from accord.sql import Column, ForeignKey, Table, select

if TYPE_CHECKING:
    from pathlib import Path


class Base(DeclarativeBase):
    pass


class Parent(Base):
    __tablename__ = "parent"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(default="p")
    children: Mapped[list[Child]] = relationship(back_populates="parent")
    passive: Mapped[list[Passive]] = relationship(passive_deletes=True)
    tags: Mapped[list[Tag]] = relationship(secondary="parent_tag")
    profile: Mapped[Profile | None] = relationship(back_populates="parent")
    log: Mapped[list[Entry]] = relationship(lazy="write_only")


class Child(Base):
    __tablename__ = "child"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(default="c")
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("parent.id"))
    parent: Mapped[Parent | None] = relationship(back_populates="children")


class Passive(Base):
    __tablename__ = "passive"

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("parent.id", ondelete="CASCADE"))


class Profile(Base):
    __tablename__ = "profile"

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("parent.id"))
    parent: Mapped[Parent | None] = relationship(back_populates="profile")


class Entry(Base):
    __tablename__ = "entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("parent.id"))


parent_tag = Table(
    "parent_tag",
    Base.metadata,
    Column("parent_id", ForeignKey("parent.id"), primary_key=True),
    Column("tag_id", ForeignKey("tag.id"), primary_key=True),
)


class Tag(Base):
    __tablename__ = "tag"

    id: Mapped[int] = mapped_column(primary_key=True)
    label: Mapped[str] = mapped_column(default="t")


class Node(Base):
    __tablename__ = "node"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(default="n")
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("node.id"))
    children: Mapped[list[Node]] = relationship(
        cascade="all, delete-orphan",
        backref=backref("parent", remote_side=lambda: Node.id),
    )


class Widget(Base):
    __tablename__ = "widget"

    id: Mapped[int] = mapped_column(primary_key=True)
    favorite_id: Mapped[int | None] = mapped_column(
        ForeignKey("gadget.id", use_alter=True, name="fk_favorite")
    )
    gadgets: Mapped[list[Gadget]] = relationship(
        primaryjoin="Widget.id == Gadget.widget_id", back_populates="widget"
    )
    favorite: Mapped[Gadget | None] = relationship(
        primaryjoin="Widget.favorite_id == Gadget.id", post_update=True
    )


class Gadget(Base):
    __tablename__ = "gadget"

    id: Mapped[int] = mapped_column(primary_key=True)
    widget_id: Mapped[int | None] = mapped_column(ForeignKey("widget.id"))
    widget: Mapped[Widget | None] = relationship(
        primaryjoin="Widget.id == Gadget.widget_id", back_populates="gadgets"
    )


class Product(Base):
    __tablename__ = "product"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str]


class Line(Base):
    """An association object: its primary key is two foreign keys."""

    __tablename__ = "line"

    parent_id: Mapped[int] = mapped_column(ForeignKey("parent.id"), primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), primary_key=True)
    qty: Mapped[int]
    parent: Mapped[Parent] = relationship(backref=backref("lines", cascade="all, delete-orphan"))
    product: Mapped[Product] = relationship()


@pytest.fixture
def engine(tmp_path: Path) -> Any:
    eng = create_engine(f"sqlite:///{tmp_path / 'uow.sqlite'}")

    def on_connect(dbapi_conn: Any, record: Any) -> None:
        dbapi_conn.execute("PRAGMA foreign_keys=ON")

    listen(eng, "connect", on_connect)
    Base.metadata.create_all(eng)
    yield eng
    eng.dispose()


def _rows(engine: Any, table: Any) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(table).order_by(*table.primary_key))]


def _statements(engine: Any) -> list[tuple[str, bool]]:
    seen: list[tuple[str, bool]] = []
    listen(
        engine,
        "before_cursor_execute",
        lambda c, cur, stmt, p, ctx, many: seen.append((stmt, many)),
    )
    return seen


def test_many_to_one_copies_the_new_parents_key(engine: Any) -> None:
    with Session(engine) as s:
        child = Child(name="c1", parent=Parent(name="p1"))
        s.add(child)  # the parent comes in through save-update
        s.commit()
    assert _rows(engine, Parent.__table__) == [(1, "p1")]
    assert _rows(engine, Child.__table__) == [(1, "c1", 1)]


def test_one_to_many_sets_and_clears_foreign_keys(engine: Any) -> None:
    with Session(engine) as s:
        p = Parent(children=[Child(name="a"), Child(name="b")])
        s.add(p)
        s.commit()
        assert _rows(engine, Child.__table__) == [(1, "a", 1), (2, "b", 1)]
        a = p.children[0]
        p.children.remove(a)
        s.commit()
        assert inspect(a).persistent
    assert _rows(engine, Child.__table__) == [(1, "a", None), (2, "b", 1)]


def test_moving_a_child_between_parents(engine: Any) -> None:
    with Session(engine) as s:
        p1, p2 = Parent(name="one"), Parent(name="two")
        c = Child(parent=p1)
        s.add_all([p1, p2, c])
        s.commit()
        p1.children.remove(c)
        p2.children.append(c)
        s.commit()
    assert _rows(engine, Child.__table__) == [(1, "c", 2)]


def test_deleting_a_parent_nulls_its_childrens_keys(engine: Any) -> None:
    with Session(engine) as s:
        p = Parent(children=[Child(), Child()])
        s.add(p)
        s.commit()
        s.delete(p)
        s.commit()
        assert inspect(p).was_deleted
    assert _rows(engine, Parent.__table__) == []
    assert _rows(engine, Child.__table__) == [(1, "c", None), (2, "c", None)]


def test_passive_deletes_does_not_load_and_relies_on_on_delete_cascade(engine: Any) -> None:
    with Session(engine) as s:
        p = Parent(passive=[Passive(), Passive()])
        s.add(p)
        s.commit()
        pid = p.id
    with Session(engine) as s:
        p = s.get(Parent, pid)
        seen = _statements(engine)
        s.delete(p)
        s.commit()
        assert not any("FROM passive" in stmt for stmt, _m in seen)
    assert _rows(engine, Passive.__table__) == []


def test_self_referential_rows_are_ordered_per_row(engine: Any) -> None:
    with Session(engine) as s:
        leaf = Node(name="leaf")
        mid = Node(name="mid", children=[leaf])
        root = Node(name="root", children=[mid])
        s.add(leaf)  # added first: still inserted after its parent
        s.add(root)
        s.commit()
        ids = {n.name: n.id for n in (root, mid, leaf)}
        assert leaf.parent is mid
        rows = _rows(engine, Node.__table__)
        assert (ids["mid"], "mid", ids["root"]) in rows
        assert (ids["leaf"], "leaf", ids["mid"]) in rows
        s.delete(root)  # cascade: children deleted before their parents
        s.commit()
    assert _rows(engine, Node.__table__) == []


def test_many_to_many_association_rows_in_one_executemany(engine: Any) -> None:
    with Session(engine) as s:
        tags = [Tag(label=str(i)) for i in range(3)]
        p = Parent(tags=tags)
        s.add(p)
        seen = _statements(engine)
        s.commit()
        inserts = [(stmt, many) for stmt, many in seen if "INTO parent_tag" in stmt]
        assert len(inserts) == 1
        assert inserts[0][1] is True
        assert len(_rows(engine, parent_tag)) == 3
        p.tags.remove(tags[0])
        s.commit()
        assert _rows(engine, parent_tag) == [(1, 2), (1, 3)]
        s.delete(p)
        s.commit()
    assert _rows(engine, parent_tag) == []
    assert len(_rows(engine, Tag.__table__)) == 3


def test_one_to_one_replacement_clears_the_old_row(engine: Any) -> None:
    with Session(engine) as s:
        p = Parent(profile=Profile())
        s.add(p)
        s.commit()
        old = p.profile
        p.profile = Profile()
        assert old.parent is None
        s.commit()
    assert _rows(engine, Profile.__table__) == [(1, None), (2, 1)]


def test_post_update_breaks_a_two_row_cycle(engine: Any) -> None:
    with Session(engine) as s:
        w = Widget()
        g = Gadget(widget=w)
        w.favorite = g
        s.add(w)
        seen = _statements(engine)
        s.commit()
        kinds = [stmt.split()[0] for stmt, _m in seen if stmt.split()[0] != "BEGIN"]
        assert kinds[:3] == ["INSERT", "INSERT", "UPDATE"]
        assert _rows(engine, Widget.__table__) == [(1, 1)]
        assert _rows(engine, Gadget.__table__) == [(1, 1)]
        s.delete(g)
        w.favorite = None
        s.delete(w)
        s.commit()
    assert _rows(engine, Widget.__table__) == []


def test_write_only_collection_flushes_adds_and_removes(engine: Any) -> None:
    with Session(engine) as s:
        p = Parent()
        e1, e2 = Entry(), Entry()
        p.log.add_all([e1, e2])
        s.add(p)
        s.commit()
        assert sorted(e.id for e in s.scalars(p.log.select())) == [1, 2]
        p.log.remove(e1)
        s.commit()
    assert _rows(engine, Entry.__table__) == [(1, None), (2, 1)]


def test_failed_flush_leaves_no_rows_and_a_consistent_session(engine: Any) -> None:
    with Session(engine) as s:
        s.add(Child(id=1))
        s.commit()
        p = Parent(children=[Child(id=1)])  # duplicate key: the flush fails
        s.add(p)
        with pytest.raises(exc.IntegrityError):
            s.flush()
        s.rollback()
        assert inspect(p).transient
        s.add(Parent(name="ok", children=[Child(id=2)]))
        s.commit()
    assert _rows(engine, Parent.__table__) == [(1, "ok")]
    assert _rows(engine, Child.__table__) == [(1, "c", None), (2, "c", 1)]


def test_mapper_events_fire_in_dependency_order(engine: Any) -> None:
    seen: list[str] = []
    listen(Parent, "before_insert", lambda m, c, t: seen.append("parent"))
    listen(Child, "before_insert", lambda m, c, t: seen.append("child"))
    with Session(engine) as s:
        s.add(Child(parent=Parent()))
        s.commit()
    assert seen == ["parent", "child"]


def test_association_object_keys_come_from_both_parents(engine: Any) -> None:
    with Session(engine) as s:
        p = Parent()
        p.lines = [  # type: ignore[attr-defined]
            Line(qty=1, product=Product(name="a")),
            Line(qty=2, product=Product(name="b")),
        ]
        s.add(p)
        s.commit()
        assert _rows(engine, Line.__table__) == [(1, 1, 1), (1, 2, 2)]
        p.lines.pop(0)  # type: ignore[attr-defined]
        s.commit()
        assert _rows(engine, Line.__table__) == [(1, 2, 2)]
        s.delete(p)
        s.commit()
    assert _rows(engine, Line.__table__) == []
    assert _rows(engine, Product.__table__) == [(1, "a"), (2, "b")]
