"""S2 loading on every backend: column loader options, with_loader_criteria, yield_per,
relationship loader strategies (selectin, joined, contains_eager) and relationship queries."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from accord import exc
from accord.event import listen
from accord.orm import (
    DeclarativeBase,
    Mapped,
    Session,
    aliased,
    contains_eager,
    defer,
    joinedload,
    load_only,
    mapped_column,
    raiseload,
    relationship,
    selectinload,
    undefer,
    with_loader_criteria,
    with_parent,
)
from accord.sql import Column, ForeignKey, String, Table, Text, func, insert, select

if TYPE_CHECKING:
    from accord.engine import Engine


class _Models:
    """A fresh declarative base per test, so every test creates its own tables."""

    def __init__(self, engine: Engine) -> None:
        class Base(DeclarativeBase):
            pass

        class Item(Base):
            __tablename__ = "s02_item"

            id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
            name: Mapped[str] = mapped_column(String(40))
            hidden: Mapped[bool] = mapped_column(default=False)
            body: Mapped[str | None] = mapped_column(Text, deferred=True)

        self.Base = Base
        self.Item = Item
        Base.metadata.create_all(engine)
        with engine.begin() as conn:
            conn.execute(
                insert(Item),
                [
                    {"id": i, "name": f"n{i}", "hidden": i % 3 == 0, "body": f"b{i}"}
                    for i in range(1, 31)
                ],
            )


@pytest.fixture
def models(accord_engine: Engine) -> _Models:
    """The mapped classes of this module, their tables created and filled on the backend."""
    return _Models(accord_engine)


@pytest.fixture
def statements(accord_engine: Engine) -> list[str]:
    """Every SQL statement the engine sends to the driver, in order."""
    seen: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    listen(accord_engine, "before_cursor_execute", record)
    return seen


def test_column_options_choose_the_selected_columns(
    accord_engine: Engine, models: _Models, statements: list[str]
) -> None:
    Item = models.Item
    with Session(accord_engine) as s:
        item = s.scalars(select(Item).where(Item.id == 1).options(load_only(Item.name))).one()
        assert set(item.__dict__) >= {"id", "name"}
        assert "hidden" not in item.__dict__
        assert item.hidden is False  # loads on access
        other = s.scalars(
            select(Item).where(Item.id == 2).options(undefer(Item.body), defer(Item.name))
        ).one()
        assert other.__dict__["body"] == "b2"
        assert other.name == "n2"
        raising = s.scalars(
            select(Item).where(Item.id == 4).options(defer(Item.name, raiseload=True))
        ).one()
        with pytest.raises(exc.InvalidRequestError, match="raiseload"):
            _ = raising.name


def test_with_loader_criteria_and_the_global_filter(
    accord_engine: Engine, models: _Models
) -> None:
    Item = models.Item

    def only_visible(state: Any) -> None:
        if state.is_select and not state.is_column_load:
            state.statement = state.statement.options(
                with_loader_criteria(Item, Item.hidden.is_(False))
            )

    with Session(accord_engine) as s:
        listen(s, "do_orm_execute", only_visible)
        ids = s.scalars(select(Item.id).order_by(Item.id)).all()
        assert ids == [i for i in range(1, 31) if i % 3]
        assert s.get(Item, 3) is None
        assert s.query(Item).count() == 20


def test_yield_per_streams_objects_in_partitions(accord_engine: Engine, models: _Models) -> None:
    Item = models.Item
    with Session(accord_engine) as s:
        result = s.scalars(select(Item).order_by(Item.id).execution_options(yield_per=7))
        sizes = [len(part) for part in result.partitions()]
        assert sizes == [7, 7, 7, 7, 2]
        names = [i.name for i in s.scalars(select(Item).order_by(Item.id).limit(3))]
        assert names == ["n1", "n2", "n3"]


class _Graph:
    """Parents with children (one-to-many / many-to-one) and tags (many-to-many)."""

    def __init__(self, engine: Engine) -> None:
        class Base(DeclarativeBase):
            pass

        class Parent(Base):
            __tablename__ = "s02_parent"

            id: Mapped[int] = mapped_column(primary_key=True)
            name: Mapped[str] = mapped_column(String(40))
            children: Mapped[list[Child]] = relationship(
                back_populates="parent", order_by="Child.id"
            )

        class Child(Base):
            __tablename__ = "s02_child"

            id: Mapped[int] = mapped_column(primary_key=True)
            parent_id: Mapped[int | None] = mapped_column(ForeignKey("s02_parent.id"))
            name: Mapped[str] = mapped_column(String(40))
            parent: Mapped[Parent | None] = relationship(back_populates="children")
            tags: Mapped[list[Tag]] = relationship(secondary="s02_child_tag", order_by="Tag.id")

        Table(
            "s02_child_tag",
            Base.metadata,
            Column("child_id", ForeignKey("s02_child.id"), primary_key=True),
            Column("tag_id", ForeignKey("s02_tag.id"), primary_key=True),
        )

        class Tag(Base):
            __tablename__ = "s02_tag"

            id: Mapped[int] = mapped_column(primary_key=True)
            label: Mapped[str] = mapped_column(String(20))

        self.Parent, self.Child, self.Tag = Parent, Child, Tag
        Base.metadata.create_all(engine)


@pytest.fixture
def graph(accord_engine: Engine) -> _Graph:
    """The relationship models, with 3 parents, their children and tags saved by cascade."""
    g = _Graph(accord_engine)
    with Session(accord_engine) as s:
        red, blue = g.Tag(id=1, label="red"), g.Tag(id=2, label="blue")
        for i, kids in ((1, 2), (2, 1), (3, 0)):
            p = g.Parent(id=i, name=f"p{i}")
            p.children = [g.Child(id=i * 10 + k, name=f"c{i}{k}") for k in range(kids)]
            s.add(p)
        s.flush()
        s.get(g.Child, 10).tags = [red, blue]
        s.get(g.Child, 20).tags = [blue]
        s.commit()
    return g


def test_selectin_and_joined_loading(
    accord_engine: Engine, graph: _Graph, statements: list[str]
) -> None:
    Parent, Child = graph.Parent, graph.Child
    with Session(accord_engine) as s:
        statements.clear()
        parents = s.scalars(
            select(Parent)
            .order_by(Parent.id)
            .options(selectinload(Parent.children).selectinload(Child.tags))
        ).all()
        assert len(statements) == 3
        assert [[c.name for c in p.children] for p in parents] == [["c10", "c11"], ["c20"], []]
        assert [t.label for t in parents[0].children[0].tags] == ["red", "blue"]
        assert len(statements) == 3
    with Session(accord_engine) as s:
        statements.clear()
        parents = (
            s.scalars(
                select(Parent)
                .order_by(Parent.id)
                .options(joinedload(Parent.children).joinedload(Child.tags))
            )
            .unique()
            .all()
        )
        assert len(statements) == 1
        assert [[c.name for c in p.children] for p in parents] == [["c10", "c11"], ["c20"], []]
        assert [t.label for t in parents[1].children[0].tags] == ["blue"]
    with Session(accord_engine) as s:
        children = s.scalars(select(Child).order_by(Child.id).options(raiseload("*"))).all()
        with pytest.raises(exc.InvalidRequestError, match="raise"):
            _ = children[0].tags


def test_relationship_queries(accord_engine: Engine, graph: _Graph) -> None:
    Parent, Child, Tag = graph.Parent, graph.Child, graph.Tag
    with Session(accord_engine) as s:
        rows = s.execute(
            select(Parent.name, func.count(Child.id))
            .outerjoin(Parent.children)
            .group_by(Parent.name)
            .order_by(Parent.name)
        ).all()
        assert [tuple(r) for r in rows] == [("p1", 2), ("p2", 1), ("p3", 0)]
        blue_parents = s.scalars(
            select(Parent.name)
            .where(Parent.children.any(Child.tags.any(Tag.label == "blue")))
            .order_by(Parent.name)
        ).all()
        assert blue_parents == ["p1", "p2"]
        p1 = s.get(Parent, 1)
        assert [c.id for c in s.scalars(select(Child).where(Child.parent == p1))] == [10, 11]
        assert s.scalars(select(Child.id).where(with_parent(p1, Parent.children))).all() == [
            10,
            11,
        ]
        ca = aliased(Child)
        filtered = (
            s.scalars(
                select(Parent)
                .join(Parent.children.of_type(ca))
                .where(ca.name != "c11")
                .order_by(Parent.id)
                .options(contains_eager(Parent.children, alias=ca))
            )
            .unique()
            .all()
        )
        assert [[c.name for c in p.children] for p in filtered] == [["c10"], ["c20"]]


def test_selectin_statement_count_for_1000_parents(
    accord_engine: Engine, graph: _Graph, statements: list[str]
) -> None:
    Parent, Child = graph.Parent, graph.Child
    with accord_engine.begin() as conn:
        conn.execute(insert(Parent), [{"id": i, "name": f"n{i}"} for i in range(100, 1100)])
        conn.execute(
            insert(Child),
            [
                {"id": 1000 + i * 10 + k, "parent_id": i, "name": "x"}
                for i in range(100, 1100)
                for k in range(10)
            ],
        )
    with Session(accord_engine) as s:
        statements.clear()
        parents = s.scalars(
            select(Parent).where(Parent.id >= 100).options(selectinload(Parent.children))
        ).all()
        assert len(parents) == 1000
        assert sum(len(p.children) for p in parents) == 10_000
        assert len(statements) == 3  # the parents, then two IN lists of 500 keys


def test_joined_collection_with_limit_and_selectin_with_yield_per(
    accord_engine: Engine, graph: _Graph, statements: list[str]
) -> None:
    Parent = graph.Parent
    with Session(accord_engine) as s:
        statements.clear()
        first_two = (
            s.scalars(
                select(Parent)
                .order_by(Parent.id.desc())
                .limit(2)
                .options(joinedload(Parent.children))
            )
            .unique()
            .all()
        )
        assert len(statements) == 1
        assert [(p.name, len(p.children)) for p in first_two] == [("p3", 0), ("p2", 1)]
    with Session(accord_engine) as s:
        result = s.scalars(
            select(Parent)
            .order_by(Parent.id)
            .options(selectinload(Parent.children))
            .execution_options(yield_per=2)
        )
        sizes = [[len(p.children) for p in part] for part in result.partitions()]
        assert sizes == [[2, 1], [0]]
