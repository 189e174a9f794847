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


class _Extra:
    """Models of the tests below, on their own metadata."""

    def __init__(self) -> None:
        class B(DeclarativeBase):
            pass

        class Place(B):
            __tablename__ = "place"
            id: Mapped[int] = mapped_column(primary_key=True)
            name: Mapped[str] = mapped_column(default="")

        class Shipment(B):
            __tablename__ = "shipment"
            id: Mapped[int] = mapped_column(primary_key=True)
            origin_id: Mapped[int | None] = mapped_column(ForeignKey("place.id"))
            dest_id: Mapped[int | None] = mapped_column(ForeignKey("place.id"))
            origin: Mapped[Place | None] = relationship(foreign_keys=[origin_id])
            dest: Mapped[Place | None] = relationship(foreign_keys="Shipment.dest_id")
            label: Mapped[Label | None] = relationship(
                uselist=False, cascade="all, delete-orphan", back_populates="shipment"
            )
            marks: Mapped[list[Mark]] = relationship(secondary="shipment_mark")
            crates: Mapped[list[Crate]] = relationship(passive_deletes="all")

        class Label(B):
            __tablename__ = "label"
            id: Mapped[int] = mapped_column(primary_key=True)
            text: Mapped[str] = mapped_column(default="")
            shipment_id: Mapped[int | None] = mapped_column(ForeignKey("shipment.id"))
            shipment: Mapped[Shipment | None] = relationship(back_populates="label")

        class Mark(B):
            """A table of nothing but a database-generated key."""

            __tablename__ = "mark"
            id: Mapped[int] = mapped_column(primary_key=True)

        Table(
            "shipment_mark",
            B.metadata,
            Column("shipment_id", ForeignKey("shipment.id"), primary_key=True),
            Column("mark_id", ForeignKey("mark.id"), primary_key=True),
        )

        class Crate(B):
            __tablename__ = "crate"
            id: Mapped[int] = mapped_column(primary_key=True)
            shipment_id: Mapped[int | None] = mapped_column(
                ForeignKey("shipment.id", ondelete="SET NULL")
            )

        self.B = B
        self.Place, self.Shipment, self.Label, self.Mark, self.Crate = (
            Place,
            Shipment,
            Label,
            Mark,
            Crate,
        )


@pytest.fixture
def extra(tmp_path: Path) -> Any:
    ns = _Extra()
    eng = create_engine(f"sqlite:///{tmp_path / 'extra.sqlite'}")
    ns.B.metadata.create_all(eng)
    ns.engine = eng
    yield ns
    eng.dispose()


def test_foreign_keys_pick_the_column_each_relationship_writes_and_loads(extra: Any) -> None:
    Place, Shipment = extra.Place, extra.Shipment
    with Session(extra.engine) as s:
        s.add(Shipment(origin=Place(name="here"), dest=Place(name="there")))
        s.commit()
    assert _rows(extra.engine, Shipment.__table__) == [(1, 1, 2)]
    with Session(extra.engine) as s:
        shipment = s.get(Shipment, 1)
        assert (shipment.origin.name, shipment.dest.name) == ("here", "there")
        shipment.dest = shipment.origin
        s.commit()
    assert _rows(extra.engine, Shipment.__table__) == [(1, 1, 1)]


def test_one_to_one_with_delete_orphan_replaces_the_old_row(extra: Any) -> None:
    Shipment, Label = extra.Shipment, extra.Label
    with Session(extra.engine) as s:
        shipment = Shipment(label=Label(text="first"))
        s.add(shipment)
        s.commit()
        old = shipment.label
        shipment.label = Label(text="second")
        assert old.shipment is None
        s.commit()
        assert inspect(old).was_deleted
        assert shipment.label.text == "second"
    assert _rows(extra.engine, Label.__table__) == [(2, "second", 1)]


def test_many_new_rows_of_a_key_only_table_and_their_association_rows(extra: Any) -> None:
    Shipment, Mark = extra.Shipment, extra.Mark
    with Session(extra.engine) as s:
        shipment = Shipment(marks=[Mark(), Mark(), Mark()])
        s.add_all([shipment, Mark(), Mark()])
        s.commit()
        assert sorted(m.id for m in shipment.marks) == [1, 2, 3]
    assert _rows(extra.engine, Mark.__table__) == [(1,), (2,), (3,), (4,), (5,)]
    assert _rows(extra.engine, extra.B.metadata.tables["shipment_mark"]) == [
        (1, 1),
        (1, 2),
        (1, 3),
    ]


def test_passive_deletes_all_leaves_even_loaded_children_to_the_database(extra: Any) -> None:
    Shipment, Crate = extra.Shipment, extra.Crate
    with Session(extra.engine) as s:
        shipment = Shipment(crates=[Crate(), Crate()])
        s.add(shipment)
        s.commit()
        crates = list(shipment.crates)  # loaded: still not touched by the flush
        seen = _statements(extra.engine)
        s.delete(shipment)
        s.commit()
        assert [stmt.split()[0] for stmt, _m in seen if "crate" in stmt] == []
        assert all(inspect(c).persistent for c in crates)
    assert _rows(extra.engine, Crate.__table__) == [(1, None), (2, None)]  # ON DELETE SET NULL


def test_cycles_without_post_update_are_named_and_leave_nothing(engine: Any, extra: Any) -> None:
    from accord.orm import configure_mappers

    class B(DeclarativeBase):
        pass

    class Desk(B):
        __tablename__ = "desk"
        id: Mapped[int] = mapped_column(primary_key=True)
        lamp_id: Mapped[int | None] = mapped_column(
            ForeignKey("lamp.id", use_alter=True, name="fk_lamp")
        )
        lamps: Mapped[list[Lamp]] = relationship(primaryjoin="Desk.id == Lamp.desk_id")
        lamp: Mapped[Lamp | None] = relationship(primaryjoin="Desk.lamp_id == Lamp.id")

    class Lamp(B):
        __tablename__ = "lamp"
        id: Mapped[int] = mapped_column(primary_key=True)
        desk_id: Mapped[int | None] = mapped_column(ForeignKey("desk.id"))

    configure_mappers()
    B.metadata.create_all(extra.engine)
    with Session(extra.engine) as s:
        desk = Desk()
        lamp = Lamp()
        desk.lamps.append(lamp)
        desk.lamp = lamp
        s.add(desk)
        with pytest.raises(exc.CircularDependencyError, match=r"Desk, Lamp.*post_update=True"):
            s.flush()
        s.rollback()
        assert inspect(desk).transient
    with Session(engine) as s:
        a, b = Node(name="a"), Node(name="b")
        a.parent, b.parent = b, a  # type: ignore[attr-defined]
        s.add(a)
        with pytest.raises(exc.CircularDependencyError, match=r"rows of one table.*post_update"):
            s.commit()
        s.rollback()
        assert inspect(a).transient
        a.parent = None  # type: ignore[attr-defined]
        s.add(a)
        s.commit()
        b.parent = a  # type: ignore[attr-defined]  # both rows exist now: two UPDATEs
        a.parent = b  # type: ignore[attr-defined]
        s.commit()
    rows = {r[1]: r for r in _rows(engine, Node.__table__)}
    assert rows["a"][2] == rows["b"][0]
    assert rows["b"][2] == rows["a"][0]
    assert _rows(extra.engine, Desk.__table__) == []
